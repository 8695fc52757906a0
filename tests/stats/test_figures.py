"""Verified counts by latest fate, from the database, published only through suppression."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from tests.factories import Store, migrated_store

from kintrace.db.models import Organisation, Person, Report, Source
from kintrace.domain import Credibility, Reliability, ReportType
from kintrace.stats.figures import (
    FATES,
    FiguresRefresher,
    Group,
    figures,
    grouped_people,
    publish,
)
from kintrace.stats.suppression import disclosures, full_grid


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


groups_strategy = st.lists(
    st.builds(
        Group,
        fate=st.sampled_from(FATES),
        week=st.sampled_from(["2026-W01", "2026-W02", "2026-W03"]),
        party=st.sampled_from(["UA", "RU"]),
        detaining_power=st.sampled_from(["UA", "RU", "unknown"]),
        region=st.sampled_from(["RU", "UA", "BY"]),
        people=st.integers(min_value=1, max_value=9),
        confirmed=st.just(0),
        sources=st.just(frozenset({1})),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(groups_strategy)
def test_no_published_table_nor_the_four_way_table_gives_back_what_another_hides(groups):
    published = publish(groups)
    for table in published.tables():
        grid = [[v if v is not None else -1 for v in row] for row in table.grid()]
        hidden = {(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v == -1}
        truth = full_grid(_true_cells(groups, table))
        assert disclosures(truth, hidden) == []
    cube = published.four_way
    withheld = {key for key, value in cube.entries if value is None}
    # The fate x week table is the (fate, total, total, week) margin of the 4-way table: each
    # figure is withheld in both or published in both, with the same value.
    by_week = published.by_week
    for i, fate in enumerate(FATES):
        for week, value in zip(by_week.column_labels, by_week.cells[i], strict=True):
            assert (value is None) == ((fate, "total", "total", week) in withheld)
        total = (fate, "total", "total", "total")
        assert (by_week.row_totals[i] is None) == (total in withheld)
    for _key, value in cube.entries:
        assert value is None or value == 0 or value >= 5


def _true_cells(groups: list[Group], table) -> list[list[int]]:
    column = {
        "by_week": "week",
        "by_party": "party",
        "by_detaining_power": "detaining_power",
        "by_region": "region",
    }.get(table.name)
    cells = [[0] * len(table.column_labels) for _ in FATES]
    for g in groups:
        i = FATES.index(g.fate)
        if column is None:  # confirmation: nobody is confirmed in these groups
            cells[i][1] += g.people
        else:
            cells[i][table.column_labels.index(getattr(g, column))] += g.people
    return cells


def test_the_background_count_reads_beside_a_writer_holding_the_sqlite_lock(
    store: Store,
) -> None:
    with store.sessions.begin() as session:
        bureau, _copy, _ = _sources(session)
        for _ in range(6):
            _person_with(session, (bureau, ReportType.captured, "2026-01-05", "1"))
    refresher = FiguresRefresher(store.sessions)
    try:
        with store.sessions.begin() as writer:  # on SQLite: BEGIN IMMEDIATE, the write lock
            writer.add(Person())
            writer.flush()
            snapshot = refresher.refresh()
        assert snapshot.figures.by_week.total == 6
        assert refresher.latest() is snapshot
    finally:
        refresher.stop()


def test_a_started_refresher_publishes_the_figures_without_a_page_asking(store: Store) -> None:
    with store.sessions.begin() as session:
        bureau, _copy, _ = _sources(session)
        for _ in range(5):
            _person_with(session, (bureau, ReportType.dead, "2026-01-05", "1"))
    refresher = FiguresRefresher(store.sessions, interval=60)
    refresher.start()
    try:
        deadline = time.monotonic() + 120  # only a refresher that never publishes waits this long
        while refresher.latest() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        snapshot = refresher.latest()
        assert snapshot is not None
        assert snapshot.figures.by_week.row_totals[FATES.index("dead")] == 5
    finally:
        refresher.stop()
    assert not refresher.running
