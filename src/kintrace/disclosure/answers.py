"""Answers to the four questions: drafted from templates in the family's language, edited by
the caseworker, approved by a supervisor where the policy asks, and recorded as Disclosures
(what, to whom, on what basis, approved by whom). Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import DeathToldInPerson, DisclosureApproved, DisclosureDrafted
from kintrace.db.models import Case, Disclosure, Enquiry, Person, Report, Source, User
from kintrace.db.models_casework import DeathNotice
from kintrace.disclosure.policy import Channel, Facts, Kind, Reason, may_draft, ruling
from kintrace.domain import Role
from kintrace.review.cases import Stage, advance
from kintrace.review.decisions import accepted_match
from kintrace.review.queue import is_child
from kintrace.review.verification import Outcome, current_verification

#: Templates per question and language; {placeholders} are filled from the accepted report.
TEMPLATES: dict[Kind, dict[str, str]] = {
    Kind.alive: {
        "uk": "За нашими даними, {name} живий (відомості станом на {date}).",
        "ru": "По нашим данным, {name} жив (сведения на {date}).",
        "en": "According to our information, {name} is alive (information as of {date}).",
    },
    Kind.fate: {
        "uk": "{name} перебуває в полоні. Повідомлення джерела від {date}.",
        "ru": "{name} находится в плену. Сообщение источника от {date}.",
        "en": "{name} is held as a prisoner of war. Reported by the source on {date}.",
    },
    Kind.location: {
        "uk": "Місце утримання: {place}.",
        "ru": "Место содержания: {place}.",
        "en": "Place of internment: {place}.",
    },
    Kind.return_: {
        "uk": "Листування: через нашу службу повідомлень Червоного Хреста (до 25 слів). "
        "Обмін або передача: ми повідомимо місце, дату, документи, які слід мати з собою, "
        "і контакти, щойно їх буде узгоджено.",
        "ru": "Переписка: через нашу службу сообщений Красного Креста (до 25 слов). "
        "Обмен или передача: мы сообщим место, дату, документы, которые нужно иметь при себе, "
        "и контакты, как только их согласуют.",
        "en": "Correspondence: through our Red Cross message service (up to 25 words). "
        "Exchange or hand-over: we will tell you the place, the date, the documents to bring "
        "and the contacts as soon as they are agreed.",
    },
    Kind.death: {
        "uk": "З глибоким сумом повідомляємо, що {name} загинув ({date}).",
        "ru": "С глубоким прискорбием сообщаем, что {name} погиб ({date}).",
        "en": "We are deeply sorry to tell you that {name} has died ({date}).",
    },
}

#: Added to a location when the detaining power is known ("in the custody of …").
CUSTODY: dict[str, str] = {
    "uk": "Під владою: {power}.",
    "ru": "Во власти: {power}.",
    "en": "In the custody of: {power}.",
}

#: Answers shown on the status page, in the order of the four questions.
PAGE_ORDER: tuple[Kind, ...] = (Kind.alive, Kind.fate, Kind.death, Kind.location, Kind.return_)


class DisclosureRefused(Exception):
    """The policy, or the second-person rule, does not allow this step."""

    def __init__(self, message: str, reasons: tuple[Reason, ...] = ()) -> None:
        super().__init__(message)
        self.reasons = reasons


def recipient_of(enquiry: Enquiry) -> str:
    # An id, not a name: the Disclosure row says to whom without repeating personal data.
    return f"enquirer:{enquiry.id}"


def facts_for(session: Session, enquiry: Enquiry, disclosure: Disclosure | None = None) -> Facts:
    """Gather what the policy needs about this enquirer, the sought person and the disclosure."""
    verification = current_verification(session, enquiry.id)
    verified = verification is not None and verification.outcome == Outcome.verified.value
    match = accepted_match(session, enquiry.id)
    refuses = False
    if match is not None and match.person_id is not None:
        person = session.get(Person, match.person_id)
        reports = session.scalars(sa.select(Report).where(Report.person_id == match.person_id))
        refuses = bool(person and person.wish_refuses_contact) or any(
            r.consents_family_informed is False for r in reports
        )
    told = False
    if disclosure is not None and disclosure.id is not None:
        told = (
            session.scalar(
                sa.select(sa.func.count()).where(DeathNotice.disclosure_id == disclosure.id)
            )
            or 0
        ) > 0
    return Facts(
        verified=verified,
        sought_is_child=is_child(enquiry.sought_birth_date),
        guardianship_proven=bool(verification and verification.guardianship_checked),
        refuses_contact=refuses,
        named_by_person=verification.named_by_person if verification else None,
        approved=disclosure is not None and disclosure.approved_at is not None,
        told_in_person=told,
    )


def draft_text(session: Session, enquiry: Enquiry, kind: Kind) -> str:
    """The template for `kind` in the family's language, filled from the accepted report."""
    match = accepted_match(session, enquiry.id)
    report = session.get(Report, match.report_id) if match and match.report_id else None
    name = " ".join(p for p in (enquiry.sought_given_name, enquiry.sought_family_name) if p) or (
        enquiry.sought_full_name or ""
    )
    values = {
        "name": name,
        "date": (report.event_date or report.capture_date or "—") if report else "—",
        "place": (report.internment_place or report.country_held or "—") if report else "—",
        "power": (report.detaining_power or "—") if report else "—",
    }
    text = TEMPLATES[kind][enquiry.language.value].format(**values)
    if kind is Kind.location and values["power"] != "—":
        text += " " + CUSTODY[enquiry.language.value].format(**values)
    return text


