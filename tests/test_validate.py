"""generator/validate.py and generator/messages.py: checks, helpers, and the message table."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import string
from pathlib import Path
from typing import Any

import pytest

from generator.errors import format_text
from generator.load import LoadedCatalog, load_records
from generator.messages import MESSAGES
from generator.places import load_places
from generator.validate import (
    _get,
    gtin_check_digit,
    load_schemas,
    read_ledger,
    suggest_date,
    validate_records,
)
from generator.vocab import load_vocabulary

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = HERE / "fixtures" / "catalog"
SCHEMAS = ROOT / "schemas"
AS_OF = dt.date(2026, 11, 23)


# --- GTIN -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "gtin",
    [
        "4006381333931",  # EAN-13
        "5901234123457",  # EAN-13
        "8930000000019",  # EAN-13 with Vietnam's 893 prefix (the fixture's)
        "96385074",  # GTIN-8
        "012345678905",  # UPC-A (GTIN-12)
        "036000291452",  # UPC-A
        "00012345678905",  # GTIN-14, a padded UPC-A
    ],
)
def test_gtin_check_digit_of_known_numbers(gtin: str) -> None:
    assert gtin_check_digit(gtin[:-1]) == int(gtin[-1])


def test_gtin_check_digit_detects_one_wrong_digit() -> None:
    body = "893000000001"
    assert gtin_check_digit(body) == 9
    for i in range(len(body)):
        for d in "0123456789":
            if d != body[i]:
                changed = body[:i] + d + body[i + 1 :]
                assert gtin_check_digit(changed) != 9, changed


def test_gtin_padding_does_not_change_the_check_digit() -> None:
    assert gtin_check_digit("0" * 5 + "12345678905"[:-1]) == gtin_check_digit("1234567890")


# --- helpers ----------------------------------------------------------------------------------
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


def test_get_never_raises() -> None:
    data = {"a": {"b": [1, {"c": 2}]}, "s": "text"}
    assert _get(data, "a", "b", 1, "c") == 2
    assert _get(data, "a", "x") is None
    assert _get(data, "a", "b", 5) is None
    assert _get(data, "a", "b", -1) is None
    assert _get(data, "s", "x") is None
    assert _get(data, "a", 0) is None
    assert _get(None, "a") is None


def test_read_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "published-ids.txt"
    ledger.write_text("# comment\nqn-a\n\n  qn-b  # trailing comment\n", encoding="utf-8")
    assert read_ledger(ledger) == [(2, "qn-a"), (4, "qn-b")]
    assert read_ledger(tmp_path / "missing.txt") == []


# --- the message table ------------------------------------------------------------------------
def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_message_has_both_languages_and_same_placeholders(code: str) -> None:
    entry = MESSAGES[code]
    assert set(entry) == {"vi", "en"}
    assert entry["vi"].strip() and entry["en"].strip()
    assert _fields(entry["vi"]) == _fields(entry["en"])
    assert entry["vi"] != entry["en"]


def test_every_message_is_used_and_every_used_code_exists() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "generator").glob("*.py"))
        if p.name != "messages.py"
    )
    unused = [code for code in MESSAGES if f'"{code}"' not in source]
    assert unused == []


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


# --- validate_records on in-memory variants of the fixture ------------------------------------
@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    return {
        "loaded": load_records(FIXTURE),
        "schemas": load_schemas(SCHEMAS),
        "places": load_places(),
        "vocab": load_vocabulary(SCHEMAS),
    }


def _validate(context: dict[str, Any], loaded: LoadedCatalog, ledger: Path | None = None):
    return validate_records(
        loaded, context["schemas"], context["places"], context["vocab"], AS_OF, ledger
    )


def _with_product(
    loaded: LoadedCatalog, product_id: str, data: dict[str, Any], alone: bool = False
) -> LoadedCatalog:
    """The catalog with one product's data replaced (`alone`: without the other products)."""
    products = [
        dataclasses.replace(r, data=data) if r.folder.name == product_id else r
        for r in loaded.products
        if not alone or r.folder.name == product_id
    ]
    return dataclasses.replace(loaded, products=products, problems=list(loaded.problems))


def test_fixture_is_valid(context: dict[str, Any]) -> None:
    validation = _validate(context, context["loaded"], FIXTURE / "published-ids.txt")
    assert format_text(validation.problems) == ""
    assert sorted(validation.photos) == [
        ("hp-revoked", "lo-mau.jpg"),
        ("hp-withdrawn", "tui-mau.png"),
        ("qn-expired", "goi-mau.jpg"),
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


def test_validation_never_raises_on_wrongly_typed_values(context: dict[str, Any]) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    for path in _paths(record.data):
        for wrong in WRONG_VALUES:
            data = copy.deepcopy(record.data)
            _set(data, path, wrong)
            changed = _with_product(loaded, "qn-valid", data, alone=True)
            for p in _validate(context, changed).problems:
                p.format("vi"), p.format("en")  # every message renders


def test_producer_with_wrongly_typed_values(context: dict[str, Any]) -> None:
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
            for p in _validate(context, changed).problems:
                p.format("en")


def test_each_date_is_reported_once(context: dict[str, Any]) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    data = copy.deepcopy(record.data)
    data["certificate"]["date"] = "2027-01-01"  # future; also compared with two other dates
    data["certificate"]["valid_until"] = "2029-01-01"
    problems = _validate(context, _with_product(loaded, "qn-valid", data)).problems
    assert [(p.field, p.code) for p in problems] == [("certificate.date", "future-date")]


def test_expiry_in_the_future_is_fine(context: dict[str, Any]) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    data = copy.deepcopy(record.data)
    data["certificate"]["valid_until"] = "2028-06-15"
    data["withdrawn"] = {"date": "2026-12-01", "reason": "Ngừng (mẫu)"}  # announced ahead
    problems = _validate(context, _with_product(loaded, "qn-valid", data)).problems
    assert [(p.field, p.code) for p in problems] == [("withdrawn.date", "future-date")]


def test_problems_are_sorted(context: dict[str, Any]) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    data = copy.deepcopy(record.data)
    data["stars"] = 6
    data["gtin"] = "8930000000018"
    data["name"] = ""
    problems = _validate(context, _with_product(loaded, "qn-valid", data)).problems
    assert problems == sorted(problems)
    assert [(p.line, p.code) for p in problems] == [
        (3, "empty-value"),
        (7, "not-allowed-value"),
        (7, "stars-mismatch"),
        (25, "gtin-check-digit"),
    ]


def test_unknown_field_suggestions(context: dict[str, Any]) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-expired")
    data = copy.deepcopy(record.data)
    data["mo_ta"] = data.pop("name")  # Vietnamese field name, and `name` now missing
    data["sao"] = data.pop("stars")
    data["colour"] = "đỏ"
    problems = _validate(context, _with_product(loaded, "qn-expired", data)).problems
    assert sorted(p.message("en") for p in problems) == [
        "field `colour` is not part of the record; delete the line or see the fields in "
        "CONTRIBUTING.md",
        "field `mo_ta` is not part of the record; did you mean `description`?",
        "field `sao` is not part of the record; did you mean `stars`?",
        "required field `name` is missing; add a line `name: ...` (Product name as certified.)",
    ]
