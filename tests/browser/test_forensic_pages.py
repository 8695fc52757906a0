"""Issue 10 and the scanned replies of issue 5 in a real browser: Alice, a caseworker, records
what the family says about the sought person in Ukrainian (a mistake comes back as a sentence, in
Ukrainian, with what she typed), adds the family's photo of a tattoo, attaches a scanned reply
to the case and plans the return of identified remains. axe-core checks every page; each page is
photographed in uk, ru and en."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.factories import PASSWORD, add_personas, make_settings, totp_code

from kintrace.db import upgrade
from kintrace.db.models import Case
from kintrace.db.models_forensic import Identification, UnidentifiedRemains
from kintrace.web.app import create_app

pytestmark = pytest.mark.browser
LANGS = ("uk", "ru", "en")


@pytest.fixture
def office(data_dir: Path, live_server: Callable[[Any], str]) -> Iterator[dict[str, Any]]:
    settings = make_settings(data_dir)
    upgrade(settings)
    app = create_app(settings)
    with app.state.sessionmaker.begin() as session:
        people = add_personas(session)
        case = Case(organisation_id=people.org_a.id)
        remains = UnidentifiedRemains(source_org="Morgue 0 (synthetic)", descriptors={},
                                      created_by=people.bob.id)  # fmt: skip
        session.add_all([case, remains])
        session.flush()
        # Two other people proposed and approved this identification (fixture data).
        ident = Identification(remains_id=remains.id, case_id=case.id, method="dental",
                               lab_reference="L-0 (synthetic)", proposed_by=people.bob.id,
                               approved_by=people.charlie.id, approved_at=datetime.now(UTC))  # fmt: skip
        session.add(ident)
        session.flush()
        ids = {"case": case.id, "ident": ident.id}
    yield {"url": live_server(app), "ids": ids, "sessions": app.state.sessionmaker}


def photograph(page: Any, screenshot: Callable[[Any, str], Path], step: str) -> None:
    url = page.url.split("#")[0].split("?")[0]
    for lang in LANGS:
        page.goto(f"{url}?lang={lang}")
        screenshot(page, f"forensic-{step}-{lang}")


def photo_file(tmp_path: Path) -> Path:
    exif = Image.Exif()
    exif[0x013B] = "Synthetic Owner 0"
    path = tmp_path / "IMG_0001.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(buffer, format="JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_caseworker_records_ante_mortem_data_attaches_a_reply_and_plans_the_return(
    page: Any,
    office: dict[str, Any],
    tmp_path: Path,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    url, case_id = office["url"], office["ids"]["case"]
    page.goto(f"{url}/staff/login?lang=en")
    page.fill("#f-email", "alice@a.example.org")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-code", totp_code(account="alice@a.example.org"))
    page.get_by_role("button", name="Sign in").click()

    # 1. The family's description, first with mistakes, in Ukrainian.
    page.goto(f"{url}/staff/forensic/cases/{case_id}/ante-mortem?lang=uk")
    assert_accessible(page)
    page.fill("#f-height_min", "300")
    page.fill("#f-dental", "золота коронка зверху")
    page.get_by_label("Так").check()
    page.get_by_role("button", name="Зберегти опис від родини").click()
    summary = page.locator(".error-summary")
    assert "Зріст — ціле число сантиметрів від 40 до 250." in summary.inner_text()
    assert "Напишіть, де родина здала зразок для порівняння" in summary.inner_text()
    assert page.input_value("#f-dental") == "золота коронка зверху"
    assert_accessible(page)
    screenshot(page, "forensic-1-ante-mortem-mistake-uk")
    page.fill("#f-height_min", "178")
    page.fill("#f-height_max", "181")
    page.fill("#f-marks", "наколка; ліве передпліччя; тризуб")
    page.fill("#f-reference_sample_where", "Лабораторія 0 (synthetic)")
    page.get_by_role("button", name="Зберегти опис від родини").click()
    assert page.get_by_role("status").inner_text() == "Опис від родини збережено."

    # 2. The family's photo of the tattoo: kept, but not shown to the caseworker.
    page.set_input_files("#f-photo", str(photo_file(tmp_path)))
    page.select_option("#f-subject", "tattoo")
    page.get_by_role("button", name="Додати фото").click()
    assert (
        "відкрити його можуть лише судово-медичні експерти"
        in page.get_by_role("status").inner_text()
    )
    assert page.locator("img").count() == 0
    assert_accessible(page)
    photograph(page, screenshot, "1-ante-mortem")

    # 3. A scanned reply from the detaining authority, attached to the case.
    page.goto(f"{url}/staff/cases/{case_id}/attachments?lang=ru")
    page.set_input_files("#f-file", str(photo_file(tmp_path)))
    page.select_option("#f-kind", "reply")
    page.fill("#f-description", "Ответ колонии № 0 (synthetic)")
    page.get_by_role("button", name="Добавить документ").click()
    assert page.get_by_role("status").inner_text() == "Документ добавлен к делу."
    assert "Ответ колонии № 0 (synthetic)" in page.locator("table").inner_text()
    assert_accessible(page)
    photograph(page, screenshot, "2-attachments")
    href = page.locator("table a").first.get_attribute("href")
    assert href is not None
    document = page.request.get(url + href)
    assert document.status == 200 and document.headers["cache-control"] == "no-store"
    assert b"Synthetic Owner 0" not in document.body()

    # 4. The return of the identified remains.
    page.goto(f"{url}/staff/forensic/identifications/{office['ids']['ident']}/return?lang=en")
    assert_accessible(page)
    page.fill("#f-from_whom", "Morgue 0 (synthetic)")
    page.fill("#f-to_whom", "The family (synthetic)")
    page.fill("#f-place", "Checkpoint 0 (synthetic)")
    page.fill("#f-date", "03.06.2025")
    page.get_by_role("button", name="Save the hand-over plan").click()
    assert page.get_by_role("status").inner_text() == "The hand-over plan is saved."
    page.get_by_role("button", name="Record that the death certificate was issued").click()
    steps = page.locator("ol").inner_text()
    assert "2025-06-03" in steps and "not yet" not in steps.split("\n")[-1]
    assert_accessible(page)
    photograph(page, screenshot, "3-return")
