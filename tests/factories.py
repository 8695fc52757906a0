"""Personas and helpers shared by the whole suite (`from tests.factories import ...`).

Personas (after healthchecks' hc/test.py): Alice is a caseworker of organisation A, Bob her
colleague in A (a supervisor), Charlie a caseworker of organisation B who must see nothing
of A's work. All people here are synthetic.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kintrace.db import make_engine, make_sessionmaker, upgrade
from kintrace.db.models import Organisation, User
from kintrace.domain import Role
from kintrace.intake.staff import (
    create_user,
    get_or_create_organisation,
    use_cheap_password_hashing_for_tests,
)
from kintrace.keys import Keys
from kintrace.settings import Settings

# Real argon2id costs ~0.3 s per hash on a shared CI core; tests need the algorithm, not the cost.
use_cheap_password_hashing_for_tests()

PASSWORD = "correct horse battery staple"
# Caseworkers, supervisors, hotline operators, forensic specialists and admins must use a second
# factor (issue 6 item 2); the personas share this synthetic seed: code = totp_code().
TOTP_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ORG_A = "ORG-A"
ORG_B = "ORG-B"


@dataclass
class Store:
    """A migrated database with its settings, engine, sessions and keys."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keys: Keys


def make_settings(data_dir: Path, database_url: str | None = None, **extra: Any) -> Settings:
    return Settings(data_dir=data_dir, database_url=database_url, environment="test", **extra)


@contextmanager
def migrated_store(data_dir: Path, database_url: str) -> Iterator[Store]:
    """A fresh database at the newest schema (the real Alembic migration), disposed after."""
    settings = make_settings(data_dir, database_url)
    engine = make_engine(settings)
    try:
        upgrade(settings, engine=engine)
        yield Store(settings, engine, make_sessionmaker(engine), Keys(settings))
    finally:
        engine.dispose()


@dataclass
class Personas:
    org_a: Organisation
    org_b: Organisation
    alice: User
    bob: User
    charlie: User


def add_personas(session: Session) -> Personas:
    """Alice and Bob in organisation A, Charlie in organisation B (caller commits)."""
    org_a = get_or_create_organisation(session, ORG_A, name="Organisation A")
    org_b = get_or_create_organisation(session, ORG_B, name="Organisation B")
    alice = create_user(
        session, "alice@a.example.org", PASSWORD, Role.caseworker, org_a, totp_secret=TOTP_SEED
    )
    bob = create_user(
        session, "bob@a.example.org", PASSWORD, Role.supervisor, org_a, totp_secret=TOTP_SEED
    )
    charlie = create_user(
        session, "charlie@b.example.org", PASSWORD, Role.caseworker, org_b, totp_secret=TOTP_SEED
    )
    return Personas(org_a, org_b, alice, bob, charlie)


_VALID_ENQUIRY: dict[str, Any] = {
    "sought": {
        "full_name": "Кислиця Сергій Вікторович",
        "sex": "M",
        "birth_date": "12.03.2001",
        "birth_place": "Полтава",
        "military": True,
        "military_unit": "в/ч А0000",
        "last_known_place": "Бахмут",
        "last_known_date": "2025-05",
        "circumstances": "Не виходить на зв'язок після бою.",
    },
    "enquirer": {
        "name": "Кислиця Ганна",
        "relationship": "mother",
        "email": "hanna@example.org",
        "phone": "",
        "language": "uk",
    },
    "consent": True,
}


def enquiry_payload(**overrides: Any) -> dict[str, Any]:
    """A valid enquiry body (synthetic person); `sought__x=...` / `enquirer__x=...` override
    one nested field, `consent=...` the flag."""
    payload = copy.deepcopy(_VALID_ENQUIRY)
    for name, value in overrides.items():
        part, _, field = name.partition("__")
        if field:
            payload[part][field] = value
        else:
            payload[part] = value
    return payload


# The last step handed out per (seed, account): the service accepts each step's code only once
# per account (RFC 6238 5.2), so a test that signs the same person in twice needs a fresh code,
# as a person would wait for the app's next one. Callers name the account together with its
# database (its URL), as every test has a database of its own.
ISSUED_TOTP_STEPS: dict[tuple[str, str], int] = {}


def totp_code(seed: str = TOTP_SEED, account: str = "") -> str:
    """An authenticator code for ``seed`` (the personas' seed by default) that ``account`` has
    not used yet: the current or next 30-second step, waiting for a new step only when both
    are spent."""
    import time

    import pyotp

    from kintrace.web import security  # its clock, which tests may move forward

    totp = pyotp.TOTP(seed)
    now_step = int(security.clock()) // totp.interval
    # Never the previous step: on a loaded machine the request could reach the service after
    # the step turned, when that code is no longer accepted.
    step = max(now_step, ISSUED_TOTP_STEPS.get((seed, account), now_step - 1) + 1)
    if step > now_step + 1:
        time.sleep(max(0.0, (step - 1) * totp.interval - security.clock() + 0.05))
    ISSUED_TOTP_STEPS[(seed, account)] = step
    return totp.generate_otp(step)
