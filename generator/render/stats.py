"""The statistics page (thong-ke/): bar charts drawn at build time, each with its numbers; and a
page a province (thong-ke/tinh/<slug>/) listing its certificates soon to expire or expired. At
national scale those lists run to thousands of rows (1.6 MB on one page at 20,000 products),
too much for a phone on a slow network, and any listed product's change remade them all.

Charts are inline SVG with presentation attributes only (the CSP allows no inline style), an
accessible name (`role="img"`, `<title>`, `<desc>`), and a table of the same numbers beside
them, so the page reads the same without JavaScript, without images and to a screen reader.
Status is the catalog's as-of day, like every other page of the site.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from generator import urls
from generator.dates import PartialDate, add_months
from generator.model import Catalog, Product, Validity
from generator.render.html import Html

STATUSES = (
    Validity.VALID,
    Validity.UNKNOWN_DATE,
    Validity.EXPIRED,
    Validity.REVOKED,
    Validity.WITHDRAWN,
)
BAR = "#0b6e4f"
INK = "#1b1f23"
TEXT_PX = 14  # chart text is drawn at this size on every screen (never scaled)
BAR_SHARE = 80  # per cent of the width the longest bar takes; its number follows it
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
LABEL_CHARS = 40  # longer labels are cut in the SVG; the table beside it has them whole


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # one sentence: the SVG's <desc>, and the figure caption
    svg: Markup
    head: tuple[str, ...]  # table header; the first column labels the rows
    rows: tuple[tuple[str | int, ...], ...]
    note: str = ""  # a sentence under the table, when the numbers need one


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _open_svg(chart_id: str, title: str, summary: str, height: int) -> list[str]:
    # No viewBox: one unit is one CSS pixel at every screen width, so the text keeps its size;
    # widths in per cent make the bars follow the screen instead.
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" width="100%" height="{height}" '
        f'font-family="{escape(FONT)}" font-size="{TEXT_PX}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(summary)}</desc>',
    ]


def hbar_svg(chart_id: str, title: str, summary: str, bars: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars, each under its label and followed by its number: the layout reads the
    same on a 320 px phone as on a desktop, where a scaled-down drawing would shrink its text."""
    row_h, bar_h = 44, 14
    height = row_h * max(len(bars), 1)
    top = max((v for _, v in bars), default=0) or 1
    parts = _open_svg(chart_id, title, summary, height)
    for i, (label, value) in enumerate(bars):
        y = i * row_h
        share = BAR_SHARE * value / top
        parts.append(f'<text x="0" y="{y + 16}" fill="{INK}">{escape(_short(label))}</text>')
        if value:
            parts.append(
                f'<rect x="0" y="{y + 22}" width="{share:.2f}%" height="{bar_h}" fill="{BAR}"/>'
            )
        at = f'x="{share:.2f}%" dx="6"' if value else 'x="0"'
        parts.append(f'<text {at} y="{y + 34}" fill="{INK}">{value}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def _status_counts(products: Sequence[Product]) -> Counter[Validity]:
    return Counter(p.validity for p in products)


def province_chart(catalog: Catalog) -> Chart:
    by: dict[tuple[str, str], list[Product]] = {}
    for p in catalog.products:
        by.setdefault((p.place.province_code, p.place.province_name), []).append(p)
    ordered = sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0][1], kv[0][0]))
    rows = []
    for (_, name), products in ordered:
        c = _status_counts(products)
        rows.append((name, len(products), *(c[s] for s in STATUSES)))
    title = "Sản phẩm theo tỉnh, thành phố"
    summary = f"{len(catalog.products)} sản phẩm ở {len(rows)} tỉnh, thành phố" + (
        f"; nhiều nhất: {rows[0][0]} ({rows[0][1]})." if rows else "."
    )
    return Chart(
        "tinh",
        title,
        summary,
        hbar_svg("tinh", title, summary, [(r[0], r[1]) for r in rows]),
        ("Tỉnh, thành", "Tổng", "Hiệu lực", "Chưa rõ", "Hết hạn", "Thu hồi", "Ngừng"),
        tuple(rows),
    )


