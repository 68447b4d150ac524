"""generator/validate/__init__.py: validate_records on in-memory variants of the fixture."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from generator.errors import format_text
from support import FIXTURE_CATALOG, Validate, with_product


def test_fixture_is_valid(context: dict[str, Any], validate_loaded: Validate) -> None:
    validation = validate_loaded(context["loaded"], FIXTURE_CATALOG / "published-ids.txt")
    assert format_text(validation.problems) == ""
    assert sorted(validation.photos) == [
        ("hp-revoked", "lo-mau.jpg"),
        ("hp-withdrawn", "tui-mau.png"),
        ("qn-expired", "goi-mau.jpg"),
        ("qn-nam-chua-ro", "hop-nam.jpg"),
        ("qn-valid", "chai-mau.jpg"),
        ("qn-valid", "hop-mau.png"),
    ]
    facts = validation.photos[("qn-valid", "chai-mau.jpg")]
    assert (facts.width, facts.height, facts.format) == (800, 600, "JPEG")


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*path, i))
    return found


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


WRONG_VALUES = [
    None,
    7,
    2.5,
    True,
    "x",
    "",
    [],
    {},
    ["a"],
    {"a": 1},
    "2023-02-30",
    "<b>x</b>",
    "../x.jpg",
]


def test_validation_never_raises_on_wrongly_typed_values(
    context: dict[str, Any], validate_loaded: Validate
) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    for path in _paths(record.data):
        for wrong in WRONG_VALUES:
            data = copy.deepcopy(record.data)
            _set(data, path, wrong)
            changed = with_product(loaded, "qn-valid", data, alone=True)
            for p in validate_loaded(changed).problems:
                p.format("vi"), p.format("en")  # every message renders


def test_producer_with_wrongly_typed_values(
    context: dict[str, Any], validate_loaded: Validate
) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.producers if r.file.stem == "htx-mau-quang-ninh")
    for path in _paths(record.data):
        for wrong in WRONG_VALUES:
            data = copy.deepcopy(record.data)
            _set(data, path, wrong)
            producers = [
                dataclasses.replace(r, data=data) if r is record else r for r in loaded.producers
            ]
            changed = dataclasses.replace(loaded, producers=producers, products=[], problems=[])
            for p in validate_loaded(changed).problems:
                p.format("en")


def test_problems_are_sorted(context: dict[str, Any], validate_loaded: Validate) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    data = copy.deepcopy(record.data)
    data["stars"] = 6
    data["gtin"] = "8930000000018"
    data["name"] = ""
    problems = validate_loaded(with_product(loaded, "qn-valid", data)).problems
    assert problems == sorted(problems)
    assert [(p.line, p.code) for p in problems] == [
        (3, "empty-value"),
        (7, "not-allowed-value"),
        (7, "stars-mismatch"),
        (25, "gtin-check-digit"),
    ]
