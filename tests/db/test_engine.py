from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from tests.factories import Store, make_settings

from kintrace.db import make_engine
from kintrace.db.models import Organisation, User
from kintrace.domain import Role
from kintrace.errors import StorageNotSafe


def test_the_embedded_database_writes_durably_with_wal_full_sync_and_foreign_keys(
    data_dir: Path,
) -> None:
    engine = make_engine(make_settings(data_dir))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (data_dir / "kintrace.db").exists()
    finally:
        engine.dispose()


def test_it_refuses_to_start_on_a_sqlite_database_that_cannot_use_wal(data_dir: Path) -> None:
    # An in-memory database cannot journal to a WAL file: nothing it accepts would survive.
    with pytest.raises(StorageNotSafe, match=r"journal_mode = WAL .* refuses to start"):
        make_engine(make_settings(data_dir, "sqlite://"))


def test_a_row_pointing_at_a_missing_record_is_refused(store: Store) -> None:
    with store.sessions() as session, pytest.raises(IntegrityError):
        session.add(
            User(email="x@example.org", password_hash="-", role=Role.analyst, organisation_id=999)
        )
        session.flush()


def test_times_come_back_as_the_same_utc_instant(store: Store) -> None:
    moment = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    with store.sessions.begin() as session:
        session.add(Organisation(code="T", name="T", created_at=moment))
    with store.sessions() as session:
        stored = session.scalar(sa.select(Organisation.created_at))
    assert stored == moment
    assert stored is not None and stored.utcoffset() is not None


def test_a_postgres_url_without_driver_uses_psycopg_3(data_dir: Path) -> None:
    from kintrace.db.engine import _normalise_url

    assert _normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert _normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_commits_wait_for_the_disk_on_every_database(store: Store) -> None:
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
        else:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def _sqlite_only(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL locks rows")


def test_a_reader_is_answered_while_another_transaction_holds_the_sqlite_write_lock(
    store: Store,
) -> None:
    _sqlite_only(store)
    with store.sessions.begin() as session:
        session.add(Organisation(code="A", name="A", created_at=datetime.now(UTC)))
    writer = store.sessions()
    writer.add(Organisation(code="B", name="B", created_at=datetime.now(UTC)))
    writer.flush()  # holds the write lock, uncommitted
    try:
        started = time.monotonic()
        with store.sessions() as reader:
            codes = reader.scalars(sa.select(Organisation.code)).all()
        # Before, every session began with BEGIN IMMEDIATE and waited for the writer.
        assert time.monotonic() - started < 20
        assert codes == ["A"]
    finally:
        writer.rollback()
        writer.close()


def test_a_transaction_that_read_first_still_writes_after_another_one_committed(
    store: Store,
) -> None:
    # A deferred read transaction upgraded to a write one would fail here at once with
    # "database is locked" (SQLite refuses the upgrade of a stale snapshot).
    _sqlite_only(store)
    with store.sessions.begin() as session:
        session.add(Organisation(code="A", name="A", created_at=datetime.now(UTC)))
    first = store.sessions()
    try:
        assert first.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
        with store.sessions.begin() as other:
            other.add(Organisation(code="B", name="B", created_at=datetime.now(UTC)))
        first.add(Organisation(code="C", name="C", created_at=datetime.now(UTC)))
        first.commit()
    finally:
        first.close()
    with store.sessions() as session:
        assert sorted(session.scalars(sa.select(Organisation.code))) == ["A", "B", "C"]


def test_a_read_that_announces_a_write_waits_for_the_writer_instead_of_reading_stale_rows(
    store: Store,
) -> None:
    _sqlite_only(store)
    with store.sessions.begin() as session:
        session.add(Organisation(code="A", name="A", created_at=datetime.now(UTC)))
    seen: list[list[str]] = []
    writer = store.sessions()
    writer.add(Organisation(code="B", name="B", created_at=datetime.now(UTC)))
    writer.flush()

    def locking_read() -> None:
        with store.sessions.begin() as session:
            query = sa.select(Organisation.code).order_by(Organisation.code).with_for_update()
            seen.append(list(session.scalars(query)))

    thread = threading.Thread(target=locking_read)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # queued behind the write lock
    writer.commit()
    writer.close()
    thread.join(10)
    assert seen == [["A", "B"]]


def test_concurrent_audited_reads_keep_one_unbroken_audit_chain(store: Store) -> None:
    # A status page reads first and appends to the audit chain last: the chain's head must be
    # read under the write lock, or two pages would write the same sequence number.
    from kintrace import audit
    from kintrace.audit.events import EnquiryRead

    failures: list[BaseException] = []

    def page(index: int) -> None:
        try:
            with store.sessions.begin() as session:
                session.scalar(sa.select(sa.func.count()).select_from(Organisation))
                audit.record(session, EnquiryRead(actor_kind="enquirer", subject_id=index))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=page, args=(i,)) for i in range(1, 41)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with store.sessions() as session:
        check = audit.verify(session)
    assert check.ok and check.events == 40
