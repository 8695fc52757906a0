"""How the real-time index grows: 1, 2 and 5 million reports on this machine (issue 9 item 3).

    .venv/bin/python bench/matching/perf_realtime_scale.py              # 100k, 1M, 2M, 5M
    .venv/bin/python bench/matching/perf_realtime_scale.py --sizes 20000,50000 --small 20000

For each size, in a fresh process (so one size's memory never inflates the next one's): the
index build from the reports' feature table (`CandidateIndex.from_features`), the index's
memory (anonymous RSS growth once the feature table is freed, and the bytes of its arrays),
the query latency p50/p95/p99 (wall and CPU) and candidate recall over the same enquiries at
every size, and then the same index saved to disk (`CandidateIndex.save`) and opened
memory-mapped (`CandidateIndex.open`): its private memory, its open time and its latency.

The reports are one stream of the noisy linkage generator (seed 777): the first N of it at
size N, so every size holds the smaller ones. Their features are built once, 250,000
reports at a time by one process while this one generates the next part, and cached in
$TMPDIR/kintrace-bench/scale-777 (`--fresh` rebuilds); the feature time of a size is the
sum of its parts' times on one core. The enquiries are the stream's first ones whose person
has all their reports among the first `--small` reports, so the true pairs are the same at
every size and recall can only fall as blocks grow.

Baseline in the same run: vanilla Splink 5 `predict_between` per enquiry on the first
`--baseline-reports` reports (what it can manage here; as bench/matching/perf_realtime.py).
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

from perf_batch import SEED

from kintrace.matching import MODEL_VERSION
from kintrace.matching.features import build_features

RESULTS = Path(__file__).parents[1] / "results" / "perf_realtime_scale.json"
PART = int(os.environ.get("KINTRACE_SCALE_PART", "250000"))
CACHE = Path(
    os.environ.get("KINTRACE_SCALE_CACHE")
    or Path(tempfile.gettempdir()) / "kintrace-bench" / f"scale-{SEED}"
)


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _anon_gib() -> float:
    """Private (anonymous) resident memory: what this process alone holds."""
    return _status_kib("RssAnon") / 1024**2


def _file_gib() -> float:
    """Resident file-backed pages (memory-mapped files): page cache, shareable."""
    return _status_kib("RssFile") / 1024**2


# ---------------------------------------------------------------------------------------
# The data: one stream, features built part by part


def _build_part(records: list[dict], start: int, path: str) -> tuple[int, float]:
    """In the feature process: one part's features to an Arrow IPC file (names analysed
    in earlier parts stay in this process's cache, as in one long build)."""
    t0 = time.process_time()
    table = build_features(records, rid_offset=start, workers=1).table
    seconds = time.process_time() - t0
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return table.num_rows, seconds


def prepare(max_size: int, small: int, fresh: bool, console: Console) -> dict:
    """Generate the stream up to `max_size` reports and build the features of every part
    not on disk yet: a run cut short is resumed (the stream is regenerated, which is cheap
    next to the features). meta.json is rewritten after every part."""
    meta_path = CACHE / "meta.json"
    done: dict[str, dict] = {}
    if meta_path.exists() and not fresh:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["reports"] >= max_size and meta["small"] == small:
            console.log(f"features from cache {CACHE} (built {meta['built_at']})")
            return meta
        if meta["small"] == small:
            done = {p["path"]: p for p in meta["parts"] if Path(p["path"]).exists()}
    from kintrace.synthetic.noise import iter_noisy

    CACHE.mkdir(parents=True, exist_ok=True)
    parts: list[dict] = []
    chunk: list[dict] = []
    pending: list[Any] = []
    gen_s = 0.0
    meta = {"reports": 0, "small": small, "parts": parts, "generate_s": 0.0, "built_at": ""}

    def save_meta() -> None:
        meta.update(
            reports=sum(p["rows"] for p in parts),
            generate_s=round(gen_s, 1),
            built_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        )
        meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")

    def finish(item: tuple[str, Any]) -> None:
        path, result = item
        if isinstance(result, dict):
            parts.append(result)
        else:
            rows, seconds = result.get()
            parts.append({"path": path, "rows": rows, "cpu_s": round(seconds, 2)})
        save_meta()

    ctx = multiprocessing.get_context("fork")
    n = 0
    t_gen = time.perf_counter()
    with ctx.Pool(1) as pool:
        for _person, reps, _enquiries in iter_noisy(SEED, 100 * max_size):
            for r in reps:
                chunk.append(r.row)
                n += 1
                if len(chunk) == PART or n == max_size:
                    gen_s += time.perf_counter() - t_gen
                    path = str(CACHE / f"part-{len(parts) + len(pending):03d}.arrow")
                    # At most two parts in flight: this process's memory stays bounded.
                    if len(pending) >= 2:
                        finish(pending.pop(0))
                    if path in done and done[path]["rows"] == len(chunk):
                        pending.append((path, done[path]))  # built by an earlier run
                    else:
                        start = n - len(chunk)
                        job = pool.apply_async(_build_part, (chunk, start, path))
                        pending.append((path, job))
                    console.log(f"generated {n:,} reports")
                    t_gen = time.perf_counter()
                    chunk = []
                if n == max_size:
                    break
            if n >= max_size:
                break
        gen_s += time.perf_counter() - t_gen
        while pending:
            finish(pending.pop(0))
    return meta


