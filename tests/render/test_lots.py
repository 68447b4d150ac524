"""Lot pages, the recalls page and what the product page shows of lots and recalls
(generator/render/lots.py), and their keys: a lot added to one product renders that lot's pages
and its product's page, and no other page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from generator import urls
from generator.build import BuildReport, build_site
from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig
from generator.model import Catalog, Lot, Product
from generator.render import lots as lots_module
from generator.render.artifacts import DataIndex, LabelIndex, PhotoIndex
from generator.render.html import Assets, Html
from generator.render.lots import lot_pages, recalls_page
from generator.render.pages import Outputs, PageRenderer
from generator.write import SiteWriter
from support import AS_OF, FIXTURE_CATALOG, make_config, tree_digests

BASE_URL = "https://ocop.example/catalog/"
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE_CATALOG, PROJECT_ROOT / "schemas", AS_OF, release_date=AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


@pytest.fixture()
def html(tmp_path: Path) -> Html:
    config = BuildConfig(
        catalog_dir=FIXTURE_CATALOG,
        out_dir=tmp_path / "published",
        base_url=BASE_URL,
        as_of=AS_OF,
        cache_dir=tmp_path / "cache",
    )
    writer = SiteWriter(tmp_path / "site")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    return Html(config, assets, writer)


def renderer(catalog: Catalog, html: Html) -> PageRenderer:
    return PageRenderer(catalog, html, Outputs(PhotoIndex(), LabelIndex(), DataIndex()))


def rendered(html: Html, catalog: Catalog, path: str) -> str:
    pages = [*lot_pages(renderer(catalog, html)), recalls_page(html, catalog)]
    pages += renderer(catalog, html).product_pages()
    page = next(p for p in pages if p.path == path)
    return html.render(page.template, page.path, **page.context())


def main_of(page: str) -> str:
    return page.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def with_lot(catalog: Catalog, product_id: str, lot: Lot) -> Catalog:
    return dataclasses.replace(
        catalog,
        products=tuple(
            # as when the line is added to lots.csv: the file's digest changes with it
            dataclasses.replace(p, lots=(*p.lots, lot), lots_sha256=f"{p.lots_sha256}+{lot.code}")
            if p.id == product_id
            else p
            for p in catalog.products
        ),
    )


def product_of(catalog: Catalog, product_id: str) -> Product:
    return next(p for p in catalog.products if p.id == product_id)


@pytest.fixture(scope="module")
def new_lot(catalog: Catalog) -> Lot:
    """What a producer appends to qn-nam-chua-ro's lots.csv: NEW_LOT_LINE."""
    (first,) = product_of(catalog, "qn-nam-chua-ro").lots
    return dataclasses.replace(
        first,
        code="NAM.2026.2",
        produced=D("2026-07-01"),
        use_by=D("2027-01-01"),
        quantity=None,
        unit=None,
        line=3,
    )


NEW_LOT_LINE = "NAM.2026.2,2026-07-01,2027-01-01"


# ------------------------------------------------------------------------------ lot pages


def test_a_lot_answers_at_both_addresses_with_one_canonical(catalog: Catalog, html: Html) -> None:
    pages = {p.path: p for p in lot_pages(renderer(catalog, html))}
    qr = urls.page_file(urls.lot("qn-valid", "L2026-07"))
    gs1 = urls.page_file(urls.gs1_lot("08930000000019", "L2026-07"))
    assert pages[qr].in_sitemap and not pages[gs1].in_sitemap
    canonical = f'<link rel="canonical" href="{BASE_URL}p/qn-valid/lo/L2026-07/">'
    by_qr, by_gs1 = rendered(html, catalog, qr), rendered(html, catalog, gs1)
    assert canonical in by_qr and canonical in by_gs1
    assert main_of(by_qr) == main_of(by_gs1)  # both four folders deep: the same links
    # a product without a GTIN: one address
    assert urls.page_file(urls.lot("qn-nam-chua-ro", "NAM.2026.1")) in pages
    assert not [path for path in pages if "NAM.2026.1" in path and path.startswith("01/")]


def test_a_recalled_lot_opens_with_the_banner_others_have_none(
    catalog: Catalog, html: Html
) -> None:
    recalled = main_of(rendered(html, catalog, "p/qn-valid/lo/L2026-09/index.html"))
    assert recalled.lstrip().startswith('<div class="recall" role="alert">')
    assert "Lô L2026-09 đang bị thu hồi: không sử dụng" in recalled
    assert product_of(catalog, "qn-valid").recalls[0].action in recalled
    assert recalled.index('class="recall"') < recalled.index('id="status"')
    other = main_of(rendered(html, catalog, "p/qn-valid/lo/L2026-07/index.html"))
    assert 'class="recall"' not in other and "Lô này không bị thu hồi" in other


