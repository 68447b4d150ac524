"""Print sizes and units of the labels and sheets, in millimetres, shared by every backend."""

from __future__ import annotations

DPI = 300
DOT = 25.4 / DPI  # mm per 300-dpi dot: module sizes and QR positions snap to it
PT = 25.4 / 72  # mm per point
MM = 72 / 25.4  # points per millimetre (PDF units)
MIN_SYMBOL_MM = 20.0  # the QR without its quiet zone, at the stated print size
QUIET_MODULES = 4

LABEL_SIZE = (60.0, 40.0)  # mm: the single label, a common roll-label size ("tem 60x40")
SHEET_PAGE = (210.0, 297.0)  # A4 portrait
SHEET_GRID = (3, 8)  # columns, rows: 24 labels a page ("decal A4 24 tem")
SHEET_CELL = (70.0, 37.0)  # mm, cells touching, the 1 mm left over split top and bottom
CUT_MARK_MM = 1.5  # arm of the cross drawn at each cell corner


def number(value: float) -> str:
    """Stable, short number text for SVG and PDF."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
