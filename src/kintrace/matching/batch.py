"""Batch linking: candidate pairs from blocking keys in DuckDB, scored by the Splink model.

Splink's own `predict` builds its candidate pairs from SQL blocking rules, one rule at a
time; our keys are lists (several per record, from name variants), so the candidate pairs
are generated here — one self-join on an exploded key table — and then scored with the SQL
that Splink generates from the shipped settings. `tests/matching/test_splink_parity.py`
checks that Splink's `Linker.inference.predict` gives the same probabilities for the same
pairs.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from rapidfuzz.process import cpdist
from splink.internals.misc import prob_to_match_weight
from sqlglot import exp

from kintrace.matching import competing
from kintrace.matching.arrays import distinct
from kintrace.matching.engine import (
    MAX_BLOCK_SIZE,
    MAX_PROBE_BLOCK_SIZE,
    TF_COLUMNS,
    Progress,
    ScoredPair,
    connect,
    score,
    scored_pairs,
    tf_sql,
    weigh_pairs,
    wide_select,
)
from kintrace.matching.features import FeatureWarning, build_features, gc_paused
from kintrace.matching.model import ScoringModel, prior_for, tf_adjustment
from kintrace.matching.realtime import (
    _BATCH_SCORERS,
    _STRING_FUNCTIONS,
    Unsupported,
    _Bool,
    _Const,
    _Dictionary,
    _Evaluator,
    _left,
    _parse_levels,
    _right,
    _Strs,
)

_CHUNK_PAIRS = 1_000_000
#: Pairs per chunk scored in numpy: about 175 MB of arrays in each worker. (500k pairs
#: made scoring the peak of a big run's memory; 250k cut it by 0.38 GiB at 150k reports
#: for +3 % CPU, within the noise.)
_NUMPY_CHUNK_PAIRS = 250_000

#: What makes a level's SQL costly: string similarity (about 80% of scoring), and list
#: overlaps, which also need the wide list columns joined to every pair.
_COSTLY = re.compile(r"jaro|levenshtein|damerau|jaccard|cosine|hamming|list_|array_|&&", re.I)
_COLUMN = re.compile(r"\b([a-z_]+)_[lr]\b")
_DAMERAU = re.compile(r"damerau_levenshtein\((\w+)_l, (\w+)_r\)")


@dataclass(frozen=True)
class _Bound:
    """One comparison in the reachability check: `sql` gives its level where that is cheap
    to know (its leading levels without string similarity), NULL where only a costly level
    could say; `rest` are the levels it could then be."""

    gamma: str
    sql: str
    rest: tuple[int, ...]


def _bounds(model: ScoringModel) -> list[_Bound]:
    """The model's level CASEs cut at their first costly level (sqlglot reads Splink's
    SQL, as the real-time evaluator does)."""
    out = []
    for sql in model.settings._columns_to_select_for_comparison_vector_values:
        if not sql.lstrip().upper().startswith("CASE"):
            continue
        node = sqlglot.parse_one(sql, read="duckdb")
        assert isinstance(node, exp.Alias) and isinstance(node.this, exp.Case)
        case = node.this
        ifs = case.args["ifs"]
        cut = next((i for i, b in enumerate(ifs) if _COSTLY.search(b.this.sql("duckdb"))), None)
        default = case.args.get("default")
        values = [int(b.args["true"].sql("duckdb")) for b in ifs]
        if cut is None:
            out.append(_Bound(node.alias, sql, tuple(values)))
            continue
        rest = tuple(values[cut:]) + ((int(default.sql("duckdb")),) if default else ())
        whens = " ".join(
            f"WHEN {b.this.sql('duckdb')} THEN {b.args['true'].sql('duckdb')}" for b in ifs[:cut]
        )
        cheap = f"CASE {whens} ELSE NULL END" if whens else "CAST(NULL AS INTEGER)"
        out.append(_Bound(node.alias, f"{cheap} AS {node.alias}", rest))
    return out


def _level_weights(
    model: ScoringModel, columns: dict[str, Any], gamma: str
) -> dict[int, np.ndarray | float]:
    """Weight of each level of one comparison for each pair, with its term-frequency
    adjustment (the one `ScoringModel.weigh` adds)."""
    plan = next(c for c in model._plan if c["gamma"] == gamma)
    out: dict[int, np.ndarray | float] = {v: w for v, w in plan["levels"]}
    # Levels of one comparison share their adjustment (an exact agreement and a variant's
    # both weigh the name's frequency alike): each distinct one is computed once.
    adjustments: dict[tuple[str, float, float, float], np.ndarray] = {}
    for value, name, tf_weight, min_u, log2_u in plan["tf"]:
        key = (name, tf_weight, min_u, log2_u)
        if key not in adjustments:
            adj = tf_adjustment(columns, name, tf_weight, min_u, log2_u)
            adjustments[key] = np.where(np.isnan(adj), 0.0, adj)
        out[value] = out[value] + adjustments[key]
    return out


def _reachable(
    con: Any, model: ScoringModel, bounds: list[_Bound], pairs: str, right: str, threshold: float
) -> pa.Table:
    """The pairs of `pairs` whose match weight could reach `threshold` (rid_l, rid_r).

    The check reads only the cheap columns: comparisons without string similarity get
    their exact weight, the others their best possible level (the null level, an exact
    agreement and the like are known cheaply; then the best level still open). Most
    pairs of a too-common name with different birth dates stop here, before the string
    distances of the full scoring; a dropped pair could not have reached the threshold,
    so the output is the same.
    """
    select = ", ".join(b.sql for b in bounds)
    used = sorted(
        {m for b in bounds for m in _COLUMN.findall(b.sql)} | {f"tf_{c}" for c in model.tf_columns}
    )
    cols = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in used)
    columns = con.execute(
        f"SELECT rid_l, rid_r, {select}, "
        + ", ".join(f"tf_{c}_l, tf_{c}_r" for c in model.tf_columns)
        + f" FROM (SELECT p.rid_l, p.rid_r, {cols} FROM {pairs} p "
        f"JOIN l_feat a ON a.rid = p.rid_l JOIN {right} b ON b.rid = p.rid_r)"
    ).fetchnumpy()
    n = len(columns["rid_l"])
    total = np.full(n, prob_to_match_weight(model.prior), dtype=np.float64)
    for b in bounds:
        weights = _level_weights(model, columns, b.gamma)
        gamma = np.ma.asarray(columns[b.gamma])
        known = ~np.ma.getmaskarray(gamma)
        values = np.ma.filled(gamma, -99).astype(np.int64)
        best = np.full(n, -np.inf)
        for value, weight in weights.items():
            if value in b.rest:
                best = np.where(~known, np.fmax(best, weight), best)
            best = np.where(known & (values == value), weight, best)
        total += best
    keep = total >= prob_to_match_weight(threshold) - 1e-9
    return pa.table(
        {
            "rid_l": np.asarray(columns["rid_l"])[keep],
            "rid_r": np.asarray(columns["rid_r"])[keep],
        }
    )


def _with_tf(con: Any, source: str, target: str) -> None:
    joins = " ".join(f"LEFT JOIN tf_{c} ON a.{c} = tf_{c}.{c}" for c in TF_COLUMNS)
    tf_cols = ", ".join(f"tf_{c}.tf_{c}" for c in TF_COLUMNS)
    con.execute(
        f"CREATE TABLE {target} AS SELECT a.* EXCLUDE (bkeys), {tf_cols} FROM {source} a {joins}"
    )


def key_table_sql(source: str) -> str:
    """One row per (record, blocking key); `weak` keys ("~" prefix) never pair with each other.

    The rid is a 32-bit integer here (a file of over two billion records is out of reach
    anyway): the key tables, the join's hash table and the distinct candidate pairs it
    builds are the peak of a big run's memory, and 138M pairs at 1M reports take half the
    space."""
    return (
        "SELECT CAST(rid AS INTEGER) AS rid, ltrim(k, '~') AS k, starts_with(k, '~') AS weak, "
        "birth_y "
        f"FROM (SELECT rid, unnest(bkeys) AS k, birth_y FROM {source})"
    )


def _split_big_blocks(con: Any, source: str, table: str, big: str) -> None:
    """A key too common in the searched population (`big`) is narrowed by the birth year
    (the same `sub_key` the real-time index uses). A record without a year keeps the wide
    key as a *probe*: it meets the block's other records, which stay filed under the wide
    key too, but weakly — so they meet the probes and never each other (that pairing is
    what the narrowed keys are for). Both sides of a link are split alike: a dated
    enquiry filed only by its year never met the block's year-less reports (at 1M, 4,958
    of the 7,769 true pairs the link lost)."""
    con.execute(
        f"CREATE TABLE {table} AS "
        f"SELECT rid, k, weak FROM {source} WHERE k NOT IN (SELECT k FROM {big}) "
        f"UNION ALL SELECT rid, k || '|y' || birth_y AS k, weak FROM {source} "
        f"WHERE birth_y IS NOT NULL AND k IN (SELECT k FROM {big}) "
        f"UNION ALL SELECT rid, k, weak FROM {source} "
        f"WHERE birth_y IS NULL AND k IN (SELECT k FROM {big}) "
        f"UNION ALL SELECT rid, k, TRUE AS weak FROM {source} "
        f"WHERE birth_y IS NOT NULL AND k IN (SELECT k FROM {big})"
    )


def key_tables(con: Any, population: str, left: str | None) -> None:
    """Key tables `kr` (the searched population, capped) and, for a link, `kl` (`left`):
    (rid, k, weak) with `k` a number per key (the same key has the same number in both).

    Blocks of at most MAX_BLOCK_SIZE records pair everyone; a bigger block pairs within
    its birth years, plus its year-less records (probes) with everyone in it, up to
    MAX_PROBE_BLOCK_SIZE records; a block bigger still (or a narrowed one still above
    MAX_BLOCK_SIZE) is dropped: its records meet through their narrower keys.
    """
    con.execute(f"CREATE TABLE kr_all AS {key_table_sql(population)}")
    con.execute(
        f"CREATE TABLE big AS SELECT k FROM kr_all GROUP BY k HAVING count(*) > {MAX_BLOCK_SIZE}"
    )
    _split_big_blocks(con, "kr_all", "kr_split", "big")
    # Each key table is dropped as soon as the next is built: at a million reports each
    # holds ~1 GB, and three of them at once were the run's peak of memory.
    con.execute("DROP TABLE kr_all")
    # The kept keys, numbered: `kr` and `kl` file each record under the key's number, not
    # its text, so the candidate join hashes and compares 32-bit integers (and the tables
    # are smaller). The numbering costs nothing apart: the keys are grouped here anyway.
    # In a dedupe a block of weak rows only pairs nothing; in a link `kl` may probe it.
    not_all_weak = " AND NOT bool_and(weak)" if left is None else ""
    con.execute(
        "CREATE TABLE kid AS SELECT k, (row_number() OVER ())::INTEGER AS kid FROM kr_split "
        "GROUP BY k HAVING count(*) <= "
        f"CASE WHEN k IN (SELECT k FROM big) THEN {MAX_PROBE_BLOCK_SIZE} "
        f"ELSE {MAX_BLOCK_SIZE} END{not_all_weak}"
    )
    con.execute(
        "CREATE TABLE kr AS SELECT s.rid, kid.kid AS k, s.weak FROM kr_split s JOIN kid USING (k)"
    )
    con.execute("DROP TABLE kr_split")
    if left is not None:
        con.execute(f"CREATE TABLE kl_all AS {key_table_sql(left)}")
        _split_big_blocks(con, "kl_all", "kl_split", "big")
        con.execute("DROP TABLE kl_all")
        # A key of the left side that `kr` does not keep meets no one: dropped by the join.
        con.execute(
            "CREATE TABLE kl AS SELECT s.rid, kid.kid AS k, s.weak FROM kl_split s "
            "JOIN kid USING (k)"
        )
        con.execute("DROP TABLE kl_split")
    con.execute("DROP TABLE kid")


def candidate_pairs_sql(dedupe: bool, part: tuple[int, int] | None = None) -> str:
    """Distinct candidate pairs from key tables `kl` (left) and `kr` (right, capped); with
    `part` = (i, n), only those whose rid_l is i modulo n (the parts make up the whole).

    A pair of two weak rows is never a candidate, and most rows of a big block are weak
    (its dated records, which meet only its probes): so the join is written as two joins
    that cannot make such a pair (left row strong; left row weak and right row strong),
    not as one join whose weak-with-weak rows are thrown away after it was made (at 100k
    reports about 25 M of its 39 M rows). The pairs are the same."""
    where = "" if part is None else f"a.rid % {int(part[1])} = {int(part[0])} AND "
    if dedupe:
        join = "FROM kr a JOIN kr b ON a.k = b.k AND a.rid < b.rid"
    else:
        join = "FROM kl a JOIN kr b ON a.k = b.k"
    return (
        "SELECT DISTINCT rid_l, rid_r FROM ("
        f"SELECT a.rid AS rid_l, b.rid AS rid_r {join} WHERE {where}NOT a.weak "
        f"UNION ALL SELECT a.rid AS rid_l, b.rid AS rid_r {join} "
        f"WHERE {where}a.weak AND NOT b.weak) AS j"
    )


#: Left records per part of the candidate join: DISTINCT holds every pair of its part in a
#: hash table, so parts keep that table small (300k reports: the join's peak 1.4 -> 0.5 GB
#: above what the tables hold with 4 parts, at the same CPU).
_JOIN_PART_RECORDS = 100_000


def _truth_pairs(con: Any, stats: dict[str, Any], dedupe: bool) -> None:
    """Table `truth` of every true pair (same label), as (rid_l, rid_r); benchmarks only."""
    left = stats["labels_left"]
    con.register("lab_l", pa.table({"rid": range(len(left)), "label": left}))
    if dedupe:
        con.execute(
            "CREATE TABLE truth AS SELECT a.rid AS rid_l, b.rid AS rid_r FROM lab_l a "
            "JOIN lab_l b ON a.label = b.label AND a.rid < b.rid"
        )
    else:
        right = stats["labels_right"]
        offset = len(left)
        con.register("lab_r", pa.table({"rid": range(offset, offset + len(right)), "label": right}))
        con.execute(
            "CREATE TABLE truth AS SELECT a.rid AS rid_l, b.rid AS rid_r FROM lab_l a "
            "JOIN lab_r b ON a.label = b.label"
        )


def _blocking_recall(con: Any, stats: dict[str, Any], dedupe: bool) -> float:
    """Share of true pairs (same label) that blocking made candidates (benchmarks only).

    Also counts, in `stats`, the true pairs that blocking lost although the model would
    have called them a match (p >= 0.5 when scored anyway): `missed_matches`, and
    `true_pairs` / `true_pairs_found`. A lost pair the model would put below 0.5 (a name
    with nothing else, among a hundred namesakes) costs nothing in the output.
    """
    _truth_pairs(con, stats, dedupe)
    total = con.execute("SELECT count(*) FROM truth").fetchall()[0][0]
    found = con.execute("SELECT count(*) FROM truth JOIN pairs USING (rid_l, rid_r)").fetchall()[0][
        0
    ]
    con.execute("CREATE TABLE missed AS SELECT * FROM truth EXCEPT SELECT * FROM pairs")
    stats["true_pairs"] = int(total)
    stats["true_pairs_found"] = int(found)
    return float(found) / float(total) if total else 1.0


def _gamma_sql_distinct(con: Any, model: ScoringModel, pairs: str, right: str, select: str) -> str:
    """The model's level SQL over `pairs`, with each Damerau–Levenshtein distance computed
    once per distinct pair of values rather than once per pair of records.

    It is the costliest function of scoring (about half of it), and candidate pairs repeat
    the same few name pairs (one distinct (given_l, given_r) in ~40 pairs at 200k): the
    distances go into a small table that the pairs join, and the level SQL reads them
    from there — the same numbers, so the same levels.
    """
    sql = model.gamma_sql("wide_d")
    joins = []
    for a, b in sorted(set(_DAMERAU.findall(sql))):
        name = f"dl_{a}_{b}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {a}_l, {b}_r, "
            f"damerau_levenshtein({a}_l, {b}_r) AS {name} FROM (SELECT DISTINCT "
            f"a.{a} AS {a}_l, b.{b} AS {b}_r FROM {pairs} p JOIN l_feat a ON a.rid = p.rid_l "
            f"JOIN {right} b ON b.rid = p.rid_r WHERE a.{a} IS NOT NULL AND b.{b} IS NOT NULL)"
        )
        sql = sql.replace(f"damerau_levenshtein({a}_l, {b}_r)", name)
        joins.append(f"LEFT JOIN {name} USING ({a}_l, {b}_r)")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW wide_d AS SELECT * FROM (SELECT {select} FROM {pairs} p "
        f"JOIN l_feat a ON a.rid = p.rid_l JOIN {right} b ON b.rid = p.rid_r) " + " ".join(joins)
    )
    return sql


# ---------------------------------------------------------------------------------------
# Levels in numpy: both sides of a pair are records of the file (real time has one query)

#: What the reachability bound leaves for later: string similarity. List overlaps are read
#: in the bound (each distinct variant list has an id, so an overlap is computed once per
#: distinct pair of lists).
_STRING_SIMILARITY = re.compile(r"jaro|levenshtein|damerau|jaccard|cosine|hamming", re.I)

#: Fewest pairs for which AND/OR reads its right side on a subset (below, not worth it).
_SHORT_CIRCUIT_PAIRS = 1_000

#: Largest table of (profile, profile) pairs a comparison is read through (see
#: `_Records.distinct_pairs`): 4M entries, 36 MB while it is used.
_DENSE_PROFILE_PAIRS = 1 << 22


class _ListIds:
    """A list column as the id of each record's list among the distinct lists (-1 for a
    null or empty list, which `list_has_any` reads as unknown, as real time does)."""

    __slots__ = ("ids",)

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids


def _pair_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct a, distinct b, index of each pair among them) of pairs of non-negative-or
    -1 integer codes."""
    width = int(max(a.max(initial=0), b.max(initial=0))) + 2
    key = (a.astype(np.int64) + 1) * width + (b.astype(np.int64) + 1)
    # A hash table, not np.unique's sort: this is the most frequent step of scoring.
    inverse, distinct = pd.factorize(key)
    return distinct // width - 1, distinct % width - 1, inverse


