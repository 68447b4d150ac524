"""generator/build.py: when a build may be skipped, and what the next build then sees."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import generator.render.search
from generator.build import BuildReport, build_site, run_build
from generator.config import PROJECT_ROOT, BuildConfig
from generator.progress import Progress
from generator.publish import run_publish
from generator.write import lock_path_for, ready_dir_for
from support import FIXTURE_CATALOG, make_config, tree_bytes

RECORD = Path("products/quang_ninh/qn-valid/product.yaml")
OLD_NAME = 'name: "Sản phẩm mẫu còn hiệu lực"'
NEW_NAME = 'name: "Sản phẩm mẫu sửa giữa chừng"'


@pytest.fixture
def config(tmp_path: Path) -> BuildConfig:
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    return make_config(catalog, tmp_path / "site", tmp_path / "cache", "https://ocop.example/")


def test_unchanged_inputs_skip_the_build(config: BuildConfig) -> None:
    assert build_site(config, BuildReport()) == 0
    # the build appended the published lots and recalls beside the products' ledger, and the
    # next build does not count that as a change
    lots = (config.catalog_dir / "published-lots.txt").read_text(encoding="utf-8")
    assert "qn-valid/L2026-09" in lots.splitlines()
    recalls = (config.catalog_dir / "published-recalls.txt").read_text(encoding="utf-8")
    assert "qn-valid-2026-10-05" in recalls.splitlines()
    again = BuildReport()
    assert build_site(config, again) == 0
    assert again.skipped


def test_record_edited_during_a_build_is_built_by_the_next_one(
    config: BuildConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The no-change stamp is the fingerprint taken before the build read anything: an edit
    made while a build runs (which that build may or may not have read) is never skipped."""
    assert build_site(config, BuildReport()) == 0
    record = config.catalog_dir / RECORD
    record.write_text(
        record.read_text(encoding="utf-8").replace(OLD_NAME, 'name: "Sản phẩm mẫu lần hai"', 1),
        encoding="utf-8",
    )
    original = generator.render.search.render_search_index

    def edit_then_index(*args: Any, **kwargs: Any) -> Any:
        # the record was read already: this build publishes the earlier name
        text = record.read_text(encoding="utf-8")
        record.write_text(text.replace('name: "Sản phẩm mẫu lần hai"', NEW_NAME, 1), "utf-8")
        return original(*args, **kwargs)

    monkeypatch.setattr(generator.render.search, "render_search_index", edit_then_index)
    assert build_site(config, BuildReport()) == 0
    monkeypatch.setattr(generator.render.search, "render_search_index", original)
    page = config.out_dir / "p/qn-valid/index.html"
    assert "Sản phẩm mẫu lần hai" in page.read_text(encoding="utf-8")

    next_build = BuildReport()
    assert build_site(config, next_build) == 0
    assert not next_build.skipped
    assert "Sản phẩm mẫu sửa giữa chừng" in page.read_text(encoding="utf-8")


def test_first_rebuild_after_a_build_from_nothing_writes_only_what_changed(
    config: BuildConfig,
) -> None:
    """A build from nothing leaves only the site (no spare copy, nothing to copy later); the
    first rebuild after it writes the changed files into an overlay and moves them in."""
    assert build_site(config, BuildReport()) == 0
    assert _beside_the_site(config) == []
    page = "p/qn-valid/index.html"
    first_inode = (config.out_dir / "robots.txt").stat().st_ino
    record = config.catalog_dir / RECORD
    record.write_text(
        record.read_text(encoding="utf-8").replace(OLD_NAME, NEW_NAME, 1), encoding="utf-8"
    )
    rebuild = BuildReport()
    assert build_site(config, rebuild) == 0
    assert rebuild.files - rebuild.kept < rebuild.files // 4  # only what the rename touched
    assert "Sản phẩm mẫu sửa giữa chừng" in (config.out_dir / page).read_text(encoding="utf-8")
    # the kept files are the first build's very files
    assert (config.out_dir / "robots.txt").stat().st_ino == first_inode
    assert _beside_the_site(config) == []


def _beside_the_site(config: BuildConfig) -> list[str]:
    """Hidden files and folders beside the site but its lock (a file that stays, empty of
    meaning once its process is gone)."""
    lock = lock_path_for(config.out_dir)
    return [p.name for p in config.out_dir.parent.iterdir() if p.name.startswith(".") and p != lock]


