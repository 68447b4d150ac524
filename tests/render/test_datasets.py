"""Open datasets (generator/render/datasets.py): what a journalist downloads must be right.

Each test builds data/ from the fixture catalog (or a changed copy) into a fresh folder with
render_datasets alone, as the build does, and checks the files as published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import frictionless
import pytest
import yaml
from openpyxl import load_workbook

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig
from generator.model import Catalog
from generator.render import datasets
from generator.render.artifacts import DataIndex
from generator.render.datasets import (
    DatasetError,
    classify_changes,
    load_table_specs,
    read_csv_rows,
    render_datasets,
)
from generator.render.html import Assets, Html
from generator.write import SiteWriter
from support import fake_photos

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
SCHEMAS = PROJECT_ROOT / "schemas"
AS_OF = dt.date(2026, 11, 23)
RELEASE = dt.date(2026, 11, 23)
BASE_URL = "https://ocop.example/catalog/"
ATOM = "{http://www.w3.org/2005/Atom}"

# Column order is a promise to everyone who scripted against the files: change it on purpose.
GOLDEN_HEADERS = {
    "products": "id,name,name_en,url,status,status_date,stars,group,group_name,subgroup,"
    "subgroup_name,group_code_confirmed,producer_id,producer_name,province_code,province_name,"
    "commune_code,commune_name,address,former_address,certificate_number,certificate_date,"
    "certificate_issuer,certificate_score,valid_until,valid_until_given,revoked_date,"
    "revocation_decision,revocation_reason,withdrawn_date,withdrawal_reason,replaced_by,"
    "previous_certificate_count,gtin,gtin14,description,story,ingredients,net_quantity,"
    "shelf_life,storage,standards,photo_count,updated,example,record_path",
    "producers": "id,name,kind,kind_name,representative,tax_code,phone,email,website,"
    "province_code,province_name,commune_code,commune_name,address,former_address,"
    "product_count,example,record_path",
    "certificates": "product_id,sequence,current,number,date,issuer,stars,score,valid_until,"
    "valid_until_given,revoked_date,revocation_decision,revocation_reason,status,status_date",
    "photos": "product_id,sequence,file,alt,credit,licence,width,height,url",
    "sources": "product_id,sequence,title,url,document,date",
    "changes": "release,previous_release,change,product_id,name,province_code,province_name,"
    "stars_before,stars,status_before,status,certificate_before,certificate_number,"
    "changed_fields,url",
}


# --- helpers ---------------------------------------------------------------------------------


def load(
    catalog_dir: Path = FIXTURE, release: dt.date = RELEASE, as_of: dt.date | None = None
) -> Catalog:
    checked = check_catalog(catalog_dir, SCHEMAS, as_of or release, release_date=release)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def make_html(config: BuildConfig, writer: SiteWriter) -> Html:
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    return Html(config, assets, writer)


def build(catalog: Catalog, staging: Path, published: Path | None = None) -> DataIndex:
    """data/ into `staging`; `published` plays the previously deployed site (config.out_dir).
    The cache is beside it: builds into one tmp folder share it, as successive builds do."""
    config = BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=published or staging.parent / "none",
        base_url=BASE_URL,
        as_of=catalog.as_of,
        cache_dir=staging.parent / "cache",
    )
    writer = SiteWriter(staging)
    return render_datasets(catalog, config, writer, make_html(config, writer), fake_photos(catalog))


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def rows(path: Path) -> list[dict[str, str]]:
    return read_csv_rows(path.read_bytes())


def edit_record(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def product_yaml(catalog_dir: Path, pid: str) -> Path:
    return next(catalog_dir.glob(f"products/*/{pid}/product.yaml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load()


@pytest.fixture(scope="module")
def site(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DataIndex]:
    staging = tmp_path_factory.mktemp("data-a") / "site"
    return staging, build(catalog, staging)


# --- the package ---------------------------------------------------------------------------


def test_frictionless_validates_latest_and_release(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    for folder in ("data/latest", f"data/releases/{RELEASE.isoformat()}"):
        report = frictionless.validate(str(root / folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert index.release == "2026-11-23"


def test_descriptor_is_v1_with_licence_version_and_dated_created(
    site: tuple[Path, DataIndex],
) -> None:
    package = json.loads((site[0] / "data/latest/datapackage.json").read_text("utf-8"))
    assert package["profile"] == "tabular-data-package"  # v1: frictionless-py lacks v2
    assert package["version"] == "2026-11-23"
    assert package["created"] == "2026-11-23T00:00:00Z"  # the release date, not the clock
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["sources"]
    names = [r["name"] for r in package["resources"]]
    assert names == list(GOLDEN_HEADERS)
    products = package["resources"][0]["schema"]
    assert products["primaryKey"] == ["id"]
    assert {
        "fields": "producer_id",
        "reference": {"resource": "producers", "fields": "id"},
    } in products["foreignKeys"]
    for resource in package["resources"]:
        assert resource["hash"].startswith("sha256:")
        for f in resource["schema"]["fields"]:
            assert f["title"] and f["description"], (resource["name"], f["name"])
    photos = next(r for r in package["resources"] if r["name"] == "photos")
    assert "licence" in photos["licenses"][0]["title"]


def test_field_descriptions_come_from_the_record_schemas() -> None:
    product_schema = json.loads((SCHEMAS / "product.schema.json").read_text("utf-8"))
    specs = load_table_specs(SCHEMAS)
    name = next(f for f in specs["products"].fields if f.name == "name")
    assert name.source == "product#/name"
    assert name.description == product_schema["properties"]["name"]["description"]
    issuer = next(f for f in specs["certificates"].fields if f.name == "issuer")
    cert = product_schema["properties"]["certificate"]["properties"]["issuer"]
    assert (issuer.description, issuer.description_en) == (
        cert["description"],
        cert["x-description-en"],
    )
    assert all(
        f.description and f.description_en and f.title and f.title_en
        for spec in specs.values()
        for f in spec.fields
    )


def test_a_broken_table_stops_the_build(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = datasets.product_row

    def broken(product: Any, *args: Any) -> dict[str, Any]:
        row = real(product, *args)
        if product.id == "qn-expired":
            row["stars"] = 7  # not 3, 4 or 5
            row["producer_id"] = "khong-co"  # no such producer
        return row

    monkeypatch.setattr(datasets, "product_row", broken)
    with pytest.raises(DatasetError) as raised:
        build(catalog, tmp_path / "site")
    errors = "\n".join(raised.value.errors)
    assert "products row 4 field stars: constraint-error" in errors
    assert "foreign-key" in errors


def test_a_large_package_is_checked_in_a_child_process(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path a national catalog takes: frictionless in a spawned process, errors returned."""
    monkeypatch.setattr(datasets, "PARALLEL_VALIDATION_BYTES", 0)
    build(catalog, tmp_path / "good")
    assert (tmp_path / "good/data/latest/ocop.xlsx").is_file()
    real = datasets.product_row

    def broken(product: Any, *args: Any) -> dict[str, Any]:
        return {**real(product, *args), "stars": 7}

    monkeypatch.setattr(datasets, "product_row", broken)
    with pytest.raises(DatasetError, match="not valid"):
        build(catalog, tmp_path / "bad")
    # Nothing derived from an invalid package is published.
    assert not (tmp_path / "bad/data/latest/ocop.xlsx").exists()
    assert not (tmp_path / "bad/data/releases").exists()


