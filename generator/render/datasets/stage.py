"""The datasets stage: data/latest/, data/releases/, data/feed.atom and p/<id>/product.json,
from the catalog's rows; it returns what data/index.html shows (DataPage), which the build
renders with the other pages.

Order matters: earlier releases first (the changelog compares with the newest of them), then
the CSV package, which is checked (check.py) before anything derived from it is written; an
invalid table stops the build. The workbook, the costliest format, is made in a forked child
meanwhile when it is large, and frictionless, when it has much to read, in a new process once
that child is done (the three side by side took a first national build above 2 GB).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from generator import urls
from generator.config import BuildConfig
from generator.model import Catalog
from generator.parallel import Background
from generator.render.artifacts import DataIndex, DataPage, Download, PhotoIndex
from generator.render.datasets.cache import DatasetCache, canonical
from generator.render.datasets.changes import (
    CHANGE_ORDER,
    CHANGE_TITLES,
    change_rows,
    changes_markdown,
    classify_changes,
    current_products,
)
from generator.render.datasets.check import PackageCheck, check_plan
from generator.render.datasets.columns import Columns, TableColumns
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.descriptor import datapackage
from generator.render.datasets.documents import dictionary_markdown, licence_text
from generator.render.datasets.feed import atom_feed
from generator.render.datasets.files import DataFile, DataFiles
from generator.render.datasets.product_json import ProductJsons
from generator.render.datasets.releases import (
    Release,
    carry_forward_releases,
    previous_products,
    publish_release,
)
from generator.render.datasets.rows import check_rows, table_rows
from generator.render.datasets.specs import TABLES, DatasetError, Row, TableSpec, load_table_specs
from generator.render.datasets.sqlite import sqlite_file, sqlite_meta
from generator.render.datasets.xlsx import SheetCache, about_sheet, to_xlsx
from generator.write import SiteWriter

PAGE_CHANGES_PER_KIND = 50  # the data page lists this many per kind; the files list them all

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".sqlite": "application/vnd.sqlite3",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".md": "text/markdown",
    "": "text/plain",
}
LATEST_TITLES = {
    "datapackage.json": "Mô tả gói dữ liệu (Frictionless Data Package v1)",
    "ocop.sqlite": "Toàn bộ dữ liệu, cơ sở dữ liệu SQLite",
    "ocop.xlsx": "Toàn bộ dữ liệu, bảng tính Excel",
    "CHANGES.md": "Thay đổi so với bản trước (Markdown)",
    "README.md": "Từ điển dữ liệu (Markdown)",
    "LICENSE.md": "Giấy phép dữ liệu và ảnh",
    "SHA256SUMS": "Mã kiểm tra SHA-256 của các tệp trên",
}
LATEST_ORDER = (
    *(f"{n}.csv" for n in TABLES),
    *(f"{n}.json" for n in TABLES),
    "ocop.xlsx",
    "ocop.sqlite",
    "datapackage.json",
    "README.md",
    "CHANGES.md",
    "LICENSE.md",
    "SHA256SUMS",
)


def _file_title(name: str, specs: dict[str, TableSpec]) -> str:
    stem, _, ext = name.rpartition(".")
    if stem in specs:
        return f"{specs[stem].title} ({ext.upper()})"
    return LATEST_TITLES.get(name, name)


def _media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def _frozen_call(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) in a forked child, what it inherited frozen first: its collections then leave
    the parent's objects alone instead of writing to (so copying) every page holding a row."""
    gc.freeze()
    return fn(*args)


