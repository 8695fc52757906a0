"""Estimate the shipped parameters from synthetic, labelled data; evaluate on another seed.

    python -m kintrace.matching.training estimate --seed 101 --persons 20000
    python -m kintrace.matching.training evaluate --seed 202 --persons 5000

m probabilities come from the generator's true pairs (every pair of records about one
person), u probabilities from random pairs of different people. Both are smoothed towards
the hand-set starting values in comparisons.py (a pseudo-count), and every m is floored:
real files are noisier than any generator, and a level that the generator never produces
for a true pair must still not be read as proof of a non-match. Nothing here runs at
`link` time.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from kintrace.matching.batch import link_tables
from kintrace.matching.comparisons import settings_dict
from kintrace.matching.engine import TF_COLUMNS, connect, tf_sql, wide_select
from kintrace.matching.features import build_features
from kintrace.matching.model import MODEL_FILE, ScoringModel

PSEUDO_COUNT = 20.0
M_FLOOR = 0.001
M_KEEP = 0.5
#: Term-frequency smoothing (see ScoringModel.term_frequency): default frequencies are
#: typical of a surname and a given name in Russian/Ukrainian name lists.
TERM_FREQUENCY: dict[str, Any] = {
    "reference_records": 10_000,
    "default": {"family": 0.0002, "given": 0.02},
}
#: The most a disagreement may count against a pair, in bits. Units, places and capture
#: details are written in many incomparable ways (a unit number vs a brigade name; a village
#: vs its district), so their disagreement is weak evidence whatever a generator says.
WEIGHT_FLOOR: dict[str, float] = {
    "military_unit": -1.0,
    "birth_place": -2.0,
    "capture_place": -1.5,
    "capture_date": -2.0,
}
U_FLOOR = 1e-6
MODEL_VERSION = "kintrace-fs-1"


def synthetic_records(seed: int, persons: int) -> tuple[list[dict[str, str]], list[str]]:
    """Noisy exchange rows (reports then enquiries) of a synthetic world, with the truth.

    Uses the linkage benchmark's noise (kintrace.synthetic.noise): romanisations, ru/uk
    forms, inflection, initials, typos, OCR, partial and wrong dates, and hard negatives.
    Never estimate on the benchmark's own seeds (bench/README.md).
    """
    from kintrace.synthetic.noise import iter_noisy

    reports: list[dict[str, str]] = []
    enquiries: list[dict[str, str]] = []
    r_truth: list[str] = []
    e_truth: list[str] = []
    for _person, reps, enqs in iter_noisy(seed, persons):
        for r in reps:
            reports.append(r.row)
            r_truth.append(r.person_id)
        for e in enqs:
            enquiries.append(e.row)
            e_truth.append(e.person_id)
    return reports + enquiries, r_truth + e_truth


def gammas_for_pairs(
    table: pa.Table, pairs: np.ndarray, model: ScoringModel
) -> dict[str, np.ndarray]:
    """Comparison levels (gamma columns) for explicit (rid_l, rid_r) pairs of one table."""
    con = connect()
    con.register("raw", table)
    for c in TF_COLUMNS:
        con.execute(f"CREATE TABLE tf_{c} AS {tf_sql(model, 'raw', c)}")
    joins = " ".join(f"LEFT JOIN tf_{c} ON a.{c} = tf_{c}.{c}" for c in TF_COLUMNS)
    tf_cols = ", ".join(f"tf_{c}.tf_{c}" for c in TF_COLUMNS)
    con.execute(f"CREATE TABLE feat AS SELECT a.* EXCLUDE (bkeys), {tf_cols} FROM raw a {joins}")
    con.register("p", pa.table({"rid_l": pairs[:, 0], "rid_r": pairs[:, 1]}))
    con.execute(
        f"CREATE TEMP VIEW wide AS SELECT {wide_select(model, 'a', 'b')} FROM p "
        "JOIN feat a ON a.rid = p.rid_l JOIN feat b ON b.rid = p.rid_r"
    )
    out = con.sql(model.scoring_sql("wide", None)).to_arrow_table()
    con.close()
    return {c.gamma_column: out.column(c.gamma_column).to_numpy() for c in model.comparisons}


def _true_pairs(truth: Sequence[str], cap: int = 12) -> np.ndarray:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, pid in enumerate(truth):
        groups[pid].append(i)
    pairs = []
    for members in groups.values():
        members = members[:cap]
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                pairs.append((members[a], members[b]))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _random_pairs(truth: Sequence[str], n: int, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    size = len(truth)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < n:
        a, b = rng.randrange(size), rng.randrange(size)
        if a != b and truth[a] != truth[b]:
            pairs.append((min(a, b), max(a, b)))
    return np.array(pairs, dtype=np.int64)


def _make_monotone(levels: list[dict[str, Any]]) -> None:
    """A weaker level never weighs more than the level above it (else the order lies)."""
    best = math.inf
    for lvl in levels:
        w = math.log2(lvl["m_probability"] / lvl["u_probability"])
        if w > best:
            lvl["u_probability"] = lvl["m_probability"] / 2.0**best
            w = best
        best = w


def estimate(seed: int, persons: int, random_pairs: int = 300_000) -> dict[str, Any]:
    rows, truth = synthetic_records(seed, persons)
    table = build_features(rows).table
    start = settings_dict()
    model = ScoringModel(1e-6, settings=start)  # gammas do not depend on the prior
    g_true = gammas_for_pairs(table, _true_pairs(truth), model)
    g_rand = gammas_for_pairs(table, _random_pairs(truth, random_pairs, seed), model)
    for comp, info in zip(start["comparisons"], model.comparisons, strict=True):
        levels = comp["comparison_levels"]
        # comparison vector values count down from the top non-null level to 0 (else)
        values = sorted((v for v in info.levels if v >= 0), reverse=True)
        non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
        t = g_true[info.gamma_column]
        r = g_rand[info.gamma_column]
        t_n, r_n = int((t >= 0).sum()), int((r >= 0).sum())
        for value, lvl in zip(values, non_null, strict=True):
            m0, u0 = lvl["m_probability"], lvl["u_probability"]
            m = (int((t == value).sum()) + PSEUDO_COUNT * m0) / (t_n + PSEUDO_COUNT)
            u = (int((r == value).sum()) + PSEUDO_COUNT * u0) / (r_n + PSEUDO_COUNT)
            # Real files are noisier than the generator: no level may become rarer among
            # true pairs than half of what the hand-set model allows.
            lvl["m_probability"] = max(m, M_FLOOR, M_KEEP * m0)
            lvl["u_probability"] = max(u, U_FLOOR)
        for key in ("m_probability", "u_probability"):
            total = sum(lvl[key] for lvl in non_null)
            for lvl in non_null:
                lvl[key] = lvl[key] / total
        _make_monotone(non_null)
        floor = WEIGHT_FLOOR.get(comp["output_column_name"])
        if floor is not None:
            for lvl in non_null:
                if math.log2(lvl["m_probability"] / lvl["u_probability"]) < floor:
                    lvl["u_probability"] = lvl["m_probability"] / 2.0**floor
    n = len(rows)
    true_pairs = len(_true_pairs(truth, cap=10_000))
    return {
        "model_version": MODEL_VERSION,
        "estimated": (
            f"m from {len(g_true[model.comparisons[0].gamma_column])} true pairs and u from "
            f"{random_pairs} random pairs of the noisy linkage generator (kintrace.synthetic.noise), seed {seed} ({persons} persons, "
            f"{n} records); pseudo-count {PSEUDO_COUNT} towards hand-set values; m at least "
            f"{M_KEEP} x hand-set m and {M_FLOOR}; weights monotone down the levels"
        ),
        "prior": {
            "expected_matches_per_record": round(2 * true_pairs / n, 4),
            "minimum": 1e-9,
            "maximum": 0.01,
        },
        "term_frequency": TERM_FREQUENCY,
        "splink_settings": start,
    }


def evaluate(seed: int, persons: int, threshold: float = 0.5) -> dict[str, float]:
    """Dedupe a held-out world: precision, recall, F1 at `threshold`, and calibration error."""
    rows, truth = synthetic_records(seed, persons)
    table = build_features(rows).table
    stats: dict[str, Any] = {}
    everything = link_tables(table, None, threshold=0.0, stats=stats)
    pairs = [p for p in everything if p.match_probability >= 0.01]
    person = dict(zip((r["record_id"] for r in rows), truth, strict=True))
    true_set = {(min(a, b), max(a, b)) for a, b in _true_pairs(truth, cap=10_000).tolist()}
    n_true = len(true_set)
    found = sum(person[p.left_id] == person[p.right_id] for p in everything)
    hits = [person[p.left_id] == person[p.right_id] for p in pairs]
    probs = np.array([p.match_probability for p in pairs])
    hit = np.array(hits, dtype=bool)
    predicted = probs >= threshold
    tp = int((predicted & hit).sum())
    fp = int((predicted & ~hit).sum())
    precision = tp / max(tp + fp, 1)
    recall = tp / max(n_true, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    # Expected calibration error over the written pairs (p >= 0.01), 10 equal-width bins.
    bins = np.minimum((probs * 10).astype(int), 9)
    ece = 0.0
    for b in range(10):
        sel = bins == b
        if sel.any():
            ece += sel.sum() / len(probs) * abs(probs[sel].mean() - hit[sel].mean())
    return {
        "blocking_recall": round(found / max(n_true, 1), 4),
        "records": len(rows),
        "true_pairs": n_true,
        "candidate_pairs": stats.get("candidate_pairs", 0),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "ece": round(float(ece), 4),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["estimate", "evaluate"])
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--out", default=str(MODEL_FILE))
    args = parser.parse_args(argv)
    if args.command == "estimate":
        model = estimate(args.seed, args.persons)
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(model, handle, indent=1, ensure_ascii=False)
            handle.write("\n")
    else:
        result = evaluate(args.seed, args.persons)
        sys.stdout.write(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
