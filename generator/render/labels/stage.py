"""The labels stage: every product's label (SVG, PNG, PDF) and the province and producer
sheets, drawn into a cache and linked into the site (or copied into a folder by `ocop labels`).

Labels are cached under a key of everything printed on them and of the code that draws them
(version.py): a rebuild with unchanged inputs links the files and draws nothing, and a full
build removes the cached files it no longer uses. What is missing is drawn a province at a time
(its labels, its sheet, its producers' sheets), in worker processes when there is enough of it,
so that a product's QR and its sheet cell are made once; a province with much more than its
share of the work is cut by producer, so that every core draws whatever the catalog holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator import urls
from generator.cache import Cache
from generator.config import BuildConfig
from generator.model import Catalog, Lot, Product
from generator.parallel import pool_map, worker_count
from generator.progress import NO_PROGRESS, Progress
from generator.render.artifacts import LabelFiles, LabelIndex, LabelSheet
from generator.render.labels.content import LabelContent, label_content, lot_label_content
from generator.render.labels.font import dejavu
from generator.render.labels.layout import Layout, layout_label
from generator.render.labels.pdf import draw_pdf
from generator.render.labels.png import draw_png
from generator.render.labels.qr import QrMatrix, qr_matrix
from generator.render.labels.sheets import draw_sheet, sheet_key, sheet_lots, sheet_products
from generator.render.labels.sizes import LABEL_SIZE
from generator.render.labels.svg import draw_svg
from generator.write import SiteWriter

EXTS = ("svg", "png", "pdf")
_MIN_JOB_COST = 60  # in sheet cells (see _DrawJob.cost): a smaller job is not cut


def draw_label(content: LabelContent, qr: QrMatrix | None = None) -> tuple[bytes, bytes, bytes]:
    """SVG, PNG, PDF of one label."""
    layout = layout_label(content, *LABEL_SIZE, qr)
    title = content.title
    return draw_svg(layout, title), draw_png(layout), draw_pdf(layout, title, content.url)


@dataclass
class LabelRun:
    """What a render did: the index for the pages, and how much it had to draw."""

    index: LabelIndex
    drawn: int = 0  # labels drawn (each: SVG + PNG + PDF)
    reused: int = 0  # labels taken from the cache
    sheets_drawn: int = 0
    pruned: int = 0  # cached files no label or sheet of this run uses, removed
    cache_names: set[str] = field(default_factory=set)  # the cached files this run uses


@dataclass(frozen=True)
class _Sheet:
    """A print sheet to draw (if its cache file is missing) and to put into the site."""

    kind: str  # "province" or "producer"
    title: str
    path: str  # in the site
    contents: tuple[LabelContent, ...]
    cache_name: str
    province_slug: str  # of its first product: drawn with that province's labels
    producer_id: str  # a producer's sheet: drawn with that producer's labels ("": a province's)


@dataclass(frozen=True)
class _DrawJob:
    """Labels and sheets drawn together: the missing ones of one province (its products, its
    sheet, the sheets of its producers), so that each product's QR and sheet cell are made
    once, and the files are written by the worker (no label bytes travel back)."""

    cache: Cache
    labels: tuple[LabelContent, ...]
    sheets: tuple[_Sheet, ...]

    @property
    def cost(self) -> int:
        """In sheet cells: a label (three files) costs about three."""
        return 3 * len(self.labels) + sum(len(sheet.contents) for sheet in self.sheets)


def _jobs(
    cache: Cache,
    labels: dict[str, list[tuple[str, LabelContent]]],
    sheets: dict[str, list[_Sheet]],
    workers: int,
) -> list[_DrawJob]:
    """A job per province, as long as no province holds much more than its share of the work:
    one that does (a catalog of one province, or of one large one) is cut into jobs of a few
    producers each (their labels and sheets), and its own sheet becomes a job of its own that
    makes its QR codes again. The longest job first, so that the workers finish together."""
    whole = {
        slug: _DrawJob(
            cache, tuple(c for _, c in labels.get(slug, ())), tuple(sheets.get(slug, ()))
        )
        for slug in sorted(labels.keys() | sheets.keys())
    }
    most = max(_MIN_JOB_COST, sum(job.cost for job in whole.values()) // (4 * workers))
    jobs: list[_DrawJob] = []
    for slug, job in whole.items():
        if job.cost <= most:
            jobs.append(job)
            continue
        by_producer: dict[str, tuple[list[LabelContent], list[_Sheet]]] = {}
        for producer_id, content in labels.get(slug, ()):
            by_producer.setdefault(producer_id, ([], []))[0].append(content)
        for sheet in sheets.get(slug, ()):
            if sheet.producer_id:
                by_producer.setdefault(sheet.producer_id, ([], []))[1].append(sheet)
            else:
                jobs.append(_DrawJob(cache, (), (sheet,)))
        part_labels: list[LabelContent] = []
        part_sheets: list[_Sheet] = []
        for producer_id in sorted(by_producer):
            more, their_sheets = by_producer[producer_id]
            part_labels += more
            part_sheets += their_sheets
            part = _DrawJob(cache, tuple(part_labels), tuple(part_sheets))
            if part.cost >= most:
                jobs.append(part)
                part_labels, part_sheets = [], []
        if part_labels or part_sheets:
            jobs.append(_DrawJob(cache, tuple(part_labels), tuple(part_sheets)))
    return sorted(jobs, key=lambda job: -job.cost)


def _draw_job(job: _DrawJob) -> int:
    qrs: dict[str, QrMatrix] = {}
    cells: dict[LabelContent, Layout] = {}
    todo = {content.key(): content for content in job.labels}

    def label(key: str, content: LabelContent) -> None:
        qr = qrs[content.url] = qr_matrix(content.url)
        for ext, data in zip(EXTS, draw_label(content, qr), strict=True):
            job.cache.store(f"{key}.{ext}", data)

    # Each sheet just after the labels on it, the smallest first: the sheet of a producer with
    # one product has that label's characters, so its font subset is still in
    # pdf._embedded_font.
    for sheet in sorted(job.sheets, key=lambda sheet: len(sheet.contents)):
        for content in sheet.contents:
            key = content.key()
            if key in todo:
                label(key, todo.pop(key))
        job.cache.store(sheet.cache_name, draw_sheet(sheet.contents, sheet.title, cells, qrs))
    for key, content in todo.items():
        label(key, content)
    return len(job.labels)  # for the progress


def _sheet_groups(catalog: Catalog, sheets: str) -> list[tuple[str, str, str, list[Product]]]:
    """(kind, title, path in the site, products) of each sheet asked for: a province's when
    `sheets` is "all" or its code, a producer's when "all"."""
    groups: list[tuple[str, str, str, list[Product]]] = []
    by_province: dict[str, list[Product]] = {}
    by_producer: dict[str, list[Product]] = {}
    for p in catalog.products:
        by_province.setdefault(p.place.province_slug, []).append(p)
        by_producer.setdefault(p.producer.id, []).append(p)
    for slug, items in sorted(by_province.items()):
        if sheets in ("all", items[0].place.province_code):
            name = items[0].place.province_name
            groups.append(("province", name, urls.province_labels(slug), items))
    if sheets == "all":
        for producer_id, items in sorted(by_producer.items()):
            name = items[0].producer.name
            groups.append(("producer", name, urls.producer_labels(producer_id), items))
    return groups


