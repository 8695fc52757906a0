"""Casework pages over HTTP: outsiders and other organisations get nothing; Alice reviews,
verifies and answers; Bob approves; the family reads the answer and gets a detail-free e-mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import SmtpSink
from tests.factories import add_personas
from tests.review.conftest import add_report, add_source
from tests.web.conftest import Web, build_web, form_fields, receipt_codes
from tests.web.test_staff import sign_in

from kintrace.db.models import Enquiry, Match
from kintrace.review.worker import MatchWorker

CASE_ROUTES = [
    ("get", "/staff/cases"),
    ("get", "/staff/cases/1"),
    ("post", "/staff/cases/1/assign"),
    ("post", "/staff/cases/1/stage"),
    ("get", "/staff/matches/1"),
    ("post", "/staff/matches/1/decision"),
    ("post", "/staff/decisions/1/retract"),
    ("post", "/staff/enquiries/1/verification"),
    ("post", "/staff/enquiries/1/answers"),
    ("get", "/staff/approvals"),
    ("post", "/staff/disclosures/1/approve"),
    ("post", "/staff/disclosures/1/told"),
    ("post", "/staff/enquiries/1/messages"),
    ("post", "/staff/messages/1/step"),
    ("get", "/staff/messages/1/pdf"),
]


@pytest.fixture
def casework(database_url: str, data_dir: Path, smtp_server: SmtpSink) -> Iterator[Web]:
    yield from build_web(
        data_dir, database_url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
    )


def _csrf(web: Web, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', web.client.get(path).text)
    assert found, path
    return found.group(1)


@pytest.fixture
def filed(casework: Web) -> dict[str, object]:
    """Personas, a report, and a family's Russian enquiry about the same man, matched."""
    with casework.sessions.begin() as session:
        add_personas(session)
        add_report(
            session,
            add_source(session),
            full_name="Кислиця Сергій Вікторович",
            birth_date="2001-03-12",
            sex="M",
            event_date="2025-06-01",
            internment_place="Колония № 0 (synthetic)",
        )
    token = casework.csrf("/enquiry?lang=ru")
    fields = form_fields(
        **{"sought__full_name": "Кислица Сергей Викторович", "enquirer__language": "ru"}
    )
    response = casework.client.post("/enquiry?lang=ru", data={**fields, "csrf_token": token})
    assert response.status_code == 201
    codes = receipt_codes(response.text)
    MatchWorker(casework.sessions).drain()
    with casework.sessions() as session:
        enquiry = session.scalar(sa.select(Enquiry))
        match = session.scalars(sa.select(Match).order_by(Match.probability.desc())).first()
        return {"codes": codes, "case": enquiry.case_id, "enquiry": enquiry.id, "match": match.id}


@pytest.mark.parametrize(("method", "path"), CASE_ROUTES)
def test_an_outsider_is_sent_to_sign_in_from_every_casework_route(
    sqlite_web: Web, method: str, path: str
) -> None:
    response = getattr(sqlite_web.client, method)(path, follow_redirects=False)
    assert response.status_code in {303, 403}
    if response.status_code == 303:
        assert response.headers["location"].startswith("/staff/login")


def test_charlie_of_another_organisation_sees_none_of_the_case(
    casework: Web, filed: dict[str, object]
) -> None:
    sign_in(casework, "charlie@b.example.org")
    queue = casework.client.get("/staff/cases?lang=en")
    assert queue.status_code == 200 and "Кислица" not in queue.text
    assert casework.client.get(f"/staff/cases/{filed['case']}").status_code == 404
    assert casework.client.get(f"/staff/matches/{filed['match']}").status_code == 404
    token = _csrf(casework, "/staff")
    decided = casework.client.post(
        f"/staff/matches/{filed['match']}/decision",
        data={"csrf_token": token, "judgement": "positive", "reason": "x"},
    )
    assert decided.status_code == 404


