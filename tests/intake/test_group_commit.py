"""Group commit: many families' enquiries in one transaction, each answered only after it."""

from __future__ import annotations

import fcntl
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.factories import Store, enquiry_payload

from kintrace.audit import verify as verify_chain
from kintrace.db.engine import WriterTurn
from kintrace.db.models import AuditEvent, Enquiry, MatchJob
from kintrace.intake.enquiries import (
    EnquiryIn,
    EnquiryReceipt,
    find_enquiry,
    prepare_reference,
    submit_enquiry,
)
from kintrace.intake.group_commit import GroupCommitWriter, WriterBusy


def enquiry_work(store: Store, **overrides: Any) -> Any:
    data = EnquiryIn.model_validate(enquiry_payload(**overrides))
    reference = prepare_reference(store.keys)
    return lambda tx: submit_enquiry(tx, data, channel="api", keys=store.keys, reference=reference)


def count(store: Store, model: Any) -> int:
    with store.sessions() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_enquiries_that_arrive_during_a_commit_share_the_next_one(store: Store) -> None:
    writer = GroupCommitWriter(store.sessions)
    gate, entered = threading.Event(), threading.Event()
    first = enquiry_work(store)

    def slow_first(tx: Session) -> EnquiryReceipt:
        entered.set()
        gate.wait(10)  # the writer is busy: the next families queue up meanwhile
        return first(tx)  # type: ignore[no-any-return]

    with ThreadPoolExecutor(10) as pool:
        head = pool.submit(writer.submit, slow_first)
        assert entered.wait(10)
        rest = [pool.submit(writer.submit, enquiry_work(store)) for _ in range(9)]
        while writer.pending < 9:
            threading.Event().wait(0.01)
        gate.set()
        receipts = [head.result(), *(f.result() for f in rest)]
    assert writer.stats.batches == 2 and writer.stats.largest == 9
    assert len({r.reference for r in receipts}) == 10
    assert count(store, Enquiry) == count(store, MatchJob) == count(store, AuditEvent) == 10
    with store.sessions() as session:
        for receipt in receipts:  # every family can read its own enquiry back
            assert find_enquiry(session, receipt.reference, receipt.secret, store.keys)
        assert verify_chain(session).ok


def test_a_family_whose_enquiry_fails_fails_alone_and_leaves_nothing(store: Store) -> None:
    writer = GroupCommitWriter(store.sessions)
    gate, entered = threading.Event(), threading.Event()

    def hold(tx: Session) -> None:
        entered.set()
        gate.wait(10)

    def half_then_fail(tx: Session) -> None:
        enquiry_work(store)(tx)  # enquiry, job and audit event flushed …
        raise RuntimeError("the request broke half-way")  # … then it fails

    with ThreadPoolExecutor(4) as pool:
        blocker = pool.submit(writer.submit, hold)
        assert entered.wait(10)
        good = pool.submit(writer.submit, enquiry_work(store))
        bad = pool.submit(writer.submit, half_then_fail)
        also_good = pool.submit(writer.submit, enquiry_work(store))
        while writer.pending < 3:
            threading.Event().wait(0.01)
        gate.set()
        blocker.result()
        stored = {good.result().reference, also_good.result().reference}
        with pytest.raises(RuntimeError):
            bad.result()
    with store.sessions() as session:
        assert set(session.scalars(sa.select(Enquiry.reference))) == stored
        assert verify_chain(session).ok
    assert count(store, MatchJob) == count(store, AuditEvent) == 2


def test_when_the_commit_fails_no_family_of_the_batch_is_told_received(store: Store) -> None:
    writer = GroupCommitWriter(store.sessions)

    def fail_at_commit(tx: Session) -> None:
        def refuse(_session: Session) -> None:
            raise OSError("the disk went away at commit")

        sa.event.listen(tx, "before_commit", refuse, once=True)

    with pytest.raises(OSError):
        writer.submit(lambda tx: (enquiry_work(store)(tx), fail_at_commit(tx)))
    assert count(store, Enquiry) == 0
    # The writer goes on: the next family is stored.
    assert writer.submit(enquiry_work(store)).reference
    assert count(store, Enquiry) == 1


def test_the_writer_refuses_work_beyond_its_queue_instead_of_piling_it_up(store: Store) -> None:
    writer = GroupCommitWriter(store.sessions, max_pending=1)
    gate, entered = threading.Event(), threading.Event()

    def hold(tx: Session) -> None:
        entered.set()
        gate.wait(10)

    with ThreadPoolExecutor(2) as pool:
        blocker = pool.submit(writer.submit, hold)
        assert entered.wait(10)
        queued = pool.submit(writer.submit, enquiry_work(store))
        while writer.pending < 1:
            threading.Event().wait(0.01)
        with pytest.raises(WriterBusy):
            writer.submit(enquiry_work(store))
        gate.set()
        blocker.result()
        assert queued.result().reference
    assert count(store, Enquiry) == 1


