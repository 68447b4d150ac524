"""Addresses that never break: GS1 Digital Link pages (`01/<GTIN-14>/`, the address a barcode
scanner builds), the 404 page, which resolves a product id or a lot typed by hand, and what a
static host can serve of a GS1 resolver: its description file, a linkset per GTIN and the rules
files of Netlify and Cloudflare Pages (README, "GS1 resolver on a static host": what a plain host
cannot do)."""

from __future__ import annotations

import json
from typing import Any

from generator import urls
from generator.model import Catalog, Product
from generator.render.html import SITE_NAME, SITE_NAME_EN, Html

# GS1 Web Vocabulary: link types are written as full URIs in a linkset (GS1's linkset schema
# accepts a URI or a registered relation name as a key, not a "gs1:" CURIE).
GS1_VOCABULARY = "https://gs1.org/voc/"
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
JSON_LD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
# Sections of the product page (ids in product.html) that a linkset points to.
CERTIFICATE_SECTION = "chung-nhan"
LOTS_SECTION = "lo-hang"
# ?linkType= values a host with query matching (Netlify) answers with a redirect; "linkset"
# and "all" lead to the linkset (GS1-Conformant Resolver 2.9).
PRODUCT_LINK_TYPES = ("pip", "certificationInfo", "traceability", "masterData")
LOT_LINK_TYPES = ("pip", "traceability", "certificationInfo")
LINKSET_REQUESTS = ("linkset", "all")


def render_gs1_pages(html: Html, catalog: Catalog) -> None:
    """`01/<GTIN-14>/index.html` for each GTIN: a small page that leads to the product page.

    Canonical points to the product page; not in the sitemap (it is the same content). A GTIN
    written on two products (a data slip validation does not catch) gets a page listing both
    instead of a build failure or a silent pick."""
    for gtin14, products in _by_gtin(catalog).items():
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


def _by_gtin(catalog: Catalog) -> dict[str, list[Product]]:
    by_gtin: dict[str, list[Product]] = {}
    for p in catalog.products:
        if p.gtin14:
            by_gtin.setdefault(p.gtin14, []).append(p)
    return dict(sorted(by_gtin.items()))


def _target(href: str, title: str, media_type: str = "text/html") -> dict[str, Any]:
    return {"href": href, "title": title, "type": media_type, "hreflang": ["vi"]}


def product_links(html: Html, product: Product) -> dict[str, list[dict[str, Any]]]:
    """The link types a GS1 client can ask of a product, each to its targets (what they show
    of it is the key of its linkset: render_gs1_resolver)."""
    page = html.absolute(urls.product(product.id))
    c = product.certificate
    return {
        "pip": [_target(page, f"{product.name}: trang sản phẩm OCOP")],
        "certificationInfo": [
            _target(
                f"{page}#{CERTIFICATE_SECTION}",
                f"Chứng nhận OCOP {c.stars} sao, quyết định {c.number}",
            )
        ],
        # The lots section, not each lot: a lot's own address is 01/<GTIN>/10/<lot>/, and a
        # new lot then changes only its pages, its product page and the tables (not this).
        "traceability": [_target(f"{page}#{LOTS_SECTION}", f"Các lô hàng của {product.name}")],
        "masterData": [
            _target(
                html.absolute(urls.product_json(product.id)),
                f"{product.name}: dữ liệu máy đọc",
                "application/json",
            )
        ],
    }


def linkset(html: Html, gtin14: str, products: list[Product]) -> dict[str, Any]:
    """RFC 9264 JSON linkset of a GTIN, as GS1's linkset schema wants it (every target has a
    title; the anchor is the GS1 Digital Link URI, which has no trailing slash)."""
    context: dict[str, Any] = {
        "anchor": html.absolute(urls.gs1(gtin14)).removesuffix("/"),
        "description": ", ".join(p.name for p in products),
    }
    links: dict[str, list[dict[str, Any]]] = {}
    for product in products:
        for link_type, targets in product_links(html, product).items():
            links.setdefault(link_type, []).extend(targets)
    first_page = links["pip"][0]
    context[GS1_VOCABULARY + "defaultLink"] = [dict(first_page)]
    for link_type, targets in links.items():
        context[GS1_VOCABULARY + link_type] = targets
    return {"linkset": [context]}


def resolver_description(html: Html) -> dict[str, Any]:
    """/.well-known/gs1resolver (GS1-Conformant Resolver, section 3)."""
    return {
        "name": f"{SITE_NAME} ({SITE_NAME_EN})",
        "resolverRoot": html.config.base_url.removesuffix("/"),
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOCABULARY, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": LINKSET_CONTEXT,
        "contact": {"fn": SITE_NAME},
    }


