"""The published tables' specifications: columns, types, constraints, titles and descriptions.

They live in schemas/tables/*.json; a field with `from` takes its description from the record
schema (schemas/*.schema.json), so the data dictionary says what the contributor's form says.
Every format, the descriptor and the dictionary are made from these, so none can disagree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLES = (
    "products",
    "producers",
    "certificates",
    "photos",
    "sources",
    "lots",
    "recalls",
    "changes",
)
TYPES = ("string", "integer", "number", "boolean", "date")
MAX_ERRORS_SHOWN = 30

Row = dict[str, Any]  # field name -> str | int | float | bool | dt.date | None


class DatasetError(Exception):
    """The published data would be wrong: a table fails its schema, a release is corrupt."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        self.errors = list(errors)
        shown = self.errors[:MAX_ERRORS_SHOWN]  # all of them stay in .errors
        more = len(self.errors) - len(shown)
        detail = "".join(f"\n  {e}" for e in shown) + (f"\n  … {more} more" if more else "")
        super().__init__(message + detail)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    title: str
    title_en: str
    description: str
    description_en: str
    constraints: dict[str, Any]
    source: str | None  # "product#/certificate/number" when the field comes from a record

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": f"{self.title} / {self.title_en}",
            "description": f"{self.description} — EN: {self.description_en}",
        }
        if self.constraints:
            out["constraints"] = dict(self.constraints)
        return out


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "fields": [f.descriptor() for f in self.fields],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            out["foreignKeys"] = [dict(fk) for fk in self.foreign_keys]
        return out


def _record_description(schemas: dict[str, Any], pointer: str) -> tuple[str, str]:
    """Pointer like `product#/certificate/number` -> (vi, en) descriptions of the record field;
    `lots#/<column>`: of a column of lots.csv (its Table Schema)."""
    record, _, path = pointer.partition("#/")
    if record not in schemas:
        raise DatasetError(f"unknown record schema in {pointer!r}")
    node = schemas[record]
    if record == "lots":
        column = next((f for f in node["fields"] if f["name"] == path), None)
        if column is None:
            raise DatasetError(f"{pointer!r} names no column of lots.csv")
        return column["description"], column["x-description-en"]
    for part in path.split("/"):
        node = node.get("items") if part == "items" else node.get("properties", {}).get(part)
        if not isinstance(node, dict):
            raise DatasetError(f"{pointer!r} names no field of the record schema")
    return node["description"], node["x-description-en"]


def load_table_specs(schemas_dir: Path) -> dict[str, TableSpec]:
    record_schemas = {
        name: json.loads((schemas_dir / f"{name}.schema.json").read_text(encoding="utf-8"))
        for name in ("product", "producer", "lots")
    }
    specs: dict[str, TableSpec] = {}
    for name in TABLES:
        raw = json.loads((schemas_dir / "tables" / f"{name}.json").read_text(encoding="utf-8"))
        fields = []
        for f in raw["fields"]:
            where = f"schemas/tables/{name}.json: {f.get('name')}"
            if f.get("type") not in TYPES or not f.get("title") or not f.get("title_en"):
                raise DatasetError(f"{where}: needs a type of {TYPES}, title and title_en")
            if "from" in f:
                vi, en = _record_description(record_schemas, f["from"])
            elif f.get("description") and f.get("description_en"):
                vi, en = f["description"], f["description_en"]
            else:
                raise DatasetError(f"{where}: needs `from` or description and description_en")
            fields.append(
                FieldSpec(
                    f["name"],
                    f["type"],
                    f["title"],
                    f["title_en"],
                    vi,
                    en,
                    dict(f.get("constraints", {})),
                    f.get("from"),
                )
            )
        specs[name] = TableSpec(
            name,
            raw["title"],
            raw["title_en"],
            raw["description"],
            raw["description_en"],
            tuple(fields),
            tuple(raw["primaryKey"]),
            tuple(raw.get("foreignKeys", [])),
        )
    return specs
