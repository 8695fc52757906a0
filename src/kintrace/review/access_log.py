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

from kintrace import audit
from kintrace.db.models import Disclosure, Enquiry, Match, Message, User

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
    events = audit.events_about(
        session, case_subjects(session, case_id), reads_only=False, limit=limit
    )
    staff_ids = {e.actor_id for e in events if e.actor_kind == "staff" and e.actor_id}
    staff: dict[int | None, tuple[str | None, str | None]] = {
        user_id: (email, str(getattr(role, "value", role)))
        for user_id, email, role in session.execute(
            sa.select(User.id, User.email, User.role).where(User.id.in_(staff_ids))
        )
    }
    entries = []
    for e in events:
        email, role = (
            staff.get(e.actor_id, (None, None)) if e.actor_kind == "staff" else (None, None)
        )
        entries.append(
            AccessEntry(
                at=e.at,
                kind=e.kind,
                actor_kind=e.actor_kind,
                actor_email=email,
                actor_role=role,
                subject_type=e.subject_type or "",
                subject_id=e.subject_id or 0,
            )
        )
    return entries
