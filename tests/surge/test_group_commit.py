"""Enquiries through the web while the group-commit writer stores them (the default;
KINTRACE_GROUP_COMMIT=1 forces it): the family hears "received" only after the commit, a full
writer answers 503 with Retry-After, a batch stores what the one-by-one way stores, and without
it (KINTRACE_GROUP_COMMIT=0) each request commits alone, once, and keys still hold."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.factories import enquiry_payload
from tests.web.conftest import Web, form_fields, receipt_codes

from kintrace import audit
from kintrace.db.models import AuditEvent, Enquiry, IdempotencyRecord, MatchJob
from kintrace.intake.group_commit import GroupCommitWriter, writer_for
from kintrace.keys import key_id_of


@pytest.fixture
def group_commit() -> str | None:
    return "1"


@pytest.fixture
def grouped(surge_web: Web) -> Web:
    return surge_web


def references(web: Web) -> set[str]:
    with web.sessions() as session:
        return set(session.scalars(sa.select(Enquiry.reference)))


def test_families_posting_at_once_are_each_stored_once_and_told_their_own_reference(
    grouped: Web,
) -> None:
    web = grouped

    def post(index: int) -> dict[str, str]:
        headers = {"Idempotency-Key": f"family-{index}"}
        response = web.client.post("/api/v1/enquiries", json=enquiry_payload(), headers=headers)
        assert response.status_code == 201
        return dict(response.json())

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(16)))
    assert {a["reference"] for a in answers} == references(web)
    assert len(references(web)) == 16
    # A retry of any of them gets its first answer back, secret included.
    again = web.client.post(
        "/api/v1/enquiries", json=enquiry_payload(), headers={"Idempotency-Key": "family-3"}
    )
    assert again.status_code == 201 and again.json() == answers[3]
    with web.sessions() as session:
        states = set(session.scalars(sa.select(IdempotencyRecord.state)))
    assert states == {"complete"}


def test_the_enquiry_form_receipt_comes_from_the_writer_after_the_commit(grouped: Web) -> None:
    web = grouped
    response = web.client.post("/enquiry", data={**form_fields(), "csrf_token": web.csrf()})
    assert response.status_code == 201
    codes = receipt_codes(response.text)
    assert codes["reference"] in references(web)
    writer = writer_for(web.app.state, web.app.state.sessionmaker)
    assert writer.stats.items >= 1


def test_a_full_writer_answers_503_with_retry_after_and_stores_nothing(grouped: Web) -> None:
    web = grouped
    writer = GroupCommitWriter(web.app.state.sessionmaker, max_pending=1)
    web.app.state.intake_writer = writer
    gate, entered = threading.Event(), threading.Event()

    def hold(tx: Session) -> None:
        entered.set()
        gate.wait(10)

    client = TestClient(web.app, raise_server_exceptions=False)
    with ThreadPoolExecutor(2) as pool:
        busy = pool.submit(writer.submit, hold)
        assert entered.wait(10)
        waiting = pool.submit(writer.submit, hold)
        while writer.pending < 1:
            threading.Event().wait(0.01)
        response = client.post(
            "/api/v1/enquiries", json=enquiry_payload(), headers={"accept-language": "en"}
        )
        gate.set()
        busy.result()
        waiting.result()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "nothing has been saved" in response.json()["detail"]
    assert references(web) == set()


@pytest.mark.parametrize("group_commit", ["0"], ids=["off"])
def test_with_group_commit_off_each_request_commits_alone_and_keys_still_hold(
    surge_web: Web,
) -> None:
    web = surge_web
    commits: list[int] = []
    sa.event.listen(web.app.state.engine, "commit", lambda _conn: commits.append(1))
    headers = {"Idempotency-Key": "alone"}
    first = web.client.post("/api/v1/enquiries", json=enquiry_payload(), headers=headers)
    # The claim of the key, the enquiry and its sealed answer: one commit, not two.
    assert len(commits) == 1
    second = web.client.post("/api/v1/enquiries", json=enquiry_payload(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert references(web) == {first.json()["reference"]}
    assert getattr(web.app.state, "intake_writer", None) is None


@pytest.mark.parametrize("group_commit", [None], ids=["unset"])
def test_unless_told_both_databases_group_commits_through_the_bulk_store(
    surge_web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = surge_web
    monkeypatch.delenv("KINTRACE_GROUP_COMMIT_BULK", raising=False)
    response = web.client.post("/api/v1/enquiries", json=enquiry_payload())
    assert response.status_code == 201
    assert response.json()["reference"] in references(web)
    writer = getattr(web.app.state, "intake_writer", None)
    assert writer is not None and writer.stats.items == 1 and writer.stats.bulk_items == 1


def test_a_batch_stores_each_enquiry_exactly_as_the_one_by_one_way_does(
    grouped: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = grouped
    payload = enquiry_payload(
        sought__birth_place="Тестове", sought__circumstances="Зник біля мосту (вигадано)"
    )
    first = web.client.post("/api/v1/enquiries", json=payload, headers={"Idempotency-Key": "a"})
    writer = writer_for(web.app.state, web.app.state.sessionmaker)
    assert writer.stats.bulk_items == 1
    writer.bulk_enabled = False
    second = web.client.post("/api/v1/enquiries", json=payload, headers={"Idempotency-Key": "b"})
    assert writer.stats.bulk_items == 1 and writer.stats.items == 2
    assert first.status_code == second.status_code == 201
    skip = {"id", "reference", "secret_digest", "created_at", "updated_at", "consent_given_at"}
    with web.sessions() as session:
        rows = {
            e.reference: e
            for e in session.scalars(sa.select(Enquiry).execution_options(populate_existing=True))
        }
        bulk, one = rows[first.json()["reference"]], rows[second.json()["reference"]]
        for column in Enquiry.__table__.columns:
            if column.key not in skip:
                assert getattr(bulk, column.key) == getattr(one, column.key), column.key
        # Sealed with the enquiry's own data key, as the ORM path seals (crypto-shredding).
        raw = session.execute(
            sa.text("SELECT sought_birth_place, enquirer_name FROM enquiry WHERE id = :id"),
            {"id": bulk.id},
        ).one()
        assert all(key_id_of(v) == f"enquiry-{bulk.reference}" for v in raw)
        jobs = session.scalars(sa.select(MatchJob.subject_id).where(MatchJob.state == "pending"))
        assert sorted(jobs) == sorted([bulk.id, one.id])
        events = session.scalars(
            sa.select(AuditEvent.subject_id).where(AuditEvent.kind == "enquiry.received")
        )
        assert sorted(events) == sorted([bulk.id, one.id])
        check = audit.verify(session)
        assert check.ok, check.reason
    # Status reads open both with their secrets.
    for answer in (first, second):
        body = answer.json()
        status = web.client.get(
            f"/api/v1/enquiries/{body['reference']}", headers={"X-Enquiry-Secret": body["secret"]}
        )
        assert status.status_code == 200
        assert status.json()["sought_name"] == bulk.sought_full_name


def test_families_repeating_one_key_at_once_get_one_enquiry_and_the_same_answer(
    grouped: Web,
) -> None:
    web = grouped

    def post(_index: int) -> tuple[int, str]:
        headers = {"Idempotency-Key": "one-family-many-taps"}
        response = web.client.post("/api/v1/enquiries", json=enquiry_payload(), headers=headers)
        return response.status_code, response.text

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(12)))
    assert {status for status, _ in answers} == {201}
    assert len({text for _, text in answers}) == 1
    assert len(references(web)) == 1
    with web.sessions() as session:
        check = audit.verify(session)
        assert check.ok, check.reason


def test_a_key_whose_answer_expired_gets_a_new_enquiry_even_before_the_writer_purges(
    grouped: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer purges expired answers at most once a minute; an expired answer still waiting
    # for that purge must never be replayed (it holds a secret past its day).
    from kintrace.intake import idempotency

    web = grouped
    headers = {"Idempotency-Key": "yesterday"}
    first = web.client.post("/api/v1/enquiries", json=enquiry_payload(), headers=headers)
    assert first.status_code == 201
    monkeypatch.setattr(idempotency, "PURGE_EVERY_S", 3600.0)
    with web.sessions.begin() as session:
        session.execute(
            sa.update(IdempotencyRecord).values(expires_at=IdempotencyRecord.created_at)
        )
    again = web.client.post("/api/v1/enquiries", json=enquiry_payload(), headers=headers)
    assert again.status_code == 201
    assert again.json()["reference"] != first.json()["reference"]
    assert references(web) == {first.json()["reference"], again.json()["reference"]}


def test_a_family_that_goes_away_while_waiting_leaves_the_writer_serving_the_next(
    grouped: Web,
) -> None:
    # The API route awaits the writer on the event loop; a request cancelled meanwhile (its
    # client gone) must not break the writer, which still commits and answers it.
    import asyncio

    writer = GroupCommitWriter(grouped.sessions)
    gate = threading.Event()

    def slow(_tx: Session) -> str:
        gate.wait(10)
        return "first"

    async def scenario() -> str:
        first = asyncio.create_task(writer.submit_async(slow))
        await asyncio.sleep(0.05)
        first.cancel()
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await first
        return await asyncio.wait_for(writer.submit_async(lambda _tx: "second"), timeout=10)

    # In a thread of its own: a browser test earlier in the same worker may leave an event
    # loop running in this one, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, scenario()).result() == "second"
    assert writer.stats.items == 2
