"""Batch linking on Apache Spark (`kintrace link --engine spark`, issue 9 item 2).

The same model and the same candidate pairs as the DuckDB engine (`batch.link_tables`), run by
Spark so that a national bureau's tens of millions of records are not bound to one machine:

- features are built by `build_features` (the same names, keys and variants);
- blocking is `batch.key_tables` in Spark's dialect: one row per (record, key), keys shared by
  more than `MAX_BLOCK_SIZE` records narrowed by the birth year, year-less records probing the
  big block up to `MAX_PROBE_BLOCK_SIZE`, weak keys never paired together;
- the comparison levels are Splink's own SQL from the shipped settings (`gamma_sql`), with the
  three DuckDB functions it uses given Spark equivalents that return the same numbers:
  `list_has_any` → `arrays_overlap`, and `jaro_winkler_similarity` / `damerau_levenshtein` as
  vectorised UDFs on rapidfuzz, whose results equal DuckDB's (DuckDB's Jaro–Winkler is ported
  from rapidfuzz; both compute the unrestricted Damerau–Levenshtein distance);
- the weights are summed by `ScoringModel.weigh` itself, on the executors (`mapInPandas`), and
  only pairs at or above the threshold come back to the driver.

So the probabilities are those of the DuckDB engine to floating-point rounding
(tests/matching/test_spark.py checks 10,000 records). pyspark is an optional dependency
(`pip install 'kintrace[spark]'`) and needs Java 17; `local[*]` runs it on this machine, and
`KINTRACE_SPARK_MASTER` (or `spark_master=`) points it at a cluster (docs/capacity.md,
docs/matching.md).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from kintrace.matching import competing
from kintrace.matching.batch import candidate_pairs_sql, competed_pairs
from kintrace.matching.engine import (
    MAX_BLOCK_SIZE,
    MAX_PROBE_BLOCK_SIZE,
    TF_COLUMNS,
    ScoredPair,
    tf_sql,
    wide_select,
)
from kintrace.matching.features import FEATURE_SCHEMA, FeatureWarning, build_features
from kintrace.matching.model import ScoringModel, prior_for


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing; the message says what to install."""


