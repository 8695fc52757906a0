"""Inflected Cyrillic names back to the nominative, with pymorphy3 (ru and uk dictionaries).

The analysers are built once per process (about 0.15 s) and every answer is cached per word,
so a repeated token costs a dictionary lookup.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct", "voct")


@cache
def _analyser(lang: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


def _lang(lang: str | None) -> str:
    return "uk" if lang == "uk" else "ru"


@lru_cache(maxsize=200_000)
def _parses(word: str, lang: str) -> tuple[Any, ...]:
    # One dictionary look-up per word (about 0.15 ms): the case and nominative questions
    # below all read the same parses.
    return tuple(_analyser(lang).parse(word))


@lru_cache(maxsize=200_000)
def name_cases(word: str, lang: str | None, kind: str) -> tuple[str, ...]:
    """Grammatical cases in which ``word`` can be a given name (kind "Name") or patronymic ("Patr").

    Ordered by pymorphy's score; empty when the word is not such a name.
    """
    out: list[str] = []
    for p in _parses(word, _lang(lang)):
        case = str(p.tag.case) if p.tag.case else ""
        # A person's name is singular; plural readings (Марии as "the Marias") mislead.
        if p.tag.number and str(p.tag.number) == "plur":
            continue
        # Only dictionary words: a guessed "Name" reading turns Кваме into a case of "Квама".
        if kind in p.tag and case and case not in out and p.is_known:
            out.append(case)
    return tuple(out)


@lru_cache(maxsize=200_000)
def nominative(word: str, lang: str | None, case: str, sex: str | None) -> str | None:
    """The nominative singular of ``word`` read in ``case`` (and gender ``sex``), or None.

    Only parses that are nouns or adjectives of a person (surname, name, patronymic, or an
    ordinary noun that is also a surname, e.g. Кислица) are used; the result keeps the gender,
    so Ивановой gives Иванова, not Иванов.
    """
    if case == "nomn":
        return None
    gender = {"M": "masc", "F": "femn"}.get(sex or "")
    best = None
    for p in _parses(word, _lang(lang)):
        tag = p.tag
        # Compare grammemes as strings: the uk tag set raises on unknown grammemes.
        tag_gender = str(tag.gender) if tag.gender else None
        if str(tag.case) != case or tag.POS not in {"NOUN", "ADJF"}:
            continue
        if tag.number == "plur" and "Surn" not in tag:
            continue
        if not p.is_known and "Surn" not in tag:
            continue  # a guessed ordinary noun is no evidence (Асанте is not a case of anything)
        # A surname, name or adjective has the person's gender (Черного is Черный for a man,
        # not Черное); a noun keeps its own (Кислица is feminine whoever bears it).
        personal = "Surn" in tag or "Name" in tag or tag.POS == "ADJF"
        if gender and personal and tag_gender not in (gender, "ms-f", None):
            continue
        best = p
        break
    if best is None:
        return None
    form = best.inflect({"nomn", "sing"})
    if form is not None:
        return str(form.word)
    # The uk dictionary often cannot inflect; its lemma is right except for feminine
    # surnames and adjectives, whose lemma is the masculine form.
    feminine = best.tag.gender and str(best.tag.gender) == "femn"
    if feminine and ("Surn" in best.tag or best.tag.POS == "ADJF"):
        # ...but a feminine surname the dictionary lists under its own feminine lemma
        # (Білої -> Біла, Сороки -> Сорока) is already right.
        lemma = str(best.normal_form)
        if "Surn" in best.tag and lemma.endswith(("а", "я")):
            return lemma
        return None
    return str(best.normal_form)


@lru_cache(maxsize=200_000)
def is_known_person_word(word: str, lang: str | None) -> bool:
    """True when pymorphy knows ``word`` as a name, surname or patronymic (layout repair test)."""
    return any(
        ("Name" in p.tag or "Surn" in p.tag or "Patr" in p.tag) and p.is_known
        for p in _parses(word, _lang(lang))
    )
