"""Bulk import speed (issue 4 item 2): 1,000,000 CSV rows and 100,000 XLSX rows on SQLite.

Targets: each import <= 60 s. The baseline, measured in the same run on the same rows, is a
plain import: the stdlib csv reader (openpyxl read-only for XLSX) and sqlite3 `executemany`
into a table with the same columns, one transaction, the same durable PRAGMAs (WAL,
synchronous=FULL), no validation and no encryption. kintrace's import reads the file with
`read_table`, validates every row (`ReportIn`), seals every personal field (AES-256-GCM,
issue 6), inserts with SQLAlchemy Core executemany in chunks, queues one matching job per
report and writes one audit event, all in one transaction that is committed at the end.

Matching the new reports against open enquiries is timed separately (`--match N`: the
first N imported reports against the world's enquiries with `kintrace.matching`).

    .venv/bin/python bench/import/run.py                       # 1M CSV + 100k XLSX (minutes)
    .venv/bin/python bench/import/run.py --csv-rows 100000 --xlsx-rows 20000   # quicker

Files are generated from the synthetic world (seed 20261127) into $TMPDIR/kintrace-bench-import
and reused. Prints a rich table; JSON into bench/results/import.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parents[1] / "results"
CACHE = Path(tempfile.gettempdir()) / "kintrace-bench-import"
SEED = 20261127
TARGET_S = 60.0

# A bureau list as officers send it: Ukrainian headers, one row per report.
HEADERS = [
    "Номер запису", "ПІБ", "Прізвище", "Ім'я", "По батькові", "Стать", "Дата народження",
    "Місце народження", "в/ч", "Особистий номер", "Звання", "Дата полону", "Місце полону",
    "Статус",
]  # fmt: skip


def synthetic_rows(count: int) -> Iterator[list[str]]:
    from kintrace.synthetic import iter_world

    made = 0
    seed = SEED
    while made < count:
        for bundle in iter_world(seed, max(count // 2, 1000)):
            for r in bundle.reports:
                yield [
                    f"{seed}-{r.report_id}", r.full_name, r.family_name, r.given_name,
                    r.patronymic, r.sex, r.birth_date, r.birth_place, r.military_unit,
                    r.service_number, r.rank, r.capture_date, r.capture_place, r.report_type,
                ]  # fmt: skip
                made += 1
                if made >= count:
                    return
        seed += 1


def ensure_csv(rows: int) -> Path:
    path = CACHE / f"list-{rows}.csv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(synthetic_rows(rows))
        tmp.replace(path)
    return path


def ensure_xlsx(rows: int) -> Path:
    path = CACHE / f"list-{rows}.xlsx"
    if not path.exists():
        import openpyxl

        CACHE.mkdir(parents=True, exist_ok=True)
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(HEADERS)
        for row in synthetic_rows(rows):
            sheet.append(row)
        tmp = path.with_suffix(".part.xlsx")
        workbook.save(tmp)
        tmp.replace(path)
    return path


def baseline(path: Path, workdir: Path) -> tuple[float, float]:
    """Plain import: read the rows and executemany them into SQLite, one transaction.
    Returns (wall seconds, CPU seconds of this process)."""
    db = workdir / "baseline.sqlite3"
    start, cpu = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
    conn.execute(f"CREATE TABLE report (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" for _ in HEADERS)
    statement = (
        f"INSERT INTO report ({', '.join(f'c{i}' for i in range(len(HEADERS)))}) VALUES ({marks})"
    )
    conn.execute("BEGIN")
    chunk: list[list[Any]] = []
    for row in _plain_rows(path):
        chunk.append((row + [""] * len(HEADERS))[: len(HEADERS)])
        if len(chunk) >= 5000:
            conn.executemany(statement, chunk)
            chunk.clear()
    if chunk:
        conn.executemany(statement, chunk)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _plain_rows(path: Path) -> Iterator[list[str]]:
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            yield from reader
    else:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        next(rows)
        for values in rows:
            yield ["" if v is None else str(v) for v in values]
        workbook.close()


def kintrace_import(path: Path, workdir: Path) -> dict[str, Any]:
    import sqlalchemy as sa

    from kintrace.db import make_engine, make_sessionmaker, upgrade
    from kintrace.db.models import Report, Source
    from kintrace.domain import Reliability
    from kintrace.intake.reports import guess_mapping, import_batch
    from kintrace.io.tables import read_table
    from kintrace.keys import Keys
    from kintrace.settings import Settings

    settings = Settings(data_dir=workdir / "data", environment="test")
    engine = make_engine(settings)
    Keys(settings)
    upgrade(settings, engine=engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        session.add(Source(name="Bench bureau", reliability=Reliability.B))
    with sessions() as session:
        source_id = session.scalar(sa.select(Source.id))
    start, cpu = time.perf_counter(), time.process_time()
    table = read_table(path)
    mapping = guess_mapping(table.headers)
    with sessions.begin() as session:
        result = import_batch(session, table, mapping, source_id, quarantine_bad_rows=True)
        before_commit = time.perf_counter()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    with sessions() as session:
        stored = session.scalar(sa.select(sa.func.count()).select_from(Report))
    engine.dispose()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "commit_seconds": elapsed - (before_commit - start),
        "reports": stored,
        "quarantined": result.rows_quarantined,
        "mapped_fields": len(mapping.columns),
        "db": settings.resolved_database_url(),
    }


def match_new_reports(path: Path, limit: int) -> dict[str, Any]:
    """Link the first `limit` rows of the file against the world's enquiries."""
    from kintrace.matching import link_records
    from kintrace.synthetic import iter_world

    enquiries = []
    for bundle in iter_world(SEED, max(limit // 2, 1000)):
        enquiries.extend(e.exchange_row() for e in bundle.enquiries)
    reports = []
    for i, row in enumerate(_plain_rows(path)):
        if i >= limit:
            break
        record = dict(zip(HEADERS, row, strict=False))
        reports.append({
            "record_id": record["Номер запису"], "full_name": record["ПІБ"],
            "family_name": record["Прізвище"], "given_name": record["Ім'я"],
            "patronymic": record["По батькові"], "sex": record["Стать"],
            "birth_date": record["Дата народження"], "birth_place": record["Місце народження"],
            "military_unit": record["в/ч"], "source": "bench",
            "service_number": record["Особистий номер"], "capture_date": record["Дата полону"],
            "capture_place": record["Місце полону"],
        })  # fmt: skip
    start = time.perf_counter()
    pairs = link_records(enquiries, reports, threshold=0.5)
    return {
        "seconds": time.perf_counter() - start,
        "reports": len(reports),
        "enquiries": len(enquiries),
        "pairs_at_0_5": len(pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--match", type=int, default=20_000, help="reports to match (0: skip)")
    args = parser.parse_args()
    console = Console()
    runs = []
    for kind, rows in (("csv", args.csv_rows), ("xlsx", args.xlsx_rows)):
        if rows <= 0:
            continue
        with console.status(f"Generating {rows:,} {kind.upper()} rows (cached)..."):
            path = ensure_csv(rows) if kind == "csv" else ensure_xlsx(rows)
        with tempfile.TemporaryDirectory() as tmp:
            with console.status(f"Baseline: plain executemany of {rows:,} {kind} rows..."):
                base, base_cpu = baseline(path, Path(tmp))
            with console.status(f"kintrace import of {rows:,} {kind} rows..."):
                ours = kintrace_import(path, Path(tmp))
        runs.append({
            "file": kind, "rows": rows, "file_mb": round(path.stat().st_size / 1e6, 1),
            "baseline_s": round(base, 2), "kintrace_s": round(ours["seconds"], 2),
            "commit_s": round(ours["commit_seconds"], 2),
            "baseline_cpu_s": round(base_cpu, 2), "kintrace_cpu_s": round(ours["cpu_seconds"], 2),
            "rows_per_s": round(rows / ours["seconds"]), "reports_stored": ours["reports"],
            "quarantined": ours["quarantined"], "target_s": TARGET_S,
            "within_target": ours["seconds"] <= TARGET_S,
            "slowdown_vs_baseline": round(ours["seconds"] / base, 1),
        })  # fmt: skip
    matching = None
    if args.match > 0 and args.csv_rows > 0:
        with console.status(f"Matching {args.match:,} new reports against enquiries..."):
            matching = match_new_reports(ensure_csv(args.csv_rows), args.match)

    table = Table(title="Bulk import on SQLite (one transaction, durable PRAGMAs)")
    for column in ("file", "rows", "MB", "baseline s (cpu)", "kintrace s (cpu)", "rows/s",
                   "x baseline", "stored", "target"):  # fmt: skip
        table.add_column(column, justify="right")
    for run in runs:
        table.add_row(
            run["file"], f"{run['rows']:,}", str(run["file_mb"]),
            f"{run['baseline_s']:.1f} ({run['baseline_cpu_s']:.1f})",
            f"{run['kintrace_s']:.1f} ({run['kintrace_cpu_s']:.1f})", f"{run['rows_per_s']:,}",
            f"{run['slowdown_vs_baseline']}", f"{run['reports_stored']:,}",
            ("[green]" if run["within_target"] else "[red]") + f"<= {TARGET_S:.0f} s",
        )  # fmt: skip
    console.print(table)
    if matching:
        console.print(
            f"Matching {matching['reports']:,} new reports against {matching['enquiries']:,} "
            f"enquiries: {matching['seconds']:.1f} s ({matching['pairs_at_0_5']:,} pairs >= 0.5)"
        )
    RESULTS.mkdir(exist_ok=True)
    out = {
        "benchmark": "import",
        # Wall time depends on what else runs; the load average says how busy the machine was.
        "machine": {"cpus": os.cpu_count(), "load_average_1m": os.getloadavg()[0]},
        "runs": runs,
        "matching": matching,
    }
    (RESULTS / "import.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
