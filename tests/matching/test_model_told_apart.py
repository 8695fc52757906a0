"""The "told apart" rule of competing candidates (matching/competing.py, `told_apart`): two
records are two people to the model when their own pair is below the floor though their names
agree, or below APART = 0.5 (session 11: 0.05) with a field other than the names weighing
CONTRADICT = 5 bits or more against it — a margin, so that a 0.1-bit refit cannot turn two namesakes with different
fathers into "one person" (session 10: 17 false pairs of two men of one name came back)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from kintrace.matching import competing
from kintrace.matching.competing import share, share_table, told_apart

PRIOR = -11.3  # bits, about the prior of a file of a few thousand records


def _rows(*pairs: tuple[float, float, float]) -> pa.Table:
    """Scored pairs (name bits, other bits, extra): weight = prior + names + other."""
    names = [n for n, _, _ in pairs]
    other = [o for _, o, _ in pairs]
    weight = [PRIOR + n + o for n, o in zip(names, other, strict=True)]
    p = [2.0**w / (1 + 2.0**w) for w in weight]
    return pa.table(
        {
            "match_probability": p,
            "match_weight": weight,
            "mw_family_name": [n / 2 for n in names],
            "mw_given_name": [n / 2 for n in names],
            "mw_patronymic": other,
        }
    )


def test_namesakes_with_different_fathers_just_above_the_floor_are_told_apart() -> None:
    # «Шевченко Андрій Миколайович 29.09.1976» ~ «ШЕВЧЕНКО АНДРІЙ ВІКТОРОВИЧ 10.07.1976»:
    # names +16.2, father's name -8.2, only the year agrees -1.2 -> p 0.011 after a refit.
    scored = _rows((16.2 - 0.3, -9.4, 0.0))
    p = scored.column("match_probability").to_pylist()[0]
    assert competing.FLOOR < p < competing.APART
    assert told_apart(scored).tolist() == [True]


def test_weak_spellings_with_nothing_against_them_stay_one_person_in_the_band() -> None:
    # «Arina Sobolenko» ~ «Aryna Sabalenka 1998-05»: family name -0.3, given +5.2, no other
    # field compared: 0.013, and nothing says two people.
    scored = _rows((4.9 + 0.2, 0.0, 0.0), (9.0, -3.0, 0.0))
    p = scored.column("match_probability").to_numpy()
    assert ((p >= competing.FLOOR) & (p < competing.APART)).all()
    assert told_apart(scored).tolist() == [False, False]  # -3 bits is not a contradiction


def test_the_band_ends_at_apart_and_below_the_floor_the_rule_is_as_before() -> None:
    above = _rows((20.0, -8.0, 0.0))  # names strong enough to stay at 0.6 with -8 bits
    assert above.column("match_probability").to_pylist()[0] > competing.APART
    assert told_apart(above).tolist() == [False]
    # below the floor: told apart when the names alone would keep them at the floor
    below = _rows((12.0, -8.0, 0.0), (2.0, -8.0, 0.0), (5.0, -1.5, 0.0))
    assert told_apart(below).tolist() == [True, False, True]


def test_in_a_dedupe_a_given_pair_told_apart_makes_its_ends_rivals() -> None:
    # Record 0 (a name only) resembles 1 and 2 (0.9 each); 1 and 2 are a given pair at 0.02
    # that the model tells apart (the namesakes above): 0 is at most one of them.
    rid_l, rid_r = np.array([0, 0, 1]), np.array([1, 2, 2])
    p = np.array([0.9, 0.9, 0.02])
    kept, _ = share(rid_l, rid_r, p, np.empty(0), np.empty(0), dedupe=True)
    assert kept[:2].tolist() == [0.9, 0.9]  # default: a given pair at the floor is one person
    got, rivals = share(
        rid_l, rid_r, p, np.empty(0), np.empty(0), dedupe=True, one=np.array([True, True, False])
    )
    assert got[:2] == pytest.approx([9 / 19, 9 / 19]) and rivals[:2].tolist() == [1, 1]
    assert got[2] == pytest.approx(0.02)


def test_share_table_reads_the_given_pairs_of_a_dedupe_with_the_rule() -> None:
    apart = _rows((16.2 - 0.3, -9.4, 0.0))  # p 0.011
    one = _rows((4.9 + 0.2, 0.0, 0.0))  # p 0.013
    for middle, lowered in ((apart, True), (one, False)):
        strong = _rows((25.0, 0.0, 0.0), (25.0, 0.0, 0.0))
        scored = (
            pa.concat_tables([strong, middle])
            .append_column("rid_l", pa.array([0, 0, 1]))
            .append_column("rid_r", pa.array([1, 2, 2]))
        )

        def no_rivals(b: np.ndarray, c: np.ndarray) -> pa.Table:
            raise AssertionError("a given pair of a dedupe is not scored again")

        got = share_table(scored, dedupe=True, score_rivals=no_rivals)
        shared = got.column("shared_probability").to_pylist()
        assert (shared[0] < 0.5) is lowered and (shared[1] < 0.5) is lowered


def test_a_birth_year_that_agrees_does_not_offset_a_different_fathers_name() -> None:
    # «Іванов Сергій Тарасович 1981» ~ «Іванов Сергій Тимурович 1981-08-06 Маріуполь» (the
    # probe's registry namesakes): names +10, patronymic different -8.3, year agrees with
    # the rest not given +6.4, place different -2.0: p 0.03. The fields against weigh -10.3.
    names, other = 10.0, [-8.3, 6.4, -2.0]
    weight = PRIOR + names + sum(other)
    scored = pa.table(
        {
            "match_probability": [2.0**weight / (1 + 2.0**weight)],
            "match_weight": [weight],
            "mw_family_name": [names / 2],
            "mw_given_name": [names / 2],
            "mw_patronymic": [other[0]],
            "mw_birth_date": [other[1]],
            "mw_birth_place": [other[2]],
        }
    )
    p = scored.column("match_probability").to_pylist()[0]
    assert competing.FLOOR < p < competing.APART
    assert told_apart(scored).tolist() == [True]  # before session 12: -3.9 in sum, one person


def test_namesakes_whose_full_birth_dates_differ_are_two_people_to_a_name_only_enquiry() -> None:
    # «ZAITSEV OLEH PETROVYCH» born 1991-03-12 and 1985-07-02: names +18.4 bits, the dates
    # -11.1, a pair of 0.09 — more likely two men, so a name-only enquiry is at most one of them.
    scored = _rows((18.4, -11.1, 0.0))
    assert 0.05 < scored.column("match_probability").to_pylist()[0] < 0.5
    assert told_apart(scored).tolist() == [True]
