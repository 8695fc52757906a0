"""Real time: one enquiry against every report, from an index built once in process.

The index keeps the reports' comparison columns in compact numpy form (strings as codes
into one dictionary per column, lists as flat arrays with offsets, dates as numbers) and
files every report under its keys: 64-bit hashes in one sorted array, with the rows of
each key next to each other. A query computes the enquiry's keys, gathers the reports
filed under them, and scores those pairs in numpy with the shipped model's own levels:
the CASE expressions Splink writes from the model are read once (sqlglot, which Splink
itself uses) and evaluated over the candidates' columns, so a pair gets the same level,
the same term-frequency adjustment and the same prior as in
`link_records(enquiries, reports)` (tests/matching/test_realtime.py, pair by pair). A
level written with a function the evaluator does not know is scored by DuckDB instead,
with the same SQL as batch: slower, never different.

Candidates are decided at query time over the current population: every pair batch
would make (a key filed under more than MAX_BLOCK_SIZE reports narrowed to the enquiry's
birth year, skipped if still too common or without a year), and then, as one enquiry can
afford it, up to REALTIME_CANDIDATES more from the blocks batch skips and from real
time's own keys (see `candidates`). So `add` and `remove` change the index without a
rebuild, and the answers stay those of an index built over what is there now.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from pandas.util import hash_array
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein
from rapidfuzz.process import cdist
from sqlglot import exp

from kintrace.matching import arrays, competing
from kintrace.matching.engine import (
    MAX_BLOCK_SIZE,
    MAX_PROBE_BLOCK_SIZE,
    TF_COLUMNS,
    ScoredPair,
    connect,
    scored_pairs,
)
from kintrace.matching.features import FeatureWarning, build_features, skeleton
from kintrace.matching.model import ScoringModel, model_version, prior_for

_QUERY_RID = -1
#: New reports' keys wait in a small side table until there are this many, then are merged
#: into the sorted arrays (a merge re-sorts everything, a second or two at a million).
_MERGE_PENDING = 200_000


#: Real time scores up to this many reports more than batch would pair with an enquiry
#: (the blocks batch skips as too common, smallest first): numpy scores a few thousand
#: candidates in milliseconds, and an enquiry without a birth date still reaches the
#: reports filed under a common name.
REALTIME_CANDIDATES = 10_000


def sub_key(key: str, birth_year: int) -> str:
    """A too-common blocking key narrowed by the birth year (as batch.py's SQL spells it)."""
    return f"{key}|y{birth_year}"


_HASH_CHUNK = 1_000_000


def key_hashes(keys: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Stable 64-bit hashes (pandas' SipHash of the text) of Arrow strings.

    The same function files a million reports' keys at build and an enquiry's thirty at
    query time; chunks keep the Python strings it needs from piling up.
    """
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks() if keys.num_chunks else pa.array([], pa.string())
    out = np.empty(len(keys), np.uint64)
    for start in range(0, len(keys), _HASH_CHUNK):
        part = keys.slice(start, _HASH_CHUNK).to_numpy(zero_copy_only=False)
        out[start : start + len(part)] = hash_array(part, categorize=False)
    return out


_MIX = np.uint64(0x9E3779B97F4A7C15)


def extra_keys(
    family: pa.ChunkedArray | pa.Array, given: pa.ChunkedArray | pa.Array, year: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Real time's own keys, besides the records' blocking keys, as (hashes, row):

    - the family name's skeleton alone («Гриць Павлов» / «Палвов Г.Г.» share no
      family+given key, but «pvlv»), as a key too common for batch to afford;
    - the given name's skeleton + birth year (a surname garbled beyond a one-letter slip:
      «Млроз»/«МОРОЗ А.Г.» has its initials, «Юрию Кудрявцеву»/«Nikitin-Kydpyavtsev»).
    Blocks of these are taken like the blocks batch skips: within the candidate budget.
    """
    out_h, out_r = [], []
    years = pa.chunked_array([year]) if isinstance(year, pa.Array) else year
    y = years.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
    for tag, column in ((1, family), (2, given)):
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        encoded = pc.dictionary_encode(column)
        distinct = encoded.dictionary.to_pylist()
        skeletons = np.array([skeleton(v) if v else "" for v in distinct] + [""], dtype=object)
        h = hash_array(skeletons, categorize=False) ^ np.uint64(tag)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        ok = (codes >= 0) & (skeletons[codes] != "")
        rows = np.nonzero(ok)[0]
        hashes = h[codes[rows]]
        if tag == 2:  # with the birth year
            has_year = ~np.isnan(y[rows])
            rows, hashes = rows[has_year], hashes[has_year]
            hashes = hashes * _MIX + y[rows].astype(np.uint64)
        out_h.append(hashes)
        out_r.append(rows)
    return np.concatenate(out_h), np.concatenate(out_r)


# ---------------------------------------------------------------------------------------
# Columns


class _Grow:
    """A numpy array that grows by appending (capacity doubles).

    It may start from a `base`: rows opened read-only from a file (`CandidateIndex.open`),
    memory-mapped copy-on-write, so processes that open the same index share one copy in
    the page cache. Appended rows go to a private tail; the base is never copied.
    """

    def __init__(self, dtype: Any, data: np.ndarray | None = None, *, base: Any = None) -> None:
        self.base = base
        self.n0 = 0 if base is None else len(base)
        self.data = np.asarray(data if data is not None else [], dtype=dtype)
        self.n = self.n0 + len(self.data)  # rows in all, base included

    def extend(self, values: np.ndarray) -> None:
        used = self.n - self.n0
        need = used + len(values)
        if need > len(self.data):
            grown = np.empty(max(need, 2 * len(self.data), 16), dtype=self.data.dtype)
            grown[:used] = self.data[:used]
            self.data = grown
        self.data[used:need] = values
        self.n = self.n0 + need

    @property
    def view(self) -> np.ndarray:
        """All rows as one array (a copy when there is a base and a tail: not for queries)."""
        tail = self.data[: self.n - self.n0]
        if self.base is None:
            return tail
        return self.base if len(tail) == 0 else np.concatenate([self.base, tail])

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The values at `rows` (positions over base and tail)."""
        if self.base is None:
            return self.data[rows]
        if len(rows) == 0 or int(rows.max()) < self.n0:
            return np.asarray(self.base[rows])
        out = np.empty(len(rows), self.data.dtype)
        low = rows < self.n0
        out[low] = self.base[rows[low]]
        out[~low] = self.data[rows[~low] - self.n0]
        return out

    def put(self, rows: np.ndarray, value: Any) -> None:
        if self.base is None:
            self.data[rows] = value
            return
        low = rows < self.n0
        self.base[rows[low]] = value  # copy-on-write: only the touched pages become private
        self.data[rows[~low] - self.n0] = value

    def since(self, first: int) -> np.ndarray:
        """Rows from `first` on."""
        if first >= self.n0:
            return self.data[first - self.n0 : self.n - self.n0]
        return self.view[first:]

    def last(self) -> Any:
        return self.take(np.array([self.n - 1]))[0]

    def nbytes(self) -> int:
        """Bytes of the private tail (its capacity); the base is counted by `base_nbytes`."""
        return int(self.data.nbytes)

    def base_nbytes(self) -> int:
        return 0 if self.base is None else int(self.base.nbytes)


class _Dictionary:
    """Distinct strings of a column and their codes (-1 is null)."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.code_of: dict[str, int] = {}
        self._array: np.ndarray | None = None
        # left()/right() of the strings, kept from query to query (`_Strs.cut`): per (function,
        # length), each string's cut as a code of a dictionary of cuts (-2: not cut yet).
        self.cuts: dict[tuple[Callable[[str, int], str], int], tuple[_Grow, _Dictionary]] = {}

    def encode(self, column: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """Codes for an Arrow string array, adding new strings to the dictionary."""
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if len(column) == 0:
            return np.empty(0, dtype=np.int32)
        encoded = pc.dictionary_encode(column)
        local = encoded.dictionary.to_pylist()
        remap = np.empty(len(local) + 1, dtype=np.int32)
        remap[-1] = -1
        known = len(self.values)
        for i, v in enumerate(local):
            code = self.code_of.get(v)
            if code is None:
                code = len(self.values)
                self.values.append(v)
                self.code_of[v] = code
            remap[i] = code
        if len(self.values) != known:
            # decode()'s array of every value is rebuilt only when one was added.
            self._array = None
        idx = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return remap[idx]

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Object array of strings (None for null) for codes."""
        if self._array is None or len(self._array) != len(self.values) + 1:
            self._array = np.array([*self.values, None], dtype=object)
        return self._array[codes]  # code -1 picks the trailing None


class _StrColumn:
    kind = "str"

    def __init__(self) -> None:
        self.dictionary = _Dictionary()
        self.codes = _Grow(np.int32)

    def extend(self, column: pa.ChunkedArray) -> None:
        self.codes.extend(self.dictionary.encode(column))

    def gather(self, rows: np.ndarray) -> np.ndarray:
        return self.dictionary.decode(self.codes.take(rows))

    def arrow(self, rows: np.ndarray) -> pa.Array:
        return pa.array(self.gather(rows).tolist(), pa.string())


class _NumColumn:
    kind = "num"

    def __init__(self, arrow_type: pa.DataType) -> None:
        self.type = arrow_type
        self.values = _Grow(np.float64)

    def extend(self, column: pa.ChunkedArray) -> None:
        self.values.extend(
            column.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        )

    def gather(self, rows: np.ndarray) -> np.ndarray:
        return self.values.take(rows)

    def arrow(self, rows: np.ndarray) -> pa.Array:
        v = self.gather(rows)
        return pa.array(v, pa.float64(), mask=np.isnan(v)).cast(self.type)


class _ListColumn:
    """A list column: flat values (ints, or codes of strings) and offsets; [] is null."""

    kind = "list"

    def __init__(self, value_type: pa.DataType) -> None:
        self.value_type = value_type
        self.dictionary = _Dictionary() if pa.types.is_string(value_type) else None
        self.values = _Grow(np.int64)
        self.offsets = _Grow(np.int64, np.zeros(1, dtype=np.int64))

    def extend(self, column: pa.ChunkedArray) -> None:
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        lengths = pc.list_value_length(column).fill_null(0).to_numpy(zero_copy_only=False)
        flat = pc.list_flatten(column)
        if self.dictionary is not None:
            values = self.dictionary.encode(flat).astype(np.int64)
        else:
            values = flat.to_numpy(zero_copy_only=False).astype(np.int64)
        base = self.offsets.last()
        self.offsets.extend(base + np.cumsum(lengths, dtype=np.int64))
        self.values.extend(values)

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """(values, row of each value, number of rows) for the given rows."""
        starts = self.offsets.take(rows)
        lengths = self.offsets.take(rows + 1) - starts
        total = int(lengths.sum())
        owner = np.repeat(np.arange(len(rows)), lengths)
        first = np.cumsum(lengths) - lengths
        pos = np.arange(total) - np.repeat(first, lengths) + np.repeat(starts, lengths)
        return self.values.take(pos), owner, len(rows)

    def constant(self, value: Any) -> np.ndarray | None:
        """The query's list as values comparable with `gather` (None for null)."""
        if not value:
            return None
        if self.dictionary is not None:
            codes = [self.dictionary.code_of.get(v, -2) for v in value]
            return np.array(codes, dtype=np.int64)
        return np.array(value, dtype=np.int64)

    def arrow(self, rows: np.ndarray) -> pa.Array:
        values, owner, n = self.gather(rows)
        lengths = np.bincount(owner, minlength=n)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        if self.dictionary is not None:
            items = pa.array(self.dictionary.decode(values).tolist(), pa.string())
        else:
            items = pa.array(values, self.value_type)
        mask = pa.array(lengths == 0)
        return pa.ListArray.from_arrays(pa.array(offsets), items, mask=mask)


class _ArrowColumn:
    """Strings kept as Arrow (record ids: all distinct, so a dictionary would only cost)."""

    kind = "arrow"

    def __init__(self, base: pa.Array | None = None) -> None:
        self.base = base  # opened from a file, memory-mapped: never copied
        self.chunks: list[pa.Array] = []
        self._combined: pa.ChunkedArray | None = None

    def extend(self, column: pa.ChunkedArray) -> None:
        # Copied into buffers of its own: ids read from a file share one buffer with the
        # whole record batch, which would stay in memory as long as the ids do.
        if column.num_chunks:
            self.chunks.append(pa.concat_arrays(column.chunks))
        self._combined = None

    @property
    def combined(self) -> pa.ChunkedArray:
        if self._combined is None:
            if len(self.chunks) > 1:  # many small adds would make every take slow
                self.chunks = [pa.concat_arrays(self.chunks)]
            parts = ([self.base] if self.base is not None else []) + self.chunks
            self._combined = pa.chunked_array(parts, parts[0].type if parts else pa.string())
        return self._combined

    def gather(self, rows: np.ndarray) -> np.ndarray:
        return self.arrow(rows).to_numpy(zero_copy_only=False)

    def arrow(self, rows: np.ndarray) -> pa.Array:
        return self.combined.take(pa.array(rows)).combine_chunks()


_Column = _StrColumn | _NumColumn | _ListColumn | _ArrowColumn


def _column_for(arrow_type: pa.DataType) -> _Column:
    if pa.types.is_string(arrow_type):
        return _StrColumn()
    if pa.types.is_list(arrow_type):
        return _ListColumn(arrow_type.value_type)
    return _NumColumn(arrow_type)


# ---------------------------------------------------------------------------------------
# The model's levels, evaluated in numpy


class Unsupported(Exception):
    """The level SQL uses something the numpy evaluator does not implement."""


class _Bool:
    """SQL three-valued booleans over the candidates: value where known, and a null mask."""

    __slots__ = ("null", "value")

    def __init__(self, value: np.ndarray, null: np.ndarray) -> None:
        self.value = value & ~null
        self.null = null


class _Const:
    """A value known once per query (the enquiry's side, or a literal)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Lists:
    __slots__ = ("n", "owner", "values")

    def __init__(self, values: np.ndarray, owner: np.ndarray, n: int) -> None:
        self.values, self.owner, self.n = values, owner, n


class _Strs:
    """Candidates' strings as codes into their column's dictionary (-1 is null): equality
    with the enquiry's value compares integers, and a string function runs once per
    distinct value."""

    __slots__ = ("_distinct", "codes", "dictionary")

    def __init__(self, codes: np.ndarray, dictionary: _Dictionary) -> None:
        self.codes, self.dictionary = codes, dictionary
        self._distinct: tuple[np.ndarray, np.ndarray] | None = None

    def objects(self) -> np.ndarray:
        return self.dictionary.decode(self.codes)

    def distinct(self) -> tuple[np.ndarray, np.ndarray]:
        """(distinct codes, index of each candidate's code among them)."""
        if self._distinct is None:
            distinct, inverse = np.unique(self.codes, return_inverse=True)
            self._distinct = (distinct, inverse.ravel())
        return self._distinct

    def map(self, fn: Callable[[str], float]) -> np.ndarray:
        """fn of each string (NaN for null), computed once per distinct string."""
        distinct, inverse = self.distinct()
        values = self.dictionary.values
        results = np.array([np.nan if c < 0 else fn(values[c]) for c in distinct.tolist()])
        return results[inverse] if len(results) else np.empty(0)

    def cut(self, fn: Callable[[str, int], str], k: int) -> _Strs:
        """fn(s, k) of each string (left() or right()), as codes of a dictionary of the cuts.
        A string is cut once for the life of the index, not once per query: a few thousand
        candidates' surnames cut by a dozen suffix lengths were ~6 % of a query's time."""
        memo = self.dictionary.cuts.get((fn, k))
        if memo is None:
            memo = self.dictionary.cuts[(fn, k)] = (_Grow(np.int32), _Dictionary())
        cut_of, cuts = memo
        size = len(self.dictionary.values)
        if cut_of.n < size:
            cut_of.extend(np.full(size - cut_of.n, -2, np.int32))
        table = cut_of.data
        known = self.codes >= 0
        codes = self.codes[known]
        got = table[codes]
        missing = got == -2
        if missing.any():
            strings = self.dictionary.values
            for c in np.unique(codes[missing]).tolist():
                piece = fn(strings[c], k)
                code = cuts.code_of.get(piece)
                if code is None:
                    code = cuts.code_of[piece] = len(cuts.values)
                    cuts.values.append(piece)
                table[c] = code
            got = table[codes]
        out = np.full(len(self.codes), -1, np.int32)
        out[known] = got
        return _Strs(out, cuts)

    def against(self, name: str, q: str) -> np.ndarray:
        """A symmetric string function of `q` and each string (NaN for null), by rapidfuzz's
        batch form over the distinct strings."""
        distinct, inverse = self.distinct()
        results = np.full(len(distinct), np.nan)
        known = distinct >= 0
        if known.any():
            values = self.dictionary.values
            strings = [values[c] for c in distinct[known].tolist()]
            scorer = _BATCH_SCORERS[name]
            got = cdist([q], strings, scorer=scorer, dtype=np.float64, workers=1)[0]
            if name == "jaro_winkler_similarity" and not q:
                got[[not x for x in strings]] = 0.0  # DuckDB: two empty strings give 0
            results[known] = got
        return results[inverse] if len(results) else np.empty(0)


def _left(s: str, k: int) -> str:
    return s[:k]


def _right(s: str, k: int) -> str:
    # DuckDB's right(s, k): the last k letters, the whole string when it is shorter.
    return s[len(s) - k :] if k < len(s) else s


def _jaro_winkler(a: str, b: str) -> float:
    if not a and not b:
        return 0.0  # DuckDB's value for two empty strings (rapidfuzz says 1.0)
    return float(JaroWinkler.normalized_similarity(a, b))


_BATCH_SCORERS: dict[str, Any] = {
    "jaro_winkler_similarity": JaroWinkler.normalized_similarity,
    "damerau_levenshtein": DamerauLevenshtein.distance,
    "levenshtein": Levenshtein.distance,
}

_STRING_FUNCTIONS: dict[str, Callable[[str, str], float]] = {
    "jaro_winkler_similarity": _jaro_winkler,
    "damerau_levenshtein": lambda a, b: float(DamerauLevenshtein.distance(a, b)),
    "levenshtein": lambda a, b: float(Levenshtein.distance(a, b)),
}


class _Evaluator:
    """Evaluates one level CASE over n candidates: `_l` columns are the query's constants,
    `_r` columns the candidates' arrays. `left` may also give arrays (a callable like
    `right`): then the n rows are n pairs of indexed records (the rival step)."""

    def __init__(
        self,
        left: dict[str, Any] | Callable[[str], Any],
        right: Callable[[str], Any],
        n: int,
        keys: dict[int, str],
    ) -> None:
        self.left = left
        self.right = right
        self.n = n
        self.keys = keys  # id(node) -> its SQL text: the same text is computed once
        self.cache: dict[str, Any] = {}

    # values -----------------------------------------------------------------------------
    def value(self, node: exp.Expression) -> Any:
        key = self.keys[id(node)]
        if key in self.cache:
            return self.cache[key]
        out = self._value(node)
        self.cache[key] = out
        return out

    def _value(self, node: exp.Expression) -> Any:
        if isinstance(node, exp.Paren):
            return self.value(node.this)
        if isinstance(node, exp.Column):
            name = node.name
            if name.endswith("_l"):
                if callable(self.left):
                    return self.left(name[:-2])
                return _Const(self.left.get(name[:-2]))
            if name.endswith("_r"):
                return self.right(name[:-2])
            raise Unsupported(name)
        if isinstance(node, exp.Literal):
            return _Const(node.this if node.is_string else float(node.this))
        if isinstance(node, exp.Null):
            return _Const(None)
        if isinstance(node, exp.Neg):
            v = self.number(node.this)
            return _Const(-v.value) if isinstance(v, _Const) and v.value is not None else -v
        if isinstance(node, exp.Sub | exp.Add):
            a, b = self.number(node.this), self.number(node.expression)
            av = a.value if isinstance(a, _Const) else a
            bv = b.value if isinstance(b, _Const) else b
            if av is None or bv is None:
                return _Const(None)
            out = av - bv if isinstance(node, exp.Sub) else av + bv
            return _Const(out) if isinstance(a, _Const) and isinstance(b, _Const) else out
        if isinstance(node, exp.Abs):
            v = self.number(node.this)
            if isinstance(v, _Const):
                return _Const(None if v.value is None else abs(v.value))
            return np.abs(v)
        if isinstance(node, exp.Greatest | exp.Least):
            # DuckDB's greatest/least skip nulls (null only when every argument is null),
            # as numpy's fmax/fmin skip NaN.
            fold = np.fmax if isinstance(node, exp.Greatest) else np.fmin
            args = [self.number(a) for a in [node.this, *node.expressions]]
            values = [np.nan if isinstance(a, _Const) and a.value is None else a for a in args]
            values = [a.value if isinstance(a, _Const) else a for a in values]
            out = values[0]
            for v in values[1:]:
                out = fold(out, v)
            if all(isinstance(a, _Const) for a in args):
                return _Const(None if np.isnan(out) else float(out))
            return np.broadcast_to(np.asarray(out, np.float64), (self.n,)).copy()
        if isinstance(node, exp.Length):
            return self._string_map(node.this, lambda s: float(len(s)))
        if isinstance(node, exp.Left | exp.Right):
            count = self.value(node.expression)
            if not isinstance(count, _Const) or count.value is None:
                raise Unsupported("left() or right() with a varying length")
            k = int(count.value)
            cut = _left if isinstance(node, exp.Left) else _right
            v = self.value(node.this)
            if isinstance(v, _Const):
                return _Const(None if v.value is None else cut(str(v.value), k))
            if isinstance(v, _Strs):
                # The cuts as codes of a dictionary of their own: comparing them with the
                # enquiry's and testing them for null compare integers, not Python strings
                # (a few thousand candidates, several such tests per level).
                return v.cut(cut, k)
            return np.array([None if s is None else cut(s, k) for s in v], dtype=object)
        if isinstance(node, exp.JarowinklerSimilarity):
            return self._pairwise("jaro_winkler_similarity", node.this, node.expression)
        if isinstance(node, exp.Levenshtein) and not node.args.get("ins_cost"):
            return self._pairwise("levenshtein", node.this, node.expression)
        if isinstance(node, exp.Anonymous) and node.name.lower() in _STRING_FUNCTIONS:
            args = node.expressions
            if len(args) != 2:
                raise Unsupported(node.name)
            return self._pairwise(node.name.lower(), args[0], args[1])
        if isinstance(node, exp.ArrayOverlaps) or (
            isinstance(node, exp.Anonymous) and node.name.lower() == "list_has_any"
        ):
            args = (
                [node.this, node.expression]
                if isinstance(node, exp.ArrayOverlaps)
                else list(node.expressions)
            )
            return self._has_any(args[0], args[1])
        if isinstance(node, exp.Condition) and self._is_boolean(node):
            return self.boolean(node)
        raise Unsupported(type(node).__name__)

    def number(self, node: exp.Expression) -> Any:
        v = self.value(node)
        if isinstance(v, _Const):
            return v
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            return v
        raise Unsupported("arithmetic on a non-number")

    def _string_map(self, node: exp.Expression, fn: Callable[[str], float]) -> Any:
        v = self.value(node)
        if isinstance(v, _Const):
            return _Const(None if v.value is None else fn(str(v.value)))
        if isinstance(v, _Strs):
            return v.map(fn)
        return np.array([np.nan if s is None else fn(s) for s in v], dtype=np.float64)

    def _pairwise(self, name: str, a_node: exp.Expression, b_node: exp.Expression) -> Any:
        fn = _STRING_FUNCTIONS[name]
        a, b = self.value(a_node), self.value(b_node)
        if isinstance(a, _Const) and isinstance(b, _Const):
            if a.value is None or b.value is None:
                return _Const(None)
            return _Const(fn(str(a.value), str(b.value)))
        if isinstance(a, _Const):
            const, vec, swap = a.value, b, False
        elif isinstance(b, _Const):
            const, vec, swap = b.value, a, True
        else:
            return self._pairwise_both(fn, a, b)
        out = np.full(self.n, np.nan)
        if const is None:
            return out
        q = str(const)
        if isinstance(vec, _Strs):
            return vec.against(name, q)  # all three functions are symmetric
        # Few distinct values among the candidates (they share a name key): each once.
        seen: dict[str, float] = {}
        for i, s in enumerate(vec):
            if s is None:
                continue
            r = seen.get(s)
            if r is None:
                r = fn(s, q) if swap else fn(q, s)
                seen[s] = r
            out[i] = r
        return out

    def _pairwise_both(self, fn: Callable[[str, str], float], a: Any, b: Any) -> np.ndarray:
        """A string function of two arrays, pair by pair (the rival step: a few pairs)."""
        av = a.objects() if isinstance(a, _Strs) else a
        bv = b.objects() if isinstance(b, _Strs) else b
        out = np.full(self.n, np.nan)
        seen: dict[tuple[str, str], float] = {}
        for i, (x, y) in enumerate(zip(av.tolist(), bv.tolist(), strict=True)):
            if x is None or y is None:
                continue
            r = seen.get((x, y))
            if r is None:
                r = seen[(x, y)] = fn(x, y)
            out[i] = r
        return out

    def _has_any(self, a_node: exp.Expression, b_node: exp.Expression) -> _Bool:
        a, b = self.value(a_node), self.value(b_node)
        if isinstance(a, _Lists) and isinstance(b, _Lists):
            # Two arrays of lists (the rival step): null when either list is empty.
            null = (np.bincount(a.owner, minlength=a.n) == 0) | (
                np.bincount(b.owner, minlength=b.n) == 0
            )
            mine: list[set[int]] = [set() for _ in range(self.n)]
            for i, v in zip(a.owner.tolist(), a.values.tolist(), strict=True):
                mine[i].add(v)
            found = np.zeros(self.n, bool)
            for i, v in zip(b.owner.tolist(), b.values.tolist(), strict=True):
                if v in mine[i]:
                    found[i] = True
            return _Bool(found, null)
        if isinstance(a, _Const) and isinstance(b, _Lists):
            const, lists = a.value, b
        elif isinstance(b, _Const) and isinstance(a, _Lists):
            const, lists = b.value, a
        else:
            raise Unsupported("list_has_any of two constants or two candidate columns")
        null = np.bincount(lists.owner, minlength=lists.n) == 0
        if const is None:
            return _Bool(np.zeros(self.n, bool), np.ones(self.n, bool))
        # The enquiry's list holds a few values: one comparison each beats numpy 2.4's
        # np.isin (its hash or table path costs ~10x more for a few thousand values).
        hit = np.zeros(len(lists.values), bool)
        for value in np.asarray(const).tolist():
            hit |= lists.values == value
        found = np.bincount(lists.owner[hit], minlength=lists.n) > 0
        return _Bool(found, null)

    # booleans ---------------------------------------------------------------------------
    @staticmethod
    def _is_boolean(node: exp.Expression) -> bool:
        return isinstance(
            node,
            exp.And
            | exp.Or
            | exp.Not
            | exp.Is
            | exp.EQ
            | exp.NEQ
            | exp.GT
            | exp.GTE
            | exp.LT
            | exp.LTE
            | exp.Boolean,
        )

    def boolean(self, node: exp.Expression) -> _Bool:
        key = "bool:" + self.keys[id(node)]
        if key in self.cache:
            return self.cache[key]  # type: ignore[no-any-return]
        out = self._boolean(node)
        self.cache[key] = out
        return out

    def _const_bool(self, value: bool | None) -> _Bool:
        if value is None:
            return _Bool(np.zeros(self.n, bool), np.ones(self.n, bool))
        return _Bool(np.full(self.n, bool(value)), np.zeros(self.n, bool))

    def _boolean(self, node: exp.Expression) -> _Bool:
        if isinstance(node, exp.Paren):
            return self.boolean(node.this)
        if isinstance(node, exp.Boolean):
            return self._const_bool(bool(node.this))
        if isinstance(node, exp.And):
            a, b = self.boolean(node.this), self.boolean(node.expression)
            false = (~a.value & ~a.null) | (~b.value & ~b.null)
            value = a.value & b.value
            return _Bool(value, ~false & ~value)
        if isinstance(node, exp.Or):
            a, b = self.boolean(node.this), self.boolean(node.expression)
            value = a.value | b.value
            return _Bool(value, ~value & (a.null | b.null))
        if isinstance(node, exp.Not):
            a = self.boolean(node.this)
            return _Bool(~a.value & ~a.null, a.null)
        if isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                raise Unsupported("IS other than IS NULL")
            v = self.value(node.this)
            return _Bool(self._null_mask(v), np.zeros(self.n, bool))
        if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
            return self._compare(node)
        v = self.value(node)
        if isinstance(v, _Bool):
            return v
        raise Unsupported(type(node).__name__)

    def _null_mask(self, v: Any) -> np.ndarray:
        if isinstance(v, _Const):
            return np.full(self.n, v.value is None or v.value == [])
        if isinstance(v, _Bool):
            return v.null.copy()
        if isinstance(v, _Lists):
            return np.bincount(v.owner, minlength=v.n) == 0
        if isinstance(v, _Strs):
            return v.codes < 0
        if v.dtype.kind == "f":
            return np.isnan(v)
        return np.array([s is None for s in v], dtype=bool)

    def _compare(self, node: exp.Expression) -> _Bool:
        a, b = self.value(node.this), self.value(node.expression)
        if isinstance(a, _Bool) and isinstance(b, _Bool) and isinstance(node, exp.EQ | exp.NEQ):
            # Two conditions compared: `x <> y` is their exclusive or (a unit's level since
            # kintrace-fs-8: a field-post number on one side only); unknown if either is.
            null = a.null | b.null
            same = a.value == b.value
            return _Bool((same if isinstance(node, exp.EQ) else ~same) & ~null, null)
        if isinstance(a, _Lists | _Bool) or isinstance(b, _Lists | _Bool):
            raise Unsupported("comparison of lists or booleans")
        ops: dict[type, Callable[[Any, Any], Any]] = {
            exp.EQ: lambda x, y: x == y,
            exp.NEQ: lambda x, y: x != y,
            exp.GT: lambda x, y: x > y,
            exp.GTE: lambda x, y: x >= y,
            exp.LT: lambda x, y: x < y,
            exp.LTE: lambda x, y: x <= y,
        }
        op = ops[type(node)]
        if isinstance(a, _Const) and isinstance(b, _Const):
            if a.value is None or b.value is None:
                return self._const_bool(None)
            return self._const_bool(bool(op(a.value, b.value)))
        null = np.zeros(self.n, bool)
        for side in (a, b):
            null |= self._null_mask(side)
        if (isinstance(a, _Const) and a.value is None) or (
            isinstance(b, _Const) and b.value is None
        ):
            return self._const_bool(None)
        if isinstance(node, exp.EQ | exp.NEQ):
            strs, other = (a, b) if isinstance(a, _Strs) else (b, a)
            if isinstance(strs, _Strs) and isinstance(other, _Const):
                code = strs.dictionary.code_of.get(str(other.value), -2)
                same = strs.codes == code
                return _Bool(same if isinstance(node, exp.EQ) else ~same, null)
        av: Any = a.value if isinstance(a, _Const) else a
        bv: Any = b.value if isinstance(b, _Const) else b
        av = av.objects() if isinstance(av, _Strs) else av
        bv = bv.objects() if isinstance(bv, _Strs) else bv
        is_text = any(
            (isinstance(x, np.ndarray) and x.dtype == object) or isinstance(x, str)
            for x in (av, bv)
        )
        if is_text:
            if isinstance(av, np.ndarray) and isinstance(bv, np.ndarray):
                # Two arrays of strings (the rival step): pair by pair.
                value = np.zeros(self.n, bool)
                known = ~null
                value[known] = [bool(op(x, y)) for x, y in zip(av[known], bv[known], strict=True)]
                return _Bool(value, null)
            vec, const, flip = (av, bv, False) if isinstance(av, np.ndarray) else (bv, av, True)
            value = np.zeros(self.n, bool)
            known = ~null
            if isinstance(node, exp.EQ | exp.NEQ):
                # numpy's element-wise compare, not a Python call per candidate (fs-5 tests a
                # surname's last letters against a dozen suffixes).
                same = np.asarray(vec[known] == const, dtype=bool)
                value[known] = same if isinstance(node, exp.EQ) else ~same
            else:
                value[known] = [bool(op(const, s) if flip else op(s, const)) for s in vec[known]]
            return _Bool(value, null)
        with np.errstate(invalid="ignore"):
            value = np.asarray(op(av, bv), dtype=bool)
        return _Bool(value, null)

    def case(self, node: exp.Case) -> np.ndarray:
        default = node.args.get("default")
        out = np.full(self.n, self._int(default) if default is not None else -1, dtype=np.int64)
        open_ = np.ones(self.n, bool)
        for branch in node.args["ifs"]:
            cond = self.boolean(branch.this)
            take = cond.value & open_
            out[take] = self._int(branch.args["true"])
            open_ &= ~take
            if not open_.any():
                break
        return out

    def _int(self, node: exp.Expression) -> int:
        v = self.value(node)
        if not isinstance(v, _Const) or v.value is None:
            raise Unsupported("a level value that is not a constant")
        return int(v.value)


def _parse_levels(model: ScoringModel) -> tuple[list[tuple[str, exp.Case]], dict[int, str]] | None:
    """(gamma column, CASE) for each comparison and the SQL text of every node in them, or
    None when some SQL cannot be read."""
    out = []
    keys: dict[int, str] = {}
    for sql in model.settings._columns_to_select_for_comparison_vector_values:
        if not sql.lstrip().upper().startswith("CASE"):
            continue
        try:
            node = sqlglot.parse_one(sql, read="duckdb")
        except sqlglot.errors.ParseError:
            return None
        if not isinstance(node, exp.Alias) or not isinstance(node.this, exp.Case):
            return None
        for sub in node.walk():
            keys[id(sub)] = sub.sql()
        out.append((node.alias, node.this))
    return out, keys


# ---------------------------------------------------------------------------------------
# On disk

#: Bumped when the files `CandidateIndex.save` writes change meaning.
_FORMAT = 1


def _mapped(path: Path) -> np.ndarray:
    """A saved array memory-mapped copy-on-write (an empty one is just read: numpy cannot
    map zero bytes). Returned as a plain ndarray over the map: an np.memmap pays its own
    __getitem__ and __array_finalize__ on every take of a query."""
    array = np.load(path, mmap_mode="c")
    return np.load(path) if array.size == 0 else np.asarray(array)


def _save_strings(path: Path, values: list[str]) -> None:
    table = pa.table({"value": pa.array(values, pa.string())})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _load_strings(dictionary: _Dictionary, path: Path) -> None:
    with pa.memory_map(str(path)) as source:
        values = pa.ipc.open_file(source).read_all().column("value").to_pylist()
    dictionary.values = values
    dictionary.code_of = {v: i for i, v in enumerate(values)}


# ---------------------------------------------------------------------------------------
# The index


class CandidateIndex:
    """An in-process index over reports; `query` returns one enquiry's scored candidates.

    Build it from exchange records, or from a feature table (`from_features`) when the
    features are already built; `add` files further reports without a rebuild.
    """

    def __init__(self, records: Sequence[dict[str, Any]], *, threads: int = 1) -> None:
        features = build_features(records)
        self._setup(features.table, threads=threads)
        self.warnings: list[FeatureWarning] = features.warnings

    @classmethod
    def from_features(cls, table: pa.Table, *, threads: int = 1) -> CandidateIndex:
        """An index over a feature table from `build_features` (rids are ignored)."""
        index = cls.__new__(cls)
        index._setup(table, threads=threads)
        index.warnings = []
        return index

    def _setup(self, table: pa.Table, *, threads: int) -> None:
        self._init_state(table.num_rows, threads=threads)
        schema = table.schema
        for c in self._columns:
            if c != "record_id":
                self._columns[c] = _column_for(schema.field(c).type)
        self._append(table, merge=True)

    def _init_state(self, rows: int, *, threads: int) -> None:
        self._lock = threading.RLock()
        self._base_model = ScoringModel(prior_for(max(rows, 1)))
        self._levels = _parse_levels(self._base_model)
        self._threads = threads
        self._con: duckdb.DuckDBPyConnection | None = None  # only for the SQL fallback
        self._view_ready = False
        names = list(dict.fromkeys(["record_id", *self._base_model.feature_columns(), "birth_y"]))
        self._columns: dict[str, _Column] = {c: _ArrowColumn() for c in names}
        self._tf_counts: dict[str, _Grow] = {c: _Grow(np.int64) for c in TF_COLUMNS}
        self.size = 0  # reports searchable (removed ones not counted)
        self._rows = 0  # rows stored, removed ones included
        self._removed = _Grow(bool)
        self._model_size = -1
        self._key_hashes = np.empty(0, np.uint64)
        self._key_starts = np.zeros(1, np.int64)
        self._rids = np.empty(0, np.int32)
        self._weak = np.empty(0, bool)
        self._pending: dict[int, list[tuple[int, bool]]] = {}
        self._pending_count = 0
        self.candidate_budget = REALTIME_CANDIDATES
        self.weak_pairs = True
        #: Share probabilities among competing candidates (matching/competing.py), as batch.
        self.compete = True

    # building ---------------------------------------------------------------------------
    def add(self, records: Sequence[dict[str, Any]]) -> list[FeatureWarning]:
        """File more reports; they are searchable at once. Returns their value warnings."""
        features = build_features(records)
        self.add_features(features.table)
        return features.warnings

    def add_features(self, table: pa.Table) -> None:
        """File more reports given as a feature table (from `build_features`)."""
        with self._lock:
            self._append(table, merge=False)

    def _append(self, table: pa.Table, *, merge: bool) -> None:
        first = self._rows
        for name, column in self._columns.items():
            column.extend(table.column(name))
        for c in TF_COLUMNS:
            col = self._columns[c]
            assert isinstance(col, _StrColumn)
            counts = self._tf_counts[c]
            n_values = len(col.dictionary.values)
            if counts.n < n_values:
                counts.extend(np.zeros(n_values - counts.n, np.int64))
            codes = col.codes.since(first)
            np.add.at(counts.data, codes[codes >= 0], 1)
        self.size += table.num_rows
        self._rows += table.num_rows
        self._removed.extend(np.zeros(table.num_rows, bool))
        hashes, rows, weak = self._key_rows(table, first)
        if merge or self._pending_count + len(hashes) > _MERGE_PENDING:
            self._flush_pending(hashes, rows, weak)
        else:
            for h, r, w in zip(hashes.tolist(), rows.tolist(), weak.tolist(), strict=True):
                self._pending.setdefault(h, []).append((r, w))
            self._pending_count += len(hashes)

    def _flush_pending(
        self,
        hashes: np.ndarray | None = None,
        rows: np.ndarray | None = None,
        weak: np.ndarray | None = None,
    ) -> None:
        """Merge the side table of new keys (and these) into the sorted arrays."""
        hashes = np.empty(0, np.uint64) if hashes is None else hashes
        rows = np.empty(0, np.int32) if rows is None else rows
        weak = np.empty(0, bool) if weak is None else weak
        for h, entries in self._pending.items():
            hashes = np.concatenate([hashes, np.full(len(entries), h, np.uint64)])
            rows = np.concatenate([rows, np.array([r for r, _ in entries], np.int32)])
            weak = np.concatenate([weak, np.array([w for _, w in entries], bool)])
        self._pending, self._pending_count = {}, 0
        self._merge(hashes, rows, weak)

    # on disk ----------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the index to `folder` (replaced whole, never half-written) for `open`.

        Arrays are .npy files and record ids an Arrow IPC file, so `open` maps them
        instead of reading them: every process that opens the same folder shares one copy
        in the page cache. The folder holds names in clear (as the database does after
        unsealing): keep it in the data directory, mode 0700.
        """
        target = Path(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        with self._lock:
            if self._pending:
                self._flush_pending()
            columns: dict[str, Any] = {}
            fields = []
            for name, column in self._columns.items():
                if isinstance(column, _ArrowColumn):
                    ids = column.combined.combine_chunks() if column.combined.num_chunks else None
                    table = pa.table(
                        {"record_id": ids if ids is not None else pa.array([], pa.string())}
                    )
                    with pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink:
                        with pa.ipc.new_file(sink, table.schema) as writer:
                            writer.write_table(table)
                    columns[name] = {"kind": "arrow"}
                    continue
                if isinstance(column, _StrColumn):
                    np.save(tmp / f"{name}.codes.npy", column.codes.view)
                    _save_strings(tmp / f"{name}.dict.arrow", column.dictionary.values)
                    fields.append(pa.field(name, pa.string()))
                elif isinstance(column, _NumColumn):
                    np.save(tmp / f"{name}.values.npy", column.values.view)
                    fields.append(pa.field(name, column.type))
                else:
                    np.save(tmp / f"{name}.values.npy", column.values.view)
                    np.save(tmp / f"{name}.offsets.npy", column.offsets.view)
                    if column.dictionary is not None:
                        _save_strings(tmp / f"{name}.dict.arrow", column.dictionary.values)
                    fields.append(pa.field(name, pa.list_(column.value_type)))
                columns[name] = {"kind": column.kind}
            (tmp / "schema.arrow").write_bytes(pa.schema(fields).serialize().to_pybytes())
            for c in TF_COLUMNS:
                np.save(tmp / f"tf.{c}.npy", self._tf_counts[c].view)
            np.save(tmp / "removed.npy", self._removed.view)
            np.save(tmp / "key_hashes.npy", self._key_hashes)
            np.save(tmp / "key_starts.npy", self._key_starts)
            np.save(tmp / "rids.npy", self._rids)
            np.save(tmp / "weak.npy", self._weak)
            manifest = {
                "format": _FORMAT,
                "model_version": model_version(),
                "size": self.size,
                "rows": self._rows,
                "columns": columns,
            }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.chmod(tmp, 0o700)
        # Swap folders by rename: a process opening the old one keeps its mapped files.
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target

    @classmethod
    def open(cls, folder: str | os.PathLike[str], *, threads: int = 1) -> CandidateIndex:
        """An index saved by `save`, its arrays memory-mapped (copy-on-write): opening
        costs the dictionaries only, and reports added later go to private memory.

        Raises ValueError when the folder was written for another model version or format
        (rebuild it then: levels and keys may have changed).
        """
        folder = Path(folder)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != _FORMAT or manifest.get("model_version") != model_version():
            raise ValueError("The saved index was built for another model; rebuild it.")
        index = cls.__new__(cls)
        index._init_state(manifest["rows"], threads=threads)
        schema = pa.ipc.read_schema(pa.py_buffer((folder / "schema.arrow").read_bytes()))
        for name, spec in manifest["columns"].items():
            kind = spec["kind"]
            if kind == "arrow":
                source = pa.memory_map(str(folder / f"{name}.arrow"))
                ids = pa.ipc.open_file(source).read_all().column("record_id")
                index._columns[name] = _ArrowColumn(
                    ids.combine_chunks() if ids.num_chunks else None
                )
                continue
            field = schema.field(name)
            column = _column_for(field.type)
            if isinstance(column, _StrColumn):
                column.codes = _Grow(np.int32, base=_mapped(folder / f"{name}.codes.npy"))
                _load_strings(column.dictionary, folder / f"{name}.dict.arrow")
            elif isinstance(column, _NumColumn):
                column.values = _Grow(np.float64, base=_mapped(folder / f"{name}.values.npy"))
            elif isinstance(column, _ListColumn):
                column.values = _Grow(np.int64, base=_mapped(folder / f"{name}.values.npy"))
                column.offsets = _Grow(np.int64, base=_mapped(folder / f"{name}.offsets.npy"))
                if column.dictionary is not None:
                    _load_strings(column.dictionary, folder / f"{name}.dict.arrow")
            index._columns[name] = column
        for c in TF_COLUMNS:
            index._tf_counts[c] = _Grow(np.int64, np.load(folder / f"tf.{c}.npy"))
        index._removed = _Grow(bool, base=_mapped(folder / "removed.npy"))
        index._key_hashes = _mapped(folder / "key_hashes.npy")
        index._key_starts = _mapped(folder / "key_starts.npy")
        index._rids = _mapped(folder / "rids.npy")
        index._weak = _mapped(folder / "weak.npy")
        index.size = manifest["size"]
        index._rows = manifest["rows"]
        index.warnings = []
        return index

    def nbytes(self) -> int:
        """Bytes the index holds: arrays (mapped or private), record ids, and an estimate
        of the dictionaries' Python strings (~ 100 bytes each besides the text)."""
        total = sum(
            int(a.nbytes) for a in (self._key_hashes, self._key_starts, self._rids, self._weak)
        )
        total += self._removed.nbytes() + self._removed.base_nbytes()
        total += sum(g.nbytes() for g in self._tf_counts.values())
        for column in self._columns.values():
            if isinstance(column, _ArrowColumn):
                total += int(column.combined.nbytes)
                continue
            grows = [column.codes] if isinstance(column, _StrColumn) else [column.values]
            if isinstance(column, _ListColumn):
                grows.append(column.offsets)
            total += sum(g.nbytes() + g.base_nbytes() for g in grows)
            dictionary = getattr(column, "dictionary", None)
            if dictionary is not None:
                total += sum(len(v.encode()) + 100 for v in dictionary.values)
        return total

    def remove(self, record_ids: Sequence[str]) -> int:
        """Take reports out of the search (a withdrawn enquiry, an erased report); answers
        then equal those of an index built without them. Returns how many were removed."""
        with self._lock:
            ids = self._columns["record_id"]
            assert isinstance(ids, _ArrowColumn)
            wanted = pc.is_in(ids.combined, value_set=pa.array(list(record_ids), pa.string()))
            rows = np.nonzero(wanted.to_numpy(zero_copy_only=False))[0]
            rows = rows[~self._removed.take(rows)]
            self._removed.put(rows, True)
            for c in TF_COLUMNS:
                col = self._columns[c]
                assert isinstance(col, _StrColumn)
                codes = col.codes.take(rows)
                np.subtract.at(self._tf_counts[c].data, codes[codes >= 0], 1)
            self.size -= len(rows)
            return len(rows)

    def _key_rows(self, table: pa.Table, first: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(hash of the key without its weak mark, row, weak) for every key of every row,
        real time's own keys (`extra_keys`) included."""
        bkeys = table.column("bkeys")
        bkeys = bkeys.combine_chunks() if isinstance(bkeys, pa.ChunkedArray) else bkeys
        lengths = pc.list_value_length(bkeys).fill_null(0).to_numpy(zero_copy_only=False)
        rows = np.repeat(np.arange(first, first + len(bkeys), dtype=np.int32), lengths)
        flat = pc.list_flatten(bkeys)
        weak = pc.starts_with(flat, "~").to_numpy(zero_copy_only=False)
        hashes = key_hashes(pc.utf8_ltrim(flat, characters="~"))
        more, more_rows = extra_keys(
            table.column("family"), table.column("given"), table.column("birth_y")
        )
        return (
            np.concatenate([hashes, more]),
            np.concatenate([rows, (more_rows + first).astype(np.int32)]),
            np.concatenate([weak, np.zeros(len(more), bool)]),
        )

    def _merge(self, hashes: np.ndarray, rows: np.ndarray, weak: np.ndarray) -> None:
        if len(self._rids):
            counts = np.diff(self._key_starts)
            owner = np.repeat(np.arange(len(self._key_hashes)), counts)
            hashes = np.concatenate([self._key_hashes[owner], hashes])
            rows = np.concatenate([self._rids, rows])
            weak = np.concatenate([self._weak, weak])
        order = np.argsort(hashes)
        hashes, self._rids, self._weak = hashes[order], rows[order], weak[order]
        del order
        # One entry per distinct hash; its rows are _rids[starts[i]:starts[i + 1]].
        starts = np.flatnonzero(hashes[1:] != hashes[:-1]) + 1
        starts = np.concatenate([[0], starts, [len(hashes)]]).astype(np.int64)
        self._key_hashes = hashes[starts[:-1]] if len(hashes) else hashes
        self._key_starts = starts if len(hashes) else np.zeros(1, np.int64)

    # querying ---------------------------------------------------------------------------
    @property
    def model(self) -> ScoringModel:
        """The shipped model at the prior for the current number of reports (as batch)."""
        if self._model_size != self.size:
            model = copy.copy(self._base_model)
            model.prior = prior_for(max(self.size, 1))
            self._model, self._model_size = model, self.size
        return self._model

    def candidates(
        self,
        keys: Sequence[str],
        birth_year: int | None = None,
        extra: np.ndarray | None = None,
    ) -> np.ndarray:
        """Rows of the index filed under any of `keys`.

        Every pair `link_records` would make is among them: batch takes a key's block when
        it holds at most MAX_BLOCK_SIZE reports, or else its reports of the enquiry's birth
        year if they are that few. Real time goes further, as one enquiry can afford to:
        the blocks batch skips are taken too, smallest first, whole (or narrowed by the
        birth year when whole does not fit) while they fit in `candidate_budget` more
        reports; and with `weak_pairs` a weak key ("~": family name + initial) also reaches
        reports filed under it weakly (both sides give a full, differently spelt given name).
        `extra` are hashes of real time's own keys (`extra_keys`), taken within the budget.
        """
        return self._candidate_rows(keys, birth_year, extra)[0]

    def _candidate_rows(
        self,
        keys: Sequence[str],
        birth_year: int | None = None,
        extra: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(`candidates`, whether batch would pair each with the enquiry): competing
        candidates count only batch's, so a shared probability does not depend on how far
        real time searched."""
        if not keys or self.size == 0:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=bool)
        hashes = hash_array(np.array([k.lstrip("~") for k in keys], dtype=object), categorize=False)
        if extra is not None and self.candidate_budget > 0:
            hashes = np.concatenate([hashes, extra])
            keys = [*keys, *([""] * len(extra))]
        years = self._columns["birth_y"]
        assert isinstance(years, _NumColumn)
        parts: list[np.ndarray] = []
        batch: list[np.ndarray] = []
        skipped: list[tuple[int, np.ndarray, np.ndarray | None]] = []
        for h, key in zip(hashes.tolist(), keys, strict=True):
            rows, weak = self._posting(h)
            if key.startswith("~") and not self.weak_pairs:
                keep = ~weak  # the block's size still counts its weak entries, as in batch
            else:
                keep = np.ones(len(rows), bool)
            # batch pairs a weak key only with reports filed under it strongly
            strong = ~weak if key.startswith("~") else np.ones(len(rows), bool)
            if len(rows) <= MAX_BLOCK_SIZE and key:
                parts.append(rows[keep])
                batch.append(rows[strong])
                continue
            narrowed = None
            if birth_year is not None:
                same = years.values.take(rows) == birth_year
                if same.sum() <= MAX_BLOCK_SIZE and key:
                    parts.append(rows[same & keep])
                    batch.append(rows[same & strong])
                else:
                    narrowed = rows[same & keep]
                if key and len(rows) <= MAX_PROBE_BLOCK_SIZE:
                    # batch: a dated enquiry files a big block's key weakly too, so it meets
                    # the block's year-less reports filed under it strongly (batch.key_tables)
                    probed = rows[np.isnan(years.values.take(rows).astype(np.float64)) & ~weak]
                    parts.append(probed)
                    batch.append(probed)
            elif key and len(rows) <= MAX_PROBE_BLOCK_SIZE:
                # a year-less enquiry probes the block in batch (batch.key_tables)
                yearless = np.isnan(years.values.take(rows).astype(np.float64))
                batch.append(rows[strong & yearless] if key.startswith("~") else rows)
            skipped.append((len(rows), rows[keep], narrowed))
        budget = self.candidate_budget
        for _, rows, narrowed in sorted(skipped, key=lambda s: s[0]):
            if len(rows) <= budget:
                parts.append(rows)
                budget -= len(rows)
            elif narrowed is not None and len(narrowed) <= budget:
                parts.append(narrowed)
                budget -= len(narrowed)
        if not parts:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=bool)
        found = arrays.distinct(np.concatenate(parts))
        if not batch:
            return found, np.zeros(len(found), bool)
        return found, arrays.member(found, arrays.distinct(np.concatenate(batch)))

    def candidates_for(self, record: dict[str, Any]) -> np.ndarray:
        """Rows of the index that `query(record)` scores (before any threshold)."""
        return self._candidates_of(build_features([record], rid_offset=_QUERY_RID).table)

    def _candidates_of(self, q: pa.Table) -> np.ndarray:
        return self._candidates_split(q)[0]

    def _candidates_split(self, q: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        extra = extra_keys(q.column("family"), q.column("given"), q.column("birth_y"))[0]
        return self._candidate_rows(
            q.column("bkeys")[0].as_py() or [], q.column("birth_y")[0].as_py(), extra
        )

    def _posting(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        keys = self._key_hashes
        p = int(np.searchsorted(keys, np.uint64(h)))
        if p < len(keys) and keys[p] == h:
            lo, hi = self._key_starts[p], self._key_starts[p + 1]
            rows, weak = self._rids[lo:hi], self._weak[lo:hi]
        else:
            rows, weak = np.empty(0, np.int32), np.empty(0, bool)
        extra = self._pending.get(h)
        if extra:
            rows = np.concatenate([rows, np.array([r for r, _ in extra], np.int32)])
            weak = np.concatenate([weak, np.array([w for _, w in extra], bool)])
        if self.size != self._rows:
            live = ~self._removed.take(rows)
            rows, weak = rows[live], weak[live]
        return rows, weak

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
        q = build_features([record], rid_offset=_QUERY_RID).table
        with self._lock:
            rows, batch = self._candidates_split(q)
            rivals = batch if self.compete else None
            return self._scored(q, rows, min_probability, limit, explain=explain, rivals=rivals)

    def query_many(
        self,
        records: Sequence[dict[str, Any]],
        min_probability: float = 0.01,
        limit: int = 50,
        *,
        explain: bool = False,
    ) -> list[list[ScoredPair]]:
        """`query` for each record, in order; the records' names are read in one pass."""
        q = build_features(records, rid_offset=_QUERY_RID).table
        out = []
        with self._lock:
            for i in range(q.num_rows):
                one = q.slice(i, 1)
                rows, batch = self._candidates_split(one)
                rivals = batch if self.compete else None
                out.append(
                    self._scored(one, rows, min_probability, limit, explain=explain, rivals=rivals)
                )
        return out

    def score(
        self, record: dict[str, Any], report_ids: Sequence[str], *, explain: bool = False
    ) -> list[ScoredPair]:
        """One enquiry scored against the named reports, whether or not they are candidates
        (most probable first; an unknown id is left out): the model's own probability of
        each pair, not shared with competing candidates (`query` shares it)."""
        q = build_features([record], rid_offset=_QUERY_RID).table
        with self._lock:
            ids = self._columns["record_id"]
            assert isinstance(ids, _ArrowColumn)
            wanted = pc.is_in(ids.combined, value_set=pa.array(list(report_ids), pa.string()))
            rows = np.nonzero(wanted.to_numpy(zero_copy_only=False))[0].astype(np.int32)
            rows = rows[~self._removed.take(rows)]
            return self._scored(q, rows, 0.0, len(rows), explain=explain)

    def _scored(
        self,
        q: pa.Table,
        rows: np.ndarray,
        min_probability: float,
        limit: int,
        *,
        explain: bool,
        rivals: np.ndarray | None = None,
    ) -> list[ScoredPair]:
        """`rivals` marks the candidates that compete for the enquiry (batch's candidates,
        matching/competing.py); None leaves the model's probabilities as they are."""
        if len(rows) == 0:
            return []
        model = self.model
        columns = self._score_columns(model, q, rows)
        weights = model.weigh(columns)
        p = weights["match_probability"]
        shared = self._share(model, rows, p, weights["match_weight"], rivals)
        keep = np.nonzero(shared.column("shared_probability").to_numpy() >= min_probability)[0]
        if len(keep) == 0:
            return []
        # most probable first, then by position in the index (as batch sorts)
        shared_p = shared.column("shared_probability").to_numpy()
        order = np.lexsort((rows[keep], -shared_p[keep]))[:limit]
        chosen = keep[order]
        out: dict[str, Any] = {
            "rid_l": np.full(len(chosen), _QUERY_RID, np.int64),
            "rid_r": np.arange(len(chosen), dtype=np.int64),
            "match_weight": weights["match_weight"][chosen],
            "match_probability": weights["match_probability"][chosen],
        }
        for name in model.output_columns():
            source = columns.get(name) if name.startswith("gamma_") else weights.get(name)
            if source is not None:
                out[name] = np.asarray(source)[chosen]
        right = self._arrow_rows(rows[chosen], explain=explain)
        pairs = scored_pairs(model, pa.table(out), q, right, _QUERY_RID, 0, explain=explain)
        return competing.finish(pairs, shared.take(pa.array(chosen)))

    def _share(
        self,
        model: ScoringModel,
        rows: np.ndarray,
        p: np.ndarray,
        weight: np.ndarray,
        rivals: np.ndarray | None,
    ) -> pa.Table:
        """The candidates' probabilities shared among competing candidates, as batch shares
        them (`competing.share_one`, batch's `share` for one anchor): each rival (a candidate
        batch would pair, at p >= STRONG) is scored against the other candidates at the floor
        with the same evaluator and model as the enquiry (the levels are symmetric, so a
        rival may stand on the left). Candidates outside batch's set keep their own p."""
        shared, weights = p.astype(np.float64), weight.astype(np.float64)
        count = np.zeros(len(rows), np.int64)
        if rivals is not None:
            cand = np.nonzero(rivals & (p >= competing.FLOOR))[0]
            strong = cand[p[cand] >= competing.STRONG]
            if len(strong) and len(cand) > 1:
                apart = self._apart(model, rows, cand, strong)
                new, n = competing.share_one(p[cand], p[strong], apart)
                changed = n > 0
                shared[cand] = new
                count[cand] = n
                weights[cand] = np.where(changed, competing.weight_of(new), weights[cand])
        return pa.table({"shared_probability": shared, "shared_weight": weights, "rivals": count})

    #: False once the evaluator could not read a level for two indexed records at once.
    _pairs_numpy = True

    def _apart(
        self, model: ScoringModel, rows: np.ndarray, cand: np.ndarray, strong: np.ndarray
    ) -> np.ndarray:
        """Whether each candidate in `cand` is told apart from each strong rival (cand x
        strong). All the pairs (rival, other candidate) are evaluated together, in one
        evaluator call: its fixed cost per level node, not the few pairs, was the rival
        step's time. A model the evaluator cannot read is scored rival by rival in SQL."""
        apart = np.zeros((len(cand), len(strong)), bool)
        others = [cand[cand != first] for first in strong.tolist()]
        if self._levels is not None and self._pairs_numpy:
            firsts = np.repeat(rows[strong], [len(o) for o in others])
            seconds = rows[np.concatenate(others)]
            try:
                apart_all = competing.told_apart(
                    self._weighed(model.weigh(self._pair_columns(model, firsts, seconds)))
                )
            except Unsupported:
                self._pairs_numpy = False  # rival by rival from now on
            else:
                start = 0
                for k, o in enumerate(others):
                    apart[np.searchsorted(cand, o), k] = apart_all[start : start + len(o)]
                    start += len(o)
                return apart
        for k, first in enumerate(strong.tolist()):
            qb = self._arrow_rows(rows[[first]], explain=True)
            got = model.weigh(self._score_columns(model, qb, rows[others[k]]))
            apart[np.searchsorted(cand, others[k]), k] = competing.told_apart(self._weighed(got))
        return apart

    @staticmethod
    def _weighed(got: dict[str, Any]) -> pa.Table:
        return pa.table(
            {
                "match_probability": got["match_probability"],
                "match_weight": got["match_weight"],
                **{n: v for n, v in got.items() if n.startswith("mw_")},
            }
        )

    def _pair_columns(
        self, model: ScoringModel, rows_a: np.ndarray, rows_b: np.ndarray
    ) -> dict[str, Any]:
        """`_score_columns` for pairs of indexed records (rows_a[i], rows_b[i]): the levels
        are symmetric, so a record stands on the left as an enquiry would."""
        cols: dict[str, Any] = {"rid_l": np.full(len(rows_a), _QUERY_RID, np.int64)}
        for c in TF_COLUMNS:
            column = self._columns[c]
            assert isinstance(column, _StrColumn)
            counts = self._tf_counts[c].view
            for side, rs in (("l", rows_a), ("r", rows_b)):
                codes = column.codes.take(rs)
                tf = model.term_frequency(c, counts[np.maximum(codes, 0)].astype(float), self.size)
                cols[f"tf_{c}_{side}"] = np.where(codes >= 0, tf, np.nan)
        assert self._levels is not None
        levels, keys = self._levels
        evaluator = _Evaluator(self._gatherer(rows_a), self._gatherer(rows_b), len(rows_a), keys)
        cols.update({gamma: evaluator.case(case) for gamma, case in levels})
        return cols

    def _gatherer(self, rows: np.ndarray) -> Callable[[str], Any]:
        """A column's values at `rows` as the evaluator reads them, each gathered once."""
        gathered: dict[str, Any] = {}

        def get(name: str) -> Any:
            if name not in gathered:
                column = self._columns.get(name)
                if column is None:
                    raise Unsupported(name)
                if isinstance(column, _ListColumn):
                    gathered[name] = _Lists(*column.gather(rows))
                elif isinstance(column, _StrColumn):
                    gathered[name] = _Strs(column.codes.take(rows), column.dictionary)
                else:
                    gathered[name] = column.gather(rows)
            return gathered[name]

        return get

    def _arrow_rows(self, rows: np.ndarray, *, explain: bool) -> pa.Table:
        names = list(self._columns) if explain else ["record_id"]
        return pa.table({c: self._columns[c].arrow(rows) for c in names})

    def _score_columns(self, model: ScoringModel, q: pa.Table, rows: np.ndarray) -> dict[str, Any]:
        """rid_l, gamma_* and tf_*_l/_r for the candidate rows."""
        n = len(rows)
        cols: dict[str, Any] = {"rid_l": np.full(n, _QUERY_RID, np.int64)}
        for c in TF_COLUMNS:
            v = q.column(c)[0].as_py()
            column = self._columns[c]
            assert isinstance(column, _StrColumn)
            counts = self._tf_counts[c].view
            code = column.dictionary.code_of.get(v, -1) if v is not None else -1
            # As batch's LEFT JOIN: a value no report has gets no frequency (null).
            tf_l = model.term_frequency(c, counts[code], self.size) if code >= 0 else np.nan
            cols[f"tf_{c}_l"] = np.full(n, float(tf_l))
            codes = column.codes.take(rows)
            tf = model.term_frequency(c, counts[np.maximum(codes, 0)].astype(float), self.size)
            cols[f"tf_{c}_r"] = np.where(codes >= 0, tf, np.nan)
        if self._levels is not None:
            try:
                cols.update(self._gammas_numpy(q, rows))
                return cols
            except Unsupported:
                self._levels = None  # this model needs SQL; do not try numpy again
        cols.update(self._gammas_sql(model, q, rows))
        return cols

    def _gammas_numpy(self, q: pa.Table, rows: np.ndarray) -> dict[str, np.ndarray]:
        left = {c: q.column(c)[0].as_py() for c in self._columns}
        # The enquiry's lists are compared as the index stores them (codes for strings).
        for name, column in self._columns.items():
            if isinstance(column, _ListColumn):
                left[name] = column.constant(left[name])
        assert self._levels is not None
        levels, keys = self._levels
        evaluator = _Evaluator(left, self._gatherer(rows), len(rows), keys)
        return {gamma: evaluator.case(case) for gamma, case in levels}

    def _gammas_sql(self, model: ScoringModel, q: pa.Table, rows: np.ndarray) -> dict[str, Any]:
        """The levels by DuckDB, with batch's SQL (for levels the evaluator cannot read)."""
        n = len(rows)
        cols: dict[str, Any] = {
            "rid_l": pa.array(np.full(n, _QUERY_RID, np.int64)),
            "rid_r": pa.array(rows.astype(np.int64)),
        }
        for c in model.feature_columns():
            value = q.column(c)[0]
            cols[f"{c}_l"] = pa.repeat(value, n) if value.is_valid else pa.nulls(n, value.type)
            cols[f"{c}_r"] = self._columns[c].arrow(rows).cast(value.type)
        for c in TF_COLUMNS:
            cols[f"tf_{c}_l"] = pa.nulls(n, pa.float64())
            cols[f"tf_{c}_r"] = pa.nulls(n, pa.float64())
        cols["match_key"] = pa.array(np.zeros(n, dtype=np.int64))
        if self._con is None:
            self._con = connect(threads=self._threads)
        self._con.register("wide", pa.table(cols))
        if not self._view_ready:
            self._con.execute(f"CREATE VIEW gammas AS {model.gamma_sql('wide')}")
            self._view_ready = True
        got = self._con.execute("SELECT * FROM gammas").fetchnumpy()
        self._con.unregister("wide")
        # DuckDB may return rows in any order: put them back in candidate order.
        order = np.searchsorted(rows, np.asarray(got["rid_r"]))
        out = {}
        for k, v in got.items():
            if k.startswith("gamma_"):
                arr = np.empty(n, np.int64)
                arr[order] = np.asarray(v)
                out[k] = arr
        return out
