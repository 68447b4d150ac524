"""generator/validate/record.py: the checks of one record, and the GTIN check digit."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.validate.record import gtin_check_digit, value_at
from support import Validate, with_product


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


def testvalue_at_never_raises() -> None:
    data = {"a": {"b": [1, {"c": 2}]}, "s": "text"}
    assert value_at(data, "a", "b", 1, "c") == 2
    assert value_at(data, "a", "x") is None
    assert value_at(data, "a", "b", 5) is None
    assert value_at(data, "a", "b", -1) is None
    assert value_at(data, "s", "x") is None
    assert value_at(data, "a", 0) is None
    assert value_at(None, "a") is None


def test_each_date_is_reported_once(context: dict[str, Any], validate_loaded: Validate) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    data = copy.deepcopy(record.data)
    data["certificate"]["date"] = "2027-01-01"  # future; also compared with two other dates
    data["certificate"]["valid_until"] = "2029-01-01"
    problems = validate_loaded(with_product(loaded, "qn-valid", data)).problems
    assert [(p.field, p.code) for p in problems] == [("certificate.date", "future-date")]


def test_expiry_in_the_future_is_fine(context: dict[str, Any], validate_loaded: Validate) -> None:
    loaded = context["loaded"]
    record = next(r for r in loaded.products if r.folder.name == "qn-valid")
    data = copy.deepcopy(record.data)
    data["certificate"]["valid_until"] = "2028-06-15"
    data["withdrawn"] = {"date": "2026-12-01", "reason": "Ngừng (mẫu)"}  # announced ahead
    problems = validate_loaded(with_product(loaded, "qn-valid", data)).problems
    assert [(p.field, p.code) for p in problems] == [("withdrawn.date", "future-date")]
