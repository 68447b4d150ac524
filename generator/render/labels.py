"""QR traceability labels: one print-ready label per product (SVG, PNG 300 dpi, PDF) and A4 sheets.

The QR holds the product page's permanent absolute URL, `<base_url>p/<id>/`: short, so the QR
version stays low (5 for a 32-character id on https://<owner>.github.io/<repo>/). Error
correction M, a 4-module quiet zone, and a module size snapped to whole 300-dpi dots, chosen so
the symbol itself (quiet zone excluded) is at least 20 mm wide.

One layout (positions in millimetres) is computed per label size and drawn by three backends,
so SVG, PNG and PDF agree to the dot. Labels are cached by a key of everything printed on
them: a rebuild with unchanged inputs copies the files and draws nothing.

Drawing has to stay cheap for every product of the country (a third of the CPU it took with
reportlab): the PDFs are written here, the QR as one path and the text in one embedded subset
of DejaVu Sans holding both faces (no hinting programs: print needs none); the PNG pastes
glyphs drawn once per process and writes its own 2-bit file; and a worker draws a province at
a time (its labels, its sheet, its producers' sheets), so a product's QR and its sheet cell
are made once.

A label for a product whose certification is not valid on the build day carries its state
("HẾT HIỆU LỰC", ...) instead of stars, and such products are left off the print sheets:
stars may not be used once a certificate has expired or been revoked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
import os
import re
import struct
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from generator.cache import Cache, content_key
from generator.config import BuildConfig
from generator.dates import PartialDate
from generator.model import Catalog, Product, Validity
from generator.render.artifacts import LabelFiles, LabelIndex, LabelSheet
from generator.render.html import Html
from generator.write import SiteWriter

_T = TypeVar("_T")
_R = TypeVar("_R")

# Bump when the drawing changes: every cached label is then drawn again.
LABEL_VERSION = "2"

DPI = 300
DOT = 25.4 / DPI  # mm per 300-dpi dot: module sizes and QR positions snap to it
MIN_SYMBOL_MM = 20.0  # the QR without its quiet zone, at the stated print size
QUIET_MODULES = 4

LABEL_SIZE = (60.0, 40.0)  # mm: the single label, a common roll-label size ("tem 60x40")
SHEET_PAGE = (210.0, 297.0)  # A4 portrait
SHEET_GRID = (3, 8)  # columns, rows: 24 labels a page ("decal A4 24 tem")
SHEET_CELL = (70.0, 37.0)  # mm, cells touching, the 1 mm left over split top and bottom
CUT_MARK_MM = 1.5  # arm of the cross drawn at each cell corner

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONTS = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}
SVG_FONT = "DejaVu Sans, Verdana, sans-serif"

STATE_TEXT = {
    Validity.EXPIRED: "HẾT HIỆU LỰC",
    Validity.UNKNOWN_DATE: "CHƯA RÕ HIỆU LỰC",
    Validity.REVOKED: "ĐÃ BỊ THU HỒI",
    Validity.WITHDRAWN: "ĐÃ NGỪNG SẢN XUẤT",
}
SITE_DIR = "nhan-qr"
# Below this many labels to draw, starting worker processes costs more than it saves.
PARALLEL_MIN = 200


# ---------------------------------------------------------------------------------------------
# What a label says


@dataclass(frozen=True)
class LabelContent:
    """Everything printed on a label: its cache key is made of exactly these fields."""

    url: str  # what the QR holds
    name: str
    stars: int
    product_id: str
    certificate: str
    valid_until: PartialDate  # printed at its precision: 15/03/2027, tháng 3/2027, năm 2027
    address: str  # "owner.github.io/repo": the site, without scheme
    validity: Validity  # a label for an invalid certificate shows the state, not stars

    @property
    def check_text(self) -> str:
        return f"{self.address}/p/{self.product_id}/"

    def key(self) -> str:
        return self._key

    @cached_property
    def _key(self) -> str:  # asked for by the build, the sheets and the workers: made once
        return content_key(
            LABEL_VERSION,
            self.url,
            self.name,
            str(self.stars),
            self.product_id,
            self.certificate,
            self.valid_until.isoformat(),
            self.address,
            self.validity.value,
            repr(LABEL_SIZE),
        )


def site_address(base_url: str) -> str:
    return base_url.split("://", 1)[-1].rstrip("/")


def product_url(base_url: str, product_id: str) -> str:
    return f"{base_url}p/{product_id}/"


def label_content(product: Product, base_url: str) -> LabelContent:
    return LabelContent(
        url=product_url(base_url, product.id),
        name=product.name,
        stars=product.stars,
        product_id=product.id,
        certificate=product.certificate.number,
        valid_until=product.certificate.valid_until,
        address=site_address(base_url),
        validity=product.validity,
    )


# ---------------------------------------------------------------------------------------------
# QR matrix


@dataclass(frozen=True)
class QrMatrix:
    size: int  # modules a side, quiet zone excluded
    runs: tuple[tuple[int, int, int], ...]  # (row, first column, length) of dark modules
    # One byte a module (0 dark, 255 light), row by row: the PNG scales it up as is.
    bitmap: bytes = field(default=b"", compare=False, repr=False)

    @property
    def version(self) -> int:
        return (self.size - 17) // 4

    @cached_property
    def pdf_path(self) -> str:
        """The dark modules as PDF rectangles in module units (y down): made once, drawn on the
        label and on the sheets."""
        return "\n".join([f"{c} {r} {k} 1 re" for r, c, k in self.runs])


_DARK_RUN = re.compile(b"\x00+")


def qr_matrix(text: str) -> QrMatrix:
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    view = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # 0 = dark, 255 = light
    rows, cols = view.shape
    data = view.tobytes()
    # Dark runs of a row become one rectangle each: fewer path commands than modules. Rows are
    # joined with a light byte between them, so that one scan finds them all and none crosses
    # a row's end.
    stride = cols + 1
    joined = b"\xff".join([data[i : i + cols] for i in range(0, rows * cols, cols)])
    runs = tuple(
        [(*divmod(m.start(), stride), m.end() - m.start()) for m in _DARK_RUN.finditer(joined)]
    )
    return QrMatrix(size=rows, runs=runs, bitmap=data)


# ---------------------------------------------------------------------------------------------
# Layout, in millimetres from the label's top-left corner


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    size: float  # em size in mm
    bold: bool
    text: str
    width: float  # measured with the DejaVu metrics every backend uses


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    qr: QrMatrix
    qr_x: float  # top-left of the symbol, quiet zone excluded
    qr_y: float
    module: float
    texts: tuple[Text, ...]

    @property
    def qr_block(self) -> float:
        """Width of the QR with its quiet zone."""
        return (self.qr.size + 2 * QUIET_MODULES) * self.module

    @property
    def qr_symbol(self) -> float:
        return self.qr.size * self.module


# ---------------------------------------------------------------------------------------------
# The font: DejaVu Sans, read once per process, for the metrics every backend shares and for the
# subsets embedded in the PDFs


class _Font:
    """A TrueType file, parsed just enough to measure text and to cut small subsets of it.

    Glyphs are embedded without their hinting instructions (and without the `fpgm`, `prep`,
    `cvt ` tables that run them): hinting serves screens at small pixel sizes, a printed label
    gains nothing from it, and it made up half of each label's font subset."""

    def __init__(self, path: Path) -> None:
        self.data = data = path.read_bytes()
        count = struct.unpack_from(">H", data, 4)[0]
        self.tables: dict[bytes, tuple[int, int]] = {}
        for i in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            self.tables[tag] = (offset, length)
        head = self.table(b"head")
        self.upm = struct.unpack_from(">H", head, 18)[0]
        self.bbox = struct.unpack_from(">4h", head, 36)
        long_loca = struct.unpack_from(">h", head, 50)[0] == 1
        hhea = self.table(b"hhea")
        self.ascent, self.descent = struct.unpack_from(">hh", hhea, 4)
        metrics = struct.unpack_from(">H", hhea, 34)[0]
        glyphs = struct.unpack_from(">H", self.table(b"maxp"), 4)[0]
        hmtx = self.table(b"hmtx")
        pairs = struct.unpack_from(f">{2 * metrics}h", hmtx)
        self.advances = [a & 0xFFFF for a in pairs[0::2]]
        self.advances += [self.advances[-1]] * (glyphs - metrics)
        self.max_advance = max(self.advances)
        self.lsbs = list(pairs[1::2]) + list(
            struct.unpack_from(f">{glyphs - metrics}h", hmtx, 4 * metrics)
        )
        loca = self.table(b"loca")
        if long_loca:
            self.loca = list(struct.unpack_from(f">{glyphs + 1}I", loca))
        else:
            self.loca = [2 * v for v in struct.unpack_from(f">{glyphs + 1}H", loca)]
        self.glyf_offset = self.tables[b"glyf"][0]
        self.cmap = self._read_cmap()
        # Widths in thousandths of the em, summed as reportlab did: the layout stays the same.
        scale = 1000 / self.upm
        self.widths = {chr(c): self.advances[g] * scale for c, g in self.cmap.items()}
        self.default_width = self.advances[0] * scale
        self._glyphs: dict[int, tuple[bytes, tuple[int, ...], tuple[int, ...], bytes]] = {}

    @lru_cache(maxsize=32)  # noqa: B019 (two fonts a process, kept for its whole life)
    def table(self, tag: bytes) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset : offset + length]

    @lru_cache(maxsize=4096)  # noqa: B019
    def width_text(self, gid: int) -> str:
        """A glyph's advance in thousandths of the em, as written in a PDF's /W array."""
        return _n(self.advances[gid] * 1000 / self.upm)

    def _read_cmap(self) -> dict[int, int]:
        """Code point -> glyph id, from the Windows Unicode BMP subtable (format 4)."""
        data, base = self.data, self.tables[b"cmap"][0]
        for i in range(struct.unpack_from(">H", data, base + 2)[0]):
            platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
            at = base + offset
            if (platform, encoding) == (3, 1) and struct.unpack_from(">H", data, at)[0] == 4:
                break
        else:
            raise ValueError("no Unicode BMP cmap (format 4) in the font")
        segments = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{segments}H", data, at + 14)
        starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
        deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
        range_at = at + 16 + 6 * segments
        ranges = struct.unpack_from(f">{segments}H", data, range_at)
        cmap: dict[int, int] = {}
        for i, (start, end, delta, offset) in enumerate(
            zip(starts, ends, deltas, ranges, strict=True)
        ):
            for code in range(start, min(end, 0xFFFE) + 1):
                if offset:
                    where = range_at + 2 * i + offset + 2 * (code - start)
                    glyph = struct.unpack_from(">H", data, where)[0]
                    glyph = (glyph + delta) & 0xFFFF if glyph else 0
                else:
                    glyph = (code + delta) & 0xFFFF
                if glyph:
                    cmap[code] = glyph
        return cmap

    def glyph(self, gid: int) -> tuple[bytes, tuple[int, ...], tuple[int, ...], bytes]:
        """A glyph without its instructions, padded to 4 bytes: (data, offsets of component
        ids in it, component ids, its hmtx entry)."""
        cached = self._glyphs.get(gid)
        if cached is not None:
            return cached
        start = self.glyf_offset + self.loca[gid]
        data = self.data[start : self.glyf_offset + self.loca[gid + 1]]
        offsets: list[int] = []
        refs: list[int] = []
        if data:
            contours = struct.unpack_from(">h", data)[0]
            if contours >= 0:
                at = 10 + 2 * contours
                skip = struct.unpack_from(">H", data, at)[0]
                data = data[:at] + b"\0\0" + data[at + 2 + skip :]
            else:
                out = bytearray(data)
                at = 10
                while True:
                    flags, ref = struct.unpack_from(">HH", data, at)
                    struct.pack_into(">H", out, at, flags & ~0x0100)  # WE_HAVE_INSTRUCTIONS
                    offsets.append(at + 2)
                    refs.append(ref)
                    at += 4 + (4 if flags & 0x0001 else 2)  # ARG_1_AND_2_ARE_WORDS
                    at += (
                        2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
                    )
                    if not flags & 0x0020:  # MORE_COMPONENTS
                        break
                data = bytes(out[:at])
        data += b"\0" * (-len(data) % 4)
        metric = struct.pack(">Hh", self.advances[gid], self.lsbs[gid])
        cached = (data, tuple(offsets), tuple(refs), metric)
        self._glyphs[gid] = cached
        return cached


