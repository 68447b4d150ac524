"""generator/load.py: walking catalog/, the files it accepts, and what it reports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.load import display_path, load_records
from support import FIXTURE_PRODUCT_IDS

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "catalog"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root)
    return root


def found(loaded) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.code) for p in sorted(loaded.problems)]


def test_fixture_records() -> None:
    loaded = load_records(FIXTURE)
    assert loaded.problems == []
    assert [r.display for r in loaded.products] == [
        "catalog/products/hai_phong/hp-chua-co-anh/product.yaml",
        "catalog/products/hai_phong/hp-nam-het-han/product.yaml",
        "catalog/products/hai_phong/hp-revoked/product.yaml",
        "catalog/products/hai_phong/hp-withdrawn/product.yaml",
        "catalog/products/quang_ninh/qn-expired/product.yaml",
        "catalog/products/quang_ninh/qn-nam-chua-ro/product.yaml",
        "catalog/products/quang_ninh/qn-valid/product.yaml",
    ]
    assert [r.display for r in loaded.producers] == [
        "catalog/producers/hkd-mau-hai-phong.yaml",
        "catalog/producers/htx-mau-quang-ninh.yaml",
    ]
    assert sorted(loaded.product_folders) == FIXTURE_PRODUCT_IDS
    assert sorted(loaded.producer_files) == ["hkd-mau-hai-phong", "htx-mau-quang-ninh"]
    record = loaded.products[6]
    assert record.kind == "product" and record.folder.name == "qn-valid"
    assert record.data["id"] == "qn-valid"
    assert len(record.sha256) == 64
    assert record.line(("certificate", "date")) == 10
    assert record.line(("certificate", "valid_until")) == 8  # missing: its parent's line
    assert record.line(("nothing", "here")) == 1


def test_display_path(catalog: Path) -> None:
    file = catalog / "producers" / "htx-mau-quang-ninh.yaml"
    assert display_path(catalog, file) == "catalog/producers/htx-mau-quang-ninh.yaml"


def test_missing_folders_are_an_empty_catalog(tmp_path: Path) -> None:
    loaded = load_records(tmp_path)
    assert loaded.products == [] and loaded.producers == [] and loaded.problems == []


def test_product_yml_is_a_wrong_name(catalog: Path) -> None:
    folder = catalog / "products" / "quang_ninh" / "qn-expired"
    (folder / "product.yaml").rename(folder / "product.yml")
    loaded = load_records(catalog)
    assert found(loaded) == [
        ("catalog/products/quang_ninh/qn-expired/product.yml", 1, "wrong-file-name")
    ]
    assert "qn-expired" in loaded.product_folders  # the ledger check must not say it is gone


def test_folder_without_record(catalog: Path) -> None:
    (catalog / "products" / "quang_ninh" / "qn-moi").mkdir()
    assert found(load_records(catalog)) == [
        ("catalog/products/quang_ninh/qn-moi/", 1, "missing-record")
    ]


def test_stray_files(catalog: Path) -> None:
    (catalog / "products" / "ghi-chu.txt").write_text("x", encoding="utf-8")
    (catalog / "products" / "quang_ninh" / "anh.jpg").write_bytes(b"x")
    (catalog / "producers" / "danh-sach.xlsx").write_bytes(b"x")
    (catalog / "producers" / "README.md").write_text("ok", encoding="utf-8")  # ignored
    (catalog / "products" / "quang_ninh" / ".DS_Store").write_bytes(b"x")  # ignored
    assert found(load_records(catalog)) == [
        ("catalog/producers/danh-sach.xlsx", 1, "stray-file"),
        ("catalog/products/ghi-chu.txt", 1, "stray-file"),
        ("catalog/products/quang_ninh/anh.jpg", 1, "stray-file"),
    ]


def test_producer_yml_is_a_wrong_name_but_known(catalog: Path) -> None:
    producers = catalog / "producers"
    (producers / "hkd-mau-hai-phong.yaml").rename(producers / "hkd-mau-hai-phong.yml")
    loaded = load_records(catalog)
    assert found(loaded) == [("catalog/producers/hkd-mau-hai-phong.yml", 1, "wrong-file-name")]
    assert "hkd-mau-hai-phong" in loaded.producer_files


def test_unreadable_producer_is_still_known(catalog: Path) -> None:
    (catalog / "producers" / "htx-mau-quang-ninh.yaml").write_text("id: [\n", encoding="utf-8")
    loaded = load_records(catalog)
    assert [p.code for p in loaded.problems] == ["yaml-syntax"]
    assert "htx-mau-quang-ninh" in loaded.producer_files
    assert [r.file.stem for r in loaded.producers] == ["hkd-mau-hai-phong"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlinks_refused(catalog: Path) -> None:
    folder = catalog / "products" / "quang_ninh" / "qn-expired"
    (folder / "product.yaml").unlink()
    (folder / "product.yaml").symlink_to("/etc/hostname")
    (catalog / "producers" / "ngoai.yaml").symlink_to("/etc/hostname")
    (catalog / "products" / "ha_noi").symlink_to(catalog / "products" / "quang_ninh")
    assert found(load_records(catalog)) == [
        ("catalog/producers/ngoai.yaml", 1, "symlink"),
        ("catalog/products/ha_noi", 1, "symlink"),
        ("catalog/products/quang_ninh/qn-expired/product.yaml", 1, "symlink"),
    ]


def test_case_clash(catalog: Path) -> None:
    producers = catalog / "producers"
    shutil.copyfile(producers / "hkd-mau-hai-phong.yaml", producers / "HKD-Mau-Hai-Phong.yaml")
    problems = [p for p in load_records(catalog).problems if p.code == "case-clash"]
    assert [(p.path, p.message("en")) for p in problems] == [
        (
            "catalog/producers/hkd-mau-hai-phong.yaml",
            "same name as `HKD-Mau-Hai-Phong.yaml` on a case-insensitive disk; rename one of them",
        ),
    ]


def test_bad_record_does_not_stop_the_others(catalog: Path) -> None:
    (catalog / "products" / "quang_ninh" / "qn-expired" / "product.yaml").write_bytes(b"\xff\n")
    loaded = load_records(catalog)
    assert found(loaded) == [("catalog/products/quang_ninh/qn-expired/product.yaml", 1, "not-utf8")]
    assert len(loaded.products) == 6 and len(loaded.producers) == 2


def test_huge_record_is_read_only_past_the_limit(catalog: Path) -> None:
    """A 50 MB product.yaml is refused without being read whole."""
    from generator.yamlfile import MAX_RECORD_BYTES

    record = catalog / "products" / "quang_ninh" / "qn-expired" / "product.yaml"
    with record.open("ab") as out:
        out.truncate(50 * 1024 * 1024)
    assert found(load_records(catalog)) == [
        ("catalog/products/quang_ninh/qn-expired/product.yaml", 1, "file-too-large")
    ]
    assert MAX_RECORD_BYTES < 50 * 1024 * 1024


def test_pooled_read_equals_inline(catalog: Path) -> None:
    """Products and producers read in worker processes come back whole and in order, with
    problems in the order of a serial read (listing problems between producer records)."""
    from generator.config import PoolSettings
    from generator.parallel import DEFAULT_POOLS

    producers = catalog / "producers"
    (producers / "b.yml").write_text("id: b\n", encoding="utf-8")
    (producers / "c.yaml").write_text("id: [\n", encoding="utf-8")
    (producers / "notes.txt").write_text("x", encoding="utf-8")
    (catalog / "products" / "quang_ninh" / "qn-empty").mkdir()

    def snapshot(pools: PoolSettings = DEFAULT_POOLS) -> tuple:
        loaded = load_records(catalog, pools=pools)
        return (
            loaded.problems,
            [
                (r.kind, r.display, r.file, r.data, r.lines, r.sha256, r.texts, r.all_nfc)
                for r in loaded.products + loaded.producers
            ],
            loaded.product_folders,
            loaded.producer_files,
        )

    inline = snapshot()
    assert snapshot(PoolSettings(min_items=1, chunk=2)) == inline
    assert [p.code for p in inline[0]] == [
        "missing-record",
        "wrong-file-name",
        "yaml-syntax",
        "stray-file",
    ]