def group_chart(catalog: Catalog, html: Html) -> Chart:
    vocab = catalog.vocab
    by: dict[str, list[Product]] = {code: [] for code in vocab.groups}
    for p in catalog.products:
        by.setdefault(p.group, []).append(p)
    rows = []
    for code, products in by.items():
        label = vocab.groups[code].vi if code in vocab.groups else code
        c = _status_counts(products)
        rows.append((f"{code}. {label}", len(products), c[Validity.VALID]))
    title = "Sản phẩm theo ngành (Quyết định 148/QĐ-TTg)"
    summary = "; ".join(f"{r[0]}: {r[1]}" for r in rows) + "."
    inferred = sum(1 for p in catalog.products if p.group_inferred)
    return Chart(
        "nganh",
        title,
        summary,
        hbar_svg("nganh", title, summary, [(r[0], r[1]) for r in rows]),
        ("Ngành", "Tổng", "Hiệu lực"),
        tuple(rows),
        note=f"Ngành của {inferred} sản phẩm do dự án xếp theo tên sản phẩm vì nguồn không ghi."
        if inferred
        else "",
    )


def star_chart(catalog: Catalog) -> Chart:
    rows = []
    for stars in (3, 4, 5):
        products = [p for p in catalog.products if p.stars == stars]
        rows.append((f"{stars} sao", len(products), _status_counts(products)[Validity.VALID]))
    title = "Số sản phẩm theo hạng sao"
    summary = "; ".join(f"{r[0]}: {r[1]} sản phẩm ({r[2]} còn hiệu lực)" for r in rows) + "."
    return Chart(
        "sao",
        title,
        summary,
        hbar_svg("sao", title, summary, [(r[0], r[1]) for r in rows]),
        ("Hạng", "Tổng", "Hiệu lực"),
        tuple(rows),
    )


def year_chart(catalog: Catalog) -> Chart:
    """Every certification decision (current and earlier ones) by the year it was signed."""
    counts: dict[int, Counter[int]] = {}
    for p in catalog.products:
        for cert in (*p.previous_certificates, p.certificate):
            # the year is known even when the day is not
            counts.setdefault(cert.date.earliest.year, Counter())[cert.stars] += 1
    years = range(min(counts), max(counts) + 1) if counts else range(0)
    rows = [
        (
            str(y),
            sum(counts.get(y, Counter()).values()),
            *(counts.get(y, Counter())[s] for s in (3, 4, 5)),
        )
        for y in years
    ]
    title = "Quyết định công nhận theo năm"
    total = sum(r[1] for r in rows)
    summary = (
        f"{total} quyết định công nhận (kể cả công nhận lại), "
        + "; ".join(f"{r[0]}: {r[1]}" for r in rows)
        + "."
    )
    return Chart(
        "nam",
        title,
        summary,
        hbar_svg("nam", title, summary, [(r[0], r[1]) for r in rows]),
        ("Năm", "Tổng", "3 sao", "4 sao", "5 sao"),
        tuple(rows),
    )


@dataclass(frozen=True)
class Listed:
    """A product as the page's lists show it: the page is keyed by what it shows (a whole
    Product would make its key as costly as the page)."""

    id: str
    name: str
    province_code: str
    stars: int
    valid_until: PartialDate  # shown at its precision
    example: bool


def listed(products: Sequence[Product]) -> list[Listed]:
    return [
        Listed(p.id, p.name, p.place.province_code, p.stars, p.certificate.valid_until, p.example)
        for p in products
    ]


@dataclass(frozen=True)
class Expiring:
    within_6: list[Listed]
    within_12: list[Listed]
    chart: Chart


def expiring(catalog: Catalog) -> Expiring:
    """Valid certificates whose last day falls in the next 6 and 12 months after as_of; one known
    only to the month or year counts from the first day its validity could end."""
    day = catalog.as_of
    end_6, end_12 = add_months(day, 6), add_months(day, 12)
    valid = [p for p in catalog.products if p.validity is Validity.VALID]
    soon = sorted(
        (p for p in valid if day < p.certificate.valid_until.earliest <= end_12),
        key=lambda p: (p.certificate.valid_until, p.id),
    )
    within_6 = [p for p in soon if p.certificate.valid_until.earliest <= end_6]
    months = []
    cursor = dt.date(day.year, day.month, 1)
    while cursor <= end_12:
        months.append(cursor)
        cursor = add_months(cursor, 1)
    per_month = Counter(
        (p.certificate.valid_until.earliest.year, p.certificate.valid_until.earliest.month)
        for p in soon
    )
    rows = tuple((f"{m.month:02d}/{m.year}", per_month[(m.year, m.month)]) for m in months)
    title = "Chứng nhận sắp hết hạn trong 12 tháng tới"
    summary = (
        f"Sau ngày {day.strftime('%d/%m/%Y')}: {len(within_6)} chứng nhận hết hạn trong "
        f"6 tháng, {len(soon)} trong 12 tháng."
    )
    chart = Chart(
        "sap-het-han",
        title,
        summary,
        hbar_svg("sap-het-han", title, summary, rows),
        ("Tháng", "Hết hạn"),
        rows,
    )
    return Expiring(listed(within_6), listed(soon), chart)


