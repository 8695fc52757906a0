"""Transfers: only under an agreement in force, only the requester's organisation's reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.factories import Store, add_personas

from kintrace.db.models import Report, Source
from kintrace.db.models_sources import DataSharingAgreement, DataTransfer
from kintrace.domain import Reliability, ReportType
from kintrace.intake.staff import get_or_create_organisation
from kintrace.io.sharing import ExportRefused, export_for_partner, record_agreement


def setup_reports(store: Store) -> int:
    with store.sessions.begin() as session:
        personas = add_personas(session)
        get_or_create_organisation(session, "PARTNER", name="Partner agency")
        for org, name in ((personas.org_a, "Кислиця"), (personas.org_b, "Бондар")):
            source = Source(name=f"list of {org.code}", reliability=Reliability.B,
                            organisation_id=org.id)  # fmt: skip
            session.add(source)
            session.flush()
            session.add(Report(source_id=source.id, report_type=ReportType.captured,
                               family_name=name))  # fmt: skip
        return record_agreement(
            session,
            partner_code="PARTNER",
            field_groups=["identity", "fate"],
            purpose="Tracing",
            valid_until=datetime.now(UTC) + timedelta(days=30),
        )


def test_a_supervisor_exports_only_her_organisations_reports_and_it_is_logged(
    store: Store,
) -> None:
    agreement_id = setup_reports(store)
    with store.sessions.begin() as session:
        transfer = export_for_partner(
            session, agreement_id=agreement_id, user_email="bob@a.example.org", fmt="exchange_csv"
        )
    text = transfer.data.decode("utf-8")
    assert "Кислиця" in text and "Бондар" not in text
    with store.sessions() as session:
        logged = session.scalars(sa.select(DataTransfer)).one()
    assert (logged.record_count, logged.format) == (1, "exchange_csv")


def test_nothing_goes_out_under_an_agreement_that_has_ended(store: Store) -> None:
    agreement_id = setup_reports(store)
    with store.sessions.begin() as session:
        agreement = session.get(DataSharingAgreement, agreement_id)
        assert agreement is not None
        agreement.valid_until = datetime.now(UTC) - timedelta(days=1)
    with store.sessions() as session, pytest.raises(ExportRefused, match="not in force"):
        export_for_partner(
            session, agreement_id=agreement_id, user_email="bob@a.example.org", fmt="pfif"
        )
