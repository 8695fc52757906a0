"""The benchmark's noise: each phenomenon is applied as labelled, deterministically."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from kintrace.synthetic import EXCHANGE_COLUMNS, make_world
from kintrace.synthetic.noise import (
    PHENOMENA,
    foreign_spelling,
    inflect,
    romanise,
    write_enquiry,
    write_report,
    wrong_layout,
)


@pytest.fixture(scope="module")
def records():
    world = make_world(seed=11, persons=400)
    rng = random.Random(5)
    reps = [write_report(p, rng, f"R{i}") for i, p in enumerate(world.persons * 3)]
    enqs = [write_enquiry(p, rng, f"E{i}") for i, p in enumerate(world.persons)]
    return world, reps, enqs


def test_the_same_seed_writes_the_same_records():
    world = make_world(seed=11, persons=50)
    a = [write_report(p, random.Random(1), "R").row for p in world.persons]
    b = [write_report(p, random.Random(1), "R").row for p in world.persons]
    assert a == b


def test_every_phenomenon_of_the_issue_occurs_and_is_documented(records):
    _, reps, enqs = records
    seen = Counter(ph.split(":")[0] for r in [*reps, *enqs] for ph in r.phenomena)
    assert set(seen) <= set(PHENOMENA)
    rare_by_design = {"wrong_layout", "stress", "apostrophe", "swapped_date", "non_slavic"}
    for ph in set(PHENOMENA) - rare_by_design:
        assert seen[ph] >= 5, ph
    assert all(seen[ph] >= 1 for ph in rare_by_design)


def test_every_romanisation_standard_and_foreign_press_language_is_used(records):
    _, reps, enqs = records
    labels = {ph for r in [*reps, *enqs] for ph in r.phenomena}
    for std in ("icao", "kmu_2010", "bgn_pcgn", "gost_7_79", "loc", "scholarly"):
        assert f"romanised:{std}" in labels
    for lang in ("de", "fr", "pl", "cs", "nl", "sv", "lt", "hu", "es", "it", "ro", "tr"):
        assert f"foreign_press:{lang}" in labels


def test_records_are_exchange_rows_that_point_at_their_person(records):
    world, reps, _ = records
    ids = {p.person_id for p in world.persons}
    for r in reps:
        assert tuple(r.row) == EXCHANGE_COLUMNS
        assert r.row["full_name"] and r.person_id in ids


def test_romanisation_follows_the_standards():
    assert romanise("Кислиця Сергій", "uk", "kmu_2010") == "Kyslytsia Serhii"
    assert romanise("Кислица Сергей", "ru", "bgn_pcgn") == "Kislitsa Sergey"
    assert romanise("Артём", "ru", "bgn_pcgn").isascii() or "ё" not in romanise(
        "Артём", "ru", "bgn_pcgn"
    )


def test_foreign_press_writes_with_its_own_letters():
    assert foreign_spelling("Сергей Кислица", "ru", "de") == "Sergej Kisliza"
    assert foreign_spelling("Володимир", "uk", "lt") == "Volodymyras"
    assert foreign_spelling("Зеленский", "ru", "hu") == "Zelenszkij"
    assert "ł" in foreign_spelling("Павло", "uk", "pl")


def test_names_are_inflected_as_a_relative_writes_them():
    assert inflect("Иванов", "family", "M", "ru", "acc") == "Иванова"
    assert inflect("Сергей", "given", "M", "ru", "gen") == "Сергея"
    assert inflect("Кислиця", "family", "M", "uk", "acc") == "Кислицю"
    assert inflect("Сергій", "given", "M", "uk", "gen") == "Сергія"
    assert inflect("Иванова", "family", "F", "ru", "gen") == "Ивановой"
    assert inflect("Пётр", "given", "M", "ru", "gen") == "Петра"
    assert inflect("Коваленко", "family", "F", "uk", "gen") == "Коваленко"


def test_wrong_layout_types_cyrillic_on_latin_keys():
    assert wrong_layout("Сергей") == "Cthutq"


def test_hard_negatives_exist_among_the_persons_written(records):
    world, _, _ = records
    assert any(p.sibling_ids for p in world.persons)
    assert any(p.father_id for p in world.persons)


def test_the_noisy_world_streams_reproducibly_with_unique_record_ids():
    from kintrace.synthetic.noise import iter_noisy

    def ids_and_names(seed):
        return [
            (r.record_id, r.row["full_name"])
            for _, reps, enqs in iter_noisy(seed, 200)
            for r in [*reps, *enqs]
        ]

    first = ids_and_names(3)
    assert first == ids_and_names(3)
    assert first != ids_and_names(4)
    assert len({i for i, _ in first}) == len(first) > 200
