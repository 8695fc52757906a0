"""Staff sign-in, the dashboard and sign-out; an outsider gets nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner
from tests.factories import PASSWORD, add_personas, enquiry_payload, totp_code
from tests.web.conftest import Web, build_web

from kintrace.db.models import User


@pytest.fixture
def staffed(web: Web) -> Web:
    with web.sessions() as session:
        add_personas(session)
        session.commit()
    return web


def sign_in(web: Web, email: str, password: str = PASSWORD, next_: str = "/staff") -> object:
    token = web.csrf("/staff/login?lang=en")
    form = {"csrf_token": token, "email": email, "password": password, "next": next_}
    with web.sessions() as session:  # the account's own second factor, when it has one
        seed = session.scalar(sa.select(User.totp_secret).where(User.email == email.lower()))
    if seed:
        form["code"] = totp_code(seed, f"{web.app.state.engine.url}|{email}")
    return web.client.post("/staff/login", data=form, follow_redirects=False)


def test_an_outsider_is_sent_to_sign_in_and_sees_no_counts(web: Web) -> None:
    response = web.client.get("/staff", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?next=/staff"


def test_a_wrong_password_signs_nobody_in(staffed: Web) -> None:
    response = sign_in(staffed, "alice@a.example.org", "not the password at all")
    assert response.status_code == 401
    assert "The e-mail address, the password or the one-time code is not right." in response.text
    assert staffed.client.get("/staff", follow_redirects=False).status_code == 303


def test_alice_signs_in_and_sees_enquiry_counts_by_state_without_names(staffed: Web) -> None:
    for _ in range(2):
        body = json.dumps(enquiry_payload()).encode()
        headers = {"content-type": "application/json"}
        assert (
            staffed.client.post("/api/v1/enquiries", content=body, headers=headers).status_code
            == 201
        )
    response = sign_in(staffed, "Alice@A.example.org")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
    page = staffed.client.get("/staff?lang=en")
    assert page.status_code == 200
    assert '<tr><th scope="row">Received</th><td class="number">2</td></tr>' in page.text
    assert '<tr><th scope="row">Total</th><td class="number">2</td></tr>' in page.text
    assert "alice@a.example.org (caseworker)" in page.text
    assert "Кислиця" not in page.text


def test_charlie_of_another_organisation_counts_none_of_its_enquiries(staffed: Web) -> None:
    # Public enquiries go to the organisation running the instance: A, created first.
    body = json.dumps(enquiry_payload()).encode()
    headers = {"content-type": "application/json"}
    assert (
        staffed.client.post("/api/v1/enquiries", content=body, headers=headers).status_code == 201
    )
    sign_in(staffed, "charlie@b.example.org")
    page = staffed.client.get("/staff?lang=en")
    assert page.status_code == 200
    assert '<tr><th scope="row">Received</th><td class="number">0</td></tr>' in page.text
    assert '<tr><th scope="row">Total</th><td class="number">0</td></tr>' in page.text


def test_the_session_cookie_is_httponly_and_samesite_lax(staffed: Web) -> None:
    response = sign_in(staffed, "alice@a.example.org")
    cookie = response.headers["set-cookie"].lower()
    assert "kintrace_session=" in cookie
    assert "httponly" in cookie and "samesite=lax" in cookie
    # Plain http here (development): a Secure cookie would never come back.
    assert "secure" not in cookie


def test_the_session_cookie_is_secure_behind_tls(data_dir: Path, database_url: str) -> None:
    webs: Iterator[Web] = build_web(data_dir, database_url, base_url="https://tracing.example.org")
    web = next(webs)
    try:
        # The first page with a form starts the session (it holds the CSRF token).
        cookie = web.client.get("/enquiry").headers["set-cookie"].lower()
        assert "kintrace_session=" in cookie and "; secure" in cookie
    finally:
        webs.close()


def test_a_cookie_signed_with_another_key_is_ignored(staffed: Web) -> None:
    with staffed.sessions() as session:
        from kintrace.db.models import User

        alice_id = session.query(User.id).filter(User.email == "alice@a.example.org").scalar()
    import base64

    payload = base64.b64encode(json.dumps({"user_id": alice_id}).encode())
    forged = TimestampSigner("someone-elses-key").sign(payload).decode()
    staffed.client.cookies.set("kintrace_session", forged)
    assert staffed.client.get("/staff", follow_redirects=False).status_code == 303


def test_sign_in_needs_the_forms_csrf_token(staffed: Web) -> None:
    staffed.csrf("/staff/login")
    form = {"email": "alice@a.example.org", "password": PASSWORD}
    response = staffed.client.post("/staff/login", data=form, follow_redirects=False)
    assert response.status_code == 400
    assert staffed.client.get("/staff", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_to_another_site(staffed: Web) -> None:
    response = sign_in(staffed, "alice@a.example.org", next_="//evil.example.org/")
    assert response.headers["location"] == "/staff"


def test_sign_out_ends_the_session(staffed: Web) -> None:
    sign_in(staffed, "bob@a.example.org")
    token = staffed.csrf("/staff")
    response = staffed.client.post(
        "/staff/logout", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert staffed.client.get("/staff", follow_redirects=False).status_code == 303


def test_a_disabled_account_loses_its_session(staffed: Web) -> None:
    from kintrace.db.models import User

    sign_in(staffed, "charlie@b.example.org")
    with staffed.sessions() as session:
        charlie = session.query(User).filter(User.email == "charlie@b.example.org").one()
        charlie.is_active = False
        session.commit()
    assert staffed.client.get("/staff", follow_redirects=False).status_code == 303


@pytest.fixture
def with_totp(staffed: Web) -> str:
    """Bob's account uses an authenticator app; returns its seed."""
    from kintrace.db.models import User

    seed = pyotp.random_base32()
    with staffed.sessions() as session:
        bob = session.query(User).filter(User.email == "bob@a.example.org").one()
        bob.totp_secret = seed
        session.commit()
    return seed


def test_an_account_with_totp_needs_the_code_as_well_as_the_password(
    staffed: Web, with_totp: str
) -> None:
    token = staffed.csrf("/staff/login?lang=en")
    form = {"csrf_token": token, "email": "bob@a.example.org", "password": PASSWORD}
    without = staffed.client.post("/staff/login", data=form, follow_redirects=False)
    assert without.status_code == 401
    wrong = staffed.client.post(
        "/staff/login", data={**form, "code": "000000"}, follow_redirects=False
    )
    assert wrong.status_code == 401
    assert staffed.client.get("/staff", follow_redirects=False).status_code == 303

    code = totp_code(with_totp, f"{staffed.app.state.engine.url}|bob@a.example.org")
    right = staffed.client.post("/staff/login", data={**form, "code": code}, follow_redirects=False)
    assert right.status_code == 303
    assert staffed.client.get("/staff").status_code == 200


def test_a_refused_second_factor_is_audited_as_a_failed_login(staffed: Web, with_totp: str) -> None:
    from kintrace.db.models import AuditEvent

    token = staffed.csrf("/staff/login")
    form = {"csrf_token": token, "email": "bob@a.example.org", "password": PASSWORD}
    staffed.client.post("/staff/login", data={**form, "code": "123"}, follow_redirects=False)
    with staffed.sessions() as session:
        kinds = [row.kind for row in session.query(AuditEvent).order_by(AuditEvent.seq)]
    assert kinds[-1] == "staff.login_failed"
    assert "staff.logged_in" not in kinds
