"""Where blocking loses true pairs, by cause, and how many of them the model would match.

    .venv/bin/python bench/matching/blocking_losses.py                  # 1,000,000 + 100,000
    .venv/bin/python bench/matching/blocking_losses.py --reports 100000 --enquiries 10000 --scale-caps

Same data as perf_batch.py (seed 777, its cache). `--scale-caps` divides both block caps by
1,000,000 / reports: the generator's name pool is fixed, so a key's block grows with the
records, and a tenth of the records with a tenth of the caps cuts the same blocks (session 10:
recall 0.9705 / 0.9735 against 0.9733 / 0.9749 at 1M, candidates x100 within 10 %).

Each lost pair gets one cause, the first that holds: no shared key; a shared key's big block
above the probe cap with one or both sides year-less; both dated, years differ; both dated,
same year, the year's sub-block still above the cap; the shared keys weak on both sides.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).parent))

from perf_batch import make_data

from kintrace.matching import batch
from kintrace.matching.engine import TF_COLUMNS, connect, score, tf_sql, wide_select
from kintrace.matching.features import build_features
from kintrace.matching.model import ScoringModel, prior_for


def _cause(shared: dict[str, tuple[bool, bool]], yl: Any, yr: Any, size: dict[str, int]) -> str:
    if not shared:
        return "no shared key"
    causes = set()
    for k, (wl, wr) in shared.items():
        n = size.get(k, 0)
        if wl and wr:
            causes.add("shared keys weak on both sides only")
        elif n <= batch.MAX_BLOCK_SIZE:
            causes.add("other")
        elif yl is None and yr is None:
            causes.add("both year-less, block > probe cap")
        elif yl is None or yr is None:
            causes.add("one side year-less, block > probe cap")
        elif yl != yr:
            causes.add("both dated, years differ, block big")
        else:
            causes.add("both dated, same year, year sub-block > cap")
    order = [
        "one side year-less, block > probe cap",
        "both year-less, block > probe cap",
        "both dated, years differ, block big",
        "both dated, same year, year sub-block > cap",
        "shared keys weak on both sides only",
        "other",
    ]
    return next(c for c in order if c in causes)


def losses(left: pa.Table, right: pa.Table | None, labels: tuple[list, list | None]) -> dict:
    dedupe = right is None
    con = connect(threads=2, memory_limit="4GB")
    con.register("l_raw", left)
    population = "l_raw" if dedupe else "r_raw"
    if right is not None:
        con.register("r_raw", right)
    batch.key_tables(con, population, None if dedupe else "l_raw")
    stats: dict[str, Any] = {"labels_left": labels[0], "labels_right": labels[1]}
    batch._truth_pairs(con, stats, dedupe)
    kl = "kr" if dedupe else "kl"
    con.execute(
        "CREATE TABLE missed AS SELECT * FROM truth EXCEPT SELECT DISTINCT t.rid_l, t.rid_r "
        f"FROM truth t JOIN {kl} a ON a.rid = t.rid_l JOIN kr b ON b.rid = t.rid_r "
        "AND a.k = b.k WHERE NOT (a.weak AND b.weak)"
    )
    total = con.execute("SELECT count(*) FROM truth").fetchall()[0][0]
    # Would the model match them (p >= 0.5) if they were scored anyway?
    model = ScoringModel(prior_for(left.num_rows if dedupe else right.num_rows))  # type: ignore[union-attr]
    for c in TF_COLUMNS:
        con.execute(f"CREATE TABLE tf_{c} AS {tf_sql(model, population, c)}")
    batch._with_tf(con, "l_raw", "l_feat")
    if not dedupe:
        batch._with_tf(con, "r_raw", "r_feat")
    con.execute(
        f"CREATE TEMP VIEW wide AS SELECT {wide_select(model, 'a', 'b')} FROM missed p "
        f"JOIN l_feat a ON a.rid = p.rid_l JOIN {'l_feat' if dedupe else 'r_feat'} b "
        "ON b.rid = p.rid_r"
    )
    matches = score(con, model, model.gamma_sql("wide"), 0.5)
    ids = (matches.column("rid_l").to_pylist(), matches.column("rid_r").to_pylist())
    would = set(zip(*ids, strict=True))
    # The keys each side was filed under, before the big blocks were split.
    raw = f"({batch.key_table_sql(population)})"
    size = dict(con.execute(f"SELECT k, count(*) FROM {raw} GROUP BY k").fetchall())
    rows: dict[int, tuple[dict[str, bool], Any]] = {}
    for table in ("l_raw",) if dedupe else ("l_raw", "r_raw"):
        for rid, k, weak, by in con.execute(
            f"SELECT rid, k, weak, birth_y FROM ({batch.key_table_sql(table)}) "
            "WHERE rid IN (SELECT rid_l FROM missed UNION SELECT rid_r FROM missed)"
        ).fetchall():
            rows.setdefault(rid, ({}, by))[0][k] = weak
    lost = con.execute("SELECT rid_l, rid_r FROM missed").fetchall()
    con.close()
    causes: collections.Counter[str] = collections.Counter()
    matchable: collections.Counter[str] = collections.Counter()
    for a, b in lost:
        (ka, ya), (kb, yb) = rows[a], rows[b]
        c = _cause({k: (ka[k], kb[k]) for k in ka.keys() & kb.keys()}, ya, yb, size)
        causes[c] += 1
        matchable[c] += (a, b) in would
    return {
        "true_pairs": total,
        "lost": len(lost),
        "recall": round(1 - len(lost) / max(total, 1), 4),
        "lost_model_would_match": len(would),
        "causes": {c: [n, matchable[c]] for c, n in causes.most_common()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--enquiries", type=int, default=100_000)
    parser.add_argument("--scale-caps", action="store_true")
    args = parser.parse_args()
    if args.scale_caps:
        factor = 1_000_000 / args.reports
        batch.MAX_BLOCK_SIZE = max(1, round(batch.MAX_BLOCK_SIZE / factor))  # type: ignore[misc]
        batch.MAX_PROBE_BLOCK_SIZE = max(1, round(batch.MAX_PROBE_BLOCK_SIZE / factor))  # type: ignore[misc]
    reports, r_labels, enquiries, e_labels = make_data(args.reports, args.enquiries)
    rf = build_features(reports).table
    ef = build_features(enquiries).table
    right = rf.set_column(0, "rid", pc.add(rf.column("rid"), pa.scalar(ef.num_rows, pa.int64())))
    print(f"caps {batch.MAX_BLOCK_SIZE} / {batch.MAX_PROBE_BLOCK_SIZE}")
    for name, result in (
        ("dedupe", losses(rf, None, (r_labels, None))),
        ("link", losses(ef, right, (e_labels, r_labels))),
    ):
        print(
            f"{name}: recall {result['recall']}, {result['lost']:,} of {result['true_pairs']:,} "
            f"true pairs lost, {result['lost_model_would_match']:,} of them p >= 0.5 if scored"
        )
        for cause, (n, m) in result["causes"].items():
            print(f"  {n:8,} ({m:6,} p >= 0.5)  {cause}")


if __name__ == "__main__":
    main()
