"""The no-change check's summary of the inputs: the same whatever the walk's split, and moved
by any change of a file deep in the catalog."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import pytest

from generator import fingerprint
from generator.config import BuildConfig
from generator.fingerprint import _tree_state, catalog_state, input_fingerprint

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


@pytest.mark.usefixtures("alone")
def test_processes_walk_as_one_walk(catalog: Path) -> None:
    states = [catalog_state(str(catalog), processes) for processes in (1, 2, 3, 8)]
    assert all(state == states[0] for state in states)
    # down to the split, every folder and file is named; below it, a digest per share
    assert "products" in states[0] and "producers" in states[0]
    assert any(isinstance(part, bytes) and len(part) == 16 for part in states[0])
    whole: list[object] = []
    _tree_state(str(catalog), whole)
    assert len(whole) > 20  # the fixture's products and photos, each named
    fingerprints = {input_fingerprint(_config(catalog), processes) for processes in (1, 2, 8)}
    assert len(fingerprints) == 1


@pytest.fixture
def alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test runner's workers have a thread of their own, which would stop the forks."""
    monkeypatch.setattr(fingerprint.threading, "active_count", lambda: 1)


@pytest.mark.usefixtures("alone")
def test_the_walk_is_shared_with_forked_processes(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counted_fork)
    catalog_state(str(catalog), 3)
    assert len(forks) == 2


def test_a_walk_with_threads_running_is_made_here(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forking while another thread holds a lock could hang the child: not done then."""
    alone = catalog_state(str(catalog), 1)

    def no_fork() -> int:
        raise AssertionError("forked with a thread running")

    monkeypatch.setattr(os, "fork", no_fork)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert catalog_state(str(catalog), 2) == alone
    finally:
        release.set()
        other.join()


@pytest.mark.usefixtures("alone")
def test_a_child_that_fails_has_its_share_walked_here(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = catalog_state(str(catalog), 1)
    parent = os.getpid()
    real_digest = fingerprint._share_digest

    def fails_in_a_child(share: object) -> bytes:
        if os.getpid() != parent:
            raise MemoryError
        return real_digest(share)  # type: ignore[arg-type]

    monkeypatch.setattr(fingerprint, "_share_digest", fails_in_a_child)
    assert catalog_state(str(catalog), 2) == alone


def _a_deep_photo(catalog: Path) -> Path:
    photos = sorted(catalog.glob("products/*/*/*.jpg"))
    assert photos, "the fixture catalog has photos in product folders"
    return photos[0]


@pytest.mark.usefixtures("alone")
@pytest.mark.parametrize("processes", [1, 2])
def test_a_photo_rewritten_in_place_is_seen(catalog: Path, processes: int) -> None:
    before = input_fingerprint(_config(catalog), processes)
    photo = _a_deep_photo(catalog)
    stat = photo.stat()
    with photo.open("r+b") as handle:  # same size, new bytes, as an editor saving in place
        handle.write(b"\xff")
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert input_fingerprint(_config(catalog), processes) != before


@pytest.mark.usefixtures("alone")
@pytest.mark.parametrize("processes", [1, 2])
def test_a_new_and_a_removed_file_are_seen(catalog: Path, processes: int) -> None:
    before = input_fingerprint(_config(catalog), processes)
    photo = _a_deep_photo(catalog)
    extra = photo.with_name("them-moi.jpg")
    shutil.copy(photo, extra)
    added = input_fingerprint(_config(catalog), processes)
    assert added != before
    extra.unlink()
    assert input_fingerprint(_config(catalog), processes) == before
