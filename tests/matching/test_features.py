"""Feature columns and blocking keys: which records become candidate pairs, and why."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from kintrace.matching.features import build_features
from kintrace.synthetic.noise import iter_noisy


def _keys(rows: list[dict[str, Any]]) -> list[set[str]]:
    return [set(k) for k in build_features(rows).table.column("bkeys").to_pylist()]


def _met(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when batch would pair the two (blocks small): a key both file strongly, or one
    filed weakly ("~") by one and strongly by the other."""
    ka, kb = _keys([a, b])
    strong_a = {k for k in ka if not k.startswith("~")}
    strong_b = {k for k in kb if not k.startswith("~")}
    weak_a = {k[1:] for k in ka if k.startswith("~")}
    weak_b = {k[1:] for k in kb if k.startswith("~")}
    return bool(strong_a & strong_b or weak_a & strong_b or weak_b & strong_a)


def _shared(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    ka, kb = _keys([a, b])
    return {k.lstrip("~") for k in ka} & {k.lstrip("~") for k in kb}


def test_initials_meet_a_ukrainian_given_name_whose_canonical_form_starts_otherwise() -> None:
    # Микола's canonical key is Николай (n): the card «М.І.» must still find him.
    card = {"family_name": "Кравченко", "given_name": "М.", "patronymic": "І."}
    full = {"family_name": "Кравченко", "given_name": "Микола", "patronymic": "Іванович"}
    assert _met(card, full)


def test_one_half_of_a_double_surname_meets_the_whole() -> None:
    a = {"full_name": "Новикова-Королёва Лариса Геннадьевна"}
    b = {"family_name": "Королёва", "given_name": "Лариса"}
    assert _met(a, b)


def test_a_letter_too_many_in_a_short_surname_is_survived() -> None:
    # «Мороз» has a three-letter skeleton: it files itself as it is, «Морлоз» one letter less.
    a = {"family_name": "Мороз", "given_name": "Андрей"}
    b = {"family_name": "Морлоз", "given_name": "Андрей"}
    assert "fd|mrs|ntr" in _shared(a, b)


def test_a_typo_in_the_surname_of_an_initials_card_is_survived() -> None:
    card = {"full_name": "Руденко Г."}
    full = {"family_name": "Pydenko", "given_name": "Hryhorij"}
    assert _met(card, full)


def test_a_pet_name_of_several_full_names_meets_each_of_them_without_a_birth_year() -> None:
    # Витя is Виктор or Виталий: written form, canonical and the other full form all file
    # family + given, so a year-less «Витя Кравченко» meets «Кравченко Виталий».
    pet = {"full_name": "Витя Кравченко"}
    for full in ("Кравченко Виталий Владимирович", "Кравченко Виктор Петрович"):
        assert any(k.startswith("fg|") for k in _shared(pet, {"full_name": full})), full


def test_a_misread_birth_year_is_survived_through_the_day_and_month() -> None:
    a = {"family_name": "Ткаченко", "given_name": "Мгнхаип", "birth_date": "1980-05-12"}
    b = {"family_name": "Ткаченко", "given_name": "Михаил", "birth_date": "1981-05-12"}
    assert any(k.startswith("fmd|") for k in _shared(a, b))


def test_a_record_without_a_birth_year_meets_through_its_birth_place_but_dated_ones_do_not() -> (
    None
):
    bare = {"family_name": "Шевчук", "given_name": "Иван", "birth_place": "Полтава"}
    dated = {**bare, "given_name": "Нваи", "birth_date": "1987-01-05"}
    other = {**dated, "given_name": "Петро", "birth_date": "1990-03-03"}
    assert any(k.startswith("fpl|") for k in _shared(bare, dated)) and _met(bare, dated)
    # Two dated records of one surname and town are not a pair by the town alone.
    assert not _met(dated, other)


def test_given_known_tells_a_real_name_from_a_garbled_one() -> None:
    table = build_features(
        [
            {"family_name": "Иванов", "given_name": "Михаил"},
            {"family_name": "Иванов", "given_name": "Мгнхаип"},  # OCR of Михаил
            {"full_name": "Иванов М."},
            {"family_name": "Петров", "given_name": "Слава"},  # a pet name is a real name
        ]
    ).table
    assert table.column("given_known").to_pylist() == [1, 0, None, 1]


def test_features_built_by_two_workers_equal_the_serial_build_and_leave_the_gc_on(
    monkeypatch,
) -> None:
    import gc

    import kintrace.matching.features as features_module
    from kintrace.synthetic import make_world

    rows = [r.exchange_row() for r in make_world(seed=5, persons=120).reports]
    rows[73] = {**rows[73], "birth_date": "31.02.1990"}  # its warning keeps its index
    serial = build_features(rows, workers=1)
    monkeypatch.setattr(features_module, "_PARALLEL_MIN", 10)
    monkeypatch.setattr(features_module, "_CHUNK", 50)
    parallel = build_features(rows, workers=2)
    assert parallel.table.equals(serial.table)
    assert [(w.index, w.field) for w in parallel.warnings] == [
        (w.index, w.field) for w in serial.warnings
    ]
    assert (73, "birth_date") in [(w.index, w.field) for w in parallel.warnings]
    assert gc.isenabled()


def test_the_true_pairs_of_a_noisy_world_share_a_blocking_key() -> None:
    # Every phenomenon of the generator at once (typos, OCR, initials, layouts, missing
    # dates...), blocks unlimited: what the keys themselves can find.
    rows, people = [], []
    for person, reports, enquiries in iter_noisy(31, 400):
        for r in (*reports, *enquiries):
            rows.append(r.row)
            people.append(person.person_id)
    keys = _keys(rows)
    strong = [{k for k in ks if not k.startswith("~")} for ks in keys]
    weak = [{k[1:] for k in ks if k.startswith("~")} for ks in keys]
    by_person: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        by_person.setdefault(p, []).append(i)
    true_pairs = [p for ids in by_person.values() for p in itertools.combinations(ids, 2)]
    found = sum(
        bool(strong[a] & strong[b] or weak[a] & strong[b] or weak[b] & strong[a])
        for a, b in true_pairs
    )
    assert len(true_pairs) > 300
    assert found / len(true_pairs) >= 0.995  # 0.992 before fid, fmd, fpl and every initial


def test_features_built_from_a_background_thread_are_built_in_its_process(monkeypatch) -> None:
    # Review's index rebuild calls build_features from a background thread: forking there
    # could copy another thread's held lock into a child that then hangs.
    import threading

    import kintrace.matching.features as features_module
    from kintrace.synthetic import make_world

    rows = [r.exchange_row() for r in make_world(seed=6, persons=80).reports]
    serial = build_features(rows, workers=1).table
    monkeypatch.setattr(features_module, "_PARALLEL_MIN", 10)
    monkeypatch.setattr(features_module, "_CHUNK", 50)

    def no_fork(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a background thread must not fork")

    monkeypatch.setattr(features_module.multiprocessing, "get_context", no_fork)
    got: list = []
    worker = threading.Thread(target=lambda: got.append(build_features(rows, workers=2).table))
    worker.start()
    worker.join()
    assert len(got) == 1 and got[0].equals(serial)


@pytest.mark.parametrize("written", ["آنا أخماتوفا"])
def test_a_woman_written_in_hebrew_or_arabic_letters_links_to_her_cyrillic_record(
    written: str,
) -> None:
    # Without short vowels آنا comes out as `an`, the key of the man's name Ян: that guess must
    # neither make her a man nor count as "another known name" against Анна.
    from kintrace.matching import link_records

    left = {"record_id": "a", "full_name": written, "birth_date": "1989-06-23"}
    right = {"record_id": "b", "full_name": "Анна Ахматова", "birth_date": "1989-06-23"}
    pairs = link_records([left], [right], threshold=0.0)
    assert pairs and pairs[0].match_probability >= 0.5


def test_a_birth_date_written_in_the_name_column_is_read_when_the_date_column_is_empty() -> None:
    # Exchange and casualty lists often write «ПІБ, д.р.» in one column: without the date,
    # namesakes of other years would look like the man the family is looking for.
    rows = [
        {"record_id": "a", "full_name": "Зайцев Олег Петрович, 12.03.1991 г.р."},
        {"record_id": "b", "full_name": "Бондар Іван Миколайович 1987 р.н."},
        {"record_id": "c", "full_name": "Зайцев Олег, 12.03.1991", "birth_date": "1990-01-02"},
        {"record_id": "d", "full_name": "Зайцев Олег 12.03.1991 – 04.05.2024"},
    ]
    table = build_features(rows).table
    dates = list(
        zip(
            table.column("birth_y").to_pylist(),
            table.column("birth_m").to_pylist(),
            table.column("birth_d").to_pylist(),
            strict=True,
        )
    )
    assert dates == [(1991, 3, 12), (1987, None, None), (1990, 1, 2), (None, None, None)]
    assert table.column("family").to_pylist()[0] == table.column("family").to_pylist()[2]
