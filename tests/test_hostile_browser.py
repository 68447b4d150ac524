"""A catalog whose every text field is hostile, built and opened in headless Chromium.

The payloads are the ones that pass validation (schema validation refuses `javascript:` URLs
and raw HTML in description/story): HTML and script in names, titles, alt texts, addresses;
Markdown link tricks in description/story; template syntax. Each would set `window.__pwned` or
open a dialog if it ran. Every page is opened with a trap for both, a listener for Content
Security Policy violations (an injected inline script blocked by the CSP is still an injection),
and a record of every request (nothing may be fetched from another host).
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin
from xml.etree import ElementTree

import pytest
import yaml
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from generator.build import BuildReport, build_site
from support import FIXTURE_CATALOG, BrowserTestTimeout, bounded_context, make_config

pytestmark = pytest.mark.browser

PWN = "window.__pwned=1"
PRODUCT = "products/quang_ninh/qn-valid/product.yaml"
PRODUCER = "producers/htx-mau-quang-ninh.yaml"
HOUSEHOLD = "producers/hkd-mau-hai-phong.yaml"
TEMPLATE = "{{ 7*7 }}{% raw %}"

# text fields with no format: HTML, script, attribute breakers, template syntax
TAG = f"<script>{PWN}</script>"
IMG = f'<img src=x onerror="{PWN}">'
ATTR = f"\"><script>{PWN}</script><x y='"
SVG = f"'><svg onload={PWN}>"
# description/story are Markdown without raw HTML: link and escaping tricks only
MARKDOWN = (
    f"**Hostile** [click](javascript:{PWN}) [c2](JAVASCRIPT:alert(1)) "
    f"[c3](  javascript:alert(1)  ) [c4](&#106;avascript:alert(1)) "
    f"[c5](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
    f"[ref][r] ![img](javascript:alert(1)) ![i2](https://evil.example/x.png)\n\n"
    f'[ok](https://example.org/" onclick="{PWN}) '
    f'[t](https://example.org/ "x\\" onmouseover=\\"{PWN}")\n\n'
    f"&#x3C;script&#x3E;{PWN}&#x3C;/script&#x3E; &lt;img src=x onerror={PWN}&gt; {TEMPLATE}\n\n"
    f"[r]: javascript:{PWN}\n"
)


def _hostile_product(record: dict[str, Any]) -> dict[str, Any]:
    record["name"] = f"{TAG}{IMG}{TEMPLATE}"
    record["name_en"] = ATTR
    record["description"] = MARKDOWN
    record["story"] = f"*[x](javascript:{PWN})* {TEMPLATE} [y](vbscript:msgbox(1))"
    record["ingredients"] = IMG
    record["storage"] = SVG
    record["net_quantity"] = "</title><script>alert(1)</script>"
    record["standards"] = [TAG, "</script><script>alert(1)</script>"]
    record["certificate"]["issuer"] = f"<b onmouseover={PWN}>UBND</b>"
    record["certificate"]["number"] = "1001/QĐ-UBND<script>alert(1)</script>"
    record["place"]["address"] = SVG
    record["place"]["former_address"] = ATTR
    record["where_to_buy"] = [
        {
            "name": f"<a href=javascript:{PWN}>shop</a>",
            "address": f"<iframe src=javascript:{PWN}></iframe>",
            "url": "https://example.org/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        }
    ]
    record["photos"][0]["alt"] = ATTR
    record["photos"][0]["credit"] = IMG
    record["photos"][0]["licence"] = TAG
    record["photos"][1]["alt"] = f"{SVG} {TEMPLATE}"
    record["sources"] = [
        {"title": IMG, "url": "https://example.org/nguon", "date": "2025-06-20"},
        {"title": f"</script>{TAG}", "document": ATTR},
    ]
    return record


def _hostile_producer(record: dict[str, Any]) -> dict[str, Any]:
    record["name"] = f"HTX {TAG}{IMG}"
    record["representative"] = ATTR
    record["place"]["address"] = SVG
    record["email"] = "x'onmouseover=alert(1)'@example.org"
    record["website"] = "https://example.org/?a=1&b=javascript:alert(1)"
    return record


def _rewrite(path: Path, change: Any) -> None:
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(
        yaml.safe_dump(change(record), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def hostile_site(
    site_server: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    www, ocop_url = site_server
    base_url = ocop_url.replace("/ocop/", "/hostile/")
    catalog = tmp_path_factory.mktemp("hostile") / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    _rewrite(catalog / PRODUCT, _hostile_product)
    _rewrite(catalog / PRODUCER, _hostile_producer)
    _rewrite(catalog / HOUSEHOLD, lambda r: {**r, "name": f"{IMG} Hộ {TEMPLATE}"})
    out = www / "hostile"
    config = make_config(catalog, out, tmp_path_factory.mktemp("cache"), base_url)
    status = build_site(config, BuildReport())
    assert status == 0, "the hostile catalog must pass validation to reach the pages"
    return out, base_url


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []
        self.csp: list[str] = []
        self.refresh: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self.anchors.append(attributes)
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == (
            "content-security-policy"
        ):
            self.csp.append(attributes.get("content") or "")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.refresh.append((attributes.get("content") or "").partition("url=")[2].strip())


def _generated_pages(out: Path) -> list[Path]:
    """Pages the generator renders (MkDocs' editorial pages carry no record data)."""
    # quan-tri: the record editor carries no record data (it reads records through the GitHub
    # API after sign-in) and has a policy of its own (tests/render/test_editor.py)
    editorial = {"gioi-thieu", "giay-phep", "dong-gop", "search", "assets", "quan-tri"}
    return [p for p in sorted(out.rglob("*.html")) if p.relative_to(out).parts[0] not in editorial]


def test_static_audit_of_every_page(hostile_site: tuple[Path, str]) -> None:
    """Without a browser: every generated page has the CSP, no executable markup, and every
    link to another host carries rel=noopener."""
    from test_properties import audit_page

    out, base_url = hostile_site
    pages = _generated_pages(out)
    assert len(pages) > 50
    missing_noopener = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(out).as_posix()
        audit_page(text, rel)
        links = Links()
        links.feed(text)
        assert len(links.csp) == 1, f"{rel}: Content-Security-Policy meta tag"
        assert "script-src 'self'" in links.csp[0] and "unsafe-inline" not in links.csp[0]
        for anchor in links.anchors:
            href = anchor.get("href") or ""
            target = urljoin(base_url + rel, href)
            external = target.startswith(("http", "//")) and not target.startswith(base_url)
            if external and "noopener" not in (anchor.get("rel") or "").split():
                missing_noopener.add((rel, target))
    assert missing_noopener == set(), sorted(missing_noopener)
    product = (out / "p/qn-valid/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in product  # shown, as text
    assert "{{ 7*7 }}" in product


def test_label_svgs_and_data_files_stay_data(hostile_site: tuple[Path, str]) -> None:
    """SVG labels open in a browser as documents: the names in them must be escaped too."""
    out, _ = hostile_site
    svgs = sorted(out.rglob("*.svg"))
    assert svgs
    for svg in svgs:
        for element in ElementTree.parse(svg).iter():
            name = element.tag.rsplit("}", 1)[-1].lower()
            assert name not in ("script", "foreignobject", "iframe", "a"), (svg, name)
            for attribute, value in element.attrib.items():
                local = attribute.rsplit("}", 1)[-1].lower()
                assert not local.startswith("on"), (svg, attribute)
                assert "javascript:" not in value.replace(" ", "").lower(), (svg, attribute)
    for data in sorted(out.rglob("*.json")):
        json.loads(data.read_text(encoding="utf-8"))
    for xml in [*out.rglob("*.atom"), *out.rglob("*.xml")]:
        ElementTree.parse(xml)  # well-formed: names escaped, no control characters


# Runs in every document before the page's own scripts. Reports go to Python at once through a
# binding, so a payload that runs on a page that then navigates away (the GS1 pages redirect)
# is still seen; `report` is kept here so that a page cannot replace it.
TRAP = """
(function () {
  var report = window.__ocopTrap;
  var pwned;
  Object.defineProperty(window, '__pwned', {
    get: function () { return pwned; },
    set: function (value) { pwned = value; report('pwned', String(value)); }
  });
  document.addEventListener('securitypolicyviolation', function (e) {
    report('csp', e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
  });
})();
"""

EVENTS = ("pwned", "csp", "dialogs", "console", "requests", "navigations", "popups")


def _pages_to_open(out: Path, base_url: str) -> dict[str, str | None]:
    """Every product and producer page, the products' provinces, home, data and labels pages
    (every other page gets the static audit) -> the page a page redirects to (GS1 pages)."""
    wanted = ["", "chu-the/", "sao/4/", "thong-ke/", "data/", "nhan-qr/"]
    for prefix in ("p", "chu-the", "01"):
        wanted += [f"{prefix}/{d.name}/" for d in sorted((out / prefix).iterdir()) if d.is_dir()]
    wanted += ["tinh/quang-ninh/", "tinh/hai-phong/"]
    pages: dict[str, str | None] = {}
    for rel in wanted:
        if (out / rel / "index.html").is_file():
            links = Links()
            links.feed((out / rel / "index.html").read_text(encoding="utf-8"))
            refresh = [urljoin(base_url + rel, target) for target in links.refresh]
            pages[rel] = refresh[0] if refresh else None
    return pages


def _open(
    browser: Any, url: str, action: Any = None, redirect: str | None = None
) -> dict[str, list[str]]:
    """Opens `url` in a context of its own, waits for `redirect` (the page's meta refresh), runs
    `action(page)`, and returns what happened: payloads run, CSP violations, dialogs (dismissed),
    console messages and page errors, requests, main-frame navigations, popups.

    Every wait is bounded (support.bounded_context): a page that does not load fails with a
    message naming it. The page is never closed on its own, only with its context: Chromium can
    acknowledge closing a page whose navigation is committing and then never close it
    (crbug.com/536385539, microsoft/playwright#42366), and page.close() has no timeout. Closing
    a GS1 page while its meta refresh committed hung this test; disposing of the context does
    not wait for the page."""
    events: dict[str, list[str]] = {name: [] for name in EVENTS}
    step = "opening a browser context"
    context = bounded_context(browser)
    try:
        context.expose_binding(
            "__ocopTrap", lambda _source, kind, detail: events[kind].append(detail)
        )
        context.add_init_script(TRAP)
        # A dialog left open would block the page's scripts and every later call on the page:
        # each is recorded (record text must never open one) and dismissed.
        context.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
        page = context.new_page()
        context.on("page", lambda p: events["popups"].append(p.url))
        page.on("console", lambda m: events["console"].append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: events["console"].append(f"pageerror: {e}"))
        page.on("request", lambda r: events["requests"].append(r.url))
        page.on(
            "framenavigated",
            lambda f: events["navigations"].append(f.url) if f.parent_frame is None else None,
        )
        step = "loading it (load event)"
        page.goto(url, wait_until="load")
        if redirect is not None:
            step = f"following its meta refresh to {redirect}"
            page.wait_for_url(redirect, wait_until="load")
        if action is not None:
            step = f"running {getattr(action, '__name__', 'the action')}"
            action(page)
        # The page's timers after load (search.js, validity.js) get a moment; the round trip
        # then delivers every report the page sent before it.
        step = "reading the trap"
        page.wait_for_timeout(20)
        page.wait_for_load_state("load")  # readyState "complete"; no script run by string
    except PlaywrightError as error:
        pytest.fail(f"{url}: failed {step}: {error.message}", pytrace=False)
    except BrowserTestTimeout as error:
        raise BrowserTestTimeout(f"{error} while {step} of {url}") from None
    finally:
        step = "closing its context"
        context.close()
    return events


def _assert_clean(
    result: dict[str, list[str]], url: str, base_url: str, redirect: str | None = None
) -> None:
    assert result["pwned"] == [], f"{url}: a payload ran"
    assert result["dialogs"] == [], f"{url}: a payload opened a dialog"
    assert result["csp"] == [], f"{url}: injected markup blocked by the CSP: {result['csp']}"
    assert [m for m in result["console"] if "Content Security Policy" in m] == [], url
    assert [m for m in result["console"] if m.startswith("pageerror")] == [], url
    foreign = [r for r in result["requests"] if not r.startswith((base_url, "data:"))]
    assert foreign == [], f"{url} fetched from another host: {foreign}"
    assert not [r for r in result["requests"] if r.endswith("/x")], url  # <img src=x> ran
    assert result["popups"] == [], f"{url} opened a window"
    expected = [url] if redirect is None else [url, redirect]
    assert result["navigations"] == expected, f"{url}: unexpected navigation"


def test_nothing_runs_on_any_page(hostile_site: tuple[Path, str], browser: Any) -> None:
    out, base_url = hostile_site
    pages = _pages_to_open(out, base_url)
    assert "p/qn-valid/" in pages and "chu-the/htx-mau-quang-ninh/" in pages
    gs1 = [rel for rel in pages if rel.startswith("01/")]
    assert gs1 and all(pages[rel] == base_url + "p/qn-valid/" for rel in gs1), pages
    for rel, redirect in pages.items():
        url = base_url + rel
        _assert_clean(_open(browser, url, redirect=redirect), url, base_url, redirect)


def test_label_svg_opened_as_a_document(hostile_site: tuple[Path, str], browser: Any) -> None:
    out, base_url = hostile_site
    svg = next(p for p in sorted(out.rglob("*.svg")) if "qn-valid" in p.name)
    url = base_url + svg.relative_to(out).as_posix()
    result = _open(browser, url)
    assert result["pwned"] == [] and result["dialogs"] == [] and result["popups"] == []


def _wait_for_results(page: Any) -> None:
    # not wait_for_function: its later polls run a string as script, which the CSP refuses
    expect(page.locator("#search-status")).not_to_contain_text("Đang tải")


@pytest.mark.parametrize(
    "query",
    [
        "script",  # finds the hostile product: its name is shown by search.js
        "htx",
        f"{TAG}{IMG}",
        '"><img src=x onerror=alert(1)>',
        "{{ 7*7 }}",
    ],
)
def test_search_shows_hostile_names_as_text(
    hostile_site: tuple[Path, str], browser: Any, query: str
) -> None:
    _, base_url = hostile_site
    url = f"{base_url}tim-kiem/?q={quote(query)}"
    _assert_clean(_open(browser, url, _wait_for_results), url, base_url)


def test_search_finds_and_lists_the_hostile_product(
    hostile_site: tuple[Path, str], browser: Any
) -> None:
    _, base_url = hostile_site
    url = f"{base_url}tim-kiem/?q=script"
    names: list[str] = []

    def list_results(page: Any) -> None:
        page.wait_for_selector("#results a")
        names.extend(page.locator("#results a").all_text_contents())

    result = _open(browser, url, list_results)
    assert any("<script>" in name for name in names), names  # shown literally
    _assert_clean(result, url, base_url)


def test_not_found_page_with_hostile_path(hostile_site: tuple[Path, str], browser: Any) -> None:
    """The 404 page reads location: a crafted address must not inject either."""
    _, base_url = hostile_site
    url = base_url + "404.html#" + quote(f"{TAG}{IMG}")
    _assert_clean(_open(browser, url), url, base_url)
    url = base_url + "404.html?q=" + quote(f'"><img src=x onerror={PWN}>')
    _assert_clean(_open(browser, url), url, base_url)


def test_the_trap_catches_an_injection(hostile_site: tuple[Path, str], browser: Any) -> None:
    """Control: the checks above do see a payload that runs, that the CSP blocks, that opens a
    dialog, or that navigates away."""
    out, base_url = hostile_site
    control = out.parent / "hostile-control"
    control.mkdir(exist_ok=True)
    csp = '<meta http-equiv="Content-Security-Policy" content="script-src \'self\'">'
    (control / "open.html").write_text(f"<p>{TAG}{IMG}</p>", encoding="utf-8")
    (control / "csp.html").write_text(f"{csp}<p>{TAG}</p>", encoding="utf-8")
    (control / "alert.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (control / "confirm.html").write_text(
        f"<body><img src=x onerror=\"confirm('{PWN}')\"></body>", encoding="utf-8"
    )
    refresh = '<meta http-equiv="refresh" content="0; url=plain.html">'
    (control / "plain.html").write_text("<p>plain</p>", encoding="utf-8")
    (control / "moved.html").write_text(refresh, encoding="utf-8")
    (control / "gone.html").write_text(f"{refresh}<p>{IMG}</p>", encoding="utf-8")
    root = base_url.replace("/hostile/", "/hostile-control/")
    ran = _open(browser, root + "open.html")
    assert ran["pwned"] == ["1", "1"]  # the script and the image's onerror
    assert any(r.endswith("/x") for r in ran["requests"])
    with pytest.raises(AssertionError, match="a payload ran"):
        _assert_clean(ran, root + "open.html", base_url)
    blocked = _open(browser, root + "csp.html")
    assert blocked["pwned"] == [] and blocked["csp"]
    with pytest.raises(AssertionError, match="blocked by the CSP"):
        _assert_clean(blocked, root + "csp.html", root)
    alerted = _open(browser, root + "alert.html")
    assert alerted["dialogs"] == ["1"]
    confirmed = _open(browser, root + "confirm.html")
    assert confirmed["dialogs"] == [PWN]
    with pytest.raises(AssertionError, match="opened a dialog"):
        _assert_clean(confirmed, root + "confirm.html", root)
    # a redirect the test did not expect is seen; one it expects is followed, never raced
    moved = _open(browser, root + "moved.html", lambda page: page.wait_for_url("**/plain.html"))
    assert moved["navigations"] == [root + "moved.html", root + "plain.html"]
    with pytest.raises(AssertionError, match="unexpected navigation"):
        _assert_clean(moved, root + "moved.html", root)
    followed = _open(browser, root + "moved.html", redirect=root + "plain.html")
    _assert_clean(followed, root + "moved.html", root, redirect=root + "plain.html")
    # a payload on a page that then redirects is still seen
    gone = _open(browser, root + "gone.html", redirect=root + "plain.html")
    assert gone["pwned"] == ["1"]
