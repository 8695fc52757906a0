"""Estimate the shipped parameters from synthetic, labelled data; evaluate on another seed.

    python -m kintrace.matching.training estimate --seed 101 --persons 8000
    python -m kintrace.matching.training evaluate --seed 202 --persons 3000

`estimate` writes the shipped model file in two steps. First m probabilities come from the
generator's true pairs (every pair of records about one person), u probabilities from
random pairs of different people. Then `fit_weights` refits the level weights by penalised
logistic regression on the blocked candidate pairs of another world (seed FIT_SEED), which
is where the comparisons' dependence shows (twins, name-only pairs); see docs/matching.md. Both are smoothed towards
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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from kintrace.matching.batch import link_tables
from kintrace.matching.comparisons import (
    ESTIMATE_ONLY_CONDITIONS,
    ESTIMATE_ONLY_LABELS,
    RELATIVE_LABEL,
    UNORDERED_LABELS,
    settings_dict,
)
from kintrace.matching.engine import TF_COLUMNS, connect, tf_sql, wide_select
from kintrace.matching.features import build_features
from kintrace.matching.model import MODEL_FILE, ScoringModel, prior_for

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
#: The prior's smoothing: a searched set of N records is judged as if it had this many more
#: (so five records do not make every pair likely). Less than the term frequencies' 10,000:
#: a record's true partners are in the searched set, not among imagined records, and with
#: 10,000 files of a few thousand records came out under-confident (best threshold 0.29 at
#: 830 reports, 0.36 at 8,300, on both surname pools of the quality benchmark).
PRIOR_REFERENCE_RECORDS = 3_000
U_FLOOR = 1e-6
#: The world the level weights are fitted on (see fit_weights): another seed than the
#: m/u estimate's, and never the benchmark's.
FIT_SEED = 303
FIT_PERSONS = 5_000
#: Pull of each fitted weight towards its m/u estimate, per bit squared (see fit_weights).
FIT_L2 = 1.0
MODEL_VERSION = "kintrace-fs-11"
#: The surname pool of the training worlds (kintrace.synthetic.tables.surname_pool; several
#: comma-separated give one world per pool). The shipped model is trained on "classic": on
#: the quality benchmark a model trained on "realistic" or on both scored no better on
#: either pool (term frequencies already carry how rare a name is), so it was not shipped.
TRAINING_SURNAMES = "classic"


def synthetic_records(
    seed: int, persons: int, surnames: str | None = None
) -> tuple[list[dict[str, str]], list[str]]:
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
    # Several pools ("classic,realistic"): one world of persons/k per pool, ids kept apart.
    pools = (surnames or "classic").split(",")
    for pool in pools:
        tag = f"{pool}:" if len(pools) > 1 else ""
        for _person, reps, enqs in iter_noisy(seed, persons // len(pools), surnames=pool):
            for r in reps:
                reports.append({**r.row, "record_id": tag + r.row["record_id"]})
                r_truth.append(tag + r.person_id)
            for e in enqs:
                enquiries.append({**e.row, "record_id": tag + e.row["record_id"]})
                e_truth.append(tag + e.person_id)
    return reports + enquiries, r_truth + e_truth


def gammas_for_pairs(
    table: pa.Table, pairs: np.ndarray, model: ScoringModel, *, population_from: int = 0
) -> dict[str, np.ndarray]:
    """Comparison levels (gamma columns) and `match_weight` for explicit (rid_l, rid_r)
    pairs of one table, in the order of `pairs` (rids are row numbers of `table`).

    Term frequencies are counted over the rows from `population_from` on (the searched
    records: the reports in a link of enquiries to reports), as a real run counts them.
    """
    con = connect()
    con.register("raw", table)
    con.execute(f"CREATE VIEW pop AS SELECT * FROM raw WHERE rid >= {int(population_from)}")
    for c in TF_COLUMNS:
        con.execute(f"CREATE TABLE tf_{c} AS {tf_sql(model, 'pop', c)}")
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
    # DuckDB does not keep the pairs' order (preserve_insertion_order is off): put it back.
    key = out.column("rid_l").to_numpy() * (table.num_rows + 1) + out.column("rid_r").to_numpy()
    want = pairs[:, 0] * (table.num_rows + 1) + pairs[:, 1]
    by_key = np.argsort(key)
    order = by_key[np.searchsorted(key, want, sorter=by_key)]
    result = {
        c.gamma_column: out.column(c.gamma_column).to_numpy()[order] for c in model.comparisons
    }
    result["match_weight"] = out.column("match_weight").to_numpy()[order]
    return result


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


def estimate(
    seed: int, persons: int, random_pairs: int = 300_000, surnames: str | None = None
) -> dict[str, Any]:
    rows, truth = synthetic_records(seed, persons, surnames)
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
            # (A hand-set m below M_FLOOR is a deliberate "all but never": two different
            # service numbers for one man.)
            lvl["m_probability"] = max(m, min(M_FLOOR, m0), M_KEEP * m0)
            lvl["u_probability"] = max(u, U_FLOOR)
        for key in ("m_probability", "u_probability"):
            total = sum(lvl[key] for lvl in non_null)
            for lvl in non_null:
                lvl[key] = lvl[key] / total
        ordinary = [lvl for lvl in non_null if _is_ordered(lvl)]
        _make_monotone(ordinary)
        # Random pairs almost never agree on a family yet differ on the given name, so an
        # m/u estimate says nothing for the context levels: they start as "different" and
        # get their weight from fit_weights.
        else_level = ordinary[-1]
        for lvl in non_null:
            if _is_relative_level(lvl):
                lvl["u_probability"] = else_level["u_probability"]
                lvl["m_probability"] = else_level["m_probability"]
        _apply_floor(comp["output_column_name"], non_null)
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
            "reference_records": PRIOR_REFERENCE_RECORDS,
            "minimum": 1e-9,
            "maximum": 0.01,
        },
        "term_frequency": TERM_FREQUENCY,
        "splink_settings": start,
    }


# --- discriminative fit of the level weights ---------------------------------------------


@dataclass
class Labelled:
    """Candidate pairs of one linking task with their levels, weight and truth."""

    gammas: dict[str, np.ndarray]
    weight: np.ndarray  # total match weight in bits (prior and term frequencies included)
    match: np.ndarray  # bool: the two records are about one person


def labelled_candidates(
    seed: int, persons: int, settings: dict[str, Any], surnames: str | None = None
) -> list[Labelled]:
    """The blocked candidate pairs of both tasks the engine serves — enquiries against
    reports, and reports among themselves — on one noisy synthetic world, scored with
    `settings` at the prior a real run of that size would use; several pools
    ("classic,realistic") give one world of persons/k each."""
    pools = (surnames or "classic").split(",")
    out: list[Labelled] = []
    for pool in pools:
        out.extend(_labelled_world(seed, persons // len(pools), settings, pool))
    return out


def _labelled_world(seed: int, persons: int, settings: dict[str, Any], pool: str) -> list[Labelled]:
    from kintrace.synthetic.noise import iter_noisy

    reports: list[Any] = []
    enquiries: list[Any] = []
    for _person, reps, enqs in iter_noisy(seed, persons, surnames=pool):
        reports.extend(reps)
        enquiries.extend(enqs)
    out: list[Labelled] = []
    for task in ("link", "dedupe"):
        records = [*enquiries, *reports] if task == "link" else reports
        offset = len(enquiries) if task == "link" else 0
        table = build_features([r.row for r in records]).table
        left = table.slice(0, offset) if task == "link" else table
        right = table.slice(offset) if task == "link" else None
        found = link_tables(left, right, threshold=0.0)
        rid = {r: i for i, r in enumerate(table.column("record_id").to_pylist())}
        pairs = np.array(
            [(rid[p.left_id], rid[p.right_id]) for p in found], dtype=np.int64
        ).reshape(-1, 2)
        model = ScoringModel(prior_for(table.num_rows - offset), settings=settings)
        g = gammas_for_pairs(table, pairs, model, population_from=offset)
        weight = g.pop("match_weight").astype(np.float64)
        person = [r.person_id for r in records]
        match = np.array([person[a] == person[b] for a, b in pairs.tolist()], dtype=bool)
        out.append(Labelled(g, weight, match))
    return out


def _is_relative_level(level: dict[str, Any]) -> bool:
    return str(level.get("label_for_charts", "")).startswith(RELATIVE_LABEL)


def _is_ordered(level: dict[str, Any]) -> bool:
    """A level whose weight is kept monotone with its neighbours: not a context level, nor
    one that says "another name" above levels that say "a slip" (a surname suffix)."""
    label = str(level.get("label_for_charts", ""))
    return not _is_relative_level(level) and label not in UNORDERED_LABELS


def _cancels_tf(level: dict[str, Any]) -> bool:
    """A context level that takes back the family name's term-frequency bonus: its weight
    is log2(m/u) - (log2(u) - log2(tf)), so its fitted constant part is log2(m) - 2 log2(u)."""
    return float(level.get("tf_adjustment_weight", 0.0)) < 0


def _is_tf_exact(level: dict[str, Any]) -> bool:
    """The exact level of a term-frequency adjusted comparison: its weight is log2(m / tf)
    whatever its u, so it is not refitted (its u is the base of the other levels' adjustment)."""
    column = level.get("tf_adjustment_column")
    return bool(column) and level["sql_condition"] == f"{column}_l = {column}_r"


def _level_weight(level: dict[str, Any]) -> float:
    m, u = level["m_probability"], level["u_probability"]
    if _cancels_tf(level):
        return math.log2(m) - 2 * math.log2(u)
    return math.log2(m / u)


def fit_weights(settings: dict[str, Any], data: Sequence[Labelled], l2: float = FIT_L2) -> None:
    """Refit the level weights (bits) by penalised logistic regression on labelled pairs.

    The Fellegi–Sunter estimate treats the comparisons as independent; on real candidate
    pairs they are not (twins share every field but one, a name-only pair of a common name
    is a coin toss). Each level's weight is pulled towards its m/u estimate by `l2` (per
    bit squared), so a level the fitting pairs rarely reach keeps its estimate. Term-frequency
    adjusted exact levels stay as estimated (their weight is log2(m / tf), not a constant);
    for other adjusted levels the constant part log2(m/u) is fitted, the adjustment stays.
    The result is written back as m/u (u = m / 2^w, or m = u * 2^w where that would push u
    above 1), so Splink scores with it unchanged.
    """
    model = ScoringModel(1e-6, settings=settings)
    columns: list[tuple[str, int, dict[str, Any]]] = []
    theta0: list[float] = []
    for comp, info in zip(settings["comparisons"], model.comparisons, strict=True):
        non_null = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        values = sorted((v for v in info.levels if v >= 0), reverse=True)
        else_weight = math.log2(non_null[-1]["m_probability"] / non_null[-1]["u_probability"])
        for value, lvl in zip(values, non_null, strict=True):
            if (
                _is_tf_exact(lvl)
                or lvl.get("label_for_charts") in ESTIMATE_ONLY_LABELS
                or lvl["sql_condition"] in ESTIMATE_ONLY_CONDITIONS
            ):
                continue
            # A context level starts from "different" (for a family name of typical
            # frequency): only the data may make it stronger.
            if _cancels_tf(lvl):
                start_w = else_weight + math.log2(TERM_FREQUENCY["default"]["family"])
            elif _is_relative_level(lvl):
                start_w = else_weight
            else:
                start_w = _level_weight(lvl)
            columns.append((info.gamma_column, value, lvl))
            theta0.append(start_w)
    start = np.array(theta0)
    x = np.vstack(
        [
            np.column_stack([(d.gammas[col] == value) for col, value, _ in columns]).astype(
                np.float64
            )
            for d in data
        ]
    )
    current = np.array([_level_weight(lvl) for *_, lvl in columns])
    offset = np.concatenate([d.weight for d in data]) - x @ current
    y = np.concatenate([d.match for d in data]).astype(np.float64)
    ln2 = math.log(2.0)
    theta = start.copy()

    def loss(t: np.ndarray) -> float:
        z = ln2 * (offset + x @ t)
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + l2 * np.sum((t - start) ** 2))

    def solve(theta: np.ndarray, free: np.ndarray) -> np.ndarray:
        """Newton steps on the free weights; the others keep their values."""
        for _ in range(50):
            z = ln2 * (offset + x @ theta)
            p = 1.0 / (1.0 + np.exp(-z))
            grad = ln2 * (x.T @ (p - y)) + 2 * l2 * (theta - start)
            hess = ln2**2 * (x.T * (p * (1 - p))) @ x + 2 * l2 * np.eye(len(theta))
            step = np.zeros_like(theta)
            step[free] = np.linalg.solve(hess[np.ix_(free, free)], grad[free])
            before, rate = loss(theta), 1.0
            while rate > 1e-4 and loss(theta - rate * step) > before:
                rate /= 2
            theta = theta - rate * step
            if np.max(np.abs(rate * step)) < 1e-4:
                break
        return theta

    # An agreement ("same", "exact": the first level of a comparison) never counts against
    # a match: with nearly every candidate pair agreeing on sex, an unconstrained fit used
    # that level as a second intercept (kintrace-fs-4: "Sex: M vs M, same" -0.8 bits, on
    # every explanation). Such a weight that comes out negative is held at 0 and the rest
    # refitted around it, until none is left.
    agreement = np.array([lvl is _first_level(settings, lvl) for *_, lvl in columns])
    free = np.ones(len(theta), dtype=bool)
    while True:
        theta = solve(theta, free)
        below = agreement & free & (theta < 0)
        if not below.any():
            break
        free &= ~below
        theta[below] = 0.0
    for (_, _, lvl), w in zip(columns, theta.tolist(), strict=True):
        _set_weight(lvl, w)
    for comp in settings["comparisons"]:
        non_null = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        ordinary = [lvl for lvl in non_null if _is_ordered(lvl)]
        _make_monotone(ordinary)
        else_weight = math.log2(ordinary[-1]["m_probability"] / ordinary[-1]["u_probability"])
        for lvl in non_null:
            # "Different, and the family agrees" never counts for a pair more than "different".
            if _is_relative_level(lvl) and not _cancels_tf(lvl):
                w = math.log2(lvl["m_probability"] / lvl["u_probability"])
                _set_weight(lvl, min(w, else_weight))
        _apply_floor(comp["output_column_name"], non_null)


