"""Incremental builds: only changes are written, into an overlay applied once complete.

Whatever the history, the published tree must be byte for byte the tree a build from nothing
makes; a file shared through a hard link (with the cache) must never be written through; a site
whose manifest is lost or damaged is built whole, not trusted; a build killed while applying
its overlay is finished by the next.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator import write as write_module
from generator.build import BuildReport, _stamp_path, build_site
from generator.config import PROJECT_ROOT, BuildConfig, PoolSettings
from generator.write import (
    SiteWriter,
    WriteError,
    apply_overlay,
    content_digest,
    load_manifest,
    ready_dir_for,
    seal_overlay,
    site_lock,
)
from support import FIXTURE_CATALOG, make_config, tree_bytes

BASE_URL = "https://example.org/ocop/"
RECORD = "products/quang_ninh/qn-valid/product.yaml"
NAME = 'name: "Sản phẩm mẫu còn hiệu lực"'


def folders(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def rename(config: BuildConfig, new_name: str) -> None:
    path = config.catalog_dir / RECORD
    text = path.read_text(encoding="utf-8")
    current = next(line for line in text.splitlines() if line.startswith("name: "))
    path.write_text(text.replace(current, f'name: "{new_name}"', 1), encoding="utf-8")


def build(config: BuildConfig) -> BuildReport:
    report = BuildReport()
    assert build_site(config, report) == 0
    return report


@pytest.fixture
def work(tmp_path: Path) -> tuple[BuildConfig, BuildConfig]:
    """A catalog copy, and two configurations on it: the incremental site and a fresh one."""
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    incremental = make_config(catalog, tmp_path / "www" / "site", tmp_path / "cache", BASE_URL)
    fresh = make_config(catalog, tmp_path / "fresh" / "site", tmp_path / "cache", BASE_URL)
    return incremental, fresh


def fresh_build(config: BuildConfig) -> dict[str, bytes]:
    shutil.rmtree(config.out_dir.parent, ignore_errors=True)
    build(config)
    return tree_bytes(config.out_dir)


@pytest.mark.parametrize("pooled", [False, True], ids=["inline", "worker-processes"])
def test_incremental_builds_equal_a_build_from_nothing(
    work: tuple[BuildConfig, BuildConfig], pooled: bool
) -> None:
    site, fresh = work
    if pooled:  # pages kept by forked workers must be counted and recorded like the parent's
        every_record = PoolSettings(min_items=1, chunk=1)
        site, fresh = replace(site, pools=every_record), replace(fresh, pools=every_record)
    first = build(site)
    assert first.kept == 0 and first.removed == 0
    for step, name in enumerate(["Tên mới một", "Tên mới hai", "Tên mới ba"]):
        rename(site, name)
        report = build(site)
        # Most files were kept; the renamed product's page, share card and data changed.
        assert report.kept > report.files // 2, report
        # Written: the renamed product's page, JSON, share card and labels, the listings and
        # data files that show its name; counted alike whether a worker or the parent kept it.
        assert report.files - report.kept < 60, report
        assert report.removed >= 1  # the old share card (its name is in its content key)
        published = tree_bytes(site.out_dir)
        assert published == fresh_build(fresh), f"step {step}"
        assert folders(site.out_dir) == folders(fresh.out_dir)  # no empty folders left over
        page = published["p/qn-valid/index.html"].decode("utf-8")
        assert name in page
        # Nothing is left beside the site but its lock: no staging folder, no overlay.
        assert sorted(p.name for p in site.out_dir.parent.iterdir()) == [".site.lock", "site"]


def test_a_rebuild_moves_only_what_changed_into_the_site(
    work: tuple[BuildConfig, BuildConfig],
) -> None:
    """Kept files are the very files published before (not copies, not links made again); a
    changed file replaces the published one, which is never written through: a file shared with
    the cache by a hard link stays as the cache holds it."""
    site, _ = work
    build(site)
    out = site.out_dir
    robots, page = out / "robots.txt", out / "p/qn-valid/index.html"
    inodes = {path: path.stat().st_ino for path in (robots, page)}
    old_page = page.read_bytes()
    shared = site.cache_dir.parent / "shared-with-the-page"
    os.link(page, shared)
    rename(site, "Tên mới")
    build(site)
    assert robots.stat().st_ino == inodes[robots]
    assert page.stat().st_ino != inodes[page] and "Tên mới" in page.read_text(encoding="utf-8")
    assert shared.read_bytes() == old_page


@pytest.mark.parametrize("damage", ["manifest-missing", "manifest-garbage"])
def test_a_site_whose_manifest_cannot_be_trusted_is_built_whole(
    work: tuple[BuildConfig, BuildConfig], damage: str
) -> None:
    site, fresh = work
    build(site)
    manifest = _stamp_path(site, ".site.manifest")
    assert load_manifest(manifest) is not None
    if damage == "manifest-missing":
        manifest.unlink()
    else:
        manifest.write_bytes(b"\x00not a manifest")
    (site.out_dir / "left-over.html").write_text("not ours", encoding="utf-8")
    rename(site, "Tên hai")
    report = build(site)
    assert report.kept == 0
    assert tree_bytes(site.out_dir) == fresh_build(fresh)


@pytest.mark.parametrize("changed", [False, True], ids=["same-inputs", "a-record-changed"])
def test_a_folder_no_build_made_is_built_whole(
    work: tuple[BuildConfig, BuildConfig], changed: bool
) -> None:
    """The deploy's fresh runner: the cache (stamp, manifest) restored, the site folder holding
    only the earlier releases fetched from the live site. Neither the no-change check nor the
    manifest may be trusted there: the site would be published empty, or with only the changes."""
    site, fresh = work
    build(site)
    shutil.rmtree(site.out_dir)
    (site.out_dir / "data/releases").mkdir(parents=True)
    if changed:
        rename(site, "Tên mới")
    report = build(site)
    assert not report.skipped and report.kept == 0
    assert tree_bytes(site.out_dir) == fresh_build(fresh)


def test_a_build_killed_while_applying_is_finished_by_the_next(
    work: tuple[BuildConfig, BuildConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, fresh = work
    build(site)
    rename(site, "Tên một")
    moves: list[str] = []
    real_replace = os.replace

    def killed_after_three(source: Any, target: Any) -> None:
        if str(source).startswith(str(ready_dir_for(site.out_dir))):
            if len(moves) == 3:
                raise KeyboardInterrupt("killed")
            moves.append(str(target))
        real_replace(source, target)

    with monkeypatch.context() as patch:
        patch.setattr(write_module.os, "replace", killed_after_three)
        with pytest.raises(KeyboardInterrupt):
            build_site(site, BuildReport())
    assert len(moves) == 3 and ready_dir_for(site.out_dir).is_dir()
    # the next build finishes the overlay first, then builds as usual
    again = BuildReport()
    assert build_site(site, again) == 0
    assert not ready_dir_for(site.out_dir).exists()
    assert tree_bytes(site.out_dir) == fresh_build(fresh)
    rename(site, "Tên hai")
    build(site)
    assert tree_bytes(site.out_dir) == fresh_build(fresh)


def test_a_failed_build_leaves_the_published_site_and_its_manifest(
    work: tuple[BuildConfig, BuildConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.render.stats as stats

    site, fresh = work
    build(site)
    first = tree_bytes(site.out_dir)
    rename(site, "Tên một")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("failed")

    with monkeypatch.context() as patch:
        patch.setattr(stats, "render_statistics", explode)
        with pytest.raises(RuntimeError):
            build_site(site, BuildReport())
    assert tree_bytes(site.out_dir) == first
    assert sorted(p.name for p in site.out_dir.parent.iterdir()) == [".site.lock", "site"]
    report = build(site)
    assert report.kept > report.files // 2  # the manifest still describes the site
    assert tree_bytes(site.out_dir) == fresh_build(fresh)


# --- SiteWriter on its own --------------------------------------------------------------------


def test_writer_keeps_unchanged_files_and_removes_what_is_no_longer_made(tmp_path: Path) -> None:
    root = tmp_path / "site"
    first = SiteWriter(root)
    first.write_text("a/index.html", "a")
    first.write_text("b/c/index.html", "c")
    first.write_text("page.html", "rendered", input_key="i:page:1")
    assert first.finish() == 0
    inode = (root / "a" / "index.html").stat().st_ino

    second = SiteWriter(root, first.manifest())
    second.write_text("a/index.html", "a")  # same bytes: kept as it is
    assert second.unchanged("page.html", "i:page:1")  # same inputs: not even rendered
    assert not second.unchanged("other.html", "i:page:1")  # not in the tree
    second.write_text("d/index.html", "new")
    assert second.finish() == 1  # b/c/index.html
    assert second.kept == 2
    assert (root / "a" / "index.html").stat().st_ino == inode
    assert not (root / "b").exists()  # emptied folders go too
    assert tree_bytes(root) == {
        "a/index.html": b"a",
        "d/index.html": b"new",
        "page.html": b"rendered",
    }
    assert second.manifest()["a/index.html"] == (content_digest(b"a"), 1)


def test_writer_replaces_a_hard_linked_file_instead_of_writing_through_it(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    shared = tmp_path / "shared.txt"
    shared.write_text("published")
    os.link(shared, root / "index.html")
    writer = SiteWriter(root, {"index.html": (content_digest(b"published"), 9)})
    writer.write_text("index.html", "changed")
    assert (root / "index.html").read_text() == "changed"
    assert shared.read_text() == "published"


def test_after_a_template_change_the_next_build_renders_only_what_changed(
    work: tuple[BuildConfig, BuildConfig], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a build that rendered every page (a template changed) the next one renders and
    writes only the renamed product's pages and listings."""
    from generator.render.html import Html

    site, fresh = work
    build(site)
    templates = tmp_path / "templates"
    shutil.copytree(site.templates_dir, templates)
    base = templates / "base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("</body>", "<!-- mẫu mới --></body>"),
        encoding="utf-8",
    )
    site, fresh = replace(site, templates_dir=templates), replace(fresh, templates_dir=templates)
    rendered: list[str] = []
    render = Html.render

    def counted(self: Html, template: str, page_path: str, **context: object) -> str:
        rendered.append(page_path)
        return render(self, template, page_path, **context)

    monkeypatch.setattr(Html, "render", counted)
    everything = build(site)  # every page rendered with the new template
    pages = len(rendered)
    assert pages > 20 and everything.files - everything.kept >= pages
    rendered.clear()
    rename(site, "Tên hai")
    report = build(site)
    assert 0 < len(rendered) < pages // 3, rendered  # the renamed product's pages, listings
    assert report.files - report.kept < 60
    assert tree_bytes(site.out_dir) == fresh_build(fresh)


