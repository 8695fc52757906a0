"""Partial dates: birth and event dates are often known only to the month or the year.

Pure Python. Parsing accepts the forms families and lists actually use:
``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``DD.MM.YYYY``, ``D.M.YY``, ``MM.YYYY`` (also with
``/`` or ``-`` between day, month and year). An impossible date (31.02.2001) gives None so the
caller can warn and treat the value as empty.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DateAgreement(StrEnum):
    """How two partial dates relate, from strongest to weakest evidence."""

    EXACT = "exact"  # same year, month and day (or equal as far as both go, both full)
    SAME_YEAR_MONTH = "same_year_month"  # same year and month; a day is missing on one side
    DAY_MONTH_SWAPPED = "day_month_swapped"  # 03.12 vs 12.03 of the same year
    SAME_YEAR = "same_year"  # same year; month missing, or months differ
    YEAR_OFF_BY_ONE = "year_off_by_one"  # adjacent years (age-based guesses, typos)
    DISAGREE = "disagree"
    UNKNOWN = "unknown"  # one side has no date


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError("The year is out of range.")
        if self.month is None and self.day is not None:
            raise ValueError("A day needs a month.")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError("The month must be between 1 and 12.")
        if self.day is not None:
            assert self.month is not None
            if not 1 <= self.day <= calendar.monthrange(self.year, self.month)[1]:
                raise ValueError("The day does not exist in that month.")

    @property
    def precision(self) -> str:
        """ "day", "month" or "year"."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def isoformat(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``: the exchange-CSV forms."""
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
        if self.day is not None:
            out += f"-{self.day:02d}"
        return out

    def to_date(self) -> date | None:
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    def __str__(self) -> str:
        return self.isoformat()


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
_MY = re.compile(r"^(\d{1,2})[./](\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _expand_year(two_digits: int, pivot_year: int) -> int:
    """A two-digit year is taken as the latest year not after the pivot (birth years lie behind)."""
    century = pivot_year - pivot_year % 100
    year = century + two_digits
    return year - 100 if year > pivot_year else year


def parse_partial_date(text: str | None, *, pivot_year: int | None = None) -> PartialDate | None:
    """Parse a possibly partial date; None when empty, unreadable or impossible.

    ``pivot_year`` decides two-digit years (default: the current year): ``D.M.YY`` becomes the
    latest such date not after the pivot, as fits birth and event dates.
    """
    if text is None:
        return None
    s = text.strip().replace(" ", "")
    if not s:
        return None
    try:
        if m := _ISO.match(s):
            y, mo, d = m.groups()
            return PartialDate(int(y), int(mo) if mo else None, int(d) if d else None)
        if m := _DMY.match(s):
            d, mo, y = m.groups()
            year = int(y)
            if len(y) == 2:
                year = _expand_year(year, pivot_year or date.today().year)
            return PartialDate(year, int(mo), int(d))
        if m := _MY.match(s):
            mo, y = m.groups()
            return PartialDate(int(y), int(mo))
        if m := _COMPACT.match(s):
            y, mo, d = m.groups()
            return PartialDate(int(y), int(mo), int(d))
    except ValueError:
        return None
    return None


def compare_dates(a: PartialDate | None, b: PartialDate | None) -> DateAgreement:
    """How far two partial dates agree, for the matching model's date comparison."""
    if a is None or b is None:
        return DateAgreement.UNKNOWN
    if a.year == b.year:
        if a.month is None or b.month is None:
            return DateAgreement.SAME_YEAR
        if a.month == b.month:
            if a.day is None or b.day is None:
                return DateAgreement.SAME_YEAR_MONTH
            return DateAgreement.EXACT if a.day == b.day else DateAgreement.SAME_YEAR_MONTH
        if a.day is not None and b.day is not None and a.day == b.month and a.month == b.day:
            return DateAgreement.DAY_MONTH_SWAPPED
        return DateAgreement.SAME_YEAR
    if abs(a.year - b.year) == 1:
        return DateAgreement.YEAR_OFF_BY_ONE
    return DateAgreement.DISAGREE
