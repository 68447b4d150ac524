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
dictionary says what the contributor's form says. The release is checked by frictionless
itself before anything else is written from it (or, when the build passes `pending`, before
the site is published); an invalid table stops the build.

Cost at national scale: the rows become columns once (TableColumns), and each format converts
a column with one converter chosen from the types it holds; the workbook is made in a forked
child meanwhile, and frictionless runs in another.

Releases are named by the catalog's release date. Earlier releases are copied byte for byte
from the previously published site (config.out_dir) after their SHA256SUMS are checked: the
deploy must restore that site before building, or older releases vanish from the new one.
Only the CSV package is kept per release (the SQLite, Excel and JSON files are derived from it
and would multiply the site's size); data/latest/ has every format.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from generator.background import Background
from generator.config import BuildConfig
from generator.derive import validity_on
from generator.model import Catalog, Certificate, Product, Validity
from generator.render.artifacts import DataIndex, Download, PhotoIndex
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
PARALLEL_VALIDATION_BYTES = 4_000_000  # CSV bytes from which frictionless runs in a child
PARALLEL_XLSX_CELLS = 250_000  # cells from which the workbook is made in a forked child
MAX_ERRORS_SHOWN = 30
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
    revoked = cert.revoked
    return {
        "valid_until": cert.valid_until,
        "valid_until_given": cert.valid_until_given,
        "revoked_date": revoked.date if revoked else None,
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
        "certificate_date": cert.date,
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
                    "date": cert.date,
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
            "date": s.date,
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


def to_csv(spec: TableSpec, cells: Iterable[list[str]]) -> bytes:
    """`cells` from csv_rows: UTF-8, header row, LF line ends, minimal quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spec.names)
    writer.writerows(cells)
    return out.getvalue().encode("utf-8")


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
        self._csv: list[list[str]] | None = None
        self._json: list[list[str]] | None = None
        self._records: list[str] | None = None
        self._cells: list[tuple[str, ...]] | None = None

    def csv_columns(self) -> list[list[str]]:
        if self._csv is None:
            self._csv = [
                csv_column(values, f.type, kinds)
                for values, f, kinds in zip(self.values, self.spec.fields, self.kinds, strict=True)
            ]
        return self._csv

    def csv_cells(self) -> list[tuple[str, ...]]:
        """Rows of CSV cells, as csv_cell writes them."""
        if self._cells is None:
            self._cells = list(zip(*self.csv_columns(), strict=True)) if self.values else []
        return self._cells

    def _json_columns(self) -> list[list[str]]:
        """Per column, '"name": value' as json.dumps writes it inside a record."""
        if self._json is None:
            keys = [f"{_json_str(name)}: " for name in self.spec.names]
            self._json = [
                [key + text for text in json_column(values, kinds)]
                for key, values, kinds in zip(keys, self.values, self.kinds, strict=True)
            ]
        return self._json

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
    letters = [_column_letters(n) for n in range(1, max(map(len, rows), default=1) + 1)]
    row_xml = []
    for r, row in enumerate(rows, 1):
        style = STYLE_BOLD if header and r == 1 else 0
        cells = "".join(_xlsx_cell(f"{letters[c]}{r}", v, style) for c, v in enumerate(row))
        row_xml.append(f'<row r="{r}">{cells}</row>')
    return _xlsx_sheet_xml(row_xml, letters[-1], header, widths)


def _xlsx_table_sheet(columns: TableColumns) -> str:
    """_xlsx_sheet([names, *rows], True), made column by column."""
    letters = [_column_letters(n) for n in range(1, len(columns.values) + 1)] or ["A"]
    head = "".join(
        _xlsx_cell(f"{letter}1", name, STYLE_BOLD)
        for letter, name in zip(letters, columns.spec.names, strict=False)
    )
    cells = [
        xlsx_column(values, letter, 2, kinds)
        for values, letter, kinds in zip(columns.values, letters, columns.kinds, strict=False)
    ]
    row_xml = [f'<row r="1">{head}</row>']
    row_xml += [
        f'<row r="{r}">{"".join(row)}</row>' for r, row in enumerate(zip(*cells, strict=True), 2)
    ]
    return _xlsx_sheet_xml(row_xml, letters[-1], True)


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


def _zip(parts: list[tuple[str, str]], day: dt.date) -> bytes:
    """Entries in the given order, one time stamp, fixed attributes: the same bytes each time
    (for one zlib version; another zlib may compress differently)."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, text.encode("utf-8"), compresslevel=6)
    return out.getvalue()


def to_xlsx(
    columns: dict[str, TableColumns], about: list[tuple[str, str]], release: dt.date
) -> bytes:
    """One sheet per table (header row bold and frozen, dates as dates), after an about sheet."""
    sheets = [("gioi-thieu", _xlsx_sheet([list(a) for a in about], False, (24, 100)))]
    for name in TABLES:
        sheets.append((name, _xlsx_table_sheet(columns[name])))
    n = len(sheets)
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
                for i, (name, _) in enumerate(sheets, 1)
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
        *((f"xl/worksheets/sheet{i}.xml", xml) for i, (_, xml) in enumerate(sheets, 1)),
    ]
    return _zip(parts, release)


def sha256sums(files: dict[str, bytes]) -> bytes:
    """`sha256sum -c SHA256SUMS` format: hex digest, two spaces, name."""
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ).encode("utf-8")


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


