"""QR labels: every label of the fixture catalog scans back to its product URL, from each format.

Decoding uses zxing-cpp on the PNG (at 300 dpi and shrunk to a 20 mm QR), on the PDF rasterised
with pypdfium2 (300 and 150 dpi) and on the SVG's own path geometry; sheets, determinism, the
cache and `ocop labels` are checked on the same catalog.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFont

from generator.catalog import check_catalog
from generator.config import BuildConfig
from generator.dates import PartialDate
from generator.model import Catalog, Product, Validity
from generator.render import labels as L
from generator.render.html import Assets, Html
from generator.write import SiteWriter

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "catalog"
AS_OF = dt.date(2026, 11, 23)
BASE_URL = "https://nguyenvana.github.io/ocop-open-catalog/"
SVG_NS = "{http://www.w3.org/2000/svg}"
MM_PER_PT = 25.4 / 72


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE, ROOT / "schemas", AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def make_config(tmp: Path, cache: Path | None = None) -> BuildConfig:
    return BuildConfig(
        catalog_dir=FIXTURE,
        out_dir=tmp / "out",
        base_url=BASE_URL,
        as_of=AS_OF,
        cache_dir=cache or tmp / "cache",
        workers=1,
    )


@pytest.fixture(scope="module")
def site(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, L.LabelRun]:
    tmp = tmp_path_factory.mktemp("labels")
    writer = SiteWriter(tmp / "site")
    run = L.make_labels(catalog, make_config(tmp), writer)
    return tmp / "site", run


def decode(image: Image.Image) -> list[str]:
    return [
        b.text
        for b in zxingcpp.read_barcodes(image.convert("L"))
        if b.format == zxingcpp.BarcodeFormat.QRCode
    ]


def url_of(product: Product) -> str:
    return f"{BASE_URL}p/{product.id}/"


def layout_of(product: Product) -> L.Layout:
    return L.layout_label(L.label_content(product, BASE_URL), *L.LABEL_SIZE)


def test_every_label_png_scans_at_300_dpi_and_at_20_mm(catalog: Catalog, site) -> None:
    root, run = site
    for product in catalog.products:
        image = Image.open(root / run.index.per_product[product.id].png)
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        width_mm = image.width / 300 * 25.4
        assert width_mm == pytest.approx(L.LABEL_SIZE[0], abs=0.1)
        assert decode(image) == [url_of(product)]
        # Shrunk so the whole QR, quiet zone included, is 20 mm at 300 dpi: the smallest print.
        factor = 20 / layout_of(product).qr_block
        small = image.convert("L").resize(
            (round(image.width * factor), round(image.height * factor)), Image.Resampling.BOX
        )
        assert decode(small) == [url_of(product)], product.id


def test_every_label_pdf_scans_at_300_and_150_dpi(catalog: Catalog, site) -> None:
    root, run = site
    for product in catalog.products:
        pdf = pdfium.PdfDocument(root / run.index.per_product[product.id].pdf)
        assert len(pdf) == 1
        w, h = pdf[0].get_size()
        assert (w * MM_PER_PT, h * MM_PER_PT) == pytest.approx(L.LABEL_SIZE, abs=0.01)
        for dpi in (300, 150):
            image = pdf[0].render(scale=dpi / 72).to_pil()
            assert decode(image) == [url_of(product)], (product.id, dpi)
        text = pdf[0].get_textpage().get_text_range()
        assert product.id in text and "Hiệu lực đến" in text  # real text, not outlines
        pdf.close()


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


def test_every_label_svg_is_vector_print_sized_and_scans(catalog: Catalog, site) -> None:
    root, run = site
    for product in catalog.products:
        data = (root / run.index.per_product[product.id].svg).read_bytes()
        svg = ET.fromstring(data)
        assert svg.get("width") == f"{L.LABEL_SIZE[0]:g}mm"
        assert svg.get("height") == f"{L.LABEL_SIZE[1]:g}mm"
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
            assert "★" not in text and L.STATE_TEXT[product.validity] in text


def black_and_white(image: Image.Image) -> Image.Image:
    return image.convert("L").point(lambda v: 0 if v < 128 else 255)


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


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


def test_every_vietnamese_letter_has_a_glyph_in_both_faces() -> None:
    text = VIETNAMESE + VIETNAMESE.upper() + "0123456789 ★…/-:.,()“”"
    assert L.missing_glyphs(text, False) == set()
    assert L.missing_glyphs(text, True) == set()


def pdf_glyph_codes(data: bytes) -> list[str]:
    """The 2-byte glyph codes of every string a PDF's content streams show."""
    codes = []
    for match in re.finditer(rb"<< /Length (\d+) /Filter /FlateDecode >>\nstream\n", data):
        stream = zlib.decompress(data[match.end() : match.end() + int(match.group(1))])
        for hexes in re.findall(rb"<([0-9A-F]*)> Tj", stream):
            codes += [hexes[i : i + 4].decode() for i in range(0, len(hexes), 4)]
    return codes


