"""`ocop build`: load -> validate -> derive -> render -> write, into a staging folder, then publish.

A build that fails or is killed leaves the previous site as it was. A build whose inputs did not
change (same records, photos, templates, code, settings) does nothing but notice that. A build
after a change writes only the files that changed, into an overlay of the published site that
is applied once complete (generator/write.py); a build killed while applying one is finished by
the next.
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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import urls
from generator.config import BuildConfig
from generator.fingerprint import input_fingerprint
from generator.progress import NO_PROGRESS, Progress
from generator.write import (
    Manifest,
    SiteWriter,
    apply_overlay,
    load_manifest,
    ready_dir_for,
    remove_stale_staging,
    save_manifest,
    seal_overlay,
    site_lock,
    staging_dir_for,
    swap_into_place,
)

if TYPE_CHECKING:
    from generator.model import Catalog
    from generator.parallel import Background
    from generator.render.artifacts import DataPage, LabelIndex, PhotoIndex


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


def _pending_manifest(config: BuildConfig) -> Path:
    """The manifest of a sealed overlay: the published site's once the overlay is applied."""
    return _stamp_path(config, ".site.manifest.pending")


def _finish_interrupted_publish(config: BuildConfig) -> None:
    """The overlay of a build killed while applying it: applied now, before anything reads the
    site or its manifest."""
    ready = ready_dir_for(config.out_dir)
    if not ready.is_dir():
        return
    if config.out_dir.is_dir() and _pending_manifest(config).is_file():
        _apply(config, ready)
        return
    shutil.rmtree(ready)  # nothing it could be applied to: the next build makes a whole site
    _site_manifest(config).unlink(missing_ok=True)


def _apply(config: BuildConfig, ready: Path) -> None:
    """A sealed overlay applied; then its manifest becomes the published site's."""
    apply_overlay(ready, config.out_dir)
    os.replace(_pending_manifest(config), _site_manifest(config))


def _remove_earlier_spare(config: BuildConfig) -> None:
    """Earlier versions kept the site before last beside the output; it is no longer read."""
    spare = config.out_dir.parent / f".{config.out_dir.name}.previous"
    if spare.is_dir():
        shutil.rmtree(spare, ignore_errors=True)
    _stamp_path(config, ".previous.manifest").unlink(missing_ok=True)


def _built_here(config: BuildConfig) -> bool:
    """Whether out_dir is a site a build made (its manifest and stamp may describe it)."""
    return (config.out_dir / urls.BUILD_MARK).is_file()


def _start_writer(config: BuildConfig, staging: Path) -> SiteWriter:
    """An overlay of the published site when what it holds is known; else an empty folder for
    a whole site."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    current = load_manifest(_site_manifest(config)) if _built_here(config) else None
    if current is None:
        return SiteWriter(staging)
    return SiteWriter(staging, current, base=config.out_dir)


def _publish(config: BuildConfig, staging: Path, writer: SiteWriter) -> None:
    """An overlay is sealed with the manifest it leads to, then applied; a whole site replaces
    the published folder in one step."""
    site_manifest = _site_manifest(config)
    if writer.base is None:
        site_manifest.unlink(missing_ok=True)
        swap_into_place(staging, config.out_dir)
        save_manifest(site_manifest, writer.manifest())
        return
    save_manifest(_pending_manifest(config), writer.manifest())
    _apply(config, seal_overlay(staging, config.out_dir, writer.made(), writer.removals))


@dataclass
class _ChildFiles:
    """Files a child process wrote into the staging folder with a writer of its own: recorded
    in this process's writer, as if it had written them."""

    files: Manifest
    kept: int

    def merge_into(self, writer: SiteWriter) -> None:
        for rel, (digest, size) in self.files.items():
            writer.record(rel, size, digest)
        writer.kept += self.kept


@dataclass
class _Datasets(_ChildFiles):
    """What the datasets child made: what the data page shows, its files."""

    page: DataPage
    seconds: float


@dataclass
class _LabelsAndSearch(_ChildFiles):
    """What the labels and search child made: the labels' index, the search page's filter
    choices, its files, and the seconds of each stage."""

    labels: LabelIndex
    filters: dict[str, Any]
    stages: dict[str, float]


def _start_datasets(
    catalog: Catalog, config: BuildConfig, writer: SiteWriter, photos: PhotoIndex
) -> Background[_Datasets]:
    def make() -> _Datasets:
        from generator.render.datasets.stage import render_datasets

        start = time.perf_counter()
        own = writer.sibling()
        page = render_datasets(catalog, config, own, photos)
        seconds = time.perf_counter() - start
        return _Datasets(own.manifest(), own.kept, page=page, seconds=seconds)

    from generator.parallel import Background  # multiprocessing: not for a no-change build

    return Background(make, "datasets")


