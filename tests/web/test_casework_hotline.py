"""Hotline mode: filing for a caller with verbal consent, codes spelled aloud, a new secret."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, TOTP_SEED, add_personas
from tests.web.conftest import Web, receipt_codes
from tests.web.test_staff import sign_in

from kintrace.db.models import Enquiry, User
from kintrace.domain import Channel, Role
from kintrace.intake.staff import create_user
from kintrace.review.verification import Checklist, record_verification
from kintrace.review.worker import MatchWorker
from kintrace.web.routes.hotline import spell

CALLER = {
    "sought.full_name": "Кислиця Сергій Вікторович",
    "sought.birth_date": "12.03.2001",
    "enquirer.name": "Кислиця Ганна",
    "enquirer.relationship": "mother",
    "enquirer.phone": "+380 00 000 0000",
    "enquirer.language": "uk",
}


@pytest.fixture
def hotline(web: Web) -> Web:
    with web.sessions.begin() as session:
        personas = add_personas(session)
        create_user(
            session,
            "olena@a.example.org",
            PASSWORD,
            Role.hotline_operator,
            personas.org_a,
            totp_secret=TOTP_SEED,
        )
    sign_in(web, "olena@a.example.org")
    return web


def _token(web: Web) -> str:
    return web.csrf("/staff/hotline?lang=en")


@pytest.mark.parametrize(
    "path", ["/staff/hotline", "/staff/hotline/secret", "/staff/hotline/message"]
)
def test_an_outsider_cannot_use_the_hotline(sqlite_web: Web, path: str) -> None:
    response = sqlite_web.client.post(path, follow_redirects=False)
    assert response.status_code in {303, 403}
    get = sqlite_web.client.get("/staff/hotline", follow_redirects=False)
    assert get.status_code == 303


def test_the_codes_are_spelled_in_the_callers_language() -> None:
    assert spell("KT-7Q", "en") == [
        ("K", "Kilo"),
        ("T", "Tango"),
        ("-", "dash"),
        ("7", "seven"),
        ("Q", "Quebec"),
    ]
    assert spell("K7", "uk") == [("K", "ка (Kilo)"), ("7", "сім")]
    assert spell("K7", "ru") == [("K", "ка (Kilo)"), ("7", "семь")]


def test_an_operator_files_for_a_caller_only_with_verbal_consent(hotline: Web) -> None:
    refused = hotline.client.post(
        "/staff/hotline?lang=en", data={**CALLER, "csrf_token": _token(hotline)}
    )
    assert refused.status_code == 422
    filed = hotline.client.post(
        "/staff/hotline?lang=en",
        data={**CALLER, "verbal_consent": "true", "csrf_token": _token(hotline)},
    )
    assert filed.status_code == 201
    codes = receipt_codes(filed.text)
    assert "ка (Kilo)" in filed.text and "те (Tango)" in filed.text
    with hotline.sessions() as session:
        enquiry = session.scalar(sa.select(Enquiry).where(Enquiry.reference == codes["reference"]))
        operator = session.scalar(sa.select(User).where(User.email == "olena@a.example.org"))
        assert enquiry.channel is Channel.hotline and enquiry.created_by_id == operator.id
        assert enquiry.organisation_id == operator.organisation_id


def test_a_verified_family_gets_a_new_secret_and_the_old_one_stops_working(
    hotline: Web,
) -> None:
    filed = hotline.client.post(
        "/staff/hotline?lang=en",
        data={**CALLER, "verbal_consent": "true", "csrf_token": _token(hotline)},
    )
    old = receipt_codes(filed.text)
    reset = {"reference": old["reference"], "csrf_token": _token(hotline)}
    assert hotline.client.post("/staff/hotline/secret?lang=en", data=reset).status_code == 409
    MatchWorker(hotline.sessions).drain()
    with hotline.sessions.begin() as session:
        enquiry = session.scalar(sa.select(Enquiry))
        alice = session.scalar(sa.select(User).where(User.email == "alice@a.example.org"))
        record_verification(session, enquiry, Checklist(True, True, 2, 2), user_id=alice.id)
    answer = hotline.client.post("/staff/hotline/secret?lang=en", data=reset)
    assert answer.status_code == 200
    new = receipt_codes(answer.text)
    assert new["reference"] == old["reference"] and new["secret"] != old["secret"]
    token = hotline.csrf("/status?lang=en")
    assert hotline.client.post("/status", data={"csrf_token": token, **old}).status_code == 404
    assert hotline.client.post("/status", data={"csrf_token": token, **new}).status_code == 200


def test_an_operator_takes_a_family_message_read_out_with_the_codes(hotline: Web) -> None:
    from kintrace.db.models import Message

    filed = hotline.client.post(
        "/staff/hotline?lang=en",
        data={**CALLER, "verbal_consent": "true", "csrf_token": _token(hotline)},
    )
    codes = receipt_codes(filed.text)
    MatchWorker(hotline.sessions).drain()  # the enquiry gets its case
    wrong = {**codes, "secret": "2222-3333-4444-6666-7777"}
    body = "Тато, ми всі вдома і чекаємо на тебе."
    refused = hotline.client.post(
        "/staff/hotline/message?lang=en",
        data={**wrong, "body": body, "csrf_token": _token(hotline)},
    )
    assert refused.status_code == 404
    taken = hotline.client.post(
        "/staff/hotline/message?lang=en",
        data={**codes, "body": body, "csrf_token": _token(hotline)},
    )
    assert taken.status_code == 201 and "The message was taken" in taken.text
    with hotline.sessions() as session:
        message = session.scalar(sa.select(Message))
        operator = session.scalar(sa.select(User).where(User.email == "olena@a.example.org"))
        assert message.body == body and message.author_user_id == operator.id


def test_charlie_of_another_organisation_cannot_reset_a_secret_of_a(hotline: Web) -> None:
    filed = hotline.client.post(
        "/staff/hotline?lang=en",
        data={**CALLER, "verbal_consent": "true", "csrf_token": _token(hotline)},
    )
    reference = receipt_codes(filed.text)["reference"]
    sign_in(hotline, "charlie@b.example.org")
    answer = hotline.client.post(
        "/staff/hotline/secret?lang=en",
        data={"reference": reference, "csrf_token": _token(hotline)},
    )
    assert answer.status_code == 404
    assert "No enquiry of your organisation has this reference." in answer.text
