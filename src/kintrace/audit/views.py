"""Who looked at a record: the audit log read back for the caseworker page."""

from __future__ import annotations

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


def who_viewed(
    session: Session, record_kind: str, record_id: int, *, limit: int = 200
) -> list[Viewing]:
    """Every recorded read of one record (newest first): who (staff id, enquirer, system),
    when, and through which event. `record_kind` is the audit subject type ("case",
    "enquiry", "report", ...)."""
    reads = sa.or_(*(AuditRow.kind.endswith(suffix) for suffix in _READ_SUFFIXES))
    rows = session.execute(
        sa.select(
            AuditRow.occurred_at,
            AuditRow.actor_kind,
            AuditRow.actor_id,
            AuditRow.kind,
            AuditRow.seq,
        )
        .where(AuditRow.subject_type == record_kind, AuditRow.subject_id == record_id, reads)
        .order_by(AuditRow.seq.desc())
        .limit(limit)
    ).all()
    return [Viewing(r[0], r[1], r[2], r[3], r[4]) for r in rows]
