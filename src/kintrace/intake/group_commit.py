"""Group commit: one writer thread stores the enquiries of many families in one transaction.

Each acknowledged enquiry must wait for its commit to reach the disk (``synchronous=FULL`` on
SQLite, ``synchronous_commit=on`` on PostgreSQL). With one transaction per request every family
waits for its own fsync, and on SQLite the writers queue for the single write lock one by one.
Here a request hands its work (a function of a session) to the writer and waits; the writer
takes everything that arrived while the previous batch was committing, runs each piece in its
own savepoint (a piece that fails leaves nothing behind and fails alone), commits once, and only
then answers every request of the batch. No family is told "received" before the commit that
holds its enquiry, its matching job, its audit event and its idempotent answer.

The batch forms by itself: under light load it holds one request and costs what it did before;
under a surge it holds everything that queued during one fsync. The number of requests waiting
is bounded (``max_pending``); beyond it ``WriterBusy`` asks the caller to answer 503.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kintrace.logging import get_logger

T = TypeVar("T")
log = get_logger("kintrace.intake.group_commit")

# Enough to share one fsync among a whole admission window (KINTRACE_MAX_IN_FLIGHT is 24) while
# keeping a transaction short enough that readers of the same SQLite file are not starved.
DEFAULT_MAX_BATCH = 64
DEFAULT_MAX_PENDING = 1000
# An idle writer thread ends after this long; the next request starts a new one.
IDLE_EXIT_S = 5.0


class WriterBusy(Exception):
    """More requests are waiting to be stored than the writer accepts; answer 503."""


@dataclass
class _Item:
    work: Callable[[Session], Any]
    future: Future[Any] = field(default_factory=Future)


@dataclass
class BatchStats:
    batches: int = 0
    items: int = 0
    largest: int = 0


class GroupCommitWriter:
    """Runs ``work(session)`` functions in shared transactions on one thread.

    ``submit(work)`` blocks until the transaction holding the work has committed and returns
    what ``work`` returned, or raises what it raised (then nothing of it was stored), or the
    commit's error (then nothing of the whole batch was stored).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_pending: int = DEFAULT_MAX_PENDING,
        idle_exit_s: float = IDLE_EXIT_S,
    ) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.idle_exit_s = idle_exit_s
        self.stats = BatchStats()
        self._pending: deque[_Item] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, work: Callable[[Session], T]) -> T:
        item = _Item(work)
        with self._cond:
            if len(self._pending) >= self.max_pending:
                raise WriterBusy()
            self._pending.append(item)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="kintrace-group-commit", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        result: T = item.future.result()
        return result

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._pending:
                    self._cond.wait(self.idle_exit_s)
                if not self._pending:
                    # Ends under the lock: a submit() after this starts a fresh thread.
                    self._thread = None
                    return
                count = min(len(self._pending), self.max_batch)
                batch = [self._pending.popleft() for _ in range(count)]
            self._commit(batch)

    def _commit(self, batch: list[_Item]) -> None:
        remaining = batch
        while remaining:
            # Each round answers at least one request, so this ends.
            remaining = self._commit_once(remaining)

    def _commit_once(self, batch: list[_Item]) -> list[_Item]:
        """One shared transaction; returns the requests to try again in a fresh one."""
        done: list[tuple[_Item, Any]] = []
        session = self.sessions()
        try:
            session.begin()
            for item in batch:
                savepoint = session.begin_nested()
                try:
                    result = item.work(session)
                    savepoint.commit()
                except SQLAlchemyError as exc:
                    # A database error may have ended the whole transaction (SQLite drops it
                    # on a full disk or an I/O error, and SQLAlchemy's own savepoint rollback
                    # then fails in its place): this request fails with the first error, the
                    # others start again in a fresh transaction.
                    item.future.set_exception(_first_database_error(exc))
                    _rollback_quietly(session)
                    return [other for other in batch if not other.future.done()]
                except Exception as exc:  # handed to the waiting request
                    item.future.set_exception(exc)
                    savepoint.rollback()
                    continue
                done.append((item, result))
            session.commit()
        except Exception as exc:
            # The commit (or the transaction itself) failed: nothing of the batch is stored.
            log.warning("group_commit_failed", error=type(exc).__name__, batch=len(batch))
            _rollback_quietly(session)
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(exc)
            return []
        finally:
            session.close()
        self.stats.batches += 1
        self.stats.items += len(batch)
        self.stats.largest = max(self.stats.largest, len(batch))
        # Only now, after the one commit, does any family of the batch hear "received".
        for item, result in done:
            item.future.set_result(result)
        return []


def _first_database_error(exc: BaseException) -> BaseException:
    """The earliest database error behind ``exc``: a full disk, not the failed cleanup after."""
    found, current = exc, exc.__context__
    while current is not None:
        if isinstance(current, DBAPIError):
            found = current
        current = current.__context__
    return found


def _rollback_quietly(session: Session) -> None:
    try:
        session.rollback()
    except Exception:  # the connection is beyond use; close() hands back a fresh one
        session.invalidate()


_CREATE_LOCK = threading.Lock()


def writer_for(state: Any, sessions: sessionmaker[Session]) -> GroupCommitWriter:
    """The writer kept on ``state`` (an app's ``app.state``), made on first use."""
    writer: GroupCommitWriter | None = getattr(state, "intake_writer", None)
    if writer is None or writer.sessions is not sessions:
        with _CREATE_LOCK:
            writer = getattr(state, "intake_writer", None)
            if writer is None or writer.sessions is not sessions:
                writer = GroupCommitWriter(sessions)
                state.intake_writer = writer
    return writer