def test_a_bulk_batch_appends_to_the_audit_chain_last(store: Store) -> None:
    # On PostgreSQL the chain's lock is held from the head read to the commit, and the other
    # processes' writers queue for it meanwhile: everything else of the batch comes before.
    from kintrace.intake import idempotency
    from kintrace.intake.enquiries import EnquiryToStore, prepare_enquiry, store_enquiry_batch

    items = []
    for index in range(3):
        body = enquiry_payload()
        prepared = prepare_enquiry(
            EnquiryIn.model_validate(body),
            channel="api",
            keys=store.keys,
            reference=prepare_reference(store.keys),
        )
        answer = idempotency.prepare_answer(
            scope="enquiries",
            key=f"last-{index}",
            body=repr(body).encode(),
            answer=idempotency.StoredAnswer(201, b"{}"),
            keys=store.keys,
        )
        items.append(EnquiryToStore(prepared, answer))
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.lstrip().split("(")[0].upper())

    sa.event.listen(store.engine, "before_cursor_execute", note)
    try:
        with store.sessions.begin() as session:
            receipts = store_enquiry_batch(session, items)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", note)
    assert all(receipt is not None for receipt in receipts)
    chain = [i for i, s in enumerate(statements) if "AUDIT_EVENT" in s or "ADVISORY_XACT" in s]
    assert any("INSERT INTO IDEMPOTENCY_RECORD" in s for s in statements[: chain[0]])
    assert chain == list(range(chain[0], len(statements)))
    assert count(store, AuditEvent) == 3
    with store.sessions() as session:
        assert verify_chain(session).ok


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "one_by_one"])
@pytest.mark.parametrize("ping_after_idle_s", [0.0, 3600.0], ids=["pinged", "busy"])
def test_after_the_database_dropped_its_connections_the_next_families_are_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch, bulk: bool, ping_after_idle_s: float
) -> None:
    # A PostgreSQL restart (here: the server ending every session) while the writer's pooled
    # connection waits. Used moments ago, it is not tested before use ("busy"): its first
    # statement fails and the writer runs the batch again on a fresh connection. Idle for
    # longer ("pinged"), the pool tests it and replaces it before the first statement.
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server connection to lose.")
    from kintrace.db import engine as engine_module
    from kintrace.intake.enquiries import EnquiryToStore, prepare_enquiry, store_enquiry_batch

    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", ping_after_idle_s)
    writer = GroupCommitWriter(store.sessions)
    writer.bulk_enabled = bulk

    def submit() -> EnquiryReceipt:
        data = EnquiryIn.model_validate(enquiry_payload())
        reference = prepare_reference(store.keys)
        prepared = prepare_enquiry(data, channel="api", keys=store.keys, reference=reference)
        return writer.submit(
            lambda tx: submit_enquiry(
                tx, data, channel="api", keys=store.keys, reference=reference
            ),
            bulk=(store_enquiry_batch, EnquiryToStore(prepared)),
        )

    first = submit()
    outsider = sa.create_engine(store.engine.url, poolclass=sa.pool.NullPool)
    try:
        with outsider.connect() as conn:
            ended = conn.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        outsider.dispose()
    assert ended and ended >= 1
    second = submit()
    assert writer.stats.reconnects == (0 if ping_after_idle_s == 0.0 else 1)
    assert writer.stats.bulk_fallbacks == 0
    assert writer.stats.bulk_items == (2 if bulk else 0)
    assert count(store, Enquiry) == count(store, MatchJob) == count(store, AuditEvent) == 2
    with store.sessions() as session:
        for receipt in (first, second):
            assert find_enquiry(session, receipt.reference, receipt.secret, store.keys)
        assert verify_chain(session).ok


def _turn_is_free(path: str) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also drops the lock if it was taken
    return True


def test_on_sqlite_a_batch_is_stored_within_the_writer_turn_of_the_file(store: Store) -> None:
    # The writers of several `--workers` processes on one SQLite file take turns by a lock file
    # (kintrace.db.engine.WriterTurn); PostgreSQL orders them by its own locks.
    writer = GroupCommitWriter(store.sessions)
    path = writer._turn.path
    if store.engine.dialect.name != "sqlite":
        assert path is None
        return
    assert path == f"{store.engine.url.database}-writer.lock"
    seen: list[bool] = []
    work = enquiry_work(store)

    def probe(tx: Session) -> Any:
        seen.append(_turn_is_free(path))
        return work(tx)

    writer.submit(probe)
    assert seen == [False]  # another process's writer would have waited for this commit
    assert _turn_is_free(path)  # and its turn came as soon as the commit was done
    assert count(store, Enquiry) == 1


def test_a_writer_whose_turn_file_cannot_be_made_still_stores(store: Store, tmp_path: Any) -> None:
    # A read-only directory or a full disk: the writers fall back to SQLite's own busy handler.
    writer = GroupCommitWriter(store.sessions)
    writer._turn = WriterTurn(str(tmp_path / "missing" / "kintrace.db-writer.lock"))
    assert writer.submit(enquiry_work(store)).reference
    assert count(store, Enquiry) == 1
