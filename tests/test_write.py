"""Incremental builds: the staging folder starts from an earlier site and only changes are written.

Whatever the history, the published tree must be byte for byte the tree a build from nothing
makes; the previous site must never be changed through a shared hard link; and an unknown or
damaged reused tree must be thrown away, not trusted.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator import write as write_module
from generator.build import BuildReport, _stamp_path, build_site
from generator.config import BuildConfig, PoolSettings
from generator.write import (
    SiteWriter,
    WriteError,
    content_digest,
    load_manifest,
    spare_dir_for,
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
    # nothing earlier to keep: no spare (the next build copies the published site)
    assert not spare_dir_for(site.out_dir).exists()
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
        # The site before this build is kept whole, for the next build to bring up to date.
        assert spare_dir_for(site.out_dir).is_dir()


def test_the_previous_site_is_never_changed_through_a_hard_link(
    work: tuple[BuildConfig, BuildConfig],
) -> None:
    site, _ = work
    build(site)
    first = tree_bytes(site.out_dir)
    rename(site, "Tên mới")
    build(site)  # staging was a hard-link copy of the first site
    assert tree_bytes(spare_dir_for(site.out_dir)) == first
    second = tree_bytes(site.out_dir)
    assert second != first
    rename(site, "Tên mới nữa")
    build(site)  # staging was the first site, sharing most inodes with the second
    assert tree_bytes(spare_dir_for(site.out_dir)) == second


@pytest.mark.parametrize("damage", ["manifest-missing", "manifest-garbage", "file-removed"])
def test_a_reused_tree_that_cannot_be_trusted_is_not(
    work: tuple[BuildConfig, BuildConfig], damage: str
) -> None:
    site, fresh = work
    build(site)
    rename(site, "Tên một")
    build(site)  # now there is a spare with a manifest
    spare = spare_dir_for(site.out_dir)
    manifest = _stamp_path(site, ".previous.manifest")
    assert spare.is_dir() and load_manifest(manifest) is not None
    if damage == "manifest-missing":
        manifest.unlink()
    elif damage == "manifest-garbage":
        manifest.write_bytes(b"\x00not a manifest")
    rename(site, "Tên hai")
    build(site)
    assert tree_bytes(site.out_dir) == fresh_build(fresh)


def test_a_build_killed_after_taking_the_spare_is_recovered(
    work: tuple[BuildConfig, BuildConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.render.stats as stats

    site, fresh = work
    build(site)
    rename(site, "Tên một")
    build(site)
    rename(site, "Tên hai")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(stats, "render_statistics", explode)
        with pytest.raises(RuntimeError):
            build_site(site, BuildReport())
    assert not spare_dir_for(site.out_dir).exists()  # it was taken, then thrown away
    report = build(site)
    assert report.kept  # a hard-link copy of the published site was brought up to date
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


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_clone_links_every_file_and_folder_whoever_makes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    import generator.write

    monkeypatch.setattr(generator.write, "_FILES_A_UNIT", 3)  # a flat folder in several portions
    source = tmp_path / "site"
    for rel in [
        "index.html",
        "media/a.webp",
        "media/b.webp",
        "media/c.webp",
        "media/d.webp",
        "media/e.webp",
        "p/x/index.html",
        "p/x/lo/L1/index.html",
        "p/y/index.html",
        "data/latest/ocop.csv",
    ]:
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(rel, encoding="utf-8")
    (source / "p/empty").mkdir()

    def tree(root: Path) -> dict[str, int]:
        return {
            p.relative_to(root).as_posix(): (p.stat().st_ino if p.is_file() else 0)
            for p in root.rglob("*")
        }

    generator.write.clone_tree(source, tmp_path / "copy", workers)
    assert tree(tmp_path / "copy") == tree(source)  # the same files, as links, and folders


def test_what_the_last_build_changed_is_linked_from_the_published_site(
    work: tuple[BuildConfig, BuildConfig], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build starts from the site before last: after a build that rendered every page (a
    template changed), the next one links those pages from the published site instead of
    rendering them all again."""
    from generator.render.html import Html

    site, fresh = work
    build(site)
    rename(site, "Tên một")
    build(site)  # from here on a build starts from the site before last
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


def test_a_page_promised_from_the_published_site_is_linked_at_the_end_or_the_build_stops(
    tmp_path: Path,
) -> None:
    published = tmp_path / "site"
    (published / "p/a").mkdir(parents=True)
    (published / "p/a/index.html").write_text("A", encoding="utf-8")
    manifest = {"p/a/index.html": ("i:a", 1), "p/b/index.html": ("i:b", 1)}
    writer = SiteWriter(tmp_path / "staging", {}, (published, manifest))
    assert writer.unchanged("p/a/index.html", "i:a")
    assert not (tmp_path / "staging/p/a/index.html").exists()  # linked with the others, later
    assert not writer.unchanged("p/c/index.html", "i:a")  # not in the published site
    writer.finish()
    linked = tmp_path / "staging/p/a/index.html"
    assert linked.stat().st_ino == (published / "p/a/index.html").stat().st_ino

    broken = SiteWriter(tmp_path / "staging2", {}, (published, manifest))
    assert broken.unchanged("p/b/index.html", "i:b")  # the manifest says so; the file is gone
    with pytest.raises(WriteError, match=r"p/b/index\.html: missing from the published site"):
        broken.finish()


@pytest.mark.parametrize("threads", [1, 3])
def test_the_links_from_the_published_site_use_the_threads_given(
    tmp_path: Path, threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--jobs 1` means one thread for them too; every promised file is linked either way."""
    published = tmp_path / "site"
    manifest: dict[str, tuple[str, int]] = {}
    for n in range(20):
        (published / f"p/{n}").mkdir(parents=True)
        (published / f"p/{n}/index.html").write_text(str(n), encoding="utf-8")
        manifest[f"p/{n}/index.html"] = (f"i:{n}", len(str(n)))
    used: list[int] = []
    real = write_module._on_threads

    def counting(work: Any, items: list[Any], count: int, portions: int) -> None:
        used.append(count)
        real(work, items, count, portions)

    monkeypatch.setattr(write_module, "_on_threads", counting)
    writer = SiteWriter(tmp_path / "staging", {}, (published, manifest), threads)
    assert all(writer.unchanged(rel, key) for rel, (key, _) in manifest.items())
    writer.finish()
    assert used == [threads]
    assert {p.read_text(encoding="utf-8") for p in (tmp_path / "staging").rglob("*.html")} == {
        str(n) for n in range(20)
    }


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
