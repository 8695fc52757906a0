"""The one writer of the hash-chained audit log, and its verifier.

Each row stores the previous row's hash and its own SHA-256 over a canonical encoding of
its fields, so an altered, removed or reordered row breaks the chain. The row is written in
the caller's transaction: if the audit write fails, the change it records fails with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.audit.events import AuditEvent
from kintrace.db.models import AuditEvent as AuditRow

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises chain appends.
_PG_LOCK_KEY = 0x4B54_4155  # "KTAU"


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
    payload = json.dumps(
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
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def record(session: Session, event: AuditEvent) -> AuditRow:
    """Append one event to the chain inside the caller's transaction (never commits)."""
    if session.get_bind().dialect.name == "postgresql":
        # Without it, two transactions could read the same head and one would fail on the
        # unique seq; the lock makes them queue instead. Released at commit/rollback.
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
    head = session.execute(
        sa.select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
    # Microseconds are the finest precision both databases keep.
    occurred_at = datetime.now(UTC)
    detail = event.detail()
    row = AuditRow(
        seq=seq,
        occurred_at=occurred_at,
        kind=event.kind,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        subject_type=event.subject_type or detail.get("record_type"),
        subject_id=event.subject_id,
        detail=detail,
        prev_hash=prev,
    )
    row.hash = row_hash(
        seq=seq,
        prev_hash=prev,
        occurred_at=occurred_at,
        kind=row.kind,
        actor_kind=row.actor_kind,
        actor_id=row.actor_id,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        detail=detail,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None


def _rows(session: Session) -> Iterator[AuditRow]:
    yield from session.execute(
        sa.select(AuditRow).order_by(AuditRow.seq).execution_options(yield_per=5000)
    ).scalars()


def verify(session: Session) -> ChainCheck:
    """Walk the whole chain; report the first link that does not hold."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for row in _rows(session):
        count += 1
        if row.seq != expected_seq:
            return ChainCheck(False, count, row.seq, f"event {expected_seq} is missing")
        if row.prev_hash != expected_prev:
            return ChainCheck(False, count, row.seq, "the link to the previous event is broken")
        recomputed = row_hash(
            seq=row.seq,
            prev_hash=row.prev_hash,
            occurred_at=row.occurred_at,
            kind=row.kind,
            actor_kind=row.actor_kind,
            actor_id=row.actor_id,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            detail=row.detail,
        )
        if recomputed != row.hash:
            return ChainCheck(False, count, row.seq, "the event was altered after it was written")
        expected_prev, expected_seq = row.hash, row.seq + 1
    return ChainCheck(True, count)
