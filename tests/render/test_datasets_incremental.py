"""Datasets made again after a change (generator/render/datasets.py).

What earlier builds made is reused: rows encoded before, files the tree already holds, workbook
sheets, the last database, frictionless's verdicts. Each test checks that the result is what a
build from nothing writes, byte for byte, and that a broken table still stops the build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig
from generator.model import Catalog, Product, Validity
from generator.render import datasets
from generator.render.datasets import DatasetError, load_table_specs, render_datasets
from generator.render.html import Assets, Html
from generator.write import Manifest, SiteWriter, clone_tree
from support import fake_photos

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
SCHEMAS = PROJECT_ROOT / "schemas"
RELEASE = dt.date(2026, 11, 23)
BASE_URL = "https://ocop.example/catalog/"
CLONES = 1200  # enough rows for SQLite to spill its page cache, and for caches to skip saving


# --- helpers ---------------------------------------------------------------------------------


def load() -> Catalog:
    checked = check_catalog(FIXTURE, SCHEMAS, RELEASE, release_date=RELEASE)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def grown(catalog: Catalog, count: int = CLONES) -> Catalog:
    """The fixture's products and `count` copies of them under new ids and names."""
    originals = catalog.products
    clones = [
        dataclasses.replace(p, id=f"{p.id}-{n:04d}", name=f"{p.name} {n}")
        for n, p in ((n, originals[n % len(originals)]) for n in range(count))
    ]
    return dataclasses.replace(
        catalog, products=tuple(sorted((*catalog.products, *clones), key=lambda p: p.id))
    )


class Built(NamedTuple):
    root: Path
    manifest: Manifest
    written: set[str]  # files actually written (not kept as the tree held them)


def build(catalog: Catalog, root: Path, cache: Path, previous: Built | None = None) -> Built:
    """data/ into `root`: from nothing, or from a copy of `previous` (its tree and manifest),
    as the build brings its spare site up to date."""
    if previous is not None:
        clone_tree(previous.root, root)
    writer = SiteWriter(root, previous.manifest if previous else None)
    config = BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=root.parent / "published",
        base_url=BASE_URL,
        as_of=catalog.as_of,
        cache_dir=cache,
    )
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    html = Html(config, assets, writer)
    render_datasets(catalog, config, writer, html, fake_photos(catalog, skip=""))
    writer.finish()  # files no longer made go, as at the end of a build
    held = previous.manifest if previous else {}
    written = {rel for rel, entry in writer.manifest().items() if held.get(rel) != entry}
    return Built(root, writer.manifest(), written)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_same_tree(a: Path, b: Path, what: str = "") -> None:
    first, second = tree(a), tree(b)
    assert first.keys() == second.keys(), what
    assert [k for k in first if first[k] != second[k]] == [], what


def replace_product(catalog: Catalog, index: int, **changes: Any) -> Catalog:
    products = list(catalog.products)
    products[index] = dataclasses.replace(products[index], **changes)
    return dataclasses.replace(catalog, products=tuple(products))


# --- a sequence of changes: incremental equals from nothing ----------------------------------


def _edits(base: Catalog) -> list[tuple[str, Catalog]]:
    renamed = replace_product(base, 500, name='Tên mới, có dấu phẩy và "ngoặc kép"')
    p = renamed.products[700]
    rescored = replace_product(
        renamed, 700, certificate=dataclasses.replace(p.certificate, score=87.5)
    )
    both = replace_product(replace_product(rescored, 100, name="Một"), 900, name="Hai")
    r = both.products[3]
    # Only a photos row changes: products.csv stays, the product's JSON does not.
    photos = (dataclasses.replace(r.photos[0], alt="Ảnh mới"), *r.photos[1:])
    new_alt = replace_product(both, 3, photos=photos)
    q = new_alt.products[2]
    fewer_photos = replace_product(new_alt, 2, photos=q.photos[:-1])
    added = dataclasses.replace(
        fewer_photos,
        products=tuple(
            sorted(
                (*fewer_photos.products, dataclasses.replace(q, id="zz-moi", name="Mới")),
                key=lambda x: x.id,
            )
        ),
    )
    return [
        ("renamed", renamed),
        ("rescored", rescored),
        ("unchanged", rescored),
        ("two renamed", both),
        ("a photo's text", new_alt),
        ("fewer photos", fewer_photos),
        ("added", added),
        ("back to the start", base),
    ]


