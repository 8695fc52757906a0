"""`kintrace audit verify` on a million events (issue 6 item 4: target under 60 s).

Builds a SQLite database at the newest schema holding N chained audit events (ids only, as the
service writes them) and a signed checkpoint at the tail, then in the same run times:
  - baseline: read the same rows with the same query from a raw cursor and SHA-256 each one
    plainly (the driver's values joined with "|"): the floor reading and hashing alone cost;
  - verify:   the real verification (canonical JSON per event, chain links, signed heads).
Prints a rich table; JSON into bench/results/audit_verify.json.

    .venv/bin/python bench/audit/verify.py [--events 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kintrace.audit.chain import _CHAIN_SQL, GENESIS_HASH, row_hash
from kintrace.audit.checkpoints import verify_with_checkpoints, write_checkpoint
from kintrace.db import make_engine, upgrade
from kintrace.db.models import AuditEvent
from kintrace.settings import Settings

RESULTS = Path(__file__).resolve().parents[1] / "results"
KINDS = [
    ("enquiry.read", "enquiry", {}),
    ("record.viewed", "case", {"record_type": "case"}),
    ("enquiry.received", "enquiry", {"channel": "web"}),
    ("match.decided", "match", {"decision_id": 1, "judgement": "positive"}),
]


def fill(engine: sa.Engine, events: int, console: Console) -> None:
    rng = random.Random(20261127)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    prev = GENESIS_HASH
    batch: list[dict[str, object]] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("writing events", total=events)
        for seq in range(1, events + 1):
            kind, stype, detail = KINDS[rng.randrange(len(KINDS))]
            at = start + timedelta(milliseconds=seq * 37)
            actor, subject = rng.randint(1, 500), rng.randint(1, 200_000)
            h = row_hash(
                seq=seq, prev_hash=prev, occurred_at=at, kind=kind, actor_kind="staff",
                actor_id=actor, subject_type=stype, subject_id=subject, detail=detail,
            )  # fmt: skip
            batch.append(
                {
                    "seq": seq, "occurred_at": at, "kind": kind, "actor_kind": "staff",
                    "actor_id": actor, "subject_type": stype, "subject_id": subject,
                    "detail": detail, "prev_hash": prev, "hash": h,
                }
            )  # fmt: skip
            prev = h
            if len(batch) == 20_000 or seq == events:
                with engine.begin() as conn:
                    conn.execute(sa.insert(AuditEvent), batch)
                progress.update(task, advance=len(batch))
                batch.clear()


def baseline(engine: sa.Engine) -> tuple[float, int]:
    """Read the same columns with a raw cursor and SHA-256 the values as the driver gives them."""
    start = time.perf_counter()
    count = 0
    sha256 = hashlib.sha256
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(_CHAIN_SQL)
        while batch := cursor.fetchmany(10000):
            for row in batch:
                sha256("|".join(map(str, row)).encode()).digest()
                count += 1
        cursor.close()
    return time.perf_counter() - start, count


def verify(engine: sa.Engine, data_dir: Path) -> tuple[float, int, bool]:
    start = time.perf_counter()
    with engine.connect() as conn:
        check = verify_with_checkpoints(conn, data_dir)
    return time.perf_counter() - start, check.events, check.ok and check.checkpoints == 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), environment="test")
        engine = make_engine(settings)
        upgrade(settings, engine=engine)
        fill(engine, args.events, console)
        write_checkpoint(engine, settings.data_dir)
        size_mb = (Path(tmp) / "kintrace.db").stat().st_size / 1e6
        baseline(engine)  # warm the page cache, so neither timed pass reads a cold file
        base_s, base_n = baseline(engine)
        verify_s, verify_n, ok = verify(engine, settings.data_dir)
        engine.dispose()
    assert ok and verify_n == base_n == args.events, "the benchmark chain did not verify"
    result = {
        "benchmark": "audit_verify",
        "database": "sqlite",
        "events": args.events,
        "database_mb": round(size_mb, 1),
        "baseline_plain_sha256_s": round(base_s, 2),
        "verify_s": round(verify_s, 2),
        "verify_events_per_s": round(verify_n / verify_s),
        "target_s": 60,
        "meets_target": verify_s < 60,
    }
    table = Table(title=f"Audit verify, {args.events:,} events (SQLite, {size_mb:.0f} MB)")
    table.add_column("run")
    table.add_column("seconds", justify="right")
    table.add_column("events/s", justify="right")
    table.add_row("baseline: plain SHA-256 per row", f"{base_s:.1f}", f"{base_n / base_s:,.0f}")
    table.add_row(
        "kintrace audit verify (chain + signed head)",
        f"{verify_s:.1f}",
        f"{verify_n / verify_s:,.0f}",
    )
    console.print(table)
    console.print(f"target < 60 s: {'met' if result['meets_target'] else 'MISSED'}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "audit_verify.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
