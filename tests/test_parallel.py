"""The pool path of map_chunks gives exactly what the inline path gives, in order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import parallel
from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT
from generator.errors import format_text
from support import AS_OF, FIXTURE_CATALOG


def squares(chunk: list[int], offset: int) -> list[int]:
    return [n * n + offset for n in chunk]


def test_pool_keeps_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_FOR_POOL", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    items = list(range(20))
    assert parallel.map_chunks(squares, items, 1, workers=2) == [n * n + 1 for n in items]


def test_validation_in_a_pool_equals_inline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    record = catalog / "products" / "quang_ninh" / "qn-valid" / "product.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("stars: 4", "stars: 6"), encoding="utf-8"
    )
    schemas = PROJECT_ROOT / "schemas"
    inline = check_catalog(catalog, schemas, AS_OF, catalog / "published-ids.txt")
    monkeypatch.setattr(parallel, "MIN_ITEMS_FOR_POOL", 1)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    pooled = check_catalog(catalog, schemas, AS_OF, catalog / "published-ids.txt")
    assert inline.problems  # the broken record is reported...
    assert format_text(pooled.problems) == format_text(inline.problems)  # ...the same way


def test_site_built_in_a_pool_is_byte_identical(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import hashlib

    from generator.build import BuildReport, build_site
    from support import make_config

    def build(name: str) -> dict[str, str]:
        catalog = tmp_path / name / "catalog"
        shutil.copytree(FIXTURE_CATALOG, catalog)
        out = tmp_path / name / "site"
        config = make_config(catalog, out, tmp_path / name / "cache", "https://ocop.example/")
        assert build_site(config, BuildReport()) == 0
        return {
            p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }

    inline = build("inline")
    monkeypatch.setattr(parallel, "MIN_ITEMS_FOR_POOL", 1)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    assert build("pooled") == inline


def test_check_catalog_leaves_the_collector_as_it_was() -> None:
    """check_catalog pauses the cyclic garbage collector while it reads (millions of objects,
    no cycles) and must hand it back as it found it, on or off."""
    import gc

    schemas = PROJECT_ROOT / "schemas"
    assert gc.isenabled()
    check_catalog(FIXTURE_CATALOG, schemas, AS_OF)
    assert gc.isenabled()
    gc.disable()
    try:
        check_catalog(FIXTURE_CATALOG, schemas, AS_OF)
        assert not gc.isenabled()
    finally:
        gc.enable()
