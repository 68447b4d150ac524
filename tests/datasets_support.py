"""Helpers for the datasets tests (tests/render/datasets/): the fixture catalog loaded, data/
built with render_datasets alone (and the data page, as the build renders it), trees compared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig, PoolSettings
from generator.model import Catalog, Product
from generator.parallel import DEFAULT_POOLS
from generator.render.artifacts import DataIndex
from generator.render.data_page import render_data_page
from generator.render.datasets.releases import read_csv_rows
from generator.render.datasets.stage import render_datasets
from generator.render.html import Assets, Html
from generator.write import Manifest, SiteWriter, apply_overlay, seal_overlay
from support import fake_photos, tree_bytes

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
SCHEMAS = PROJECT_ROOT / "schemas"
AS_OF = dt.date(2026, 11, 23)
RELEASE = dt.date(2026, 11, 23)
BASE_URL = "https://ocop.example/catalog/"
ATOM = "{http://www.w3.org/2005/Atom}"
CLONES = 1200  # enough rows for SQLite to spill its page cache, and for caches to skip saving

# Column order is a promise to everyone who scripted against the files: change it on purpose.
GOLDEN_HEADERS = {
    "products": "id,name,name_en,url,status,status_date,stars,group,group_name,subgroup,"
    "subgroup_name,group_code_confirmed,producer_id,producer_name,province_code,province_name,"
    "commune_code,commune_name,address,former_address,certificate_number,certificate_date,"
    "certificate_date_precision,certificate_issuer,certificate_score,valid_until,"
    "valid_until_earliest,valid_until_latest,valid_until_given,revoked_date,"
    "revocation_decision,revocation_reason,withdrawn_date,withdrawal_reason,replaced_by,"
    "previous_certificate_count,gtin,gtin14,description,story,ingredients,net_quantity,"
    "shelf_life,storage,standards,photo_count,updated,example,record_path,group_inferred",
    "producers": "id,name,kind,kind_name,representative,tax_code,phone,email,website,"
    "province_code,province_name,commune_code,commune_name,address,former_address,"
    "product_count,example,record_path",
    "certificates": "product_id,sequence,current,number,date,date_precision,issuer,stars,score,"
    "valid_until,valid_until_earliest,valid_until_latest,valid_until_given,revoked_date,"
    "revocation_decision,revocation_reason,status,status_date",
    "photos": "product_id,sequence,file,alt,credit,licence,width,height,url",
    "sources": "product_id,sequence,title,url,document,date,quote",
    "lots": "product_id,lot,produced,use_by,use_by_status,quantity,unit,origin,origin_commune_code,"
    "origin_commune_name,inspection_report,inspection_laboratory,inspection_date,"
    "inspection_result,inspection_url,note,recall_ids,recalled,status_date,url,gs1_url,"
    "line,lots_path,example",
    "recalls": "id,product_id,product_name,date,lots,whole_product,reason,action,authority,"
    "decision,decision_url,contact,ended,active,status_date,url,record_path,example",
    "changes": "release,previous_release,change,product_id,name,province_code,province_name,"
    "stars_before,stars,status_before,status,certificate_before,certificate_number,"
    "changed_fields,url",
}


def load(
    catalog_dir: Path = FIXTURE, release: dt.date = RELEASE, as_of: dt.date | None = None
) -> Catalog:
    checked = check_catalog(catalog_dir, SCHEMAS, as_of or release, release_date=release)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def make_html(config: BuildConfig, writer: SiteWriter) -> Html:
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    return Html(config, assets, writer)


# Thresholds that send the workbook and the frictionless check to child processes.
IN_CHILDREN = PoolSettings(validation_bytes=0, xlsx_cells=0)


def config_for(
    catalog: Catalog, out_dir: Path, cache_dir: Path, pools: PoolSettings = DEFAULT_POOLS
) -> BuildConfig:
    return BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=out_dir,
        base_url=BASE_URL,
        as_of=catalog.as_of,
        cache_dir=cache_dir,
        pools=pools,
    )


def build(
    catalog: Catalog,
    staging: Path,
    published: Path | None = None,
    pools: PoolSettings = DEFAULT_POOLS,
) -> DataIndex:
    """data/ into `staging`; `published` plays the previously deployed site (config.out_dir).
    The cache is beside it: builds into one tmp folder share it, as successive builds do.
    pools: lowered thresholds send the workbook and the frictionless check to child processes,
    the path a national catalog takes."""
    published = published or staging.parent / "none"
    config = config_for(catalog, published, staging.parent / "cache", pools)
    writer = SiteWriter(staging)
    page = render_datasets(catalog, config, writer, fake_photos(catalog))
    render_data_page(make_html(config, writer), catalog, page)
    return page.index


def rows(path: Path) -> list[dict[str, str]]:
    return read_csv_rows(path.read_bytes())


def edit_record(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def product_yaml(catalog_dir: Path, pid: str) -> Path:
    return next(catalog_dir.glob(f"products/*/{pid}/product.yaml"))


# --- earlier releases ------------------------------------------------------------------------


# Fixture products (partial dates, no photo) that the earlier releases did not have yet.
ADDED_LAST = ("hp-chua-co-anh", "hp-nam-het-han", "qn-nam-chua-ro")


def old_catalogs(tmp: Path) -> tuple[Catalog, Catalog]:
    """Two earlier states of the fixture: R1 2024-02-01 and R2 2025-01-01."""
    r1 = tmp / "r1" / "catalog"
    shutil.copytree(FIXTURE, r1)
    for pid in ("hp-revoked", "hp-withdrawn", *ADDED_LAST):
        shutil.rmtree(product_yaml(r1, pid).parent)

    def old_certificate(d: dict[str, Any]) -> None:
        d["certificate"] = d.pop("previous_certificates")[0]
        d["stars"] = 3
        d["certificate"].pop("stars")
        d["sources"][0].pop("date")  # 2025-06-20: after these releases
        d.pop("recalls")  # 2026-10-05, of a lot made in 2026

    def early(d: dict[str, Any]) -> None:
        d["updated"] = "2024-01-20"

    edit_record(product_yaml(r1, "qn-valid"), old_certificate)
    product_yaml(r1, "qn-valid").with_name("lots.csv").unlink()  # lots made from 2025 on
    for pid in ("qn-valid", "qn-expired"):
        edit_record(product_yaml(r1, pid), early)

    r2 = tmp / "r2" / "catalog"
    shutil.copytree(FIXTURE, r2)
    for pid in ADDED_LAST:
        shutil.rmtree(product_yaml(r2, pid).parent)
    edit_record(product_yaml(r2, "qn-valid"), old_certificate)
    product_yaml(r2, "qn-valid").with_name("lots.csv").unlink()

    def not_yet_revoked(d: dict[str, Any]) -> None:
        d["certificate"].pop("revoked")

    def not_yet_withdrawn(d: dict[str, Any]) -> None:
        d.pop("withdrawn")

    edit_record(product_yaml(r2, "hp-revoked"), not_yet_revoked)
    edit_record(product_yaml(r2, "hp-withdrawn"), not_yet_withdrawn)
    for pid in ("qn-valid", "qn-expired", "hp-revoked", "hp-withdrawn"):
        edit_record(product_yaml(r2, pid), lambda d: d.update(updated="2024-12-20"))
    return (load(r1, dt.date(2024, 2, 1)), load(r2, dt.date(2025, 1, 1)))


# --- builds after a change -------------------------------------------------------------------


def _clone(product: Product, n: int) -> Product:
    """A copy of the product under a new id and name; its recalls are the copy's."""
    pid = f"{product.id}-{n:04d}"
    recalls = tuple(
        dataclasses.replace(r, id=pid + r.id.removeprefix(product.id), product_id=pid)
        for r in product.recalls
    )
    return dataclasses.replace(product, id=pid, name=f"{product.name} {n}", recalls=recalls)


