"""Competing candidates: one record can be at most one of two people the model tells apart.

The model scores each pair on its own. When a name-only record A resembles two reports B and C
that the model itself calls different people (their own pair is below the output floor,
p < 0.01), both pairs can reach 0.68 — yet A is at most one of them. After scoring, each pair
shares A's odds with its rivals:

    p'(A, B) = o_AB / (1 + o_AB + λ · Σ_C o_AC),   o = p / (1 - p)

over the rivals C: A's candidates the model calls a match (p_AC ≥ STRONG = 0.5) whose own pair
with B is below 0.01 though their names alone would keep it above (`told_apart`). With λ = 1 the shared probabilities of people told apart add up to less
than one, so at most one of them stays at 0.5 or more. With no rival p' = p; rivals only ever
lower a pair, so a pair not written stays below the floor. In a dedupe both ends are anchors and
the lower p' is kept; in a link the anchor is the left record (an enquiry) and B, C are right
records (reports), their own pair scored by the same scorer. Copies of one person keep their
scores (they are not each other's rivals). λ and STRONG were chosen on the dev seed 202
(docs/matching.md): weak candidates lending their odds too cost calibration, not F1.

Pure numpy/pandas: the batch linker, the Spark path and the real-time index each score the
rival pairs their own way and call the same `share`, so the three give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kintrace.matching.engine import ScoredPair
from kintrace.matching.explain import shared_text

#: The output floor of `kintrace link`: a pair below it is "different people" to the model.
FLOOR = 0.01

#: A candidate is a rival of its anchor's other candidates when the model calls it a match
#: (p ≥ 0.5): the anchor can be at most one of two such people, so no two of them stay at
#: 0.5 or more. Weaker candidates lend nothing (dev seed 202: the same F1, better ECE).
STRONG = 0.5

#: Threshold at which the callers score rival pairs: every pair, as `told_apart` reads them.
RIVAL_SCORING_THRESHOLD = 0.0

#: The name comparisons' bits of a pair (with their term-frequency adjustments).
NAME_BITS = ("mw_family_name", "mw_tf_adj_family_name", "mw_given_name", "mw_tf_adj_given_name")

#: Weight of the rivals' odds: 1 is "exactly one of them at most" (dev seed 202; docs/matching.md).
LAMBDA = 1.0


def _odds(p: Any) -> Any:
    return p / np.maximum(1.0 - p, 1e-12)


def weight_of(p: np.ndarray) -> np.ndarray:
    """The match weight (log2 odds) of shared probabilities, as batch and real time report it."""
    with np.errstate(divide="ignore"):
        return np.log2(p) - np.log2(np.maximum(1.0 - p, 1e-300))


def _edges(rid_l: np.ndarray, rid_r: np.ndarray, p: np.ndarray, dedupe: bool) -> pd.DataFrame:
    """Directed edges anchor -> partner (both directions in a dedupe) with the pair's row."""
    row = np.arange(len(p))
    frame = pd.DataFrame({"a": rid_l, "b": rid_r, "o": _odds(p), "row": row, "fwd": True})
    if dedupe:
        back = pd.DataFrame({"a": rid_r, "b": rid_l, "o": _odds(p), "row": row, "fwd": False})
        frame = pd.concat([frame, back], ignore_index=True)
    return frame


