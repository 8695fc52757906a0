"""The DESIGN.md family: one man written nine ways, and the relatives who must stay apart."""

from __future__ import annotations

import pytest

from kintrace.matching import link_records

SOUGHT = {
    "record_id": "sought",
    "full_name": "Кислица Сергей Викторович",
    "birth_date": "2001-03-12",
    "sex": "M",
    "birth_place": "Днепр",
}


def _p(other: dict[str, str], base: dict[str, str] = SOUGHT) -> float:
    pairs = link_records([base], [other], threshold=0.0)
    return pairs[0].match_probability if pairs else 0.0


@pytest.mark.parametrize(
    "written",
    [
        "Кислиця Сергій Вікторович",
        "Serhiy Kyslytsya",
        "Sergei Kislitsa",
        "Sergej Kisliza",
        "KYSLYTSIA SERHII",
        "Кислицы Сергея",
        "Серёжа Кислица",
        "S. V. Kislitsa",
    ],
)
def test_it_links_every_spelling_of_the_same_man_when_the_birth_date_agrees(written: str) -> None:
    assert _p({"record_id": "x", "full_name": written, "birth_date": "12.03.2001"}) >= 0.5


def test_it_links_a_capture_list_entry_to_a_family_enquiry() -> None:
    enquiry = {"record_id": "e", "full_name": "Серёжа Кислица", "birth_date": "12.03.2001"}
    report = {
        "record_id": "r",
        "family_name": "KYSLYTSIA",
        "given_name": "SERHII",
        "patronymic": "VIKTOROVYCH",
        "birth_date": "2001-03-12",
    }
    assert _p(report, enquiry) >= 0.5


def test_it_keeps_his_brother_apart() -> None:
    brother = {
        "record_id": "b",
        "full_name": "Кислица Андрей Викторович",
        "birth_date": "1998-07-02",
        "sex": "M",
        "birth_place": "Днепр",
    }
    assert _p(brother) < 0.5


def test_it_keeps_his_father_of_the_same_name_apart() -> None:
    father = {
        "record_id": "f",
        "full_name": "Кислица Сергей Петрович",
        "birth_date": "1975-01-20",
        "sex": "M",
        "birth_place": "Днепр",
    }
    assert _p(father) < 0.5


def test_it_keeps_a_namesake_from_the_next_village_apart() -> None:
    namesake = {
        "record_id": "n",
        "full_name": "Кислица Сергей Викторович",
        "birth_date": "1999-10-05",
        "birth_place": "Новомосковск",
    }
    assert _p(namesake) < 0.5


def test_a_rare_exact_full_name_alone_can_be_enough() -> None:
    a = {"record_id": "a", "full_name": "Кислица Сергей Викторович"}
    b = {"record_id": "b", "full_name": "Кислиця Сергій Вікторович"}
    filler = [
        {"record_id": f"f{i}", "full_name": name}
        for i, name in enumerate(
            ["Бойко Ілля Сергійович", "Мельник Анатолій Тарасович", "Иванов Борис Александрович"]
        )
    ]
    pairs = link_records([a, b, *filler])
    best = {frozenset((p.left_id, p.right_id)): p.match_probability for p in pairs}
    assert best.get(frozenset(("a", "b")), 0.0) >= 0.5


def test_it_does_not_link_different_men_who_share_only_a_surname() -> None:
    a = {"record_id": "a", "full_name": "Бойко Ілля Сергійович", "birth_date": "1977-04-27"}
    b = {"record_id": "b", "full_name": "Бойко Валерій Петрович", "birth_date": "1985-06-29"}
    assert _p(b, a) < 0.5


def test_it_keeps_his_twin_apart_though_everything_but_the_given_name_agrees() -> None:
    twin = {
        "record_id": "t",
        "full_name": "Кислица Андрей Викторович",
        "birth_date": "2001-03-12",
        "sex": "M",
        "birth_place": "Днепр",
    }
    assert _p(twin) < 0.5


def test_two_different_service_numbers_keep_namesakes_of_one_birth_year_apart() -> None:
    a = {**SOUGHT, "record_id": "a", "service_number": "АТ-644128"}
    b = {
        "record_id": "b",
        "full_name": "Кислица Сергей Викторович",
        "birth_date": "2001",
        "service_number": "ВТ-375986",
    }
    assert _p(b, a) < 0.5


def test_a_service_number_with_one_slip_still_links_the_same_man() -> None:
    a = {**SOUGHT, "record_id": "a", "service_number": "АТ-644128"}
    b = {"record_id": "b", "full_name": "Кислица Сергей", "service_number": "АТ-644178"}
    assert _p(b, a) >= 0.5


def test_an_ocr_slip_of_two_letters_in_the_given_name_still_links_the_same_man() -> None:
    slipped = {
        "record_id": "o",
        "full_name": "КИСЛИЦА СЕРГЕИ ВИКТОРОВИЧ",
        "birth_date": "12.03.2001",
        "birth_place": "Днепр",
    }
    garbled = {**slipped, "full_name": "КИСЛИЦА СЕРГСИ ВИКТОРОВИЧ"}
    assert _p(slipped) >= 0.5
    assert _p(garbled) >= 0.5


def test_a_given_name_garbled_past_two_letters_is_not_taken_for_his_twin() -> None:
    # «Свргсй» is no name at all: a misread «Сергей», not a brother of another name.
    garbled = {
        "record_id": "g",
        "full_name": "Кислица Свргсй Викторович",
        "birth_date": "12.03.2001",
        "birth_place": "Днепр",
    }
    assert _p(garbled) >= 0.5


@pytest.mark.parametrize("name", ["Саид", "Тигран", "Азамат"])
def test_a_twin_whose_name_the_tables_lack_is_still_kept_apart(name: str) -> None:
    twin = {
        "record_id": "t",
        "full_name": f"Кислица {name} Викторович",
        "birth_date": "2001-03-12",
        "birth_place": "Днепр",
    }
    assert _p(twin) < 0.5
