"""ocop.xlsx: a small SpreadsheetML writer, one sheet per table after an about sheet.

Not openpyxl: its pure-Python XML writer took most of this stage's time at national scale.
Plain strings give the same workbook in a few seconds, and every byte is ours to keep fixed
(the release date in every zip entry and in the properties). openpyxl reads it back in the
tests. Text is an inline string, never a formula, whatever it starts with.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator import urls
from generator.config import BuildConfig
from generator.render.datasets.cache import DatasetCache, table_entry, worth_saving
from generator.render.datasets.columns import TableColumns, kinds_of
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.documents import DATA_LICENCE
from generator.render.datasets.specs import TABLES, TableSpec
from generator.render.html import SITE_NAME, SITE_NAME_EN
from generator.text import column_letter

XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial day 0 of the 1900 date system
EXCEL_MAX_TEXT = 32767  # characters in one cell
# XML 1.0 forbids these control characters; a spreadsheet cannot hold them either.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STYLE_BOLD, STYLE_DATE = 1, 2
SHEET_CHUNK = 2000  # rows of a table's sheet compressed at a time
# Where a row template has its row number (the row's and each cell's reference): the numbers
# are filled in at compression, so a row's XML depends on its values alone. XML_ILLEGAL
# removes this character from every text, so it marks nothing else.
ROW_MARK = "\x01"
ROW_MARK_BYTES = ROW_MARK.encode()
XLSX_STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{XLSX_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _xml_text(text: str) -> str:
    text = XML_ILLEGAL.sub("", text)[:EXCEL_MAX_TEXT]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xlsx_cell(ref: str, value: Any, style: int = 0) -> str:
    """Text is an inline string: never a formula, whatever it starts with."""
    if value is None:
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    text = _xml_text(str(value))
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{text}</t></is></c>'


EXCEL_EPOCH_ORDINAL = EXCEL_EPOCH.toordinal()


XML_ILLEGAL_BUT_NUL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_texts(texts: list[str]) -> list[str]:
    """[_xml_text(t) for t in texts]: one scan of the whole column finds whether any text
    needs the slow path (a control character, or longer than a cell holds)."""
    joined = "\x00".join(texts)
    if (
        joined.count("\x00") != len(texts) - 1  # a text holds a NUL (or there are none)
        or XML_ILLEGAL_BUT_NUL.search(joined)
        or max(map(len, texts)) > EXCEL_MAX_TEXT
    ):
        return [_xml_text(t) for t in texts]
    if "&" not in joined and "<" not in joined and ">" not in joined:
        return texts
    # No text holds a NUL (checked above), so it separates the texts unambiguously.
    return joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\x00")


def xlsx_column(
    values: list[Any], letter: str, first_row: int, kinds: set[type] | None = None
) -> list[str]:
    """[_xlsx_cell(f"{letter}{r}", v) for r, v in enumerate(values, first_row)]."""
    return _column_cells(values, letter, range(first_row, first_row + len(values)), kinds)


def _column_cells(
    values: list[Any], letter: str, rows: Sequence[int | str], kinds: set[type] | None = None
) -> list[str]:
    """xlsx_column with each value's row number (or ROW_MARK) given."""
    kinds = kinds_of(values) if kinds is None else kinds
    if kinds <= {str}:
        texts = _xml_texts(["" if v is None else v for v in values])
        return [
            ""
            if v is None
            else f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{t}</t></is></c>'
            for r, v, t in zip(rows, values, texts, strict=True)
        ]
    if kinds <= {int, float}:
        return [
            "" if v is None else f'<c r="{letter}{r}"><v>{v!r}</v></c>'
            for r, v in zip(rows, values, strict=True)
        ]
    if kinds == {bool}:
        return [
            "" if v is None else f'<c r="{letter}{r}" t="b"><v>{1 if v else 0}</v></c>'
            for r, v in zip(rows, values, strict=True)
        ]
    if kinds == {dt.date}:
        epoch = EXCEL_EPOCH_ORDINAL
        return [
            ""
            if v is None
            else f'<c r="{letter}{r}" s="{STYLE_DATE}"><v>{v.toordinal() - epoch}</v></c>'
            for r, v in zip(rows, values, strict=True)
        ]
    return [_xlsx_cell(f"{letter}{r}", v) for r, v in zip(rows, values, strict=True)]


