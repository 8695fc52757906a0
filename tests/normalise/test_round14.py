"""The 14th round: Lithuanian ch, Polish -cki, Czech ř, Greek μπ/ντ, Yiddish in Hebrew letters,
a Georgian name's order, dates as lists write them, and ranks and units in the name column.
All people here are made up."""

from __future__ import annotations

import pytest

from kintrace.normalise import analyse_name, parse_date
from kintrace.normalise.dates import PartialDate, date_in_name


def _family_met(a: str, b: str) -> bool:
    return bool(analyse_name(a).family_variants & analyse_name(b).family_variants)


@pytest.mark.parametrize(
    ("lithuanian", "cyrillic"),
    [("Chodakovas Petras", "Ходаков Пётр"), ("Kuchalevas Michailas", "Кухалев Михаил")],
)
def test_lithuanian_ch_is_kh_in_the_key(lithuanian: str, cyrillic: str) -> None:
    # Lithuanian writes ч as č, so its ch is х: the keys agree, not only a variant.
    assert analyse_name(lithuanian).family == analyse_name(cyrillic).family


@pytest.mark.parametrize(
    ("polish", "cyrillic"),
    [
        ("Jan Nowicki", "Новицкий Ян"),
        ("Anna Nowicka", "Новицкая Анна"),
        ("Witold Radecki", "Радецкий Витольд"),
    ],
)
def test_polish_cki_is_tskiy(polish: str, cyrillic: str) -> None:
    assert analyse_name(polish).family == analyse_name(cyrillic).family


def test_polish_cki_with_rz() -> None:
    # rz (ж) and -cki (-цкий) in one word: Wierzbicki is Вежбицкий.
    assert _family_met("Jan Wierzbicki", "Ян Вежбицкий")


def test_czech_r_caron_is_rzh() -> None:
    assert analyse_name("Jiří Dvořák").family == analyse_name("Иржи Дворжак").family
    assert analyse_name("Jiří Dvořák").given == analyse_name("Иржи Дворжак").given
    # ...and the press without marks still reaches the given name.
    assert analyse_name("Jiri Dvorak").given == analyse_name("Иржи Дворжак").given
    assert "dvorak" in analyse_name("Jiří Dvořák").family_variants


def test_greek_mp_inside_a_word_may_be_b() -> None:
    assert _family_met("Σεργκέι Μπάμπκιν", "Сергей Бабкин")


@pytest.mark.parametrize(
    ("yiddish", "cyrillic"),
    [("לייב ראָזענבלאַט", "Розенблат Лейб"), ("שמעון קוויטקאָ", "Квітко Шимон")],
)
def test_yiddish_in_hebrew_letters_reads_its_vowels(yiddish: str, cyrillic: str) -> None:
    # Pointed alefs (אָ o, אַ a), פֿ f and וו v spell the name as said.
    assert analyse_name(yiddish).family == analyse_name(cyrillic).family


def test_yiddish_unpointed_given_name_beside_a_marked_surname() -> None:
    assert "leb" in analyse_name("לייב ראָזענבלאַט").given_variants


def test_hebrew_without_yiddish_marks_keeps_its_key() -> None:
    # Modern Hebrew spelling is untouched: the Yiddish reading needs a pointed letter.
    x = analyse_name("משה לוי")
    assert (x.given, x.family) == ("moce", "lvi")


@pytest.mark.parametrize(
    "name", ["Гоголашвили Бидзина", "Бидзина Гоголашвили", "Bidzina Gogolaszwili"]
)
def test_georgian_surname_ending_beats_a_given_name_in_ina(name: str) -> None:
    # -швили is a surname only; Бидзина (a man's name, now in the tables) ends like Ильина.
    x = analyse_name(name)
    assert (x.given, x.family, x.sex) == ("bidsina", "gogolacvili", "M")


def test_georgian_ending_decides_for_a_given_name_the_tables_lack() -> None:
    x = analyse_name("Гоголашвили Беридина")
    assert (x.given, x.family) == ("beridina", "gogolacvili")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 Mar 1991", PartialDate(1991, 3, 12)),
        ("12 MARCH 1991", PartialDate(1991, 3, 12)),
        ("March 12, 1991", PartialDate(1991, 3, 12)),
        ("12-Mar-1991", PartialDate(1991, 3, 12)),
        ("12 березня 1991 р.", PartialDate(1991, 3, 12)),
        ("25 мая 1980 г.", PartialDate(1980, 5, 25)),
        ("7 окт. 1960", PartialDate(1960, 10, 7)),
        ("1 листопада 2001", PartialDate(2001, 11, 1)),
        ("Sep 1990", PartialDate(1990, 9)),
        ("1991.03.12", PartialDate(1991, 3, 12)),
        ("1991/03/12", PartialDate(1991, 3, 12)),
        ("12.03.1991р.", PartialDate(1991, 3, 12)),
        ("12.03.1991 г.р.", PartialDate(1991, 3, 12)),
        ("1991 г.р.", PartialDate(1991)),
        ("1991 року", PartialDate(1991)),
        # A spreadsheet's date-time cells, and commas for dots.
        ("1990-05-04 00:00:00", PartialDate(1990, 5, 4)),
        ("1991-03-12T00:00:00", PartialDate(1991, 3, 12)),
        ("12.03.1991 0:00:00", PartialDate(1991, 3, 12)),
        ("12,03,1991", PartialDate(1991, 3, 12)),
    ],
)
def test_dates_as_lists_write_them(text: str, expected: PartialDate) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31 Feb 1990", "12 Foo 1991", "abc", "1991.13.01", "р.", "31.02.2001 00:00", "yesterday"],
)
def test_unreadable_or_impossible_dates_stay_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("listed", "given", "family"),
    [
        ("СТ. ЛЕЙТЕНАНТ ІВАНЕНКО НАЗАР ЗУРАБОВИЧ 110 ОМБр", "nasar", "ivanenko"),
        ("ВЛАСЕНКО ДМИТРО ЄВГЕНОВИЧ, головний сержант, ДПСУ", "dmitri", "vlasenko"),
        ("мл. сержант Петренко Іван, в/ч А0501", "ivan", "petrenko"),
    ],
)
def test_ranks_and_units_around_a_listed_name_are_no_name(
    listed: str, given: str, family: str
) -> None:
    x = analyse_name(listed)
    assert (x.given, x.family) == (given, family)


