"""Casework pages for staff: the work queue, a case, match review, verification, answers with
supervisor approval, the death-told record and family messages. Every record is looked up
within the signed-in person's organisation; anything else is "not found"."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from anyascii import anyascii
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kintrace import audit
from kintrace.audit.events import FamilyNotified, RecordViewed
from kintrace.db.models import (
    Case,
    Disclosure,
    Enquiry,
    Match,
    MatchDecision,
    Message,
    Person,
    Report,
    Source,
    User,
)
from kintrace.db.models_casework import DeathNotice
from kintrace.disclosure.answers import (
    DisclosureRefused,
    approve,
    draft_answer,
    draft_text,
    facts_for,
    pending_approvals,
    record_death_told,
)
from kintrace.disclosure.messages import (
    MessageRefused,
    Step,
    advance_message,
    message_pdf,
    record_reply,
    state_of,
    write_message,
)
from kintrace.disclosure.notify import send_news
from kintrace.disclosure.policy import Kind, may_draft
from kintrace.domain import MatchJudgement
from kintrace.errors import NotFound
from kintrace.review.cases import (
    ClosureReason,
    Stage,
    TransitionRefused,
    advance,
    assign,
    case_of_organisation,
    move,
    progress_of,
)
from kintrace.review.decisions import (
    DecisionRefused,
    accepted_match,
    current_decision,
    decide,
    history,
    retract,
)
from kintrace.review.queue import is_child, sought_name, work_queue
from kintrace.review.verification import (
    Checklist,
    current_verification,
    fishing_flags,
    record_verification,
)
from kintrace.web.deps import CsrfProtected, CurrentUser, SessionDep, SettingsDep, TextsDep, require
from kintrace.web.i18n import N_
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import render

router = APIRouter(prefix="/staff", include_in_schema=False)

STAGE_LABELS: dict[str, str] = {
    "open": N_("Open"),
    "searching": N_("Searching"),
    "possible_match": N_("Possible match"),
    "verified": N_("Verified"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}
REASON_LABELS: dict[str, str] = {
    "strong_match": N_("strong new match"),
    "overdue": N_("overdue"),
    "due_soon": N_("due within a day"),
    "vulnerable": N_("vulnerable enquirer"),
    "child": N_("a child is sought"),
}
CLOSURE_LABELS: dict[str, str] = {
    "reunited": N_("Reunited"),
    "death_confirmed": N_("Death confirmed"),
    "withdrawn": N_("Withdrawn by the family"),
    "no_trace": N_("No trace after the set time"),
}
KIND_LABELS: dict[str, str] = {
    "alive": N_("Is he alive?"),
    "fate": N_("Captured, wounded or in hospital?"),
    "location": N_("Where is he?"),
    "return": N_("How to get him back"),
    "death": N_("Death"),
}
POLICY_LABELS: dict[str, str] = {
    "enquirer_not_verified": N_("The enquirer is not verified yet."),
    "guardianship_not_proven": N_("A child is sought: proof of guardianship is missing."),
    "person_chose_others": N_("The sought person asked that other people be informed."),
    "person_refuses_contact": N_(
        "The sought person refuses contact; only that he is alive may be told."
    ),
    "needs_supervisor_approval": N_("A supervisor must approve this first."),
    "death_first_told_in_person": N_("A death is told by phone or in person before it is shown."),
    "email_carries_no_details": N_("An e-mail never carries details."),
}
FLAG_LABELS: dict[str, str] = {
    "many_enquiries_from_one_contact": N_("This contact asked about several unrelated people."),
    "knows_nothing_a_relative_would_know": N_("The enquirer knew nothing a relative would know."),
}
STEP_LABELS: dict[str, str] = {
    "submitted": N_("Waiting for review"),
    "approved": N_("Approved"),
    "rejected": N_("Not sent"),
    "printed": N_("Printed"),
    "forwarded": N_("Forwarded"),
    "delivered": N_("Delivered"),
}
FLASH_KEY = "casework_flash"


def _flash(request: Request, text: str) -> None:
    request.session[FLASH_KEY] = text


def _pop_flash(request: Request) -> str | None:
    return request.session.pop(FLASH_KEY, None)


def _own_enquiry(session: Any, user: Any, enquiry_id: int) -> Enquiry:
    enquiry = session.get(Enquiry, enquiry_id)
    if enquiry is None or enquiry.organisation_id != user.organisation_id:
        raise NotFound("No such enquiry.")
    return enquiry


def _own_match(session: Any, user: Any, match_id: int) -> tuple[Match, Enquiry]:
    match = session.get(Match, match_id)
    if match is None or match.enquiry_id is None:
        raise NotFound("No such match.")
    return match, _own_enquiry(session, user, match.enquiry_id)


def _own_disclosure(session: Any, user: Any, disclosure_id: int) -> Disclosure:
    row = session.get(Disclosure, disclosure_id)
    if row is None:
        raise NotFound("No such disclosure.")
    case_of_organisation(session, row.case_id, user.organisation_id)
    return row


def _own_message(session: Any, user: Any, message_id: int) -> Message:
    row = session.get(Message, message_id)
    if row is None:
        raise NotFound("No such message.")
    case_of_organisation(session, row.case_id, user.organisation_id)
    return row


def _back(case_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/staff/cases/{case_id}{anchor}", status_code=303)


def _viewed(session: Any, user: Any, record_type: str, record_id: int) -> None:
    audit.record(
        session,
        RecordViewed(
            actor_kind="staff", actor_id=user.id, subject_id=record_id, record_type=record_type
        ),
    )


def scripts(name: str | None) -> str | None:
    """The name in Latin letters when written in Cyrillic (and so in both scripts on screen)."""
    if not name:
        return None
    latin = anyascii(name)
    return latin if latin != name else None


def _wishes(session: Any, enquiry_id: int) -> dict[str, Any] | None:
    """The sought person's own wishes, from the Person and his reports (capture cards)."""
    match = accepted_match(session, enquiry_id)
    if match is None or match.person_id is None:
        return None
    person = session.get(Person, match.person_id)
    reports = list(session.scalars(sa.select(Report).where(Report.person_id == match.person_id)))
    return {
        "refuses_contact": bool(person and person.wish_refuses_contact)
        or any(r.consents_family_informed is False for r in reports),
        "inform_whom": [
            w
            for w in [person.wish_inform_whom if person else None]
            + [r.person_to_inform for r in reports]
            if w
        ],
    }


