"""Two ``kintrace serve`` processes against one PostgreSQL on loopback (issue 9 item 1).

Both take families' enquiries (public API) and source officers' capture cards at the same time;
afterwards every acknowledged record is stored exactly once with one matching job, no match is
stored twice, and each enquiry is matched with the report about the same man.

Then each worker's real-time matching index must see what the *other* one stored: one process
is frozen (SIGSTOP) while reports go in through the other and are matched there; then that one
is frozen instead and enquiries go in through the first, which alone can match them. A worker
learns of rows another process stored from the database itself (the row count it checks before
every batch; see docs/operations.md), not from any message between processes.
"""

from __future__ import annotations

import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, enquiry_payload, migrated_store
from tests.review.conftest import add_source
from tests.surge.conftest import Server, start_server

from kintrace.db.jobs import pending_count
from kintrace.db.models import Enquiry, Match, MatchJob, Organisation, Report
from kintrace.domain import Role
from kintrace.intake.staff import create_user

pytestmark = pytest.mark.postgres

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
OFFICER = "olena@deploy.example.org"
# Synthetic men, one per family name; each is reported once and sought once.
FAMILIES = ["Кислиця", "Мельничук", "Гордієнко", "Ярошенко", "Бондарчук", "Федорчук",
            "Остапенко", "Дорошенко", "Савчук", "Литвиненко", "Панченко", "Зінченко",
            "Руденко", "Головко", "Кравчук", "Тимошенко", "Левченко", "Марченко"]  # fmt: skip
GIVEN = ["Сергій", "Андрій", "Богдан", "Василь", "Дмитро", "Євген", "Іван", "Олег", "Петро"]


def man(k: int) -> dict[str, str]:
    return {
        "family_name": FAMILIES[k],
        "given_name": GIVEN[k % len(GIVEN)],
        "patronymic": "Миколайович",
        "birth_date": f"{1980 + k}-0{1 + k % 9}-1{k % 10}",
        "military_unit": f"А{1000 + k}",
    }


@pytest.fixture
def postgres_url(postgres_admin_engine: Any) -> Iterator[str]:
    name = f"kt_deploy_{uuid.uuid4().hex[:12]}"
    with postgres_admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_admin_engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with postgres_admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Worker:
    """One serve process seen by a source officer and by families."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.officer = httpx.Client(base_url=server.url, timeout=30)
        page = self.officer.get("/staff/login")
        answer = self.officer.post(
            "/staff/login",
            data={
                "email": OFFICER,
                "password": PASSWORD,
                "csrf_token": CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                "next": "/staff",
            },
        )
        assert answer.status_code == 303, "the officer could not sign in"
        self.lock = threading.Lock()

    def report(self, k: int) -> int:
        with self.lock:  # one officer session: its CSRF token and cookie go together
            token = CSRF.search(self.officer.get("/staff/reports/new").text).group(1)  # type: ignore[union-attr]
            card = {
                **man(k),
                "report_type": "captured",
                "event_date": "2025-05-20",
                "party": "UA",
                "detaining_power": "RU",
                "country_held": "RU",
                "source_document_ref": f"DEPLOY-{k}",
                "csrf_token": token,
            }
            answer = self.officer.post("/staff/reports/new", data=card)
        assert answer.status_code == 303, f"report {k}: {answer.status_code}"
        return int(answer.headers["location"].rsplit("=", 1)[1])

    def enquiry(self, k: int) -> str:
        m = man(k)
        body = enquiry_payload(
            sought__full_name=f"{m['family_name']} {m['given_name']} {m['patronymic']}",
            sought__birth_date=m["birth_date"],
            sought__military_unit=m["military_unit"],
        )
        answer = httpx.post(
            f"{self.server.url}/api/v1/enquiries",
            json=body,
            headers={"Idempotency-Key": f"deploy-{k}"},
            timeout=30,
        )
        assert answer.status_code == 201, f"enquiry {k}: {answer.status_code}"
        return str(answer.json()["reference"])

    def freeze(self, engine: sa.Engine) -> None:
        """Stop the process at a moment none of its connections is inside a transaction.

        Stopped inside one (its worker's maintenance or a store, which take row locks and the
        audit chain's lock) it would hold those locks until thawed, and the other process's
        writes would wait for them instead of being matched. From outside we cannot tell its
        connections from the other's, so we stop it, look, and try again while any connection
        to the test database is in a transaction or a statement; the other process is idle
        between its queue looks, so a quiet moment comes soon. The bound only ends a hang."""
        busy = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " AND state <> 'idle'"
        )
        deadline = time.monotonic() + 300
        while True:
            self.server.process.send_signal(signal.SIGSTOP)
            with engine.connect() as conn:
                if not conn.execute(busy).scalar():
                    return
            self.thaw()
            assert time.monotonic() < deadline, "no quiet moment to stop the serve process"
            time.sleep(0.02)

    def thaw(self) -> None:
        self.server.process.send_signal(signal.SIGCONT)


def drain(engine: sa.Engine, timeout: float = 300.0) -> None:
    # Generous: the first batch loads each worker's indexes, and CI runs this beside the
    # rest of the suite on two cores; only jobs that are never done wait this long.
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            with sa.orm.Session(conn) as session:
                if pending_count(session) == 0:
                    return
            conn.rollback()
            time.sleep(0.2)
    raise AssertionError("the matching jobs were not done in time")


def matched(engine: sa.Engine, references: dict[int, str], reports: dict[int, int]) -> set[int]:
    """The men k whose enquiry has a stored match (p >= 0.5) with his own report."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Enquiry.reference, Match.report_id)
            .join(Match, Match.enquiry_id == Enquiry.id)
            .where(Match.probability >= 0.5)
        ).all()
    found = {(ref, rid) for ref, rid in rows}
    return {k for k in references if (references[k], reports.get(k)) in found}


