"""An administrator's staff-account page (issue 6 item 2): a lost authenticator is removed and a
departed colleague's account disabled at once — every session of that account ends with it —
and nobody can do either to their own account."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.factories import PASSWORD, TOTP_SEED, add_personas
from tests.security.conftest import csrf_of, new_client, sign_in
from tests.web.conftest import Web

from kintrace.db.models import AuditEvent, User
from kintrace.domain import Role
from kintrace.intake.staff import create_user


@pytest.fixture
def admin_web(web: Web) -> Web:
    with web.sessions.begin() as session:
        people = add_personas(session)
        create_user(
            session, "root@a.example.org", PASSWORD, Role.admin, people.org_a, totp_secret=TOTP_SEED
        )
    return web


def ids(web: Web) -> dict[str, int]:
    with web.sessions() as session:
        return {email: id_ for email, id_ in session.execute(sa.select(User.email, User.id))}


def signed_in(web: Web, email: str) -> TestClient:
    client = new_client(web.app)
    assert sign_in(client, email).status_code == 303
    return client


def post(client: TestClient, path: str) -> object:
    token = csrf_of(client, "/staff/users?lang=uk")
    return client.post(path, data={"csrf_token": token}, follow_redirects=False)


def test_the_administrator_sees_own_organisations_accounts_and_the_look_is_audited(
    admin_web: Web,
) -> None:
    root = signed_in(admin_web, "root@a.example.org")
    page = root.get("/staff/users?lang=uk")
    assert page.status_code == 200
    assert "Облікові записи працівників" in page.text
    assert "bob@a.example.org" in page.text and "alice@a.example.org" in page.text
    assert "charlie@b.example.org" not in page.text  # organisation B is not theirs
    with admin_web.sessions() as session:
        kinds = session.scalars(sa.select(AuditEvent.kind)).all()
    assert "staff.accounts_listed" in kinds


def test_removing_a_lost_authenticator_ends_the_sessions_and_asks_for_a_new_one(
    admin_web: Web,
) -> None:
    bob_id = ids(admin_web)["bob@a.example.org"]
    bob = signed_in(admin_web, "bob@a.example.org")
    assert bob.get("/staff", follow_redirects=False).status_code == 200
    root = signed_in(admin_web, "root@a.example.org")

    response = post(root, f"/staff/users/{bob_id}/reset-totp")
    assert response.status_code == 303
    assert "Автентифікатор видалено" in root.get(response.headers["location"] + "&lang=uk").text
    # Whoever holds Bob's phone, or his open browser, is out at once.
    assert bob.get("/staff", follow_redirects=False).status_code == 303
    with admin_web.sessions() as session:
        assert session.get(User, bob_id).totp_secret is None  # type: ignore[union-attr]
        kinds = session.scalars(sa.select(AuditEvent.kind)).all()
    assert "staff.totp_reset" in kinds
    # His password alone now leads to setting up a new authenticator, nowhere else.
    again = new_client(admin_web.app)
    form = {"csrf_token": csrf_of(again), "email": "bob@a.example.org", "password": PASSWORD}
    response = again.post("/staff/login", data=form, follow_redirects=False)
    assert response.headers["location"] == "/account/totp"
    assert again.get("/staff", follow_redirects=False).status_code == 303


def test_a_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled(
    admin_web: Web,
) -> None:
    alice_id = ids(admin_web)["alice@a.example.org"]
    alice = signed_in(admin_web, "alice@a.example.org")
    root = signed_in(admin_web, "root@a.example.org")

    assert post(root, f"/staff/users/{alice_id}/disable").status_code == 303  # type: ignore[attr-defined]
    assert alice.get("/staff", follow_redirects=False).status_code == 303
    assert sign_in(new_client(admin_web.app), "alice@a.example.org").status_code == 401
    page = root.get("/staff/users?lang=en").text
    assert re.search(r"alice@a\.example\.org.*?disabled", page, re.S)

    assert post(root, f"/staff/users/{alice_id}/enable").status_code == 303  # type: ignore[attr-defined]
    assert sign_in(new_client(admin_web.app), "alice@a.example.org").status_code == 303
    with admin_web.sessions() as session:
        changes = session.scalars(
            sa.select(AuditEvent.kind).where(AuditEvent.kind == "staff.account_activated")
        ).all()
    assert len(changes) == 2


def test_nobody_disables_or_resets_their_own_account_and_is_told_why(admin_web: Web) -> None:
    root_id = ids(admin_web)["root@a.example.org"]
    root = signed_in(admin_web, "root@a.example.org")
    for action in ("disable", "reset-totp"):
        response = post(root, f"/staff/users/{root_id}/{action}?lang=uk")
        assert response.status_code == 409  # type: ignore[attr-defined]
        assert "попросіть іншого адміністратора" in response.text  # type: ignore[attr-defined]
    assert root.get("/staff", follow_redirects=False).status_code == 200


def test_an_account_of_another_organisation_is_not_found(admin_web: Web) -> None:
    charlie_id = ids(admin_web)["charlie@b.example.org"]
    root = signed_in(admin_web, "root@a.example.org")
    for action in ("disable", "reset-totp", "enable"):
        assert post(root, f"/staff/users/{charlie_id}/{action}").status_code == 404  # type: ignore[attr-defined]
    with admin_web.sessions() as session:
        charlie = session.get(User, charlie_id)
        assert charlie is not None and charlie.is_active and charlie.totp_secret
