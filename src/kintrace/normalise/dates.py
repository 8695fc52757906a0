"""Dates for matching: the parser the exchange CSV and the forms use, and the comparison."""

from __future__ import annotations

from kintrace.domain.dates import DateAgreement, PartialDate, compare_dates, parse_partial_date


def parse_date(text: str) -> PartialDate | None:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``DD.MM.YYYY`` or ``D.M.YY``.

    None when the text is empty, unreadable or an impossible date; the caller warns.
    """
    return parse_partial_date(text)


__all__ = ["DateAgreement", "PartialDate", "compare_dates", "parse_date"]