def test_two_workers_lose_and_duplicate_nothing_and_each_index_sees_the_other(
    tmp_path: Path, postgres_url: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with migrated_store(data_dir, postgres_url) as store:
        with store.sessions.begin() as session:
            org = Organisation(code="DEP", name="Deploy bureau")
            session.add(org)
            session.flush()
            officer = create_user(session, OFFICER, PASSWORD, Role.source_officer, org)
            officer.source_id = add_source(session, "Bureau list", "A").id
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    env = {"KINTRACE_ENVIRONMENT": "development"}  # "test" would not run the match worker
    with ThreadPoolExecutor(2) as pool:
        servers = list(pool.map(lambda _: start_server(data_dir, postgres_url, env=env), range(2)))
    workers: list[Worker] = []
    try:
        workers = [Worker(s) for s in servers]
        a, b = workers
        reports: dict[int, int] = {}
        references: dict[int, str] = {}

        # 1. Concurrent load on both: man k is reported through one worker and sought through
        # the other, all at once.
        first = range(10)
        with ThreadPoolExecutor(6) as pool:
            report_futures = {k: pool.submit(workers[k % 2].report, k) for k in first}
            enquiry_futures = {k: pool.submit(workers[(k + 1) % 2].enquiry, k) for k in first}
            reports |= {k: f.result() for k, f in report_futures.items()}
            references |= {k: f.result() for k, f in enquiry_futures.items()}
        drain(engine)
        assert matched(engine, references, reports) == set(first)

        # 2. and 3. Reports matched by one worker, then enquiries only the other can take.
        for writer, reader, men in ((a, b, range(10, 14)), (b, a, range(14, 18))):
            reader.freeze(engine)
            try:
                reports |= {k: writer.report(k) for k in men}
                drain(engine)
            finally:
                reader.thaw()
            writer.freeze(engine)
            try:
                references |= {k: reader.enquiry(k) for k in men}
                drain(engine)
            finally:
                writer.thaw()
            assert matched(engine, references, reports) >= set(men), (
                f"the worker on port {reader.server.port} did not see reports the other stored"
            )
    finally:
        for w in workers:
            w.thaw()
        for s in servers:
            s.stop()

    with engine.connect() as conn:
        stored_reports = conn.execute(sa.select(Report.id, Report.source_document_ref)).all()
        stored_enquiries = conn.execute(sa.select(Enquiry.reference)).scalars().all()
        jobs = conn.execute(
            sa.select(MatchJob.subject_type, MatchJob.subject_id, sa.func.count()).group_by(
                MatchJob.subject_type, MatchJob.subject_id
            )
        ).all()
        doubled = conn.execute(
            sa.select(Match.enquiry_id, Match.report_id)
            .group_by(Match.enquiry_id, Match.report_id)
            .having(sa.func.count() > 1)
        ).all()
        unfinished = conn.execute(
            sa.select(sa.func.count()).where(MatchJob.state != "done")
        ).scalar()
    engine.dispose()
    assert sorted(i for i, _ in stored_reports) == sorted(reports.values())
    assert sorted(ref for _, ref in stored_reports) == sorted(f"DEPLOY-{k}" for k in range(18))
    assert sorted(stored_enquiries) == sorted(references.values())
    assert len(jobs) == 36 and all(n == 1 for _, _, n in jobs)
    assert doubled == []
    assert unfinished == 0
