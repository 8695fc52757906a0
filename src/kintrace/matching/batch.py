"""Batch linking: candidate pairs from blocking keys in DuckDB, scored by the Splink model.

Splink's own `predict` builds its candidate pairs from SQL blocking rules, one rule at a
time; our keys are lists (several per record, from name variants), so the candidate pairs
are generated here — one self-join on an exploded key table — and then scored with the SQL
that Splink generates from the shipped settings. `tests/matching/test_splink_parity.py`
checks that Splink's `Linker.inference.predict` gives the same probabilities for the same
pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from kintrace.matching.engine import (
    MAX_BLOCK_SIZE,
    TF_COLUMNS,
    Progress,
    ScoredPair,
    connect,
    score,
    scored_pairs,
    tf_sql,
    wide_select,
)
from kintrace.matching.features import FeatureWarning, build_features
from kintrace.matching.model import ScoringModel, prior_for

_CHUNK_PAIRS = 1_000_000


def _with_tf(con: Any, source: str, target: str) -> None:
    joins = " ".join(f"LEFT JOIN tf_{c} ON a.{c} = tf_{c}.{c}" for c in TF_COLUMNS)
    tf_cols = ", ".join(f"tf_{c}.tf_{c}" for c in TF_COLUMNS)
    con.execute(
        f"CREATE TABLE {target} AS SELECT a.* EXCLUDE (bkeys), {tf_cols} FROM {source} a {joins}"
    )


def key_table_sql(source: str) -> str:
    """One row per (record, blocking key); `weak` keys ("~" prefix) never pair with each other."""
    return (
        "SELECT rid, ltrim(k, '~') AS k, starts_with(k, '~') AS weak, birth_y "
        f"FROM (SELECT rid, unnest(bkeys) AS k, birth_y FROM {source})"
    )


def _split_big_blocks(con: Any, table: str, big: str) -> None:
    """A key too common in the searched population (`big`) is narrowed by the birth year
    (the same `sub_key` the real-time index uses); without a year the record drops it."""
    con.execute(
        f"CREATE TABLE {table} AS "
        f"SELECT rid, k, weak FROM {table}_all WHERE k NOT IN (SELECT k FROM {big}) "
        f"UNION ALL SELECT rid, k || '|y' || birth_y AS k, weak FROM {table}_all "
        f"WHERE birth_y IS NOT NULL AND k IN (SELECT k FROM {big})"
    )


def candidate_pairs_sql(dedupe: bool) -> str:
    """Distinct candidate pairs from key tables `kl` (left) and `kr` (right, capped)."""
    if dedupe:
        return (
            "SELECT DISTINCT a.rid AS rid_l, b.rid AS rid_r "
            "FROM kr a JOIN kr b ON a.k = b.k AND a.rid < b.rid "
            "WHERE NOT (a.weak AND b.weak)"
        )
    return (
        "SELECT DISTINCT a.rid AS rid_l, b.rid AS rid_r FROM kl a JOIN kr b ON a.k = b.k "
        "WHERE NOT (a.weak AND b.weak)"
    )


def _blocking_recall(con: Any, stats: dict[str, Any], dedupe: bool) -> float:
    """Share of true pairs (same label) that blocking made candidates (benchmarks only)."""
    left = stats["labels_left"]
    con.register("lab_l", pa.table({"rid": range(len(left)), "label": left}))
    if dedupe:
        total = con.execute(
            "SELECT sum(c * (c - 1) / 2) FROM (SELECT count(*) c FROM lab_l GROUP BY label)"
        ).fetchall()[0][0]
        found = con.execute(
            "SELECT count(*) FROM pairs p JOIN lab_l a ON a.rid = p.rid_l "
            "JOIN lab_l b ON b.rid = p.rid_r WHERE a.label = b.label"
        ).fetchall()[0][0]
    else:
        right = stats["labels_right"]
        offset = len(left)
        con.register("lab_r", pa.table({"rid": range(offset, offset + len(right)), "label": right}))
        total = con.execute(
            "SELECT sum(a.c * b.c) FROM (SELECT label, count(*) c FROM lab_l GROUP BY label) a "
            "JOIN (SELECT label, count(*) c FROM lab_r GROUP BY label) b USING (label)"
        ).fetchall()[0][0]
        found = con.execute(
            "SELECT count(*) FROM pairs p JOIN lab_l a ON a.rid = p.rid_l "
            "JOIN lab_r b ON b.rid = p.rid_r WHERE a.label = b.label"
        ).fetchall()[0][0]
    return float(found) / float(total) if total else 1.0


def link_tables(
    left: pa.Table,
    right: pa.Table | None,
    *,
    threshold: float = 0.01,
    explain: bool = False,
    progress: Progress | None = None,
    threads: int | None = None,
    stats: dict[str, Any] | None = None,
) -> list[ScoredPair]:
    """Score feature tables (from build_features); `right=None` deduplicates `left`.

    Right rids must not overlap left rids (build right with rid_offset=len(left)).
    """
    dedupe = right is None
    model = ScoringModel(prior_for(left.num_rows if right is None else right.num_rows))
    con = connect(threads=threads, memory_limit="6GB")
    con.register("l_raw", left)
    population = "l_raw"
    if right is not None:
        con.register("r_raw", right)
        population = "r_raw"
    for c in TF_COLUMNS:
        con.execute(f"CREATE TABLE tf_{c} AS {tf_sql(model, population, c)}")
    _with_tf(con, "l_raw", "l_feat")
    if right is not None:
        _with_tf(con, "r_raw", "r_feat")
    right_feat = "l_feat" if dedupe else "r_feat"

    con.execute(f"CREATE TABLE kr_split_all AS {key_table_sql(population)}")
    con.execute(
        "CREATE TABLE big AS SELECT k FROM kr_split_all GROUP BY k "
        f"HAVING count(*) > {MAX_BLOCK_SIZE}"
    )
    _split_big_blocks(con, "kr_split", "big")
    con.execute(
        "CREATE TABLE kr AS SELECT * FROM kr_split WHERE k NOT IN (SELECT k FROM kr_split "
        f"GROUP BY k HAVING count(*) > {MAX_BLOCK_SIZE})"
    )
    if not dedupe:
        con.execute(f"CREATE TABLE kl_all AS {key_table_sql('l_raw')}")
        _split_big_blocks(con, "kl", "big")
    if progress:
        progress("blocking", 0, 1)
    con.execute(f"CREATE TABLE pairs AS {candidate_pairs_sql(dedupe)}")
    n_pairs = con.execute("SELECT count(*) FROM pairs").fetchall()[0][0]  # type: ignore[index]
    if stats is not None:
        stats["candidate_pairs"] = int(n_pairs)
        stats["prior"] = model.prior
        if "labels_left" in stats:
            stats["blocking_recall"] = _blocking_recall(con, stats, dedupe)
    if progress:
        progress("blocking", 1, 1)

    n_chunks = max(1, math.ceil(n_pairs / _CHUNK_PAIRS))
    results: list[pa.Table] = []
    select = wide_select(model, "a", "b")
    for i in range(n_chunks):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW wide AS SELECT {select} FROM "
            f"(SELECT * FROM pairs WHERE rid_l % {n_chunks} = {i}) p "
            f"JOIN l_feat a ON a.rid = p.rid_l JOIN {right_feat} b ON b.rid = p.rid_r"
        )
        results.append(score(con, model, model.gamma_sql("wide"), threshold))
        if progress:
            progress("scoring", i + 1, n_chunks)
    con.close()
    scored = pa.concat_tables(results) if results else None
    if scored is None:
        return []
    scored = scored.sort_by([("match_probability", "descending"), ("rid_l", "ascending")])
    right_table = left if right is None else right
    right_offset = 0 if right is None else left.num_rows
    return scored_pairs(model, scored, left, right_table, 0, right_offset, explain=explain)


def link_records(
    left: Sequence[dict[str, Any]],
    right: Sequence[dict[str, Any]] | None = None,
    *,
    threshold: float = 0.01,
    explain: bool = False,
    progress: Progress | None = None,
    warnings: list[FeatureWarning] | None = None,
) -> list[ScoredPair]:
    """Link exchange records (dicts of strings, as read from the exchange CSV).

    With one list, find duplicates within it (each unordered pair once, never a record with
    itself); with two, pairs have left_id from `left` and right_id from `right`. Returns
    pairs with match_probability >= threshold, most probable first. Bad values are read as
    empty; pass a list as `warnings` to receive them (with the record's index).
    """
    lf = build_features(left)
    rf = build_features(right, rid_offset=len(left)) if right is not None else None
    if warnings is not None:
        warnings.extend(lf.warnings)
        if rf is not None:
            warnings.extend(FeatureWarning(w.index, w.field, w.reason) for w in rf.warnings)
    return link_tables(
        lf.table,
        rf.table if rf is not None else None,
        threshold=threshold,
        explain=explain,
        progress=progress,
    )
