"""Open datasets under data/: what a journalist downloads, cites and checks.

One set of typed rows per table feeds every format, so the formats cannot disagree:

    data/latest/              the newest release, stable names
      products.csv  producers.csv  certificates.csv  photos.csv  sources.csv  changes.csv
      *.json (one per table)  ocop.sqlite  ocop.xlsx  datapackage.json
      CHANGES.md  README.md (data dictionary)  LICENSE.md  SHA256SUMS
    data/releases/<date>/     the Frictionless package of each release (CSV, datapackage.json,
                              changelog, dictionary, licence, SHA256SUMS); never rewritten
    data/releases/index.json  every release and its files (lets a deploy restore them)
    data/feed.atom            new, re-rated, expired, revoked and withdrawn products
    data/index.html           downloads, checksums, data dictionary, licence, citation, gaps
    p/<id>/product.json       one product, with its certificates, photos and sources

Column lists, types, constraints, titles and descriptions live in schemas/tables/*.json; a
field with `from` takes its description from the record schema (schemas/*.schema.json), so the
dictionary says what the contributor's form says. The release is checked before anything else
is written from it (or, when the build passes `pending`, before the site is published): by
frictionless, every line and the descriptor, and by key_errors, the keys of every row; an
invalid table stops the build.

Cost at national scale: each format converts a column with one converter chosen from the types
it holds (TableColumns); the workbook is made in a forked child meanwhile, and frictionless,
when it has much to read, in a new process once that child is done (the three side by side took
a first national build above 2 GB). A rebuild after a small change redoes little: what each
row encodes to, the files made from whole tables, the workbook's sheets, the last database and
frictionless's verdicts are kept between builds (DatasetCache), keyed by the rows' values and
the code, and p/<id>/product.json is keyed by its product's rows. Each file is still the bytes
a build from nothing writes (the tests compare).

Releases are named by the catalog's release date. Earlier releases are copied byte for byte
from the previously published site (config.out_dir) after their SHA256SUMS are checked: the
deploy must restore that site before building, or older releases vanish from the new one.
Only the CSV package is kept per release (the SQLite, Excel and JSON files are derived from it
and would multiply the site's size); data/latest/ has every format.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import heapq
import importlib.metadata
import io
import json
import marshal
import pickle
import re
import shutil
import sqlite3
import struct
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from generator.background import Background
from generator.cache import Cache
from generator.config import BuildConfig
from generator.dates import PartialDate
from generator.derive import validity_on
from generator.model import Catalog, Certificate, Product, Validity
from generator.render.artifacts import DataIndex, Download, PhotoIndex, product_json_path
from generator.render.html import SITE_NAME, SITE_NAME_EN, Html
from generator.vocab import Vocabulary, load_vocabulary
from generator.write import SiteWriter

TABLES = ("products", "producers", "certificates", "photos", "sources", "changes")
TYPES = ("string", "integer", "number", "boolean", "date")
DATA_LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
# A cell starting with one of these can run as a formula in a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
FEED_ENTRIES = 200
PAGE_CHANGES_PER_KIND = 50  # the data page lists this many per kind; the files list them all
PARALLEL_VALIDATION_BYTES = 4_000_000  # lines for frictionless to read: from here, a process
PARALLEL_XLSX_CELLS = 250_000  # cells from which the workbook is made in a forked child
MAX_ERRORS_SHOWN = 30
RELEASES_VERIFIED = "releases-verified"  # DatasetCache entry: stat stamp -> SHA-256
CHECKED = "checked"  # DatasetCache entry: the code of the last build whose package passed
TAG_DATE = "2026"  # tag: URIs name a date the authority held the host; fixed so ids never change
ATOM_NS = "http://www.w3.org/2005/Atom"

CHANGE_ORDER = ("added", "re-rated", "expired", "revoked", "withdrawn", "updated", "removed")
CHANGE_TITLES = {
    "added": "Thêm mới",
    "re-rated": "Có quyết định công nhận mới (nâng, hạ hạng hoặc công nhận lại)",
    "expired": "Hết hạn",
    "revoked": "Bị thu hồi",
    "withdrawn": "Ngừng",
    "updated": "Sửa hồ sơ",
    "removed": "Hồ sơ bị xóa",
}
STATUS_TEXT = {
    "valid": "còn hiệu lực",
    "unknown_date": "chưa rõ hiệu lực",
    "expired": "hết hạn",
    "revoked": "bị thu hồi",
    "withdrawn": "đã ngừng",
}
# Columns whose change is not a change of the record: recomputed each release or per build.
NOT_RECORD_CHANGES = frozenset({"status", "status_date", "url"})

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".sqlite": "application/vnd.sqlite3",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".md": "text/markdown",
    "": "text/plain",
}

Row = dict[str, Any]  # field name -> str | int | float | bool | dt.date | None


class DatasetError(Exception):
    """The published data would be wrong: a table fails its schema, a release is corrupt."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        self.errors = list(errors)
        shown = self.errors[:MAX_ERRORS_SHOWN]  # all of them stay in .errors
        more = len(self.errors) - len(shown)
        detail = "".join(f"\n  {e}" for e in shown) + (f"\n  … {more} more" if more else "")
        super().__init__(message + detail)


# --- table specifications ---------------------------------------------------------------------


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
    """Pointer like `product#/certificate/number` -> (vi, en) descriptions of the record field."""
    record, _, path = pointer.partition("#/")
    if record not in schemas:
        raise DatasetError(f"unknown record schema in {pointer!r}")
    node = schemas[record]
    for part in path.split("/"):
        node = node.get("items") if part == "items" else node.get("properties", {}).get(part)
        if not isinstance(node, dict):
            raise DatasetError(f"{pointer!r} names no field of the record schema")
    return node["description"], node["x-description-en"]


def load_table_specs(schemas_dir: Path) -> dict[str, TableSpec]:
    record_schemas = {
        name: json.loads((schemas_dir / f"{name}.schema.json").read_text(encoding="utf-8"))
        for name in ("product", "producer")
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


# --- rows ---------------------------------------------------------------------------------------


def product_url(config: BuildConfig, product_id: str) -> str:
    return f"{config.base_url}p/{product_id}/"


def _group_confirmed(product: Product, vocab: Vocabulary) -> bool:
    group = vocab.groups.get(product.group)
    sub = vocab.subgroup(product.subgroup) if product.subgroup else None
    return bool(group and group.confirmed and (sub is None or sub.confirmed))


def _certificate_cells(cert: Certificate) -> Row:
    """A date the source gives only to the month or year is text at that precision (2019,
    2021-03): never a day that is not known. When the certificate ends is a span of real
    dates, equal when the day is known, so that a spreadsheet can sort and filter on it."""
    revoked = cert.revoked
    return {
        "valid_until": cert.valid_until.isoformat(),
        "valid_until_earliest": cert.valid_until.earliest,
        "valid_until_latest": cert.valid_until.latest,
        "valid_until_given": cert.valid_until_given,
        "revoked_date": revoked.date.isoformat() if revoked else None,
        "revocation_decision": revoked.decision if revoked else None,
        "revocation_reason": revoked.reason if revoked else None,
    }


def product_row(product: Product, config: BuildConfig, vocab: Vocabulary, day: dt.date) -> Row:
    p, cert, w = product, product.certificate, product.withdrawn
    return {
        "id": p.id,
        "name": p.name,
        "name_en": p.name_en,
        "url": product_url(config, p.id),
        # The status on the release date, not the build day: the same release, the same bytes.
        "status": validity_on(day, cert, w).value,
        "status_date": day,
        "stars": p.stars,
        "group": p.group,
        "group_name": p.group_label,
        "subgroup": p.subgroup,
        "subgroup_name": p.subgroup_label,
        "group_code_confirmed": _group_confirmed(p, vocab),
        "producer_id": p.producer.id,
        "producer_name": p.producer.name,
        "province_code": p.place.province_code,
        "province_name": p.place.province_name,
        "commune_code": p.place.commune_code,
        "commune_name": p.place.commune_name,
        "address": p.place.address,
        "former_address": p.place.former_address,
        "certificate_number": cert.number,
        "certificate_date": cert.date.isoformat(),
        "certificate_date_precision": cert.date.precision.value,
        "certificate_issuer": cert.issuer,
        "certificate_score": cert.score,
        **_certificate_cells(cert),
        "withdrawn_date": w.date if w else None,
        "withdrawal_reason": w.reason if w else None,
        "replaced_by": w.replaced_by if w else None,
        "previous_certificate_count": len(p.previous_certificates),
        "gtin": p.gtin,
        "gtin14": p.gtin14,
        "description": p.description,
        "story": p.story,
        "ingredients": p.ingredients,
        "net_quantity": p.net_quantity,
        "shelf_life": p.shelf_life,
        "storage": p.storage,
        "standards": "; ".join(p.standards) or None,
        "photo_count": len(p.photos),
        "updated": p.updated,
        "example": p.example,
        "record_path": p.record_path,
    }


def product_rows(
    catalog: Catalog, config: BuildConfig, vocab: Vocabulary, day: dt.date
) -> list[Row]:
    return [product_row(p, config, vocab, day) for p in catalog.products]


def producer_rows(catalog: Catalog) -> list[Row]:
    counts = Counter(p.producer.id for p in catalog.products)
    return [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "kind_name": r.kind_label,
            "representative": r.representative,
            "tax_code": r.tax_code,
            "phone": r.phone,  # already None for a household business that did not opt in
            "email": r.email,
            "website": r.website,
            "province_code": r.place.province_code,
            "province_name": r.place.province_name,
            "commune_code": r.place.commune_code,
            "commune_name": r.place.commune_name,
            "address": r.place.address,
            "former_address": r.place.former_address,
            "product_count": counts[r.id],
            "example": r.example,
            "record_path": r.record_path,
        }
        for r in catalog.producers
    ]


def certificate_rows(catalog: Catalog, day: dt.date) -> list[Row]:
    rows = []
    for p in catalog.products:
        history = (*p.previous_certificates, p.certificate)
        for n, cert in enumerate(history, 1):
            rows.append(
                {
                    "product_id": p.id,
                    "sequence": n,
                    "current": cert is p.certificate,
                    "number": cert.number,
                    "date": cert.date.isoformat(),
                    "date_precision": cert.date.precision.value,
                    "issuer": cert.issuer,
                    "stars": cert.stars,
                    "score": cert.score,
                    **_certificate_cells(cert),
                    "status": cert.status_on(day).value,
                    "status_date": day,
                }
            )
    return rows


