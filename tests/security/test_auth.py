"""Staff authentication (issue 6 item 2): a second factor required for the roles that see
personal data (QR enrolment first), sign-in throttling with a clear 429, session cookies,
idle and absolute timeouts, and signing out on every device."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.factories import PASSWORD, add_personas, totp_code
from tests.security.conftest import csrf_of, sign_in
from tests.web.conftest import Web, build_web

from kintrace.db.models import AuditEvent, User
from kintrace.domain import Role
from kintrace.intake import throttle
from kintrace.intake.staff import create_user
from kintrace.web import security


class Clock:
    """Moves both clocks (sessions in seconds, throttling in datetimes) together."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        monkeypatch.setattr(security, "clock", lambda: self.now.timestamp())
        monkeypatch.setattr(throttle, "clock", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def staffed(web: Web) -> Web:
    with web.sessions.begin() as session:
        people = add_personas(session)
        create_user(session, "dana@a.example.org", PASSWORD, Role.caseworker, people.org_a)
        create_user(session, "ivan@a.example.org", PASSWORD, Role.analyst, people.org_a)
    return web


def client_for(web: Web, address: str = "10.1.0.1") -> TestClient:
    return TestClient(web.app, client=(address, 50000))


def test_a_caseworker_without_a_seed_enrols_with_a_qr_code_before_anything_else(
    staffed: Web,
) -> None:
    client = client_for(staffed)
    response = sign_in(client, "dana@a.example.org", seed=None)
    assert response.status_code == 303 and response.headers["location"] == "/account/totp"
    # Nothing else is open yet.
    assert (
        client.get("/staff", follow_redirects=False).headers["location"].startswith("/staff/login")
    )
    page = client.get("/account/totp?lang=en")
    assert page.status_code == 200 and "Set up your authenticator app" in page.text
    qr = re.search(r'<img class="qr" src="data:image/svg\+xml;base64,([^"]+)"', page.text)
    assert qr and base64.b64decode(qr.group(1)).startswith(b"<svg")
    seed = re.search(r'<code class="code" id="seed">([^<]+)</code>', page.text)
    assert seed
    seed_text = seed.group(1).replace(" ", "")

    token = csrf_of(client, "/account/totp")
    wrong = client.post("/account/totp?lang=en", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 422 and "The code is not right" in wrong.text
    right = client.post(
        "/account/totp",
        data={"csrf_token": token, "code": totp_code(seed_text, "dana")},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/staff"
    assert client.get("/staff", follow_redirects=False).status_code == 200
    with staffed.sessions() as session:
        dana = session.scalar(sa.select(User).where(User.email == "dana@a.example.org"))
        assert dana is not None and dana.totp_secret == seed_text
        kinds = session.scalars(sa.select(AuditEvent.kind)).all()
    assert "staff.totp_enrolled" in kinds
    # From now on the password alone is not enough.
    assert (
        sign_in(client_for(staffed, "10.1.0.2"), "dana@a.example.org", seed=None).status_code == 401
    )


def test_the_enrolment_page_is_closed_to_anyone_who_has_not_just_given_the_password(
    staffed: Web,
) -> None:
    client = client_for(staffed)
    assert client.get("/account/totp", follow_redirects=False).headers["location"] == (
        "/staff/login"
    )


def test_an_analyst_signs_in_with_the_password_alone(staffed: Web) -> None:
    client = client_for(staffed)
    response = sign_in(client, "ivan@a.example.org", seed=None)
    assert response.status_code == 303 and response.headers["location"] == "/staff"


def test_the_seventh_failed_sign_in_to_one_account_within_a_minute_gets_429(
    staffed: Web, clock: Clock
) -> None:
    for attempt in range(6):
        client = client_for(staffed, f"10.2.0.{attempt}")  # six addresses, one account
        form = {"csrf_token": csrf_of(client), "email": "alice@a.example.org"}
        response = client.post("/staff/login", data={**form, "password": "wrong guess"})
        assert response.status_code == 401
    client = client_for(staffed, "10.2.0.99")
    response = sign_in(client, "alice@a.example.org")  # the right password is refused too
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) <= 60
    assert "Too many failed sign-in attempts" in response.text  # the language the form used
    uk = client.post(
        "/staff/login?lang=uk",
        data={"csrf_token": csrf_of(client), "email": "alice@a.example.org", "password": "x"},
    )
    assert uk.status_code == 429 and "Забагато невдалих спроб входу" in uk.text
    clock.advance(seconds=61)
    assert sign_in(client, "alice@a.example.org").status_code == 303


def test_the_seventh_failed_sign_in_from_one_address_within_a_minute_gets_429(
    staffed: Web, clock: Clock
) -> None:
    client = client_for(staffed, "10.3.0.1")
    for attempt in range(6):
        form = {"csrf_token": csrf_of(client), "email": f"nobody{attempt}@a.example.org"}
        response = client.post("/staff/login", data={**form, "password": "a guess"})
        assert response.status_code == 401
    assert sign_in(client, "bob@a.example.org").status_code == 429
    # Another address is not held up by this one.
    assert sign_in(client_for(staffed, "10.3.0.2"), "bob@a.example.org").status_code == 303


def test_the_session_cookie_is_http_only_same_site_and_secure_behind_tls(
    data_dir: Path, tmp_path: Path
) -> None:
    webs: Iterator[Web] = build_web(
        data_dir, f"sqlite:///{tmp_path / 'tls.sqlite3'}", base_url="https://tracing.example.org"
    )
    web = next(webs)
    try:
        with web.sessions.begin() as session:
            add_personas(session)
        client = TestClient(web.app, base_url="https://testserver")
        response = sign_in(client, "alice@a.example.org")
        cookie = response.headers["set-cookie"].lower()
        assert "kintrace_session=" in cookie
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    finally:
        webs.close()


def test_a_session_ends_after_30_idle_minutes(staffed: Web, clock: Clock) -> None:
    client = client_for(staffed)
    sign_in(client, "alice@a.example.org")
    clock.advance(minutes=29)
    assert client.get("/staff", follow_redirects=False).status_code == 200
    clock.advance(minutes=31)
    response = client.get("/staff", follow_redirects=False)
    assert response.headers["location"].startswith("/staff/login")


def test_a_busy_session_still_ends_after_8_hours(staffed: Web, clock: Clock) -> None:
    client = client_for(staffed)
    sign_in(client, "alice@a.example.org")
    for _ in range(19):  # active every 25 minutes: never idle, 7 h 55 min in all
        clock.advance(minutes=25)
        assert client.get("/staff", follow_redirects=False).status_code == 200
    clock.advance(minutes=25)  # 8 h 20 min after sign-in
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_signing_out_everywhere_ends_the_session_on_every_device(staffed: Web) -> None:
    laptop, phone = client_for(staffed, "10.4.0.1"), client_for(staffed, "10.4.0.2")
    sign_in(laptop, "alice@a.example.org")
    sign_in(phone, "alice@a.example.org")
    assert phone.get("/staff", follow_redirects=False).status_code == 200
    page = laptop.get("/account?lang=en")
    assert "Sign out on every device" in page.text
    response = laptop.post(
        "/account/sign-out-everywhere",
        data={"csrf_token": csrf_of(laptop, "/account")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    for device in (laptop, phone):
        assert device.get("/staff", follow_redirects=False).status_code == 303
    # A new sign-in works again, and Bob's sessions were never touched.
    assert sign_in(phone, "alice@a.example.org").status_code == 303
    assert phone.get("/staff", follow_redirects=False).status_code == 200


def test_an_authenticator_code_signs_in_only_once(staffed: Web, clock: Clock) -> None:
    import pyotp
    from tests.factories import TOTP_SEED

    totp = pyotp.TOTP(TOTP_SEED)
    step = int(clock.now.timestamp()) // totp.interval
    form = {"email": "alice@a.example.org", "password": PASSWORD, "next": "/staff"}

    def attempt(code: str, address: str) -> int:
        client = client_for(staffed, address)
        data = {**form, "csrf_token": csrf_of(client), "code": code}
        return client.post("/staff/login", data=data, follow_redirects=False).status_code

    assert attempt(totp.generate_otp(step), "10.4.0.1") == 303
    # The same code read over a shoulder a few seconds later opens nothing.
    clock.advance(seconds=5)
    assert attempt(totp.generate_otp(step), "10.4.0.2") == 401
    # Nor does the previous step's code, still inside the drift window, once a newer one was used.
    assert attempt(totp.generate_otp(step - 1), "10.4.0.3") == 401
    # The app's next code works, and the refusals were audited as failed sign-ins.
    assert attempt(totp.generate_otp(step + 1), "10.4.0.4") == 303
    with staffed.sessions() as session:
        kinds = session.scalars(sa.select(AuditEvent.kind)).all()
    assert kinds.count("staff.login_failed") == 2
