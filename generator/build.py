"""`ocop build`: load -> validate -> derive -> render -> write, into a staging folder, then swap.

A build that fails or is killed leaves the previous site as it was. A build whose inputs did not
change (same records, photos, templates, code, settings) does nothing but notice that. A build
after a change starts from the site of the build before last (`.<out>.previous`, kept by the
swap) or, the first time after a build from nothing, a hard-link copy of the current one made
in a child process while the catalog is read; it writes only the files that changed
(generator/write.py).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator import urls
from generator.config import BuildConfig
from generator.fingerprint import input_fingerprint
from generator.progress import NO_PROGRESS, Progress
from generator.write import (
    Manifest,
    SiteWriter,
    clone_tree,
    load_manifest,
    remove_stale_staging,
    save_manifest,
    spare_dir_for,
    staging_dir_for,
    swap_into_place,
)

if TYPE_CHECKING:
    from generator.model import Catalog
    from generator.parallel import Background
    from generator.render.artifacts import DataPage, PhotoIndex


@dataclass
class BuildReport:
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    skipped: bool = False
    files: int = 0
    kept: int = 0  # files left as they were in the reused tree
    removed: int = 0  # files of the reused tree no longer produced
    bytes: int = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start


def _stamp_path(config: BuildConfig, suffix: str = ".json") -> Path:
    key = hashlib.sha256(str(config.out_dir).encode()).hexdigest()[:16]
    return config.cache_dir / "builds" / f"{key}{suffix}"


def _site_manifest(config: BuildConfig) -> Path:
    """What the published site (out_dir) holds."""
    return _stamp_path(config, ".site.manifest")


@dataclass
class _Trees:
    """Where the site's files are, and what the manifests say they hold."""

    out_manifest: Path  # of out_dir
    spare_manifest: Path  # of the kept previous site
    current: Manifest | None  # out_dir's, when known; dropped once the writer is made
    out_known: bool = False  # whether out_dir's content was known (its manifest read)


def _start_copy(config: BuildConfig, staging: Path) -> Background[None] | None:
    """The hard-link copy of the published site a build starts from when no spare is kept
    (the first build after one from nothing), begun in a child process so that it runs while
    this one reads the catalog. None when there is a spare, or no site to copy."""
    out_dir = config.out_dir
    if spare_dir_for(out_dir).is_dir() or not _site_manifest(config).is_file():
        return None
    if not out_dir.is_dir():
        return None
    from generator.parallel import Background, worker_count  # not for a no-change build

    shutil.rmtree(staging, ignore_errors=True)
    workers = worker_count(config.workers)
    return Background(lambda: clone_tree(out_dir, staging, workers), "copy of the site")


def _prepare_staging(
    config: BuildConfig, staging: Path, copying: Background[None] | None
) -> tuple[_Trees, Manifest | None]:
    """A staging folder to bring up to date, and what it holds (None: it is empty)."""
    out_dir = config.out_dir
    trees = _Trees(
        _site_manifest(config),
        _stamp_path(config, ".previous.manifest"),
        None,
    )
    trees.current = load_manifest(trees.out_manifest) if out_dir.is_dir() else None
    trees.out_known = trees.current is not None
    if copying is not None:
        copying.result()
        if trees.current is not None:
            return trees, trees.current
        shutil.rmtree(staging)  # a copy of a site whose content is not known is no start
        staging.mkdir(parents=True)
        return trees, None
    spare = spare_dir_for(out_dir)
    held = load_manifest(trees.spare_manifest) if spare.is_dir() else None
    # From here on the spare folder is being changed: its manifest no longer describes it.
    trees.spare_manifest.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    if held is not None:
        os.rename(spare, staging)
        return trees, held
    shutil.rmtree(spare, ignore_errors=True)
    if trees.current is not None:
        clone_tree(out_dir, staging)
        return trees, trees.current
    staging.mkdir(parents=True)
    return trees, None


def _swap(config: BuildConfig, staging: Path, trees: _Trees, written: Manifest) -> None:
    """Publishes staging; the previous site is kept as the spare when its content is known.

    With no earlier site to keep (a first or full build) no spare is made: the next build
    copies the published site while it reads the catalog (`_start_copy`), rather than this one
    linking every file (30 µs a file) after its work is done."""
    # out_dir is about to change: its manifest goes with it to where it is kept (moved, not
    # held in memory through the build: at 20,000 products it is 600,000 entries).
    keep = None
    if trees.out_known:
        try:
            os.replace(trees.out_manifest, trees.spare_manifest)
            keep = spare_dir_for(config.out_dir)
        except FileNotFoundError:
            pass
    trees.out_manifest.unlink(missing_ok=True)
    kept = swap_into_place(staging, config.out_dir, keep)
    save_manifest(trees.out_manifest, written)
    if not kept:
        trees.spare_manifest.unlink(missing_ok=True)