def _subset(faces: Sequence[tuple[_Font, Iterable[int]]]) -> tuple[bytes, list[tuple[int, int]]]:
    """One TrueType font of the given glyphs of several faces (the regular and the bold DejaVu
    Sans: same em, same vertical metrics), with the glyphs their composites use, numbered from
    the first face's .notdef = 0 in (face, original id) order: one embedded font a PDF instead
    of one a face, so one subset to cut, compress and describe.

    Returns the font file and, for each new glyph id, its (face, original id)."""
    if len({face.upm for face, _ in faces}) != 1:
        raise ValueError("faces of different em sizes cannot share one font")
    order: list[tuple[int, int]] = []
    parts: list[tuple[int, tuple[bytes, tuple[int, ...], tuple[int, ...], bytes]]] = []
    for index, (face, gids) in enumerate(faces):
        keep = {*gids, 0} if index == 0 else set(gids)
        todo = list(keep)
        while todo:
            for ref in face.glyph(todo.pop())[2]:
                if ref not in keep:
                    keep.add(ref)
                    todo.append(ref)
        ids = sorted(keep)
        order += [(index, gid) for gid in ids]
        parts += [(index, face.glyph(gid)) for gid in ids]
    new = {key: i for i, key in enumerate(order)}
    glyphs: list[bytes] = []
    for index, (data, offsets, refs, _) in parts:
        if offsets:
            patched = bytearray(data)
            for at, ref in zip(offsets, refs, strict=True):
                struct.pack_into(">H", patched, at, new[index, ref])
            data = bytes(patched)
        glyphs.append(data)
    hmtx = [part[3] for _, part in parts]
    glyf = b"".join(glyphs)
    loca = [0, *itertools.accumulate(map(len, glyphs))]
    n = len(order)
    first = faces[0][0]
    head = bytearray(first.table(b"head"))
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
    boxes = [face.bbox for face, _ in faces]
    head[36:44] = struct.pack(
        ">4h",
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    head[50:52] = b"\0\1"  # long loca
    hhea = bytearray(first.table(b"hhea"))
    hhea[10:12] = struct.pack(">H", max(face.max_advance for face, _ in faces))
    hhea[34:36] = struct.pack(">H", n)
    maxp = bytearray(first.table(b"maxp"))
    maxp[4:6] = struct.pack(">H", n)
    # The limits (points, contours, component depth...) of both faces.
    limits = [struct.unpack_from(">13H", face.table(b"maxp"), 6) for face, _ in faces]
    maxp[6:32] = struct.pack(">13H", *map(max, zip(*limits, strict=True)))
    tables = {
        b"OS/2": first.table(b"OS/2"),
        b"glyf": glyf,
        b"head": bytes(head),
        b"hhea": bytes(hhea),
        b"hmtx": b"".join(hmtx),
        b"loca": struct.pack(f">{n + 1}I", *loca),
        b"maxp": bytes(maxp),
        b"post": b"\0\3\0\0" + first.table(b"post")[4:32],  # version 3: no glyph names
    }
    font, total, where = _sfnt(tables)
    struct.pack_into(">I", font, where[b"head"] + 8, (0xB1B0AFBA - total) & 0xFFFFFFFF)
    return bytes(font), order


def _checksum(data: bytes | bytearray) -> int:
    padded = bytes(data) + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _sfnt(tables: dict[bytes, bytes]) -> tuple[bytearray, int, dict[bytes, int]]:
    """The font file of these tables, its checksum (that of the directory plus those of the
    tables, each padded to 4 bytes: no second pass over the file) and where each table is."""
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    out = bytearray(
        struct.pack(
            ">IHHHH", 0x00010000, count, 16 * power, power.bit_length() - 1, 16 * (count - power)
        )
    )
    offset = 12 + 16 * count
    body = bytearray()
    total = 0
    where = {}
    for tag in sorted(tables):
        data = tables[tag]
        checksum = _checksum(data)
        total += checksum
        where[tag] = offset + len(body)
        out += struct.pack(">4sIII", tag, checksum, where[tag], len(data))
        body += data + b"\0" * (-len(data) % 4)
    total += _checksum(out)
    return out + body, total & 0xFFFFFFFF, where


@lru_cache(maxsize=2)
def _font(bold: bool) -> _Font:
    return _Font(FONTS[bold])


def text_width(text: str, size: float, bold: bool) -> float:
    font = _font(bold)
    widths = map(font.widths.get, text, itertools.repeat(font.default_width))
    return 0.001 * size * sum(widths)  # mm in, mm out


def missing_glyphs(text: str, bold: bool) -> set[str]:
    """Characters the font cannot draw (they would print as empty boxes)."""
    return {ch for ch in text if ord(ch) not in _font(bold).cmap}


def _break_long(word: str, size: float, bold: bool, width: float) -> list[str]:
    pieces, current = [], ""
    for ch in word:
        if current and text_width(current + ch, size, bold) > width:
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current] if current else pieces


