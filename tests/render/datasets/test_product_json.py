"""p/<id>/product.json (generator/render/datasets/product_json.py)."""

from __future__ import annotations

import json
from pathlib import Path

from datasets_support import AS_OF, BASE_URL, FIXTURE, RELEASE, SCHEMAS
from generator.config import BuildConfig
from generator.render.artifacts import DataIndex
from generator.render.datasets import columns, product_json
from generator.render.datasets.cache import DatasetCache
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.specs import load_table_specs
from support import FIXTURE_PRODUCT_IDS

IDS = FIXTURE_PRODUCT_IDS


def test_json_tables_and_product_json(site: tuple[Path, DataIndex]) -> None:
    root, index = site
    products = json.loads((root / "data/latest/products.json").read_text("utf-8"))
    ids = [p["id"] for p in products]
    assert ids == sorted(IDS)
    valid = products[ids.index("qn-valid")]
    assert valid["stars"] == 4 and valid["example"] is True
    assert valid["name_en"] == "Sample product, valid" and products[0]["name_en"] is None
    assert index.product_json == {pid: f"p/{pid}/product.json" for pid in IDS}
    one = json.loads((root / "p/qn-valid/product.json").read_text("utf-8"))
    assert one["id"] == "qn-valid" and one["release"] == "2026-11-23"
    assert [c["number"] for c in one["certificates"]] == ["2002/QĐ-UBND", "1001/QĐ-UBND"]
    assert [p["file"] for p in one["photos"]] == ["chai-mau.jpg", "hop-mau.png"]
    assert one["sources"][0]["title"] == "Hồ sơ mẫu"
    no_photo = json.loads((root / "p/hp-chua-co-anh/product.json").read_text("utf-8"))
    assert no_photo["photos"] == [] and no_photo["certificates"][0]["date"] == "2025-03"


def test_product_json_fast_path_matches_the_general_one(
    site: tuple[Path, DataIndex], tmp_path: Path
) -> None:
    """p/<id>/product.json is joined from the JSON tables' records; the general path (one
    json.dumps per product) must give the same bytes."""
    root, _ = site
    specs = load_table_specs(SCHEMAS)
    tables = {
        name: [
            {k: columns.json_value(v) for k, v in row.items()}
            for row in json.loads((root / f"data/latest/{name}.json").read_text("utf-8"))
        ]
        for name in ("products", "certificates", "photos", "sources")
    }
    nested = {name: product_json.rows_by_product(tables[name]) for name in product_json.NESTED}
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=root, base_url=BASE_URL, as_of=AS_OF)
    general = {
        row["id"]: product_json.product_json(row, nested, RELEASE.isoformat(), config)
        for row in tables["products"]
    }
    for pid, data in general.items():
        assert (root / f"p/{pid}/product.json").read_bytes() == data, pid
    cache = DatasetCache(tmp_path)
    encoded = {name: EncodedTable(specs[name], rows, cache) for name, rows in tables.items()}
    jsons = product_json.ProductJsons(encoded, RELEASE.isoformat(), config, cache)
    assert {pid: jsons.data(i) for i, pid in enumerate(jsons.ids)} == general
