"""The labels page and its provinces' pages link every label and sheet, relative to themselves."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from label_support import (
    make_config,
)

from generator.model import Catalog
from generator.render.html import Assets, Html
from generator.render.labels.page import render_labels_page
from generator.render.labels.stage import render_labels
from generator.write import SiteWriter


def _pages(site: Path) -> dict[Path, str]:
    """The labels page and its provinces' pages, by file."""
    folder = site / "nhan-qr"
    found = [folder / "index.html", *sorted((folder / "tinh").glob("*/index.html"))]
    return {page: page.read_text(encoding="utf-8") for page in found}


def test_labels_pages_link_every_label_and_sheet(catalog: Catalog, tmp_path: Path) -> None:
    """The labels page links each province's sheet and page; each province's page its
    products' label files and the sheets of their producers; every link resolves from the
    page that holds it."""
    config = make_config(tmp_path)
    site = tmp_path / "site"
    writer = SiteWriter(site)
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    html = Html(config, assets, writer)
    index = render_labels(catalog, config, writer)
    render_labels_page(html, catalog, index)
    pages = _pages(site)
    linked: set[str] = set()
    for page, text in pages.items():
        for href in re.findall(r'href="([^":]+\.(?:pdf|svg|png))"', text):
            target = (page.parent / href).resolve()
            assert target.is_file(), (page, href)  # links resolve from the page
            rel = target.relative_to(site.resolve()).as_posix()
            if rel.startswith("nhan-qr/"):  # not the site's own icon
                linked.add(rel)
    expected = {
        f for files in index.per_product.values() for f in (files.svg, files.png, files.pdf)
    }
    expected |= {sheet.path for sheet in index.sheets}
    assert linked == expected
    main = pages[site / "nhan-qr" / "index.html"]
    assert "60 × 40 mm" in main and "70 × 37 mm" in main
    provinces = {p.place.province_slug: p.place.province_name for p in catalog.products}
    for slug, name in provinces.items():
        assert f'<a href="tinh/{slug}/">{name}</a>' in main
        assert f"nhan-qr/tinh/{slug}/index.html" in html.index.pages
        own = pages[site / "nhan-qr" / "tinh" / slug / "index.html"]
        shown = set(re.findall(r'href="[^"]*p/([\w-]+)/"', own))
        assert shown == {p.id for p in catalog.products if p.place.province_slug == slug}
    assert "nhan-qr/index.html" in html.index.pages


def test_labels_page_tells_how_lot_labels_are_made(catalog: Catalog, tmp_path) -> None:
    """Lot labels are made by the command, not the build: the page says how, and links none
    (a lot added to a product must not change this page)."""
    config = make_config(tmp_path)
    writer = SiteWriter(tmp_path / "site")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    html = Html(config, assets, writer)
    render_labels_page(html, catalog, render_labels(catalog, config, writer))
    page = (tmp_path / "site" / "nhan-qr" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="nhan-theo-lo"') : page.index("Cách kiểm tra một nhãn")]
    assert "<code>ocop labels --lots &lt;mã sản phẩm&gt;</code>" in section
    address = "nguyenvana.github.io/ocop-open-catalog"
    assert f"{address}/p/&lt;mã sản phẩm&gt;/lo/&lt;mã lô&gt;/" in section
    assert f"{address}/01/&lt;GTIN-14&gt;/10/&lt;mã lô&gt;/" in section
    assert "/lo/" not in "".join(re.findall(r'href="([^"]*)"', section))


def test_labels_page_is_made_again_only_when_what_it_shows_changes(
    catalog: Catalog, tmp_path
) -> None:
    """Its key covers what it shows of each product: the same catalog keeps the page, a new
    name makes it again (and a page kept on a stale key would still show the old name)."""
    config = make_config(tmp_path)

    def build(products: Catalog, previous: dict[str, tuple[str, int]] | None) -> SiteWriter:
        writer = SiteWriter(tmp_path / "site", previous)
        assets = Assets()
        assets.publish(config.templates_dir / "assets", writer)
        html = Html(config, assets, writer)
        render_labels_page(html, products, render_labels(products, config, writer))
        return writer

    first = build(catalog, None).manifest()
    again = build(catalog, first)
    assert again.kept == len(first)  # nothing changed: every file kept, the pages too
    site = tmp_path / "site"
    before = {page: page.stat().st_mtime_ns for page in _pages(site)}
    product = catalog.products[0]
    renamed = dataclasses.replace(
        catalog,
        products=(dataclasses.replace(product, name="Tên đã đổi"), *catalog.products[1:]),
    )
    build(renamed, again.manifest())
    page = site / "nhan-qr" / "tinh" / product.place.province_slug / "index.html"
    assert "Tên đã đổi" in page.read_text(encoding="utf-8")
    # only its province's page is made again
    made = {p for p, when in before.items() if p.stat().st_mtime_ns != when}
    assert made == {page}
