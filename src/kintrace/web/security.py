"""Staff sessions and throttling for the web adapter (issue 6 items 2 and 3).

A staff session lives in the signed session cookie and carries when it began, when it was last
used and the account's session generation. Each request checks all three: idle for more than
``IDLE_TIMEOUT``, older than ``ABSOLUTE_TIMEOUT`` or from an older generation ("sign out
everywhere" raises it) and the person counts as signed out.

Accounts of the roles in ``TOTP_ROLES`` never get a session without a second factor: after a
correct password, an account without a seed is sent to enrolment first.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

import pyotp
import sqlalchemy as sa
from fastapi import FastAPI, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from kintrace.db.models_security import StaffSessionGeneration, StaffTotpStep
from kintrace.domain import Role
from kintrace.domain.ids import normalise_reference
from kintrace.intake.enquiries import EnquiryStatus, find_enquiry
from kintrace.intake.staff_admin import end_every_session as end_every_session
from kintrace.intake.throttle import ENQUIRER_LOOKUP, STAFF_LOGIN, Limit, Throttle
from kintrace.keys import Keys
from kintrace.web.i18n import N_

IDLE_TIMEOUT = 30 * 60
ABSOLUTE_TIMEOUT = 8 * 3600
TOTP_ROLES: frozenset[str] = frozenset(
    role.value
    for role in (
        Role.hotline_operator,
        Role.caseworker,
        Role.supervisor,
        Role.forensic_specialist,
        Role.admin,
    )
)

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
GENERATION = "generation"
# Password right, authenticator not yet set up: only the enrolment page is open.
ENROL_USER = "enrol_user_id"
ENROL_SEED = "enrol_seed"
ENROL_NEXT = "enrol_next"
# Enrolment must follow the password promptly.
ENROL_TIMEOUT = 10 * 60

LOGIN_THROTTLED = N_("Too many failed sign-in attempts. Please wait a minute before you try again.")
LOOKUP_THROTTLED = N_(
    "Too many attempts with a reference code and secret that do not match. Please wait a "
    "minute, check both codes on your receipt and try again."
)

# Tests move time forward by replacing this.
clock: Callable[[], float] = time.time


def needs_totp(user: Any) -> bool:
    return str(getattr(user.role, "value", user.role)) in TOTP_ROLES


def totp_accepts(session: Session, user_id: int, secret: str, code: str) -> bool:
    """True for the authenticator's code of this 30-second step or one step either side (clock
    drift), unless a code of that step or a later one already signed this account in.

    The accepted step is written in the caller's transaction, so a code works once: one read
    over a shoulder or from a proxy log opens no second session (RFC 6238 section 5.2).
    """
    code = "".join(code.split())
    if not (code.isdigit() and secret):
        return False
    totp = pyotp.TOTP(secret)
    now_step = int(clock()) // totp.interval
    step = next(
        (
            s
            for s in (now_step - 1, now_step, now_step + 1)
            if hmac.compare_digest(totp.generate_otp(s), code)
        ),
        None,
    )
    if step is None:
        return False
    # One conditional UPDATE decides between two sign-ins racing with the same code.
    moved = session.execute(
        sa.update(StaffTotpStep)
        .where(StaffTotpStep.user_id == user_id, StaffTotpStep.last_step < step)
        .values(last_step=step)
    )
    if moved.rowcount:  # type: ignore[attr-defined]
        return True
    if session.get(StaffTotpStep, user_id) is not None:
        return False  # this code, or a newer one, has been used already
    try:
        with session.begin_nested():
            session.add(StaffTotpStep(user_id=user_id, last_step=step))
    except sa.exc.IntegrityError:
        return False  # a concurrent sign-in with the same code won
    return True


def current_generation(session: Session, user_id: int) -> int:
    found = session.scalar(
        sa.select(StaffSessionGeneration.generation).where(
            StaffSessionGeneration.user_id == user_id
        )
    )
    return found or 0


def start_staff_session(request: Request, session: Session, user: Any) -> None:
    """Replace the whole cookie session with a fresh sign-in of ``user`` (a cookie planted
    before sign-in is worth nothing after it)."""
    from kintrace.web.deps import USER_SESSION_KEY, csrf_token

    now = int(clock())
    request.session.clear()
    request.session[USER_SESSION_KEY] = user.id
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    request.session[GENERATION] = current_generation(session, user.id)
    csrf_token(request)


def session_is_current(request: Request, session: Session, user: Any) -> bool:
    """Whether the signed-in session of ``user`` still holds; marks it as used when it does."""
    now = int(clock())
    signed_in_at = request.session.get(SIGNED_IN_AT)
    seen_at = request.session.get(SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return False
    if now - seen_at > IDLE_TIMEOUT or now - signed_in_at > ABSOLUTE_TIMEOUT:
        return False
    if request.session.get(GENERATION) != current_generation(session, user.id):
        return False
    if needs_totp(user) and not user.totp_secret:
        # A seed removed by an administrator: no session until the person enrols again.
        return False
    request.session[SEEN_AT] = now
    return True


def client_address(request: Request) -> str:
    # Behind a reverse proxy, uvicorn's --proxy-headers puts the real address here.
    return request.client.host if request.client else "unknown"


def _throttle(request: Request, limit: Limit) -> Throttle:
    return Throttle(request.app.state.keys, limit)


def login_throttle(request: Request) -> Throttle:
    return _throttle(request, STAFF_LOGIN)


def lookup_throttle(request: Request) -> Throttle:
    return _throttle(request, ENQUIRER_LOOKUP)


def lookup_subjects(request: Request, reference: str) -> list[tuple[str, str]]:
    """An enquirer's guess counts against the address and against the reference guessed."""
    canonical = normalise_reference(reference) or ""
    return [("lookup-address", client_address(request)), ("lookup-reference", canonical)]


def too_many(request: Request, retry_after: int, sentence: str) -> Response:
    """429 in the reader's language (page or JSON), with Retry-After."""
    from kintrace.web.errors import error_response

    return error_response(request, 429, sentence, headers={"Retry-After": str(retry_after)})


class LookupThrottled(Exception):
    """Too many wrong reference/secret pairs from this address or against this reference."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many wrong reference codes or secrets; wait before trying again.")
        self.retry_after = retry_after


def find_enquiry_throttled(
    request: Request, session: Session, reference: str, secret: str, keys: Keys
) -> EnquiryStatus | None:
    """``find_enquiry`` behind the enquirer throttle (issue 6 item 3): while the address or the
    reference has too many recent failures, raise ``LookupThrottled`` (429) without looking;
    a failure is counted and committed at once."""
    throttle = lookup_throttle(request)
    subjects = lookup_subjects(request, reference)
    wait = throttle.retry_after(session, subjects)
    if wait is not None:
        raise LookupThrottled(wait)
    status = find_enquiry(session, reference, secret, keys)
    if status is None:
        throttle.failed(session, subjects)
        session.commit()
    return status


async def lookup_throttled(request: Request, exc: Exception) -> Response:
    retry_after = exc.retry_after if isinstance(exc, LookupThrottled) else 60
    return too_many(request, retry_after, LOOKUP_THROTTLED)


def install(app: FastAPI) -> None:
    """Register the 429 answer for throttled enquirer lookups."""
    app.add_exception_handler(LookupThrottled, lookup_throttled)
