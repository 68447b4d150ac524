"""Every kind of page, opened in Chromium on a phone (360 px) and a desktop (1280 px): nothing
wider than the screen, no text smaller than 12 px, no axe violation; a screenshot of each.

What a page contains is tested elsewhere; these tests catch what only shows when a page is
drawn: a chart scaled down until its labels are 5 px tall, a table that pushes the page sideways.
Screenshots go to $OCOP_SCREENSHOTS (CI keeps them as artifacts), else to pytest's tmp folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.render.artifacts import DataIndex, LabelIndex, PhotoIndex
from generator.render.html import Assets, Html
from generator.render.pages import Outputs, PageRenderer
from generator.write import SiteWriter
from support import AS_OF, bounded_context, make_config

pytestmark = pytest.mark.browser

SMALLEST_TEXT_PX = 12
# CSS pixels are what the checks measure; one device pixel each keeps screenshots small.
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
NO_PHOTO = "../ocop-khong-anh/p/hp-withdrawn/"  # see product_without_photo

# page kind -> path under the site's base URL; all fixture products are examples, so every
# product page also shows the example notice.
PAGES = {
    "home": "",
    "product-valid": "p/qn-valid/",
    "product-expired": "p/qn-expired/",
    "product-revoked": "p/hp-revoked/",
    "product-withdrawn": "p/hp-withdrawn/",
    "product-without-photo": NO_PHOTO,
    "gs1": "01/08930000000019/",
    "lot-recalled": "p/qn-valid/lo/L2026-09/",
    "lot-by-gs1": "01/08930000000019/10/L2025-01/",
    "recalls": "thu-hoi/",
    "province": "tinh/quang-ninh/",
    "provinces": "tinh/",
    "commune": "xa/06832/",
    "group": "nhom/i/",
    "stars": "sao/4/",
    "producer": "chu-the/htx-mau-quang-ninh/",
    "search": "tim-kiem/?q=mau",
    "statistics": "thong-ke/",
    "statistics-province": "thong-ke/tinh/quang-ninh/",
    "producers-province": "tinh/quang-ninh/chu-the/",
    "data": "data/",
    "labels": "nhan-qr/",
    "labels-province": "nhan-qr/tinh/quang-ninh/",
    "not-found": "404.html",
}
WIDTHS = {"360": PHONE, "1280": DESKTOP}
# Charts and a table at the narrowest and widest common phones too.
PHONES = {str(w): {**PHONE, "viewport": {"width": w, "height": 740}} for w in (320, 414)}

# Text as drawn: the computed font size of each visible text's element, and for SVG text the
# size after the drawing is scaled to fit (font size times the vertical scale on screen).
MEASURE = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest("svg")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;  // not drawn, or visually hidden (1 px clip)
    const style = getComputedStyle(el);
    if (style.visibility !== "visible" || el.closest(".visually-hidden,.skip")) continue;
    found.push({size: parseFloat(style.fontSize), text: node.textContent.trim().slice(0, 40)});
  }
  for (const t of document.querySelectorAll("svg text")) {
    const box = t.getBoundingClientRect();
    if (box.width === 0) continue;
    const scale = t.getScreenCTM().d;
    found.push({size: parseFloat(getComputedStyle(t).fontSize) * scale, box: box.height,
                text: "svg: " + t.textContent.trim().slice(0, 34)});
  }
  return found;
}"""

