"""ocop.sqlite: every table in one SQLite database, with the data dictionary inside it.

Same input, same bytes: a fixed page size, tables in a fixed order, rows in table order, VACUUM.
A rebuild after a few rows changed, or were added or removed in one place in a table (a product
added, a lot), edits a copy of the last database instead of writing it all afresh (see
sqlite_file).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import urls
from generator.config import BuildConfig
from generator.render.datasets.cache import DATABASE, DatasetCache, canonical
from generator.render.datasets.columns import TableColumns
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.documents import DATA_LICENCE
from generator.render.datasets.specs import TABLES, TableSpec
from generator.render.html import SITE_NAME

SQL_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "number": "REAL",
    "boolean": "INTEGER",
    "date": "TEXT",
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ddl(spec: TableSpec) -> str:
    cols = [
        f"{_q(f.name)} {SQL_TYPES[f.type]}{' NOT NULL' if f.required else ''}" for f in spec.fields
    ]
    cols.append(f"PRIMARY KEY ({', '.join(_q(k) for k in spec.primary_key)})")
    for fk in spec.foreign_keys:
        target = fk["reference"]["resource"] or spec.name  # "" is the table itself
        cols.append(
            f"FOREIGN KEY ({_q(fk['fields'])}) REFERENCES {_q(target)} "
            f"({_q(fk['reference']['fields'])})"
        )
    return f"CREATE TABLE {_q(spec.name)} (\n  " + ",\n  ".join(cols) + "\n)"


def to_sqlite(
    specs: dict[str, TableSpec],
    columns: dict[str, TableColumns],
    meta: dict[str, str],
    release: dt.date,
) -> bytes:
    """Same input, same bytes: fixed page size, tables in a fixed order, rows sorted, VACUUM.

    The header records the SQLite library version that wrote the file, so another SQLite
    version may give different bytes (the data are the same).
    """
    with tempfile.TemporaryDirectory(prefix="ocop-sqlite-") as tmp:
        path = Path(tmp) / "ocop.sqlite"
        con = sqlite3.connect(path)
        try:
            con.execute("PRAGMA page_size = 4096")
            # A scratch file read back once: no rollback journal, no fsync (same bytes).
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
            con.execute(f"PRAGMA user_version = {int(release.strftime('%Y%m%d'))}")
            for name in TABLES:
                spec = specs[name]
                con.execute(_ddl(spec))
                marks = ", ".join("?" for _ in spec.fields)
                con.executemany(
                    f"INSERT INTO {_q(name)} VALUES ({marks})", columns[name].sql_rows()
                )
            # The dictionary travels with the database: who opens it needs no web page.
            con.execute('CREATE TABLE "_metadata" ("key" TEXT PRIMARY KEY, "value" TEXT)')
            con.executemany('INSERT INTO "_metadata" VALUES (?, ?)', sorted(meta.items()))
            con.execute(
                'CREATE TABLE "_fields" ("table_name" TEXT, "position" INTEGER, '
                '"name" TEXT, "type" TEXT, "title" TEXT, "description" TEXT, '
                'PRIMARY KEY ("table_name", "name"))'
            )
            con.executemany(
                'INSERT INTO "_fields" VALUES (?, ?, ?, ?, ?, ?)',
                [
                    (
                        name,
                        n,
                        f.name,
                        f.type,
                        f.descriptor()["title"],
                        f.descriptor()["description"],
                    )
                    for name in TABLES
                    for n, f in enumerate(specs[name].fields, 1)
                ],
            )
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()
        return path.read_bytes()


@dataclass(frozen=True)
class KeptDatabase:
    """The last database made (cache entry "ocop.sqlite")."""

    key: str  # cache.key of the table specs, the metadata and the release
    keys: dict[str, list[bytes]]  # per table, the row keys it holds, in table order
    data: bytes


# Header fields that count writes: change counter, schema cookie, version-valid-for. An updated
# and vacuumed database differs from a fresh one in these bytes alone (the updates counted), so
# _update_sqlite copies them from the kept database, made afresh; without that copy the file
# would depend on the history of edits, not on the rows.
SQLITE_COUNTERS = ((24, 28), (40, 44), (92, 96))
UPDATED_SHARE = 20  # above 1/20 of a table's rows changed, a fresh database costs less


def sqlite_file(
    specs: dict[str, TableSpec],
    tables: dict[str, EncodedTable],
    columns: Mapping[str, TableColumns],
    meta: dict[str, str],
    release: dt.date,
    cache: DatasetCache,
) -> bytes:
    """to_sqlite's bytes. The last database made is kept with the row keys it holds; when few
    rows changed in place, or were added or removed in one run per table, those rows are
    edited in a copy (the rows after an added one renumbered) and the copy vacuumed. VACUUM
    writes a database afresh from its content, so the bytes are a fresh build's but for three
    header counters that count writes, and those are copied from the kept database (a fresh
    build makes the same writes whatever the rows). The tests compare with to_sqlite."""
    names = [repr(specs[name]) for name in TABLES]
    base = cache.key("ocop.sqlite", *names, canonical(meta), release.isoformat())
    keys = {name: tables[name].keys for name in TABLES}
    found = cache.load(DATABASE, KeptDatabase)
    # A primary key of one INTEGER column is SQLite's rowid itself, not the row's position.
    rowid_is_position = not any(_rowid_alias(specs[name]) for name in TABLES)
    edits = _edits(found, base, keys) if rowid_is_position else None
    kept, found = (found.data if found is not None else b""), None
    data = None
    if edits is not None and kept:
        updates = {
            name: (edit, TableColumns(specs[name], [tables[name].rows[i] for i in _rows_of(edit)]))
            for name, edit in edits.items()
        }
        try:
            data = _update_sqlite(kept, specs, updates)
        except sqlite3.Error:  # e.g. two rows swapping ids: made afresh, as it would fail
            data = None
    del kept  # the last database is not held beside the new one
    if data is None:
        data = to_sqlite(specs, columns, meta, release)
    cache.save(DATABASE, KeptDatabase(base, keys, data))
    return data


def _rowid_alias(spec: TableSpec) -> bool:
    types = {f.name: f.type for f in spec.fields}
    return len(spec.primary_key) == 1 and types.get(spec.primary_key[0]) == "integer"


@dataclass(frozen=True)
class Splice:
    """The kept table's rows [start, old_end) replaced by the new table's rows [start, new_end):
    rows added or removed in one place (a product added, a lot removed); the rows after them
    are the same, their positions moved by new_end - old_end."""

    start: int
    old_end: int
    new_end: int


Edit = list[int] | Splice  # rows changed in place (their positions), or a splice


def _rows_of(edit: Edit) -> range | list[int]:
    """The positions, in the new table, of the rows an edit writes."""
    return range(edit.start, edit.new_end) if isinstance(edit, Splice) else edit


def _splice(old: list[bytes], new: list[bytes]) -> Splice:
    """The one run of rows between the longest common start and end of two tables."""
    start, shortest = 0, min(len(old), len(new))
    while start < shortest and old[start] == new[start]:
        start += 1
    end = 0  # rows equal at both ends, not counting those of the common start
    while end < shortest - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return Splice(start, len(old) - end, len(new) - end)


def _edits(
    found: KeptDatabase | None, base: str, keys: dict[str, list[bytes]]
) -> dict[str, Edit] | None:
    """Per table, what differs from the kept database: the positions of rows changed in place
    or, for a table whose length changed, one splice; None when the database is better made
    afresh (none kept, other settings, many rows changed, rows added in several places)."""
    if found is None or found.key != base:
        return None
    edits: dict[str, Edit] = {}
    for name, new in keys.items():
        old = found.keys.get(name)
        if old is None:
            return None
        edit: Edit
        if len(old) == len(new):
            edit = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            written = len(edit)
        else:
            edit = _splice(old, new)
            written = (edit.old_end - edit.start) + (edit.new_end - edit.start)
        if written * UPDATED_SHARE > len(new):
            return None
        if written:
            edits[name] = edit
    return edits


def _update_sqlite(
    data: bytes, specs: dict[str, TableSpec], updates: dict[str, tuple[Edit, TableColumns]]
) -> bytes:
    """`data` with these edits made (a row's rowid is its position + 1, as to_sqlite inserts
    them), vacuumed, with data's header counters. In memory: the same pages as in a file,
    without writing 40 MB twice."""
    con = sqlite3.connect(":memory:")
    try:
        con.deserialize(data)
        for name, (edit, columns) in updates.items():
            if isinstance(edit, Splice):
                _splice_rows(con, specs[name], edit, columns)
                continue
            sets = ", ".join(f"{_q(f.name)} = ?" for f in specs[name].fields)
            values = [(*row, i + 1) for row, i in zip(columns.sql_rows(), edit, strict=True)]
            _expect(con, name, len(values), f"UPDATE {_q(name)} SET {sets} WHERE rowid = ?", values)
        con.commit()
        con.execute("VACUUM")
        fresh = con.serialize()
    finally:
        con.close()  # its pages freed before the copy below
    view, at = memoryview(fresh), 0
    pieces: list[bytes | memoryview] = []
    for start, end in SQLITE_COUNTERS:
        pieces += (view[at:start], data[start:end])
        at = end
    pieces.append(view[at:])
    return b"".join(pieces)


def _splice_rows(
    con: sqlite3.Connection, spec: TableSpec, edit: Splice, columns: TableColumns
) -> None:
    """The splice's old rows deleted, the rows after them moved to their new rowids, its new
    rows inserted at theirs: the table as to_sqlite would number it."""
    name = _q(spec.name)
    after = con.execute(f"SELECT count(*) FROM {name} WHERE rowid > ?", (edit.old_end,))
    moved = after.fetchone()[0]
    _expect(
        con,
        spec.name,
        edit.old_end - edit.start,
        f"DELETE FROM {name} WHERE rowid > ? AND rowid <= ?",
        [(edit.start, edit.old_end)],
    )
    shift = edit.new_end - edit.old_end
    if shift and moved:
        # Through negative rowids: moved one by one, a row could land on one not yet moved.
        sql = f"UPDATE {name} SET rowid = -(rowid + ?) WHERE rowid > ?"
        _expect(con, spec.name, moved, sql, [(shift, edit.old_end)])
        _expect(con, spec.name, moved, f"UPDATE {name} SET rowid = -rowid WHERE rowid < 0", [()])
    marks = ", ".join("?" for _ in spec.fields)
    rowids = range(edit.start + 1, edit.new_end + 1)
    values = [(i, *row) for i, row in zip(rowids, columns.sql_rows(), strict=True)]
    _expect(
        con,
        spec.name,
        len(values),
        f"INSERT INTO {name} (rowid, {', '.join(_q(f.name) for f in spec.fields)}) "
        f"VALUES (?, {marks})",
        values,
    )


def _expect(
    con: sqlite3.Connection, table: str, rows: int, sql: str, values: list[tuple[Any, ...]]
) -> None:
    """executemany, checked to touch exactly `rows` rows: a row not where it was put means
    the kept database is not what its keys say."""
    before = con.total_changes
    con.executemany(sql, values)
    if con.total_changes - before != rows:
        raise sqlite3.DatabaseError(f"{table}: rows are not at their positions")


def sqlite_meta(release: str, config: BuildConfig) -> dict[str, str]:
    return {
        "title": SITE_NAME,
        "release": release,
        "license": DATA_LICENCE["path"],
        "homepage": urls.absolute(config.base_url, urls.DATA),
        "note": "Ảnh theo giấy phép riêng (photos.licence). Photos: see photos.licence.",
    }
