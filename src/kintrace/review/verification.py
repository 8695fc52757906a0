"""Enquirer verification before anything is disclosed, and screening for "fishing" enquiries.

A checklist is recorded with its outcome: identity and relationship evidence seen, answers only
a relative would know compared with the reports (how many asked, how many matched), proof of
guardianship when a child is sought, and whether the enquirer is among those the sought person
asked to be informed. Records are retracted, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import EnquirerVerified
from kintrace.db.models import Enquiry
from kintrace.db.models_casework import Verification
from kintrace.review.queue import is_child, sought_name

#: One contact asking about this many different people is screened as possible fishing.
FISHING_CONTACT_LIMIT = 3
#: Of the questions only a relative could answer, this many must match the reports.
KNOWLEDGE_NEEDED = 2


class Outcome(StrEnum):
    verified = "verified"
    inconclusive = "inconclusive"
    failed = "failed"


@dataclass(frozen=True)
class Checklist:
    identity_checked: bool
    relationship_checked: bool
    knowledge_asked: int
    knowledge_matched: int
    guardianship_checked: bool | None = None
    named_by_person: bool | None = None
    notes: str | None = None


def outcome_of(checklist: Checklist, *, child_sought: bool) -> Outcome:
    """Verified only with identity, relationship, enough matching answers, and — for a child —
    guardianship; failed when the enquirer knows nothing a relative would know."""
    if checklist.knowledge_asked >= KNOWLEDGE_NEEDED and checklist.knowledge_matched == 0:
        return Outcome.failed
    complete = (
        checklist.identity_checked
        and checklist.relationship_checked
        and checklist.knowledge_matched >= KNOWLEDGE_NEEDED
        and (not child_sought or bool(checklist.guardianship_checked))
    )
    return Outcome.verified if complete else Outcome.inconclusive


def record_verification(
    session: Session, enquiry: Enquiry, checklist: Checklist, *, user_id: int
) -> Verification:
    now = datetime.now(UTC)
    for earlier in session.scalars(
        sa.select(Verification).where(
            Verification.enquiry_id == enquiry.id, Verification.retracted_at.is_(None)
        )
    ):
        earlier.retracted_at = now
    child = is_child(enquiry.sought_birth_date)
    outcome = outcome_of(checklist, child_sought=child)
    row = Verification(
        enquiry_id=enquiry.id,
        user_id=user_id,
        created_at=now,
        identity_checked=checklist.identity_checked,
        relationship_checked=checklist.relationship_checked,
        guardianship_checked=checklist.guardianship_checked if child else None,
        knowledge_asked=max(checklist.knowledge_asked, checklist.knowledge_matched),
        knowledge_matched=checklist.knowledge_matched,
        named_by_person=checklist.named_by_person,
        outcome=outcome.value,
        notes=(checklist.notes or "").strip() or None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        EnquirerVerified(
            actor_kind="staff",
            actor_id=user_id,
            subject_id=enquiry.id,
            verification_id=row.id,
            outcome=outcome.value,
        ),
    )
    return row


def current_verification(session: Session, enquiry_id: int) -> Verification | None:
    return session.scalar(
        sa.select(Verification)
        .where(Verification.enquiry_id == enquiry_id, Verification.retracted_at.is_(None))
        .order_by(Verification.id.desc())
        .limit(1)
    )


def fishing_flags(session: Session, enquiry: Enquiry) -> list[str]:
    """Reasons to suspect the enquirer is fishing for people rather than seeking a relative."""
    flags: list[str] = []
    contacts = {c.strip().lower() for c in (enquiry.enquirer_email, enquiry.enquirer_phone) if c}
    if contacts:
        # Compared in Python: contact columns may be encrypted at rest (issue 6).
        others = session.scalars(
            sa.select(Enquiry).where(Enquiry.organisation_id == enquiry.organisation_id)
        )
        sought: set[str] = set()
        for other in others:
            theirs = {c.strip().lower() for c in (other.enquirer_email, other.enquirer_phone) if c}
            if contacts & theirs:
                sought.add(sought_name(other).casefold())
        if len(sought) >= FISHING_CONTACT_LIMIT:
            flags.append("many_enquiries_from_one_contact")
    latest = current_verification(session, enquiry.id)
    if latest is not None and latest.outcome == Outcome.failed.value:
        flags.append("knows_nothing_a_relative_would_know")
    return flags
