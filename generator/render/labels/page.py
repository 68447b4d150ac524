"""nhan-qr/index.html: the page for producers and offices about the labels."""

from __future__ import annotations

import dataclasses

from generator import urls
from generator.model import Catalog, Product, Validity
from generator.render.artifacts import LabelFiles, LabelIndex
from generator.render.html import Html
from generator.render.labels.content import STATE_TEXT, site_address
from generator.render.labels.sizes import LABEL_SIZE, MIN_SYMBOL_MM, SHEET_CELL, SHEET_GRID


def render_labels_page(html: Html, catalog: Catalog, index: LabelIndex) -> None:
    """nhan-qr/index.html: what the label is, how to print it, the sheets, every label's files.

    Links to the files are relative to the page itself ("qn-a.pdf", not "../nhan-qr/qn-a.pdf"):
    with one row a product, that keeps the page about 230 bytes a product."""

    def here(path: str) -> str:
        return path.removeprefix(urls.LABELS)

    files = {
        pid: LabelFiles(here(f.svg), here(f.png), here(f.pdf))
        for pid, f in index.per_product.items()
    }
    sheets = [dataclasses.replace(s, path=here(s.path)) for s in index.sheets]
    by_province: dict[str, list[Product]] = {}
    for p in catalog.products:
        if p.id in index.per_product:
            by_province.setdefault(p.place.province_name, []).append(p)
    listed = [p for p in catalog.products if p.id in index.per_product]
    example = next(
        (p for p in listed if p.validity is Validity.VALID), listed[0] if listed else None
    )
    path = urls.page_file(urls.LABELS)
    # Keyed by what it shows of each product, not by whole products (that key would cost as
    # much as rendering the page); the rest of its context is small.
    shown = [
        (p.id, p.name, p.validity.value, p.place.province_name, p.place.province_slug)
        for p in listed
    ]
    html.write_page(
        "labels.html",
        path,
        html.input_key("labels.html", path, shown, files, sheets, example.id if example else None),
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
        provinces=sorted(by_province.items(), key=lambda kv: kv[1][0].place.province_slug),
        files=files,
        province_sheets=[s for s in sheets if s.kind == "province"],
        producer_sheets=[s for s in sheets if s.kind == "producer"],
        state_text={v.value: t for v, t in STATE_TEXT.items()},
    )
