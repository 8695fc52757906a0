"""Forensic pages (issue 10): record remains, see the missing persons who fit them with a reason
per descriptor, propose an identification and approve another specialist's proposal. Photos
of remains are served to forensic specialists only, never cached, and never on the family's
status page. Candidates are limited to the specialist's own organisation's cases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kintrace.db.models import Case
from kintrace.db.models_forensic import Identification, UnidentifiedRemains
from kintrace.errors import NotFound
from kintrace.review import forensic
from kintrace.web.deps import CsrfProtected, CurrentUser, SessionDep, TextsDep, require
from kintrace.web.i18n import N_
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import render

router = APIRouter(prefix="/staff/forensic", include_in_schema=False)

METHOD_LABELS: dict[str, str] = {
    "documents": N_("Documents"),
    "visual": N_("Visual recognition"),
    "fingerprints": N_("Fingerprints"),
    "dental": N_("Dental comparison"),
    "dna": N_("DNA (laboratory reference only)"),
}
OUTCOME_LABELS: dict[str, str] = {
    "agrees": N_("agrees"),
    "partly": N_("partly agrees"),
    "differs": N_("differs"),
    "unknown": N_("not known on both sides"),
    "conflicts": N_("conflicts"),
}
FLASH_KEY = "forensic_flash"


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _marks(text: str) -> list[dict[str, str]]:
    """One mark a line: "kind; body location; description"."""
    marks = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(";")]
        if parts and parts[0]:
            parts += ["", ""]
            marks.append({"kind": parts[0], "location": parts[1], "description": parts[2]})
    return marks


def _remains(session: Any, remains_id: int) -> UnidentifiedRemains:
    remains = session.get(UnidentifiedRemains, remains_id)
    if remains is None:
        raise NotFound("No such remains record.")
    return remains


def _back(remains_id: int | None = None) -> RedirectResponse:
    path = f"/staff/forensic/remains/{remains_id}" if remains_id else "/staff/forensic"
    return RedirectResponse(path, status_code=303)


@router.get("", dependencies=[require("staff.forensic.remains")])
def index(request: Request, session: SessionDep) -> Response:
    rows = session.scalars(
        sa.select(UnidentifiedRemains).order_by(UnidentifiedRemains.id.desc()).limit(200)
    ).all()
    flash = request.session.pop(FLASH_KEY, None)
    return render(request, "forensic/index.html", {"rows": rows, "flash": flash})


@router.post("/remains", dependencies=[require("staff.forensic.remains"), CsrfProtected])
def create_remains(
    request: Request, form: FormDep, user: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    sex = str(form.get("sex", ""))
    descriptors = {
        "sex": sex if sex in {"M", "F"} else None,
        **{k: _int(form.get(k)) for k in ("age_min", "age_max", "height_min", "height_max")},
        "marks": _marks(str(form.get("marks", ""))),
        **{k: str(form.get(k, "")).strip() for k in ("dental", "clothing", "effects", "tags")},
    }
    try:
        remains = forensic.record_remains(
            session,
            user,
            source_org=str(form.get("source_org", "")),
            place=str(form.get("place", "")).strip() or None,
            date_found=str(form.get("date_found", "")).strip() or None,
            descriptors=descriptors,
        )
    except forensic.ForensicRefused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext(
            "Name the organisation the remains record comes from."
        )
        return _back()
    session.commit()
    return _back(remains.id)


@router.get("/remains/{remains_id}", dependencies=[require("staff.forensic.remains")])
def remains_page(
    request: Request, remains_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    remains = _remains(session, remains_id)
    own_cases = set(
        session.scalars(sa.select(Case.id).where(Case.organisation_id == user.organisation_id))
    )
    candidates = [c for c in forensic.candidates_for_remains(session, remains) if c.id in own_cases]
    pending = session.scalars(
        sa.select(Identification)
        .where(Identification.remains_id == remains.id)
        .order_by(Identification.id.desc())
    ).first()
    context = {
        "remains": remains,
        "d": remains.descriptors or {},
        "candidates": candidates,
        "pending": pending,
        "photos": forensic.photos_of(session, remains.id),
        "method_labels": METHOD_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "forensic/remains.html", context)


@router.post(
    "/remains/{remains_id}/identify",
    dependencies=[require("staff.forensic.remains"), CsrfProtected],
)
def identify(
    request: Request,
    remains_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    remains = _remains(session, remains_id)
    case = session.get(Case, _int(form.get("case_id")) or 0)
    if case is None or case.organisation_id != user.organisation_id:
        request.session[FLASH_KEY] = texts.gettext("Choose one of the candidates.")
        return _back(remains.id)
    try:
        forensic.propose_identification(
            session,
            remains,
            case,
            user,
            method=str(form.get("method", "")),
            lab_reference=str(form.get("lab_reference", "")),
        )
    except forensic.ForensicRefused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext(
            "Choose a method; DNA, fingerprints and dental comparison need their laboratory "
            "reference."
        )
        return _back(remains_id)
    session.commit()
    return _back(remains_id)


@router.post(
    "/remains/{remains_id}/approve",
    dependencies=[require("staff.forensic.remains"), CsrfProtected],
)
def approve(
    request: Request, remains_id: int, user: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    remains = _remains(session, remains_id)
    pending = session.scalars(
        sa.select(Identification).where(
            Identification.remains_id == remains.id, Identification.approved_at.is_(None)
        )
    ).first()
    if pending is None:
        return _back(remains_id)
    try:
        forensic.approve_identification(session, pending, user)
    except forensic.ForensicRefused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext(
            "A second forensic specialist must approve the identification."
        )
        return _back(remains_id)
    session.commit()
    return _back(remains_id)


@router.get("/photos/{photo_id}", dependencies=[require("staff.forensic.photo")])
def photo(photo_id: int, user: CurrentUser, session: SessionDep) -> Response:
    try:
        opened = forensic.open_photo(session, photo_id, user)
    except forensic.ForensicRefused:
        raise NotFound("No such photo.") from None
    session.commit()
    return Response(
        opened.data,
        media_type=opened.content_type,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
