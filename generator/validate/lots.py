"""The checks of a product's lots.csv, and of the recalls that name its lots.

A lots table is checked against its Table Schema (schemas/lots.schema.json: the columns, their
types and constraints), then for what a schema cannot say: codes unique within the product even
when typed in another case, dates in order and not in the future, a unit with every quantity,
origin communes that exist. Each message says what to write instead.

A producer's table can hold hundreds of thousands of lots, so the checks go column by column: a
column's distinct values are judged once each, and only a column with a wrong value is walked
again to name the lines that hold it. A table's results depend on its bytes and the as-of day
alone: they are kept in the check cache like a record's (see generator/checkcache.py). Whether
the lots a recall names exist reads the record too, and runs on every run (it is cheap).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.checkcache import Checks, from_rows, known_checks, problem_rows
from generator.config import PoolSettings
from generator.errors import Problem, did_you_mean, problem
from generator.load import LoadedCatalog
from generator.lots import LOT_CODE, LOT_CODE_MAX, LOTS_FILE, LotsTable, lot_key, suggested_lot_code
from generator.parallel import DEFAULT_POOLS, map_known_first
from generator.places import Places
from generator.text import closest, fold
from generator.validate.record import value_at
from generator.validate.result import Validation
from generator.validate.schema import DATE_SHAPE, suggest_date

# The columns the checks across columns read as values (dates, quantities).
_TYPED = frozenset({"produced", "use_by", "inspection_date", "quantity"})
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
# Column names people write instead (folded, spaces and "_" alike) -> the column.
_COLUMN_NAMES = {
    "ma lo": "lot",
    "so lo": "lot",
    "lo": "lot",
    "lot code": "lot",
    "nsx": "produced",
    "ngay san xuat": "produced",
    "ngay thu hoach": "produced",
    "production date": "produced",
    "hsd": "use_by",
    "han su dung": "use_by",
    "use by": "use_by",
    "best before": "use_by",
    "so luong": "quantity",
    "don vi": "unit",
    "nguon goc": "origin",
    "vung nguyen lieu": "origin",
    "ma xa": "origin_commune",
    "ghi chu": "note",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "string" | "date" | "number"
    description: tuple[str, str]  # (vi, en)
    required: bool
    pattern: re.Pattern[str] | None
    max_length: int | None
    minimum: float | None
    enum: tuple[str, ...] | None


class LotsSchema:
    """The Table Schema's fields as the checks use them."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.columns: dict[str, Column] = {}
        for f in schema["fields"]:
            c = f.get("constraints", {})
            self.columns[f["name"]] = Column(
                f["name"],
                f["type"],
                (f["description"], f["x-description-en"]),
                bool(c.get("required")),
                re.compile(c["pattern"]) if "pattern" in c else None,
                c.get("maxLength"),
                c.get("minimum"),
                tuple(c["enum"]) if "enum" in c else None,
            )
        self.names = list(self.columns)


@functools.lru_cache(maxsize=4)
def lots_schema(schema_json: str) -> LotsSchema:
    return LotsSchema(json.loads(schema_json))


