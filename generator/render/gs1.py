"""Addresses that never break: GS1 Digital Link pages (`01/<GTIN-14>/`, the address a barcode
scanner builds) and the 404 page, which resolves a product id typed by hand."""

from __future__ import annotations

from generator import urls
from generator.model import Catalog, Product
from generator.render.html import Html


def render_gs1_pages(html: Html, catalog: Catalog) -> None:
    """`01/<GTIN-14>/index.html` for each GTIN: a small page that leads to the product page.

    Canonical points to the product page; not in the sitemap (it is the same content). A GTIN
    written on two products (a data slip validation does not catch) gets a page listing both
    instead of a build failure or a silent pick."""
    by_gtin: dict[str, list[Product]] = {}
    for p in catalog.products:
        if p.gtin14:
            by_gtin.setdefault(p.gtin14, []).append(p)
    for gtin14, products in sorted(by_gtin.items()):
        first = products[0]
        path = urls.page_file(urls.gs1(gtin14))
        html.write_page(
            "gs1.html",
            path,
            # all gs1.html shows of a product (a whole Product costs more to key than the page)
            input_key=html.input_key("gs1.html", path, [(p.id, p.name) for p in products]),
            title=f"Mã vạch {gtin14}" if len(products) > 1 else first.name,
            description=f"Mã vạch GTIN {gtin14}: dẫn tới trang sản phẩm OCOP {first.name}.",
            canonical=html.absolute(first.url_path),
            gtin14=gtin14,
            products=products,
            in_sitemap=False,
        )


def render_not_found(html: Html) -> None:
    """404.html with absolute links: GitHub Pages serves it for a missing path at any depth."""
    base = html.config.base_path
    html.write_page(
        "404.html",
        urls.NOT_FOUND,
        title="Không tìm thấy trang",
        description="Trang không có. Gõ mã sản phẩm in cạnh mã QR để tìm sản phẩm.",
        abs_root=base,
        abs_asset=lambda name: base + html.assets.urls[name],
        in_sitemap=False,
    )