def photo_rows(catalog: Catalog, config: BuildConfig, photos: PhotoIndex) -> list[Row]:
    rows = []
    for p in catalog.products:
        renditions = {r.file: r for r in photos.per_product.get(p.id, ())}
        for n, photo in enumerate(p.photos, 1):
            rendition = renditions.get(photo.file)
            rows.append(
                {
                    "product_id": p.id,
                    "sequence": n,
                    "file": photo.file,
                    "alt": photo.alt,
                    "credit": photo.credit,
                    "licence": photo.licence,
                    "width": photo.width,
                    "height": photo.height,
                    "url": config.base_url + rendition.largest.jpeg
                    if rendition and rendition.sizes
                    else None,
                }
            )
    return rows


def source_rows(catalog: Catalog) -> list[Row]:
    return [
        {
            "product_id": p.id,
            "sequence": n,
            "title": s.title,
            "url": s.url,
            "document": s.document,
            "date": s.date.isoformat() if s.date else None,
            "quote": s.quote,
        }
        for p in catalog.products
        for n, s in enumerate(p.sources, 1)
    ]


def check_rows(spec: TableSpec, rows: Iterable[Row]) -> None:
    """A row builder and its Table Schema must name the same columns, in the same order."""
    for row in rows:
        if list(row) != spec.names:
            raise DatasetError(
                f"table {spec.name}: row columns differ from schemas/tables/{spec.name}.json",
                [f"row: {list(row)}", f"schema: {spec.names}"],
            )
        return


# --- formats -------------------------------------------------------------------------------------


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


def csv_rows(spec: TableSpec, rows: list[Row]) -> list[tuple[str, ...]]:
    return TableColumns(spec, rows).csv_cells()


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


def to_csv(spec: TableSpec, cells: Sequence[Sequence[str]]) -> bytes:
    """`cells` from csv_rows: UTF-8, header row, LF line ends, minimal quoting."""
    return (csv_header(spec) + "".join(csv_lines(cells))).encode("utf-8")


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def json_text(value: Any) -> str:
    """One value as json.dumps writes it inside a record (after json_value)."""
    return json.dumps(json_value(value), ensure_ascii=False)


def to_json(records: list[str]) -> bytes:
    """An array with one record per line: compact, yet readable and diffable line by line.
    `records` from TableColumns.json_records: each row as json.dumps would write it."""
    return ("[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n").encode("utf-8")


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


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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


SQLITE_COUNTERS = ((24, 28), (40, 44), (92, 96))  # change counter, schema cookie, valid-for
UPDATED_SHARE = 20  # above 1/20 of a table's rows changed, a fresh database costs less


def sqlite_file(
    specs: dict[str, TableSpec],
    tables: dict[str, EncodedTable],
    columns: Mapping[str, TableColumns],
    meta: dict[str, str],
    release: dt.date,
    cache: DatasetCache,
) -> bytes:
    """to_sqlite's bytes. The last database made is kept with the row keys it holds; when
    rows only changed in place, those rows are updated in a copy and the copy vacuumed. VACUUM
    writes a database afresh from its content, so the bytes are a fresh build's but for three
    header counters that count writes, and those are copied from the kept database (a fresh
    build makes the same writes whatever the rows). The tests compare with to_sqlite."""
    names = [repr(specs[name]) for name in TABLES]
    base = cache.key("ocop.sqlite", *names, _canonical(meta), release.isoformat())
    keys = {name: tables[name].keys for name in TABLES}
    found = cache.load("ocop.sqlite")
    # A primary key of one INTEGER column is SQLite's rowid itself, not the row's position.
    rowid_is_position = not any(_rowid_alias(specs[name]) for name in TABLES)
    changed = _changed_in_place(found, base, keys) if rowid_is_position else None
    data = None
    if changed is not None:
        updates = {
            name: (positions, TableColumns(specs[name], [tables[name].rows[i] for i in positions]))
            for name, positions in changed.items()
        }
        try:
            data = _update_sqlite(found[2], specs, updates)
        except sqlite3.Error:  # e.g. two rows swapping ids: made afresh, as it would fail
            data = None
    if data is None:
        data = to_sqlite(specs, columns, meta, release)
    cache.save("ocop.sqlite", (base, keys, data))
    return data


def _rowid_alias(spec: TableSpec) -> bool:
    types = {f.name: f.type for f in spec.fields}
    return len(spec.primary_key) == 1 and types.get(spec.primary_key[0]) == "integer"


def _changed_in_place(
    found: Any, base: str, keys: dict[str, list[bytes]]
) -> dict[str, list[int]] | None:
    """Per table, the positions of the rows that differ from the kept database's; None when
    it cannot be updated (none kept, other settings, rows added or removed, many changed)."""
    if not (isinstance(found, tuple) and len(found) == 3 and found[0] == base):
        return None
    changed: dict[str, list[int]] = {}
    for name, new in keys.items():
        old = found[1].get(name)
        if old is None or len(old) != len(new):
            return None
        positions = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if len(positions) * UPDATED_SHARE > len(new):
            return None
        if positions:
            changed[name] = positions
    return changed


def _update_sqlite(
    data: bytes, specs: dict[str, TableSpec], updates: dict[str, tuple[list[int], TableColumns]]
) -> bytes:
    """`data` with the rows at these positions replaced (a row's rowid is its position + 1,
    as to_sqlite inserts them), vacuumed, with data's header counters. In memory: the same
    pages as in a file, without writing 40 MB twice."""
    con = sqlite3.connect(":memory:")
    try:
        con.deserialize(data)
        for name, (positions, columns) in updates.items():
            sets = ", ".join(f"{_q(f.name)} = ?" for f in specs[name].fields)
            values = [(*row, i + 1) for row, i in zip(columns.sql_rows(), positions, strict=True)]
            before = con.total_changes
            con.executemany(f"UPDATE {_q(name)} SET {sets} WHERE rowid = ?", values)
            if con.total_changes - before != len(values):  # a row not where it was put
                raise sqlite3.DatabaseError(f"{name}: rows are not at their positions")
        con.commit()
        con.execute("VACUUM")
        out = bytearray(con.serialize())
    finally:
        con.close()
    for start, end in SQLITE_COUNTERS:
        out[start:end] = data[start:end]
    return bytes(out)


# --- Excel: a small SpreadsheetML writer ---------------------------------------------------------
# Not openpyxl: its pure-Python XML writer took 52 of the 100 seconds this renderer needed for
# 20,000 products (about 30 with lxml). Plain strings give the same workbook in a few seconds,
# and every byte is ours to keep fixed. openpyxl reads it back in the tests.

XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial day 0 of the 1900 date system
EXCEL_MAX_TEXT = 32767  # characters in one cell
# XML 1.0 forbids these control characters; a spreadsheet cannot hold them either.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STYLE_BOLD, STYLE_DATE = 1, 2
XLSX_STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{XLSX_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(text: str) -> str:
    text = XML_ILLEGAL.sub("", text)[:EXCEL_MAX_TEXT]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xlsx_cell(ref: str, value: Any, style: int = 0) -> str:
    """Text is an inline string: never a formula, whatever it starts with."""
    if value is None:
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    text = _xml_text(str(value))
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{text}</t></is></c>'


# --- columns: each format's cells made once per column -----------------------------------------
# A national catalog has over 2 million cells, and a type dispatch per cell and per format
# (csv_cell, json_value, _sql_value, _xlsx_cell) cost most of this renderer's time. A column's
# values nearly always share one type, so its converter is chosen once, from the exact types
# the column holds, and runs as one comprehension. A column with other or mixed types goes
# through the per-cell functions: the bytes are the same either way (the tests compare both).

NONE_TYPE = type(None)
EXCEL_EPOCH_ORDINAL = EXCEL_EPOCH.toordinal()
_json_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) calls for str
XML_ILLEGAL_BUT_NUL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _kinds(values: list[Any]) -> set[type]:
    """The exact types of a column's values, None aside (bool is not int here)."""
    kinds = set(map(type, values))
    kinds.discard(NONE_TYPE)
    return kinds


def csv_column(values: list[Any], type_: str, kinds: set[type] | None = None) -> list[str]:
    """[csv_cell(v, type_) for v in values]; `kinds` is _kinds(values) when known."""
    kinds = _kinds(values) if kinds is None else kinds
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
    kinds = _kinds(values) if kinds is None else kinds
    if kinds <= {str}:
        return ["null" if v is None else _json_str(v) for v in values]
    if kinds == {int}:
        return ["null" if v is None else str(v) for v in values]
    if kinds == {bool}:
        return ["null" if v is None else "true" if v else "false" for v in values]
    if kinds == {dt.date}:
        return ["null" if v is None else f'"{v.isoformat()}"' for v in values]
    return [json_text(v) for v in values]


def sql_column(values: list[Any], kinds: set[type] | None = None) -> list[Any]:
    """[_sql_value(v) for v in values]."""
    kinds = _kinds(values) if kinds is None else kinds
    if kinds <= {str, int, float}:
        return values
    if kinds == {bool}:
        return [None if v is None else int(v) for v in values]
    if kinds == {dt.date}:
        return [None if v is None else v.isoformat() for v in values]
    return [_sql_value(v) for v in values]


def _xml_texts(texts: list[str]) -> list[str]:
    """[_xml_text(t) for t in texts]: one scan of the whole column finds whether any text
    needs the slow path (a control character, or longer than a cell holds)."""
    joined = "\x00".join(texts)
    if (
        joined.count("\x00") != len(texts) - 1  # a text holds a NUL (or there are none)
        or XML_ILLEGAL_BUT_NUL.search(joined)
        or max(map(len, texts)) > EXCEL_MAX_TEXT
    ):
        return [_xml_text(t) for t in texts]
    if "&" not in joined and "<" not in joined and ">" not in joined:
        return texts
    # No text holds a NUL (checked above), so it separates the texts unambiguously.
    return joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\x00")


def xlsx_column(
    values: list[Any], letter: str, first_row: int, kinds: set[type] | None = None
) -> list[str]:
    """[_xlsx_cell(f"{letter}{r}", v) for r, v in enumerate(values, first_row)]."""
    kinds = _kinds(values) if kinds is None else kinds
    rows = range(first_row, first_row + len(values))
    if kinds <= {str}:
        texts = _xml_texts(["" if v is None else v for v in values])
        return [
            ""
            if v is None
            else f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{t}</t></is></c>'
            for r, v, t in zip(rows, values, texts, strict=True)
        ]
    if kinds <= {int, float}:
        return [
            "" if v is None else f'<c r="{letter}{r}"><v>{v!r}</v></c>'
            for r, v in zip(rows, values, strict=True)
        ]
    if kinds == {bool}:
        return [
            "" if v is None else f'<c r="{letter}{r}" t="b"><v>{1 if v else 0}</v></c>'
            for r, v in zip(rows, values, strict=True)
        ]
    if kinds == {dt.date}:
        epoch = EXCEL_EPOCH_ORDINAL
        return [
            ""
            if v is None
            else f'<c r="{letter}{r}" s="{STYLE_DATE}"><v>{v.toordinal() - epoch}</v></c>'
            for r, v in zip(rows, values, strict=True)
        ]
    return [_xlsx_cell(f"{letter}{r}", v) for r, v in zip(rows, values, strict=True)]


