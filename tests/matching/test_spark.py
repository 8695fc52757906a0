"""`kintrace link --engine spark` (issue 9 item 2): the same model on Apache Spark gives the same
pairs and the same probabilities as the DuckDB engine."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import skip_or_fail
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.matching import batch as batch_module
from kintrace.matching import spark as spark_module
from kintrace.matching.batch import link_tables
from kintrace.matching.features import build_features
from kintrace.matching.spark import link_tables_spark, spark_sql
from kintrace.synthetic import make_world


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if importlib.util.find_spec("pyspark") is None:
        skip_or_fail("pyspark is not installed (it comes with the test extra)")
    if shutil.which("java") is None:
        skip_or_fail("java is missing; scripts/test installs a JRE (Spark needs Java 17)")
    from kintrace.matching.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def test_duckdb_functions_get_their_spark_names_and_nothing_else_changes() -> None:
    sql = (
        "CASE WHEN list_has_any(a_l, a_r) THEN 3 WHEN jaro_winkler_similarity(b_l, b_r) >= 0.9 "
        "THEN 2 WHEN damerau_levenshtein(b_l, b_r) <= 1 AND levenshtein(c_l, c_r) < 2 THEN 1 "
        "ELSE 0 END"
    )
    assert spark_sql(sql) == (
        "CASE WHEN arrays_overlap(a_l, a_r) THEN 3 WHEN kt_jaro_winkler(b_l, b_r) >= 0.9 "
        "THEN 2 WHEN kt_damerau_levenshtein(b_l, b_r) <= 1 AND levenshtein(c_l, c_r) < 2 THEN 1 "
        "ELSE 0 END"
    )


@pytest.mark.slow
def test_spark_finds_the_same_pairs_as_duckdb_with_probabilities_within_a_hundredth(
    spark: Any,
) -> None:
    world = make_world(seed=7, persons=5800)
    reports = [r.exchange_row() for r in world.reports][:10_000]
    assert len(reports) == 10_000
    features = build_features(reports).table
    duck = {(p.left_id, p.right_id): p.match_probability for p in link_tables(features, None)}
    on_spark = {
        (p.left_id, p.right_id): p.match_probability
        for p in link_tables_spark(features, None, spark=spark)
    }
    assert len(duck) > 5_000  # the file has duplicates to find
    assert set(on_spark) == set(duck)
    assert max(abs(on_spark[k] - duck[k]) for k in duck) <= 0.01


def test_two_files_give_left_ids_from_the_left_and_the_same_pairs_as_duckdb(spark: Any) -> None:
    world = make_world(seed=11, persons=120)
    reports = [r.exchange_row() for r in world.reports]
    enquiries = [e.exchange_row() for e in world.enquiries]
    left = build_features(enquiries)
    right = build_features(reports, rid_offset=len(enquiries))
    duck = link_tables(left.table, right.table, explain=True)
    on_spark = link_tables_spark(left.table, right.table, explain=True, spark=spark)
    assert duck
    spark_pairs = {(p.left_id, p.right_id): p for p in on_spark}
    assert set(spark_pairs) == {(p.left_id, p.right_id) for p in duck}
    left_ids = {e["record_id"] for e in enquiries}
    assert all(left in left_ids for left, _ in spark_pairs)
    for pair in duck:
        same = spark_pairs[(pair.left_id, pair.right_id)]
        assert abs(same.match_probability - pair.match_probability) <= 0.01
        # The explanation a caseworker reads is the same too.
        assert same.explanation == pair.explanation


def test_kintrace_link_with_the_spark_engine_writes_the_duckdb_engines_pairs(
    spark: Any, tmp_path: Path
) -> None:
    world = make_world(seed=3, persons=60)
    rows = [r.exchange_row() for r in world.reports]
    source = tmp_path / "reports.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    runner = CliRunner()
    written = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"pairs-{engine}.csv"
        result = runner.invoke(app, ["link", str(source), "-o", str(out), "--engine", engine])
        assert result.exit_code == 0, result.output
        with out.open(encoding="utf-8") as handle:
            written[engine] = {
                (r["left_id"], r["right_id"]): float(r["match_probability"])
                for r in csv.DictReader(handle)
            }
    assert written["duckdb"]
    assert set(written["spark"]) == set(written["duckdb"])
    assert all(abs(written["spark"][k] - p) <= 0.01 for k, p in written["duckdb"].items())


def test_an_unknown_engine_is_refused_with_a_sentence_naming_both(tmp_path: Path) -> None:
    source = tmp_path / "one.csv"
    source.write_text("record_id,full_name\n1,Кислиця Сергій\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["link", str(source), "-o", str(tmp_path / "o.csv"), "--engine", "hadoop"]
    )
    assert result.exit_code == 2
    assert "use duckdb or spark" in result.output


def test_big_blocks_are_split_and_probed_as_in_the_duckdb_engine(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny caps so that a small file has big blocks: narrowed by birth year, probed by
    # year-less records, dropped beyond the probe cap — the same pairs either way.
    for module in (batch_module, spark_module):
        monkeypatch.setattr(module, "MAX_BLOCK_SIZE", 3)
        monkeypatch.setattr(module, "MAX_PROBE_BLOCK_SIZE", 6)
    world = make_world(seed=5, persons=150)
    reports = [r.exchange_row() for r in world.reports]
    enquiries = [e.exchange_row() for e in world.enquiries]
    features = build_features(reports).table
    left = build_features(enquiries).table
    right = build_features(reports, rid_offset=len(enquiries)).table
    for lt, rt in ((features, None), (left, right)):
        duck = {(p.left_id, p.right_id) for p in batch_module.link_tables(lt, rt)}
        on_spark = {(p.left_id, p.right_id) for p in link_tables_spark(lt, rt, spark=spark)}
        assert duck
        assert on_spark == duck


def test_batch_real_time_and_spark_share_a_record_between_competing_candidates_alike(
    spark,
) -> None:
    from kintrace.matching import CandidateIndex, link_records
    from kintrace.matching.spark import link_records_spark

    world = make_world(seed=7, persons=250)
    reports = [r.exchange_row() for r in world.reports]
    enquiries = [e.exchange_row() for e in world.enquiries]
    # Two men of one name the model tells apart, and a name-only enquiry between them.
    twins = [dict(reports[0]), dict(reports[0])]
    for i, (row, year) in enumerate(zip(twins, ("1975-03-02", "1994-11-20"), strict=True)):
        row.update(record_id=f"RX{i}", birth_date=year, birth_place=("Полтава", "Київ")[i])
        row.update(full_name="ПАНЧЕНКО Роман " + ("Олександрович", "Петрович")[i])
        row.update(given_name="", patronymic="", family_name="")
    reports += twins
    enquiries.append(
        {**twins[0], "record_id": "EX", "full_name": "Roman Pancsenko"}
        | {k: "" for k in ("birth_date", "birth_place", "sex", "military_unit")}
    )
    batch = {(p.left_id, p.right_id): p.match_probability for p in link_records(enquiries, reports)}
    assert batch[("EX", "RX0")] < 0.5 and batch[("EX", "RX1")] < 0.5  # shared
    on_spark = {
        (p.left_id, p.right_id): p.match_probability
        for p in link_records_spark(enquiries, reports, spark=spark)
    }
    assert set(on_spark) == set(batch)
    assert all(abs(on_spark[k] - batch[k]) <= 1e-6 for k in batch)
    index = CandidateIndex(reports)
    real_time = {
        (p.left_id, p.right_id): p.match_probability
        for e in enquiries
        for p in index.query(e, limit=1000)
    }
    assert all(abs(real_time[k] - batch[k]) <= 0.01 for k in batch)
