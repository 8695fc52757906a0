"""A caseworker signs in with a real browser and sees the dashboard; an outsider who opens the
dashboard's address lands on the sign-in page. axe-core checks both pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.factories import PASSWORD, add_personas, make_settings, totp_code

from kintrace.db import make_engine, make_sessionmaker, upgrade
from kintrace.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(data_dir: Path, live_server: Callable[[Any], str]) -> Iterator[str]:
    settings = make_settings(data_dir)
    upgrade(settings)
    engine = make_engine(settings)
    with make_sessionmaker(engine)() as session:
        add_personas(session)
        session.commit()
    engine.dispose()
    yield live_server(create_app(settings))


@pytest.mark.parametrize("browser_locale", ["ru-RU"])
def test_a_caseworker_signs_in_and_an_outsider_does_not_get_in(
    page: Any,
    base_url: str,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base_url}/staff")
    # The outsider sees the sign-in form, not the counts.
    assert page.get_by_role("heading", level=1).inner_text() == "Вход для сотрудников"
    assert page.get_by_role("table").count() == 0

    page.get_by_label("Электронная почта").fill("alice@a.example.org")
    page.get_by_label("Пароль").fill("wrong password, sorry")
    page.get_by_role("button", name="Войти").click()
    assert (
        "Адрес электронной почты, пароль или одноразовый код неверны."
        in page.get_by_role("alert").inner_text()
    )
    assert_accessible(page)

    page.get_by_label("Электронная почта").fill("alice@a.example.org")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_label("Одноразовый код").fill(totp_code(account=f"{base_url}|alice@a.example.org"))
    page.get_by_role("button", name="Войти").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Панель"
    assert page.get_by_role("table", name="Запросы по состоянию").is_visible()
    assert_accessible(page)
    screenshot(page, "ru-staff-dashboard")

    page.get_by_role("button", name="Выйти").click()
    page.goto(f"{base_url}/staff")
    assert page.get_by_role("heading", level=1).inner_text() == "Вход для сотрудников"
