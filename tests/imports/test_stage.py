"""`ocop import` end to end: spreadsheets made here in the shapes real lists have.

`ocop validate` is not run on the written catalog: imported products have no photos and may
carry a month-precision date, which the schema accepts only once the coming schema change
(photos optional, YYYY / YYYY-MM dates) lands. The written contents are asserted instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from generator.cli import main
from generator.yamlfile import parse_record

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "catalog"
FACTS = ["--issuer", "UBND thành phố Hải Phòng", "--source-url", "https://example.org/qd"]
HEADER = ["STT", "TÊN SẢN PHẨM", "Chủ thể", "Địa chỉ", "Hạng sao", "Quyết định", None, "Nhóm"]
ROWS: list[list[object]] = [
    [
        1,
        "Na Thượng Yên",
        "HTX Nông nghiệp Yên Công",
        "Thôn 3, xã Thượng Yên Công, thành phố Uông Bí, tỉnh Quảng Ninh",
        "4 sao (cấp tỉnh)",
        "78/QĐ-UBND",
        44270,
        "I.1.a",
    ],
    [
        2,
        "Nước mắm Bàng La",
        "HTX Bàng La",
        "phường Bàng La, quận Đồ Sơn, Hải Phòng",
        "3★",
        "78/QĐ-UBND",
        "15/3/2021",
        "Thực phẩm",
    ],
    [
        3,
        "Gạo Đại Hà",
        "Công ty TNHH Đại Hà",
        "xã Đại Hà, huyện Kiến Thụy, Hải Phòng",
        "ba sao",
        "78/QĐ-UBND",
        "15/3/2021",
        "I",
    ],
    [
        4,
        "Mắm tôm Bàng La",
        "Hợp tác xã Bàng La",
        "phường Bàng La, quận Đồ Sơn, Hải Phòng",
        3,
        "78/QĐ-UBND",
        "15/3/2021",
        "I",
    ],
]


def _list(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["DANH SÁCH SẢN PHẨM OCOP NĂM 2021"])
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(HEADER)
    sheet.merge_cells("F3:G3")
    sheet.append([None, None, None, None, None, "Số", "Ngày", None])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root)
    return root


def _data(file: Path) -> dict[str, object]:
    data = parse_record(file.read_bytes(), file.name).data
    assert isinstance(data, dict)
    return data


def _run(file: Path, catalog: Path, *extra: str) -> int:
    return main(["import", str(file), "--catalog", str(catalog), *FACTS, *extra])


def test_import_writes_resolved_rows_and_returns_the_rest(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _list(tmp_path / "danh-sach.xlsx", ROWS)
    assert _run(source, catalog) == 0
    out = capsys.readouterr().out
    assert "  ngày quyết định   ← cột G “Ngày”" in out
    assert (
        "danh-sach.xlsx:Sheet1!E7: hạng sao: “ba sao” không đọc được; viết 3, 4 hoặc 5 "
        "[import-stars]" in out
    )
    assert "danh-sach.xlsx:Sheet1!D7: địa chỉ:" in out and "Xã Kiến Hưng (mã 11728)" in out
    assert "Đã ghi 3 sản phẩm mới, cập nhật 0, 2 chủ thể mới; bỏ qua 0; còn 1 dòng" in out

    product = _data(catalog / "products" / "quang_ninh" / "qn-na-thuong-yen" / "product.yaml")
    assert product["certificate"] == {
        "number": "78/QĐ-UBND",
        "date": "2021-03-15",  # from the Excel serial 44270
        "issuer": "UBND thành phố Hải Phòng",
        "stars": 4,
    }
    assert (product["group"], product["subgroup"], product["stars"]) == ("I", "I.1.a", 4)
    assert product["place"] == {
        "province": "22",
        "commune": "06832",
        "address": "Thôn 3",
        "former_address": "Thôn 3, xã Thượng Yên Công, thành phố Uông Bí, tỉnh Quảng Ninh",
    }
    assert "photos" not in product
    assert product["sources"] == [
        {
            "title": "Quyết định 78/QĐ-UBND công nhận sản phẩm OCOP",
            "url": "https://example.org/qd",
            "document": "Quyết định số 78/QĐ-UBND ngày 15/03/2021 của UBND thành phố Hải Phòng",
            "date": "2021-03-15",
        }
    ]
    # "HTX Bàng La" and "Hợp tác xã Bàng La" are one producer
    two = [
        _data(catalog / "products" / "hai_phong" / pid / "product.yaml")["producer"]
        for pid in ("hp-nuoc-mam-bang-la", "hp-mam-tom-bang-la")
    ]
    assert two == ["htx-bang-la", "htx-bang-la"]
    producer = _data(catalog / "producers" / "htx-bang-la.yaml")
    assert producer["kind"] == "cooperative"
    assert producer["place"] == {
        "province": "31",
        "commune": "11737",
        "address": "phường Bàng La (cũ)",
        "former_address": "phường Bàng La, quận Đồ Sơn, Hải Phòng",
    }

    left = openpyxl.load_workbook(tmp_path / "danh-sach.can-xu-ly.xlsx").active
    rows = list(left.iter_rows(values_only=True))
    assert rows[0][:3] == ("Dòng gốc", "STT", "TÊN SẢN PHẨM")
    assert rows[0][-4:] == (
        "Mã xã/phường (điền)",
        "Mã ngành (điền)",
        "Mã chủ thể (điền)",
        "Loại chủ thể (điền)",
    )
    assert len(rows) == 2 and rows[1][0] == "Sheet1!7" and rows[1][2] == "Gạo Đại Hà"
    issue = rows[1][rows[0].index("Cần xử lý")]
    assert "hạng sao" in issue and "Xã Kiến Thụy (mã 11680)" in issue


def test_round_trip_through_the_file_to_resolve(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _list(tmp_path / "danh-sach.xlsx", ROWS)
    _run(source, catalog)
    left_path = tmp_path / "danh-sach.can-xu-ly.xlsx"
    book = openpyxl.load_workbook(left_path)
    sheet = book.active
    titles = [c.value for c in sheet[1]]
    sheet.cell(2, titles.index("Hạng sao") + 1, "3 sao")
    sheet.cell(2, titles.index("Mã xã/phường (điền)") + 1, "11680")
    book.save(left_path)
    capsys.readouterr()
    assert main(["import", str(left_path), "--catalog", str(catalog)]) == 0
    out = capsys.readouterr().out
    assert "Đã ghi 1 sản phẩm mới" in out and "còn 0 dòng" in out
    product = _data(catalog / "products" / "hai_phong" / "hp-gao-dai-ha" / "product.yaml")
    assert product["place"] == {
        "province": "31",
        "commune": "11680",
        "former_address": "xã Đại Hà, huyện Kiến Thụy, Hải Phòng",
    }
    assert product["certificate"]["date"] == "2021-03-15"  # type: ignore[index]
    assert not left_path.exists()  # nothing is left to resolve


def test_rerun_recognises_its_rows_and_updates_only_when_asked(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [ROWS[1], ROWS[0]]
    source = _list(tmp_path / "danh-sach.xlsx", rows)
    assert _run(source, catalog) == 0
    file = catalog / "products" / "hai_phong" / "hp-nuoc-mam-bang-la" / "product.yaml"
    first = file.read_text(encoding="utf-8")
    capsys.readouterr()
    # the same list, rows in another order: nothing written twice
    _list(source, [ROWS[0], ROWS[1]])
    assert _run(source, catalog) == 0
    out = capsys.readouterr().out
    assert "Đã ghi 0 sản phẩm mới, cập nhật 0, 0 chủ thể mới; bỏ qua 2" in out
    assert file.read_text(encoding="utf-8") == first
    # the list now says 4 stars: reported, not written, until --update
    changed = [ROWS[0], [*ROWS[1][:4], "4 sao", *ROWS[1][5:]]]
    _list(source, changed)
    assert _run(source, catalog) == 0
    assert "với --update" in capsys.readouterr().out
    assert file.read_text(encoding="utf-8") == first
    text = file.read_text(encoding="utf-8").replace("updated:", 'description: "Viết tay"\nupdated:')
    file.write_text(text, encoding="utf-8")
    assert _run(source, catalog, "--update") == 0
    data = _data(file)
    assert (data["stars"], data["description"]) == (4, "Viết tay")
    assert data["id"] == "hp-nuoc-mam-bang-la"


# A row naming the fixture's hand-written record qn-valid (same product name and producer).
HAND_WRITTEN_ROW = [
    1,
    "Sản phẩm mẫu còn hiệu lực",
    "Hợp tác xã Mẫu Quảng Ninh",
    "Thôn 3, xã Thượng Yên Công, thành phố Uông Bí, tỉnh Quảng Ninh",
    5,
    "9/QĐ",
    "1/2/2026",
    "I",
]


def test_record_not_written_by_an_import_is_left_alone(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _list(tmp_path / "a.xlsx", [HAND_WRITTEN_ROW])
    before = (catalog / "products" / "quang_ninh" / "qn-valid" / "product.yaml").read_bytes()
    assert _run(source, catalog, "--update") == 0
    assert "(không do lệnh nhập viết); không sửa" in capsys.readouterr().out
    after = (catalog / "products" / "quang_ninh" / "qn-valid" / "product.yaml").read_bytes()
    assert after == before


def test_csv_in_windows_1252_with_headers_without_tone_marks(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "Ten san pham,Co so,Dia chi,So sao,Nhom\r\n"
        'Banh dau xanh,Cong ty Cafe Son,"phuong Bang La, quan Do Son, Hai Phong",3 sao,I\r\n'
    )
    (tmp_path / "ds.csv").write_bytes(text.encode("cp1252"))
    assert _run(tmp_path / "ds.csv", catalog, "--decision", "5/QĐ", "--date", "3/2021") == 0
    product = _data(catalog / "products" / "hai_phong" / "hp-banh-dau-xanh" / "product.yaml")
    assert product["certificate"]["date"] == "2021-03"  # type: ignore[index]
    # the cited decision shows only the precision the list gives, never an invented day
    assert (
        product["sources"][0]["document"]
        == "Quyết định số 5/QĐ tháng 03/2021 của UBND thành phố Hải Phòng"
    )  # type: ignore[index]
    assert product["producer"] == "dn-cafe-son"


def test_dry_run_changes_nothing(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _list(tmp_path / "danh-sach.xlsx", ROWS)
    before = sorted(p.relative_to(catalog) for p in catalog.rglob("*"))
    assert _run(source, catalog, "--dry-run") == 0
    assert "Sẽ ghi 3 sản phẩm mới" in capsys.readouterr().out
    assert sorted(p.relative_to(catalog) for p in catalog.rglob("*")) == before
    assert not (tmp_path / "danh-sach.can-xu-ly.xlsx").exists()


def test_nothing_imported_exits_1(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _list(tmp_path / "danh-sach.xlsx", [ROWS[2]])
    assert _run(source, catalog) == 1
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert _run(tmp_path / "empty.xlsx", catalog) == 1
    assert "Lỗi: empty.xlsx: tệp rỗng" in capsys.readouterr().out


def test_group_inferred_marks_every_record_and_update_keeps_the_mark(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _list(tmp_path / "danh-sach.xlsx", [ROWS[1]])
    assert _run(source, catalog) == 0
    file = catalog / "products" / "hai_phong" / "hp-nuoc-mam-bang-la" / "product.yaml"
    assert "group_inferred" not in _data(file)  # a list's group is the decision's by default
    capsys.readouterr()
    # the mark is a change of the record: written only with --update
    assert _run(source, catalog, "--group-inferred") == 0
    assert "với --update" in capsys.readouterr().out
    assert "group_inferred" not in _data(file)
    assert _run(source, catalog, "--group-inferred", "--update") == 0
    assert _data(file)["group_inferred"] is True
    text = file.read_text(encoding="utf-8")
    assert text.index("group:") < text.index("group_inferred:") < text.index("stars:")
    # a later update without the option never makes an assigned group look official
    _list(source, [[*ROWS[1][:4], "4 sao", *ROWS[1][5:]]])
    assert _run(source, catalog, "--update") == 0
    data = _data(file)
    assert (data["stars"], data["group_inferred"]) == (4, True)
    # a new record from a list imported with the option is marked when written
    _list(source, [ROWS[0]])
    assert _run(source, catalog, "--group-inferred") == 0
    new = catalog / "products" / "quang_ninh" / "qn-na-thuong-yen" / "product.yaml"
    assert _data(new)["group_inferred"] is True


def test_group_inferred_from_a_column_of_the_list(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marks = {"Na Thượng Yên": "có", "Nước mắm Bàng La": "", "Mắm tôm Bàng La": "chắc vậy"}
    lines = [
        "STT,Tên sản phẩm,Chủ thể,Địa chỉ,Hạng sao,Số quyết định,Ngày,Nhóm,Nhóm do người nhập xếp"
    ]
    for row in (ROWS[0], ROWS[1], ROWS[3]):
        cells = [*row[:6], "15/3/2021", row[7], marks[str(row[1])]]
        lines.append(",".join(f'"{c}"' for c in cells))
    source = tmp_path / "danh-sach.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _run(source, catalog) == 0
    out = capsys.readouterr().out
    assert "nhóm do người nhập xếp" in out  # the column is found and shown
    assert "“chắc vậy” không đọc được" in out  # neither yes nor no: the row is left to resolve
    products = catalog / "products"
    assert (
        _data(products / "quang_ninh" / "qn-na-thuong-yen" / "product.yaml")["group_inferred"]
        is True
    )
    assert "group_inferred" not in _data(
        products / "hai_phong" / "hp-nuoc-mam-bang-la" / "product.yaml"
    )
    assert not (products / "hai_phong" / "hp-mam-tom-bang-la").exists()


def test_record_not_written_by_an_import_is_updated_only_when_adopted(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--adopt: the hand-written record takes the list's facts, keeps every other field, and
    carries the import's marker from then on (a later run recognises it)."""
    source = _list(tmp_path / "a.xlsx", [HAND_WRITTEN_ROW])
    record = catalog / "products" / "quang_ninh" / "qn-valid" / "product.yaml"
    before = _data(record)
    assert _run(source, catalog, "--adopt") == 0
    assert "cập nhật 1" in capsys.readouterr().out
    after = _data(record)
    assert after["id"] == "qn-valid"
    assert after["stars"] == 5
    assert after["certificate"]["number"] == "9/QĐ"  # type: ignore[index]
    assert after["photos"] == before["photos"]  # fields the list does not give are kept
    assert record.read_text(encoding="utf-8").startswith("# ocop import: ")
    assert _run(source, catalog) == 0  # recognised as imported now: nothing to change
    assert "đã nhập, không đổi (qn-valid)" in capsys.readouterr().out
