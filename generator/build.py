"""`ocop build`: load -> validate -> derive -> render -> write, into a staging folder, then swap.

A build that fails or is killed leaves the previous site as it was. A build whose inputs did not
change (same records, photos, templates, code, settings) does nothing but notice that.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__
from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig
from generator.errors import format_text
from generator.write import SiteWriter, remove_stale_staging, staging_dir_for, swap_into_place


@dataclass
class BuildReport:
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    skipped: bool = False
    files: int = 0
    bytes: int = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start


def _tree_state(folder: Path, pattern: str = "*") -> Iterator[str]:
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            stat = path.stat()
            yield f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}"


def input_fingerprint(config: BuildConfig) -> str:
    """Cheap summary of every build input: file sizes and modification times, not contents."""
    digest = hashlib.sha256()
    settings = [__version__, config.base_url, config.as_of.isoformat(), str(config.out_dir)]
    for part in settings:
        digest.update(part.encode() + b"\n")
    for folder in (
        config.catalog_dir,
        config.schemas_dir,
        config.templates_dir,
        PROJECT_ROOT / "generator",
        PROJECT_ROOT / "docs",
    ):
        for line in _tree_state(folder):
            digest.update(line.encode() + b"\n")
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        path = PROJECT_ROOT / name
        if path.is_file():
            digest.update(f"{name}\0{path.stat().st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp_path(config: BuildConfig) -> Path:
    key = hashlib.sha256(str(config.out_dir).encode()).hexdigest()[:16]
    return config.cache_dir / "builds" / f"{key}.json"


def build_site(config: BuildConfig, report: BuildReport) -> int:
    out_dir = config.out_dir
    remove_stale_staging(out_dir)
    fingerprint = input_fingerprint(config)
    stamp = _stamp_path(config)
    if out_dir.is_dir() and stamp.is_file():
        previous = json.loads(stamp.read_text(encoding="utf-8"))
        if previous.get("fingerprint") == fingerprint:
            report.skipped = True
            return 0

    with report.stage("load+validate"):
        checked = check_catalog(
            config.catalog_dir,
            config.schemas_dir,
            config.as_of,
            config.ledger,
            cache_dir=config.cache_dir,
        )
    if checked.catalog is None:
        sys.stdout.write(format_text(checked.problems, config.lang))
        print(
            f"{len(checked.problems)} lỗi; trang cũ được giữ nguyên. / "
            f"{len(checked.problems)} problem(s); the previous site is unchanged.",
            file=sys.stderr,
        )
        return 1
    catalog = checked.catalog

    from generator.ledger import update_ledger
    from generator.render.datasets import render_datasets
    from generator.render.html import Assets, Html
    from generator.render.labels import (
        render_gs1_pages,
        render_labels,
        render_labels_page,
        render_not_found,
    )
    from generator.render.pages import Outputs, render_pages, render_robots, render_sitemap
    from generator.render.photos import render_photos
    from generator.render.search import render_search_index
    from generator.render.stats import render_statistics
    from generator.site import build_editorial_pages

    staging = staging_dir_for(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        writer = SiteWriter(staging)
        assets = Assets()
        assets.publish(config.templates_dir / "assets", writer)
        html = Html(config, assets, writer)
        with report.stage("photos"):
            photos = render_photos(catalog, config, writer)
        with report.stage("labels"):
            labels = render_labels(catalog, config, writer)
        with report.stage("datasets"):
            data = render_datasets(catalog, config, writer, html, photos)
        with report.stage("search index"):
            filters = render_search_index(catalog, writer)
        with report.stage("pages"):
            render_pages(catalog, html, Outputs(photos, labels, data), filters)
            render_labels_page(html, catalog, labels)
            render_gs1_pages(html, catalog)
            render_not_found(html)
            render_statistics(catalog, html)
        with report.stage("mkdocs"), tempfile.TemporaryDirectory() as tmp:
            editorial = build_editorial_pages(Path(tmp), config.base_url)
            writer.adopt_tree(Path(tmp))
        writer.write_text("sitemap.xml", render_sitemap(html, editorial))
        writer.write_text("robots.txt", render_robots(html))
        writer.write_bytes(".nojekyll", b"")  # GitHub Pages: publish files as they are
        report.files = len(writer.written)
        report.bytes = sum(writer.written.values())
        with report.stage("swap"):
            swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    update_ledger(config.ledger, catalog)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    # The ledger may have changed: the stamp is taken after, so the next build is a no-op.
    stamp.write_text(json.dumps({"fingerprint": input_fingerprint(config)}), encoding="utf-8")
    return 0


def run_build(config: BuildConfig) -> int:
    from generator.render.datasets import DatasetError
    from generator.render.photos import PhotoError
    from generator.site import MkDocsError
    from generator.write import WriteError

    report = BuildReport()
    start = time.perf_counter()
    try:
        status = build_site(config, report)
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
        f"trong {elapsed:.1f} s [{stages}]."
    )
    print(
        f"Xem thử: ocop serve --out {config.out_dir}  rồi mở http://localhost:8000/  "
        "/ preview with `ocop serve`."
    )
    return 0
