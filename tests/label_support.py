"""Helpers shared by the label tests (tests/render/labels/): the fixture catalog's settings,
decoding a QR back from an image, what a product's label should say."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import zxingcpp
from PIL import Image, ImageDraw

from generator.config import BuildConfig
from generator.model import Catalog, Product
from generator.render.labels.content import LabelContent, label_content
from generator.render.labels.layout import Layout, layout_label
from generator.render.labels.sizes import LABEL_SIZE

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "catalog"
AS_OF = dt.date(2026, 11, 23)
BASE_URL = "https://nguyenvana.github.io/ocop-open-catalog/"
SVG_NS = "{http://www.w3.org/2000/svg}"
MM_PER_PT = 25.4 / 72


def make_config(tmp: Path, cache: Path | None = None) -> BuildConfig:
    return BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=tmp / "out",
        base_url=BASE_URL,
        as_of=AS_OF,
        cache_dir=cache or tmp / "cache",
        workers=1,
    )


def decode(image: Image.Image) -> list[str]:
    return [
        b.text
        for b in zxingcpp.read_barcodes(image.convert("L"))
        if b.format == zxingcpp.BarcodeFormat.QRCode
    ]


def svg_qr_image(svg: ET.Element, px_per_mm: float = 300 / 25.4) -> Image.Image:
    """Rasterises the SVG's QR path from its own geometry (translate, scale, runs)."""
    (path,) = svg.iter(f"{SVG_NS}path")
    tx, ty, scale = map(float, re.findall(r"[-\d.]+", path.get("transform", "")))
    width_mm = float(svg.get("width", "").removesuffix("mm"))
    height_mm = float(svg.get("height", "").removesuffix("mm"))
    image = Image.new("L", (round(width_mm * px_per_mm), round(height_mm * px_per_mm)), 255)
    draw = ImageDraw.Draw(image)
    for c, r, k in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.get("d", "")):
        x0 = (tx + int(c) * scale) * px_per_mm
        y0 = (ty + int(r) * scale) * px_per_mm
        draw.rectangle(
            (
                round(x0),
                round(y0),
                round(x0 + int(k) * scale * px_per_mm) - 1,
                round(y0 + scale * px_per_mm) - 1,
            ),
            fill=0,
        )
    return image


def url_of(product: Product) -> str:
    return f"{BASE_URL}p/{product.id}/"


def layout_of(product: Product) -> Layout:
    return layout_label(label_content(product, BASE_URL), *LABEL_SIZE)


def pdf_glyph_codes(data: bytes) -> list[str]:
    """The 2-byte glyph codes of every string a PDF's content streams show."""
    codes = []
    for match in re.finditer(rb"<< /Length (\d+) /Filter /FlateDecode >>\nstream\n", data):
        stream = zlib.decompress(data[match.end() : match.end() + int(match.group(1))])
        for hexes in re.findall(rb"<([0-9A-F]*)> Tj", stream):
            codes += [hexes[i : i + 4].decode() for i in range(0, len(hexes), 4)]
    return codes


def digest_elsewhere(content: LabelContent, module: str, expression: str) -> str:
    """The SHA-256 of what `expression` (of `c`, the content, and the names of `module`, a
    module of the labels package) gives in a fresh Python process."""
    script = (
        "import hashlib\n"
        "from generator.dates import PartialDate\n"
        "from generator.model import Validity\n"
        "from generator.render.labels.content import LabelContent\n"
        f"from generator.render.labels.{module} import *\n"
        f"c = LabelContent({content.url!r}, {content.name!r}, {content.stars}, "
        f"{content.product_id!r}, {content.certificate!r}, "
        f"PartialDate.parse({content.valid_until.isoformat()!r}), {content.address!r}, "
        f"Validity({content.validity.value!r}))\n"
        f"print(hashlib.sha256({expression}).hexdigest())\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def renamed(catalog: Catalog, product_id: str = "qn-valid") -> Catalog:
    """The catalog with one product's name changed (so its label and sheets change)."""
    return dataclasses.replace(
        catalog,
        products=tuple(
            dataclasses.replace(p, name=p.name + " (mới)") if p.id == product_id else p
            for p in catalog.products
        ),
    )


def lot_url_of(product: Product, code: str) -> str:
    """What a lot label's QR must hold, spelled out here rather than by the code under test."""
    if product.gtin14:
        return f"{BASE_URL}01/{product.gtin14}/10/{code}/"
    return f"{BASE_URL}p/{product.id}/lo/{code}/"
