"""PartialDate: the partial birth and event dates families and lists write."""

from __future__ import annotations

import pytest

from kintrace.domain.dates import DateAgreement, PartialDate, compare_dates, parse_partial_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2001-03-12", PartialDate(2001, 3, 12)),
        ("2001-03", PartialDate(2001, 3)),
        ("2001", PartialDate(2001)),
        ("12.03.2001", PartialDate(2001, 3, 12)),
        (" 2.3.2001 ", PartialDate(2001, 3, 2)),
        ("12/03/2001", PartialDate(2001, 3, 12)),
        ("03.2001", PartialDate(2001, 3)),
        ("20010312", PartialDate(2001, 3, 12)),
    ],
)
def test_it_reads_every_form_people_type(text: str, expected: PartialDate) -> None:
    assert parse_partial_date(text) == expected


def test_two_digit_years_are_the_latest_year_not_after_the_pivot() -> None:
    assert parse_partial_date("2.3.01", pivot_year=2026) == PartialDate(2001, 3, 2)
    assert parse_partial_date("12.03.85", pivot_year=2026) == PartialDate(1985, 3, 12)
    assert parse_partial_date("12.03.26", pivot_year=2026) == PartialDate(2026, 3, 12)


@pytest.mark.parametrize(
    "text", ["31.02.2001", "2001-13", "2001-02-30", "29.02.2023", "00.01.2001", "abc", "", "  "]
)
def test_impossible_or_empty_dates_give_none(text: str) -> None:
    assert parse_partial_date(text) is None


def test_a_leap_day_is_possible_in_a_leap_year() -> None:
    assert parse_partial_date("29.02.2024") == PartialDate(2024, 2, 29)


def test_a_partial_date_prints_in_the_exchange_form() -> None:
    assert str(PartialDate(2001, 3)) == "2001-03"
    assert PartialDate(2001, 3, 12).isoformat() == "2001-03-12"
    assert PartialDate(2001).precision == "year"


def test_a_day_without_a_month_is_refused() -> None:
    with pytest.raises(ValueError, match="A day needs a month"):
        PartialDate(2001, None, 3)


@pytest.mark.parametrize(
    ("a", "b", "agreement"),
    [
        ("2001-03-12", "12.03.2001", DateAgreement.EXACT),
        ("2001-03-12", "2001-03", DateAgreement.SAME_YEAR_MONTH),
        ("2001-03-12", "2001-03-13", DateAgreement.SAME_YEAR_MONTH),
        ("2001-03-12", "2001-12-03", DateAgreement.DAY_MONTH_SWAPPED),
        ("2001-03-12", "2001", DateAgreement.SAME_YEAR),
        ("2001-03-12", "2001-07-01", DateAgreement.SAME_YEAR),
        ("2001-03-12", "2002-03-12", DateAgreement.YEAR_OFF_BY_ONE),
        ("2001-03-12", "1985-03-12", DateAgreement.DISAGREE),
        ("2001-03-12", "", DateAgreement.UNKNOWN),
    ],
)
def test_comparison_grades_how_far_two_dates_agree(
    a: str, b: str, agreement: DateAgreement
) -> None:
    assert compare_dates(parse_partial_date(a), parse_partial_date(b)) is agreement
    assert compare_dates(parse_partial_date(b), parse_partial_date(a)) is agreement
