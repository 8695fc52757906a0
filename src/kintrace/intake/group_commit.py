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

import asyncio
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kintrace.db.engine import WriterTurn, writer_turn
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


# Stores many prepared pieces in the shared transaction; returns a result per piece, or None
# for a piece it left to that request's own `work` (run after it, in a savepoint).
BulkStore = Callable[[Session, list[Any]], list[Any]]


class _LoopAnswer:
    """An async submitter's answer: set by the writer thread, delivered on the submitter's
    event loop. Lighter than a concurrent Future wrapped for asyncio (a Condition, a lock and
    a done-callback per enquiry, ~7 % of the event loop's time under a surge)."""

    __slots__ = ("_done", "future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[Any] = loop.create_future()
        self._done = False

    def done(self) -> bool:
        return self._done

    def set_result(self, result: Any) -> None:
        self._deliver(result, None)

    def set_exception(self, exc: BaseException) -> None:
        self._deliver(None, exc)

    def _deliver(self, result: Any, exc: BaseException | None) -> None:
        self._done = True
        try:
            self.loop.call_soon_threadsafe(_settle, self.future, result, exc)
        except RuntimeError:  # the loop has closed (the server stopped): nobody is waiting
            pass


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.cancelled():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


@dataclass
class _Item:
    work: Callable[[Session], Any]
    bulk: tuple[BulkStore, Any] | None = None
    future: Future[Any] | _LoopAnswer = field(default_factory=Future)
    # Ran again once already because the database connection was lost before its commit.
    reconnected: bool = False


@dataclass
class BatchStats:
    batches: int = 0
    items: int = 0
    largest: int = 0
    # Requests stored by a bulk store, and batches whose bulk store failed (then each request
    # ran its own work in a fresh transaction).
    bulk_items: int = 0
    bulk_fallbacks: int = 0
    # Batches run again because the database dropped the connection before their commit.
    reconnects: int = 0


class GroupCommitWriter:
    """Runs ``work(session)`` functions in shared transactions on one thread.

    ``submit(work)`` blocks until the transaction holding the work has committed and returns
    what ``work`` returned, or raises what it raised (then nothing of it was stored), or the
    commit's error (then nothing of the whole batch was stored).

    ``submit(work, bulk=(store, prepared))`` offers a faster way: the writer hands the
    ``prepared`` pieces of all requests with the same ``store`` to one ``store(session,
    pieces)`` call (a few multi-row statements instead of each request's ORM work in its own
    savepoint), and returns its result. If ``store`` raises, the transaction is rolled back and
    every request of the batch runs its ``work`` instead, in a fresh transaction, exactly as
    without ``bulk``; so a failure still fails only its own request. ``bulk_enabled = False``
    turns the fast way off (the fault tests run both ways).
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
        self.bulk_enabled = True
        self._pending: deque[_Item] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        bind = getattr(sessions, "kw", {}).get("bind")
        self._turn = writer_turn(bind) if isinstance(bind, Engine) else WriterTurn(None)

    def submit(self, work: Callable[[Session], T], bulk: tuple[BulkStore, Any] | None = None) -> T:
        """Hand over ``work`` (and its ``bulk`` store) and wait, blocking, for the commit."""
        future = self._enqueue(_Item(work, bulk if self.bulk_enabled else None))
        assert isinstance(future, Future)
        result: T = future.result()
        return result

    async def submit_async(
        self, work: Callable[[Session], T], bulk: tuple[BulkStore, Any] | None = None
    ) -> T:
        """``submit`` for an async route: waits on the event loop, no thread kept blocked.

        Shielded: were the request's task cancelled (the client gone), the writer still
        commits and answers the item; cancelling its future would make that answer fail.
        """
        answer = _LoopAnswer(asyncio.get_running_loop())
        self._enqueue(_Item(work, bulk if self.bulk_enabled else None, answer))
        result: T = await asyncio.shield(answer.future)
        return result

    def _enqueue(self, item: _Item) -> Future[Any] | _LoopAnswer:
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
        return item.future

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
            # Each round answers at least one request, or turns the bulk store off for all of
            # them, or (once) runs them again after a lost connection, so this ends. Each
            # round's transaction waits for its turn among the writers of other processes on
            # the same SQLite file (WriterTurn), passed on before its families are answered.
            committed: list[tuple[_Item, Any]] = []
            with self._turn.held():
                remaining = self._commit_once(remaining, committed)
            # Only now, after the one commit, does any family of the batch hear "received".
            for item, result in committed:
                item.future.set_result(result)

    def _commit_once(self, batch: list[_Item], committed: list[tuple[_Item, Any]]) -> list[_Item]:
        """One shared transaction; returns the requests to try again in a fresh one, and adds
        the requests it stored, with their results, to ``committed`` once the commit is done."""
        done: list[tuple[_Item, Any]] = []
        session = self.sessions()
        committing = False
        try:
            session.begin()
            one_by_one = self._store_in_bulk(session, batch, done)
            if one_by_one is None:
                # The bulk store failed: every request runs its own work, afresh.
                _rollback_quietly(session)
                for item in batch:
                    item.bulk = None
                self.stats.bulk_fallbacks += 1
                return batch
            for item in one_by_one:
                savepoint = session.begin_nested()
                try:
                    result = item.work(session)
                    savepoint.commit()
                except SQLAlchemyError as exc:
                    if _connection_lost(exc, batch):
                        raise
                    # A database error may have ended the whole transaction (SQLite drops it
                    # on a full disk or an I/O error, and SQLAlchemy's own savepoint rollback
                    # then fails in its place): this request fails with the first error, the
                    # others start again in a fresh transaction.
                    item.future.set_exception(_first_database_error(exc))
                    _rollback_quietly(session)
                    # The bulk-stored ones were rolled back too: they run their own work now.
                    again = [other for other in batch if not other.future.done()]
                    for other in again:
                        other.bulk = None
                    return again
                except Exception as exc:  # handed to the waiting request
                    item.future.set_exception(exc)
                    savepoint.rollback()
                    continue
                done.append((item, result))
            committing = True
            session.commit()
        except Exception as exc:
            if not committing and _connection_lost(exc, batch):
                # The database dropped the connection (a restart) before the commit was sent:
                # nothing is stored and nobody was answered, so the whole batch runs once more
                # on a fresh connection (the pool replaced it) instead of failing.
                log.info("group_commit_reconnected", error=type(exc).__name__, batch=len(batch))
                _rollback_quietly(session)
                for item in batch:
                    item.reconnected = True
                self.stats.reconnects += 1
                return batch
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
        self.stats.bulk_items += sum(1 for item in batch if item.bulk is not None)
        committed.extend(done)
        return []

    def _store_in_bulk(
        self, session: Session, batch: list[_Item], done: list[tuple[_Item, Any]]
    ) -> list[_Item] | None:
        """Runs the bulk stores of the batch; returns the requests left to their own work, or
        None when a bulk store failed (the caller rolls back and starts again without)."""
        groups: dict[BulkStore, list[_Item]] = {}
        for item in batch:
            if item.bulk is not None:
                groups.setdefault(item.bulk[0], []).append(item)
        if not groups:
            return batch
        stored: set[int] = set()
        try:
            for store, items in groups.items():
                results = store(session, [item.bulk[1] for item in items if item.bulk])
                for item, result in zip(items, results, strict=True):
                    if result is None:
                        item.bulk = None
                    else:
                        done.append((item, result))
                        stored.add(id(item))
        except Exception as exc:
            if _connection_lost(exc, batch):
                raise  # the whole batch runs again, still in bulk (see _commit_once)
            # Nothing is answered before the commit, so nothing was promised: start again.
            log.info("group_commit_bulk_failed", error=type(exc).__name__, batch=len(batch))
            done.clear()
            return None
        return [item for item in batch if id(item) not in stored]


def _connection_lost(exc: BaseException, batch: list[_Item]) -> bool:
    """The database connection was lost (SQLAlchemy invalidated it) and this batch has not yet
    been run again for that reason (once is enough: the pool hands out a fresh connection)."""
    lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
    return lost and not any(item.reconnected for item in batch)


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
                # 0 turns the bulk store off (each request's own work in a savepoint): for
                # comparing the two in the load benchmark, or if it ever misbehaves.
                writer.bulk_enabled = os.environ.get("KINTRACE_GROUP_COMMIT_BULK", "1") != "0"
                state.intake_writer = writer
    return writer
