"""Checks on the photo files a product record lists: real images, safe paths, sane sizes."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image, UnidentifiedImageError

from generator.errors import Problem, problem

MAX_PHOTO_BYTES = 15 * 1024 * 1024  # phone JPEGs are 5-10 MB
MAX_PIXELS = 50_000_000  # decompression-bomb guard (a 12 MP phone photo is 12,000,000)
MIN_SHORT_SIDE = 600  # enough for the 640 px derivative without blur
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
_FORMAT_EXTENSIONS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",)}


@dataclass(frozen=True)
class PhotoFacts:
    width: int  # after EXIF orientation
    height: int
    format: str
    sha256: str


def name_key(name: str) -> str:
    """File names a person cannot tell apart: case, and NFC/NFD forms of one letter."""
    return unicodedata.normalize("NFC", name).casefold()


def sniff_format(head: bytes) -> str | None:
    """The real format by content, never by name."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


class _NotRead:
    """check_photo's `info` when the caller has not called lstat on the file (None: it did,
    and the file is absent)."""


NOT_READ = _NotRead()


def lstat(path: str | os.PathLike[str]) -> os.stat_result | None:
    """os.lstat, or None for a file that is absent or cannot be named (too long, NUL)."""
    try:
        return os.lstat(path)
    except (OSError, ValueError):
        return None


def read_file(path: str | os.PathLike[str], size: int, limit: int) -> bytes:
    """The bytes of a regular file of `size` bytes (its lstat size), at most `limit` of them.
    Open, one read, close: Path.read_bytes makes seven system calls, for each of the 70,000
    files of a national catalog."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        want = min(size + 1, limit)
        data = os.read(fd, want)
        if len(data) < want:  # a short read from a regular file: its end
            return data
        parts, total = [data], len(data)  # the file grew since lstat
        while total < limit:
            chunk = os.read(fd, min(limit - total, 1 << 20))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def check_photo(
    folder: Path,
    name: str,
    display: str,
    line: int,
    field_path: str,
    info: os.stat_result | _NotRead | None = NOT_READ,
) -> tuple[PhotoFacts | None, list[Problem]]:
    """info: lstat(folder / name) when the caller already has it (one system call, not three,
    for each of the 40,000 photos of a national catalog)."""

    def fail(code: str, **params: object) -> tuple[None, list[Problem]]:
        return None, [problem(display, line, field_path, code, value=name, **params)]

    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("~"):
        base = PurePosixPath(name.replace("\\", "/")).name.lstrip("~")
        return fail("photo-path", name=base if base not in ("", ".", "..") else "anh-1.jpg")
    path = folder / name
    if isinstance(info, _NotRead):
        info = lstat(path)  # None: absent, a name too long for the disk, a NUL character
    mode = info.st_mode if info is not None else None
    if mode is not None and stat.S_ISLNK(mode):
        return None, [problem(display, line, field_path, "symlink")]
    if mode is not None and not stat.S_ISREG(mode):  # a folder or a FIFO named like a photo
        return fail("photo-not-image")
    if mode is None:
        near = [p.name for p in folder.iterdir() if name_key(p.name) == name_key(name)]
        hint = ("", "")
        if near and near[0].casefold() == name.casefold():
            hint = (
                f" (có `{near[0]}`: tên phân biệt chữ hoa/thường)",
                f" (found `{near[0]}`: names are case-sensitive)",
            )
        elif near:  # the same letters composed differently (NFD, e.g. copied from a Mac)
            hint = (
                f" (có `{near[0]}` nhưng tên tệp viết bằng chữ tổ hợp (NFD); đặt lại tên tệp, "
                "gõ lại tên)",
                f" (found `{near[0]}`, but its name is written in decomposed letters (NFD); "
                "rename the file, typing the name again)",
            )
        return fail("photo-missing", suggestion=hint)
    size = info.st_size  # a regular file, not a symlink: lstat's size is the file's
    if size > MAX_PHOTO_BYTES:
        return fail(
            "photo-too-large", size=f"{size / 1e6:.1f} MB", limit=f"{MAX_PHOTO_BYTES / 1e6:.0f} MB"
        )
    raw = read_file(path, size, MAX_PHOTO_BYTES + 1)
    kind = sniff_format(raw[:16])
    if kind is None:
        return fail("photo-not-image")
    extension = path.suffix.lower().lstrip(".")
    if extension not in _FORMAT_EXTENSIONS[kind]:
        return fail("photo-type-mismatch", actual=kind, extension=_FORMAT_EXTENSIONS[kind][0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # From the bytes already read: Pillow's many small reads of a file cost more
            # than the whole check at 40,000 photos.
            with Image.open(io.BytesIO(raw)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return fail(
                        "photo-too-many-pixels",
                        pixels=f"{width * height / 1e6:.0f}",
                        limit=f"{MAX_PIXELS // 1_000_000}",
                    )
                if kind == "JPEG":
                    orientation = image.getexif().get(0x0112, 1)
                    # A truncated upload lacks the end-of-image marker. Checking for it costs
                    # nothing; decoding, even at 1/8 scale, costs 5 ms per phone photo.
                    if b"\xff\xd9" not in raw[-4096:]:
                        raise OSError("no JPEG end-of-image marker: truncated")
                else:
                    image.verify()  # PNG/WebP: structural check; must come first
            if kind != "JPEG":
                with Image.open(io.BytesIO(raw)) as image:
                    orientation = image.getexif().get(0x0112, 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow refuses a huge declared size while reading the header, before any decode:
        # the contributor needs the same advice as for our own limit, not "damaged".
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(declared[1]) / 1e6:.0f}" if declared else f"> {MAX_PIXELS // 1_000_000}"
        return fail("photo-too-many-pixels", pixels=pixels, limit=f"{MAX_PIXELS // 1_000_000}")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, RuntimeError):
        return fail("photo-broken")
    if orientation in (5, 6, 7, 8):  # rotated 90°: the displayed sides swap
        width, height = height, width
    if min(width, height) < MIN_SHORT_SIDE:
        return fail("photo-too-small", width=width, height=height, limit=MIN_SHORT_SIDE)
    return PhotoFacts(width, height, kind, hashlib.sha256(raw).hexdigest()), []


# --- file stamps: a photo whose stamp is unchanged is not read again (generator/checkcache.py)
FileStamp = tuple[int, int, int]  # size, modification time (ns), inode


def file_stamp(
    path: str | os.PathLike[str], info: os.stat_result | _NotRead | None = NOT_READ
) -> FileStamp | None:
    """Cheap identity of a regular file (no symlink): an unchanged stamp means unchanged bytes
    for all practical purposes, so its check need not be repeated. info: as for check_photo."""
    if isinstance(info, _NotRead):
        info = lstat(path)
    if info is None or not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)