def _differing(published: Manifest, held: Manifest | None) -> Manifest:
    """The entries of the published site's manifest that differ from the held tree's: only
    they can be linked from there (a file the held tree has made the same way is kept)."""
    if held is None:
        return published
    return {rel: entry for rel, entry in published.items() if held.get(rel) != entry}


@dataclass
class _Datasets:
    """What the datasets child made: what the data page shows, its files (already in
    staging)."""

    page: DataPage
    files: Manifest
    kept: int
    seconds: float

    def merge_into(self, writer: SiteWriter) -> None:
        for rel, (digest, size) in self.files.items():
            writer.record(rel, size, digest)
        writer.kept += self.kept


def _start_datasets(
    catalog: Catalog, config: BuildConfig, writer: SiteWriter, photos: PhotoIndex
) -> Background[_Datasets]:
    def make() -> _Datasets:
        # In the child: its own writer on the same staging folder and manifest.
        from generator.render.datasets.stage import render_datasets

        start = time.perf_counter()
        own = SiteWriter(writer.root, writer.previous, writer.published)
        page = render_datasets(catalog, config, own, photos)
        return _Datasets(page, own.manifest(), own.kept, time.perf_counter() - start)

    from generator.parallel import Background  # multiprocessing: not for a no-change build

    return Background(make, "datasets")


