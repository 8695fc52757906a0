"""Write a labelled linkage benchmark set as exchange CSV, with its truth.

    .venv/bin/python bench/matching/generate.py --persons 5000 --seed 20261127 -o /tmp/kt-eval

Writes into the output folder:
  enquiries.csv        relatives' enquiries (exchange CSV): the LEFT file of the link task
  reports.csv          sources' reports (exchange CSV): the RIGHT file, and the dedupe task
  truth.csv            record_id, person_id, role, writer, phenomena (";"-separated)
  persons.csv          person_id, father_id, sibling_ids, name_key, birth_date: for the hard
                       negatives (siblings, twins, fathers and sons, namesakes)
  pairs_link.csv       every true (enquiry, report) pair
  pairs_dedupe.csv     every true (report, report) pair, lower id first
  meta.json            seed, sizes and counts

For the batch perf target (1,000,000 reports, 100,000 enquiries):

    .venv/bin/python bench/matching/generate.py --persons 610000 --max-reports 1000000 \
        --max-enquiries 100000 -o /tmp/kt-1m

Persons come from kintrace.synthetic (families with siblings, fathers and sons of one given
name, twins and namesakes); every record is written by kintrace.synthetic.noise and carries
the phenomena applied to it. Streams to disk, so `--persons 1000000` runs in bounded memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from kintrace.synthetic import EXCHANGE_COLUMNS, SynthPerson
from kintrace.synthetic.noise import NOISE_VERSION, iter_noisy


def name_key(p: SynthPerson) -> str:
    """Given name, father's name and surname, side-independent: equal for namesakes."""
    assert p.given_ref and p.father_ref and p.surname_ref
    return f"{p.given_ref.ru}|{p.father_ref.ru}|{p.surname_ref.ru}"


def generate(
    out: Path,
    seed: int,
    persons: int,
    *,
    max_reports: int | None = None,
    max_enquiries: int | None = None,
    quiet: bool = False,
) -> dict[str, object]:
    """Write the set; the caps drop records beyond them (and their truth), so a perf run
    can ask for exactly 1,000,000 reports and 100,000 enquiries."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = {"persons": 0, "reports": 0, "enquiries": 0, "pairs_link": 0, "pairs_dedupe": 0}
    with ExitStack() as stack:

        def writer(name: str, header: Sequence[str]) -> Any:
            f = stack.enter_context((out / name).open("w", newline="", encoding="utf-8"))
            w = csv.writer(f)
            w.writerow(header)
            return w

        enq_w = writer("enquiries.csv", EXCHANGE_COLUMNS)
        rep_w = writer("reports.csv", EXCHANGE_COLUMNS)
        truth_w = writer("truth.csv", ["record_id", "person_id", "role", "writer", "phenomena"])
        pers_w = writer(
            "persons.csv", ["person_id", "father_id", "sibling_ids", "name_key", "birth_date"]
        )
        link_w = writer("pairs_link.csv", ["left_id", "right_id"])
        dd_w = writer("pairs_dedupe.csv", ["left_id", "right_id"])
        progress = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=Console(stderr=True), disable=quiet,
        )  # fmt: skip
        stack.enter_context(progress)
        task = progress.add_task("persons", total=persons)
        for i, (p, reps, enqs) in enumerate(iter_noisy(seed, persons)):
            if max_reports is not None:
                reps = reps[: max(0, max_reports - counts["reports"])]
            if max_enquiries is not None:
                enqs = enqs[: max(0, max_enquiries - counts["enquiries"])]
            pers_w.writerow(
                [p.person_id, p.father_id or "", ";".join(p.sibling_ids), name_key(p),
                 p.birth_date.isoformat()]
            )  # fmt: skip
            for role, recs, w in (("report", reps, rep_w), ("enquiry", enqs, enq_w)):
                for r in recs:
                    w.writerow([r.row[c] for c in EXCHANGE_COLUMNS])
                    truth_w.writerow(
                        [r.record_id, r.person_id, role, r.writer, ";".join(r.phenomena)]
                    )
            for e in enqs:
                for r in reps:
                    link_w.writerow([e.record_id, r.record_id])
            for a in range(len(reps)):
                for b in range(a + 1, len(reps)):
                    dd_w.writerow([reps[a].record_id, reps[b].record_id])
            counts["persons"] += 1
            counts["reports"] += len(reps)
            counts["enquiries"] += len(enqs)
            counts["pairs_link"] += len(enqs) * len(reps)
            counts["pairs_dedupe"] += len(reps) * (len(reps) - 1) // 2
            if i % 1000 == 999:
                progress.update(task, completed=i + 1)
        progress.update(task, completed=persons)
    meta = {
        "seed": seed,
        "noise_version": NOISE_VERSION,
        **counts,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--persons", type=int, default=5000, help="persons in the world (default 5000)")
    ap.add_argument("--max-reports", type=int, help="write at most this many reports")
    ap.add_argument("--max-enquiries", type=int, help="write at most this many enquiries")
    ap.add_argument("--seed", type=int, default=20261127, help="world and noise seed")
    ap.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    args = ap.parse_args()
    meta = generate(
        args.out,
        args.seed,
        args.persons,
        max_reports=args.max_reports,
        max_enquiries=args.max_enquiries,
    )
    Console().print(meta)


if __name__ == "__main__":
    main()
