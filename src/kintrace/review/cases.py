"""The case lifecycle: open → searching → possible match → verified → answered → closed.

A case is the work on one or several linked enquiries about the same person. Its stage lives in
`CaseProgress` (one row per case); `Case.state` keeps the coarser workflow value in step so older
readers (the dashboard) stay right. Services never commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import CaseAssigned, CaseStageChanged
from kintrace.db.models import Case, Enquiry
from kintrace.db.models_casework import CaseProgress
from kintrace.domain import CaseState, EnquiryState
from kintrace.errors import NotFound


class Stage(StrEnum):
    open = "open"
    searching = "searching"
    possible_match = "possible_match"
    verified = "verified"
    answered = "answered"
    closed = "closed"


class ClosureReason(StrEnum):
    reunited = "reunited"
    death_confirmed = "death_confirmed"
    withdrawn = "withdrawn"
    no_trace = "no_trace"


ORDER: tuple[Stage, ...] = tuple(Stage)

# Where a stage may lead. Going back is allowed where a human finds a mistake (a verified match
# turns out wrong); a closed case is only reopened.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.open: frozenset({Stage.searching, Stage.possible_match, Stage.closed}),
    Stage.searching: frozenset({Stage.possible_match, Stage.closed}),
    Stage.possible_match: frozenset({Stage.searching, Stage.verified, Stage.closed}),
    Stage.verified: frozenset({Stage.possible_match, Stage.answered, Stage.closed}),
    Stage.answered: frozenset({Stage.verified, Stage.closed}),
    Stage.closed: frozenset({Stage.searching}),
}

# How long each stage may last before the case is overdue (the deadline shown in the queue).
DEADLINES: dict[Stage, timedelta] = {
    Stage.open: timedelta(days=2),
    Stage.searching: timedelta(days=30),
    Stage.possible_match: timedelta(days=7),
    Stage.verified: timedelta(days=3),
    Stage.answered: timedelta(days=30),
}
# A case searched this long without any candidate may be closed as "no trace".
NO_TRACE_AFTER = timedelta(days=365)

_CASE_STATE: dict[Stage, CaseState] = {
    Stage.open: CaseState.open,
    Stage.searching: CaseState.open,
    Stage.possible_match: CaseState.awaiting_verification,
    Stage.verified: CaseState.awaiting_approval,
    Stage.answered: CaseState.answered,
    Stage.closed: CaseState.closed,
}
_ENQUIRY_STATE: dict[Stage, EnquiryState] = {
    Stage.open: EnquiryState.received,
    Stage.searching: EnquiryState.in_progress,
    Stage.possible_match: EnquiryState.in_progress,
    Stage.verified: EnquiryState.in_progress,
    Stage.answered: EnquiryState.answered,
    Stage.closed: EnquiryState.closed,
}


class TransitionRefused(Exception):
    """The case cannot go from its stage to the one asked for."""


def ensure_case(
    session: Session,
    enquiry: Enquiry,
    *,
    stage: Stage = Stage.open,
    now: datetime | None = None,
) -> Case:
    """The enquiry's case; one is opened at `stage` (open, searching or possible match) if it
    has none yet, with a single audit event — the worker opens many at once in a surge."""
    if enquiry.case_id is not None:
        case = session.get(Case, enquiry.case_id)
        if case is not None:
            return case
    now = now or datetime.now(UTC)
    if enquiry.organisation_id is None:
        raise ValueError("An enquiry without an organisation cannot have a case.")
    case = Case(
        organisation_id=enquiry.organisation_id,
        state=_CASE_STATE[stage],
        due_at=now + DEADLINES[stage],
        created_at=now,
    )
    session.add(case)
    session.flush()
    session.add(CaseProgress(case_id=case.id, stage=stage.value, stage_changed_at=now))
    enquiry.case_id = case.id
    enquiry.state = _ENQUIRY_STATE[stage]
    session.flush()
    audit.record(session, CaseStageChanged(subject_id=case.id, stage=stage.value))
    return case


def case_of_organisation(session: Session, case_id: int, organisation_id: int) -> Case:
    """The case, if it belongs to the organisation; any other is "not found", so a caseworker
    cannot tell another organisation's case from one that does not exist."""
    case = session.get(Case, case_id)
    if case is None or case.organisation_id != organisation_id:
        raise NotFound("No such case.")
    return case


def progress_of(session: Session, case_id: int) -> CaseProgress:
    row = session.get(CaseProgress, case_id)
    if row is None:  # a case made before casework existed
        row = CaseProgress(case_id=case_id, stage=Stage.open.value)
        session.add(row)
        session.flush()
    return row


def stage_of(session: Session, case_id: int) -> Stage:
    return Stage(progress_of(session, case_id).stage)


