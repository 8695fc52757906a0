"""Batch speed, memory and blocking recall: dedupe reports and link enquiries to them.

    .venv/bin/python bench/matching/perf_batch.py                       # 1,000,000 + 100,000
    .venv/bin/python bench/matching/perf_batch.py --reports 50000 --enquiries 5000

Target (issue 3): dedupe 1,000,000 reports and link 100,000 enquiries in <= 3 minutes on
2 cores, peak memory <= 8 GiB, blocking recall >= 0.99. Baseline in the same run: vanilla
Splink 5 as its documentation configures it (bench/matching/baselines.py: anyascii names,
block_on rules, EM training), deduplicating the first `--baseline-reports` reports, next to
the engine on exactly the same records. Data: the noisy linkage generator
(bench/matching/generate.py) at a seed no parameter was estimated on.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

from baselines import splink_scores

from kintrace.matching import MODEL_VERSION
from kintrace.matching.batch import link_tables
from kintrace.matching.features import build_features
from kintrace.synthetic.noise import iter_noisy

SEED = 777
RESULTS = Path(__file__).parents[1] / "results" / "perf_batch.json"


def _peak_rss_gib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024**2


def _pss_gib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return 0.0


class _MemorySampler:
    """Peak memory of this process and its children together, sampled twice a second as
    PSS: forked scoring workers share the parent's pages, which each one's RSS counts
    again (so RSS would overstate their sum, and the largest RSS understate it)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.5):
            try:
                with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as handle:
                    kids = [int(x) for x in handle.read().split()]
            except OSError:
                kids = []
            total = _pss_gib(me) + sum(_pss_gib(k) for k in kids)
            self.peak = max(self.peak, total)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def make_data(
    n_reports: int, n_enquiries: int
) -> tuple[list[dict], list[str], list[dict], list[str]]:
    """Noisy reports and enquiries with their person ids; cached on disk between runs
    (generating a million noisy records takes minutes)."""
    cache = (
        Path(tempfile.gettempdir())
        / "kintrace-bench"
        / f"perf-{SEED}-{n_reports}-{n_enquiries}.pkl"
    )
    if cache.exists():
        with open(cache, "rb") as handle:
            return pickle.load(handle)  # our own file, written just below
    reports: list[dict] = []
    r_labels: list[str] = []
    enquiries: list[dict] = []
    e_labels: list[str] = []
    for _person, reps, enqs in iter_noisy(SEED, 10 * n_reports):
        for r in reps:
            if len(reports) < n_reports:
                reports.append(r.row)
                r_labels.append(r.person_id)
        for e in enqs:
            if len(enquiries) < n_enquiries:
                enquiries.append(e.row)
                e_labels.append(e.person_id)
        if len(reports) >= n_reports and len(enquiries) >= n_enquiries:
            break
    data = (reports, r_labels, enquiries, e_labels)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache, "wb") as handle:
        pickle.dump(data, handle)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--enquiries", type=int, default=100_000)
    parser.add_argument("--baseline-reports", type=int, default=20_000)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    console = Console(stderr=True)

    t0 = time.perf_counter()
    reports, r_labels, enquiries, e_labels = make_data(args.reports, args.enquiries)
    t_gen = time.perf_counter() - t0
    console.log(f"generated {len(reports)} reports, {len(enquiries)} enquiries in {t_gen:.0f} s")

    sampler = _MemorySampler() if Path("/proc/self/smaps_rollup").exists() else None
    t0 = time.perf_counter()
    rf = build_features(reports)
    t_feat_r = time.perf_counter() - t0
    console.log(f"features of reports: {t_feat_r:.1f} s")
    t0 = time.perf_counter()
    ef = build_features(enquiries)
    t_feat_e = time.perf_counter() - t0
    console.log(f"features of enquiries: {t_feat_e:.1f} s")
    # Link: enquiries on the left; reports again on the right, offset past the enquiries.
    rf_right = build_features(reports[:0])  # schema only
    del rf_right

    dedupe_stats: dict = {"labels_left": r_labels}
    t0 = time.perf_counter()
    dedupe_pairs = link_tables(rf.table, None, stats=dedupe_stats)
    t_dedupe = time.perf_counter() - t0
    console.log(f"dedupe: {t_dedupe:.1f} s, {dedupe_stats['candidate_pairs']} candidates")

    import pyarrow as pa
    import pyarrow.compute as pc

    right = rf.table.set_column(
        0, "rid", pc.add(rf.table.column("rid"), pa.scalar(ef.table.num_rows, pa.int64()))
    )
    link_stats: dict = {"labels_left": e_labels, "labels_right": r_labels}
    t0 = time.perf_counter()
    link_pairs = link_tables(ef.table, right, stats=link_stats)
    t_link = time.perf_counter() - t0
    console.log(f"link: {t_link:.1f} s, {link_stats['candidate_pairs']} candidates")
    peak = _peak_rss_gib()
    peak_pss = sampler.stop() if sampler is not None else None
    total = t_feat_r + t_feat_e + t_dedupe + t_link
    # The benchmark's own bookkeeping of true pairs (phase "recall": the truth join, and
    # scoring the pairs blocking lost) is not work a user's run does.
    bookkeeping = sum(
        (s.get("seconds") or {}).get("recall", 0.0) for s in (dedupe_stats, link_stats)
    )
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu_s = sum(u.ru_utime + u.ru_stime for u in usage)

    result: dict = {
        "model_version": MODEL_VERSION,
        "seed": SEED,
        "reports": len(reports),
        "enquiries": len(enquiries),
        "engine": {
            "features_reports_s": round(t_feat_r, 1),
            "features_enquiries_s": round(t_feat_e, 1),
            "dedupe_s": round(t_dedupe, 1),
            "link_s": round(t_link, 1),
            "total_s": round(total, 1),
            "total_without_bookkeeping_s": round(total - bookkeeping, 1),
            "peak_rss_gib": round(peak, 2),
            # All processes together (the parent and its forked scoring workers), as PSS.
            "peak_pss_gib_all_processes": None if peak_pss is None else round(peak_pss, 2),
            # Wall seconds per phase of link_tables ("recall": this benchmark's bookkeeping
            # of true pairs, which a user's run does not do).
            "dedupe_phase_s": dedupe_stats.get("seconds"),
            "link_phase_s": link_stats.get("seconds"),
            "cpu_s_all_processes": round(cpu_s, 1),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "dedupe_candidate_pairs": dedupe_stats["candidate_pairs"],
            "link_candidate_pairs": link_stats["candidate_pairs"],
            # Candidates whose match weight could reach the 0.01 output floor: the rest are
            # dropped by a cheap bound before string distances are computed.
            "dedupe_pairs_scored": dedupe_stats["pairs_scored"],
            "link_pairs_scored": link_stats["pairs_scored"],
            "dedupe_blocking_recall": round(dedupe_stats["blocking_recall"], 4),
            "link_blocking_recall": round(link_stats["blocking_recall"], 4),
            # True pairs the model calls a match (p >= 0.5 when scored) that blocking kept.
            "dedupe_match_recall_of_blocking": round(dedupe_stats["match_recall_of_blocking"], 4),
            "link_match_recall_of_blocking": round(link_stats["match_recall_of_blocking"], 4),
            "dedupe_pairs_written": len(dedupe_pairs),
            "link_pairs_written": len(link_pairs),
        },
        "targets": {"total_s": 180, "peak_rss_gib": 8, "blocking_recall": 0.99},
    }
    del dedupe_pairs, link_pairs

    if not args.skip_baseline:
        n = min(args.baseline_reports, len(reports))
        sub, sub_labels = reports[:n], r_labels[:n]
        t0 = time.perf_counter()
        sf = build_features(sub)
        sub_stats: dict = {"labels_left": sub_labels}
        link_tables(sf.table, None, stats=sub_stats)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        _scores, blocked = splink_scores(sub, None)
        t_splink = time.perf_counter() - t0
        truth: dict[str, list[str]] = {}
        for rid, label in zip((r["record_id"] for r in sub), sub_labels, strict=True):
            truth.setdefault(label, []).append(rid)
        true_pairs = {
            (min(a, b), max(a, b)) for ids in truth.values() for a in ids for b in ids if a < b
        }
        result["baseline"] = {
            "reports": n,
            "splink5_vanilla_dedupe_s": round(t_splink, 1),
            "splink5_vanilla_candidate_pairs": len(blocked),
            "splink5_vanilla_blocking_recall": round(
                len(true_pairs & blocked) / max(len(true_pairs), 1), 4
            ),
            "engine_dedupe_s": round(t_ours, 1),
            "engine_candidate_pairs": sub_stats["candidate_pairs"],
            "engine_blocking_recall": round(sub_stats["blocking_recall"], 4),
        }

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")

    table = Table(title=f"kintrace batch ({MODEL_VERSION}), seed {SEED}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    e = result["engine"]
    rows = [
        ("reports / enquiries", f"{len(reports):,} / {len(enquiries):,}", ""),
        ("features (reports + enquiries)", f"{t_feat_r + t_feat_e:.1f} s", ""),
        ("dedupe", f"{t_dedupe:.1f} s", ""),
        ("link", f"{t_link:.1f} s", ""),
        ("total", f"{total:.1f} s", ""),
        ("total without the recall bookkeeping", f"{total - bookkeeping:.1f} s", "<= 180 s"),
        ("peak memory (largest process RSS)", f"{peak:.2f} GiB", "<= 8 GiB"),
        (
            "peak memory (all processes, PSS)",
            "n/a" if peak_pss is None else f"{peak_pss:.2f} GiB",
            "<= 8 GiB",
        ),
        (
            "dedupe phases (s)",
            ", ".join(f"{k} {v:.0f}" for k, v in (dedupe_stats.get("seconds") or {}).items()),
            "",
        ),
        (
            "candidates dedupe / link",
            f"{e['dedupe_candidate_pairs']:,} / {e['link_candidate_pairs']:,}",
            "",
        ),
        (
            "scored (could reach p >= 0.01) dedupe / link",
            f"{e['dedupe_pairs_scored']:,} / {e['link_pairs_scored']:,}",
            "",
        ),
        ("blocking recall dedupe", f"{e['dedupe_blocking_recall']:.4f}", ">= 0.99"),
        ("blocking recall link", f"{e['link_blocking_recall']:.4f}", ">= 0.99"),
        (
            "matches (p >= 0.5) kept by blocking, dedupe / link",
            f"{e['dedupe_match_recall_of_blocking']:.4f} / {e['link_match_recall_of_blocking']:.4f}",
            "",
        ),
    ]
    if "baseline" in result:
        b = result["baseline"]
        rows += [
            (
                f"baseline: vanilla Splink 5 dedupe of {b['reports']:,}",
                f"{b['splink5_vanilla_dedupe_s']:.1f} s",
                "",
            ),
            (f"engine on the same {b['reports']:,}", f"{b['engine_dedupe_s']:.1f} s", ""),
            (
                "candidates Splink / engine",
                f"{b['splink5_vanilla_candidate_pairs']:,} / {b['engine_candidate_pairs']:,}",
                "",
            ),
            (
                "blocking recall Splink / engine",
                f"{b['splink5_vanilla_blocking_recall']:.4f} / {b['engine_blocking_recall']:.4f}",
                "",
            ),
        ]
    for r in rows:
        table.add_row(*r)
    Console().print(table)


if __name__ == "__main__":
    main()