def make_queries(small: int, n_queries: int) -> None:
    """The enquiries (with the rows of their person's reports) and the first `small`
    reports, from the start of the same stream."""
    from kintrace.synthetic.noise import iter_noisy

    small_reports: list[dict] = []
    rows_of: dict[str, list[int]] = {}
    enquiries: list[tuple[dict, str]] = []
    crossing: set[str] = set()
    for _person, reps, enqs in iter_noisy(SEED, 100 * small):
        for r in reps:
            if len(small_reports) < small:
                rows_of.setdefault(r.person_id, []).append(len(small_reports))
                small_reports.append(r.row)
            else:  # this person's reports straddle the cut
                crossing.add(r.person_id)
        if len(small_reports) >= small:
            break
        enquiries.extend((e.row, e.person_id) for e in enqs)
    known = [(row, label) for row, label in enquiries if label in rows_of]
    queries = [(row, rows_of[label]) for row, label in known if label not in crossing]
    queries = queries[:n_queries]
    with open(CACHE / "queries.pkl", "wb") as handle:
        pickle.dump({"queries": queries, "small_reports": small_reports}, handle)


# ---------------------------------------------------------------------------------------
# One size, in its own process


def _read(meta: dict, size: int) -> pa.Table:
    tables, have = [], 0
    for part in meta["parts"]:
        if have >= size:
            break
        with pa.OSFile(part["path"]) as source:  # read into memory, not mapped: freed later
            tables.append(pa.ipc.open_file(source).read_all())
        have += part["rows"]
    return pa.concat_tables(tables).slice(0, size)


def _latency(index: Any, queries: list[tuple[dict, list[int]]], *, recall: bool) -> dict:
    for row, _ in queries[:20]:  # warm the caches as a running service would be
        index.query(row)
    wall, cpu = [], []
    found = total = 0
    for row, truth in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        index.query(row, min_probability=0.01, limit=50)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if recall:
            cands = set(index.candidates_for(row).tolist())
            total += len(truth)
            found += sum(r in cands for r in truth)
    ms, cpu_ms = np.array(wall) * 1000, np.array(cpu) * 1000
    out = {
        "query_ms_p50": round(float(np.percentile(ms, 50)), 2),
        "query_ms_p95": round(float(np.percentile(ms, 95)), 2),
        "query_ms_p99": round(float(np.percentile(ms, 99)), 2),
        "query_cpu_ms_p50": round(float(np.percentile(cpu_ms, 50)), 2),
        "query_cpu_ms_p95": round(float(np.percentile(cpu_ms, 95)), 2),
    }
    if recall:
        out["candidate_recall"] = round(found / max(total, 1), 4)
    return out


