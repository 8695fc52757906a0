"""Source officers' pages (issue 4 item 1): the capture card form and the list of their own
source's reports. A source officer works for exactly one source (``User.source_id``); he sees
and writes that source's reports only, never another's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from kintrace.db.models import Case, Enquiry, Match, Person, Report, Source
from kintrace.domain import Credibility, ReportType
from kintrace.errors import NotFound
from kintrace.intake.reports import (
    FIELDS,
    BatchRejected,
    ImportFileError,
    Mapping,
    MappingError,
    ReportIn,
    Table,
    guess_mapping,
    import_batch,
    submit_report,
    validate,
)
from kintrace.io.tables import read_table
from kintrace.review.persons import fate_of, set_wishes, timeline
from kintrace.settings import Settings
from kintrace.web.deps import (
    CsrfProtected,
    CurrentUser,
    KeysDep,
    SessionDep,
    SettingsDep,
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


# Bulk lists (issue 4 item 2): upload -> guessed mapping and dry run -> import -> result.
# Between the steps the file waits sealed under the data directory, named by its SHA-256, so
# the officer uploads it once and no step needs JavaScript.
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _upload_path(settings: Settings, sha256: str) -> Path:
    return settings.data_dir / "uploads" / f"{sha256}.sealed"


def _imports(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("problem", None)
    return render(request, "sources/imports.html", context, status_code=status)


def _checked(
    request: Request, table: Table, mapping: Mapping, filename: str, source: Source
) -> Response:
    try:
        dry = validate(table, mapping)
    except (MappingError, ImportFileError) as exc:
        dry, problem = None, str(exc)
    else:
        problem = None
    texts = get_texts(request)
    return _imports(
        request,
        422 if problem else 200,
        step="check",
        source=source,
        sha256=table.sha256,
        filename=filename,
        headers=table.headers,
        mapping=mapping,
        fields=FIELDS,
        dry=dry,
        problem=problem,
        report_types=[("", "")] + [(k, texts.gettext(v)) for k, v in REPORT_TYPE_LABELS.items()],
    )


@router.get("/imports", dependencies=[require("staff.import.run")])
def imports_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return _imports(request, step="upload", source=_own_source(session, user))


@router.post("/imports", dependencies=[require("staff.import.run"), CsrfProtected])
async def upload_list(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep, keys: KeysDep
) -> Response:
    source = _own_source(session, user)
    if source is None:
        return _imports(request, 409, step="upload", source=None)
    form = await request.form()
    upload = form.get("file")
    texts = get_texts(request)
    if isinstance(upload, str) or upload is None or not upload.filename:
        problem = texts.gettext("Please choose the file to upload.")
        return _imports(request, 422, step="upload", source=source, problem=problem)
    content = await upload.read()
    try:
        table = read_table(content, upload.filename)
    except ImportFileError as exc:
        return _imports(request, 422, step="upload", source=source, problem=str(exc))
    path = _upload_path(settings, table.sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(keys.seal(content, table.sha256.encode()))
    mapping = guess_mapping(table.headers)
    return _checked(request, table, mapping, upload.filename, source)


@router.post("/imports/run", dependencies=[require("staff.import.run"), CsrfProtected])
def run_import(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    keys: KeysDep,
) -> Response:
    source = _own_source(session, user)
    if source is None:
        return _imports(request, 409, step="upload", source=None)
    sha256 = str(form.get("sha256", ""))
    filename = str(form.get("filename", "upload.csv"))
    path = _upload_path(settings, sha256) if _SHA.match(sha256) else None
    if path is None or not path.exists():
        problem = get_texts(request).gettext("The uploaded file is gone; please upload it again.")
        return _imports(request, 422, step="upload", source=source, problem=problem)
    table = read_table(keys.open(path.read_bytes(), sha256.encode()), filename)
    columns = {
        name: str(form.get(f"map.{name}"))
        for name in FIELDS
        if form.get(f"map.{name}") and str(form.get(f"map.{name}")) in table.headers
    }
    chosen_type = str(form.get("report_type", ""))
    mapping = Mapping(columns, ReportType(chosen_type) if chosen_type in set(ReportType) else None)
    if form.get("go") not in {"import", "quarantine"}:
        return _checked(request, table, mapping, filename, source)
    try:
        result = import_batch(
            session,
            table,
            mapping,
            source.id,
            quarantine_bad_rows=form.get("go") == "quarantine",
            created_by_id=user.id,
        )
    except (BatchRejected, MappingError):
        session.rollback()
        response = _checked(request, table, mapping, filename, source)
        response.status_code = 422
        return response
    session.commit()
    path.unlink(missing_ok=True)
    return _imports(request, step="done", source=source, result=result, filename=filename)


# The person page (issue 4 items 4, 5): timeline, fate with basis and conflicts, wishes.
FATE_LABELS: dict[str, str] = {
    "unknown": N_("Unknown"),
    "alive_free": N_("Alive and free"),
    "captured": N_("Captured"),
    "in_hospital": N_("In hospital"),
    "dead": N_("Dead"),
    "remains_located": N_("Remains located"),
    "released": N_("Released"),
    "repatriated": N_("Repatriated"),
}


def _own_person(session: Any, user: Any, person_id: int) -> Person:
    """A person whose reports matched an enquiry of the user's organisation, or whose case is
    hers; anyone else's is "not found"."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("No such person.")
    via_match = (
        sa.select(Match.id)
        .join(Enquiry, Enquiry.id == Match.enquiry_id)
        .join(Report, Report.id == Match.report_id)
        .where(Report.person_id == person_id, Enquiry.organisation_id == user.organisation_id)
    )
    via_case = sa.select(Case.id).where(
        Case.person_id == person_id, Case.organisation_id == user.organisation_id
    )
    if session.scalar(via_match.limit(1)) is None and session.scalar(via_case.limit(1)) is None:
        raise NotFound("No such person.")
    return person