def make_labels(
    catalog: Catalog,
    config: BuildConfig,
    writer: SiteWriter,
    in_site: bool = True,
    products: Sequence[Product] | None = None,
    sheets: str = "all",
    copy: bool = True,
    prune: bool = False,
    progress: Progress = NO_PROGRESS,
) -> LabelRun:
    """Renders labels into `writer`. sheets: "all" or a province code or "".

    in_site: at their site paths (nhan-qr/...), else at those paths within the labels folder
    (`ocop labels --out`). prune: remove the cached files this run does not use (a build of
    the whole catalog)."""
    cache = Cache(config.cache_dir, "labels")
    chosen = list(catalog.products if products is None else products)
    contents = {p.id: label_content(p, config.base_url) for p in chosen}
    run = LabelRun(LabelIndex())
    cached = cache.names()  # one listing, not a stat per file (~90,000 at national scale)

    # What to draw: the labels and sheets not in the cache yet, by province and producer (see
    # _DrawJob and _jobs).
    todo_labels: dict[str, list[tuple[str, LabelContent]]] = {}
    scheduled: set[str] = set()
    keys = {pid: content.key() for pid, content in contents.items()}  # a digest each: once
    for p in chosen:
        content = contents[p.id]
        key = keys[p.id]
        names = [f"{key}.{ext}" for ext in EXTS]
        run.cache_names.update(names)
        if all(name in cached for name in names) or key in scheduled:
            run.reused += 1
        else:
            scheduled.add(key)
            todo_labels.setdefault(p.place.province_slug, []).append((p.producer.id, content))
    run.drawn = len(scheduled)

    planned: list[_Sheet] = []
    todo_sheets: dict[str, list[_Sheet]] = {}
    for kind, title, path, items in _sheet_groups(catalog, sheets):
        owner = items[0].producer.id if kind == "producer" else ""
        valid = sheet_products(items)
        if not valid:
            continue
        sheet_contents = tuple(
            contents.get(p.id) or label_content(p, config.base_url) for p in valid
        )
        name = f"sheet-{sheet_key(sheet_contents, title)}.pdf"
        slug = valid[0].place.province_slug
        sheet = _Sheet(kind, title, path, sheet_contents, name, slug, owner)
        run.cache_names.add(name)
        if name not in cached and name not in scheduled:
            scheduled.add(name)
            todo_sheets.setdefault(sheet.province_slug, []).append(sheet)
            run.sheets_drawn += 1
        planned.append(sheet)

    jobs = _jobs(cache, todo_labels, todo_sheets, worker_count(config.workers))
    # Workers only when there is enough to draw (in labels) to pay for starting them.
    pooled = sum(job.cost for job in jobs) // 3 >= config.pools.label_min_cost
    if pooled:
        dejavu(False), dejavu(True)  # parsed once here, inherited by the forked workers
    with progress.stage("nhãn / labels", sum(len(job.labels) for job in jobs)) as stage:
        for drawn in pool_map(_draw_job, jobs, config.workers, pooled=pooled, ordered=False):
            stage.advance(drawn)

    def put(path: str, source: str) -> str:
        rel = path if in_site else path.removeprefix(urls.LABELS)
        # Hard links into a fresh build folder; a folder someone keeps editing gets copies.
        if copy:
            writer.copy_file(rel, source, content_named=True)  # cache names are content keys
        else:
            writer.write_bytes(rel, Path(source).read_bytes())
        return rel

    for pid in sorted(contents):
        key = keys[pid]
        paths = [put(urls.label(pid, ext), cache.file(f"{key}.{ext}")) for ext in EXTS]
        run.index.per_product[pid] = LabelFiles(*paths)
    for sheet in planned:
        rel = put(sheet.path, cache.file(sheet.cache_name))
        count = len(sheet.contents)
        run.index.sheets.append(LabelSheet(sheet.title, sheet.kind, rel, count))
    if prune:
        run.pruned = cache.prune(run.cache_names, cached)
    return run


