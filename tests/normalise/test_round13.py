"""Session 11 (13th round of docs/normalise.md): names of Estonian, Belarusian, Romanian and
Japanese spellings, the patronymic of Савва, the pet name Гуля. Made-up people only."""

from __future__ import annotations

import pytest

from kintrace.normalise import analyse_name


def _same_person(a: str, b: str) -> bool:
    x, y = analyse_name(a), analyse_name(b)
    return bool(x.family_variants & y.family_variants and x.given_variants & y.given_variants)


@pytest.mark.parametrize(
    ("written", "other"),
    [
        # Estonian and Finnish write ч as tš.
        ("Mihhail Tšerepanov", "Михаил Черепанов"),
        ("Anatoli Tšubarov", "Анатолий Чубаров"),
        # Belarusian final ў after a consonant, in Latin -ou (Рыжанкоў: Рыженков).
        ("Mikalai Ryzhankou", "Николай Рыженков"),
        ("Ryzhankou Mikalai", "Рыженков Николай"),
        ("Pavel Kozlou", "Павел Козлов"),
        # Romanian ă is э.
        ("Mihai Pădureanu", "Михай Пэдуряну"),
        ("Vasile Bălan", "Василе Бэлан"),
        # Japanese writes ди as ジ (as it writes ти as チ), and a word's вл- as ウラ.
        ("ウラジーミル・ペトロフ", "Владимир Петров"),
        ("ワジム・イワノフ", "Вадим Иванов"),
        ("ロジオン・ペトロフ", "Родион Петров"),
        # Polish rz is ж, ш; and a Polish name is no text typed in the wrong layout, though its
        # digraphs leave it few vowels (Lech read as «Дуср», a slip of Дуся).
        ("Lech Kaczmarczyk", "Лех Качмарчик"),
        ("Lech Kaczmarczyński", "Лех Качмарчиньский"),
        ("Zbigniew Brzozowski", "Збигнев Бжозовский"),
        ("Jerzy Kowalczyk", "Ежи Ковальчик"),
        # Гуля is a pet name of Гульнара (not a slip of Уля).
        ("Гуля Ахметова", "Гульнара Ахметова"),
    ],
)
def test_other_spellings_meet(written: str, other: str) -> None:
    assert _same_person(written, other)


@pytest.mark.parametrize(
    "name",
    ["Пётр Саввич Ильин", "Пётр Савич Ильин", "Ильин Пётр Саввич", "Petr Savvich Ilyin"],
)
def test_the_patronymic_of_savva(name: str) -> None:
    # Саввич is Савва's son: the в is the father's, not the Belarusian -авіч's. Before, the
    # word was no patronymic and became half of a double surname «Саввич-Ильин».
    a = analyse_name(name)
    assert (a.patronymic, a.family) == ("sava", "ilin")
    assert analyse_name("Мария Саввична Ильина").patronymic == "sava"


def test_a_surname_before_the_given_name_stays_the_surname() -> None:
    assert analyse_name("Савич Пётр").family == "savic"


def test_the_wrong_layout_is_still_read() -> None:
    # The Polish guard leaves the real cases alone: Cyrillic typed in the Latin layout.
    assert analyse_name("Cthutq Rbckbwf").given == analyse_name("Сергей Кислица").given
    assert analyse_name("Dflbr Rbctktd").family == analyse_name("Вадик Киселев").family


def test_tatar_zhe_is_dzh() -> None:
    # Tatar җ is дж (Җәлилов: Джалилов).
    assert analyse_name("Марат Җәлилов").family == analyse_name("Марат Джалилов").family


def test_a_belarusian_father_s_name_in_the_patronymic() -> None:
    # Рыгоравіч is the son of Рыгор, the Belarusian Григорий.
    a = analyse_name("Андрэй Рыгоравіч Казлоў")
    assert a.patronymic == analyse_name("Козлов Андрей Григорьевич").patronymic == "grigori"


def test_charles_is_sharl_and_simona_a_woman() -> None:
    assert _same_person("Charles Martin", "Мартин Шарль")
    assert analyse_name("ПЕТРЕСКУ СИМОНА").sex == "F"
    assert analyse_name("Petrescu Simona").sex == "F"


@pytest.mark.parametrize(
    ("inflected", "nominative"),
    [
        ("Вилксом Дональдом", "Вилкс Дональд"),
        ("Ландбергисом Витаутасом", "Ландбергис Витаутас"),
        ("Качмарським Лехом", "Качмарський Лех"),
    ],
)
def test_a_man_s_instrumental_of_names_the_tables_do_not_know(
    inflected: str, nominative: str
) -> None:
    a, b = analyse_name(inflected), analyse_name(nominative)
    assert (a.given, a.family) == (b.given, b.family)


def test_the_son_of_and_daughter_of_particles_say_the_sex() -> None:
    # «огли» is "son of": a surname in -ва beside it is a man's genitive (Алієва Гейдара),
    # not a woman's surname; «кызы» is "daughter of".
    assert analyse_name("Алієва Гейдара Алірза огли").sex == "M"
    assert analyse_name("Алиева Севиль Гейдар кызы").sex == "F"
    assert analyse_name("Aliyeva Sevil Heydar qızı").sex == "F"