class _Records:
    """The feature columns the levels read, for every record of both sides, by rid:
    strings as codes of one shared dictionary (so `family_l = family_r` compares integers),
    lists as ids of distinct lists, numbers as floats (NaN for null)."""

    def __init__(self, table: pa.Table, columns: Sequence[str], tf: dict[str, np.ndarray]):
        self.dictionary = _Dictionary()
        self.list_keys = _Dictionary()
        self.strs: dict[str, np.ndarray] = {}
        self.lists: dict[str, np.ndarray] = {}
        self.nums: dict[str, np.ndarray] = {}
        self.tf = tf
        self.n = table.num_rows
        for name in columns:
            column = table.column(name).combine_chunks()
            if pa.types.is_list(column.type):
                # A list is known by its values joined as text: equal lists share an id.
                joined = pc.binary_join(column.cast(pa.list_(pa.string())), "\x1f")
                joined = pc.if_else(pc.equal(joined, ""), None, joined)
                self.lists[name] = self.list_keys.encode(joined)
            elif pa.types.is_string(column.type):
                self.strs[name] = self.dictionary.encode(column)
            else:
                self.nums[name] = (
                    column.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
                )
        # Every distinct list as its values' ranks, sorted, at list_id * n_values + rank
        # in one sorted array: "does list y hold value v" is one binary search.
        items = [k.split("\x1f") for k in self.list_keys.values]
        lengths = np.array([len(i) for i in items], dtype=np.int64)
        flat = pa.array([v for i in items for v in i], pa.string())
        codes = pc.dictionary_encode(flat)
        self.n_values = max(1, len(codes.dictionary))
        ranks = codes.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        owner = np.repeat(np.arange(len(items), dtype=np.int64), lengths)
        self.list_starts = np.concatenate([[0], np.cumsum(lengths)])
        self.list_ranks = ranks
        self.list_index = np.sort(owner * self.n_values + ranks)
        #: Per comparison: each record's profile (the code of its values in the columns the
        #: comparison reads) and one record of each profile.
        self.profiles: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        #: (left?, k) -> the code of each string's cut, by the string's code (-2: not yet).
        self.cuts: dict[tuple[bool, int], np.ndarray] = {}

    def add_profile(self, gamma: str, columns: Sequence[str]) -> None:
        """Code each record by its values in `columns`: two records with the same code
        are alike for this comparison, so a pair's level follows from their codes."""
        code: np.ndarray | None = None
        for name in columns:
            if name in self.strs:
                values = self.strs[name].astype(np.int64)
            elif name in self.lists:
                values = self.lists[name].astype(np.int64)
            elif name in self.nums:
                values = pd.factorize(self.nums[name])[0].astype(np.int64)  # NaN: -1
            else:
                raise Unsupported(name)
            if code is None:
                code = values + 1
            else:
                code = code * (int(values.max(initial=0)) + 2) + (values + 1)
            code = pd.factorize(code)[0].astype(np.int64)
        if code is None:
            code = np.zeros(self.n, np.int64)
        # One record of each profile (any one will do: they have the same values).
        representative = np.empty(int(code.max(initial=-1)) + 1, np.int64)
        representative[code] = np.arange(len(code), dtype=np.int64)
        self.profiles[gamma] = (code, representative)

    def distinct_pairs(
        self, gamma: str, rid_l: np.ndarray, rid_r: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(rid_l, rid_r) of one pair per distinct pair of profiles, and the index of each
        given pair among them: a comparison is read once per distinct pair of profiles
        (patronymics, places, units and sexes repeat across many candidate pairs).

        Only where the profiles are few: the pairs' profile codes then index a dense
        table, no hashing. A comparison of names or dates has nearly as many distinct
        pairs of profiles as pairs, and is read pair by pair (inverse None)."""
        code, representative = self.profiles[gamma]
        n_profiles = len(representative)
        if n_profiles * n_profiles > _DENSE_PROFILE_PAIRS:
            return rid_l, rid_r, None
        key = code[rid_l] * n_profiles + code[rid_r]
        seen = np.zeros(n_profiles * n_profiles, bool)
        seen[key] = True
        distinct = np.flatnonzero(seen)
        index = np.empty(len(seen), np.int64)
        index[distinct] = np.arange(len(distinct))
        return (
            representative[distinct // n_profiles],
            representative[distinct % n_profiles],
            index[key],
        )

    def overlap(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether lists x[i] and y[i] share a value (False where either is -1)."""
        out = np.zeros(len(x), bool)
        pairs = np.nonzero((x >= 0) & (y >= 0))[0]
        if len(pairs) == 0 or len(self.list_index) == 0:
            return out
        same = x[pairs] == y[pairs]
        out[pairs[same]] = True  # a list shares its values with itself
        pairs = pairs[~same]
        xs = x[pairs]
        lengths = self.list_starts[xs + 1] - self.list_starts[xs]
        which = np.repeat(np.arange(len(pairs)), lengths)
        first = np.cumsum(lengths) - lengths
        pos = np.arange(int(lengths.sum())) - np.repeat(first, lengths)
        ranks = self.list_ranks[np.repeat(self.list_starts[xs], lengths) + pos]
        wanted = y[pairs][which] * self.n_values + ranks
        at = np.searchsorted(self.list_index, wanted)
        at = np.minimum(at, len(self.list_index) - 1)
        found = self.list_index[at] == wanted
        out[pairs[which[found]]] = True  # repeats set the same True
        return out

    def cut(self, codes: np.ndarray, left: bool, k: int) -> np.ndarray:
        """Codes of left(s, k) (or right) of strings given by their codes, in the same
        dictionary: each distinct string is cut once per process and remembered, since the
        same surnames come back chunk after chunk (cut anew per chunk, in Python, the
        suffix tests of the family levels were ~8 % of scoring)."""
        size = len(self.dictionary.values)
        table = self.cuts.get((left, k), np.empty(0, np.int64))
        if len(table) < size:
            table = np.concatenate([table, np.full(size - len(table), -2, np.int64)])
            self.cuts[(left, k)] = table
        known = codes >= 0
        todo = distinct(codes[known][table[codes[known]] == -2])
        if len(todo):
            fn = _left if left else _right
            values = self.dictionary.values
            cut = pa.array([fn(values[c], k) for c in todo.tolist()], pa.string())
            table[todo] = self.dictionary.encode(cut)
        return np.where(known, table[codes], -1)

    def get(self, name: str, rows: np.ndarray) -> Any:
        if name in self.strs:
            return _Strs(self.strs[name][rows], self.dictionary)
        if name in self.lists:
            return _ListIds(self.lists[name][rows])
        if name in self.nums:
            return self.nums[name][rows]
        raise Unsupported(name)


class _PairEvaluator(_Evaluator):
    """Real time's level evaluator (`realtime._Evaluator`) with a record on each side:
    string functions and list overlaps run once per distinct pair of values."""

    def __init__(
        self, records: _Records, rid_l: np.ndarray, rid_r: np.ndarray, keys: dict[int, str]
    ) -> None:
        self.records = records
        self.rows = {"l": rid_l, "r": rid_r}
        self.gathered: dict[str, Any] = {}
        super().__init__({}, lambda name: self._side(name, "r"), len(rid_l), keys)

    def _side(self, name: str, side: str) -> Any:
        key = f"{name}_{side}"
        if key not in self.gathered:
            self.gathered[key] = self.records.get(name, self.rows[side])
        return self.gathered[key]

    def _value(self, node: exp.Expression) -> Any:
        if isinstance(node, exp.Column) and node.name.endswith("_l"):
            return self._side(node.name[:-2], "l")
        if isinstance(node, exp.Left | exp.Right):
            v = self.value(node.this)
            count = self.value(node.expression)
            if isinstance(v, _Strs) and isinstance(count, _Const) and count.value is not None:
                # Each distinct string cut once, and the cut strings coded in the same
                # dictionary: comparing two cuts compares integers. (Pair by pair in Python,
                # right() on a surname's suffix cost ~150 s of a 1M dedupe.)
                cut = self.records.cut(v.codes, isinstance(node, exp.Left), int(count.value))
                return _Strs(cut, v.dictionary)
        return super()._value(node)

    def _pairwise(self, name: str, a_node: exp.Expression, b_node: exp.Expression) -> Any:
        a, b = self.value(a_node), self.value(b_node)
        if not (isinstance(a, _Strs) and isinstance(b, _Strs)):
            return super()._pairwise(name, a_node, b_node)
        ca, cb, inverse = _pair_codes(a.codes, b.codes)
        values = a.dictionary.values
        scorer = _BATCH_SCORERS.get(name)
        if scorer is None:
            fn = _STRING_FUNCTIONS[name]
            out = np.array(
                [
                    np.nan if x < 0 or y < 0 else fn(values[x], values[y])
                    for x, y in zip(ca.tolist(), cb.tolist(), strict=True)
                ],
                dtype=np.float64,
            )
            return out[inverse] if len(out) else np.empty(0)
        out = np.full(len(ca), np.nan)
        known = np.nonzero((ca >= 0) & (cb >= 0))[0]
        if len(known):
            xs = [values[x] for x in ca[known].tolist()]
            ys = [values[y] for y in cb[known].tolist()]
            # rapidfuzz's pairwise loop in C: the same functions as _STRING_FUNCTIONS.
            got = cpdist(xs, ys, scorer=scorer, dtype=np.float64, workers=1)
            if name == "jaro_winkler_similarity":
                empty = np.array([not x and not y for x, y in zip(xs, ys, strict=True)], bool)
                got[empty] = 0.0  # DuckDB's value for two empty strings (rapidfuzz: 1.0)
            out[known] = got
        return out[inverse] if len(out) else np.empty(0)

    def _has_any(self, a_node: exp.Expression, b_node: exp.Expression) -> _Bool:
        a, b = self.value(a_node), self.value(b_node)
        if not (isinstance(a, _ListIds) and isinstance(b, _ListIds)):
            raise Unsupported("list_has_any of other than two list columns")
        ca, cb, inverse = _pair_codes(a.ids, b.ids)
        hit = self.records.overlap(ca, cb)
        found = hit[inverse] if len(hit) else np.zeros(0, bool)
        return _Bool(found, (a.ids < 0) | (b.ids < 0))

    def _boolean(self, node: exp.Expression) -> _Bool:
        # AND and OR read a list overlap on their right side only for the pairs the left
        # side leaves open (a pair already false for AND, true for OR, keeps its value
        # whatever the right side says): the swapped-names test's second overlap runs for
        # the few pairs whose first one holds (300k reports: that test's CPU -35 %).
        # Measured and not taken: the same for string distances — the suffix levels'
        # nested tests then lose their shared values to the subsets, and run slower.
        if (
            not isinstance(node, exp.And | exp.Or)
            or self.n < _SHORT_CIRCUIT_PAIRS
            or not isinstance(node.expression, exp.ArrayOverlaps)
        ):
            return super()._boolean(node)
        a = self.boolean(node.this)
        is_and = isinstance(node, exp.And)
        settled = (~a.value & ~a.null) if is_and else a.value
        open_rows = np.flatnonzero(~settled)
        if len(open_rows) * 2 > self.n:
            b = self.boolean(node.expression)
        else:
            # The settled pairs get a right side that leaves them as they are (false).
            value, null = np.zeros(self.n, bool), np.zeros(self.n, bool)
            if len(open_rows):
                sub = _PairEvaluator(
                    self.records, self.rows["l"][open_rows], self.rows["r"][open_rows], self.keys
                )
                got = sub.boolean(node.expression)
                value[open_rows], null[open_rows] = got.value, got.null
            b = _Bool(value, null)
        if is_and:
            false = (~a.value & ~a.null) | (~b.value & ~b.null)
            both = a.value & b.value
            return _Bool(both, ~false & ~both)
        either = a.value | b.value
        return _Bool(either, ~either & (a.null | b.null))

    def _null_mask(self, v: Any) -> np.ndarray:
        if isinstance(v, _ListIds):
            return v.ids < 0
        return super()._null_mask(v)

    def _compare(self, node: exp.Expression) -> _Bool:
        if isinstance(node, exp.EQ | exp.NEQ):
            a, b = self.value(node.this), self.value(node.expression)
            if isinstance(a, _Strs) and isinstance(b, _Strs):
                null = (a.codes < 0) | (b.codes < 0)
                same = a.codes == b.codes
                return _Bool(same if isinstance(node, exp.EQ) else ~same, null)
        return super()._compare(node)


@dataclass(frozen=True)
class _Level:
    """One comparison: its gamma column, its CASE, and where its string similarity starts
    (None: it has none, and the bound knows its level exactly)."""

    gamma: str
    case: exp.Case
    cut: int | None
    columns: tuple[str, ...]


#: The parsed levels of each model's level SQL, kept for the process: parsing them (sqlglot,
#: and the text of every node) took ~2 s quiet for each run of `link_tables`, and a dedupe
#: and a link, or every request of a server, use the same SQL (the prior is not in it).
_PARSED_LEVELS: dict[tuple[str, ...], tuple[list[_Level], dict[int, str]]] = {}


def _levels(model: ScoringModel) -> tuple[list[_Level], dict[int, str]]:
    sql = tuple(model.settings._columns_to_select_for_comparison_vector_values)
    if sql not in _PARSED_LEVELS:
        if len(_PARSED_LEVELS) >= 4:  # a few models at most (tests load old ones)
            _PARSED_LEVELS.clear()
        _PARSED_LEVELS[sql] = _parse_new_levels(model)
    levels, keys = _PARSED_LEVELS[sql]
    return list(levels), keys


def _parse_new_levels(model: ScoringModel) -> tuple[list[_Level], dict[int, str]]:
    parsed = _parse_levels(model)
    if parsed is None:
        raise Unsupported("the model's level SQL")
    cases, keys = parsed
    out = []
    for gamma, case in cases:
        ifs = case.args["ifs"]
        cut = next(
            (i for i, b in enumerate(ifs) if _STRING_SIMILARITY.search(b.this.sql("duckdb"))),
            None,
        )
        columns = sorted(
            {c.name[:-2] for c in case.find_all(exp.Column) if c.name.endswith(("_l", "_r"))}
        )
        out.append(_Level(gamma, case, cut, tuple(columns)))
    return out, keys


def _tf_columns(records: _Records, rid_l: np.ndarray, rid_r: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {"rid_l": rid_l, "rid_r": rid_r}
    for c, tf in records.tf.items():
        out[f"tf_{c}_l"] = tf[rid_l]
        out[f"tf_{c}_r"] = tf[rid_r]
    return out


def _branches(
    ev: _PairEvaluator, branches: list[exp.If], gamma: np.ndarray, open_: np.ndarray
) -> None:
    """Give each still-open pair the level of the first of `branches` that holds for it
    (CASE semantics: a pair decided by an earlier branch is left as it is)."""
    for branch in branches:
        take = ev.boolean(branch.this).value & open_
        gamma[take] = ev._int(branch.args["true"])
        open_ &= ~take


def _best_weight(
    weights: dict[int, np.ndarray | float], rest: set[int], gamma: np.ndarray, open_: np.ndarray
) -> np.ndarray:
    """Each pair's weight in one comparison: its level's where that is known, else the
    best of the levels still open (`rest`)."""
    # The levels with one weight for every pair by a table lookup, then the few whose
    # weight carries a term frequency (a maximum is exact in any order: the same numbers).
    scalars = {v: w for v, w in weights.items() if not isinstance(w, np.ndarray)}
    low, high = min(weights), max(weights)
    table = np.full(high - low + 2, -np.inf)  # the last entry: a level not listed
    for value, weight in scalars.items():
        table[value - low] = weight
    at = gamma - low
    at[(at < 0) | (at > high - low)] = high - low + 1
    best = table[at]
    open_rest = max((w for v, w in scalars.items() if v in rest), default=-np.inf)
    best[open_] = np.fmax(best[open_], open_rest)
    for value, array in weights.items():
        if isinstance(array, np.ndarray):
            if value in rest:
                best[open_] = np.fmax(best[open_], array[open_])
            hit = gamma == value
            best[hit] = array[hit]
    return best


def _static_best(model: ScoringModel, gamma: str) -> float:
    """The most one comparison can add to a pair's match weight when it has no
    term-frequency adjustment: its best level (inf where the adjustment is unbounded)."""
    plan = next(c for c in model._plan if c["gamma"] == gamma)
    extra: dict[int, float] = {}
    for value, _name, tf_weight, min_u, log2_u in plan["tf"]:
        if min_u <= 0:
            return math.inf
        # w * (log2(u) - log2(max(tf_l, tf_r, min_u))) for term frequencies in [min_u, 1]
        ends = (tf_weight * (log2_u - math.log2(min_u)), tf_weight * log2_u)
        extra[value] = max(extra.get(value, 0.0), *ends)
    return max(weight + extra.get(value, 0.0) for value, weight in plan["levels"])


def _scoring_order(model: ScoringModel, levels: list[_Level]) -> list[_Level]:
    """The order `_score_numpy` reads the comparisons in: the ones that can add most first
    (a service number, a capture date and a unit are missing on most records, and knowing
    that takes their weight off every such pair's bound), the names last (their levels
    need list overlaps; by then many pairs are gone). Only the speed depends on it: every
    pair still standing at the end has all its levels read."""

    def key(level: _Level) -> tuple[bool, float]:
        plan = next(c for c in model._plan if c["gamma"] == level.gamma)
        if plan["tf"]:
            return True, float(len(level.columns))
        return False, -_static_best(model, level.gamma)

    return sorted(levels, key=key)


def _at(
    weights: dict[int, np.ndarray | float], rows: np.ndarray | slice
) -> dict[int, np.ndarray | float]:
    """Level weights of the pairs at `rows` (a term-frequency level's weight is an array)."""
    return {v: w[rows] if isinstance(w, np.ndarray) else w for v, w in weights.items()}


def _most(weights: dict[int, np.ndarray | float]) -> np.ndarray | float:
    """The best level's weight, per pair where a term frequency weighs in."""
    arrays = [w for w in weights.values() if isinstance(w, np.ndarray)]
    most = max((w for w in weights.values() if not isinstance(w, np.ndarray)), default=-math.inf)
    for w in arrays:
        most = np.maximum(most, w)
    return most


def _score_numpy(
    model: ScoringModel,
    records: _Records,
    levels: list[_Level],
    keys: dict[int, str],
    rid_l: np.ndarray,
    rid_r: np.ndarray,
    threshold: float,
) -> tuple[pa.Table, int]:
    """Score pairs (rid_l, rid_r) as `engine.score` does with the level SQL, in numpy; keep
    p >= threshold. Returns the table and the number of pairs scored in full.

    Each comparison's CASE is read in two steps: its branches without string similarity,
    then the rest only for the pairs still open (most candidates share a name, so string
    distances are needed for few). With a threshold, each pair carries a bound on its
    match weight — the prior, the weight of each level read so far, and for the other
    comparisons the best they could still add (a pair's own best where a term frequency
    weighs in) — and the pairs whose bound falls below the threshold are dropped after
    each step: later steps read only the pairs still standing. The bound never falls below
    the weight the pair gets, so a dropped pair could not have been kept: the output is
    the same as scoring every pair in full.
    """
    n = len(rid_l)
    columns = _tf_columns(records, rid_l, rid_r)
    weights = {level.gamma: _level_weights(model, columns, level.gamma) for level in levels}
    bounding = threshold > 0 and all(
        np.isfinite(w).all() for ws in weights.values() for w in ws.values()
    )
    floor = prob_to_match_weight(threshold) - 1e-9 if bounding else -np.inf
    # The pairs still standing (positions in rid_l/rid_r). The arrays below stay at full
    # length and are read and written at `alive` only: a slice while no pair is dropped
    # (the first comparisons drop none, and a slice reads without copying).
    alive: np.ndarray | slice = slice(None)
    total = np.full(n, prob_to_match_weight(model.prior))
    most = {gamma: _most(ws) for gamma, ws in weights.items()} if bounding else {}
    for bound in most.values():
        total += bound
    gammas = {level.gamma: np.full(n, -99, dtype=np.int64) for level in levels}
    waiting: dict[str, np.ndarray] = {}  # pairs whose level needs string similarity
    bests: dict[str, np.ndarray] = {}  # their bound in that comparison

    def drop() -> None:
        nonlocal alive
        keep = total[alive] >= floor
        if not keep.all():
            alive = np.flatnonzero(keep) if isinstance(alive, slice) else alive[keep]

    order = _scoring_order(model, levels)
    for level in order:
        ifs = level.case.args["ifs"]
        stop = len(ifs) if level.cut is None else level.cut
        # Read once per distinct pair of profiles, then spread to the pairs.
        rep_l, rep_r, inverse = records.distinct_pairs(level.gamma, rid_l[alive], rid_r[alive])
        ev = _PairEvaluator(records, rep_l, rep_r, keys)
        gamma = np.full(len(rep_l), -99, dtype=np.int64)
        open_ = np.ones(len(rep_l), bool)
        _branches(ev, ifs[:stop], gamma, open_)
        default = level.case.args.get("default")
        default_value = ev._int(default) if default is not None else -1
        if level.cut is None:
            gamma[open_] = default_value
            open_[:] = False
        if bounding:
            ws = weights[level.gamma]
            rest = {ev._int(b.args["true"]) for b in ifs[stop:]} | {default_value}
            if inverse is not None and not any(isinstance(w, np.ndarray) for w in ws.values()):
                # Without a term-frequency adjustment a level's weight is one number: the
                # bound is then read per distinct pair of profiles too.
                best = _best_weight(ws, rest, gamma, open_)[inverse]
                gamma, open_ = gamma[inverse], open_[inverse]
            else:
                if inverse is not None:
                    gamma, open_ = gamma[inverse], open_[inverse]
                best = _best_weight(_at(ws, alive), rest, gamma, open_)
            bound = most[level.gamma]
            total[alive] += best - (bound[alive] if isinstance(bound, np.ndarray) else bound)
            if level.cut is not None:
                bests[level.gamma] = np.zeros(n)
                bests[level.gamma][alive] = best
        elif inverse is not None:
            gamma, open_ = gamma[inverse], open_[inverse]
        gammas[level.gamma][alive] = gamma
        if level.cut is not None:
            waiting[level.gamma] = (
                np.flatnonzero(open_) if isinstance(alive, slice) else alive[open_]
            )
        del ev
        drop()
    for level in order:
        if level.cut is None:
            continue
        rows = waiting[level.gamma]
        if bounding:
            rows = rows[total[rows] >= floor]
        if not len(rows):
            continue
        rep_l, rep_r, inverse = records.distinct_pairs(level.gamma, rid_l[rows], rid_r[rows])
        sub = _PairEvaluator(records, rep_l, rep_r, keys)
        default = level.case.args.get("default")
        got = np.full(len(rep_l), sub._int(default) if default is not None else -1)
        _branches(sub, level.case.args["ifs"][level.cut :], got, np.ones(len(rep_l), bool))
        got = got if inverse is None else got[inverse]
        gammas[level.gamma][rows] = got
        if bounding:
            exact = np.zeros(len(rows))
            for value, weight in _at(weights[level.gamma], rows).items():
                at = got == value
                exact[at] = weight[at] if isinstance(weight, np.ndarray) else weight
            total[rows] += exact - bests[level.gamma][rows]
    drop()
    out = {k: v[alive] for k, v in columns.items()}
    for level in levels:
        out[level.gamma] = gammas[level.gamma][alive]
    return weigh_pairs(model, out, threshold), len(out["rid_l"])


#: What the scoring workers read: set just before they are forked, so they share the
#: records' arrays with the parent instead of receiving a copy.
_WORK: tuple[ScoringModel, _Records, list[_Level], dict[int, str], float] | None = None


def _score_chunk(rid_l: np.ndarray, rid_r: np.ndarray) -> tuple[pa.Table, int]:
    assert _WORK is not None
    model, records, levels, keys, threshold = _WORK
    return _score_numpy(model, records, levels, keys, rid_l, rid_r, threshold)


def _workers(threads: int | None, n_chunks: int) -> int:
    """Processes that score chunks: one per core (or `threads`), none for a single chunk
    (numpy scores in one thread; DuckDB's threads do not help it). Only the main thread
    forks: a link run from a server's request thread (review's person clustering) stays in
    its process, where another thread's held lock cannot hang a forked child."""
    if (
        n_chunks < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.current_thread() is not threading.main_thread()
    ):
        return 1
    return max(1, min(threads or os.cpu_count() or 1, n_chunks, 8))


def _numpy_scoring(
    con: Any, model: ScoringModel, left: pa.Table, right: pa.Table | None
) -> tuple[_Records, list[_Level], dict[int, str]] | None:
    """What `_score_numpy` needs, or None when the levels must be scored by SQL (a model
    whose level SQL the evaluator cannot read, or rids that are not row positions)."""
    table = left if right is None else pa.concat_tables([left, right.cast(left.schema)])
    rid = table.column("rid").to_numpy()
    if not np.array_equal(rid, np.arange(len(rid))):
        return None
    try:
        levels, keys = _levels(model)
    except Unsupported:
        return None
    tf: dict[str, np.ndarray] = {}
    feats = ["l_feat"] if right is None else ["l_feat", "r_feat"]
    for c in model.tf_columns:
        values = np.full(len(rid), np.nan)
        for feat in feats:
            got = con.execute(f"SELECT rid, tf_{c} FROM {feat}").fetchnumpy()
            values[np.asarray(got["rid"])] = np.ma.filled(
                np.ma.asarray(got[f"tf_{c}"]).astype(np.float64), np.nan
            )
        tf[c] = values
    records = _Records(table, model.feature_columns(), tf)
    try:
        for level in levels:
            records.add_profile(level.gamma, level.columns)
    except Unsupported:
        return None
    return records, levels, keys


def _stream_pairs(con: Any, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Table `pairs` as (rid_l, rid_r) arrays of about `size` pairs, read as DuckDB streams
    them (one scan; DuckDB hands over batches of its own smaller size)."""
    reader = con.sql("SELECT rid_l, rid_r FROM pairs").to_arrow_reader(size)
    held: list[pa.RecordBatch] = []
    rows = 0
    for batch in itertools.chain(reader, [None]):
        if batch is not None and batch.num_rows:
            held.append(batch)
            rows += batch.num_rows
        if held and (rows >= size or batch is None):
            table = pa.Table.from_batches(held)
            held, rows = [], 0
            yield (
                table.column(0).to_numpy().astype(np.int64),
                table.column(1).to_numpy().astype(np.int64),
            )


def _score_chunks(
    con: Any,
    model: ScoringModel,
    numpy_path: tuple[_Records, list[_Level], dict[int, str]],
    threshold: float,
    n_pairs: int,
    threads: int | None,
    results: list[pa.Table],
    progress: Progress | None,
) -> int:
    """Score table `pairs` in numpy, chunk by chunk as DuckDB streams it, in forked worker
    processes when there are several chunks (both cores: numpy runs in one thread); append
    the kept pairs to `results` and return the number of pairs scored in full."""
    global _WORK
    records, levels, keys = numpy_path
    n_chunks = max(1, math.ceil(n_pairs / _NUMPY_CHUNK_PAIRS))
    workers = _workers(threads, n_chunks)
    chunks = _stream_pairs(con, _NUMPY_CHUNK_PAIRS)
    n_scored = 0
    done = 0

    def collect(table: pa.Table, scored: int) -> None:
        nonlocal n_scored, done
        results.append(table)
        n_scored += scored
        done += 1
        if progress:
            progress("scoring", done, max(done, n_chunks))

    _WORK = (model, records, levels, keys, threshold)
    try:
        if workers == 1:
            for rid_l, rid_r in chunks:
                collect(*_score_chunk(rid_l, rid_r))
            return n_scored
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            pending: list[Future[tuple[pa.Table, int]]] = []
            for rid_l, rid_r in chunks:
                pending.append(pool.submit(_score_chunk, rid_l, rid_r))
                # A few chunks in flight: enough to keep every worker busy, few enough
                # that waiting pairs do not pile up in memory.
                while len(pending) > workers:
                    collect(*pending.pop(0).result())
            for future in pending:
                collect(*future.result())
        return n_scored
    finally:
        _WORK = None


def link_tables(
    left: pa.Table,
    right: pa.Table | None,
    *,
    threshold: float = 0.01,
    explain: bool = False,
    progress: Progress | None = None,
    threads: int | None = None,
    stats: dict[str, Any] | None = None,
    compete: bool = True,
) -> list[ScoredPair]:
    """Score feature tables (from build_features); `right=None` deduplicates `left`.

    With `compete` (the default) a record's candidates that the model tells apart share its
    probability (matching/competing.py); without, each pair keeps the model's own.

    Right rids must not overlap left rids (build right with rid_offset=len(left)).
    """
    dedupe = right is None
    # Competing candidates need every pair at the floor: a higher threshold filters after.
    wanted, threshold = threshold, min(threshold, competing.FLOOR)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[phase] = round(seconds.get(phase, 0.0) + now - clock, 2)
        clock = now

    model = ScoringModel(prior_for(left.num_rows if right is None else right.num_rows))
    con = connect(threads=threads, memory_limit="4GB")
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

    key_tables(con, population, None if dedupe else "l_raw")
    if progress:
        progress("blocking", 0, 1)
    parts = max(1, math.ceil(left.num_rows / _JOIN_PART_RECORDS))
    con.execute("CREATE TABLE pairs (rid_l INTEGER, rid_r INTEGER)")
    for i in range(parts):
        con.execute(f"INSERT INTO pairs {candidate_pairs_sql(dedupe, (i, parts))}")
    n_pairs = con.execute("SELECT count(*) FROM pairs").fetchall()[0][0]  # type: ignore[index]
    # The key tables are done with: free their memory before scoring holds its own.
    for table in ("kr", "big", "kl"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    lap("blocking")
    if stats is not None:
        stats["candidate_pairs"] = int(n_pairs)
        stats["prior"] = model.prior
        if "labels_left" in stats:
            stats["blocking_recall"] = _blocking_recall(con, stats, dedupe)
            lap("recall")
    if progress:
        progress("blocking", 1, 1)

    n_chunks = max(1, math.ceil(n_pairs / _CHUNK_PAIRS))
    results: list[pa.Table] = []
    select = wide_select(model, "a", "b")
    n_scored = 0
    numpy_path = _numpy_scoring(con, model, left, right)
    if numpy_path is not None:
        try:
            n_scored = _score_chunks(
                con, model, numpy_path, threshold, n_pairs, threads, results, progress
            )
        except Unsupported:
            # A level the evaluator cannot read (a new SQL function in the model): Splink's
            # SQL scores every pair instead, slower and the same.
            results.clear()
            numpy_path = None
            n_scored = 0
    # The reachability bounds (sqlglot parsing every level, ~0.5 s) only for Splink's SQL.
    bounds = _bounds(model) if numpy_path is None and threshold > 0 else []
    for i in range(n_chunks if numpy_path is None else 0):
        chunk = f"(SELECT * FROM pairs WHERE rid_l % {n_chunks} = {i})"
        if threshold > 0:
            reach = _reachable(con, model, bounds, chunk, right_feat, threshold)
            n_scored += reach.num_rows
            con.register("reach", reach)
            chunk = "reach"
        gamma = _gamma_sql_distinct(con, model, chunk, right_feat, select)
        results.append(score(con, model, gamma, threshold))
        if progress:
            progress("scoring", i + 1, n_chunks)
    if stats is not None:
        stats["pairs_scored"] = n_scored if threshold > 0 or numpy_path else int(n_pairs)
    lap("scoring")
    if stats is not None and "labels_left" in stats:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW wide AS SELECT {select} FROM missed p "
            f"JOIN l_feat a ON a.rid = p.rid_l JOIN {right_feat} b ON b.rid = p.rid_r"
        )
        lost = score(con, model, model.gamma_sql("wide"), 0.5)
        stats["missed_matches"] = lost.num_rows
        found_matches = 0
        if results:
            con.register("scored_all", pa.concat_tables(results))
            found_matches = con.execute(
                "SELECT count(*) FROM scored_all JOIN truth USING (rid_l, rid_r) "
                "WHERE match_probability >= 0.5"
            ).fetchall()[0][0]
        stats["match_recall_of_blocking"] = found_matches / max(1, found_matches + lost.num_rows)
        lap("recall")
    scored = pa.concat_tables(results) if results else None
    if scored is None:
        con.close()
        return []

    def score_rivals(b: np.ndarray, c: np.ndarray) -> pa.Table:
        # The rival pairs (matching/competing.py) by the same scorer.
        con.execute("DROP TABLE IF EXISTS pairs")
        con.register("pairs", pa.table({"rid_l": b, "rid_r": c}))
        got: list[pa.Table] = []
        if numpy_path is not None:
            at = competing.RIVAL_SCORING_THRESHOLD
            _score_chunks(con, model, numpy_path, at, len(b), threads, got, None)
        else:
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW wide AS SELECT {select} FROM pairs p "
                f"JOIN {right_feat} a ON a.rid = p.rid_l JOIN {right_feat} b ON b.rid = p.rid_r"
            )
            got.append(
                score(con, model, model.gamma_sql("wide"), competing.RIVAL_SCORING_THRESHOLD)
            )
        return pa.concat_tables(got) if got else pa.table({"rid_l": [], "rid_r": []})

    def shared() -> None:
        con.close()  # before the output is built: DuckDB's tables are no longer needed
        lap("competing")

    out = competed_pairs(
        model,
        scored,
        left,
        right,
        score_rivals=score_rivals,
        threshold=wanted,
        explain=explain,
        lam=None if compete else 0.0,
        on_shared=shared,
    )
    lap("output")
    if stats is not None:
        # Wall seconds per phase; "recall" is the benchmarks' bookkeeping (labels given).
        stats["seconds"] = seconds
    return out


def competed_pairs(
    model: ScoringModel,
    scored: pa.Table,
    left: pa.Table,
    right: pa.Table | None,
    *,
    score_rivals: Callable[[np.ndarray, np.ndarray], pa.Table],
    threshold: float,
    explain: bool = False,
    lam: float | None = None,
    on_shared: Callable[[], None] | None = None,
) -> list[ScoredPair]:
    """The scored pairs (rid_l, rid_r, p and weight, at the competing floor) as the output:
    competing candidates share (`score_rivals` scores the rival pairs by the caller's own
    scorer), pairs at or above `threshold` most probable first, explained. The one tail of
    batch (`link_tables`) and Spark (`spark.link_tables_spark`); `on_shared` runs once the
    rivals are scored (batch closes its database there)."""
    scored = competing.share_table(scored, dedupe=right is None, score_rivals=score_rivals, lam=lam)
    if on_shared is not None:
        on_shared()
    scored = competing.order_and_filter(scored, threshold)
    right_table = left if right is None else right
    right_offset = 0 if right is None else left.num_rows
    # Python's cycle collector paused while millions of new ScoredPairs (no cycles) are
    # made: its full collections were over half of building the output (1.3 against 2.8 s
    # CPU for 763k pairs at 300k reports).
    with gc_paused():
        out = scored_pairs(model, scored, left, right_table, 0, right_offset, explain=explain)
        return competing.finish(out, scored)


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
