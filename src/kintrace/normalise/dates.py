"""Dates for matching: the parser the exchange CSV and the forms use, and the comparison."""

from __future__ import annotations

import re

from kintrace.domain.dates import (
    DateAgreement,
    PartialDate,
    compare_dates,
    parse_partial_date,
)

# Month names as registries and NGO lists write them: English, Ukrainian and Russian, full
# (nominative or genitive) or cut to three letters or more ("Mar", "MARCH", "березня", "окт").
_MONTHS = [
    ("jan", "січ", "янв"), ("feb", "лют", "фев"), ("mar", "берез", "мар"), ("apr", "квіт", "апр"),
    ("may", "трав", "ма[йя]"), ("jun", "черв", "июн"), ("jul", "лип", "июл"), ("aug", "серп", "авг"),
    ("sep", "верес", "сен"), ("oct", "жовт", "окт"), ("nov", "листоп", "ноя"),
    ("dec", "груд", "дек"),
]  # fmt: skip
_MONTH = re.compile(
    "|".join(f"(?P<m{i}>(?:{'|'.join(names)})[a-zа-яіїєё]*\\.?)" for i, names in enumerate(_MONTHS))
)
_MONTH_WORD = f"(?:{_MONTH.pattern})"
# "12 Mar 1991", "12-Mar-1991", "12 березня 1991", "March 12, 1991", "Mar 1991".
_DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})[\s\-./]*{_MONTH_WORD}[\s\-./,]*(\d{{4}})$")
_MONTH_DAY_YEAR = re.compile(rf"^{_MONTH_WORD}\s*(\d{{1,2}})(?:st|nd|rd|th)?[\s,]+(\d{{4}})$")
_MONTH_YEAR = re.compile(rf"^{_MONTH_WORD}[\s\-./,]*(\d{{4}})$")
# "1991.03.12", "1991/03/12": year first with another separator than the ISO hyphen.
_YMD = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})$")
# A year's word or the "born" of a registry after the date: "12.03.1991 р.", "1991 г.р.",
# "1991 року", "1991 года", "1991 г", "b. 1991" is not (the text before the date stays).
_YEAR_WORD = re.compile(
    r"\s*(?:г\.?\s*р\.?|р\.?\s*н\.?|р\.|г\.|р|г|року|рік|года|год|гг?\.?|yr\.?)\s*$", re.IGNORECASE
)


# A spreadsheet's date-time cell ("1990-05-04 00:00:00", "1991-03-12T00:00", "12.03.1991 0:00"):
# the time goes. And "12,03,1991", commas for dots.
_TIME = re.compile(r"(?<=\d)(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$")
_COMMA_DMY = re.compile(r"^(\d{1,2}),(\d{1,2}),(\d{2}|\d{4})$")


def _month_of(m: re.Match[str]) -> int:
    return next(i + 1 for i in range(12) if m.group(f"m{i}"))


def parse_date(text: str) -> PartialDate | None:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``DD.MM.YYYY`` or ``D.M.YY``, and the forms
    lists write: a month's name in English, Ukrainian or Russian ("12 Mar 1991", "March 12,
    1991", "12 березня 1991 р."), ``YYYY.MM.DD`` or ``YYYY/MM/DD``, and a trailing year word
    ("1991 г.р.", "12.03.1991р."), a spreadsheet's time after the date ("1990-05-04 00:00:00")
    and "12,03,1991".

    None when the text is empty, unreadable or an impossible date; the caller warns.
    """
    parsed = parse_partial_date(text)
    if parsed is not None or not text or not text.strip():
        return parsed
    s = _YEAR_WORD.sub("", _TIME.sub("", text.strip().lower()))
    s = _COMMA_DMY.sub(r"\1.\2.\3", s)
    if s != text.strip().lower() and (parsed := parse_partial_date(s)) is not None:
        return parsed
    s = " ".join(s.split())
    try:
        if m := _YMD.match(s):
            return PartialDate(int(m[1]), int(m[2]), int(m[3]))
        if m := _DAY_MONTH_YEAR.match(s):
            return PartialDate(int(m.groups()[-1]), _month_of(m), int(m[1]))
        if m := _MONTH_DAY_YEAR.match(s):
            groups = m.groups()
            return PartialDate(int(groups[-1]), _month_of(m), int(groups[-2]))
        if m := _MONTH_YEAR.match(s):
            return PartialDate(int(m.groups()[-1]), _month_of(m))
    except ValueError:
        return None
    return None


# A date written inside a name column (POW-exchange and casualty lists: «Зайцев Олег Петрович,
# 12.03.1991 г.р.»): a full numeric date, or a year followed by the registry's "born".
_DATE_IN_TEXT = re.compile(
    r"(?<![\d.])(?:\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}-\d{2}-\d{2})(?![\d.]\d)"
    r"|(?<!\d)\d{4}\s*(?:г\.?\s*р\.?|р\.?\s*н\.?|року\s+народження|года\s+рождения)"
    r"|(?:born|b\.|род\.|нар\.)\s*\d{4}(?!\d)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\d{4}")


def date_in_name(text: str) -> PartialDate | None:
    """The one birth date a name column holds beside the name, or None (none, or two, which
    may be a birth and a death)."""
    if not text or not any(ch.isdigit() for ch in text):
        return None
    found = _DATE_IN_TEXT.findall(text)
    if len(found) != 1:
        return None
    date = parse_date(found[0])
    if date is None and (year := _YEAR.search(found[0])):
        date = parse_date(year[0])
    return date


__all__ = ["DateAgreement", "PartialDate", "compare_dates", "date_in_name", "parse_date"]