def _xlsx_sheet(rows: list[list[Any]], header: bool, widths: Sequence[int] = ()) -> str:
    letters = _xlsx_letters(max(map(len, rows), default=1))
    row_xml = []
    for r, row in enumerate(rows, 1):
        style = STYLE_BOLD if header and r == 1 else 0
        cells = "".join(_xlsx_cell(f"{letters[c]}{r}", v, style) for c, v in enumerate(row))
        row_xml.append(f'<row r="{r}">{cells}</row>')
    return _xlsx_sheet_xml(row_xml, letters[-1], header, widths)


def _xlsx_letters(count: int) -> list[str]:
    return [column_letter(n) for n in range(1, count + 1)] or ["A"]


def _xlsx_head(spec: TableSpec) -> str:
    """The bold header row of a table's sheet."""
    letters = _xlsx_letters(len(spec.names))
    cells = "".join(
        _xlsx_cell(f"{letter}1", name, STYLE_BOLD)
        for letter, name in zip(letters, spec.names, strict=False)
    )
    return f'<row r="1">{cells}</row>'


def _xlsx_rows(columns: TableColumns, first_row: int = 2) -> list[str]:
    """Each row's XML, made column by column; the first is row `first_row` of the sheet."""
    return [row for chunk in _xlsx_row_chunks(columns, first_row) for row in chunk]


def _xlsx_row_chunks(columns: TableColumns, first_row: int | None = 2) -> Iterator[list[str]]:
    """_xlsx_rows, SHEET_CHUNK rows at a time: the cells of every column of a large table
    would otherwise be held at once. first_row None: row templates, ROW_MARK for the number
    (see numbered_rows)."""
    letters = _xlsx_letters(len(columns.values))
    for start in range(0, columns.size, SHEET_CHUNK):
        count = min(SHEET_CHUNK, columns.size - start)
        numbers: Sequence[int | str] = (
            [ROW_MARK] * count
            if first_row is None
            else range(first_row + start, first_row + start + count)
        )
        cells = [
            _column_cells(values[start : start + SHEET_CHUNK], letter, numbers, kinds)
            for values, letter, kinds in zip(columns.values, letters, columns.kinds, strict=False)
        ]
        yield [
            f'<row r="{r}">{"".join(row)}</row>'
            for r, row in zip(numbers, zip(*cells, strict=True), strict=False)
        ]


def row_templates(columns: TableColumns) -> Iterator[bytes]:
    """Each row's XML in UTF-8 with ROW_MARK for its row number: the same row, the same
    template, wherever it stands in the sheet."""
    for chunk in _xlsx_row_chunks(columns, None):
        yield from (row.encode("utf-8") for row in chunk)


def numbered_rows(templates: Sequence[bytes], first_row: int) -> bytes:
    """The templates as rows first_row, first_row + 1, ... of the sheet."""
    return b"".join(
        t.replace(ROW_MARK_BYTES, b"%d" % r) for r, t in enumerate(templates, first_row)
    )


def _xlsx_sheet_xml(
    row_xml: list[str], last_column: str, header: bool, widths: Sequence[int] = ()
) -> str:
    head, tail = _xlsx_sheet_ends(len(row_xml), last_column, header, widths)
    return head + "".join(row_xml) + tail


def _xlsx_sheet_ends(
    row_count: int, last_column: str, header: bool, widths: Sequence[int] = ()
) -> tuple[str, str]:
    """What comes before a sheet's rows (`row_count` of them, header included) and after."""
    out = [f'{XML_HEAD}<worksheet xmlns="{XLSX_MAIN}" xmlns:r="{XLSX_REL}">']
    out.append(f'<dimension ref="A1:{last_column}{max(row_count, 1)}"/>')
    if header:  # the header row stays in view while scrolling
        out.append(
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
            'topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
        )
    else:
        out.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if widths:
        out.append(
            "<cols>"
            + "".join(
                f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                for n, w in enumerate(widths, 1)
            )
            + "</cols>"
        )
    out.append("<sheetData>")
    return "".join(out), "</sheetData></worksheet>"