def wrap(
    text: str, size: float, bold: bool, width: float, first: float | None = None, at: str = " "
) -> list[str]:
    """Greedy wrap. `at` " ": between words; otherwise after any of its characters (URLs, ids),
    so a line break never adds or removes a character someone has to type."""
    if at == " ":
        tokens = [w + " " for w in text.split()]
    else:
        tokens = re.findall(rf"[^{re.escape(at)}]*[{re.escape(at)}]|[^{re.escape(at)}]+$", text)
    lines: list[str] = []
    current = ""
    for token in tokens:
        limit = first if first is not None and not lines else width
        if text_width((current + token).rstrip(), size, bold) <= limit:
            current += token
            continue
        if current:
            lines.append(current.rstrip())
            current = ""
            limit = width
        if text_width(token.rstrip(), size, bold) <= limit:
            current = token
        else:
            *done, current = _break_long(token, size, bold, limit)
            lines += done
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _ellipsize(line: str, size: float, bold: bool, width: float) -> str:
    while line and text_width(line + "…", size, bold) > width:
        line = line[:-1]
    return line.rstrip() + "…"


# Font sizes in points at scale 1; the fit loop shrinks them together when a zone overflows.
NAME_PT, STATE_PT, ID_PT, FIELD_PT, CHECK_PT = 7.5, 8.0, 7.0, 6.0, 6.0
MIN_SCALE = 0.55
PT = 25.4 / 72
LINE = 1.2  # line height, in em