@router.get("/cases", dependencies=[require("staff.case.list")])
def queue_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    stage: str | None = None,
    assigned: str | None = None,
    strong: str | None = None,
) -> Response:
    stage = stage if stage in STAGE_LABELS else None
    assigned = assigned if assigned in {"me", "nobody"} else None
    queue = work_queue(
        session,
        user.organisation_id,
        user_id=user.id,
        stage=stage,
        assigned=assigned,
        strong_only=strong == "1",
    )
    context = {
        "queue": queue,
        "stage_labels": STAGE_LABELS,
        "reason_labels": REASON_LABELS,
        "filters": {"stage": stage or "", "assigned": assigned or "", "strong": strong == "1"},
        "approvals": len(pending_approvals(session, user.organisation_id)),
    }
    return render(request, "casework/queue.html", context)


@router.get("/cases/{case_id}", dependencies=[require("staff.case.work")])
def case_page(request: Request, case_id: int, user: CurrentUser, session: SessionDep) -> Response:
    case = case_of_organisation(session, case_id, user.organisation_id)
    progress = progress_of(session, case.id)
    enquiries = list(
        session.scalars(sa.select(Enquiry).where(Enquiry.case_id == case.id).order_by(Enquiry.id))
    )
    blocks = []
    for enquiry in enquiries:
        matches = list(
            session.scalars(
                sa.select(Match)
                .where(Match.enquiry_id == enquiry.id)
                .order_by(Match.probability.desc())
            )
        )
        facts = facts_for(session, enquiry)
        wishes = _wishes(session, enquiry.id)
        disclosures = []
        for row in session.scalars(
            sa.select(Disclosure).where(Disclosure.enquiry_id == enquiry.id).order_by(Disclosure.id)
        ):
            told = session.scalar(sa.select(DeathNotice).where(DeathNotice.disclosure_id == row.id))
            disclosures.append({"row": row, "told": told})
        messages = [
            {"row": m, "state": state_of(session, m.id).value}
            for m in session.scalars(
                sa.select(Message).where(Message.enquiry_id == enquiry.id).order_by(Message.id)
            )
        ]
        blocks.append(
            {
                "enquiry": enquiry,
                "name": sought_name(enquiry),
                "latin": scripts(sought_name(enquiry)),
                "child": is_child(enquiry.sought_birth_date),
                "matches": [(m, current_decision(session, m.id)) for m in matches],
                "verification": current_verification(session, enquiry.id),
                "wishes": wishes,
                "flags": fishing_flags(session, enquiry),
                "drafts": {
                    kind.value: {
                        "ruling": may_draft(kind, facts),
                        "text": draft_text(session, enquiry, kind),
                    }
                    for kind in Kind
                },
                "disclosures": disclosures,
                "messages": messages,
            }
        )
        _viewed(session, user, "enquiry", enquiry.id)
    staff = list(
        session.scalars(
            sa.select(User)
            .where(User.organisation_id == user.organisation_id, User.is_active.is_(True))
            .order_by(User.email)
        )
    )
    session.commit()
    context = {
        "case": case,
        "progress": progress,
        "blocks": blocks,
        "staff": staff,
        "stage_labels": STAGE_LABELS,
        "closure_labels": CLOSURE_LABELS,
        "kind_labels": KIND_LABELS,
        "policy_labels": POLICY_LABELS,
        "flag_labels": FLAG_LABELS,
        "step_labels": STEP_LABELS,
        "flash": _pop_flash(request),
        "is_supervisor": str(getattr(user.role, "value", user.role)) == "supervisor",
    }
    return render(request, "casework/case.html", context)