# --- data package ----------------------------------------------------------------------------


def datapackage(
    specs: dict[str, TableSpec], csvs: dict[str, bytes], config: BuildConfig, release: dt.date
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
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
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


def package_errors(descriptor_path: str) -> list[str]:
    """frictionless itself, on the files as written; flattened "where: type: message" lines."""
    import frictionless

    report = frictionless.validate(descriptor_path)
    if report.valid:
        return []
    errors = [f"package: {e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        for e in task.errors:
            where = task.name
            row = getattr(e, "row_number", None)
            fieldname = getattr(e, "field_name", None)
            if row is not None:
                where += f" row {row}"
            if fieldname:
                where += f" field {fieldname}"
            errors.append(f"{where}: {e.type}: {e.message}")
    return errors


def validate_package(descriptor_path: Path) -> None:
    """Any error stops the build."""
    errors = package_errors(str(descriptor_path))
    if errors:
        raise DatasetError(f"frictionless: {descriptor_path.name} is not valid", errors)


class PackageCheck:
    """Validation of a large package runs in a child process while the other formats are made
    (frictionless reads every cell: about 15 s for 20,000 products). A small package is checked
    in this process: starting a Python costs more than it saves."""

    def __init__(self, descriptor_path: Path, data_bytes: int) -> None:
        self.path = descriptor_path
        self.pool: ProcessPoolExecutor | None = None
        self.future: Future[list[str]] | None = None
        if data_bytes >= PARALLEL_VALIDATION_BYTES:
            # The platform's default start method, as photos.py and labels.py use: "spawn"
            # would re-run a main module without a __main__ guard (python -m generator).
            self.pool = ProcessPoolExecutor(1)
            self.future = self.pool.submit(package_errors, str(descriptor_path))

    def result(self) -> None:
        if self.future is None:
            validate_package(self.path)
            return
        errors = self.future.result()
        if errors:
            raise DatasetError(f"frictionless: {self.path.name} is not valid", errors)

    def close(self) -> None:
        if self.pool is not None:  # also when making another format failed meanwhile
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

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
    Files are streamed one at a time: years of releases need not fit in memory."""
    root = config.out_dir / "data" / "releases"
    found: dict[str, Release] = {}
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not ISO_DATE.match(folder.name) or folder.name == current:
            continue
        sums_path = folder / "SHA256SUMS"
        if not sums_path.is_file():
            raise DatasetError(f"release {folder.name} has no SHA256SUMS: {sums_path}")
        sums = sums_path.read_bytes()
        listed = parse_sha256sums(sums.decode("utf-8"))
        problems = []
        for name, digest in listed:
            path = folder / name
            if not path.is_file():
                problems.append(f"{path}: missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                problems.append(f"{path}: checksum differs")
        if problems:
            raise DatasetError(f"release {folder.name} is damaged; restore it", problems)
        files = []
        for name in sorted({n for n, _ in listed} | {"SHA256SUMS"}):
            data = sums if name == "SHA256SUMS" else (folder / name).read_bytes()
            writer.write_bytes(f"data/releases/{folder.name}/{name}", data)
            files.append(ReleaseFile(name, len(data), hashlib.sha256(data).hexdigest()))
        found[folder.name] = Release(folder.name, tuple(files), folder)
    return found


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


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|!])", r"\\\1", text)


def changes_markdown(
    rows: list[Row], release: dt.date, previous: dt.date | None, limit: int | None = None
) -> str:
    """Markdown without headings: the site's Markdown renderer keeps headings for pages.
    `limit` lists at most that many products per kind (the data page; the files have all)."""
    counts = Counter(r["change"] for r in rows)
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
            f"{counts[k]} {CHANGE_TITLES[k].split(' (')[0].lower()}"
            for k in CHANGE_ORDER
            if counts[k]
        )
        lines = [
            f"Bản phát hành **{release.isoformat()}** so với bản "
            f"**{previous.isoformat()}**: {summary}."
        ]
    for kind in CHANGE_ORDER:
        group = [r for r in rows if r["change"] == kind]
        if not group:
            continue
        lines += ["", f"**{CHANGE_TITLES[kind]} ({len(group)})**", ""]
        for r in group[:limit]:
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
            lines.append("- " + ", ".join(bits))
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
    the feed is the same whenever it is built for one release."""
    events = []
    for p in catalog.products:
        place = p.place.province_name
        history = (*p.previous_certificates, p.certificate)
        for n, cert in enumerate(history):
            if cert.date > day:
                continue
            if n == 0:
                title = f"{p.name}: công nhận OCOP {cert.stars}★"
                events.append(
                    FeedEvent(
                        cert.date,
                        "new",
                        p,
                        title,
                        f"{place}. Quyết định {cert.number} ngày "
                        f"{cert.date.isoformat()}, {cert.issuer}.",
                    )
                )
            else:
                title = f"{p.name}: {history[n - 1].stars}★ → {cert.stars}★"
                events.append(
                    FeedEvent(
                        cert.date,
                        "re-rated",
                        p,
                        title,
                        f"{place}. Công nhận lại theo quyết định {cert.number} "
                        f"ngày {cert.date.isoformat()}, {cert.issuer}.",
                    )
                )
        cert, w = p.certificate, p.withdrawn
        if cert.revoked and cert.revoked.date <= day:
            events.append(
                FeedEvent(
                    cert.revoked.date,
                    "revoked",
                    p,
                    f"{p.name}: bị thu hồi chứng nhận OCOP",
                    f"{place}. Quyết định thu hồi {cert.revoked.decision} ngày "
                    f"{cert.revoked.date.isoformat()}.",
                )
            )
        expired_on = cert.valid_until + dt.timedelta(days=1)
        if cert.status_on(day) is Validity.EXPIRED and not (w and w.date <= expired_on):
            events.append(
                FeedEvent(
                    expired_on,
                    "expired",
                    p,
                    f"{p.name}: chứng nhận OCOP hết hạn",
                    f"{place}. Quyết định {cert.number} hết hiệu lực sau ngày "
                    f"{cert.valid_until.isoformat()}; chưa có công nhận lại.",
                )
            )
        if w and w.date <= day:
            events.append(
                FeedEvent(
                    w.date,
                    "withdrawn",
                    p,
                    f"{p.name}: ngừng",
                    f"{place}. Ngừng từ ngày {w.date.isoformat()}: {w.reason}",
                )
            )
    events.sort(key=lambda e: (-e.day.toordinal(), e.product.id, e.kind))
    return events[:FEED_ENTRIES]


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


def product_jsons(
    tables: dict[str, list[Row]],
    columns: dict[str, TableColumns],
    release: str,
    config: BuildConfig,
) -> list[tuple[str, bytes]]:
    """(product id, product_json's bytes) per product, in table order: joined from the records
    the JSON tables hold, rather than every value encoded again for 20,000 files."""
    products = columns["products"]
    names = products.spec.names
    if not names or set(names) & {*NESTED, *PRODUCT_JSON_TAIL}:
        # A column named like an added key would be replaced in place: the general path.
        nested = {name: rows_by_product(tables[name]) for name in NESTED}
        return [
            (row["id"], product_json(row, nested, release, config)) for row in tables["products"]
        ]
    grouped: dict[str, dict[Any, str]] = {}
    for name in NESTED:
        table = columns[name]
        records: dict[Any, list[str]] = {}
        product_ids = table.values[table.spec.names.index("product_id")]
        for pid, record in zip(product_ids, table.json_records(skip="product_id"), strict=True):
            records.setdefault(pid, []).append(record)
        grouped[name] = {pid: "[" + ", ".join(r) + "]" for pid, r in records.items()}
    values = (release, DATA_LICENCE["path"], config.base_url + "data/latest/datapackage.json")
    tail = "".join(
        f", {_json_str(k)}: {_json_str(v)}" for k, v in zip(PRODUCT_JSON_TAIL, values, strict=True)
    )
    heads = [f", {_json_str(name)}: " for name in NESTED]
    out = []
    ids = products.values[names.index("id")]
    for pid, record in zip(ids, products.json_records(), strict=True):
        nested_json = "".join(
            head + grouped[name].get(pid, "[]") for head, name in zip(heads, NESTED, strict=True)
        )
        out.append((pid, f"{record[:-1]}{nested_json}{tail}}}\n".encode()))
    return out


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
    build publishes. Without `pending`, nothing derived is written unless the check passes."""
    specs = load_table_specs(config.schemas_dir)
    vocab = load_vocabulary(config.schemas_dir)
    day = catalog.release_date
    release = day.isoformat()

    tables: dict[str, list[Row]] = {
        "products": product_rows(catalog, config, vocab, day),
        "producers": producer_rows(catalog),
        "certificates": certificate_rows(catalog, day),
        "photos": photo_rows(catalog, config, photos),
        "sources": source_rows(catalog),
    }

    # Earlier releases first: the newest one before this is what the changelog compares with.
    releases = carry_forward_releases(config, writer, release)
    earlier = [d for d in releases if d < release]
    previous = max(earlier) if earlier else None
    previous_rows = None
    if previous is not None:
        folder = releases[previous].folder
        if "products.csv" not in releases[previous].names() or folder is None:
            raise DatasetError(f"release {previous} has no products.csv to compare with")
        previous_rows = read_csv_rows((folder / "products.csv").read_bytes())
    # Every format is made from these columns, each cell converted once per format.
    columns = {name: TableColumns(specs[name], rows) for name, rows in tables.items()}
    current = [
        dict(zip(specs["products"].names, c, strict=True)) for c in columns["products"].csv_cells()
    ]
    changes = classify_changes(previous_rows, current)
    previous_day = dt.date.fromisoformat(previous) if previous else None
    tables["changes"] = change_rows(
        changes, {r["id"]: r for r in tables["products"]}, day, previous_day, config
    )
    for name in TABLES:
        check_rows(specs[name], tables[name])
    columns["changes"] = TableColumns(specs["changes"], tables["changes"])

    about = _about_sheet(release, config)
    cells = sum(len(c.values) * c.size for c in columns.values())
    # The workbook is the costliest format (its XML, then zlib); a large one is made in a
    # forked child from here on, while this process makes the CSV, JSON and SQLite files.
    xlsx = ForkedCall(to_xlsx, columns, about, day) if cells >= PARALLEL_XLSX_CELLS else None
    check: PackageCheck | None = None
    try:
        csvs = {name: to_csv(specs[name], columns[name].csv_cells()) for name in TABLES}
        package = datapackage(specs, csvs, config, day)
        package_bytes = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        changes_md = changes_markdown(tables["changes"], day, previous_day)

        core: dict[str, bytes] = {f"{name}.csv": csvs[name] for name in TABLES}
        core["datapackage.json"] = package_bytes
        core["CHANGES.md"] = changes_md.encode("utf-8")
        core["README.md"] = dictionary_markdown(specs, release).encode("utf-8")
        core["LICENSE.md"] = licence_text(release, config).encode("utf-8")
        for name, data in core.items():
            writer.write_bytes(f"data/latest/{name}", data)
        # frictionless checks the bytes as written; the other formats are made meanwhile.
        descriptor = writer.root / "data" / "latest" / "datapackage.json"
        check = PackageCheck(descriptor, sum(map(len, csvs.values())))
        meta = {
            "title": SITE_NAME,
            "release": release,
            "license": DATA_LICENCE["path"],
            "homepage": config.base_url + "data/",
            "note": "Ảnh theo giấy phép riêng (photos.licence). Photos: see photos.licence.",
        }
        latest = dict(core)
        for name in TABLES:
            latest[f"{name}.json"] = to_json(columns[name].json_records())
        product_files = product_jsons(tables, columns, release, config)
        latest["ocop.sqlite"] = to_sqlite(specs, columns, meta, day)
        latest["ocop.xlsx"] = to_xlsx(columns, about, day) if xlsx is None else xlsx.result()
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

    release_files = dict(core)
    release_files["SHA256SUMS"] = sha256sums(core)
    for name, data in sorted(release_files.items()):
        writer.write_bytes(f"data/releases/{release}/{name}", data)
    for name in sorted(latest.keys() - core.keys()):
        writer.write_bytes(f"data/latest/{name}", latest[name])
    latest["SHA256SUMS"] = sha256sums(latest)
    writer.write_bytes("data/latest/SHA256SUMS", latest["SHA256SUMS"])

    releases[release] = Release(
        release,
        tuple(
            ReleaseFile(n, len(b), hashlib.sha256(b).hexdigest())
            for n, b in sorted(release_files.items())
        ),
    )
    release_list = [releases[d] for d in sorted(releases, reverse=True)]
    index_json = {
        "latest": release,
        "releases": [
            {
                "date": r.date,
                "path": f"data/releases/{r.date}/",
                "files": [{"name": f.name, "bytes": f.size, "sha256": f.sha256} for f in r.files],
            }
            for r in release_list
        ],
    }
    writer.write_text(
        "data/releases/index.json", json.dumps(index_json, ensure_ascii=False, indent=1) + "\n"
    )

    feed = atom_feed(catalog, config, day)
    writer.write_bytes("data/feed.atom", feed)

    index = DataIndex(release=release, feed="data/feed.atom")
    order = (
        [f"{n}.csv" for n in TABLES]
        + [f"{n}.json" for n in TABLES]
        + [
            "ocop.xlsx",
            "ocop.sqlite",
            "datapackage.json",
            "README.md",
            "CHANGES.md",
            "LICENSE.md",
            "SHA256SUMS",
        ]
    )
    for name in order:
        data = latest[name]
        index.downloads.append(
            Download(
                _file_title(name, specs),
                f"data/latest/{name}",
                _media_type(name),
                len(data),
                hashlib.sha256(data).hexdigest(),
            )
        )

    for pid, data in product_files:
        path = f"p/{pid}/product.json"
        writer.write_bytes(path, data)
        index.product_json[pid] = path

    counts = Counter(r["change"] for r in tables["changes"])
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
            tables["changes"], day, previous_day, limit=PAGE_CHANGES_PER_KIND
        ),
        change_counts=[(k, CHANGE_TITLES[k], counts[k]) for k in CHANGE_ORDER if counts[k]],
        licence=DATA_LICENCE,
        example_count=sum(1 for p in catalog.products if p.example),
        product_count=len(catalog.products),
        unconfirmed_count=sum(1 for r in tables["products"] if not r["group_code_confirmed"]),
        photo_unlicensed=sum(1 for r in tables["photos"] if not r["licence"]),
        feed_path="data/feed.atom",
        human_size=human_size,
    )
    return index


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB".replace(".", ",")
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")
