"""Place keys (first version: the name key of the place; gazetteer folding follows)."""

from __future__ import annotations

from kintrace.normalise.keys import word_key


def place_key(text: str) -> str:
    return " ".join(k for k in (word_key(w) for w in (text or "").split()) if k)