class _TableChecker:
    def __init__(self, table: LotsTable, schema: LotsSchema, places: Places, as_of: dt.date):
        self.table = table
        self.schema = schema
        self.places = places
        self.as_of = as_of
        self.problems: list[Problem] = []
        self.future = False  # a date after as_of was reported: the results hold on that day only
        self.latest_past: dt.date | None = None  # latest date compared with as_of, not after it
        width = len(table.header)
        # a row of another width is misaligned: its cells are not judged (one problem, not one
        # per shifted cell)
        if all(len(row) == width for row in table.rows):
            self.rows, self.lines = table.rows, table.lines
        else:
            self.rows, self.lines = [], []
            for row, line in zip(table.rows, table.lines, strict=True):
                if len(row) == width:
                    self.rows.append(row)
                    self.lines.append(line)
                else:
                    self.add(line, "", "lots-row-length", count=len(row), expected=width)
        # the table as columns, transposed once (a column a row at a time cost more than the
        # checks); a header without rows has no columns
        self.columns = list(zip(*self.rows, strict=True)) if self.rows else []

    def add(self, line: int, field_name: str, code: str, **params: object) -> None:
        """field_name: the column of the cell ("" for the line or the header as a whole)."""
        self.problems.append(problem(self.table.display, line, field_name, code, **params))

    def column(self, name: str) -> Sequence[str] | None:
        number = self.table.columns.get(name)
        if number is None:
            return None
        return self.columns[number] if self.columns else ()

    def report(self, values: Sequence[str], bad: Mapping[str, Callable[[int], None]]) -> None:
        """Calls bad[value](line) for every row holding a value of `bad`."""
        if bad:
            for value, line in zip(values, self.lines, strict=True):
                if value in bad:
                    bad[value](line)

    # --- the header ---------------------------------------------------------------------------

    def header(self) -> None:
        table, names = self.table, self.schema.names
        line = table.header_line
        allowed = ", ".join(names)
        seen: dict[str, int] = {}
        suggested: set[str] = set()  # the columns unknown names stand for
        for number, name in enumerate(table.header, 1):
            if not name:
                if any(len(row) >= number and row[number - 1] for row in table.rows):
                    self.add(line, "", "lots-unnamed-column", number=number, allowed=allowed)
                continue
            if name in seen:
                self.add(
                    line,
                    "",
                    "lots-duplicate-column",
                    value=name,
                    number=seen[name],
                    other=number,
                )
                continue
            seen[name] = number
            if name not in self.schema.columns:
                wanted = _wanted_column(name, names)
                suggested.add(wanted)
                suggestion = did_you_mean(wanted)
                self.add(
                    line,
                    "",
                    "lots-unknown-column",
                    value=name,
                    suggestion=suggestion,
                    allowed=allowed,
                )
        for column in self.schema.columns.values():
            # a column written under another name is reported once, as that name
            if column.required and column.name not in seen and column.name not in suggested:
                self.add(
                    line, "", "lots-missing-column", column=column.name, hint=column.description
                )

    # --- the cells, column by column ----------------------------------------------------------

    def cells(self) -> dict[str, list[Any]]:
        """Checks every known column; returns each one's values as read (a date, a Decimal;
        None for an empty cell or a wrong value), for the checks across columns."""
        typed: dict[str, list[Any]] = {}
        for column in self.schema.columns.values():
            values = self.column(column.name)
            if values is None:
                continue
            if column.name == "lot":
                self.lot_codes(values, column)
                continue
            distinct = set(values)
            bad: dict[str, Callable[[int], None]] = {}
            meaning: dict[str, Any] = {"": None}
            if "" in distinct and column.required:
                bad[""] = self._required(column)
            for value in distinct - {""}:
                read, complaint = self.judge(column, value)
                meaning[value] = read
                if complaint is not None:
                    bad[value] = complaint
            self.report(values, bad)
            if column.name in _TYPED:
                typed[column.name] = list(map(meaning.__getitem__, values))
        return typed

    def _required(self, column: Column) -> Callable[[int], None]:
        return lambda line: self.add(
            line, column.name, "required-cell", column=column.name, hint=column.description
        )

    def _complaint(self, column: str, code: str, **params: object) -> Callable[[int], None]:
        return lambda line: self.add(line, column, code, **params)

    def judge(self, column: Column, value: str) -> tuple[Any, Callable[[int], None] | None]:
        """(what the cell means, or None; a reporter of what is wrong with it, or None)."""
        name = column.name
        if column.type == "date":
            if not DATE_SHAPE.match(value):
                suggestion = suggest_date(value)
                pair = (
                    (suggestion, suggestion)
                    if suggestion
                    else (
                        "theo mẫu 2026-06-15 (ngày 15 tháng 6 năm 2026)",
                        "it like 2026-06-15 (15 June 2026)",
                    )
                )
                return None, self._complaint(name, "date-format", value=value, suggestion=pair)
            try:
                return dt.date.fromisoformat(value), None
            except ValueError:
                return None, self._complaint(name, "invalid-date", value=value)
        if column.type == "number":
            if not _NUMBER.match(value):
                return None, self._complaint(name, "not-a-number", value=value)
            try:
                number = Decimal(value)
            except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                return None, self._complaint(name, "not-a-number", value=value)
            if column.minimum is not None and number < Decimal(str(column.minimum)):
                hint = (f"ít nhất {column.minimum:g}", f"at least {column.minimum:g}")
                return None, self._complaint(name, "out-of-range", value=value, hint=hint)
            return number, None
        if column.enum is not None and value not in column.enum:
            allowed = ", ".join(column.enum)
            return None, self._complaint(name, "not-allowed-value", value=value, allowed=allowed)
        if column.max_length is not None and len(value) > column.max_length:
            return None, self._complaint(
                name, "too-long", length=len(value), limit=column.max_length
            )
        if column.pattern is not None and not column.pattern.match(value):
            return None, self._complaint(name, "bad-format", value=value, hint=_hint(column, value))
        if name == "origin_commune" and value not in self.places.communes:
            return None, self._complaint(name, "unknown-origin-commune", value=value)
        return value, None

    def lot_codes(self, codes: Sequence[str], column: Column) -> None:
        """Each code follows the rule and is the only one of its key (case and spaces aside).
        A code that follows the rule is its own key: only the others are turned into theirs."""
        lines = self.lines
        if "" in codes:
            self.report(codes, {"": self._required(column)})
        wrong = [n for n, matched in enumerate(map(LOT_CODE.match, codes)) if not matched]
        keys = list(codes)
        for n in wrong:
            keys[n] = lot_key(codes[n])
        count = len(keys)
        # each key's first row: the reversed pairs leave the first row of a key written last
        first = dict(zip(reversed(keys), range(count - 1, -1, -1), strict=True))
        first.pop("", None)
        clashing = set()
        if len(first) < count - keys.count(""):
            for index, key in enumerate(keys):
                earlier = first.get(key, index)
                if earlier == index:
                    continue
                clashing.add(index)
                code, first_code = codes[index], codes[earlier]
                if code == first_code:
                    self.add(lines[index], "lot", "duplicate-lot", value=code, other=lines[earlier])
                else:
                    self.add(
                        lines[index],
                        "lot",
                        "duplicate-lot-case",
                        value=code,
                        first=first_code,
                        other=lines[earlier],
                    )
        for index in wrong:
            code = codes[index]
            if code and index not in clashing:
                self.add(
                    lines[index],
                    "lot",
                    "lot-code",
                    value=code,
                    detail=_lot_code_detail(code),
                    suggestion=_lot_code_suggestion(code, index, first),
                )

    # --- across columns -----------------------------------------------------------------------

    def not_after_as_of(self, typed: dict[str, list[Any]], name: str) -> None:
        days = typed.get(name)
        if days is None:
            return
        distinct = set(days) - {None}
        future = {day for day in distinct if day > self.as_of}
        past = distinct - future
        if past:
            latest = max(past)
            self.latest_past = max(latest, self.latest_past or latest)
        if not future:
            return
        self.future = True
        today = self.as_of.isoformat()
        for day, line in zip(days, self.lines, strict=True):
            if day in future:
                self.add(line, name, "future-date", value=day.isoformat(), today=today)

    def across(self, typed: dict[str, list[Any]]) -> None:
        self.not_after_as_of(typed, "produced")
        self.not_after_as_of(typed, "inspection_date")
        produced, use_by = typed.get("produced"), typed.get("use_by")
        if produced is not None and use_by is not None:
            for made, until, line in zip(produced, use_by, self.lines, strict=True):
                if made is not None and until is not None and until < made:
                    self.add(
                        line, "use_by", "lot-dates", value=until.isoformat(), other=made.isoformat()
                    )
        quantity = typed.get("quantity")
        if quantity is not None:
            units = self.column("unit") or ("",) * len(quantity)
            for amount, unit, line in zip(quantity, units, self.lines, strict=True):
                if amount is not None and not unit:
                    self.add(line, "unit", "unit-required", value=str(amount))

    def nfc(self) -> None:
        """One problem per file, at its first decomposed cell: `ocop fix` converts it all."""
        if self.table.all_nfc:
            return
        where = [
            (line, self.table.header[number])
            for row, line in zip(self.table.rows, self.table.lines, strict=True)
            for number, cell in enumerate(row)
            if number < len(self.table.header) and not unicodedata.is_normalized("NFC", cell)
        ]
        if not where:  # the header itself, or a cell beyond it
            where = [(self.table.header_line, "")]
        line, column = where[0]
        more = len(where) - 1
        self.add(
            line,
            column,
            "not-nfc",
            file=self.table.display,
            more=(f" (và {more} ô khác)", f" (and {more} more cell(s))") if more else ("", ""),
        )

    def as_of_span(self) -> tuple[int, int]:
        if self.future:
            return self.as_of.toordinal(), self.as_of.toordinal()
        first = self.latest_past or dt.date.min
        return first.toordinal(), dt.date.max.toordinal()


