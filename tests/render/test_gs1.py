"""Addresses that never break: GS1 Digital Link pages (01/<GTIN-14>/) and the 404 page.

The 404 page's guessing of hand-typed product addresses is plain JavaScript: it is checked under
Node (the normalisation alone) and end to end in headless Chromium against a server that, like
GitHub Pages, answers every missing path with 404.html.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import http.server
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import urls
from generator.catalog import check_catalog
from generator.config import BuildConfig
from generator.model import Catalog
from generator.render.gs1 import render_gs1_pages, render_not_found
from generator.render.html import Assets, Html
from generator.write import SiteWriter
from support import serving

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "catalog"
NOTFOUND_JS = ROOT / "site_templates" / "assets" / "notfound.js"
AS_OF = dt.date(2026, 11, 23)
BASE_URL = "https://nguyenvana.github.io/ocop-open-catalog/"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE, ROOT / "schemas", AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def make_html(site: Path, base_url: str = BASE_URL) -> Html:
    config = BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=site,
        base_url=base_url,
        as_of=AS_OF,
        cache_dir=site.parent / "cache",
    )
    writer = SiteWriter(site)
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    return Html(config, assets, writer)


def test_gs1_page_leads_to_the_product_page(catalog: Catalog, tmp_path: Path) -> None:
    html = make_html(tmp_path / "site")
    render_gs1_pages(html, catalog)
    pages = sorted(
        p.relative_to(tmp_path / "site").as_posix()
        for p in (tmp_path / "site").rglob("01/*/index.html")
    )
    assert pages == ["01/08930000000019/index.html"]  # only the product with a GTIN
    page = (tmp_path / "site" / pages[0]).read_text(encoding="utf-8")
    assert re.fullmatch(r"01/\d{14}/index\.html", pages[0])
    assert f'<link rel="canonical" href="{BASE_URL}p/qn-valid/">' in page
    assert page.count('rel="canonical"') == 1
    assert '<meta http-equiv="refresh" content="0; url=../../p/qn-valid/">' in page
    assert '<a href="../../p/qn-valid/">Sản phẩm mẫu còn hiệu lực</a>' in page
    assert "<script" not in page
    assert html.index.pages == []  # not in the sitemap


def test_a_gtin_on_two_products_lists_both(catalog: Catalog, tmp_path: Path) -> None:
    (valid,) = [p for p in catalog.products if p.gtin14]
    twin = dataclasses.replace(valid, id="qn-valid-2", name="Bản sao")
    html = make_html(tmp_path / "site")
    render_gs1_pages(html, dataclasses.replace(catalog, products=(*catalog.products, twin)))
    page = (tmp_path / "site" / "01" / "08930000000019" / "index.html").read_text("utf-8")
    assert 'http-equiv="refresh"' not in page
    assert 'href="../../p/qn-valid/"' in page and 'href="../../p/qn-valid-2/"' in page


def test_404_uses_absolute_paths_and_no_inline_script(tmp_path: Path) -> None:
    html = make_html(tmp_path / "site")
    render_not_found(html)
    page = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    assert 'data-root="/ocop-open-catalog/"' in page
    assert re.search(
        r'<link rel="stylesheet" href="/ocop-open-catalog/assets/site\.\w+\.css">', page
    )
    assert re.search(
        r'<script src="/ocop-open-catalog/assets/notfound\.\w+\.js" defer>'
        r"</script>",
        page,
    )
    assert (
        'href="/ocop-open-catalog/tim-kiem/"' in page
        or 'action="/ocop-open-catalog/tim-kiem/"' in page
    )
    assert not re.search(r'(href|src|action)="(\./|\.\./)', page)  # nothing relative
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))  # CSP: no inline
    assert 'rel="canonical"' not in page
    assert "Mã sản phẩm" in page or "mã sản phẩm" in page
    assert html.index.pages == []


def test_404_at_a_domain_root(tmp_path: Path) -> None:
    html = make_html(tmp_path / "site", "https://ocop.example.vn/")
    render_not_found(html)
    page = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    assert 'data-root="/"' in page and re.search(r'src="/assets/notfound\.\w+\.js"', page)


NODE_CASES = {
    # (requested path, site root) -> the page the script tries
    ("/ocop-open-catalog/P/QN-Ruou-Mo", "/ocop-open-catalog/"): "p/qn-ruou-mo/",
    ("/ocop-open-catalog/p/qn%20ruou%20mo", "/ocop-open-catalog/"): "p/qn-ruou-mo/",
    ("/ocop-open-catalog/p/qn ruou mo", "/ocop-open-catalog/"): "p/qn-ruou-mo/",
    ("/ocop-open-catalog/qn-ruou-mo-yen-tu", "/ocop-open-catalog/"): "p/qn-ruou-mo-yen-tu/",
    ("/ocop-open-catalog/QN_Ruou_Mo/", "/ocop-open-catalog/"): "p/qn-ruou-mo/",
    ("/OCOP-open-catalog/p/qn-ruou-mo", "/ocop-open-catalog/"): "p/qn-ruou-mo/",
    ("/ocop-open-catalog/p/qn-ruou-mo/index.html", "/ocop-open-catalog/"): "p/qn-ruou-mo/",
    ("/ocop-open-catalog/p/%20qn--ruou-mo%20/", "/ocop-open-catalog/"): "p/qn-ruou-mo/",
    ("/ocop-open-catalog/p/Rượu Mơ", "/ocop-open-catalog/"): "p/ruou-mo/",
    ("/ocop-open-catalog/p/đá-ong", "/ocop-open-catalog/"): "p/da-ong/",
    ("/ocop-open-catalog/01/8930000000019", "/ocop-open-catalog/"): "01/08930000000019/",
    ("/ocop-open-catalog/8930000000019", "/ocop-open-catalog/"): "01/08930000000019/",
    ("/ocop-open-catalog/tinh/khong-co/", "/ocop-open-catalog/"): "",
    ("/ocop-open-catalog/", "/ocop-open-catalog/"): "",
    ("/ocop-open-catalog/p/%E0%A4%A", "/ocop-open-catalog/"): "",  # broken escape: no throw
    ("/ocop-open-catalog/p/" + "a" * 33, "/ocop-open-catalog/"): "",  # longer than an id
    ("/P/HP-Revoked", "/"): "p/hp-revoked/",
    ("/404.html", "/"): "",  # the page itself, opened directly
    ("/ocop-open-catalog/qn-valid.pdf", "/ocop-open-catalog/"): "",  # a missing file
    # a lot code typed in the wrong case or with spaces: upper case, spaces removed first
    (
        "/ocop-open-catalog/p/qn-valid/lo/l2026-07/",
        "/ocop-open-catalog/",
    ): "p/qn-valid/lo/L2026-07/",
    (
        "/ocop-open-catalog/P/QN-Valid/LO/ l2026-07 ",
        "/ocop-open-catalog/",
    ): "p/qn-valid/lo/L2026-07/",
    (
        "/ocop-open-catalog/p/qn-valid/lo/l2026%2007",
        "/ocop-open-catalog/",
    ): "p/qn-valid/lo/L202607/",
    ("/ocop-open-catalog/01/08930000000019/10/l2026-07", "/ocop-open-catalog/"): (
        "01/08930000000019/10/L2026-07/"
    ),
    ("/ocop-open-catalog/01/8930000000019/10/nam.2026.1/", "/ocop-open-catalog/"): (
        "01/08930000000019/10/NAM.2026.1/"
    ),
    ("/ocop-open-catalog/p/qn-valid/lo/l2026/07", "/ocop-open-catalog/"): "",  # a slash: no lot
    ("/ocop-open-catalog/p/qn-valid/lo/" + "A" * 21, "/ocop-open-catalog/"): "",  # over 20
    ("/ocop-open-catalog/p/qn-valid/lo/lô-1", "/ocop-open-catalog/"): "",  # not A-Z
}
# The addresses' shapes as the 404 page gives them to its script (from generator/urls.py).
SHAPES = {
    "product": urls.product("{id}"),
    "lot": urls.lot("{id}", "{lot}"),
    "gs1": urls.gs1("{gtin}"),
    "gs1Lot": urls.gs1_lot("{gtin}", "{lot}"),
}


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_notfound_script_normalises_typed_addresses() -> None:
    cases = [list(k) for k in NODE_CASES]
    script = (
        f"const api = require({json.dumps(str(NOTFOUND_JS))});"
        f"const cases = {json.dumps(cases, ensure_ascii=False)};"
        f"const shapes = {json.dumps(SHAPES)};"
        "console.log(JSON.stringify(cases.map(([p, r]) => api.candidate(p, r, shapes))));"
    )
    out = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert dict(zip(NODE_CASES, json.loads(out), strict=True)) == NODE_CASES


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_a_space_in_a_lot_code_may_stand_for_nothing_a_dash_or_a_dot() -> None:
    script = (
        f"const api = require({json.dumps(str(NOTFOUND_JS))});"
        f"const found = api.candidates('/p/qn-valid/lo/l2026 07', '/', {json.dumps(SHAPES)});"
        "console.log(JSON.stringify(found.map((c) => [c.page, c.label])));"
    )
    out = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert json.loads(out) == [
        [f"p/qn-valid/lo/{code}/", f"lô {code} của sản phẩm mã qn-valid"]
        for code in ("L202607", "L2026-07", "L2026.07")
    ]


def test_404_gives_its_script_the_address_shapes(tmp_path: Path) -> None:
    html = make_html(tmp_path / "site")
    render_not_found(html)
    page = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    for name, shape in SHAPES.items():
        attribute = re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name)
        assert f'data-{attribute}="{shape}"' in page
    assert f'data-search="{urls.SEARCH_PAGE}"' in page


# --- end to end, in headless Chromium ---------------------------------------------------------


class PagesLikeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder like GitHub Pages: a missing path gets <site>/404.html with status 404."""

    site_prefix = "/ocop-open-catalog/"

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / self.site_prefix.strip("/") / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def served_site(tmp_path: Path) -> Iterator[str]:
    site = tmp_path / "www" / "ocop-open-catalog"
    html = make_html(site)
    render_not_found(html)
    for pid in ("qn-valid", "qn-ruou-mo-yen-tu"):
        html.writer.write_text(f"p/{pid}/index.html", f"<!doctype html><title>{pid}</title>")
    html.writer.write_text("01/08930000000019/index.html", "<!doctype html><title>gs1</title>")
    for page in (urls.lot("qn-valid", "L2026-07"), urls.gs1_lot("08930000000019", "L2026-07")):
        html.writer.write_text(urls.page_file(page), "<!doctype html><title>lot</title>")
    handler = functools.partial(PagesLikeHandler, directory=str(tmp_path / "www"))
    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.browser
