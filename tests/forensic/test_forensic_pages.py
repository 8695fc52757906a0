"""The casework side of issue 10 and the scanned replies of issue 5, page by page: a caseworker
records what the family says about the sought person's body and belongings (validated, sealed,
every read audited), adds the family's photos (kept without EXIF, opened by forensic staff
only), plans the return of identified remains, and attaches a scanned reply to the case."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image
from tests.security.conftest import World, csrf_of, world  # noqa: F401  (the shared web world)

from kintrace.db.models import AuditEvent
from kintrace.db.models_attachments import CaseAttachment
from kintrace.db.models_forensic import AnteMortem, ForensicPhoto, RemainsReturn

OWNER = "Synthetic Owner 0"


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: EXIF with an owner and a GPS position."""
    exif = Image.Exif()
    exif[0x013B] = OWNER  # Artist
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 37.0, 0.0), 3: "E", 4: (38.0, 0.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 90, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def audited(world: World, kind: str, **detail: object) -> int:  # noqa: F811
    with world.app.state.sessionmaker() as session:
        rows = session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == kind)).all()
        return sum(all(r.detail.get(k) == v for k, v in detail.items()) for r in rows)


def raw_column(world: World, sql: str) -> str:  # noqa: F811
    with world.app.state.sessionmaker() as session:
        return str(session.execute(sa.text(sql)).scalars().first())


AM_FORM = {
    "sex": "M", "date": "14.05.2025", "age_min": "23", "age_max": "25",
    "height_min": "178", "height_max": "181", "marks": "наколка; ліве передпліччя; тризуб",
    "dental": "золота коронка зверху", "clothing": "піксельна куртка", "effects": "обручка",
    "tags": "", "reference_sample_given": "yes", "reference_sample_where": "Lab 0 (synthetic)",
}  # fmt: skip