def test_an_overlay_writes_only_changes_and_applies_them(tmp_path: Path) -> None:
    published = tmp_path / "site"
    for rel, text in {"p/a/index.html": "A", "p/b/index.html": "B", "p/gone/x.txt": "x"}.items():
        (published / rel).parent.mkdir(parents=True, exist_ok=True)
        (published / rel).write_text(text, encoding="utf-8")
    manifest = {
        "p/a/index.html": ("i:a", 1),
        "p/b/index.html": (content_digest(b"B"), 1),
        "p/gone/x.txt": (content_digest(b"x"), 1),
    }
    staging = tmp_path / ".site.building-1"
    writer = SiteWriter(staging, manifest, base=published)
    assert writer.unchanged("p/a/index.html", "i:a")
    writer.write_text("p/b/index.html", "B")  # same bytes: kept where it is
    writer.write_text("p/c/index.html", "C")
    writer.write_text("new/folder/d.txt", "D")  # a folder the site does not have yet
    assert writer.path_of("p/a/index.html") == published / "p/a/index.html"
    assert writer.path_of("p/c/index.html").read_text(encoding="utf-8") == "C"
    assert writer.path_of("p/c/index.html").is_relative_to(staging)
    assert writer.finish() == 1 and writer.removals == ["p/gone/x.txt"]
    assert sorted(writer.made()) == ["new/folder/d.txt", "p/c/index.html"]
    assert sorted(tree_bytes(staging).values()) == [b"C", b"D"]  # only the changes
    assert tree_bytes(published)["p/gone/x.txt"] == b"x"  # untouched until applied
    ready = seal_overlay(staging, published, writer.made(), writer.removals)
    assert ready == ready_dir_for(published) and not staging.exists()
    assert apply_overlay(ready, published) == 2
    assert tree_bytes(published) == {
        "new/folder/d.txt": b"D",
        "p/a/index.html": b"A",
        "p/b/index.html": b"B",
        "p/c/index.html": b"C",
    }
    assert not (published / "p/gone").exists() and not ready.exists()


