"""Security headers on every answer, no inline script or style anywhere (the CSP forbids them),
and no stack trace or typed value in an error page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import Web, build_web

import kintrace.web

TEMPLATES = Path(kintrace.web.__file__).parent / "templates"


def assert_secure_headers(headers: Any) -> None:
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "path", ["/", "/enquiry", "/static/style.css", "/static/htmx.min.js", "/api/v1/openapi.json"]
)
def test_every_kind_of_answer_carries_the_security_headers(sqlite_web: Web, path: str) -> None:
    response = sqlite_web.client.get(path)
    assert response.status_code == 200
    assert_secure_headers(response.headers)


def test_pages_are_never_cached_but_style_sheets_are(sqlite_web: Web) -> None:
    assert sqlite_web.client.get("/enquiry").headers["cache-control"] == "no-store"
    assert sqlite_web.client.get("/api/v1/openapi.json").headers["cache-control"] == "no-store"
    assert "max-age" in sqlite_web.client.get("/static/style.css").headers["cache-control"]


def test_browsers_are_told_to_insist_on_tls_only_when_served_over_tls(
    sqlite_web: Web, data_dir: Path, tmp_path: Path
) -> None:
    assert "strict-transport-security" not in sqlite_web.client.get("/").headers
    url = f"sqlite:///{tmp_path / 'tls.sqlite3'}"
    webs = build_web(data_dir, url, base_url="https://tracing.example.org")
    tls = next(webs)
    try:
        assert "max-age=" in tls.client.get("/").headers["strict-transport-security"]
    finally:
        webs.close()


def test_error_answers_carry_them_too(sqlite_web: Web) -> None:
    assert_secure_headers(sqlite_web.client.get("/missing").headers)
    assert_secure_headers(sqlite_web.client.get("/api/v1/enquiries/KT-2222-3333").headers)


def test_a_crash_shows_a_calm_page_without_trace_or_personal_data(
    sqlite_web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Кислиця Сергій broke something")

    monkeypatch.setattr("kintrace.web.security.find_enquiry", crash)
    client = TestClient(sqlite_web.app, raise_server_exceptions=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/status").text)
    assert token
    response = client.post(
        "/status?lang=en",
        data={"csrf_token": token.group(1), "reference": "KT-2222-3333", "secret": "x"},
    )
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Кислиця" not in response.text and "Traceback" not in response.text
    assert_secure_headers(response.headers)


def test_templates_hold_no_inline_script_style_or_hx_on() -> None:
    for template in TEMPLATES.rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template.name
        assert "<style" not in html and " style=" not in html, template.name
        assert "hx-on" not in html, template.name


def test_htmx_is_served_locally_with_its_indicator_styles_off(sqlite_web: Web) -> None:
    html = sqlite_web.client.get("/").text
    assert '<script src="/static/htmx.min.js" defer></script>' in html
    assert '"includeIndicatorStyles": false' in html
    assert "://" not in re.search(r"<head>.*</head>", html, re.S).group(0)  # type: ignore[union-attr]
