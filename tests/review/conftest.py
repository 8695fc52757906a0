"""Casework fixtures: a migrated store with the personas, and synthetic reports and enquiries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.factories import Personas, Store, add_personas, enquiry_payload, migrated_store

from kintrace.db.models import MatchJob, Report, Source
from kintrace.domain import JobState, Reliability, ReportType
from kintrace.intake.enquiries import EnquiryIn, EnquiryReceipt, submit_enquiry


@pytest.fixture
def store(database_url: str, data_dir: Path) -> Iterator[Store]:
    with migrated_store(data_dir, database_url) as migrated:
        yield migrated


@pytest.fixture
def people(store: Store) -> Personas:
    with store.sessions.begin() as session:
        personas = add_personas(session)
        session.flush()
        session.expunge_all()
    return personas


def add_source(session: Session, name: str = "Bureau list", grade: str = "B") -> Source:
    source = Source(name=name, reliability=Reliability(grade))
    session.add(source)
    session.flush()
    return source


def add_report(session: Session, source: Source, **fields: Any) -> Report:
    """A synthetic report with its matching job, as report intake stores one."""
    values: dict[str, Any] = {"report_type": ReportType.captured}
    values.update(fields)
    report = Report(source_id=source.id, **values)
    session.add(report)
    session.flush()
    session.add(MatchJob(subject_type="report", subject_id=report.id, state=JobState.pending))
    return report


def file_enquiry(session: Session, store: Store, org_id: int, **overrides: Any) -> EnquiryReceipt:
    data = EnquiryIn.model_validate(enquiry_payload(**overrides))
    return submit_enquiry(session, data, channel="web", keys=store.keys, organisation_id=org_id)