@router.post("/cases/{case_id}/assign", dependencies=[require("staff.case.work"), CsrfProtected])
def assign_case(case_id: int, form: FormDep, user: CurrentUser, session: SessionDep) -> Response:
    case = case_of_organisation(session, case_id, user.organisation_id)
    raw = str(form.get("assignee", ""))
    assignee = None
    if raw.isdigit():
        person = session.get(User, int(raw))
        if person is None or person.organisation_id != user.organisation_id:
            raise NotFound("No such colleague.")
        assignee = person.id
    assign(session, case, assignee, actor_id=user.id)
    session.commit()
    return _back(case.id)


@router.post("/cases/{case_id}/stage", dependencies=[require("staff.case.work"), CsrfProtected])
def change_stage(
    request: Request,
    case_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    case = case_of_organisation(session, case_id, user.organisation_id)
    progress = progress_of(session, case.id)
    progress.vulnerable = form.get("vulnerable") == "true"
    stage = str(form.get("stage", ""))
    reason = str(form.get("reason", ""))
    try:
        if stage in STAGE_LABELS and stage != progress.stage:
            move(
                session,
                case,
                Stage(stage),
                actor_id=user.id,
                reason=ClosureReason(reason) if reason in CLOSURE_LABELS else None,
            )
    except TransitionRefused:
        session.rollback()
        _flash(request, texts.gettext("This step is not possible from the case's stage."))
        return _back(case_id)
    session.commit()
    return _back(case.id)


@router.get("/matches/{match_id}", dependencies=[require("staff.case.work")])
def match_page(request: Request, match_id: int, user: CurrentUser, session: SessionDep) -> Response:
    match, enquiry = _own_match(session, user, match_id)
    report = session.get(Report, match.report_id) if match.report_id else None
    timeline: list[tuple[Report, Source]] = []
    if report is not None:
        same = (
            Report.person_id == report.person_id
            if report.person_id is not None
            else Report.id == report.id
        )
        rows = session.execute(
            sa.select(Report, Source)
            .join(Source, Source.id == Report.source_id)
            .where(same)
            .order_by(Report.event_date.is_(None), Report.event_date, Report.id)
        ).all()
        timeline = [(r, s) for r, s in rows]
    decisions = history(session, match.id)
    deciders = {
        u.id: u.email
        for u in session.scalars(
            sa.select(User).where(
                User.id.in_(
                    [d.user_id for d in decisions] + [d.retracted_by_id or 0 for d in decisions]
                )
            )
        )
    }
    _viewed(session, user, "match", match.id)
    session.commit()
    report_name = None
    if report is not None:
        report_name = report.full_name or " ".join(
            p for p in (report.family_name, report.given_name, report.patronymic) if p
        )
    context = {
        "match": match,
        "enquiry": enquiry,
        "enquiry_name": sought_name(enquiry),
        "enquiry_latin": scripts(sought_name(enquiry)),
        "report": report,
        "report_name": report_name,
        "report_latin": scripts(report_name),
        "timeline": timeline,
        "decisions": decisions,
        "deciders": deciders,
        "standing": current_decision(session, match.id),
        "flash": _pop_flash(request),
    }
    return render(request, "casework/match.html", context)


@router.post(
    "/matches/{match_id}/decision", dependencies=[require("staff.case.work"), CsrfProtected]
)
def decide_match(
    request: Request,
    match_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    match, enquiry = _own_match(session, user, match_id)
    judgement = str(form.get("judgement", ""))
    if judgement not in {j.value for j in MatchJudgement}:
        _flash(request, texts.gettext("Choose same person, not the same person, or unsure."))
        return RedirectResponse(f"/staff/matches/{match.id}", status_code=303)
    try:
        decide(
            session, match, MatchJudgement(judgement), str(form.get("reason", "")), user_id=user.id
        )
    except DecisionRefused:
        session.rollback()
        _flash(request, texts.gettext("Write the reason for your decision."))
        return RedirectResponse(f"/staff/matches/{match_id}", status_code=303)
    session.commit()
    return _back(enquiry.case_id or 0, f"#enquiry-{enquiry.id}")


@router.post(
    "/decisions/{decision_id}/retract", dependencies=[require("staff.case.work"), CsrfProtected]
)
def retract_decision(decision_id: int, user: CurrentUser, session: SessionDep) -> Response:
    decision = session.get(MatchDecision, decision_id)
    if decision is None:
        raise NotFound("No such decision.")
    match, _ = _own_match(session, user, decision.match_id)
    if decision.retracted_at is None:
        retract(session, decision, user_id=user.id)
        session.commit()
    return RedirectResponse(f"/staff/matches/{match.id}", status_code=303)


def _count(value: Any) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def _tristate(value: Any) -> bool | None:
    return {"yes": True, "no": False}.get(str(value or ""))


@router.post(
    "/enquiries/{enquiry_id}/verification",
    dependencies=[require("staff.case.work"), CsrfProtected],
)
def verify_enquirer(
    enquiry_id: int, form: FormDep, user: CurrentUser, session: SessionDep
) -> Response:
    enquiry = _own_enquiry(session, user, enquiry_id)
    checklist = Checklist(
        identity_checked=form.get("identity") == "true",
        relationship_checked=form.get("relationship") == "true",
        knowledge_asked=_count(form.get("knowledge_asked")),
        knowledge_matched=_count(form.get("knowledge_matched")),
        guardianship_checked=form.get("guardianship") == "true",
        named_by_person=_tristate(form.get("named_by_person")),
        notes=str(form.get("notes", "")),
    )
    row = record_verification(session, enquiry, checklist, user_id=user.id)
    case = session.get(Case, enquiry.case_id) if enquiry.case_id else None
    # "Verified" means both: the family is who it says, and a match has been accepted.
    if case is not None and row.outcome == "verified" and accepted_match(session, enquiry.id):
        advance(session, case, Stage.verified)
    session.commit()
    return _back(enquiry.case_id or 0, f"#enquiry-{enquiry.id}")


@router.post(
    "/enquiries/{enquiry_id}/answers", dependencies=[require("staff.case.work"), CsrfProtected]
)
def write_answer(
    request: Request,
    enquiry_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    texts: TextsDep,
) -> Response:
    enquiry = _own_enquiry(session, user, enquiry_id)
    kind = str(form.get("kind", ""))
    if kind not in KIND_LABELS:
        raise NotFound("No such question.")
    try:
        row = draft_answer(
            session, enquiry, Kind(kind), str(form.get("content", "")), user_id=user.id
        )
    except DisclosureRefused as refused:
        session.rollback()
        reasons = [texts.gettext(POLICY_LABELS[r.value]) for r in refused.reasons]
        _flash(request, " ".join(reasons) or texts.gettext("Write the answer first."))
        return _back(enquiry.case_id or 0, f"#enquiry-{enquiry.id}")
    visible = row.disclosed_at is not None
    session.commit()
    if visible:
        _notify(session, settings, enquiry)
    return _back(enquiry.case_id or 0, f"#enquiry-{enquiry.id}")


def _notify(session: Any, settings: Any, enquiry: Enquiry) -> None:
    """Tell the family by e-mail that there is news (after the commit that made it visible)."""
    if not enquiry.enquirer_email:
        return
    delivered = send_news(settings, enquiry.enquirer_email, enquiry.language.value)
    audit.record(session, FamilyNotified(subject_id=enquiry.id, delivered=delivered))
    session.commit()


@router.get("/approvals", dependencies=[require("staff.disclosure.approve")])
def approvals_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    rows = pending_approvals(session, user.organisation_id)
    context = {"rows": rows, "kind_labels": KIND_LABELS}
    return render(request, "casework/approvals.html", context)


@router.post(
    "/disclosures/{disclosure_id}/approve",
    dependencies=[require("staff.disclosure.approve"), CsrfProtected],
)
def approve_disclosure(
    request: Request,
    disclosure_id: int,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    texts: TextsDep,
) -> Response:
    row = _own_disclosure(session, user, disclosure_id)
    try:
        visible = approve(session, row, user)
    except DisclosureRefused:
        session.rollback()
        _flash(
            request, texts.gettext("The approval must come from a supervisor who did not write it.")
        )
        return _back(row.case_id)
    enquiry = session.get(Enquiry, row.enquiry_id)
    session.commit()
    # A death is never announced by e-mail, not even as "news": the family gets a call first.
    if visible and enquiry is not None and row.content_kind != Kind.death.value:
        _notify(session, settings, enquiry)
    return _back(row.case_id)


@router.post(
    "/disclosures/{disclosure_id}/told", dependencies=[require("staff.case.work"), CsrfProtected]
)
def death_told(
    request: Request,
    disclosure_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    row = _own_disclosure(session, user, disclosure_id)
    try:
        record_death_told(
            session,
            row,
            channel=str(form.get("channel", "")),
            support_offered=str(form.get("support", "")),
            user_id=user.id,
        )
    except DisclosureRefused:
        session.rollback()
        _flash(
            request, texts.gettext("Record how the family was told and which support was offered.")
        )
        return _back(row.case_id)
    session.commit()
    return _back(row.case_id)


@router.post(
    "/enquiries/{enquiry_id}/messages", dependencies=[require("staff.case.work"), CsrfProtected]
)
def staff_message(
    request: Request,
    enquiry_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    enquiry = _own_enquiry(session, user, enquiry_id)
    body = str(form.get("body", ""))
    try:
        if form.get("kind") == "reply":
            record_reply(session, enquiry, body, user_id=user.id)
        else:
            write_message(session, enquiry, body, user_id=user.id)
    except MessageRefused:
        session.rollback()
        _flash(request, texts.gettext("A family message holds between 1 and 25 words."))
        return _back(enquiry.case_id or 0, f"#enquiry-{enquiry.id}")
    session.commit()
    return _back(enquiry.case_id or 0, f"#enquiry-{enquiry.id}")


@router.post(
    "/messages/{message_id}/step", dependencies=[require("staff.case.work"), CsrfProtected]
)
def message_step(
    request: Request,
    message_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    message = _own_message(session, user, message_id)
    step = str(form.get("step", ""))
    try:
        advance_message(session, message, Step(step), user_id=user.id)
    except (MessageRefused, ValueError):
        session.rollback()
        _flash(request, texts.gettext("This step is not possible for the message now."))
        return _back(message.case_id)
    session.commit()
    return _back(message.case_id)


@router.get("/messages/{message_id}/pdf", dependencies=[require("staff.case.work")])
def message_form_pdf(message_id: int, user: CurrentUser, session: SessionDep) -> Response:
    message = _own_message(session, user, message_id)
    enquiry = session.get(Enquiry, message.enquiry_id) if message.enquiry_id else None
    if enquiry is None:
        raise NotFound("No such message.")
    if state_of(session, message.id) is Step.approved:
        advance_message(session, message, Step.printed, user_id=user.id)
    pdf = message_pdf(
        message,
        reference=enquiry.reference,
        sender=f"{enquiry.enquirer_name} ({enquiry.enquirer_relationship})",
        addressee=sought_name(enquiry),
        language=enquiry.language.value,
    )
    session.commit()
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="message-{message.id}.pdf"'},
    )