def test_vietnamese_text_reads_back_exactly_and_never_as_empty_boxes(catalog: Catalog) -> None:
    name = "Trà Shan tuyết cổ thụ Ỷ Lăng Đồng Văn ưu hạng"
    content = dataclasses.replace(L.label_content(catalog.products[-1], BASE_URL), name=name)
    for data in (L.draw_label(content)[2], L.draw_sheet([content], "Hợp tác xã Ỷ Lăng")):
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


def test_sheets_are_byte_identical_whatever_was_drawn_before(catalog: Catalog) -> None:
    """A document's font subset is kept for the next ones (_embedded_font): a sheet must come
    out the same when its subset is reused as when it is made fresh, in another process."""
    content = L.label_content(catalog.products[0], BASE_URL)
    L.draw_label(content)  # leaves this label's subset in the cache
    here = hashlib.sha256(L.draw_sheet([content], "Hợp tác xã mẫu")).hexdigest()
    script = (
        "import hashlib\n"
        "from generator.dates import PartialDate\n"
        "from generator.model import Validity\n"
        "from generator.render import labels as L\n"
        f"c = L.LabelContent({content.url!r}, {content.name!r}, {content.stars}, "
        f"{content.product_id!r}, {content.certificate!r}, "
        f"PartialDate.parse({content.valid_until.isoformat()!r}), {content.address!r}, "
        f"Validity({content.validity.value!r}))\n"
        "print(hashlib.sha256(L.draw_sheet([c], 'Hợp tác xã mẫu')).hexdigest())\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert other == here


def test_text_stays_inside_the_label_and_out_of_the_quiet_zone(catalog: Catalog) -> None:
    long = dataclasses.replace(
        L.label_content(catalog.products[-1], BASE_URL),
        name="Rượu mơ Yên Tử thượng hạng ngâm mười hai tháng trong chum sành Phù Lãng Quế Võ",
        product_id="qn-ruou-mo-yen-tu-uong-bi-2025ab",
        url=BASE_URL + "p/qn-ruou-mo-yen-tu-uong-bi-2025ab/",
    )
    for size in (L.LABEL_SIZE, L.SHEET_CELL):
        layout = L.layout_label(long, *size)
        block_x0 = layout.qr_x - L.QUIET_MODULES * layout.module
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


def test_qr_version_stays_low_for_a_32_character_id() -> None:
    url = L.product_url(BASE_URL, "qn-ruou-mo-yen-tu-uong-bi-2025ab")
    assert L.qr_matrix(url).version <= 5


def test_a_long_site_address_still_fits_and_scans(catalog: Catalog) -> None:
    base = "https://so-nong-nghiep-va-moi-truong-quang-ninh.github.io/danh-muc-san-pham-ocop/"
    content = L.label_content(catalog.products[-1], base)
    content = dataclasses.replace(
        content,
        product_id="qn-ruou-mo-yen-tu-uong-bi-2025ab",
        url=base + "p/qn-ruou-mo-yen-tu-uong-bi-2025ab/",
    )
    layout = L.layout_label(content, *L.LABEL_SIZE)
    assert layout.qr.version >= 6 and layout.qr_symbol >= 20.0
    assert all(t.x + t.width <= L.LABEL_SIZE[0] - 1.0 for t in layout.texts)
    assert content.check_text in "".join(t.text for t in layout.texts)
    _, png, pdf = L.draw_label(content)
    assert decode(Image.open(io.BytesIO(png))) == [content.url]
    assert decode(pdfium.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()) == [content.url]


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
    run = L.make_labels(big, make_config(tmp_path), writer)
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


def test_labels_are_byte_identical_across_renders_and_processes(catalog: Catalog) -> None:
    content = L.label_content(catalog.products[0], BASE_URL)
    first, second = L.draw_label(content), L.draw_label(content)
    assert first == second
    here = hashlib.sha256(b"".join(first)).hexdigest()
    script = (
        "import hashlib, sys\n"
        "from generator.dates import PartialDate\n"
        "from generator.model import Validity\n"
        "from generator.render import labels as L\n"
        f"c = L.LabelContent({content.url!r}, {content.name!r}, {content.stars}, "
        f"{content.product_id!r}, {content.certificate!r}, "
        f"PartialDate.parse({content.valid_until.isoformat()!r}), {content.address!r}, "
        f"Validity({content.validity.value!r}))\n"
        "print(hashlib.sha256(b''.join(L.draw_label(c))).hexdigest())\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert other == here
    assert b"CreationDate" not in first[2] or b"D:20000101" in first[2]  # invariant=1
    assert b"tIME" not in first[1]


def test_unchanged_labels_are_not_drawn_again(catalog: Catalog, tmp_path) -> None:
    cache = tmp_path / "cache"
    first = L.make_labels(catalog, make_config(tmp_path, cache), SiteWriter(tmp_path / "a"))
    assert (first.drawn, first.reused, first.sheets_drawn) == (7, 0, 4)

    again = L.make_labels(catalog, make_config(tmp_path, cache), SiteWriter(tmp_path / "b"))
    assert (again.drawn, again.reused, again.sheets_drawn) == (0, 7, 0)
    for files in again.index.per_product.values():
        for rel in (files.svg, files.png, files.pdf):
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()

    renamed = dataclasses.replace(
        catalog,
        products=tuple(
            dataclasses.replace(p, name=p.name + " (mới)") if p.id == "qn-valid" else p
            for p in catalog.products
        ),
    )
    third = L.make_labels(renamed, make_config(tmp_path, cache), SiteWriter(tmp_path / "c"))
    assert (third.drawn, third.reused) == (1, 6)
    assert third.sheets_drawn == 2  # its province's and its producer's sheet
    changed = (tmp_path / "c" / "nhan-qr" / "qn-valid.svg").read_text(encoding="utf-8")
    assert "(mới)" in changed
    assert (tmp_path / "c" / "nhan-qr" / "qn-expired.pdf").read_bytes() == (
        tmp_path / "a" / "nhan-qr" / "qn-expired.pdf"
    ).read_bytes()
    assert third.cache_names <= {p.name for p in (cache / "labels").iterdir()}


def test_labels_page_links_every_label_and_sheet(catalog: Catalog, tmp_path) -> None:
    config = make_config(tmp_path)
    writer = SiteWriter(tmp_path / "site")
    assets = Assets()
    assets.publish(config.templates_dir / "assets", writer)
    html = Html(config, assets, writer)
    index = L.render_labels(catalog, config, writer)
    L.render_labels_page(html, catalog, index)
    folder = tmp_path / "site" / "nhan-qr"
    page = (folder / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="(\w[^"]*\.(?:pdf|svg|png))"', page))
    expected = {
        f for files in index.per_product.values() for f in (files.svg, files.png, files.pdf)
    }
    expected |= {sheet.path for sheet in index.sheets}
    assert {"nhan-qr/" + href for href in linked} == expected
    assert all((folder / href).is_file() for href in linked)  # links resolve from the page
    assert "60 × 40 mm" in page and "70 × 37 mm" in page
    assert "nhan-qr/index.html" in html.index.pages


def test_worker_processes_draw_the_same_bytes(catalog: Catalog, tmp_path, monkeypatch) -> None:
    serial = L.make_labels(
        catalog, make_config(tmp_path, tmp_path / "c1"), SiteWriter(tmp_path / "a")
    )
    monkeypatch.setattr(L, "PARALLEL_MIN", 1)
    config = dataclasses.replace(make_config(tmp_path, tmp_path / "c2"), workers=2)
    parallel = L.make_labels(catalog, config, SiteWriter(tmp_path / "b"))
    assert parallel.drawn == serial.drawn == 7
    assert parallel.sheets_drawn == serial.sheets_drawn == 4
    written = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert written == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.*"))
    assert len(written) == 7 * 3 + 4  # svg, png, pdf of each label; 4 sheets
    for rel in written:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def run_cli(tmp_path: Path, ids: list[str], province: str | None, capsys) -> tuple[int, str]:
    code = L.run_labels(make_config(tmp_path), ids, province)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_ocop_labels_writes_the_selection(tmp_path, capsys) -> None:
    code, text = run_cli(tmp_path, ["qn-valid"], None, capsys)
    assert code == 0, text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "qn-valid.pdf",
        "qn-valid.png",
        "qn-valid.svg",
    ]
    assert "qn-valid.pdf" in text

    code, text = run_cli(tmp_path, [], "22", capsys)  # Quảng Ninh
    assert code == 0, text
    assert (tmp_path / "out" / "tinh" / "quang-ninh.pdf").is_file()
    assert (tmp_path / "out" / "qn-expired.svg").is_file()
    assert not (tmp_path / "out" / "hp-revoked.svg").exists()
    # Not hard links: someone editing a file in --out must not change the cache.
    assert (tmp_path / "out" / "qn-valid.pdf").stat().st_nlink == 1


