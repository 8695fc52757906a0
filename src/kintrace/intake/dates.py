"""Partial dates as people type them: "12.03.2001", "2001-03", "2001", "03.2001".

A small stand-in until kintrace.normalise.dates offers parse_date; the stored form is always
"YYYY", "YYYY-MM" or "YYYY-MM-DD".
"""

from __future__ import annotations

import re
from datetime import date

_PATTERNS = [
    (re.compile(r"^(\d{4})$"), ("y",)),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[./](\d{4})$"), ("m", "y")),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), ("d", "m", "y")),
]
EARLIEST_YEAR = 1900


def parse_partial_date(text: str) -> str | None:
    """The canonical partial date for `text`, or None when it is not a real date."""
    text = text.strip()
    for pattern, parts in _PATTERNS:
        found = pattern.match(text)
        if not found:
            continue
        values = dict(zip(parts, (int(g) for g in found.groups()), strict=True))
        year, month, day = values["y"], values.get("m"), values.get("d")
        if year < EARLIEST_YEAR:
            return None
        try:
            date(year, month or 1, day or 1)
        except ValueError:
            return None
        if day is not None:
            return f"{year:04d}-{month:02d}-{day:02d}"
        if month is not None:
            return f"{year:04d}-{month:02d}"
        return f"{year:04d}"
    return None


def is_in_future(partial: str, today: date | None = None) -> bool:
    """True when even the earliest day the partial date can mean lies after today."""
    today = today or date.today()
    parts = [int(p) for p in partial.split("-")]
    earliest = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return earliest > today