def test_an_ended_recall_raises_no_banner(catalog: Catalog, html: Html) -> None:
    ended = dataclasses.replace(product_of(catalog, "qn-valid").recalls[0], ended=D("2026-11-01"))
    changed = dataclasses.replace(
        catalog,
        products=tuple(
            dataclasses.replace(p, recalls=(ended,)) if p.id == "qn-valid" else p
            for p in catalog.products
        ),
    )
    page = main_of(rendered(html, changed, "p/qn-valid/lo/L2026-09/index.html"))
    assert 'class="recall"' not in page and "Đã kết thúc ngày 01/11/2026" in page
    product = main_of(rendered(html, changed, "p/qn-valid/index.html"))
    assert 'class="recall"' not in product and '<div class="recall-ended">' in product


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        ("L2026-07", "in_date", "Còn hạn sử dụng đến hết ngày 15/07/2027"),
        ("L2025-01", "expired", "Hết hạn sử dụng từ ngày 02/03/2026 (HSD 01/03/2026)"),
    ],
)
def test_the_use_by_box_says_in_date_or_expired(
    catalog: Catalog, html: Html, code: str, status: str, words: str
) -> None:
    page = rendered(html, catalog, f"p/qn-valid/lo/{code}/index.html")
    box = re.search(r'<div id="use-by"[^>]*>', page)
    assert box and f'data-status="{status}"' in box.group(0)
    assert words in page
    assert re.search(r'<script src="[./]*assets/validity\.\w+\.js" defer></script>', page)


def test_the_lot_page_shows_its_origin_and_inspection(catalog: Catalog, html: Html) -> None:
    page = rendered(html, catalog, "p/qn-valid/lo/L2025-01/index.html")
    for words in ("Phường Yên Tử", "Vùng nguyên liệu mẫu", "KQ-0001/2025", "Đạt", "1200 chai"):
        assert words in page
    assert 'href="https://example.org/kq-0001.pdf"' in page


# ---------------------------------------------------------------- product and recalls pages


def test_the_product_page_lists_its_recall_first_and_its_lots_newest_first(
    catalog: Catalog, html: Html
) -> None:
    page = main_of(rendered(html, catalog, "p/qn-valid/index.html"))
    assert page.lstrip().startswith('<section id="thu-hoi"')
    assert "Xem mã lô in trên bao bì" in page
    assert 'href="../../p/qn-valid/lo/L2026-09/">L2026-09</a>' in page
    lots = page.split('id="lo-hang"', 1)[1]
    codes = re.findall(r"<code>([A-Z0-9.-]+)</code>", lots)
    assert codes[:3] == ["L2026-09", "L2026-07", "L2025-01"]
    assert "bị thu hồi" in lots.split("L2026-07")[0]  # the recalled lot is marked


def test_the_recalls_page_lists_every_recall_newest_first(catalog: Catalog, html: Html) -> None:
    (recall,) = product_of(catalog, "qn-valid").recalls
    older = dataclasses.replace(
        recall, id="qn-valid-2026-01-02", date=D("2026-01-02"), lots=(), ended=D("2026-02-01")
    )
    changed = dataclasses.replace(
        catalog,
        products=tuple(
            dataclasses.replace(p, recalls=(older, recall)) if p.id == "qn-valid" else p
            for p in catalog.products
        ),
    )
    page = main_of(rendered(html, changed, urls.page_file(urls.RECALLS)))
    anchors = re.findall(r'<article id="([^"]+)" class="([^"]+)"', page)
    assert anchors == [("qn-valid-2026-10-05", "recall"), ("qn-valid-2026-01-02", "recall-ended")]
    assert "Toàn bộ sản phẩm" in page


# --------------------------------------------------------------------------------- keys


def page_keys(catalog: Catalog, html: Html) -> dict[str, str]:
    r = renderer(catalog, html)
    pages = r.product_pages() + lot_pages(r) + r.browse_pages() + [r.home()]
    return {p.path: p.key for p in pages}


def test_a_new_lot_changes_the_keys_of_its_pages_and_its_products_page_only(
    catalog: Catalog, html: Html, new_lot: Lot
) -> None:
    before = page_keys(catalog, html)
    after = page_keys(with_lot(catalog, "qn-nam-chua-ro", new_lot), html)
    new = {path for path in after if path not in before}
    changed = {path for path in before if after[path] != before[path]}
    assert new == {"p/qn-nam-chua-ro/lo/NAM.2026.2/index.html"}
    assert changed == {"p/qn-nam-chua-ro/index.html"}