class TableColumns:
    """One table as columns of typed values; every format's cells come from these."""

    def __init__(self, spec: TableSpec, rows: list[Row]) -> None:
        self.spec = spec
        self.size = len(rows)
        self.values = [list(map(itemgetter(name), rows)) for name in spec.names]
        self.kinds = [_kinds(values) for values in self.values]
        # Only the records are kept: the cells and the JSON columns are steps towards the
        # lines and records, asked for once (at 20,000 products, keeping them held 250 MB).
        self._records: list[str] | None = None

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
        keys = [f"{_json_str(name)}: " for name in self.spec.names]
        return [
            [key + text for text in json_column(values, kinds)]
            for key, values, kinds in zip(keys, self.values, self.kinds, strict=True)
        ]

    def json_records(self, skip: str | None = None) -> list[str]:
        """Each row as json.dumps({k: json_value(v)}) writes it, without the column `skip`."""
        if skip is None and self._records is not None:
            return self._records
        columns = [
            c for c, name in zip(self._json_columns(), self.spec.names, strict=True) if name != skip
        ]
        if not columns:
            return ["{}"] * self.size
        records = ["{" + ", ".join(cells) + "}" for cells in zip(*columns, strict=True)]
        if skip is None:
            self._records = records
        return records

    def sql_rows(self) -> Iterable[tuple[Any, ...]]:
        return zip(*map(sql_column, self.values, self.kinds), strict=True)


def _xlsx_sheet(rows: list[list[Any]], header: bool, widths: Sequence[int] = ()) -> str:
    letters = _xlsx_letters(max(map(len, rows), default=1))
    row_xml = []
    for r, row in enumerate(rows, 1):
        style = STYLE_BOLD if header and r == 1 else 0
        cells = "".join(_xlsx_cell(f"{letters[c]}{r}", v, style) for c, v in enumerate(row))
        row_xml.append(f'<row r="{r}">{cells}</row>')
    return _xlsx_sheet_xml(row_xml, letters[-1], header, widths)


def _xlsx_letters(count: int) -> list[str]:
    return [_column_letters(n) for n in range(1, count + 1)] or ["A"]


def _xlsx_head(spec: TableSpec) -> str:
    """The bold header row of a table's sheet."""
    letters = _xlsx_letters(len(spec.names))
    cells = "".join(
        _xlsx_cell(f"{letter}1", name, STYLE_BOLD)
        for letter, name in zip(letters, spec.names, strict=False)
    )
    return f'<row r="1">{cells}</row>'


def _xlsx_rows(columns: TableColumns, first_row: int = 2) -> list[str]:
    """Each row's XML, made column by column; the first is row `first_row` of the sheet."""
    letters = _xlsx_letters(len(columns.values))
    cells = [
        xlsx_column(values, letter, first_row, kinds)
        for values, letter, kinds in zip(columns.values, letters, columns.kinds, strict=False)
    ]
    return [
        f'<row r="{r}">{"".join(row)}</row>'
        for r, row in enumerate(zip(*cells, strict=True), first_row)
    ]


def _xlsx_table_sheet(columns: TableColumns) -> str:
    """_xlsx_sheet([names, *rows], True), made column by column."""
    rows = [_xlsx_head(columns.spec), *_xlsx_rows(columns)]
    return _xlsx_sheet_xml(rows, _xlsx_letters(len(columns.values))[-1], True)


def _xlsx_sheet_xml(
    row_xml: list[str], last_column: str, header: bool, widths: Sequence[int] = ()
) -> str:
    out = [f'{XML_HEAD}<worksheet xmlns="{XLSX_MAIN}" xmlns:r="{XLSX_REL}">']
    out.append(f'<dimension ref="A1:{last_column}{max(len(row_xml), 1)}"/>')
    if header:  # the header row stays in view while scrolling
        out.append(
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
            'topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
        )
    else:
        out.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if widths:
        out.append(
            "<cols>"
            + "".join(
                f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                for n, w in enumerate(widths, 1)
            )
            + "</cols>"
        )
    out.append("<sheetData>")
    out += row_xml
    out.append("</sheetData></worksheet>")
    return "".join(out)


@dataclass(frozen=True)
class ZipEntry:
    name: str
    crc: int
    size: int
    deflated: bytes


def zip_entry(name: str, text: str) -> ZipEntry:
    """One part, compressed as zipfile does at level 6 (raw deflate, one call)."""
    data = text.encode("utf-8")
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return ZipEntry(
        name, zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush()
    )


ZIP_STAMP_TIME = 0  # 00:00:00
ZIP_VERSION = 20  # 2.0: deflate
ZIP_UNIX = 3
ZIP_MODE = 0o644 << 16


def zip_bytes(entries: Sequence[ZipEntry], day: dt.date) -> bytes:
    """The archive zipfile.ZipFile writes for these entries (ASCII names, one time stamp,
    no extra fields, mode 644; the tests compare byte for byte), from parts compressed before:
    a workbook sheet that did not change is not compressed again. Another zlib version may
    compress differently."""
    date = (day.year - 1980) << 9 | day.month << 5 | day.day
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode("ascii")
        common = (0, 8, ZIP_STAMP_TIME, date, e.crc, len(e.deflated), e.size, len(name))
        central += struct.pack(
            "<4s4B4HL2L5H2L",
            *(b"PK\x01\x02", ZIP_VERSION, ZIP_UNIX, ZIP_VERSION, 0, *common),
            *(0, 0, 0, 0, ZIP_MODE, len(out)),
        )
        central += name
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", ZIP_VERSION, 0, *common, 0)
        out += name + e.deflated
    start = len(out)
    count = len(entries)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    return bytes(out + central + end)


class SheetCache:
    """Each table's sheet as earlier builds made it: compressed whole, keyed by the table's
    digest (an unchanged table's sheet is neither written nor compressed again), and row by
    row, keyed by the row's key at its place (a changed table's other rows are not written
    again)."""

    def __init__(self, cache: DatasetCache, tables: dict[str, EncodedTable]) -> None:
        self.cache = cache
        self.tables = tables

    def entry(self, path: str, columns: Mapping[str, TableColumns], name: str) -> ZipEntry:
        table = self.tables[name]
        key = self.cache.key("sheet", table.digest)
        found = self.cache.load(f"sheet-{name}")
        if isinstance(found, tuple) and len(found) == 4 and found[0] == key:
            return ZipEntry(path, found[1], found[2], found[3])
        rows = [_xlsx_head(table.spec), *self._rows(table, columns)]
        xml = _xlsx_sheet_xml(rows, _xlsx_letters(len(table.spec.names))[-1], True)
        entry = zip_entry(path, xml)
        self.cache.save(f"sheet-{name}", (key, entry.crc, entry.size, entry.deflated))
        return entry

    def _rows(self, table: EncodedTable, columns: Mapping[str, TableColumns]) -> list[str]:
        name = f"sheet-rows-{table.spec.name}"
        schema = self.cache.key("sheet rows", repr(table.spec))
        found = self.cache.load(name)
        keys: list[bytes] = []
        rows: list[str] = []
        if isinstance(found, tuple) and len(found) == 3 and found[0] == schema:
            keys, rows = found[1], found[2]
        size = len(table.keys)
        missing = [i for i in range(size) if i >= len(keys) or keys[i] != table.keys[i]]
        if worth_saving(len(missing), size) or len(rows) != len(keys):
            rows = _xlsx_rows(columns[table.spec.name])
            self.cache.save(name, (schema, table.keys, rows))
            return rows
        rows = rows[:size] + [""] * (size - len(rows))
        for i in missing:  # row i is row i + 2 of the sheet, after the header
            rows[i] = _xlsx_rows(TableColumns(table.spec, [table.rows[i]]), i + 2)[0]
        return rows


def to_xlsx(
    columns: Mapping[str, TableColumns],
    about: list[tuple[str, str]],
    release: dt.date,
    sheets: SheetCache | None = None,
) -> bytes:
    """One sheet per table (header row bold and frozen, dates as dates), after an about sheet.
    `sheets` gives the tables' sheets compressed by an earlier build when they are the same."""
    names = ["gioi-thieu", *TABLES]
    n = len(names)
    moment = f"{release.isoformat()}T00:00:00Z"
    title = _xml_text(f"{SITE_NAME} {release.isoformat()}")
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    parts = [
        (
            "[Content_Types].xml",
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
        ),
        (
            "_rels/.rels",
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{XLSX_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{PACKAGE_REL}/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{XLSX_REL}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>',
        ),
        (
            "docProps/core.xml",
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
            '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:creator>{SITE_NAME_EN}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{moment}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{moment}</dcterms:modified>'
            "</cp:coreProperties>",
        ),
        (
            "docProps/app.xml",
            f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties"><Application>{SITE_NAME_EN}</Application></Properties>',
        ),
        (
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{XLSX_MAIN}" xmlns:r="{XLSX_REL}">'
            "<bookViews><workbookView/></bookViews><sheets>"
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(names, 1)
            )
            + "</sheets></workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{XLSX_REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{XLSX_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        ),
        ("xl/styles.xml", XLSX_STYLES),
        ("xl/worksheets/sheet1.xml", _xlsx_sheet([list(a) for a in about], False, (24, 100))),
    ]
    entries = [zip_entry(name, text) for name, text in parts]
    for i, name in enumerate(TABLES, 2):
        path = f"xl/worksheets/sheet{i}.xml"
        if sheets is None:
            entries.append(zip_entry(path, _xlsx_table_sheet(columns[name])))
        else:
            entries.append(sheets.entry(path, columns, name))
    return zip_bytes(entries, release)


def parse_sha256sums(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        name = name.removeprefix("*")
        if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest) or not SAFE_NAME.match(name):
            raise DatasetError(f"SHA256SUMS: unreadable line {line!r}")
        out.append((name, digest))
    return out


# --- kept between builds ------------------------------------------------------------------------
# A one-record change must not cost the work of a whole national catalog. What each row encodes
# to, the files made from whole tables and frictionless's verdicts are kept in
# config.cache_dir/datasets, each under a digest of everything it depends on (the rows' values,
# the table schemas, this module's code, the library versions): a changed input finds nothing,
# never a stale answer. A missing or unreadable cache only makes the build slower.

VERDICTS_KEPT = 256  # verdicts and file digests remembered (a few builds' worth)


@functools.cache  # the build asks before the stage (datasets_checked_before), the stage again
def _code_key() -> str:
    """This module's code and the libraries whose output or verdict the caches hold."""
    digest = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16)
    for part in (
        sys.version,
        sqlite3.sqlite_version,
        zlib.ZLIB_RUNTIME_VERSION,
        importlib.metadata.version("frictionless"),
    ):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


