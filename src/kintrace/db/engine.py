"""Engines and sessions: SQLite (embedded default, made durable) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kintrace.errors import StorageNotSafe
from kintrace.settings import Settings

logger = logging.getLogger(__name__)

# Seconds a writer waits for another writer on SQLite before giving up.
SQLITE_BUSY_TIMEOUT_S = 30


def _normalise_url(url: str) -> str:
    # "postgresql://" would pick psycopg2, which is not installed; psycopg 3 is.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 opens transactions lazily and on its own terms; take control so that
    # every transaction starts with BEGIN IMMEDIATE (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        wanted = {
            "journal_mode": ("wal", "PRAGMA journal_mode = WAL"),
            "synchronous": (2, "PRAGMA synchronous = FULL"),
            "foreign_keys": (1, "PRAGMA foreign_keys = ON"),
        }
        for name, (expected, statement) in wanted.items():
            cursor.execute(statement)
            got = cursor.execute(f"PRAGMA {name}").fetchone()
            value = got[0] if got else None
            if isinstance(value, str):
                value = value.lower()
            if value != expected:
                raise StorageNotSafe(
                    f"The SQLite database could not be switched to {statement.split()[1]} = "
                    f"{statement.split()[-1]} (it reports {value!r}), so kintrace cannot "
                    "promise that a received enquiry survives a crash and refuses to start. "
                    "Use a database file on a local disk, or PostgreSQL through "
                    "KINTRACE_DATABASE_URL."
                )
    finally:
        cursor.close()


def _begin_immediate(conn: sa.Connection) -> None:
    # Every request that touches personal data also appends to the audit chain, so nearly
    # every transaction writes. Taking the write lock up front makes writers queue (busy
    # timeout) instead of failing later with "database is locked" on lock upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(settings: Settings, *, url: str | None = None, echo: bool = False) -> Engine:
    """An engine for the configured database; for SQLite, durable or refused (StorageNotSafe)."""
    url = _normalise_url(url or settings.resolved_database_url())
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
    else:
        # A commit must wait until PostgreSQL has flushed it: a server (or role) configured
        # with synchronous_commit=off could lose an enquiry we already said we received.
        engine = sa.create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"options": "-c synchronous_commit=on"},
        )
    # Fail at start-up, not at the first family's submission.
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                _check_postgres(conn)
    except StorageNotSafe:
        engine.dispose()
        raise
    return engine


def _check_postgres(conn: sa.Connection) -> None:
    if conn.exec_driver_sql("SHOW synchronous_commit").scalar() != "on":
        raise StorageNotSafe(
            "PostgreSQL would not wait for commits to reach the disk (synchronous_commit), "
            "so kintrace cannot promise that a received enquiry survives a crash and "
            "refuses to start."
        )
    if conn.exec_driver_sql("SHOW fsync").scalar() == "off":
        # Only a server administrator can turn fsync off (throwaway test servers do).
        logger.warning("PostgreSQL runs with fsync=off: committed data may be lost in a crash.")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire objects on commit (services return plain values anyway)."""
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(engine: Engine | sa.Connection) -> bool:
    return engine.dialect.name == "sqlite"