def _stack(
    blocks: Sequence[tuple[str, str, bool, float, str, int, bool]],
    x0: float,
    width: float,
    scale: float,
) -> tuple[list[Text], float]:
    """Lays out (label, value, bold value, size, break-at, max lines, hanging indent) blocks.

    Returns the texts (baselines from 0) and the height they take."""
    texts: list[Text] = []
    y = 0.0
    for label, value, bold, pt, at, max_lines, hang in blocks:
        size = pt * PT * scale
        lead = text_width(label, size, False) if label else 0.0
        rest = width - lead if hang else width
        lines = wrap(value, size, bold, rest, first=width - lead, at=at)
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], _ellipsize(lines[max_lines - 1], size, bold, rest)]
        for i, line in enumerate(lines):
            y += size * (LINE if texts else 0.95)
            if i == 0 and label:
                # Trailing space dropped: SVG would collapse it, and textLength with it.
                shown = label.rstrip()
                texts.append(Text(x0, y, size, False, shown, text_width(shown, size, False)))
            lx = x0 + lead if (i == 0 or hang) else x0
            texts.append(Text(lx, y, size, bold, line, text_width(line, size, bold)))
        y += size * 0.25  # a little air between blocks
    return texts, y


def _fit(
    blocks: list[tuple[str, str, bool, float, str, int, bool]],
    x0: float,
    top: float,
    width: float,
    height: float,
) -> list[Text]:
    scale = 1.0
    while True:
        texts, used = _stack(blocks, x0, width, scale)
        if used <= height or scale <= MIN_SCALE:
            break
        scale = round(scale - 0.05, 2)
    offset = top + max(0.0, (height - used) / 2)  # centred in its zone
    return [Text(t.x, round(t.y + offset, 3), t.size, t.bold, t.text, t.width) for t in texts]


def layout_label(
    content: LabelContent, width: float, height: float, qr: QrMatrix | None = None
) -> Layout:
    qr = qr or qr_matrix(content.url)
    n, total = qr.size, qr.size + 2 * QUIET_MODULES
    margin = 1.5  # text keeps this far from the cut edge; the quiet zone is itself white
    # The smallest whole-dot module that keeps the symbol at least 20 mm wide.
    dots = math.ceil(MIN_SYMBOL_MM / DOT / n - 1e-9)
    dots = max(1, min(dots, math.floor((height - 2) / DOT / total)))  # only for tiny labels
    module = dots * DOT
    block = total * module
    corner = round(1.0 / DOT) * DOT  # the QR block sits 1 mm from the top-left corner
    qr_x = qr_y = corner + QUIET_MODULES * module

    col_x = corner + block + 0.2
    col_w = width - margin - col_x
    strip_top = corner + block
    strip_h = height - margin - strip_top
    state = STATE_TEXT.get(content.validity)
    column = [
        ("", content.name, True, NAME_PT, " ", 3, False),
        ("", state or "OCOP " + "★" * content.stars, True, STATE_PT, " ", 2, False),
        ("Mã SP: ", content.product_id, True, ID_PT, "-", 3, True),
        ("Mã QĐ: ", content.certificate, False, FIELD_PT, "/-", 2, True),
        ("Hiệu lực đến: ", content.valid_until.vi(), False, FIELD_PT, " ", 1, True),
    ]
    # Broken only after "/": a hyphen at a line end would look like a word break in the id.
    check = [("Kiểm tra: ", content.check_text, False, CHECK_PT, "/", 4, False)]
    if strip_h >= 2 * CHECK_PT * PT * MIN_SCALE:
        texts = _fit(column, col_x, margin, col_w, strip_top - margin)
        texts += _fit(check, margin, strip_top, width - 2 * margin, strip_h)
    else:  # no room under the QR: everything in the column
        texts = _fit(column + check, col_x, margin, col_w, height - 2 * margin)
    return Layout(width, height, qr, qr_x, qr_y, module, tuple(texts))


# ---------------------------------------------------------------------------------------------
# Backends


