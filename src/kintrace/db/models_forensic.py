"""Tables for the dead and the unidentified (issue 10): death evidence on a report, remains
found, ante-mortem data on a case, photos, identification decisions and the return of remains.

Every descriptive column is personal data and sealed (EncryptedText/JSON/Bytes). An
identification method is stored as a method and a laboratory reference, never genetic data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kintrace.db.models import Base
from kintrace.db.types import EncryptedBytes, EncryptedJSON, EncryptedText, utcnow

Sealed = EncryptedText()
SealedJSON = EncryptedJSON()


class DeathEvidence(Base):
    """The evidence a death report carries; its grade decides dead vs reported dead."""

    __tablename__ = "death_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    certificate: Mapped[str | None] = mapped_column(Sealed)
    place: Mapped[str | None] = mapped_column(Sealed)
    date: Mapped[str | None] = mapped_column(Sealed)
    grave: Mapped[str | None] = mapped_column(Sealed)
    remains_recovered: Mapped[bool] = mapped_column(default=False)
    # documents / visual / fingerprints / dental / dna; never the genetic data itself.
    method: Mapped[str | None] = mapped_column(sa.String(16))
    lab_reference: Mapped[str | None] = mapped_column(Sealed)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnidentifiedRemains(Base):
    """Remains found by a morgue, an exhumation team or listed by the other side."""

    __tablename__ = "unidentified_remains"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_org: Mapped[str] = mapped_column(Sealed)
    place: Mapped[str | None] = mapped_column(Sealed)
    date_found: Mapped[str | None] = mapped_column(Sealed)
    # Descriptors the ranking reads: sex, age/height ranges, marks, dental, clothing, effects,
    # identity tags; one sealed document because they are read and written together.
    descriptors: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    identified_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_file.id"))


class AnteMortem(Base):
    """What the family told a caseworker about the sought person's body and belongings."""

    __tablename__ = "ante_mortem"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), primary_key=True)
    descriptors: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    # Whether a family reference sample for DNA was given, and where (lab, place) — no data.
    reference_sample_given: Mapped[bool] = mapped_column(default=False)
    reference_sample_where: Mapped[str | None] = mapped_column(Sealed)
    recorded_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ForensicPhoto(Base):
    """A photo of remains or of a tattoo the family gave; sealed, shown to forensic staff only."""

    __tablename__ = "forensic_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    remains_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("unidentified_remains.id"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    content_type: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[bytes] = mapped_column(EncryptedBytes())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the photo shows (tattoo, scar, effects, clothing, remains, other) and who added it
    # (migration 0009; older photos have neither).
    subject: Mapped[str | None] = mapped_column(sa.String(16))
    uploaded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class Identification(Base):
    """A proposed identification of remains as a case's sought person; a second forensic
    specialist must approve it, never the proposer and never the software."""

    __tablename__ = "identification"

    id: Mapped[int] = mapped_column(primary_key=True)
    remains_id: Mapped[int] = mapped_column(sa.ForeignKey("unidentified_remains.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    method: Mapped[str] = mapped_column(sa.String(16))
    lab_reference: Mapped[str | None] = mapped_column(Sealed)
    proposed_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]


class RemainsReturn(Base):
    """The hand-over of identified remains to the family and the death certificate's issue."""

    __tablename__ = "remains_return"

    identification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("identification.id"), primary_key=True
    )
    from_whom: Mapped[str] = mapped_column(Sealed)
    to_whom: Mapped[str] = mapped_column(Sealed)
    place: Mapped[str] = mapped_column(Sealed)
    date: Mapped[str] = mapped_column(sa.String(10))
    documents: Mapped[str | None] = mapped_column(Sealed)
    certificate_issued_at: Mapped[datetime | None]
    planned_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