def _start_labels_and_search(
    catalog: Catalog, config: BuildConfig, writer: SiteWriter, progress: Progress
) -> Background[_LabelsAndSearch]:
    # Labels drawn again in bulk (a new base URL) are long work: the child reports them in
    # plain lines, which cannot garble the bar the parent draws meanwhile.
    lines = replace(progress, mode="lines") if progress.mode == "bar" else progress

    def make() -> _LabelsAndSearch:
        from generator.render.labels.stage import render_labels
        from generator.render.search import render_search_index

        own = writer.sibling()
        stages: dict[str, float] = {}
        start = time.perf_counter()
        labels = render_labels(catalog, config, own, lines)
        stages["labels"] = time.perf_counter() - start
        filters = render_search_index(catalog, own)
        stages["search index"] = time.perf_counter() - start - stages["labels"]
        return _LabelsAndSearch(own.manifest(), own.kept, labels, filters, stages)

    from generator.parallel import Background

    return Background(make, "labels and search")


def build_site(config: BuildConfig, report: BuildReport, progress: Progress = NO_PROGRESS) -> int:
    """Builds the site into config.out_dir; 0, or 1 when the catalog has problems (reported).
    Raises SiteBusy while another build or publish of the folder runs."""
    with site_lock(config.out_dir):
        return _build_site(config, report, progress)


def _build_site(config: BuildConfig, report: BuildReport, progress: Progress) -> int:
    out_dir = config.out_dir
    remove_stale_staging(out_dir)
    _finish_interrupted_publish(config)
    _remove_earlier_spare(config)
    fingerprint = input_fingerprint(config)
    stamp = _stamp_path(config)
    if stamp.is_file() and _built_here(config):
        previous = json.loads(stamp.read_text(encoding="utf-8"))
        if previous.get("fingerprint") == fingerprint:
            report.skipped = True
            return 0

    # Imported only now: the no-change check above must not pay for the validator's imports.
    from generator.catalog import catalog_or_report

    staging = staging_dir_for(out_dir)
    # Only the derived catalog comes back: the raw records (YAML data and line numbers: 60 % of
    # the objects) are freed here, their memory serves the render instead of every worker.
    unchanged = ("Trang cũ được giữ nguyên.", "The previous site is unchanged.")
    catalog = catalog_or_report(config, unchanged, stages=report.stages, progress=progress)
    if catalog is None:
        return 1
    # The catalog lives until the end: moved out of the collector's sight, so collections do
    # not re-walk it and forked workers do not copy the pages the collector would touch.
    gc.freeze()

    from generator.ledger import update_ledgers
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
            writer = _start_writer(config, staging)
        assets = Assets()
        assets.publish(config.templates_dir / "assets", writer)
        html = Html(config, assets, writer, progress)
        # A rebuild has little to draw and encode: the labels and the search index are made in a
        # child process while this one looks its photos up (each walks every product), and
        # the datasets (the tables need the photos' addresses, nothing the later stages make)
        # in another while it makes the pages; every core then has work. Not in a first build:
        # there the drawing stages have pools of their own, and every table row goes through
        # frictionless and every format is made, in three processes at once; beside the page
        # workers the tree then held 3 GB at 20,000 products. The datasets wait for the pages
        # instead (~20 s longer, under 2 GB).
        overlap = datasets_checked_before(config.cache_dir)
        side = _start_labels_and_search(catalog, config, writer, progress) if overlap else None
        datasets: Background[_Datasets] | None = None
        try:
            with report.stage("photos"):
                photos = render_photos(catalog, config, writer, progress=progress)
            datasets = _start_datasets(catalog, config, writer, photos) if overlap else None
            if side is None:
                with report.stage("labels"):
                    labels = render_labels(catalog, config, writer, progress)
                with report.stage("search index"):
                    filters = render_search_index(catalog, writer)
            else:
                with report.stage("labels and search, waited for"):
                    drawn = side.result()
                side = None
                report.stages.update(drawn.stages)
                drawn.merge_into(writer)
                labels, filters = drawn.labels, drawn.filters
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
            for child in (side, datasets):
                if child is not None:
                    child.cancel()
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
        writer.write_bytes(urls.BUILD_MARK, b"ocop build\n")
        with report.stage("finish"):  # what is no longer produced
            report.removed = writer.finish()
        report.files = len(writer.written)
        report.bytes = sum(writer.written.values())
        report.kept = writer.kept
        with report.stage("swap"):
            _publish(config, staging, writer)
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
    from generator.write import SiteBusy, WriteError

    report = BuildReport()
    start = time.perf_counter()
    try:
        status = build_site(config, report, progress)
    except SiteBusy as err:  # nothing was done: not a failed build
        print(f"lỗi / error: {err}", file=sys.stderr)
        return 1
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
