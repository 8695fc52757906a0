"""Each shared fixture in conftest.py proves, in one small test, that it does what it says."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'"


def html_app(body: str, headers: dict[str, str] | None = None) -> Any:
    """A bare ASGI app answering every path with one HTML page; {accept_language} is filled in."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        request_headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        page = body.replace("{accept_language}", request_headers.get("accept-language", ""))
        response_headers = [(b"content-type", b"text/html; charset=utf-8")]
        response_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": page.encode()})

    return app


ACCESSIBLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Enquiry received</title></head>
<body><main><h1>Enquiry received</h1><p>Accept-Language: {accept_language}</p></main></body></html>
"""


def test_each_database_starts_empty_and_accepts_writes(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE enquiry (id INTEGER PRIMARY KEY, name TEXT)"))
            conn.execute(text("INSERT INTO enquiry (id, name) VALUES (1, 'Кислиця Сергій')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM enquiry")).scalar_one() == "Кислиця Сергій"
    finally:
        engine.dispose()


@pytest.mark.browser
def test_the_browser_renders_a_data_page(page: Any) -> None:
    page.goto("data:text/html;charset=utf-8,<h1>Розшук</h1>")
    assert page.locator("h1").inner_text() == "Розшук"


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["uk-UA"])
def test_the_live_server_serves_the_browser_in_the_chosen_locale(
    page: Any, live_server: Any
) -> None:
    base_url = live_server(html_app(ACCESSIBLE_PAGE))
    page.goto(base_url + "/")
    assert "Accept-Language: uk-UA" in page.locator("main p").inner_text()


@pytest.mark.browser
def test_an_accessible_page_under_a_strict_csp_passes_axe(
    page: Any, live_server: Any, axe: Any, assert_accessible: Any
) -> None:
    base_url = live_server(html_app(ACCESSIBLE_PAGE, {"content-security-policy": STRICT_CSP}))
    page.goto(base_url + "/")
    assert axe(page) == []
    assert_accessible(page)


@pytest.mark.browser
def test_axe_names_an_unlabelled_input_as_a_failure(page: Any, assert_accessible: Any) -> None:
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Form</title></head>'
        '<body><main><h1>Form</h1><input type="text" name="family_name"></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception, match="label"):
        assert_accessible(page)


@pytest.mark.browser
def test_a_screenshot_lands_in_test_artifacts(page: Any, screenshot: Any) -> None:
    page.set_content("<h1>Status</h1>")
    path = screenshot(page, "fixtures-screenshot")
    assert path.parent.name == "screenshots"
    assert path.read_bytes().startswith(b"\x89PNG")


def test_the_smtp_server_receives_a_message_sent_with_smtplib(smtp_server: Any) -> None:
    message = EmailMessage()
    message["From"] = "tracing@kintrace.example"
    message["To"] = "family@example.org"
    message["Subject"] = "Ваш запит KT-7Q4M-9XPA"
    message.set_content("Ми отримали ваш запит.")
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.send_message(message)

    (received,) = smtp_server.messages
    assert received["Subject"] == "Ваш запит KT-7Q4M-9XPA"
    assert received.rcpt_tos == ["family@example.org"]  # type: ignore[attr-defined]
    assert "Ми отримали ваш запит." in received.get_content()