class DatasetCache:
    """Named values (marshal) under cache_dir/datasets; writes are atomic (generator.cache)."""

    def __init__(self, cache_dir: Path) -> None:
        self.files = Cache(cache_dir, "datasets")
        self.code = _code_key()

    def key(self, *parts: str | bytes) -> str:
        """A digest of this module's code and `parts` (each length-prefixed: unambiguous)."""
        digest = hashlib.blake2b(self.code.encode(), digest_size=16)
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def load(self, name: str) -> Any:
        """None when missing or unreadable."""
        try:
            return marshal.loads(self.files.path(name).read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def save(self, name: str, value: Any) -> None:
        self.files.store(name, marshal.dumps(value))

    def recall(self, name: str) -> dict[str, Any]:
        """A small table of remembered answers (verdicts, file digests), newest last."""
        found = self.load(name)
        return found if isinstance(found, dict) else {}

    def remember(self, name: str, entries: dict[str, Any]) -> None:
        """Adds `entries` to the table, keeping the newest VERDICTS_KEPT. Another build
        saving at the same time may drop an entry: that is a miss later, never a wrong
        answer."""
        table = self.recall(name)
        for key, value in entries.items():
            table.pop(key, None)
            table[key] = value
        self.save(name, dict(list(table.items())[-VERDICTS_KEPT:]))


def datasets_checked_before(cache_dir: Path) -> bool:
    """Whether an earlier build with this code had its package checked. Without that (a first
    build, a new cache, new code) every row is read by frictionless and every format is made
    from nothing: the stage's longest and largest run (the build does not overlap it with the
    page workers then). A changed table schema is not seen here: its rows are all read again
    beside the pages."""
    cache = DatasetCache(cache_dir)
    return bool(cache.load(CHECKED) == cache.code)


def row_keys(spec: TableSpec, rows: Sequence[Row]) -> list[bytes]:
    """Per row, a digest of its values in column order. pickle writes each value with its
    type, so 1, 1.0 and True (equal in Python) get different keys."""
    values = itemgetter(*spec.names)
    return [hashlib.blake2b(pickle.dumps(values(r), 5), digest_size=16).digest() for r in rows]


def worth_saving(new: int, total: int) -> bool:
    """A cache is written again when more than 1 % of its entries are new: after a small
    edit, encoding or checking the few rows again next time costs less than rewriting it."""
    return new * 100 > total


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
        columns: Mapping[str, TableColumns] | None = None,
    ) -> None:
        self.spec = spec
        self.rows = rows
        self.cache = cache
        self.columns = columns  # the whole table's, shared with the database and workbook
        self.keys = row_keys(spec, rows)

    @cached_property
    def digest(self) -> str:
        """Of the schema and every row, in order (keys are 16 bytes each: unambiguous)."""
        spec = repr(self.spec).encode()
        return hashlib.blake2b(spec + b"\0" + b"".join(self.keys), digest_size=16).hexdigest()

    @property
    def lines(self) -> list[str]:
        return self._encoded[0]

    @property
    def records(self) -> list[str]:
        return self._encoded[1]

    def record(self, i: int) -> str:
        """The i-th row's JSON record; alone, it is encoded rather than the cache read."""
        if "_encoded" in self.__dict__:  # the cached_property was computed
            return self.records[i]
        return TableColumns(self.spec, [self.rows[i]]).json_records()[0]

    def csv_bytes(self) -> bytes:
        return (csv_header(self.spec) + "".join(self.lines)).encode("utf-8")

    def json_bytes(self) -> bytes:
        return to_json(self.records)

    @cached_property
    def _encoded(self) -> tuple[list[str], list[str]]:
        name, schema = f"rows-{self.spec.name}", self.cache.key(repr(self.spec))
        known = self._known(self.cache.load(name), schema)
        missing = [i for i, key in enumerate(self.keys) if key not in known]
        many = worth_saving(len(missing), len(self.keys))
        if many and self.columns is not None:  # a first build: the whole table at once
            whole = self.columns[self.spec.name]
            lines, records = csv_lines(whole.csv_cells()), whole.json_records()
        else:
            if missing:
                columns = TableColumns(self.spec, [self.rows[i] for i in missing])
                made = zip(csv_lines(columns.csv_cells()), columns.json_records(), strict=True)
                for i, encoded in zip(missing, made, strict=True):
                    known[self.keys[i]] = encoded
            lines = [known[key][0] for key in self.keys]
            records = [known[key][1] for key in self.keys]
        if many:
            self.cache.save(name, (schema, self.keys, lines, records))
        return lines, records

    @staticmethod
    def _known(found: Any, schema: str) -> dict[bytes, tuple[str, str]]:
        """key -> (line, record) from a saved table of this schema (and this code)."""
        if not (isinstance(found, tuple) and len(found) == 4 and found[0] == schema):
            return {}
        _, keys, lines, records = found
        if not len(keys) == len(lines) == len(records):
            return {}
        return dict(zip(keys, zip(lines, records, strict=True), strict=True))


# --- data package ----------------------------------------------------------------------------


def datapackage(
    specs: dict[str, TableSpec], csvs: dict[str, DataFile], config: BuildConfig, release: dt.date
) -> dict[str, Any]:
    """Data Package v1 (frictionless-py 5 does not implement v2). `created` is the release
    date, not the clock; `bytes` and `hash` let frictionless check each file's integrity."""
    resources = []
    for name in TABLES:
        spec, data = specs[name], csvs[name]
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "title": f"{spec.title} / {spec.title_en}",
                "description": f"{spec.description} — EN: {spec.description_en}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": data.size,
                "hash": "sha256:" + data.sha256,
                "dialect": {
                    "delimiter": ",",
                    "lineTerminator": "\n",
                    "quoteChar": '"',
                    "doubleQuote": True,
                    "header": True,
                },
                "schema": spec.schema(),
            }
        )
    resources_by_name = {r["name"]: r for r in resources}
    resources_by_name["photos"]["licenses"] = [
        {
            "name": "various",
            "title": "Bảng photos theo CC BY 4.0; mỗi ảnh theo giấy phép ở cột licence "
            "(photos.csv is CC BY 4.0; each photo is under the licence in its licence column)",
        }
    ]
    day = release.isoformat()
    return {
        "profile": "tabular-data-package",
        "name": "ocop-open-catalog",
        "id": config.base_url + "data/",
        "title": f"{SITE_NAME} — {SITE_NAME_EN}",
        "description": (
            "Sản phẩm OCOP (Chương trình Mỗi xã một sản phẩm) của Việt Nam: sản phẩm, chủ thể, "
            "chứng nhận, ảnh, nguồn và thay đổi so với bản trước. Tình trạng chứng nhận tính "
            f"vào ngày phát hành {day}. Ô văn bản bắt đầu bằng = + - @, tab hoặc CR có thêm "
            "dấu ' ở đầu trong CSV để bảng tính không chạy như công thức. — EN: Vietnam's OCOP "
            "products: products, producers, certificates, photos, sources and changes since the "
            f"previous release. Certificate status is computed on the release date {day}. CSV "
            "text cells starting with = + - @, tab or CR get a leading ' so that spreadsheets "
            "do not run them as formulas."
        ),
        "homepage": config.base_url + "data/",
        "version": day,
        "created": f"{day}T00:00:00Z",
        "keywords": [
            "OCOP",
            "Việt Nam",
            "Vietnam",
            "mỗi xã một sản phẩm",
            "one commune one product",
            "open data",
        ],
        "licenses": [dict(DATA_LICENCE)],
        "sources": [
            {
                "title": "Quyết định công nhận sản phẩm OCOP của UBND tỉnh, thành phố và Bộ Nông "
                "nghiệp và Môi trường (số quyết định trong certificates.csv); nguồn từng sản phẩm "
                "trong sources.csv"
            },
            {"title": f"{SITE_NAME} — hồ sơ danh mục", "path": config.base_url},
        ],
        "contributors": [{"title": SITE_NAME_EN, "role": "publisher", "path": config.base_url}],
        "resources": resources,
    }


# --- the package check --------------------------------------------------------------------------
# frictionless reads every cell of a package (about 8 s of CPU at 20,000 products, a third of it
# reading products.csv again for each foreign key). Its checks are of two kinds:
#  - row checks (types, constraints, cell counts, the header) depend on one line and its
#    table's schema: frictionless reads every line it has not found valid under the same schema
#    before (all of them in a first build), and the published descriptor unless it found this
#    very descriptor valid before. Verdicts are kept by digest once a check passed.
#  - table checks (unique fields, primary keys, foreign keys) depend only on the key columns:
#    key_errors makes them, as frictionless does, on every row's key cells as published; that
#    is a few set lookups where frictionless would read products.csv four more times.

TABLE_ERRORS = frozenset({"primary-key", "unique-error", "foreign-key"})


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


