"""Each format's cells, made per column (generator/render/datasets/columns.py): the same as the
per-cell functions, and text a spreadsheet would run neutralised in CSV only."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import frictionless
import pytest
from openpyxl import load_workbook

from datasets_support import (
    EDGE_VALUES,
    FIXTURE,
    SCHEMAS,
    build,
    columns_to_check,
    edit_record,
    load,
    product_yaml,
    rows,
)
from generator.render.datasets import columns
from generator.render.datasets.specs import load_table_specs


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(FIXTURE, catalog_dir)
    evil = '=HYPERLINK("http://evil.example";"Bấm")'

    def change(d: dict[str, Any]) -> None:
        d["name"] = evil
        d["description"] = "- dòng một\n- dòng hai\n"
        d["ingredients"] = "@SUM(1+1)"

    edit_record(product_yaml(catalog_dir, "qn-valid"), change)
    catalog = load(catalog_dir)
    staging = tmp_path / "site"
    build(catalog, staging)
    latest = staging / "data/latest"
    row = {r["id"]: r for r in rows(latest / "products.csv")}["qn-valid"]
    assert row["name"] == "'" + evil
    assert row["description"] == "'- dòng một\n- dòng hai\n"
    assert row["ingredients"] == "'@SUM(1+1)"
    assert row["stars"] == "4" and row["certificate_date"] == "2025-06-15"  # typed: untouched
    changes = {r["product_id"]: r for r in rows(latest / "changes.csv")}
    assert changes["qn-valid"]["name"] == "'" + evil
    assert frictionless.validate(str(latest / "datapackage.json")).valid
    # Typed formats keep the text exactly; Excel stores it as text, not as a formula.
    products = json.loads((latest / "products.json").read_text("utf-8"))
    assert next(p for p in products if p["id"] == "qn-valid")["name"] == evil
    sheet = load_workbook(io.BytesIO((latest / "ocop.xlsx").read_bytes()))["products"]
    cell = next(r[1] for r in sheet.iter_rows(min_row=2) if r[0].value == "qn-valid")
    assert (cell.value, cell.data_type) == (evil, "s")
    db = tmp_path / "ocop.sqlite"
    db.write_bytes((latest / "ocop.sqlite").read_bytes())
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT name FROM products WHERE id = 'qn-valid'").fetchone() == (evil,)
    # The data dictionary says so, in the files and on the page.
    assert "`'`" in (latest / "README.md").read_text("utf-8")
    assert 'id="cong-thuc"' in (staging / "data/index.html").read_text("utf-8")


@pytest.mark.parametrize("type_", ["string", "integer", "number", "boolean", "date"])
def test_column_converters_match_the_per_cell_functions(type_: str) -> None:
    """Each format's column converter gives exactly the per-cell function's output (the
    workbook's: test_xlsx.py)."""
    for values in columns_to_check():
        assert columns.csv_column(values, type_) == [columns.csv_cell(v, type_) for v in values]
        assert columns.json_column(values) == [columns.json_text(v) for v in values]
        assert columns.sql_column(values) == [columns.sql_value(v) for v in values]


def test_json_records_are_what_json_dumps_writes() -> None:
    spec = load_table_specs(SCHEMAS)["photos"]
    rows = [
        {f.name: EDGE_VALUES[(n + i) % len(EDGE_VALUES)] for i, f in enumerate(spec.fields)}
        for n in range(len(EDGE_VALUES))
    ]
    table = columns.TableColumns(spec, rows)
    assert table.json_records() == [
        json.dumps({k: columns.json_value(v) for k, v in r.items()}, ensure_ascii=False)
        for r in rows
    ]
    assert table.json_records(skip="product_id") == [
        json.dumps(
            {k: columns.json_value(v) for k, v in r.items() if k != "product_id"},
            ensure_ascii=False,
        )
        for r in rows
    ]
