"""Held-out probe (session 10), kept as regression cases: one made-up person written as the
press of several languages writes a Ukrainian name, and the hard negatives a caseworker meets
(brothers, a father and son of one given name, namesakes born years apart) kept apart.
All persons are made up; the spellings follow each language's usual romanisation."""

from __future__ import annotations

import pytest
from tests.matching.scored import name_p as _p

# «Гнатюк Остап Тарасович», born 1991-04-12, as other languages' press and registries write him
_OSTAP = ("Гнатюк Остап Тарасович", "1991-04-12")


@pytest.mark.parametrize(
    ("written", "birth_date"),
    [
        ("HNATIUK OSTAP TARASOVYCH", "1991-04-12"),  # passport (KMU 2010), surname first
        ("Ostap Hnatjuk", "1991"),  # German press
        ("Ostap Hnatiouk", "12.04.1991"),  # French press
        ("Ostap Hnatiuk", "1991-04"),  # Polish / English press
        ("Ostapas Hnatiukas", "1991-04-12"),  # Lithuanian nominative endings
        ("Гнатюк Остап", "1991"),  # the same, no patronymic, year only
        ("Гнатюк Остап Тарасович", ""),  # name only against a dated record
    ],
)
def test_a_ukrainian_name_in_other_languages_spellings_is_the_same_person(
    written: str, birth_date: str
) -> None:
    p = _p(*_OSTAP, written, birth_date)
    assert p >= 0.5, (written, birth_date, p)


@pytest.mark.parametrize(
    ("left", "left_date", "right", "right_date"),
    [
        # brothers: one surname and father, other given names and birth dates
        ("Гнатюк Остап Тарасович", "1991-04-12", "Hnatiuk Taras Tarasovych", "1994-09-02"),
        # a father and his son of the same given name, a generation apart
        ("Мельничук Богдан Богданович", "1995-03-03", "Мельничук Богдан Іванович", "1968-11-20"),
        # namesakes: one full name, birth dates years apart
        ("Савчук Ірина Олегівна", "1979-05-05", "Iryna Savchuk", "1984-10-10"),
        # husband and wife: one surname in its male and female forms, other given names
        ("Гнатюк Остап Тарасович", "1991-04-12", "Гнатюк Мирослава Ігорівна", "1992-07-19"),
    ],
)
def test_relatives_and_namesakes_across_scripts_are_two_people(
    left: str, left_date: str, right: str, right_date: str
) -> None:
    p = _p(left, left_date, right, right_date)
    assert p < 0.5, (left, right, p)
