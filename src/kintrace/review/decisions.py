"""Human judgements on matches: recorded with who and when, retracted, never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import MatchDecided, MatchDecisionRetracted
from kintrace.db.models import Case, Enquiry, Match, MatchDecision, Person, Report
from kintrace.domain import MatchJudgement


class DecisionRefused(Exception):
    """The decision cannot be recorded (no reason given, or already retracted)."""


def current_decision(session: Session, match_id: int) -> MatchDecision | None:
    return session.scalar(
        sa.select(MatchDecision)
        .where(MatchDecision.match_id == match_id, MatchDecision.retracted_at.is_(None))
        .order_by(MatchDecision.id.desc())
        .limit(1)
    )


def history(session: Session, match_id: int) -> list[MatchDecision]:
    return list(
        session.scalars(
            sa.select(MatchDecision)
            .where(MatchDecision.match_id == match_id)
            .order_by(MatchDecision.id)
        )
    )


def decide(
    session: Session, match: Match, judgement: MatchJudgement, reason: str, *, user_id: int
) -> MatchDecision:
    """Record a judgement; an earlier standing one is retracted (kept), not changed."""
    reason = reason.strip()
    if not reason:
        raise DecisionRefused("A decision on a match needs a reason.")
    now = datetime.now(UTC)
    standing = current_decision(session, match.id)
    if standing is not None:
        retract(session, standing, user_id=user_id, now=now)
    decision = MatchDecision(
        match_id=match.id, judgement=judgement, user_id=user_id, reason=reason, created_at=now
    )
    session.add(decision)
    session.flush()
    if judgement is MatchJudgement.positive:
        _attach_person(session, match)
    audit.record(
        session,
        MatchDecided(
            actor_kind="staff",
            actor_id=user_id,
            subject_id=match.id,
            decision_id=decision.id,
            judgement=judgement.value,
        ),
    )
    return decision


def retract(
    session: Session, decision: MatchDecision, *, user_id: int, now: datetime | None = None
) -> None:
    if decision.retracted_at is not None:
        raise DecisionRefused("This decision was already retracted.")
    decision.retracted_at = now or datetime.now(UTC)
    decision.retracted_by_id = user_id
    session.flush()
    audit.record(
        session,
        MatchDecisionRetracted(
            actor_kind="staff",
            actor_id=user_id,
            subject_id=decision.match_id,
            decision_id=decision.id,
        ),
    )


def _attach_person(session: Session, match: Match) -> None:
    # An accepted report becomes (or joins) a Person, so his wishes and fate have a home.
    report = session.get(Report, match.report_id) if match.report_id else None
    if report is None:
        return
    if report.person_id is None:
        person = Person()
        session.add(person)
        session.flush()
        report.person_id = person.id
    match.person_id = report.person_id
    enquiry = session.get(Enquiry, match.enquiry_id) if match.enquiry_id else None
    if enquiry is not None and enquiry.case_id is not None:
        case = session.get(Case, enquiry.case_id)
        if case is not None and case.person_id is None:
            case.person_id = report.person_id
    session.flush()


def accepted_match(session: Session, enquiry_id: int) -> Match | None:
    """The enquiry's most probable match with a standing positive decision."""
    standing = (
        sa.select(MatchDecision.match_id)
        .where(
            MatchDecision.retracted_at.is_(None),
            MatchDecision.judgement == MatchJudgement.positive,
        )
        .scalar_subquery()
    )
    return session.scalar(
        sa.select(Match)
        .where(Match.enquiry_id == enquiry_id, Match.id.in_(standing))
        .order_by(Match.probability.desc())
        .limit(1)
    )
