"""A4 print sheets: the labels of a province or a producer, or a product's lot labels, 3 x 8
cells of 70 x 37 mm a page, cross cut marks at every cell corner. Only products of a valid
certification go on them, and only lots neither recalled nor past their HSD."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache

from generator.cache import content_key
from generator.model import Lot, Product, Validity
from generator.render.labels.content import STATE_TEXT, LabelContent
from generator.render.labels.layout import Layout, layout_label
from generator.render.labels.pdf import pdf_document
from generator.render.labels.qr import QrMatrix, qr_matrix
from generator.render.labels.sizes import (
    CUT_MARK_MM,
    MM,
    SHEET_CELL,
    SHEET_GRID,
    SHEET_PAGE,
)
from generator.render.labels.sizes import number as _n
from generator.render.labels.version import code_key


def sheet_products(products: Iterable[Product]) -> list[Product]:
    """Only labels of a valid certification go on print sheets (stars may not be used else)."""
    return sorted((p for p in products if p.validity is Validity.VALID), key=lambda p: p.id)


def sheet_lots(product: Product, day: dt.date) -> tuple[list[Lot], list[tuple[Lot, str]]]:
    """The lots of a product's lot sheet, in the order of its lots file, and those left off
    with why: a sheet is printed to label packs, and no pack should get a label of a lot that
    is recalled or past its HSD. No lot when the product's certification is not valid (as for
    the product sheets)."""
    if product.validity is not Validity.VALID:
        state = "chứng nhận OCOP: " + STATE_TEXT[product.validity].lower()
        return [], [(lot, state) for lot in product.lots]
    on, off = [], []
    for lot in product.lots:
        if product.lot_recalled_on(lot.code, day):
            off.append((lot, "đang bị thu hồi"))
        elif lot.status_on(day) == "expired":
            off.append((lot, "đã hết hạn sử dụng"))
        else:
            on.append(lot)
    return on, off


def sheet_key(contents: Sequence[LabelContent], title: str) -> str:
    grid = repr((SHEET_GRID, SHEET_CELL))
    return content_key(code_key(), "sheet", title, grid, *(c.key() for c in contents))


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
    return pdf_document(pages, SHEET_PAGE, f"Nhãn QR: {title}", title)
