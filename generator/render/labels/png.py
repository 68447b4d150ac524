"""The label as a 300-dpi PNG in four greys: the QR scaled by whole dots, the text pasted from
glyphs drawn once per process at the advances the layout uses, the file written here."""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

from generator.render.labels.font import FONTS, dejavu
from generator.render.labels.layout import Layout
from generator.render.labels.sizes import DOT, DPI


@lru_cache(maxsize=64)
def _pil_font(bold: bool, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS[bold]), size=size_px, layout_engine=ImageFont.Layout.BASIC)


GREYS = [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]  # the PNG's palette: 4 greys
# Glyph coverage rounded to the nearest of 4 levels: four grey levels are enough antialiasing
# at 300 dpi and halve the file (2 bits a dot).
COVERAGE_LUT = [(v + 42) // 85 * 85 for v in range(256)]


class _Glyph(NamedTuple):
    mask: object | None  # coverage in 4 levels; None for a blank
    dx: int  # its top-left from the pen on the baseline
    dy: int
    advance: float  # in pixels, at the layout's metrics


class _Glyphs(dict[str, _Glyph]):
    """The characters of one face at one pixel size, each drawn once per process."""

    def __init__(self, bold: bool, size_px: float) -> None:
        super().__init__()
        self.font = _pil_font(bold, size_px)
        self.face = dejavu(bold)
        self.scale = size_px / self.face.upm

    def __missing__(self, ch: str) -> _Glyph:
        mask, (dx, dy) = self.font.getmask2(ch, "L", anchor="ls")
        advance = self.face.advances[self.face.cmap.get(ord(ch), 0)] * self.scale
        glyph = _Glyph(mask.point(COVERAGE_LUT, "L"), dx, dy, advance)
        self[ch] = glyph if mask.size[0] and mask.size[1] else _Glyph(None, 0, 0, advance)
        return self[ch]


@lru_cache(maxsize=256)
def _glyphs(bold: bool, size_px: float) -> _Glyphs:
    return _Glyphs(bold, size_px)


def draw_png(layout: Layout) -> bytes:
    """The label at 300 dpi in 4 greys. The image holds palette indices from the start (3
    white, 0 black): a glyph of 4-level coverage pasted in black onto 0-3 gives 0-3 again, so
    the rows are packed 2 bits a dot as they are."""
    px = 1 / DOT
    width, height = round(layout.width * px), round(layout.height * px)
    # Drawn 4 dots right of a black band 4 dots wide: packed 4 dots a byte, the band becomes
    # the zero byte ("no filter") PNG wants before each row, with no copy of the rows to add it.
    image = Image.new("L", (4 + width, height), 3)
    image.paste(0, (0, 0, 4, height))
    # The QR: its modules as a bitmap of one byte a module, scaled by whole dots.
    n, m = layout.qr.size, round(layout.module * px)
    bitmap = layout.qr.bitmap
    if len(bitmap) != n * n:  # a matrix made from its runs alone
        modules = bytearray(b"\xff" * (n * n))
        for r, c, k in layout.qr.runs:
            modules[r * n + c : r * n + c + k] = bytes(k)
        bitmap = bytes(modules)
    symbol = Image.frombytes("L", (n, n), bitmap.replace(b"\xff", b"\x03"))
    symbol = symbol.resize((n * m, n * m), Image.Resampling.NEAREST)
    image.paste(symbol, (4 + round(layout.qr_x * px), round(layout.qr_y * px)))
    # Text glyph by glyph from a per-process cache of drawn characters, placed at the advances
    # the layout (and the PDF and SVG) use: drawing each label's text with FreeType was 1-2 ms
    # of a label, pasting cached glyphs is a tenth of that. A glyph lands on the nearest whole
    # dot (at most 0.04 mm from its exact place).
    draw = ImageDraw.Draw(image).draw  # the core drawer: Pillow's own text() pastes with it
    for t in layout.texts:
        glyphs = _glyphs(t.bold, round(t.size * px, 2))
        pen, base = 4 + t.x * px, round(t.y * px)
        for ch in t.text:
            mask, dx, dy, advance = glyphs[ch]
            if mask is not None:
                draw.draw_bitmap((round(pen) + dx, base + dy), mask, 0)
            pen += advance
    return _png_grey2(image.tobytes("raw", "L;2"), width, height)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png_grey2(rows: bytes, width: int, height: int) -> bytes:
    """A PNG of rows of 2-bit palette indices into GREYS (each row after its filter byte), at
    DPI.

    Written here rather than by Pillow, whose encoder took 0.7 ms a label: rows unfiltered, zlib
    level 2 (on these images 3x faster than level 6 and 3% larger than Pillow's file was), no
    time or software chunk."""
    dots_per_metre = round(DPI / 0.0254)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 2, 3, 0, 0, 0)),
            _png_chunk(b"PLTE", bytes(GREYS)),
            _png_chunk(b"pHYs", struct.pack(">IIB", dots_per_metre, dots_per_metre, 1)),
            _png_chunk(b"IDAT", zlib.compress(rows, 2)),
            _png_chunk(b"IEND", b""),
        )
    )
