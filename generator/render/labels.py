"""QR traceability labels: one print-ready label per product (SVG, PNG 300 dpi, PDF) and A4 sheets.

The QR holds the product page's permanent absolute URL, `<base_url>p/<id>/`: short, so the QR
version stays low (5 for a 32-character id on https://<owner>.github.io/<repo>/). Error
correction M, a 4-module quiet zone, and a module size snapped to whole 300-dpi dots, chosen so
the symbol itself (quiet zone excluded) is at least 20 mm wide.

One layout (positions in millimetres) is computed per label size and drawn by three backends,
so SVG, PNG and PDF agree to the dot. Labels are cached by a key of everything printed on
them: a rebuild with unchanged inputs copies the files and draws nothing.

A label for a product whose certification is not valid on the build day carries its state
("HẾT HIỆU LỰC", ...) instead of stars, and such products are left off the print sheets:
stars may not be used once a certificate has expired or been revoked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

import zxingcpp
from PIL import Image, ImageDraw, ImageFont
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from generator.cache import Cache, content_key
from generator.config import BuildConfig
from generator.model import Catalog, Product, Validity
from generator.render.artifacts import LabelFiles, LabelIndex, LabelSheet
from generator.render.html import Html
from generator.write import SiteWriter

_T = TypeVar("_T")
_R = TypeVar("_R")

# Bump when the drawing changes: every cached label is then drawn again.
LABEL_VERSION = "1"

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
PDF_FONT = {False: "DejaVuSans", True: "DejaVuSans-Bold"}  # the bold one only for metrics
BOLD_STROKE = 0.045  # of the em: the outline that makes the regular face look bold
SVG_FONT = "DejaVu Sans, Verdana, sans-serif"

STATE_TEXT = {
    Validity.EXPIRED: "HẾT HIỆU LỰC",
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
    valid_until: dt.date
    address: str  # "owner.github.io/repo": the site, without scheme
    validity: Validity  # a label for an invalid certificate shows the state, not stars

    @property
    def check_text(self) -> str:
        return f"{self.address}/p/{self.product_id}/"

    def key(self) -> str:
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

    @property
    def version(self) -> int:
        return (self.size - 17) // 4


def qr_matrix(text: str) -> QrMatrix:
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    view = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # 0 = dark, 255 = light
    rows, cols = view.shape
    data = view.tobytes()
    runs = []
    for r in range(rows):
        line = data[r * cols : (r + 1) * cols]
        # Dark runs of a row become one rectangle each: fewer path commands than modules.
        runs += [(r, m.start(), m.end() - m.start()) for m in re.finditer(b"\x00+", line)]
    return QrMatrix(size=rows, runs=tuple(runs))


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


@lru_cache(maxsize=2)
def _register_pdf_fonts() -> None:
    for bold, path in FONTS.items():
        pdfmetrics.registerFont(TTFont(PDF_FONT[bold], str(path)))


def text_width(text: str, size: float, bold: bool) -> float:
    _register_pdf_fonts()
    return pdfmetrics.stringWidth(text, PDF_FONT[bold], size)  # linear in size: mm in, mm out


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
        ("Hiệu lực đến: ", content.valid_until.strftime("%d/%m/%Y"), False, FIELD_PT, " ", 1, True),
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
    d = "".join(f"M{c} {r}h{k}v1h-{k}z" for r, c, k in layout.qr.runs)
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
    # BASIC layout: same glyph advances as the PDF metrics, and the same on every machine.
    return ImageFont.truetype(str(FONTS[bold]), size=size_px, layout_engine=ImageFont.Layout.BASIC)


GREYS = [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]
GREY_LUT = [(v + 42) // 85 for v in range(256)]


def draw_png(layout: Layout) -> bytes:
    px = 1 / DOT
    image = Image.new("L", (round(layout.width * px), round(layout.height * px)), 255)
    draw = ImageDraw.Draw(image)
    m = round(layout.module * px)
    ox, oy = round(layout.qr_x * px), round(layout.qr_y * px)
    for r, c, k in layout.qr.runs:
        draw.rectangle((ox + c * m, oy + r * m, ox + (c + k) * m - 1, oy + (r + 1) * m - 1), fill=0)
    for t in layout.texts:
        draw.text(
            (t.x * px, t.y * px),
            t.text,
            font=_pil_font(t.bold, round(t.size * px, 2)),
            fill=0,
            anchor="ls",
        )
    buffer = io.BytesIO()
    # Four grey levels are enough antialiasing at 300 dpi and halve the file (2-bit palette);
    # zlib level 6: level 9 or optimize take 10x the time for 7% less.
    image = image.point(GREY_LUT)
    image.putpalette(GREYS)
    image.save(buffer, "PNG", dpi=(DPI, DPI), bits=2, compress_level=6)
    return buffer.getvalue()


def _pdf_label(canvas: Canvas, layout: Layout, ox: float, oy: float, page_h: float) -> None:
    """Draws a label with its top-left corner at (ox, oy) mm from the top-left of a page
    page_h mm high (PDF measures from the bottom-left, in points)."""
    mm = 72 / 25.4

    def at(x: float, y: float) -> tuple[float, float]:
        return (ox + x) * mm, (page_h - oy - y) * mm

    canvas.setFillGray(0)
    canvas.setStrokeGray(0)
    # The modules as one filled path in module units (a `cm` maps them onto the page, y down):
    # integer operands only, ~30x faster than reportlab's path API without its C accelerator.
    x0, y0 = at(layout.qr_x, layout.qr_y)
    m = layout.module * mm
    ops = [f"q {m:.5f} 0 0 {-m:.5f} {x0:.4f} {y0:.4f} cm"]
    ops += [f"{c} {r} {k} 1 re" for r, c, k in layout.qr.runs]
    canvas.addLiteral("\n".join([*ops, "f Q"]))
    for t in layout.texts:
        canvas.saveState()  # text state (scale, render mode) outlives a text object: q ... Q
        text = canvas.beginText(*at(t.x, t.y))
        text.setFont(PDF_FONT[False], t.size * mm)
        if t.bold:
            # One embedded font, not two: each DejaVu subset adds ~20 KB to every label PDF.
            # Bold is the regular face stroked, stretched to the bold face's advance widths.
            regular = text_width(t.text, t.size, False)
            text.setHorizScale(100 * t.width / regular if regular else 100)
            text.setTextRenderMode(2)
            canvas.setLineWidth(t.size * mm * BOLD_STROKE)
        text.textOut(t.text)
        canvas.drawText(text)
        canvas.restoreState()


def _pdf_canvas(buffer: io.BytesIO, size: tuple[float, float], title: str, subject: str) -> Canvas:
    _register_pdf_fonts()
    mm = 72 / 25.4
    canvas = Canvas(buffer, pagesize=(size[0] * mm, size[1] * mm), invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setCreator("OCOP Open Catalog")
    canvas.setAuthor("")
    return canvas


def _save(canvas: Canvas) -> None:
    """Saves without the ASCII85 layer reportlab adds by default: 20% smaller, and its pure
    Python encoder (no rl-accel installed) was a third of the drawing time."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = saved