def test_a_large_check_waits_for_the_workbooks_child(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first national build has both a workbook child and a frictionless process: run side
    by side with the datasets process they took the build above 2 GB, so one follows the
    other."""
    monkeypatch.setattr(datasets, "PARALLEL_VALIDATION_BYTES", 0)
    monkeypatch.setattr(datasets, "PARALLEL_XLSX_CELLS", 0)
    events: list[str] = []
    real_background, real_result = datasets.Background, datasets.ForkedCall.result

    def background(func: Any, name: str, fresh: bool = False) -> Any:
        events.append(f"start {name}{' (fresh)' if fresh else ''}")
        return real_background(func, name, fresh)

    def result(self: datasets.ForkedCall) -> Any:
        found = real_result(self)
        events.append("workbook made")
        return found

    monkeypatch.setattr(datasets, "Background", background)
    monkeypatch.setattr(datasets.ForkedCall, "result", result)
    build(catalog, tmp_path / "site")
    assert events == ["start to_xlsx", "workbook made", "start frictionless (fresh)"]


def test_checked_before_means_a_passed_check_with_this_code(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the build asks to decide whether the datasets may run beside the page workers."""
    cache = tmp_path / "cache"  # build() keeps its cache beside the staging folder
    assert not datasets.datasets_checked_before(cache)
    real = datasets.product_row
    monkeypatch.setattr(datasets, "product_row", lambda *a: {**real(*a), "stars": 7})
    with pytest.raises(DatasetError):
        build(catalog, tmp_path / "bad")
    assert not datasets.datasets_checked_before(cache)  # checked, but not passed
    monkeypatch.setattr(datasets, "product_row", real)
    build(catalog, tmp_path / "good")
    assert datasets.datasets_checked_before(cache)
    monkeypatch.setattr(datasets, "_code_key", lambda: "other code")
    assert not datasets.datasets_checked_before(cache)


# --- CSV -------------------------------------------------------------------------------------


def test_csv_headers_line_ends_and_rows(site: tuple[Path, DataIndex]) -> None:
    root = site[0] / "data/latest"
    for name, header in GOLDEN_HEADERS.items():
        data = (root / f"{name}.csv").read_bytes()
        assert data.decode("utf-8").split("\n", 1)[0] == header, name
        assert b"\r" not in data
    products = {r["id"]: r for r in rows(root / "products.csv")}
    # Nothing dropped: expired, revoked and withdrawn products stay, with their status.
    assert {pid: r["status"] for pid, r in products.items()} == {
        "hp-revoked": "revoked",
        "hp-withdrawn": "withdrawn",
        "qn-expired": "expired",
        "qn-valid": "valid",
    }
    valid = products["qn-valid"]
    assert valid["url"] == BASE_URL + "p/qn-valid/"
    assert (valid["province_code"], valid["province_name"]) == ("22", "Quảng Ninh")
    assert (valid["commune_code"], valid["commune_name"]) == ("06832", "Phường Yên Tử")
    assert (valid["subgroup"], valid["subgroup_name"]) == ("I.3.c", "Chế biến từ rau, củ, quả, hạt")
    assert (valid["certificate_date"], valid["valid_until"]) == ("2025-06-15", "2028-06-15")
    assert valid["example"] == "true"
    certificates = [r for r in rows(root / "certificates.csv") if r["product_id"] == "qn-valid"]
    assert [(c["number"], c["stars"], c["current"]) for c in certificates] == [
        ("2002/QĐ-UBND", "3", "false"),
        ("1001/QĐ-UBND", "4", "true"),
    ]
    photos = {(r["product_id"], r["file"]): r["url"] for r in rows(root / "photos.csv")}
    assert photos[("qn-valid", "chai-mau.jpg")] == BASE_URL + "media/qn-valid-0-1200.jpg"
    assert photos[("hp-withdrawn", "tui-mau.png")] == ""  # no derivative published
    # A household business's phone is not published unless its record says so.
    assert {r["id"]: r["phone"] for r in rows(root / "producers.csv")}["hkd-mau-hai-phong"] == ""


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(FIXTURE, catalog_dir)
    evil = '=HYPERLINK("http://evil.example";"Bấm")'

    def change(d: dict[str, Any]) -> None:
        d["name"] = evil
        d["description"] = "- dòng một\n- dòng hai\n"
        d["ingredients"] = "@SUM(1+1)"

    edit_record(product_yaml(catalog_dir, "qn-valid"), change)
    catalog = load(catalog_dir)
    staging = tmp_path / "site"
    build(catalog, staging)
    latest = staging / "data/latest"
    row = {r["id"]: r for r in rows(latest / "products.csv")}["qn-valid"]
    assert row["name"] == "'" + evil
    assert row["description"] == "'- dòng một\n- dòng hai\n"
    assert row["ingredients"] == "'@SUM(1+1)"
    assert row["stars"] == "4" and row["certificate_date"] == "2025-06-15"  # typed: untouched
    changes = {r["product_id"]: r for r in rows(latest / "changes.csv")}
    assert changes["qn-valid"]["name"] == "'" + evil
    assert frictionless.validate(str(latest / "datapackage.json")).valid
    # Typed formats keep the text exactly; Excel stores it as text, not as a formula.
    products = json.loads((latest / "products.json").read_text("utf-8"))
    assert next(p for p in products if p["id"] == "qn-valid")["name"] == evil
    sheet = load_workbook(io.BytesIO((latest / "ocop.xlsx").read_bytes()))["products"]
    cell = next(r[1] for r in sheet.iter_rows(min_row=2) if r[0].value == "qn-valid")
    assert (cell.value, cell.data_type) == (evil, "s")
    db = tmp_path / "ocop.sqlite"
    db.write_bytes((latest / "ocop.sqlite").read_bytes())
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT name FROM products WHERE id = 'qn-valid'").fetchone() == (evil,)
    # The data dictionary says so, in the files and on the page.
    assert "`'`" in (latest / "README.md").read_text("utf-8")
    assert 'id="cong-thuc"' in (staging / "data/index.html").read_text("utf-8")


# --- other formats ---------------------------------------------------------------------------


def test_xlsx_reads_back_with_the_exact_vietnamese_text(site: tuple[Path, DataIndex]) -> None:
    data = (site[0] / "data/latest/ocop.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["gioi-thieu", *GOLDEN_HEADERS]
    sheet = wb["products"]
    header = [c.value for c in sheet[1]]
    assert ",".join(header) == GOLDEN_HEADERS["products"]
    by_id = {
        r[0].value: dict(zip(header, (c.value for c in r), strict=True))
        for r in sheet.iter_rows(min_row=2)
    }
    assert by_id["qn-valid"]["name"] == "Sản phẩm mẫu còn hiệu lực"
    assert by_id["hp-revoked"]["commune_name"] == "Phường Thuỷ Nguyên"
    assert by_id["qn-valid"]["stars"] == 4
    assert by_id["qn-valid"]["certificate_date"] == dt.datetime(2025, 6, 15)
    assert by_id["qn-valid"]["province_code"] == "22"  # text: leading zeros survive
    assert by_id["qn-valid"]["commune_code"] == "06832"
    assert wb["producers"].max_row == 3
    assert wb.properties.created == wb.properties.modified == dt.datetime(2026, 11, 23)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        for name in z.namelist():  # every part is well-formed XML
            ET.fromstring(z.read(name))
        sheet_xml = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert 'state="frozen"' in sheet_xml and "<f>" not in sheet_xml  # no formula anywhere


def test_sqlite_opens_with_the_right_rows(site: tuple[Path, DataIndex], tmp_path: Path) -> None:
    db = tmp_path / "ocop.sqlite"
    db.write_bytes((site[0] / "data/latest/ocop.sqlite").read_bytes())
    with sqlite3.connect(db) as con:
        counts = {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in GOLDEN_HEADERS
        }
        assert counts == {
            "products": 4,
            "producers": 2,
            "certificates": 5,
            "photos": 5,
            "sources": 4,
            "changes": 4,
        }
        assert con.execute(
            "SELECT name, stars, example FROM products WHERE id = 'qn-valid'"
        ).fetchone() == ("Sản phẩm mẫu còn hiệu lực", 4, 1)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA user_version").fetchone() == (20261123,)
        assert con.execute("SELECT value FROM _metadata WHERE key = 'release'").fetchone() == (
            "2026-11-23",
        )
        assert con.execute(
            "SELECT count(*) FROM _fields WHERE table_name = 'products'"
        ).fetchone() == (len(GOLDEN_HEADERS["products"].split(",")),)


def test_json_tables_and_product_json(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    products = json.loads((root / "data/latest/products.json").read_text("utf-8"))
    assert [p["id"] for p in products] == ["hp-revoked", "hp-withdrawn", "qn-expired", "qn-valid"]
    assert products[3]["stars"] == 4 and products[3]["example"] is True
    assert products[3]["name_en"] == "Sample product, valid" and products[0]["name_en"] is None
    assert index.product_json == {
        pid: f"p/{pid}/product.json"
        for pid in ("hp-revoked", "hp-withdrawn", "qn-expired", "qn-valid")
    }
    one = json.loads((root / "p/qn-valid/product.json").read_text("utf-8"))
    assert one["id"] == "qn-valid" and one["release"] == "2026-11-23"
    assert [c["number"] for c in one["certificates"]] == ["2002/QĐ-UBND", "1001/QĐ-UBND"]
    assert [p["file"] for p in one["photos"]] == ["chai-mau.jpg", "hop-mau.png"]
    assert one["sources"][0]["title"] == "Hồ sơ mẫu"


# --- checksums, determinism ---------------------------------------------------------------------


def test_checksums_match_the_bytes(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    for folder in (root / "data/latest", root / f"data/releases/{RELEASE.isoformat()}"):
        listed = {}
        for line in (folder / "SHA256SUMS").read_text("utf-8").splitlines():
            digest, name = line.split("  ")
            listed[name] = digest
        on_disk = {p.name for p in folder.iterdir()} - {"SHA256SUMS"}
        assert set(listed) == on_disk, folder
        for name, digest in listed.items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    page = (root / "data/index.html").read_text("utf-8")
    assert {d.path.rsplit("/", 1)[1] for d in index.downloads} == {
        p.name for p in (root / "data/latest").iterdir()
    }
    for d in index.downloads:
        data = (root / d.path).read_bytes()
        assert (d.size, d.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert d.sha256 in page and f'href="../{d.path}"' in page


def test_two_builds_are_byte_identical(
    catalog: Catalog, site: tuple[Path, DataIndex], tmp_path: Path
) -> None:
    again = tmp_path / "site"
    build(load(), again)  # a fresh load too: nothing may hang on object identity or the clock
    first, second = tree(site[0]), tree(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    # Excel: every zip entry carries the release date, whatever the clock said.
    with zipfile.ZipFile(io.BytesIO(first["data/latest/ocop.xlsx"])) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 23, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2026-11-23T00:00:00Z" in core


# Values of every type a row may hold, and the texts each format treats specially: a column of
# one type takes a converter's fast path, a mixed column the per-cell functions.
EDGE_TEXTS = [
    "",
    "thường",
    "=SUM(1)",
    "+84",
    "-1",
    "@x",
    "\tx",
    "\rx",
    "'=quoted",
    'a & b <c> "d"',
    "ctrl\x01\x08\x0b\x1f\ufffe end",
    "nul\x00inside",
    "x" * 40000,
    "dòng một\ndòng hai, có dấu phẩy",
]
EDGE_VALUES = [
    None,
    True,
    False,
    0,
    -7,
    2**70,
    1.0,
    -2.0,
    2.5,
    1e-9,
    float("nan"),
    float("inf"),
    dt.date(2026, 11, 23),
    dt.date(1900, 1, 1),
    *EDGE_TEXTS,
]


def _columns_to_check() -> list[list[Any]]:
    """Single-type columns (with and without None), and mixed ones."""
    kinds: dict[type, list[Any]] = {}
    for v in EDGE_VALUES[1:]:
        kinds.setdefault(type(v), []).append(v)
    out = [[None, None], [], EDGE_VALUES]
    for values in kinds.values():
        out += [values, [None, *values, None]]
    out.append([*EDGE_TEXTS[:2], "plain", None])  # strings needing no escaping at all
    out.append(["a & b <c> \"d\" 'e'", None, "=<tag>", "x" * 32767])  # no control character
    return out


@pytest.mark.parametrize("type_", ["string", "integer", "number", "boolean", "date"])
def test_column_converters_match_the_per_cell_functions(type_: str) -> None:
    """Each format's column converter gives exactly the per-cell function's output."""
    for values in _columns_to_check():
        assert datasets.csv_column(values, type_) == [datasets.csv_cell(v, type_) for v in values]
        assert datasets.json_column(values) == [datasets.json_text(v) for v in values]
        assert datasets.sql_column(values) == [datasets._sql_value(v) for v in values]
        assert datasets.xlsx_column(values, "AB", 2) == [
            datasets._xlsx_cell(f"AB{r}", v) for r, v in enumerate(values, 2)
        ]


def test_json_records_are_what_json_dumps_writes() -> None:
    spec = load_table_specs(SCHEMAS)["photos"]
    rows = [
        {f.name: EDGE_VALUES[(n + i) % len(EDGE_VALUES)] for i, f in enumerate(spec.fields)}
        for n in range(len(EDGE_VALUES))
    ]
    table = datasets.TableColumns(spec, rows)
    assert table.json_records() == [
        json.dumps({k: datasets.json_value(v) for k, v in r.items()}, ensure_ascii=False)
        for r in rows
    ]
    assert table.json_records(skip="product_id") == [
        json.dumps(
            {k: datasets.json_value(v) for k, v in r.items() if k != "product_id"},
            ensure_ascii=False,
        )
        for r in rows
    ]


def test_product_json_fast_path_matches_the_general_one(
    site: tuple[Path, DataIndex], tmp_path: Path
) -> None:
    """p/<id>/product.json is joined from the JSON tables' records; the general path (one
    json.dumps per product) must give the same bytes."""
    root, _ = site
    specs = load_table_specs(SCHEMAS)
    tables = {
        name: [
            {k: datasets.json_value(v) for k, v in row.items()}
            for row in json.loads((root / f"data/latest/{name}.json").read_text("utf-8"))
        ]
        for name in ("products", "certificates", "photos", "sources")
    }
    nested = {name: datasets.rows_by_product(tables[name]) for name in datasets.NESTED}
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=root, base_url=BASE_URL, as_of=AS_OF)
    general = {
        row["id"]: datasets.product_json(row, nested, RELEASE.isoformat(), config)
        for row in tables["products"]
    }
    for pid, data in general.items():
        assert (root / f"p/{pid}/product.json").read_bytes() == data, pid
    cache = datasets.DatasetCache(tmp_path)
    encoded = {
        name: datasets.EncodedTable(specs[name], rows, cache) for name, rows in tables.items()
    }
    jsons = datasets.ProductJsons(encoded, RELEASE.isoformat(), config, cache)
    assert {pid: jsons.data(i) for i, pid in enumerate(jsons.ids)} == general


def test_workbook_made_in_a_forked_child_is_the_same(
    catalog: Catalog,
    site: tuple[Path, DataIndex],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The path a national catalog takes: the workbook comes from a forked child."""
    monkeypatch.setattr(datasets, "PARALLEL_XLSX_CELLS", 0)
    build(catalog, tmp_path / "forked")
    first, forked = tree(site[0]), tree(tmp_path / "forked")
    assert first.keys() == forked.keys()
    assert [k for k in first if first[k] != forked[k]] == []


def test_a_failure_in_the_workbook_child_stops_the_build(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> bytes:
        raise ValueError("hỏng trong tiến trình con")

    monkeypatch.setattr(datasets, "PARALLEL_XLSX_CELLS", 0)
    monkeypatch.setattr(datasets, "to_xlsx", broken)
    with pytest.raises(DatasetError, match="hỏng trong tiến trình con"):
        build(catalog, tmp_path / "site")
    assert not (tmp_path / "site/data/latest/ocop.xlsx").exists()


@pytest.mark.parametrize("in_child", [False, True])
def test_a_pending_check_is_left_to_the_caller(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_child: bool
) -> None:
    """With `pending`, render_datasets returns before frictionless has answered; the caller
    gets the verdict (a DatasetError for a broken table) before it publishes."""
    if in_child:
        monkeypatch.setattr(datasets, "PARALLEL_VALIDATION_BYTES", 0)
    config = BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=tmp_path / "none",
        base_url=BASE_URL,
        as_of=AS_OF,
        cache_dir=tmp_path / "cache",
    )
    good: list[datasets.PackageCheck] = []
    writer = SiteWriter(tmp_path / "good")
    render_datasets(catalog, config, writer, make_html(config, writer), fake_photos(catalog), good)
    assert len(good) == 1
    good[0].result()
    good[0].close()

    real = datasets.product_row

    def broken(product: Any, *args: Any) -> dict[str, Any]:
        return {**real(product, *args), "stars": 7}

    monkeypatch.setattr(datasets, "product_row", broken)
    bad: list[datasets.PackageCheck] = []
    writer = SiteWriter(tmp_path / "bad")
    render_datasets(catalog, config, writer, make_html(config, writer), fake_photos(catalog), bad)
    try:
        with pytest.raises(DatasetError, match="not valid"):
            bad[0].result()
    finally:
        bad[0].close()


# --- releases and the changelog --------------------------------------------------------------


def _old_catalogs(tmp: Path) -> tuple[Catalog, Catalog]:
    """Two earlier states of the fixture: R1 2024-02-01 and R2 2025-01-01."""
    r1 = tmp / "r1" / "catalog"
    shutil.copytree(FIXTURE, r1)
    for pid in ("hp-revoked", "hp-withdrawn"):
        shutil.rmtree(product_yaml(r1, pid).parent)

    def old_certificate(d: dict[str, Any]) -> None:
        d["certificate"] = d.pop("previous_certificates")[0]
        d["stars"] = 3
        d["certificate"].pop("stars")
        d["sources"][0].pop("date")  # 2025-06-20: after these releases

    def early(d: dict[str, Any]) -> None:
        d["updated"] = "2024-01-20"

    edit_record(product_yaml(r1, "qn-valid"), old_certificate)
    for pid in ("qn-valid", "qn-expired"):
        edit_record(product_yaml(r1, pid), early)

    r2 = tmp / "r2" / "catalog"
    shutil.copytree(FIXTURE, r2)
    edit_record(product_yaml(r2, "qn-valid"), old_certificate)

    def not_yet_revoked(d: dict[str, Any]) -> None:
        d["certificate"].pop("revoked")

    def not_yet_withdrawn(d: dict[str, Any]) -> None:
        d.pop("withdrawn")

    edit_record(product_yaml(r2, "hp-revoked"), not_yet_revoked)
    edit_record(product_yaml(r2, "hp-withdrawn"), not_yet_withdrawn)
    for pid in ("qn-valid", "qn-expired", "hp-revoked", "hp-withdrawn"):
        edit_record(product_yaml(r2, pid), lambda d: d.update(updated="2024-12-20"))
    return (load(r1, dt.date(2024, 2, 1)), load(r2, dt.date(2025, 1, 1)))


@pytest.fixture(scope="module")
def three_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """R1, R2 and the fixture built in turn, each over the site the previous build published."""
    tmp = tmp_path_factory.mktemp("releases")
    r1, r2 = _old_catalogs(tmp)
    published = tmp / "published"
    stagings = {}
    for name, catalog in (("r1", r1), ("r2", r2), ("r3", load())):
        staging = tmp / f"staging-{name}"
        build(catalog, staging, published)
        stagings[name] = staging
        if published.exists():
            shutil.rmtree(published)
        shutil.copytree(staging, published)  # the deploy restores what it last published
    return published, stagings


def test_earlier_releases_are_carried_forward_byte_for_byte(
    three_releases: tuple[Path, dict[str, Path]],
) -> None:
    _, stagings = three_releases
    final = tree(stagings["r3"] / "data/releases")
    for name, day in (("r1", "2024-02-01"), ("r2", "2025-01-01")):
        own = tree(stagings[name] / "data/releases" / day)
        assert own and {f"{day}/{k}": v for k, v in own.items()}.items() <= final.items()
    index = json.loads((stagings["r3"] / "data/releases/index.json").read_text("utf-8"))
    assert index["latest"] == "2026-11-23"
    assert [r["date"] for r in index["releases"]] == ["2026-11-23", "2025-01-01", "2024-02-01"]
    page = (stagings["r3"] / "data/index.html").read_text("utf-8")
    assert "data/releases/2024-02-01/products.csv" in page


def test_changelog_classifies_each_release(three_releases: tuple[Path, dict[str, Path]]) -> None:
    _, stagings = three_releases
    final = stagings["r3"] / "data/releases"

    def kinds(day: str) -> dict[str, str]:
        return {r["product_id"]: r["change"] for r in rows(final / day / "changes.csv")}

    assert kinds("2024-02-01") == {"qn-expired": "added", "qn-valid": "added"}
    assert kinds("2025-01-01") == {
        "qn-expired": "expired",
        "hp-revoked": "added",
        "hp-withdrawn": "added",
        "qn-valid": "updated",
    }
    latest = {r["product_id"]: r for r in rows(final / "2026-11-23" / "changes.csv")}
    assert {k: r["change"] for k, r in latest.items()} == {
        "hp-revoked": "revoked",
        "hp-withdrawn": "withdrawn",
        "qn-valid": "re-rated",
        "qn-expired": "updated",
    }
    rerated = latest["qn-valid"]
    assert (rerated["stars_before"], rerated["stars"]) == ("3", "4")
    assert (rerated["certificate_before"], rerated["certificate_number"]) == (
        "2002/QĐ-UBND",
        "1001/QĐ-UBND",
    )
    assert rerated["previous_release"] == "2025-01-01"
    assert latest["qn-expired"]["changed_fields"] == "updated"
    md = (final / "2026-11-23" / "CHANGES.md").read_text("utf-8")
    assert "3★ → 4★" in md and "**Bị thu hồi (1)**" in md
    assert "Bị thu hồi" in (stagings["r3"] / "data/index.html").read_text("utf-8")


def test_classify_changes_covers_every_kind() -> None:
    base = {
        "id": "",
        "status": "valid",
        "stars": "3",
        "certificate_number": "1/QĐ",
        "name": "A",
        "status_date": "2026-01-01",
        "url": "u",
    }

    def row(pid: str, **kw: str) -> dict[str, str]:
        return {**base, "id": pid, **kw}

    before = [
        row("same"),
        row("edit"),
        row("up"),
        row("exp"),
        row("rev"),
        row("wd"),
        row("gone"),
        row("dated", status_date="2025-01-01", url="old"),
    ]
    after = [
        row("same"),
        row("edit", name="B"),
        row("up", stars="4", certificate_number="2/QĐ"),
        row("exp", status="expired"),
        row("rev", status="revoked", name="C"),
        row("wd", status="withdrawn"),
        row("new"),
        row("dated"),
    ]
    got = {c.product_id: (c.kind, c.changed_fields) for c in classify_changes(before, after)}
    assert got == {
        "edit": ("updated", ("name",)),
        "up": ("re-rated", ("stars", "certificate_number")),
        "exp": ("expired", ()),
        "rev": ("revoked", ("name",)),
        "wd": ("withdrawn", ()),
        "gone": ("removed", ()),
        "new": ("added", ()),
    }  # "same" and "dated" (only the release date and URL moved) are not changes
    assert {c.kind for c in classify_changes(None, after)} == {"added"}
    # The data page lists a bounded number per kind; the files list every product.
    many = [
        {
            "change": "added",
            "name": f"P{n}",
            "url": "u",
            "product_id": f"p{n}",
            "province_name": None,
            "stars_before": None,
            "stars": 3,
            "status": "valid",
        }
        for n in range(7)
    ]
    short = datasets.changes_markdown(many, dt.date(2026, 1, 2), None, limit=5)
    assert short.count("\n- [") == 5 and "… và 2 sản phẩm khác" in short
    assert datasets.changes_markdown(many, dt.date(2026, 1, 2), None).count("\n- [") == 7


def test_a_damaged_earlier_release_stops_the_build(
    three_releases: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    published, _ = three_releases
    damaged = tmp_path / "published"
    shutil.copytree(published, damaged)
    target = damaged / "data/releases/2024-02-01/products.csv"
    target.write_bytes(target.read_bytes().replace(b"qn-valid", b"qn-vali"))
    with pytest.raises(DatasetError, match="2024-02-01 is damaged"):
        build(load(), tmp_path / "site", damaged)


def test_an_earlier_release_found_intact_is_not_hashed_again(
    three_releases: tuple[Path, dict[str, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Years of releases are not re-read by every build; a file written since (same size, its
    modification time set back) is hashed again and fails."""
    published, _ = three_releases
    site = tmp_path / "published"
    shutil.copytree(published, site)
    hashed: list[str] = []
    real = datasets._sha256_file

    def counted(path: Path) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(datasets, "_sha256_file", counted)
    build(load(), tmp_path / "first", site)
    assert "products.csv" in hashed  # a new cache: every file is checked once
    hashed.clear()
    build(load(), tmp_path / "second", site)
    assert hashed == []
    assert tree(tmp_path / "second/data/releases") == tree(tmp_path / "first/data/releases")

    target = site / "data/releases/2024-02-01/products.csv"
    before = target.stat()
    target.write_bytes(target.read_bytes().replace(b"qn-valid", b"qn-vaIid"))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    with pytest.raises(DatasetError, match="2024-02-01 is damaged"):
        build(load(), tmp_path / "third", site)


# --- feed ---------------------------------------------------------------------------------------


def test_atom_feed_parses_with_the_expected_entries(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    assert index.feed == "data/feed.atom"
    feed = ET.fromstring((root / "data/feed.atom").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}updated") == "2026-11-23T00:00:00+07:00"
    entries = feed.findall(f"{ATOM}entry")
    got = {
        (
            e.find(f"{ATOM}link").get("href").rsplit("/", 2)[1],  # type: ignore[union-attr]
            e.find(f"{ATOM}category").get("term"),
        )
        for e in entries
    }  # type: ignore[union-attr]
    assert got == {
        ("qn-valid", "new"),
        ("qn-valid", "re-rated"),
        ("qn-expired", "new"),
        ("qn-expired", "expired"),
        ("hp-revoked", "new"),
        ("hp-revoked", "revoked"),
        ("hp-withdrawn", "new"),
        ("hp-withdrawn", "withdrawn"),
    }
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    assert "tag:ocop.example,2026:ocop/p/hp-revoked/revoked/2025-02-10" in ids
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)


# --- the data page --------------------------------------------------------------------------


def test_data_page_explains_every_field_licence_citation_and_gaps(
    site: tuple[Path, DataIndex],
) -> None:
    page = (site[0] / "data/index.html").read_text("utf-8")
    for table, header in GOLDEN_HEADERS.items():
        for column in header.split(","):
            assert f'id="{table}-{column}"' in page, (table, column)
    assert "creativecommons.org/licenses/by/4.0/" in page
    assert "data/releases/2026-11-23/" in page  # how to cite, with the release date
    assert "example = true" in page and "group_code_confirmed" in page
    assert "2025" in page  # place codes are those after the 2025 reform
    assert 'type="application/atom+xml"' in page
    assert " style=" not in page and "<style" not in page
