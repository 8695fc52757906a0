"""A full disk and a read-only database: intake answers 503 with a sentence the family can act
on, the cause is logged as a code, nothing acknowledged is lost, and the service takes enquiries
again by itself once space or permission is back.

A full disk is made portable with SQLite's ``PRAGMA max_page_count`` (SQLite then reports "database
or disk is full", as on ENOSPC); a read-only database with ``PRAGMA query_only`` (tests run as root
in CI, and root ignores file modes) or, on PostgreSQL, ``default_transaction_read_only``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from tests.factories import enquiry_payload
from tests.web.conftest import Web, form_fields

from kintrace.db.models import Enquiry, IdempotencyRecord


@contextmanager
def on_every_connection(web: Web, statement: Callable[[Any], str]) -> Iterator[None]:
    """Run a statement on every new connection while inside; pooled ones are closed first."""
    engine = web.app.state.engine

    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement(dbapi_connection))
        cursor.close()

    event.listen(engine, "connect", apply)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", apply)
        engine.dispose()


def page_limit(dbapi_connection: Any) -> str:
    cursor = dbapi_connection.cursor()
    pages = cursor.execute("PRAGMA page_count").fetchone()[0]
    cursor.close()
    return f"PRAGMA max_page_count = {pages}"


def post(web: Web, key: str) -> Any:
    return web.client.post(
        "/api/v1/enquiries",
        json=enquiry_payload(),
        headers={"Idempotency-Key": key, "accept-language": "en"},
    )


def counts(web: Web) -> tuple[int, int]:
    with web.sessions() as session:
        enquiries = session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) or 0
        in_flight = session.scalar(
            sa.select(sa.func.count())
            .select_from(IdempotencyRecord)
            .where(IdempotencyRecord.state == "in_flight")
        )
    return enquiries, in_flight or 0


@pytest.mark.parametrize("group_commit", ["0", "1"], ids=["one_tx", "group_commit"])
def test_a_full_disk_answers_503_keeps_every_acknowledged_enquiry_and_recovers(
    surge_sqlite_web: Web, json_logs: io.StringIO
) -> None:
    web = surge_sqlite_web
    acknowledged = []
    refused = None
    with on_every_connection(web, page_limit):
        for index in range(200):
            response = post(web, f"full-{index}")
            if response.status_code == 201:
                acknowledged.append(response.json()["reference"])
                continue
            refused = response
            break
        assert refused is not None, "the page limit never filled the database"
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) > 0
        assert "storage is full or cannot be written" in refused.json()["detail"]
        web.client.cookies.set("lang", "uk")
        page = web.client.post("/enquiry", data={**form_fields(), "csrf_token": web.csrf()})
        assert page.status_code == 503
        assert "сховище служби заповнене" in page.text
        web.client.cookies.delete("lang")
    # Space is back: the same service takes enquiries again, without a restart.
    assert post(web, "after").status_code == 201
    enquiries, in_flight = counts(web)
    assert enquiries == len(acknowledged) + 1
    assert in_flight == 0
    causes = [json.loads(line).get("cause") for line in json_logs.getvalue().splitlines()]
    assert "disk_full" in causes


def test_a_read_only_database_answers_503_and_recovers_when_writing_is_allowed_again(
    web: Web, json_logs: io.StringIO
) -> None:
    assert post(web, "before").status_code == 201
    engine = web.app.state.engine
    if engine.dialect.name == "sqlite":
        read_only: Any = on_every_connection(web, lambda _c: "PRAGMA query_only = ON")
    else:
        read_only = postgres_read_only(engine)
    with read_only:
        refused = post(web, "during")
        ready = web.client.get("/readyz")
    assert refused.status_code == 503
    assert "cannot be written" in refused.json()["detail"]
    assert ready.status_code == 503
    assert ready.json()["checks"]["writable"] is False
    assert post(web, "during").status_code == 201
    assert counts(web) == (2, 0)
    causes = [json.loads(line).get("cause") for line in json_logs.getvalue().splitlines()]
    assert "read_only" in causes


@contextmanager
def postgres_read_only(engine: sa.Engine) -> Iterator[None]:
    name = engine.url.database

    def switch(value: str) -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Switching back must itself be allowed to write.
            conn.exec_driver_sql("SET default_transaction_read_only = off")
            conn.exec_driver_sql(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = {value}'
            )
        engine.dispose()

    switch("on")
    try:
        yield
    finally:
        switch("off")
