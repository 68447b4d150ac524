"""The tables' key checks: unique fields, primary keys and foreign keys, as frictionless makes
them, on every row's key cells as published.

They depend only on the key columns, so a few set lookups replace frictionless reading
products.csv again for each foreign key; check.py leaves them to key_errors and keeps the
verdict by keys_digest.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from typing import Any

from generator.render.datasets.columns import csv_column
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.specs import DatasetError, TableSpec


def _names(fields: str | list[str]) -> list[str]:
    return [fields] if isinstance(fields, str) else list(fields)


def _typed(cell: str, type_: str) -> Any:
    """A key cell as frictionless reads it: "" is missing (None), an integer is compared as a
    number ("7" and "07" are one key; a cell that is not a number is a row error)."""
    if cell == "":
        return None
    if type_ == "string":
        return cell
    if type_ == "integer":
        try:
            return int(cell)
        except ValueError:
            return None
    raise DatasetError(f"a key field of type {type_}: key_errors knows string and integer")


def _key_cells(table: EncodedTable, fields: list[str]) -> list[tuple[Any, ...]]:
    """Per row, its cells in `fields` (as the published CSV has them), typed."""
    types = {f.name: f.type for f in table.spec.fields}
    columns = [
        [
            _typed(cell, types[name])
            for cell in csv_column([r[name] for r in table.rows], types[name])
        ]
        for name in fields
    ]
    return list(zip(*columns, strict=True)) if columns else [() for _ in table.rows]


def _repeats(
    name: str, cells: list[tuple[Any, ...]], kind: str, fieldname: str | None = None
) -> list[str]:
    """A row whose cells (not all missing) are a row's before it: frictionless's unique-error
    and primary-key checks. Rows are numbered as in the file (the header is row 1)."""
    where = f" field {fieldname}" if fieldname else ""
    seen: dict[tuple[Any, ...], int] = {}
    errors = []
    for row, key in enumerate(cells, 2):
        if all(v is None for v in key):
            if kind == "primary-key":
                errors.append(f'{name} row {row}: primary-key: its cells are all "None"')
            continue
        if key in seen:
            errors.append(f"{name} row {row}{where}: {kind}: the same as in row {seen[key]}")
        seen[key] = row
    return errors


def key_errors(tables: dict[str, EncodedTable]) -> list[str]:
    """Unique fields, primary keys and foreign keys of every table, as frictionless checks
    them (a key with every cell missing is skipped, save a primary key's)."""

    @functools.cache
    def cells(name: str, fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
        return _key_cells(tables[name], list(fields))  # products.id serves four checks

    errors: list[str] = []
    for name, table in tables.items():
        spec = table.spec
        for f in spec.fields:
            if f.constraints.get("unique"):
                errors += _repeats(name, cells(name, (f.name,)), "unique-error", f.name)
        if spec.primary_key:
            errors += _repeats(name, cells(name, spec.primary_key), "primary-key")
        for fk in spec.foreign_keys:
            target = fk["reference"]["resource"] or name  # "" is the table itself
            if target not in tables:
                errors.append(f"{name}: foreign-key: no table {target!r} to refer to")
                continue
            fields, refers = _names(fk["fields"]), _names(fk["reference"]["fields"])
            known = set(cells(target, tuple(refers)))
            for row, key in enumerate(cells(name, tuple(fields)), 2):
                if key not in known and any(v is not None for v in key):
                    values = ", ".join(map(str, key))
                    errors.append(
                        f'{name} row {row}: foreign-key: values "{values}" of '
                        f"{', '.join(fields)} not found in {target} as {', '.join(refers)}"
                    )
    return errors


def key_fields(specs: dict[str, TableSpec]) -> dict[str, list[str]]:
    """Per table, the columns key_errors reads: unique fields, primary key, foreign key fields
    and the fields foreign keys point to."""
    wanted = {name: set(spec.primary_key) for name, spec in specs.items()}
    for name, spec in specs.items():
        wanted[name] |= {f.name for f in spec.fields if f.constraints.get("unique")}
        for fk in spec.foreign_keys:
            wanted[name] |= set(_names(fk["fields"]))
            target = fk["reference"]["resource"] or name
            wanted.setdefault(target, set()).update(_names(fk["reference"]["fields"]))
    return {name: sorted(wanted[name]) for name in specs}


def keys_digest(tables: dict[str, EncodedTable]) -> bytes:
    """Of the schemas and the values key_errors reads (pickle: with their types)."""
    fields = key_fields({name: table.spec for name, table in tables.items()})
    digest = hashlib.blake2b(digest_size=16)
    for name, table in tables.items():
        columns = [[row[f] for row in table.rows] for f in fields[name]]
        digest.update(repr(table.spec).encode() + pickle.dumps(columns, 5))
    return digest.digest()
