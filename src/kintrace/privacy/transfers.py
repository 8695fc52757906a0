"""Every transfer of personal data to another organisation is recorded: one `data_transfer`
row (db.models_sources) and one audit event, in the caller's transaction.

Exporters (PFIF, exchange CSV, anything that leaves the instance) call `record_transfer` in
the same transaction that marks the export done, so a transfer without its record cannot
exist.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import DataTransferred
from kintrace.db.models_sources import DataTransfer


def record_transfer(
    session: Session,
    *,
    agreement_id: int,
    partner_organisation_id: int,
    format: str,
    record_count: int,
    file_sha256: str,
    field_groups: Sequence[str],
    requested_by_id: int,
) -> DataTransfer:
    """Record one transfer (caller commits). `file_sha256` identifies exactly what left."""
    transfer = DataTransfer(
        agreement_id=agreement_id,
        partner_organisation_id=partner_organisation_id,
        format=format,
        record_count=record_count,
        file_sha256=file_sha256,
        field_groups=list(field_groups),
        requested_by_id=requested_by_id,
    )
    session.add(transfer)
    session.flush()
    audit.record(
        session,
        DataTransferred(
            actor_kind="staff",
            actor_id=requested_by_id,
            subject_id=transfer.id,
            agreement_id=agreement_id,
            partner_organisation_id=partner_organisation_id,
            format=format,
            record_count=record_count,
            file_sha256=file_sha256,
        ),
    )
    return transfer