def test_an_overlay_is_not_sealed_over_another_not_yet_applied(tmp_path: Path) -> None:
    published = tmp_path / "site"
    published.mkdir()
    for n in (1, 2):
        writer = SiteWriter(tmp_path / f".site.building-{n}", {}, base=published)
        writer.write_text("index.html", str(n))
    seal_overlay(tmp_path / ".site.building-1", published, ["index.html"], [])
    with pytest.raises(WriteError, match=r"\.site\.ready is in the way"):
        seal_overlay(tmp_path / ".site.building-2", published, ["index.html"], [])


def test_the_quick_plain_path_test_agrees_with_its_definition() -> None:
    import itertools

    from generator.write import _plain

    def by_definition(rel: str) -> bool:
        if not rel or rel[0] == "/" or "\\" in rel:
            return False
        return all(part not in ("", ".", "..") for part in rel.split("/"))

    parts = ["a", "", ".", "..", ".x", "x.", "...", "a\\b", "ả"]
    for count in (1, 2, 3):
        for chosen in itertools.product(parts, repeat=count):
            rel = "/".join(chosen)
            for spelled in (rel, "/" + rel, rel + "/"):
                assert _plain(spelled) == by_definition(spelled), spelled


def test_the_spare_site_earlier_versions_kept_is_removed(
    work: tuple[BuildConfig, BuildConfig],
) -> None:
    site, _ = work
    build(site)
    spare = site.out_dir.parent / ".site.previous"
    (spare / "p/x").mkdir(parents=True)
    (spare / "p/x/index.html").write_text("old", encoding="utf-8")
    spare_manifest = _stamp_path(site, ".previous.manifest")
    spare_manifest.write_bytes(b"old")
    rename(site, "Tên mới")
    build(site)
    assert not spare.exists() and not spare_manifest.exists()


def test_the_site_lock_outlives_the_workers_a_build_forks(tmp_path: Path) -> None:
    """A POSIX lock would be dropped if its own process closed a descriptor of the file; a
    forked worker ending (and closing the copy it inherited) must not drop it."""
    out = tmp_path / "site"
    other = (
        "import sys\nfrom pathlib import Path\nfrom generator.write import site_lock\n"
        "with site_lock(Path(sys.argv[1])):\n    pass\n"
    )

    def another_process_can_lock() -> bool:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        run = subprocess.run([sys.executable, "-c", other, str(out)], env=env, check=False)
        return run.returncode == 0

    with site_lock(out):
        worker = os.fork()
        if worker == 0:
            os._exit(0)
        os.waitpid(worker, 0)
        assert not another_process_can_lock()
    assert another_process_can_lock()
