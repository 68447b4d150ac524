"""The no-change check's summary of the inputs: the same whatever the walk's split, and moved
by any change of a file deep in the catalog."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from generator.config import BuildConfig
from generator.fingerprint import input_fingerprint, tree_state

FIXTURE = Path(__file__).parent / "fixtures" / "catalog"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    copy = tmp_path / "catalog"
    shutil.copytree(FIXTURE, copy)
    return copy


def _config(catalog: Path) -> BuildConfig:
    return BuildConfig(
        catalog_dir=catalog,
        out_dir=catalog.parent / "site",
        base_url="https://ocop.example/",
        as_of=dt.date(2026, 11, 20),
    )


def test_threads_walk_as_one_walk(catalog: Path) -> None:
    one: list[object] = []
    tree_state(str(catalog), one, threads=1)
    many: list[object] = []
    tree_state(str(catalog), many, threads=8)
    assert many == one
    assert len(one) > 20  # the fixture's products and photos, each named
    assert input_fingerprint(_config(catalog), 1) == input_fingerprint(_config(catalog), 8)


def _a_deep_photo(catalog: Path) -> Path:
    photos = sorted(catalog.glob("products/*/*/*.jpg"))
    assert photos, "the fixture catalog has photos in product folders"
    return photos[0]


@pytest.mark.parametrize("threads", [1, 8])
def test_a_photo_rewritten_in_place_is_seen(catalog: Path, threads: int) -> None:
    before = input_fingerprint(_config(catalog), threads)
    photo = _a_deep_photo(catalog)
    stat = photo.stat()
    with photo.open("r+b") as handle:  # same size, new bytes, as an editor saving in place
        handle.write(b"\xff")
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert input_fingerprint(_config(catalog), threads) != before


@pytest.mark.parametrize("threads", [1, 8])
def test_a_new_and_a_removed_file_are_seen(catalog: Path, threads: int) -> None:
    before = input_fingerprint(_config(catalog), threads)
    photo = _a_deep_photo(catalog)
    extra = photo.with_name("them-moi.jpg")
    shutil.copy(photo, extra)
    added = input_fingerprint(_config(catalog), threads)
    assert added != before
    extra.unlink()
    assert input_fingerprint(_config(catalog), threads) == before
