"""Engines and sessions: SQLite (embedded default, made durable) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    # a transaction that writes starts with BEGIN IMMEDIATE (see _take_write_lock).
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


# Reads of these tables decide the next write: the audit chain's head (seq and hash of the
# next event) and its checkpoints. PostgreSQL orders the appends with an advisory lock; on
# SQLite the write lock must already be held when the head is read.
_ORDERING_TABLES = ("audit_event", "audit_checkpoint")


def _is_plain_read(statement: str, context: Any) -> bool:
    """A SELECT that neither locks (FOR UPDATE) nor reads a table that orders writes."""
    if statement.lstrip()[:6].upper() != "SELECT":
        # INSERT, UPDATE, DELETE, SAVEPOINT, PRAGMA, WITH …: treated as writes (the old rule).
        return False
    compiled = getattr(context, "compiled", None)
    if getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None:
        # SQLite does not render FOR UPDATE; the caller still means "I am about to write this".
        return False
    return not any(table in statement for table in _ORDERING_TABLES)


def _take_write_lock(
    conn: sa.Connection,
    cursor: Any,
    statement: str,
    _parameters: Any,
    context: Any,
    _executemany: bool,
) -> None:
    """Open the SQLite transaction with BEGIN IMMEDIATE at its first statement that writes.

    Plain reads before it run outside any SQLite transaction, each on the latest committed
    state (what READ COMMITTED gives on PostgreSQL), so status pages, staff queues and user
    lookups no longer queue behind the writer. A read transaction is never upgraded to a
    write one: in WAL mode that upgrade fails at once ("database is locked") whenever another
    connection holds or has just used the write lock, which is why every transaction used to
    start with BEGIN IMMEDIATE. From BEGIN IMMEDIATE on, writers queue (busy timeout) and
    everything the transaction reads and writes is serialised with every other writer.
    """
    dbapi_connection = cursor.connection
    if dbapi_connection.in_transaction or not conn.in_transaction():
        return
    if _is_plain_read(statement, context):
        return
    # Raised errors (busy timeout, read-only file, full disk) are wrapped by SQLAlchemy like
    # those of the statement itself, so callers see the usual OperationalError.
    cursor.execute("BEGIN IMMEDIATE")


def make_engine(settings: Settings, *, url: str | None = None, echo: bool = False) -> Engine:
    """An engine for the configured database; for SQLite, durable or refused (StorageNotSafe)."""
    url = _normalise_url(url or settings.resolved_database_url())
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "before_cursor_execute", _take_write_lock)
    else:
        # A commit must wait until PostgreSQL has flushed it: a server (or role) configured
        # with synchronous_commit=off could lose an enquiry we already said we received.
        engine = sa.create_engine(
            url, echo=echo, connect_args={"options": "-c synchronous_commit=on"}
        )
        _ping_after_idle(engine)
    # Fail at start-up, not at the first family's submission.
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                _check_postgres(conn)
    except StorageNotSafe:
        engine.dispose()
        raise
    return engine


# A pooled PostgreSQL connection idle for longer than this is tested ("SELECT 1") before use.
PING_AFTER_IDLE_S = 5.0


def _ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has been idle for a while.

    A connection the database dropped (a server restart, an idle timeout) is found by the
    test and replaced before the first statement. Testing on every checkout (pool_pre_ping)
    cost the busy group-commit writer one round trip per batch for connections it had used a
    few milliseconds earlier; a connection lost while busy fails its statement instead, and
    the writer runs that batch again on a fresh connection (kintrace.intake.group_commit).
    """

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return  # new, or used moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool replaces the connection and checks out again.
            raise sa.exc.DisconnectionError("The database connection was lost.") from exc

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checkout)


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


class WriterTurn:
    """The group-commit writers of several processes on one SQLite file take turns here.

    A lock file beside the database, held with ``flock`` around each writer's transaction: a
    writer waiting for its turn sleeps in the kernel and wakes the moment the other process's
    writer has committed, where SQLite's busy handler sleeps in growing steps (up to 100 ms)
    and wakes late. The kernel drops the lock of a process that dies, so a killed worker
    never blocks the others. Where the file cannot be made (a read-only directory, a full
    disk) the writers fall back to SQLite's busy handler, as before (the database's own write
    lock orders the writes either way). The file is opened per turn and closing it passes the
    turn on, so no descriptor outlives a transaction; two writers in one process take turns too.
    """

    def __init__(self, path: str | None) -> None:
        self.path = path

    @contextmanager
    def held(self) -> Iterator[None]:
        fd = None
        if self.path is not None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                pass
        if fd is None:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # blocks this thread only (the GIL is released)
            yield
        finally:
            os.close(fd)  # releases the lock


def writer_turn(engine: Engine) -> WriterTurn:
    """The turn a group-commit writer takes around its transaction: the lock file of an
    SQLite database file; nothing on PostgreSQL (its row locks and the chain's advisory lock
    order the writers) or in memory."""
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return WriterTurn(None)
    return WriterTurn(database + "-writer.lock")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire objects on commit (services return plain values anyway)."""
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(engine: Engine | sa.Connection) -> bool:
    return engine.dialect.name == "sqlite"
