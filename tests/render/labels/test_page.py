"""The labels page links every label and sheet, relative to itself."""

from __future__ import annotations

import dataclasses
import re

from label_support import (
    make_config,
)

from generator.model import Catalog
from generator.render.html import Assets, Html
from generator.render.labels.page import render_labels_page
from generator.render.labels.stage import render_labels
from generator.write import SiteWriter


def test_labels_page_links_every_label_and_sheet(catalog: Catalog, tmp_path) -> None:
    config = make_config(tmp_path)
    writer = SiteWriter(tmp_path / "site")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    html = Html(config, assets, writer)
    index = render_labels(catalog, config, writer)
    render_labels_page(html, catalog, index)
    folder = tmp_path / "site" / "nhan-qr"
    page = (folder / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="(\w[^"]*\.(?:pdf|svg|png))"', page))
    expected = {
        f for files in index.per_product.values() for f in (files.svg, files.png, files.pdf)
    }
    expected |= {sheet.path for sheet in index.sheets}
    assert {"nhan-qr/" + href for href in linked} == expected
    assert all((folder / href).is_file() for href in linked)  # links resolve from the page
    assert "60 × 40 mm" in page and "70 × 37 mm" in page
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

    page = tmp_path / "site" / "nhan-qr" / "index.html"
    first = build(catalog, None).manifest()
    again = build(catalog, first)
    assert again.kept == len(first)  # nothing changed: every file kept, the page too
    product = catalog.products[0]
    renamed = dataclasses.replace(
        catalog,
        products=(dataclasses.replace(product, name="Tên đã đổi"), *catalog.products[1:]),
    )
    build(renamed, again.manifest())
    assert "Tên đã đổi" in page.read_text(encoding="utf-8")
