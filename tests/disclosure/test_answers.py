"""Answers to the four questions: approval by a second person, a death told in person first,
the family's page showing approved answers only, the news e-mail without details, messages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.conftest import SmtpSink
from tests.factories import Personas, Store, make_settings
from tests.review.conftest import add_report, add_source, file_enquiry

from kintrace.db.models import Disclosure, Enquiry, Match, Person, Report, User
from kintrace.disclosure.answers import (
    DisclosureRefused,
    approve,
    draft_answer,
    draft_text,
    family_view,
    record_death_told,
)
from kintrace.disclosure.messages import (
    MessageRefused,
    Step,
    advance_message,
    family_messages,
    message_pdf,
    record_reply,
    write_message,
)
from kintrace.disclosure.notify import send_news
from kintrace.disclosure.policy import Kind, Reason
from kintrace.domain import Language, MatchJudgement, ReportType
from kintrace.review.cases import Stage, stage_of
from kintrace.review.decisions import decide
from kintrace.review.verification import Checklist, record_verification
from kintrace.review.worker import MatchWorker


@pytest.fixture
def verified(store: Store, people: Personas) -> int:
    """A Russian-speaking mother's enquiry, matched, accepted and verified."""
    with store.sessions.begin() as session:
        source = add_source(session)
        add_report(
            session,
            source,
            full_name="Кислиця Сергій Вікторович",
            birth_date="2001-03-12",
            sex="M",
            event_date="2025-06-01",
            internment_place="Колония № 0 (synthetic)",
            detaining_power="RU",
            report_type=ReportType.interned,
        )
        receipt = file_enquiry(
            session,
            store,
            people.org_a.id,
            sought__full_name="Кислица Сергей Викторович",
            enquirer__language="ru",
        )
    MatchWorker(store.sessions).drain()
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, receipt.enquiry_id)
        match = session.scalars(sa.select(Match).order_by(Match.probability.desc())).first()
        decide(
            session, match, MatchJudgement.positive, "date and unit agree", user_id=people.alice.id
        )
        record_verification(session, enquiry, Checklist(True, True, 3, 3), user_id=people.alice.id)
    return receipt.enquiry_id


def test_nothing_is_disclosed_to_an_unverified_enquirer(store: Store, people: Personas) -> None:
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
    MatchWorker(store.sessions).drain()
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, receipt.enquiry_id)
        with pytest.raises(DisclosureRefused) as refused:
            draft_answer(session, enquiry, Kind.alive, "alive", user_id=people.alice.id)
        assert refused.value.reasons == (Reason.enquirer_not_verified,)


def test_alive_is_shown_at_once_in_russian_but_the_location_waits_for_bob(
    store: Store, people: Personas, verified: int
) -> None:
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, verified)
        text = draft_text(session, enquiry, Kind.alive)
        assert text.startswith("По нашим данным") and "2025-06-01" in text
        draft_answer(session, enquiry, Kind.alive, text, user_id=people.alice.id)
        place = draft_text(session, enquiry, Kind.location)
        assert "Колония № 0" in place
        location = draft_answer(session, enquiry, Kind.location, place, user_id=people.alice.id)
        assert [a.kind for a in family_view(session, enquiry).answers] == [Kind.alive]
        with pytest.raises(DisclosureRefused, match="second person"):
            bob_as_author = session.get(User, people.bob.id)
            location.created_by_id = bob_as_author.id
            approve(session, location, bob_as_author)
        location.created_by_id = people.alice.id
        with pytest.raises(DisclosureRefused, match="supervisor"):
            approve(session, location, session.get(User, people.alice.id))
        assert approve(session, location, session.get(User, people.bob.id))
        view = family_view(session, enquiry)
        assert [a.kind for a in view.answers] == [Kind.alive, Kind.location]
        assert stage_of(session, enquiry.case_id) is Stage.answered
        row = session.get(Disclosure, location.id)
        assert row.approved_by_id == people.bob.id and "report" in row.basis


def test_a_death_is_not_on_the_page_until_the_family_was_told_by_phone(
    store: Store, people: Personas, verified: int
) -> None:
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, verified)
        death = draft_answer(
            session,
            enquiry,
            Kind.death,
            draft_text(session, enquiry, Kind.death),
            user_id=people.alice.id,
        )
        assert not approve(session, death, session.get(User, people.bob.id))
        view = family_view(session, enquiry)
        assert view.answers == [] and view.expect_call
        with pytest.raises(DisclosureRefused, match="support"):
            record_death_told(
                session, death, channel="phone", support_offered=" ", user_id=people.alice.id
            )
        record_death_told(
            session,
            death,
            channel="phone",
            support_offered="psychologist and funeral help",
            user_id=people.alice.id,
        )
        view = family_view(session, enquiry)
        assert [a.kind for a in view.answers] == [Kind.death] and not view.expect_call


def test_a_wish_recorded_later_takes_the_location_off_the_page(
    store: Store, people: Personas, verified: int
) -> None:
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, verified)
        draft_answer(session, enquiry, Kind.alive, "Жив.", user_id=people.alice.id)
        location = draft_answer(session, enquiry, Kind.location, "Где-то.", user_id=people.alice.id)
        approve(session, location, session.get(User, people.bob.id))
        person_id = session.scalar(sa.select(Report.person_id).where(Report.person_id.is_not(None)))
        session.get(Person, person_id).wish_refuses_contact = True
        session.flush()
        assert [a.kind for a in family_view(session, enquiry).answers] == [Kind.alive]


def test_the_news_email_says_only_that_there_is_news(
    smtp_server: SmtpSink, data_dir: object
) -> None:
    settings = make_settings(
        data_dir,
        None,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        base_url="https://trace.example.org",
    )
    assert send_news(settings, "hanna@example.org", Language.ru.value)
    [message] = smtp_server.messages
    assert message["To"] == "hanna@example.org"
    assert message["Subject"] == "Есть новости по вашему запросу"
    body = message.get_content()
    assert "https://trace.example.org/status?lang=ru" in body
    assert "Кисли" not in body and "Сергей" not in body


def test_a_family_message_goes_through_review_print_and_delivery_and_a_reply_appears(
    store: Store, people: Personas, verified: int
) -> None:
    with store.sessions.begin() as session:
        enquiry = session.get(Enquiry, verified)
        with pytest.raises(MessageRefused, match="25 words"):
            write_message(session, enquiry, " ".join(["слово"] * 26))
        message = write_message(session, enquiry, "Мы все живы и здоровы, ждём тебя дома. Мама.")
        with pytest.raises(MessageRefused):
            advance_message(session, message, Step.delivered, user_id=people.alice.id)
        for step in (Step.approved, Step.printed, Step.forwarded, Step.delivered):
            advance_message(session, message, step, user_id=people.alice.id)
        pdf = message_pdf(message, reference=enquiry.reference, sender="Мама", addressee="Сергей")
        assert pdf.startswith(b"%PDF") and b"DejaVu" in pdf
        record_reply(session, enquiry, "Мама, я жив. Сергей.", user_id=people.alice.id)
        views = family_messages(session, enquiry.id)
        assert [(v.direction, v.state) for v in views] == [
            ("from_family", Step.delivered),
            ("from_person", Step.delivered),
        ]
