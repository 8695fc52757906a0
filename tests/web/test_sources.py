"""Source officers' capture card: stored through the report service for their own source only,
with errors in the officer's language."""

from __future__ import annotations

import re
from typing import Any

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


def _upload(web: Web, content: bytes = LIST, name: str = "list.csv", lang: str = "en") -> object:
    token = web.csrf(f"/staff/imports?lang={lang}")
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
    assert "<td>3</td><td>Date of birth</td>" in page.text  # Петренко's 31 February, row 3
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
            patronymic="Вікторович",
            birth_date="2001-03-12",
            event_date="2025-03-01",
            credibility=Credibility.confirmed,
            internment_place="Табір № 0 (synthetic)",
        )
        post = add_report(
            session,
            video,
            family_name="Кислиця",
            given_name="Сергій",
            patronymic="Вікторович",
            birth_date="2001-03-12",
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


def test_every_upload_error_is_a_sentence_in_the_officers_language(officer: Web) -> None:
    garbage = _upload(officer, b"\x00\xff" * 5000, "garbage.csv", lang="uk")
    assert garbage.status_code == 422
    assert "Цей файл не є ні текстовим файлом CSV, ні книгою XLSX." in garbage.text
    old = _upload(officer, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "list.xls", lang="uk")
    assert "Це стара книга Excel .xls." in old.text
    nameless = _upload(officer, "Дата;Статус\r\n01.06.2025;полонений\r\n".encode(), lang="uk")
    assert "Жоден стовпець не містить імені" in nameless.text
    assert "Знайдені стовпці: Дата, Статус." in nameless.text
    page = _upload(officer, lang="uk")
    assert "<td>3</td><td>Дата народження</td>" in page.text
    assert "Будь ласка, напишіть дату" in page.text  # the capture card's own sentence
    for english in ("date_invalid", "This is not a date", ">birth_date<", "cannot be opened"):
        assert english not in page.text + garbage.text + old.text + nameless.text


def test_every_problem_code_the_import_can_raise_has_its_own_sentence() -> None:
    import inspect

    import kintrace.intake.reports
    import kintrace.io.exchange_csv
    import kintrace.io.tables
    from kintrace.web.routes.sources import FILE_PROBLEMS

    # A new code in the core would otherwise reach officers as the general sentence.
    code = re.compile(r'"((?:file|mapping|exchange)_[a-z_]+)"')
    raised = set()
    for module in (kintrace.intake.reports, kintrace.io.tables, kintrace.io.exchange_csv):
        raised |= set(code.findall(inspect.getsource(module)))
    assert len(raised) > 10
    assert sorted(raised - set(FILE_PROBLEMS) - {"exchange_csv"}) == []  # a kind, no code


def test_a_caseworker_merges_a_proposed_person_and_undoes_it_without_losing_a_report(
    web: Web,
) -> None:
    from kintrace.db.models import AuditEvent, Case, Match, MatchDecision, Person
    from kintrace.review.persons import cluster_reports

    with web.sessions.begin() as session:
        personas = add_personas(session)
        bureau = add_source(session, "Bureau list A", "A")
        card = add_report(session, bureau, family_name="Кислиця", given_name="Сергій")
        thin = add_report(session, bureau, family_name="Кислиця", given_name="С.")
        stranger = add_report(session, bureau, family_name="Мельник", given_name="Іван")
        for report in (card, thin, stranger):
            cluster_reports(session, [report.id])
        # The engine's uncertain band, as cluster_reports files it for a human to decide
        # (made here, so the test does not hang on the model's exact probabilities).
        session.execute(sa.delete(Match))
        for other in (thin, stranger):
            session.add(
                Match(
                    report_id=other.id, other_report_id=card.id, probability=0.7, model_version="t"
                )
            )
        keep, absorbed, other_person = card.person_id, thin.person_id, stranger.person_id
        session.add(Case(organisation_id=personas.org_a.id, person_id=keep))
    sign_in(web, "alice@a.example.org")
    page = web.client.get(f"/staff/persons/{keep}?lang=en")
    assert "Possibly the same person" in page.text
    assert f"Person {absorbed}</a>" in page.text and f"Person {other_person}</a>" in page.text
    token = CSRF.search(page.text).group(1)
    with web.sessions() as session:
        proposals = {
            m.report_id: m.id for m in session.scalars(sa.select(Match)).all() if m.report_id
        }
    # Not the same man: a decision is recorded and the proposal leaves the page.
    web.client.post(
        f"/staff/persons/{keep}/distinct",
        data={"csrf_token": token, "match_id": str(proposals[stranger.id])},
    )
    # The same man: his reports move here, and the page says where they came from.
    merged = web.client.post(
        f"/staff/persons/{keep}/merge",
        data={"csrf_token": token, "match_id": str(proposals[thin.id])},
    )
    assert merged.status_code == 200
    assert f"Person {other_person}</a>" not in merged.text
    assert "Merged into this person" in merged.text
    assert "merged by a caseworker" in merged.text
    with web.sessions() as session:
        assert session.get(Report, thin.id).person_id == keep
        assert session.get(Person, absorbed).merged_into_id == keep
        judgements = sorted(j.value for j in session.scalars(sa.select(MatchDecision.judgement)))
        assert judgements == ["negative", "positive"]
    # Undo: the report goes back to its own person; the history keeps both moves.
    undone = web.client.post(
        f"/staff/persons/{keep}/unmerge", data={"csrf_token": token, "absorbed_id": str(absorbed)}
    )
    assert "merge undone by a caseworker" in undone.text
    with web.sessions() as session:
        assert session.get(Report, thin.id).person_id == absorbed
        assert session.get(Person, absorbed).merged_into_id is None
        assert session.scalar(sa.select(sa.func.count(Report.id))) == 3
        kinds = set(session.scalars(sa.select(AuditEvent.kind)))
        assert {"person.merged", "person.unmerged", "match.decided"} <= kinds
    # Another organisation's caseworker can neither see nor merge.
    web.client.cookies.clear()
    sign_in(web, "charlie@b.example.org")
    token = web.csrf("/status?lang=en")
    response = web.client.post(
        f"/staff/persons/{keep}/unmerge", data={"csrf_token": token, "absorbed_id": str(absorbed)}
    )
    assert response.status_code == 404


def _jpeg_with_gps() -> bytes:
    """A phone-like photo made here: EXIF with a GPS position, the device and its owner."""
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SyntheticPhone"  # Make
    exif[0x013B] = "Synthetic Owner"  # Artist
    exif[0x8825] = {1: "N", 2: (50.0, 27.0, 1.5), 3: "E", 4: (30.0, 31.0, 2.5)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    raw = buffer.getvalue()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the test's photo has GPS
    return raw


def _post_card(web: Web, files: dict[str, Any], lang: str = "en") -> Any:
    token = web.csrf(f"/status?lang={lang}")
    return web.client.post(
        "/staff/reports/new",
        data={**CARD, "csrf_token": token},
        files=files,
        follow_redirects=False,
    )


def test_a_capture_card_photo_loses_its_gps_and_is_sealed_and_only_staff_may_open_it(
    officer: Web,
) -> None:
    import io

    from PIL import Image

    from kintrace.db.models import AuditEvent
    from kintrace.db.models_sources import ReportScan

    response = _post_card(officer, {"scan": ("card.jpg", _jpeg_with_gps(), "image/jpeg")})
    assert response.status_code == 303
    report_id = int(response.headers["location"].split("created=")[1])
    with officer.sessions() as session:
        raw = session.connection().exec_driver_sql("SELECT data FROM report_scan").scalar_one()
        assert session.scalar(sa.select(sa.func.count(ReportScan.id))) == 1
    stored = raw.encode() if isinstance(raw, str) else bytes(raw)
    for trace in (b"\xff\xd8\xff", b"Exif", b"SyntheticPhone", b"Synthetic Owner"):
        assert trace not in stored  # sealed: not even the JPEG header shows at rest
    listing = officer.client.get("/staff/reports?lang=en")
    assert f'href="/staff/reports/{report_id}/scan"' in listing.text
    opened = officer.client.get(f"/staff/reports/{report_id}/scan")
    assert opened.status_code == 200
    assert opened.headers["content-type"] == "image/jpeg"
    assert opened.headers["cache-control"] == "no-store"
    image = Image.open(io.BytesIO(opened.content))
    assert image.size == (64, 48)
    assert not image.getexif()  # no GPS, no device, no owner
    assert b"SyntheticPhone" not in opened.content and b"Synthetic Owner" not in opened.content
    with officer.sessions() as session:
        kinds = list(session.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.id)))
        viewed = session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.kind == "record.viewed")
        ).all()
    assert "report.scan_added" in kinds
    assert [d["record_type"] for d in viewed] == ["report_scan"]
    # Nobody else: a signed-out visitor, another organisation's caseworker.
    officer.client.cookies.clear()
    anonymous = officer.client.get(f"/staff/reports/{report_id}/scan", follow_redirects=False)
    assert anonymous.status_code == 303
    sign_in(officer, "charlie@b.example.org")
    assert officer.client.get(f"/staff/reports/{report_id}/scan").status_code == 404


def test_a_pdf_scan_is_refused_with_a_sentence_in_the_officers_language(officer: Web) -> None:
    from kintrace.db.models_sources import ReportScan

    pdf = b"%PDF-1.4\n1 0 obj << /Author (Synthetic) >> endobj\n%%EOF\n"
    response = _post_card(officer, {"scan": ("card.pdf", pdf, "application/pdf")}, lang="uk")
    assert response.status_code == 422
    assert "Файли PDF можуть містити приховані відомості" in response.text
    garbage = _post_card(officer, {"scan": ("card.jpg", b"not a photo", "image/jpeg")}, "uk")
    assert garbage.status_code == 422
    with officer.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(ReportScan.id))) == 0
        assert (
            session.scalar(sa.select(sa.func.count()).where(Report.created_by_id.is_not(None))) == 0
        )
