"""The package check (generator/render/datasets/check.py): frictionless on what it has not
vouched for, in a process when large; an invalid table stops the build, and a row broken after
a valid build fails at its row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datasets_support import IN_CHILDREN, build, build_again, grown, load
from generator.model import Catalog, Product
from generator.render.datasets import rows, stage
from generator.render.datasets.specs import DatasetError


def test_a_broken_table_stops_the_build(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = rows.product_row

    def broken(product: Any, *args: Any) -> dict[str, Any]:
        row = real(product, *args)
        if product.id == "qn-expired":
            row["stars"] = 7  # not 3, 4 or 5
            row["producer_id"] = "khong-co"  # no such producer
        return row

    monkeypatch.setattr(rows, "product_row", broken)
    with pytest.raises(DatasetError) as raised:
        build(catalog, tmp_path / "site")
    errors = "\n".join(raised.value.errors)
    assert "products row 6 field stars: constraint-error" in errors  # qn-expired: 5th product
    assert "foreign-key" in errors


def test_a_large_package_is_checked_in_a_child_process(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path a national catalog takes: frictionless in a spawned process, errors returned."""
    build(catalog, tmp_path / "good", pools=IN_CHILDREN)
    assert (tmp_path / "good/data/latest/ocop.xlsx").is_file()
    real = rows.product_row

    def broken(product: Any, *args: Any) -> dict[str, Any]:
        return {**real(product, *args), "stars": 7}

    monkeypatch.setattr(rows, "product_row", broken)
    with pytest.raises(DatasetError, match="not valid"):
        build(catalog, tmp_path / "bad", pools=IN_CHILDREN)
    # Nothing derived from an invalid package is published.
    assert not (tmp_path / "bad/data/latest/ocop.xlsx").exists()
    assert not (tmp_path / "bad/data/releases").exists()


def test_a_row_broken_after_a_valid_build_fails_at_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdicts of the first build must not cover the changed line: frictionless reads it,
    and the error names its row in the published file."""
    catalog = grown(load(), 40)
    cache = tmp_path / "cache"
    first = build_again(catalog, tmp_path / "good", cache)
    broken_id = catalog.products[30].id
    real = rows.product_row

    def broken(product: Product, *args: Any) -> dict[str, Any]:
        row = real(product, *args)
        return {**row, "stars": 7} if product.id == broken_id else row

    monkeypatch.setattr(rows, "product_row", broken)
    with pytest.raises(DatasetError) as raised:
        build_again(catalog, tmp_path / "bad", cache, first)
    # Its row in products.csv, and in changes.csv (the product's "added" change).
    products, changes = raised.value.errors
    assert products.startswith("products row 32 field stars: constraint-error: ")
    assert changes.startswith("changes row 32 field stars: constraint-error: ")
    assert 'row at position "32"' in products


def test_a_changed_descriptor_is_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load()
    cache = tmp_path / "cache"
    first = build_again(catalog, tmp_path / "good", cache)
    real = stage.datapackage
    monkeypatch.setattr(stage, "datapackage", lambda *a: {**real(*a), "name": "Not A Valid Name!"})
    with pytest.raises(DatasetError, match="not valid") as raised:
        build_again(catalog, tmp_path / "bad", cache, first)
    assert any(e.startswith("package: package-error:") for e in raised.value.errors)
