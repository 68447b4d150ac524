"""A label's layout, in millimetres from its top-left corner: the QR's place and module size,
and each line of text with its size and width. Computed once per label size and drawn by the
SVG, PNG and PDF backends alike, so the three formats agree to the dot."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.render.labels.content import STATE_TEXT, LabelContent, day_text
from generator.render.labels.font import text_width
from generator.render.labels.qr import QrMatrix, qr_matrix
from generator.render.labels.sizes import DOT, MIN_SYMBOL_MM, PT, QUIET_MODULES


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
LOT_PT = 8.0  # the lot code: what a shopper compares with a recall notice
Block = tuple[str, str, bool, float, str, int, bool]
MIN_SCALE = 0.55
LINE = 1.2  # line height, in em


def _stack(
    blocks: Sequence[Block],
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
    blocks: list[Block],
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
    column, check = _lot_blocks(content) if content.lot is not None else _blocks(content)
    if strip_h >= 2 * CHECK_PT * PT * MIN_SCALE:
        texts = _fit(column, col_x, margin, col_w, strip_top - margin)
        texts += _fit(check, margin, strip_top, width - 2 * margin, strip_h)
    else:  # no room under the QR: everything in the column
        texts = _fit(column + check, col_x, margin, col_w, height - 2 * margin)
    return Layout(width, height, qr, qr_x, qr_y, module, tuple(texts))


def _blocks(content: LabelContent) -> tuple[list[Block], list[Block]]:
    """A product label's text: (the column beside the QR, the strip under it)."""
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
    return column, check


def _lot_blocks(content: LabelContent) -> tuple[list[Block], list[Block]]:
    """A lot label's text. Beside the QR what the shopper reads first: the product, its
    stars or state, the lot code, NSX and HSD, the product id; under it the certificate and the
    address to type. The lot code, the dates, the id and the address are never cut short (the
    lines they may take hold them at the smallest scale); a long name is."""
    assert content.lot is not None and content.produced is not None
    state = STATE_TEXT.get(content.validity)
    column: list[Block] = [
        ("", content.name, True, NAME_PT, " ", 2, False),
        ("", state or "OCOP " + "★" * content.stars, True, STATE_PT, " ", 2, False),
        ("Lô: ", content.lot, True, LOT_PT, "-.", 3, True),
        ("NSX: ", day_text(content.produced), True, ID_PT, " ", 2, True),
    ]
    if content.use_by is not None:
        column.append(("HSD: ", day_text(content.use_by), True, ID_PT, " ", 2, True))
    column.append(("Mã SP: ", content.product_id, False, FIELD_PT, "-", 3, True))
    certificate = f"{content.certificate}, hiệu lực đến {content.valid_until.vi()}"
    strip: list[Block] = [
        ("Mã QĐ: ", certificate, False, FIELD_PT, " ", 2, False),
        ("Kiểm tra: ", content.check_text, False, CHECK_PT, "/", 4, False),
    ]
    return column, strip