@pytest.mark.parametrize(
    ("written", "given", "family"),
    [
        ("Саргсян Серж Азатович", "serge", "sargsan"),
        ("СЕРЖ САРГСЯН", "serge", "sargsan"),
        ("мл. серж. Саргсян Арам", "aram", "sargsan"),
        ("ст серж Іваненко Петро", "petr", "ivanenko"),
    ],
)
def test_a_rank_abbreviation_that_is_also_a_name_is_cut_only_as_an_abbreviation(
    written: str, given: str, family: str
) -> None:
    # «серж.» is a sergeant; Серж (Serge) is a man's name.
    x = analyse_name(written)
    assert (x.given, x.family) == (given, family)


@pytest.mark.parametrize("name", ["Son Min-jun", "Pan Wei", "Maj Lindqvist"])
def test_a_surname_or_given_name_that_is_also_a_noise_word_is_kept(name: str) -> None:
    # Korean Son, Chinese Pan, Swedish Maj are names, not "son", "Mr" or "Major".
    x = analyse_name(name)
    assert x.given and x.family


def test_a_cut_rank_before_initials() -> None:
    x = analyse_name("ст. солдат СЕМЕНКО А.О.")
    assert (x.given, x.family, x.given_initials) == ("", "semenko", frozenset({"a"}))


def test_a_two_letter_given_name_abbreviation_stays() -> None:
    # «Ст.» with a capital may be a given name's first letters, not a rank.
    assert analyse_name("Ст. Іваненко").given_initials == frozenset({"s"})


@pytest.mark.parametrize(
    ("name", "given", "family"),
    [("Розенблат Лейб", "leb", "rosenblat"), ("Каплан Гершл", "gercl", "kaplan")],
)
def test_yiddish_given_names_tell_the_order(name: str, given: str, family: str) -> None:
    # Лейб, Гершл, Мордух, Двойра ... are given names: the surname is the other word.
    x = analyse_name(name)
    assert (x.given, x.family, x.sex) == (given, family, "M")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Абдуллаев Арсен Витальевич, 25.10.2001 г.р.", PartialDate(2001, 10, 25)),
        ("Зайцев Олег Петрович 1991 г.р.", PartialDate(1991)),
        ("Іваненко Назар, 1990 р.н.", PartialDate(1990)),
        ("Ivan Petrenko, born 1980", PartialDate(1980)),
        ("Петренко Іван 1999-02-03", PartialDate(1999, 2, 3)),
        # No date, a unit's number, or two dates (a birth and a death): none is taken.
        ("Петренко Іван", None),
        ("ІВАНЕНКО НАЗАР 110 ОМБр", None),
        ("Петренко Іван 12.03.1991 - 05.05.2022", None),
    ],
)
def test_the_birth_date_a_name_column_holds(text: str, expected: PartialDate | None) -> None:
    assert date_in_name(text) == expected


@pytest.mark.parametrize(
    ("written", "nominative"),
    [
        ("Дуде Анджею", "Анджей Дуда"),
        ("Andrzej Nowak", "Анджей Новак"),
        ("Grzegorz Nowak", "Гжегож Новак"),
        ("Jerzy Nowak", "Ежи Новак"),
        ("Lech Nowak", "Лех Новак"),
        ("Krzysztof Nowak", "Кшиштоф Новак"),
        ("Wojciech Nowak", "Войцех Новак"),
        ("Małgorzata Nowak", "Малгожата Новак"),
    ],
)
def test_polish_given_names_in_cyrillic(written: str, nominative: str) -> None:
    # The Cyrillic forms of Polish names are known (Анджей, Гжегож, Ежи, Лех...), so a
    # dative «Дуде Анджею» is declined back and the order of «Новак Лех» is clear.
    x, y = analyse_name(written), analyse_name(nominative)
    assert (x.given, x.family) == (y.given, y.family)


def test_a_georgian_womans_name_in_the_dative() -> None:
    x = analyse_name("Мускури Нане")
    assert (x.given, x.family, x.sex) == ("nana", "muskuri", "F")


def test_digits_inside_a_name_word_stay_an_ocr_slip() -> None:
    # Only a word mostly of digits is a number (110, А0501); «0льг4» is Ольга misread.
    x = analyse_name("0льг4 Петренко")
    assert x.given and x.family == "petrenko"


@pytest.mark.parametrize("text", ["2001-03-12", "2001-03", "2001", "12.03.2001", "", "31.02.2001"])
def test_the_contract_forms_read_exactly_as_the_domain_parser_reads_them(text: str) -> None:
    # DESIGN's five forms (and an impossible date) are the domain parser's, unchanged.
    from kintrace.domain.dates import parse_partial_date

    assert parse_date(text) == parse_partial_date(text)
