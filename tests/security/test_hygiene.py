"""HTTP hygiene (issue 6 item 7) beyond the header tests in tests/web/test_security.py: request
size limits on pages and API, and no personal data in any log line of a whole journey."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories import add_personas, enquiry_payload
from tests.security.conftest import csrf_of, sign_in
from tests.web.conftest import Web, build_web, form_fields, receipt_codes

from kintrace.logging import configure_logging
from kintrace.review.worker import MatchWorker

# Distinctive synthetic values: any of them in a log line is a leak.
SOUGHT = "Щербатюк-Ґудзь Мирослава Аполлінаріївна"
ENQUIRER = "Ґудзь Аполлінарія Тарасівна"
EMAIL = "apollinaria.gudz@example.org"
PHONE = "+380 44 000 1234"
LEAKS = ("Щербатюк", "Ґудзь", "Аполлінар", "Shcherbatiuk", "Gudz", "apollinaria", "000 1234")


@pytest.fixture
def sqlite_web(tmp_path: Path, data_dir: Path) -> Iterator[Web]:
    yield from build_web(data_dir, f"sqlite:///{tmp_path / 'web.sqlite3'}")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers, level = saved
        root.setLevel(level)


def test_a_page_form_larger_than_the_limit_gets_413(sqlite_web: Web) -> None:
    token = sqlite_web.csrf("/enquiry")
    big = {"csrf_token": token, "sought.circumstances": "x" * (70 * 1024)}
    response = sqlite_web.client.post("/enquiry?lang=en", data=big)
    assert response.status_code == 413
    assert "too large" in response.text and "<html" in response.text


def test_a_configured_tracer_sees_no_request_path_with_a_reference(
    sqlite_web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An operator who sets up OpenTelemetry for another library must not get kintrace's URL
    # paths (an enquiry's reference is one) sent to a collector outside the audited logs.
    from opentelemetry import trace

    asked: list[str] = []

    class RecordingProvider(trace.TracerProvider):
        def get_tracer(self, name: str, *args: Any, **kwargs: Any) -> trace.Tracer:
            asked.append(name)
            return trace.NoOpTracer()

    monkeypatch.setattr(trace, "_TRACER_PROVIDER", RecordingProvider())
    created = sqlite_web.client.post("/api/v1/enquiries", json=enquiry_payload())
    assert created.status_code == 201, created.text
    body = created.json()
    status = sqlite_web.client.get(body["status_url"], headers={"X-Enquiry-Secret": body["secret"]})
    assert status.status_code == 200
    assert asked == []


def test_an_api_body_larger_than_the_limit_gets_413_as_json(sqlite_web: Web) -> None:
    body = enquiry_payload(sought__circumstances="x" * (70 * 1024))
    response = sqlite_web.client.post(
        "/api/v1/enquiries", json=body, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_no_log_line_of_a_whole_journey_holds_personal_data(
    sqlite_web: Web, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = sqlite_web
    with web.sessions.begin() as session:
        add_personas(session)
    family = TestClient(web.app, raise_server_exceptions=False, client=("10.9.0.1", 50000))
    fields = form_fields(
        sought__full_name=SOUGHT,
        enquirer__name=ENQUIRER,
        enquirer__email=EMAIL,
        enquirer__phone=PHONE,
    )
    token = csrf_of(family, "/enquiry")
    filed = family.post("/enquiry", data={**fields, "csrf_token": token})
    assert filed.status_code == 201
    codes = receipt_codes(filed.text)
    api = family.post(
        "/api/v1/enquiries",
        json=enquiry_payload(sought__full_name=SOUGHT, enquirer__name=ENQUIRER),
        headers={"Idempotency-Key": "journey-1"},
    )
    assert api.status_code == 201
    # Invalid input is quoted by validators: it must not reach the log either.
    bad = enquiry_payload(sought__full_name=SOUGHT, sought__birth_date="31.02.2001")
    assert family.post("/api/v1/enquiries", json=bad).status_code == 422
    status = {"csrf_token": token, **codes}
    assert family.post("/status", data=status).status_code == 200
    assert family.post("/status", data={**status, "secret": "wrong"}).status_code == 404
    MatchWorker(web.sessions).drain()

    staff = TestClient(web.app, raise_server_exceptions=False, client=("10.9.0.2", 50000))
    assert sign_in(staff, "alice@a.example.org").status_code == 303
    assert SOUGHT in staff.get("/staff/cases").text  # the journey reached the caseworker
    staff.post("/staff/login", data={"csrf_token": csrf_of(staff), "email": EMAIL, "password": "x"})

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"{SOUGHT} {EMAIL} broke something")

    monkeypatch.setattr("kintrace.web.security.find_enquiry", crash)
    assert family.post("/status", data=status).status_code == 500

    logged = json_logs.getvalue()
    assert logged.count("\n") >= 10, "the journey logged nothing: is logging configured?"
    assert "RuntimeError" in logged  # the crash itself is logged, by its class
    leaked = [word for word in (*LEAKS, codes["secret"]) if word.lower() in logged.lower()]
    assert leaked == []


def test_staff_file_uploads_may_be_large_but_every_other_body_stays_small(web: Web) -> None:
    """A scanned letter or a list of a few MB reaches a staff upload route; the same size as a
    public form, or as a multipart body outside /staff/, is refused with 413 before it is read."""
    three_mb = b"\xff" * (3 * 1024 * 1024)
    files = {"file": ("scan.jpg", three_mb, "image/jpeg")}
    upload = web.client.post("/staff/cases/1/attachments", files=files, follow_redirects=False)
    assert upload.status_code != 413  # the permission layer answers (sign in first), not the size
    public = web.client.post("/enquiry", files=files, follow_redirects=False)
    assert public.status_code == 413
    form = web.client.post(
        "/staff/login", data={"email": "x" * (3 * 1024 * 1024)}, follow_redirects=False
    )
    assert form.status_code == 413
    too_big = b"\xff" * (web.settings.upload_max_bytes + 1)
    huge = web.client.post(
        "/staff/cases/1/attachments",
        files={"file": ("scan.jpg", too_big, "image/jpeg")},
        follow_redirects=False,
    )
    assert huge.status_code == 413
