from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.factories import Store, enquiry_payload

from kintrace.db.models import Enquiry, IdempotencyRecord
from kintrace.errors import IdempotencyInFlight, IdempotencyKeyReused
from kintrace.intake import idempotency
from kintrace.intake.enquiries import EnquiryIn, submit_enquiry
from kintrace.intake.idempotency import StoredAnswer, claim, release, store_answer

SCOPE = "enquiries"


def body(**overrides: object) -> bytes:
    return json.dumps(enquiry_payload(**overrides)).encode()


def handle(store: Store, key: str, raw: bytes) -> tuple[int, bytes]:
    """What the API handler does, in the documented order."""
    stored = claim(store.sessions, scope=SCOPE, key=key, body=raw, keys=store.keys)
    if stored is not None:
        return stored.status_code, stored.body
    try:
        with store.sessions.begin() as session:
            receipt = submit_enquiry(
                session, EnquiryIn.model_validate_json(raw), channel="api", keys=store.keys
            )
            answer = json.dumps({"reference": receipt.reference, "secret": receipt.secret})
            store_answer(
                session, scope=SCOPE, key=key, answer=StoredAnswer(201, answer.encode()),
                keys=store.keys, subject_id=receipt.enquiry_id,
            )  # fmt: skip
    except BaseException:
        release(store.sessions, scope=SCOPE, key=key)
        raise
    return 201, answer.encode()


def enquiries(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) or 0


def test_a_retry_with_the_same_key_and_body_gets_the_first_answer_and_secret(store: Store) -> None:
    first = handle(store, "key-1", body())
    again = handle(store, "key-1", body())
    assert first == again
    assert json.loads(again[1])["secret"]
    assert enquiries(store) == 1


def test_the_same_key_with_a_different_body_is_refused(store: Store) -> None:
    handle(store, "key-1", body())
    with pytest.raises(IdempotencyKeyReused):
        handle(store, "key-1", body(sought__birth_date="2001"))
    assert enquiries(store) == 1


def test_a_retry_while_the_first_request_is_still_running_is_told_to_wait(store: Store) -> None:
    assert claim(store.sessions, scope=SCOPE, key="k", body=b"{}", keys=store.keys) is None
    with pytest.raises(IdempotencyInFlight):
        claim(store.sessions, scope=SCOPE, key="k", body=b"{}", keys=store.keys)


def test_the_stored_answer_holding_the_secret_is_sealed(store: Store) -> None:
    _status, answer = handle(store, "key-1", body())
    secret = json.loads(answer)["secret"]
    with store.sessions() as session:
        sealed = session.scalar(sa.select(IdempotencyRecord.sealed_response))
    assert sealed and secret.encode() not in sealed and b"secret" not in sealed


def test_a_failed_first_request_frees_the_key_for_a_retry(store: Store) -> None:
    with pytest.raises(ValueError):
        handle(store, "key-1", b'{"sought": {}}')  # invalid: nothing may be kept
    assert handle(store, "key-1", body())[0] == 201
    assert enquiries(store) == 1


def test_the_first_answer_is_forgotten_after_24_hours(store: Store) -> None:
    handle(store, "key-1", body())
    later = datetime.now(UTC) + timedelta(hours=24, seconds=1)
    assert claim(store.sessions, scope=SCOPE, key="key-1", body=b"other", keys=store.keys,
                 now=later) is None  # fmt: skip


def test_a_claim_left_by_a_crashed_request_can_be_taken_over_after_a_minute(
    store: Store,
) -> None:
    claim(store.sessions, scope=SCOPE, key="k", body=b"{}", keys=store.keys)
    later = datetime.now(UTC) + idempotency.STALE_IN_FLIGHT + timedelta(seconds=1)
    assert claim(store.sessions, scope=SCOPE, key="k", body=b"{}", keys=store.keys,
                 now=later) is None  # fmt: skip


