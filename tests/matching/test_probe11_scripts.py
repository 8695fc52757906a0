"""Held-out probe (session 11), kept as regression cases: made-up people of the Caucasus,
Central Asia, Moldova, the Volga and the Greek and Armenian communities, written in their
own scripts and spellings (Moldovan Cyrillic, Romanian with comma or cedilla, Azerbaijani
«оглы», Uzbek Latin, Tajik and Tatar Cyrillic, Greek, Armenian, Georgian), a Russian and a
Ukrainian case form in the name column, name-only records; and the relatives who must stay
apart. All persons are made up; the spellings follow each language's usual orthography."""

from __future__ import annotations

import pytest
from tests.matching.scored import name_p as _p


@pytest.mark.parametrize(
    ("left", "left_date", "right", "right_date"),
    [
        # Moldovan: Russian Cyrillic, Romanian Latin with the comma and the cedilla ş
        ("Мунтяну Ион Васильевич", "1993-05-17", "MUNTEANU ION", "17.05.1993"),
        ("Ботнару Штефан", "1988-11-02", "Ştefan Botnaru", "1988"),
        ("Чеботарь Николай Петрович", "1979-03-30", "Nicolae Cebotari", "1979-03-30"),
        # Azerbaijani: «оглы» / oğlu patronymic, ə and ş
        ("Мамедов Рашад Эльшанович", "1990-02-11", "Məmmədov Rəşad Elşən oğlu", "1990"),
        ("Гусейнова Лейла Аликовна", "1995-07-07", "Гусейнова Лейла Алик кызы", "1995"),
        # Uzbek Latin (oʻ), Tajik and Bashkir Cyrillic letters
        ("Юлдашев Жасур Баходирович", "1992-04-04", "Jasur Yoʻldoshev", "1992-04-04"),
        ("Джураев Шерали", "1987-02-20", "Ҷӯраев Шералӣ", "1987"),
        ("Султанов Айдар Ринатович", "1986-03-03", "Солтанов Айҙар", "1986-03-03"),
        # Greek, Armenian and Georgian scripts
        ("Пападопулос Георгій Іванович", "1983-07-21", "Γεώργιος Παπαδόπουλος", "1983-07-21"),
        ("Петросян Ашот Гагикович", "1991-06-18", "Աշոտ Պետրոսյան", "1991-06-18"),
        ("Беридзе Гиорги Тамазович", "1993-02-14", "გიორგი ბერიძე", "1993-02-14"),
        # case forms in the name column: Russian instrumental, Ukrainian dative, given name first
        ("Соколов Дмитрий Игоревич", "1988-12-01", "Соколовым Дмитрием Игоревичем", "1988-12-01"),
        ("Коваленко Андрій Петрович", "1990-03-03", "Андрію Петровичу Коваленку", "1990"),
        # name only on both sides, across scripts
        ("Петросян Ашот Гагикович", "", "Ashot Petrosyan", ""),
    ],
)
def test_names_in_the_regions_own_scripts_are_the_same_person(
    left: str, left_date: str, right: str, right_date: str
) -> None:
    p = _p(left, left_date, right, right_date)
    assert p >= 0.5, (left, right, p)


@pytest.mark.parametrize(
    ("left", "left_date", "right", "right_date"),
    [
        # brothers: one surname and father, other given names and birth dates
        ("Петросян Ашот Гагикович", "1991-06-18", "Петросян Арам Гагикович", "1994-01-30"),
        # father and son in the Azerbaijani form: the son's «оглы» names the father
        ("Мамедов Рашад Эльшан оглы", "1990-02-11", "Мамедов Эльшан Рашад оглы", "1962-05-05"),
        # twins of one birth date whose given names share their first letters
        ("Гарипов Ильдар Рафаэлевич", "1994-08-15", "Гарипов Ильнур Рафаэлевич", "1994-08-15"),
        ("Пападопулос Георгій", "1983-07-21", "Пападопулос Костянтин", "1983-07-21"),
        # a brother and sister born the same day: the surname in its man's and woman's form
        ("Юлдашев Жасур Баходирович", "1992-04-04", "Юлдашева Жасмина Баходировна", "1992-04-04"),
        # namesakes across scripts, born decades apart
        ("Беридзе Гиорги Тамазович", "1993-02-14", "Giorgi Beridze", "1971-09-30"),
    ],
)
def test_relatives_and_namesakes_in_those_scripts_are_two_people(
    left: str, left_date: str, right: str, right_date: str
) -> None:
    p = _p(left, left_date, right, right_date)
    assert p < 0.5, (left, right, p)