_HOLDER = """
import sys
from pathlib import Path
from generator.write import site_lock
with site_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextmanager
def _held_by_another_process(out_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """A process holding the site's lock, as a build or publish running elsewhere would."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(out_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_a_second_build_of_the_folder_stops_at_once(
    config: BuildConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two builds at once would apply one overlay twice (the second takes it for a killed
    build's): the second stops, changes nothing and says who holds the folder."""
    assert build_site(config, BuildReport()) == 0
    before = tree_bytes(config.out_dir)
    record = config.catalog_dir / RECORD
    record.write_text(
        record.read_text(encoding="utf-8").replace(OLD_NAME, NEW_NAME, 1), encoding="utf-8"
    )
    capsys.readouterr()
    with _held_by_another_process(config.out_dir) as holder:
        assert run_build(config) == 1
        said = capsys.readouterr().err
        assert f"tiến trình {holder.pid}" in said and f"process {holder.pid}" in said
        assert tree_bytes(config.out_dir) == before
        assert _beside_the_site(config) == []
        # killed, not ended: the kernel drops the lock with the process
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert run_build(config) == 0
    assert "Sản phẩm mẫu sửa giữa chừng" in (config.out_dir / "p/qn-valid/index.html").read_text(
        encoding="utf-8"
    )


def test_publish_stops_while_a_build_holds_the_folder(
    config: BuildConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder a build is changing is not uploaded: publish stops before reading it, and says
    a build is running even while that build's overlay is being applied (not that one was
    killed half-way)."""
    assert build_site(config, BuildReport()) == 0
    capsys.readouterr()
    with _held_by_another_process(config.out_dir) as holder:
        ready_dir_for(config.out_dir).mkdir()  # the build's overlay, sealed, being applied
        assert run_publish(config.out_dir, "ocop-test", None, "", dry_run=True) == 1
    said = capsys.readouterr().err
    assert f"tiến trình {holder.pid}" in said and "another build or publish" in said
    assert "half-way" not in said


def test_a_catalog_with_errors_leaves_no_staging(config: BuildConfig) -> None:
    assert build_site(config, BuildReport()) == 0
    record = config.catalog_dir / RECORD
    record.write_text(
        record.read_text(encoding="utf-8").replace(OLD_NAME, "name: 12", 1), encoding="utf-8"
    )
    assert build_site(config, BuildReport()) == 1
    leftovers = [p.name for p in config.out_dir.parent.iterdir() if ".building-" in p.name]
    assert leftovers == []


def test_first_build_makes_the_datasets_after_the_pages(
    config: BuildConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing checked before (empty datasets cache) the datasets child, the largest
    process of a first build, starts once the page workers are done; later builds, which read
    few rows, overlap it with the pages."""
    import generator.build
    import generator.render.pages

    events: list[str] = []
    start, pages = generator.build._start_datasets, generator.render.pages.render_pages

    def recorded(name: str, func: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            events.append(name)
            return func(*args, **kwargs)

        return call

    monkeypatch.setattr(generator.build, "_start_datasets", recorded("datasets", start))
    monkeypatch.setattr(generator.render.pages, "render_pages", recorded("pages", pages))
    assert build_site(config, BuildReport()) == 0
    assert events == ["pages", "datasets"]

    events.clear()
    record = config.catalog_dir / RECORD
    record.write_text(
        record.read_text(encoding="utf-8").replace(OLD_NAME, NEW_NAME, 1), encoding="utf-8"
    )
    assert build_site(config, BuildReport()) == 0
    assert events == ["datasets", "pages"]


def test_labels_drawn_again_by_a_rebuild_report_their_progress(
    config: BuildConfig, tmp_path: Path
) -> None:
    """A rebuild draws its labels in a child process beside the parent: a new base URL draws
    them all again, long work that must still be shown (in plain lines, even on a terminal,
    where the parent draws its bar)."""
    assert build_site(config, BuildReport()) == 0
    moved = replace(config, base_url="https://ocop.example/moi/")
    with (tmp_path / "progress.txt").open("w", encoding="utf-8") as stream:
        # a bar for the parent's stages; the child's lines land in the same file
        assert build_site(moved, BuildReport(), Progress("bar", stream, min_lines=0)) == 0
    said = (tmp_path / "progress.txt").read_text(encoding="utf-8")
    labels = [line for line in said.splitlines() if line.startswith("nhãn / labels: ")]
    assert labels, said
    done, total = labels[-1].removeprefix("nhãn / labels: ").split("/")
    assert done == total and int(total) > 0


def test_long_stages_report_their_progress(config: BuildConfig) -> None:
    out = io.StringIO()
    assert build_site(config, BuildReport(), Progress("lines", out, min_lines=0)) == 0
    last: dict[str, str] = {}
    for line in out.getvalue().splitlines():
        stage, _, count = line.rpartition(": ")
        last[stage] = count
    reading, checking = "đọc hồ sơ / reading records", "kiểm tra hồ sơ / checking records"
    assert set(last) == {reading, checking, "ảnh / photos", "nhãn / labels", "trang / pages"}
    for count in last.values():
        done, total = count.split("/")
        assert done == total and int(total) > 0
    # a second build of the same catalog still reads and checks (from its cache), but has
    # nothing left to draw: no other stage is shown
    again = io.StringIO()
    (config.catalog_dir / RECORD).touch()
    assert build_site(config, BuildReport(), Progress("lines", again, min_lines=0)) == 0
    assert {line.rpartition(": ")[0] for line in again.getvalue().splitlines()} == {
        reading,
        checking,
    }
