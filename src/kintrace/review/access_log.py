"""Who looked at a case, and who changed it (issue 6 item 4: "staff can see who looked at a
case"), read back from the audit chain: every event whose subject is the case, its enquiries,
their candidate matches, its disclosures or its messages.

Audit events hold ids and codes only, so this list shows staff accounts and record ids, never
anything about the family or the person sought.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.db.models import AuditEvent, Disclosure, Enquiry, Match, Message, User

LIMIT = 500


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    kind: str
    actor_kind: str
    actor_email: str | None
    actor_role: str | None
    subject_type: str
    subject_id: int


def case_subjects(session: Session, case_id: int) -> dict[str, list[int]]:
    """The records that belong to one case, by the subject type the audit log names them with."""
    enquiries = list(session.scalars(sa.select(Enquiry.id).where(Enquiry.case_id == case_id)))
    matches: list[int] = []
    if enquiries:
        matches = list(session.scalars(sa.select(Match.id).where(Match.enquiry_id.in_(enquiries))))
    return {
        "case": [case_id],
        "enquiry": enquiries,
        "match": matches,
        "disclosure": list(
            session.scalars(sa.select(Disclosure.id).where(Disclosure.case_id == case_id))
        ),
        "message": list(session.scalars(sa.select(Message.id).where(Message.case_id == case_id))),
    }


def case_access_log(session: Session, case_id: int, limit: int = LIMIT) -> list[AccessEntry]:
    """Newest first: each read or change of the case's records, and by whom."""
    conditions = [
        sa.and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(ids))
        for kind, ids in case_subjects(session, case_id).items()
        if ids
    ]
    rows = session.execute(
        sa.select(AuditEvent, User.email, User.role)
        .outerjoin(User, sa.and_(AuditEvent.actor_kind == "staff", AuditEvent.actor_id == User.id))
        .where(sa.or_(*conditions))
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    ).all()
    return [
        AccessEntry(
            at=event.occurred_at,
            kind=event.kind,
            actor_kind=event.actor_kind,
            actor_email=email,
            actor_role=str(getattr(role, "value", role)) if role is not None else None,
            subject_type=event.subject_type or "",
            subject_id=event.subject_id or 0,
        )
        for event, email, role in rows
    ]
