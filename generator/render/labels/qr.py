"""The QR symbol of a label (zxing-cpp, error correction M) as runs of dark modules, the form
every backend draws: one path in SVG and PDF, a bitmap scaled by whole dots in the PNG."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import zxingcpp


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
