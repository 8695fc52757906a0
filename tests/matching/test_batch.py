"""Batch blocking at scale: what happens when a name key is too common to pair whole."""

from __future__ import annotations

import kintrace.matching.batch as batch_module
from kintrace.matching import link_records
from kintrace.matching.batch import link_tables
from kintrace.matching.features import build_features


def _records() -> list[dict[str, str]]:
    # Five synthetic namesakes born decades apart, and one record of the name alone.
    dated = [
        {"record_id": f"r{year}", "full_name": "Петренко Іван", "birth_date": str(year)}
        for year in (1950, 1960, 1970, 1980, 1990)
    ]
    return [*dated, {"record_id": "bare", "full_name": "Ivan Petrenko", "birth_date": ""}]


def test_a_record_without_a_birth_year_still_meets_its_namesakes_in_a_too_common_block(
    monkeypatch,
) -> None:
    # A cap of 3 makes the name "too common", as "Ivanov Sergei" is in a million records.
    monkeypatch.setattr(batch_module, "MAX_BLOCK_SIZE", 3)
    pairs = link_records(_records())
    met = {frozenset((p.left_id, p.right_id)) for p in pairs}
    assert {frozenset(("bare", f"r{y}")) for y in (1950, 1960, 1970, 1980, 1990)} <= met


def test_namesakes_with_different_birth_years_are_not_paired_through_a_too_common_block(
    monkeypatch,
) -> None:
    monkeypatch.setattr(batch_module, "MAX_BLOCK_SIZE", 3)
    stats: dict = {}
    link_tables(build_features(_records()).table, None, stats=stats)
    # Only the year-less record meets the others: 5 pairs, not the 15 of the whole block.
    assert stats["candidate_pairs"] == 5


def test_a_block_bigger_than_the_probe_cap_is_dropped(monkeypatch) -> None:
    monkeypatch.setattr(batch_module, "MAX_BLOCK_SIZE", 3)
    monkeypatch.setattr(batch_module, "MAX_PROBE_BLOCK_SIZE", 4)
    stats: dict = {}
    link_tables(build_features(_records()).table, None, stats=stats)
    assert stats["candidate_pairs"] == 0


def test_no_spill_folder_with_name_keys_is_left_behind_after_a_link(tmp_path, monkeypatch) -> None:
    import gc
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert link_records(_records())
    gc.collect()
    assert list(tmp_path.glob("kintrace-duckdb*")) == []


def test_the_spill_folder_is_private_while_the_connection_lives(tmp_path) -> None:
    from kintrace.matching.engine import connect

    con = connect(spill_dir=str(tmp_path))
    (folder,) = tmp_path.glob("kintrace-duckdb-*")
    assert folder.stat().st_mode & 0o777 == 0o700
    del con
    import gc

    gc.collect()
    assert not folder.exists()


def test_skipping_pairs_that_cannot_reach_the_threshold_changes_no_pair_in_the_output() -> None:
    from kintrace.synthetic import make_world

    world = make_world(seed=11, persons=300)
    reports = build_features([r.exchange_row() for r in world.reports])
    enquiries = [e.exchange_row() for e in world.enquiries]
    right = build_features(enquiries, rid_offset=reports.table.num_rows).table
    for left, other in ((reports.table, None), (reports.table, right)):
        for threshold in (0.01, 0.5):
            stats: dict = {}
            # The model's own probabilities: competing candidates (compete) read the pairs
            # below the 0.01 floor when asked for threshold 0, and so share differently.
            fast = link_tables(left, other, threshold=threshold, stats=stats, compete=False)
            full = [
                p
                for p in link_tables(left, other, threshold=0.0, compete=False)
                if p.match_probability >= threshold
            ]
            # Some pairs were never scored, and every pair a user would see is still there.
            assert stats["pairs_scored"] < stats["candidate_pairs"]
            assert {(p.left_id, p.right_id): p.match_probability for p in fast} == {
                (p.left_id, p.right_id): p.match_probability for p in full
            }
            assert fast


