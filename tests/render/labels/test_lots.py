"""Lot labels: every lot's label scans, in each format, to exactly its lot's address (the GS1 one
where the product has a GTIN), prints the lot code, NSX and HSD in full, and each product's lot
sheet holds the lots fit to print.

Regenerate the golden lot labels after an intended change, then review the diff:
    OCOP_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/render/labels/test_lots.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from label_support import (
    BASE_URL,
    MM_PER_PT,
    ROOT,
    SVG_NS,
    decode,
    lot_url_of,
    make_config,
    svg_qr_image,
)
from PIL import Image

from generator import urls
from generator.model import Catalog, Product, Validity
from generator.render.labels.content import STATE_TEXT, lot_label_content
from generator.render.labels.layout import layout_label
from generator.render.labels.sizes import LABEL_SIZE, QUIET_MODULES, SHEET_CELL
from generator.render.labels.stage import LotLabelRun, draw_label, make_lot_labels
from generator.write import SiteWriter

GOLDEN = ROOT / "tests" / "golden"
GOLDEN_LOTS = [("qn-valid", "L2026-07"), ("qn-nam-chua-ro", "NAM.2026.1")]


@pytest.fixture(scope="module")
def with_lots(catalog: Catalog) -> list[Product]:
    products = [p for p in catalog.products if p.lots]
    assert {p.id for p in products} == {"qn-valid", "qn-nam-chua-ro"}
    return products


@pytest.fixture(scope="module")
def lot_site(
    with_lots: list[Product], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, LotLabelRun]:
    tmp = tmp_path_factory.mktemp("lot-labels")
    run = make_lot_labels(with_lots, make_config(tmp), SiteWriter(tmp / "labels"))
    return tmp / "labels", run


def dates_printed(text: str) -> list[str]:
    return re.findall(r"(NSX|HSD): ?(\d\d/\d\d/\d{4})", text)


def expected_dates(product: Product, code: str) -> list[tuple[str, str]]:
    lot = product.lot(code)
    assert lot is not None
    days = [("NSX", lot.produced)] + ([("HSD", lot.use_by)] if lot.use_by else [])
    return [(name, day.strftime("%d/%m/%Y")) for name, day in days]


def test_files_are_where_urls_puts_them(with_lots: list[Product], lot_site) -> None:
    root, _ = lot_site
    made = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    expected = [
        f"lo/{p.id}/{lot.code}.{ext}"
        for p in with_lots
        for lot in p.lots
        for ext in ("svg", "png", "pdf")
    ]
    assert made == sorted([*expected, "lo/qn-valid.pdf"])
    assert urls.lot_label("qn-valid", "L2026-07", "svg") == "nhan-qr/lo/qn-valid/L2026-07.svg"
    assert urls.lot_labels("qn-valid") == "nhan-qr/lo/qn-valid.pdf"


def test_every_lot_label_scans_to_its_lot_url_in_every_format(
    with_lots: list[Product], lot_site
) -> None:
    root, run = lot_site
    for product in with_lots:
        for lot in product.lots:
            url = lot_url_of(product, lot.code)
            files = run.labels[product.id, lot.code]
            svg = ET.fromstring((root / files.svg).read_bytes())
            assert decode(svg_qr_image(svg)) == [url]
            assert decode(Image.open(root / files.png)) == [url]
            pdf = pdfium.PdfDocument(root / files.pdf)
            for dpi in (300, 150):
                assert decode(pdf[0].render(scale=dpi / 72).to_pil()) == [url], (lot, dpi)
            pdf.close()
    # The GS1 form where the product has a GTIN, the lot page's otherwise
    assert lot_url_of(with_lots[-1], "L2026-07") == f"{BASE_URL}01/08930000000019/10/L2026-07/"


def test_every_lot_label_prints_its_lot_code_and_dates(with_lots: list[Product], lot_site) -> None:
    root, run = lot_site
    for product in with_lots:
        for lot in product.lots:
            files = run.labels[product.id, lot.code]
            svg = ET.fromstring((root / files.svg).read_bytes())
            svg_text = " ".join(t.text or "" for t in svg.iter(f"{SVG_NS}text"))
            pdf = pdfium.PdfDocument(root / files.pdf)
            pdf_text = re.sub(r"\s*\r\n", " ", pdf[0].get_textpage().get_text_range())
            pdf.close()
            for text in (svg_text, pdf_text):
                assert f"Lô: {lot.code}" in text
                assert dates_printed(text) == expected_dates(product, lot.code)
                assert f"Mã SP: {product.id}" in text
                assert f"Mã QĐ: {product.certificate.number}" in text
                address = f"nguyenvana.github.io/ocop-open-catalog/p/{product.id}/lo/{lot.code}/"
                assert address in text.replace(" ", "").replace("Kiểmtra:", "")
                if product.validity is Validity.VALID:
                    assert "★" * product.stars in text
                else:
                    assert "★" not in text and STATE_TEXT[product.validity] in text


def test_the_lot_sheet_holds_the_lots_fit_to_print(with_lots: list[Product], lot_site) -> None:
    """qn-valid: L2025-01 is past its HSD and L2026-09 recalled on the build day, so only
    L2026-07 goes on its sheet; qn-nam-chua-ro's certification is not sure to be valid: no sheet
    (as for the product sheets)."""
    root, run = lot_site
    assert set(run.sheets) == {"qn-valid"}
    sheet = run.sheets["qn-valid"]
    assert (sheet.kind, sheet.count, sheet.path) == ("lots", 1, "lo/qn-valid.pdf")
    pdf = pdfium.PdfDocument(root / sheet.path)
    assert len(pdf) == 1
    w, h = pdf[0].get_size()
    assert (w * MM_PER_PT, h * MM_PER_PT) == pytest.approx((210, 297), abs=0.01)
    qn_valid = with_lots[-1]
    assert decode(pdf[0].render(scale=300 / 72).to_pil()) == [lot_url_of(qn_valid, "L2026-07")]
    pdf.close()
    reasons = {pid: [(lot.code, why) for lot, why in off] for pid, off in run.left_off.items()}
    assert reasons["qn-valid"] == [
        ("L2025-01", "đã hết hạn sử dụng"),
        ("L2026-09", "đang bị thu hồi"),
    ]
    assert reasons["qn-nam-chua-ro"] == [("NAM.2026.1", "chứng nhận OCOP: chưa rõ hiệu lực")]


def test_a_sheet_of_many_lots_scans_cell_by_cell(with_lots: list[Product], tmp_path) -> None:
    """30 in-date lots: two pages, every lot's QR on them once."""
    product = with_lots[-1]
    template = product.lot("L2026-07")
    assert template is not None
    lots = tuple(dataclasses.replace(template, code=f"L2026-{k:02d}") for k in range(30))
    product = dataclasses.replace(product, lots=lots, recalls=())
    run = make_lot_labels([product], make_config(tmp_path), SiteWriter(tmp_path / "out"))
    pdf = pdfium.PdfDocument(tmp_path / "out" / run.sheets[product.id].path)
    found = [url for page in pdf for url in decode(page.render(scale=300 / 72).to_pil())]
    pdf.close()
    assert len(found) == 30
    assert sorted(found) == sorted(lot_url_of(product, lot.code) for lot in lots)


