"""Verified counts by latest fate, from the database, published only through suppression."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.factories import Store, migrated_store

from kintrace.db.models import Organisation, Person, Report, Source
from kintrace.domain import Credibility, Reliability, ReportType
from kintrace.stats.figures import FATES, figures, grouped_people


@pytest.fixture
def store(database_url: str, data_dir: Path) -> Iterator[Store]:
    with migrated_store(data_dir, database_url) as migrated:
        yield migrated


def _sources(session: Session) -> tuple[Source, Source, Source]:
    org = Organisation(code="FIG-A", name="Figures bureau")
    session.add(org)
    session.flush()
    bureau = Source(name="Bureau list", reliability=Reliability.A, organisation_id=org.id)
    bureau_copy = Source(name="Bureau copy", reliability=Reliability.B, organisation_id=org.id)
    rumour = Source(name="Channel post", reliability=Reliability.E)
    session.add_all([bureau, bureau_copy, rumour])
    session.flush()
    return bureau, bureau_copy, rumour


def _person_with(session: Session, *reports: tuple[Source, ReportType, str, str]) -> None:
    person = Person()
    session.add(person)
    session.flush()
    for source, rtype, day, credibility in reports:
        session.add(
            Report(
                source_id=source.id,
                person_id=person.id,
                report_type=rtype,
                event_date=day,
                credibility=Credibility(credibility),
                party="UA",
                detaining_power="RU",
                country_held="RU",
            )
        )


def test_a_person_counts_once_under_his_latest_well_graded_report(store: Store) -> None:
    with store.sessions.begin() as session:
        bureau, copy, rumour = _sources(session)
        _person_with(
            session,
            (bureau, ReportType.captured, "2026-01-05", "2"),
            (copy, ReportType.released, "2026-02-02", "2"),
            (rumour, ReportType.dead, "2026-03-02", "6"),  # a rumour never moves the count
        )
    with store.sessions() as session:
        groups = grouped_people(session)
    assert [(g.fate, g.week, g.people) for g in groups] == [("released", "2026-W06", 1)]
    # Two sources of one organisation are one voice, so this is not a confirmation.
    assert groups[0].confirmed == 0


def test_published_figures_hold_no_count_below_five(store: Store) -> None:
    with store.sessions.begin() as session:
        bureau, _copy, _ = _sources(session)
        other = Source(name="NGO visit", reliability=Reliability.B)
        session.add(other)
        session.flush()
        for _ in range(12):
            _person_with(session, (bureau, ReportType.captured, "2026-01-05", "1"))
        for _ in range(8):
            _person_with(session, (bureau, ReportType.released, "2026-01-05", "1"))
        for _ in range(6):
            _person_with(
                session,
                (bureau, ReportType.interned, "2026-01-06", "2"),
                (other, ReportType.interned, "2026-01-06", "2"),
            )
        for _ in range(2):
            _person_with(session, (bureau, ReportType.dead, "2026-01-07", "1"))
    with store.sessions() as session:
        published = figures(session)
    by_week = published.by_week
    assert by_week.row_totals[FATES.index("captured")] == 12
    assert by_week.row_totals[FATES.index("dead")] is None
    assert by_week.total is None or by_week.total >= 5
    for table in published.tables():
        for row in table.grid():
            assert all(v is None or v == 0 or v >= 5 for v in row)
    confirmation = published.confirmation
    assert confirmation.cells[FATES.index("interned")][0] in (6, None)
    assert published.sources_by_fate["dead"] is None
