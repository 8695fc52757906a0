"""Unit keys: military unit designations written in uk, ru or English fold to one key.

Two kinds of designation occur:

* a military unit number («в/ч 12345», «військова частина А1234», "military unit 12345",
  «ВЧ-12345») -> ``"vc 12345"`` / ``"vc a1234"``;
* a formation («200 омсбр», «200-я отдельная мотострелковая бригада»,
  "200th Separate Motor Rifle Brigade", «93 ОМБр», «93-тя окрема механізована бригада»)
  -> ``"200 motor-rifle brigade"``, ``"93 mechanised brigade"``.

"Separate" (отдельная/окрема), "guards" (гвардейская) and honorific names are dropped: lists
leave them out as often as they keep them. Anything unrecognised falls back to its number(s)
and the keys of its words, so equal text still gives equal keys.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kintrace.normalise.keys import word_key

# Abbreviations used in uk/ru lists (lower case, without dots/spaces): (branch, echelon).
_ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "омсбр": ("motor-rifle", "brigade"), "мсбр": ("motor-rifle", "brigade"),
    "омсп": ("motor-rifle", "regiment"), "мсп": ("motor-rifle", "regiment"),
    "мсд": ("motor-rifle", "division"), "мсб": ("motor-rifle", "battalion"),
    "омбр": ("mechanised", "brigade"), "мбр": ("mechanised", "brigade"),
    "омпбр": ("motorised-infantry", "brigade"), "омпб": ("motorised-infantry", "battalion"),
    "одшбр": ("air-assault", "brigade"), "дшбр": ("air-assault", "brigade"),
    "одшб": ("air-assault", "battalion"), "дшб": ("air-assault", "battalion"),
    "дшд": ("air-assault", "division"), "вдд": ("airborne", "division"),
    "пдп": ("airborne", "regiment"), "пдб": ("airborne", "battalion"),
    "оаембр": ("airmobile", "brigade"), "аембр": ("airmobile", "brigade"),
    "обрмп": ("marine", "brigade"), "обмп": ("marine", "battalion"),
    "омбмп": ("marine", "battalion"),
    "обрмпх": ("marine", "brigade"),
    "обртро": ("territorial-defence", "brigade"), "обртр": ("territorial-defence", "brigade"),
    "отбр": ("tank", "brigade"), "тбр": ("tank", "brigade"), "тп": ("tank", "regiment"),
    "тд": ("tank", "division"), "гвтд": ("tank", "division"),
    "оабр": ("artillery", "brigade"), "абр": ("artillery", "brigade"),
    "ап": ("artillery", "regiment"), "адн": ("artillery", "battalion"),
    "ошбр": ("assault", "brigade"), "ошб": ("assault", "battalion"),
    "оспп": ("special-forces", "regiment"), "обрспп": ("special-forces", "brigade"),
    "обрспн": ("special-forces", "brigade"), "бригспн": ("special-forces", "brigade"),
    "оброн": ("national-guard", "brigade"), "обрнгу": ("national-guard", "brigade"),
    "опбр": ("infantry", "brigade"), "пбр": ("infantry", "brigade"),
    "ореадн": ("rocket-artillery", "battalion"), "реабр": ("rocket-artillery", "brigade"),
    "мрбр": ("rocket", "brigade"), "рбр": ("rocket", "brigade"),
    "оисб": ("engineer", "battalion"), "орб": ("recon", "battalion"),
    "орбр": ("recon", "brigade"), "обр": ("", "brigade"),
    "овдбр": ("airborne", "brigade"), "вдбр": ("airborne", "brigade"),
    "опдбр": ("airborne", "brigade"), "одесбр": ("airborne", "brigade"),
    "оба": ("", "battalion"), "ба": ("", "battalion"), "бр": ("", "brigade"),
    "бригада": ("", "brigade"), "полк": ("", "regiment"), "батальон": ("", "battalion"),
    "дивизия": ("", "division"), "дивізія": ("", "division"), "рота": ("", "company"),
    "корпус": ("", "corps"), "армия": ("", "army"), "армія": ("", "army"),
    "ак": ("", "corps"), "оа": ("", "army"), "общевойсковая": ("", "army"),
}  # fmt: skip

# Word stems (lower case) that name a branch or an echelon, in ru, uk and English.
_BRANCH_STEMS: list[tuple[str, str]] = [
    ("мотострелк", "motor-rifle"), ("motor rifle", "motor-rifle"), ("motor-rifle", "motor-rifle"),
    ("мотопіхот", "motorised-infantry"), ("мотопехот", "motorised-infantry"),
    ("motorized infantry", "motorised-infantry"), ("motorised infantry", "motorised-infantry"),
    ("механізован", "mechanised"), ("механизирован", "mechanised"), ("mechani", "mechanised"),
    ("десантно-штурмов", "air-assault"), ("air assault", "air-assault"),
    ("air-assault", "air-assault"), ("аеромобіл", "airmobile"), ("аэромобил", "airmobile"),
    ("airmobile", "airmobile"), ("парашютно-десант", "airborne"), ("воздушно-десант", "airborne"),
    ("десантн", "airborne"), ("airborne", "airborne"), ("parachute", "airborne"),
    ("морської піхоти", "marine"), ("морской пехоты", "marine"), ("marine", "marine"),
    ("naval infantry", "marine"), ("територіальної оборони", "territorial-defence"),
    ("территориальной обороны", "territorial-defence"), ("territorial defen", "territorial-defence"),
    ("танков", "tank"), ("tank", "tank"), ("armou", "tank"), ("armor", "tank"),
    ("реактивн", "rocket-artillery"), ("rocket artillery", "rocket-artillery"),
    ("артилер", "artillery"), ("артиллер", "artillery"), ("artillery", "artillery"),
    ("штурмов", "assault"), ("assault", "assault"),
    ("спеціального призначення", "special-forces"), ("специального назначения", "special-forces"),
    ("special forces", "special-forces"), ("special purpose", "special-forces"),
    ("спецназ", "special-forces"), ("національної гвардії", "national-guard"),
    ("national guard", "national-guard"), ("росгвард", "national-guard"),
    ("піхот", "infantry"), ("пехот", "infantry"), ("infantry", "infantry"),
    ("ракетн", "rocket"), ("missile", "rocket"), ("інженерн", "engineer"),
    ("инженерн", "engineer"), ("engineer", "engineer"), ("розвід", "recon"),
    ("развед", "recon"), ("reconnaissance", "recon"), ("recon", "recon"),
]  # fmt: skip
_ECHELON_STEMS: list[tuple[str, str]] = [
    ("бригад", "brigade"), ("brigade", "brigade"), ("полк", "regiment"), ("regiment", "regiment"),
    ("батальон", "battalion"), ("battalion", "battalion"), ("дивизи", "division"),
    ("дивізі", "division"), ("division", "division"), ("рота", "company"), ("роты", "company"),
    ("роти", "company"), ("company", "company"), ("корпус", "corps"), ("corps", "corps"),
    ("арми", "army"), ("армі", "army"), ("army", "army"), ("дивизион", "battalion"),
    ("дивізіон", "battalion"),
]  # fmt: skip

_UNIT_NUMBER = re.compile(
    r"(?:в\s*/\s*ч|в\.\s*ч\.?|вч|військов\w*\s+частин\w*|воинск\w*\s+част\w*|"
    r"войсков\w*\s+част\w*|полев\w*\s+почт\w*|польов\w*\s+пошт\w*|п\s*/\s*п|"
    r"military\s+unit|mil\.?\s*unit|unit\s+no\.?|field\s+post|v\s*/\s*ch|vch)\s*[№#]?\s*-?\s*"
    r"(?P<num>[a-zа-яіїєґ]?\s*-?\s*[0-9]{3,6})",
    re.IGNORECASE,
)
# A letter and four digits, or five digits, alone: a unit number without its prefix
# («А1200», "A-1200", «12345»); formations have numbers of at most three digits.
_BARE_UNIT_NUMBER = re.compile(r"(?P<num>[a-zа-яіїєґ]\s*-?\s*[0-9]{4}|[0-9]{5})", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


def _latin_letter(letter: str) -> str:
    return word_key(letter) if letter else ""


@lru_cache(maxsize=100_000)
def unit_key(text: str) -> str:
    """Canonical key of a unit designation; "" when the text is empty."""
    if not text or not text.strip():
        return ""
    low = re.sub(r"\s+", " ", text.lower().replace("ё", "е")).strip()
    if m := (_UNIT_NUMBER.search(low) or _BARE_UNIT_NUMBER.fullmatch(low)):
        raw = re.sub(r"[\s-]", "", m.group("num"))
        letter, digits = (raw[0], raw[1:]) if raw[0].isalpha() else ("", raw)
        return f"vc {_latin_letter(letter)}{digits}"
    parts = re.findall(r"[0-9]+|[^\W\d_]+", low)
    numbers = [i for i, p in enumerate(parts) if p.isascii() and p.isdigit()]
    number = str(int(parts[numbers[0]])) if numbers else ""
    branch = echelon = ""
    # An abbreviation naming a branch wins over a bare echelon word (1-й батальон 200 омсбр
    # is a part of the 200th brigade); its number is the one written just before it.
    found = [(i, _ABBREVIATIONS[p]) for i, p in enumerate(parts) if p in _ABBREVIATIONS]
    found.sort(key=lambda f: (not f[1][0], f[0]))
    if found:
        at, (branch, echelon) = found[0]
        before = [i for i in numbers if i < at]
        if before:
            number = str(int(parts[before[-1]]))
    if not echelon:
        for stem, name in _ECHELON_STEMS:
            if stem in low:
                echelon = name
                break
    if not branch:
        for stem, name in _BRANCH_STEMS:
            if stem in low:
                branch = name
                break
    if branch or echelon:
        return " ".join(p for p in (number, branch, echelon) if p)
    words = [word_key(w) for w in re.findall(r"[^\W\d_]+", low)]
    return " ".join(p for p in [number, *words] if p)
