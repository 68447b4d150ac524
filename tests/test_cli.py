"""`ocop validate`: exit status, languages and output formats (through generator.cli.main)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from label_support import BASE_URL, decode
from label_support import make_config as label_config
from PIL import Image

from generator.cli import main, run_labels

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "catalog"
AS_OF = ["--as-of", "2026-11-23"]
QN_EXPIRED = "catalog/products/quang_ninh/qn-expired/product.yaml"


@pytest.fixture
def bad_catalog(tmp_path: Path) -> Path:
    """The fixture with two mistakes: a date that does not exist and an unquoted province."""
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root)
    record = root / "products" / "quang_ninh" / "qn-expired" / "product.yaml"
    text = record.read_text(encoding="utf-8")
    text = text.replace('date: "2021-03-01"', "date: 2021-02-29").replace(
        'province: "22"', "province: 22"
    )
    record.write_text(text, encoding="utf-8")
    return root


def test_fixture_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--catalog", str(FIXTURE), *AS_OF]) == 0
    out, err = capsys.readouterr()
    assert out == "OK: 7 sản phẩm, 2 chủ thể.\n"
    assert err == ""


def test_validate_checks_without_deriving_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ocop validate` reports problems only: the catalog the pages are made from is not
    derived (the build derives it, and its tests cover every fixture)."""
    import generator.catalog

    def derive(*args: object, **kwargs: object) -> None:
        raise AssertionError("derived")

    monkeypatch.setattr(generator.catalog, "derive_catalog", derive)
    assert main(["validate", "--catalog", str(FIXTURE), *AS_OF]) == 0
    assert capsys.readouterr().out == "OK: 7 sản phẩm, 2 chủ thể.\n"
    with pytest.raises(AssertionError, match="derived"):
        main(["labels", "--catalog", str(FIXTURE), "--out", str(tmp_path), *AS_OF])


def test_fixture_is_ok_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--catalog", str(FIXTURE), "--lang", "en", *AS_OF]) == 0
    assert capsys.readouterr().out == "OK: 7 products, 2 producers.\n"


