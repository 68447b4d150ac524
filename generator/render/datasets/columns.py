"""Each table as columns of typed values, and each format's cells made once per column.

A national catalog has over 2 million cells, and a type dispatch per cell and per format
(csv_cell, json_value, sql_value, xlsx cells) cost most of the datasets' time. A column's values
nearly always share one type, so its converter is chosen once, from the exact types the column
holds, and runs as one comprehension. A column with other or mixed types goes through the
per-cell functions: the bytes are the same either way (the tests compare both).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any

from generator.render.datasets.specs import TABLES, Row, TableSpec

# A cell starting with one of these can run as a formula in a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NONE_TYPE = type(None)
json_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) calls for str


def neutralise(text: str) -> str:
    """Prefixes an apostrophe so a spreadsheet shows the text instead of running it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def csv_cell(value: Any, type_: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if type_ == "string":
        return neutralise(str(value))
    return str(value)


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def json_text(value: Any) -> str:
    """One value as json.dumps writes it inside a record (after json_value)."""
    return json.dumps(json_value(value), ensure_ascii=False)


def sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def kinds_of(values: list[Any]) -> set[type]:
    """The exact types of a column's values, None aside (bool is not int here)."""
    kinds = set(map(type, values))
    kinds.discard(NONE_TYPE)
    return kinds


def csv_column(values: list[Any], type_: str, kinds: set[type] | None = None) -> list[str]:
    """[csv_cell(v, type_) for v in values]; `kinds` is kinds_of(values) when known."""
    kinds = kinds_of(values) if kinds is None else kinds
    if kinds <= {str}:
        if type_ != "string":
            return ["" if v is None else v for v in values]
        return ["" if v is None else "'" + v if v.startswith(FORMULA_START) else v for v in values]
    if kinds == {int} and type_ != "string":
        return ["" if v is None else str(v) for v in values]
    if kinds == {bool}:
        return ["" if v is None else "true" if v else "false" for v in values]
    if kinds == {dt.date}:
        return ["" if v is None else v.isoformat() for v in values]
    return [csv_cell(v, type_) for v in values]


def json_column(values: list[Any], kinds: set[type] | None = None) -> list[str]:
    """[json_text(v) for v in values]."""
    kinds = kinds_of(values) if kinds is None else kinds
    if kinds <= {str}:
        return ["null" if v is None else json_str(v) for v in values]
    if kinds == {int}:
        return ["null" if v is None else str(v) for v in values]
    if kinds == {bool}:
        return ["null" if v is None else "true" if v else "false" for v in values]
    if kinds == {dt.date}:
        return ["null" if v is None else f'"{v.isoformat()}"' for v in values]
    return [json_text(v) for v in values]


def sql_column(values: list[Any], kinds: set[type] | None = None) -> list[Any]:
    """[sql_value(v) for v in values]."""
    kinds = kinds_of(values) if kinds is None else kinds
    if kinds <= {str, int, float}:
        return values
    if kinds == {bool}:
        return [None if v is None else int(v) for v in values]
    if kinds == {dt.date}:
        return [None if v is None else v.isoformat() for v in values]
    return [sql_value(v) for v in values]


class TableColumns:
    """One table as columns of typed values; every format's cells come from these."""

    def __init__(self, spec: TableSpec, rows: list[Row]) -> None:
        self.spec = spec
        self.size = len(rows)
        self.values = [list(map(itemgetter(name), rows)) for name in spec.names]
        self.kinds = [kinds_of(values) for values in self.values]
        # Nothing made from the values is kept: the cells, JSON columns and records are steps
        # towards the encoded lines and records, asked for once (csv_json.EncodedTable).

    def csv_columns(self) -> list[list[str]]:
        return [
            csv_column(values, f.type, kinds)
            for values, f, kinds in zip(self.values, self.spec.fields, self.kinds, strict=True)
        ]

    def csv_cells(self) -> list[tuple[str, ...]]:
        """Rows of CSV cells, as csv_cell writes them."""
        return list(zip(*self.csv_columns(), strict=True)) if self.values else []

    def _json_columns(self) -> list[list[str]]:
        """Per column, '"name": value' as json.dumps writes it inside a record."""
        keys = [f"{json_str(name)}: " for name in self.spec.names]
        return [
            [key + text for text in json_column(values, kinds)]
            for key, values, kinds in zip(keys, self.values, self.kinds, strict=True)
        ]

    def json_records(self, skip: str | None = None) -> list[str]:
        """Each row as json.dumps({k: json_value(v)}) writes it, without the column `skip`."""
        columns = [
            c for c, name in zip(self._json_columns(), self.spec.names, strict=True) if name != skip
        ]
        if not columns:
            return ["{}"] * self.size
        return ["{" + ", ".join(cells) + "}" for cells in zip(*columns, strict=True)]

    def sql_rows(self) -> Iterable[tuple[Any, ...]]:
        return zip(*map(sql_column, self.values, self.kinds), strict=True)


class Columns(Mapping[str, TableColumns]):
    """Every table as TableColumns, each made when first asked for (and then shared): a first
    build encodes every table from them, a rebuild only the workbook sheets that changed."""

    def __init__(self, specs: dict[str, TableSpec], rows: dict[str, list[Row]]) -> None:
        self.specs = specs
        self.rows = rows
        self.made: dict[str, TableColumns] = {}

    def __getitem__(self, name: str) -> TableColumns:
        if name not in self.made:
            self.made[name] = TableColumns(self.specs[name], self.rows[name])
        return self.made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)