def host_headers(html: Html) -> str:
    """_headers (Netlify, Cloudflare Pages): content types of the resolver file and linksets,
    and CORS on the GS1 addresses, which the resolver standard requires; the record editor
    kept out of frames (only a header can say so) and out of search engines. No rule sets a
    Content-Security-Policy for every page: two policies on the editor would both apply, and
    the pages' own (in their meta tag) would stop it."""
    base = html.config.base_path
    return "\n".join(
        [
            "# Netlify and Cloudflare Pages read this file; GitHub Pages ignores it.",
            "# GS1 resolver description file and linksets: content types and CORS.",
            f"{base}{urls.GS1_RESOLVER}",
            "  Content-Type: application/json",
            "  Access-Control-Allow-Origin: *",
            f"{base}{urls.gs1('*').removesuffix('/')}",
            "  Access-Control-Allow-Origin: *",
            f"{base}{urls.linkset('*')}",
            "  Content-Type: application/linkset+json",
            f'  Link: <{LINKSET_CONTEXT}>; rel="{JSON_LD_CONTEXT_REL}"; type="application/ld+json"',
            "# The record editor (its own Content-Security-Policy is in its page).",
            f"{base}{urls.EDITOR}*",
            "  Content-Security-Policy: frame-ancestors 'none'",
            "  X-Robots-Tag: noindex",
            "",
        ]
    )


def host_redirects(html: Html, catalog: Catalog) -> str:
    """_redirects: `?linkType=` on a GTIN's address or a lot's GS1 address answered with a 302.

    Query-parameter matching is Netlify's (`from key=value to status`); "!" makes the rule win
    over the page that exists at the same address. Cloudflare Pages has no query matching and
    skips these lines (README, "GS1 resolver on a static host"). A GTIN on two products gets no
    rule: there is no choosing between them."""
    base = html.config.base_path
    lines = [
        "# GS1 Digital Link ?linkType= redirects (Netlify syntax; Cloudflare Pages skips them).",
    ]
    for gtin14, products in _by_gtin(catalog).items():
        if len(products) != 1:
            continue
        product = products[0]
        links = product_links(html, product)
        source = base + urls.gs1(gtin14).removesuffix("/")
        to_linkset = base + urls.linkset(gtin14)
        for link_type in PRODUCT_LINK_TYPES:
            target = _site_path(html, links[link_type][0]["href"])
            lines.append(f"{source} linkType=gs1:{link_type} {target} 302!")
        lines += [f"{source} linkType={kind} {to_linkset} 302!" for kind in LINKSET_REQUESTS]
        lot_source = base + urls.gs1_lot(gtin14, ":lot").removesuffix("/")
        lot_page = base + urls.lot(product.id, ":lot")
        for link_type in LOT_LINK_TYPES:
            target = (
                lot_page
                if link_type != "certificationInfo"
                else _site_path(html, links[link_type][0]["href"])
            )
            lines.append(f"{lot_source} linkType=gs1:{link_type} {target} 302!")
        lines += [f"{lot_source} linkType={kind} {to_linkset} 302!" for kind in LINKSET_REQUESTS]
    return "\n".join(lines) + "\n"


def _site_path(html: Html, absolute: str) -> str:
    """An absolute address of the site as a path from the host's root."""
    return html.config.base_path + absolute.removeprefix(html.config.base_url)


def render_gs1_resolver(html: Html, catalog: Catalog) -> None:
    """The resolver description file, a linkset per GTIN and the host rules files."""
    writer = html.writer

    def as_json(value: dict[str, Any]) -> str:
        return json.dumps(value, ensure_ascii=False, indent=1) + "\n"

    writer.write_text(urls.GS1_RESOLVER, as_json(resolver_description(html)))
    for gtin14, products in _by_gtin(catalog).items():
        # Keyed by what it shows (product_links), so that a rebuild does not encode thousands
        # of linksets to find them unchanged.
        path = urls.linkset(gtin14)
        shown = [(p.id, p.name, p.certificate.stars, p.certificate.number) for p in products]
        key = html.input_key("linkset", path, shown)
        if not writer.unchanged(path, key):
            writer.write_text(path, as_json(linkset(html, gtin14, products)), key)
    writer.write_text(urls.HOST_HEADERS, host_headers(html))
    writer.write_text(urls.HOST_REDIRECTS, host_redirects(html, catalog))
