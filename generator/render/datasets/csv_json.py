"""The CSV and JSON tables: each row's CSV line and JSON record, encoded once and kept.

CSV: UTF-8, a header row, LF line ends, minimal quoting (text that a spreadsheet would run as a
formula is neutralised, see columns.py). JSON: an array with one record per line, compact yet
readable and diffable line by line. Both files are made from the same typed rows as the other
formats, so they cannot disagree.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

from generator.render.datasets.cache import DatasetCache, row_keys, table_entry, worth_saving
from generator.render.datasets.columns import TableColumns
from generator.render.datasets.specs import DatasetError, Row, TableSpec

# Rows encoded at a time in a first build: a large table's cells (a str each) and its lines
# and records as text are otherwise all held at once beside their UTF-8 bytes.
ENCODE_CHUNK = 10000


def csv_lines(cells: Sequence[Sequence[str]]) -> list[str]:
    """Each row's line as csv.writer writes it (LF line ends, minimal quoting): the writer
    hands each row to `write` in one piece, so the lines joined are the file."""
    lines: list[str] = []
    csv.writer(SimpleNamespace(write=lines.append), lineterminator="\n").writerows(cells)
    if len(lines) != len(cells):
        raise DatasetError("csv.writer wrote a row in more than one piece")
    return lines


def csv_header(spec: TableSpec) -> str:
    return csv_lines([spec.names])[0]


def to_json(records: Sequence[bytes]) -> bytes:
    """An array with one record per line: compact, yet readable and diffable line by line.
    `records` from TableColumns.json_records in UTF-8: each row as json.dumps would write it.
    One join: the file is not also held as text, nor in parts."""
    if not records:
        return b"[]\n"
    pieces = [b"[\n"]
    for record in records:
        pieces += (record, b",\n")
    pieces[-1] = b"\n]\n"
    return b"".join(pieces)


def utf8(texts: list[str]) -> list[bytes]:
    """Each text in UTF-8. A row's line or record is kept so: half the memory of the text
    for Vietnamese (a str with one letter beyond Latin-1 takes two bytes a character), and
    the files are these bytes joined."""
    return [text.encode("utf-8") for text in texts]


@dataclass(frozen=True)
class EncodedRows:
    """A table's rows as a build encoded them (cache entry "rows-<table>")."""

    schema: str  # cache.key of the table's spec: other columns, other text
    keys: list[bytes]  # row_keys, in table order
    lines: list[bytes]  # each row's CSV line, UTF-8
    records: list[bytes]  # each row's JSON record, UTF-8


class EncodedTable:
    """One table as published: per row (in table order) its key, CSV line and JSON record;
    every file made from the table starts from these. A row whose key an earlier build
    encoded is not converted again (same values, same text), and the cache is only read when
    a line or record is asked for: a table whose files the tree already holds needs none."""

    def __init__(
        self,
        spec: TableSpec,
        rows: list[Row],
        cache: DatasetCache,
    ) -> None:
        self.spec = spec
        self.rows = rows
        self.cache = cache
        self.keys = row_keys(spec, rows)

    @cached_property
    def digest(self) -> str:
        """Of the schema and every row, in order (keys are 16 bytes each: unambiguous)."""
        spec = repr(self.spec).encode()
        return hashlib.blake2b(spec + b"\0" + b"".join(self.keys), digest_size=16).hexdigest()

    @property
    def lines(self) -> list[bytes]:
        """Each row's CSV line in UTF-8."""
        return self._encoded[0]

    @property
    def records(self) -> list[bytes]:
        """Each row's JSON record in UTF-8."""
        return self._encoded[1]

    def record(self, i: int) -> bytes:
        """The i-th row's JSON record; alone, it is encoded rather than the cache read."""
        if "_encoded" in self.__dict__:  # the cached_property was computed
            return self.records[i]
        return TableColumns(self.spec, [self.rows[i]]).json_records()[0].encode("utf-8")

    def csv_bytes(self) -> bytes:
        return b"".join([csv_header(self.spec).encode("utf-8"), *self.lines])

    def json_bytes(self) -> bytes:
        return to_json(self.records)

    @cached_property
    def _encoded(self) -> tuple[list[bytes], list[bytes]]:
        name, schema = table_entry("rows", self.spec.name), self.cache.key(repr(self.spec))
        known = self._known(self.cache.load(name, EncodedRows), schema)
        missing = [i for i, key in enumerate(self.keys) if key not in known]
        many = worth_saving(len(missing), len(self.keys))
        if many:  # a first build: every row, ENCODE_CHUNK at a time
            known.clear()
            lines, records = [], []
            for start in range(0, len(self.rows), ENCODE_CHUNK):
                part = TableColumns(self.spec, self.rows[start : start + ENCODE_CHUNK])
                lines += utf8(csv_lines(part.csv_cells()))
                records += utf8(part.json_records())
        else:
            if missing:
                columns = TableColumns(self.spec, [self.rows[i] for i in missing])
                made = zip(
                    utf8(csv_lines(columns.csv_cells())),
                    utf8(columns.json_records()),
                    strict=True,
                )
                for i, pair in zip(missing, made, strict=True):
                    known[self.keys[i]] = pair
            lines = [known[key][0] for key in self.keys]
            records = [known[key][1] for key in self.keys]
        if many:
            self.cache.save(name, EncodedRows(schema, self.keys, lines, records))
        return lines, records

    @staticmethod
    def _known(found: EncodedRows | None, schema: str) -> dict[bytes, tuple[bytes, bytes]]:
        """key -> (line, record) from a saved table of this schema (and this code)."""
        if found is None or found.schema != schema:
            return {}
        if not len(found.keys) == len(found.lines) == len(found.records):
            return {}
        return dict(zip(found.keys, zip(found.lines, found.records, strict=True), strict=True))
