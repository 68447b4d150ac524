"""The database (generator/render/datasets/sqlite.py): the right rows, and one updated in place
the same bytes as one made afresh."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from datasets_support import (
    BASE_URL,
    FIXTURE,
    GOLDEN_HEADERS,
    RELEASE,
    SCHEMAS,
    build_again,
    grown,
    load,
)
from generator.config import BuildConfig
from generator.model import Product
from generator.render.artifacts import DataIndex
from generator.render.datasets import rows as row_builders
from generator.render.datasets import sqlite
from generator.render.datasets.cache import DatasetCache, canonical, row_keys
from generator.render.datasets.columns import Columns
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.specs import TABLES, DatasetError, TableSpec, load_table_specs
from support import fake_photos


def test_sqlite_opens_with_the_right_rows(site: tuple[Path, DataIndex], tmp_path: Path) -> None:
    db = tmp_path / "ocop.sqlite"
    db.write_bytes((site[0] / "data/latest/ocop.sqlite").read_bytes())
    with sqlite3.connect(db) as con:
        counts = {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in GOLDEN_HEADERS
        }
        assert counts == {
            "products": 7,
            "producers": 2,
            "certificates": 8,
            "photos": 6,
            "sources": 7,
            "lots": 4,
            "recalls": 1,
            "changes": 7,
        }
        assert con.execute(
            "SELECT name, stars, example FROM products WHERE id = 'qn-valid'"
        ).fetchone() == ("Sản phẩm mẫu còn hiệu lực", 4, 1)
        assert con.execute(
            "SELECT lot, produced, quantity, recalled, recall_ids FROM lots "
            "WHERE product_id = 'qn-valid' ORDER BY line"
        ).fetchall() == [
            ("L2025-01", "2025-03-01", 1200, 0, None),
            ("L2026-07", "2026-07-15", 800, 0, None),
            ("L2026-09", "2026-09-10", 500, 1, "qn-valid-2026-10-05"),
        ]
        assert con.execute("SELECT id, lots, active FROM recalls").fetchall() == [
            ("qn-valid-2026-10-05", "L2026-09", 1)
        ]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA user_version").fetchone() == (20261123,)
        assert con.execute("SELECT value FROM _metadata WHERE key = 'release'").fetchone() == (
            "2026-11-23",
        )
        assert con.execute(
            "SELECT count(*) FROM _fields WHERE table_name = 'products'"
        ).fetchone() == (len(GOLDEN_HEADERS["products"].split(",")),)


def test_sqlite_updated_in_place_is_a_fresh_database(tmp_path: Path) -> None:
    catalog = grown(load())
    specs = load_table_specs(SCHEMAS)
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=tmp_path, base_url=BASE_URL, as_of=RELEASE)
    meta = {"title": "t"}
    cache = DatasetCache(tmp_path / "cache")

    def made(rows: dict[str, list[dict[str, Any]]]) -> bytes:
        tables = {name: EncodedTable(specs[name], rows[name], cache) for name in rows}
        columns = Columns(specs, rows)
        return sqlite.sqlite_file(specs, tables, columns, meta, RELEASE, cache)

    def fresh(rows: dict[str, list[dict[str, Any]]]) -> bytes:
        return sqlite.to_sqlite(specs, Columns(specs, rows), meta, RELEASE)

    rows = row_builders.table_rows(catalog, config, fake_photos(catalog, skip=""))
    rows["changes"] = []
    made(rows)
    products = list(rows["products"])
    products[100] = {**products[100], "name": "dài " * 3000, "certificate_score": 51.5}
    products[101] = {**products[101], "description": None}
    edited = {**rows, "products": products}
    kept = cache.load("ocop.sqlite", sqlite.KeptDatabase)
    assert sqlite._changed_in_place(kept, *_base(edited, specs, meta, cache))
    assert made(edited) == fresh(edited)
    # Two rows trading ids cannot be updated one by one: made afresh, the same bytes.
    swapped = list(products)
    swapped[5] = {**products[5], "id": products[6]["id"]}
    swapped[6] = {**products[6], "id": products[5]["id"]}
    edited = {**rows, "products": swapped}
    assert made(edited) == fresh(edited)


def _base(
    rows: dict[str, list[dict[str, Any]]],
    specs: dict[str, TableSpec],
    meta: dict[str, str],
    cache: DatasetCache,
) -> tuple[str, dict[str, list[bytes]]]:
    names = [repr(specs[name]) for name in TABLES]
    base = cache.key("ocop.sqlite", *names, canonical(meta), RELEASE.isoformat())
    keys = {name: row_keys(specs[name], rows[name]) for name in TABLES}
    return base, keys


def test_sqlite_update_with_an_integer_primary_key_is_a_fresh_database(tmp_path: Path) -> None:
    """A primary key of one INTEGER column is SQLite's rowid: the in-place update (which finds
    a row by its position) must not be used, or the edit lands on another row (found by a
    review; no table has such a key today, the schemas may)."""
    catalog = grown(load(), 300)
    specs = load_table_specs(SCHEMAS)
    specs["photos"] = dataclasses.replace(specs["photos"], primary_key=("sequence",))
    specs["photos"] = dataclasses.replace(specs["photos"], foreign_keys=())
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=tmp_path, base_url=BASE_URL, as_of=RELEASE)
    rows = row_builders.table_rows(catalog, config, fake_photos(catalog, skip=""))
    rows["changes"] = []
    count = len(rows["photos"])
    rows["photos"] = [{**r, "sequence": count + 10 - i} for i, r in enumerate(rows["photos"])]
    cache = DatasetCache(tmp_path / "cache")
    meta = {"title": "t"}

    def made(rows: dict[str, Any]) -> bytes:
        tables = {k: EncodedTable(specs[k], rows[k], cache) for k in rows}
        columns = Columns(specs, rows)
        return sqlite.sqlite_file(specs, tables, columns, meta, RELEASE, cache)

    made(rows)
    photos = list(rows["photos"])
    photos[3] = {**photos[3], "alt": "đổi"}
    edited = {**rows, "photos": photos}
    fresh = sqlite.to_sqlite(specs, Columns(specs, edited), meta, RELEASE)
    assert made(edited) == fresh


def test_a_sqlite_constraint_failure_is_a_dataset_error_with_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite refuses a missing required cell before frictionless has answered: the build
    still says which row and field, as a DatasetError (not a traceback)."""
    base = grown(load(), 40)
    broken_id = base.products[7].id
    real = row_builders.product_row

    def broken(product: Product, *args: Any) -> dict[str, Any]:
        row = real(product, *args)
        return {**row, "certificate_number": None} if product.id == broken_id else row

    monkeypatch.setattr(row_builders, "product_row", broken)
    with pytest.raises(DatasetError) as raised:
        build_again(base, tmp_path / "site", tmp_path / "cache")
    assert "products row 9 field certificate_number: constraint-error" in "\n".join(
        raised.value.errors
    )