def _yes_no(value: object) -> bool | None:
    return {"yes": True, "no": False}.get(str(value or ""))


@router.get("/persons/{person_id}", dependencies=[require("staff.person.read")])
def person_page(
    person_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    person = _own_person(session, user, person_id)
    ruling = fate_of(session, person.id)
    session.commit()  # the derived fate is kept on the person for lists and statistics
    entries = timeline(session, person.id)
    reports = {e.report.id: e for e in entries}
    context = {
        "person": person,
        "entries": entries,
        "ruling": ruling,
        "basis": [reports[i] for i in ruling.basis_report_ids if i in reports],
        "conflicts": [reports[i] for i in ruling.conflicts if i in reports],
        "labels": REPORT_TYPE_LABELS,
        "fate_labels": FATE_LABELS,
        "values": {
            "inform_whom": person.wish_inform_whom or "",
            "refuses_contact": {True: "yes", False: "no"}.get(person.wish_refuses_contact, ""),
            "refuses_repatriation": {True: "yes", False: "no"}.get(
                person.wish_refuses_repatriation, ""
            ),
        },
        "errors": {},
    }
    return render(request, "sources/person.html", context)


@router.post(
    "/persons/{person_id}/wishes", dependencies=[require("staff.person.edit"), CsrfProtected]
)
def person_wishes(
    person_id: int, form: FormDep, user: CurrentUser, session: SessionDep
) -> Response:
    person = _own_person(session, user, person_id)
    set_wishes(
        session,
        person.id,
        inform_whom=str(form.get("inform_whom", "")).strip()[:2000] or None,
        refuses_contact=_yes_no(form.get("refuses_contact")),
        refuses_repatriation=_yes_no(form.get("refuses_repatriation")),
    )
    session.commit()
    return RedirectResponse(f"/staff/persons/{person.id}#wishes", status_code=303)
