"""The label as PNG: it scans at 300 dpi and shrunk to a 20 mm QR, its text sits where the
PDF puts it, and it is a small grey-palette image."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
import pytest
from label_support import (
    BASE_URL,
    decode,
    layout_of,
    url_of,
)
from PIL import Image, ImageChops

from generator.dates import PartialDate
from generator.model import Catalog, Validity
from generator.render.labels.content import LabelContent, site_address
from generator.render.labels.layout import layout_label
from generator.render.labels.png import draw_png
from generator.render.labels.sizes import LABEL_SIZE


def black_and_white(image: Image.Image) -> Image.Image:
    return image.convert("L").point(lambda v: 0 if v < 128 else 255)


def test_every_label_png_scans_at_300_dpi_and_at_20_mm(catalog: Catalog, site) -> None:
    root, run = site
    for product in catalog.products:
        image = Image.open(root / run.index.per_product[product.id].png)
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        width_mm = image.width / 300 * 25.4
        assert width_mm == pytest.approx(LABEL_SIZE[0], abs=0.1)
        assert decode(image) == [url_of(product)]
        # Shrunk so the whole QR, quiet zone included, is 20 mm at 300 dpi: the smallest print.
        factor = 20 / layout_of(product).qr_block
        small = image.convert("L").resize(
            (round(image.width * factor), round(image.height * factor)), Image.Resampling.BOX
        )
        assert decode(small) == [url_of(product)], product.id


def test_png_text_sits_where_the_pdf_puts_it(catalog: Catalog, site) -> None:
    """The PNG places cached glyphs itself: its text must cover the PDF's but for the edges of
    the strokes (two rasterisers: about 0.2 of the dark dots differ; text 5 dots off: over 1)."""
    root, run = site
    for product in catalog.products:
        files = run.index.per_product[product.id]
        png = black_and_white(Image.open(root / files.png))
        page = pdfium.PdfDocument(root / files.pdf)[0]
        pdf = black_and_white(page.render(scale=300 / 72).to_pil()).crop((0, 0, *png.size))
        layout = layout_of(product)
        qr_end = round((layout.qr_x + layout.qr_symbol) * 300 / 25.4) + 2
        for image in (png, pdf):
            image.paste(255, (0, 0, qr_end, qr_end))  # the text only
        dark = pdf.histogram()[0]
        differing = ImageChops.difference(png, pdf).histogram()[255]
        assert dark > 5000 and png.histogram()[0] > 5000
        assert differing / dark < 0.5, (product.id, differing, dark)


def test_png_is_a_small_grey_palette_image() -> None:
    data = draw_png(
        layout_label(
            LabelContent(
                BASE_URL + "p/x/",
                "Tên",
                3,
                "x",
                "1/QĐ-UBND",
                PartialDate.exact(dt.date(2027, 1, 1)),
                site_address(BASE_URL),
                Validity.VALID,
            ),
            *LABEL_SIZE,
        )
    )
    png = Image.open(io.BytesIO(data))
    assert png.mode == "P" and len(data) < 15_000
