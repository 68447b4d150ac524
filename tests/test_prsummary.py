"""The Vietnamese summary of a pull request's changes to catalog/."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.prsummary import Records, main, records_from_dir, summarise_changes

FIXTURE = Path(__file__).parent / "fixtures" / "catalog"
AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def base() -> Records:
    return records_from_dir(FIXTURE)


def _edit(records: Records) -> Records:
    return copy.deepcopy(records)


def test_no_change(base: Records) -> None:
    assert summarise_changes(base, _edit(base), AS_OF) == (
        "## Tóm tắt thay đổi danh mục OCOP\n\n"
        "Pull request này không thay đổi hồ sơ nào trong `catalog/`.\n"
    )


def test_without_a_base_everything_is_new(base: Records) -> None:
    text = summarise_changes(None, base, AS_OF)
    assert "| Sản phẩm mới | 7 |" in text and "| Chủ thể | 2 |" in text
    assert (
        "(`qn-expired`, Quảng Ninh): 3★, quyết định 1003/QĐ-UBND ngày 2021-03-01, "
        "**đã hết hiệu lực** từ 2024-03-01." in text
    )
    # a decision known only by its year: valid or expired only when so whatever the day
    assert (
        "(`qn-nam-chua-ro`, Quảng Ninh): 3★, quyết định 1007/QĐ-UBND năm 2023, **chưa rõ còn "
        "hiệu lực** (hết hiệu lực trong 2026, không rõ ngày)." in text
    )
    assert "(`hp-nam-het-han`, Hải Phòng): 3★, quyết định 1008/QĐ-UBND năm 2020, **đã" in text
    assert "(`hp-chua-co-anh`, Hải Phòng): 4★, quyết định 1009/QĐ-UBND tháng 2025-03, còn" in text


def test_renewal_expiry_and_withdrawal(base: Records) -> None:
    head = _edit(base)
    expired = head.products["qn-expired"]
    old_certificate = dict(expired["certificate"])
    expired["certificate"] = {
        "number": "77/QĐ-UBND",
        "date": "2024-05-02",
        "issuer": "UBND tỉnh Quảng Ninh",
    }
    expired["previous_certificates"] = [{**old_certificate, "stars": 3}]
    head.products["qn-valid"]["certificate"]["valid_until"] = "2026-01-31"
    head.products["hp-revoked"]["withdrawn"] = {"date": "2026-02-01", "reason": "Ngừng bán"}
    text = summarise_changes(base, head, AS_OF)
    assert "### Hết hiệu lực, gia hạn\n\n" in text
    assert (
        "- **Sản phẩm mẫu hết hạn** (`qn-expired`, Quảng Ninh): chứng nhận mới (quyết định "
        "77/QĐ-UBND ngày 2024-05-02), hiệu lực đến 2027-05-02.\n" in text
    )
    assert (
        "(`qn-valid`, Quảng Ninh): ngày hết hiệu lực 2028-06-15 → 2026-01-31 "
        "(đã hết hiệu lực).\n" in text
    )
    assert (
        "### Ngừng sản phẩm\n\n- **Sản phẩm mẫu bị thu hồi** (`hp-revoked`, Hải Phòng): "
        "ngừng từ 2026-02-01 — Ngừng bán.\n" in text
    )
    assert "previous_certificates" not in text  # the old certificate was kept


def test_record_text_is_not_markdown(base: Records) -> None:
    head = _edit(base)
    head.products["qn-valid"]["name"] = "<img src=x onerror=alert(1)> **đậm** [a](b)"
    text = summarise_changes(base, head, AS_OF)
    assert r"**\<img src=x onerror=alert(1)\> \*\*đậm\*\* \[a\](b)** (`qn-valid`" in text


def _git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=Kiểm thử", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


def test_summary_of_a_pull_request_branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo / "catalog")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "checkout", "-qb", "pr")
    products = repo / "catalog" / "products"
    # a new product, a copy of an existing one
    new = products / "quang_ninh" / "qn-moi"
    shutil.copytree(products / "quang_ninh" / "qn-expired", new)
    record = new / "product.yaml"
    text = record.read_text(encoding="utf-8").replace("id: qn-expired", "id: qn-moi")
    record.write_text(text.replace('"2021-03-01"', '"2025-03-01"'), encoding="utf-8")
    # a re-rating that forgets the history
    valid = products / "quang_ninh" / "qn-valid" / "product.yaml"
    text = valid.read_text(encoding="utf-8")
    text = text.replace("stars: 4\n", "stars: 5\n").replace('"1001/QĐ-UBND"', '"9/QĐ-BNNMT"')
    valid.write_text(text, encoding="utf-8")
    # a revocation
    expired = products / "quang_ninh" / "qn-expired" / "product.yaml"
    text = expired.read_text(encoding="utf-8")
    issuer = '  issuer: "UBND thành phố Uông Bí"\n'
    revoked = '  revoked:\n    date: "2023-01-05"\n    decision: "5/QĐ-UBND"\n'
    expired.write_text(text.replace(issuer, issuer + revoked), encoding="utf-8")
    # a published product deleted, and a photo replaced
    shutil.rmtree(products / "hai_phong" / "hp-revoked")
    with (products / "hai_phong" / "hp-withdrawn" / "tui-mau.png").open("ab") as photo:
        photo.write(b"\0")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "pr")
    assert main(["--base", "main", "--repo", str(repo), "--as-of", "2026-11-23"]) == 0
    assert capsys.readouterr().out == (
        "## Tóm tắt thay đổi danh mục OCOP\n"
        "\n"
        "> [!WARNING]\n"
        "> Hồ sơ đã công bố `hp-revoked` bị xóa.\n"
        "\n"
        "| Thay đổi | Số hồ sơ |\n"
        "|---|---:|\n"
        "| Sản phẩm mới | 1 |\n"
        "| Xếp hạng lại | 1 |\n"
        "| Thu hồi chứng nhận | 1 |\n"
        "| Hồ sơ bị xóa | 1 |\n"
        "| Sửa thông tin sản phẩm | 1 |\n"
        "\n"
        "### Sản phẩm mới\n"
        "\n"
        "- **Sản phẩm mẫu hết hạn** (`qn-moi`, Quảng Ninh): 3★, quyết định 1003/QĐ-UBND ngày "
        "2025-03-01, còn hiệu lực đến 2028-03-01.\n"
        "\n"
        "### Xếp hạng lại\n"
        "\n"
        "- **Sản phẩm mẫu còn hiệu lực** (`qn-valid`, Quảng Ninh): 4★ → 5★ (quyết định "
        "9/QĐ-BNNMT ngày 2025-06-15). Chứng nhận cũ (quyết định 1001/QĐ-UBND ngày 2025-06-15) "
        "chưa được chuyển vào `previous_certificates`.\n"
        "\n"
        "### Thu hồi chứng nhận\n"
        "\n"
        "- **Sản phẩm mẫu hết hạn** (`qn-expired`, Quảng Ninh): thu hồi theo quyết định "
        "5/QĐ-UBND ngày 2023-01-05.\n"
        "\n"
        "### Hồ sơ bị xóa\n"
        "\n"
        "- **Sản phẩm mẫu bị thu hồi** (`hp-revoked`, Hải Phòng): hồ sơ bị xóa. Sản phẩm đã công "
        "bố: mã QR đã in trỏ tới trang này. Không xóa hồ sơ; khôi phục và ghi `withdrawn:` "
        "(ngày, lý do).\n"
        "\n"
        "### Sửa thông tin sản phẩm\n"
        "\n"
        "- **Sản phẩm mẫu đã ngừng** (`hp-withdrawn`, Hải Phòng): ảnh `tui-mau.png`.\n"
        "\n"
        "_Hiệu lực tính đến ngày 2026-11-23 (giờ Việt Nam)._\n"
    )


def test_unknown_base_ref_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURE, tmp_path / "catalog")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    assert main(["--base", "origin/khong-co", "--repo", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("git: ")