def rival_pairs(
    rid_l: np.ndarray, rid_r: np.ndarray, p: np.ndarray, *, dedupe: bool, strong: float = STRONG
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (b, c), b < c, of records that share an anchor, one of them a rival there
    (p ≥ `strong`), the other a candidate (p ≥ FLOOR), and whose own pair is not among the
    given pairs at the floor (in a dedupe, such a pair is known to be one person): the
    scorer must say whether they are told apart."""
    keep = p >= FLOOR
    edges = _edges(rid_l[keep], rid_r[keep], p[keep], dedupe)
    rivals = edges[edges["o"] >= _odds(np.float64(strong))][["a", "b"]]
    if rivals.empty:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    both = rivals.merge(edges[["a", "b"]], on="a", suffixes=("", "_c"))
    both = both[both["b"] != both["b_c"]]
    pairs = pd.DataFrame(
        {
            "b": np.minimum(both["b"].to_numpy(), both["b_c"].to_numpy()),
            "b_c": np.maximum(both["b"].to_numpy(), both["b_c"].to_numpy()),
        }
    ).drop_duplicates()
    if dedupe:
        # A given pair at the floor is one person; one below it is scored again, so that
        # `told_apart` reads it as it reads any rival pair (threshold 0 = threshold 0.01).
        known = pd.DataFrame(
            {
                "b": np.minimum(rid_l[keep], rid_r[keep]),
                "b_c": np.maximum(rid_l[keep], rid_r[keep]),
                "k": True,
            }
        )
        pairs = pairs.merge(known, on=["b", "b_c"], how="left")
        pairs = pairs[pairs["k"].isna()]
    return pairs["b"].to_numpy(np.int64), pairs["b_c"].to_numpy(np.int64)


def share(
    rid_l: np.ndarray,
    rid_r: np.ndarray,
    p: np.ndarray,
    same_b: np.ndarray,
    same_c: np.ndarray,
    *,
    dedupe: bool,
    lam: float = LAMBDA,
    strong: float = STRONG,
) -> tuple[np.ndarray, np.ndarray]:
    """(p', rivals) for each pair: the shared probability and how many rivals lowered it.

    `same_b`, `same_c` are the rival pairs the model does not tell apart (`told_apart`;
    not rivals); in a dedupe the given pairs at p ≥ FLOOR count as such too. Pairs below FLOOR
    are left as they are (below the contract's floor, and never anyone's rival).
    """
    p = np.asarray(p, np.float64)
    n = len(p)
    out, rivals = p.copy(), np.zeros(n, np.int64)
    keep = p >= FLOOR
    if n == 0 or lam == 0 or keep.sum() < 2:
        return out, rivals
    edges = _edges(rid_l, rid_r, p, dedupe)
    edges = edges[edges["o"] >= _odds(np.float64(FLOOR))]
    # What each candidate lends its anchor's other pairs as a rival (none below `strong`).
    edges["r"] = np.where(edges["o"] >= _odds(np.float64(strong)), edges["o"], 0.0)
    edges["n"] = (edges["r"] > 0).astype(np.int64)
    per_anchor = edges.groupby("a").agg(total=("r", "sum"), count=("n", "sum"))
    edges = edges.join(per_anchor, on="a")
    # Partners of one anchor that are one person: subtract each one's odds from the other.
    same = pd.DataFrame({"b": np.asarray(same_b, np.int64), "c": np.asarray(same_c, np.int64)})
    if dedupe:
        given = pd.DataFrame({"b": rid_l[keep], "c": rid_r[keep]})
        same = pd.concat([same, given], ignore_index=True)
    same = pd.concat([same, same.rename(columns={"b": "c", "c": "b"})], ignore_index=True)
    # Only a rival c (r > 0) lends anything, so pair each partner b with its anchor's rivals
    # first (few per anchor) and keep those one person with b: joining every partner's
    # same-person pairs first grew with the square of a common name's degree (9.8 GiB at 1M).
    rival_edges = edges.loc[edges["n"] > 0, ["a", "b", "r", "n"]].rename(columns={"b": "c"})
    friends = edges[["a", "b"]].merge(rival_edges, on="a")
    friends = friends[friends["b"] != friends["c"]].merge(same.drop_duplicates(), on=["b", "c"])
    friends = friends.drop_duplicates(["a", "b", "c"]).sort_values(["a", "b", "c"])
    minus = friends.groupby(["a", "b"]).agg(o_same=("r", "sum"), n_same=("n", "sum"))
    edges = edges.join(minus, on=["a", "b"])
    comp = edges["total"] - edges["r"] - edges["o_same"].fillna(0.0)
    count = edges["count"] - edges["n"] - edges["n_same"].fillna(0).astype(np.int64)
    comp = np.where(count > 0, np.maximum(comp.to_numpy(), 0.0), 0.0)
    o = edges["o"].to_numpy()
    shared = np.where(comp > 0, o / (1.0 + o + lam * comp), o / (1.0 + o))
    shared = np.where(comp > 0, shared, p[edges["row"].to_numpy()])
    result = pd.DataFrame({"row": edges["row"].to_numpy(), "p": shared, "n": count})
    # In a dedupe both ends are anchors: the lower p' stands (with its rivals).
    best = result.sort_values(["row", "p"]).drop_duplicates("row")
    rows = best["row"].to_numpy()
    out[rows] = best["p"].to_numpy()
    rivals[rows] = np.where(best["p"].to_numpy() < p[rows], best["n"].to_numpy(), 0)
    return out, rivals


def share_one(
    p: np.ndarray, p_rivals: np.ndarray, apart: np.ndarray, lam: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`share` for one anchor in numpy (real time: a handful of candidates, where pandas'
    overhead would be most of a query): `p` of its candidates at the floor, `p_rivals` of its
    rivals among them, `apart[i, k]` whether candidate i and rival k are told apart (False
    for a rival and itself). Returns (p', number of rivals that lowered it)."""
    lam = LAMBDA if lam is None else lam
    comp = apart.astype(np.float64) @ _odds(np.asarray(p_rivals, np.float64))
    n = apart.sum(axis=1)
    o = _odds(np.asarray(p, np.float64))
    out = np.where(comp > 0, o / (1.0 + o + lam * comp), p)
    lowered = out < p
    return out, np.where(lowered, n, 0)


def told_apart(scored: pa.Table) -> np.ndarray:
    """Whether the model tells each scored rival pair apart: below the floor, though their
    names alone (the prior and the name comparisons' bits) would keep them above it — so a
    date, place, patronymic or number says they are two people. A pair below the floor
    because its names do not agree well enough (a Hebrew and a Greek spelling of one name,
    each of which matches the Cyrillic) says nothing against being one person."""
    p = scored.column("match_probability").to_numpy(zero_copy_only=False)
    other = np.zeros(len(p))
    for name in scored.column_names:
        if name.startswith("mw_") and name not in NAME_BITS:
            column = scored.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
            other += np.nan_to_num(column)
    weight = scored.column("match_weight").to_numpy(zero_copy_only=False).astype(np.float64)
    names_alone = weight - other
    return (p < FLOOR) & (names_alone >= np.log2(FLOOR / (1 - FLOOR)))


def share_table(
    scored: pa.Table,
    *,
    dedupe: bool,
    score_rivals: Callable[[np.ndarray, np.ndarray], pa.Table],
    lam: float | None = None,
) -> pa.Table:
    """`scored` (rid_l, rid_r, match_probability, match_weight, …) with `shared_probability`,
    `shared_weight` and `rivals` added. `score_rivals(b, c)` scores rival pairs at
    RIVAL_SCORING_THRESHOLD (rid_l, rid_r, match_probability, match_weight, mw_*), as
    the caller's scorer scores any pair; those not `told_apart` count as one person."""
    # A fixed order: the rivals' odds are summed in it, so every path gives the same bits.
    scored = scored.sort_by([("rid_l", "ascending"), ("rid_r", "ascending")])
    rid_l = scored.column("rid_l").to_numpy().astype(np.int64)
    rid_r = scored.column("rid_r").to_numpy().astype(np.int64)
    p = scored.column("match_probability").to_numpy().astype(np.float64)
    lam = LAMBDA if lam is None else lam
    b, c = rival_pairs(rid_l, rid_r, p, dedupe=dedupe) if lam else (np.empty(0), np.empty(0))
    same_b = same_c = np.empty(0, np.int64)
    got = score_rivals(b, c) if len(b) else None
    if got is not None and got.num_rows:
        one = pa.array(~told_apart(got))
        same_b = got.column("rid_l").filter(one).to_numpy().astype(np.int64)
        same_c = got.column("rid_r").filter(one).to_numpy().astype(np.int64)
    shared, rivals = share(rid_l, rid_r, p, same_b, same_c, dedupe=dedupe, lam=lam)
    weight = weight_of(shared)
    w = scored.column("match_weight").to_numpy().astype(np.float64)
    weight = np.where(rivals > 0, weight, w)
    return (
        scored.append_column("shared_probability", pa.array(shared))
        .append_column("shared_weight", pa.array(weight))
        .append_column("rivals", pa.array(rivals))
    )


def order_and_filter(scored: pa.Table, threshold: float) -> pa.Table:
    """Pairs at shared p ≥ threshold, most probable first (then by rid, as batch sorts)."""
    keep = scored.column("shared_probability").to_numpy() >= threshold
    scored = scored.filter(pa.array(keep))
    return scored.sort_by(
        [("shared_probability", "descending"), ("rid_l", "ascending"), ("rid_r", "ascending")]
    )


def finish(pairs: Sequence[ScoredPair], scored: pa.Table) -> list[ScoredPair]:
    """ScoredPair objects made from `scored` (in its order, with the model's own probability)
    given their shared probability, and, when explained, a sentence saying it was shared."""
    shared = scored.column("shared_probability").to_pylist()
    weights = scored.column("shared_weight").to_pylist()
    rivals = scored.column("rivals").to_pylist()
    out = []
    for pair, p, w, n in zip(pairs, shared, weights, rivals, strict=True):
        if not n:
            out.append(pair)
            continue
        text = pair.explanation
        if text is not None and f"{p:.3f}" != f"{pair.match_probability:.3f}":
            text = f"{text} {shared_text(pair.match_probability, p, n)}"
        out.append(
            replace(pair, match_probability=float(p), match_weight=float(w), explanation=text)
        )
    return out
