"""The one writer of the hash-chained audit log, and its verifier.

Each row stores the previous row's hash and its own SHA-256 over a canonical encoding of
its fields, so an altered, removed or reordered row breaks the chain. The row is written in
the caller's transaction: if the audit write fails, the change it records fails with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kintrace.audit.events import AuditEvent
from kintrace.db.models import AuditEvent as AuditRow
from kintrace.errors import StorageNotSafe

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises chain appends.
_PG_LOCK_KEY = 0x4B54_4155  # "KTAU"
# A signed checkpoint is written after every this many events (and by `kintrace audit
# checkpoint`, which an operator runs from cron so that a quiet day is covered too).
CHECKPOINT_EVERY = 1000
# One encoder, reused: building one per event (json.dumps with options) costs a third of verify.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode


def row_hash(
    *,
    seq: int,
    prev_hash: str,
    occurred_at: datetime,
    kind: str,
    actor_kind: str,
    actor_id: int | None,
    subject_type: str | None,
    subject_id: int | None,
    detail: dict[str, Any],
) -> str:
    """SHA-256 over a canonical JSON encoding of one link of the chain."""
    payload = _ENCODE(
        [
            seq,
            prev_hash,
            occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            kind,
            actor_kind,
            actor_id,
            subject_type,
            subject_id,
            detail,
        ]
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


class AuditUnavailable(StorageNotSafe):
    """The audit event could not be written, so the change (or read) it records must fail too
    (web: 503, nothing shown)."""

    def __init__(self) -> None:
        super().__init__(
            "The audit log cannot be written at the moment, so nothing was changed or shown."
        )


def record(session: Session, event: AuditEvent) -> None:
    """Append one event to the chain inside the caller's transaction (never commits).

    Raises AuditUnavailable when the database refuses the write: the caller's transaction is
    then unusable and the request fails as a whole.
    """
    record_many(session, [event])


# Built once: the group-commit writer calls record_many per batch, and rebuilding these
# statements (and the ORM bulk-insert plumbing) was most of its audit cost.
_AUDIT = AuditRow.__table__
_PG_LOCK = sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY))
_HEAD = sa.select(_AUDIT.c.seq, _AUDIT.c.hash).order_by(_AUDIT.c.seq.desc()).limit(1)
_INSERT = sa.insert(_AUDIT)


def record_many(session: Session, events: Sequence[AuditEvent]) -> list[int]:
    """Append `events` in order inside the caller's transaction; returns their seq numbers.

    One head read and one multi-row insert for the lot: the group-commit writer stores dozens
    of enquiries per transaction, and per-event ORM rows were a third of its CPU. Raises
    AuditUnavailable like `record`.
    """
    if not events:
        return []
    try:
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            # Without it, two transactions could read the same head and one would fail on the
            # unique seq; the lock makes them queue instead. Released at commit/rollback.
            conn.execute(_PG_LOCK)
        head = conn.execute(_HEAD).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        rows: list[dict[str, Any]] = []
        for event in events:
            seq += 1
            detail = event.detail()
            row: dict[str, Any] = {
                "seq": seq,
                # Microseconds are the finest precision both databases keep.
                "occurred_at": datetime.now(UTC),
                "kind": event.kind,
                "actor_kind": event.actor_kind,
                "actor_id": event.actor_id,
                "subject_type": event.subject_type or detail.get("record_type"),
                "subject_id": event.subject_id,
                "detail": detail,
            }
            row["hash"] = row_hash(prev_hash=prev, **row)
            row["prev_hash"] = prev
            rows.append(row)
            prev = row["hash"]
        conn.execute(_INSERT, rows)
    except SQLAlchemyError as exc:
        logger.error("Audit write failed (%s); the request is refused.", type(exc).__name__)
        raise AuditUnavailable() from exc
    if any(row["seq"] % CHECKPOINT_EVERY == 0 for row in rows):
        _checkpoint_after_commit(session)
    return [row["seq"] for row in rows]


def _checkpoint_after_commit(session: Session) -> None:
    # Signing needs the data dir's key, which only a process with loaded keys has; the
    # checkpoint goes in its own transaction once this one is safely committed.
    from kintrace.audit.checkpoints import checkpoint_quietly

    bind = session.get_bind()
    done = False

    def after_commit(committed: Session) -> None:
        nonlocal done
        # SQLAlchemy also calls this when a savepoint is released (group commit stores each
        # enquiry in one): the transaction holding the events is still open then, and a
        # checkpoint would wait for its lock. Only the outermost commit counts.
        if done or committed.in_nested_transaction():
            return
        done = True
        checkpoint_quietly(bind)

    sa_event.listen(session, "after_commit", after_commit)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None
    # Signed checkpoints the chain was checked against.
    checkpoints: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH


# seq, prev_hash, occurred_at, kind, actor_kind, actor_id, subject_type, subject_id, detail, hash
ChainRow = tuple[int, str, datetime | str, str, str, int | None, str | None, int | None, Any, str]


_CHAIN_SQL = (
    "SELECT seq, prev_hash, occurred_at, kind, actor_kind, actor_id, subject_type, subject_id, "
    "detail, hash FROM audit_event ORDER BY seq"
)


def _iso(value: Any) -> str:
    """The canonical time text of the hash, from what the driver returns (fast path)."""
    if isinstance(value, str):
        # SQLite keeps SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC).
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def chain_rows(conn: Session | sa.Connection) -> Iterator[ChainRow]:
    """Every event in seq order as plain tuples, read straight from the driver's cursor (times
    as canonical text, details parsed): a million rows must verify in well under a minute."""
    connection = conn.connection() if isinstance(conn, Session) else conn
    raw = connection.connection.dbapi_connection
    if raw is None:  # pragma: no cover - a live connection always has one
        raise RuntimeError("The database connection is closed.")
    if connection.dialect.name == "postgresql":
        # A named (server-side) cursor streams instead of loading every row into memory.
        cursor = raw.cursor(name="kintrace_audit_verify")  # type: ignore[call-arg]
    else:
        cursor = raw.cursor()
    loads = json.loads
    try:
        cursor.execute(_CHAIN_SQL)
        while batch := cursor.fetchmany(10000):
            for seq, prev, at, kind, akind, actor, stype, sid, detail, h in batch:
                if isinstance(detail, str):
                    detail = loads(detail)
                yield (seq, prev, _iso(at), kind, akind, actor, stype, sid, detail, h)
    finally:
        cursor.close()


def verify_rows(rows: Iterable[ChainRow], heads: dict[int, str] | None = None) -> ChainCheck:
    """Walk a chain; report the first link that does not hold.

    `heads` maps seq -> head hash from signed checkpoints: the chain must reach each of them
    with exactly that hash (this catches a chain rewritten from some event on, and events
    removed from the tail).
    """
    heads = heads or {}
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    dumps, sha256 = _ENCODE, hashlib.sha256
    for seq, prev_hash, occurred_at, kind, actor_kind, actor_id, stype, sid, detail, h in rows:
        count += 1
        if seq != expected_seq:
            return ChainCheck(False, count, seq, f"event {expected_seq} is missing")
        if prev_hash != expected_prev:
            return ChainCheck(False, count, seq, "the link to the previous event is broken")
        if not isinstance(occurred_at, str):
            occurred_at = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
        payload = dumps(
            [
                seq,
                prev_hash,
                occurred_at,
                kind,
                actor_kind,
                actor_id,
                stype,
                sid,
                detail,
            ]
        )
        if sha256(payload.encode("ascii")).hexdigest() != h:
            return ChainCheck(False, count, seq, "the event was altered after it was written")
        signed = heads.get(seq)
        if signed is not None and signed != h:
            return ChainCheck(
                False, count, seq, "the chain differs from the signed checkpoint at this event"
            )
        expected_prev, expected_seq = h, seq + 1
    last = expected_seq - 1
    beyond = [s for s in heads if s > last]
    if beyond:
        return ChainCheck(
            False,
            count,
            last + 1,
            f"events {last + 1} to {max(beyond)} were removed (a signed checkpoint names "
            f"event {max(beyond)})",
            last_seq=last,
        )
    return ChainCheck(True, count, checkpoints=len(heads), last_seq=last, last_hash=expected_prev)


def verify(session: Session | sa.Connection, heads: dict[int, str] | None = None) -> ChainCheck:
    """Walk the whole chain stored in the database (see verify_rows)."""
    return verify_rows(chain_rows(session), heads)
