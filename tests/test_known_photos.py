"""Photos that passed are not read again while their files are unchanged; changed ones are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT
from generator.validate import photos
from support import AS_OF, FIXTURE_CATALOG

SCHEMAS = PROJECT_ROOT / "schemas"


def _photo_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the photos the check reads from now on."""
    calls: list[str] = []
    real = photos.check_photo
    monkeypatch.setattr(
        photos,
        "check_photo",
        lambda folder, name, *a: calls.append(name) or real(folder, name, *a),
    )
    return calls


def test_unchanged_photos_are_not_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    cache = tmp_path / "cache"
    first = check_catalog(catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert first.catalog is not None and len(list(cache.glob("checks-*.marshal"))) == 1

    calls = _photo_checks(monkeypatch)
    second = check_catalog(catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert calls == []
    assert second.catalog is not None
    assert [p.photos for p in second.catalog.products] == [p.photos for p in first.catalog.products]

    # A photo replaced by a damaged file is checked again, and reported.
    photo = next((catalog / "products" / "hai_phong" / "hp-revoked").glob("*.jpg"))
    photo.write_bytes(photo.read_bytes()[:200])
    third = check_catalog(catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert calls == [photo.name]
    assert [p.code for p in third.problems] == ["photo-broken"]


def test_unreadable_cache_means_every_photo_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    cache = tmp_path / "cache"
    first = check_catalog(catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert first.catalog is not None
    (facts,) = cache.glob("checks-*.marshal")
    facts.unlink()
    facts.write_text("{not json", encoding="utf-8")

    calls = _photo_checks(monkeypatch)
    second = check_catalog(catalog, SCHEMAS, AS_OF, cache_dir=cache)
    assert sorted(calls) == sorted(p.file for q in first.catalog.products for p in q.photos)
    assert second.catalog == first.catalog
