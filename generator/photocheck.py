"""Checks on the photo files a product record lists: real images, safe paths, sane sizes."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
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


# --- a JPEG's size and orientation from its markers, as Pillow reads them -----------------------
# Pillow's JPEG open costs more than reading the file; most photos are made by a camera or an
# editor in a few well-known shapes, read here in a few microseconds. Anything else (a marker or
# a segment Pillow would refuse, warn about or read differently) is left to Pillow: the result of
# plain_jpeg_header, when not None, is what Pillow gives (tests/test_photocheck.py compares them).
_SOF = frozenset({0xC0, 0xC1, 0xC2})  # baseline, extended, progressive: 8-bit photos
_SKIPPED = frozenset({0xC4, 0xDD, 0xFE})  # Huffman tables, restart interval, comment
# TIFF value types and their sizes in bytes, as Pillow's EXIF reader knows them
_TIFF_UNITS = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
# IFD0 tags Pillow decodes while opening (orientation; resolution for the dpi): only their
# usual shape is read here
_IFD0_SHAPES = {0x0112: (3, 1), 0x0128: (3, 1), 0x011A: (5, 1)}


def plain_jpeg_header(raw: bytes) -> tuple[int, int, int] | None:
    """(width, height, EXIF orientation) of a JPEG of at most MAX_PIXELS whose markers are all
    plainly formed; None otherwise."""
    end = len(raw)
    at = 2  # after the start-of-image marker
    size: tuple[int, int] | None = None
    orientation = 1
    exif_seen = False
    unpack = struct.unpack_from
    while True:
        if at + 4 > end or raw[at] != 0xFF:
            return None
        marker = raw[at + 1]
        (length,) = unpack(">H", raw, at + 2)
        body, at = at + 4, at + 2 + length
        if length < 2 or at > end:
            return None
        if marker == 0xDA:  # start of scan: the header is over
            break
        if marker in _SOF:
            if size is not None or length < 8 or raw[body] != 8 or raw[body + 5] not in (1, 3, 4):
                return None
            height, width = unpack(">HH", raw, body + 1)
            size = (width, height)
        elif marker == 0xDB:  # quantization tables: Pillow refuses a short one
            while body < at:
                table = 65 if raw[body] < 16 else 129
                if at - body < table:
                    return None
                body += table
        elif 0xE0 <= marker <= 0xEF:
            segment = raw[body:at]
            if marker == 0xE1:
                if exif_seen or not segment.startswith(b"Exif\0\0"):  # XMP: Pillow reads more
                    return None
                exif_seen = True
                found = _exif_orientation(segment[6:])
                if found is None:
                    return None
                orientation = found
            elif marker == 0xE2:
                if not segment.startswith(b"ICC_PROFILE\0") or len(segment) < 14:  # MPO, FPXR
                    return None
            elif marker in (0xE0, 0xEE):
                if segment.startswith((b"JFIF", b"Adobe")) and len(segment) < 12:
                    return None
            elif marker == 0xED:  # Photoshop resources: Pillow may fail on a short one
                return None
        elif marker not in _SKIPPED:
            return None
    if size is None or size[0] <= 0 or size[1] <= 0 or size[0] * size[1] > MAX_PIXELS:
        return None
    return size[0], size[1], orientation


def _exif_orientation(tiff: bytes) -> int | None:
    """The orientation in an EXIF block whose first directory is plainly formed (1 when
    absent); None when Pillow would read it otherwise, warn, or fail."""
    if len(tiff) < 8:
        return None
    if tiff.startswith(b"II*\0"):
        order = "<"
    elif tiff.startswith(b"MM\0*"):
        order = ">"
    else:
        return None
    end = len(tiff)
    (first,) = struct.unpack_from(order + "L", tiff, 4)
    if first < 8 or first + 2 > end:
        return None
    (count,) = struct.unpack_from(order + "H", tiff, first)
    entries = first + 2
    if entries + 12 * count + 4 > end:
        return None
    seen: set[int] = set()
    orientation = 1
    total = 0
    for at in range(entries, entries + 12 * count, 12):
        tag, kind, many = struct.unpack_from(order + "HHL", tiff, at)
        unit = _TIFF_UNITS.get(kind)
        if unit is None or many == 0 or tag in seen:
            return None
        seen.add(tag)
        size = unit * many
        if size > 4:
            (offset,) = struct.unpack_from(order + "L", tiff, at + 8)
            total += size
            if offset + size > end or total > end:
                return None
        shape = _IFD0_SHAPES.get(tag)
        if shape is not None and shape != (kind, many):
            return None
        if tag == 0x0112:
            (orientation,) = struct.unpack_from(order + "H", tiff, at + 8)
    return orientation


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
    path = f"{folder}/{name}"  # str(folder / name): a bare name, checked above
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
    dot = name.rfind(".")  # PurePath(name).suffix, without making a path
    extension = name[dot + 1 :].lower() if 0 < dot < len(name) - 1 else ""
    if extension not in _FORMAT_EXTENSIONS[kind]:
        return fail("photo-type-mismatch", actual=kind, extension=_FORMAT_EXTENSIONS[kind][0])
    header = plain_jpeg_header(raw) if kind == "JPEG" else None
    if header is not None:  # what Pillow would read, read without it
        width, height, orientation = header
        if b"\xff\xd9" not in raw[-4096:]:  # truncated: as below
            return fail("photo-broken")
    else:
        try:
            width, height, orientation = _pillow_header(raw, kind)
        except _TooManyPixels as exc:
            return fail("photo-too-many-pixels", pixels=exc.pixels, limit=exc.limit)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # Pillow refuses a huge declared size while reading the header, before any decode:
            # the contributor needs the same advice as for our own limit, not "damaged".
            declared = re.search(r"\((\d+) pixels\)", str(exc))
            limit = f"{MAX_PIXELS // 1_000_000}"
            pixels = f"{int(declared[1]) / 1e6:.0f}" if declared else f"> {limit}"
            return fail("photo-too-many-pixels", pixels=pixels, limit=limit)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, RuntimeError):
            return fail("photo-broken")
    if orientation in (5, 6, 7, 8):  # rotated 90°: the displayed sides swap
        width, height = height, width
    if min(width, height) < MIN_SHORT_SIDE:
        return fail("photo-too-small", width=width, height=height, limit=MIN_SHORT_SIDE)
    return PhotoFacts(width, height, kind, hashlib.sha256(raw).hexdigest()), []


class _TooManyPixels(Exception):
    def __init__(self, pixels: str, limit: str) -> None:
        super().__init__(pixels)
        self.pixels, self.limit = pixels, limit


def _pillow_header(raw: bytes, kind: str) -> tuple[int, int, int]:
    """Width, height and EXIF orientation as Pillow reads them, with its structural checks;
    raises what Pillow raises for a damaged file, _TooManyPixels above MAX_PIXELS."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # From the bytes already read: Pillow's many small reads of a file cost more than the
        # whole check at 40,000 photos.
        with Image.open(io.BytesIO(raw)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _TooManyPixels(f"{width * height / 1e6:.0f}", f"{MAX_PIXELS // 1_000_000}")
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
    return width, height, orientation


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