def _hint(column: Column, value: str) -> tuple[str, str]:
    if column.name == "origin_commune":
        digits = value.strip()
        if digits.isdigit() and len(digits) < 5:
            padded = digits.zfill(5)
            return (
                f"mã xã có 5 chữ số: viết {padded} (Excel bỏ số 0 ở đầu: định dạng cột là Văn bản)",
                f"a commune code has 5 digits: write {padded} (Excel drops the leading zero: "
                "format the column as Text)",
            )
        return ("mã xã có 5 chữ số, ví dụ 06832", "a commune code has 5 digits, e.g. 06832")
    if column.name == "inspection_url":
        return (
            "địa chỉ web bắt đầu bằng https://, không có dấu cách",
            "a web address starts with https:// and has no spaces",
        )
    return column.description


def _lot_code_detail(code: str) -> tuple[str, str]:
    """What breaks the rule, in words: (vi, en)."""
    if len(code) > LOT_CODE_MAX:
        return (f"dài {len(code)} ký tự", f"has {len(code)} characters")
    vi: list[str] = []
    en: list[str] = []
    if any(ch.isspace() for ch in code):
        vi.append("có dấu cách")
        en.append("has a space")
    if any("a" <= ch <= "z" for ch in code):
        vi.append("có chữ thường")
        en.append("has lower-case letters")
    foreign = "".join(dict.fromkeys(ch for ch in code if not ch.isascii()))
    if foreign:
        vi.append(f"có chữ có dấu hay ký tự ngoài A-Z `{foreign}`")
        en.append(f"has letters with tone marks or outside A-Z `{foreign}`")
    others = "".join(
        dict.fromkeys(
            ch
            for ch in code
            if ch.isascii() and not ch.isspace() and not ch.isalnum() and ch not in "-."
        )
    )
    if others:
        vi.append(f"có ký tự `{others}`")
        en.append(f"has the character(s) `{others}`")
    if not vi and code[:1] in ("-", "."):
        vi.append(f"bắt đầu bằng `{code[0]}`")
        en.append(f"starts with `{code[0]}`")
    return ", ".join(vi), ", ".join(en)


