"""The label as PDF: it scans rasterised with pypdfium2 at 300 and 150 dpi, its text reads back
exactly, and it embeds one small valid font for both faces."""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import zlib

import pypdfium2 as pdfium
import pytest
from label_support import (
    BASE_URL,
    MM_PER_PT,
    decode,
    layout_of,
    pdf_glyph_codes,
    url_of,
)
from PIL import ImageFont

from generator.model import Catalog
from generator.render.labels.content import label_content
from generator.render.labels.sheets import draw_sheet
from generator.render.labels.sizes import LABEL_SIZE
from generator.render.labels.stage import draw_label


def test_every_label_pdf_scans_at_300_and_150_dpi(catalog: Catalog, site) -> None:
    root, run = site
    for product in catalog.products:
        pdf = pdfium.PdfDocument(root / run.index.per_product[product.id].pdf)
        assert len(pdf) == 1
        w, h = pdf[0].get_size()
        assert (w * MM_PER_PT, h * MM_PER_PT) == pytest.approx(LABEL_SIZE, abs=0.01)
        for dpi in (300, 150):
            image = pdf[0].render(scale=dpi / 72).to_pil()
            assert decode(image) == [url_of(product)], (product.id, dpi)
        text = pdf[0].get_textpage().get_text_range()
        assert product.id in text and "Hiệu lực đến" in text  # real text, not outlines
        pdf.close()


def test_vietnamese_text_reads_back_exactly_and_never_as_empty_boxes(catalog: Catalog) -> None:
    name = "Trà Shan tuyết cổ thụ Ỷ Lăng Đồng Văn ưu hạng"
    content = dataclasses.replace(label_content(catalog.products[-1], BASE_URL), name=name)
    for data in (draw_label(content)[2], draw_sheet([content], "Hợp tác xã Ỷ Lăng")):
        codes = pdf_glyph_codes(data)
        assert len(codes) > 100 and "0000" not in codes  # 0000: .notdef, an empty box
        text = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
        assert name in re.sub(r"\s*\r\n", " ", text)
        assert "Hiệu lực đến" in text and "Kiểm tra" in text and "Mã QĐ" in text


def test_pdf_embeds_one_small_valid_font_for_both_faces(catalog: Catalog, site) -> None:
    root, run = site
    for product in catalog.products:
        data = (root / run.index.per_product[product.id].pdf).read_bytes()
        assert len(data) < 16_000
        (font,) = re.finditer(
            rb"/Length (\d+) /Filter /FlateDecode /Length1 (\d+)>>\nstream\n", data
        )
        program = zlib.decompress(data[font.end() : font.end() + int(font.group(1))])
        assert len(program) == int(font.group(2))
        assert b"/Type1" not in data and b"/FontFile2" in data  # no font left to the viewer
        (widths,) = re.findall(rb"/W \[0 \[([^\]]*)\]\]", data)
        face = ImageFont.truetype(io.BytesIO(program), 40)  # FreeType takes it
        assert face.getbbox("a")
        tables = {
            program[12 + 16 * i : 16 + 16 * i]: struct.unpack_from(">II", program, 20 + 16 * i)
            for i in range(struct.unpack_from(">H", program, 4)[0])
        }
        glyphs = struct.unpack_from(">H", program, tables[b"maxp"][0] + 4)[0]
        assert glyphs == len(widths.split()) and glyphs > 30
        assert b"fpgm" not in tables and b"prep" not in tables  # no hinting programs
        # A glyph for each character of each face: the id's letters are bold after "Mã SP:"
        # and regular in the address under the QR.
        texts = layout_of(product).texts
        faces = [{ch for t in texts if t.bold == bold for ch in t.text} for bold in (False, True)]
        codes = set(pdf_glyph_codes(data))
        assert len(codes) == len(faces[0]) + len(faces[1]) < glyphs
