"""Staff accounts of the administrator's organisation (issue 6 item 2): who has access, whether
their authenticator is set up, and the two things an administrator must be able to do at once —
remove a lost authenticator, and disable an account — each ending every session it had."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from kintrace import audit
from kintrace.audit.events import StaffAccountsListed
from kintrace.db.models import User
from kintrace.intake.staff_admin import reset_totp, set_active
from kintrace.web.deps import CsrfProtected, CurrentUser, SessionDep, TextsDep, require
from kintrace.web.i18n import N_
from kintrace.web.routes.staff import ROLE_LABELS
from kintrace.web.templating import render

router = APIRouter(prefix="/staff/users", include_in_schema=False)

NOT_YOURSELF = N_(
    "You cannot do this to your own account; ask another administrator, so that nobody can "
    "lock themselves out or hide their own access."
)
DONE = {
    "totp": N_("The authenticator was removed. At the next sign-in a new one must be set up."),
    "disabled": N_("The account was disabled and every session it had was ended."),
    "enabled": N_("The account was enabled again."),
}


def _account(session: SessionDep, admin: CurrentUser, user_id: int) -> User:
    # Another organisation's account is "not found", like any record out of scope.
    user = session.get(User, user_id)
    if user is None or user.organisation_id != admin.organisation_id:
        raise HTTPException(status_code=404)
    return user


@router.get("", dependencies=[require("staff.user.manage")])
def accounts(
    request: Request, admin: CurrentUser, session: SessionDep, texts: TextsDep, done: str = ""
) -> Response:
    users = session.scalars(
        sa.select(User).where(User.organisation_id == admin.organisation_id).order_by(User.email)
    ).all()
    audit.record(
        session,
        StaffAccountsListed(
            actor_kind="staff",
            actor_id=admin.id,
            subject_id=admin.organisation_id,
            accounts=len(users),
        ),
    )
    session.commit()
    rows = [
        {
            "id": u.id,
            "email": u.email,
            "role": texts.gettext(ROLE_LABELS.get(str(getattr(u.role, "value", u.role)), "")),
            "active": u.is_active,
            "totp": bool(u.totp_secret),
            "last_login": u.last_login_at,
            "is_me": u.id == admin.id,
        }
        for u in users
    ]
    notice = texts.gettext(DONE[done]) if done in DONE else None
    return render(request, "users/index.html", {"rows": rows, "notice": notice})


def _refuse_self(request: Request, texts: TextsDep) -> Response:
    return render(request, "users/refused.html", {"message": texts.gettext(NOT_YOURSELF)}, 409)


@router.post("/{user_id}/reset-totp", dependencies=[require("staff.user.manage"), CsrfProtected])
def remove_authenticator(
    request: Request, user_id: int, admin: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    user = _account(session, admin, user_id)
    if user.id == admin.id:
        return _refuse_self(request, texts)
    reset_totp(session, user, actor_id=admin.id)
    session.commit()
    return RedirectResponse("/staff/users?done=totp", status_code=303)


@router.post("/{user_id}/disable", dependencies=[require("staff.user.manage"), CsrfProtected])
def disable(
    request: Request, user_id: int, admin: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    user = _account(session, admin, user_id)
    if user.id == admin.id:
        return _refuse_self(request, texts)
    set_active(session, user, False, actor_id=admin.id)
    session.commit()
    return RedirectResponse("/staff/users?done=disabled", status_code=303)


@router.post("/{user_id}/enable", dependencies=[require("staff.user.manage"), CsrfProtected])
def enable(
    request: Request, user_id: int, admin: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    user = _account(session, admin, user_id)
    set_active(session, user, True, actor_id=admin.id)
    session.commit()
    return RedirectResponse("/staff/users?done=enabled", status_code=303)