def expired_chart(catalog: Catalog) -> tuple[list[Listed], Chart]:
    """Products whose current certificate ran out and was not renewed."""
    expired = sorted(
        (p for p in catalog.products if p.validity is Validity.EXPIRED),
        key=lambda p: (p.certificate.valid_until, p.id),
    )
    by = Counter(p.place.province_name for p in expired)
    rows = tuple(sorted(by.items(), key=lambda kv: (-kv[1], kv[0])))
    title = "Hết hạn, chưa công nhận lại, theo tỉnh"
    summary = f"{len(expired)} sản phẩm có chứng nhận đã hết hạn mà chưa được công nhận lại" + (
        f"; nhiều nhất: {rows[0][0]} ({rows[0][1]})." if rows else "."
    )
    return listed(expired), Chart(
        "het-han",
        title,
        summary,
        hbar_svg("het-han", title, summary, rows),
        ("Tỉnh, thành", "Hết hạn"),
        rows,
    )


def render_statistics(catalog: Catalog, html: Html) -> None:
    status = _status_counts(catalog.products)
    soon = expiring(catalog)
    expired, expired_by_province = expired_chart(catalog)
    day = catalog.as_of
    provinces = catalog.places.provinces
    soon_in: dict[str, list[Listed]] = {code: [] for code in provinces}
    expired_in: dict[str, list[Listed]] = {code: [] for code in provinces}
    for item in soon.within_12:
        soon_in[item.province_code].append(item)
    for item in expired:
        expired_in[item.province_code].append(item)
    home, statistics = ("Trang chủ", ""), ("Thống kê", urls.STATISTICS)
    # The main page shows counts only: a listed product's change remakes its province's page.
    context = dict(
        title="Thống kê",
        description=f"Số liệu sản phẩm OCOP trong danh mục ngày "
        f"{day.strftime('%d/%m/%Y')}: theo tỉnh, ngành, hạng sao, năm công nhận; "
        f"chứng nhận sắp hết hạn và đã hết hạn.",
        crumbs=[home],
        totals={
            "products": len(catalog.products),
            "producers": len(catalog.producers),
            "provinces": len({p.place.province_code for p in catalog.products}),
            **{s.value: status[s] for s in STATUSES},
        },
        example_count=sum(1 for p in catalog.products if p.example),
        without_photos=sum(1 for p in catalog.products if not p.photos),
        charts=[
            province_chart(catalog),
            group_chart(catalog, html),
            star_chart(catalog),
            year_chart(catalog),
        ],
        expiring_chart=soon.chart,
        within_6=len(soon.within_6),
        within_12=len(soon.within_12),
        expired_chart=expired_by_province,
        lists=[
            (
                urls.province_statistics(info.slug),
                info.name,
                len(soon_in[code]),
                len(expired_in[code]),
            )
            for code, info in provinces.items()
        ],
        day=day,
    )
    # Counting takes a fifth of rendering the page: kept when unchanged.
    pages = [html.page("stats.html", urls.page_file(urls.STATISTICS), **context)]
    for code, info in provinces.items():
        shown = [*soon_in[code], *expired_in[code]]
        pages.append(
            html.page(
                "stats_province.html",
                urls.page_file(urls.province_statistics(info.slug)),
                title=f"Chứng nhận OCOP sắp hết hạn, đã hết hạn: {info.name}",
                description=f"Sản phẩm OCOP {info.name} có chứng nhận hết hạn trong 12 tháng "
                f"tới hoặc đã hết hạn mà chưa được công nhận lại, ngày {day.strftime('%d/%m/%Y')}.",
                crumbs=[home, statistics],
                province=info.name,
                province_page=urls.province(info.slug),
                expiring=soon_in[code],
                expired=expired_in[code],
                example_count=sum(1 for item in shown if item.example),
                day=day,
            )
        )
    html.write_pages(pages)
