"""Name normaliser speed: analyse_name on the noisy generator's records, cold and warm.

    .venv/bin/python bench/matching/perf_normalise.py                  # 100,000 records
    .venv/bin/python bench/matching/perf_normalise.py --records 20000 --processes 2
    .venv/bin/python bench/matching/perf_normalise.py --reports /tmp/kt-perf/reports.csv \
        --records 300000                                  # a generated million's first rows

Target (issue 3): a million fresh full names built from ~60k distinct parts normalised in
well under 60 s on this 2-core machine (`--reports` of a generated million, `--processes 2`).
`--api batch` (default) times `analyse_names`, the batch path; `--api single` analyse_name.
Every run starts in fresh worker processes, so the per-word caches begin empty ("cold"); the
same records are then analysed again in the same process ("warm": the caches hold every
word). Rates are per CPU second of each worker (process time), so other people's load on
the shared machine does not bend them; with N processes the rate is that of the slowest
worker times N. Baseline in the same run: the plainest key, `anyascii(full name).lower()`.
Writes bench/results/normalise.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).parents[1] / "results" / "normalise.json"
SEED = 7  # a world no parameter or table was fitted on
Row = tuple[str, str, str, str, str]


def make_rows(records: int) -> list[Row]:
    from kintrace.synthetic.noise import iter_noisy

    rows: list[Row] = []
    for _, reports, enquiries in iter_noisy(seed=SEED, persons=records):
        for rec in (*reports, *enquiries):
            r = rec.row
            rows.append(
                (
                    r.get("full_name", ""),
                    r.get("given_name", ""),
                    r.get("patronymic", ""),
                    r.get("family_name", ""),
                    r.get("sex", ""),
                )
            )
        if len(rows) >= records:
            break
    return rows[:records]


def read_reports(path: Path, records: int) -> list[Row]:
    """The first rows of a generated reports.csv (generate.py): real repetition of words."""
    import csv

    rows: list[Row] = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append((r["full_name"], r["given_name"], r["patronymic"], r["family_name"], r["sex"]))  # fmt: skip
            if len(rows) >= records:
                break
    return rows


def _analyse_chunk(job: tuple[list[Row], str]) -> tuple[float, float, float]:
    """(cold seconds, cold seconds of the second half, warm seconds) in a fresh process."""
    from kintrace.normalise import analyse_name, analyse_names

    rows, api = job

    def analyse(part: list[Row]) -> None:
        if api == "batch":
            analyse_names(part)  # the batch path: the collector paused
        else:
            for r in part:
                analyse_name(*r)

    analyse_name("Кислица Сергей Викторович")  # tables and dictionaries load once
    half = len(rows) // 2
    t = time.process_time()
    analyse(rows[:half])
    t_half = time.process_time()
    analyse(rows[half:])
    cold = time.process_time() - t
    second_half = time.process_time() - t_half
    t = time.process_time()
    analyse(rows)
    return cold, second_half, time.process_time() - t


def _baseline(rows: list[Row]) -> float:
    from anyascii import anyascii

    t = time.process_time()
    for r in rows:
        anyascii(r[0] or " ".join(r[1:4])).lower()
    return time.process_time() - t


def run(rows: list[Row], processes: int, api: str = "batch") -> dict[str, float | str]:
    ctx = mp.get_context("spawn")  # fresh interpreters: caches start empty
    size = -(-len(rows) // processes)
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    t = time.perf_counter()
    with ctx.Pool(processes) as pool:
        timings = pool.map(_analyse_chunk, [(c, api) for c in chunks])
    wall = time.perf_counter() - t
    # Each worker did 1/N of the rows: the slowest one sets the pace of the whole.
    cold = max(c for c, _, _ in timings)
    steady = max(h for _, h, _ in timings)
    warm = max(w for _, _, w in timings)
    with ctx.Pool(1) as pool:
        base = pool.apply(_baseline, (rows,))
    return {
        "records": len(rows),
        "processes": processes,
        "api": api,
        "cold_names_per_s": len(rows) / cold,
        # The second half of the cold pass: the word and part caches are filled, the names
        # themselves are new (as in the rest of a million).
        "cold_second_half_names_per_s": (len(rows) - len(rows) // 2) / steady,
        "warm_names_per_s": len(rows) / warm,
        "wall_s_including_start": wall,
        "baseline_names_per_s": len(rows) / base,
        "million_cold_s": 1_000_000 / (len(rows) / cold),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--reports", type=Path, help="read names from a generated reports.csv")
    ap.add_argument(
        "--api",
        choices=("batch", "single"),
        default="batch",
        help="analyse_names over each worker's rows (batch) or analyse_name per row (single)",
    )
    args = ap.parse_args()
    console = Console()
    with console.status("generating records"):
        rows = read_reports(args.reports, args.records) if args.reports else make_rows(args.records)
    with console.status(f"normalising {len(rows):,} names"):
        res = run(rows, args.processes, args.api)
    table = Table(title=f"{res['api']} name analysis of {res['records']:,} noisy records")
    for col in (
        "processes",
        "cold names/s",
        "cold, 2nd half",
        "warm names/s",
        "anyascii names/s",
        "1M cold (s)",
    ):
        table.add_column(col, justify="right")
    table.add_row(
        str(res["processes"]),
        f"{res['cold_names_per_s']:,.0f}",
        f"{res['cold_second_half_names_per_s']:,.0f}",
        f"{res['warm_names_per_s']:,.0f}",
        f"{res['baseline_names_per_s']:,.0f}",
        f"{res['million_cold_s']:,.0f}",
    )
    console.print(table)
    console.print(
        "1M cold extrapolates the cold rate of the first pass; a real million repeats words "
        "more, so the caches make it faster."
    )
    doc = {
        "benchmark": "normalise speed",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "seed": SEED,
        "source": str(args.reports) if args.reports else "iter_noisy",
        "result": res,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    console.print(f"written {args.out}")


if __name__ == "__main__":
    main()