def child(size: int, mapped: bool) -> dict:
    from kintrace.matching import CandidateIndex

    meta = json.loads((CACHE / "meta.json").read_text(encoding="utf-8"))
    with open(CACHE / "queries.pkl", "rb") as handle:
        queries = pickle.load(handle)["queries"]  # our own file, written by prepare
    out: dict[str, Any] = {"reports": size}
    have, cpu = 0, 0.0
    for part in meta["parts"]:
        if have >= size:
            break
        cpu += part["cpu_s"] * min(part["rows"], size - have) / part["rows"]
        have += part["rows"]
    out["features_cpu_s"] = round(cpu, 1)
    base = _anon_gib()
    table = _read(meta, size)
    t0, c0 = time.perf_counter(), time.process_time()
    index = CandidateIndex.from_features(table)
    out["build_s"] = round(time.perf_counter() - t0, 1)
    out["build_cpu_s"] = round(time.process_time() - c0, 1)
    del table
    gc.collect()
    pa.default_memory_pool().release_unused()
    out["index_anon_gib"] = round(_anon_gib() - base, 3)
    out["index_array_gib"] = round(index.nbytes() / 1024**3, 3)
    out["bytes_per_report"] = round(index.nbytes() / size)
    out.update(_latency(index, queries, recall=True))
    out["load_average_1min"] = round(os.getloadavg()[0], 1)
    if mapped:
        folder = CACHE / f"index-{size}"
        t0 = time.perf_counter()
        index.save(folder)
        out["save_s"] = round(time.perf_counter() - t0, 1)
        del index
        gc.collect()
        pa.default_memory_pool().release_unused()
        # The mapped index in a process that never built one, as a second worker opens it.
        got = subprocess.run(
            [sys.executable, __file__, "--open-child", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        out["mapped"] = json.loads(got.stdout.strip().splitlines()[-1])
    return out


def open_child(folder: str) -> dict:
    from kintrace.matching import CandidateIndex

    with open(CACHE / "queries.pkl", "rb") as handle:
        queries = pickle.load(handle)["queries"]
    anon0, file0 = _anon_gib(), _file_gib()
    t0 = time.perf_counter()
    index = CandidateIndex.open(folder)
    out: dict[str, Any] = {"open_s": round(time.perf_counter() - t0, 2)}
    out["anon_after_open_gib"] = round(_anon_gib() - anon0, 3)
    out.update(_latency(index, queries, recall=False))
    out["anon_after_queries_gib"] = round(_anon_gib() - anon0, 3)
    out["file_after_queries_gib"] = round(_file_gib() - file0, 3)
    out["disk_gib"] = round(sum(p.stat().st_size for p in Path(folder).iterdir()) / 1024**3, 3)
    return out


# ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000000,2000000,5000000")
    parser.add_argument("--small", type=int, default=100_000, help="also measured; baseline size")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--baseline-reports", type=int, default=100_000)
    parser.add_argument("--baseline-queries", type=int, default=20)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--no-mapped", action="store_true", help="skip save/open (mmap)")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data and features")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--open-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, not args.no_mapped)))
        return
    if args.open_child:
        print(json.dumps(open_child(args.open_child)))
        return
    console = Console(stderr=True)
    sizes = sorted({args.small, *(int(s) for s in args.sizes.split(","))})
    meta = prepare(max(sizes), args.small, args.fresh, console)
    if args.fresh or not (CACHE / "queries.pkl").exists():
        make_queries(args.small, args.queries)
    if args.prepare_only:
        return
    runs = []
    for size in sizes:
        console.log(f"measuring {size:,} reports (load {os.getloadavg()[0]:.1f})")
        cmd = [sys.executable, __file__, "--child", str(size)]
        if args.no_mapped:
            cmd.append("--no-mapped")
        got = subprocess.run(cmd, check=True, capture_output=True, text=True)
        runs.append(json.loads(got.stdout.strip().splitlines()[-1]))
        console.log(runs[-1])
    result: dict[str, Any] = {
        "model_version": MODEL_VERSION,
        "seed": SEED,
        "cores": os.cpu_count(),
        "data": {"generate_s": meta["generate_s"], "built_at": meta["built_at"]},
        "sizes": runs,
        "growth": growth(runs),
    }
    if not args.skip_baseline:
        from perf_realtime import splink_baseline

        with open(CACHE / "queries.pkl", "rb") as handle:
            data = pickle.load(handle)
        n = min(args.baseline_reports, len(data["small_reports"]))
        qs = [row for row, _ in data["queries"][: args.baseline_queries]]
        secs = np.array(splink_baseline(data["small_reports"][:n], qs)) * 1000
        result["baseline"] = {
            "reports": n,
            "queries": len(qs),
            "splink5_predict_between_ms_p50": round(float(np.percentile(secs, 50)), 1),
            "splink5_predict_between_ms_p95": round(float(np.percentile(secs, 95)), 1),
            "load_average_1min": round(os.getloadavg()[0], 1),
        }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    show(result)


def growth(runs: list[dict]) -> dict:
    """Least-squares lines over the sizes: what one more million reports costs."""
    if len(runs) < 2:
        return {}
    x = np.array([r["reports"] for r in runs], float) / 1e6
    out = {}
    keys = ("index_anon_gib", "bytes_per_report", "build_s", "build_cpu_s", "features_cpu_s")
    for key in (*keys, "query_cpu_ms_p95"):
        slope, intercept = np.polyfit(x, [r[key] for r in runs], 1)
        out[key] = {"per_million": round(float(slope), 3), "at_zero": round(float(intercept), 3)}
    return out


def show(result: dict) -> None:
    table = Table(title=f"kintrace real-time index by size ({result['model_version']})")
    table.add_column("reports", justify="right")
    for head in (
        "features (1 core)",
        "build (CPU)",
        "memory (anon)",
        "bytes/report",
        "p50 / p95 / p99 ms",
        "CPU p95",
        "recall",
        "load",
        "mapped: open, private, p95",
    ):
        table.add_column(head, justify="right")
    for r in result["sizes"]:
        m = r.get("mapped")
        table.add_row(
            f"{r['reports']:,}",
            f"{r['features_cpu_s']:.0f} s",
            f"{r['build_s']:.1f} s ({r.get('build_cpu_s', 0):.1f} s)",
            f"{r['index_anon_gib']:.2f} GiB",
            f"{r['bytes_per_report']:,}",
            f"{r['query_ms_p50']:.1f} / {r['query_ms_p95']:.1f} / {r['query_ms_p99']:.1f}",
            f"{r['query_cpu_ms_p95']:.1f} ms",
            f"{r['candidate_recall']:.4f}",
            f"{r['load_average_1min']}",
            f"{m['open_s']:.1f} s, {m['anon_after_queries_gib']:.2f} GiB, {m['query_ms_p95']:.1f} ms"
            if m
            else "",
        )
    if "baseline" in result:
        b = result["baseline"]
        table.caption = (
            f"baseline, same run: vanilla Splink 5 predict_between on {b['reports']:,} reports "
            f"p50 {b['splink5_predict_between_ms_p50']:.0f} ms / "
            f"p95 {b['splink5_predict_between_ms_p95']:.0f} ms"
        )
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
