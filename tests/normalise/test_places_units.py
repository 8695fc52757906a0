"""Places across scripts and renamings; unit designations across abbreviations and languages."""

from __future__ import annotations

import pytest

from kintrace.normalise import parse_date, place_key, unit_key
from kintrace.normalise.dates import PartialDate


@pytest.mark.parametrize(
    "forms",
    [
        ["Дніпро", "Днепр", "Dnipro", "Дніпропетровськ", "г. Днепропетровск", "Dnipropetrovsk"],
        ["Бахмут", "Bakhmut", "Артемівськ", "Артёмовск, Донецкая обл.", "Artemivsk"],
        ["Кропивницький", "Kirovohrad", "Кировоград", "Kirovograd", "Kropyvnytskyi"],
        ["Харків", "Харьков", "Kharkiv", "Kharkov", "Charkiw", "м. Харків"],
        ["Київ", "Киев", "Kyiv", "Kiev"],
        ["Львів", "Львов", "Lviv", "Lwów", "Lemberg"],
    ],
    ids=["dnipro", "bakhmut", "kropyvnytskyi", "kharkiv", "kyiv", "lviv"],
)
def test_every_form_and_former_name_of_a_place_shares_one_key(forms: list[str]) -> None:
    assert len({place_key(f) for f in forms}) == 1


@pytest.mark.parametrize(
    "forms",
    [
        ["Горький", "Нижний Новгород", "Nizhny Novgorod", "г. Горький"],
        ["Калинин", "Калінін", "Тверь", "Tver"],
        ["Ленинград", "Санкт-Петербург", "Saint Petersburg"],
        ["Куйбышев", "Самара", "Samara"],
        ["Щорс", "Сновськ", "Snovsk"],
        ["Червоноград", "Шептицький", "Sheptytskyi"],
    ],
    ids=["nizhny", "tver", "petersburg", "samara", "snovsk", "sheptytskyi"],
)
def test_a_soviet_name_of_a_city_meets_its_name_of_today(forms: list[str]) -> None:
    assert len({place_key(f) for f in forms}) == 1


def test_a_former_name_two_cities_bore_names_neither() -> None:
    # Свердловск was Екатеринбург and Довжанськ: compared as not given, never as a wrong city.
    assert place_key("Свердловск") == ""
    assert place_key("Екатеринбург") != place_key("Довжанськ")
    assert place_key("Орджоникидзе") == ""


def test_a_village_outside_the_gazetteer_matches_across_ru_and_uk_spelling() -> None:
    assert place_key("с. Новоселівка") == place_key("село Новоселовка")
    assert place_key("Новоселівка") != place_key("Новопетрівка")


def test_different_places_keep_different_keys() -> None:
    assert place_key("Бахмут") != place_key("Дніпро")
    assert place_key("") == ""


@pytest.mark.parametrize(
    "forms",
    [
        ["в/ч 12345", "ВЧ-12345", "військова частина 12345", "military unit 12345"],
        ["в/ч А1234", "військова частина А-1234", "Military Unit A1234"],
        ["200 омсбр", "200-я отдельная мотострелковая бригада",
         "200th Separate Motor Rifle Brigade", "200 ОМСБр"],
        ["93 ОМБр", "93-тя окрема механізована бригада", "93rd Mechanized Brigade"],
        ["79 ОДШБр", "79-та окрема десантно-штурмова бригада", "79th Air Assault Brigade"],
    ],
    ids=["unit-number", "unit-number-letter", "motor-rifle", "mechanised", "air-assault"],
)  # fmt: skip
def test_unit_designations_in_any_language_share_one_key(forms: list[str]) -> None:
    assert len({unit_key(f) for f in forms}) == 1


def test_different_units_keep_different_keys() -> None:
    assert unit_key("200 омсбр") != unit_key("201 омсбр")
    assert unit_key("200 омсбр") != unit_key("200 мсп")
    assert unit_key("1-й батальон 200 омсбр") == unit_key("200 омсбр")
    assert unit_key("") == ""


def test_parse_date_is_the_partial_date_parser() -> None:
    assert parse_date("12.03.2001") == PartialDate(2001, 3, 12)
    assert parse_date("31.02.2001") is None


def test_a_unit_number_meets_itself_with_any_prefix_or_none() -> None:
    # A field-post number is one whatever the list writes before it.
    keys = {
        unit_key(t)
        for t in ("в/ч А1200", "А1200", "A-1200", "войсковая часть А1200", "military unit A1200")
    }
    assert keys == {"vc a1200"}
    assert unit_key("12345") == unit_key("воинская часть 12345") == unit_key("field post 12345")
    # A formation's short number stays a formation's.
    assert unit_key("200 омсбр") == "200 motor-rifle brigade"
