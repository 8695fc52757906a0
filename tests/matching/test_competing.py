"""Competing candidates (matching/competing.py): a record is at most one of two people the
model tells apart, in batch, in real time and in the arithmetic itself."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from kintrace.matching import CandidateIndex, link_records
from kintrace.matching.batch import link_tables
from kintrace.matching.competing import share, share_one, told_apart
from kintrace.matching.features import build_features

Row = dict[str, Any]


def _record(
    record_id: str, name: str, birth_date: str = "", place: str = "", sex: str = "M"
) -> Row:
    return {
        "record_id": record_id,
        "full_name": name,
        "given_name": "",
        "patronymic": "",
        "family_name": "",
        "sex": sex,
        "birth_date": birth_date,
        "birth_place": place,
        "military_unit": "",
        "source": "test",
    }


# Two men of one name, nineteen years apart, different fathers and birthplaces.
TWO_MEN = [
    _record("R1", "ПАНЧЕНКО Роман Олександрович", "1975-03-02", "Полтава"),
    _record("R2", "ПАНЧЕНКО Роман Петрович", "1994-11-20", "Київ"),
]
NAME_ONLY = _record("E1", "Roman Pancsenko", sex="")


def _scores(pairs: list[Any]) -> dict[tuple[str, str], float]:
    return {(p.left_id, p.right_id): p.match_probability for p in pairs}


def test_a_name_only_record_between_two_men_with_different_birth_years_is_neither_of_them() -> None:
    left = build_features([NAME_ONLY]).table
    right = build_features(TWO_MEN, rid_offset=1).table
    alone = _scores(link_tables(left, right, compete=False))
    assert alone[("E1", "R1")] >= 0.5 and alone[("E1", "R2")] >= 0.5  # each pair on its own
    assert not _scores(link_records(TWO_MEN))  # the model tells the two men apart
    shared = link_tables(left, right, explain=True)
    got = _scores(shared)
    assert set(got) == {("E1", "R1"), ("E1", "R2")}
    assert got[("E1", "R1")] == pytest.approx(got[("E1", "R2")])
    assert all(p.match_probability < 0.5 for p in shared)
    assert all("also resembles 1 other person" in (p.explanation or "") for p in shared)


def test_three_copies_of_one_person_keep_their_high_scores() -> None:
    copies = [
        _record("C1", "Кислица Сергей Викторович", "1990-05-04", "Днепропетровск"),
        _record("C2", "Кислиця Сергій Вікторович", "1990-05-04", "Дніпро"),
        _record("C3", "KYSLYTSIA SERHII", "1990-05-04"),
    ]
    table = build_features(copies + TWO_MEN).table
    alone = _scores(link_tables(table, None, compete=False))
    shared = _scores(link_tables(table, None))
    copy_pairs = {k: v for k, v in shared.items() if k[0].startswith("C") and k[1].startswith("C")}
    assert len(copy_pairs) == 3
    assert all(v >= 0.9 and v == alone[k] for k, v in copy_pairs.items())


def test_a_higher_threshold_writes_exactly_the_floor_output_above_it() -> None:
    rows = [NAME_ONLY, *TWO_MEN, _record("R3", "Панченко Роман", "1975", "Полтава")]
    table = build_features(rows).table
    floor = [p for p in link_tables(table, None, threshold=0.01) if p.match_probability >= 0.3]
    assert floor and link_tables(table, None, threshold=0.3) == floor


def test_real_time_shares_a_probability_as_batch_does() -> None:
    batch = _scores(link_records([NAME_ONLY], TWO_MEN, explain=True))
    index = CandidateIndex(TWO_MEN)
    found = index.query(NAME_ONLY, explain=True)
    assert {p.right_id for p in found} == {"R1", "R2"}
    for p in found:
        assert p.match_probability == pytest.approx(batch[("E1", p.right_id)], abs=1e-9)
        assert p.match_probability < 0.5
    assert found[0].explanation == link_records([NAME_ONLY], TWO_MEN, explain=True)[0].explanation


def test_two_rivals_the_model_calls_a_match_cannot_both_stay_at_a_half_or_more() -> None:
    # anchor 0 with candidates 1 and 2 (0.9 and 0.7), told apart (no verdict that they are one)
    p = np.array([0.9, 0.7])
    got, rivals = share(
        np.array([0, 0]), np.array([1, 2]), p, np.empty(0), np.empty(0), dedupe=False
    )
    assert got[0] + got[1] < 1 and got[1] < 0.5 < got[0]
    assert list(rivals) == [1, 1]
    # the same two said to be one person: nothing is shared
    kept, none = share(
        np.array([0, 0]), np.array([1, 2]), p, np.array([1]), np.array([2]), dedupe=False
    )
    assert list(kept) == [0.9, 0.7] and list(none) == [0, 0]


def test_two_records_of_one_rival_person_count_once() -> None:
    # anchor 0: candidate 1 (0.9), and 2 and 3 (0.9 and 0.6), two records of one other man
    # (one person with each other, both told apart from 1): he takes his share once.
    rid_l, rid_r = np.array([0, 0, 0]), np.array([1, 2, 3])
    p = np.array([0.9, 0.9, 0.6])
    got, rivals = share(rid_l, rid_r, p, np.array([2]), np.array([3]), dedupe=False)
    assert got[0] == pytest.approx(9 / (1 + 9 + 9))  # not 9 / (1 + 9 + 9 + 1.5)
    assert got[1] == pytest.approx(9 / 19) and got[2] == pytest.approx(1.5 / (1 + 1.5 + 9))
    assert list(rivals) == [1, 1, 1]  # one other person each
    # tied copies split their odds: the same share as one of them
    tied, _ = share(rid_l, rid_r, np.array([0.9, 0.9, 0.9]), [2], [3], dedupe=False)
    assert tied[0] == pytest.approx(9 / 19)
    # real time, the same anchor: apart[i, k] for candidates 1, 2, 3 and rivals 1, 2, 3
    apart = np.array([[False, True, True], [True, False, False], [True, False, False]])
    for probs in (p, np.array([0.9, 0.9, 0.9])):
        alone, n = share_one(probs, probs, apart)
        batch, count = share(rid_l, rid_r, probs, np.array([2]), np.array([3]), dedupe=False)
        assert alone == pytest.approx(batch) and list(n) == list(count)


def test_a_weak_candidate_takes_nothing_from_a_strong_one() -> None:
    p = np.array([0.9, 0.3])
    got, _ = share(np.array([0, 0]), np.array([1, 2]), p, np.empty(0), np.empty(0), dedupe=False)
    assert got[0] == 0.9 and got[1] < 0.3  # the strong one lowers the weak one, not back


def test_in_a_dedupe_a_pair_keeps_the_lower_share_of_its_two_ends() -> None:
    # record 1 resembles 0 (0.8) and 2 (0.8); 0 and 2 are told apart (no pair between them)
    rid_l, rid_r = np.array([0, 1]), np.array([1, 2])
    got, _ = share(rid_l, rid_r, np.array([0.8, 0.8]), np.empty(0), np.empty(0), dedupe=True)
    assert got == pytest.approx([4 / 9, 4 / 9])


def test_two_spellings_whose_names_do_not_agree_are_not_told_apart_by_a_low_score() -> None:
    # Rival pairs as a scorer returns them: prior -11 bits in both, then the comparisons.
    scored = pa.table(
        {
            "match_probability": [0.0004, 0.0004, 0.9],
            "match_weight": [-11.3, -11.3, 3.2],
            # names agree (+16 bits), birth dates differ (-16): two people
            # names do not agree (-0.3 bits), nothing else given: no evidence either way
            "mw_family_name": [10.9, -0.3, 10.9],
            "mw_given_name": [5.1, 0.0, 5.1],
            "mw_birth_date": [-16.3, 0.0, -1.8],
        }
    )
    assert told_apart(scored).tolist() == [True, False, False]


@pytest.mark.parametrize("task", ["dedupe", "link"])
def test_threshold_zero_writes_the_floor_output_and_shares_it_the_same_way(task: str) -> None:
    from kintrace.synthetic.noise import iter_noisy

    reports: list[Row] = []
    enquiries: list[Row] = []
    for _person, reps, enqs in iter_noisy(77, 150):
        reports += [r.row for r in reps]
        enquiries += [e.row for e in enqs]
    if task == "dedupe":
        left, right = build_features(reports).table, None
    else:
        left = build_features(enquiries).table
        right = build_features(reports, rid_offset=left.num_rows).table
    zero = [p for p in link_tables(left, right, threshold=0.0) if p.match_probability >= 0.01]
    floor = link_tables(left, right, threshold=0.01)
    assert any(0.01 <= p.match_probability < 0.5 for p in floor)
    assert _scores(zero) == _scores(floor)
