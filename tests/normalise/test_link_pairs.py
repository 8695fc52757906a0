"""The robustness pairs through `kintrace link`, files in and pairs out (see link_pairs.py).

One run of the real command on about 1,070 records: every true pair at p >= 0.5, and beside
it a different person of the same surname and birth date below 0.5. Known misses are listed;
the test fails when one appears or goes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.normalise.link_pairs import cases, judge, run_link

KNOWN_MISSED: set[tuple[str, str]] = set()
# Transcriptions whose names share no key, so the model alone decides (below 0.5 with
# kintrace-fs-3, above it with fs-4): not pinned either way.
MODEL_DEPENDENT = {
    ("アレクサンドル・コワレンコ", "Олександр Коваленко"),
    ("세르게이 이바노프", "Сергей Иванов"),
}
# Others of the same surname and date the model puts at p >= 0.5. fs-8 put three at 0.516
# («Nicolae Cojocaru» ~ «Богдан Кожокару», two Hebrew ~ «Людмила …»); fs-9 (928b7a3) put them
# below 0.5 again, so none is listed.
KNOWN_CONFUSED: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, dict, int]:
    cs = cases()
    scores, code = run_link(cs, Path(tmp_path_factory.mktemp("link_pairs")))
    return cs, scores, code


def test_link_runs_on_the_names_of_many_languages_and_scripts(linked: tuple) -> None:
    _, scores, code = linked
    assert code == 0
    assert scores, "no pair written"


def test_each_true_pair_with_one_birth_date_comes_out_as_the_same_person(linked: tuple) -> None:
    cs, scores, _ = linked
    missed, _ = judge(cs, scores)
    got = {(c.left, c.right) for c in missed} - MODEL_DEPENDENT
    assert got - KNOWN_MISSED == set(), "new misses"
    assert KNOWN_MISSED - got == set(), "fixed: take them off the known list"


def test_another_given_name_with_the_same_surname_and_date_is_another_person(
    linked: tuple,
) -> None:
    cs, scores, _ = linked
    _, confused = judge(cs, scores)
    got = {(c.left, c.other or "") for c in confused}
    assert got - KNOWN_CONFUSED == set(), "new confusions"
    assert len(cs) > 250 and sum(1 for c in cs if c.other) > 250  # the table is all there