@dataclass(frozen=True)
class ZipEntry:
    name: str
    crc: int
    size: int
    deflated: bytes


def zip_entry(name: str, text: str) -> ZipEntry:
    """One part, compressed as zipfile does at level 6 (raw deflate, one call)."""
    return streamed_zip_entry(name, [text.encode("utf-8")])


def streamed_zip_entry(name: str, pieces: Iterable[bytes]) -> ZipEntry:
    """The part made of `pieces` joined, compressed piece by piece: the same bytes as in one
    call (zlib holds back input until it has enough to decide), without the whole part in
    memory at once."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc, size, deflated = 0, 0, []
    for data in pieces:
        crc = zlib.crc32(data, crc)
        size += len(data)
        deflated.append(compressor.compress(data))
    deflated.append(compressor.flush())
    return ZipEntry(name, crc, size, b"".join(deflated))


ZIP_STAMP_TIME = 0  # 00:00:00
ZIP_VERSION = 20  # 2.0: deflate
ZIP_UNIX = 3
ZIP_MODE = 0o644 << 16


def zip_bytes(entries: Sequence[ZipEntry], day: dt.date) -> bytes:
    """The archive zipfile.ZipFile writes for these entries (ASCII names, one time stamp,
    no extra fields, mode 644; the tests compare byte for byte), from parts compressed before:
    a workbook sheet that did not change is not compressed again. Another zlib version may
    compress differently."""
    date = (day.year - 1980) << 9 | day.month << 5 | day.day
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode("ascii")
        common = (0, 8, ZIP_STAMP_TIME, date, e.crc, len(e.deflated), e.size, len(name))
        central += struct.pack(
            "<4s4B4HL2L5H2L",
            *(b"PK\x01\x02", ZIP_VERSION, ZIP_UNIX, ZIP_VERSION, 0, *common),
            *(0, 0, 0, 0, ZIP_MODE, len(out)),
        )
        central += name
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", ZIP_VERSION, 0, *common, 0)
        out += name + e.deflated
    start = len(out)
    count = len(entries)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    return bytes(out + central + end)


@dataclass(frozen=True)
class CompressedSheet:
    """A table's sheet as compressed by a build (cache entry "sheet-<table>")."""

    key: str  # cache.key of the table's digest
    crc: int
    size: int
    deflated: bytes


@dataclass(frozen=True)
class SheetRows:
    """A table's sheet rows as XML templates (cache entry "sheet-rows-<table>")."""

    schema: str  # cache.key of the table's spec
    keys: list[bytes]  # the row keys, in table order
    # Each row's template (row_templates) in UTF-8. Bytes: what the sheet is compressed
    # from, and a text pickled keeps its UTF-8 form beside it for its lifetime.
    rows: list[bytes]


