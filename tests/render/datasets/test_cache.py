"""What the datasets stage keeps between builds (generator/render/datasets/cache.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from datasets_support import assert_same_tree, build, build_again, load, replace_product
from generator.model import Catalog
from generator.render.datasets import cache as datasets_cache
from generator.render.datasets import rows
from generator.render.datasets.specs import DatasetError
from generator.render.datasets.sqlite import KeptDatabase


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
        path.write_bytes(b"\x00not a cache entry")
    changed = replace_product(catalog, 1, name="Đổi tên")
    again = build_again(changed, tmp_path / "again", cache, first)
    build_again(changed, tmp_path / "fresh", tmp_path / "other-cache")
    assert_same_tree(again.root, tmp_path / "fresh")


def test_the_code_key_covers_every_module_of_the_package(tmp_path: Path) -> None:
    """A change to any module of the package (not only the one that keeps the cache) gives
    other keys: every module's code makes the datasets."""
    package = Path(datasets_cache.__file__).parent
    assert datasets_cache._code_key() == datasets_cache.code_digest(package)
    copy = tmp_path / "datasets"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = datasets_cache.code_digest(copy)
    assert before == datasets_cache._code_key()
    with (copy / "xlsx.py").open("a", encoding="utf-8") as module:
        module.write("# another workbook\n")
    edited = datasets_cache.code_digest(copy)
    assert edited != before
    (copy / "added.py").write_text("", encoding="utf-8")
    assert datasets_cache.code_digest(copy) not in (before, edited)


def test_an_entry_of_another_kind_is_a_miss(tmp_path: Path) -> None:
    """Entries are named records: a value of another shape (an older positional tuple) is not
    taken for one."""
    cache = datasets_cache.DatasetCache(tmp_path)
    cache.save(datasets_cache.DATABASE, ("key", {}, b"SQLite"))
    assert cache.load(datasets_cache.DATABASE, KeptDatabase) is None
    kept = KeptDatabase("key", {"products": [b"k"]}, b"SQLite")
    cache.save(datasets_cache.DATABASE, kept)
    assert cache.load(datasets_cache.DATABASE, KeptDatabase) == kept


def test_the_cache_is_pruned_to_the_entries_the_code_reads(
    catalog: Catalog, tmp_path: Path
) -> None:
    """A table no longer published, an entry kind gone, a build killed while writing: their
    files go; a write in progress stays."""
    folder = tmp_path / "cache" / "datasets"
    build(catalog, tmp_path / "first")
    made = {p.name for p in folder.iterdir()}
    assert made <= datasets_cache.entry_names()
    assert {"rows-products", "lines-changes", "sheet-photos", "checked"} <= made
    stray = ["rows-withdrawn-table", "old-entry", ".rows-products.99999999.tmp"]
    writing = f".rows-products.{os.getpid()}.tmp"
    for name in (*stray, writing):
        (folder / name).write_bytes(b"x")
    build(catalog, tmp_path / "second")
    assert {p.name for p in folder.iterdir()} == made | {writing}
