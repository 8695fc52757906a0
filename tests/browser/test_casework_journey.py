"""The whole casework journey in a real browser: a family asks in Russian, a source officer's
list in Ukrainian spelling arrives, Alice reviews the match and verifies the family, Bob
approves the location, the family reads the answers in Russian and the test SMTP server gets
the notice. axe-core checks every page; each step is photographed in uk, ru and en."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SmtpSink
from tests.factories import PASSWORD, add_personas, make_settings, totp_code

from kintrace.db import upgrade
from kintrace.db.models import Source
from kintrace.domain import Reliability, ReportType
from kintrace.intake.reports import Mapping, Table, guess_mapping, import_batch
from kintrace.review.worker import MatchWorker
from kintrace.web.app import create_app

pytestmark = pytest.mark.browser
LANGS = ("uk", "ru", "en")


@pytest.fixture
def journey(
    data_dir: Path, live_server: Callable[[Any], str], smtp_server: SmtpSink
) -> Iterator[dict[str, Any]]:
    settings = make_settings(data_dir, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    upgrade(settings)
    app = create_app(settings)
    with app.state.sessionmaker.begin() as session:
        personas = add_personas(session)
        source = Source(
            name="Bureau list (synthetic)",
            organisation_id=personas.org_a.id,
            reliability=Reliability.B,
        )
        session.add(source)
        session.flush()
        source_id = source.id
    yield {"url": live_server(app), "sessions": app.state.sessionmaker, "source": source_id}


def photograph(page: Any, screenshot: Callable[[Any, str], Path], step: str) -> None:
    """The current page in each language (GET pages: the switcher's links)."""
    url = page.url.split("#")[0].split("?")[0]
    for lang in LANGS:
        page.goto(f"{url}?lang={lang}")
        screenshot(page, f"casework-{step}-{lang}")


def photograph_posted(page: Any, screenshot: Callable[[Any, str], Path], step: str) -> None:
    """A page reached by posting the codes: its switcher re-posts them per language."""
    for lang, name in (("uk", "Українська"), ("en", "English"), ("ru", "Русский")):
        page.get_by_role("button", name=name).click()
        screenshot(page, f"casework-{step}-{lang}")


def sign_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/staff/login?lang=en")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.fill("#f-code", totp_code(account=f"{url}|{email}"))
    page.get_by_role("button", name="Sign in").click()


def import_list(sessions: Any, source_id: int) -> None:
    """The source officer's list, in Ukrainian spelling, through report intake."""
    headers = ["ПІБ", "Дата народження", "Стать", "Дата події", "Місце утримання"]
    rows = [
        [
            "Кислиця Сергій Вікторович",
            "12.03.2001",
            "M",
            "01.06.2025",
            "Виправна колонія № 0 (synthetic)",
        ],
        ["Петренко Олег Іванович", "02.01.1980", "M", "01.06.2025", "—"],
    ]
    mapping = guess_mapping(headers)
    mapping = Mapping(columns=mapping.columns, report_type=ReportType.interned)
    table = Table.from_rows(headers, rows, kind="csv", sha256="journey-list-1")
    with sessions.begin() as session:
        import_batch(session, table, mapping, source_id)


@pytest.mark.parametrize("browser_locale", ["ru-RU"])
def test_a_family_asks_in_russian_and_reads_an_approved_answer(
    page: Any,
    journey: dict[str, Any],
    smtp_server: SmtpSink,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    url = journey["url"]
    # 1. The family asks, in Russian.
    page.goto(f"{url}/enquiry?lang=ru")
    photograph(page, screenshot, "1-enquiry")
    page.goto(f"{url}/enquiry?lang=ru")
    page.fill("#f-sought-full_name", "Кислица Сергей Викторович")
    page.fill("#f-sought-birth_date", "12.03.2001")
    page.fill("#f-enquirer-name", "Кислица Анна")
    page.fill("#f-enquirer-relationship", "мать")
    page.fill("#f-enquirer-email", "anna@example.org")
    page.select_option("#f-enquirer-language", "ru")
    page.check("#f-consent")
    assert_accessible(page)
    page.get_by_role("button", name="Отправить запрос").click()
    reference = page.locator("#reference").inner_text()
    secret = page.locator("#secret").inner_text()
    assert_accessible(page)
    photograph_posted(page, screenshot, "2-receipt")

    # 2. The list arrives; the match worker (run by `kintrace serve`) matches it.
    import_list(journey["sessions"], journey["source"])
    MatchWorker(journey["sessions"]).drain()

    # 3. Alice: the work queue, the match review, the verification, the answers.
    sign_in(page, url, "alice@a.example.org")
    page.goto(f"{url}/staff/cases?lang=en")
    assert_accessible(page)
    photograph(page, screenshot, "3-queue")
    page.get_by_role("link", name="Case").first.click()
    page.get_by_role("link", name="Review match").first.click()
    assert "Kislitsya Sergiy Viktorovich" in page.content()  # both scripts
    assert_accessible(page)
    photograph(page, screenshot, "4-match-review")
    page.check("#j-positive")
    page.fill("#reason", "Name, date of birth and sex agree; the family's details fit.")
    page.get_by_role("button", name="Record the decision").click()
    page.locator("input[name=identity]").check()
    page.locator("input[name=relationship]").check()
    page.locator("input[name=knowledge_asked]").fill("3")
    page.locator("input[name=knowledge_matched]").fill("3")
    page.get_by_role("button", name="Record the check").click()
    assert "verified" in page.locator("[id^=verification-]").inner_text()
    page.get_by_text("Write an answer: Is he alive?").click()
    page.locator("form:has(input[value=alive]) button").click()
    page.get_by_text("Write an answer: Where is he?").click()
    page.locator("form:has(input[value=location]) button").click()
    assert page.get_by_text("Waiting for a supervisor's approval").is_visible()
    assert_accessible(page)
    photograph(page, screenshot, "5-case")
    case_url = page.url.split("#")[0].split("?")[0]
    page.context.clear_cookies()

    # 4. Bob, the supervisor, approves the location.
    sign_in(page, url, "bob@a.example.org")
    page.goto(f"{url}/staff/approvals?lang=en")
    assert_accessible(page)
    photograph(page, screenshot, "6-approvals")
    page.goto(case_url)
    page.get_by_role("button", name="Approve disclosure").click()
    assert not page.get_by_text("Waiting for a supervisor's approval").is_visible()
    page.context.clear_cookies()

    # 5. The family reads the answers in Russian; the notice arrived without details.
    page.goto(f"{url}/status?lang=ru")
    page.fill("#f-reference", reference)
    page.fill("#f-secret", secret)
    page.get_by_role("button", name="Показать мой запрос").click()
    answers = page.locator("#answers").inner_text()
    assert "По нашим данным, Кислица Сергей Викторович жив" in answers
    assert "Виправна колонія № 0" in answers
    assert_accessible(page)
    photograph_posted(page, screenshot, "7-status")
    assert len(smtp_server.messages) == 2
    notice = smtp_server.messages[0]
    assert notice["To"] == "anna@example.org"
    assert notice["Subject"] == "Есть новости по вашему запросу"
    assert "Кислиц" not in notice.get_content()
