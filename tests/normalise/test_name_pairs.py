"""Spellings of one synthetic person in other standards, languages and scripts meet.

The pairs are in name_pairs.py (run it to see hits per phenomenon). A pair listed below as a
known miss must stay a miss: the day it starts to pass, the list must shrink.
"""

from __future__ import annotations

from tests.normalise.name_pairs import all_pairs, share_block, share_keys

# Pairs whose names alone do not yet make a candidate pair in the engine.
KNOWN_BLOCK_MISSES = {
    # A surname alone files no name-only key in the engine (it needs a birth year: fy).
    ("Коваленко", "Kovalenko"),
    ("ШЕВЧЕНКО", "Shevchenko"),
    ("Kuznetsov", "Кузнєцов"),
    ("Ткачук", "Tkachuk"),
    # ...nor does a surname with a patronymic and no given name (read right since session 9).
    ("KOVALENKO Mykolaiovych", "Коваленко Миколайович"),
    ("Romanov Andriĭovych", "Романов Андрійович"),
}
# Pairs that meet or not by the engine's blocking keys alone (features.py, being changed in
# this session): the normaliser gives both names the same surname and initials.
ENGINE_DEPENDENT = {
    ("Гончар М.В.", "Гончар Микола Васильович"),  # the weak family + initial key
    # A pet name of several groups: how many of its full names the engine files it under.
    ("Lesia Kovalenko", "Олександра Коваленко"),
    ("Витя Кравченко", "Кравченко Виталий Владимирович"),  # Виктор first, Виталий third
}
# Pairs whose normaliser keys (surname and given-name variants) do not yet meet.
KNOWN_KEY_MISSES = {
    # Коэн writes the ה as э: the Hebrew and Russian spellings share only two consonants (kn),
    # too few for a variant. David Cohen shares kgn.
    ("דוד כהן", "Давид Коэн"),
}

PAIRS = all_pairs()


def test_two_spellings_of_one_name_become_a_candidate_pair() -> None:
    misses = {(a, b) for _, a, b in PAIRS if not share_block(a, b)} - ENGINE_DEPENDENT
    assert misses - KNOWN_BLOCK_MISSES == set(), "new misses"
    assert KNOWN_BLOCK_MISSES - misses == set(), "fixed: take them off the known list"


def test_two_spellings_of_one_name_share_surname_and_given_name_keys() -> None:
    misses = {(a, b) for label, a, b in PAIRS if label != "typo" and not share_keys(a, b)}
    assert misses - KNOWN_KEY_MISSES == set(), "new misses"
    assert KNOWN_KEY_MISSES - misses == set(), "fixed: take them off the known list"


def test_a_typo_leaves_the_surname_keys_one_edit_apart() -> None:
    from rapidfuzz.distance import Levenshtein

    from kintrace.normalise import analyse_name

    for _, a, b in (p for p in PAIRS if p[0] == "typo"):
        x, y = analyse_name(a), analyse_name(b)
        assert Levenshtein.distance(x.family, y.family) <= 2, (a, b)
