"""The published-ids ledger: ids are added after a build, never removed, and validation reads it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from generator.catalog import check_catalog
from generator.ledger import (
    HEADER,
    LOTS_HEADER,
    RECALLS_HEADER,
    read_ids,
    read_ledger,
    update_ledger,
    update_ledgers,
    update_lots_ledger,
    update_recalls_ledger,
)
from generator.model import Catalog
from support import FIXTURE_PRODUCT_IDS

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "catalog"
AS_OF = dt.date(2026, 11, 23)
IDS = FIXTURE_PRODUCT_IDS


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    checked = check_catalog(FIXTURE, ROOT / "schemas", AS_OF)
    assert checked.catalog is not None, checked.problems
    return checked.catalog


def test_read_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "published-ids.txt"
    ledger.write_text("# comment\nqn-a\n\n  qn-b  # trailing comment\n", encoding="utf-8")
    assert read_ledger(ledger) == [(2, "qn-a"), (4, "qn-b")]
    assert read_ledger(tmp_path / "missing.txt") == []


def test_a_new_ledger_lists_every_id_under_an_explaining_header(catalog, tmp_path) -> None:
    ledger = tmp_path / "published-ids.txt"
    assert update_ledger(ledger, catalog) == IDS
    text = ledger.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert text.endswith("\n") and "\r" not in text
    assert text[len(HEADER) :].splitlines() == IDS  # sorted, one a line
    assert [pid for _, pid in read_ledger(ledger)] == IDS  # what validation reads


def test_ids_are_added_never_removed_and_notes_survive(catalog, tmp_path) -> None:
    ledger = tmp_path / "published-ids.txt"
    ledger.write_text(
        "# Ledger of Quảng Ninh, kept by hand\n"
        "\n"
        "qn-valid\n"
        "# renamed from qn-old in 2025; the old page redirects\n"
        "zz-gone-from-catalog  # folder still needed\n"
        "hp-revoked\n",
        encoding="utf-8",
    )
    added = update_ledger(ledger, catalog)
    assert added == [
        "hp-chua-co-anh",
        "hp-nam-het-han",
        "hp-withdrawn",
        "qn-expired",
        "qn-nam-chua-ro",
    ]
    lines = ledger.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Ledger of Quảng Ninh, kept by hand"  # its own header is kept
    assert "zz-gone-from-catalog  # folder still needed" in lines  # never removed
    note = lines.index("# renamed from qn-old in 2025; the old page redirects")
    assert lines[note + 1].startswith("zz-gone-from-catalog")  # a note stays with its id
    assert read_ids(ledger) == {*IDS, "zz-gone-from-catalog"}
    assert [pid for _, pid in read_ledger(ledger)] == sorted({*IDS, "zz-gone-from-catalog"})


def test_nothing_new_leaves_the_file_alone(catalog, tmp_path) -> None:
    ledger = tmp_path / "published-ids.txt"
    update_ledger(ledger, catalog)
    before = ledger.read_bytes()
    os.utime(ledger, (1_000_000, 1_000_000))
    assert update_ledger(ledger, catalog) == []
    assert ledger.read_bytes() == before and ledger.stat().st_mtime == 1_000_000
    smaller = dataclasses.replace(catalog, products=catalog.products[:1])
    assert update_ledger(ledger, smaller) == []  # a product gone from the catalog stays listed
    assert read_ids(ledger) == set(IDS)


def test_an_id_named_only_in_a_comment_is_added(catalog, tmp_path) -> None:
    """Every id of the catalog listed but one, which a note names: it is still added."""
    ledger = tmp_path / "published-ids.txt"
    listed = [pid for pid in IDS if pid != "qn-expired"]
    ledger.write_text("# qn-expired: renamed soon\n" + "\n".join(listed) + "\n", "utf-8")
    assert update_ledger(ledger, catalog) == ["qn-expired"]
    assert read_ids(ledger) == set(IDS)


def test_validation_fails_when_a_listed_product_folder_disappears(catalog, tmp_path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(FIXTURE, copy)
    ledger = copy / "published-ids.txt"
    ledger.unlink()
    update_ledger(ledger, catalog)
    assert check_catalog(copy, ROOT / "schemas", AS_OF, ledger).problems == []
    shutil.rmtree(copy / "products" / "quang_ninh" / "qn-expired")
    problems = check_catalog(copy, ROOT / "schemas", AS_OF, ledger).problems
    assert [p.code for p in problems] == ["published-product-missing"]


def test_lots_and_recalls_ledgers_are_kept_beside_the_ids_one(catalog, tmp_path) -> None:
    ids = tmp_path / "published-ids.txt"
    assert update_ledgers(ids, catalog) is True
    lots, recalls = tmp_path / "published-lots.txt", tmp_path / "published-recalls.txt"
    text = lots.read_text(encoding="utf-8")
    assert text.startswith(LOTS_HEADER)
    assert text[len(LOTS_HEADER) :].splitlines() == [
        "qn-nam-chua-ro/NAM.2026.1",
        "qn-valid/L2025-01",
        "qn-valid/L2026-07",
        "qn-valid/L2026-09",
    ]
    text = recalls.read_text(encoding="utf-8")
    assert text.startswith(RECALLS_HEADER)
    assert text[len(RECALLS_HEADER) :].splitlines() == ["qn-valid-2026-10-05"]
    assert update_ledgers(ids, catalog) is False  # nothing new: no file touched
    # a lot or recall gone from the catalog stays listed
    fewer = dataclasses.replace(
        catalog,
        products=tuple(dataclasses.replace(p, lots=(), recalls=()) for p in catalog.products),
    )
    assert update_lots_ledger(lots, fewer) == [] and update_recalls_ledger(recalls, fewer) == []
    assert len(read_ledger(lots)) == 4 and len(read_ledger(recalls)) == 1


def test_validation_fails_when_a_published_lot_or_recall_disappears(catalog, tmp_path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(FIXTURE, copy)
    ledger = copy / "published-ids.txt"
    update_ledgers(ledger, catalog)
    assert check_catalog(copy, ROOT / "schemas", AS_OF, ledger).problems == []
    folder = copy / "products" / "quang_ninh" / "qn-valid"
    lots = (folder / "lots.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "lots.csv").write_text("".join(lots[:2] + lots[3:]), encoding="utf-8")  # L2026-07
    record = (folder / "product.yaml").read_text(encoding="utf-8")
    # the recall's date corrected: another id, so the published one is missing
    (folder / "product.yaml").write_text(record.replace('"2026-10-05"', '"2026-10-06"'), "utf-8")
    problems = check_catalog(copy, ROOT / "schemas", AS_OF, ledger).problems
    assert [(p.path, p.line, p.code) for p in problems] == [
        ("catalog/published-lots.txt", len(LOTS_HEADER.splitlines()) + 3, "published-lot-missing"),
        (
            "catalog/published-recalls.txt",
            len(RECALLS_HEADER.splitlines()) + 1,
            "published-recall-missing",
        ),
    ]
    # a product whose lots.csv cannot be read is not told that each of its lots is missing
    (folder / "lots.csv").write_bytes(b"lot;produced\n")
    problems = check_catalog(copy, ROOT / "schemas", AS_OF, ledger).problems
    assert [p.code for p in problems] == ["lots-semicolons", "published-recall-missing"]