def build_site(config: BuildConfig, report: BuildReport, progress: Progress = NO_PROGRESS) -> int:
    out_dir = config.out_dir
    remove_stale_staging(out_dir)
    fingerprint = input_fingerprint(config)
    stamp = _stamp_path(config)
    if out_dir.is_dir() and stamp.is_file():
        previous = json.loads(stamp.read_text(encoding="utf-8"))
        if previous.get("fingerprint") == fingerprint:
            report.skipped = True
            return 0

    # Imported only now: the no-change check above must not pay for the validator's imports.
    from generator.catalog import catalog_or_report

    staging = staging_dir_for(out_dir)
    copying = _start_copy(config, staging)
    # Only the derived catalog comes back: the raw records (YAML data and line numbers: 60 % of
    # the objects) are freed here, their memory serves the render instead of every worker.
    unchanged = ("Trang cũ được giữ nguyên.", "The previous site is unchanged.")
    catalog: Catalog | None = None
    try:
        catalog = catalog_or_report(config, unchanged, stages=report.stages, progress=progress)
    finally:  # a catalog with errors, or a failure: the copy is not needed
        if catalog is None and copying is not None:
            copying.cancel()
            shutil.rmtree(staging, ignore_errors=True)
    if catalog is None:
        return 1
    # The catalog lives until the end: moved out of the collector's sight, so collections do
    # not re-walk it and forked workers do not copy the pages the collector would touch.
    gc.freeze()

    from generator.ledger import update_ledgers
    from generator.parallel import worker_count
    from generator.render.artifacts import DataIndex
    from generator.render.data_page import render_data_page
    from generator.render.datasets.cache import datasets_checked_before
    from generator.render.datasets.specs import DatasetError
    from generator.render.editor import render_editor
    from generator.render.gs1 import render_gs1_pages, render_gs1_resolver, render_not_found
    from generator.render.html import Assets, Html
    from generator.render.labels.page import render_labels_page
    from generator.render.labels.stage import render_labels
    from generator.render.pages import Outputs, render_pages, render_robots, render_sitemaps
    from generator.render.photos import render_photos
    from generator.render.search import render_search_index
    from generator.render.stats import render_statistics
    from generator.site import editorial_pages

    try:
        with report.stage("reuse"):
            trees, held = _prepare_staging(config, staging, copying)
        # Starting from the site before last, what the last build changed is linked from the
        # published site (whose manifest is known) instead of being made again.
        published = None
        if trees.current is not None and held is not trees.current:
            published = (out_dir, _differing(trees.current, held))
        trees.current = None  # its entries are no longer needed (see _swap)
        writer = SiteWriter(staging, held, published, worker_count(config.workers))
        assets = Assets()
        assets.publish(config.templates_dir / "assets", writer)
        html = Html(config, assets, writer, progress)
        with report.stage("photos"):
            photos = render_photos(catalog, config, writer, progress=progress)
        # The datasets are made in a child process while this one makes the labels, the search
        # index and the pages: the largest stages after the drawing ones then share the cores
        # (the tables need the photos' addresses, nothing the later stages make). Not in a
        # first build: there every row goes through frictionless and every format is made, in
        # three processes at once; beside the page workers the tree then held 3 GB at 20,000
        # products. It waits for the pages instead (~20 s longer, under 2 GB).
        overlap = datasets_checked_before(config.cache_dir)
        datasets = _start_datasets(catalog, config, writer, photos) if overlap else None
        try:
            with report.stage("labels"):
                labels = render_labels(catalog, config, writer, progress)
            with report.stage("search index"):
                filters = render_search_index(catalog, writer)
            with report.stage("pages"):
                expected = DataIndex(
                    product_json={p.id: urls.product_json(p.id) for p in catalog.products}
                )
                render_pages(catalog, html, Outputs(photos, labels, expected), filters)
                render_labels_page(html, catalog, labels)
                render_gs1_pages(html, catalog)
                render_gs1_resolver(html, catalog)
                render_not_found(html)
                render_statistics(catalog, html)
                render_editor(html, config, writer)
            if datasets is None:
                datasets = _start_datasets(catalog, config, writer, photos)
            with report.stage("datasets, waited for"):
                made = datasets.result()
        except BaseException:
            if datasets is not None:
                datasets.cancel()
            raise
        report.stages["datasets"] = made.seconds
        made.merge_into(writer)
        if made.page.index.product_json != expected.product_json:
            raise DatasetError("the product JSON files are not where the product pages link")
        render_data_page(html, catalog, made.page)
        with report.stage("mkdocs"):
            folder, editorial = editorial_pages(config.cache_dir, config.base_url)
            writer.adopt_tree(folder)
        for path, text in render_sitemaps(html, editorial).items():
            writer.write_text(path, text)
        writer.write_text(urls.ROBOTS, render_robots(html))
        writer.write_bytes(".nojekyll", b"")  # GitHub Pages: publish files as they are
        with report.stage("finish"):  # the links promised from the published site, removals
            report.removed = writer.finish()
        report.files = len(writer.written)
        report.bytes = sum(writer.written.values())
        report.kept = writer.kept
        with report.stage("swap"):
            _swap(config, staging, trees, writer.manifest())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()  # a caller that builds again (tests, a long-lived process) gets it back
    if update_ledgers(config.ledger, catalog):
        # A ledger changed: fingerprinted again, so the next build is a no-op. Otherwise the
        # fingerprint taken before the build stands: a file edited while it ran is then seen.
        fingerprint = input_fingerprint(config)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
    return 0


def run_build(config: BuildConfig, progress: Progress = NO_PROGRESS) -> int:
    from generator.render.datasets.specs import DatasetError
    from generator.render.photos import PhotoError
    from generator.site import MkDocsError
    from generator.write import WriteError

    report = BuildReport()
    start = time.perf_counter()
    try:
        status = build_site(config, report, progress)
    except (DatasetError, PhotoError, MkDocsError, WriteError) as err:
        # A failure of the build itself, not of a record: said plainly, previous site kept.
        print(
            f"Lỗi khi dựng trang; trang cũ được giữ nguyên. / Build failed; the previous "
            f"site is unchanged.\n{type(err).__name__}: {err}",
            file=sys.stderr,
        )
        return 1
    if status:
        return status
    elapsed = time.perf_counter() - start
    if report.skipped:
        print(
            f"Không có gì thay đổi; trang giữ nguyên tại {config.out_dir} ({elapsed:.2f} s). / "
            "Nothing changed."
        )
        return 0
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.stages.items())
    print(
        f"Đã dựng {report.files} tệp ({report.bytes / 1e6:.1f} MB) vào {config.out_dir} "
        f"trong {elapsed:.1f} s; {report.files - report.kept} tệp ghi mới, {report.kept} giữ "
        f"nguyên, {report.removed} xoá [{stages}]."
    )
    print(
        f"Xem thử: ocop serve --out {config.out_dir}  rồi mở http://localhost:8000/  "
        "/ preview with `ocop serve`."
    )
    return 0
