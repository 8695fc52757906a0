"""Source officers' capture card: stored through the report service for their own source only,
with errors in the officer's language."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, TOTP_SEED, add_personas
from tests.review.conftest import add_report, add_source
from tests.web.conftest import Web
from tests.web.test_staff import sign_in

from kintrace.db.models import MatchJob, Report, User
from kintrace.domain import Credibility, ReportType, Role
from kintrace.intake.staff import create_user

CARD = {
    "report_type": "captured",
    "event_date": "12.03.2025",
    "family_name": "Кислиця",
    "given_name": "Сергій",
    "patronymic": "Вікторович",
    "birth_date": "12.03.2001",
    "military_unit": "А0000",
    "internment_place": "Табір № 0 (synthetic)",
    "consents_family_informed": "yes",
    "person_to_inform": "Кислиця Ганна, мати",
    "party": "UA",
    "detaining_power": "RU",
    "country_held": "RU",
    "source_document_ref": "CC-0001",
}


@pytest.fixture
def officer(web: Web) -> Web:
    with web.sessions.begin() as session:
        personas = add_personas(session)
        own = add_source(session, "Bureau list A", "A")
        other = add_source(session, "Other bureau", "C")
        add_report(session, other, full_name="Чужий Звіт Іванович")
        user = create_user(
            session,
            "sofia@a.example.org",
            PASSWORD,
            Role.source_officer,
            personas.org_a,
            totp_secret=TOTP_SEED,
        )
        user.source_id = own.id
    sign_in(web, "sofia@a.example.org")
    return web


def _post(web: Web, lang: str = "en", **changes: str) -> object:
    token = web.csrf(f"/status?lang={lang}")
    form = {**CARD, **changes, "csrf_token": token}
    return web.client.post("/staff/reports/new", data=form, follow_redirects=False)


@pytest.mark.parametrize("path", ["/staff/reports", "/staff/reports/new"])
def test_an_outsider_is_sent_to_sign_in_and_cannot_store_a_report(
    sqlite_web: Web, path: str
) -> None:
    assert sqlite_web.client.get(path, follow_redirects=False).status_code == 303
    assert sqlite_web.client.post(path, follow_redirects=False).status_code in {303, 403, 405}
    with sqlite_web.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_a_capture_card_is_stored_for_the_officers_own_source_with_a_matching_job(
    officer: Web,
) -> None:
    response = _post(officer)
    assert response.status_code == 303
    with officer.sessions() as session:
        sofia = session.scalar(sa.select(User).where(User.email == "sofia@a.example.org"))
        report = session.scalar(sa.select(Report).where(Report.created_by_id == sofia.id))
        assert report.source_id == sofia.source_id
        assert report.report_type is ReportType.captured
        assert report.family_name == "Кислиця"
        assert report.consents_family_informed is True
        assert report.credibility is Credibility.cannot_be_judged  # the source's usual grade
        jobs = session.scalar(sa.select(sa.func.count()).where(MatchJob.subject_id == report.id))
        assert jobs == 1
    page = officer.client.get(response.headers["location"])
    assert "Кислиця" in page.text
    assert "Чужий" not in page.text  # another source's report stays out of sight


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "Please give at least the surname or the first name of the person."),
        ("uk", "Будь ласка, вкажіть принаймні прізвище або ім’я особи."),
        ("ru", "Пожалуйста, укажите хотя бы фамилию или имя человека."),
    ],
)
def test_a_card_without_a_name_is_refused_in_the_officers_language(
    officer: Web, lang: str, sentence: str
) -> None:
    response = _post(officer, lang, family_name="", given_name="", patronymic="")
    assert response.status_code == 422
    assert sentence in response.text
    assert 'value="CC-0001"' in response.text  # what was typed is kept


def test_an_impossible_event_date_is_named_and_nothing_is_stored(officer: Web) -> None:
    response = _post(officer, event_date="31.02.2025")
    assert response.status_code == 422
    assert "Please write the date" in response.text
    with officer.sessions() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).where(Report.created_by_id.is_not(None))) == 0
        )


def test_an_officer_without_a_source_is_told_so_and_nothing_is_stored(web: Web) -> None:
    with web.sessions.begin() as session:
        personas = add_personas(session)
        create_user(
            session,
            "lone@a.example.org",
            PASSWORD,
            Role.source_officer,
            personas.org_a,
            totp_secret=TOTP_SEED,
        )
    sign_in(web, "lone@a.example.org")
    assert "not linked to a source" in web.client.get("/staff/reports/new?lang=en").text
    assert _post(web).status_code == 409
    with web.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_a_caseworker_may_not_fill_in_a_capture_card(web: Web) -> None:
    with web.sessions.begin() as session:
        add_personas(session)
    sign_in(web, "alice@a.example.org")
    assert web.client.get("/staff/reports/new", follow_redirects=False).status_code == 403
