"""The crash drill shared by the crash-safety test and the load benchmark.

A real ``kintrace serve`` takes concurrent enquiry posts, each with its own Idempotency-Key,
and is killed with SIGKILL at random moments, then restarted on the same port. Posts without an
answer (connection dropped, 409 while a dead request's claim is still fresh, 5xx) are retried
with the same key until acknowledged. Afterwards the store must hold every acknowledged enquiry
exactly once, each with its matching job and audit event, and an audit chain that verifies.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from tests.factories import enquiry_payload, make_settings
from tests.surge.conftest import Server, start_server

from kintrace import audit
from kintrace.db import make_engine, make_sessionmaker
from kintrace.db.models import AuditEvent, Enquiry, IdempotencyRecord, MatchJob

# In the drill a dead request's claim may be taken over after this many seconds (a minute in
# production); only the wait changes, not what is checked.
STALE_CLAIM_S = 1.0


@dataclass
class DrillResult:
    kills: int
    posts: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> reference
    unanswered: int = 0
    restart_seconds: list[float] = field(default_factory=list)
    stored: int = 0
    problems: list[str] = field(default_factory=list)


def crash_drill(
    data_dir: Path,
    database_url: str | None,
    *,
    kills: int,
    clients: int = 4,
    seed: int = 7,
    load_seconds: tuple[float, float] = (0.4, 1.2),
    workers: int = 1,
) -> DrillResult:
    rng = random.Random(seed)
    result = DrillResult(kills=kills)
    server = start_server(data_dir, database_url, stale_claim_s=STALE_CLAIM_S, workers=workers)
    url, port = server.url, server.port
    pending: deque[str] = deque()
    lock = threading.Lock()
    issuing = threading.Event()
    issuing.set()
    counter = iter(range(10**9))

    def next_key() -> str | None:
        with lock:
            if pending:
                return pending.popleft()
        if issuing.is_set():
            return f"drill-{next(counter)}"
        return None

    def client_loop() -> None:
        with httpx.Client(timeout=15) as client:
            while True:
                key = next_key()
                if key is None:
                    with lock:
                        if not pending and len(result.acknowledged) >= _issued(result):
                            return
                    time.sleep(0.05)
                    continue
                with lock:
                    result.posts += 1
                try:
                    response = client.post(
                        f"{url}/api/v1/enquiries",
                        json=enquiry_payload(),
                        headers={"Idempotency-Key": key},
                    )
                except httpx.TransportError:
                    response = None
                with lock:
                    if response is not None and response.status_code == 201:
                        result.acknowledged[key] = response.json()["reference"]
                    else:
                        result.unanswered += 1
                        pending.append(key)
                        _seen.add(key)
                if response is None:
                    # The server is down or restarting: do not steal its CPU while it starts.
                    time.sleep(0.25)
                elif response.status_code in (409, 503):
                    time.sleep(0.1)

    _seen: set[str] = set()

    def _issued(res: DrillResult) -> int:
        return len(set(res.acknowledged) | _seen)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(kills):
            time.sleep(rng.uniform(*load_seconds))
            server.kill()
            started = time.monotonic()
            server = start_server(
                data_dir, database_url, stale_claim_s=STALE_CLAIM_S, port=port, workers=workers
            )
            result.restart_seconds.append(time.monotonic() - started)
        time.sleep(rng.uniform(*load_seconds))
        issuing.clear()
        for thread in threads:
            thread.join(timeout=120)
        if any(thread.is_alive() for thread in threads):
            result.problems.append("some posts were never acknowledged after two minutes")
    finally:
        issuing.clear()
        server.stop()
    _verify(data_dir, database_url, result)
    return result


def _verify(data_dir: Path, database_url: str | None, result: DrillResult) -> None:
    settings = make_settings(data_dir, database_url)
    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(sa.select(Enquiry.id, Enquiry.reference)).all()
            result.stored = len(rows)
            references = [reference for _id, reference in rows]
            if sorted(references) != sorted(result.acknowledged.values()):
                result.problems.append(
                    f"{len(rows)} enquiries stored, {len(result.acknowledged)} acknowledged"
                )
            jobs = dict(
                session.execute(
                    sa.select(MatchJob.subject_id, sa.func.count())
                    .where(MatchJob.subject_type == "enquiry")
                    .group_by(MatchJob.subject_id)
                ).all()
            )
            events = dict(
                session.execute(
                    sa.select(AuditEvent.subject_id, sa.func.count())
                    .where(AuditEvent.kind == "enquiry.received")
                    .group_by(AuditEvent.subject_id)
                ).all()
            )
            half = [i for i, _r in rows if jobs.get(i) != 1 or events.get(i) != 1]
            if half:
                result.problems.append(f"{len(half)} enquiries without exactly one job and event")
            answers = dict(
                session.execute(
                    sa.select(IdempotencyRecord.key, IdempotencyRecord.subject_id).where(
                        IdempotencyRecord.state == "complete"
                    )
                ).all()
            )
            by_id = dict(rows)
            wrong = [
                k for k, ref in result.acknowledged.items() if by_id.get(answers.get(k)) != ref
            ]
            if wrong:
                result.problems.append(f"{len(wrong)} keys do not lead to their enquiry")
            check = audit.verify(session)
            if not check.ok:
                result.problems.append(f"audit chain: {check.reason}")
            if engine.dialect.name == "sqlite":
                integrity = session.execute(sa.text("PRAGMA integrity_check")).scalar()
                if integrity != "ok":
                    result.problems.append(f"SQLite integrity check: {integrity}")
    finally:
        engine.dispose()


__all__ = ["DrillResult", "Server", "crash_drill"]
