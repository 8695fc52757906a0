from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from tests.factories import Store, add_personas

from kintrace import audit
from kintrace.db.models import AuditEvent
from kintrace.db.models_sources import DataSharingAgreement, DataTransfer
from kintrace.privacy.transfers import record_transfer


def test_a_transfer_to_a_partner_leaves_a_record_and_an_audit_event(store: Store) -> None:
    with store.sessions.begin() as session:
        people = add_personas(session)
        agreement = DataSharingAgreement(
            partner_organisation_id=people.org_b.id, field_groups=["identity", "fate"],
            purpose="tracing", valid_from=datetime.now(UTC),
            valid_until=datetime.now(UTC) + timedelta(days=90), created_by_id=people.bob.id,
        )  # fmt: skip
        session.add(agreement)
        session.flush()
        record_transfer(
            session, agreement_id=agreement.id, partner_organisation_id=people.org_b.id,
            format="pfif", record_count=12, file_sha256="a" * 64,
            field_groups=["identity", "fate"], requested_by_id=people.alice.id,
        )  # fmt: skip
    with store.sessions() as session:
        transfer = session.scalars(sa.select(DataTransfer)).one()
        event = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.kind == "data.transferred")
        ).one()
        assert audit.verify(session).ok
    assert (transfer.record_count, transfer.format) == (12, "pfif")
    assert event.subject_id == transfer.id and event.detail["record_count"] == 12