def test_lot_page_keys_are_taken_from_the_memo_while_their_inputs_are_unchanged(
    catalog: Catalog, html: Html, new_lot: Lot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second time, no lot is keyed again and the keys are the same; a product whose
    lots.csv changed has its lots keyed again (all of them: the memo is per product); a memo
    that cannot be read is none."""
    keyed: list[str] = []
    real = lots_module.lot_key_values

    def counting(lot: Lot) -> tuple[Any, ...]:
        keyed.append(lot.code)
        return real(lot)  # type: ignore[no-any-return]

    monkeypatch.setattr(lots_module, "lot_key_values", counting)
    first = page_keys(catalog, html)
    lots = [lot.code for p in catalog.products for lot in p.lots]
    assert sorted(keyed) == sorted(lots) and len(lots) > 2
    keyed.clear()
    assert page_keys(catalog, html) == first and keyed == []
    changed = with_lot(catalog, "qn-nam-chua-ro", new_lot)
    after = page_keys(changed, html)
    assert keyed == [lot.code for lot in product_of(changed, "qn-nam-chua-ro").lots]
    assert {path: after[path] for path in first} == first | {
        "p/qn-nam-chua-ro/index.html": after["p/qn-nam-chua-ro/index.html"]
    }
    memo = html.config.cache_dir / "pages" / "lot-page-keys.marshal"
    memo.write_bytes(b"not a memo")
    keyed.clear()
    assert page_keys(catalog, html) == first and sorted(keyed) == sorted(lots)


def test_a_lots_line_in_the_file_is_not_part_of_its_pages(catalog: Catalog, html: Html) -> None:
    def moved_down(product: Product) -> Product:
        lots = tuple(dataclasses.replace(lot, line=lot.line + 1) for lot in product.lots)
        return dataclasses.replace(product, lots=lots)

    moved = dataclasses.replace(catalog, products=tuple(map(moved_down, catalog.products)))
    before, after = page_keys(catalog, html), page_keys(moved, html)
    assert {path for path in before if "/lo/" in path and after[path] != before[path]} == set()


# ------------------------------------------------------------- incremental build, counted


@contextmanager
def counting_renders() -> Iterator[list[str]]:
    done: list[str] = []
    original = Html.render

    def render(self: Html, template: str, page_path: str, **context: Any) -> str:
        done.append(page_path)
        return original(self, template, page_path, **context)

    Html.render = render  # type: ignore[method-assign]
    try:
        yield done
    finally:
        Html.render = original  # type: ignore[method-assign]


# Pages written without an input key are rendered by every build that runs (the writer keeps
# them when their bytes are unchanged).
RENDERED_EVERY_BUILD = {"404.html", "nhan-qr/index.html", "data/index.html"}


def built_fixture(tmp_path: Path) -> BuildConfig:
    """The fixture catalog copied and built once."""
    catalog = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    config = make_config(catalog, tmp_path / "site", tmp_path / "cache", BASE_URL)
    assert build_site(config, BuildReport()) == 0
    return config


def append_lot(config: BuildConfig, product_id: str, line: str) -> None:
    """What a producer does: a line at the end of the product's lots.csv, empty cells after."""
    (lots_csv,) = (config.catalog_dir / "products").glob(f"*/{product_id}/lots.csv")
    header = lots_csv.read_text(encoding="utf-8").split("\n", 1)[0]
    with lots_csv.open("a", encoding="utf-8") as table:
        table.write(line + "," * (header.count(",") - line.count(",")) + "\n")


def test_adding_a_lot_renders_that_lots_page_its_product_page_and_nothing_else(
    tmp_path: Path,
) -> None:
    config = built_fixture(tmp_path)
    append_lot(config, "qn-nam-chua-ro", NEW_LOT_LINE)
    with counting_renders() as done:
        report = BuildReport()
        assert build_site(config, report) == 0
    assert not report.skipped
    assert set(done) - RENDERED_EVERY_BUILD == {
        "p/qn-nam-chua-ro/lo/NAM.2026.2/index.html",
        "p/qn-nam-chua-ro/index.html",
    }
    assert (
        tmp_path / "site" / "p" / "qn-nam-chua-ro" / "lo" / "NAM.2026.2" / "index.html"
    ).is_file()


def test_adding_a_lot_changes_its_pages_its_product_page_the_sitemap_and_the_tables(
    tmp_path: Path,
) -> None:
    """By the files: a product with a GTIN (its linkset stays as it is) gets a new lot."""
    config = built_fixture(tmp_path)
    before = tree_digests(tmp_path / "site")
    append_lot(config, "qn-valid", "L2026-11,2026-11-02,2027-11-02")
    assert build_site(config, BuildReport()) == 0
    after = tree_digests(tmp_path / "site")
    touched = {path for path in after if before.get(path) != after[path]}
    assert {path for path in before if path not in after} == set()
    assert {path for path in touched if not path.startswith(urls.DATA)} == {
        urls.page_file(urls.lot("qn-valid", "L2026-11")),
        urls.page_file(urls.gs1_lot("08930000000019", "L2026-11")),
        urls.page_file(urls.product("qn-valid")),
        urls.SITEMAP,
    }
    assert urls.data_latest("lots.csv") in touched
