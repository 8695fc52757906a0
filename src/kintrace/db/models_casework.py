"""Tables of casework (issue 5): the case's lifecycle stage, enquirer verifications, the record
that a death was told in person, and the steps of a family message.

The core records (Case, Match, MatchDecision, Message, Disclosure) live in db.models; these
tables only add what those cannot hold without changing their columns.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kintrace.db.models import Base
from kintrace.db.types import EncryptedText, utcnow


class CaseProgress(Base):
    """Where one case stands in its lifecycle (open → … → closed) and why it was closed."""

    __tablename__ = "case_progress"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(sa.String(32), default="open", index=True)
    closure_reason: Mapped[str | None] = mapped_column(sa.String(32))
    # Marked by a caseworker (elderly, alone, in distress): such work comes first.
    vulnerable: Mapped[bool] = mapped_column(default=False)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reopened_count: Mapped[int] = mapped_column(default=0)


class Verification(Base):
    """One check of an enquirer before anything is disclosed; retracted, never overwritten."""

    __tablename__ = "verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("enquiry.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    identity_checked: Mapped[bool] = mapped_column(default=False)
    relationship_checked: Mapped[bool] = mapped_column(default=False)
    # Only asked when the sought person is a child; None = not applicable.
    guardianship_checked: Mapped[bool | None]
    knowledge_asked: Mapped[int] = mapped_column(default=0)
    knowledge_matched: Mapped[int] = mapped_column(default=0)
    # Whether the enquirer is among those the sought person asked to be informed; None = the
    # person named nobody (or has not been asked).
    named_by_person: Mapped[bool | None]
    outcome: Mapped[str] = mapped_column(sa.String(16))
    # Free text a caseworker types about a family: personal data, sealed at rest.
    notes: Mapped[str | None] = mapped_column(EncryptedText())
    retracted_at: Mapped[datetime | None]


class DeathNotice(Base):
    """A death was told to the family by phone or in person, with the support offered."""

    __tablename__ = "death_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(sa.String(16))
    support_offered: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageStep(Base):
    """One step of a family message: approved, printed, forwarded, delivered, rejected."""

    __tablename__ = "message_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
