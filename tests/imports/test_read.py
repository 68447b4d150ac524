"""Opening workbooks and CSV files, and refusing bad input before it costs anything."""

from __future__ import annotations

import time
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from generator.imports import read
from generator.imports.read import ReadError, read_table


def _book(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_workbook_values_and_merged_ranges(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["DANH SÁCH"])
    sheet.merge_cells("A1:C1")
    sheet.append(["Tên sản phẩm", "Chủ thể", "Điểm"])
    sheet.append(["Na", "HTX A", "=40+38"])
    book.save(tmp_path / "a.xlsx")
    table = read_table(tmp_path / "a.xlsx")
    assert table.sheet == "Sheet1"
    assert table.merged == ((1, 1, 1, 3),)
    assert table.rows[1] == ["Tên sản phẩm", "Chủ thể", "Điểm"]
    # a formula is never evaluated: openpyxl wrote no cached value, so there is none
    assert table.rows[2][2] is None
    assert table.where(14, 3) == "a.xlsx:Sheet1!C14"


def test_formula_cached_value_is_read(tmp_path: Path) -> None:
    path = _book(tmp_path / "f.xlsx", [["Điểm"], ["=40+38"]])
    # put a cached value in, as Excel does when it saves
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<f>40+38</f><v />", b"<f>40+38</f><v>78</v>"
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert read_table(path).rows[1] == [78]


def _cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it: ê ơ ư ă precomposed, tone marks combining."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            shape = "".join(m for m in parts[1:] if m in "\u0302\u0306\u031b")
            tones = "".join(m for m in parts[1:] if m not in shape)
            out += unicodedata.normalize("NFC", parts[0] + shape).encode("cp1258")
            out += tones.encode("cp1258")
    return out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    text = "Tên sản phẩm;Chủ thể\nRượu mơ;HTX Đông\n"
    raw = _cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    (tmp_path / "a.csv").write_bytes(raw)
    rows = read_table(tmp_path / "a.csv").rows
    assert [[unicodedata.normalize("NFC", str(v)) for v in r] for r in rows] == [
        ["Tên sản phẩm", "Chủ thể"],
        ["Rượu mơ", "HTX Đông"],
    ]


def test_cp1252_csv_from_an_old_excel(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(
        "Ten san pham,Chu the\nCafé Sơn,HTX A\n".replace("ơ", "o").encode("cp1252")
    )
    assert read_table(tmp_path / "a.csv").rows[1] == ["Café Son", "HTX A"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xlsx", b"", "tệp rỗng"),
        ("a.csv", b"", "tệp rỗng"),
        ("a.xlsx", b"not a zip at all", "tệp hỏng"),
        ("a.xlsx", read.OLE_SIGNATURE + b"\0" * 100, "mật khẩu"),
        ("a.xls", read.OLE_SIGNATURE + b"\0" * 100, "convert-to xlsx"),
    ],
)
def test_bad_input_gets_a_clear_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ReadError, match=message):
        read_table(tmp_path / name)


def test_zip_bomb_is_refused_before_unpacking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)  # the test stays small
    path = _book(tmp_path / "bomb.xlsx", [["Tên sản phẩm"]])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/zeros.bin", b"\0" * (8 * 1024 * 1024))
    started = time.perf_counter()
    with pytest.raises(ReadError, match="giải nén ra quá lớn"):
        read_table(path)
    assert time.perf_counter() - started < 2


def test_too_many_rows_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ROWS", 50)
    path = _book(tmp_path / "big.xlsx", [[i] for i in range(60)])
    with pytest.raises(ReadError, match="quá 50 dòng"):
        read_table(path)