def test_bad_catalog_fails_with_error_lines(
    bad_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--catalog", str(bad_catalog), *AS_OF]) == 1
    out, err = capsys.readouterr()
    assert out == (
        f"{QN_EXPIRED}:9: certificate.date: ngày 2021-02-29 không tồn tại; viết theo dạng "
        "YYYY-MM-DD, ví dụ 2023-06-15 [invalid-date]\n"
        f"{QN_EXPIRED}:13: place.province: cần chữ, đang là số nguyên; viết trong dấu nháy "
        'kép: "22" [wrong-type]\n'
    )
    assert err == "2 lỗi cần sửa.\n"


def test_bad_catalog_in_english(bad_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--catalog", str(bad_catalog), "--lang", "en", *AS_OF]) == 1
    out, err = capsys.readouterr()
    assert out == (
        f"{QN_EXPIRED}:9: certificate.date: date 2021-02-29 does not exist; write YYYY-MM-DD, "
        "e.g. 2023-06-15 [invalid-date]\n"
        f"{QN_EXPIRED}:13: place.province: expected text, found a whole number; put it in "
        'double quotes: "22" [wrong-type]\n'
    )
    assert err == "2 problem(s) to fix.\n"


def test_github_format(bad_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["validate", "--catalog", str(bad_catalog), "--format", "github", "--lang", "en"]
    assert main([*argv, *AS_OF]) == 1
    out = capsys.readouterr().out
    assert out == (
        f"::error file={QN_EXPIRED},line=9,title=invalid-date::certificate.date: date "
        "2021-02-29 does not exist; write YYYY-MM-DD, e.g. 2023-06-15\n"
        f"::error file={QN_EXPIRED},line=13,title=wrong-type::place.province: expected text, "
        'found a whole number; put it in double quotes: "22"\n'
    )


def test_as_of_changes_what_is_in_the_future(capsys: pytest.CaptureFixture[str]) -> None:
    # the fixture's records were last checked on 2026-11-20: the day before, that is the future
    assert main(["validate", "--catalog", str(FIXTURE), "--as-of", "2026-11-19"]) == 1
    out = capsys.readouterr().out
    assert out.count("[future-date]") == 7  # one per product
    assert "ngày 2026-11-20 ở tương lai (hôm nay 2026-11-19)" in out


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--catalog", str(FIXTURE), "--as-of", "23/11/2026"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "ocop validate" in capsys.readouterr().out


def test_ledger_is_the_catalogs(bad_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(bad_catalog / "products" / "hai_phong" / "hp-revoked")
    (bad_catalog / "products" / "quang_ninh" / "qn-expired" / "product.yaml").write_text(
        (FIXTURE / "products" / "quang_ninh" / "qn-expired" / "product.yaml").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    assert main(["validate", "--catalog", str(bad_catalog), "--lang", "en", *AS_OF]) == 1
    out = capsys.readouterr().out
    assert out.startswith("catalog/published-ids.txt:4: product `hp-revoked` was published")
    assert out.count("\n") == 1


# `ocop labels`


def run_cli(tmp_path: Path, ids: list[str], province: str | None, capsys) -> tuple[int, str]:
    code = run_labels(label_config(tmp_path), ids, province)
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
    config = dataclasses.replace(label_config(tmp_path), catalog_dir=broken)
    assert run_labels(config, ["qn-valid"], None) == 1
    assert "qn-valid" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_ocop_labels_checks_the_catalog_as_validate_does(tmp_path, capsys) -> None:
    """Through the check cache: a second run parses and checks no record again."""
    code, text = run_cli(tmp_path, ["qn-valid"], None, capsys)
    assert code == 0, text
    (saved,) = (tmp_path / "cache").glob("checks-*.marshal")
    stamp = saved.stat().st_mtime_ns
    code, text = run_cli(tmp_path, ["qn-valid"], None, capsys)
    assert code == 0, text
    assert saved.stat().st_mtime_ns == stamp  # nothing new found: the cache left as it was


# `ocop labels --lots`


def run_lots(tmp_path: Path, ids: list[str], capsys) -> tuple[int, str, str]:
    code = run_labels(label_config(tmp_path), [], None, lots=ids)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ocop_labels_lots_writes_a_label_per_lot_and_the_sheets(tmp_path, capsys) -> None:
    code, out, err = run_lots(tmp_path, ["qn-valid", "QN Nam_Chua_Ro", "qn-valid"], capsys)
    assert code == 0, out + err
    folder = tmp_path / "out"
    made = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert made == [
        "lo/qn-nam-chua-ro/NAM.2026.1.pdf",
        "lo/qn-nam-chua-ro/NAM.2026.1.png",
        "lo/qn-nam-chua-ro/NAM.2026.1.svg",
        "lo/qn-valid.pdf",  # qn-nam-chua-ro's validity is not sure: no sheet
        *(
            f"lo/qn-valid/{lot}.{ext}"
            for lot in ("L2025-01", "L2026-07", "L2026-09")
            for ext in ("pdf", "png", "svg")
        ),
    ]
    assert out.splitlines()[-1] == (
        f"Đã ghi 13 tệp (4 nhãn lô của 2 sản phẩm, 1 tờ in A4) vào {folder}."
    )
    assert str(folder / "lo" / "qn-valid.pdf") in out.splitlines()
    assert err.splitlines() == [
        "qn-valid: lô L2025-01 không in lên tờ nhãn (đã hết hạn sử dụng).",
        "qn-valid: lô L2026-09 không in lên tờ nhãn (đang bị thu hồi).",
        "qn-nam-chua-ro: lô NAM.2026.1 không in lên tờ nhãn (chứng nhận OCOP: chưa rõ hiệu lực).",
    ]
    png = Image.open(folder / "lo" / "qn-nam-chua-ro" / "NAM.2026.1.png")
    assert decode(png) == [f"{BASE_URL}p/qn-nam-chua-ro/lo/NAM.2026.1/"]


def test_ocop_labels_lots_refuses_unknown_ids_and_products_without_lots(tmp_path, capsys) -> None:
    """Every problem at once, and nothing written."""
    code, out, err = run_lots(tmp_path, ["khong-co-ma-nay", "qn-expired", "qn-valid"], capsys)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "Không có sản phẩm mã «khong-co-ma-nay» trong danh mục. Xem mã trong tên thư mục "
        "catalog/products/<tỉnh>/<mã>/ hoặc trên trang sản phẩm.",
        "Sản phẩm «qn-expired» chưa có lô nào: ghi mỗi lô một dòng vào "
        "catalog/products/quang_ninh/qn-expired/lots.csv (mã lô, NSX, HSD...) rồi chạy lại lệnh.",
        "2 lỗi cần sửa. Chưa làm nhãn nào.",
    ]
    assert not (tmp_path / "out").exists()


def test_ocop_labels_lots_is_not_mixed_with_product_labels(tmp_path, capsys) -> None:
    out_dir = str(tmp_path / "out")
    for extra in (["--id", "qn-valid"], ["--province", "22"]):
        argv = ["labels", "--lots", "qn-valid", *extra, "--out", out_dir, *AS_OF]
        assert main(argv) == 2
        assert "--lots" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("command", "consequence"),
    [
        (["build", "--out", "{out}"], " Trang cũ được giữ nguyên."),
        (["labels", "--out", "{out}"], " Chưa làm nhãn nào."),
        (["validate"], ""),
    ],
)
def test_every_command_stops_on_problems_the_same_way(
    bad_catalog: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    consequence: str,
) -> None:
    """build, labels and validate check the catalog through one path: the same problem lines,
    the same count, and what the stop leaves as it was."""
    out_dir = tmp_path / "out"
    argv = [part.format(out=out_dir) for part in command]
    assert main([*argv, "--catalog", str(bad_catalog), *AS_OF]) == 1
    out, err = capsys.readouterr()
    assert out.count(f"{QN_EXPIRED}:") == 2
    assert err == f"2 lỗi cần sửa.{consequence}\n"
    assert not out_dir.exists()