def _first_level(settings: dict[str, Any], level: dict[str, Any]) -> dict[str, Any] | None:
    """The first non-null level of the comparison that holds `level`."""
    for comp in settings["comparisons"]:
        non_null = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        if any(lvl is level for lvl in non_null):
            return non_null[0]
    return None


def _set_weight(level: dict[str, Any], weight: float) -> None:
    m, u = level["m_probability"], level["u_probability"]
    if _cancels_tf(level):
        level["m_probability"] = 2.0**weight * u * u
        return
    if m / 2.0**weight <= 1.0:
        level["u_probability"] = max(m / 2.0**weight, 1e-12)
    else:
        level["m_probability"] = u * 2.0**weight


def _apply_floor(name: str, levels: list[dict[str, Any]]) -> None:
    floor = WEIGHT_FLOOR.get(name)
    if floor is None:
        return
    for lvl in levels:
        if _level_weight(lvl) < floor:
            _set_weight(lvl, floor)


def evaluate(
    seed: int, persons: int, threshold: float = 0.5, surnames: str | None = None
) -> dict[str, float]:
    """Dedupe a held-out world: precision, recall, F1 at `threshold`, and calibration error."""
    rows, truth = synthetic_records(seed, persons, surnames)
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
    parser.add_argument("--fit-seed", type=int, default=FIT_SEED)
    parser.add_argument(
        "--fit-persons", type=int, default=FIT_PERSONS, help="0: keep the m/u estimate"
    )
    parser.add_argument("--out", default=str(MODEL_FILE))
    parser.add_argument(
        "--surnames",
        default=TRAINING_SURNAMES,
        help="surname pool of the synthetic worlds (kintrace.synthetic.tables.surname_pool)",
    )
    args = parser.parse_args(argv)
    if args.command == "estimate":
        model = estimate(args.seed, args.persons, surnames=args.surnames)
        model["estimated"] += f"; {args.surnames} surname pool"
        if args.fit_persons:
            settings = model["splink_settings"]
            data = labelled_candidates(
                args.fit_seed, args.fit_persons, settings, surnames=args.surnames
            )
            fit_weights(settings, data)
            model["estimated"] += (
                f"; then every level weight but the term-frequency adjusted exact ones, "
                f"'two different surnames' and the exact birth date (kept at their estimate) refitted "
                f"by penalised logistic regression (pull {FIT_L2} per bit squared towards the "
                f"estimate) on the blocked candidate pairs (link and dedupe) of seed "
                f"{args.fit_seed} ({args.fit_persons} persons); weights monotone again"
            )
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(model, handle, indent=1, ensure_ascii=False)
            handle.write("\n")
    else:
        result = evaluate(args.seed, args.persons, surnames=args.surnames)
        sys.stdout.write(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
