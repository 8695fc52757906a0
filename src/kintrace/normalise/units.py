"""Unit designation keys (first version)."""

from __future__ import annotations

import re


def unit_key(text: str) -> str:
    digits = re.findall(r"\d+", text or "")
    return " ".join(digits)
