"""Decompression-bomb guard: a photo declaring too many pixels is refused before any decode.

The files here are tiny (a few hundred bytes) but declare huge sizes in their headers, as a
malicious or broken upload would; decoding one would need gigabytes of memory.
"""

from __future__ import annotations

import io
import struct
import warnings
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


# --- a JPEG's header read without Pillow says what Pillow says -------------------------------


def _jpeg(
    mode: str = "RGB",
    orientation: int | None = None,
    size: tuple[int, int] = (64, 48),
    **options: object,
) -> bytes:
    out = io.BytesIO()
    image = Image.new(mode, size, "green" if mode != "CMYK" else (0, 50, 100, 0))
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        exif[0x0128] = 2  # inches: Pillow reads the resolution while opening
        exif[0x011A] = 72.0
        exif[0x010F] = "Camera maker, a text longer than four bytes"
        options["exif"] = exif
    image.save(out, "JPEG", **options)
    return out.getvalue()


def _pillow_reads(raw: bytes) -> tuple[int, int, int] | None:
    """Width, height and orientation as Pillow opens them; None when it fails or warns."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with Image.open(io.BytesIO(raw)) as image:
                return (*image.size, image.getexif().get(0x0112, 1))
    except Exception:
        return None


_PLAIN_JPEGS = {
    "baseline": _jpeg(),
    "grey": _jpeg("L"),
    "cmyk": _jpeg("CMYK"),
    "progressive": _jpeg(progressive=True),
    "icc": _jpeg(icc_profile=b"\0" * 300),
    "quality-100": _jpeg(quality=100),  # 16-bit quantization tables
    **{f"orientation-{n}": _jpeg(orientation=n) for n in (1, 3, 6, 8)},
    "exif-big-endian": bytes(
        _jpeg(orientation=6).replace(
            b"Exif\0\0II*\0", b"Exif\0\0MM\0*"
        )  # only its header: then refused
    ),
}


@pytest.mark.parametrize("name", sorted(set(_PLAIN_JPEGS) - {"exif-big-endian"}))
def test_plain_jpeg_header_is_read_as_pillow_reads_it(name: str) -> None:
    from generator.photocheck import plain_jpeg_header

    raw = _PLAIN_JPEGS[name]
    header = plain_jpeg_header(raw)
    assert header is not None, name  # these are the plain shapes it is for
    assert header == _pillow_reads(raw)


def test_plain_jpeg_header_agrees_with_pillow_on_damaged_headers() -> None:
    """Every byte of each header changed to a few values, and each header cut short: whenever
    the header is read without Pillow, Pillow opens the file without a warning and reads the
    same size and orientation."""
    from generator.photocheck import plain_jpeg_header

    read = refused = 0
    for name in ("baseline", "progressive", "orientation-6", "exif-big-endian", "quality-100"):
        raw = _PLAIN_JPEGS[name]
        scan = raw.index(b"\xff\xda")
        variants = [raw[:cut] for cut in range(0, scan + 16, 9)]
        for at in range(2, scan + 4):
            value = (0x00, 0x01, 0x08, 0x7F, 0xD9, 0xFF)[at % 6]  # a few of each kind
            if raw[at] != value:
                variants.append(raw[:at] + bytes([value]) + raw[at + 1 :])
        for variant in variants:
            header = plain_jpeg_header(variant)
            if header is None:
                refused += 1
                continue
            read += 1
            assert header == _pillow_reads(variant), variant[: scan + 4]
    assert read > 200 and refused > 200  # both ways were taken


def test_check_photo_fast_and_pillow_paths_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check_photo's results, with the header read by plain_jpeg_header and by Pillow alone:
    sizes, rotation, too small, too many pixels, truncated."""
    from generator import photocheck

    cases = {
        "ok.jpg": _jpeg(size=(800, 600)),
        "rotated.jpg": _jpeg(orientation=6, size=(800, 600)),
        "small.jpg": _jpeg(size=(800, 500)),
        "rotated-small.jpg": _jpeg(orientation=8, size=(500, 800)),
        "cut.jpg": _jpeg(size=(800, 600))[:-600],
        "huge.jpg": jpeg_declaring(9000, 6000),
    }
    fast = {name: check(tmp_path, name, data) for name, data in cases.items()}
    monkeypatch.setattr(photocheck, "plain_jpeg_header", lambda raw: None)
    slow = {name: check(tmp_path, name, data) for name, data in cases.items()}
    assert fast == slow
    assert [p.code for name in cases for p in fast[name][1]] == [
        "photo-too-small",
        "photo-too-small",
        "photo-broken",
        "photo-too-many-pixels",
    ]
    assert (fast["rotated.jpg"][0].width, fast["rotated.jpg"][0].height) == (600, 800)


def _with_segment(raw: bytes, marker: int, body: bytes) -> bytes:
    """A JPEG with one more segment right after its start-of-image marker."""
    return raw[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body + raw[2:]


def _exif_segment(raw: bytes) -> bytes:
    start = raw.index(b"\xff\xe1") + 2
    (length,) = struct.unpack_from(">H", raw, start)
    return raw[start + 2 : start + length]


@pytest.mark.parametrize(
    "raw",
    [
        _with_segment(  # orientation in XMP: Pillow reads it when EXIF has none
            _jpeg(), 0xE1, b'http://ns.adobe.com/xap/1.0/\0<x tiff:Orientation="6"/>'
        ),
        _with_segment(  # two EXIF blocks: Pillow joins them
            _jpeg(orientation=1), 0xE1, _exif_segment(_PLAIN_JPEGS["orientation-6"])
        ),
        _with_segment(_jpeg(), 0xE2, b"MPF\0" + b"\0" * 40),  # a multi-picture file
    ],
    ids=["xmp-orientation", "two-exif", "mpo"],
)
def test_plain_jpeg_header_leaves_unusual_segments_to_pillow(raw: bytes) -> None:
    from generator.photocheck import plain_jpeg_header

    assert plain_jpeg_header(raw) is None