def test_ocop_labels_refuses_unknown_ids_and_provinces(tmp_path, capsys) -> None:
    code, text = run_cli(tmp_path, ["khong-co-ma-nay"], None, capsys)
    assert code == 1 and "Không có sản phẩm mã «khong-co-ma-nay»" in text
    code, text = run_cli(tmp_path, [], "99", capsys)
    assert code == 1 and "tỉnh mã «99»" in text
    assert not (tmp_path / "out").exists()


def test_ocop_labels_stops_on_an_invalid_catalog(tmp_path, capsys) -> None:
    broken = tmp_path / "catalog"
    shutil.copytree(FIXTURE, broken)
    (broken / "products" / "quang_ninh" / "qn-valid" / "product.yaml").write_text(
        "id: qn-valid\n", encoding="utf-8"
    )
    config = dataclasses.replace(make_config(tmp_path), catalog_dir=broken)
    assert L.run_labels(config, ["qn-valid"], None) == 1
    assert "qn-valid" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_png_is_a_small_grey_palette_image() -> None:
    data = L.draw_png(
        L.layout_label(
            L.LabelContent(
                BASE_URL + "p/x/",
                "Tên",
                3,
                "x",
                "1/QĐ-UBND",
                PartialDate.exact(dt.date(2027, 1, 1)),
                L.site_address(BASE_URL),
                Validity.VALID,
            ),
            *L.LABEL_SIZE,
        )
    )
    png = Image.open(io.BytesIO(data))
    assert png.mode == "P" and len(data) < 15_000
