"""Privacy of the published site: what a build must never publish, and whom a reader's browser
must never contact.

- A household business's phone is a person's phone: it is in no published file (pages, search
  index, CSV, JSON, SQLite, Excel, PDF, feeds) unless the record says `phone_public: true`.
- Photo derivatives carry no EXIF (GPS position, camera, date) and no XMP, and the original
  photo file is never published.
- No page makes the browser fetch anything from another host: every src, srcset, stylesheet,
  icon, CSS url() and script is on the site; links to other hosts are record-provided outbound
  links (rel noopener) or a short list of template links; absolute URLs elsewhere are the site's
  own (canonical, Open Graph) or XML namespaces.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from PIL import Image

from generator import urls
from generator.build import BuildReport, build_site
from support import FIXTURE_CATALOG, make_config

HOUSEHOLD = "producers/hkd-mau-hai-phong.yaml"
HOUSEHOLD_PHONE = "0912 000 002"  # in the fixture, not marked public
PRIVATE = "producers/hkd-rieng-tu.yaml"  # added below: a household that never opts in
PRIVATE_PHONE = "0987 654 321"
CAMERA = "OcopTestCam-7731"  # EXIF Make of the GPS-tagged photo


def _digits(phone: str) -> str:
    """The subscriber digits without the leading 0: matched in any spelling (+84, spaces)."""
    return re.sub(r"\D", "", phone).lstrip("0")


def published_texts(site: Path) -> Iterator[tuple[str, str]]:
    """Every published file as text a person could read, compressed containers opened."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix in (".jpg", ".jpeg", ".png", ".webp", ".gif", ".ico", ".woff", ".woff2"):
            yield rel, data.decode("latin-1")  # metadata text would be in the raw bytes
        elif suffix in (".xlsx", ".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield f"{rel}!{member}", archive.read(member).decode("utf-8", "replace")
        elif suffix == ".pdf":
            yield rel, data.decode("latin-1")
            for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
                try:
                    yield f"{rel}!stream", zlib.decompress(stream).decode("latin-1")
                except zlib.error:
                    continue
        elif suffix in (".sqlite", ".db"):
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                query = "select name from sqlite_master where type in ('table', 'view')"
                for (table,) in connection.execute(query).fetchall():
                    for row in connection.execute(f'select * from "{table}"'):
                        yield f"{rel}!{table}", " ".join(str(v) for v in row)
            finally:
                connection.close()
        else:
            yield rel, data.decode("utf-8", "replace")


def files_mentioning(site: Path, phone: str) -> list[str]:
    digits = _digits(phone)
    found = []
    for rel, text in published_texts(site):
        squeezed = re.sub(r"[\s.()\-+]", "", text)
        if digits in squeezed:
            found.append(rel)
    return found


# --- the fixture catalog as it is (conftest's built_site) -----------------------------------


def test_household_phone_is_not_published(built_site: tuple[Path, str]) -> None:
    site, _ = built_site
    record = yaml.safe_load((FIXTURE_CATALOG / HOUSEHOLD).read_text(encoding="utf-8"))
    assert record["kind"] == "household_business" and record["phone"] == HOUSEHOLD_PHONE
    assert not record.get("phone_public")
    assert files_mentioning(site, HOUSEHOLD_PHONE) == []


def test_a_cooperative_phone_is_published(built_site: tuple[Path, str]) -> None:
    """Control for the scan: a cooperative's phone is public and is found, in every format."""
    site, _ = built_site
    found = files_mentioning(site, "0203 3000 001")
    assert "chu-the/htx-mau-quang-ninh/index.html" in found
    assert any(f.endswith(".csv") for f in found) and any("ocop.sqlite" in f for f in found)
    assert any("ocop.xlsx!" in f for f in found)


# --- a catalog with an opted-in household, a private one, and a GPS-tagged photo -------------


def _gps_photo(path: Path) -> None:
    """A 900x700 JPEG with EXIF (camera, date, GPS, rotated) and an XMP packet."""
    image = Image.new("RGB", (900, 700), (180, 90, 40))
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2025:06:15 10:00:00"  # DateTime
    exif[0x0112] = 6  # Orientation: rotate 90°
    exif[0x8825] = {  # GPS IFD: Hạ Long
        1: "N",
        2: (20.0, 57.0, 3.5),
        3: "E",
        4: (107.0, 4.0, 50.25),
    }
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b"<rdf:RDF><rdf:Description exif:GPSLatitude='20,57.05N'/></rdf:RDF></x:xmpmeta>"
        b'<?xpacket end="w"?>'
    )
    image.save(path, "JPEG", exif=exif, xmp=xmp, quality=90)
    with Image.open(path) as check:
        assert check.getexif().get_ifd(0x8825), "the test photo must carry GPS"


