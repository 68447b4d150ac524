"""A product's lots as its lots.csv holds them, and what names a lot or a recall.

lots.csv sits beside product.yaml; a producer keeps it in a spreadsheet, so it is read the way
spreadsheets write it: UTF-8 with or without a byte order mark (Excel writes one), CRLF or LF,
quoted cells that hold commas or line breaks. Reading never raises on bad bytes: it returns the
problems of the file as a whole (encoding, quoting, a header written with `;`), and keeps each
row's line so that the checks (generator/validate/lots.py) can say where a cell is wrong.

The lot code rule (`LOT_CODE`) and the recall ids are spelled here once: the checks, derive, the
ledger and the published tables all use them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.errors import Problem, problem

LOTS_FILE = "lots.csv"
# GS1 AI 10 allows 20 characters; A-Z, 0-9, "-" and "." print, scan and make a URL unchanged.
LOT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,19}$")
LOT_CODE_MAX = 20
# A spreadsheet of lots for a national catalog's largest producer is a few MB; far above that is
# no lots table (a pasted export, a binary file renamed).
MAX_LOTS_BYTES = 64 * 1024 * 1024
_BOM = "\ufeff"
# Where a space at the edge of a cell shows in the text, quoted or not (and more: a false alarm
# only costs the stripping).
_EDGE_SPACES = (", ", " ,", "\n ", " \n", " \r", '" ', ' "')
_PLAIN_WHITESPACE = frozenset(" \n\r")
_RECALL_ID = re.compile(r"^(?P<product>.+)-(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(-[0-9]+)?$")


def lot_key(code: str) -> str:
    """The code a lot is known by when typed by hand: case and spaces do not tell lots apart
    (`l2026-07` and `L2026 -07` are `L2026-07`)."""
    return "".join(code.split()).upper()


def suggested_lot_code(code: str) -> str | None:
    """The code as the rule allows, when only case, spaces, tone marks, `/` or `_` stand in the
    way: `l2026/07` -> `L2026-07`, `LÔ 7` -> `LO7`; None when no such code exists."""
    folded = unicodedata.normalize("NFD", code.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    candidate = re.sub(r"[/_\\]+", "-", lot_key(plain))
    return candidate if candidate != code and LOT_CODE.match(candidate) else None


def recall_ids(product_id: str, dates: Iterable[str]) -> list[str]:
    """The ids of a product's recalls, in list order: "<product id>-<date>", and "-2", "-3"...
    for a further recall of the product the same day."""
    seen: dict[str, int] = {}
    ids = []
    for day in dates:
        seen[day] = seen.get(day, 0) + 1
        count = seen[day]
        ids.append(f"{product_id}-{day}" + (f"-{count}" if count > 1 else ""))
    return ids


def recall_product(recall_id: str) -> str | None:
    """The product id in a recall id: `qn-valid-2026-10-05-2` -> `qn-valid`."""
    match = _RECALL_ID.match(recall_id)
    return match.group("product") if match else None


@dataclass(frozen=True)
class LotsTable:
    """A lots.csv that could be read: the header and each row's cells, stripped of the spaces
    around them (a spreadsheet hides them), with the line each row starts on (1 is the header)."""

    display: str  # "catalog/products/quang_ninh/qn-valid/lots.csv"
    sha256: str  # of the file's bytes
    header_line: int
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    all_nfc: bool = True
    columns: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the first column of a name counts; a repeated one is reported by the checks
        columns: dict[str, int] = {}
        for number, name in enumerate(self.header):
            columns.setdefault(name, number)
        object.__setattr__(self, "columns", columns)

    def column(self, name: str) -> list[str]:
        """Every row's cell of the column `name` ("" for a missing column or a short row)."""
        number = self.columns.get(name)
        if number is None:
            return [""] * len(self.rows)
        return [row[number] if number < len(row) else "" for row in self.rows]


@dataclass(frozen=True)
class LotsParse:
    """What reading lots.csv gave: its header, rows and lines (None when the file cannot be
    read as a table at all), and the problems of the file as a whole."""

    header_line: int
    header: list[str] | None
    rows: list[list[str]]
    lines: list[int]
    all_nfc: bool
    problems: list[Problem]


def _failed(shown: str, line: int, code: str, **params: object) -> LotsParse:
    return LotsParse(1, None, [], [], True, [problem(shown, line, "", code, **params)])


def _edge_spaces(text: str) -> bool:
    """Whether a cell may start or end with whitespace: a few substring searches, and the set
    of the text's characters for tabs and no-break spaces (a regular expression over a table of
    200,000 lots took longer than reading it)."""
    if any(ch.isspace() for ch in set(text) - _PLAIN_WHITESPACE):
        return True
    return text[:1] == " " or text[-1:] == " " or any(s in text for s in _EDGE_SPACES)


def parse_lots(raw: bytes, shown: str) -> LotsParse:
    """The table in a lots.csv's bytes; `shown`: the path named in messages."""
    if len(raw) > MAX_LOTS_BYTES:
        return _failed(shown, 1, "file-too-large", limit=f"{MAX_LOTS_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return _failed(shown, raw.count(b"\n", 0, err.start) + 1, "lots-not-utf8")
    text = text.removeprefix(_BOM)
    if "\x00" in text:  # a spreadsheet's binary file (.xlsx, .xls) saved under the csv name
        return _failed(shown, text.count("\n", 0, text.index("\x00")) + 1, "lots-not-csv")
    # skipinitialspace: `, "a, b"` (a space before the quote) is still one quoted cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    keep_row, keep_line = rows.append, lines.append
    start = 1
    try:
        for row in reader:
            if any(row):  # blank lines, and rows of empty cells a spreadsheet leaves, are skipped
                keep_row(row)
                keep_line(start)
            start = reader.line_num + 1
    except csv.Error:
        # the row that starts at `start` has a quote that is never closed, or one inside a cell
        return _failed(shown, start, "lots-quote")
    if not rows:
        return _failed(shown, 1, "lots-empty", columns="lot, produced, use_by, ...")
    if _edge_spaces(text):  # else no cell has spaces around it: 200,000 rows not copied
        stripped = [[cell.strip() for cell in row] for row in rows]
        kept = [number for number, row in enumerate(stripped) if any(row)]
        rows, lines = [stripped[n] for n in kept], [lines[n] for n in kept]
        if not rows:
            return _failed(shown, 1, "lots-empty", columns="lot, produced, use_by, ...")
    header, header_line = rows[0], lines[0]
    del rows[0], lines[0]
    if len(header) == 1 and ";" in header[0]:
        # Excel with Vietnamese regional settings separates the columns with ";"
        return _failed(shown, header_line, "lots-semicolons")
    all_nfc = text.isascii() or unicodedata.is_normalized("NFC", text)
    return LotsParse(header_line, header, rows, lines, all_nfc, [])
