"""/healthz and /readyz, logs without personal data, and a graceful stop that lets a family's
request in flight finish."""

from __future__ import annotations

import io
import json
import socket
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from tests.factories import enquiry_payload
from tests.web.conftest import Web

from kintrace.db import upgrade
from kintrace.db.models import Enquiry
from kintrace.settings import Settings

# Synthetic and distinctive: no real person is called this, and no log line may contain it.
DISTINCTIVE_NAME = "Жоржина Квітослава Пампушківна"
DISTINCTIVE_ENQUIRER = "Онуфрій Пампушко"


def test_healthz_answers_ok(sqlite_web: Web) -> None:
    response = sqlite_web.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_writable_database(web: Web) -> None:
    response = web.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": True, "writable": True, "schema": True, "disk": True}


def test_readyz_is_ready_for_a_signed_in_caseworker_on_sqlite(sqlite_web: Web) -> None:
    # Looking up the staff cookie opens the request's transaction, which on SQLite holds the
    # write lock; the probe must not then wait for that lock on a second connection.
    from tests.factories import add_personas
    from tests.web.test_staff import sign_in

    with sqlite_web.sessions() as session:
        add_personas(session)
        session.commit()
    assert sign_in(sqlite_web, "alice@a.example.org").status_code == 303  # type: ignore[attr-defined]
    assert sqlite_web.client.get("/staff", follow_redirects=False).status_code == 200
    started = time.perf_counter()
    response = sqlite_web.client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["writable"] is True
    assert time.perf_counter() - started < 20  # answered, not after the lock's busy timeout


def test_readyz_is_not_ready_when_the_schema_is_behind_this_version(web: Web) -> None:
    with web.app.state.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    response = web.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["schema"] is False


def test_readyz_is_not_ready_below_the_free_disk_floor(
    sqlite_web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_MIN_FREE_DISK_MB", str(10**12))
    response = sqlite_web.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"] is False


def test_no_log_line_holds_the_name_of_the_sought_person_or_the_enquirer(
    sqlite_web: Web, json_logs: io.StringIO
) -> None:
    payload = enquiry_payload()
    payload["sought"]["full_name"] = DISTINCTIVE_NAME
    payload["enquirer"]["name"] = DISTINCTIVE_ENQUIRER
    client = sqlite_web.client
    assert (
        client.post("/api/v1/enquiries", json=payload, headers={"Idempotency-Key": "a"}).status_code
        == 201
    )
    # A refused body (the name is echoed nowhere) and a database failure whose exception text
    # quotes the statement's parameters — the name among them.
    bad = {**payload, "consent": False}
    assert client.post("/api/v1/enquiries", json=bad).status_code == 422
    engine = sqlite_web.app.state.engine
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON enquiry BEGIN "
            "SELECT RAISE(ABORT, 'refused by test'); END"
        )
    assert client.post("/api/v1/enquiries", json=payload).status_code == 500

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    text = json_logs.getvalue()
    assert DISTINCTIVE_NAME not in text
    assert "Пампушк" not in text
    requests = [line for line in lines if line["event"] == "request"]
    assert [(r["route"], r["status"]) for r in requests] == [
        ("/api/v1/enquiries", 201),
        ("/api/v1/enquiries", 422),
        ("/api/v1/enquiries", 500),
    ]
    # The failure is still diagnosable: its class and where it happened, without its text.
    failures = [line for line in lines if "exception" in line or line["event"] == "database_error"]
    assert failures


def _serve_ready_data_dir(data_dir: Path) -> None:
    upgrade(Settings(data_dir=data_dir, environment="test"))


@pytest.mark.slow
def test_a_request_in_flight_when_the_server_is_told_to_stop_still_gets_its_answer(
    data_dir: Path, serve: object
) -> None:
    _serve_ready_data_dir(data_dir)
    server = serve(data_dir)  # type: ignore[operator]
    body = json.dumps(enquiry_payload()).encode()
    head = (
        f"POST /api/v1/enquiries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Idempotency-Key: graceful-1\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        # The family's body is half-way up a slow line when the operator stops the service.
        sock.sendall(head + body[:100])
        # The server has read the head once it has answered a request sent after it (one
        # process, one event loop: the first connection's bytes were waiting before the second
        # was opened); uvicorn's shutdown closes a connection whose head it has not parsed.
        assert httpx.get(f"{server.url}/healthz", timeout=60).status_code == 200
        server.process.send_signal(15)
        time.sleep(0.5)
        assert server.process.poll() is None, "the server quit with a request in flight"
        sock.sendall(body[100:])
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 201")
    # uvicorn re-raises SIGTERM after its graceful stop, so the exit reads "killed by 15".
    assert server.process.wait(timeout=20) in (0, -15)
    assert "Finished server process" in server.log()
    engine = sa.create_engine(f"sqlite:///{data_dir / 'kintrace.db'}")
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 1
    engine.dispose()
