from __future__ import annotations

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
