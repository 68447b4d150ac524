"""The bundled catalog's imported records are exactly what `ocop import` makes of catalog/imports/.

catalog/imports/ re-creates published decision annexes from their public sources; the records
they produced are committed. Importing them again, into a copy of the catalog and into an empty
one, exercises the import path on real lists in every test run, and keeps the committed records
honest: a record whose imported fields no longer match its list fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.config import PROJECT_ROOT
from generator.imports import records
from generator.yamlfile import parse_record

CATALOG = PROJECT_ROOT / "catalog"
LISTS = sorted((CATALOG / "imports").glob("*.csv"))
# Rows each list cannot place in one current commune (an old commune split between two).
UNRESOLVED = {
    "an-giang-86-qd-ubnd-2023.csv": 1,
    "hai-phong-144-qd-ubnd-2019.csv": 2,
}


def _data(file: Path) -> dict[str, object]:
    data = parse_record(file.read_bytes(), file.name).data
    assert isinstance(data, dict)
    return data


def _imported(catalog: Path, kind: str) -> dict[str, Path]:
    """id -> file, for the records of `kind` ("products"/"producers") an import wrote."""
    pattern = "*/*/product.yaml" if kind == "products" else "*.yaml"
    return {
        (f.parent.name if kind == "products" else f.stem): f
        for f in sorted((catalog / kind).glob(pattern))
        if records.read_marker(f) is not None
    }


@pytest.fixture
def lists(tmp_path: Path) -> list[Path]:
    """The lists, copied: an import writes its rows to resolve beside the list."""
    folder = tmp_path / "imports"
    folder.mkdir()
    return [Path(shutil.copy(f, folder)) for f in LISTS]


def test_there_are_lists_and_imported_records() -> None:
    assert [f.name for f in LISTS] == [
        "an-giang-2497-qd-ubnd-2022.csv",
        "an-giang-86-qd-ubnd-2023.csv",
        "hai-phong-144-qd-ubnd-2019.csv",
        "hue-2919-qd-ubnd-2020.csv",
    ]
    assert len(_imported(CATALOG, "products")) == 30


def test_importing_into_an_empty_catalog_makes_the_committed_records(
    tmp_path: Path, lists: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = tmp_path / "catalog"
    (fresh / "products").mkdir(parents=True)
    (fresh / "producers").mkdir()
    for listing in lists:
        assert main(["import", str(listing), "--catalog", str(fresh), "--group-inferred"]) == 0
        out = capsys.readouterr().out
        left = UNRESOLVED.get(listing.name, 0)
        assert f"còn {left} dòng cần xử lý" in out
        assert listing.with_name(listing.stem + ".can-xu-ly.xlsx").exists() == bool(left)

    made, committed = _imported(fresh, "products"), _imported(CATALOG, "products")
    assert sorted(made) == sorted(committed)
    for pid, file in made.items():
        new, old = _data(file), _data(committed[pid])
        assert records.read_marker(file) == records.read_marker(committed[pid])
        for key in records.PRODUCT_FIELDS:
            assert new.get(key) == old.get(key), (pid, key)
        # no list's decision gives the group: the project assigned it from the name
        assert new.get("group_inferred") is True and old.get("group_inferred") is True, pid
        # hand-added sources (the articles) come after the decision the import cites
        assert old["sources"][: len(new["sources"])] == new["sources"], pid  # type: ignore[index]
        assert "photos" not in old and "example" not in old, pid

    made_producers, committed_producers = (
        _imported(fresh, "producers"),
        _imported(CATALOG, "producers"),
    )
    assert sorted(made_producers) == sorted(committed_producers)
    for producer_id, file in made_producers.items():
        new, old = _data(file), _data(committed_producers[producer_id])
        for key in ("id", "name", "kind", "place"):
            assert new[key] == old[key], (producer_id, key)
        assert old["sources"][: len(new["sources"])] == new["sources"], producer_id  # type: ignore[index]


def test_importing_again_into_the_catalog_changes_nothing(
    tmp_path: Path, lists: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(CATALOG, copy, ignore=shutil.ignore_patterns("imports"))
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    for listing in lists:
        command = ["import", str(listing), "--catalog", str(copy), "--update", "--group-inferred"]
        assert main(command) == 0
        out = capsys.readouterr().out
        assert "Đã ghi 0 sản phẩm mới, cập nhật 0, 0 chủ thể mới" in out, out
    after = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after == before