def test_each_change_gives_the_bytes_of_a_build_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"updated": 0}
    real_update = datasets._update_sqlite

    def counted(*args: Any) -> bytes:
        calls["updated"] += 1
        return real_update(*args)

    monkeypatch.setattr(datasets, "_update_sqlite", counted)
    base = grown(load())
    cache = tmp_path / "cache"
    built = build(base, tmp_path / "step-0", cache)
    for n, (what, catalog) in enumerate(_edits(base), 1):
        built = build(catalog, tmp_path / f"step-{n}", cache, built)
        fresh = tmp_path / f"fresh-{n}"
        build(catalog, fresh, tmp_path / f"cache-{n}")
        assert_same_tree(built.root, fresh, what)
        # Only what changed is written again: one product.json for one product.
        jsons = {rel for rel in built.written if rel.endswith("product.json")}
        if what == "renamed":
            assert jsons == {f"p/{catalog.products[500].id}/product.json"}
        if what == "unchanged":
            assert jsons == set()
            assert not {rel for rel in built.written if rel.startswith("data/latest/")}
        if what == "a photo's text":
            assert jsons == {f"p/{catalog.products[3].id}/product.json"}
            assert "data/latest/products.csv" not in built.written
    assert calls["updated"] >= 2  # the database was updated in place, not only made afresh


def test_corrupt_cache_files_are_ignored(tmp_path: Path) -> None:
    catalog = load()
    cache = tmp_path / "cache"
    first = build(catalog, tmp_path / "first", cache)
    for path in (cache / "datasets").iterdir():
        path.write_bytes(b"\x00not marshal")
    changed = replace_product(catalog, 1, name="Đổi tên")
    again = build(changed, tmp_path / "again", cache, first)
    build(changed, tmp_path / "fresh", tmp_path / "other-cache")
    assert_same_tree(again.root, tmp_path / "fresh")


# --- the check stays strict ------------------------------------------------------------------


def test_a_row_broken_after_a_valid_build_fails_at_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdicts of the first build must not cover the changed line: frictionless reads it,
    and the error names its row in the published file."""
    catalog = grown(load(), 40)
    cache = tmp_path / "cache"
    first = build(catalog, tmp_path / "good", cache)
    broken_id = catalog.products[30].id
    real = datasets.product_row

    def broken(product: Product, *args: Any) -> dict[str, Any]:
        row = real(product, *args)
        return {**row, "stars": 7} if product.id == broken_id else row

    monkeypatch.setattr(datasets, "product_row", broken)
    with pytest.raises(DatasetError) as raised:
        build(catalog, tmp_path / "bad", cache, first)
    # Its row in products.csv, and in changes.csv (the product's "added" change).
    products, changes = raised.value.errors
    assert products.startswith("products row 32 field stars: constraint-error: ")
    assert changes.startswith("changes row 32 field stars: constraint-error: ")
    assert 'row at position "32"' in products


def test_a_changed_descriptor_is_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load()
    cache = tmp_path / "cache"
    first = build(catalog, tmp_path / "good", cache)
    real = datasets.datapackage
    monkeypatch.setattr(
        datasets, "datapackage", lambda *a: {**real(*a), "name": "Not A Valid Name!"}
    )
    with pytest.raises(DatasetError, match="not valid") as raised:
        build(catalog, tmp_path / "bad", cache, first)
    assert any(e.startswith("package: package-error:") for e in raised.value.errors)


def test_a_broken_key_fails_a_warm_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = load()
    cache = tmp_path / "cache"
    first = build(catalog, tmp_path / "good", cache)
    real = datasets.certificate_rows

    def orphan(*args: Any) -> list[dict[str, Any]]:
        rows = real(*args)
        return [*rows, {**rows[0], "product_id": "khong-co"}]

    monkeypatch.setattr(datasets, "certificate_rows", orphan)
    with pytest.raises(DatasetError) as raised:
        build(catalog, tmp_path / "bad", cache, first)
    row = len(real(catalog, catalog.release_date)) + 2
    assert raised.value.errors == [
        f'certificates row {row}: foreign-key: values "khong-co" of product_id not found in '
        "products as id"
    ]


def _broken_tables(tmp_path: Path) -> tuple[Path, dict[str, datasets.EncodedTable]]:
    """A package whose tables break every table check: its folder (descriptor and CSV files,
    as published) and its tables."""
    catalog = load()
    specs = load_table_specs(SCHEMAS)
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=tmp_path, base_url=BASE_URL, as_of=RELEASE)
    vocab = datasets.load_vocabulary(SCHEMAS)
    rows = datasets.table_rows(catalog, config, vocab, fake_photos(catalog, skip=""))
    products = rows["products"]
    rows["products"] = [
        *products,
        {**products[0], "name": "trùng id"},  # the same id and url as row 2
        {**products[1], "id": "moi-1", "url": "u1", "producer_id": "khong-co"},
        {**products[1], "id": "moi-2", "url": "u1", "replaced_by": "khong-co"},  # url again
        {**products[1], "id": "", "url": "u2"},  # a primary key with every cell missing
    ]
    certificates = rows["certificates"]
    rows["certificates"] = [*certificates, certificates[0], {**certificates[0], "sequence": 9}]
    rows["changes"] = []
    cache = datasets.DatasetCache(tmp_path / "cache")
    tables = {name: datasets.EncodedTable(specs[name], rows[name], cache) for name in rows}
    folder = tmp_path / "package"
    folder.mkdir()
    files = datasets.DataFiles(SiteWriter(tmp_path / "unused"), cache)
    csvs = {name: files.of(f"{name}.csv", t.csv_bytes()) for name, t in tables.items()}
    for file in csvs.values():
        (folder / file.name).write_bytes(file.data or b"")
    package = datasets.datapackage(specs, csvs, config, RELEASE)
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return folder, tables


def test_key_errors_are_frictionless_table_errors(tmp_path: Path) -> None:
    """key_errors finds what frictionless's table checks find, at the same rows."""
    folder, tables = _broken_tables(tmp_path)

    def where_and_kind(line: str) -> tuple[str, str]:
        where, kind = line.split(": ")[:2]
        return where.split(" field ")[0], kind

    found = [where_and_kind(e) for e in datasets.package_errors(str(folder / "datapackage.json"))]
    table_errors = {e for e in found if e[1] in datasets.TABLE_ERRORS}
    assert {kind for _, kind in table_errors} == datasets.TABLE_ERRORS  # broken every way
    assert {where_and_kind(e) for e in datasets.key_errors(tables)} == table_errors


