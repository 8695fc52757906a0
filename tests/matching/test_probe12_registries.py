"""Held-out probe (session 12), kept as regression cases: names as registries write them in the
name column — a Ukrainian casualty list in upper case with the rank before or after the name,
a Russian prisoner-exchange list with the birth date written after the name («…, 02.06.1979
г.р.»), an English NGO list as "SURNAME, Given", German, Polish and Czech press spellings with
their diacritics — against a family's enquiry in Ukrainian; and the relatives and namesakes in
those layouts who must stay apart. All persons are made up."""

from __future__ import annotations

import pytest
from tests.matching.scored import name_p as _p


@pytest.mark.parametrize(
    ("left", "left_date", "right", "right_date"),
    [
        # casualty list: rank before the name, upper case, DD.MM.YYYY
        (
            "Гнатюк Остап Ярославович",
            "1993-04-12",
            "СТАРШИЙ СОЛДАТ ГНАТЮК ОСТАП ЯРОСЛАВОВИЧ",
            "12.04.1993",
        ),
        # rank after the name, separated by a comma
        (
            "Дорошенко Ірина Олегівна",
            "1988-09-30",
            "ДОРОШЕНКО ІРИНА ОЛЕГІВНА, молодший сержант",
            "30.09.1988",
        ),
        ("Гнатюк Остап Ярославович", "1993-04-12", "ГНАТЮК Остап Ярославович, сержант", ""),
        # prisoner-exchange list: Russian spelling, the birth date inside the name column
        ("Ткачук Василь Петрович", "1979-06-02", "Ткачук Василий Петрович, 02.06.1979 г.р.", ""),
        ("Ткачук Василь Петрович", "1979-06-02", "ТКАЧУК Василий Петрович, д.р. 02.06.1979", ""),
        # English NGO list: "SURNAME, Given [Patronymic]"
        ("Мельничук Олена Василівна", "1991-03-12", "MELNYCHUK, Olena", "1991-03-12"),
        ("Гуменюк Богдан Степанович", "1984-07-19", "HUMENIUK, Bohdan Stepanovych", "19.07.1984"),
        # German, Polish and Czech press: given name first, their own letters
        ("Олійник Тарас Іванович", "1985-11-05", "Taras Ołijnyk", "05.11.1985"),
        ("Олійник Тарас Іванович", "1985-11-05", "Taras Olijnyk", ""),
        ("Кравчук Роман Миколайович", "1990-01-23", "Roman Kravčuk", "23.01.1990"),
        ("Ковальчук Леся Андріївна", "1987-05-08", "Łesia Kowalczuk", "1987"),
    ],
)
def test_a_registry_layout_in_the_name_column_is_the_same_person(
    left: str, left_date: str, right: str, right_date: str
) -> None:
    p = _p(left, left_date, right, right_date)
    assert p >= 0.5, (left, right, p)


@pytest.mark.parametrize(
    ("left", "left_date", "right", "right_date"),
    [
        # brothers in a casualty list: one surname and father, other given names and dates
        ("Гнатюк Остап Ярославович", "1993-04-12", "СОЛДАТ ГНАТЮК ДЕНИС ЯРОСЛАВОВИЧ", "07.02.1996"),
        # a brother and sister born the same day, the rank after the name
        (
            "Дорошенко Ірина Олегівна",
            "1988-09-30",
            "ДОРОШЕНКО ІГОР ОЛЕГОВИЧ, молодший сержант",
            "30.09.1988",
        ),
        # namesakes in an NGO list and in the Polish press, born years apart
        ("Мельничук Олена Василівна", "1991-03-12", "MELNYCHUK, Olena", "1978-10-01"),
        ("Олійник Тарас Іванович", "1985-11-05", "Taras Ołijnyk", "14.02.1962"),
    ],
)
def test_relatives_and_namesakes_in_a_registry_layout_stay_apart(
    left: str, left_date: str, right: str, right_date: str
) -> None:
    p = _p(left, left_date, right, right_date)
    assert p < 0.5, (left, right, p)
