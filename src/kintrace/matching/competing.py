"""Competing candidates: one record can be at most one of two people the model tells apart.

The model scores each pair on its own. When a name-only record A resembles two reports B and C
that the model itself calls different people (their own pair is below the output floor,
p < 0.01, or below 0.05 with a date or father's name against it), both pairs can reach 0.68 — yet A is at most one of them. After scoring, each
pair shares A's odds with its rivals:

    p'(A, B) = o_AB / (1 + o_AB + λ · Σ_C o_AC),   o = p / (1 - p)

over the rivals C: A's candidates the model calls a match (p_AC ≥ STRONG = 0.5) whose own pair
with B is below 0.01 (or 0.05, `APART`) though their names alone would keep it above
(`told_apart`). With λ = 1 the shared probabilities of people told apart add up to less than
one, so at most one of them stays at 0.5 or more. With no rival p' = p; rivals only ever lower a
pair, so a pair not written stays below the floor. In a dedupe both ends are anchors and
the lower p' is kept; in a link the anchor is the left record (an enquiry) and B, C are right
records (reports), their own pair scored by the same scorer. Copies of one person keep their
scores (they are not each other's rivals), and copies of one rival person lend their odds
once (the largest; session 12), not once per record. λ and STRONG were chosen on the dev seed 202
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

from kintrace.matching.arrays import distinct, member
from kintrace.matching.engine import ScoredPair
from kintrace.matching.explain import shared_text

#: The output floor of `kintrace link`: a pair below it is "different people" to the model.
FLOOR = 0.01

#: A candidate is a rival of its anchor's other candidates when the model calls it a match
#: (p ≥ 0.5): the anchor can be at most one of two such people, so no two of them stay at
#: 0.5 or more. Weaker candidates lend nothing (dev seed 202: the same F1, better ECE).
STRONG = 0.5

#: Between FLOOR and APART a pair is still told apart when the fields other than the names
#: that disagree weigh CONTRADICT bits or more against it (a different father's name, another
#: birth date; since session 12 a field that agrees does not offset them: a birth year that
#: agrees does not make two different fathers one): a margin over the floor for pairs the
#: model calls two people for a reason. At the floor alone a 0.1-bit refit moved two
#: namesakes with different fathers and birthdays from 0.009 to 0.011, so from "two people"
#: to "one person", and 17 false pairs came back (session 10).
#: APART is 0.5, where the model itself says "more likely two people" (session 12; it was
#: 0.05): two namesakes born 1991-03-12 and 1985-07-02 are a pair of 0.09 to the model (their
#: names +18 bits, the dates −11), and under 0.05 they were "maybe one man", so an enquiry
#: with the name alone kept 0.996 with each of them. Dev seed 202: F1 up in all four sets
#: (classic link 0.951 → 0.952, realistic link 0.969 → 0.971), false pairs 171 → 160 and
#: 119 → 106, ECE not worse.
#: Without a contradicting field a pair in the band stays one person: name spellings that
#: agree weakly and nothing else given (kb_dedupe: «Arina Sobolenko» ~ «Aryna Sabalenka», 0.013).
APART = 0.5
CONTRADICT = 5.0

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


def _edges(
    rid_l: np.ndarray, rid_r: np.ndarray, p: np.ndarray, dedupe: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Directed edges anchor -> partner (both directions in a dedupe) as arrays (a, b, o,
    row): the pair's odds and its row."""
    row = np.arange(len(p))
    o = _odds(p)
    if not dedupe:
        return rid_l, rid_r, o, row
    return (
        np.concatenate([rid_l, rid_r]),
        np.concatenate([rid_r, rid_l]),
        np.concatenate([o, o]),
        np.concatenate([row, row]),
    )


