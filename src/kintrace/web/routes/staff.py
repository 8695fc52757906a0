"""Staff sign-in, sign-out and the dashboard. The session cookie is signed, HttpOnly,
SameSite=Lax and Secure when the service is reached over TLS; sign-in replaces the whole session
so a cookie planted before sign-in is worth nothing after it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kintrace import audit
from kintrace.audit.events import StaffLoggedOut, StaffLoginFailed
from kintrace.domain import EnquiryState
from kintrace.intake.enquiries import enquiry_counts_by_state
from kintrace.intake.staff import authenticate, normalise_email
from kintrace.web import security
from kintrace.web.deps import (
    CsrfProtected,
    CurrentUser,
    SessionDep,
    TextsDep,
    require,
)
from kintrace.web.i18n import N_
from kintrace.web.routes.account import enrolment_start
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import render

router = APIRouter(prefix="/staff", include_in_schema=False)

ROLE_LABELS: dict[str, str] = {
    "hotline_operator": N_("hotline operator"),
    "source_officer": N_("source officer"),
    "caseworker": N_("caseworker"),
    "supervisor": N_("supervisor"),
    "forensic_specialist": N_("forensic specialist"),
    "analyst": N_("analyst"),
    "admin": N_("administrator"),
}
# Staff-side state names are short; the family-facing labels explain more.
STAFF_STATE_LABELS: dict[str, str] = {
    EnquiryState.received.value: N_("Received"),
    EnquiryState.in_progress.value: N_("In progress"),
    EnquiryState.answered.value: N_("Answered"),
    EnquiryState.closed.value: N_("Closed"),
    EnquiryState.withdrawn.value: N_("Withdrawn"),
}


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would let a phishing link borrow our name.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff"


@router.get("/login", dependencies=[require("public.session.login")])
def login_form(request: Request, next: str | None = None) -> Response:
    context = {"values": {}, "errors": {}, "next": _safe_next(next), "failed": False}
    return render(request, "staff/login.html", context)


@router.post("/login", dependencies=[require("public.session.login"), CsrfProtected])
def login(request: Request, form: FormDep, session: SessionDep) -> Response:
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    code = str(form.get("code", ""))
    target = _safe_next(str(form.get("next", "")))
    # Issue 6 item 2: at most 6 failed attempts a minute per account and per address; while
    # either is full, nothing is checked at all.
    throttle = security.login_throttle(request)
    subjects = [
        ("login-account", normalise_email(email)),
        ("login-address", security.client_address(request)),
    ]
    wait = throttle.retry_after(session, subjects)
    if wait is not None:
        return security.too_many(request, wait, security.LOGIN_THROTTLED)
    user = authenticate(session, email, password) if email and password else None
    if (
        user is not None
        and user.totp_secret
        and not security.totp_accepts(session, user.id, user.totp_secret, code)
    ):
        # Password right, second factor wrong: undo the recorded login, record a failure.
        user_id = user.id
        session.rollback()
        audit.record(session, StaffLoginFailed(subject_id=user_id))
        user = None
    if user is None:
        throttle.failed(session, subjects)
    # The failed attempt is audited and counted too, so commit either way.
    session.commit()
    if user is None:
        context = {"values": {"email": email}, "errors": {}, "next": target, "failed": True}
        return render(request, "staff/login.html", context, status_code=401)
    if security.needs_totp(user) and not user.totp_secret:
        # The second factor is required for this role: set it up before anything else.
        return enrolment_start(request, user.id, target)
    security.start_staff_session(request, session, user)
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[require("staff.session.logout"), CsrfProtected])
def logout(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    audit.record(session, StaffLoggedOut(actor_kind="staff", actor_id=user.id, subject_id=user.id))
    session.commit()
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("", dependencies=[require("staff.dashboard.view")])
def dashboard(
    request: Request, user: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    # Staff see their own organisation's work only (Charlie of B sees nothing of A's).
    counts = enquiry_counts_by_state(session, organisation_id=user.organisation_id)
    rows = [
        (texts.gettext(STAFF_STATE_LABELS.get(state, state)), count)
        for state, count in counts.items()
    ]
    role = str(getattr(user.role, "value", user.role))
    context = {
        "counts": rows,
        "total": sum(counts.values()),
        "role_label": texts.gettext(ROLE_LABELS.get(role, role)),
    }
    return render(request, "staff/dashboard.html", context)