@pytest.fixture(scope="module")
def private_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("privacy")
    catalog = work / "catalog"
    shutil.copytree(FIXTURE_CATALOG, catalog)
    household = catalog / HOUSEHOLD
    household.write_text(
        household.read_text(encoding="utf-8") + "phone_public: true\n", encoding="utf-8"
    )
    private = yaml.safe_load(household.read_text(encoding="utf-8"))
    private.update(
        id="hkd-rieng-tu",
        name="Hộ kinh doanh Riêng Tư",
        phone=PRIVATE_PHONE,
        email="ho.rieng.tu@example.org",
    )
    del private["phone_public"]
    (catalog / PRIVATE).write_text(
        yaml.safe_dump(private, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    _gps_photo(catalog / "products/quang_ninh/qn-valid/chai-mau.jpg")
    config = make_config(catalog, work / "site", work / "cache", "https://example.org/ocop/")
    assert build_site(config, BuildReport()) == 0
    return config.out_dir


def test_opted_in_household_phone_is_published(private_site: Path) -> None:
    found = files_mentioning(private_site, HOUSEHOLD_PHONE)
    assert "chu-the/hkd-mau-hai-phong/index.html" in found
    assert "p/hp-revoked/index.html" in found


def test_household_that_did_not_opt_in_stays_private(private_site: Path) -> None:
    assert (private_site / "chu-the/hkd-rieng-tu/index.html").is_file()  # it is published...
    assert files_mentioning(private_site, PRIVATE_PHONE) == []  # ... without its phone


def test_photo_derivatives_carry_no_exif_gps_or_xmp(private_site: Path) -> None:
    original = private_site.parent / "catalog/products/quang_ninh/qn-valid/chai-mau.jpg"
    original_bytes = original.read_bytes()
    media = [
        p
        for p in sorted(private_site.rglob("*"))
        if p.suffix.lower() in (".jpg", ".jpeg", ".webp", ".png") and p.is_file()
    ]
    assert len(media) > 5
    rotated = 0
    for path in media:
        data = path.read_bytes()
        assert data != original_bytes, f"{path}: the original photo is published"
        assert CAMERA.encode() not in data, path
        assert b"xmpmeta" not in data and b"GPSLatitude" not in data, path
        with Image.open(path) as image:
            exif = image.getexif()
            assert not exif.get_ifd(0x8825), f"{path}: GPS"
            assert not {0x010F, 0x0110, 0x0132} & set(exif), f"{path}: camera or date"
            assert "xmp" not in image.info and "XML:com.adobe.xmp" not in image.info, path
            if image.height > image.width:
                rotated += 1
    assert rotated, "the orientation was applied to the pixels (portrait derivatives)"


# --- nothing fetched from another host ----------------------------------------------------------

# template links to other hosts (links, never fetched): the data licence, and Material's footer
TEMPLATE_LINKS = (
    "https://creativecommons.org/licenses/",
    "https://squidfunk.github.io/mkdocs-material/",
)
NAMESPACES = (
    "http://www.w3.org/",
    "http://www.sitemaps.org/schemas/sitemap/",
    "https://schema.org",
    "http://schema.org",
    "https://specs.frictionlessdata.io/",
)
FETCHING = {
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("script", "src"),
    ("link", "href"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
    ("form", "action"),
    ("image", "href"),
    ("use", "href"),
}


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[tuple[str, str, str]] = []
        self.anchors: list[dict[str, str | None]] = []
        self.other: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in FETCHING:
                urls = (
                    [part.strip().split(" ")[0] for part in value.split(",")]
                    if (name == "srcset")
                    else [value]
                )
                self.fetches += [(tag, name, url) for url in urls if url]
            elif tag == "a" and name == "href":
                self.anchors.append(dict(attrs))
            elif "//" in value and re.search(r"(https?:)?//[\w.-]+", value):
                self.other.append((tag, name, value))
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            self.fetches.append((tag, "refresh", dict(attrs).get("content") or ""))


def _outbound_urls(catalog: Path) -> set[str]:
    """Every URL the records themselves provide: where to buy, sources, producer websites,
    links in Markdown text, lots' inspection reports (lots.csv)."""
    urls: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            urls.update(re.findall(r"https?://[^\s)<>\"']+", value))

    for path in catalog.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in catalog.rglob("lots.csv"):
        walk(list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))))
    return urls


