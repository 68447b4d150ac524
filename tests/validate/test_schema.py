"""generator/validate/schema.py: schema errors said as what to write instead."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from generator.config import PROJECT_ROOT
from generator.validate.schema import suggest_date
from support import Validate, with_product

SCHEMAS = PROJECT_ROOT / "schemas"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/06/2023", "2023-06-15"),
        ("15-6-2023", "2023-06-15"),
        ("5.6.2023", "2023-06-05"),
        ("ngày 15 tháng 6 năm 2023", "2023-06-15"),
        ("2023/06/15", "2023-06-15"),
        ("2023-6-5", "2023-06-05"),
        ("30/02/2023", None),  # no such day: no suggestion rather than a wrong one
        ("06/15/2023", None),  # month 15
        ("tháng 6", None),
    ],
)
def test_suggest_date(text: str, expected: str | None) -> None:
    assert suggest_date(text) == expected


@pytest.mark.parametrize("name", ["product", "producer"])
def test_every_schema_property_is_described_in_both_languages(name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))

    def walk(node: dict[str, Any], where: str) -> None:
        for key, prop in node.get("properties", {}).items():
            assert prop.get("description"), f"{where}.{key}"
            assert prop.get("x-description-en"), f"{where}.{key}"
            walk(prop, f"{where}.{key}")
            if "items" in prop:
                walk(prop["items"], f"{where}.{key}[]")

    walk(schema, name)


def test_unknown_field_suggestions(context: dict[str, Any], validate_loaded: Validate) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-expired")
    data = copy.deepcopy(record.data)
    data["mo_ta"] = data.pop("name")  # Vietnamese field name, and `name` now missing
    data["sao"] = data.pop("stars")
    data["colour"] = "đỏ"
    problems = validate_loaded(with_product(loaded, "qn-expired", data)).problems
    assert sorted(p.message("en") for p in problems) == [
        "field `colour` is not part of the record; delete the line or see the fields in "
        "CONTRIBUTING.md",
        "field `mo_ta` is not part of the record; did you mean `description`?",
        "field `sao` is not part of the record; did you mean `stars`?",
        "required field `name` is missing; add a line `name: ...` (Product name as certified.)",
    ]