def test_levels_scored_in_numpy_give_the_same_pairs_and_probabilities_as_splinks_sql(
    monkeypatch,
) -> None:
    from kintrace.synthetic import make_world

    world = make_world(seed=12, persons=300)
    reports = build_features([r.exchange_row() for r in world.reports])
    enquiries = [e.exchange_row() for e in world.enquiries]
    right = build_features(enquiries, rid_offset=reports.table.num_rows).table
    for left, other in ((reports.table, None), (reports.table, right)):
        for threshold in (0.0, 0.01):
            numpy_pairs = link_tables(left, other, threshold=threshold, explain=True)
            with monkeypatch.context() as m:
                # Small chunks: scored by two forked worker processes.
                m.setattr(batch_module, "_NUMPY_CHUNK_PAIRS", 100)
                stats: dict = {}
                in_workers = link_tables(
                    left, other, threshold=threshold, explain=True, threads=2, stats=stats
                )
                # Every comparison read pair by pair, none per distinct pair of profiles,
                # and an AND/OR's list overlap read only for the pairs its left side
                # leaves open, however few the pairs.
                m.setattr(batch_module, "_DENSE_PROFILE_PAIRS", 0)
                m.setattr(batch_module, "_SHORT_CIRCUIT_PAIRS", 0)
                pair_by_pair = link_tables(left, other, threshold=threshold, explain=True)
                m.setattr(batch_module, "_numpy_scoring", lambda *args: None)
                sql_pairs = link_tables(left, other, threshold=threshold, explain=True)
            # Same pairs, same order, same probabilities and the same explanations.
            assert numpy_pairs == sql_pairs
            assert in_workers == sql_pairs
            assert pair_by_pair == sql_pairs
            assert stats["candidate_pairs"] > 3 * 100
            assert len(numpy_pairs) > 100


def test_a_link_run_from_a_server_thread_scores_in_its_own_process(monkeypatch) -> None:
    import threading

    from kintrace.synthetic import make_world

    rows = [r.exchange_row() for r in make_world(seed=13, persons=150).reports]
    table = build_features(rows).table
    expected = link_tables(table, None)

    def no_fork(*args, **kwargs):
        raise AssertionError("a request thread must not fork")

    monkeypatch.setattr(batch_module, "_NUMPY_CHUNK_PAIRS", 100)
    monkeypatch.setattr(batch_module, "ProcessPoolExecutor", no_fork)
    got: list = []
    stats: dict = {}
    worker = threading.Thread(
        target=lambda: got.append(link_tables(table, None, threads=2, stats=stats))
    )
    worker.start()
    worker.join()
    # The same pairs as a run in the main thread, and no worker process was started
    # although there were several chunks.
    assert got == [expected]
    assert stats["candidate_pairs"] > 2 * 100


def test_a_level_the_numpy_evaluator_cannot_read_is_scored_by_splinks_sql(monkeypatch) -> None:
    from kintrace.matching.realtime import Unsupported
    from kintrace.synthetic import make_world

    rows = [r.exchange_row() for r in make_world(seed=14, persons=100).reports]
    table = build_features(rows).table
    expected = link_tables(table, None)

    def unreadable(*args, **kwargs):
        raise Unsupported("a function the evaluator does not know")

    monkeypatch.setattr(batch_module, "_score_numpy", unreadable)
    # The run still gives every pair, with the same probabilities.
    assert link_tables(table, None) == expected
    assert expected


def test_the_candidate_join_cut_into_parts_gives_the_same_candidates_and_pairs(
    monkeypatch,
) -> None:
    from kintrace.synthetic import make_world

    world = make_world(seed=13, persons=300)
    rows = [r.exchange_row() for r in world.reports]
    reports = build_features(rows).table
    # A link's left side is the enquiries (the parts cut it), the reports after them.
    enquiries = build_features([e.exchange_row() for e in world.enquiries]).table
    searched = build_features(rows, rid_offset=enquiries.num_rows).table
    for left, other in ((reports, None), (enquiries, searched)):
        whole_stats: dict = {}
        whole = link_tables(left, other, stats=whole_stats)
        with monkeypatch.context() as m:
            # 40 left records per part: a few parts (a million reports makes ten).
            m.setattr(batch_module, "_JOIN_PART_RECORDS", 40)
            parts_stats: dict = {}
            in_parts = link_tables(left, other, stats=parts_stats)
        assert left.num_rows > 2 * 40
        assert parts_stats["candidate_pairs"] == whole_stats["candidate_pairs"] > 0
        assert in_parts == whole
        assert whole


def test_a_pair_whose_probability_is_exactly_the_threshold_is_not_dropped_by_the_bound() -> None:
    from kintrace.synthetic import make_world

    rows = [r.exchange_row() for r in make_world(seed=15, persons=300).reports]
    table = build_features(rows).table
    every = link_tables(table, None, threshold=0.0, compete=False)
    # Low probabilities (below the 0.01 floor the run scores at, so the bound decides):
    # each pair's own probability as the threshold, the bound at its tightest.
    low = sorted({p.match_probability for p in every if 0.0 < p.match_probability < 0.01})
    assert len(low) > 20
    dropped = []
    for threshold in low[:: max(1, len(low) // 8)]:
        stats: dict = {}
        kept = link_tables(table, None, threshold=threshold, stats=stats, compete=False)
        expected = [p for p in every if p.match_probability >= threshold]
        assert {(p.left_id, p.right_id): p.match_probability for p in kept} == {
            (p.left_id, p.right_id): p.match_probability for p in expected
        }
        dropped.append(stats["candidate_pairs"] - stats["pairs_scored"])
    # The bound did drop pairs before their string comparisons (only ones below it).
    assert max(dropped) > 0