def _rows_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource as published, for its row checks: without hash and size (what is read is a
    part of the file) and foreign keys (key_errors's business)."""
    out = {k: v for k, v in resource.items() if k not in ("hash", "bytes")}
    out["schema"] = {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
    return out


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class FrictionlessJob:
    """What frictionless is to read (small enough to send to a worker process)."""

    folder: str  # holds <table>.csv: the lines of each table to read, after its header
    descriptor: str | None  # the published datapackage.json, unless found valid before
    rows: dict[str, Any] | None  # a package of those files
    row_numbers: dict[str, list[int]]  # per table: the published row number of each line read


@dataclass
class CheckPlan:
    """What frictionless has not vouched for yet, and what to keep once the check passed."""

    descriptor: str | None = None
    rows: dict[str, Any] | None = None
    keys: bool = True  # key_errors to run: the keys are not those of a passed check
    row_numbers: dict[str, list[int]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # name in the job's folder -> text
    valid_lines: dict[str, tuple[str, str, frozenset[bytes]]] = field(default_factory=dict)
    verdicts: list[str] = field(default_factory=list)  # the descriptor's, the keys

    @property
    def lines_read(self) -> int:
        """Bytes of lines frictionless reads: a large job runs in a worker process."""
        return sum(map(len, self.files.values()))

    def job(self, folder: Path) -> FrictionlessJob:
        return FrictionlessJob(str(folder), self.descriptor, self.rows, self.row_numbers)


def check_plan(
    package: dict[str, Any], descriptor: Path, tables: dict[str, EncodedTable], cache: DatasetCache
) -> CheckPlan:
    """What has not been found valid yet: the descriptor, lines, the keys."""
    plan = CheckPlan()
    known = cache.recall("verdicts")
    package_key = cache.key("package", descriptor.read_bytes())
    if package_key not in known:
        plan.verdicts.append(package_key)
        plan.descriptor = str(descriptor)
    keys_key = cache.key("keys", keys_digest(tables))
    plan.keys = keys_key not in known
    if plan.keys:
        plan.verdicts.append(keys_key)
    resources = {r["name"]: r for r in package["resources"]}
    rows = [r for name, table in tables.items() if (r := _plan_rows(plan, resources[name], table))]
    if rows:
        plan.rows = {k: v for k, v in package.items() if k != "resources"}
        plan.rows["resources"] = rows
    return plan


def _plan_rows(
    plan: CheckPlan, published: dict[str, Any], table: EncodedTable
) -> dict[str, Any] | None:
    """The table's resource for the row checks when some of its lines were never found valid
    under its schema (their file goes in the plan); None when all were."""
    name = table.spec.name
    resource = _rows_resource(published)
    schema_key = table.cache.key("rows", _canonical(resource))
    seen = table.cache.load(f"lines-{name}")
    if not (isinstance(seen, tuple) and len(seen) == 3 and seen[0] == schema_key):
        seen = (schema_key, "", frozenset())
    if seen[1] == table.digest:
        return None  # every line of this very table was found valid
    digests = [hashlib.blake2b(line.encode(), digest_size=16).digest() for line in table.lines]
    plan.valid_lines[name] = (schema_key, table.digest, frozenset(digests))
    new = [i for i, digest in enumerate(digests) if digest not in seen[2]]
    if not new:
        return None
    plan.row_numbers[name] = [i + 2 for i in new]  # row 1 is the header
    plan.files[resource["path"]] = csv_header(table.spec) + "".join(table.lines[i] for i in new)
    return resource


def _error_line(task: str, error: Any) -> str:
    where = task
    row = getattr(error, "row_number", None)
    fieldname = getattr(error, "field_name", None)
    if row is not None:
        where += f" row {row}"
    if fieldname:
        where += f" field {fieldname}"
    return f"{where}: {error.type}: {error.message}"


def _report_lines(
    report: Any, skip: frozenset[str] = frozenset(), row_numbers: dict[str, list[int]] | None = None
) -> list[str]:
    """A frictionless report as "where: type: message" lines; `row_numbers` turns the rows of
    a file of some lines into the rows of the file they were taken from."""
    lines = [f"package: {e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        numbers = (row_numbers or {}).get(task.name)
        for error in task.errors:
            if error.type in skip:
                continue
            row = getattr(error, "row_number", None)
            if numbers is not None and row is not None:
                real = {**error.to_descriptor(), "rowNumber": numbers[row - 2]}
                error = type(error).from_descriptor(real)  # its message names the real row
            lines.append(_error_line(task.name, error))
    return lines


def _descriptor_errors(path: str) -> list[str]:
    """What frictionless finds wrong in the published descriptor itself, files aside."""
    import frictionless

    try:
        frictionless.Package(path).to_descriptor(validate=True)
    except frictionless.FrictionlessException as err:
        return [f"package: {e.type}: {e.message}" for e in err.to_errors()]
    return []


def run_frictionless(job: FrictionlessJob) -> list[str]:
    """frictionless on what the job names; "where: type: message" lines, rows as published.
    Table errors among the lines read are left to key_errors, which sees every row."""
    errors: list[str] = []
    if job.descriptor is not None:
        errors += _descriptor_errors(job.descriptor)
    if job.rows is not None:
        import frictionless

        try:  # a copy: frictionless may normalise the descriptor it is given
            package = frictionless.Package(json.loads(json.dumps(job.rows)), basepath=job.folder)
            report = package.validate()
        except frictionless.FrictionlessException as err:
            report = frictionless.Report.from_validation(errors=err.to_errors())
        errors += _report_lines(report, TABLE_ERRORS, job.row_numbers)
    return list(dict.fromkeys(errors))


def package_errors(descriptor_path: str) -> list[str]:
    """frictionless on the whole package as written, every file read (the tests compare the
    incremental check with this)."""
    import frictionless

    return _report_lines(frictionless.validate(descriptor_path))


class PackageCheck:
    """The package check: check_plan's frictionless job and key_errors. A large frictionless
    job (a first build reads every line) runs in a new process from start(), while this one
    goes on; the job is a folder of CSV files and a descriptor, so the process need not share
    this one's memory. A small job runs here when the result is asked for, as starting a
    process would cost more; key_errors always does (set lookups, ~0.1 s at 20,000 products).
    Verdicts are kept once the check passed."""

    def __init__(
        self, plan: CheckPlan, tables: dict[str, EncodedTable], cache: DatasetCache
    ) -> None:
        self.plan = plan
        self.tables = tables
        self.cache = cache
        self.folder = Path(tempfile.mkdtemp(prefix="ocop-check-"))
        for name, text in plan.files.items():
            (self.folder / name).write_text(text, encoding="utf-8", newline="")
        self.job = plan.job(self.folder)
        self.child: Background[list[str]] | None = None

    def start(self) -> None:
        """Starts a large job's process (once); a small job waits for result()."""
        if self.child is None and self.plan.lines_read >= PARALLEL_VALIDATION_BYTES:
            self.child = Background(partial(run_frictionless, self.job), "frictionless", True)

    def result(self) -> None:
        self.start()
        errors = run_frictionless(self.job) if self.child is None else self.child.result()
        if self.plan.keys:
            errors += key_errors(self.tables)
        if errors:
            raise DatasetError("frictionless: datapackage.json is not valid", errors)
        for name, entry in self.plan.valid_lines.items():  # every line is now known valid
            self.cache.save(f"lines-{name}", entry)
        self.cache.save(CHECKED, self.cache.code)
        if self.plan.verdicts:
            self.cache.remember("verdicts", dict.fromkeys(self.plan.verdicts, True))

    def close(self) -> None:
        if self.child is not None:  # also when making another format failed meanwhile
            self.child.cancel()
            self.child = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PackageCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ForkedCall:
    """fn(*args) in a forked child, for a format that would otherwise wait for this process's
    core: the child inherits the arguments (nothing is pickled but the result), and this
    process goes on with the other formats meanwhile. Same code, so the same bytes."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._job: Background[Any] = Background(lambda: fn(*args), getattr(fn, "__name__", "?"))

    def result(self) -> Any:
        try:
            return self._job.result()
        except Exception as err:
            raise DatasetError(f"making a data file failed in a worker:\n{err!r}") from err

    def close(self) -> None:
        self._job.cancel()


# --- releases and changes ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    date: str
    files: tuple[ReleaseFile, ...]
    folder: Path | None = None  # where it was read from (the previously published site)

    def names(self) -> set[str]:
        return {f.name for f in self.files}


def carry_forward_releases(
    config: BuildConfig,
    writer: SiteWriter,
    current: str,
) -> dict[str, Release]:
    """Copies every earlier release from the published site, byte for byte, after checking
    its SHA256SUMS: a release is immutable, and a damaged one must not be republished.
    A release with the current date is replaced (a second catalog change on the same day).
    Files are streamed one at a time: years of releases need not fit in memory.

    A file is hashed again only when its stat stamp (size, modification and change times,
    inode) differs from the one it had when last found intact: every write changes its
    ctime, which no tool can set back. A year of weekly releases at 20,000 products is ~2 GB,
    otherwise read and hashed twice by every build; and the staging tree already holding a
    file with that SHA-256 (the writer's manifest) is not rewritten."""
    root = config.out_dir / "data" / "releases"
    found: dict[str, Release] = {}
    if not root.is_dir():
        return found
    cache = DatasetCache(config.cache_dir)
    verified = cache.recall(RELEASES_VERIFIED)
    intact: dict[str, str] = {}  # stamp -> SHA-256, of every file found intact now
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not ISO_DATE.match(folder.name) or folder.name == current:
            continue
        sums_path = folder / "SHA256SUMS"
        if not sums_path.is_file():
            raise DatasetError(f"release {folder.name} has no SHA256SUMS: {sums_path}")
        sums = sums_path.read_bytes()
        listed = parse_sha256sums(sums.decode("utf-8"))
        problems = []
        sizes = {}
        for name, digest in listed:
            path = folder / name
            if not path.is_file():
                problems.append(f"{path}: missing")
                continue
            st = path.stat()
            stamp = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"
            if verified.get(stamp) != digest and _sha256_file(path) != digest:
                problems.append(f"{path}: checksum differs")
                continue
            intact[stamp] = digest
            sizes[name] = st.st_size
        if problems:
            raise DatasetError(f"release {folder.name} is damaged; restore it", problems)
        files = [ReleaseFile("SHA256SUMS", len(sums), hashlib.sha256(sums).hexdigest())]
        writer.write_bytes(f"data/releases/{folder.name}/SHA256SUMS", sums)
        for name, digest in sorted(dict(listed).items()):
            if name == "SHA256SUMS":
                continue
            rel, key = f"data/releases/{folder.name}/{name}", f"sha256:{digest}"
            if not writer.unchanged(rel, key):
                writer.write_bytes(rel, (folder / name).read_bytes(), key)
            files.append(ReleaseFile(name, sizes[name], digest))
        files.sort(key=lambda f: f.name)
        found[folder.name] = Release(folder.name, tuple(files), folder)
    if intact != verified:
        cache.save(RELEASES_VERIFIED, intact)
    return found


def _sha256_file(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def read_csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@dataclass(frozen=True)
class Change:
    kind: str
    product_id: str
    before: dict[str, str] | None  # the previous release's products.csv row
    after: dict[str, str] | None  # this release's products.csv row
    changed_fields: tuple[str, ...]


def classify_changes(
    previous: list[dict[str, str]] | None, current: list[dict[str, str]]
) -> list[Change]:
    """One change per product, the most significant: a new status (withdrawn, revoked,
    expired) before a new certificate (re-rated) before any other edit (updated).
    `previous` None is the first release: every product is "added"."""
    before = {r["id"]: r for r in previous or []}
    after = {r["id"]: r for r in current}
    changes = []
    for pid in sorted(before.keys() | after.keys()):
        old, new = before.get(pid), after.get(pid)
        if old is None:
            changes.append(Change("added", pid, None, new, ()))
            continue
        if new is None:
            changes.append(Change("removed", pid, old, None, ()))
            continue
        compared = [k for k in new if k in old and k not in NOT_RECORD_CHANGES]
        changed = tuple(k for k in compared if old[k] != new[k])
        status_old, status_new = old.get("status"), new.get("status")
        if status_new != status_old and status_new in ("withdrawn", "revoked", "expired"):
            kind = status_new
        elif (old.get("certificate_number"), old.get("stars")) != (
            new.get("certificate_number"),
            new.get("stars"),
        ):
            kind = "re-rated"
        elif changed or status_new != status_old:
            kind = "updated"  # e.g. a revocation withdrawn by a correction
        else:
            continue
        changes.append(Change(kind, pid, old, new, changed))
    return changes


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text else None


def change_rows(
    changes: list[Change],
    current_rows: dict[str, Row],
    release: dt.date,
    previous_release: dt.date | None,
    config: BuildConfig,
) -> list[Row]:
    rows = []
    for c in changes:
        typed = current_rows.get(c.product_id)
        old = c.before or {}
        rows.append(
            {
                "release": release,
                "previous_release": previous_release,
                "change": c.kind,
                "product_id": c.product_id,
                "name": typed["name"] if typed else unneutralise(old.get("name", "")),
                "province_code": typed["province_code"] if typed else old.get("province_code"),
                "province_name": typed["province_name"]
                if typed
                else unneutralise(old.get("province_name", "")) or None,
                "stars_before": _int_or_none(old.get("stars")),
                "stars": typed["stars"] if typed else None,
                "status_before": old.get("status") or None,
                "status": typed["status"] if typed else None,
                "certificate_before": unneutralise(old.get("certificate_number", "")) or None,
                "certificate_number": typed["certificate_number"] if typed else None,
                "changed_fields": "; ".join(c.changed_fields) or None,
                "url": product_url(config, c.product_id),
            }
        )
    return rows


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


def _md_escape(text: str) -> str:
    return MD_SPECIAL.sub(r"\\\1", text)


def _change_line(r: Row, kind: str) -> str:
    bits = [f"[{_md_escape(r['name'])}]({r['url']}) (`{r['product_id']}`)"]
    if r["province_name"]:
        bits.append(_md_escape(r["province_name"]))
    if r["stars_before"] and r["stars"] and r["stars_before"] != r["stars"]:
        bits.append(f"{r['stars_before']}★ → {r['stars']}★")
    elif r["stars"]:
        bits.append(f"{r['stars']}★")
    if r["status"]:
        bits.append(STATUS_TEXT[r["status"]])
    if kind == "re-rated" and r["certificate_number"]:
        bits.append(f"quyết định {_md_escape(r['certificate_number'])}")
    if kind == "updated" and r["changed_fields"]:
        bits.append(f"sửa: {_md_escape(r['changed_fields'])}")
    return "- " + ", ".join(bits)


def changes_markdown(
    rows: list[Row], release: dt.date, previous: dt.date | None, limit: int | None = None
) -> str:
    """Markdown without headings: the site's Markdown renderer keeps headings for pages.
    `limit` lists at most that many products per kind (the data page; the files have all)."""
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r["change"], []).append(r)
    if previous is None:
        lines = [
            f"Bản phát hành **{release.isoformat()}** là bản đầu tiên: "
            f"{len(rows)} sản phẩm được thêm."
        ]
    elif not rows:
        lines = [
            f"Bản phát hành **{release.isoformat()}**: không có thay đổi so với bản "
            f"**{previous.isoformat()}**."
        ]
    else:
        summary = ", ".join(
            f"{len(groups[k])} {CHANGE_TITLES[k].split(' (')[0].lower()}"
            for k in CHANGE_ORDER
            if k in groups
        )
        lines = [
            f"Bản phát hành **{release.isoformat()}** so với bản "
            f"**{previous.isoformat()}**: {summary}."
        ]
    for kind in CHANGE_ORDER:
        group = groups.get(kind)
        if not group:
            continue
        lines += ["", f"**{CHANGE_TITLES[kind]} ({len(group)})**", ""]
        lines += [_change_line(r, kind) for r in group[:limit]]
        if limit is not None and len(group) > limit:
            lines.append(f"- … và {len(group) - limit} sản phẩm khác (xem changes.csv)")
    return "\n".join(lines) + "\n"


# --- feed --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEvent:
    day: dt.date
    kind: str  # new | re-rated | expired | revoked | withdrawn
    product: Product
    title: str
    summary: str


def feed_events(catalog: Catalog, day: dt.date) -> list[FeedEvent]:
    """Events dated by the records themselves (decision, expiry, revocation, withdrawal), so
    the feed is the same whenever it is built for one release. The newest FEED_ENTRIES are
    chosen first; only they get their texts written."""
    found: list[tuple[int, str, str, int, Product, int]] = []  # sort key, order, what to tell
    for p in catalog.products:
        history = (*p.previous_certificates, p.certificate)
        # A decision in a record has happened: one known only to its month or year is dated by
        # the first day it could be. An expiry or revocation is told only once it is certain.
        dated = [
            (c.date.earliest, "new" if n == 0 else "re-rated", n) for n, c in enumerate(history)
        ]
        cert, w = p.certificate, p.withdrawn
        if cert.revoked and cert.revoked.date.latest <= day:
            dated.append((cert.revoked.date.latest, "revoked", 0))
        expired_on = cert.valid_until.latest + dt.timedelta(days=1)
        if cert.status_on(day) is Validity.EXPIRED and not (w and w.date <= expired_on):
            dated.append((expired_on, "expired", 0))
        if w:
            dated.append((w.date, "withdrawn", 0))
        for when, kind, n in dated:
            if kind == "expired" or when <= day:
                found.append((-when.toordinal(), p.id, kind, len(found), p, n))
    # The order of sorting by (day descending, product, kind), ties in the order found.
    newest = heapq.nsmallest(FEED_ENTRIES, found, key=itemgetter(0, 1, 2, 3))
    return [_feed_event(p, kind, n) for _, _, kind, _, p, n in newest]


def _on(day: PartialDate) -> str:
    """ "ngày 2021-03-15", "2021-03", "2019": "ngày" only before a whole date."""
    return f"ngày {day.isoformat()}" if day.is_exact else day.isoformat()


def _feed_event(p: Product, kind: str, n: int) -> FeedEvent:
    """The n-th certificate of p's history for "new" and "re-rated"."""
    place, cert, w = p.place.province_name, p.certificate, p.withdrawn
    if kind in ("new", "re-rated"):
        history = (*p.previous_certificates, p.certificate)
        c = history[n]
        if kind == "new":
            title = f"{p.name}: công nhận OCOP {c.stars}★"
            summary = f"{place}. Quyết định {c.number} {_on(c.date)}, {c.issuer}."
        else:
            title = f"{p.name}: {history[n - 1].stars}★ → {c.stars}★"
            summary = (
                f"{place}. Công nhận lại theo quyết định {c.number} {_on(c.date)}, {c.issuer}."
            )
        return FeedEvent(c.date.earliest, kind, p, title, summary)
    if kind == "revoked" and cert.revoked:
        summary = f"{place}. Quyết định thu hồi {cert.revoked.decision} {_on(cert.revoked.date)}."
        return FeedEvent(
            cert.revoked.date.latest, kind, p, f"{p.name}: bị thu hồi chứng nhận OCOP", summary
        )
    if kind == "withdrawn" and w:
        summary = f"{place}. Ngừng từ ngày {w.date.isoformat()}: {w.reason}"
        return FeedEvent(w.date, kind, p, f"{p.name}: ngừng", summary)
    until = cert.valid_until
    summary = (
        f"{place}. Quyết định {cert.number} hết hiệu lực sau ngày {until.isoformat()}; "
        if until.is_exact
        else f"{place}. Quyết định {cert.number} ({cert.date.isoformat()}) hết hiệu lực "
        f"chậm nhất sau ngày {until.latest.isoformat()}; "
    ) + "chưa có công nhận lại."
    expired_on = until.latest + dt.timedelta(days=1)
    return FeedEvent(expired_on, "expired", p, f"{p.name}: chứng nhận OCOP hết hạn", summary)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+07:00"  # a Vietnamese calendar day


def atom_feed(catalog: Catalog, config: BuildConfig, day: dt.date) -> bytes:
    host = urlsplit(config.base_url).hostname or "localhost"
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "vi"})
    ET.SubElement(feed, "id").text = f"tag:{host},{TAG_DATE}:ocop/feed"
    ET.SubElement(feed, "title").text = f"{SITE_NAME}: công nhận, hết hạn, thu hồi"
    ET.SubElement(feed, "updated").text = _stamp(day)
    ET.SubElement(feed, "link", {"rel": "self", "href": config.base_url + "data/feed.atom"})
    ET.SubElement(
        feed, "link", {"rel": "alternate", "type": "text/html", "href": config.base_url + "data/"}
    )
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = SITE_NAME
    ET.SubElement(feed, "rights").text = "CC BY 4.0"
    for e in feed_events(catalog, day):
        entry = ET.SubElement(feed, "entry")
        tag = f"tag:{host},{TAG_DATE}:ocop/p/{e.product.id}/{e.kind}/{e.day.isoformat()}"
        ET.SubElement(entry, "id").text = tag
        ET.SubElement(entry, "title").text = e.title
        ET.SubElement(entry, "updated").text = _stamp(e.day)
        ET.SubElement(
            entry,
            "link",
            {"rel": "alternate", "type": "text/html", "href": product_url(config, e.product.id)},
        )
        ET.SubElement(entry, "category", {"term": e.kind})
        ET.SubElement(entry, "summary").text = e.summary + (
            " (Hồ sơ ví dụ.)" if e.product.example else ""
        )
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


# --- texts that travel with the files -----------------------------------------------------------


def licence_text(release: str, config: BuildConfig) -> str:
    return f"""# Giấy phép / Licence

Dữ liệu {SITE_NAME}, bản phát hành {release}.

## Dữ liệu / Data

Mọi bảng (CSV, JSON, SQLite, Excel) theo giấy phép Creative Commons Ghi công 4.0 Quốc tế
(CC BY 4.0): {DATA_LICENCE["path"]}
Khi dùng lại, ghi: "{SITE_NAME}, bản phát hành {release}, {config.base_url}data/ (CC BY 4.0)".

All tables (CSV, JSON, SQLite, Excel) are under Creative Commons Attribution 4.0
International (CC BY 4.0). Credit: "{SITE_NAME_EN}, release {release},
{config.base_url}data/ (CC BY 4.0)".

## Ảnh / Photos

Ảnh sản phẩm KHÔNG thuộc giấy phép trên. Mỗi ảnh theo giấy phép ghi ở cột `licence` của
photos.csv, ghi công theo cột `credit`; cột trống nghĩa là chưa rõ giấy phép: hỏi chủ thể
trước khi dùng lại ảnh.

Product photos are NOT covered by the licence above. Each photo is under the licence in the
`licence` column of photos.csv, credited as in `credit`; an empty licence means unknown: ask the
producer before reusing the photo.

## Hồ sơ ví dụ / Example records

Dòng có `example = true` là minh họa, không phải dữ liệu thật.
Rows with `example = true` are illustrative, not real data.
"""


def dictionary_markdown(specs: dict[str, TableSpec], release: str) -> str:
    lines = [
        f"# Từ điển dữ liệu / Data dictionary — {SITE_NAME}, {release}",
        "",
        "CSV: UTF-8, dòng tiêu đề, xuống dòng LF, ngày dạng YYYY-MM-DD, ô trống là không có giá "
        "trị. Ô văn bản bắt đầu bằng `=`, `+`, `-`, `@`, tab hoặc CR có thêm dấu `'` ở đầu để "
        'bảng tính không chạy như công thức (ví dụ mô tả Markdown bắt đầu bằng "- "); bỏ dấu '
        "này khi đọc bằng chương trình. JSON, SQLite và Excel giữ nguyên văn bản.",
        "",
        "CSV: UTF-8, header row, LF line ends, dates YYYY-MM-DD, empty cell = no value. Text "
        "cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so spreadsheets do "
        'not run them as formulas (e.g. Markdown descriptions starting with "- "); strip it '
        "when reading with a program. JSON, SQLite and Excel keep the text as is.",
    ]
    for name in TABLES:
        spec = specs[name]
        lines += [
            "",
            f"## {name}.csv — {spec.title} / {spec.title_en}",
            "",
            f"{spec.description}",
            "",
            f"{spec.description_en}",
            "",
            f"Khóa chính / primary key: {', '.join(spec.primary_key)}",
            "",
            "| cột / column | kiểu / type | tên / title | mô tả / description |",
            "|---|---|---|---|",
        ]
        for f in spec.fields:
            desc = f"{f.description} {f.description_en}".replace("|", "\\|")
            lines.append(f"| `{f.name}` | {f.type} | {f.title} / {f.title_en} | {desc} |")
    return "\n".join(lines) + "\n"


# --- the renderer -------------------------------------------------------------------------------

LATEST_TITLES = {
    "datapackage.json": "Mô tả gói dữ liệu (Frictionless Data Package v1)",
    "ocop.sqlite": "Toàn bộ dữ liệu, cơ sở dữ liệu SQLite",
    "ocop.xlsx": "Toàn bộ dữ liệu, bảng tính Excel",
    "CHANGES.md": "Thay đổi so với bản trước (Markdown)",
    "README.md": "Từ điển dữ liệu (Markdown)",
    "LICENSE.md": "Giấy phép dữ liệu và ảnh",
    "SHA256SUMS": "Mã kiểm tra SHA-256 của các tệp trên",
}


def _file_title(name: str, specs: dict[str, TableSpec]) -> str:
    stem, _, ext = name.rpartition(".")
    if stem in specs:
        return f"{specs[stem].title} ({ext.upper()})"
    return LATEST_TITLES.get(name, name)


def _media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def rows_by_product(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        item = {k: json_value(v) for k, v in r.items() if k != "product_id"}
        grouped.setdefault(r["product_id"], []).append(item)
    return grouped


def product_json(
    row: Row, nested: dict[str, dict[str, list[dict[str, Any]]]], release: str, config: BuildConfig
) -> bytes:
    """One product as the tables have it, with its certificates, photos and sources."""
    data = {k: json_value(v) for k, v in row.items()}
    for name in ("certificates", "photos", "sources"):
        data[name] = nested[name].get(row["id"], [])
    data["release"] = release
    data["license"] = DATA_LICENCE["path"]
    data["datapackage"] = config.base_url + "data/latest/datapackage.json"
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


NESTED = ("certificates", "photos", "sources")  # in p/<id>/product.json, in this order
PRODUCT_JSON_TAIL = ("release", "license", "datapackage")


class ProductJsons:
    """p/<id>/product.json: a product's record from products.json with its records from
    certificates.json, photos.json and sources.json (joined, not encoded again), and the
    release. Each file is keyed by those rows: an unchanged product's file is neither made nor
    written again."""

    def __init__(
        self,
        tables: dict[str, EncodedTable],
        release: str,
        config: BuildConfig,
        cache: DatasetCache,
    ) -> None:
        self.tables = tables
        self.release = release
        self.config = config
        self.ids: list[str] = list(map(itemgetter("id"), tables["products"].rows))
        self.groups: dict[str, dict[str, list[int]]] = {}  # table -> product id -> its rows
        for name in NESTED:
            group: dict[str, list[int]] = {}
            pids = enumerate(map(itemgetter("product_id"), tables[name].rows))
            for pid, run in groupby(pids, key=itemgetter(1)):  # a product's rows come together
                group.setdefault(pid, []).extend(i for i, _ in run)
            self.groups[name] = group
        specs = (repr(tables[name].spec) for name in ("products", *NESTED))
        self.base = cache.key("product.json", release, config.base_url, *specs).encode()
        values = (release, DATA_LICENCE["path"], config.base_url + "data/latest/datapackage.json")
        self.tail = "".join(
            f", {_json_str(k)}: {_json_str(v)}"
            for k, v in zip(PRODUCT_JSON_TAIL, values, strict=True)
        )

    def to_write(self, writer: SiteWriter) -> list[tuple[str, str, bytes]]:
        """(path, key, bytes) of each file the tree does not hold for its key; those it holds
        count as written."""
        out = []
        for i, pid in enumerate(self.ids):
            path, key = product_json_path(pid), self.key(i)
            if not writer.unchanged(path, key):
                out.append((path, key, self.data(i)))
        return out

    def key(self, i: int) -> str:
        """Of the i-th product's row and its rows in each nested table, in table order."""
        digest = hashlib.blake2b(self.base, digest_size=16)
        digest.update(self.tables["products"].keys[i])
        for name in NESTED:
            group = self.groups[name].get(self.ids[i], ())
            digest.update(len(group).to_bytes(4, "big"))
            for j in group:
                digest.update(self.tables[name].keys[j])
        return "j:" + digest.hexdigest()

    def data(self, i: int) -> bytes:
        names = self.tables["products"].spec.names
        if not names or set(names) & {*NESTED, *PRODUCT_JSON_TAIL}:
            # A column named like an added key would be replaced in place: the general path.
            row = self.tables["products"].rows[i]
            return product_json(row, self._nested_values, self.release, self.config)
        pid = self.ids[i]
        parts = [self.tables["products"].record(i)[:-1]]
        for name in NESTED:
            items = [self._nested_record(name, j) for j in self.groups[name].get(pid, ())]
            parts.append(f", {_json_str(name)}: [{', '.join(items)}]")
        return ("".join(parts) + self.tail + "}\n").encode("utf-8")

    def _nested_record(self, name: str, j: int) -> str:
        """The j-th record of table `name` without its product_id: cut from the JSON table's
        record when product_id comes first, else encoded."""
        table = self.tables[name]
        row = table.rows[j]
        if len(table.spec.names) > 1 and table.spec.names[0] == "product_id":
            cut = len(f"{{{_json_str('product_id')}: {_json_str(row['product_id'])}, ")
            return "{" + table.record(j)[cut:]
        return TableColumns(table.spec, [row]).json_records(skip="product_id")[0]

    @cached_property
    def _nested_values(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        return {name: rows_by_product(self.tables[name].rows) for name in NESTED}


def _about_sheet(release: str, config: BuildConfig) -> list[tuple[str, str]]:
    return [
        ("Tên / Title", f"{SITE_NAME} — {SITE_NAME_EN}"),
        ("Bản phát hành / Release", release),
        ("Giấy phép / Licence", f"CC BY 4.0 {DATA_LICENCE['path']} (ảnh: xem photos.licence)"),
        ("Trang dữ liệu / Data page", config.base_url + "data/"),
        ("Tình trạng / Status", f"Tính vào ngày {release} / computed on {release}"),
        (
            "Ví dụ / Examples",
            "Dòng example = true là minh họa / example = true rows are illustrative",
        ),
        ("Từ điển / Dictionary", "README.md, datapackage.json"),
    ]


@dataclass(frozen=True)
class DataFile:
    """A file of the data release: its bytes, or None when the tree already holds it."""

    name: str
    key: str | None  # the writer's input key (None: keyed by content)
    size: int
    sha256: str
    data: bytes | None


class DataFiles:
    """Files made from whole tables, each under an input key (cache.key of what it is made
    from): when the tree holds the file for that key at every path it goes to, it is neither
    made nor written again, and its size and SHA-256 come from when it was made."""

    def __init__(self, writer: SiteWriter, cache: DatasetCache) -> None:
        self.writer = writer
        self.cache = cache
        self.known: dict[str, tuple[int, str]] = cache.recall("files")
        self.made: dict[str, tuple[int, str]] = {}

    def reuse(self, name: str, key: str, paths: Sequence[str]) -> DataFile | None:
        entry = self.known.get(key)
        held = self.writer.previous
        if entry is None or any(held.get(path) != (key, entry[0]) for path in paths):
            return None
        for path in paths:
            self.writer.unchanged(path, key)
        self.made[key] = entry
        return DataFile(name, key, entry[0], entry[1], None)

    def keyed(
        self, name: str, key: str, make: Callable[[], bytes], paths: Sequence[str]
    ) -> DataFile:
        """The file for `key`, made by make() unless the tree holds it at `paths`."""
        return self.reuse(name, key, paths) or self.of(name, make(), key)

    def of(self, name: str, data: bytes, key: str | None = None) -> DataFile:
        entry = (len(data), hashlib.sha256(data).hexdigest())
        if key is not None:
            self.made[key] = entry
        return DataFile(name, key, entry[0], entry[1], data)

    def write(self, file: DataFile, path: str) -> None:
        if file.data is not None:
            self.writer.write_bytes(path, file.data, file.key)

    def keep(self) -> None:
        self.cache.remember("files", self.made)


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


def table_rows(
    catalog: Catalog, config: BuildConfig, vocab: Vocabulary, photos: PhotoIndex
) -> dict[str, list[Row]]:
    day = catalog.release_date
    return {
        "products": product_rows(catalog, config, vocab, day),
        "producers": producer_rows(catalog),
        "certificates": certificate_rows(catalog, day),
        "photos": photo_rows(catalog, config, photos),
        "sources": source_rows(catalog),
    }


def previous_products(
    releases: dict[str, Release], release: str
) -> tuple[str | None, list[dict[str, str]] | None]:
    """The newest release before this one and its products.csv rows (None, None: none)."""
    earlier = [d for d in releases if d < release]
    if not earlier:
        return None, None
    previous = max(earlier)
    folder = releases[previous].folder
    if "products.csv" not in releases[previous].names() or folder is None:
        raise DatasetError(f"release {previous} has no products.csv to compare with")
    return previous, read_csv_rows((folder / "products.csv").read_bytes())


def release_index(releases: dict[str, Release], latest: str) -> tuple[list[Release], str]:
    """Releases newest first, and data/releases/index.json."""
    release_list = [releases[d] for d in sorted(releases, reverse=True)]
    index_json = {
        "latest": latest,
        "releases": [
            {
                "date": r.date,
                "path": f"data/releases/{r.date}/",
                "files": [{"name": f.name, "bytes": f.size, "sha256": f.sha256} for f in r.files],
            }
            for r in release_list
        ],
    }
    return release_list, json.dumps(index_json, ensure_ascii=False, indent=1) + "\n"


LATEST_ORDER = (
    *(f"{n}.csv" for n in TABLES),
    *(f"{n}.json" for n in TABLES),
    "ocop.xlsx",
    "ocop.sqlite",
    "datapackage.json",
    "README.md",
    "CHANGES.md",
    "LICENSE.md",
    "SHA256SUMS",
)


def sha256sums(files: Iterable[DataFile]) -> bytes:
    """`sha256sum -c SHA256SUMS` format: hex digest, two spaces, name."""
    ordered = sorted(files, key=lambda f: f.name)
    return "".join(f"{f.sha256}  {f.name}\n" for f in ordered).encode("utf-8")


def core_files(
    tables: dict[str, EncodedTable],
    files: DataFiles,
    config: BuildConfig,
    day: dt.date,
    previous_day: dt.date | None,
) -> tuple[dict[str, DataFile], dict[str, Any]]:
    """What a release keeps (the CSV tables, datapackage.json, changelog, dictionary and
    licence), written to data/latest/; and the package descriptor."""
    specs = {name: table.spec for name, table in tables.items()}
    release = day.isoformat()
    paths = (latest_path, partial(release_path, release))
    csvs = {
        name: files.keyed(
            f"{name}.csv",
            files.cache.key(f"{name}.csv", tables[name].digest),
            tables[name].csv_bytes,
            [path(f"{name}.csv") for path in paths],
        )
        for name in TABLES
    }
    package = datapackage(specs, csvs, config, day)
    core = {f.name: f for f in csvs.values()}
    for name, text in (
        ("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2) + "\n"),
        ("CHANGES.md", changes_markdown(tables["changes"].rows, day, previous_day)),
        ("README.md", dictionary_markdown(specs, release)),
        ("LICENSE.md", licence_text(release, config)),
    ):
        core[name] = files.of(name, text.encode("utf-8"))
    for name, file in core.items():
        files.write(file, latest_path(name))
    return core, package


def json_and_sqlite(
    tables: dict[str, EncodedTable],
    columns: Mapping[str, TableColumns],
    files: DataFiles,
    meta: dict[str, str],
    day: dt.date,
) -> dict[str, DataFile]:
    out = {}
    for name, table in tables.items():
        key = files.cache.key(f"{name}.json", table.digest)
        path = latest_path(f"{name}.json")
        out[f"{name}.json"] = files.keyed(f"{name}.json", key, table.json_bytes, [path])
    specs = {name: table.spec for name, table in tables.items()}
    digests = [tables[name].digest for name in TABLES]
    out["ocop.sqlite"] = files.keyed(
        "ocop.sqlite",
        files.cache.key("ocop.sqlite", *digests, _canonical(meta), day.isoformat()),
        lambda: sqlite_file(specs, tables, columns, meta, day, files.cache),
        [latest_path("ocop.sqlite")],
    )
    return out


def latest_path(name: str) -> str:
    return f"data/latest/{name}"


def release_path(release: str, name: str) -> str:
    return f"data/releases/{release}/{name}"


def _sqlite_meta(release: str, config: BuildConfig) -> dict[str, str]:
    return {
        "title": SITE_NAME,
        "release": release,
        "license": DATA_LICENCE["path"],
        "homepage": config.base_url + "data/",
        "note": "Ảnh theo giấy phép riêng (photos.licence). Photos: see photos.licence.",
    }


def render_datasets(
    catalog: Catalog,
    config: BuildConfig,
    writer: SiteWriter,
    html: Html,
    photos: PhotoIndex,
    pending: list[PackageCheck] | None = None,
) -> DataIndex:
    """data/ and p/<id>/product.json.

    With `pending`, the frictionless check is not awaited here: it is appended (a large
    package's still running in its child) and the caller must call its result() (DatasetError
    when invalid) and then close() before publishing the site. The files derived from the
    package are then written before the verdict, into the staging folder that only a complete
    build publishes. Without `pending`, nothing derived is written unless the check passes.

    What earlier builds made from the same rows is not made again (DatasetCache: encoded
    rows, files the tree holds, workbook sheets, the last database, frictionless's verdicts);
    the files are the bytes a build from nothing writes."""
    specs = load_table_specs(config.schemas_dir)
    day = catalog.release_date
    release = day.isoformat()
    cache = DatasetCache(config.cache_dir)
    rows = table_rows(catalog, config, load_vocabulary(config.schemas_dir), photos)

    # Earlier releases first: the newest one before this is what the changelog compares with.
    releases = carry_forward_releases(config, writer, release)
    previous, previous_rows = previous_products(releases, release)
    previous_day = dt.date.fromisoformat(previous) if previous else None
    changes = classify_changes(previous_rows, _current_products(specs, rows, previous_rows))
    by_id = {r["id"]: r for r in rows["products"]}
    rows["changes"] = change_rows(changes, by_id, day, previous_day, config)
    for name in TABLES:
        check_rows(specs[name], rows[name])
    columns = Columns(specs, rows)
    tables = {name: EncodedTable(specs[name], rows[name], cache, columns) for name in TABLES}

    files = DataFiles(writer, cache)
    about = _about_sheet(release, config)
    digests = [tables[name].digest for name in TABLES]
    xlsx_key = cache.key("ocop.xlsx", *digests, _canonical(about), release)
    xlsx_file = files.reuse("ocop.xlsx", xlsx_key, [latest_path("ocop.xlsx")])
    sheets = SheetCache(cache, tables)
    cells = sum(len(rows[name]) * len(specs[name].fields) for name in TABLES)
    xlsx: ForkedCall | None = None
    check: PackageCheck | None = None
    try:
        # The workbook is the costliest format (its XML, then zlib); a large one is made in a
        # forked child from here on, while this process makes the other files.
        if xlsx_file is None and cells >= PARALLEL_XLSX_CELLS:
            xlsx = ForkedCall(to_xlsx, columns, about, day, sheets)
        core, package = core_files(tables, files, config, day, previous_day)
        # frictionless reads what it has not vouched for yet; the other formats meanwhile.
        descriptor = writer.root / latest_path("datapackage.json")
        check = PackageCheck(check_plan(package, descriptor, tables, cache), tables, cache)
        if xlsx is None:
            check.start()
        # else after the workbook's child: frictionless beside it and this process took the
        # tree above 2 GB at 20,000 products (a first build; later ones read few lines).
        meta = _sqlite_meta(release, config)
        try:
            latest = {**core, **json_and_sqlite(tables, columns, files, meta, day)}
        except sqlite3.IntegrityError as err:  # NOT NULL, a repeated key: the check says where
            check.start()
            check.result()
            raise DatasetError(f"ocop.sqlite: {err}") from err
        product_files = ProductJsons(tables, release, config, cache).to_write(writer)
        feed = atom_feed(catalog, config, day)
        if xlsx_file is None:
            data = to_xlsx(columns, about, day, sheets) if xlsx is None else xlsx.result()
            xlsx_file = files.of("ocop.xlsx", data, xlsx_key)
        check.start()
        latest["ocop.xlsx"] = xlsx_file
        if pending is None:
            check.result()
        else:
            pending.append(check)
            check = None  # the caller's to await and close
    finally:
        if xlsx is not None:
            xlsx.close()
        if check is not None:
            check.close()

    release_list = publish_release(files, core, latest, releases, release)
    writer.write_bytes("data/feed.atom", feed)
    for path, key, data in product_files:
        writer.write_bytes(path, data, key)
    index = DataIndex(release=release, feed="data/feed.atom")
    index.product_json = {p.id: product_json_path(p.id) for p in catalog.products}
    for name in LATEST_ORDER:
        file = latest[name]
        title = _file_title(name, specs)
        index.downloads.append(
            Download(title, latest_path(name), _media_type(name), file.size, file.sha256)
        )
    write_data_page(html, catalog, index, specs, rows, release_list, previous_day)
    return index


def _current_products(
    specs: dict[str, TableSpec],
    rows: dict[str, list[Row]],
    previous_rows: list[dict[str, str]] | None,
) -> list[dict[str, str]]:
    """This release's products.csv rows, to compare with the previous release's; the first
    release compares nothing (every product is added), so only the ids are needed."""
    if previous_rows is None:
        return [{"id": r["id"]} for r in rows["products"]]
    cells = TableColumns(specs["products"], rows["products"]).csv_cells()
    return [dict(zip(specs["products"].names, c, strict=True)) for c in cells]


def write_data_page(
    html: Html,
    catalog: Catalog,
    index: DataIndex,
    specs: dict[str, TableSpec],
    rows: dict[str, list[Row]],
    release_list: list[Release],
    previous_day: dt.date | None,
) -> None:
    day = catalog.release_date
    release = day.isoformat()
    counts = Counter(r["change"] for r in rows["changes"])
    html.write_page(
        "data.html",
        "data/index.html",
        title="Dữ liệu mở",
        description=f"Tải toàn bộ danh mục sản phẩm OCOP (CSV, JSON, Excel, SQLite), bản phát "
        f"hành {release}, giấy phép CC BY 4.0, kèm từ điển dữ liệu và mã kiểm tra.",
        crumbs=[("Trang chủ", "")],
        index=index,
        specs=[specs[n] for n in TABLES],
        releases=release_list,
        release=release,
        changes_md=changes_markdown(
            rows["changes"], day, previous_day, limit=PAGE_CHANGES_PER_KIND
        ),
        change_counts=[(k, CHANGE_TITLES[k], counts[k]) for k in CHANGE_ORDER if counts[k]],
        licence=DATA_LICENCE,
        example_count=sum(1 for p in catalog.products if p.example),
        product_count=len(catalog.products),
        unconfirmed_count=sum(1 for r in rows["products"] if not r["group_code_confirmed"]),
        photo_unlicensed=sum(1 for r in rows["photos"] if not r["licence"]),
        feed_path="data/feed.atom",
        human_size=human_size,
    )


def publish_release(
    files: DataFiles,
    core: dict[str, DataFile],
    latest: dict[str, DataFile],
    releases: dict[str, Release],
    release: str,
) -> list[Release]:
    """The release folder, data/latest/'s other files, both SHA256SUMS and
    data/releases/index.json; returns the releases, newest first."""
    release_files = dict(core)
    release_files["SHA256SUMS"] = files.of("SHA256SUMS", sha256sums(core.values()))
    for name, file in sorted(release_files.items()):
        files.write(file, release_path(release, name))
    for name in sorted(latest.keys() - core.keys()):
        files.write(latest[name], latest_path(name))
    latest["SHA256SUMS"] = files.of("SHA256SUMS", sha256sums(latest.values()))
    files.write(latest["SHA256SUMS"], latest_path("SHA256SUMS"))
    files.keep()
    releases[release] = Release(
        release,
        tuple(ReleaseFile(n, f.size, f.sha256) for n, f in sorted(release_files.items())),
    )
    release_list, index_json = release_index(releases, release)
    files.writer.write_text("data/releases/index.json", index_json)
    return release_list


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB".replace(".", ",")
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")