def _with_same_anchor(a: np.ndarray, c_anchor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with a[i] == c_anchor[j], i ascending and j ascending within it (the
    rows of an inner merge of the two on the anchor), as two index arrays."""
    order = np.argsort(c_anchor, kind="stable")
    sorted_anchor = c_anchor[order]
    lo = np.searchsorted(sorted_anchor, a, "left")
    count = np.searchsorted(sorted_anchor, a, "right") - lo
    i = np.repeat(np.arange(len(a)), count)
    start = np.cumsum(count) - count
    j = order[np.repeat(lo, count) + np.arange(int(count.sum())) - np.repeat(start, count)]
    return i, j


def rival_pairs(
    rid_l: np.ndarray, rid_r: np.ndarray, p: np.ndarray, *, dedupe: bool, strong: float = STRONG
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (b, c), b < c, of records that share an anchor, one of them a rival there
    (p ≥ `strong`), the other a candidate (p ≥ FLOOR), and whose own pair is not among the
    given pairs at the floor (in a dedupe, such a pair is known to be one person): the
    scorer must say whether they are told apart. Sorted by (b, c)."""
    keep = p >= FLOOR
    a, b, o, _ = _edges(rid_l[keep], rid_r[keep], p[keep], dedupe)
    rival = o >= _odds(np.float64(strong))
    if not rival.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Each rival (anchor, b) with every candidate (anchor, c) of its anchor.
    i, j = _with_same_anchor(a[rival], a)
    x, y = b[rival][i], b[j]
    x, y = np.minimum(x, y)[x != y], np.maximum(x, y)[x != y]
    width = np.int64(max(int(a.max(initial=0)), int(b.max(initial=0))) + 1)
    pairs = distinct(x.astype(np.int64) * width + y)
    if dedupe:
        # A given pair at the floor is one person; one below it is scored again, so that
        # `told_apart` reads it as it reads any rival pair (threshold 0 = threshold 0.01).
        lo, hi = rid_l[keep].astype(np.int64), rid_r[keep].astype(np.int64)
        known = np.minimum(lo, hi) * width + np.maximum(lo, hi)
        pairs = pairs[~member(pairs, distinct(known))]
    return pairs // width, pairs % width


def _group_sums(
    key: np.ndarray, values: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys ascending, sum of `values`, sum of `counts`) per key, summed in the
    given order by pandas' compensated group sum (the bits `share` has always given)."""
    frame = pd.DataFrame({"k": key, "v": values, "n": counts})
    sums = frame.groupby("k").agg(v=("v", "sum"), n=("n", "sum"))
    return sums.index.to_numpy(), sums["v"].to_numpy(), sums["n"].to_numpy()


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
    one: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(p', rivals) for each pair: the shared probability and how many rivals lowered it.

    `same_b`, `same_c` are the rival pairs the model does not tell apart (`told_apart`;
    not rivals); in a dedupe the given pairs at p ≥ FLOOR count as such too, except those
    `one` marks False (given pairs the model tells apart; default: none). Pairs below FLOOR
    are left as they are (below the contract's floor, and never anyone's rival).
    """
    p = np.asarray(p, np.float64)
    n = len(p)
    out, rivals = p.copy(), np.zeros(n, np.int64)
    keep = p >= FLOOR
    if n == 0 or lam == 0 or keep.sum() < 2:
        return out, rivals
    rid_l, rid_r = np.asarray(rid_l, np.int64), np.asarray(rid_r, np.int64)
    a, b, o, row = _edges(rid_l, rid_r, p, dedupe)
    at = o >= _odds(np.float64(FLOOR))
    a, b, o, row = a[at], b[at], o[at], row[at]
    # What each candidate lends its anchor's other pairs as a rival (none below `strong`).
    r = np.where(o >= _odds(np.float64(strong)), o, 0.0)
    lends = (r > 0).astype(np.int64)
    anchors, total, count = _group_sums(a, r, lends)
    where = np.searchsorted(anchors, a)
    total, count = total[where], count[where]
    # Partners of one anchor that are one person: subtract each one's odds from the other.
    same_b, same_c = np.asarray(same_b, np.int64), np.asarray(same_c, np.int64)
    if dedupe:
        ones = keep if one is None else keep & np.asarray(one, bool)
        same_b = np.concatenate([same_b, rid_l[ones]])
        same_c = np.concatenate([same_c, rid_r[ones]])
    width = np.int64(
        max(
            int(a.max(initial=0)),
            int(b.max(initial=0)),
            int(same_b.max(initial=0)),
            int(same_c.max(initial=0)),
        )
        + 1
    )
    same = distinct(np.concatenate([same_b * width + same_c, same_c * width + same_b]))
    # Only a rival c (r > 0) lends anything, so pair each partner b with its anchor's rivals
    # first (few per anchor) and keep those one person with b: joining every partner's
    # same-person pairs first grew with the square of a common name's degree (9.8 GiB at 1M).
    rival = np.flatnonzero(lends > 0)
    i, j = _with_same_anchor(a, a[rival])
    j = rival[j]
    fb, fc = b[i], b[j]
    one = (fb != fc) & member(fb * width + fc, same)
    fa, fb, fc, fr, fn = a[i][one], fb[one], fc[one], r[j][one], lends[j][one]
    # Each (anchor, b, c) once, summed in (anchor, b, c) order.
    order = np.lexsort((fc, fb, fa))
    fa, fb, fc, fr, fn = fa[order], fb[order], fc[order], fr[order], fn[order]
    first = np.ones(len(fa), bool)
    first[1:] = (fa[1:] != fa[:-1]) | (fb[1:] != fb[:-1]) | (fc[1:] != fc[:-1])
    pair_keys, o_same, n_same = _group_sums(fa[first] * width + fb[first], fr[first], fn[first])
    edge_keys = a * width + b
    at = np.minimum(np.searchsorted(pair_keys, edge_keys), max(len(pair_keys) - 1, 0))
    hit = (pair_keys[at] == edge_keys) if len(pair_keys) else np.zeros(len(a), bool)
    o_minus = np.where(hit, o_same[at] if len(pair_keys) else 0.0, 0.0)
    n_minus = np.where(hit, n_same[at] if len(pair_keys) else 0, 0)
    o_copies, n_copies = _copies_lend_once(a, b, i, j, one, r, rival)
    comp = total - r - o_minus - o_copies
    count = count - lends - n_minus - n_copies
    comp = np.where(count > 0, np.maximum(comp, 0.0), 0.0)
    shared = np.where(comp > 0, o / (1.0 + o + lam * comp), o / (1.0 + o))
    shared = np.where(comp > 0, shared, p[row])
    # In a dedupe both ends are anchors: the lower p' stands (with its rivals).
    order = np.lexsort((shared, row))
    first = np.ones(len(order), bool)
    first[1:] = row[order][1:] != row[order][:-1]
    best = order[first]
    rows = row[best]
    out[rows] = shared[best]
    rivals[rows] = np.where(shared[best] < p[rows], count[best], 0)
    return out, rivals


def _copies_lend_once(
    a: np.ndarray,
    b: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    one: np.ndarray,
    r: np.ndarray,
    rival: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per edge (anchor, b): the rivals' odds and the rivals counted more than once.

    Rivals told apart from b that are one person with each other are records of one man,
    and the anchor is that man at most once: they lend the largest of their odds once
    (rivals tied at it split it), not one share per record; and they are one rival in the
    count the explanation gives. `i`, `j`, `one`: every (edge, rival edge) of one anchor,
    and whether the two partners are one person."""
    out, fewer = np.zeros(len(a)), np.zeros(len(a), np.int64)
    # Pairs of rivals of one anchor that are one person (copies of one man): the rows of
    # (i, j) whose edge is a rival too.
    is_rival = np.zeros(len(a), bool)
    is_rival[rival] = True
    copy = one & is_rival[i]
    cx, cy = i[copy], j[copy]
    if len(cx) == 0:
        return out, fewer
    # Only rivals with a copy lend differently.
    has_copy = np.zeros(len(a), bool)
    has_copy[cx] = True
    lend = (b[i] != b[j]) & ~one & has_copy[j]
    lend_edge, lend_rival = i[lend], j[lend]
    if len(lend_edge) == 0:
        return out, fewer
    # (edge, rival C, its copy C2) with both lending to the edge.
    u, v = _with_same_anchor(lend_rival, cx)
    edge, c, c2 = lend_edge[u], lend_rival[u], cy[v]
    n = np.int64(len(a))
    both = member(edge * n + c2, distinct(lend_edge * n + lend_rival))
    edge, c, c2 = edge[both], c[both], c2[both]
    if len(edge) == 0:
        return out, fewer
    # Per (edge, C): the largest odds among C's copies, and how many are tied with C.
    order = np.argsort(edge * n + c, kind="stable")
    edge, c, o2 = edge[order], c[order], r[c2[order]]
    start = np.flatnonzero(np.r_[True, (edge[1:] != edge[:-1]) | (c[1:] != c[:-1])])
    top = np.maximum.reduceat(o2, start)
    ties = np.add.reduceat((o2 == r[c]).astype(np.int64), start)
    at, o_c = edge[start], r[c[start]]
    lent = np.where(top > o_c, 0.0, o_c / (1.0 + ties))
    np.add.at(out, at, o_c - lent)
    extra = np.zeros(len(a))
    np.add.at(extra, at, np.where(top > o_c, 1.0, ties / (1.0 + ties)))
    return out, np.rint(extra).astype(np.int64)


def share_one(
    p: np.ndarray, p_rivals: np.ndarray, apart: np.ndarray, lam: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`share` for one anchor in numpy (real time: a handful of candidates, where pandas'
    overhead would be most of a query): `p` of its candidates at the floor, `p_rivals` of its
    rivals among them, `apart[i, k]` whether candidate i and rival k are told apart (False
    for a rival and itself). Returns (p', number of rivals that lowered it)."""
    lam = LAMBDA if lam is None else lam
    o_rivals = _odds(np.asarray(p_rivals, np.float64))
    comp = apart.astype(np.float64) @ o_rivals
    n = apart.sum(axis=1)
    # The rivals are the candidates at STRONG, in order (as real time passes them).
    rows = np.flatnonzero(np.asarray(p, np.float64) >= STRONG)
    if len(rows) == apart.shape[1] and len(rows) > 1:
        # As `_copies_lend_once`: rivals k, l told apart from candidate i and one person with
        # each other lend the larger odds once (tied ones split it).
        copy = ~apart[rows] & ~np.eye(len(rows), dtype=bool)
        both = apart[:, None, :] & copy[None, :, :]  # [i, k, l]
        top = np.where(both, o_rivals[None, None, :], -1.0).max(axis=2)
        ties = (both & (o_rivals[None, None, :] == o_rivals[None, :, None])).sum(axis=2)
        lent = np.where(top > o_rivals[None, :], 0.0, o_rivals[None, :] / (1.0 + ties))
        comp = (apart * lent).sum(axis=1)
        extra = np.where(top > o_rivals[None, :], 1.0, ties / (1.0 + ties))
        n = n - np.rint((apart * extra).sum(axis=1)).astype(np.int64)
    o = _odds(np.asarray(p, np.float64))
    out = np.where(comp > 0, o / (1.0 + o + lam * comp), p)
    lowered = out < p
    return out, np.where(lowered, n, 0)


def told_apart(scored: pa.Table) -> np.ndarray:
    """Whether the model tells each scored rival pair apart: below the floor, though their
    names alone (the prior and the name comparisons' bits) would keep them at it — so a
    date, place, patronymic or number says they are two people; or below APART with the
    other fields that disagree at -CONTRADICT bits or less (those that agree not added). A
    pair low because its names do not agree well enough (a Hebrew and a Greek spelling of
    one name, each of which matches the Cyrillic) says nothing against being one person."""
    p = scored.column("match_probability").to_numpy(zero_copy_only=False)
    other = np.zeros(len(p))
    against = np.zeros(len(p))
    for name in scored.column_names:
        if name.startswith("mw_") and name not in NAME_BITS:
            column = scored.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
            other += np.nan_to_num(column)
            against += np.minimum(np.nan_to_num(column), 0.0)
    weight = scored.column("match_weight").to_numpy(zero_copy_only=False).astype(np.float64)
    names_alone = weight - other
    # In the band only the fields against the pair count: a birth year that agrees (+6.4
    # bits when one side gives only the year) does not make two different fathers one.
    low = (p < FLOOR) | ((p < APART) & (against <= -CONTRADICT))
    return low & (names_alone >= np.log2(FLOOR / (1 - FLOOR)))


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
    # A given pair of a dedupe between FLOOR and APART may be two people the model tells
    # apart (`told_apart`): then it is not one person (not scored again: the given row is
    # what the scorer would return).
    given_one = ~told_apart(scored) if dedupe else None
    shared, rivals = share(rid_l, rid_r, p, same_b, same_c, dedupe=dedupe, lam=lam, one=given_one)
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