def _n(value: float) -> str:
    """Stable, short number text for SVG."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def draw_svg(layout: Layout, title: str) -> bytes:
    w, h = layout.width, layout.height
    d = "".join([f"M{c} {r}h{k}v1h-{k}z" for r, c, k in layout.qr.runs])
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(w)}mm" height="{_n(h)}mm" '
        f'viewBox="0 0 {_n(w)} {_n(h)}" role="img">\n',
        f"<title>{escape(title)}</title>\n",
        f'<rect width="{_n(w)}" height="{_n(h)}" fill="#fff"/>\n',
        # One path for all modules, in module units: vector, crisp at any scale.
        f'<path fill="#000" shape-rendering="crispEdges" transform="translate('
        f'{_n(layout.qr_x)} {_n(layout.qr_y)}) scale({layout.module:.6f})" d="{d}"/>\n',
        f'<g font-family="{SVG_FONT}" fill="#000">\n',
    ]
    for t in layout.texts:
        weight = ' font-weight="bold"' if t.bold else ""
        # textLength: a viewer without DejaVu Sans still keeps each line inside its box.
        out.append(
            f'<text x="{_n(t.x)}" y="{_n(t.y)}" font-size="{_n(t.size)}"{weight} '
            f'textLength="{_n(t.width)}" lengthAdjust="spacingAndGlyphs">{escape(t.text)}</text>\n'
        )
    out.append("</g>\n</svg>\n")
    return "".join(out).encode("utf-8")


@lru_cache(maxsize=64)
def _pil_font(bold: bool, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS[bold]), size=size_px, layout_engine=ImageFont.Layout.BASIC)


GREYS = [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]  # the PNG's palette: 4 greys
# Glyph coverage rounded to the nearest of 4 levels: four grey levels are enough antialiasing
# at 300 dpi and halve the file (2 bits a dot).
COVERAGE_LUT = [(v + 42) // 85 * 85 for v in range(256)]


class _Glyphs(dict[str, tuple[object | None, int, int, float]]):
    """The characters of one face at one pixel size, each drawn once per process: character ->
    (coverage mask in 4 levels or None for a blank, x and y of its top-left from the pen on the
    baseline, advance in pixels at the layout's metrics)."""

    def __init__(self, bold: bool, size_px: float) -> None:
        super().__init__()
        self.font = _pil_font(bold, size_px)
        self.face = _font(bold)
        self.scale = size_px / self.face.upm

    def __missing__(self, ch: str) -> tuple[object | None, int, int, float]:
        mask, (dx, dy) = self.font.getmask2(ch, "L", anchor="ls")
        advance = self.face.advances[self.face.cmap.get(ord(ch), 0)] * self.scale
        glyph = (mask.point(COVERAGE_LUT, "L"), dx, dy, advance)
        self[ch] = glyph if mask.size[0] and mask.size[1] else (None, 0, 0, advance)
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


# ---------------------------------------------------------------------------------------------
# PDF: a small writer of exactly what a label needs (the QR as one path, text in an embedded
# DejaVu subset), deterministic by construction: no dates, the document id a hash of the file


MM = 72 / 25.4  # points per millimetre


def _pdf_string(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


@dataclass(frozen=True)
class _EmbeddedFont:
    """A font subset as PDF objects, before numbering: made once per set of characters."""

    codes: dict[bool, dict[str, str]]  # face (bold?) -> character -> 4 hex digits in the text
    name: str
    program: bytes  # the stream objects, ready
    to_unicode: bytes
    widths: str


@lru_cache(maxsize=32)
def _embedded_font(regular: frozenset[str], bold: frozenset[str]) -> _EmbeddedFont:
    """Kept for the next few documents: a producer with one product has a sheet with the same
    characters as that product's label, drawn just after it (see _draw_job)."""
    faces = (_font(False), _font(True))
    # A character the font lacks (none of Vietnamese) shows the .notdef box, code 0000.
    gids = {
        face: {ch: faces[face].cmap.get(ord(ch), 0) for ch in sorted(chars)}
        for face, chars in ((False, regular), (True, bold))
    }
    program, order = _subset(
        [(faces[face], [g for g in gids[face].values() if g]) for face in (False, True)]
    )
    new = {key: i for i, key in enumerate(order)}
    codes = {
        face: {ch: f"{new[int(face), g]:04X}" if g else "0000" for ch, g in gids[face].items()}
        for face in (False, True)
    }
    # The subset tag (six capitals) names this glyph set: same glyphs, same name.
    digest = hashlib.sha256(repr(order).encode()).digest()
    name = "".join(chr(65 + b % 26) for b in digest[:6]) + "+DejaVuSans"
    # ToUnicode: copying or searching the text gives the characters back.
    pairs = sorted(
        (code, ch) for face in (False, True) for ch, code in codes[face].items() if code != "0000"
    )
    blocks = []
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        lines = "\n".join([f"<{code}> <{ord(ch):04X}>" for code, ch in chunk])  # BMP only
        blocks.append(f"{len(chunk)} beginbfchar\n{lines}\nendbfchar")
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    return _EmbeddedFont(
        codes=codes,
        name=name,
        # zlib level 1: glyph outlines hardly compress better at 6, in 1.5x the time.
        program=_stream(program, f"/Length1 {len(program)}", level=1),
        to_unicode=_stream(cmap.encode(), level=1),
        widths=" ".join([faces[face].width_text(gid) for face, gid in order]),
    )


class _PdfFonts:
    """The font of one document: the glyphs its texts use, regular and bold, in one subset."""

    def __init__(self, texts: Iterable[Text]) -> None:
        self.used: dict[bool, set[str]] = {False: set(), True: set()}
        for t in texts:
            self.used[t.bold].update(t.text)
        self.codes: dict[bool, dict[str, str]] = {}

    def write(self, pdf: _Pdf) -> bytes:
        """Adds the font (if any text uses it); returns the /Font resource dictionary."""
        if not (self.used[False] or self.used[True]):
            return b"<< >>"
        font = _embedded_font(frozenset(self.used[False]), frozenset(self.used[True]))
        self.codes = font.codes
        regular = _font(False)
        scale = 1000 / regular.upm
        bbox = " ".join(_n(v * scale) for v in regular.bbox)
        file = pdf.add(font.program)
        descriptor = pdf.add(
            f"<< /Type /FontDescriptor /FontName /{font.name} /Flags 4 /FontBBox [{bbox}] "
            f"/ItalicAngle 0 /Ascent {_n(regular.ascent * scale)} "
            f"/Descent {_n(regular.descent * scale)} /CapHeight {_n(regular.ascent * scale)} "
            f"/StemV 87 /FontFile2 {file} 0 R >>".encode()
        )
        cid = pdf.add(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.name} /CIDSystemInfo "
            "<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity "
            f"/W [0 [{font.widths}]] >>".encode()
        )
        unicode = pdf.add(font.to_unicode)
        type0 = pdf.add(
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.name} /Encoding /Identity-H "
            f"/DescendantFonts [{cid} 0 R] /ToUnicode {unicode} 0 R >>".encode()
        )
        return f"<< /F1 {type0} 0 R >>".encode()

    def encode(self, t: Text) -> str:
        codes = self.codes[t.bold]
        return "".join([codes[ch] for ch in t.text])


def _stream(data: bytes, extra: str = "", level: int = 6) -> bytes:
    """A compressed stream object's body."""
    packed = zlib.compress(data, level)
    head = f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode()
    return head + packed + b"\nendstream"


