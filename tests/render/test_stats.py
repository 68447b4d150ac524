"""The statistics page (generator/render/stats.py): every number equals a count of the catalog.

The counts here are computed independently of stats.py, straight from the model, and compared
with the tables printed beside each chart; the charts must be accessible SVG without style.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator import urls
from generator.catalog import check_catalog
from generator.config import PROJECT_ROOT, BuildConfig
from generator.model import Catalog, Validity
from generator.render.html import Assets, Html
from generator.render.stats import render_statistics
from generator.write import SiteWriter

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
SCHEMAS = PROJECT_ROOT / "schemas"
# Six and a half months before qn-valid's certificate (2025-06-15 + 36 months) runs out:
# inside the 12-month window, just outside the 6-month one.
AS_OF = dt.date(2027, 12, 1)


class Tables(HTMLParser):
    """Rows of every <table id=...> on a page, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id")
            if self._table:
                self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE, SCHEMAS, AS_OF, release_date=AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def stats_page(catalog: Catalog, root: Path) -> str:
    """The statistics page of `catalog`, rendered into the site folder `root`."""
    config = BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=root.parent / "published",
        base_url="https://ocop.example/catalog/",
        as_of=AS_OF,
    )
    writer = SiteWriter(root)
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    render_statistics(catalog, Html(config, assets, writer))
    return (root / "thong-ke/index.html").read_text("utf-8")


