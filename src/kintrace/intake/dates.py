"""Partial dates as people type them ("12.03.2001", "2001-03", "2001", "03.2001"), checked for
what a form can judge: readable, real, not before 1900 and not in the future. Parsing itself is
the normaliser's (kintrace.normalise.dates), so forms and the matching engine agree.
Stored form: "YYYY", "YYYY-MM" or "YYYY-MM-DD".
"""

from __future__ import annotations

from datetime import date

from kintrace.normalise.dates import parse_date

# Nobody sought today was born, or last seen, before this year; an earlier year is a typo.
EARLIEST_YEAR = 1900


def parse_partial_date(text: str) -> str | None:
    """The canonical partial date for `text`, or None when it is not a real date."""
    parsed = parse_date(text)
    return parsed.isoformat() if parsed is not None else None


def is_in_future(partial: str, today: date | None = None) -> bool:
    """True when even the earliest day the partial date can mean lies after today."""
    today = today or date.today()
    parts = [int(p) for p in partial.split("-")]
    earliest = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return earliest > today
