"""Dates as precise as their source: a year, a month or a day.

Public lists often give a decision's number and year but not its day. A `PartialDate` keeps what
is known (its `precision`) and the span of days it could be (`earliest`..`latest`), so that a
page shows "năm 2019" rather than an invented 01/01/2019, and validity is computed from the
span (see model.Certificate.status_on): never called valid or expired when it might not be.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

# YYYY, YYYY-MM or YYYY-MM-DD: the shapes a record's partial date may take.
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
_PARTIAL_DATE = re.compile(PARTIAL_DATE_PATTERN)


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):  # 29 Feb + 36 months -> 28 Feb
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a year, a month or a day; ordered by its earliest, then latest day."""

    earliest: dt.date
    latest: dt.date
    precision: Precision

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """ "2019", "2021-03" or "2021-03-15"; ValueError for any other text or a day, month
        that does not exist (2023-02-30, 2023-13)."""
        if not _PARTIAL_DATE.match(text):
            raise ValueError(f"not YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 3:
            day = dt.date(*parts)
            return cls(day, day, Precision.DAY)
        if len(parts) == 2:
            year, month = parts
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return cls(dt.date(year, month, 1), dt.date(year, month, last), Precision.MONTH)
        return cls(dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), Precision.YEAR)

    @classmethod
    def exact(cls, day: dt.date) -> PartialDate:
        return cls(day, day, Precision.DAY)

    @property
    def is_exact(self) -> bool:
        return self.precision is Precision.DAY

    def isoformat(self) -> str:
        """ISO 8601 at the date's precision: 2019, 2021-03, 2021-03-15."""
        if self.precision is Precision.YEAR:
            return f"{self.earliest.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        return self.earliest.isoformat()

    def vi(self) -> str:
        """As a Vietnamese page writes it: "năm 2019", "tháng 3/2021", "15/03/2021"."""
        if self.precision is Precision.YEAR:
            return f"năm {self.earliest.year}"
        if self.precision is Precision.MONTH:
            return f"tháng {self.earliest.month}/{self.earliest.year}"
        return self.earliest.strftime("%d/%m/%Y")

    def plus_months(self, months: int) -> PartialDate:
        """The same span `months` later, at the same precision (36 months after "2019" is some
        day of 2022)."""
        return PartialDate(
            add_months(self.earliest, months), add_months(self.latest, months), self.precision
        )