@pytest.fixture(scope="module")
def site(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stats") / "site"
    stats_page(catalog, root)
    return root


@pytest.fixture(scope="module")
def page(site: Path) -> str:
    return (site / "thong-ke/index.html").read_text("utf-8")


def province_tables(site: Path, slug: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed((site / urls.page_file(urls.province_statistics(slug))).read_text("utf-8"))
    return parser.tables


@pytest.fixture(scope="module")
def tables(page: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


def body(rows: list[list[str]]) -> dict[str, list[int]]:
    """Header row dropped; first cell -> the numbers after it."""
    return {r[0]: [int(c) for c in r[1:]] for r in rows[1:]}


def test_totals(catalog: Catalog, tables: dict[str, list[list[str]]]) -> None:
    status = Counter(p.validity for p in catalog.products)
    assert status == {
        Validity.VALID: 2,
        Validity.EXPIRED: 3,  # on 2027-12-01 the decision of "2023" has expired whatever its day
        Validity.REVOKED: 1,
        Validity.WITHDRAWN: 1,
    }
    got = {r[0]: int(r[1]) for r in tables["bang-tong"]}
    assert got["Sản phẩm"] == len(catalog.products)
    assert got["Còn hiệu lực"] == status[Validity.VALID]
    assert got["Chưa rõ hiệu lực (không rõ ngày chính xác)"] == status[Validity.UNKNOWN_DATE]
    assert got["Chưa có ảnh"] == sum(not p.photos for p in catalog.products) == 2
    assert got["Hết hạn, chưa công nhận lại"] == status[Validity.EXPIRED]
    assert got["Bị thu hồi"] == status[Validity.REVOKED]
    assert got["Đã ngừng"] == status[Validity.WITHDRAWN]
    assert got["Chủ thể sản xuất"] == len(catalog.producers)


def test_by_province(catalog: Catalog, tables: dict[str, list[list[str]]]) -> None:
    expected: dict[str, list[int]] = {}
    order = (
        Validity.VALID,
        Validity.UNKNOWN_DATE,
        Validity.EXPIRED,
        Validity.REVOKED,
        Validity.WITHDRAWN,
    )
    for name in {p.place.province_name for p in catalog.products}:
        ps = [p for p in catalog.products if p.place.province_name == name]
        expected[name] = [len(ps), *(sum(p.validity is s for p in ps) for s in order)]
    assert body(tables["bang-tinh"]) == expected
    assert sum(v[0] for v in expected.values()) == len(catalog.products)


def test_by_group_and_stars(catalog: Catalog, tables: dict[str, list[list[str]]]) -> None:
    groups = body(tables["bang-nganh"])
    assert len(groups) == 6  # every group of Decision 148, zeros included
    assert groups["I. Thực phẩm"] == [
        sum(p.group == "I" for p in catalog.products),
        sum(p.group == "I" and p.validity is Validity.VALID for p in catalog.products),
    ]
    assert sum(v[0] for v in groups.values()) == len(catalog.products)
    stars = body(tables["bang-sao"])
    for n in (3, 4, 5):
        ps = [p for p in catalog.products if p.stars == n]
        assert stars[f"{n} sao"] == [len(ps), sum(p.validity is Validity.VALID for p in ps)]


def test_by_group_says_how_many_groups_were_inferred(
    catalog: Catalog, page: str, tmp_path: Path
) -> None:
    assert not any(p.group_inferred for p in catalog.products)
    assert "xếp theo tên sản phẩm" not in page
    products = tuple(
        dataclasses.replace(p, group_inferred=p.id in ("qn-valid", "qn-expired"))
        for p in catalog.products
    )
    inferred = stats_page(dataclasses.replace(catalog, products=products), tmp_path / "site")
    section = inferred.split('id="h-nganh"', 1)[1].split("</section>", 1)[0]
    assert "Ngành của 2 sản phẩm do dự án xếp theo tên sản phẩm vì nguồn không ghi." in section


def test_certifications_by_year(catalog: Catalog, tables: dict[str, list[list[str]]]) -> None:
    certs = [c for p in catalog.products for c in (*p.previous_certificates, p.certificate)]
    years = body(tables["bang-nam"])
    assert list(years) == [str(y) for y in range(2020, 2026)]  # no gap in the axis
    for year, numbers in years.items():
        # a decision known only to its year or month still has a year
        of_year = [c for c in certs if c.date.earliest.year == int(year)]
        assert numbers == [len(of_year), *(sum(c.stars == s for c in of_year) for s in (3, 4, 5))]
    assert sum(v[0] for v in years.values()) == len(certs) == 8


def test_expiring_and_expired(
    catalog: Catalog, tables: dict[str, list[list[str]]], page: str, site: Path
) -> None:
    valid = [p for p in catalog.products if p.validity is Validity.VALID]
    # a validity ending some day of March 2028 counts from the first day it could end
    ends = {p.id: p.certificate.valid_until.earliest for p in valid}
    in_6 = [p for p in valid if AS_OF < ends[p.id] <= dt.date(2028, 6, 1)]
    in_12 = [p for p in valid if AS_OF < ends[p.id] <= dt.date(2028, 12, 1)]
    assert ([p.id for p in in_6], [p.id for p in in_12]) == (
        ["hp-chua-co-anh"],
        ["hp-chua-co-anh", "qn-valid"],
    )
    months = body(tables["bang-sap-het-han"])
    assert len(months) == 13 and months["06/2028"] == [1] and months["03/2028"] == [1]
    assert sum(v[0] for v in months.values()) == len(in_12)
    assert (
        f"<strong>{len(in_6)}</strong> chứng nhận còn hiệu lực sẽ hết hạn trong 6 tháng tới, "
        f"<strong>{len(in_12)}</strong> trong 12 tháng tới"
    ) in page
    expired = [p for p in catalog.products if p.validity is Validity.EXPIRED]
    assert body(tables["bang-het-han"]) == {"Quảng Ninh": [2], "Hải Phòng": [1]}
    assert len(expired) == 3
    # the lists are on a page a province, linked from a table of every province's counts
    lists = body(tables["ds-theo-tinh"])
    assert (
        len(lists) == 34
        and lists["Quảng Ninh"] == [1, 2]
        and lists["Thành phố Hải Phòng"] == [1, 1]
    )
    assert sum(v[0] for v in lists.values()) == len(in_12)
    assert sum(v[1] for v in lists.values()) == len(expired)
    assert '<a href="../thong-ke/tinh/quang-ninh/">Quảng Ninh</a>' in page
    for slug in ("quang-ninh", "hai-phong"):
        province = province_tables(site, slug)
        soon = [p for p in in_12 if p.place.province_slug == slug]
        gone = [p for p in expired if p.place.province_slug == slug]
        shown = {p.id: p.name + (" ví dụ" if p.example else "") for p in catalog.products}
        assert [r[0] for r in province.get("ds-sap-het-han", [[]])[1:]] == [
            shown[p.id] for p in soon
        ]
        assert [r[0] for r in province.get("ds-het-han", [[]])[1:]] == [shown[p.id] for p in gone]
    quang_ninh = province_tables(site, "quang-ninh")
    assert [r[2] for r in quang_ninh["ds-sap-het-han"][1:]] == ["15/06/2028"]
    hai_phong = province_tables(site, "hai-phong")
    assert [r[2] for r in hai_phong["ds-sap-het-han"][1:]] == ["tháng 3/2028"]
    # a province with nothing listed still has its page, which says so
    empty = (site / "thong-ke/tinh/ha-noi/index.html").read_text("utf-8")
    assert "Không có chứng nhận nào còn hiệu lực hết hạn trong 12 tháng tới." in empty


def test_charts_are_accessible_svg_without_style(page: str) -> None:
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", page, flags=re.S)
    assert len(svgs) == 6
    for svg in svgs:
        labelled = re.search(r'role="img" aria-labelledby="([^"]+) ([^"]+)"', svg)
        assert labelled, svg[:200]
        title_id, desc_id = labelled.groups()
        assert f'<title id="{title_id}">' in svg and f'<desc id="{desc_id}">' in svg
    # The CSP allows style sheets from the site only: no inline style anywhere.
    assert "style=" not in page and "<style" not in page
    assert "<script" not in page.split("<main", 1)[1]


def test_page_is_listed_and_deterministic(catalog: Catalog, page: str, tmp_path: Path) -> None:
    config = BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=tmp_path / "published",
        base_url="https://ocop.example/catalog/",
        as_of=AS_OF,
    )
    writer = SiteWriter(tmp_path / "site")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    html = Html(config, assets, writer)
    render_statistics(catalog, html)
    assert (tmp_path / "site/thong-ke/index.html").read_text("utf-8") == page
    provinces = [
        f"thong-ke/tinh/{info.slug}/index.html" for info in catalog.places.provinces.values()
    ]
    assert html.index.pages == ["thong-ke/index.html", *provinces] and len(provinces) == 34


def test_charts_keep_their_text_size_on_any_screen(page: str) -> None:
    """No viewBox: the drawing is never scaled to the screen, so its text stays as given (a
    640-unit drawing on a 360 px phone drew 13 px labels 5 px tall); bars are in per cent."""
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", page, flags=re.S)
    for svg in svgs:
        opening = svg.split(">", 1)[0]
        assert "viewBox" not in opening and 'width="100%"' in opening
        sizes = [int(n) for n in re.findall(r'font-size="(\d+)"', svg)]
        assert sizes and min(sizes) >= 12
        widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)%"', svg)]
        assert all(0 < w <= 100 for w in widths)
        assert not re.search(r'<rect [^>]*width="\d+"', svg)  # no bar in fixed units


def test_each_bar_is_labelled_and_numbered(tables: dict[str, list[list[str]]], page: str) -> None:
    """Meaning never rests on colour or length alone: every bar's label and number are text."""
    svg = re.search(r'<svg [^>]*aria-labelledby="nam-t.*?</svg>', page, flags=re.S)
    assert svg
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg.group(0))
    rows = tables["bang-nam"][1:]
    assert texts == [t for r in rows for t in (r[0], r[1])]


