"""The real-time index against the batch path: same levels, same weights, same probability
for any pair, and at least every pair batch would make."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from kintrace.matching import CandidateIndex, link_records
from kintrace.matching import batch as batch_module
from kintrace.matching.engine import TF_COLUMNS, connect, score, tf_sql, wide_select
from kintrace.matching.features import build_features
from kintrace.matching.model import ScoringModel, prior_for
from kintrace.synthetic.noise import iter_noisy

Row = dict[str, Any]


@pytest.fixture(scope="module")
def noisy() -> tuple[list[Row], list[str], list[Row], list[str]]:
    reports: list[Row] = []
    r_persons: list[str] = []
    enquiries: list[Row] = []
    e_persons: list[str] = []
    for _person, reps, enqs in iter_noisy(31, 160):
        for r in reps:
            reports.append(r.row)
            r_persons.append(r.person_id)
        for e in enqs:
            enquiries.append(e.row)
            e_persons.append(e.person_id)
    return reports, r_persons, enquiries, e_persons


def batch_scores(
    enquiries: list[Row], reports: list[Row], pairs: list[tuple[int, int]]
) -> dict[tuple[str, str], tuple[float, float]]:
    """(probability, weight) of chosen (enquiry, report) pairs, scored as `link_records`
    scores its candidate pairs: the same tables, term frequencies, prior and SQL."""
    lf = build_features(enquiries).table
    rf = build_features(reports, rid_offset=len(enquiries)).table
    model = ScoringModel(prior_for(rf.num_rows))
    con = connect()
    con.register("l_raw", lf)
    con.register("r_raw", rf)
    for c in TF_COLUMNS:
        con.execute(f"CREATE TABLE tf_{c} AS {tf_sql(model, 'r_raw', c)}")
    batch_module._with_tf(con, "l_raw", "l_feat")
    batch_module._with_tf(con, "r_raw", "r_feat")
    con.register(
        "chosen",
        pa.table(
            {
                "rid_l": [a for a, _ in pairs],
                "rid_r": [b + len(enquiries) for _, b in pairs],
            }
        ),
    )
    con.execute(
        f"CREATE VIEW wide AS SELECT {wide_select(model, 'a', 'b')} FROM chosen p "
        "JOIN l_feat a ON a.rid = p.rid_l JOIN r_feat b ON b.rid = p.rid_r"
    )
    scored = score(con, model, model.gamma_sql("wide"), 0.0)
    out = {}
    for a, b, p, w in zip(
        scored.column("rid_l").to_pylist(),
        scored.column("rid_r").to_pylist(),
        scored.column("match_probability").to_pylist(),
        scored.column("match_weight").to_pylist(),
        strict=True,
    ):
        out[(enquiries[a]["record_id"], reports[b - len(enquiries)]["record_id"])] = (p, w)
    return out


def test_any_pair_scores_the_same_in_real_time_as_in_batch(noisy) -> None:
    reports, r_persons, enquiries, e_persons = noisy
    rng = random.Random(5)
    rows_of: dict[str, list[int]] = {}
    for i, person in enumerate(r_persons):
        rows_of.setdefault(person, []).append(i)
    # the same person's reports (most levels agree), plus random reports (most disagree)
    pairs = {(i, j) for i, person in enumerate(e_persons) for j in rows_of.get(person, [])}
    pairs |= {(rng.randrange(len(enquiries)), rng.randrange(len(reports))) for _ in range(1500)}
    batch = batch_scores(enquiries, reports, sorted(pairs))
    assert len(batch) == len(pairs)
    assert any(p >= 0.5 for p, _ in batch.values()) and any(p < 0.01 for p, _ in batch.values())
    index = CandidateIndex(reports)
    by_enquiry: dict[int, list[int]] = {}
    for i, j in pairs:
        by_enquiry.setdefault(i, []).append(j)
    compared = 0
    for i, js in by_enquiry.items():
        ids = [reports[j]["record_id"] for j in js]
        for p in index.score(enquiries[i], ids):
            expected_p, expected_w = batch[(p.left_id, p.right_id)]
            assert abs(p.match_probability - expected_p) <= 0.01
            assert p.match_weight == pytest.approx(expected_w, abs=1e-6)
            compared += 1
    assert compared == len(pairs)


def test_the_real_time_index_finds_every_pair_batch_finds_at_the_same_probability(
    noisy,
) -> None:
    reports, _, enquiries, _ = noisy
    batch = {(p.left_id, p.right_id): p.match_probability for p in link_records(enquiries, reports)}
    index = CandidateIndex(reports)
    real_time = {
        (p.left_id, p.right_id): p.match_probability
        for e in enquiries
        for p in index.query(e, min_probability=0.01, limit=1000)
    }
    assert batch and set(batch) <= set(real_time)
    assert all(abs(batch[k] - real_time[k]) <= 0.01 for k in batch)


def test_with_batch_blocks_only_the_index_makes_exactly_batchs_pairs_even_when_keys_are_common(
    noisy, monkeypatch
) -> None:
    import kintrace.matching.realtime as realtime_module

    # A tiny cap makes every name key "too common", as in a million records.
    monkeypatch.setattr(batch_module, "MAX_BLOCK_SIZE", 5)
    monkeypatch.setattr(realtime_module, "MAX_BLOCK_SIZE", 5)
    reports, _, enquiries, _ = noisy
    batch = {(p.left_id, p.right_id): p.match_probability for p in link_records(enquiries, reports)}
    index = CandidateIndex(reports)
    index.candidate_budget, index.weak_pairs = 0, False
    real_time = {
        (p.left_id, p.right_id): p.match_probability
        for e in enquiries
        for p in index.query(e, limit=1000)
    }
    assert batch and set(real_time) == set(batch)
    assert all(abs(batch[k] - real_time[k]) <= 0.01 for k in batch)


def test_rival_pairs_evaluated_together_score_as_rival_by_rival(noisy) -> None:
    # The rival step evaluates every (strong rival, other candidate) pair of an enquiry in
    # one evaluator call; the same pairs scored one rival at a time (the path for a model the
    # pair evaluator cannot read) give the same gammas and so the same probabilities.
    reports, _, enquiries, _ = noisy
    together = CandidateIndex(reports)
    one_by_one = CandidateIndex(reports)
    one_by_one._pairs_numpy = False
    model = together.model
    checked = 0
    for e in enquiries[:80]:
        q = build_features([e], rid_offset=-1).table
        rows = together._candidates_of(q)
        if len(rows) < 2:
            continue
        firsts = np.repeat(rows[:3], len(rows))
        seconds = np.tile(rows, 3)[: len(firsts)]
        pairs = together._pair_columns(model, firsts, seconds)
        for k, first in enumerate(rows[:3].tolist()):
            alone = together._score_columns(
                model, together._arrow_rows(np.array([first]), explain=True), rows
            )
            for name, value in alone.items():
                if name.startswith("gamma_"):
                    got = pairs[name][k * len(rows) : (k + 1) * len(rows)]
                    assert got.tolist() == value.tolist(), name
            checked += 1
        p = model.weigh(together._score_columns(model, q, rows))["match_probability"]
        strong = np.nonzero(p >= 0.5)[0]
        if len(strong):
            cand = np.arange(len(rows))
            assert np.array_equal(
                together._apart(model, rows, cand, strong),
                one_by_one._apart(model, rows, cand, strong),
            )
    assert checked > 20 and together._pairs_numpy


def test_reports_added_later_are_found_as_if_indexed_from_the_start(noisy) -> None:
    reports, _, enquiries, _ = noisy
    whole = CandidateIndex(reports)
    grown = CandidateIndex(reports[: len(reports) // 2])
    for start in range(len(reports) // 2, len(reports), 7):
        grown.add(reports[start : start + 7])
    assert grown.size == whole.size == len(reports)
    for e in enquiries[:60]:
        expected = [(p.right_id, round(p.match_probability, 9)) for p in whole.query(e)]
        assert [(p.right_id, round(p.match_probability, 9)) for p in grown.query(e)] == expected


def test_a_level_the_numpy_evaluator_cannot_read_is_scored_by_duckdb_alike(noisy) -> None:
    reports, _, enquiries, _ = noisy
    numpy_index = CandidateIndex(reports)
    sql_index = CandidateIndex(reports)
    sql_index._levels = None  # as for a model with a function the evaluator does not know
    for e in enquiries[:40]:
        got = sql_index.query(e, explain=True)
        expected = numpy_index.query(e, explain=True)
        assert [(p.right_id, p.explanation) for p in got] == [
            (p.right_id, p.explanation) for p in expected
        ]
    assert numpy_index._levels is not None  # the shipped model needs no SQL in real time


def test_an_explanation_in_real_time_reads_as_in_batch(noisy) -> None:
    reports, _, enquiries, _ = noisy
    batch = {
        (p.left_id, p.right_id): p.explanation
        for p in link_records(enquiries[:30], reports, explain=True)
    }
    index = CandidateIndex(reports)
    shown = 0
    for e in enquiries[:30]:
        for p in index.query(e, explain=True):
            if (p.left_id, p.right_id) in batch:
                assert p.explanation == batch[(p.left_id, p.right_id)]
                shown += 1
    assert shown


def test_many_enquiries_at_once_get_what_each_gets_alone(noisy) -> None:
    reports, _, enquiries, _ = noisy
    index = CandidateIndex(reports)
    together = index.query_many(enquiries[:25], min_probability=0.05, limit=10, explain=True)
    alone = [index.query(e, min_probability=0.05, limit=10, explain=True) for e in enquiries[:25]]
    assert together == alone
    assert any(together)


def test_removed_reports_are_no_longer_found_and_the_rest_score_as_without_them(noisy) -> None:
    reports, _, enquiries, _ = noisy
    gone = {r["record_id"] for r in reports[::3]}
    kept = [r for r in reports if r["record_id"] not in gone]
    index = CandidateIndex(reports)
    assert index.remove(sorted(gone)) == len(gone)
    assert index.remove(sorted(gone)) == 0  # removing twice changes nothing
    fresh = CandidateIndex(kept)
    assert index.size == fresh.size == len(kept)
    for e in enquiries[:60]:
        got = [(p.right_id, round(p.match_probability, 9)) for p in index.query(e)]
        assert not gone & {right_id for right_id, _ in got}
        assert got == [(p.right_id, round(p.match_probability, 9)) for p in fresh.query(e)]


def test_an_empty_index_answers_nothing_then_finds_what_is_added() -> None:
    index = CandidateIndex([])
    enquiry = {"record_id": "e1", "full_name": "Серёжа Кислица", "birth_date": "12.03.2001"}
    assert index.query(enquiry) == []
    index.add(
        [
            {
                "record_id": "r1",
                "full_name": "KYSLYTSIA SERHII VIKTOROVYCH",
                "birth_date": "2001-03-12",
            }
        ]
    )
    found = index.query(enquiry)
    assert [p.right_id for p in found] == ["r1"] and found[0].match_probability >= 0.5


def test_a_saved_index_opened_from_its_files_answers_as_the_one_saved(noisy, tmp_path) -> None:
    reports, _, enquiries, _ = noisy
    half = len(reports) // 2
    built = CandidateIndex(reports[:half])
    built.add(reports[half : half + 10])  # pending keys are saved too
    built.save(tmp_path / "index")
    opened = CandidateIndex.open(tmp_path / "index")
    assert opened.size == built.size
    for e in enquiries[:40]:
        assert opened.query(e, explain=True) == built.query(e, explain=True)


def test_reports_added_to_and_removed_from_an_opened_index_leave_its_files_as_they_were(
    noisy, tmp_path
) -> None:
    reports, _, enquiries, _ = noisy
    half = len(reports) // 2
    CandidateIndex(reports[:half]).save(tmp_path / "index")
    files = {p.name: p.read_bytes() for p in (tmp_path / "index").iterdir()}
    opened = CandidateIndex.open(tmp_path / "index")
    opened.add(reports[half:])
    gone = [r["record_id"] for r in reports[:half:4]]
    opened.remove(gone)
    kept = [r for r in reports if r["record_id"] not in set(gone)]
    fresh = CandidateIndex(kept)
    assert opened.size == fresh.size
    for e in enquiries[:60]:
        got = [(p.right_id, round(p.match_probability, 9)) for p in opened.query(e)]
        assert got == [(p.right_id, round(p.match_probability, 9)) for p in fresh.query(e)]
    # Copy-on-write: another process opening the folder still sees the saved index.
    assert {p.name: p.read_bytes() for p in (tmp_path / "index").iterdir()} == files


def test_an_index_saved_for_another_model_is_refused_with_a_sentence(noisy, tmp_path) -> None:
    reports, _, _, _ = noisy
    folder = CandidateIndex(reports[:50]).save(tmp_path / "index")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["model_version"] = "kintrace-old"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValueError, match="another model"):
        CandidateIndex.open(folder)


def test_an_empty_index_can_be_saved_opened_and_grown(tmp_path) -> None:
    CandidateIndex([]).save(tmp_path / "index")
    opened = CandidateIndex.open(tmp_path / "index")
    enquiry = {"record_id": "e1", "full_name": "Серёжа Кислица", "birth_date": "12.03.2001"}
    assert opened.query(enquiry) == []
    opened.add([{"record_id": "r1", "full_name": "Кислица Сергей", "birth_date": "2001-03-12"}])
    assert [p.right_id for p in opened.query(enquiry)] == ["r1"]


def test_surnames_with_a_productive_suffix_score_in_real_time_as_in_duckdb() -> None:
    # The family levels read the key's last letters (right()): Шевченко / Савченко are two
    # families, Новикова / Ноанкова a slip; the numpy evaluator must read them as DuckDB does.
    names = ["Шевченко", "Савченко", "Коваленко", "Клименко", "Ковальчук", "Савчук", "Шевчук"]
    names += ["Новикова", "Ноанкова", "Петров", "Петрова", "Ковальська", "Мельник", "Бо"]
    reports = [
        {"record_id": f"r{i}", "full_name": f"{name} Петро Іванович", "birth_date": "1980-01-01"}
        for i, name in enumerate(names)
    ]
    numpy_index = CandidateIndex(reports)
    sql_index = CandidateIndex(reports)
    sql_index._levels = None
    ids = [r["record_id"] for r in reports]
    compared = 0
    for enquiry in reports:
        got = {p.right_id: p.match_weight for p in numpy_index.score(enquiry, ids)}
        expected = {p.right_id: p.match_weight for p in sql_index.score(enquiry, ids)}
        assert got.keys() == expected.keys()
        for right_id, weight in expected.items():
            assert got[right_id] == pytest.approx(weight, abs=1e-6)
            compared += 1
    assert compared >= len(names) ** 2 // 2
    assert numpy_index._levels is not None


def test_surnames_cut_in_earlier_queries_and_those_added_later_score_as_in_duckdb() -> None:
    # The index keeps each surname's right() and left() from query to query (`_Strs.cut`):
    # surnames added after the first queries must be cut too, and the kept ones stay right.
    def reports(names: list[str], start: int) -> list[Row]:
        return [
            {"record_id": f"r{start + i}", "full_name": f"{n} Петро Іванович", "birth_date": "1980"}
            for i, n in enumerate(names)
        ]

    first = reports(["Шевченко", "Савченко", "Новикова", "Петров", "Бо"], 0)
    later = reports(["Ковальчук", "Савчук", "Ноанкова", "Петрова", "Шевчук"], 100)
    numpy_index, sql_index = CandidateIndex(first), CandidateIndex(first)
    sql_index._levels = None

    def check(enquiries: list[Row], ids: list[str]) -> None:
        for enquiry in enquiries:
            got = {p.right_id: p.match_weight for p in numpy_index.score(enquiry, ids)}
            expected = {p.right_id: p.match_weight for p in sql_index.score(enquiry, ids)}
            assert got.keys() == expected.keys() and len(got) == len(ids)
            for right_id, weight in expected.items():
                assert got[right_id] == pytest.approx(weight, abs=1e-6)

    check(first, [r["record_id"] for r in first])
    numpy_index.add(later)
    sql_index.add(later)
    check(first + later, [r["record_id"] for r in first + later])
    assert numpy_index._levels is not None