def test_the_longest_lot_code_and_dates_are_never_cut(with_lots: list[Product]) -> None:
    product = dataclasses.replace(
        with_lots[-1],
        id="qn-ruou-mo-yen-tu-uong-bi-2025ab",
        name="Rượu mơ Yên Tử thượng hạng ngâm mười hai tháng trong chum sành Phù Lãng Quế Võ",
    )
    lot = dataclasses.replace(
        product.lots[0], code="ABCDEFGHIJ0123456.-9", use_by=dt.date(2031, 12, 31)
    )
    base = "https://so-nong-nghiep-va-moi-truong-quang-ninh.github.io/danh-muc-san-pham-ocop/"
    content = lot_label_content(product, lot, base)
    for size in (LABEL_SIZE, SHEET_CELL):
        layout = layout_label(content, *size)
        assert layout.qr_symbol >= 20.0
        block_end = layout.qr_x - QUIET_MODULES * layout.module + layout.qr_block
        for t in layout.texts:
            assert t.x >= 0 and t.x + t.width <= size[0] - 1.0, (size, t)
            assert t.y <= size[1] - 1.0, (size, t)
            assert t.x >= block_end - 1e-6 or t.y - t.size * 0.95 >= block_end - 1e-6, (size, t)
        text = "".join(t.text for t in layout.texts)
        assert "Lô:" + lot.code in text
        assert "NSX:01/03/2025" in text and "HSD:31/12/2031" in text
        assert "Mã SP:" + product.id in text
        assert content.check_text in text
    _, png, pdf = draw_label(content)
    url = f"{base}01/08930000000019/10/{lot.code}/"
    assert decode(Image.open(io.BytesIO(png))) == [url]
    assert decode(pdfium.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()) == [url]


def test_a_lot_without_a_use_by_date_prints_no_hsd(with_lots: list[Product]) -> None:
    product = with_lots[-1]
    lot = dataclasses.replace(product.lots[1], use_by=None)
    layout = layout_label(lot_label_content(product, lot, BASE_URL), *LABEL_SIZE)
    text = " ".join(t.text for t in layout.texts)
    assert dates_printed(text) == [("NSX", "15/07/2026")] and "HSD" not in text


@pytest.mark.parametrize(("product_id", "code"), GOLDEN_LOTS)
def test_lot_label_svg_matches_golden(catalog: Catalog, product_id: str, code: str) -> None:
    (product,) = [p for p in catalog.products if p.id == product_id]
    lot = product.lot(code)
    assert lot is not None
    svg = draw_label(lot_label_content(product, lot, BASE_URL))[0]
    golden = GOLDEN / urls.lot_label(product_id, code, "svg")
    if os.environ.get("OCOP_REGENERATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(svg)
    assert golden.is_file(), f"missing golden file; run with OCOP_REGENERATE_GOLDEN=1: {golden}"
    assert svg == golden.read_bytes()