def render_labels(
    catalog: Catalog, config: BuildConfig, writer: SiteWriter, progress: Progress = NO_PROGRESS
) -> LabelIndex:
    """Every product's label (nhan-qr/<id>.svg|png|pdf) and the province and producer sheets;
    the cached files no longer used are removed."""
    return make_labels(catalog, config, writer, prune=True, progress=progress).index


@dataclass
class LotLabelRun:
    """What `make_lot_labels` wrote, by product."""

    labels: dict[tuple[str, str], LabelFiles] = field(default_factory=dict)  # (id, lot code)
    sheets: dict[str, LabelSheet] = field(default_factory=dict)  # product id -> its lot sheet
    left_off: dict[str, list[tuple[Lot, str]]] = field(default_factory=dict)  # off the sheet


def make_lot_labels(
    products: Sequence[Product], config: BuildConfig, writer: SiteWriter
) -> LotLabelRun:
    """A label per lot of each product (SVG, PNG, PDF) and the A4 sheet of the lots fit to
    print (sheets.sheet_lots), written at their urls paths within the labels folder.

    Made on demand by `ocop labels --lots`, not by the build: 200,000 lots would add 600,000
    files and about as many megabytes to the site for labels a producer prints once per lot,
    and a lot added to a product would change its sheet. Nothing is cached: a lot's label is
    drawn once, when its lot is made."""
    run = LotLabelRun()

    def put(path: str, data: bytes) -> str:
        rel = path.removeprefix(urls.LABELS)
        writer.write_bytes(rel, data)
        return rel

    for product in products:
        qrs: dict[str, QrMatrix] = {}
        contents = {
            lot.code: lot_label_content(product, lot, config.base_url) for lot in product.lots
        }
        for code, content in contents.items():
            qr = qrs[content.url] = qr_matrix(content.url)
            drawn = draw_label(content, qr)
            paths = [
                put(urls.lot_label(product.id, code, ext), data)
                for ext, data in zip(EXTS, drawn, strict=True)
            ]
            run.labels[product.id, code] = LabelFiles(*paths)
        on_sheet, run.left_off[product.id] = sheet_lots(product, config.as_of)
        if on_sheet:
            title = f"{product.name} ({product.id}), theo lô"
            cells = tuple(contents[lot.code] for lot in on_sheet)
            rel = put(urls.lot_labels(product.id), draw_sheet(cells, title, qrs=qrs))
            run.sheets[product.id] = LabelSheet(title, "lots", rel, len(cells))
    return run