def _lot_code_suggestion(code: str, index: int, keys: Mapping[str, int]) -> tuple[str, str]:
    """keys: the row index of each code's key (lot_key): a suggestion is never another's."""
    suggestion = suggested_lot_code(code)
    if suggestion is None or keys.get(suggestion, index) != index:
        return ("", "")
    return (
        f"; viết `{suggestion}`, và in đúng mã này trên bao bì",
        f"; write `{suggestion}`, and print exactly this code on the pack",
    )


def _wanted_column(name: str, names: list[str]) -> str:
    """The column an unknown name stands for (`NSX` -> produced), or ""."""
    folded = " ".join(fold(name).replace("_", " ").replace("(", " ").replace(")", " ").split())
    wanted = _COLUMN_NAMES.get(folded) or (folded.replace(" ", "_") if folded else "")
    if wanted not in names:
        close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
        wanted = close[0] if close else ""
    return wanted


def check_lots_table(
    table: LotsTable, schema: LotsSchema, places: Places, as_of: dt.date
) -> tuple[list[Problem], tuple[int, int]]:
    """Every problem of one table, and the as-of days (ordinals) on which they are the same."""
    checker = _TableChecker(table, schema, places, as_of)
    checker.header()
    typed = checker.cells()
    checker.across(typed)
    checker.nfc()
    return checker.problems, checker.as_of_span()


