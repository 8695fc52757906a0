"""The match worker turns queued enquiries and reports into stored, explained matches."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.factories import Personas, Store
from tests.review.conftest import add_report, add_source, file_enquiry

from kintrace.db.engine import make_sessionmaker
from kintrace.db.jobs import take_jobs
from kintrace.db.models import Enquiry, Match, MatchJob, Report, Source
from kintrace.domain import JobState
from kintrace.matching import MODEL_VERSION
from kintrace.review import worker as worker_module
from kintrace.review.cases import Stage, stage_of
from kintrace.review.worker import MatchWorker


def _matched_reports(store: Store, enquiry_id: int) -> set[int]:
    """The reports stored as matches of the enquiry (any probability)."""
    with store.sessions() as session:
        return set(
            session.scalars(sa.select(Match.report_id).where(Match.enquiry_id == enquiry_id))
        )


def his_report(session: Any, source: Source) -> Report:
    """The capture card of the man the families of these tests seek (the default enquiry's)."""
    return add_report(
        session, source, full_name="Кислиця Сергій Вікторович", birth_date="2001-03-12", sex="M"
    )


@pytest.fixture
def two_workers(store: Store) -> tuple[MatchWorker, MatchWorker]:
    """Two match workers on one database, as two `kintrace worker` processes run them, each
    with its index loaded."""
    first, second = MatchWorker(store.sessions), MatchWorker(store.sessions)
    first.load()
    second.load()
    return first, second


def test_a_new_enquiry_gets_the_report_in_ukrainian_spelling_as_a_strong_match(
    store: Store, people: Personas
) -> None:
    with store.sessions.begin() as session:
        source = add_source(session)
        report = his_report(session, source)
        add_report(session, source, full_name="Петренко Олег Іванович", birth_date="1980-01-02")
        report_id = report.id
    worker = MatchWorker(store.sessions)
    worker.drain()
    with store.sessions.begin() as session:
        receipt = file_enquiry(
            session, store, people.org_a.id, sought__full_name="Кислица Сергей Викторович"
        )
    assert worker.drain() == 1
    with store.sessions() as session:
        matches = session.scalars(sa.select(Match).where(Match.enquiry_id == receipt.enquiry_id))
        best = max(matches, key=lambda m: m.probability)
        assert best.report_id == report_id
        assert best.probability >= 0.5
        assert best.model_version == MODEL_VERSION
        assert any(f["comparison"] == "family_name" for f in best.explanation["fields"])
        enquiry = session.get(Enquiry, receipt.enquiry_id)
        assert enquiry.case_id is not None
        assert stage_of(session, enquiry.case_id) is Stage.possible_match
        assert (
            session.scalar(sa.select(sa.func.count()).where(MatchJob.state != JobState.done)) == 0
        )


def test_a_report_arriving_later_is_checked_against_open_enquiries(
    store: Store, people: Personas
) -> None:
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
    worker = MatchWorker(store.sessions)
    worker.drain()
    with store.sessions.begin() as session:
        case_id = session.get(Enquiry, receipt.enquiry_id).case_id
        assert stage_of(session, case_id) is Stage.searching
        source = add_source(session)
        report = add_report(
            session, source, full_name="KYSLYTSIA SERHII", birth_date="12.03.2001", sex="M"
        )
        report_id = report.id
    worker.drain()
    with store.sessions() as session:
        match = session.scalar(sa.select(Match).where(Match.report_id == report_id))
        assert match is not None and match.enquiry_id == receipt.enquiry_id
        assert stage_of(session, case_id) is Stage.possible_match


def test_two_relatives_asking_about_the_same_man_share_one_case(
    store: Store, people: Personas
) -> None:
    with store.sessions.begin() as session:
        first = file_enquiry(session, store, people.org_a.id)
    worker = MatchWorker(store.sessions)
    worker.drain()
    with store.sessions.begin() as session:
        second = file_enquiry(
            session,
            store,
            people.org_a.id,
            enquirer__name="Кислиця Олена",
            enquirer__relationship="wife",
        )
        stranger = file_enquiry(
            session,
            store,
            people.org_a.id,
            sought__full_name="Бондаренко Тарас Петрович",
            sought__birth_date="1975",
        )
    worker.drain()
    with store.sessions() as session:
        cases = {e.id: e.case_id for e in session.scalars(sa.select(Enquiry))}
    assert cases[first.enquiry_id] == cases[second.enquiry_id]
    assert cases[stranger.enquiry_id] != cases[first.enquiry_id]


def test_kintrace_worker_once_drains_the_queue_and_says_how_much(
    store: Store, people: Personas, data_dir: object
) -> None:
    from typer.testing import CliRunner

    from kintrace.cli.main import app

    with store.sessions.begin() as session:
        file_enquiry(session, store, people.org_a.id)
    url = store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        ["worker", "--once", "--data-dir", str(data_dir)],
        env={"KINTRACE_DATABASE_URL": url, "KINTRACE_ENVIRONMENT": "test"},
    )
    assert result.exit_code == 0, result.output
    assert "Matched 1 queued enquiries and reports." in result.output
    with store.sessions() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).where(MatchJob.state != JobState.done)) == 0
        )