class ForkedCall:
    """fn(*args) in a forked child, for a format that would otherwise wait for this process's
    core: the child inherits the arguments (nothing is pickled but the result), and this
    process goes on with the other formats meanwhile. Same code, so the same bytes."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._job: Background[Any] = Background(
            partial(_frozen_call, fn, *args), getattr(fn, "__name__", "?"), method="fork"
        )

    def result(self) -> Any:
        try:
            return self._job.result()
        except Exception as err:
            raise DatasetError(f"making a data file failed in a worker:\n{err!r}") from err

    def close(self) -> None:
        self._job.cancel()


def core_files(
    tables: dict[str, EncodedTable],
    files: DataFiles,
    config: BuildConfig,
    day: dt.date,
    previous_day: dt.date | None,
) -> tuple[dict[str, DataFile], dict[str, Any]]:
    """What a release keeps (the CSV tables, datapackage.json, changelog, dictionary and
    licence), written to data/latest/; and the package descriptor."""
    specs = {name: table.spec for name, table in tables.items()}
    release = day.isoformat()
    paths = (urls.data_latest, partial(urls.data_release, release))
    csvs = {
        name: files.keyed(
            f"{name}.csv",
            files.cache.key(f"{name}.csv", tables[name].digest),
            tables[name].csv_bytes,
            [path(f"{name}.csv") for path in paths],
        )
        for name in TABLES
    }
    package = datapackage(specs, csvs, config, day)
    core = {f.name: f for f in csvs.values()}
    for name, text in (
        ("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2) + "\n"),
        ("CHANGES.md", changes_markdown(tables["changes"].rows, day, previous_day)),
        ("README.md", dictionary_markdown(specs, release)),
        ("LICENSE.md", licence_text(release, config)),
    ):
        core[name] = files.of(name, text.encode("utf-8"))
    for name, file in core.items():
        files.write(file, urls.data_latest(name))
    return core, package


def json_and_sqlite(
    tables: dict[str, EncodedTable],
    columns: Mapping[str, TableColumns],
    files: DataFiles,
    meta: dict[str, str],
    day: dt.date,
) -> dict[str, DataFile]:
    out = {}
    for name, table in tables.items():
        key = files.cache.key(f"{name}.json", table.digest)
        path = urls.data_latest(f"{name}.json")
        out[f"{name}.json"] = files.keyed(f"{name}.json", key, table.json_bytes, [path])
    specs = {name: table.spec for name, table in tables.items()}
    digests = [tables[name].digest for name in TABLES]
    out["ocop.sqlite"] = files.keyed(
        "ocop.sqlite",
        files.cache.key("ocop.sqlite", *digests, canonical(meta), day.isoformat()),
        lambda: sqlite_file(specs, tables, columns, meta, day, files.cache),
        [urls.data_latest("ocop.sqlite")],
    )
    return out


def render_datasets(
    catalog: Catalog, config: BuildConfig, writer: SiteWriter, photos: PhotoIndex
) -> DataPage:
    """data/ and p/<id>/product.json; what the data page shows.

    Nothing derived from the CSV package is written unless its check passes. What earlier
    builds made from the same rows is not made again (DatasetCache: encoded rows, files the
    tree holds, workbook sheets, the last database, frictionless's verdicts); the files are
    the bytes a build from nothing writes."""
    specs = load_table_specs(config.schemas_dir)
    day = catalog.release_date
    release = day.isoformat()
    cache = DatasetCache(config.cache_dir)
    rows = table_rows(catalog, config, photos)

    # Earlier releases first: the newest one before this is what the changelog compares with.
    releases = carry_forward_releases(config, writer, release)
    previous, previous_rows = previous_products(releases, release)
    previous_day = dt.date.fromisoformat(previous) if previous else None
    changes = classify_changes(previous_rows, current_products(specs, rows, previous_rows))
    by_id = {r["id"]: r for r in rows["products"]}
    rows["changes"] = change_rows(changes, by_id, day, previous_day, config)
    for name in TABLES:
        check_rows(specs[name], rows[name])
    columns = Columns(specs, rows)
    tables = {name: EncodedTable(specs[name], rows[name], cache) for name in TABLES}

    files = DataFiles(writer, cache)
    try:
        about = about_sheet(release, config)
        digests = [tables[name].digest for name in TABLES]
        xlsx_key = cache.key("ocop.xlsx", *digests, canonical(about), release)
        xlsx_file = files.reuse("ocop.xlsx", xlsx_key, [urls.data_latest("ocop.xlsx")])
        sheets = SheetCache(cache, tables)
        cells = sum(len(rows[name]) * len(specs[name].fields) for name in TABLES)
        xlsx: ForkedCall | None = None
        check: PackageCheck | None = None
        try:
            # The workbook is the costliest format (its XML, then zlib); a large one is made in a
            # forked child from here on, while this process makes the other files.
            if xlsx_file is None and cells >= config.pools.xlsx_cells:
                xlsx = ForkedCall(to_xlsx, columns, about, day, sheets)
            core, package = core_files(tables, files, config, day, previous_day)
            # frictionless reads what it has not vouched for yet; the other formats meanwhile.
            descriptor = writer.path_of(urls.DATAPACKAGE)
            check = PackageCheck(
                check_plan(package, descriptor, tables, cache),
                tables,
                cache,
                config.pools.validation_bytes,
            )
            # Beside the workbook's child: frictionless is a spawned process reading files
            # (130 MB at 20,000 products), and one after the other left a core idle.
            check.start()
            meta = sqlite_meta(release, config)
            try:
                latest = {**core, **json_and_sqlite(tables, columns, files, meta, day)}
            except sqlite3.IntegrityError as err:  # NOT NULL, a repeated key: the check says where
                check.result()
                raise DatasetError(f"ocop.sqlite: {err}") from err
            product_files = ProductJsons(tables, release, config, cache).to_write(writer)
            feed = atom_feed(catalog, config, day)
            if xlsx_file is None:
                data = to_xlsx(columns, about, day, sheets) if xlsx is None else xlsx.result()
                xlsx_file = files.of("ocop.xlsx", data, xlsx_key)
            latest["ocop.xlsx"] = xlsx_file
            check.result()
        finally:
            if xlsx is not None:
                xlsx.close()
            if check is not None:
                check.close()

        release_list = publish_release(files, core, latest, releases, release)
    finally:
        files.close()
    writer.write_bytes(urls.FEED, feed)
    for path, key, data in product_files:
        writer.write_bytes(path, data, key)
    cache.prune()
    index = DataIndex(release=release, feed=urls.FEED)
    index.product_json = {p.id: urls.product_json(p.id) for p in catalog.products}
    for name in LATEST_ORDER:
        file = latest[name]
        title = _file_title(name, specs)
        index.downloads.append(
            Download(title, urls.data_latest(name), _media_type(name), file.size, file.sha256)
        )
    return data_page(index, specs, rows, release_list, day, previous_day)


def data_page(
    index: DataIndex,
    specs: dict[str, TableSpec],
    rows: dict[str, list[Row]],
    release_list: list[Release],
    day: dt.date,
    previous_day: dt.date | None,
) -> DataPage:
    """What data/index.html shows beside the catalog's own counts."""
    counts = Counter(r["change"] for r in rows["changes"])
    return DataPage(
        index=index,
        specs=[specs[n] for n in TABLES],
        releases=release_list,
        changes_md=changes_markdown(
            rows["changes"], day, previous_day, limit=PAGE_CHANGES_PER_KIND
        ),
        change_counts=[(k, CHANGE_TITLES[k], counts[k]) for k in CHANGE_ORDER if counts[k]],
        unconfirmed_count=sum(1 for r in rows["products"] if not r["group_code_confirmed"]),
        photo_unlicensed=sum(1 for r in rows["photos"] if not r["licence"]),
    )