def test_alice_answers_bob_approves_and_the_family_reads_it_in_russian(
    casework: Web, filed: dict[str, object], smtp_server: SmtpSink
) -> None:
    sign_in(casework, "alice@a.example.org")
    queue = casework.client.get("/staff/cases?lang=en")
    assert "strong new match" in queue.text and "Кислица Сергей Викторович" in queue.text
    review = casework.client.get(f"/staff/matches/{filed['match']}?lang=en")
    assert "Kislitsa Sergey Viktorovich" in review.text  # both scripts
    assert "Колония № 0" in review.text and "B6" in review.text  # timeline with grade
    token = _csrf(casework, f"/staff/cases/{filed['case']}")
    post = casework.client.post
    post(
        f"/staff/matches/{filed['match']}/decision",
        data={"csrf_token": token, "judgement": "positive", "reason": "date and unit agree"},
    )
    post(
        f"/staff/enquiries/{filed['enquiry']}/verification",
        data={
            "csrf_token": token,
            "identity": "true",
            "relationship": "true",
            "knowledge_asked": "3",
            "knowledge_matched": "3",
        },
    )
    post(
        f"/staff/enquiries/{filed['enquiry']}/answers",
        data={"csrf_token": token, "kind": "alive", "content": "По нашим данным, Сергей жив."},
    )
    post(
        f"/staff/enquiries/{filed['enquiry']}/answers",
        data={"csrf_token": token, "kind": "location", "content": "Колония № 0 (synthetic)."},
    )
    assert len(smtp_server.messages) == 1  # the first answer is news; the location waits
    page = casework.client.get(f"/staff/cases/{filed['case']}?lang=en")
    assert "Waiting for a supervisor" in page.text
    assert "Approve disclosure" not in page.text  # Alice is no supervisor

    sign_in(casework, "bob@a.example.org")
    page = casework.client.get(f"/staff/cases/{filed['case']}?lang=en")
    disclosure = re.search(r"/staff/disclosures/(\d+)/approve", page.text)
    assert disclosure
    token = _csrf(casework, "/staff")
    approved = post(
        f"/staff/disclosures/{disclosure.group(1)}/approve",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert len(smtp_server.messages) == 2
    assert "Кисли" not in smtp_server.messages[-1].get_content()

    codes = filed["codes"]
    token = casework.csrf("/status?lang=ru")
    status = post("/status?lang=ru", data={"csrf_token": token, **codes})
    assert "По нашим данным, Сергей жив." in status.text
    assert "Колония № 0 (synthetic)." in status.text


def _verify_and_accept(casework: Web, filed: dict[str, object]) -> None:
    from kintrace.db.models import User
    from kintrace.domain import MatchJudgement
    from kintrace.review.decisions import decide
    from kintrace.review.verification import Checklist, record_verification

    with casework.sessions.begin() as session:
        alice = session.scalar(sa.select(User).where(User.email == "alice@a.example.org"))
        decide(
            session,
            session.get(Match, filed["match"]),
            MatchJudgement.positive,
            "fits",
            user_id=alice.id,
        )
        record_verification(
            session,
            session.get(Enquiry, filed["enquiry"]),
            Checklist(True, True, 3, 3),
            user_id=alice.id,
        )


def test_the_family_is_asked_to_expect_a_call_before_a_death_is_shown(
    casework: Web, filed: dict[str, object], smtp_server: SmtpSink
) -> None:
    _verify_and_accept(casework, filed)
    sign_in(casework, "alice@a.example.org")
    token = _csrf(casework, "/staff")
    casework.client.post(
        f"/staff/enquiries/{filed['enquiry']}/answers",
        data={"csrf_token": token, "kind": "death", "content": "С глубоким прискорбием сообщаем…"},
    )
    sign_in(casework, "bob@a.example.org")
    page = casework.client.get(f"/staff/cases/{filed['case']}?lang=en")
    disclosure = re.search(r"/staff/disclosures/(\d+)/approve", page.text).group(1)
    token = _csrf(casework, "/staff")
    casework.client.post(f"/staff/disclosures/{disclosure}/approve", data={"csrf_token": token})
    assert smtp_server.messages == []  # a death is never announced by e-mail

    def status() -> str:
        token = casework.csrf("/status?lang=ru")
        return casework.client.post(
            "/status?lang=ru", data={"csrf_token": token, **filed["codes"]}
        ).text

    first = status()
    assert "Скоро вам позвонит сотрудник" in first and "прискорбием" not in first
    token = _csrf(casework, "/staff")
    casework.client.post(
        f"/staff/disclosures/{disclosure}/told",
        data={"csrf_token": token, "channel": "phone", "support": "psychologist's number given"},
    )
    after = status()
    assert "прискорбием" in after and "Скоро вам позвонит" not in after


def test_the_family_writes_a_message_with_its_codes_and_a_stranger_cannot(
    casework: Web, filed: dict[str, object]
) -> None:
    token = casework.csrf("/status?lang=ru")
    codes = filed["codes"]
    wrong = {"reference": codes["reference"], "secret": "2222-3333-4444-6666-7777"}
    stranger = casework.client.post(
        "/status/message?lang=ru", data={"csrf_token": token, **wrong, "body": "Привет"}
    )
    assert stranger.status_code == 404
    long = casework.client.post(
        "/status/message?lang=ru", data={"csrf_token": token, **codes, "body": "слово " * 26}
    )
    assert long.status_code == 422 and "от 1 до 25 слов" in long.text
    sent = casework.client.post(
        "/status/message?lang=ru",
        data={"csrf_token": token, **codes, "body": "Мы живы и ждём тебя. Мама."},
    )
    assert sent.status_code == 200
    assert "Мы живы и ждём тебя. Мама." in sent.text and "Ожидает проверки" in sent.text


def test_the_caseworker_sees_a_refusal_of_contact_and_cannot_draft_a_location(
    casework: Web, filed: dict[str, object]
) -> None:
    from kintrace.db.models import Report

    with casework.sessions.begin() as session:
        for report in session.scalars(sa.select(Report)):
            report.consents_family_informed = False
    _verify_and_accept(casework, filed)
    sign_in(casework, "alice@a.example.org")
    page = casework.client.get(f"/staff/cases/{filed['case']}?lang=en").text
    assert "He refuses contact with his family" in page
    assert "The sought person refuses contact; only that he is alive may be told." in page
    token = _csrf(casework, "/staff")
    casework.client.post(
        f"/staff/enquiries/{filed['enquiry']}/answers",
        data={"csrf_token": token, "kind": "location", "content": "Колония"},
    )
    with casework.sessions() as session:
        from kintrace.db.models import Disclosure

        assert session.scalar(sa.select(sa.func.count()).select_from(Disclosure)) == 0
