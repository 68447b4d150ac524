"""generator/skeleton (`ocop new`): the skeleton it writes validates once its photo is uploaded;
questions, re-asked answers, matches to pick from, and refusals."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from generator.catalog import check_catalog
from generator.cli import main
from generator.config import PROJECT_ROOT, today_in_vietnam
from generator.skeleton import run_new
from generator.skeleton.dialogues import PHOTO_FILE

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "catalog"
SCHEMAS = PROJECT_ROOT / "schemas"

ANSWERS = {
    "name": "Rượu mơ Yên Tử",
    "province": "Quảng Ninh",
    "commune": "06832",
    "group": "II",
    "subgroup": "II.1.b",
    "stars": "4",
    "producer": "htx-mau-quang-ninh",
    "certificate_number": "1978/QĐ-UBND",
    "certificate_date": "2025-06-15",
    "certificate_issuer": "UBND tỉnh Quảng Ninh",
    "source_title": "Quyết định công nhận sản phẩm OCOP năm 2025",
    "source_url": "https://example.org/quyet-dinh-1978",
    "photo_alt": "Chai rượu mơ màu hổ phách trên bàn gỗ",
}


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(FIXTURE, target)
    return target


def _problems(catalog: Path) -> list[str]:
    checked = check_catalog(catalog, SCHEMAS, today_in_vietnam(), catalog / "published-ids.txt")
    return [p.format() for p in checked.problems]


def _add_photo(folder: Path, name: str = PHOTO_FILE) -> None:
    Image.new("RGB", (800, 600), (180, 120, 40)).save(folder / name, "JPEG")


def _scripted(monkeypatch: pytest.MonkeyPatch, replies: list[str]) -> list[str]:
    """Feeds `input()` the replies in order; returns the prompts it was shown."""
    prompts: list[str] = []
    queue: Iterator[str] = iter(replies)

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        try:
            return next(queue)
        except StopIteration:  # a question the test did not expect
            raise AssertionError(f"unexpected question: {prompt!r}") from None

    monkeypatch.setattr("builtins.input", fake_input)
    return prompts


def test_product_skeleton_validates_once_the_photo_is_uploaded(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new("product", catalog, dict(ANSWERS), interactive=False) == 0
    record = catalog / "products" / "quang_ninh" / "qn-ruou-mo-yen-tu" / "product.yaml"
    text = record.read_text(encoding="utf-8")
    out = capsys.readouterr().out
    assert "Đã tạo catalog/products/quang_ninh/qn-ruou-mo-yen-tu/product.yaml" in out
    assert PHOTO_FILE in out and "ocop validate" in out
    # each field is introduced by its schema description; unknown optional ones are commented out
    assert '# Tên sản phẩm như trên giấy chứng nhận.\nname: "Rượu mơ Yên Tử"\n' in text
    assert '\n# gtin: "8930000000019"\n' in text
    assert '  commune: "06832"\n' in text and "stars: 4\n" in text
    # before the upload, the missing photo is the only problem, on the line that names it
    line = text.splitlines().index('  - file: "anh-1.jpg"') + 1
    assert _problems(catalog) == [
        f"catalog/products/quang_ninh/qn-ruou-mo-yen-tu/product.yaml:{line}: photos[0].file: "
        "không thấy tệp ảnh `anh-1.jpg` trong thư mục sản phẩm; tải ảnh lên cùng thư mục với "
        "product.yaml [photo-missing]"
    ]
    _add_photo(record.parent)
    assert _problems(catalog) == []


def test_producer_then_product_through_the_cli(catalog: Path) -> None:
    producer = [
        "new",
        "producer",
        "--catalog",
        str(catalog),
        "--no-input",
        "--set",
        "name=Hợp tác xã Chè Tân Cương",
        "--set",
        "province=thai nguyen",
        "--set",
        "commune=Tân Cương",
        "--set",
        "address=Xóm Hồng Thái 2",
        "--set",
        "phone=0208 3888 888",
    ]
    assert main(producer) == 0
    assert (catalog / "producers" / "htx-che-tan-cuong.yaml").is_file()
    product = ["new", "product", "--catalog", str(catalog), "--no-input"]
    answers = {
        **ANSWERS,
        "name": "Chè búp Tân Cương",
        "province": "19",
        "commune": "Tân Cương",
        "group": "I",
        "subgroup": "I.5.a",
        "stars": "3",
        "producer": "che tan cuong",
        "certificate_issuer": "UBND tỉnh Thái Nguyên",
        "gtin": "8930000000040",
        "certificate_date": "15/06/2025",
    }
    for key, value in answers.items():
        product += ["--set", f"{key}={value}"]
    assert main(product) == 0
    folder = catalog / "products" / "thai_nguyen" / "tn-che-bup-tan-cuong"
    text = (folder / "product.yaml").read_text(encoding="utf-8")
    assert 'producer: "htx-che-tan-cuong"' in text and 'gtin: "8930000000040"' in text
    assert 'date: "2025-06-15"' in text
    _add_photo(folder)
    assert _problems(catalog) == []


def test_interactive_province_typed_without_tone_marks(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = _scripted(
        monkeypatch,
        [
            "Rượu mơ Yên Tử",  # name
            "quang ninh",  # province, no tone marks
            "yen tu",  # commune: Phường Yên Tử
            "",  # address: skipped
            "",  # id: the suggestion
            "ii",  # group, lower case
            "II.1.b",  # subgroup
            "4 sao",  # stars
            "mau quang",  # producer, found by part of its name
            "1978/QĐ-UBND",
            "2025-06-15",
            "",  # issuer: the suggestion, UBND tỉnh Quảng Ninh
            "Quyết định công nhận sản phẩm OCOP năm 2025",
            "https://example.org/quyet-dinh-1978",
            "",  # source date: skipped
            "Chai rượu mơ màu hổ phách trên bàn gỗ",
        ],
    )
    assert run_new("product", catalog, {}, interactive=True) == 0
    out = capsys.readouterr().out
    assert "→ Quảng Ninh (mã 22, thư mục catalog/products/quang_ninh/)" in out
    assert "→ Phường Yên Tử (mã 06832)" in out
    assert prompts[4] == "Mã sản phẩm (địa chỉ trang, không bao giờ đổi) [qn-ruou-mo-yen-tu]: "
    assert prompts[11] == "Cơ quan ban hành quyết định [UBND tỉnh Quảng Ninh]: "
    folder = catalog / "products" / "quang_ninh" / "qn-ruou-mo-yen-tu"
    text = (folder / "product.yaml").read_text(encoding="utf-8")
    assert 'producer: "htx-mau-quang-ninh"' in text
    assert 'issuer: "UBND tỉnh Quảng Ninh"' in text
    _add_photo(folder)
    assert _problems(catalog) == []


def test_interactive_lists_matches_and_re_asks_bad_answers(
    catalog: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {k: v for k, v in ANSWERS.items() if k not in ("province", "commune", "stars")}
    answers["id"] = "qn-valid"  # already used: refused, then asked again
    _scripted(
        monkeypatch,
        [
            "ninh",  # 4 provinces: Quảng Ninh, Bắc Ninh, Ninh Bình, Tây Ninh
            "1",  # picked by number
            "yen",  # 3 communes of Quảng Ninh
            "06832",  # picked by code
            "",  # address
            "qn-ruou-mo",  # a free id, after the refusal
            "2",  # not a star rating
            "5",
            "",  # source date: skipped
        ],
    )
    assert run_new("product", catalog, answers, interactive=True) == 0
    out = capsys.readouterr().out
    assert "    1. Quảng Ninh (mã 22)\n    2. Bắc Ninh (mã 24)\n" in out
    assert "Phường Yên Tử (mã 06832)" in out
    assert "mã “qn-valid” đã dùng" in out
    assert "số sao OCOP là 3, 4 hoặc 5" in out
    assert (catalog / "products" / "quang_ninh" / "qn-ruou-mo" / "product.yaml").is_file()


@pytest.mark.parametrize("taken", ["qn-valid", "hp-revoked", "qn-gone"])
def test_refuses_ids_already_used_or_published(
    catalog: Path, capsys: pytest.CaptureFixture[str], taken: str
) -> None:
    ledger = catalog / "published-ids.txt"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "qn-gone\n", encoding="utf-8")
    before = sorted(p.as_posix() for p in catalog.rglob("*"))
    assert run_new("product", catalog, {**ANSWERS, "id": taken}, interactive=False) == 1
    assert f"mã “{taken}” đã dùng" in capsys.readouterr().err
    assert sorted(p.as_posix() for p in catalog.rglob("*")) == before  # nothing written


def test_refuses_existing_producer_id(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = {
        "name": "Hợp tác xã Mẫu",
        "province": "22",
        "commune": "06832",
        "address": "Thôn 1",
        "id": "htx-mau-quang-ninh",
    }
    assert run_new("producer", catalog, answers, interactive=False) == 1
    assert "mã “htx-mau-quang-ninh” đã dùng" in capsys.readouterr().err


def test_missing_and_unknown_answers_are_all_reported(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {"name": "Rượu mơ", "province": "ninh", "stars": "6", "colour": "đỏ"}
    assert run_new("product", catalog, answers, interactive=False) == 1
    err = capsys.readouterr().err
    assert "`province`: “ninh” khớp nhiều kết quả, ghi rõ mã: Quảng Ninh (mã 22);" in err
    assert "`stars`: số sao OCOP là 3, 4 hoặc 5" in err
    assert "thiếu `certificate_number`: thêm --set certificate_number=..." in err
    assert "không có câu hỏi `colour`" in err
    assert not (catalog / "products" / "quang_ninh" / "qn-ruou-mo").exists()
