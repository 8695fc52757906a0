"""Source side in a real browser, in Ukrainian: a source officer's upload errors are sentences in
his language; a caseworker merges a proposed person into another and undoes it. axe-core
checks the pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, TOTP_SEED, add_personas, make_settings, totp_code
from tests.review.conftest import add_report, add_source

from kintrace.db import make_engine, make_sessionmaker, upgrade
from kintrace.db.models import Case, Match, Report
from kintrace.domain import Role
from kintrace.intake.staff import create_user
from kintrace.keys import Keys
from kintrace.review.persons import cluster_reports
from kintrace.web.app import create_app

pytestmark = pytest.mark.browser

LIST = (
    "Прізвище;Ім'я;Дата народження;Тип повідомлення\r\n"
    "Кислиця;Сергій;12.03.2001;полонений\r\n"
    "Петренко;Олег;31.02.1999;полонений\r\n"
).encode("cp1251")


@pytest.fixture
def world(data_dir: Path, live_server: Callable[[Any], str]) -> Iterator[tuple[str, Any, dict]]:
    settings = make_settings(data_dir)
    Keys(settings)  # reports are sealed at rest
    upgrade(settings)
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        personas = add_personas(session)
        bureau = add_source(session, "Bureau list A", "A")
        officer = create_user(
            session, "sofia@a.example.org", PASSWORD, Role.source_officer, personas.org_a,
            totp_secret=TOTP_SEED,
        )  # fmt: skip
        officer.source_id = bureau.id
        card = add_report(session, bureau, family_name="Кислиця", given_name="Сергій")
        thin = add_report(session, bureau, family_name="Кислиця", given_name="С.")
        for report in (card, thin):
            cluster_reports(session, [report.id])
        session.execute(sa.delete(Match))  # the uncertain band, made here for a fixed page
        session.add(
            Match(report_id=thin.id, other_report_id=card.id, probability=0.7, model_version="t")
        )
        session.add(Case(organisation_id=personas.org_a.id, person_id=card.person_id))
        ids = {"keep": card.person_id, "absorbed": thin.person_id, "thin": thin.id}
    yield live_server(create_app(settings)), sessions, ids
    engine.dispose()


def _sign_in(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/staff/login?lang=uk")
    page.get_by_label("Електронна пошта").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_label("Одноразовий код").fill(totp_code(account=f"{base_url}|{email}"))
    page.get_by_role("button", name="Увійти").click()


@pytest.mark.parametrize("browser_locale", ["uk-UA"])
def test_a_source_officer_reads_every_upload_error_in_ukrainian(
    page: Any,
    world: tuple[str, Any, dict],
    tmp_path: Path,
    assert_accessible: Callable[[Any], None],
) -> None:
    base_url, _sessions, _ids = world
    _sign_in(page, base_url, "sofia@a.example.org")
    page.goto(f"{base_url}/staff/imports")
    garbage = tmp_path / "list.csv"
    garbage.write_bytes(b"\x00\xff" * 5000)
    page.get_by_label("Файл").set_input_files(str(garbage))
    page.get_by_role("button", name="Перевірити файл").click()
    assert "Цей файл не є ні текстовим файлом CSV, ні книгою XLSX." in (
        page.get_by_role("alert").inner_text()
    )
    assert_accessible(page)
    good = tmp_path / "bureau.csv"
    good.write_bytes(LIST)
    page.get_by_label("Файл").set_input_files(str(good))
    page.get_by_role("button", name="Перевірити файл").click()
    bad_rows = page.get_by_role("table", name="Рядки, які не можна імпортувати")
    row = bad_rows.get_by_role("row").nth(1).inner_text()
    assert "3" in row and "Дата народження" in row and "Будь ласка, напишіть дату" in row
    assert "date_invalid" not in page.content()
    assert_accessible(page)


@pytest.mark.parametrize("browser_locale", ["uk-UA"])
def test_a_caseworker_merges_a_proposed_person_and_undoes_it_in_the_browser(
    page: Any,
    world: tuple[str, Any, dict],
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    base_url, sessions, ids = world
    _sign_in(page, base_url, "alice@a.example.org")
    page.goto(f"{base_url}/staff/persons/{ids['keep']}")
    assert page.get_by_role("heading", name="Можливо, та сама особа").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Та сама особа: об'єднати з цією").click()
    assert page.get_by_role("heading", name="Об'єднано з цією особою").is_visible()
    screenshot(page, "uk-person-merged")
    with sessions() as session:
        assert session.get(Report, ids["thin"]).person_id == ids["keep"]
    page.get_by_role("button", name="Скасувати це об'єднання").click()
    assert "об'єднання скасовано працівником справи" in page.content()
    with sessions() as session:
        assert session.get(Report, ids["thin"]).person_id == ids["absorbed"]
    assert_accessible(page)
