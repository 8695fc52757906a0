"""The name, place and unit tables behind the synthetic world, loaded once from data/*.csv."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class GivenName:
    sex: str
    ru: str
    uk: str
    # Patronymics formed from this (male) name, by language and by the child's sex.
    ru_patronymic_m: str
    ru_patronymic_f: str
    uk_patronymic_m: str
    uk_patronymic_f: str
    weight: int

    def form(self, lang: str) -> str:
        return self.uk if lang == "uk" else self.ru

    def patronymic(self, lang: str, sex: str) -> str:
        if lang == "uk":
            return self.uk_patronymic_m if sex == "M" else self.uk_patronymic_f
        return self.ru_patronymic_m if sex == "M" else self.ru_patronymic_f


@dataclass(frozen=True, slots=True)
class Surname:
    ru: str
    uk: str
    origin: str
    weight: float

    def form(self, lang: str, sex: str) -> str:
        base = self.uk if lang == "uk" else self.ru
        return base if sex == "M" else feminine_surname(base, lang)


@dataclass(frozen=True, slots=True)
class Place:
    country: str  # "UA" or "RU": where the place is
    kind: str  # "city" or "village"
    ru: str
    uk: str
    oblast_ru: str
    oblast_uk: str
    former_ru: str
    former_uk: str
    weight: int

    def name(self, lang: str, *, former: bool = False) -> str:
        if former and self.former_ru:
            return self.former_uk if lang == "uk" else self.former_ru
        return self.uk if lang == "uk" else self.ru

    def written(self, lang: str, *, former: bool = False) -> str:
        """The place as a clerk writes it: villages carry their region, cities stand alone."""
        name = self.name(lang, former=former)
        if self.kind == "city":
            return name
        oblast = self.oblast_uk if lang == "uk" else self.oblast_ru
        if oblast.endswith(("ская", "ська")):
            oblast += " обл."
        return f"с. {name}, {oblast}"


def feminine_surname(surname: str, lang: str) -> str:
    """The female form of a surname; Ukrainian -енко/-ук and the like do not change."""
    if lang == "uk":
        for masc, fem in (("ський", "ська"), ("цький", "цька"), ("ий", "а"), ("ой", "а")):
            if surname.endswith(masc):
                return surname[: -len(masc)] + fem
        if surname.endswith(("ов", "ев", "єв", "ьов", "йов", "ін", "їн", "ин")):
            return surname + "а"
        return surname
    for masc, fem in (("ский", "ская"), ("цкий", "цкая"), ("ый", "ая"), ("ой", "ая")):
        if surname.endswith(masc):
            return surname[: -len(masc)] + fem
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("kintrace.synthetic").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def given_names() -> tuple[GivenName, ...]:
    return tuple(
        GivenName(
            sex=r["sex"],
            ru=r["ru"],
            uk=r["uk"],
            ru_patronymic_m=r["ru_patronymic_m"],
            ru_patronymic_f=r["ru_patronymic_f"],
            uk_patronymic_m=r["uk_patronymic_m"],
            uk_patronymic_f=r["uk_patronymic_f"],
            weight=int(r["weight"]),
        )
        for r in _rows("given_names.csv")
    )


@cache
def surnames() -> tuple[Surname, ...]:
    return tuple(
        Surname(ru=r["ru"], uk=r["uk"], origin=r["origin"], weight=int(r["weight"]))
        for r in _rows("surnames.csv")
    )


#: The surname pools a world can draw from (see `surname_pool`).
SURNAME_POOLS = ("classic", "realistic")
#: Share of the realistic pool's people who carry one of the classic list's common surnames;
#: the rest carry a rarer one (Ukrainian lists: the 250 commonest surnames cover roughly a
#: fifth of the population, and the commonest, Melnyk or Shevchenko, well under 1 %).
COMMON_SHARE = 0.25
#: Suffixes of the rarer surnames: (ru, uk, origin).
_SUFFIXES = (
    ("енко", "енко", "uk"), ("ук", "ук", "uk"), ("чук", "чук", "uk"), ("ишин", "ишин", "uk"),
    ("ак", "ак", "uk"), ("ец", "ець", "uk"), ("ик", "ик", "uk"), ("ов", "ов", "ru"),
    ("ин", "ін", "ru"), ("ский", "ський", "ru"),
)  # fmt: skip
# No -ович/-евич: surnames that read as a patronymic (Дубович, Макарович) exist, but a pool
# where one rare surname in eleven does is harder than any real population.


def _join(root: str, suffix: str, lang: str) -> str:
    """root + suffix with the spelling rules East Slavic surnames follow (Ковальчук, Луцький,
    Кравченко, Кравчук, Павлюк, Синицын) — close enough for a plausible surname."""
    if root[-1] in "ьй" and suffix[0] in "аеиоуіє":
        root = root[:-1]
    last = root[-1]
    if suffix in ("ов",) and last in "чшщжц":
        suffix = "ев"
    elif suffix in ("ин", "ін") and last == "ц" and lang == "ru":
        suffix = "ын"
    elif suffix == "чук":
        if last == "ч":
            suffix = "ук"
        elif last == "л":
            root += "ь"
    elif suffix == "ук" and last in "лй":
        root, suffix = root.rstrip("й"), "юк"
    elif suffix in ("ский", "ський"):
        ending = suffix[-2:]  # ий
        if root.endswith(("ск", "цк", "ськ", "цьк")):
            suffix = ending
        elif last in "кцч":
            root, suffix = root[:-1], ("цкий" if lang == "ru" else "цький")
        elif last == "с":
            suffix = suffix[1:]
    return root + suffix


@cache
def surname_pool(name: str = "classic") -> tuple[Surname, ...]:
    """The surnames a world draws from, with their weights.

    "classic": the 249 common surnames of surnames.csv — a pool so small that two unrelated
    men share a surname far more often than in a real population. "realistic": the same
    common surnames carrying COMMON_SHARE of the people, and some two thousand rarer ones
    (roots of surname_roots.csv times the usual suffixes) carrying the rest with Zipf-like
    weights, as surnames are spread in a real population.
    """
    common = surnames()
    if name == "classic":
        return common
    if name != "realistic":
        raise ValueError(f"unknown surname pool {name!r}; choose one of {SURNAME_POOLS}")
    seen = {s.ru for s in common}
    rare: list[tuple[str, str, str]] = []
    for r in _rows("surname_roots.csv"):
        # A place adjective's root (Луцк, Подольск) only makes Луцкий/Луцький.
        adjective = r["ru"].endswith(("ск", "цк"))
        for ru_suffix, uk_suffix, origin in _SUFFIXES:
            if adjective and ru_suffix != "ский":
                continue
            ru = _join(r["ru"], ru_suffix, "ru")
            if ru not in seen:
                seen.add(ru)
                rare.append((ru, _join(r["uk"], uk_suffix, "uk"), origin))
    # Which rare surname is commoner is arbitrary: a fixed shuffle, then Zipf weights.
    random.Random("kintrace-surname-pool").shuffle(rare)
    zipf = [1.0 / (rank + 100) for rank in range(len(rare))]
    common_total = sum(s.weight for s in common)
    scale_common = COMMON_SHARE / common_total
    scale_rare = (1 - COMMON_SHARE) / sum(zipf)
    return tuple(
        [Surname(s.ru, s.uk, s.origin, s.weight * scale_common) for s in common]
        + [
            Surname(ru, uk, origin, w * scale_rare)
            for (ru, uk, origin), w in zip(rare, zipf, strict=True)
        ]
    )


@cache
def places() -> tuple[Place, ...]:
    return tuple(
        Place(
            country=r["country"],
            kind=r["kind"],
            ru=r["ru"],
            uk=r["uk"],
            oblast_ru=r["oblast_ru"],
            oblast_uk=r["oblast_uk"],
            former_ru=r["former_ru"],
            former_uk=r["former_uk"],
            weight=int(r["weight"]),
        )
        for r in _rows("places.csv")
    )


@cache
def diminutives() -> dict[tuple[str, str], tuple[str, ...]]:
    """(lang, full given name) -> the pet names relatives use for it."""
    out: dict[tuple[str, str], list[str]] = {}
    for r in _rows("diminutives.csv"):
        out.setdefault((r["lang"], r["name"]), []).append(r["diminutive"])
    return {k: tuple(v) for k, v in out.items()}


# Romanisation used by make_world for Latin-script sources: Ukrainian KMU 2010 and a
# simplified BGN/PCGN for Russian. The benchmark's noise module covers the other standards.
_KMU = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "",
}  # fmt: skip
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_BGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip


def romanise(text: str, lang: str) -> str:
    """Latin spelling of Cyrillic text the way passports (uk) or news desks (ru) write it."""
    out: list[str] = []
    table = _KMU if lang == "uk" else _BGN
    word_start = True
    for ch in text:
        low = ch.lower()
        if low in table:
            if lang == "uk" and word_start and low in _KMU_INITIAL:
                lat = _KMU_INITIAL[low]
            elif lang == "uk" and low == "г" and out and out[-1].lower().endswith("z"):
                lat = "gh"  # KMU 2010 keeps зг apart from ж
            else:
                lat = table[low]
            if ch != low and lat:
                lat = lat[0].upper() + lat[1:]
            out.append(lat)
            word_start = False
        else:
            out.append(ch)
            word_start = not ch.isalpha()
    return "".join(out)
