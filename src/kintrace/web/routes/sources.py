"""Source officers' pages (issue 4 item 1): the capture card form and the list of their own
source's reports. A source officer works for exactly one source (``User.source_id``); he sees
and writes that source's reports only, never another's."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from kintrace.db.models import Report, Source
from kintrace.domain import Credibility, ReportType
from kintrace.intake.reports import FIELDS, ReportIn, submit_report
from kintrace.web.deps import (
    CsrfProtected,
    CurrentUser,
    SessionDep,
    TextsDep,
    get_texts,
    require,
)
from kintrace.web.i18n import N_, Texts
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import render
from kintrace.web.validation import translate_errors

router = APIRouter(prefix="/staff", include_in_schema=False)

REPORT_TYPE_LABELS: dict[str, str] = {
    "captured": N_("Captured"),
    "interned": N_("Interned"),
    "transferred": N_("Transferred"),
    "wounded": N_("Wounded"),
    "hospitalised": N_("Hospitalised"),
    "escaped": N_("Escaped"),
    "dead": N_("Dead"),
    "remains_located": N_("Remains located"),
    "released": N_("Released"),
    "repatriated": N_("Repatriated"),
    "seen": N_("Seen"),
    "missing": N_("Missing"),
}
CREDIBILITY_LABELS: dict[str, str] = {
    "": N_("The source's usual grade"),
    "1": N_("1 - confirmed by other sources"),
    "2": N_("2 - probably true"),
    "3": N_("3 - possibly true"),
    "4": N_("4 - doubtful"),
    "5": N_("5 - improbable"),
    "6": N_("6 - cannot be judged"),
}
# Sentences for the report codes, written for a source officer rather than a family.
SENTENCES: dict[str, str] = {
    "name_missing": N_("Please give at least the surname or the first name of the person."),
    "report_type_invalid": N_("Please choose what the report says happened."),
    "credibility_invalid": N_("Please choose a grade from 1 to 6."),
    "consent_invalid": N_("Please answer yes or no."),
}
assert set(REPORT_TYPE_LABELS) == {t.value for t in ReportType}
assert set(CREDIBILITY_LABELS) - {""} == {c.value for c in Credibility}


def report_errors(exc: ValidationError, texts: Texts) -> dict[str, str]:
    """One sentence per capture-card field, in the officer's language."""
    errors: dict[str, str] = {}
    raw = exc.errors()
    for error, item in zip(raw, translate_errors(raw, texts), strict=True):
        name = item["field"] or "family_name"
        code = str(error.get("type"))
        sentence = texts.gettext(SENTENCES[code]) if code in SENTENCES else item["message"]
        errors.setdefault(name, sentence)
    return errors


def _own_source(session: Any, user: Any) -> Source | None:
    if user.source_id is None:
        return None
    return session.get(Source, user.source_id)


def _card(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
    source: Source | None,
) -> Response:
    texts = get_texts(request)
    context = {
        "values": values,
        "errors": errors,
        "field_order": FIELDS,
        "source": source,
        "report_types": [(k, texts.gettext(v)) for k, v in REPORT_TYPE_LABELS.items()],
        "credibilities": [(k, texts.gettext(v)) for k, v in CREDIBILITY_LABELS.items()],
    }
    return render(request, "sources/card.html", context, status_code=status)


@router.get("/reports", dependencies=[require("staff.report.list_own")])
def own_reports(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    source = _own_source(session, user)
    reports: list[Report] = []
    if source is not None:
        reports = list(
            session.scalars(
                sa.select(Report)
                .where(Report.source_id == source.id)
                .order_by(Report.id.desc())
                .limit(200)
            )
        )
    context = {
        "source": source,
        "reports": reports,
        "labels": REPORT_TYPE_LABELS,
        "created": request.query_params.get("created"),
    }
    return render(request, "sources/reports.html", context)


@router.get("/reports/new", dependencies=[require("staff.report.create")])
def capture_card(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return _card(request, {"report_type": "captured"}, {}, 200, _own_source(session, user))


@router.post("/reports/new", dependencies=[require("staff.report.create"), CsrfProtected])
def submit_capture_card(
    request: Request, form: FormDep, user: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    source = _own_source(session, user)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k in FIELDS}
    if source is None:
        # Nothing may be stored without the source it came from.
        return _card(request, values, {}, 409, None)
    data = {k: v for k, v in values.items() if v.strip()}
    try:
        report = ReportIn.model_validate(data)
    except ValidationError as exc:
        return _card(request, values, report_errors(exc, texts), 422, source)
    report_id = submit_report(session, report, source_id=source.id, created_by_id=user.id)
    session.commit()
    return RedirectResponse(f"/staff/reports?created={report_id}", status_code=303)
