"""kintrace-fs-7: four levels that read two people as one, narrowed (the probe's independent
generator, session 7): a shared common surname ending, two letters of a short surname, one
letter between two known given names that begin differently, and the twin guard on an
initial or an unknown word. All names are synthetic."""

from __future__ import annotations

from tests.matching.scored import names, pair_of, shipped_model
from tests.matching.scored import scored_names as _scored

from kintrace.matching import MODEL_VERSION

_STEMS = "one surname suffix, different stems (another family?)"
#: Since kintrace-fs-8 two plainly different surnames have a level of their own.
_DIFFERENT = ("different", "two different surnames")
_TWIN = "different, though family name and birth year agree (a twin or a brother?)"


def test_the_shipped_model_is_fs7_or_later() -> None:
    assert int(MODEL_VERSION.rsplit("-", 1)[1]) >= 7  # fs-10 sorts before fs-9 as text


def _weight(left: str, left_date: str, right: str, right_date: str) -> float:
    return float(pair_of(*names(left, left_date, right, right_date)).match_weight)


def test_two_surnames_sharing_only_the_ending_ov_are_different_families() -> None:
    _, levels = _scored("Новиков Иван Николаевич", "1987-11-10", "VISHNIAKOV IVAN", "1987-11-10")
    assert levels["family_name"] in _DIFFERENT
    # The surname is no longer ignored: agreeing on it is worth many bits more.
    other = _weight("Новиков Иван Николаевич", "1987-11-10", "VISHNIAKOV IVAN", "1987-11-10")
    same = _weight("Новиков Иван Николаевич", "1987-11-10", "NOVIKOV IVAN", "1987-11-10")
    assert same - other > 8


def test_two_ukrainian_surnames_of_one_suffix_from_different_stems_keep_their_level() -> None:
    _, levels = _scored("Рудько Олексій", "1980-03-22", "Руденко Олексій", "1980-03-22")
    assert levels["family_name"] == _STEMS


def test_two_short_surnames_two_letters_apart_are_not_a_slip() -> None:
    _, levels = _scored("O. Biłyk", "1980-02-21", "Силин Алексей Алексеевич", "1980-02-21")
    assert levels["family_name"] in _DIFFERENT
    other = _weight("O. Biłyk", "1980-02-21", "Силин Алексей Алексеевич", "1980-02-21")
    same = _weight("O. Biłyk", "1980-02-21", "Билык Алексей Алексеевич", "1980-02-21")
    assert same - other > 8


def test_a_long_surname_two_letters_apart_is_still_a_slip() -> None:
    _, levels = _scored("Новикова Анна", "1985-01-02", "Ноанкова Анна", "1985-01-02")
    assert levels["family_name"] == "two letters differ"


def test_two_known_given_names_one_letter_apart_that_begin_differently_are_two_names() -> None:
    p, levels = _scored("Dar’ya Filippova", "1995", "Філіппова Марія Анатоліївна", "1995-06-30")
    assert levels["given_name"] != "one letter differs"
    assert p < 0.5


def test_one_name_in_two_spellings_one_letter_apart_still_links() -> None:
    p, levels = _scored("Giorgi Beridze", "1979-05-05", "Георгий Беридзе", "1979-05-05")
    assert levels["given_name"] in ("one letter differs", "variants agree", "exact")
    assert p >= 0.5


def test_a_garbled_given_name_in_one_family_is_no_twin() -> None:
    p, levels = _scored(
        "Соловьева Лілія Олексіївна", "1992-07-15", "Лиия Алексеевна Соловьева", "1992-07-15"
    )
    assert levels["given_name"] != _TWIN
    assert p >= 0.5


def test_two_different_initials_in_one_family_are_no_twin() -> None:
    # О. and А. are both Олександр (Ukrainian and Russian): initials prove no brother.
    p, levels = _scored("Базавлученко О.П.", "26.01.1956", "Базавлученко А.П.", "26.01.1956")
    assert levels["given_name"] != _TWIN
    assert p >= 0.5


def test_twins_with_two_known_names_are_still_two_people() -> None:
    p, levels = _scored(
        "Коваленко Андрій Петрович", "1990-04-04", "Коваленко Дмитро Петрович", "1990-04-04"
    )
    assert levels["given_name"] == _TWIN
    assert p < 0.5


def test_the_previous_model_file_fs6_still_loads_and_scores() -> None:
    model = shipped_model("kintrace-fs-6")
    assert any(c.levels for c in model.comparisons)