def basis_for(session: Session, enquiry: Enquiry) -> str:
    """On what basis: the accepted match, its report and the source's Admiralty grade."""
    match = accepted_match(session, enquiry.id)
    verification = current_verification(session, enquiry.id)
    parts = []
    if match is not None:
        parts.append(f"match {match.id} accepted (p={match.probability:.2f})")
        report = session.get(Report, match.report_id) if match.report_id else None
        if report is not None:
            source = session.get(Source, report.source_id)
            grade = f"{source.reliability.value}{report.credibility.value}" if source else "?"
            parts.append(f"report {report.id} ({report.report_type.value}, grade {grade})")
    if verification is not None:
        parts.append(f"verification {verification.id} {verification.outcome}")
    return "; ".join(parts) or "no accepted match"


def draft_answer(
    session: Session, enquiry: Enquiry, kind: Kind, content: str, *, user_id: int
) -> Disclosure:
    """Record an answer the caseworker wrote. It is visible at once where the policy allows
    without approval; otherwise it waits for a supervisor (or, for a death, a phone call)."""
    facts = facts_for(session, enquiry)
    allowed = may_draft(kind, facts)
    if not allowed.allowed:
        raise DisclosureRefused(
            "The disclosure policy does not allow this answer.", allowed.reasons
        )
    content = content.strip()
    if not content:
        raise DisclosureRefused("An answer needs its text.")
    if enquiry.case_id is None:
        raise DisclosureRefused("The enquiry has no case yet.")
    now = datetime.now(UTC)
    match = accepted_match(session, enquiry.id)
    disclosure = Disclosure(
        case_id=enquiry.case_id,
        enquiry_id=enquiry.id,
        person_id=match.person_id if match else None,
        recipient=recipient_of(enquiry),
        content_kind=kind.value,
        content=content,
        basis=basis_for(session, enquiry),
        created_by_id=user_id,
        created_at=now,
    )
    session.add(disclosure)
    session.flush()
    if ruling(kind, facts_for(session, enquiry, disclosure), Channel.status_page).allowed:
        disclosure.disclosed_at = now
        _answered(session, enquiry)
    audit.record(
        session,
        DisclosureDrafted(
            actor_kind="staff", actor_id=user_id, subject_id=disclosure.id, content_kind=kind.value
        ),
    )
    return disclosure


