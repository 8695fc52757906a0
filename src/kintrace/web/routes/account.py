"""A staff member's own account: setting up the authenticator app (TOTP with a QR code) and
signing out on every device at once (issue 6 item 2).

Enrolment is reached only through a correct password: the sign-in route puts the account id
into the session under ``ENROL_USER`` instead of signing the person in. The new seed stays in
that (signed) session until the first code from the app proves it was scanned; only then is it
stored and the session opened.
"""

from __future__ import annotations

import base64

import pyotp
import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kintrace import audit
from kintrace.audit.events import StaffSignedOutEverywhere, StaffTotpEnrolled
from kintrace.db.models import User
from kintrace.web import security
from kintrace.web.deps import CsrfProtected, CurrentUser, SessionDep, csrf_token, require
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import render

router = APIRouter(prefix="/account", include_in_schema=False)

ISSUER = "kintrace"


def enrolment_start(request: Request, user_id: int, target: str) -> Response:
    """After a correct password for an account that must have, but has no, second factor."""
    request.session.clear()
    request.session[security.ENROL_USER] = user_id
    request.session[security.SIGNED_IN_AT] = int(security.clock())
    request.session[security.ENROL_NEXT] = target
    csrf_token(request)
    return RedirectResponse("/account/totp", status_code=303)


def _pending_user(request: Request, session: SessionDep) -> User | None:
    user_id = request.session.get(security.ENROL_USER)
    started = request.session.get(security.SIGNED_IN_AT)
    if not isinstance(user_id, int) or not isinstance(started, int):
        return None
    if security.clock() - started > security.ENROL_TIMEOUT:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.totp_secret:
        return None
    return user


def qr_data_uri(text: str) -> str:
    """The QR code as an SVG data: URI for an <img> (the CSP allows data: images and forbids
    inline style, so the SVG is not put into the page itself)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _enrol_page(request: Request, user: User, failed: bool, status_code: int = 200) -> Response:
    seed = request.session.get(security.ENROL_SEED)
    if not isinstance(seed, str):
        seed = pyotp.random_base32()
        request.session[security.ENROL_SEED] = seed
    uri = pyotp.TOTP(seed).provisioning_uri(name=user.email, issuer_name=ISSUER)
    context = {
        "qr": qr_data_uri(uri),
        "seed_groups": " ".join(seed[i : i + 4] for i in range(0, len(seed), 4)),
        "failed": failed,
        "values": {},
        "errors": {},
    }
    return render(request, "account/totp.html", context, status_code=status_code)


@router.get("/totp", dependencies=[require("public.session.enrol_totp")])
def enrol_form(request: Request, session: SessionDep) -> Response:
    user = _pending_user(request, session)
    if user is None:
        return RedirectResponse("/staff/login", status_code=303)
    return _enrol_page(request, user, failed=False)


@router.post("/totp", dependencies=[require("public.session.enrol_totp"), CsrfProtected])
def enrol(request: Request, form: FormDep, session: SessionDep) -> Response:
    user = _pending_user(request, session)
    seed = request.session.get(security.ENROL_SEED)
    if user is None or not isinstance(seed, str):
        return RedirectResponse("/staff/login", status_code=303)
    throttle = security.login_throttle(request)
    subjects = [
        ("login-account", user.email),
        ("login-address", security.client_address(request)),
    ]
    wait = throttle.retry_after(session, subjects)
    if wait is not None:
        return security.too_many(request, wait, security.LOGIN_THROTTLED)
    if not security.totp_accepts(session, user.id, seed, str(form.get("code", ""))):
        throttle.failed(session, subjects)
        session.commit()
        return _enrol_page(request, user, failed=True, status_code=422)
    user.totp_secret = seed
    audit.record(
        session, StaffTotpEnrolled(actor_kind="staff", actor_id=user.id, subject_id=user.id)
    )
    session.commit()
    target = request.session.get(security.ENROL_NEXT) or "/staff"
    security.start_staff_session(request, session, user)
    return RedirectResponse(str(target), status_code=303)


@router.get("", dependencies=[require("staff.account.manage_own")])
def account_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "account/index.html", {})


@router.post(
    "/sign-out-everywhere", dependencies=[require("staff.account.manage_own"), CsrfProtected]
)
def sign_out_everywhere(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    security.end_every_session(session, user.id)
    audit.record(
        session, StaffSignedOutEverywhere(actor_kind="staff", actor_id=user.id, subject_id=user.id)
    )
    session.commit()
    request.session.clear()
    return RedirectResponse("/", status_code=303)