def test_a_second_worker_process_sees_reports_the_first_one_matched(
    store: Store, people: Personas, two_workers: tuple[MatchWorker, MatchWorker]
) -> None:
    first, second = two_workers
    with store.sessions.begin() as session:
        report_id = his_report(session, add_source(session)).id
    first.drain()
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
    second.drain()
    assert report_id in _matched_reports(store, receipt.enquiry_id)


def test_a_report_committed_after_a_higher_id_was_seen_is_still_caught_up(
    store: Store,
    people: Personas,
    two_workers: tuple[MatchWorker, MatchWorker],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ids are drawn before commit: with two processes writing, report x can commit after
    # x + 1 was already seen by the other worker's catch-up (written here with explicit ids).
    # The look back lasts CATCH_UP_LOOKBACK_S (60 s) after ids last moved; on a loaded CI
    # machine the steps below could take that long, so the window is not what is timed here.
    monkeypatch.setattr(worker_module, "CATCH_UP_LOOKBACK_S", 10**6)
    first, second = two_workers
    with store.sessions.begin() as session:
        source = add_source(session)
        x = (session.scalar(sa.select(sa.func.max(Report.id))) or 0) + 1
        add_report(session, source, id=x + 1, full_name="Ярошенко Богдан", sex="M")
    second.drain()  # its catch-up has seen x + 1
    with store.sessions.begin() as session:
        add_report(
            session,
            session.get(Source, source.id),
            id=x,
            full_name="Мельничук Андрій Миколайович",
            birth_date="1985-06-14",
            sex="M",
        )
    first.drain()
    with store.sessions.begin() as session:
        receipt = file_enquiry(
            session,
            store,
            people.org_a.id,
            sought__full_name="Мельничук Андрій Миколайович",
            sought__birth_date="1985-06-14",
        )
    second.drain()
    assert x in _matched_reports(store, receipt.enquiry_id)


def test_a_report_another_worker_took_just_before_this_one_took_its_enquiry_is_matched(
    store: Store, people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two workers, one man: his report's job is taken by one worker, his mother's enquiry's
    # by the other a moment later. The report committed after the second worker last looked
    # for other processes' records but before it took the enquiry, so the other worker (which
    # scored the report before the enquiry existed for it) cannot find the pair: this one must.
    worker = MatchWorker(store.sessions)
    worker.drain()
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
    report_ids: list[int] = []

    def report_stored_and_taken_elsewhere(session: Any, *args: Any, **kwargs: Any) -> Any:
        if not report_ids:
            with store.sessions.begin() as other:
                report = his_report(other, add_source(other))
                other.flush()
                job = other.scalar(
                    sa.select(MatchJob).where(
                        MatchJob.subject_type == "report", MatchJob.subject_id == report.id
                    )
                )
                job.state = JobState.running  # the other worker holds it
                report_ids.append(report.id)
        return take_jobs(session, *args, **kwargs)

    monkeypatch.setattr(worker_module, "take_jobs", report_stored_and_taken_elsewhere)
    assert worker.run_once() == 1
    assert report_ids[0] in _matched_reports(store, receipt.enquiry_id)


def test_more_records_from_another_worker_than_one_look_takes_are_all_seen_before_scoring(
    store: Store, people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another worker stored and matched more reports than one catch-up look takes in
    # (CATCH_UP_LIMIT, 2 here); the man's report is the last of them. His mother's enquiry,
    # taken by this worker, must still see it: the other worker scored the report before
    # the enquiry existed, so nobody else will find the pair.
    worker = MatchWorker(store.sessions)
    worker.drain()
    monkeypatch.setattr(worker_module, "CATCH_UP_LIMIT", 2)
    with store.sessions.begin() as session:
        source = add_source(session)
        others = [
            add_report(session, source, full_name=name, sex="M")
            for name in ("Ярошенко Богдан", "Мельничук Андрій", "Гордієнко Василь")
        ]
        his = his_report(session, source)
        session.flush()
        session.execute(  # the other worker did their jobs
            sa.update(MatchJob)
            .where(MatchJob.subject_type == "report")
            .where(MatchJob.subject_id.in_([r.id for r in [*others, his]]))
            .values(state=JobState.done)
        )
        his_id = his.id
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
    assert worker.run_once() == 1
    assert his_id in _matched_reports(store, receipt.enquiry_id)


def test_a_relative_holding_a_key_share_lock_on_the_enquiry_does_not_stall_the_worker(
    store: Store, people: Personas
) -> None:
    # A family's message or a disclosure row refers to its enquiry and, on PostgreSQL, holds
    # a key-share lock on the enquiry's row until it commits. The worker storing a report's
    # match for that enquiry must not wait for it (a FOR UPDATE on the enquiry rows did, and
    # deadlocked with a caseworker moving the case). lock_timeout turns a wait into a failure.
    if store.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    engine = sa.create_engine(store.engine.url, connect_args={"options": "-c lock_timeout=20s"})
    try:
        worker = MatchWorker(make_sessionmaker(engine))
        with store.sessions.begin() as session:
            receipt = file_enquiry(session, store, people.org_a.id)
        worker.drain()
        with store.engine.connect() as other:
            other.execute(
                sa.select(Enquiry.id)
                .where(Enquiry.id == receipt.enquiry_id)
                .with_for_update(read=True, key_share=True)
            ).all()  # held until `other` closes
            with store.sessions.begin() as session:
                report_id = his_report(session, add_source(session)).id
            assert worker.run_once() == 1
            assert report_id in _matched_reports(store, receipt.enquiry_id)
    finally:
        engine.dispose()


def test_a_pair_another_worker_is_storing_at_that_moment_is_stored_once(
    store: Store, people: Personas
) -> None:
    # The other worker found the pair from the enquiry's side and holds the enquiry's lock
    # while it stores the match; this one finds it from the report's side at the same moment.
    # It must wait for the other to commit, then see the stored pair and add none.
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's one write lock already orders the two workers")
    worker = MatchWorker(store.sessions)
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
    worker.drain()
    with store.sessions.begin() as session:
        report_id = his_report(session, add_source(session)).id
    lock = sa.select(sa.func.pg_advisory_xact_lock(worker_module.MATCH_LOCKS, receipt.enquiry_id))
    waiting = sa.text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND classid = :k AND objid = :e AND objsubid = 2"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    ).bindparams(k=worker_module.MATCH_LOCKS, e=receipt.enquiry_id)
    done: list[int] = []
    with store.engine.connect() as other, store.engine.connect() as watcher:
        other.execute(lock)
        with Session(bind=other) as session:
            session.add(
                Match(
                    enquiry_id=receipt.enquiry_id,
                    report_id=report_id,
                    probability=0.99,
                    model_version=MODEL_VERSION,
                )
            )
            session.flush()
        thread = threading.Thread(target=lambda: done.append(worker.run_once()))
        thread.start()
        # Wait for the event (the worker queued behind the lock), not for a time: the bound
        # is only reached if the worker never asks for the lock at all.
        deadline = time.monotonic() + 300
        while not watcher.execute(waiting).scalar() and thread.is_alive():
            assert time.monotonic() < deadline, "the worker never waited for the other's lock"
            watcher.rollback()
            time.sleep(0.05)
        assert thread.is_alive(), "the worker stored without waiting for the other's lock"
        other.commit()
        thread.join(300)
    assert done == [1]
    with store.sessions() as session:
        stored = session.scalar(
            sa.select(sa.func.count()).where(
                Match.enquiry_id == receipt.enquiry_id, Match.report_id == report_id
            )
        )
    assert stored == 1


def test_records_arriving_in_a_stream_are_matched_without_rebuilding_the_index(
    store: Store, people: Personas
) -> None:
    with store.sessions.begin() as session:
        source_id = add_source(session).id
        add_report(session, session.get(Source, source_id), full_name="Петренко Олег Іванович")
    worker = MatchWorker(store.sessions)
    worker.drain()
    index = worker.reports.index
    with store.sessions.begin() as session:
        report_id = his_report(session, session.get(Source, source_id)).id
    assert worker.run_once() == 1
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
    assert worker.run_once() == 1
    # The report filed a moment ago is found by the next enquiry, from the same index.
    assert worker.reports.index is index
    assert report_id in _matched_reports(store, receipt.enquiry_id)


def test_imported_reports_are_clustered_into_persons_by_the_worker(store: Store) -> None:
    """Issue 4 item 4: a bulk import (no capture card page to cluster it) names one man on two
    lists in two scripts, and his brother; the worker makes one person of the first two and
    leaves the brother his own."""
    from kintrace.db.models import Report

    with store.sessions.begin() as session:
        bureau, hospital = add_source(session), add_source(session, "Hospital list", "C")
        rows = [
            (bureau, "Кислиця Сергій Вікторович", "2001-03-12", "ВТ-123456"),
            (hospital, "KYSLYTSIA SERHII VIKTOROVYCH", "12.03.2001", "ВТ-123456"),
            (bureau, "Кислиця Андрій Вікторович", "1998-07-30", "ВТ-654321"),
        ]
        ids = [
            add_report(
                session, source, full_name=name, birth_date=born, sex="M", service_number=number
            ).id
            for source, name, born, number in rows
        ]
    MatchWorker(store.sessions).drain()
    with store.sessions() as session:
        person = {r.id: r.person_id for r in session.scalars(sa.select(Report))}
    assert None not in person.values()
    assert person[ids[0]] == person[ids[1]]
    assert person[ids[2]] != person[ids[0]]


# Synthetic people: (family given patronymic, birth date)
PEOPLE = [
    ("Петренко Олег Іванович", "1980-01-02"),
    ("Бондаренко Андрій Миколайович", "1995-05-17"),
    ("Шевчук Дмитро Олександрович", "1990-11-03"),
    ("Мельник Іван Петрович", "1987-08-21"),
    ("Ткаченко Василь Степанович", "1999-02-14"),
    ("Коваленко Юрій Григорович", "1993-06-30"),
    ("Олійник Максим Васильович", "2000-09-09"),
]


def _dotted(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


def test_a_rebuild_while_enquiries_and_reports_keep_arriving_loses_no_match(
    store: Store, people: Personas, monkeypatch
) -> None:
    import threading

    from kintrace.domain import EnquiryState
    from kintrace.review import worker as worker_module

    reports: dict[str, int] = {}
    enquiries: dict[str, int] = {}

    def report(name: str, born: str) -> None:
        with store.sessions.begin() as session:
            source = session.get(Source, source_id)
            reports[name] = add_report(session, source, full_name=name, birth_date=born, sex="M").id

    def enquiry(name: str, born: str) -> None:
        with store.sessions.begin() as session:
            enquiries[name] = file_enquiry(
                session,
                store,
                people.org_a.id,
                sought__full_name=name,
                sought__birth_date=_dotted(born),
            ).enquiry_id

    with store.sessions.begin() as session:
        source_id = add_source(session).id
    for name, born in PEOPLE[:2]:
        report(name, born)
    enquiry("Гуменюк Роман Ярославович", "1985-04-04")
    worker = MatchWorker(store.sessions)
    worker.drain()
    old_index = worker.reports.index
    gone = enquiries.pop("Гуменюк Роман Ярославович")
    with store.sessions.begin() as session:
        # Withdrawn by the family: only a rebuild forgets him.
        session.get(Enquiry, gone).state = EnquiryState.withdrawn

    # The rebuild reads the store (in chunks of two rows), then is held until the test has
    # filed more records.
    monkeypatch.setattr(worker_module, "REBUILD_CHUNK", 2)
    started, release = threading.Event(), threading.Event()
    build = worker_module._built

    def held(*snapshot):
        started.set()
        release.wait(60)
        return build(*snapshot)

    monkeypatch.setattr(worker_module, "_built", held)
    worker.request_rebuild()
    worker.run_once()
    assert started.wait(60)
    for name, born in PEOPLE[2:5]:  # reported while the rebuild runs
        report(name, born)
        worker.run_once()
    for name, born in [*PEOPLE[:4], PEOPLE[6]]:  # asked about while it runs
        enquiry(name, born)
        worker.run_once()
    # Answered all along, from the old index.
    assert worker.rebuilding is not None and worker.reports.index is old_index
    release.set()
    assert worker.finish_rebuild(wait=True)
    assert worker.reports.index is not old_index
    assert str(gone) not in worker.enquiries.ids
    enquiry(*PEOPLE[4])  # reported during the rebuild, asked about after it
    enquiry(*PEOPLE[5])
    report(*PEOPLE[5])
    report(*PEOPLE[6])  # asked about during the rebuild, reported after it
    worker.drain()

    assert set(enquiries) == {name for name, _ in PEOPLE}
    with store.sessions() as session:
        for name, enquiry_id in enquiries.items():
            found = {
                m.report_id: m.probability
                for m in session.scalars(sa.select(Match).where(Match.enquiry_id == enquiry_id))
            }
            assert found.get(reports[name], 0) >= 0.5, name


def test_kintrace_index_rebuild_asks_the_running_worker_for_fresh_indexes(
    store: Store, people: Personas, data_dir: object
) -> None:
    from typer.testing import CliRunner

    from kintrace.cli.main import app

    with store.sessions.begin() as session:
        add_report(session, add_source(session), full_name=PEOPLE[0][0], birth_date=PEOPLE[0][1])
    worker = MatchWorker(store.sessions)
    worker.drain()
    index = worker.reports.index
    env = {
        "KINTRACE_DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
        "KINTRACE_ENVIRONMENT": "test",
    }
    result = CliRunner().invoke(app, ["index", "rebuild", "--data-dir", str(data_dir)], env=env)
    assert result.exit_code == 0, result.output
    assert "rebuild of the matching indexes is queued" in result.output
    worker.drain()
    assert worker.rebuilds == 1 and worker.reports.index is not index
    with store.sessions() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).where(MatchJob.state != JobState.done)) == 0
        )
    # With no worker running, --wait says so instead of waiting for ever.
    result = CliRunner().invoke(
        app, ["index", "rebuild", "--data-dir", str(data_dir), "--wait", "0.5"], env=env
    )
    assert result.exit_code == 1
    assert "No match worker finished the rebuild within 0.5 seconds" in result.output


def test_a_failed_rebuild_leaves_the_old_index_answering(
    store: Store, people: Personas, monkeypatch
) -> None:
    from kintrace.review import worker as worker_module

    with store.sessions.begin() as session:
        report_id = add_report(
            session, add_source(session), full_name=PEOPLE[1][0], birth_date=PEOPLE[1][1]
        ).id
    worker = MatchWorker(store.sessions)
    worker.drain()
    index = worker.reports.index

    def broken(*snapshot):
        raise OSError("disk full")

    monkeypatch.setattr(worker_module, "_built", broken)
    worker.request_rebuild()
    assert not worker.finish_rebuild(wait=True)
    assert worker.reports.index is index and worker.rebuilds == 0
    with store.sessions.begin() as session:
        receipt = file_enquiry(
            session,
            store,
            people.org_a.id,
            sought__full_name=PEOPLE[1][0],
            sought__birth_date=_dotted(PEOPLE[1][1]),
        )
    worker.drain()
    assert report_id in _matched_reports(store, receipt.enquiry_id)