def spark_session(master: str | None = None, app_name: str = "kintrace-link") -> Any:
    """A Spark session for linking: `master` (default `KINTRACE_SPARK_MASTER`, else
    `local[*]`); small shuffles for one machine, Arrow transfers, no web UI."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(
            "The Spark engine needs pyspark: pip install 'kintrace[spark]' (and Java 17)."
        ) from exc
    master = master or os.environ.get("KINTRACE_SPARK_MASTER") or "local[*]"
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if master.startswith("local"):
        # Python workers run this interpreter, which has kintrace (and rapidfuzz) installed.
        builder = (
            builder.config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.memory", os.environ.get("KINTRACE_SPARK_DRIVER_MEMORY", "2g"))
            .config("spark.pyspark.python", sys.executable)
            .config("spark.pyspark.driver.python", sys.executable)
        )
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # py4j: no Java, or the JVM would not start
        raise SparkUnavailable(
            "Spark could not start: is Java 17 installed (java on the PATH or JAVA_HOME)?"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    _register_functions(spark)
    return spark


def _jaro_winkler(a: Any, b: Any) -> Any:
    import pandas as pd
    from rapidfuzz.distance import JaroWinkler

    values = [
        JaroWinkler.similarity(x, y) if isinstance(x, str) and isinstance(y, str) else None
        for x, y in zip(a, b, strict=True)
    ]
    return pd.Series(values, dtype="float64")


def _damerau_levenshtein(a: Any, b: Any) -> Any:
    import pandas as pd
    from rapidfuzz.distance import DamerauLevenshtein

    values = [
        DamerauLevenshtein.distance(x, y) if isinstance(x, str) and isinstance(y, str) else None
        for x, y in zip(a, b, strict=True)
    ]
    return pd.Series(values, dtype="Int64")


def _register_functions(spark: Any) -> None:
    import pandas as pd
    from pyspark.sql.functions import pandas_udf
    from pyspark.sql.types import DoubleType, LongType

    for name, fn, kind in (
        ("kt_jaro_winkler", _jaro_winkler, DoubleType()),
        ("kt_damerau_levenshtein", _damerau_levenshtein, LongType()),
    ):
        # Spark reads the kind of UDF from real type hints (this module's are strings).
        fn.__annotations__ = {"a": pd.Series, "b": pd.Series, "return": pd.Series}
        spark.udf.register(name, pandas_udf(fn, kind))  # type: ignore[call-overload]


_FUNCTIONS = {
    "list_has_any": "arrays_overlap",
    "jaro_winkler_similarity": "kt_jaro_winkler",
    "damerau_levenshtein": "kt_damerau_levenshtein",
}
_FUNCTION_RE = re.compile(r"\b(" + "|".join(_FUNCTIONS) + r")\s*\(", re.IGNORECASE)


def spark_sql(duckdb_sql: str) -> str:
    """Splink's comparison SQL (DuckDB dialect) with Spark's names for its three functions;
    everything else it uses (CASE, =, IS NULL, length, least, greatest, abs, left, right,
    levenshtein) means the same in both."""
    return _FUNCTION_RE.sub(lambda m: _FUNCTIONS[m.group(1).lower()] + "(", duckdb_sql)


def _frame(spark: Any, table: pa.Table) -> Any:
    # Arrow straight into Spark (4.x); the schema keeps list columns as arrays.
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = from_arrow_schema(table.schema)
    if hasattr(spark, "createDataFrame") and table.num_rows == 0:
        return spark.createDataFrame([], schema)
    return spark.createDataFrame(table.to_pandas(), schema=schema)


def _feature_columns() -> list[str]:
    return [f.name for f in FEATURE_SCHEMA if f.name != "bkeys"]


def _key_table(source: str) -> str:
    return (
        "SELECT rid, TRIM(LEADING '~' FROM k) AS k, startswith(k, '~') AS weak, birth_y "
        f"FROM (SELECT rid, explode(bkeys) AS k, birth_y FROM {source})"
    )


def _split_big_blocks(spark: Any, source: str, table: str, big: str, *, targets: bool) -> None:
    """`batch._split_big_blocks` in Spark: a key of a big block is narrowed by the birth year;
    year-less records keep it as probes, and (``targets``) dated records stay filed under it
    weakly, so they meet the probes and never each other."""
    in_big = f"FROM {source} LEFT SEMI JOIN {big} USING (k)"
    sql = (
        f"SELECT rid, k, weak FROM {source} LEFT ANTI JOIN {big} USING (k) "
        f"UNION ALL SELECT rid, concat(k, '|y', CAST(birth_y AS STRING)) AS k, weak {in_big} "
        "WHERE birth_y IS NOT NULL "
        f"UNION ALL SELECT rid, k, weak {in_big} WHERE birth_y IS NULL"
    )
    if targets:
        sql += f" UNION ALL SELECT rid, k, TRUE AS weak {in_big} WHERE birth_y IS NOT NULL"
    spark.sql(sql).createOrReplaceTempView(table)


def _key_tables(spark: Any, population: str, left: str | None) -> None:
    """`batch.key_tables` in Spark: views `kr` (searched population, capped) and `kl`."""
    spark.sql(_key_table(population)).createOrReplaceTempView("kr_all")
    spark.sql(
        f"SELECT k FROM kr_all GROUP BY k HAVING count(*) > {MAX_BLOCK_SIZE}"
    ).cache().createOrReplaceTempView("big")
    _split_big_blocks(spark, "kr_all", "kr_split", "big", targets=True)
    # Spark allows no IN-subquery in HAVING: the "is it a big block" flag comes by a join.
    spark.sql(
        "SELECT s.rid, s.k, s.weak FROM kr_split s JOIN ("
        "SELECT c.k FROM (SELECT k, count(*) AS n, bool_and(weak) AS all_weak "
        "FROM kr_split GROUP BY k) c LEFT JOIN (SELECT k, TRUE AS wide FROM big) w ON c.k = w.k "
        f"WHERE c.n <= CASE WHEN w.wide THEN {MAX_PROBE_BLOCK_SIZE} ELSE {MAX_BLOCK_SIZE} END"
        + (" AND NOT c.all_weak" if left is None else "")
        + ") keep ON s.k = keep.k"
    ).createOrReplaceTempView("kr")
    if left is not None:
        spark.sql(_key_table(left)).createOrReplaceTempView("kl_all")
        _split_big_blocks(spark, "kl_all", "kl", "big", targets=True)


def link_tables_spark(
    left: pa.Table,
    right: pa.Table | None,
    *,
    threshold: float = 0.01,
    explain: bool = False,
    spark: Any = None,
    spark_master: str | None = None,
) -> list[ScoredPair]:
    """`batch.link_tables` on Spark: the same pairs, most probable first."""
    spark = spark or spark_session(spark_master)
    dedupe = right is None
    model = ScoringModel(prior_for(left.num_rows if right is None else right.num_rows))
    _frame(spark, left).createOrReplaceTempView("l_raw")
    population = "l_raw"
    if right is not None:
        _frame(spark, right).createOrReplaceTempView("r_raw")
        population = "r_raw"
    for c in TF_COLUMNS:
        spark.sql(tf_sql(model, population, c)).cache().createOrReplaceTempView(f"tf_{c}")
    columns = ", ".join(f"a.{c}" for c in _feature_columns())
    tf_cols = ", ".join(f"tf_{c}.tf_{c}" for c in TF_COLUMNS)
    joins = " ".join(f"LEFT JOIN tf_{c} ON a.{c} = tf_{c}.{c}" for c in TF_COLUMNS)
    for raw, feat in (("l_raw", "l_feat"), ("r_raw", "r_feat")):
        if raw == "r_raw" and right is None:
            continue
        spark.sql(
            f"SELECT {columns}, {tf_cols} FROM {raw} a {joins}"
        ).cache().createOrReplaceTempView(feat)
    right_feat = "l_feat" if dedupe else "r_feat"

    _key_tables(spark, population, None if dedupe else "l_raw")
    spark.sql(candidate_pairs_sql(dedupe)).createOrReplaceTempView("pairs")
    # Competing candidates need every pair at the floor: a higher threshold filters after.
    wanted, threshold = threshold, min(threshold, competing.FLOOR)
    scored = _score_view(spark, model, "pairs", "l_feat", right_feat, threshold)
    if scored.num_rows == 0:
        return []

    def score_rivals(b: np.ndarray, c: np.ndarray) -> pa.Table:
        # The rival pairs (matching/competing.py), two right records, by the same scorer.
        _frame(spark, pa.table({"rid_l": b, "rid_r": c})).createOrReplaceTempView("rivals")
        at = competing.RIVAL_SCORING_THRESHOLD
        return _score_view(spark, model, "rivals", right_feat, right_feat, at)

    return competed_pairs(
        model, scored, left, right, score_rivals=score_rivals, threshold=wanted, explain=explain
    )


def _score_view(
    spark: Any, model: ScoringModel, pairs: str, left_feat: str, right_feat: str, threshold: float
) -> pa.Table:
    """Pairs of view `pairs` (rid_l, rid_r) scored on the executors; those at `threshold`."""
    spark.sql(
        f"SELECT {wide_select(model, 'a', 'b')} FROM {pairs} p "
        f"JOIN {left_feat} a ON a.rid = p.rid_l JOIN {right_feat} b ON b.rid = p.rid_r"
    ).createOrReplaceTempView("wide")
    gammas = spark.sql(spark_sql(model.gamma_sql("wide")))

    outputs = model.output_columns()
    plan, prior = model._plan, model.prior  # plain data: what the executors need to weigh

    def weigh(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        weigher = _Weigher(plan, prior)
        for batch in batches:
            cols = {name: batch[name].to_numpy() for name in batch.columns}
            weights = ScoringModel.weigh(weigher, cols)  # type: ignore[arg-type]
            keep = weights["match_probability"] >= threshold
            out = {
                "rid_l": cols["rid_l"][keep].astype(np.int64),
                "rid_r": cols["rid_r"][keep].astype(np.int64),
                "match_weight": weights["match_weight"][keep],
                "match_probability": weights["match_probability"][keep],
            }
            for name in outputs:
                source = cols[name] if name.startswith("gamma_") else weights.get(name)
                out[name] = (
                    np.asarray(source)[keep] if source is not None else np.zeros(int(keep.sum()))
                )
            yield pd.DataFrame(out)

    schema = ", ".join(
        ["rid_l bigint", "rid_r bigint", "match_weight double", "match_probability double"]
        + [f"{n} {'int' if n.startswith('gamma_') else 'double'}" for n in outputs]
    )
    rows = gammas.mapInPandas(weigh, schema).toPandas()
    return pa.Table.from_pandas(rows, preserve_index=False)


class _Weigher:
    """What `ScoringModel.weigh` reads of its model, picklable for Spark's executors."""

    def __init__(self, plan: list[dict[str, Any]], prior: float) -> None:
        self._plan = plan
        self.prior = prior


def link_records_spark(
    left: Sequence[dict[str, Any]],
    right: Sequence[dict[str, Any]] | None = None,
    *,
    threshold: float = 0.01,
    explain: bool = False,
    warnings: list[FeatureWarning] | None = None,
    spark: Any = None,
) -> list[ScoredPair]:
    """`batch.link_records` on Spark."""
    lf = build_features(left)
    rf = build_features(right, rid_offset=len(left)) if right is not None else None
    if warnings is not None:
        warnings.extend(lf.warnings)
        if rf is not None:
            warnings.extend(rf.warnings)
    return link_tables_spark(
        lf.table, rf.table if rf else None, threshold=threshold, explain=explain, spark=spark
    )