# --- every product's table, on every core or from the check cache -----------------------------


@dataclass(frozen=True)
class _TablesContext:
    tables: list[LotsTable]
    schema: str  # JSON text: compiled once per process (lots_schema)
    places: Places
    as_of: dt.date
    known_checks: Mapping[str, Checks]


# (the table's checks, whether they had to be made rather than looked up)
_Outcome = tuple[Checks, bool]


def _check_tables(numbers: list[int], context: _TablesContext) -> list[_Outcome]:
    out: list[_Outcome] = []
    for number in numbers:
        table = context.tables[number]
        known = known_checks(context.known_checks, table.display, table.sha256, context.as_of)
        if known is not None:
            out.append((known, False))
            continue
        problems, (first, last) = check_lots_table(
            table, lots_schema(context.schema), context.places, context.as_of
        )
        out.append(((table.sha256, first, last, problem_rows(problems)), True))
    return out


def _made(outcome: _Outcome) -> bool:
    return outcome[1]


def check_lots_tables(
    loaded: LoadedCatalog,
    schema: dict[str, Any],
    places: Places,
    as_of: dt.date,
    known_checks: Mapping[str, Checks],
    out: Validation,
    pools: PoolSettings = DEFAULT_POOLS,
) -> None:
    """Adds every lots table's problems to `out`, and its checks (for the next run's cache)."""
    tables = [loaded.lots[folder] for folder in sorted(loaded.lots)]
    context = _TablesContext(
        tables, json.dumps(schema, sort_keys=True), places, as_of, known_checks
    )
    outcomes = map_known_first(_check_tables, range(len(tables)), context, _made, pools)
    for table, (checks, _) in zip(tables, outcomes, strict=True):
        out.checks[table.display] = checks
        out.problems += from_rows(checks[3])


# --- recalls: the lots they name exist ------------------------------------------------------


def recall_problems(loaded: LoadedCatalog) -> list[Problem]:
    """A recall's `lots` name lots of the product's lots.csv. Not cached: the record and the
    table change apart."""
    found: list[Problem] = []
    for record in loaded.products:
        recalls = record.data.get("recalls")
        if not isinstance(recalls, list):
            continue
        folder = record.display.rsplit("/", 1)[0]
        codes = loaded.lot_codes(folder)
        if codes is None:
            continue  # the table could not be read, or has no lot column: reported on its own
        table = loaded.lots.get(folder)
        keys: dict[str, str] | None = None  # made when a code is not found: 200,000 lots
        shown = f"{folder}/{LOTS_FILE}"
        for i, recall in enumerate(recalls):
            lots = value_at(recall, "lots")
            for j, code in enumerate(lots if isinstance(lots, list) else []):
                if not isinstance(code, str) or code in codes:
                    continue
                path = ("recalls", i, "lots", j)
                line, where = record.line(path), f"recalls[{i}].lots[{j}]"
                if table is None:
                    found.append(
                        problem(record.display, line, where, "no-lots-file", value=code, file=shown)
                    )
                    continue
                if keys is None:
                    keys = {lot_key(known): known for known in codes}
                close = keys.get(lot_key(code)) or closest(code, codes)
                suggestion = did_you_mean(close)
                found.append(
                    problem(
                        record.display,
                        line,
                        where,
                        "unknown-lot",
                        value=code,
                        file=shown,
                        suggestion=suggestion,
                    )
                )
    return found
