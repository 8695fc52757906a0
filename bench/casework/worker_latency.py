"""Match worker latency: time from an enquiry's commit to its stored matches.

Seeds a synthetic world's reports, runs the match worker in a background thread (as
`kintrace serve` does), then files enquiries through the intake service:

- baseline: 1 enquiry per second (the worker mostly idle),
- load: --rate enquiries per second (default 20) for --seconds,
- surge: --surge enquiries queued while the worker is stopped, then drained.

Latency = MatchJob.finished_at - Enquiry.created_at (both stamped by the same clock). The engine
alone (CandidateIndex.query on the same index) is measured in the same run as the floor.
Writes bench/results/casework_worker.json and prints a table.

    .venv/bin/python bench/casework/worker_latency.py --persons 3000 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from kintrace.db import make_engine, make_sessionmaker, upgrade
from kintrace.db.models import Enquiry, MatchJob, Organisation, Report, Source
from kintrace.domain import JobState, Reliability, ReportType
from kintrace.intake.enquiries import EnquiryIn, submit_enquiry
from kintrace.keys import Keys
from kintrace.review.worker import MatchWorker
from kintrace.settings import Settings
from kintrace.synthetic import make_world

RESULTS = Path(__file__).resolve().parents[1] / "results" / "casework_worker.json"


def enquiry_body(e: Any) -> dict[str, Any]:
    return {
        "sought": {
            "full_name": e.full_name or None,
            "family_name": e.family_name or None,
            "given_name": e.given_name or None,
            "patronymic": e.patronymic or None,
            "sex": e.sex or None,
            "birth_date": e.birth_date or None,
            "birth_place": e.birth_place or None,
            "military": not e.civilian,
            "military_unit": e.military_unit or None,
        },
        "enquirer": {
            "name": e.enquirer_name,
            "relationship": e.relationship,
            "email": e.email or None,
            "phone": e.phone or None,
            "language": e.language,
        },
        "consent": True,
    }


def seed(sessions: Any, world: Any) -> None:
    with sessions.begin() as session:
        session.add(Organisation(code="KT", name="Bench organisation"))
        ids: dict[str, int] = {}
        for name in sorted({r.source for r in world.reports}):
            source = Source(name=name, reliability=Reliability.B)
            session.add(source)
            session.flush()
            ids[name] = source.id
        known = {t.value for t in ReportType}
        for r in world.reports:
            session.add(
                Report(
                    source_id=ids[r.source],
                    report_type=ReportType(r.report_type if r.report_type in known else "seen"),
                    full_name=r.full_name or None,
                    family_name=r.family_name or None,
                    given_name=r.given_name or None,
                    patronymic=r.patronymic or None,
                    sex=r.sex or None,
                    birth_date=r.birth_date or None,
                    birth_place=r.birth_place or None,
                    military_unit=r.military_unit or None,
                    service_number=r.service_number or None,
                )
            )


def file_at_rate(sessions: Any, keys: Keys, bodies: list[EnquiryIn], rate: float) -> list[int]:
    ids = []
    start = time.monotonic()
    for i, body in enumerate(bodies):
        wait = start + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        with sessions.begin() as session:
            ids.append(submit_enquiry(session, body, channel="api", keys=keys).enquiry_id)
    return ids


def latencies(sessions: Any, ids: list[int], timeout: float = 120.0) -> list[float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sessions() as session:
            rows = session.execute(
                sa.select(Enquiry.created_at, MatchJob.finished_at)
                .join(
                    MatchJob,
                    sa.and_(MatchJob.subject_type == "enquiry", MatchJob.subject_id == Enquiry.id),
                )
                .where(Enquiry.id.in_(ids), MatchJob.state == JobState.done)
            ).all()
        if len(rows) == len(ids):
            return sorted((f - c).total_seconds() for c, f in rows)
        time.sleep(0.1)
    raise RuntimeError("The worker did not finish the enquiries in time.")


def summary(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
    return {
        "n": len(values),
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "max_ms": max(values) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--surge", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kt-bench-worker-"))
    settings = Settings(data_dir=tmp, database_url=args.database_url, environment="test")
    engine = make_engine(settings)
    upgrade(settings, engine=engine)
    sessions = make_sessionmaker(engine)
    keys = Keys(settings)
    world = make_world(seed=7, persons=args.persons)
    seed(sessions, world)
    bodies = []
    for e in world.enquiries:
        try:
            bodies.append(EnquiryIn.model_validate(enquiry_body(e)))
        except ValidationError:
            continue
    n_load = int(args.rate * args.seconds)
    needed = 5 + n_load + args.surge
    bodies = (bodies * (needed // max(len(bodies), 1) + 1))[:needed]

    worker = MatchWorker(sessions)
    t0 = time.monotonic()
    worker.load()
    index_s = time.monotonic() - t0
    # The floor: the engine alone answering one enquiry from the same index.
    engine_only = []
    for body in bodies[:50]:
        record = {
            "record_id": "q",
            "full_name": body.sought.full_name or "",
            "family_name": body.sought.family_name or "",
            "given_name": body.sought.given_name or "",
            "birth_date": body.sought.birth_date or "",
        }
        t1 = time.monotonic()
        if worker.reports.index is not None:
            worker.reports.index.query(record, min_probability=0.05, limit=10, explain=True)
        engine_only.append(time.monotonic() - t1)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            if worker.run_once() == 0:
                stop.wait(0.02)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    baseline = latencies(sessions, file_at_rate(sessions, keys, bodies[:5], 1.0))
    load = latencies(sessions, file_at_rate(sessions, keys, bodies[5 : 5 + n_load], args.rate))
    stop.set()
    thread.join()
    surge_ids = file_at_rate(sessions, keys, bodies[5 + n_load :], 10_000.0)
    t0 = time.monotonic()
    worker.drain()
    drain_s = time.monotonic() - t0
    engine.dispose()

    result = {
        "reports": len(world.reports),
        "index_build_s": round(index_s, 2),
        "engine_query_only": summary(engine_only),
        "baseline_1_per_s": summary(baseline),
        f"load_{args.rate:g}_per_s": summary(load),
        "surge": {
            "enquiries": len(surge_ids),
            "drain_s": round(drain_s, 2),
            "per_s": round(len(surge_ids) / drain_s, 1),
        },
        "database": engine.dialect.name,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    table = Table(title=f"Match worker: commit → stored matches ({len(world.reports)} reports)")
    for col in ("run", "n", "p50 ms", "p95 ms", "max ms"):
        table.add_column(col)
    for name in ("engine_query_only", "baseline_1_per_s", f"load_{args.rate:g}_per_s"):
        s = result[name]
        table.add_row(
            name, str(s["n"]), f"{s['p50_ms']:.0f}", f"{s['p95_ms']:.0f}", f"{s['max_ms']:.0f}"
        )
    Console().print(table)
    Console().print(
        f"index build {index_s:.1f} s; surge of {len(surge_ids)} drained in {drain_s:.1f} s "
        f"({result['surge']['per_s']}/s)"
    )


if __name__ == "__main__":
    main()
