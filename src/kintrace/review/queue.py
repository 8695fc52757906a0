"""The caseworkers' work queue: the organisation's open cases, most urgent first.

Priority (higher first): an undecided strong match, an overdue deadline, a vulnerable enquirer,
a child sought, then the age of the case. Under a surge the sort still puts those on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.db.models import Case, Enquiry, Match, MatchDecision
from kintrace.db.models_casework import CaseProgress
from kintrace.review.cases import Stage

CHILD_AGE = 18
#: 0.5 or more means "the same person" (the engine is calibrated).
STRONG = 0.5


@dataclass
class QueueItem:
    case_id: int
    stage: Stage
    priority: int
    reasons: list[str]
    enquiry_ids: list[int]
    references: list[str]
    sought_name: str
    best_probability: float | None
    assigned_user_id: int | None
    due_at: datetime | None
    created_at: datetime
    overdue: bool


@dataclass
class Queue:
    items: list[QueueItem]
    counts: dict[str, int] = field(default_factory=dict)


def is_child(birth_date: str | None, today: date | None = None) -> bool:
    """Whether a sought person born on `birth_date` (partial) is under 18 today."""
    if not birth_date:
        return False
    try:
        year = int(birth_date[:4]) if birth_date[:4].isdigit() else int(birth_date[-4:])
    except ValueError:
        return False
    today = today or datetime.now(UTC).date()
    return today.year - year < CHILD_AGE


def sought_name(enquiry: Enquiry) -> str:
    parts = (enquiry.sought_family_name, enquiry.sought_given_name, enquiry.sought_patronymic)
    return enquiry.sought_full_name or " ".join(p for p in parts if p)


def undecided_strong(session: Session, enquiry_ids: Sequence[int]) -> dict[int, float]:
    """Best probability of a strong match nobody has judged yet, per enquiry."""
    if not enquiry_ids:
        return {}
    decided = sa.exists().where(
        MatchDecision.match_id == Match.id, MatchDecision.retracted_at.is_(None)
    )
    rows = session.execute(
        sa.select(Match.enquiry_id, sa.func.max(Match.probability))
        .where(Match.enquiry_id.in_(enquiry_ids), Match.probability >= STRONG, ~decided)
        .group_by(Match.enquiry_id)
    )
    return {eid: p for eid, p in rows if eid is not None}


def work_queue(
    session: Session,
    organisation_id: int,
    *,
    user_id: int | None = None,
    stage: str | None = None,
    assigned: str | None = None,
    strong_only: bool = False,
    limit: int = 200,
    now: datetime | None = None,
) -> Queue:
    """The organisation's cases that are not closed (or of `stage`), most urgent first.

    `assigned`: "me" (user_id's), "nobody", or None for all.
    """
    now = now or datetime.now(UTC)
    query = (
        sa.select(Case, CaseProgress)
        .join(CaseProgress, CaseProgress.case_id == Case.id)
        .where(Case.organisation_id == organisation_id)
    )
    if stage:
        query = query.where(CaseProgress.stage == stage)
    else:
        query = query.where(CaseProgress.stage != Stage.closed.value)
    if assigned == "me":
        query = query.where(Case.assigned_user_id == user_id)
    elif assigned == "nobody":
        query = query.where(Case.assigned_user_id.is_(None))
    cases = list(session.execute(query).all())
    case_ids = [c.id for c, _ in cases]
    enquiries: dict[int, list[Enquiry]] = {}
    if case_ids:
        for enquiry in session.scalars(
            sa.select(Enquiry).where(Enquiry.case_id.in_(case_ids)).order_by(Enquiry.id)
        ):
            enquiries.setdefault(enquiry.case_id or 0, []).append(enquiry)
    strong = undecided_strong(session, [e.id for es in enquiries.values() for e in es])
    items: list[QueueItem] = []
    for case, progress in cases:
        linked = enquiries.get(case.id, [])
        if not linked:
            continue
        best = max((strong.get(e.id, 0.0) for e in linked), default=0.0)
        reasons: list[str] = []
        priority = 0
        if best:
            priority += 100
            reasons.append("strong_match")
        overdue = case.due_at is not None and case.due_at < now
        if overdue:
            priority += 50
            reasons.append("overdue")
        elif case.due_at is not None and case.due_at < now + timedelta(days=1):
            priority += 20
            reasons.append("due_soon")
        if progress.vulnerable:
            priority += 40
            reasons.append("vulnerable")
        if any(is_child(e.sought_birth_date, now.date()) for e in linked):
            priority += 30
            reasons.append("child")
        priority += min((now - case.created_at).days, 30)
        if strong_only and not best:
            continue
        items.append(
            QueueItem(
                case_id=case.id,
                stage=Stage(progress.stage),
                priority=priority,
                reasons=reasons,
                enquiry_ids=[e.id for e in linked],
                references=[e.reference for e in linked],
                sought_name=sought_name(linked[0]),
                best_probability=best or None,
                assigned_user_id=case.assigned_user_id,
                due_at=case.due_at,
                created_at=case.created_at,
                overdue=overdue,
            )
        )
    items.sort(key=lambda i: (-i.priority, i.created_at))
    counts = {s.value: 0 for s in Stage if s is not Stage.closed}
    for item in items:
        counts[item.stage.value] = counts.get(item.stage.value, 0) + 1
    counts["strong_match"] = sum(1 for i in items if i.best_probability)
    counts["overdue"] = sum(1 for i in items if i.overdue)
    counts["unassigned"] = sum(1 for i in items if i.assigned_user_id is None)
    counts["total"] = len(items)
    return Queue(items=items[:limit], counts=counts)