def _is_own(url: str, base_url: str) -> bool:
    return url.startswith(base_url) or not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url.lower())


def test_no_page_fetches_from_another_host(built_site: tuple[Path, str]) -> None:
    site, base_url = built_site
    outbound = _outbound_urls(FIXTURE_CATALOG)
    problems: list[str] = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        rel = page.relative_to(site).as_posix()
        if rel == urls.page_file(urls.EDITOR):
            continue  # the record editor talks to GitHub after sign-in (test_editor.py)
        here = base_url + rel
        parser = References()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, name, url in parser.fetches:
            target = url.partition("url=")[2].strip() if name == "refresh" else url
            absolute = urljoin(here, target)
            if not (absolute.startswith(base_url) or target.startswith("data:")):
                problems.append(f"{rel}: <{tag} {name}={url!r}>")
        for anchor in parser.anchors:
            href = anchor.get("href") or ""
            absolute = urljoin(here, href)
            if absolute.startswith(base_url) or href.startswith(("#", "mailto:", "tel:")):
                continue
            if not href.startswith(TEMPLATE_LINKS) and href not in outbound:
                problems.append(f"{rel}: link to {href!r} that no record provides")
            elif "noopener" not in (anchor.get("rel") or "").split():
                problems.append(f"{rel}: outbound link {href!r} without rel=noopener")
        for tag, name, value in parser.other:
            if name == "content" and value.startswith(base_url):
                continue  # og:url, og:image: the site's own absolute addresses
            if value.startswith(NAMESPACES):
                continue
            problems.append(f"{rel}: <{tag} {name}={value!r}>")
    assert problems == []


def test_no_stylesheet_or_own_script_reaches_another_host(built_site: tuple[Path, str]) -> None:
    site, base_url = built_site
    problems = []
    for css in sorted(site.rglob("*.css")):
        text = css.read_text(encoding="utf-8")
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(
            r"@import\s+['\"]([^'\"]+)", text
        ):
            if re.match(r"^(https?:)?//", url.strip()):
                problems.append(f"{css.relative_to(site)}: {url}")
    # the generator's own scripts (Material's bundles are checked in the browser test below)
    own = {p.stem: p for p in (Path(__file__).parents[1] / "site_templates/assets").glob("*.js")}
    for script in sorted((site / "assets").glob("*.js")):
        if script.name.split(".")[0] in own:
            for url in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\"]*", script.read_text()):
                if not url.startswith(NAMESPACES):
                    problems.append(f"{script.relative_to(site)}: {url}")
    for data in ("robots.txt", "sitemap.xml"):
        for url in re.findall(r"https?://[^\s<\"]+", (site / data).read_text(encoding="utf-8")):
            if not (url.startswith(base_url) or url.startswith(NAMESPACES)):
                problems.append(f"{data}: {url}")
    assert problems == []


@pytest.mark.browser
def test_browser_requests_stay_on_the_site(built_site: tuple[Path, str], browser: Any) -> None:
    """At run time, with Material's scripts too: every request goes to the site itself."""
    site, base_url = built_site
    pages = ["", "p/qn-valid/", "chu-the/hkd-mau-hai-phong/", "tim-kiem/?q=mau", "data/"]
    pages += ["thong-ke/", "nhan-qr/", "nhan-qr/tinh/quang-ninh/", "404.html", "tinh/"]
    pages += ["thong-ke/tinh/quang-ninh/", "tinh/quang-ninh/chu-the/", "chu-the/"]
    pages += ["01/08930000000019/"]
    pages += ["gioi-thieu/", "giay-phep/", "dong-gop/"]  # MkDocs + Material
    assert all((site / p.split("?")[0]).exists() for p in pages)
    foreign: list[str] = []
    for rel in dict.fromkeys(pages):
        # One context a page, closed whole: page.close() during the GS1 page's meta-refresh
        # redirect can hang forever in Chromium (see tests/test_hostile_browser.py, _open).
        context = browser.new_context()
        try:
            page = context.new_page()
            page.on(
                "request",
                lambda r, rel=rel: (
                    None
                    if r.url.startswith((base_url, "data:", "blob:"))
                    else foreign.append(f"{rel}: {r.url}")
                ),
            )
            page.goto(base_url + rel, wait_until="load")
            if rel.startswith("01/"):  # the GS1 page leads on to the product page
                page.wait_for_url(base_url + "p/qn-valid/", wait_until="load", timeout=15_000)
            page.wait_for_timeout(100)  # scripts that fetch after load (search, validity)
        finally:
            context.close()
    assert foreign == []
