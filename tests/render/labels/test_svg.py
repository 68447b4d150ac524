"""The label as SVG: vector, print-sized, and its QR scans from the path's own geometry."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from label_support import (
    SVG_NS,
    decode,
    layout_of,
    svg_qr_image,
    url_of,
)

from generator.model import Catalog, Validity
from generator.render.labels.content import STATE_TEXT
from generator.render.labels.sizes import LABEL_SIZE


def test_every_label_svg_is_vector_print_sized_and_scans(catalog: Catalog, site) -> None:
    root, run = site
    for product in catalog.products:
        data = (root / run.index.per_product[product.id].svg).read_bytes()
        svg = ET.fromstring(data)
        assert svg.get("width") == f"{LABEL_SIZE[0]:g}mm"
        assert svg.get("height") == f"{LABEL_SIZE[1]:g}mm"
        assert float(svg.get("width", "0mm")[:-2]) >= 60 and float(svg.get("height")[:-2]) >= 40
        assert not list(svg.iter(f"{SVG_NS}image")), "the QR must be vector, not a bitmap"
        (path,) = list(svg.iter(f"{SVG_NS}path"))
        scale = float(re.findall(r"scale\(([\d.]+)\)", path.get("transform", ""))[0])
        modules = layout_of(product).qr.size
        assert modules * scale >= 20.0  # the symbol alone, quiet zone excluded
        assert decode(svg_qr_image(svg)) == [url_of(product)]
        text = " ".join(t.text or "" for t in svg.iter(f"{SVG_NS}text"))
        assert product.id in text
        assert f"Mã QĐ: {product.certificate.number}" in text
        # at the date's precision: 15/06/2028, "tháng 3/2028", "năm 2026"
        assert f"Hiệu lực đến: {product.certificate.valid_until.vi()}" in text
        assert f"Kiểmtra:nguyenvana.github.io/ocop-open-catalog/p/{product.id}/" in text.replace(
            " ", ""
        )
        if product.validity is Validity.VALID:
            assert "★" * product.stars in text
        else:
            assert "★" not in text and STATE_TEXT[product.validity] in text