def draw_pdf(layout: Layout, title: str, subject: str) -> bytes:
    buffer = io.BytesIO()
    canvas = _pdf_canvas(buffer, (layout.width, layout.height), title, subject)
    _pdf_label(canvas, layout, 0, 0, layout.height)
    canvas.showPage()
    _save(canvas)
    return buffer.getvalue()


def label_title(content: LabelContent) -> str:
    return f"Nhãn QR {content.product_id}: {content.name}"


def draw_label(content: LabelContent) -> tuple[bytes, bytes, bytes]:
    """SVG, PNG, PDF of one label (module-level: picklable for worker processes)."""
    layout = layout_label(content, *LABEL_SIZE)
    title = label_title(content)
    return draw_svg(layout, title), draw_png(layout), draw_pdf(layout, title, content.url)


def draw_sheet(contents: Sequence[LabelContent], title: str) -> bytes:
    """A4 pages of 3 x 8 labels of 70 x 37 mm, with cross cut marks at every cell corner."""
    cols, rows = SHEET_GRID
    cw, ch = SHEET_CELL
    left = (SHEET_PAGE[0] - cols * cw) / 2
    top = (SHEET_PAGE[1] - rows * ch) / 2
    buffer = io.BytesIO()
    canvas = _pdf_canvas(buffer, SHEET_PAGE, f"Nhãn QR: {title}", title)
    mm = 72 / 25.4
    per_page = cols * rows
    for start in range(0, max(len(contents), 1), per_page):
        for i, content in enumerate(contents[start : start + per_page]):
            r, c = divmod(i, cols)
            cell = layout_label(content, cw, ch)
            _pdf_label(canvas, cell, left + c * cw, top + r * ch, SHEET_PAGE[1])
        canvas.setStrokeGray(0.55)
        canvas.setLineWidth(0.25)
        for r in range(rows + 1):
            for c in range(cols + 1):
                x, y = (left + c * cw) * mm, (SHEET_PAGE[1] - top - r * ch) * mm
                arm = CUT_MARK_MM * mm
                canvas.line(x - arm, y, x + arm, y)
                canvas.line(x, y - arm, x, y + arm)
        canvas.showPage()
    _save(canvas)
    return buffer.getvalue()


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