# --- the parts -------------------------------------------------------------------------------


def test_zip_bytes_are_what_zipfile_writes() -> None:
    parts = [("[Content_Types].xml", "<a/>"), ("xl/worksheets/sheet1.xml", "dòng " * 5000)]
    day = dt.date(2026, 11, 23)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            entry = zipfile.ZipInfo(name, date_time=(2026, 11, 23, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, text.encode("utf-8"), compresslevel=6)
    entries = [datasets.zip_entry(name, text) for name, text in parts]
    assert datasets.zip_bytes(entries, day) == out.getvalue()


def test_sqlite_updated_in_place_is_a_fresh_database(tmp_path: Path) -> None:
    catalog = grown(load())
    specs = load_table_specs(SCHEMAS)
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=tmp_path, base_url=BASE_URL, as_of=RELEASE)
    vocab = datasets.load_vocabulary(SCHEMAS)
    meta = {"title": "t"}
    cache = datasets.DatasetCache(tmp_path / "cache")

    def made(rows: dict[str, list[dict[str, Any]]]) -> bytes:
        tables = {name: datasets.EncodedTable(specs[name], rows[name], cache) for name in rows}
        columns = datasets.Columns(specs, rows)
        return datasets.sqlite_file(specs, tables, columns, meta, RELEASE, cache)

    def fresh(rows: dict[str, list[dict[str, Any]]]) -> bytes:
        return datasets.to_sqlite(specs, datasets.Columns(specs, rows), meta, RELEASE)

    rows = datasets.table_rows(catalog, config, vocab, fake_photos(catalog, skip=""))
    rows["changes"] = []
    made(rows)
    products = list(rows["products"])
    products[100] = {**products[100], "name": "dài " * 3000, "certificate_score": 51.5}
    products[101] = {**products[101], "description": None}
    edited = {**rows, "products": products}
    assert datasets._changed_in_place(cache.load("ocop.sqlite"), *_base(edited, specs, meta, cache))
    assert made(edited) == fresh(edited)
    # Two rows trading ids cannot be updated one by one: made afresh, the same bytes.
    swapped = list(products)
    swapped[5] = {**products[5], "id": products[6]["id"]}
    swapped[6] = {**products[6], "id": products[5]["id"]}
    edited = {**rows, "products": swapped}
    assert made(edited) == fresh(edited)