def approve(session: Session, disclosure: Disclosure, approver: User) -> bool:
    """A supervisor — never the author — approves; returns whether it is now on the page."""
    role = str(getattr(approver.role, "value", approver.role))
    if role != Role.supervisor.value:
        raise DisclosureRefused("Only a supervisor approves a disclosure.")
    if approver.id == disclosure.created_by_id:
        raise DisclosureRefused("The approval must come from a second person.")
    if disclosure.approved_at is not None:
        raise DisclosureRefused("This disclosure is already approved.")
    now = datetime.now(UTC)
    disclosure.approved_by_id = approver.id
    disclosure.approved_at = now
    session.flush()
    enquiry = session.get(Enquiry, disclosure.enquiry_id)
    visible = False
    if enquiry is not None:
        kind = Kind(disclosure.content_kind)
        if ruling(kind, facts_for(session, enquiry, disclosure), Channel.status_page).allowed:
            disclosure.disclosed_at = now
            visible = True
            _answered(session, enquiry)
    audit.record(
        session,
        DisclosureApproved(
            actor_kind="staff",
            actor_id=approver.id,
            subject_id=disclosure.id,
            content_kind=disclosure.content_kind,
        ),
    )
    return visible


def record_death_told(
    session: Session, disclosure: Disclosure, *, channel: str, support_offered: str, user_id: int
) -> None:
    """The family was told of the death by phone or in person; only then may the page show it."""
    if disclosure.content_kind != Kind.death.value:
        raise DisclosureRefused("Only a death is recorded as told in person.")
    if disclosure.approved_at is None:
        raise DisclosureRefused("A death is told only after a supervisor approved it.")
    if channel not in {"phone", "in_person"}:
        raise DisclosureRefused("A death is told by phone or in person.")
    if not support_offered.strip():
        raise DisclosureRefused("Record which support was offered to the family.")
    session.add(
        DeathNotice(
            disclosure_id=disclosure.id,
            user_id=user_id,
            channel=channel,
            support_offered=support_offered.strip(),
        )
    )
    session.flush()
    disclosure.disclosed_at = datetime.now(UTC)
    enquiry = session.get(Enquiry, disclosure.enquiry_id)
    if enquiry is not None:
        _answered(session, enquiry)
    audit.record(
        session,
        DeathToldInPerson(
            actor_kind="staff", actor_id=user_id, subject_id=disclosure.id, channel=channel
        ),
    )


def _answered(session: Session, enquiry: Enquiry) -> None:
    case = session.get(Case, enquiry.case_id) if enquiry.case_id else None
    if case is not None:
        advance(session, case, Stage.answered)


@dataclass(frozen=True)
class FamilyAnswer:
    kind: Kind
    content: str
    disclosed_at: datetime


@dataclass(frozen=True)
class FamilyView:
    answers: list[FamilyAnswer]
    expect_call: bool


def family_view(session: Session, enquiry: Enquiry) -> FamilyView:
    """What the status page may show: approved, disclosed answers that the policy still allows
    (a wish recorded later wins), and whether to ask the family to expect a call."""
    rows = session.scalars(
        sa.select(Disclosure).where(Disclosure.enquiry_id == enquiry.id).order_by(Disclosure.id)
    )
    latest: dict[Kind, FamilyAnswer] = {}
    expect_call = False
    for row in rows:
        kind = Kind(row.content_kind)
        facts = facts_for(session, enquiry, row)
        if kind is Kind.death and facts.approved and not facts.told_in_person:
            expect_call = True
        if row.disclosed_at is None or not ruling(kind, facts, Channel.status_page).allowed:
            continue
        latest[kind] = FamilyAnswer(kind, row.content, row.disclosed_at)
    answers = [latest[k] for k in PAGE_ORDER if k in latest]
    return FamilyView(answers=answers, expect_call=expect_call)


def pending_approvals(session: Session, organisation_id: int) -> list[Disclosure]:
    return list(
        session.scalars(
            sa.select(Disclosure)
            .join(Case, Case.id == Disclosure.case_id)
            .where(
                Case.organisation_id == organisation_id,
                Disclosure.approved_at.is_(None),
                Disclosure.disclosed_at.is_(None),
            )
            .order_by(Disclosure.id)
        )
    )


def family_page(session: Session, enquiry_id: int) -> dict[str, object]:
    """Everything the family's status page adds: approved answers, the "expect a call" notice,
    and the family's messages with replies."""
    from kintrace.disclosure.messages import family_messages

    enquiry = session.get(Enquiry, enquiry_id)
    if enquiry is None:
        return {"answers": [], "expect_call": False, "messages": [], "can_write": False}
    view = family_view(session, enquiry)
    return {
        "answers": view.answers,
        "expect_call": view.expect_call,
        "messages": family_messages(session, enquiry_id),
        "can_write": enquiry.case_id is not None,
    }