def grown(catalog: Catalog, count: int = CLONES) -> Catalog:
    """The fixture's products and `count` copies of them under new ids and names."""
    originals = catalog.products
    clones = [_clone(originals[n % len(originals)], n) for n in range(count)]
    return dataclasses.replace(
        catalog, products=tuple(sorted((*catalog.products, *clones), key=lambda p: p.id))
    )


class Built(NamedTuple):
    root: Path
    manifest: Manifest
    written: set[str]  # files actually written (not kept as the tree held them)


def build_again(catalog: Catalog, root: Path, cache: Path, previous: Built | None = None) -> Built:
    """data/ into `root`: from nothing, or as a build does after an earlier one: an overlay of
    a copy of `previous` (its tree and manifest), applied to it."""
    if previous is None:
        writer = SiteWriter(root)
    else:
        shutil.copytree(previous.root, root, copy_function=os.link)
        staging = root.parent / f".{root.name}.building"
        writer = SiteWriter(staging, previous.manifest, base=root)
    config = config_for(catalog, root.parent / "published", cache)
    page = render_datasets(catalog, config, writer, fake_photos(catalog, skip=""))
    render_data_page(make_html(config, writer), catalog, page)
    writer.finish()  # files no longer made go, as at the end of a build
    if previous is not None:
        apply_overlay(seal_overlay(writer.root, root, writer.made(), writer.removals), root)
    held = previous.manifest if previous else {}
    written = {rel for rel, entry in writer.manifest().items() if held.get(rel) != entry}
    return Built(root, writer.manifest(), written)


def assert_same_tree(a: Path, b: Path, what: str = "") -> None:
    first, second = tree_bytes(a), tree_bytes(b)
    assert first.keys() == second.keys(), what
    assert [k for k in first if first[k] != second[k]] == [], what


def replace_product(catalog: Catalog, index: int, **changes: Any) -> Catalog:
    products = list(catalog.products)
    products[index] = dataclasses.replace(products[index], **changes)
    return dataclasses.replace(catalog, products=tuple(products))


# Values of every type a row may hold, and the texts each format treats specially: a column of
# one type takes a converter's fast path, a mixed column the per-cell functions.
EDGE_TEXTS = [
    "",
    "thường",
    "=SUM(1)",
    "+84",
    "-1",
    "@x",
    "\tx",
    "\rx",
    "'=quoted",
    'a & b <c> "d"',
    "ctrl\x01\x08\x0b\x1f\ufffe end",
    "nul\x00inside",
    "x" * 40000,
    "dòng một\ndòng hai, có dấu phẩy",
]
EDGE_VALUES = [
    None,
    True,
    False,
    0,
    -7,
    2**70,
    1.0,
    -2.0,
    2.5,
    1e-9,
    float("nan"),
    float("inf"),
    dt.date(2026, 11, 23),
    dt.date(1900, 1, 1),
    *EDGE_TEXTS,
]


def columns_to_check() -> list[list[Any]]:
    """Single-type columns (with and without None), and mixed ones."""
    kinds: dict[type, list[Any]] = {}
    for v in EDGE_VALUES[1:]:
        kinds.setdefault(type(v), []).append(v)
    out = [[None, None], [], EDGE_VALUES]
    for values in kinds.values():
        out += [values, [None, *values, None]]
    out.append([*EDGE_TEXTS[:2], "plain", None])  # strings needing no escaping at all
    out.append(["a & b <c> \"d\" 'e'", None, "=<tag>", "x" * 32767])  # no control character
    return out
