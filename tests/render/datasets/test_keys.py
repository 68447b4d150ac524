"""The key checks (generator/render/datasets/keys.py): what frictionless's table checks find,
at the same rows, and a broken key fails a warm build."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from datasets_support import BASE_URL, FIXTURE, RELEASE, SCHEMAS, build_again, load
from generator.config import BuildConfig
from generator.render.datasets import check, keys
from generator.render.datasets import rows as row_builders
from generator.render.datasets.cache import DatasetCache
from generator.render.datasets.csv_json import EncodedTable
from generator.render.datasets.descriptor import datapackage
from generator.render.datasets.files import DataFiles
from generator.render.datasets.specs import DatasetError, load_table_specs
from generator.write import SiteWriter
from support import fake_photos


def test_a_broken_key_fails_a_warm_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = load()
    cache = tmp_path / "cache"
    first = build_again(catalog, tmp_path / "good", cache)
    real = row_builders.certificate_rows

    def orphan(*args: Any) -> list[dict[str, Any]]:
        rows = real(*args)
        return [*rows, {**rows[0], "product_id": "khong-co"}]

    monkeypatch.setattr(row_builders, "certificate_rows", orphan)
    with pytest.raises(DatasetError) as raised:
        build_again(catalog, tmp_path / "bad", cache, first)
    row = len(real(catalog, catalog.release_date)) + 2
    assert raised.value.errors == [
        f'certificates row {row}: foreign-key: values "khong-co" of product_id not found in '
        "products as id"
    ]


def _broken_tables(tmp_path: Path) -> tuple[Path, dict[str, EncodedTable]]:
    """A package whose tables break every table check: its folder (descriptor and CSV files,
    as published) and its tables."""
    catalog = load()
    specs = load_table_specs(SCHEMAS)
    config = BuildConfig(catalog_dir=FIXTURE, out_dir=tmp_path, base_url=BASE_URL, as_of=RELEASE)
    rows = row_builders.table_rows(catalog, config, fake_photos(catalog, skip=""))
    products = rows["products"]
    rows["products"] = [
        *products,
        {**products[0], "name": "trùng id"},  # the same id and url as row 2
        {**products[1], "id": "moi-1", "url": "u1", "producer_id": "khong-co"},
        {**products[1], "id": "moi-2", "url": "u1", "replaced_by": "khong-co"},  # url again
        {**products[1], "id": "", "url": "u2"},  # a primary key with every cell missing
    ]
    certificates = rows["certificates"]
    rows["certificates"] = [*certificates, certificates[0], {**certificates[0], "sequence": 9}]
    rows["changes"] = []
    cache = DatasetCache(tmp_path / "cache")
    tables = {name: EncodedTable(specs[name], rows[name], cache) for name in rows}
    folder = tmp_path / "package"
    folder.mkdir()
    files = DataFiles(SiteWriter(tmp_path / "unused"), cache)
    csvs = {name: files.of(f"{name}.csv", t.csv_bytes()) for name, t in tables.items()}
    for file in csvs.values():
        (folder / file.name).write_bytes(file.data or b"")
    package = datapackage(specs, csvs, config, RELEASE)
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return folder, tables


def test_key_errors_are_frictionless_table_errors(tmp_path: Path) -> None:
    """key_errors finds what frictionless's table checks find, at the same rows."""
    folder, tables = _broken_tables(tmp_path)

    def where_and_kind(line: str) -> tuple[str, str]:
        where, kind = line.split(": ")[:2]
        return where.split(" field ")[0], kind

    found = [where_and_kind(e) for e in check.package_errors(str(folder / "datapackage.json"))]
    table_errors = {e for e in found if e[1] in check.TABLE_ERRORS}
    assert {kind for _, kind in table_errors} == check.TABLE_ERRORS  # broken every way
    assert {where_and_kind(e) for e in keys.key_errors(tables)} == table_errors
