"""Persons built from duplicate reports: clustering, the review band, merge and unmerge with
history, the timeline and the fate by weight of evidence."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.factories import Store
from tests.review.conftest import add_report, add_source

from kintrace.db.models import Match, Person, Report
from kintrace.domain import Credibility, Fate, ReportType, Sex, SourceKind
from kintrace.review.persons import (
    MergeRefused,
    cluster_pending,
    cluster_reports,
    fate_of,
    history,
    merge,
    timeline,
    unmerge,
)

SERHII = {
    "family_name": "Кислиця",
    "given_name": "Сергій",
    "patronymic": "Вікторович",
    "birth_date": "2001-03-12",
    "sex": Sex.male,
    "military_unit": "А0000",
}


def _reports(session: Session) -> dict[str, Report]:
    bureau = add_source(session, "Bureau list", "A")
    bureau.kind = SourceKind.bureau_list
    media = add_source(session, "Channel video", "F")
    media.kind = SourceKind.media
    return {
        "card": add_report(
            session, bureau, report_type=ReportType.captured, event_date="2025-03-01",
            credibility=Credibility.confirmed, **SERHII,
        ),
        "list": add_report(
            session, bureau, report_type=ReportType.interned, event_date="2025-04-01",
            credibility=Credibility.confirmed, **{**SERHII, "given_name": "Сергей"},
        ),
        "post": add_report(
            session, media, report_type=ReportType.dead, event_date="2025-05-01",
            credibility=Credibility.cannot_be_judged, **SERHII,
        ),
        "other": add_report(
            session, bureau, report_type=ReportType.captured, event_date="2025-03-01",
            credibility=Credibility.confirmed, family_name="Мельник", given_name="Іван",
            birth_date="1990-07-07", sex=Sex.male,
        ),
    }  # fmt: skip


def test_duplicate_reports_become_one_person_and_a_stranger_stays_apart(store: Store) -> None:
    with store.sessions.begin() as session:
        r = _reports(session)
        cluster_reports(session, [r["card"].id])
        people = cluster_reports(session, [r["list"].id, r["post"].id, r["other"].id])
        assert people[r["list"].id] == people[r["post"].id] == r["card"].person_id
        assert people[r["other"].id] != r["card"].person_id
        assert session.scalar(sa.select(sa.func.count(Person.id))) == 2


def test_the_same_man_twice_in_one_new_list_becomes_one_person(store: Store) -> None:
    with store.sessions.begin() as session:
        r = _reports(session)
        # Nobody has a person yet: the list's duplicates must still find each other.
        people = cluster_pending(session)
        assert set(people) == {r["card"].id, r["list"].id, r["post"].id, r["other"].id}
        assert people[r["card"].id] == people[r["list"].id] == people[r["post"].id]
        assert people[r["other"].id] != people[r["card"].id]
        reasons = {m.report_id: m.reason for m in history(session, r["list"].id)}
        assert reasons == {r["list"].id: "engine"}
        # A second pass finds nothing left to do and moves no one.
        assert cluster_pending(session) == {}
        assert session.scalar(sa.select(sa.func.count(Person.id))) == 2


def test_the_fate_is_not_made_dead_by_an_unverified_post(store: Store) -> None:
    with store.sessions.begin() as session:
        r = _reports(session)
        cluster_reports(session, [r["card"].id])
        cluster_reports(session, [r["list"].id, r["post"].id])
        person_id = r["card"].person_id
        ruling = fate_of(session, person_id)
        assert ruling.fate is Fate.captured
        assert ruling.reported_dead_unconfirmed is True
        assert r["post"].id in ruling.conflicts
        assert session.get(Person, person_id).fate is Fate.captured
        kinds = [e.report.report_type for e in timeline(session, person_id)]
        assert kinds == [ReportType.captured, ReportType.interned, ReportType.dead]


def test_an_uncertain_pair_goes_to_the_review_queue_not_into_one_person(store: Store) -> None:
    with store.sessions.begin() as session:
        source = add_source(session)
        a = add_report(session, source, family_name="Кислиця", given_name="Сергій", sex=Sex.male)
        b = add_report(session, source, family_name="Кислиця", given_name="С.", sex=Sex.male)
        cluster_reports(session, [a.id])
        cluster_reports(session, [b.id])
        queued = session.scalars(sa.select(Match).where(Match.report_id == b.id)).all()
        assert a.person_id != b.person_id  # a thin pair is not clustered without a human
        assert [(m.other_report_id, 0.5 <= m.probability < 0.95) for m in queued] == [(a.id, True)]


def test_merge_and_unmerge_keep_every_report_and_its_history(store: Store) -> None:
    with store.sessions.begin() as session:
        r = _reports(session)
        cluster_reports(session, [r["card"].id])
        cluster_reports(session, [r["other"].id])
        keep, absorb = r["card"].person_id, r["other"].person_id
        session.get(Person, absorb).wish_refuses_contact = True
        merge(session, keep, absorb, by_id=None)
        assert r["other"].person_id == keep
        assert session.get(Person, keep).wish_refuses_contact is True  # his wish travels
        with pytest.raises(MergeRefused):
            merge(session, keep, absorb, by_id=None)
        assert unmerge(session, absorb, by_id=None) == [r["other"].id]
        assert r["other"].person_id == absorb
        assert r["card"].person_id == keep
        steps = [
            (m.reason, m.person_id, m.valid_to is None) for m in history(session, r["other"].id)
        ]
        assert steps == [("new", absorb, False), ("merge", keep, False), ("unmerge", absorb, True)]
        assert session.scalar(sa.select(sa.func.count(Report.id))) == 4
