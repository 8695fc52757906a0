"""Real time: one enquiry against every report, from an index built once in process.

The index files each report under its blocking keys (hashes in one sorted array, so a
million reports cost about 150 MB) and keeps the feature table in Arrow. A query computes
the enquiry's keys, gathers the reports filed under them, and scores those pairs with the
same Splink SQL, term frequencies and prior as the batch path — so a pair scores the same
here and in `link_records(enquiries, reports)`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kintrace.matching.engine import (
    MAX_BLOCK_SIZE,
    TF_COLUMNS,
    ScoredPair,
    connect,
    score,
    scored_pairs,
)
from kintrace.matching.features import FeatureWarning, build_features
from kintrace.matching.model import ScoringModel, prior_for

_QUERY_RID = -1


def sub_key(key: str, birth_year: int) -> str:
    """A too-common blocking key narrowed by the birth year (as batch.py's SQL spells it)."""
    return f"{key}|y{birth_year}"


class CandidateIndex:
    """An in-process index over reports; `query` returns one enquiry's scored candidates."""

    def __init__(self, records: Sequence[dict[str, Any]], *, threads: int = 1) -> None:
        features = build_features(records)
        self.warnings: list[FeatureWarning] = features.warnings
        table = features.table
        self.size = table.num_rows
        self.model = ScoringModel(prior_for(self.size))
        self._con = connect(threads=threads)
        self._lock = threading.Lock()
        self._view_ready = False
        # Term frequencies over the indexed population, as in batch (tf_sql).
        self._tf: dict[str, dict[str, float]] = {}
        for c in TF_COLUMNS:
            counts = pc.value_counts(table.column(c).drop_null())
            values = counts.field("values").to_pylist()
            freq = self.model.term_frequency(c, counts.field("counts").to_numpy(), self.size)
            self._tf[c] = dict(zip(values, freq.tolist(), strict=True))
            tf_values = [
                self._tf[c].get(v) if v is not None else None for v in table.column(c).to_pylist()
            ]
            table = table.append_column(f"tf_{c}", pa.array(tf_values, pa.float64()))
        self._build_keys(table.column("bkeys"), table.column("birth_y"))
        self.table = table.drop_columns(["bkeys"])
        self._wide_columns = self._column_plan()

    def _build_keys(self, bkeys: pa.ChunkedArray, years: pa.ChunkedArray) -> None:
        flat = [k.lstrip("~") for k in pc.list_flatten(bkeys).to_pylist()]
        weak_flat = pc.starts_with(pc.list_flatten(bkeys), "~").to_numpy(zero_copy_only=False)
        lengths = pc.list_value_length(bkeys).fill_null(0).to_numpy()
        rids = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        hashes = np.fromiter((hash(k) for k in flat), dtype=np.int64, count=len(flat))
        uniq, counts = np.unique(hashes, return_counts=True)
        big = uniq[counts > MAX_BLOCK_SIZE]
        self._big = set(big.tolist())
        # Keys too common are narrowed by the birth year, exactly as batch does (sub_key).
        is_big = np.isin(hashes, big)
        year_of = years.to_numpy(zero_copy_only=False)
        keep_small = ~is_big
        sub_idx = np.nonzero(is_big)[0]
        sub_hashes, sub_rows, sub_weak = [], [], []
        for i in sub_idx:
            y = year_of[rids[i]]
            if y == y and y is not None:  # not NaN / null
                sub_hashes.append(hash(sub_key(flat[i], int(y))))
                sub_rows.append(rids[i])
                sub_weak.append(weak_flat[i])
        hashes = np.concatenate([hashes[keep_small], np.array(sub_hashes, dtype=np.int64)])
        rids = np.concatenate([rids[keep_small], np.array(sub_rows, dtype=np.int32)])
        weak = np.concatenate([weak_flat[keep_small], np.array(sub_weak, dtype=bool)])
        order = np.argsort(hashes, kind="stable")
        hashes, rids, weak = hashes[order], rids[order], weak[order]
        uniq, starts, counts = np.unique(hashes, return_index=True, return_counts=True)
        keep = counts <= MAX_BLOCK_SIZE  # the same cap as batch, on the same population
        self._key_hashes = uniq[keep]
        self._key_starts = starts[keep]
        self._key_counts = counts[keep]
        self._rids = rids
        self._weak = weak

    def _column_plan(self) -> list[str]:
        return list(self.model.feature_columns())

    def candidates(self, keys: Sequence[str], birth_year: int | None = None) -> np.ndarray:
        """Rows of the index filed under any of `keys` (blocks over the cap are narrowed by
        the birth year, then skipped; a weak key only reaches reports filed under it with a
        strong one)."""
        if not keys or len(self._key_hashes) == 0:
            return np.empty(0, dtype=np.int32)
        hashes, weak_flags = [], []
        for key in keys:
            base = key.lstrip("~")
            h = hash(base)
            if h in self._big:
                if birth_year is None:
                    continue
                h = hash(sub_key(base, birth_year))
            hashes.append(h)
            weak_flags.append(key.startswith("~"))
        if not hashes:
            return np.empty(0, dtype=np.int32)
        q = np.array(hashes, dtype=np.int64)
        q_weak = np.array(weak_flags, dtype=bool)
        pos = np.searchsorted(self._key_hashes, q)
        pos = np.minimum(pos, len(self._key_hashes) - 1)
        hit = self._key_hashes[pos] == q
        parts = []
        for p, is_weak in zip(pos[hit], q_weak[hit], strict=True):
            lo, hi = self._key_starts[p], self._key_starts[p] + self._key_counts[p]
            rows = self._rids[lo:hi]
            parts.append(rows[~self._weak[lo:hi]] if is_weak else rows)
        if not parts:
            return np.empty(0, dtype=np.int32)
        return np.unique(np.concatenate(parts))

    def query(
        self,
        record: dict[str, Any],
        min_probability: float = 0.01,
        limit: int = 50,
        *,
        explain: bool = False,
    ) -> list[ScoredPair]:
        """Scored candidates for one enquiry record, most probable first.

        left_id is the enquiry's record_id, right_id the report's.
        """
        qf = build_features([record], rid_offset=_QUERY_RID)
        q = qf.table
        rows = self.candidates(q.column("bkeys")[0].as_py() or [], q.column("birth_y")[0].as_py())
        if len(rows) == 0:
            return []
        n = len(rows)
        right = self.table.take(pa.array(rows))
        cols: dict[str, Any] = {"rid_l": pa.array(np.full(n, _QUERY_RID, dtype=np.int64))}
        cols["rid_r"] = pa.array(rows.astype(np.int64))
        for c in self._wide_columns:
            value = q.column(c)[0]
            cols[f"{c}_l"] = pa.repeat(value, n) if value.is_valid else pa.nulls(n, value.type)
            cols[f"{c}_r"] = right.column(c)
        for c in TF_COLUMNS:
            v = q.column(c)[0].as_py()
            tf = self._tf[c].get(v) if v is not None else None
            cols[f"tf_{c}_l"] = pa.array([tf] * n, pa.float64())
            cols[f"tf_{c}_r"] = right.column(f"tf_{c}")
        cols["match_key"] = pa.array(np.zeros(n, dtype=np.int64))
        wide = pa.table(cols)
        with self._lock:
            # A view parsed once: sending the comparison SQL per query costs more than
            # scoring the few dozen candidates.
            self._con.register("wide", wide)
            if not self._view_ready:
                self._con.execute(f"CREATE VIEW gammas AS {self.model.gamma_sql('wide')}")
                self._view_ready = True
            scored = score(self._con, self.model, "SELECT * FROM gammas", min_probability)
            self._con.unregister("wide")
        if scored.num_rows == 0:
            return []
        scored = scored.sort_by([("match_probability", "descending"), ("rid_r", "ascending")])
        scored = scored.slice(0, limit)
        return scored_pairs(self.model, scored, q, self.table, _QUERY_RID, 0, explain=explain)
