"""Family messages (Red Cross messages): at most 25 words of family news, written online by the
family or taken on the phone by an operator, reviewed by a caseworker, printed as a form to be
carried, marked forwarded and delivered; a reply appears on the family's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import FamilyMessageStep
from kintrace.db.models import Enquiry, Message
from kintrace.db.models_casework import MessageStep
from kintrace.domain import MessageDirection

MAX_WORDS = 25
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class Step(StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    printed = "printed"
    forwarded = "forwarded"
    delivered = "delivered"


# Which step may follow which: a message is reviewed before it is printed and carried.
NEXT: dict[Step, frozenset[Step]] = {
    Step.submitted: frozenset({Step.approved, Step.rejected}),
    Step.approved: frozenset({Step.printed, Step.forwarded}),
    Step.printed: frozenset({Step.printed, Step.forwarded}),
    Step.forwarded: frozenset({Step.delivered}),
    Step.delivered: frozenset(),
    Step.rejected: frozenset(),
}


class MessageRefused(Exception):
    """The message is too long, empty, or the step is out of order."""


def word_count(text: str) -> int:
    return len(text.split())


def write_message(
    session: Session, enquiry: Enquiry, body: str, *, user_id: int | None = None
) -> Message:
    """A message from the family (typed by them, or by an operator on the phone)."""
    body = " ".join(body.split())
    if not body:
        raise MessageRefused("The message is empty.")
    if word_count(body) > MAX_WORDS:
        raise MessageRefused(f"A family message holds at most {MAX_WORDS} words.")
    if enquiry.case_id is None:
        raise MessageRefused("The enquiry has no case yet; messages wait until it has.")
    message = Message(
        case_id=enquiry.case_id,
        enquiry_id=enquiry.id,
        direction=MessageDirection.from_family,
        author_user_id=user_id,
        body=body,
    )
    session.add(message)
    session.flush()
    _step(session, message, Step.submitted, user_id)
    return message


def record_reply(session: Session, enquiry: Enquiry, body: str, *, user_id: int) -> Message:
    """The sought person's reply, typed in (or transcribed from a scan) by a caseworker."""
    body = body.strip()
    if not body or enquiry.case_id is None:
        raise MessageRefused("A reply needs its text and a case.")
    message = Message(
        case_id=enquiry.case_id,
        enquiry_id=enquiry.id,
        direction=MessageDirection.from_person,
        author_user_id=user_id,
        body=body,
        relayed_at=datetime.now(UTC),
    )
    session.add(message)
    session.flush()
    _step(session, message, Step.delivered, user_id)
    return message


def state_of(session: Session, message_id: int) -> Step:
    last = session.scalar(
        sa.select(MessageStep.state)
        .where(MessageStep.message_id == message_id)
        .order_by(MessageStep.id.desc())
        .limit(1)
    )
    return Step(last) if last else Step.submitted


def advance_message(session: Session, message: Message, step: Step, *, user_id: int) -> None:
    current = state_of(session, message.id)
    if step not in NEXT[current]:
        raise MessageRefused(f"A message cannot go from {current.value} to {step.value}.")
    if step is Step.forwarded:
        message.relayed_at = datetime.now(UTC)
    _step(session, message, step, user_id)


def _step(session: Session, message: Message, step: Step, user_id: int | None) -> None:
    session.add(MessageStep(message_id=message.id, state=step.value, user_id=user_id))
    session.flush()
    audit.record(
        session,
        FamilyMessageStep(
            actor_kind="staff" if user_id else "enquirer",
            actor_id=user_id,
            subject_id=message.id,
            state=step.value,
        ),
    )


@dataclass(frozen=True)
class FamilyMessageView:
    direction: str
    body: str
    state: Step
    created_at: datetime


def family_messages(session: Session, enquiry_id: int) -> list[FamilyMessageView]:
    """The family's own messages (with their progress) and replies addressed to them."""
    rows = session.scalars(
        sa.select(Message)
        .where(
            Message.enquiry_id == enquiry_id,
            Message.direction.in_([MessageDirection.from_family, MessageDirection.from_person]),
        )
        .order_by(Message.id)
    )
    return [
        FamilyMessageView(m.direction.value, m.body, state_of(session, m.id), m.created_at)
        for m in rows
    ]


def message_pdf(
    message: Message, *, reference: str, sender: str, addressee: str, language: str = "en"
) -> bytes:
    """The message as a one-page form to be carried (DejaVu embedded, so Cyrillic prints)."""
    from fpdf import FPDF

    labels = {
        "uk": (
            "Повідомлення Червоного Хреста",
            "Запит",
            "Від",
            "Кому",
            "Повідомлення",
            "Не більше 25 слів новин родини.",
        ),
        "ru": (
            "Сообщение Красного Креста",
            "Запрос",
            "От",
            "Кому",
            "Сообщение",
            "Не более 25 слов семейных новостей.",
        ),
        "en": (
            "Red Cross message",
            "Enquiry",
            "From",
            "To",
            "Message",
            "At most 25 words of family news.",
        ),
    }[language if language in {"uk", "ru", "en"} else "en"]
    pdf = FPDF(format="A4")
    pdf.set_title(labels[0])
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 12, labels[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(0, 8, f"{labels[1]}: {reference}    #{message.id}", new_x="LMARGIN", new_y="NEXT")
    for label, value in ((labels[2], sender), (labels[3], addressee)):
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(30, 8, label)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, labels[4], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(0, 9, message.body, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 8, labels[5], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