@pytest.mark.parametrize("listed", ["qn-valid", "qn-expired"])  # expiring soon; expired
def test_page_is_kept_until_a_product_it_lists_changes(
    catalog: Catalog, tmp_path: Path, listed: str
) -> None:
    config = BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=tmp_path / "published",
        base_url="https://ocop.example/catalog/",
        as_of=AS_OF,
        cache_dir=tmp_path / "cache",
    )
    assets = Assets()
    assets.publish(config.templates_dir / "assets", SiteWriter(tmp_path / "assets"))

    def render(catalog: Catalog, previous: SiteWriter | None) -> SiteWriter:
        writer = SiteWriter(tmp_path / "site", previous.manifest() if previous else None)
        render_statistics(catalog, Html(config, assets, writer))
        return writer

    first = render(catalog, None)
    assert render(catalog, first).kept == 35  # nothing changed: not rendered again
    products = tuple(
        dataclasses.replace(p, name="Tên mới") if p.id == listed else p for p in catalog.products
    )
    changed = render(dataclasses.replace(catalog, products=products), first)
    # only the province's page lists names: the main page and the 33 others are kept
    assert changed.kept == 34
    assert "Tên mới" in (tmp_path / "site/thong-ke/tinh/quang-ninh/index.html").read_text("utf-8")