class SheetCache:
    """Each table's sheet as earlier builds made it: compressed whole, keyed by the table's
    digest (an unchanged table's sheet is neither written nor compressed again), and row by
    row, keyed by the row's key (a changed table's other rows are not written again, even
    when a row added or removed moves them)."""

    def __init__(self, cache: DatasetCache, tables: dict[str, EncodedTable]) -> None:
        self.cache = cache
        self.tables = tables

    def entry(self, path: str, columns: Mapping[str, TableColumns], name: str) -> ZipEntry:
        table = self.tables[name]
        key = self.cache.key("sheet", table.digest)
        found = self.cache.load(table_entry("sheet", name), CompressedSheet)
        if found is not None and found.key == key:
            return ZipEntry(path, found.crc, found.size, found.deflated)
        del found
        rows = self._rows(table, columns)
        head, tail = _xlsx_sheet_ends(len(rows) + 1, _xlsx_letters(len(table.spec.names))[-1], True)
        # Compressed SHEET_CHUNK rows at a time: the sheet's whole text (and its UTF-8 bytes)
        # would be held beside its rows, three copies of a large table.
        pieces = itertools.chain(
            ((head + _xlsx_head(table.spec)).encode("utf-8"),),
            (
                numbered_rows(rows[i : i + SHEET_CHUNK], i + 2)  # row 1 is the header
                for i in range(0, len(rows), SHEET_CHUNK)
            ),
            (tail.encode("utf-8"),),
        )
        entry = streamed_zip_entry(path, pieces)
        kept = CompressedSheet(key, entry.crc, entry.size, entry.deflated)
        self.cache.save(table_entry("sheet", name), kept)
        return entry

    def _rows(self, table: EncodedTable, columns: Mapping[str, TableColumns]) -> list[bytes]:
        """Each row's template, in table order."""
        name = table_entry("sheet-rows", table.spec.name)
        schema = self.cache.key("sheet rows", repr(table.spec))
        found = self.cache.load(name, SheetRows)
        known: dict[bytes, bytes] = {}
        if found is not None and found.schema == schema and len(found.keys) == len(found.rows):
            known = dict(zip(found.keys, found.rows, strict=True))
        del found
        missing = [i for i, key in enumerate(table.keys) if key not in known]
        if worth_saving(len(missing), len(table.keys)):
            known.clear()  # the earlier rows are freed before the new ones are made
            rows = list(row_templates(columns[table.spec.name]))
            self.cache.save(name, SheetRows(schema, table.keys, rows))
            return rows
        if missing:
            made = row_templates(TableColumns(table.spec, [table.rows[i] for i in missing]))
            for i, row in zip(missing, made, strict=True):
                known[table.keys[i]] = row
        return [known[key] for key in table.keys]


def to_xlsx(
    columns: Mapping[str, TableColumns],
    about: list[tuple[str, str]],
    release: dt.date,
    sheets: SheetCache,
) -> bytes:
    """One sheet per table (header row bold and frozen, dates as dates), after an about sheet.
    `sheets` gives the tables' sheets compressed by an earlier build when they are the same."""
    names = ["gioi-thieu", *TABLES]
    n = len(names)
    moment = f"{release.isoformat()}T00:00:00Z"
    title = _xml_text(f"{SITE_NAME} {release.isoformat()}")
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    parts = [
        (
            "[Content_Types].xml",
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
        ),
        (
            "_rels/.rels",
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{XLSX_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{PACKAGE_REL}/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{XLSX_REL}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>',
        ),
        (
            "docProps/core.xml",
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
            '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:creator>{SITE_NAME_EN}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{moment}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{moment}</dcterms:modified>'
            "</cp:coreProperties>",
        ),
        (
            "docProps/app.xml",
            f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties"><Application>{SITE_NAME_EN}</Application></Properties>',
        ),
        (
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{XLSX_MAIN}" xmlns:r="{XLSX_REL}">'
            "<bookViews><workbookView/></bookViews><sheets>"
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(names, 1)
            )
            + "</sheets></workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{XLSX_REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{XLSX_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        ),
        ("xl/styles.xml", XLSX_STYLES),
        ("xl/worksheets/sheet1.xml", _xlsx_sheet([list(a) for a in about], False, (24, 100))),
    ]
    entries = [zip_entry(name, text) for name, text in parts]
    for i, name in enumerate(TABLES, 2):
        entries.append(sheets.entry(f"xl/worksheets/sheet{i}.xml", columns, name))
    return zip_bytes(entries, release)


def about_sheet(release: str, config: BuildConfig) -> list[tuple[str, str]]:
    return [
        ("Tên / Title", f"{SITE_NAME} — {SITE_NAME_EN}"),
        ("Bản phát hành / Release", release),
        ("Giấy phép / Licence", f"CC BY 4.0 {DATA_LICENCE['path']} (ảnh: xem photos.licence)"),
        ("Trang dữ liệu / Data page", urls.absolute(config.base_url, urls.DATA)),
        ("Tình trạng / Status", f"Tính vào ngày {release} / computed on {release}"),
        (
            "Ví dụ / Examples",
            "Dòng example = true là minh họa / example = true rows are illustrative",
        ),
        ("Từ điển / Dictionary", "README.md, datapackage.json"),
    ]
