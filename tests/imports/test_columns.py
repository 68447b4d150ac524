"""Finding the header and mapping columns, in the shapes real lists have."""

from __future__ import annotations

import pytest

from generator.imports.columns import ColumnError, field_of, find_mapping
from generator.imports.read import Table


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Tên sản phẩm", "name"),
        ("TÊN SẢN PHẨM", "name"),
        ("Ten san pham", "name"),
        ("Sản phẩm", "name"),
        ("Chủ thể", "producer"),
        ("Tên chủ thể", "producer"),
        ("Đơn vị sản xuất", "producer"),
        ("Cơ sở", "producer"),
        ("Địa chỉ", "address"),
        ("Hạng sao", "stars"),
        ("Xếp hạng", "stars"),
        ("Phân hạng", "stars"),
        ("Số sao", "stars"),
        ("Điểm", "score"),
        ("Nhóm", "group"),
        ("Phân nhóm", "subgroup"),
        ("Bộ sản phẩm", "subgroup"),
        ("Tên\u00a0 sản phẩm (2)", "name"),
        ("STT", None),
    ],
)
def test_header_variants(header: str, field: str | None) -> None:
    assert field_of(header) == field


def test_title_rows_two_row_header_and_numbering_row() -> None:
    rows: list[list[object]] = [
        ["DANH SÁCH SẢN PHẨM OCOP", None, None, None, None],
        [None] * 5,
        ["STT", "Tên sản phẩm", "Chủ thể", "Quyết định", None],
        [None, None, None, "Số", "Ngày"],
        ["(1)", "(2)", "(3)", "(4)", "(5)"],
        [1, "Na", "HTX A", "1/QĐ", "15/3/2021"],
    ]
    mapping = find_mapping(Table("a.xlsx", "S", rows, ((3, 4, 3, 5),)), {})
    assert mapping.header_rows == (3, 4)
    assert mapping.first_data_row == 6
    assert mapping.columns == {"name": 2, "producer": 3, "decision": 4, "decision_date": 5}
    assert "  số quyết định     ← cột D “Quyết định Số”" in mapping.describe()


def test_only_a_subgroup_column_is_read_as_the_group() -> None:
    rows: list[list[object]] = [["Sản phẩm", "Cơ sở", "Phân nhóm"], ["Na", "HTX A", "I.1.a"]]
    assert find_mapping(Table("a.csv", None, rows), {}).columns["group"] == 3


def test_override_by_header_or_letter() -> None:
    rows: list[list[object]] = [["Tên SP", "Người làm", "Sao"], ["Na", "HTX A", 3]]
    table = Table("a.csv", None, rows)
    with pytest.raises(ColumnError, match="không tìm thấy dòng tiêu đề"):
        find_mapping(table, {})
    mapping = find_mapping(table, {"name": "tên sp", "producer": "B", "stars": "Sao"})
    assert mapping.columns == {"name": 1, "producer": 2, "stars": 3}


def test_override_naming_no_column_lists_the_columns() -> None:
    rows: list[list[object]] = [["Tên sản phẩm", "Chủ thể"], ["Na", "HTX A"]]
    with pytest.raises(ColumnError, match="A “Tên sản phẩm”; B “Chủ thể”"):
        find_mapping(Table("a.csv", None, rows), {"stars": "Hạng"})
