"""generator/lots.py: reading lots.csv as spreadsheets write it, the lot code rule, recall ids."""

from __future__ import annotations

import pytest

from generator.errors import format_text
from generator.lots import (
    LOT_CODE,
    lot_key,
    parse_lots,
    recall_ids,
    recall_product,
    suggested_lot_code,
)

SHOWN = "catalog/products/quang_ninh/qn-valid/lots.csv"
HEADER = "lot,produced,use_by,note"


def test_reads_rows_with_the_line_each_starts_on() -> None:
    text = (
        f"{HEADER}\r\n"
        "L1,2026-01-01,2027-01-01,\r\n"
        "\r\n"  # a blank line: skipped, still counted
        'L2,2026-02-01,2027-02-01,"Ghi chú, có dấu phẩy\r\nvà hai dòng"\r\n'
        ",,,\r\n"  # a row of empty cells a spreadsheet leaves at the end
        "L3,2026-03-01,,\r\n"
    )
    parsed = parse_lots(text.encode(), SHOWN)
    assert parsed.problems == []
    assert parsed.header == ["lot", "produced", "use_by", "note"]
    assert [row[0] for row in parsed.rows] == ["L1", "L2", "L3"]
    assert parsed.lines == [2, 4, 7]
    assert parsed.rows[1][3] == "Ghi chú, có dấu phẩy\r\nvà hai dòng"


def test_a_byte_order_mark_is_tolerated_and_spaces_around_cells_dropped() -> None:
    raw = "\ufeff" + f'{HEADER}\n L1 ,2026-01-01,\u00a02027-01-01, " quoted "\n'
    parsed = parse_lots(raw.encode(), SHOWN)
    assert parsed.header[0] == "lot"  # not "\ufefflot"
    assert parsed.rows == [["L1", "2026-01-01", "2027-01-01", "quoted"]]


def test_a_row_of_spaces_only_is_skipped() -> None:
    parsed = parse_lots(f"{HEADER}\nL1,2026-01-01,,\n  ,  ,,\n".encode(), SHOWN)
    assert parsed.rows == [["L1", "2026-01-01", "", ""]] and parsed.lines == [2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            f"{HEADER}\nL1,2026-01-01,,Vùng\n".encode("cp1258"),
            f"{SHOWN}:2: tệp không ở bảng mã UTF-8; trong Excel chọn Lưu thành… (Save As), kiểu "
            'tệp "CSV UTF-8 (Comma delimited) (*.csv)" [lots-not-utf8]\n',
        ),
        (
            f'{HEADER}\nL1,2026-01-01,,ok\nL2,2026-01-02,,"never closed\nL3,,,\n'.encode(),
            f'{SHOWN}:3: dấu nháy kép " mở ở dòng này không được đóng, hoặc nằm giữa một ô; ô '
            "có dấu phẩy hay xuống dòng được đặt trong cặp nháy kép, dấu nháy trong ô viết hai "
            'lần ("") [lots-quote]\n',
        ),
        (
            b"\n\n",
            f"{SHOWN}:1: tệp rỗng; dòng đầu ghi tên các cột (lot, produced, use_by, ...), mỗi lô "
            "một dòng bên dưới; không có lô thì xóa tệp [lots-empty]\n",
        ),
        (
            b"PK\x03\x04\x14\x00\x00\x00",
            f"{SHOWN}:1: tệp không phải bảng CSV (có thể là tệp Excel .xlsx/.xls); trong Excel "
            'chọn Lưu thành… (Save As), kiểu tệp "CSV UTF-8 (Comma delimited) (*.csv)", tên '
            "lots.csv [lots-not-csv]\n",
        ),
        (
            b"lot;produced;use_by\nL1;2026-01-01;\n",
            f"{SHOWN}:1: các cột ngăn bằng dấu chấm phẩy ;, cần dấu phẩy ,; trong Excel chọn Lưu "
            'thành… (Save As), kiểu tệp "CSV UTF-8 (Comma delimited) (*.csv)" [lots-semicolons]\n',
        ),
    ],
    ids=["cp1258", "unclosed-quote", "empty", "xlsx", "semicolons"],
)
def test_a_file_that_is_no_table_is_one_clear_problem(raw: bytes, expected: str) -> None:
    parsed = parse_lots(raw, SHOWN)
    assert parsed.header is None
    assert format_text(parsed.problems) == expected


def test_nfc_is_known_without_looking_at_each_cell() -> None:
    nfd = "Vùng".replace("ù", "u\u0300")
    assert parse_lots(f"{HEADER}\nL1,2026-01-01,,Vùng\n".encode(), SHOWN).all_nfc
    assert not parse_lots(f"{HEADER}\nL1,2026-01-01,,{nfd}\n".encode(), SHOWN).all_nfc


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("L2026-07", True),
        ("NAM.2026.1", True),
        ("A" * 20, True),
        ("A" * 21, False),
        ("-L1", False),
        ("l1", False),
        ("L 1", False),
        ("L/1", False),
        ("LÔ1", False),
        ("", False),
    ],
)
def test_lot_code_rule(code: str, allowed: bool) -> None:
    assert bool(LOT_CODE.match(code)) is allowed


@pytest.mark.parametrize(
    ("code", "suggestion"),
    [
        ("l2026-07", "L2026-07"),
        ("L2026 07", "L202607"),
        ("L2026/07", "L2026-07"),
        ("LÔ-đỏ 1", "LO-DO1"),
        ("L2026-07", None),  # already right
        ("L#1", None),  # no code is sure
        ("L" * 21, None),
    ],
)
def test_suggested_lot_code(code: str, suggestion: str | None) -> None:
    assert suggested_lot_code(code) == suggestion


def test_lot_key_ignores_case_and_spaces() -> None:
    assert lot_key(" l2026 -07 ") == lot_key("L2026-07") == "L2026-07"


def test_recall_ids_count_recalls_of_the_same_day() -> None:
    dates = ["2026-10-05", "2026-10-05", "2026-11-01", "2026-10-05"]
    assert recall_ids("qn-valid", dates) == [
        "qn-valid-2026-10-05",
        "qn-valid-2026-10-05-2",
        "qn-valid-2026-11-01",
        "qn-valid-2026-10-05-3",
    ]
    assert recall_product("qn-valid-2026-10-05-2") == "qn-valid"
    assert recall_product("qn-valid-2026-10-05") == "qn-valid"
    assert recall_product("qn-valid") is None