def test_two_concurrent_requests_with_one_key_create_one_enquiry(store: Store) -> None:
    rounds, outcomes = 4, []
    lock = threading.Lock()
    for attempt in range(rounds):
        barrier = threading.Barrier(2)
        raw = body(sought__circumstances=f"round {attempt}")

        def request(raw: bytes = raw, key: str = f"key-{attempt}", b=barrier) -> None:
            b.wait()
            try:
                result: object = handle(store, key, raw)
            except IdempotencyInFlight as exc:
                result = exc
            with lock:
                outcomes.append((key, result))

        threads = [threading.Thread(target=request) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert enquiries(store) == rounds
    by_key: dict[str, list[object]] = {}
    for key, result in outcomes:
        by_key.setdefault(key, []).append(result)
    for results in by_key.values():
        answers = [r for r in results if isinstance(r, tuple)]
        # One wins; the other waits (409) or, if the winner had finished, gets the same answer.
        assert answers and all(a == answers[0] for a in answers)
        assert all(isinstance(r, tuple | IdempotencyInFlight) for r in results)


def test_expired_answers_are_purged_and_fresh_ones_kept(store: Store) -> None:
    handle(store, "old", body())
    with store.sessions.begin() as session:
        later = datetime.now(UTC) + timedelta(hours=25)
        assert idempotency.purge_expired(session, now=later) == 1
    handle(store, "fresh", body())
    with store.sessions.begin() as session:
        assert idempotency.purge_expired(session) == 0


def test_no_stored_answer_outlives_its_day_even_without_a_retry(store: Store) -> None:
    handle(store, "first", body())
    later = datetime.now(UTC) + timedelta(hours=25)
    claim(store.sessions, scope=SCOPE, key="other", body=b"{}", keys=store.keys, now=later)
    with store.sessions() as session:
        keys = session.scalars(sa.select(IdempotencyRecord.key)).all()
    assert keys == ["other"]


def test_a_claim_inside_the_work_transaction_writes_the_answer_row_once_complete(
    store: Store,
) -> None:
    statements: list[str] = []
    sa.event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_a: statements.append(sql.split(None, 1)[0].upper()),
    )
    raw = body()
    with store.sessions.begin() as session:
        assert (
            idempotency.claim_in(session, scope=SCOPE, key="k", body=raw, keys=store.keys) is None
        )
        receipt = submit_enquiry(
            session, EnquiryIn.model_validate_json(raw), channel="api", keys=store.keys
        )
        store_answer(
            session, scope=SCOPE, key="k", answer=StoredAnswer(201, b'{"ok": 1}'),
            keys=store.keys, subject_id=receipt.enquiry_id,
        )  # fmt: skip
    # No in-flight row inserted, read back and updated: the complete row is inserted once.
    assert statements.count("UPDATE") == 0
    with store.sessions() as session:
        row = session.scalar(sa.select(IdempotencyRecord))
    assert row is not None and row.state == "complete" and row.subject_id == receipt.enquiry_id
    # A retry replays the sealed answer.
    again = claim(store.sessions, scope=SCOPE, key="k", body=raw, keys=store.keys)
    assert again == StoredAnswer(201, b'{"ok": 1}')


def test_two_claims_of_one_key_in_concurrent_transactions_store_one_enquiry(
    store: Store,
) -> None:
    # The second transaction's insert meets the unique (scope, key): it fails as a whole and
    # stores nothing, so the caller can fall back to claim() and replay the first answer.
    # (On SQLite the write lock makes the second claim wait and then see the first answer.)
    from sqlalchemy.exc import IntegrityError

    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time")

    raw = body()
    first, second = store.sessions(), store.sessions()
    try:
        for session in (first, second):
            assert (
                idempotency.claim_in(session, scope=SCOPE, key="twin", body=raw, keys=store.keys)
                is None
            )
        for index, session in enumerate((first, second)):
            receipt = submit_enquiry(
                session, EnquiryIn.model_validate_json(raw), channel="api", keys=store.keys
            )
            if index == 0:
                store_answer(
                    session, scope=SCOPE, key="twin", answer=StoredAnswer(201, b"first"),
                    keys=store.keys, subject_id=receipt.enquiry_id,
                )  # fmt: skip
                session.commit()
            else:
                with pytest.raises(IntegrityError):
                    store_answer(
                        session, scope=SCOPE, key="twin", answer=StoredAnswer(201, b"second"),
                        keys=store.keys, subject_id=receipt.enquiry_id,
                    )  # fmt: skip
                session.rollback()
    finally:
        first.close()
        second.close()
    assert enquiries(store) == 1
    assert claim(store.sessions, scope=SCOPE, key="twin", body=raw, keys=store.keys) == (
        StoredAnswer(201, b"first")
    )
