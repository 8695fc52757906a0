"""Pieces shared by the batch linker and the real-time index: scored pairs, DuckDB,
term frequencies, and turning scored rows into ScoredPair objects."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from kintrace.matching.explain import explanation_parts, explanation_text
from kintrace.matching.model import ScoringModel

#: Blocks (records sharing one blocking key) larger than this in the searched population
#: are skipped: such a key ("Ivanov, S.") says too little to be worth its pairs, and the
#: other, narrower keys of the same records still find their true partners.
MAX_BLOCK_SIZE = 100

#: A record with no birth year cannot use the year-narrowed keys of a big block; in batch
#: it still meets every record of a block up to this size (see batch.key_tables).
MAX_PROBE_BLOCK_SIZE = 300

#: Columns of the feature table that are compared (see comparisons.py).
TF_COLUMNS = ("family", "given")

#: progress(stage, done, total): long runs report through it (the CLI draws a rich bar).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ScoredPair:
    """One scored pair of records, left and right as given by the caller.

    `match_probability` is calibrated: 0.5 or more means "the same person".
    `explanation` is set when asked for; `details` holds its parts per comparison.
    """

    left_id: str
    right_id: str
    match_probability: float
    match_weight: float
    explanation: str | None = None
    details: tuple[dict[str, Any], ...] | None = None


def connect(
    threads: int | None = None,
    memory_limit: str | None = None,
    spill_dir: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that spills big joins into a private folder.

    The folder (mode 0700, under `spill_dir` or the system temp folder) holds name keys in
    clear while a join spills, so it is made per connection and removed with it (when the
    connection is garbage-collected, or at exit at the latest).
    """
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    spill = tempfile.mkdtemp(prefix="kintrace-duckdb-", dir=spill_dir)  # mode 0700
    weakref.finalize(con, shutil.rmtree, spill, ignore_errors=True)
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    return con


def tf_sql(model: ScoringModel, population: str, column: str) -> str:
    """Term frequency of each value of `column` in the searched population (smoothed as
    `ScoringModel.term_frequency`), as a Splink term-frequency lookup table."""
    k = model.tf_reference_records
    prior_count = k * model.tf_default[column]
    return (
        f"SELECT {column}, (count(*) + {prior_count!r}) / "
        f"((SELECT count(*) FROM {population}) + {k!r}) "
        f"AS tf_{column} FROM {population} WHERE {column} IS NOT NULL GROUP BY {column}"
    )


def wide_select(model: ScoringModel, left: str, right: str) -> str:
    """Select list building <col>_l/<col>_r (+ tf_*_l/_r) from aliases `left`/`right`."""
    cols = [f"{left}.rid AS rid_l", f"{right}.rid AS rid_r"]
    for c in model.feature_columns():
        cols.append(f"{left}.{c} AS {c}_l")
        cols.append(f"{right}.{c} AS {c}_r")
    for c in model.tf_columns:
        cols.append(f"{left}.tf_{c} AS tf_{c}_l")
        cols.append(f"{right}.tf_{c} AS tf_{c}_r")
    cols.append("0 AS match_key")
    return ", ".join(cols)


def score(
    con: duckdb.DuckDBPyConnection, model: ScoringModel, sql: str, threshold: float
) -> pa.Table:
    """Run a gamma query (`model.gamma_sql`) and weigh it; keep pairs with p >= threshold.

    Columns: rid_l, rid_r, match_weight, match_probability, gamma_* and mw_*.
    """
    return weigh_pairs(model, con.execute(sql).fetchnumpy(), threshold)


def weigh_pairs(model: ScoringModel, columns: dict[str, Any], threshold: float) -> pa.Table:
    """Weigh pairs whose levels are known (`columns`: rid_l, rid_r, gamma_* and the term
    frequencies); keep those with p >= threshold, in the columns `score` documents."""
    weights = model.weigh(columns)
    keep = weights["match_probability"] >= threshold
    out: dict[str, Any] = {
        "rid_l": np.asarray(columns["rid_l"])[keep],
        "rid_r": np.asarray(columns["rid_r"])[keep],
        "match_weight": weights["match_weight"][keep],
        "match_probability": weights["match_probability"][keep],
    }
    for name in model.output_columns():
        source = columns[name] if name.startswith("gamma_") else weights.get(name)
        if source is not None:
            out[name] = np.asarray(source)[keep]
    return pa.table(out)


def scored_pairs(
    model: ScoringModel,
    scored: pa.Table,
    left: pa.Table,
    right: pa.Table,
    left_offset: int,
    right_offset: int,
    *,
    explain: bool,
) -> list[ScoredPair]:
    """ScoredPair objects for scored rows; row of a record in its table = rid - offset."""
    out: list[ScoredPair] = []
    if scored.num_rows == 0:
        return out
    li = pa.array(scored.column("rid_l").to_numpy() - left_offset)
    ri = pa.array(scored.column("rid_r").to_numpy() - right_offset)
    probs = scored.column("match_probability").to_pylist()
    weights = scored.column("match_weight").to_pylist()
    left_ids = left.column("record_id").take(li).to_pylist()
    right_ids = right.column("record_id").take(ri).to_pylist()
    if not explain:
        # map() over the columns (Arrow's to_pylist gives Python floats already): no
        # Python-level loop for what may be millions of pairs.
        return list(map(ScoredPair, left_ids, right_ids, probs, weights))
    score_rows = scored.select(model.output_columns()).to_pylist()
    left_rows = left.take(li).to_pylist()
    right_rows = right.take(ri).to_pylist()
    for a, b, p, w, s, lrow, rrow in zip(
        left_ids, right_ids, probs, weights, score_rows, left_rows, right_rows, strict=True
    ):
        parts = explanation_parts(model, s, lrow, rrow)
        out.append(
            ScoredPair(
                a,
                b,
                float(p),
                float(w),
                explanation_text(model, parts, float(w), float(p)),
                tuple(parts),
            )
        )
    return out
