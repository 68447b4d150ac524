"""The workbook (generator/render/datasets/xlsx.py): read back exactly, and its zip the one
zipfile writes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree as ET

from openpyxl import load_workbook
from pytest import MonkeyPatch

from datasets_support import GOLDEN_HEADERS, columns_to_check
from generator.render.artifacts import DataIndex
from generator.render.datasets import xlsx
from generator.render.datasets.columns import kinds_of


def test_xlsx_reads_back_with_the_exact_vietnamese_text(site: tuple[Path, DataIndex]) -> None:
    data = (site[0] / "data/latest/ocop.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["gioi-thieu", *GOLDEN_HEADERS]
    sheet = wb["products"]
    header = [c.value for c in sheet[1]]
    assert ",".join(header) == GOLDEN_HEADERS["products"]
    by_id = {
        r[0].value: dict(zip(header, (c.value for c in r), strict=True))
        for r in sheet.iter_rows(min_row=2)
    }
    assert by_id["qn-valid"]["name"] == "Sản phẩm mẫu còn hiệu lực"
    assert by_id["hp-revoked"]["commune_name"] == "Phường Thuỷ Nguyên"
    assert by_id["qn-valid"]["stars"] == 4
    # a decision date is text at the source's precision; when validity ends is a date span
    assert by_id["qn-valid"]["certificate_date"] == "2025-06-15"
    assert by_id["qn-nam-chua-ro"]["certificate_date"] == "2023"
    assert by_id["qn-valid"]["valid_until_earliest"] == dt.datetime(2028, 6, 15)
    assert by_id["qn-nam-chua-ro"]["valid_until_latest"] == dt.datetime(2026, 12, 31)
    assert by_id["qn-valid"]["province_code"] == "22"  # text: leading zeros survive
    assert by_id["qn-valid"]["commune_code"] == "06832"
    assert wb["producers"].max_row == 3
    assert wb.properties.created == wb.properties.modified == dt.datetime(2026, 11, 23)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        for name in z.namelist():  # every part is well-formed XML
            ET.fromstring(z.read(name))
        sheet_xml = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert 'state="frozen"' in sheet_xml and "<f>" not in sheet_xml  # no formula anywhere


def test_zip_bytes_are_what_zipfile_writes() -> None:
    parts = [("[Content_Types].xml", "<a/>"), ("xl/worksheets/sheet1.xml", "dòng " * 5000)]
    day = dt.date(2026, 11, 23)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            entry = zipfile.ZipInfo(name, date_time=(2026, 11, 23, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, text.encode("utf-8"), compresslevel=6)
    entries = [xlsx.zip_entry(name, text) for name, text in parts]
    assert xlsx.zip_bytes(entries, day) == out.getvalue()


def test_xlsx_column_matches_the_per_cell_function() -> None:
    """The workbook's column converter gives exactly the per-cell function's output."""
    for values in columns_to_check():
        assert xlsx.xlsx_column(values, "AB", 2) == [
            xlsx._xlsx_cell(f"AB{r}", v) for r, v in enumerate(values, 2)
        ]


def test_a_part_compressed_piece_by_piece_is_the_part_compressed_whole() -> None:
    """A large sheet is compressed a few rows at a time (streamed_zip_entry): the bytes, size
    and CRC are those of its whole text in one call, whatever the pieces' sizes."""
    rows = [
        f'<row r="{n}"><c><t>dòng {n * 7919 % 100003} & ngày {n % 31}</t></c></row>'
        for n in range(60000)
    ]
    whole = xlsx.zip_entry("xl/worksheets/sheet2.xml", "".join(rows))
    for size in (1, 7, 2000, 60000):
        pieces = ("".join(rows[i : i + size]).encode() for i in range(0, len(rows), size))
        assert xlsx.streamed_zip_entry("xl/worksheets/sheet2.xml", pieces) == whole


def test_sheet_rows_made_in_chunks_are_the_rows_made_at_once(monkeypatch: MonkeyPatch) -> None:
    """_xlsx_rows makes SHEET_CHUNK rows at a time: each row still has its own row number."""
    values = [column * 3 for column in columns_to_check() if column]
    size = min(map(len, values))
    table = SimpleNamespace(
        values=[v[:size] for v in values], kinds=[kinds_of(v[:size]) for v in values], size=size
    )
    at_once = xlsx._xlsx_rows(table, 5)  # type: ignore[arg-type]
    assert len(at_once) == size > 3
    monkeypatch.setattr(xlsx, "SHEET_CHUNK", 2)
    assert xlsx._xlsx_rows(table, 5) == at_once  # type: ignore[arg-type]


def test_row_templates_numbered_are_the_rows_made_in_place(monkeypatch: MonkeyPatch) -> None:
    """A sheet row is kept as a template without its row number (row_templates) and numbered
    at compression: the same XML as the row made at its place, text with the mark included."""
    values = [column * 3 for column in columns_to_check() if column]
    values.append(["a\x01b", "<\x01>", None] * len(values[0]))
    size = min(map(len, values))
    table = SimpleNamespace(
        values=[v[:size] for v in values], kinds=[kinds_of(v[:size]) for v in values], size=size
    )
    monkeypatch.setattr(xlsx, "SHEET_CHUNK", 3)
    templates = list(xlsx.row_templates(table))  # type: ignore[arg-type]
    assert len(templates) == size > 3
    for first in (2, 9, 123457):
        made = "".join(xlsx._xlsx_rows(table, first)).encode()  # type: ignore[arg-type]
        assert xlsx.numbered_rows(templates, first) == made
