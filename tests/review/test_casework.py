"""Work queue, match decisions, verification and lifecycle, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.factories import Personas, Store
from tests.review.conftest import add_report, add_source, file_enquiry

from kintrace.db.models import Case, Enquiry, Match, MatchDecision
from kintrace.domain import EnquiryState, MatchJudgement
from kintrace.review.cases import ClosureReason, Stage, TransitionRefused, move, stage_of
from kintrace.review.decisions import DecisionRefused, current_decision, decide, history, retract
from kintrace.review.queue import work_queue
from kintrace.review.verification import Checklist, fishing_flags, record_verification
from kintrace.review.worker import MatchWorker


@pytest.fixture
def matched(store: Store, people: Personas) -> dict[str, int]:
    """An enquiry in org A with a strong match, and a weak one in org A without a match."""
    with store.sessions.begin() as session:
        source = add_source(session)
        add_report(
            session, source, full_name="Кислиця Сергій Вікторович", birth_date="2001-03-12", sex="M"
        )
        strong = file_enquiry(session, store, people.org_a.id)
        quiet = file_enquiry(
            session,
            store,
            people.org_a.id,
            sought__full_name="Бондаренко Тарас Петрович",
            sought__birth_date="1975",
        )
    MatchWorker(store.sessions).drain()
    with store.sessions() as session:
        match = session.scalar(
            sa.select(Match)
            .where(Match.enquiry_id == strong.enquiry_id)
            .order_by(Match.probability.desc())
        )
        return {"strong": strong.enquiry_id, "quiet": quiet.enquiry_id, "match": match.id}


def test_the_queue_puts_the_strong_new_match_first_and_charlie_sees_nothing(
    store: Store, people: Personas, matched: dict[str, int]
) -> None:
    with store.sessions() as session:
        queue = work_queue(session, people.org_a.id)
        assert [i.enquiry_ids for i in queue.items] == [[matched["strong"]], [matched["quiet"]]]
        assert queue.items[0].reasons[0] == "strong_match"
        assert queue.counts["strong_match"] == 1 and queue.counts["total"] == 2
        assert work_queue(session, people.org_b.id).items == []


def test_an_overdue_case_rises_above_a_fresh_one(
    store: Store, people: Personas, matched: dict[str, int]
) -> None:
    with store.sessions.begin() as session:
        quiet = session.get(Enquiry, matched["quiet"])
        session.get(Case, quiet.case_id).due_at = datetime.now(UTC) - timedelta(days=1)
        decide(
            session,
            session.get(Match, matched["match"]),
            MatchJudgement.unsure,
            "check",
            user_id=people.alice.id,
        )
    with store.sessions() as session:
        queue = work_queue(session, people.org_a.id)
        assert queue.items[0].enquiry_ids == [matched["quiet"]]
        assert queue.items[0].overdue and queue.counts["overdue"] == 1


def test_a_decision_is_retracted_never_overwritten(
    store: Store, people: Personas, matched: dict[str, int]
) -> None:
    with store.sessions.begin() as session:
        match = session.get(Match, matched["match"])
        first = decide(
            session, match, MatchJudgement.unsure, "date differs by a day", user_id=people.alice.id
        )
        decide(
            session,
            match,
            MatchJudgement.positive,
            "mother confirms the unit",
            user_id=people.bob.id,
        )
        with pytest.raises(DecisionRefused):
            decide(session, match, MatchJudgement.negative, "  ", user_id=people.alice.id)
        first_id = first.id
    with store.sessions() as session:
        rows = history(session, matched["match"])
        assert [r.judgement for r in rows] == [MatchJudgement.unsure, MatchJudgement.positive]
        assert rows[0].id == first_id and rows[0].retracted_by_id == people.bob.id
        assert rows[0].reason == "date differs by a day"
        standing = current_decision(session, matched["match"])
        assert standing is not None and standing.user_id == people.bob.id
        assert session.get(Match, matched["match"]).person_id is not None
    with store.sessions.begin() as session:
        retract(session, session.get(MatchDecision, standing.id), user_id=people.alice.id)
    with store.sessions() as session:
        assert current_decision(session, matched["match"]) is None
        assert len(history(session, matched["match"])) == 2


def test_verification_needs_identity_relationship_and_what_only_a_relative_knows(
    store: Store, people: Personas, matched: dict[str, int]
) -> None:
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, matched["strong"])
        weak = record_verification(
            session, enquiry, Checklist(True, True, 3, 1), user_id=people.alice.id
        )
        assert weak.outcome == "inconclusive"
        fished = record_verification(
            session, enquiry, Checklist(True, True, 3, 0), user_id=people.alice.id
        )
        assert fished.outcome == "failed"
        assert "knows_nothing_a_relative_would_know" in fishing_flags(session, enquiry)
        good = record_verification(
            session, enquiry, Checklist(True, True, 3, 3), user_id=people.alice.id
        )
        assert good.outcome == "verified"
        assert fishing_flags(session, enquiry) == []


def test_one_contact_asking_about_many_unrelated_people_is_flagged(
    store: Store, people: Personas
) -> None:
    names = ["Бондаренко Тарас", "Шевчук Андрій", "Мельник Ігор"]
    with store.sessions.begin() as session:
        ids = [
            file_enquiry(
                session,
                store,
                people.org_a.id,
                sought__full_name=n,
                enquirer__email="same@example.org",
            ).enquiry_id
            for n in names
        ]
        lone = file_enquiry(session, store, people.org_a.id).enquiry_id
        assert "many_enquiries_from_one_contact" in fishing_flags(
            session, session.get(Enquiry, ids[0])
        )
        assert fishing_flags(session, session.get(Enquiry, lone)) == []


def test_a_case_closes_with_a_reason_and_a_new_report_reopens_it(
    store: Store, people: Personas, matched: dict[str, int]
) -> None:
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, matched["quiet"])
        case = session.get(Case, enquiry.case_id)
        with pytest.raises(TransitionRefused):
            move(session, case, Stage.closed)
        with pytest.raises(TransitionRefused):
            move(session, case, Stage.answered)
        move(session, case, Stage.closed, reason=ClosureReason.no_trace, actor_id=people.alice.id)
        assert enquiry.state is EnquiryState.closed
        add_report(
            session,
            add_source(session, "Hospital list", "C"),
            full_name="Бондаренко Тарас Петрович",
            birth_date="1975",
            sex="M",
        )
        case_id = case.id
    MatchWorker(store.sessions).drain()
    with store.sessions() as session:
        assert stage_of(session, case_id) is Stage.possible_match
        assert session.get(Enquiry, matched["quiet"]).state is EnquiryState.in_progress
