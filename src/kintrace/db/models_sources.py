"""Tables of the source side: import batches and their quarantine, trusted field-team keys,
PFIF records as received, data-sharing agreements and the transfers made under them.

Imported by `kintrace.db` so that `Base.metadata` (Alembic, the schema test) sees them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kintrace.db.models import Base, Timestamped
from kintrace.db.types import EncryptedBytes, EncryptedJSON, utcnow


class ImportBatch(Timestamped, Base):
    """One imported file. Its SHA-256 is unique: the same file imported twice is a no-op."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stamped on every report of the batch (report.import_batch_ref).
    ref: Mapped[str] = mapped_column(sa.String(100), unique=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("source.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # "csv", "xlsx", "exchange_csv", "signed_batch" or "pfif".
    kind: Mapped[str] = mapped_column(sa.String(32))
    rows_total: Mapped[int] = mapped_column(default=0)
    reports_created: Mapped[int] = mapped_column(default=0)
    rows_quarantined: Mapped[int] = mapped_column(default=0)
    rows_skipped: Mapped[int] = mapped_column(default=0)
    first_report_id: Mapped[int | None]
    last_report_id: Mapped[int | None]
    # The field-team key that signed the file, for signed batches.
    signed_by_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trusted_batch_key.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class QuarantinedRow(Base):
    """A bad row set aside by explicit choice, kept with its cells until someone corrects it."""

    __tablename__ = "quarantined_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batch.id"), index=True)
    row_number: Mapped[int]
    field: Mapped[str] = mapped_column(sa.String(64))
    code: Mapped[str] = mapped_column(sa.String(64))
    # Personal data, sealed at rest: the row as read ({header: cell}).
    cells: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class TrustedBatchKey(Timestamped, Base):
    """An Ed25519 public key of a field team's laptop whose signed batches this instance takes."""

    __tablename__ = "trusted_batch_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    # Raw 32-byte public key, hex; the fingerprint is its SHA-256 (first 16 hex digits).
    public_key_hex: Mapped[str] = mapped_column(sa.String(64), unique=True)
    revoked_at: Mapped[datetime | None]


class PfifRecord(Base):
    """A PFIF person or note record exactly as received (every field PFIF can carry).

    Notes are never edited: a note id seen again is ignored. A person record received again
    with a newer source_date replaces the stored fields (PFIF's own update rule).
    """

    __tablename__ = "pfif_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # "person" or "note"
    # Domain-prefixed record id (person_record_id or note_record_id).
    record_id: Mapped[str] = mapped_column(sa.String(500))
    person_record_id: Mapped[str | None] = mapped_column(sa.String(500), index=True)
    # The report this record became (a note without status becomes none).
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batch.id"))
    # Personal data, sealed at rest: {pfif_field: text}.
    fields: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("kind", "record_id", name="uq_pfif_record_kind_id"),)


class DataSharingAgreement(Timestamped, Base):
    """What may be sent to a named partner, why, and until when. No agreement, no export."""

    __tablename__ = "data_sharing_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    # Field groups the partner may receive: identity, fate, military, location, family.
    field_groups: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    # Report types covered; empty means every type.
    report_types: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    purpose: Mapped[str] = mapped_column(sa.Text)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None]


class DataTransfer(Base):
    """One export made under an agreement: to whom, in which format, how many records."""

    __tablename__ = "data_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("data_sharing_agreement.id"), index=True
    )
    partner_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    format: Mapped[str] = mapped_column(sa.String(32))  # "pfif" or "exchange_csv"
    record_count: Mapped[int]
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    field_groups: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportScan(Base):
    """A photo or scan of a capture card (issue 4 item 1): re-encoded from its pixels so no
    EXIF (GPS position, device, owner) survives, sealed at rest, never served publicly."""

    __tablename__ = "report_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    content_type: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[bytes] = mapped_column(EncryptedBytes())
    width: Mapped[int]
    height: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