def test_a_caseworker_records_the_familys_description_sealed_and_every_read_is_audited(
    world: World,  # noqa: F811
) -> None:
    alice = world.client("caseworker")
    page_path = f"/staff/forensic/cases/{world.ids['case_id']}/ante-mortem"
    views_before = audited(world, "record.viewed", record_type="ante_mortem")
    token = csrf_of(alice, page_path + "?lang=en")
    saved = alice.post(page_path, data={**AM_FORM, "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    page = alice.get(page_path + "?lang=en")
    assert "description is saved." in page.text
    assert "золота коронка зверху" in page.text and "наколка; ліве передпліччя; тризуб" in page.text
    assert 'value="2025-05-14"' in page.text  # the typed date, kept in one spelling
    with world.app.state.sessionmaker() as session:
        record = session.get(AnteMortem, world.ids["case_id"])
        assert record is not None and record.descriptors["height_max"] == 181
        assert record.descriptors["marks"][0]["description"] == "тризуб"
    sealed = raw_column(world, "SELECT descriptors FROM ante_mortem")
    assert "коронка" not in sealed and sealed.startswith("kt1:")
    assert audited(world, "forensic.ante_mortem_recorded") >= 1
    assert audited(world, "record.viewed", record_type="ante_mortem") == views_before + 2


def test_mistakes_in_the_ante_mortem_form_come_back_as_sentences_in_the_readers_language(
    world: World,  # noqa: F811
) -> None:
    alice = world.client("caseworker")
    page_path = f"/staff/forensic/cases/{world.ids['case_id']}/ante-mortem"
    token = csrf_of(alice, page_path)
    bad = {**AM_FORM, "height_min": "3 метри", "age_min": "40", "age_max": "30",
           "date": "31.02.2025", "reference_sample_where": "", "dental": "бюгель"}  # fmt: skip
    answer = alice.post(page_path + "?lang=ru", data={**bad, "csrf_token": token})
    assert answer.status_code == 422
    for sentence in (
        "Рост — целое число сантиметров от 40 до 250.",
        "Верхняя граница меньше нижней.",
        "Напишите дату как 2025-05-14, 14.05.2025, 2025-05 или 2025.",
        "Напишите, где семья сдала образец для сравнения (лаборатория, место).",
    ):
        assert sentence in answer.text
    assert "бюгель" in answer.text  # what was typed comes back
    with world.app.state.sessionmaker() as session:
        record = session.get(AnteMortem, world.ids["case_id"])
        assert record is None or record.descriptors.get("dental") != "бюгель"


def test_the_familys_photo_loses_its_exif_and_only_forensic_staff_of_the_case_open_it(
    world: World,  # noqa: F811
) -> None:
    alice = world.client("caseworker")
    page_path = f"/staff/forensic/cases/{world.ids['case_id']}/ante-mortem"
    token = csrf_of(alice, page_path + "?lang=en")
    raw = phone_photo()
    sent = alice.post(
        f"/staff/forensic/cases/{world.ids['case_id']}/photos",
        data={"csrf_token": token, "subject": "tattoo"},
        files={"file": ("IMG_0001.jpg", raw, "image/jpeg")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = alice.get(page_path + "?lang=en")
    assert "only forensic specialists can open it" in page.text
    with world.app.state.sessionmaker() as session:
        photo = session.scalars(
            sa.select(ForensicPhoto).where(ForensicPhoto.case_id == world.ids["case_id"])
        ).first()
        assert photo is not None and photo.subject == "tattoo"
        photo_id = photo.id
    assert OWNER not in raw_column(world, f"SELECT data FROM forensic_photo WHERE id={photo_id}")
    assert alice.get(f"/staff/forensic/photos/{photo_id}").status_code == 403
    opened = world.client("forensic_specialist").get(f"/staff/forensic/photos/{photo_id}")
    assert opened.status_code == 200 and opened.headers["cache-control"] == "no-store"
    assert OWNER.encode() not in opened.content
    with Image.open(io.BytesIO(opened.content)) as kept:
        assert not kept.getexif() and kept.size == (32, 24)
    assert audited(world, "forensic.photo_added", photo_subject="tattoo") >= 1


def test_a_file_that_is_not_an_image_is_refused_with_a_sentence(world: World) -> None:  # noqa: F811
    dana = world.client("forensic_specialist")
    remains_path = f"/staff/forensic/remains/{world.ids['remains_id']}"
    token = csrf_of(dana, remains_path + "?lang=en")
    sent = dana.post(
        remains_path + "/photos",
        data={"csrf_token": token},
        files={"file": ("notes.pdf", b"%PDF-1.7 synthetic", "application/pdf")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = dana.get(remains_path + "?lang=en")
    assert "The file is not an image we can read." in page.text


def test_the_return_of_remains_is_planned_step_by_step_and_audited(world: World) -> None:  # noqa: F811
    alice = world.client("caseworker")
    path = f"/staff/forensic/identifications/{world.ids['identification_id']}/return"
    token = csrf_of(alice, path + "?lang=en")
    early = alice.post(
        path.replace("/return", "/certificate"), data={"csrf_token": token}, follow_redirects=True
    )
    assert "Plan the hand-over before recording the certificate." in early.text
    missing = alice.post(path + "?lang=en", data={"csrf_token": token, "date": "2025"})
    assert missing.status_code == 422
    assert "Write who receives the remains." in missing.text
    assert "Write the day of the hand-over as 2025-05-14 or 14.05.2025." in missing.text
    plan = {"from_whom": "Morgue 0 (synthetic)", "to_whom": "Family of case (synthetic)",
            "place": "Checkpoint 0 (synthetic)", "date": "03.06.2025",
            "documents": "passport, proof of relationship"}  # fmt: skip
    assert alice.post(path, data={**plan, "csrf_token": token}).status_code == 200
    alice.post(path.replace("/return", "/certificate"), data={"csrf_token": token})
    page = alice.get(path + "?lang=en")
    assert "2025-06-03" in page.text and "Checkpoint 0 (synthetic)" in page.text
    assert "Record that the death certificate was issued" not in page.text
    with world.app.state.sessionmaker() as session:
        saved = session.get(RemainsReturn, world.ids["identification_id"])
        assert saved is not None and saved.certificate_issued_at is not None
    assert "Checkpoint" not in raw_column(world, "SELECT place FROM remains_return")
    assert audited(world, "forensic.return_planned", step="plan") >= 1
    assert audited(world, "forensic.return_planned", step="certificate") >= 1
    # Another organisation's caseworker does not learn that the identification exists.
    assert world.client("other_org_caseworker").get(path).status_code == 404


def test_a_scanned_reply_is_attached_to_the_case_and_opened_by_its_caseworkers_only(
    world: World,  # noqa: F811
) -> None:
    alice = world.client("caseworker")
    page_path = f"/staff/cases/{world.ids['case_id']}/attachments"
    token = csrf_of(alice, page_path + "?lang=en")
    sent = alice.post(
        page_path + "?lang=uk",
        data={"csrf_token": token, "kind": "reply", "description": "Відповідь колонії № 0"},
        files={"file": ("scan.jpg", phone_photo(), "image/jpeg")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = alice.get(page_path + "?lang=uk")
    assert "Документ додано до справи." in page.text and "Відповідь колонії № 0" in page.text
    with world.app.state.sessionmaker() as session:
        newest = session.scalar(sa.select(sa.func.max(CaseAttachment.id)))
    assert "колонії" not in raw_column(
        world, f"SELECT description FROM case_attachment WHERE id={newest}"
    )
    views = audited(world, "record.viewed", record_type="case_attachment")
    for who in ("caseworker", "supervisor"):
        opened = world.client(who).get(f"/staff/attachments/{newest}")
        assert opened.status_code == 200 and opened.headers["cache-control"] == "no-store"
        assert OWNER.encode() not in opened.content
    assert audited(world, "record.viewed", record_type="case_attachment") == views + 2
    assert (
        world.client("other_org_caseworker").get(f"/staff/attachments/{newest}").status_code == 404
    )
    for who in ("forensic_specialist", "analyst", "hotline_operator"):
        assert world.client(who).get(f"/staff/attachments/{newest}").status_code == 403


def test_an_upload_without_a_file_or_kind_explains_what_is_missing(world: World) -> None:  # noqa: F811
    alice = world.client("caseworker")
    page_path = f"/staff/cases/{world.ids['case_id']}/attachments"
    token = csrf_of(alice, page_path)
    answer = alice.post(page_path + "?lang=ru", data={"csrf_token": token, "kind": "poem"})
    assert answer.status_code == 422
    assert "Выберите файл для загрузки." in answer.text
    assert "Укажите, что это за документ." in answer.text


def test_death_evidence_graded_on_the_page_makes_the_fate_dead_only_with_a_lab_reference(
    world: World,  # noqa: F811
) -> None:
    from tests.review.conftest import add_report, add_source

    from kintrace.db.models import Person
    from kintrace.domain import Credibility, Fate, ReportType

    with world.app.state.sessionmaker.begin() as session:
        hearsay = add_report(
            session, add_source(session, "NGO list 0 (synthetic)", "B"),
            report_type=ReportType.dead, credibility=Credibility.possibly_true,
            event_date="2025-08-01", person_id=world.ids["person_id"],
        )  # fmt: skip
        report_id = hearsay.id
    dana = world.client("forensic_specialist")
    path = f"/staff/forensic/persons/{world.ids['person_id']}/death-evidence"
    page = dana.get(path + "?lang=en")
    assert page.status_code == 200
    assert "Reported dead, unconfirmed" in page.text
    token = csrf_of(dana, path)
    form = {"csrf_token": token, "report_id": str(report_id), "method": "dna",
            "remains_recovered": "yes"}  # fmt: skip
    refused = dana.post(path + "?lang=ru", data=form)
    assert refused.status_code == 422
    assert "Для отпечатков пальцев, сравнения зубов и ДНК нужен лабораторный номер." in refused.text
    saved = dana.post(path + "?lang=en", data={**form, "method": "dental", "lab_reference": "L-7 (synthetic)"},
                      follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    page = dana.get(path + "?lang=en")
    assert "The death evidence is recorded." in page.text
    assert "Dead" in page.text and "established by an identification of the remains" in page.text
    with world.app.state.sessionmaker() as session:
        person = session.get(Person, world.ids["person_id"])
        assert person is not None and person.fate is Fate.dead
    assert "L-7" not in raw_column(world, "SELECT lab_reference FROM death_evidence")
    assert audited(world, "forensic.death_evidence_recorded", method="dental") == 1
    assert audited(world, "record.viewed", record_type="death_evidence") >= 3
    for who in ("caseworker", "analyst", "other_org_caseworker"):
        assert world.client(who).get(path).status_code == 403
