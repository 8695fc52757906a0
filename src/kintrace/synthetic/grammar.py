"""Russian and Ukrainian case endings of names, by rule, as people write them.

Shared by the world (the other side's lists sometimes copy a name in the genitive) and the
benchmark's noise. Pure standard library; the rules are this project's own, not pymorphy's,
so the benchmark does not share the engine's blind spots.
"""

from __future__ import annotations


def inflect(word: str, part: str, sex: str, lang: str, case: str) -> str:
    """`word` (a nominative given name, patronymic or surname) in the genitive, accusative
    or dative, by the common endings; rare patterns are left as they are."""
    rules = _INFLECTION[(lang, sex, case)]
    if sex == "M" and part == "given" and word in _FLEETING:
        # Names that lose or change a vowel when declined: Пётр -> Петра, Ігор -> Ігоря.
        stem, soft = _FLEETING[word]
        end = ("я" if case != "dat" else "ю") if soft else ("а" if case != "dat" else "у")
        return stem + end
    low = word.lower()
    for end, new, parts in rules:
        if low.endswith(end) and (not parts or part in parts):
            stem = word[: len(word) - len(end)] if end else word
            return stem + new
    return word


_FLEETING = {
    "Пётр": ("Петр", False), "Павел": ("Павл", False), "Лев": ("Льв", False),
    "Федір": ("Федор", False), "Яків": ("Яков", False), "Ігор": ("Ігор", True),
    "Игорь": ("Игор", True),
}  # fmt: skip
_R = tuple[str, str, str]  # ending, replacement, parts it applies to ("" = all)
_VELAR = ("г", "к", "х", "ж", "ш", "ч", "щ")


def _ru_male(case: str) -> list[_R]:
    gen = case in ("gen", "acc")
    a_end = {"gen": "ы", "acc": "у", "dat": "е"}[case]
    ia_end = {"gen": "и", "acc": "ю", "dat": "е"}[case]
    return [
        ("ский", {"gen": "ского", "acc": "ского", "dat": "скому"}[case], ""),
        ("цкий", {"gen": "цкого", "acc": "цкого", "dat": "цкому"}[case], ""),
        ("ой", "ого" if gen else "ому", "family"),
        ("ый", "ого" if gen else "ому", "family"),
        ("ий", "ия" if gen else "ию", "given"),
        ("енко", "енко", ""),
        ("ко", "ко", "family"),
        *[(v + "а", v + "и" if case == "gen" else v + a_end[-1:], "") for v in _VELAR],
        ("ца", "цы" if case == "gen" else "ц" + a_end, ""),
        ("ья", "ьи" if case == "gen" else "ь" + ia_end, ""),
        ("а", a_end, ""),
        ("я", ia_end, ""),
        ("й", "я" if gen else "ю", ""),
        ("ь", "я" if gen else "ю", ""),
        ("ич", "ича" if gen else "ичу", ""),
        ("ец", "ца" if gen else "цу", "family"),
        ("", "а" if gen else "у", ""),
    ]


def _ru_female(case: str) -> list[_R]:
    return [
        ("ская", {"gen": "ской", "acc": "скую", "dat": "ской"}[case], ""),
        ("цкая", {"gen": "цкой", "acc": "цкую", "dat": "цкой"}[case], ""),
        ("ая", {"gen": "ой", "acc": "ую", "dat": "ой"}[case], "family"),
        ("ова", {"gen": "овой", "acc": "ову", "dat": "овой"}[case], "family"),
        ("ева", {"gen": "евой", "acc": "еву", "dat": "евой"}[case], "family"),
        ("ина", {"gen": "иной", "acc": "ину", "dat": "иной"}[case], "family"),
        ("ия", {"gen": "ии", "acc": "ию", "dat": "ии"}[case], ""),
        ("ья", {"gen": "ьи", "acc": "ью", "dat": "ье"}[case], ""),
        *[(v + "а", v + {"gen": "и", "acc": "у", "dat": "е"}[case], "") for v in _VELAR],
        ("а", {"gen": "ы", "acc": "у", "dat": "е"}[case], ""),
        ("я", {"gen": "и", "acc": "ю", "dat": "е"}[case], ""),
        ("овь", {"gen": "ови", "acc": "овь", "dat": "ови"}[case], "given"),
    ]


def _uk_male(case: str) -> list[_R]:
    gen = case in ("gen", "acc")
    return [
        ("ський", "ського" if gen else "ському", ""),
        ("цький", "цького" if gen else "цькому", ""),
        ("ий", "ого" if gen else "ому", "family"),
        ("ой", "ого" if gen else "ому", "family"),
        ("ієць", "ійця" if gen else "ійцю", "family"),
        ("ець", "ця" if gen else "цю", "family"),
        ("ій", "ія" if gen else "ію", ""),
        ("енко", "енка" if gen else "енку", ""),
        ("ко", "ка" if gen else "ку", "family"),
        ("о", "а" if gen else "ові", ""),
        ("ця", {"gen": "ці", "acc": "цю", "dat": "ці"}[case], ""),
        ("ля", {"gen": "лі", "acc": "лю", "dat": "лі"}[case], ""),
        ("а", {"gen": "и", "acc": "у", "dat": "і"}[case], ""),
        ("я", {"gen": "і", "acc": "ю", "dat": "і"}[case], ""),
        ("ь", "я" if gen else "ю", ""),
        ("й", "я" if gen else "ю", ""),
        ("іч", "іча" if gen else "ічу", ""),
        ("ич", "ича" if gen else "ичу", ""),
        ("", "а" if gen else "у", ""),
    ]


def _uk_female(case: str) -> list[_R]:
    return [
        ("ська", {"gen": "ської", "acc": "ську", "dat": "ській"}[case], ""),
        ("цька", {"gen": "цької", "acc": "цьку", "dat": "цькій"}[case], ""),
        ("ова", {"gen": "ової", "acc": "ову", "dat": "овій"}[case], "family"),
        ("ева", {"gen": "евої", "acc": "еву", "dat": "евій"}[case], "family"),
        ("іна", {"gen": "іної", "acc": "іну", "dat": "іній"}[case], "family"),
        ("а", {"gen": "ої", "acc": "у", "dat": "ій"}[case], "family"),
        ("ія", {"gen": "ії", "acc": "ію", "dat": "ії"}[case], ""),
        ("ця", {"gen": "ці", "acc": "цю", "dat": "ці"}[case], ""),
        ("а", {"gen": "и", "acc": "у", "dat": "і"}[case], ""),
        ("я", {"gen": "і", "acc": "ю", "dat": "і"}[case], ""),
        ("ов", {"gen": "ові", "acc": "ов", "dat": "ові"}[case], "given"),
    ]


def _inflection_tables() -> dict[tuple[str, str, str], list[tuple[str, str, frozenset[str]]]]:
    out = {}
    for case in ("gen", "acc", "dat"):
        for (lang, sex), fn in {
            ("ru", "M"): _ru_male,
            ("ru", "F"): _ru_female,
            ("uk", "M"): _uk_male,
            ("uk", "F"): _uk_female,
        }.items():
            out[(lang, sex, case)] = [
                (e, n, frozenset(p.split()) if p else frozenset()) for e, n, p in fn(case)
            ]
    return out


_INFLECTION = _inflection_tables()
