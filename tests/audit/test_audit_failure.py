"""If the audit event cannot be written, the request fails with 503 and shows nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from tests.factories import enquiry_payload, make_settings

from kintrace.db import upgrade
from kintrace.db.models import AuditEvent, Enquiry
from kintrace.web.app import create_app

URL = "/api/v1/enquiries"
HEADERS = {"content-type": "application/json", "accept-language": "en"}


@pytest.fixture
def client(database_url: str, data_dir: Path) -> Iterator[tuple[TestClient, object]]:
    settings = make_settings(data_dir, database_url)
    upgrade(settings)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, app.state.sessionmaker


def break_audit(sessions) -> None:  # type: ignore[no-untyped-def]
    """The database refuses every write to the audit log (and only that), whichever code
    path writes it: one event, a group-commit batch, ORM or Core."""
    engine = sessions.kw["bind"]

    def refuse(conn, cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"):
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    # The engine is this test's own (create_app per test), so the listener dies with it.
    sa.event.listen(engine, "before_cursor_execute", refuse)


def count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_an_enquiry_whose_audit_event_cannot_be_written_is_refused_with_503_and_not_stored(
    client,
) -> None:  # type: ignore[no-untyped-def]
    test_client, sessions = client
    break_audit(sessions)
    response = test_client.post(URL, content=json.dumps(enquiry_payload()), headers=HEADERS)
    assert response.status_code == 503
    assert "KT-" not in response.text and "secret" not in response.text
    assert "Кислиця" not in response.text
    assert count(sessions, Enquiry) == 0 and count(sessions, AuditEvent) == 0


def test_a_family_cannot_read_its_enquiry_while_the_audit_log_is_down(client) -> None:  # type: ignore[no-untyped-def]
    test_client, sessions = client
    created = test_client.post(URL, content=json.dumps(enquiry_payload()), headers=HEADERS)
    assert created.status_code == 201
    body = created.json()
    break_audit(sessions)
    response = test_client.get(
        body["status_url"], headers={"X-Enquiry-Secret": body["secret"], "accept-language": "en"}
    )
    assert response.status_code == 503
    assert "Кислиця" not in response.text and "2001" not in response.text
    assert count(sessions, AuditEvent) == 1  # only the submission was recorded
