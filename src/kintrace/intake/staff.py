"""Staff accounts: argon2id password hashes, authentication, organisations."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import StaffLoggedIn, StaffLoginFailed, UserCreated
from kintrace.db.models import Organisation, User
from kintrace.domain import STAFF_ROLES, OrganisationKind, Role
from kintrace.errors import AlreadyExists, NotFound, WeakPassword

MIN_PASSWORD_LENGTH = 12
# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
_dummy_hash: str | None = None


def _dummy() -> str:
    # Verified against when the e-mail is unknown, so a login takes the same time either way.
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("kintrace-no-such-user")
    return _dummy_hash


def use_cheap_password_hashing_for_tests() -> None:
    """Still argon2id, but with the cheapest parameters: for test suites only, never a service."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    _dummy_hash = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"A staff password needs at least {MIN_PASSWORD_LENGTH} characters; "
            "a few unrelated words make a good one."
        )
    return _hasher.hash(password)


def get_or_create_organisation(
    session: Session,
    code: str,
    *,
    name: str | None = None,
    kind: OrganisationKind = OrganisationKind.tracing_agency,
) -> Organisation:
    org = session.scalar(sa.select(Organisation).where(Organisation.code == code))
    if org is None:
        org = Organisation(code=code, name=name or code, kind=kind)
        session.add(org)
        session.flush()
    return org


def find_organisation(session: Session, code: str) -> Organisation | None:
    return session.scalar(sa.select(Organisation).where(Organisation.code == code))


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role | str,
    org: Organisation | int | str,
    *,
    actor_id: int | None = None,
    totp_secret: str | None = None,
) -> User:
    """A new staff account; `org` is an Organisation, its id or its code. Caller commits."""
    role = Role(role)
    if role not in STAFF_ROLES:
        raise ValueError("Enquirers have no account; choose a staff role.")
    if isinstance(org, Organisation):
        organisation: Organisation | None = org
    elif isinstance(org, int):
        organisation = session.get(Organisation, org)
    else:
        organisation = find_organisation(session, org)
    if organisation is None:
        raise NotFound("No organisation with that code exists; create it first.")
    email = normalise_email(email)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AlreadyExists("A staff account with this e-mail address already exists.")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation.id,
        totp_secret=totp_secret,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        UserCreated(
            actor_kind="staff" if actor_id else "system",
            actor_id=actor_id,
            subject_id=user.id,
            role=role.value,
            organisation_id=organisation.id,
        ),
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Both outcomes are audited."""
    user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    stored = user.password_hash if user is not None and user.is_active else _dummy()
    try:
        _hasher.verify(stored, password)
        ok = user is not None and user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        audit.record(session, StaffLoginFailed(subject_id=user.id if user is not None else None))
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = datetime.now(UTC)
    audit.record(session, StaffLoggedIn(actor_kind="staff", actor_id=user.id, subject_id=user.id))
    return user
