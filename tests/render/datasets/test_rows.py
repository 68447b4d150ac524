"""The published tables' rows (generator/render/datasets/rows.py)."""

from __future__ import annotations

from pathlib import Path

from datasets_support import SCHEMAS, config_for, replace_product
from generator.model import Catalog
from generator.render.datasets.rows import product_rows
from generator.render.datasets.specs import load_table_specs


def test_products_say_whether_their_group_was_inferred(catalog: Catalog, tmp_path: Path) -> None:
    config = config_for(catalog, tmp_path / "published", tmp_path / "cache")
    assert [r["group_inferred"] for r in product_rows(catalog, config, catalog.as_of)] == [
        False
    ] * len(catalog.products)
    inferred = replace_product(catalog, 1, group_inferred=True)
    rows = product_rows(inferred, config, inferred.as_of)
    assert [r["id"] for r in rows if r["group_inferred"] is True] == [catalog.products[1].id]
    assert sum(r["group_inferred"] is False for r in rows) == len(rows) - 1


def test_the_group_inferred_column_is_a_required_boolean_said_to_be_unofficial() -> None:
    spec = load_table_specs(SCHEMAS)["products"]
    field = next(f for f in spec.fields if f.name == "group_inferred")
    assert field.type == "boolean" and field.required
    assert spec.fields[-1] is field  # a new column goes at the end
    assert "không phải dữ liệu chính thức" in field.description
    assert "not official facts" in field.description_en
