"""Decompression-bomb guard: a photo declaring too many pixels is refused before any decode.

The files here are tiny (a few hundred bytes) but declare huge sizes in their headers, as a
malicious or broken upload would; decoding one would need gigabytes of memory.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from generator.photocheck import MAX_PIXELS, check_photo


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def webp_declaring(width: int, height: int) -> bytes:
    """An animated WebP: a 16x16 frame on a canvas of the declared size (valid per the spec)."""
    out = io.BytesIO()
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    frames[0].save(out, "WEBP", lossless=True, save_all=True, append_images=frames[1:])
    data = bytearray(out.getvalue())
    at = data.index(b"VP8X") + 8 + 4  # chunk header, then flags (4 bytes)
    data[at : at + 3] = (width - 1).to_bytes(3, "little")
    data[at + 3 : at + 6] = (height - 1).to_bytes(3, "little")
    return bytes(data)


def jpeg_declaring(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture
def no_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any pixel decode fails the test: the guard must act on the header alone."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)


def check(folder: Path, name: str, data: bytes) -> tuple[object, list]:
    (folder / name).write_bytes(data)
    return check_photo(folder, name, f"products/x/{name}", 7, "photos[0].file")


@pytest.mark.parametrize(
    ("name", "data", "megapixels"),
    [
        ("our-limit.png", png_declaring(8000, 7000), "56"),  # above ours, below Pillow's
        ("pillow-warning.png", png_declaring(10000, 10000), "100"),  # Pillow's warning
        ("pillow-error.png", png_declaring(30000, 30000), "900"),  # Pillow's hard error
        ("canvas.webp", webp_declaring(9000, 6000), "54"),
        ("max-canvas.webp", webp_declaring(16383, 16383), "268"),
        ("our-limit.jpg", jpeg_declaring(9000, 6000), "54"),
        ("huge.jpg", jpeg_declaring(60000, 60000), "3600"),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value else "",
)
def test_huge_declared_size_is_refused_before_decode(
    tmp_path: Path, no_decode: None, name: str, data: bytes, megapixels: str
) -> None:
    assert len(data) < 1000
    facts, problems = check(tmp_path, name, data)
    assert facts is None
    [found] = problems
    assert found.code == "photo-too-many-pixels", found.format("en")
    assert found.line == 7 and found.field == "photos[0].file"
    assert f"has {megapixels} megapixels" in found.message("en")
    assert f"at most {MAX_PIXELS // 1_000_000}" in found.message("en")


def test_a_normal_photo_still_passes(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, "PNG")
    facts, problems = check(tmp_path, "ok.png", out.getvalue())
    assert problems == [] and facts is not None
    assert (facts.width, facts.height, facts.format) == (800, 600, "PNG")


# --- reading files with few system calls -------------------------------------------------------


def test_read_file_whole_limited_and_grown(tmp_path: Path) -> None:
    from generator.photocheck import read_file

    file = tmp_path / "a.bin"
    data = bytes(range(256)) * 4000  # 1 MB
    file.write_bytes(data)
    assert read_file(file, len(data), 10**9) == data
    assert read_file(str(file), len(data), 100) == data[:100]  # never more than the limit
    assert read_file(file, 10, 10**9) == data  # the file is larger than its stamp said
    assert read_file(file, len(data) + 50, 10**9) == data  # ...or smaller
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert read_file(empty, 0, 10) == b""


def test_lstat_of_what_cannot_be_named(tmp_path: Path) -> None:
    from generator.photocheck import file_stamp, lstat

    assert lstat(tmp_path / "absent") is None
    assert lstat(str(tmp_path) + "/a\0b") is None  # NUL: ValueError, not a crash
    assert lstat(tmp_path / ("x" * 5000)) is None  # too long for the disk
    (tmp_path / "f").write_bytes(b"x")
    info = lstat(tmp_path / "f")
    assert info is not None and file_stamp(tmp_path / "f", info) == file_stamp(tmp_path / "f")
    assert file_stamp(tmp_path, lstat(tmp_path)) is None  # a folder has no stamp


def test_check_photo_with_the_callers_lstat_says_the_same(tmp_path: Path) -> None:
    from generator.photocheck import lstat

    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, "JPEG")
    (tmp_path / "ok.jpg").write_bytes(out.getvalue())
    (tmp_path / "dir.jpg").mkdir()
    for name in ("ok.jpg", "dir.jpg", "absent.jpg"):
        alone = check_photo(tmp_path, name, "x.yaml", 7, "photos[0].file")
        given = check_photo(tmp_path, name, "x.yaml", 7, "photos[0].file", lstat(tmp_path / name))
        assert alone == given, name
