"""A family submits an enquiry in Ukrainian in a real browser (Chromium) and reads its status
page; axe-core finds no serious or critical accessibility violation on any page on the way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.factories import make_settings

from kintrace.db import upgrade
from kintrace.web.app import create_app

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def base_url(data_dir: Path, live_server: Callable[[Any], str]) -> Iterator[str]:
    # SQLite in the data dir: this test is about the browser, the databases are covered elsewhere.
    settings = make_settings(data_dir)
    upgrade(settings)
    yield live_server(create_app(settings))


@pytest.mark.parametrize("browser_locale", ["uk-UA"])
def test_a_family_enquires_in_ukrainian_and_reads_the_status(
    page: Any,
    base_url: str,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}/")
    # Accept-Language uk-UA: Ukrainian without choosing it.
    assert page.locator("html").get_attribute("lang") == "uk"
    assert_accessible(page)
    screenshot(page, "uk-01-start")

    page.get_by_role("link", name="Попросити про пошук").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Попросити нас знайти людину"
    assert_accessible(page)

    # First a mistake: the date cannot be read, and nobody to contact.
    page.get_by_label("Повне ім'я").fill("Кислиця Сергій Вікторович")
    page.get_by_label("Дата народження").fill("31.02.2001")
    page.get_by_label("Ваше ім'я").fill("Кислиця Ганна Петрівна")
    page.get_by_label("Ким ви доводитеся цій людині?").fill("мати")
    page.get_by_label("Я прочитав(-ла) це й погоджуюся").check()
    page.get_by_role("button", name="Надіслати запит").click()
    summary = page.get_by_role("alert")
    # enhance.js moves focus to the summary, so a screen reader announces it first.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "Будь ласка, напишіть дату як день.місяць.рік" in summary.inner_text()
    assert page.get_by_label("Дата народження").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    screenshot(page, "uk-02-form-errors")

    # The summary links lead to the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "f-sought-birth_date"

    page.get_by_label("Дата народження").fill("12.03.2001")
    page.get_by_label("Електронна пошта").fill("hanna@example.org")
    page.get_by_label("Я прочитав(-ла) це й погоджуюся").check()
    page.get_by_role("button", name="Надіслати запит").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Ми отримали ваш запит"
    reference = page.locator("#reference").inner_text()
    secret = page.locator("#secret").inner_text()
    assert reference.startswith("KT-") and len(secret.replace("-", "")) == 20
    assert page.get_by_text("Секретний код ми показуємо лише цей один раз.").is_visible()
    assert_accessible(page)
    screenshot(page, "uk-03-receipt")

    page.goto(f"{base_url}/status")
    page.get_by_label("Номер запиту").fill(reference.lower())
    page.get_by_label("Секретний код").fill(secret)
    page.get_by_role("button", name="Показати мій запит").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ваш запит"
    main_text = page.locator("main").inner_text()
    assert "Кислиця Сергій Вікторович" in main_text
    assert "12.03.2001" in main_text
    assert "Отримано" in page.locator(".state").inner_text()
    # The secret went in a POST body, never into the address.
    assert secret not in page.url
    assert_accessible(page)
    screenshot(page, "uk-04-status")


def test_the_start_page_is_accessible_in_russian_and_english(
    page: Any,
    base_url: str,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page.goto(f"{base_url}/?lang=ru")
    assert page.get_by_role("heading", level=1).inner_text() == "Поиск пропавшего родственника"
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Looking for a missing relative"
    page.goto(f"{base_url}/staff/login")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url}/enquiry")
    assert_accessible(page)
    screenshot(page, "en-enquiry-desktop")
