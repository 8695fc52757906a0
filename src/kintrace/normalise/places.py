"""Place keys: uk, ru and Latin spellings of a place, and its former names, fold to one key.

A small gazetteer (data/places.csv) names the places of the conflict and the renamings of
2016 and 2023 (Dnipropetrovsk -> Dnipro, Artemivsk -> Bakhmut, ...); any other place gets the
name key of its locality, which already agrees across scripts for most spellings.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from importlib import resources

from kintrace.normalise.keys import word_key

# Words that say what kind of place follows, not which one (uk, ru, en, abbreviated or not).
_KIND_WORDS = frozenset(
    """г гор город м місто міста с село села сел смт пгт пос посёлок поселок селище хутор х
    ст станция станиця станица д деревня обл область области района район р-н р н
    city town village of oblast region district raion settlement near біля возле около під под
    в у in""".split()
)  # fmt: skip
_SPLIT = re.compile(r"[,;()]+")


# Ukrainian and Russian endings of the same place name (Новоселівка/Новоселовка,
# Кам'янське/Каменское, Харків/Харьков): folded so places not in the gazetteer still agree.
_ENDINGS = [
    (re.compile(r"[ieo]vka$"), "ovka"),
    (re.compile(r"[ieo]vsk$"), "ovsk"),
    (re.compile(r"[ie]v$"), "ov"),
    (re.compile(r"oe$"), "e"),
    (re.compile(r"ine$"), "ino"),
]


def _locality_key(text: str) -> str:
    words = [w for w in re.split(r"[\s.]+", text) if w]
    kept = [w for w in words if w.lower().strip("-") not in _KIND_WORDS]
    key = "".join(word_key(p) for w in kept for p in w.split("-"))
    for pattern, repl in _ENDINGS:
        key = pattern.sub(repl, key)
    return key


@cache
def _gazetteer() -> dict[str, str]:
    """Key of every known form -> key of the place's current English name ("" for a former
    name two places had)."""
    text = resources.files("kintrace.normalise.data").joinpath("places.csv").read_text("utf-8")
    claims: dict[str, set[str]] = {}
    current: set[str] = set()
    for row in csv.DictReader(text.splitlines()):
        canonical = _locality_key(row["name"])
        current.add(canonical)
        forms = [row["name"]]
        for col in ("uk", "ru", "other"):
            forms += [f for f in (row[col] or "").split("|") if f.strip()]
        for form in forms:
            key = _locality_key(form)
            if key:
                claims.setdefault(key, set()).add(canonical)
    # A place's current name is its own; a former name two places bore (Свердловск is both
    # Екатеринбург and Довжанськ, Орджоникидзе both Владикавказ and Покров) names neither
    # for sure: it gets no key, so it is compared as "not given" rather than as a wrong city.
    return {
        key: key if key in current else (next(iter(owners)) if len(owners) == 1 else "")
        for key, owners in claims.items()
    }


@lru_cache(maxsize=100_000)
def place_key(text: str) -> str:
    """Canonical key of a place name in any script, former names folded to the current one.

    The first comma-separated part is taken as the locality («Бахмут, Донецкая обл.»); words
    like «г.», «село», "city of" are ignored. "" when nothing is left, or when the locality
    is a former name of two different places (Свердловск).
    """
    if not text:
        return ""
    for part in _SPLIT.split(text):
        key = _locality_key(part)
        if key:
            return _gazetteer().get(key, key)
    return ""
