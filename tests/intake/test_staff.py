from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, Store, add_personas

from kintrace.db.models import AuditEvent, User
from kintrace.domain import Role
from kintrace.errors import AlreadyExists, NotFound, WeakPassword
from kintrace.intake.staff import authenticate, create_user


def test_staff_passwords_are_stored_as_argon2id_never_in_clear(store: Store) -> None:
    with store.sessions.begin() as session:
        add_personas(session)
    with store.sessions() as session:
        hashes = session.scalars(sa.select(User.password_hash)).all()
    assert len(hashes) == 3
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_the_right_password_signs_in_and_wrong_or_unknown_ones_do_not(store: Store) -> None:
    with store.sessions.begin() as session:
        alice_id = add_personas(session).alice.id
    with store.sessions.begin() as session:
        assert authenticate(session, "ALICE@a.example.org ", PASSWORD).id == alice_id  # type: ignore[union-attr]
        assert authenticate(session, "alice@a.example.org", PASSWORD + "!") is None
        assert authenticate(session, "nobody@a.example.org", PASSWORD) is None
    with store.sessions() as session:
        kinds = session.scalars(
            sa.select(AuditEvent.kind)
            .where(AuditEvent.kind.like("staff.%"))
            .order_by(AuditEvent.seq)
        ).all()
    assert kinds == ["staff.logged_in", "staff.login_failed", "staff.login_failed"]


def test_a_disabled_account_cannot_sign_in(store: Store) -> None:
    with store.sessions.begin() as session:
        add_personas(session).bob.is_active = False
    with store.sessions.begin() as session:
        assert authenticate(session, "bob@a.example.org", PASSWORD) is None


def test_a_short_password_is_refused_with_a_sentence(store: Store) -> None:
    with store.sessions.begin() as session:
        people = add_personas(session)
        with pytest.raises(WeakPassword, match="at least 12 characters"):
            create_user(session, "dan@a.example.org", "short", Role.analyst, people.org_a)


def test_one_e_mail_address_cannot_hold_two_accounts(store: Store) -> None:
    with store.sessions.begin() as session:
        people = add_personas(session)
        with pytest.raises(AlreadyExists):
            create_user(session, "Alice@A.example.org", PASSWORD, Role.analyst, people.org_b)


def test_an_account_needs_an_existing_organisation_and_a_staff_role(store: Store) -> None:
    with store.sessions.begin() as session:
        with pytest.raises(NotFound):
            create_user(session, "eve@x.example.org", PASSWORD, Role.analyst, "NO-SUCH-ORG")
        people = add_personas(session)
        with pytest.raises(ValueError, match="Enquirers have no account"):
            create_user(session, "eve@x.example.org", PASSWORD, Role.enquirer, people.org_a)
