"""Who looked at a record: the audit log read back for the caseworker page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.db.models import AuditEvent as AuditRow

# Event kinds that mean "personal data of the subject was shown or handed out".
_READ_SUFFIXES = (".read", ".viewed", ".exported", ".answer_replayed")


@dataclass(frozen=True)
class Viewing:
    at: datetime
    actor_kind: str  # "staff", "enquirer" or "system"
    actor_id: int | None
    kind: str
    seq: int
    subject_type: str | None = None
    subject_id: int | None = None


def events_about(
    session: Session,
    subjects: Mapping[str, Sequence[int]],
    *,
    reads_only: bool = True,
    limit: int = 200,
) -> list[Viewing]:
    """The events (newest first) whose subject is one of ``subjects`` ({subject type: ids}):
    only reads of personal data, or with ``reads_only=False`` every read and change."""
    conditions = [
        sa.and_(AuditRow.subject_type == kind, AuditRow.subject_id.in_(ids))
        for kind, ids in subjects.items()
        if ids
    ]
    if not conditions:
        return []
    where = sa.or_(*conditions)
    if reads_only:
        where = sa.and_(where, sa.or_(*(AuditRow.kind.endswith(s) for s in _READ_SUFFIXES)))
    rows = session.execute(
        sa.select(
            AuditRow.occurred_at,
            AuditRow.actor_kind,
            AuditRow.actor_id,
            AuditRow.kind,
            AuditRow.seq,
            AuditRow.subject_type,
            AuditRow.subject_id,
        )
        .where(where)
        .order_by(AuditRow.seq.desc())
        .limit(limit)
    ).all()
    return [Viewing(*row) for row in rows]


def who_viewed(
    session: Session, record_kind: str, record_id: int, *, limit: int = 200
) -> list[Viewing]:
    """Every recorded read of one record (newest first): who (staff id, enquirer, system),
    when, and through which event. `record_kind` is the audit subject type ("case",
    "enquiry", "report", ...)."""
    return events_about(session, {record_kind: [record_id]}, limit=limit)
