"""kintrace-fs-6: a double surname against one of its parts with a slip, a birth year worked
out from an age, and a unit written as a field-post number on one side and by name on the
other (the level comes first in each test: a caseworker reads it in the explanation)."""

from __future__ import annotations

from tests.matching.scored import scored as _scored
from tests.matching.scored import shipped_model

from kintrace.matching import MODEL_VERSION


def test_the_shipped_model_is_fs6_or_later() -> None:
    assert int(MODEL_VERSION.rsplit("-", 1)[1]) >= 6  # fs-10 sorts before fs-9 as text


def test_a_double_surname_meets_one_of_its_parts_misspelt() -> None:
    p, levels = _scored(
        {"full_name": "Морозов-Пилипенко Андрій", "birth_date": "1981-04-03"},
        {"full_name": "Пилипеко Андрій", "birth_date": "1981-04-03"},
    )
    assert levels["family_name"] == "one is a part of the other's double surname, with a slip"
    assert p >= 0.5


def test_a_surname_with_a_suffix_is_not_read_as_a_part_of_a_double_surname() -> None:
    _, levels = _scored(
        {"full_name": "Мельник Петро", "birth_date": "1970-02-02"},
        {"full_name": "Мельниченко Петро", "birth_date": "1970-02-02"},
    )
    assert levels["family_name"] == "one is the other plus a surname suffix (another family?)"


def test_a_birth_year_one_off_against_a_full_date_costs_less_than_two_full_dates_a_year_apart() -> (
    None
):
    name = {"full_name": "Семенов Станіслав Іванович"}
    p_year, levels = _scored({**name, "birth_date": "1968"}, {**name, "birth_date": "1967-05-14"})
    assert levels["birth_date"] == "years one apart, the rest is not given on one side"
    p_full, levels = _scored(
        {**name, "birth_date": "1968-09-30"}, {**name, "birth_date": "1967-05-14"}
    )
    # Since kintrace-fs-9 two full dates a year apart on other days have a level of their own.
    assert levels["birth_date"].startswith("years one apart")
    assert levels["birth_date"] != "years one apart, the rest is not given on one side"
    assert p_year > p_full


def test_a_field_post_number_and_a_units_name_are_not_read_as_two_units() -> None:
    name = {"full_name": "Коваленко Андрій Петрович"}
    p_forms, levels = _scored(
        {**name, "military_unit": "в/ч А1234"},
        {**name, "military_unit": "24 окрема механізована бригада"},
    )
    assert levels["military_unit"] == "a field-post number against a unit's name"
    p_two, levels = _scored(
        {**name, "military_unit": "в/ч А1234"}, {**name, "military_unit": "в/ч А7777"}
    )
    assert levels["military_unit"] == "different"
    assert p_forms > p_two


def test_the_previous_model_file_fs5_still_loads_and_scores() -> None:
    model = shipped_model("kintrace-fs-5")
    assert not any(
        lvl.label == "a field-post number against a unit's name"
        for c in model.comparisons
        for lvl in c.levels.values()
    )
