"""What the datasets stage keeps between builds (generator/render/datasets/cache.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets_support import assert_same_tree, build, build_again, load, replace_product

from generator.model import Catalog
from generator.render.datasets import cache as datasets_cache
from generator.render.datasets import rows
from generator.render.datasets.specs import DatasetError


def test_checked_before_means_a_passed_check_with_this_code(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the build asks to decide whether the datasets may run beside the page workers."""
    cache = tmp_path / "cache"  # build() keeps its cache beside the staging folder
    assert not datasets_cache.datasets_checked_before(cache)
    real = rows.product_row
    monkeypatch.setattr(rows, "product_row", lambda *a: {**real(*a), "stars": 7})
    with pytest.raises(DatasetError):
        build(catalog, tmp_path / "bad")
    assert not datasets_cache.datasets_checked_before(cache)  # checked, but not passed
    monkeypatch.setattr(rows, "product_row", real)
    build(catalog, tmp_path / "good")
    assert datasets_cache.datasets_checked_before(cache)
    monkeypatch.setattr(datasets_cache, "_code_key", lambda: "other code")
    assert not datasets_cache.datasets_checked_before(cache)


def test_corrupt_cache_files_are_ignored(tmp_path: Path) -> None:
    catalog = load()
    cache = tmp_path / "cache"
    first = build_again(catalog, tmp_path / "first", cache)
    for path in (cache / "datasets").iterdir():
        path.write_bytes(b"\x00not marshal")
    changed = replace_product(catalog, 1, name="Đổi tên")
    again = build_again(changed, tmp_path / "again", cache, first)
    build_again(changed, tmp_path / "fresh", tmp_path / "other-cache")
    assert_same_tree(again.root, tmp_path / "fresh")
