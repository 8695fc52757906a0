"""Source officers' capture card: stored through the report service for their own source only,
with errors in the officer's language."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, TOTP_SEED, add_personas
from tests.review.conftest import add_report, add_source
from tests.web.conftest import Web
from tests.web.test_staff import sign_in

from kintrace.db.models import MatchJob, Report, User
from kintrace.domain import Credibility, ReportType, Role
from kintrace.intake.staff import create_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'type="hidden" name="(sha256|filename)" value="([^"]*)"')
SELECTED = re.compile(
    r'<select id="map-\w+" name="([^"]+)">(?:<option value=""></option>\s*)?(?:<option value="[^"]*">[^<]*</option>)*<option value="([^"]*)" selected'
)

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


LIST = (
    "Прізвище;Ім'я;Дата народження;Тип повідомлення;Дата події\r\n"
    "Кислиця;Сергій;12.03.2001;полонений;01.06.2025\r\n"
    "Петренко;Олег;31.02.1999;полонений;01.06.2025\r\n"
    "Мельник;Іван;05.05.1995;звільнений;02.06.2025\r\n"
).encode("cp1251")


def _upload(web: Web, content: bytes = LIST, name: str = "list.csv") -> object:
    token = web.csrf("/staff/imports?lang=en")
    files = {"file": (name, content, "text/csv")}
    return web.client.post("/staff/imports", data={"csrf_token": token}, files=files)


def _confirm(web: Web, page: str, go: str) -> object:
    token = CSRF.search(page).group(1)
    form = {"csrf_token": token, "go": go}
    for name, value in HIDDEN.findall(page):
        form[name] = value
    for name, value in SELECTED.findall(page):
        form[name] = value
    return web.client.post("/staff/imports/run", data=form)


def test_an_uploaded_list_shows_its_guessed_mapping_and_every_bad_row_before_importing(
    officer: Web,
) -> None:
    page = _upload(officer)
    assert page.status_code == 200
    assert "2 of 3 rows can be imported." in page.text
    assert "<td>3</td><td>birth_date</td>" in page.text  # Петренко's 31 February, row 3
    assert 'value="Прізвище" selected' in page.text  # the guessed surname column
    with officer.sessions() as session:  # only the other source's report so far
        assert session.scalar(sa.select(sa.func.count(Report.id))) == 1
    # Importing with the bad row quarantined: the good rows land, the bad one waits.
    done = _confirm(officer, page.text, "quarantine")
    assert "2 reports imported, 1 rows kept for correction." in done.text
    with officer.sessions() as session:
        sofia_source = session.scalar(
            sa.select(User.source_id).where(User.email == "sofia@a.example.org")
        )
        names = {
            r.family_name
            for r in session.scalars(sa.select(Report).where(Report.source_id == sofia_source))
        }
        assert names == {"Кислиця", "Мельник"}
    # The same file again is a no-op.
    again = _confirm(officer, _upload(officer).text, "quarantine")
    assert "This file was imported before; nothing was added." in again.text


def test_a_file_that_is_no_table_is_refused_with_a_sentence_and_nothing_lands(officer: Web) -> None:
    response = _upload(officer, b"\x00\xff" * 5000, "garbage.xlsx")
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    with officer.sessions() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).where(Report.created_by_id.is_not(None))) == 0
        )


@pytest.mark.parametrize("path", ["/staff/imports", "/staff/imports/run"])
def test_an_outsider_cannot_upload_a_list(sqlite_web: Web, path: str) -> None:
    response = sqlite_web.client.post(path, follow_redirects=False)
    assert response.status_code in {303, 403}
    assert sqlite_web.client.get("/staff/imports", follow_redirects=False).status_code == 303


def test_an_outsider_cannot_open_or_change_a_person(sqlite_web: Web) -> None:
    assert sqlite_web.client.get("/staff/persons/1", follow_redirects=False).status_code == 303
    post = sqlite_web.client.post("/staff/persons/1/wishes", follow_redirects=False)
    assert post.status_code in {303, 403}


def test_a_caseworker_sees_the_timeline_and_fate_and_records_his_wishes(web: Web) -> None:
    from kintrace.db.models import Case, Person
    from kintrace.review.persons import cluster_reports

    with web.sessions.begin() as session:
        personas = add_personas(session)
        bureau = add_source(session, "Bureau list A", "A")
        video = add_source(session, "Channel video", "F")
        card = add_report(
            session,
            bureau,
            family_name="Кислиця",
            given_name="Сергій",
            event_date="2025-03-01",
            credibility=Credibility.confirmed,
            internment_place="Табір № 0 (synthetic)",
        )
        post = add_report(
            session,
            video,
            family_name="Кислиця",
            given_name="Сергій",
            event_date="2025-05-01",
            report_type=ReportType.dead,
            credibility=Credibility.cannot_be_judged,
        )
        cluster_reports(session, [card.id])
        cluster_reports(session, [post.id])
        person_id = card.person_id
        session.add(Case(organisation_id=personas.org_a.id, person_id=person_id))
    sign_in(web, "alice@a.example.org")
    page = web.client.get(f"/staff/persons/{person_id}?lang=en")
    assert page.status_code == 200
    assert "Fate by weight of evidence: Captured" in page.text
    assert "Reported dead, unconfirmed" in page.text
    assert page.text.index("2025-03-01") < page.text.index("2025-05-01")  # timeline in order
    assert "Channel video (F6)" in page.text  # the conflicting report with its source, graded
    token = CSRF.search(page.text).group(1)
    form = {"csrf_token": token, "inform_whom": "Мати", "refuses_contact": "no"}
    form["refuses_repatriation"] = "yes"
    saved = web.client.post(f"/staff/persons/{person_id}/wishes", data=form)
    assert saved.status_code == 200
    with web.sessions() as session:
        person = session.get(Person, person_id)
        assert (person.wish_refuses_contact, person.wish_refuses_repatriation) == (False, True)
        assert person.wish_inform_whom == "Мати"
        assert person.fate.value == "captured"
    # Charlie, of another organisation, finds no such person.
    web.client.cookies.clear()
    assert sign_in(web, "charlie@b.example.org").status_code == 303
    assert web.client.get(f"/staff/persons/{person_id}").status_code == 404