def move(
    session: Session,
    case: Case,
    stage: Stage,
    *,
    actor_id: int | None = None,
    reason: ClosureReason | None = None,
    now: datetime | None = None,
) -> None:
    """Move the case to `stage` (a closed case needs a reason), with its audit event."""
    now = now or datetime.now(UTC)
    row = progress_of(session, case.id)
    current = Stage(row.stage)
    if stage == current:
        return
    if stage not in TRANSITIONS[current]:
        raise TransitionRefused(f"A case cannot go from {current.value} to {stage.value}.")
    if stage is Stage.closed and reason is None:
        raise TransitionRefused("A case is closed with a reason.")
    if current is Stage.closed:
        row.reopened_count += 1
        row.closure_reason = None
        case.closed_at = None
    row.stage = stage.value
    row.stage_changed_at = now
    case.state = _CASE_STATE[stage]
    case.due_at = now + DEADLINES[stage] if stage in DEADLINES else None
    if stage is Stage.closed:
        row.closure_reason = reason.value if reason else None
        case.closed_at = now
    for enquiry in session.scalars(sa.select(Enquiry).where(Enquiry.case_id == case.id)):
        if enquiry.state is not EnquiryState.withdrawn:
            enquiry.state = (
                EnquiryState.withdrawn
                if reason is ClosureReason.withdrawn
                else _ENQUIRY_STATE[stage]
            )
    session.flush()
    audit.record(
        session,
        CaseStageChanged(
            actor_kind="staff" if actor_id else "system",
            actor_id=actor_id,
            subject_id=case.id,
            stage=stage.value,
            reason=reason.value if reason else None,
        ),
    )


def advance(session: Session, case: Case, stage: Stage, *, now: datetime | None = None) -> bool:
    """Move forward to `stage` only if the case is at an earlier, open stage (automatic steps
    of the match worker never undo a human's); a closed case is reopened by `reopen`."""
    current = stage_of(session, case.id)
    if current is Stage.closed or ORDER.index(current) >= ORDER.index(stage):
        return False
    path = [s for s in ORDER[ORDER.index(current) + 1 : ORDER.index(stage) + 1]]
    for step in path:
        if step in TRANSITIONS[stage_of(session, case.id)]:
            move(session, case, step, now=now)
    return stage_of(session, case.id) is stage


def reopen(session: Session, case: Case, *, now: datetime | None = None) -> bool:
    """A new report about a closed case reopens it, unless the family withdrew."""
    row = progress_of(session, case.id)
    if row.stage != Stage.closed.value or row.closure_reason == ClosureReason.withdrawn.value:
        return False
    move(session, case, Stage.searching, now=now)
    return True


def assign(session: Session, case: Case, user_id: int | None, *, actor_id: int) -> None:
    case.assigned_user_id = user_id
    session.flush()
    audit.record(
        session,
        CaseAssigned(
            actor_kind="staff", actor_id=actor_id, subject_id=case.id, assignee_id=user_id
        ),
    )


def link_enquiry(session: Session, case: Case, enquiry: Enquiry) -> None:
    """Put another relative's enquiry about the same person into `case` (same organisation)."""
    if enquiry.organisation_id != case.organisation_id:
        raise ValueError("Enquiries of different organisations are never linked.")
    old = enquiry.case_id
    enquiry.case_id = case.id
    session.flush()
    if old is not None and old != case.id:
        # The emptied case is closed rather than deleted: its history stays readable.
        left = session.scalar(sa.select(sa.func.count()).where(Enquiry.case_id == old))
        old_case = session.get(Case, old)
        if not left and old_case is not None and stage_of(session, old) is not Stage.closed:
            row = progress_of(session, old)
            row.stage = Stage.closed.value
            row.closure_reason = "merged"
            old_case.state = CaseState.closed
            old_case.closed_at = datetime.now(UTC)


def close_untraced(session: Session, *, now: datetime | None = None) -> int:
    """Close as "no trace" the cases searched for longer than NO_TRACE_AFTER without a match."""
    now = now or datetime.now(UTC)
    from kintrace.db.models import Match

    has_match = sa.exists().where(Match.enquiry_id == Enquiry.id, Enquiry.case_id == Case.id)
    rows = session.execute(
        sa.select(Case)
        .join(CaseProgress, CaseProgress.case_id == Case.id)
        .where(
            CaseProgress.stage.in_([Stage.open.value, Stage.searching.value]),
            Case.created_at < now - NO_TRACE_AFTER,
            ~has_match,
        )
    ).scalars()
    closed = 0
    for case in list(rows):
        move(session, case, Stage.closed, reason=ClosureReason.no_trace, now=now)
        closed += 1
    return closed