def test_404_sends_hand_typed_addresses_to_the_product(served_site: str, browser: Any) -> None:
    # The session's browser (conftest.py): a second sync Playwright in a worker that already
    # runs one fails ("Sync API inside the asyncio loop").
    sync_api = pytest.importorskip("playwright.sync_api")
    prefix = served_site + "/ocop-open-catalog/"
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None,
        )
        for typed, landing in [
            ("P/QN-Valid", "p/qn-valid/"),
            ("p/QN-VALID/", "p/qn-valid/"),
            ("p/qn valid", "p/qn-valid/"),
            ("qn_ruou_mo_yen_tu", "p/qn-ruou-mo-yen-tu/"),
            ("QN-Ruou-Mo-Yen-Tu/", "p/qn-ruou-mo-yen-tu/"),
            ("01/8930000000019", "01/08930000000019/"),
            ("p/qn-valid/lo/l2026 07/", "p/qn-valid/lo/L2026-07/"),  # L202607 is tried first
            ("P/QN-Valid/lo/l2026-07", "p/qn-valid/lo/L2026-07/"),
            ("01/08930000000019/10/l2026-07", "01/08930000000019/10/L2026-07/"),
        ]:
            page.goto(prefix + typed)
            page.wait_for_url(prefix + landing, timeout=5000)
        page.goto(served_site + "/OCOP-Open-Catalog/p/qn-valid")  # the site's path mistyped
        page.wait_for_url(prefix + "p/qn-valid/", timeout=5000)
        # A product that does not exist: the page stays, says so, offers the box.
        response = page.goto(prefix + "p/khong-co-san-pham")
        assert response is not None and response.status == 404
        # A locator wait, not wait_for_function: its later polls run a string as script,
        # which the site's CSP (script-src 'self') refuses whenever the first poll is early.
        sync_api.expect(page.locator("#nf-status")).to_contain_text("Không có")
        assert page.url == prefix + "p/khong-co-san-pham"
        assert page.input_value("#nf-id") == "khong-co-san-pham"
        # Typing an id in the box goes to the product when it exists.
        page.fill("#nf-id", "  QN Valid ")
        page.click("#nf-form button")
        page.wait_for_url(prefix + "p/qn-valid/", timeout=5000)
        # A name, not an id: the form searches, as it does without script.
        page.goto(prefix + "tinh/khong-co/")
        page.fill("#nf-id", "rượu mơ, Yên Tử")
        page.click("#nf-form button")
        page.wait_for_url(re.compile(r".*/tim-kiem/\?q=.*"), timeout=5000)
        assert errors == []
    finally:
        context.close()
