"""generator/skeleton/answers.py: dates as contributors type them."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.config import today_in_vietnam
from generator.skeleton.answers import parse_day
from generator.skeleton.prompts import Invalid


def test_dates_accept_the_vietnamese_order() -> None:
    today = today_in_vietnam()
    assert parse_day("5/6/2023", today) == "2023-06-05"
    assert parse_day("2023-06-05", today) == "2023-06-05"


def test_a_date_known_only_to_its_month_or_year_where_the_field_allows_it() -> None:
    today = dt.date(2026, 11, 23)
    assert parse_day("3/2021", today, partial=True) == "2021-03"
    assert parse_day("2021-03", today, partial=True) == "2021-03"
    assert parse_day("2019", today, partial=True) == "2019"
    assert parse_day("15/3/2021", today, partial=True) == "2021-03-15"
    assert parse_day("2026", today, partial=True) == "2026"  # not all of it in the future
    for wrong in ("2021-13", "2027"):
        with pytest.raises(Invalid):
            parse_day(wrong, today, partial=True)
    with pytest.raises(Invalid):
        parse_day("2019", today)  # a field that needs the day
