"""Forensic fixtures: the casework store and personas, plus two forensic specialists."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.factories import PASSWORD, TOTP_SEED, Personas, Store
from tests.review.conftest import people, store  # noqa: F401  (the same casework fixtures)

from kintrace.domain import Role
from kintrace.intake.staff import create_user


@dataclass
class Specialists:
    dana: int
    erik: int
    analyst: int


@pytest.fixture
def specialists(store: Store, people: Personas) -> Specialists:  # noqa: F811
    """Dana and Erik, forensic specialists in organisation A, and an analyst."""
    with store.sessions.begin() as session:
        dana, erik, analyst = (
            create_user(session, f"{name}@a.example.org", PASSWORD, role, people.org_a.id,
                        totp_secret=TOTP_SEED)
            for name, role in (("dana", Role.forensic_specialist),
                               ("erik", Role.forensic_specialist), ("ann", Role.analyst))
        )  # fmt: skip
        session.flush()
        return Specialists(dana.id, erik.id, analyst.id)
