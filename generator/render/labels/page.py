"""nhan-qr/index.html: the page for producers and offices about the labels."""

from __future__ import annotations

import dataclasses

from generator import urls
from generator.model import Catalog, Product, Validity
from generator.render.artifacts import LabelFiles, LabelIndex, LabelSheet
from generator.render.html import Html
from generator.render.labels.content import STATE_TEXT, site_address
from generator.render.labels.sizes import LABEL_SIZE, MIN_SYMBOL_MM, SHEET_CELL, SHEET_GRID

_STATE_TEXT = {v.value: t for v, t in STATE_TEXT.items()}  # the templates compare values


def render_labels_page(html: Html, catalog: Catalog, index: LabelIndex) -> None:
    """nhan-qr/index.html: what the label is, how to print it, the provinces' sheets; and a page
    per province (nhan-qr/tinh/<slug>/) with every label's files and its producers' sheets.

    A page per province rather than one for the country: at 20,000 products that one was 6 MB
    (590 KB gzip), for staff on slow networks, and any product's new name made it again. Links
    to the files are relative to the page ("../../qn-a.pdf", not "/nhan-qr/qn-a.pdf"): with one
    row a product, that keeps a page about 230 bytes a product."""
    listed = [p for p in catalog.products if p.id in index.per_product]
    by_province: dict[str, list[Product]] = {}
    for p in listed:
        by_province.setdefault(p.place.province_slug, []).append(p)
    provinces = sorted(by_province.items())
    example = next(
        (p for p in listed if p.validity is Validity.VALID), listed[0] if listed else None
    )
    province_sheets = [_relative(s, urls.LABELS) for s in index.sheets if s.kind == "province"]
    pages = [
        (
            items[0].place.province_name,
            _relative_path(urls.province_labels_page(slug), urls.LABELS),
            len(items),
        )
        for slug, items in provinces
    ]
    path = urls.page_file(urls.LABELS)
    html.write_page(
        "labels.html",
        path,
        html.input_key(
            "labels.html", path, pages, province_sheets, example.id if example else None
        ),
        title="Nhãn QR truy xuất",
        description="Nhãn mã QR in sẵn cho từng sản phẩm OCOP: dẫn tới trang thông tin cố "
        "định của sản phẩm, kèm mã sản phẩm, số quyết định và ngày hết hiệu lực chứng nhận.",
        label_size=LABEL_SIZE,
        sheet_grid=SHEET_GRID,
        sheet_cell=SHEET_CELL,
        min_symbol=MIN_SYMBOL_MM,
        example=example,
        example_url=html.absolute(urls.product(example.id)) if example else "",
        address=site_address(html.config.base_url),
        province_pages=pages,
        province_sheets=province_sheets,
        state_text=_STATE_TEXT,
    )
    sheets = {s.path: s for s in index.sheets}
    for slug, items in provinces:
        _render_province(html, slug, items, index, sheets)


def _render_province(
    html: Html,
    slug: str,
    products: list[Product],
    index: LabelIndex,
    sheets: dict[str, LabelSheet],
) -> None:
    """nhan-qr/tinh/<slug>/: the labels of a province's products, its sheet, and the sheets of
    the producers of those products."""
    folder = urls.province_labels_page(slug)
    files = {}
    for p in products:
        made = index.per_product[p.id]
        files[p.id] = LabelFiles(
            _relative_path(made.svg, folder),
            _relative_path(made.png, folder),
            _relative_path(made.pdf, folder),
        )
    own = sheets.get(urls.province_labels(slug))
    producer_paths = sorted({urls.producer_labels(p.producer.id) for p in products})
    producer_sheets = [_relative(sheets[f], folder) for f in producer_paths if f in sheets]
    province = products[0].place.province_name
    # Keyed by what it shows of each product, not by whole products (that key would cost as
    # much as rendering the page); the rest of its context is small.
    shown = [(p.id, p.name, p.validity.value) for p in products]
    province_sheet = _relative(own, folder) if own else None
    path = urls.page_file(folder)
    html.write_page(
        "labels_province.html",
        path,
        html.input_key("labels_province.html", path, shown, files, province_sheet, producer_sheets),
        title=f"Nhãn QR: {province}",
        description=f"Nhãn mã QR in sẵn của {len(products)} sản phẩm OCOP {province}, và tờ in "
        "theo tỉnh và theo chủ thể sản xuất.",
        province=province,
        products=products,
        files=files,
        province_sheet=province_sheet,
        producer_sheets=producer_sheets,
        sheet_grid=SHEET_GRID,
        state_text=_STATE_TEXT,
    )


def _relative_path(path: str, folder: str) -> str:
    """`path` (under nhan-qr/) as a link from the page of `folder` (nhan-qr/ or below it)."""
    return "../" * folder.removeprefix(urls.LABELS).count("/") + path.removeprefix(urls.LABELS)


def _relative(sheet: LabelSheet, folder: str) -> LabelSheet:
    return dataclasses.replace(sheet, path=_relative_path(sheet.path, folder))
