"""The layout: text inside the label and out of the quiet zone, whatever its length."""

from __future__ import annotations

import dataclasses
import io

import pypdfium2 as pdfium
from label_support import (
    BASE_URL,
    MM_PER_PT,
    decode,
)
from PIL import Image

from generator.model import Catalog
from generator.render.labels.content import label_content
from generator.render.labels.layout import layout_label
from generator.render.labels.sizes import LABEL_SIZE, QUIET_MODULES, SHEET_CELL
from generator.render.labels.stage import draw_label


def test_text_stays_inside_the_label_and_out_of_the_quiet_zone(catalog: Catalog) -> None:
    long = dataclasses.replace(
        label_content(catalog.products[-1], BASE_URL),
        name="Rượu mơ Yên Tử thượng hạng ngâm mười hai tháng trong chum sành Phù Lãng Quế Võ",
        product_id="qn-ruou-mo-yen-tu-uong-bi-2025ab",
        url=BASE_URL + "p/qn-ruou-mo-yen-tu-uong-bi-2025ab/",
    )
    for size in (LABEL_SIZE, SHEET_CELL):
        layout = layout_label(long, *size)
        block_x0 = layout.qr_x - QUIET_MODULES * layout.module
        block_end = block_x0 + layout.qr_block
        for t in layout.texts:
            assert t.x >= 0 and t.x + t.width <= size[0] - 1.0, (size, t)
            assert t.y - t.size <= size[1] and t.y <= size[1] - 1.0, (size, t)
            assert t.x >= block_end - 1e-6 or t.y - t.size * 0.95 >= block_end - 1e-6, (size, t)
            assert t.size >= 1.5 * MM_PER_PT * 2.5  # not below ~4 pt
        text = "".join(t.text for t in layout.texts)
        assert long.product_id in text.replace("Mã SP:", "")  # the id is never cut short
        assert long.check_text in text
        assert layout.qr_symbol >= 20.0


def test_a_long_site_address_still_fits_and_scans(catalog: Catalog) -> None:
    base = "https://so-nong-nghiep-va-moi-truong-quang-ninh.github.io/danh-muc-san-pham-ocop/"
    content = label_content(catalog.products[-1], base)
    content = dataclasses.replace(
        content,
        product_id="qn-ruou-mo-yen-tu-uong-bi-2025ab",
        url=base + "p/qn-ruou-mo-yen-tu-uong-bi-2025ab/",
    )
    layout = layout_label(content, *LABEL_SIZE)
    assert layout.qr.version >= 6 and layout.qr_symbol >= 20.0
    assert all(t.x + t.width <= LABEL_SIZE[0] - 1.0 for t in layout.texts)
    assert content.check_text in "".join(t.text for t in layout.texts)
    _, png, pdf = draw_label(content)
    assert decode(Image.open(io.BytesIO(png))) == [content.url]
    assert decode(pdfium.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()) == [content.url]