def _base(
    rows: dict[str, list[dict[str, Any]]],
    specs: dict[str, datasets.TableSpec],
    meta: dict[str, str],
    cache: datasets.DatasetCache,
) -> tuple[str, dict[str, list[bytes]]]:
    names = [repr(specs[name]) for name in datasets.TABLES]
    base = cache.key("ocop.sqlite", *names, datasets._canonical(meta), RELEASE.isoformat())
    keys = {name: datasets.row_keys(specs[name], rows[name]) for name in datasets.TABLES}
    return base, keys


def _reference_feed(catalog: Catalog, day: dt.date) -> list[tuple[dt.date, str, str]]:
    """Every event, sorted: what feed_events keeps the first of."""
    events = []
    for p in catalog.products:
        history = (*p.previous_certificates, p.certificate)
        for n, c in enumerate(history):
            if c.date <= day:
                events.append((c.date, "new" if n == 0 else "re-rated", p.id))
        cert, w = p.certificate, p.withdrawn
        if cert.revoked and cert.revoked.date <= day:
            events.append((cert.revoked.date, "revoked", p.id))
        expired_on = cert.valid_until + dt.timedelta(days=1)
        if cert.status_on(day) is Validity.EXPIRED and not (w and w.date <= expired_on):
            events.append((expired_on, "expired", p.id))
        if w and w.date <= day:
            events.append((w.date, "withdrawn", p.id))
    return sorted(events, key=lambda e: (-e[0].toordinal(), e[2], e[1]))


@pytest.mark.parametrize("kept", [3, 200])
def test_feed_keeps_the_newest_events(kept: int, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = grown(load(), 30)
    # Products in reverse: the order they are found in must not decide between equal days.
    catalog = dataclasses.replace(catalog, products=catalog.products[::-1])
    monkeypatch.setattr(datasets, "FEED_ENTRIES", kept)
    every = _reference_feed(catalog, RELEASE)
    assert len(every) > kept or kept == 200  # some are left out, or all fit
    got = [(e.day, e.kind, e.product.id) for e in datasets.feed_events(catalog, RELEASE)]
    assert got == every[:kept]


def test_sqlite_update_with_an_integer_primary_key_is_a_fresh_database(tmp_path: Path) -> None:
    """A primary key of one INTEGER column is SQLite's rowid: the in-place update (which finds
    a row by its position) must not be used, or the edit lands on another row (found by a
    review; no table has such a key today, the schemas may)."""
    catalog = grown(load(), 300)
    specs = load_table_specs(SCHEMAS)
    specs["photos"] = dataclasses.replace(specs["photos"], primary_key=("sequence",))
    specs["photos"] = dataclasses.replace(specs["photos"], foreign_keys=())
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=tmp_path, base_url=BASE_URL, as_of=RELEASE)
    vocabulary = datasets.load_vocabulary(SCHEMAS)
    rows = datasets.table_rows(catalog, config, vocabulary, fake_photos(catalog, skip=""))
    rows["changes"] = []
    count = len(rows["photos"])
    rows["photos"] = [{**r, "sequence": count + 10 - i} for i, r in enumerate(rows["photos"])]
    cache = datasets.DatasetCache(tmp_path / "cache")
    meta = {"title": "t"}

    def made(rows: dict[str, Any]) -> bytes:
        tables = {k: datasets.EncodedTable(specs[k], rows[k], cache) for k in rows}
        columns = datasets.Columns(specs, rows)
        return datasets.sqlite_file(specs, tables, columns, meta, RELEASE, cache)

    made(rows)
    photos = list(rows["photos"])
    photos[3] = {**photos[3], "alt": "đổi"}
    edited = {**rows, "photos": photos}
    fresh = datasets.to_sqlite(specs, datasets.Columns(specs, edited), meta, RELEASE)
    assert made(edited) == fresh


def test_a_sqlite_constraint_failure_is_a_dataset_error_with_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite refuses a missing required cell before frictionless has answered: the build
    still says which row and field, as a DatasetError (not a traceback)."""
    base = grown(load(), 40)
    broken_id = base.products[7].id
    real = datasets.product_row

    def broken(product: Product, *args: Any) -> dict[str, Any]:
        row = real(product, *args)
        return {**row, "certificate_number": None} if product.id == broken_id else row

    monkeypatch.setattr(datasets, "product_row", broken)
    with pytest.raises(DatasetError) as raised:
        build(base, tmp_path / "site", tmp_path / "cache")
    assert "products row 9 field certificate_number: constraint-error" in "\n".join(
        raised.value.errors
    )
