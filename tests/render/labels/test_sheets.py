"""A4 sheets: valid labels 24 a page in id order, the same bytes whatever was drawn before."""

from __future__ import annotations

import dataclasses
import hashlib

import pypdfium2 as pdfium
import pytest
from label_support import (
    BASE_URL,
    MM_PER_PT,
    decode,
    digest_elsewhere,
    make_config,
)

from generator.model import Catalog, Validity
from generator.render.labels.content import label_content
from generator.render.labels.sheets import draw_sheet
from generator.render.labels.stage import draw_label, make_labels
from generator.write import SiteWriter


def many_products(catalog: Catalog, n: int) -> Catalog:
    """The valid fixture product under n ids: enough labels for a two-page sheet."""
    valid = next(p for p in catalog.products if p.id == "qn-valid")
    assert valid.validity is Validity.VALID
    clones = tuple(dataclasses.replace(valid, id=f"qn-mau-{i:03d}") for i in range(n))
    return dataclasses.replace(
        catalog, products=tuple(sorted(catalog.products + clones, key=lambda p: p.id))
    )


def test_sheets_lay_out_valid_labels_24_a_page_in_id_order(catalog: Catalog, tmp_path) -> None:
    big = many_products(catalog, 29)  # 30 valid products in Quảng Ninh
    writer = SiteWriter(tmp_path / "site")
    run = make_labels(big, make_config(tmp_path), writer)
    sheets = {s.path: s for s in run.index.sheets}
    # Of Hải Phòng's products only hp-chua-co-anh is valid (the others are revoked, withdrawn,
    # expired): its sheets hold it alone.
    assert set(sheets) == {
        "nhan-qr/tinh/quang-ninh.pdf",
        "nhan-qr/chu-the/htx-mau-quang-ninh.pdf",
        "nhan-qr/tinh/hai-phong.pdf",
        "nhan-qr/chu-the/hkd-mau-hai-phong.pdf",
    }
    assert sheets["nhan-qr/tinh/hai-phong.pdf"].count == 1
    assert sheets["nhan-qr/tinh/quang-ninh.pdf"].count == 30
    pdf = pdfium.PdfDocument(tmp_path / "site" / "nhan-qr" / "tinh" / "quang-ninh.pdf")
    assert len(pdf) == 2
    w, h = pdf[0].get_size()
    assert (w * MM_PER_PT, h * MM_PER_PT) == pytest.approx((210, 297), abs=0.1)
    valid_ids = sorted(
        p.id
        for p in big.products
        if p.validity is Validity.VALID and p.place.province_slug == "quang-ninh"
    )
    first_page = pdf[0].render(scale=300 / 72).to_pil().convert("L")
    found = set(decode(first_page))
    assert len(found) >= 12  # several codes on one A4 page scan
    assert found <= {f"{BASE_URL}p/{pid}/" for pid in valid_ids[:24]}  # id order: first 24
    # The top-left cell holds the first id.
    top_left = first_page.crop((0, 0, round(70 / 25.4 * 300), round(38 / 25.4 * 300)))
    assert decode(top_left) == [f"{BASE_URL}p/{valid_ids[0]}/"]
    page_text = pdf[1].get_textpage().get_text_range()
    assert valid_ids[24] in page_text and valid_ids[0] not in page_text
    pdf.close()


def test_sheets_are_byte_identical_whatever_was_drawn_before(catalog: Catalog) -> None:
    """A document's font subset is kept for the next ones (_embedded_font): a sheet must come
    out the same when its subset is reused as when it is made fresh, in another process."""
    content = label_content(catalog.products[0], BASE_URL)
    draw_label(content)  # leaves this label's subset in the cache
    here = hashlib.sha256(draw_sheet([content], "Hợp tác xã mẫu")).hexdigest()
    other = digest_elsewhere(content, "sheets", "draw_sheet([c], 'Hợp tác xã mẫu')")
    assert other == here