class _Pdf:
    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def reserve(self) -> int:
        return self.add(b"")

    def put(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    def stream(self, data: bytes, extra: str = "", level: int = 6) -> int:
        return self.add(_stream(data, extra, level))

    def finish(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        doc_id = hashlib.sha256(out).hexdigest()[:32].upper().encode()
        out += (
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
            b"startxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, root, info, doc_id, doc_id, xref)
        )
        return bytes(out)


def _label_ops(layout: Layout, fonts: _PdfFonts, ox: float, oy: float, page_h: float) -> list[str]:
    """Content-stream operators of a label with its top-left corner at (ox, oy) mm from the
    top-left of a page page_h mm high (PDF measures from the bottom-left, in points)."""
    # The modules as one filled path in module units (a `cm` maps them onto the page, y down):
    # integer operands only.
    x0, y0 = (ox + layout.qr_x) * MM, (page_h - oy - layout.qr_y) * MM
    m = layout.module * MM
    ops = [f"q {m:.5f} 0 0 {-m:.5f} {x0:.4f} {y0:.4f} cm", layout.qr.pdf_path, "f Q BT"]
    for t in layout.texts:
        x, y = (ox + t.x) * MM, (page_h - oy - t.y) * MM
        ops.append(f"/F1 {_n(t.size * MM)} Tf 1 0 0 1 {_n(x)} {_n(y)} Tm <{fonts.encode(t)}> Tj")
    ops.append("ET")
    return ops


def _pdf_document(
    pages: Sequence[tuple[Sequence[tuple[Layout, float, float]], Sequence[str]]],
    size: tuple[float, float],
    title: str,
    subject: str,
) -> bytes:
    """pages: (labels at (x, y) mm from the top-left, extra operators) per page."""
    pdf = _Pdf()
    root, tree = pdf.reserve(), pdf.reserve()
    fonts = _PdfFonts(t for labels, _ in pages for layout, _, _ in labels for t in layout.texts)
    resources = pdf.add(b"<< /Font " + fonts.write(pdf) + b" >>")
    box = f"[0 0 {_n(size[0] * MM)} {_n(size[1] * MM)}]"
    kids = []
    for labels, extra in pages:
        ops = ["0 g"]
        for layout, x, y in labels:
            ops += _label_ops(layout, fonts, x, y, size[1])
        content = pdf.stream("\n".join([*ops, *extra]).encode())
        kids.append(
            pdf.add(
                f"<< /Type /Page /Parent {tree} 0 R /MediaBox {box} /Resources {resources} 0 R "
                f"/Contents {content} 0 R >>".encode()
            )
        )
    pdf.put(
        tree,
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
        f"/Count {len(kids)} >>".encode(),
    )
    pdf.put(root, f"<< /Type /Catalog /Pages {tree} 0 R >>".encode())
    info = pdf.add(
        b"<< /Title "
        + _pdf_string(title)
        + b" /Subject "
        + _pdf_string(subject)
        + b" /Creator (OCOP Open Catalog) /Producer (OCOP Open Catalog) >>"
    )
    return pdf.finish(root, info)


def draw_pdf(layout: Layout, title: str, subject: str) -> bytes:
    return _pdf_document(
        [([(layout, 0.0, 0.0)], [])], (layout.width, layout.height), title, subject
    )


def label_title(content: LabelContent) -> str:
    return f"Nhãn QR {content.product_id}: {content.name}"


def draw_label(content: LabelContent, qr: QrMatrix | None = None) -> tuple[bytes, bytes, bytes]:
    """SVG, PNG, PDF of one label."""
    layout = layout_label(content, *LABEL_SIZE, qr)
    title = label_title(content)
    return draw_svg(layout, title), draw_png(layout), draw_pdf(layout, title, content.url)


@lru_cache(maxsize=1)
def _cut_marks() -> list[str]:
    """A cross at every cell corner of a sheet page, in light grey."""
    cols, rows = SHEET_GRID
    cw, ch = SHEET_CELL
    left = (SHEET_PAGE[0] - cols * cw) / 2
    top = (SHEET_PAGE[1] - rows * ch) / 2
    arm = CUT_MARK_MM * MM
    marks = ["0.55 G 0.25 w"]
    for r in range(rows + 1):
        for c in range(cols + 1):
            x, y = (left + c * cw) * MM, (SHEET_PAGE[1] - top - r * ch) * MM
            marks.append(
                f"{_n(x - arm)} {_n(y)} m {_n(x + arm)} {_n(y)} l "
                f"{_n(x)} {_n(y - arm)} m {_n(x)} {_n(y + arm)} l"
            )
    marks.append("S")
    return marks


def draw_sheet(
    contents: Sequence[LabelContent],
    title: str,
    cells: dict[LabelContent, Layout] | None = None,
    qrs: dict[str, QrMatrix] | None = None,
) -> bytes:
    """A4 pages of 3 x 8 labels of 70 x 37 mm, with cross cut marks at every cell corner.

    cells, qrs: cell layouts and QR matrices already made (a product is on its province's sheet
    and on its producer's), filled in as it goes."""
    cols, rows = SHEET_GRID
    cw, ch = SHEET_CELL
    left = (SHEET_PAGE[0] - cols * cw) / 2
    top = (SHEET_PAGE[1] - rows * ch) / 2
    cells = {} if cells is None else cells
    qrs = {} if qrs is None else qrs
    marks = _cut_marks()
    per_page = cols * rows
    pages = []
    for start in range(0, max(len(contents), 1), per_page):
        placed = []
        for i, content in enumerate(contents[start : start + per_page]):
            layout = cells.get(content)
            if layout is None:
                qr = qrs.get(content.url)
                if qr is None:
                    qr = qrs[content.url] = qr_matrix(content.url)
                layout = cells[content] = layout_label(content, cw, ch, qr)
            r, c = divmod(i, cols)
            placed.append((layout, left + c * cw, top + r * ch))
        pages.append((placed, marks))
    return _pdf_document(pages, SHEET_PAGE, f"Nhãn QR: {title}", title)


# ---------------------------------------------------------------------------------------------
# Cache and output


@dataclass
class LabelRun:
    """What a render did: the index for the pages, and how much it had to draw."""

    index: LabelIndex
    drawn: int = 0  # labels drawn (each: SVG + PNG + PDF)
    reused: int = 0  # labels taken from the cache
    sheets_drawn: int = 0
    cache_names: set[str] = field(default_factory=set)  # for Cache.prune


EXTS = ("svg", "png", "pdf")


def _pool_map(
    func: Callable[[_T], _R], items: list[_T], workers: int, cost: int, chunk: int = 0
) -> Iterator[_R]:
    """map(), in worker processes when there is enough work (`cost`: labels to draw) to pay for
    starting them (~0.1 s). chunk: items a worker takes at a time (0: a quarter of its share,
    at most 32)."""
    jobs = workers if workers > 0 else (os.cpu_count() or 1)
    if jobs > 1 and len(items) > 1 and cost >= PARALLEL_MIN:
        _font(False), _font(True)  # parsed once here, inherited by the (forked) workers
        with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
            chunk = chunk or max(1, min(32, len(items) // (4 * jobs)))
            yield from pool.map(func, items, chunksize=chunk)
    else:
        yield from map(func, items)


@dataclass(frozen=True)
class _DrawJob:
    """Labels and sheets drawn together: the missing ones of one province (its products, its
    sheet, the sheets of its producers), so that each product's QR and sheet cell are made
    once, and the files are written by the worker (no label bytes travel back)."""

    cache: Cache
    labels: tuple[LabelContent, ...]
    sheets: tuple[tuple[str, tuple[LabelContent, ...], str], ...]  # cache name, contents, title

    @property
    def cost(self) -> int:
        """In sheet cells: a label (three files) costs about three."""
        return 3 * len(self.labels) + sum(len(contents) for _, contents, _ in self.sheets)


def _draw_job(job: _DrawJob) -> None:
    qrs: dict[str, QrMatrix] = {}
    cells: dict[LabelContent, Layout] = {}
    todo = {content.key(): content for content in job.labels}

    def label(key: str, content: LabelContent) -> None:
        qr = qrs[content.url] = qr_matrix(content.url)
        for ext, data in zip(EXTS, draw_label(content, qr), strict=True):
            job.cache.store(f"{key}.{ext}", data)

    # Each sheet just after the labels on it, the smallest first: the sheet of a producer with
    # one product has that label's characters, so its font subset is still in _embedded_font.
    for name, contents, title in sorted(job.sheets, key=lambda sheet: len(sheet[1])):
        for content in contents:
            key = content.key()
            if key in todo:
                label(key, todo.pop(key))
        job.cache.store(name, draw_sheet(contents, title, cells, qrs))
    for key, content in todo.items():
        label(key, content)


def sheet_key(contents: Sequence[LabelContent], title: str) -> str:
    grid = repr((SHEET_GRID, SHEET_CELL))
    return content_key(LABEL_VERSION, "sheet", title, grid, *(c.key() for c in contents))


def sheet_products(products: Iterable[Product]) -> list[Product]:
    """Only labels of a valid certification go on print sheets (stars may not be used else)."""
    return sorted((p for p in products if p.validity is Validity.VALID), key=lambda p: p.id)


def make_labels(
    catalog: Catalog,
    config: BuildConfig,
    writer: SiteWriter,
    prefix: str = SITE_DIR + "/",
    products: Sequence[Product] | None = None,
    sheets: str = "all",
    copy: bool = True,
) -> LabelRun:
    """Renders labels into `writer` under `prefix`. sheets: "all" or a province code or ""."""
    cache = Cache(config.cache_dir, "labels")
    chosen = list(catalog.products if products is None else products)
    contents = {p.id: label_content(p, config.base_url) for p in chosen}
    run = LabelRun(LabelIndex())
    cached = cache.names()  # one listing, not a stat per file (~90,000 at national scale)

    # What to draw: the labels and sheets not in the cache yet, by province (see _DrawJob).
    todo_labels: dict[str, list[LabelContent]] = {}
    scheduled: set[str] = set()
    for p in chosen:
        content = contents[p.id]
        key = content.key()
        names = [f"{key}.{ext}" for ext in EXTS]
        run.cache_names.update(names)
        if all(name in cached for name in names) or key in scheduled:
            run.reused += 1
        else:
            scheduled.add(key)
            todo_labels.setdefault(p.place.province_slug, []).append(content)
    run.drawn = len(scheduled)

    groups: list[tuple[str, str, str, list[Product]]] = []
    by_province: dict[str, list[Product]] = {}
    by_producer: dict[str, list[Product]] = {}
    for p in catalog.products:
        by_province.setdefault(p.place.province_slug, []).append(p)
        by_producer.setdefault(p.producer.id, []).append(p)
    for slug, items in sorted(by_province.items()):
        if sheets in ("all", items[0].place.province_code):
            groups.append(("province", items[0].place.province_name, f"tinh/{slug}", items))
    if sheets == "all":
        for producer_id, items in sorted(by_producer.items()):
            title = items[0].producer.name
            groups.append(("producer", title, f"chu-the/{producer_id}", items))
    planned: list[tuple[str, str, str, int, str]] = []
    todo_sheets: dict[str, list[tuple[str, tuple[LabelContent, ...], str]]] = {}
    for kind, title, stem, items in groups:
        valid = sheet_products(items)
        if not valid:
            continue
        sheet_contents = tuple(
            contents.get(p.id) or label_content(p, config.base_url) for p in valid
        )
        name = f"sheet-{sheet_key(sheet_contents, title)}.pdf"
        run.cache_names.add(name)
        if name not in cached and name not in scheduled:
            scheduled.add(name)
            slug = valid[0].place.province_slug
            todo_sheets.setdefault(slug, []).append((name, sheet_contents, title))
            run.sheets_drawn += 1
        planned.append((kind, title, stem, len(valid), cache.file(name)))

    jobs = [
        _DrawJob(cache, tuple(todo_labels.get(slug, ())), tuple(todo_sheets.get(slug, ())))
        for slug in sorted(todo_labels.keys() | todo_sheets.keys())
    ]
    jobs.sort(key=lambda job: -job.cost)  # the longest first: the workers finish together
    cost = sum(job.cost for job in jobs) // 3
    for _ in _pool_map(_draw_job, jobs, config.workers, cost, chunk=1):
        pass

    def put(rel: str, source: str) -> None:
        # Hard links into a fresh build folder; a folder someone keeps editing gets copies.
        if copy:
            writer.copy_file(rel, source, content_named=True)  # cache names are content keys
        else:
            writer.write_bytes(rel, Path(source).read_bytes())

    for pid in sorted(contents):
        key = contents[pid].key()
        files = LabelFiles(*(f"{prefix}{pid}.{ext}" for ext in EXTS))
        for ext, rel in zip(EXTS, (files.svg, files.png, files.pdf), strict=True):
            put(rel, cache.file(f"{key}.{ext}"))
        run.index.per_product[pid] = files
    for kind, title, stem, count, path in planned:
        rel = f"{prefix}{stem}.pdf"
        put(rel, path)
        run.index.sheets.append(LabelSheet(title=title, kind=kind, path=rel, count=count))
    return run


def render_labels(catalog: Catalog, config: BuildConfig, writer: SiteWriter) -> LabelIndex:
    """Every product's label (nhan-qr/<id>.svg|png|pdf) and the province and producer sheets."""
    return make_labels(catalog, config, writer).index


# ---------------------------------------------------------------------------------------------
# The page for producers and offices


def render_labels_page(html: Html, catalog: Catalog, index: LabelIndex) -> None:
    """nhan-qr/index.html: what the label is, how to print it, the sheets, every label's files.

    Links to the files are relative to the page itself ("qn-a.pdf", not "../nhan-qr/qn-a.pdf"):
    with one row a product, that keeps the page about 230 bytes a product."""

    def here(path: str) -> str:
        return path.removeprefix(SITE_DIR + "/")

    files = {
        pid: LabelFiles(here(f.svg), here(f.png), here(f.pdf))
        for pid, f in index.per_product.items()
    }
    sheets = [dataclasses.replace(s, path=here(s.path)) for s in index.sheets]
    by_province: dict[str, list[Product]] = {}
    for p in catalog.products:
        if p.id in index.per_product:
            by_province.setdefault(p.place.province_name, []).append(p)
    listed = [p for p in catalog.products if p.id in index.per_product]
    example = next(
        (p for p in listed if p.validity is Validity.VALID), listed[0] if listed else None
    )
    html.write_page(
        "labels.html",
        f"{SITE_DIR}/index.html",
        title="Nhãn QR truy xuất",
        description="Nhãn mã QR in sẵn cho từng sản phẩm OCOP: dẫn tới trang thông tin cố "
        "định của sản phẩm, kèm mã sản phẩm, số quyết định và ngày hết hiệu lực chứng nhận.",
        label_size=LABEL_SIZE,
        sheet_grid=SHEET_GRID,
        sheet_cell=SHEET_CELL,
        min_symbol=MIN_SYMBOL_MM,
        example=example,
        example_url=product_url(html.config.base_url, example.id) if example else "",
        address=site_address(html.config.base_url),
        provinces=sorted(by_province.items(), key=lambda kv: kv[1][0].place.province_slug),
        files=files,
        province_sheets=[s for s in sheets if s.kind == "province"],
        producer_sheets=[s for s in sheets if s.kind == "producer"],
        state_text={v.value: t for v, t in STATE_TEXT.items()},
    )


# ---------------------------------------------------------------------------------------------
# `ocop labels`


def run_labels(config: BuildConfig, ids: list[str], province: str | None) -> int:
    from generator.catalog import check_catalog
    from generator.errors import format_text

    checked = check_catalog(config.catalog_dir, config.schemas_dir, config.as_of, config.ledger)
    if checked.problems:
        sys.stdout.write(format_text(checked.problems, config.lang))
        print(f"{len(checked.problems)} lỗi cần sửa trước khi in nhãn.", file=sys.stderr)
        return 1
    catalog = checked.catalog
    assert catalog is not None
    known = {p.id: p for p in catalog.products}
    wanted = [re.sub(r"[\s_]+", "-", i.strip().lower()) for i in ids]  # "QN Ruou_Mo" too
    unknown = [i for i in wanted if i not in known]
    if unknown:
        for pid in unknown:
            print(
                f"Không có sản phẩm mã «{pid}» trong danh mục. Xem mã trong tên thư mục "
                "catalog/products/<tỉnh>/<mã>/ hoặc trên trang sản phẩm.",
                file=sys.stderr,
            )
        return 1
    chosen = {pid: known[pid] for pid in wanted}
    sheets = ""
    if province is not None:
        code = province.strip()
        in_province = [p for p in catalog.products if p.place.province_code == code]
        if not in_province:
            print(
                f"Không có sản phẩm nào ở tỉnh mã «{code}». Tra mã tỉnh bằng lệnh: "
                "ocop places <tên tỉnh>",
                file=sys.stderr,
            )
            return 1
        chosen.update({p.id: p for p in in_province})
        sheets = code
    elif not ids:
        chosen = dict(known)
        sheets = "all"
    writer = SiteWriter(config.out_dir)
    run = make_labels(
        catalog,
        config,
        writer,
        prefix="",
        products=list(chosen.values()),
        sheets=sheets,
        copy=False,
    )
    for rel in writer.written:
        print(config.out_dir / rel)
    if province is not None and not run.index.sheets:
        print(
            "Không in tờ nhãn: tỉnh này không có sản phẩm còn hiệu lực chứng nhận.", file=sys.stderr
        )
    print(
        f"Đã ghi {len(writer.written)} tệp ({run.drawn} nhãn vẽ mới, {run.reused} lấy từ bộ "
        f"nhớ đệm) vào {config.out_dir}."
    )
    return 0


# ---------------------------------------------------------------------------------------------
# Addresses that never break: GS1 Digital Link pages and the 404 page


def render_gs1_pages(html: Html, catalog: Catalog) -> None:
    """`01/<GTIN-14>/index.html` for each GTIN: a small page that leads to the product page.

    Canonical points to the product page; not in the sitemap (it is the same content). A GTIN
    written on two products (a data slip validation does not catch) gets a page listing both
    instead of a build failure or a silent pick."""
    by_gtin: dict[str, list[Product]] = {}
    for p in catalog.products:
        if p.gtin14:
            by_gtin.setdefault(p.gtin14, []).append(p)
    for gtin14, products in sorted(by_gtin.items()):
        first = products[0]
        path = f"01/{gtin14}/index.html"
        html.write_page(
            "gs1.html",
            path,
            # all gs1.html shows of a product (a whole Product costs more to key than the page)
            input_key=html.input_key("gs1.html", path, [(p.id, p.name) for p in products]),
            title=f"Mã vạch {gtin14}" if len(products) > 1 else first.name,
            description=f"Mã vạch GTIN {gtin14}: dẫn tới trang sản phẩm OCOP {first.name}.",
            canonical=html.absolute(first.url_path),
            gtin14=gtin14,
            products=products,
            in_sitemap=False,
        )


def render_not_found(html: Html) -> None:
    """404.html with absolute links: GitHub Pages serves it for a missing path at any depth."""
    base = html.config.base_path
    html.write_page(
        "404.html",
        "404.html",
        title="Không tìm thấy trang",
        description="Trang không có. Gõ mã sản phẩm in cạnh mã QR để tìm sản phẩm.",
        abs_root=base,
        abs_asset=lambda name: base + html.assets.urls[name],
        in_sitemap=False,
    )
