"""Batch blocking over a common surname's block: which records meet once it is split."""

from __future__ import annotations

from typing import Any

import pytest

from kintrace.matching import batch as batch_module
from kintrace.matching.engine import connect
from kintrace.matching.features import build_features


def _candidates(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Candidate pairs of a dedupe of `rows`, as pairs of record ids."""
    table = build_features(rows).table
    ids = table.column("record_id").to_pylist()
    con = connect(threads=1)
    con.register("pop", table)
    batch_module.key_tables(con, "pop", None)
    got = con.execute(batch_module.candidate_pairs_sql(True)).fetchall()
    con.close()
    return {tuple(sorted((ids[a], ids[b]))) for a, b in got}  # type: ignore[misc]


@pytest.fixture
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # A block of more than three records is "common" here, as one of more than a hundred
    # is in a million reports.
    monkeypatch.setattr(batch_module, "MAX_BLOCK_SIZE", 3)
    monkeypatch.setattr(batch_module, "MAX_PROBE_BLOCK_SIZE", 6)


def test_a_full_name_without_a_birth_year_meets_its_dated_initials_card_in_a_common_block(
    tiny_blocks: None,
) -> None:
    cards = [
        {"record_id": f"C{y}", "full_name": "Котов В. О.", "birth_date": f"{y}-03-02"}
        for y in (1971, 1980, 1988, 1995, 2001)
    ]
    full = {"record_id": "F", "full_name": "Віктор Олександрович Котов"}
    pairs = _candidates([*cards, full])
    assert ("C1995", "F") in pairs
    # The cards of five different years are still not paired with each other.
    assert not any(a.startswith("C") and b.startswith("C") for a, b in pairs)


def test_a_birth_year_off_by_one_still_meets_in_a_common_name_block(tiny_blocks: None) -> None:
    # Seven men named Ткаченко Михаил: the name's blocks are "common" and narrowed by the
    # exact birth year, so 1967 (with a day) and 1968 (year only) met by no key until the
    # two-year buckets (fga/fgb).
    others = [
        {"record_id": f"O{y}", "full_name": "Ткаченко Михаил", "birth_date": f"{y}-07-21"}
        for y in (1950, 1953, 1956, 1959, 1962)
    ]
    a = {"record_id": "A", "full_name": "Ткаченко Михаил", "birth_date": "1967-03-05"}
    b = {"record_id": "B", "full_name": "Ткаченко Михаил", "birth_date": "1968"}
    pairs = _candidates([*others, a, b])
    assert ("A", "B") in pairs
    assert ("O1950", "O1953") not in pairs  # three years apart: no shared bucket


def test_two_full_names_with_birth_years_are_not_paired_by_their_initials(
    tiny_blocks: None,
) -> None:
    rows = [
        {"record_id": "A", "full_name": "Котов Віктор Олександрович", "birth_date": "1980"},
        {"record_id": "B", "full_name": "Котов Василь Олегович", "birth_date": "1986"},
    ]
    assert _candidates(rows) == set()


def _link_candidates(
    left: list[dict[str, Any]], right: list[dict[str, Any]]
) -> set[tuple[str, str]]:
    """Candidate pairs of a link of `left` to `right`, as (left id, right id)."""
    lt = build_features(left).table
    rt = build_features(right, rid_offset=len(left)).table
    ids = [*lt.column("record_id").to_pylist(), *rt.column("record_id").to_pylist()]
    con = connect(threads=1)
    con.register("lt", lt)
    con.register("rt", rt)
    batch_module.key_tables(con, "rt", "lt")
    got = con.execute(batch_module.candidate_pairs_sql(False)).fetchall()
    con.close()
    return {(ids[a], ids[b]) for a, b in got}


def test_a_dated_enquiry_meets_a_report_without_a_birth_year_in_a_common_block(
    tiny_blocks: None,
) -> None:
    reports = [
        {
            "record_id": f"R{y}",
            "full_name": "Котов Віктор Олександрович",
            "birth_date": f"{y}-0{i + 1}-1{i}",
        }
        for i, y in enumerate((1971, 1980, 1988, 1995, 2001))
    ]
    reports.append({"record_id": "RX", "full_name": "Віктор Олександрович Котов"})
    enquiry = {
        "record_id": "E",
        "full_name": "Котов Віктор Олександрович",
        "birth_date": "1990-07-21",
    }
    pairs = _link_candidates([enquiry], reports)
    assert ("E", "RX") in pairs
    # The dated reports of other years are met only through their own years' keys.
    assert not any(r.startswith("R1") or r.startswith("R2") for _, r in pairs)


def test_a_year_less_card_meets_its_dated_man_by_initial_and_birthplace_in_common_blocks(
    tiny_blocks: None,
) -> None:
    # Бондаренко is common both among men whose names begin with a vowel (born in Kyiv)
    # and among those born in Poltava: the year-less card «Бондаренко О., Полтава» probed
    # both blocks (fi, fpl) and they were too big to probe, until the initial and the
    # birthplace together (fipl) made a block of two.
    vowels = ["Олександр", "Андрій", "Іван", "Євген", "Олексій", "Анатолій", "Артем"]
    others = ["Петро", "Микола", "Василь", "Дмитро", "Сергій", "Богдан", "Тарас"]
    rows = [
        {
            "record_id": f"K{i}",
            "full_name": f"Бондаренко {g}",
            "birth_date": f"{1950 + i}",
            "birth_place": "Київ",
        }
        for i, g in enumerate(vowels)
    ]
    rows += [
        {
            "record_id": f"P{i}",
            "full_name": f"Бондаренко {g}",
            "birth_date": f"{1950 + i}",
            "birth_place": "Полтава",
        }
        for i, g in enumerate(others)
    ]
    rows.append(
        {
            "record_id": "A",
            "full_name": "Бондаренко Олег",
            "birth_date": "1971-04-02",
            "birth_place": "Полтава",
        }
    )
    rows.append({"record_id": "B", "full_name": "Бондаренко О.", "birth_place": "Полтава"})
    pairs = _candidates(rows)
    assert ("A", "B") in pairs
    assert ("P0", "P1") not in pairs  # two dated men file it weakly: never paired by it