# Elements whose right edge is past the screen, unless a box that scrolls sideways holds them.
OVERFLOWING = """(width) => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 0.5 || box.width === 0 || el.closest(".visually-hidden")) continue;
    let scroller = el.parentElement;
    while (scroller && !["auto", "scroll"].includes(getComputedStyle(scroller).overflowX)) {
      scroller = scroller.parentElement;
    }
    if (!scroller || scroller === document.body || scroller === document.documentElement) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
               (el.className && typeof el.className === "string" ? "." + el.className : "") +
               " right=" + Math.round(box.right));
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def product_without_photo(built_site: tuple[Path, str], tmp_path_factory: Any) -> str:
    """A product page as rendered when no photo of it is published (every fixture product has
    one): written beside the site, which it shares the assets of, so that the site itself,
    walked by other tests, stays as built."""
    from generator.catalog import check_catalog
    from generator.config import PROJECT_ROOT

    site, base_url = built_site
    tmp = tmp_path_factory.mktemp("no-photo")
    config = make_config(site.parent / "unused", tmp / "out", tmp / "cache", base_url)
    writer = SiteWriter(tmp / "site")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    html = Html(config, assets, writer)
    from support import FIXTURE_CATALOG

    checked = check_catalog(FIXTURE_CATALOG, PROJECT_ROOT / "schemas", AS_OF, release_date=AS_OF)
    assert checked.catalog is not None
    catalog = checked.catalog
    renderer = PageRenderer(catalog, html, Outputs(PhotoIndex(), LabelIndex(), DataIndex()))
    product = next(p for p in catalog.products if p.id == "hp-withdrawn")
    text = html.render("product.html", "p/x/index.html", **renderer.product_context(product))
    beside = site.parent / "ocop-khong-anh"
    (beside / "p" / "hp-withdrawn").mkdir(parents=True, exist_ok=True)
    (beside / "p" / "hp-withdrawn" / "index.html").write_text(text, encoding="utf-8")
    if not (beside / "assets").exists():
        (beside / "assets").symlink_to(site / "assets")
    assert "<picture>" not in text
    return base_url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("OCOP_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture()
def opened(
    request: pytest.FixtureRequest,
    browser: Any,
    built_site: tuple[Path, str],
    product_without_photo: str,
) -> Iterator[Any]:
    kind, width = request.param
    context = bounded_context(browser, **{**WIDTHS, **PHONES}[width])
    page = context.new_page()
    page.goto(built_site[1] + PAGES[kind])
    page.wait_for_load_state("networkidle")
    if kind == "search":
        page.wait_for_selector("#results li")
    # lazy photos load once scrolled to: the screenshot shows the page as a reader sees it
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    yield page, kind, int(width)
    context.close()


CASES = [(kind, width) for kind in PAGES for width in WIDTHS]
CASES += [(kind, width) for kind in ("statistics", "product-valid") for width in PHONES]


@pytest.mark.parametrize("opened", CASES, ids=[f"{k}-{w}" for k, w in CASES], indirect=True)
def test_page_fits_the_screen_and_text_is_readable(
    opened: tuple[Any, str, int], shots: Path
) -> None:
    page, kind, width = opened
    page.screenshot(path=shots / f"{kind}-{width}.png", full_page=True)

    assert page.evaluate("window.innerWidth") == width  # a phone zooms out a page too wide
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(OVERFLOWING, width) == []
    # one search box: the page's own (home, search, 404) or else the header's
    assert page.locator("form[role=search]").count() == 1
    texts = page.evaluate(MEASURE)
    assert texts, "no text measured"
    small = [t for t in texts if t["size"] < SMALLEST_TEXT_PX - 0.01]
    assert small == [], f"smallest {min(t['size'] for t in texts):.1f} px"

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


# The editorial pages (MkDocs + Material, from docs/): the same checks but the search box, which
# they do not carry (Material's search plugin is off; the site has its own search).
EDITORIAL = {"about": "gioi-thieu/", "contribute": "dong-gop/", "licences": "giay-phep/"}
EDITORIAL_CASES = [(kind, width) for kind in EDITORIAL for width in WIDTHS]


@pytest.mark.parametrize(
    "kind,width", EDITORIAL_CASES, ids=[f"{k}-{w}" for k, w in EDITORIAL_CASES]
)
def test_editorial_page_fits_the_screen_and_passes_axe(
    browser: Any, built_site: tuple[Path, str], shots: Path, kind: str, width: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = bounded_context(browser, **WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(built_site[1] + EDITORIAL[kind])
        page.wait_for_load_state("networkidle")
        page.screenshot(path=shots / f"{kind}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= int(width)
        small = [t for t in page.evaluate(MEASURE) if t["size"] < SMALLEST_TEXT_PX - 0.01]
        assert small == [], small[:5]
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
