"""Writing records, and finding the ones an import wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.imports import records
from generator.yamlfile import parse_record


def test_rendered_record_reads_back_with_its_marker(tmp_path: Path) -> None:
    data = {"id": "hp-na", "name": 'Na "Liên Khê": loại 1', "stars": 4, "place": {"province": "31"}}
    file = tmp_path / "products" / "hai_phong" / "hp-na" / "product.yaml"
    records.write_new(file, records.render({"decision": "1/QĐ", "row": "na|htx"}, "ghi chú", data))
    assert parse_record(file.read_bytes(), "x").data == data
    assert records.existing_products(tmp_path).imported == {("1/QĐ", "na|htx"): file}
    with pytest.raises(FileExistsError):
        records.write_new(file, "x")  # never overwrites


def test_merge_keeps_what_people_added() -> None:
    old = {"id": "a", "name": "Na", "stars": 3, "description": "Viết tay", "updated": "2025-01-01"}
    old["sources"] = [{"title": "Bài báo", "url": "https://example.org"}]
    fresh = {"id": "a", "name": "Na", "stars": 4, "sources": [{"title": "QĐ"}], "updated": "2026"}
    order = ["id", "name", "stars", "description", "sources", "updated"]
    assert records.merged(old, fresh, order) == {
        "id": "a",
        "name": "Na",
        "stars": 4,
        "description": "Viết tay",
        "sources": [{"title": "Bài báo", "url": "https://example.org"}, {"title": "QĐ"}],
        "updated": "2026",
    }
