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


class _Databases:
    """ocop.sqlite made as the build makes it (the last one kept in a cache, updated when it
    can be) and afresh, from the rows of a grown fixture catalog."""

    def __init__(self, tmp_path: Path) -> None:
        catalog = grown(load())
        config = BuildConfig(
            catalog_dir=FIXTURE, out_dir=tmp_path, base_url=BASE_URL, as_of=RELEASE
        )
        self.specs = load_table_specs(SCHEMAS)
        self.meta = {"title": "t"}
        self.cache = DatasetCache(tmp_path / "cache")
        self.rows = row_builders.table_rows(catalog, config, fake_photos(catalog, skip=""))
        self.rows["changes"] = []
        self.to_sqlite = sqlite.to_sqlite  # as it is now, should a test replace it

    def made(self, rows: dict[str, list[dict[str, Any]]]) -> bytes:
        specs, cache = self.specs, self.cache
        tables = {name: EncodedTable(specs[name], rows[name], cache) for name in rows}
        columns = Columns(specs, rows)
        return sqlite.sqlite_file(specs, tables, columns, self.meta, RELEASE, cache)

    def fresh(self, rows: dict[str, list[dict[str, Any]]]) -> bytes:
        return self.to_sqlite(self.specs, Columns(self.specs, rows), self.meta, RELEASE)

    def edits(self, rows: dict[str, list[dict[str, Any]]]) -> dict[str, sqlite.Edit] | None:
        """What the next `made(rows)` would edit in the kept database."""
        kept = self.cache.load("ocop.sqlite", sqlite.KeptDatabase)
        return sqlite._edits(kept, *_base(rows, self.specs, self.meta, self.cache))


def test_sqlite_updated_in_place_is_a_fresh_database(tmp_path: Path) -> None:
    db = _Databases(tmp_path)
    rows = db.rows
    db.made(rows)
    products = list(rows["products"])
    products[100] = {**products[100], "name": "dài " * 3000, "certificate_score": 51.5}
    products[101] = {**products[101], "description": None}
    edited = {**rows, "products": products}
    assert db.edits(edited)
    assert db.made(edited) == db.fresh(edited)
    # Two rows trading ids cannot be updated one by one: made afresh, the same bytes.
    swapped = list(products)
    swapped[5] = {**products[5], "id": products[6]["id"]}
    swapped[6] = {**products[6], "id": products[5]["id"]}
    edited = {**rows, "products": swapped}
    assert db.made(edited) == db.fresh(edited)


def test_sqlite_with_rows_added_or_removed_in_one_place_is_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A product added, a lot removed: the rows after the change move, and the database
    updated through a splice has a fresh one's bytes."""
    db = _Databases(tmp_path)
    made_afresh: list[int] = []

    def counted(*args: Any) -> bytes:
        made_afresh.append(1)
        return db.to_sqlite(*args)

    monkeypatch.setattr(sqlite, "to_sqlite", counted)
    rows = db.rows
    assert db.made(rows) == db.fresh(rows)
    products = rows["products"]
    added = {**products[40], "id": products[40]["id"] + "-moi", "name": "Sản phẩm thêm"}
    steps = {
        "a row added in the middle": [*products[:41], added, *products[41:]],
        "a row removed in the middle": [*products[:41], *products[42:]],
        "a row added at the end": [*products, {**added, "id": "zz-cuoi"}],
        "the first row removed": products[1:],
        "a row replaced by two": [*products[:10], added, {**added, "id": "zz-2"}, *products[11:]],
    }
    for step, edited_products in steps.items():
        edited = {**rows, "products": edited_products}
        edits = db.edits(edited)
        assert edits is not None and isinstance(edits["products"], sqlite.Splice), step
        made_afresh.clear()
        assert db.made(edited) == db.fresh(edited), step
        assert made_afresh == [], f"{step}: made afresh, not updated"
        assert db.made(rows) == db.fresh(rows), f"{step}, undone"


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