def _pool_map(func: Callable[[_T], _R], items: list[_T], workers: int, cost: int) -> Iterator[_R]:
    """map(), in worker processes when there is enough work (`cost`: labels to draw) to pay for
    starting them (~0.1 s) and pickling the results."""
    jobs = workers if workers > 0 else (os.cpu_count() or 1)
    if jobs > 1 and len(items) > 1 and cost >= PARALLEL_MIN:
        with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
            chunk = max(1, min(32, len(items) // (4 * jobs)))
            yield from pool.map(func, items, chunksize=chunk)
    else:
        yield from map(func, items)


def _draw_sheet_job(job: tuple[Sequence[LabelContent], str]) -> bytes:
    return draw_sheet(*job)


def prepare_labels(
    contents: Sequence[LabelContent], cache: Cache, workers: int, run: LabelRun
) -> None:
    """Draws the labels not in the cache yet."""
    missing: dict[str, LabelContent] = {}
    for content in contents:
        key = content.key()
        names = [f"{key}.{ext}" for ext in EXTS]
        run.cache_names.update(names)
        if all(cache.has(name) for name in names) or key in missing:
            run.reused += 1
        else:
            missing[key] = content
    run.drawn += len(missing)
    todo = list(missing.values())
    for content, files in zip(todo, _pool_map(draw_label, todo, workers, len(todo)), strict=True):
        key = content.key()
        for ext, data in zip(EXTS, files, strict=True):
            cache.store(f"{key}.{ext}", data)


def sheet_key(contents: Sequence[LabelContent], title: str) -> str:
    grid = repr((SHEET_GRID, SHEET_CELL))
    return content_key(LABEL_VERSION, "sheet", title, grid, *(c.key() for c in contents))


def prepare_sheets(
    sheets: Sequence[tuple[Sequence[LabelContent], str]], cache: Cache, workers: int, run: LabelRun
) -> list[Path]:
    """The cached PDF of each (contents, title) sheet, drawing those not in the cache yet."""
    names = [f"sheet-{sheet_key(contents, title)}.pdf" for contents, title in sheets]
    run.cache_names.update(names)
    todo = {name: sheet for name, sheet in zip(names, sheets, strict=True) if not cache.has(name)}
    cost = sum(len(contents) for contents, _ in todo.values())
    jobs = list(todo.values())
    for name, data in zip(todo, _pool_map(_draw_sheet_job, jobs, workers, cost), strict=True):
        cache.store(name, data)
    run.sheets_drawn += len(todo)
    return [cache.path(name) for name in names]


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
    prepare_labels(list(contents.values()), cache, config.workers, run)

    def put(rel: str, source: Path) -> None:
        # Hard links into a fresh build folder; a folder someone keeps editing gets copies.
        if copy:
            writer.copy_file(rel, source)
        else:
            writer.write_bytes(rel, source.read_bytes())

    for pid in sorted(contents):
        key = contents[pid].key()
        files = LabelFiles(*(f"{prefix}{pid}.{ext}" for ext in EXTS))
        for ext, rel in zip(EXTS, (files.svg, files.png, files.pdf), strict=True):
            put(rel, cache.path(f"{key}.{ext}"))
        run.index.per_product[pid] = files

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
    planned: list[tuple[str, str, str, list[LabelContent]]] = []
    for kind, title, stem, items in groups:
        valid = sheet_products(items)
        if valid:
            planned.append((kind, title, stem, [label_content(p, config.base_url) for p in valid]))
    paths = prepare_sheets([(c, title) for _, title, _, c in planned], cache, config.workers, run)
    for (kind, title, stem, sheet_contents), path in zip(planned, paths, strict=True):
        rel = f"{prefix}{stem}.pdf"
        put(rel, path)
        run.index.sheets.append(
            LabelSheet(title=title, kind=kind, path=rel, count=len(sheet_contents))
        )
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
        html.write_page(
            "gs1.html",
            f"01/{gtin14}/index.html",
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
