"""Opening the spreadsheet people really have, within bounds of time and memory.

A workbook is a zip of XML: before openpyxl sees it, the archive is checked for the total size
it unpacks to and for a compression ratio no real workbook has (a zip bomb). Rows are read in
openpyxl's streaming mode and reading stops past `MAX_ROWS`, so a sheet of a million rows costs
milliseconds, not minutes. Formulas are never evaluated: the value Excel cached is read
(`data_only`). A CSV is decoded as UTF-8 (with or without BOM), else as the Windows code page an
old Excel wrote it in.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from generator.text import column_letter

MAX_ROWS = 50_000  # provinces publish hundreds; anything larger is not a list of products
MAX_COLUMNS = 100
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # real sheet XML compresses 10-30 times; bombs 1000 times and more
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an xlsx encrypted by a password
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')

Value = str | int | float | object | None


class ReadError(Exception):
    """The file cannot be read; the message says why and what to do, in Vietnamese."""


@dataclass(frozen=True)
class Table:
    file: str  # the name shown in messages: "danh-sach.xlsx"
    sheet: str | None  # None for a CSV
    rows: list[list[Value]]  # rows[0] is spreadsheet row 1
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (row1, col1, row2, col2), 1-based

    def where(self, row: int, column: int) -> str:
        """The cell as people name it: `danh-sach.xlsx:Sheet1!C14`."""
        cell = f"{column_letter(column)}{row}"
        return f"{self.file}:{self.sheet}!{cell}" if self.sheet else f"{self.file}:{cell}"


def column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def read_table(path: Path, sheet: str | None = None) -> Table:
    if not path.is_file():
        raise ReadError(f"không có tệp {path}")
    size = path.stat().st_size
    if size == 0:
        raise ReadError(f"{path.name}: tệp rỗng")
    if size > MAX_FILE_BYTES:
        raise ReadError(f"{path.name}: tệp quá lớn ({size // 1_000_000} MB, tối đa 50 MB)")
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head == OLE_SIGNATURE:
        if suffix == ".xls":
            raise ReadError(_XLS_HELP.format(name=path.name))
        raise ReadError(
            f"{path.name}: bảng tính có mật khẩu (được mã hóa); mở bằng Excel, bỏ mật khẩu "
            "(Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu: xóa), lưu lại rồi "
            "chạy lại lệnh"
        )
    if suffix == ".xls":
        raise ReadError(_XLS_HELP.format(name=path.name))
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path, sheet)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise ReadError(f"{path.name}: chỉ đọc được tệp .xlsx hoặc .csv")


_XLS_HELP = (
    "{name}: tệp .xls (Excel 97-2003) không đọc được; mở bằng Excel hoặc LibreOffice và "
    "Lưu thành… Sổ làm việc Excel (.xlsx), hoặc chạy: "
    "libreoffice --headless --convert-to xlsx {name}"
)


def _check_archive(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ReadError(
            f"{path.name}: tệp hỏng, không phải bảng tính .xlsx; mở lại bằng Excel và lưu lại"
        ) from err
    unpacked = 0
    for info in archive.infolist():
        unpacked += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if unpacked > MAX_UNPACKED_BYTES or (info.file_size > 10_000_000 and ratio > MAX_RATIO):
            archive.close()
            raise ReadError(
                f"{path.name}: tệp giải nén ra quá lớn (bom nén hoặc bảng quá nhiều dòng); "
                "danh sách sản phẩm chỉ cần vài nghìn dòng"
            )
    return archive


def _merged_ranges(archive: zipfile.ZipFile, sheet_index: int) -> tuple[tuple[int, ...], ...]:
    """Merged cells of the sheet (streaming mode does not read them), from its XML."""
    name = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    try:
        xml = archive.read(name)
    except KeyError:
        return ()
    return tuple(
        (int(m[2]), column_number(m[1].decode()), int(m[4]), column_number(m[3].decode()))
        for m in _MERGE.finditer(xml)
    )


def _read_workbook(path: Path, wanted: str | None) -> Table:
    import openpyxl  # imported here: `ocop validate` and `ocop build` never need it

    archive = _check_archive(path)
    try:
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as err:  # openpyxl raises many kinds for a damaged file
            raise ReadError(
                f"{path.name}: không mở được bảng tính ({type(err).__name__}); mở bằng Excel "
                "và lưu lại"
            ) from err
        try:
            names = book.sheetnames
            if wanted is None:
                index = 0
            elif wanted in names:
                index = names.index(wanted)
            else:
                raise ReadError(
                    f"{path.name}: không có trang tính “{wanted}”; có: {', '.join(names)}"
                )
            sheet = book[names[index]]
            rows: list[list[Value]] = []
            for row in sheet.iter_rows(values_only=True):
                if len(rows) >= MAX_ROWS:
                    raise ReadError(
                        f"{path.name}: quá {MAX_ROWS} dòng; danh sách sản phẩm OCOP của một "
                        "tỉnh chỉ vài nghìn dòng: kiểm tra lại tệp"
                    )
                rows.append(list(row[:MAX_COLUMNS]))
            merged = _merged_ranges(archive, index)
        finally:
            book.close()
    finally:
        archive.close()
    return Table(path.name, names[index], _trim(rows), merged)


def _trim(rows: list[list[Value]]) -> list[list[Value]]:
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    return rows


def _blank(value: Value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decode_csv(raw: bytes) -> str:
    """UTF-8 (BOM or not), else Windows-1258 (Vietnamese Windows) or Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    vietnamese = unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))
    # Bytes that are ă â đ ê ô ơ ư or a combining tone mark in 1258 are Latin-1 letters
    # (ã, Ð, Ý, Ì...) in 1252, which Vietnamese text never has.
    if any(ch in "ăâđêôơưĂÂĐÊÔƠƯ" for ch in vietnamese) or any(
        b in raw for b in (0xCC, 0xEC, 0xD2, 0xDE, 0xF2)
    ):
        return vietnamese
    return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> Table:
    text = decode_csv(path.read_bytes())
    if not text.strip():
        raise ReadError(f"{path.name}: tệp rỗng")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Value]] = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        if len(rows) >= MAX_ROWS:
            raise ReadError(f"{path.name}: quá {MAX_ROWS} dòng; kiểm tra lại tệp")
        rows.append(list(row[:MAX_COLUMNS]))
    return Table(path.name, None, _trim(rows))
