"""generator/skeleton/answers.py: dates as contributors type them."""

from __future__ import annotations

from generator.config import today_in_vietnam
from generator.skeleton.answers import parse_day


def test_dates_accept_the_vietnamese_order() -> None:
    today = today_in_vietnam()
    assert parse_day("5/6/2023", today) == "2023-06-05"
    assert parse_day("2023-06-05", today) == "2023-06-05"
