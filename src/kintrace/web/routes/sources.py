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
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from kintrace import audit
from kintrace.audit.events import RecordViewed, ReportScanAdded
from kintrace.db.models import Report, Source
from kintrace.db.models_sources import ReportScan
from kintrace.domain import Credibility, ReportType, Role
from kintrace.errors import NotFound
from kintrace.intake.attachments import AttachmentRefused, CleanImage, clean_image
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
from kintrace.logging import get_logger
from kintrace.review.persons import (
    MergeRefused,
    candidates,
    cluster_reports,
    decide_distinct,
    fate_of,
    merge_persons,
    merged_into,
    person_history,
    person_of_organisation,
    set_wishes,
    timeline,
    unmerge_person,
)
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
from kintrace.web.routes.attachments import REFUSALS, read_upload
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import private_file, render
from kintrace.web.validation import GENERAL_SENTENCE, translate_errors
from kintrace.web.validation import SENTENCES as VALIDATION_SENTENCES

router = APIRouter(prefix="/staff", include_in_schema=False)
log = get_logger(__name__)

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
# The capture card's own labels (card.html), so the upload page names fields the same way.
FIELD_LABELS: dict[str, str] = {
    "report_type": N_("What happened"),
    "event_date": N_("Date of the event"),
    "credibility": N_("Credibility of this information"),
    "source_document_ref": N_("Reference of the source document"),
    "external_id": N_("Record id in the source's list"),
    "full_name": N_("Full name"),
    "family_name": N_("Surname"),
    "given_name": N_("First names"),
    "patronymic": N_("Father's first name (patronymic)"),
    "mother_maiden_name": N_("Mother's maiden name"),
    "sex": N_("Sex"),
    "birth_date": N_("Date of birth"),
    "birth_place": N_("Place of birth"),
    "rank": N_("Rank"),
    "service_number": N_("Service number"),
    "military_unit": N_("Military unit"),
    "capture_date": N_("Date of capture"),
    "capture_place": N_("Place of capture"),
    "health_state": N_("State of health"),
    "internment_place": N_("Place of internment or hospital"),
    "person_to_inform": N_("The person to be informed"),
    "consents_family_informed": N_("Does the prisoner agree that his family be informed?"),
    "party": N_("Party to which he belongs"),
    "detaining_power": N_("Detaining power"),
    "country_held": N_("Country where he is held"),
    "death_certificate_ref": N_("Death certificate"),
    "grave_location": N_("Grave location"),
    "notes": N_("Notes"),
}
# What is wrong with a file or a mapping (ImportFileError/MappingError codes), for an officer.
FILE_PROBLEMS: dict[str, str] = {
    "file_missing": N_("The file could not be found; please upload it again."),
    "file_empty": N_("The file is empty. A list needs a header row and at least one row."),
    "file_old_xls": N_(
        "This is an old Excel .xls workbook. Please save it as .xlsx or as CSV and upload that."
    ),
    "file_binary": N_(
        "This file is neither a CSV text file nor an XLSX workbook. Please save the list as "
        "CSV (UTF-8 or Windows-1251) or as XLSX."
    ),
    "file_encoding": N_(
        "The text of the file is neither UTF-8 nor Windows-1251 (Cyrillic). Please save it as "
        "CSV in UTF-8 and upload it again."
    ),
    "file_no_header": N_("The first line of the file is empty; it must hold the column headers."),
    "file_garbled": N_(
        "The column headers are garbled (UTF-8 text that was read as Windows-1251 and saved "
        "again). Please open the original list and save it as CSV in UTF-8."
    ),
    "file_row_unreadable": N_(
        "Row %(row)s cannot be read as CSV; please check its quotation marks."
    ),
    "file_xlsx_damaged": N_(
        "The file cannot be opened as an XLSX workbook: it is damaged or not a workbook. "
        "Please save the list again from the spreadsheet program."
    ),
    "file_xlsx_empty": N_("The first sheet of the workbook is empty."),
    "file_unreadable": N_(
        "The file cannot be read as a list. Please save it as CSV or XLSX and upload it again."
    ),
    "exchange_unreadable": N_(
        "The file cannot be read as a list. Please save it as CSV or XLSX and upload it again."
    ),
    "exchange_no_record_id": N_("Row %(row)s has no record id."),
    "exchange_duplicate_record_id": N_(
        "Row %(row)s repeats the record id of row %(first_row)s; record ids must be unique."
    ),
    "mapping_column_absent": N_("The mapping names columns that are not in the file: %(columns)s."),
    "mapping_no_name": N_(
        "No column holds a name (full name, surname or first name), so the list cannot be "
        "imported. Columns found: %(columns)s. If they look garbled, save the file in UTF-8 or "
        "Windows-1251."
    ),
    "mapping_no_report_type": N_(
        "No column says what happened; please choose one report type for the whole list."
    ),
    "mapping_file": N_("The saved mapping cannot be used; please check the columns again."),
    "mapping_invalid": N_("This column mapping cannot be used; please check it."),
}
# Reasons a row of a list cannot become a report, beyond the capture card's own.
ROW_PROBLEMS: dict[str, str] = {
    "duplicate_id": N_("This record id appears earlier in the same file."),
    "external_id_exists": N_("A report with this record id from your source is already stored."),
    "too_long": N_("This is too long. Please shorten it."),
}


def problem_sentence(exc: ImportFileError | MappingError, texts: Texts) -> str:
    """The file's or the mapping's problem as a sentence in the officer's language."""
    template = FILE_PROBLEMS.get(exc.code, FILE_PROBLEMS["file_unreadable"])
    wanted = set(re.findall(r"%\((\w+)\)s", template))
    if not wanted <= set(exc.params):  # a sentence must never show a bare placeholder
        template, wanted = FILE_PROBLEMS["file_unreadable"], set()
    return texts.gettext(template, **{k: exc.params[k] for k in wanted})


def row_sentence(code: str, texts: Texts) -> str:
    """Why a row cannot be imported, in the officer's language (the form's own sentences
    first, so a list and a capture card say the same thing)."""
    for sentences in (SENTENCES, ROW_PROBLEMS, VALIDATION_SENTENCES):
        if code in sentences:
            return texts.gettext(sentences[code])
    return texts.gettext(GENERAL_SENTENCE)


def field_label(name: str, texts: Texts) -> str:
    return texts.gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name


assert set(REPORT_TYPE_LABELS) == {t.value for t in ReportType}
assert set(CREDIBILITY_LABELS) - {""} == {c.value for c in Credibility}
assert set(FIELD_LABELS) == set(FIELDS)


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
        "field_order": (*FIELDS, "scan"),
        "source": source,
        "report_types": [(k, texts.gettext(v)) for k, v in REPORT_TYPE_LABELS.items()],
        "credibilities": [(k, texts.gettext(v)) for k, v in CREDIBILITY_LABELS.items()],
    }
    return render(request, "sources/card.html", context, status_code=status)


# A list this long is clustered into persons right after it lands; longer ones are left to
# the match worker (cluster_pending), so the officer is not kept waiting.
CLUSTER_INLINE_MAX = 2000


def _cluster(session: Any, report_ids: Any) -> None:
    """Give the new reports their persons (issue 4 item 4) in a transaction of its own: the
    reports are stored whatever happens here, and the worker retries those left without."""
    try:
        cluster_reports(session, list(report_ids))
        session.commit()
    except Exception as exc:  # pragma: no cover - clustering must never lose a stored report
        session.rollback()
        log.error("person_clustering_failed", error=type(exc).__name__)


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
    ids = [r.id for r in reports]
    scanned = set(
        session.scalars(sa.select(ReportScan.report_id).where(ReportScan.report_id.in_(ids)))
        if ids
        else []
    )
    context = {
        "source": source,
        "reports": reports,
        "scanned": scanned,
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
    errors: dict[str, str] = {}
    scan, scan_error = _clean_scan(form)
    if scan_error:
        errors["scan"] = texts.gettext(scan_error)
    try:
        report = ReportIn.model_validate(data)
    except ValidationError as exc:
        errors = {**report_errors(exc, texts), **errors}
    if errors:
        return _card(request, values, errors, 422, source)
    report_id = submit_report(session, report, source_id=source.id, created_by_id=user.id)
    if scan is not None:
        row = ReportScan(
            report_id=report_id,
            content_type=scan.content_type,
            data=scan.data,
            width=scan.width,
            height=scan.height,
            created_by_id=user.id,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            ReportScanAdded(
                actor_kind="staff", actor_id=user.id, subject_id=report_id, scan_id=row.id
            ),
        )
    session.commit()
    _cluster(session, [report_id])
    return RedirectResponse(f"/staff/reports?created={report_id}", status_code=303)


# A PDF carries metadata (author, software, XMP, embedded files) in places we cannot be sure
# to strip, so only images are kept: they are re-encoded from their pixels alone.
PDF_REFUSED = N_(
    "PDF files can carry hidden details (author, software, places) that we cannot reliably "
    "remove. Please upload the scan as an image (JPEG or PNG)."
)


def _clean_scan(form: Any) -> tuple[CleanImage | None, str | None]:
    """The capture card's optional photo or scan, cleaned of its metadata; or why not."""
    upload = form.get("scan")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, None
    try:
        raw = read_upload(form, "scan")
        if raw.lstrip()[:5] == b"%PDF-" or upload.filename.lower().endswith(".pdf"):
            return None, PDF_REFUSED
        return clean_image(raw), None
    except AttachmentRefused as exc:
        return None, REFUSALS.get(exc.reason, REFUSALS["not_image"])


def _scan_allowed(session: Any, user: Any, report: Report) -> bool:
    """The officer of the report's source, or a caseworker/supervisor whose organisation's
    enquiry or case reached the report's person."""
    if user.role == Role.source_officer:
        return user.source_id is not None and user.source_id == report.source_id
    if report.person_id is None:
        return False
    try:
        person_of_organisation(session, report.person_id, user.organisation_id)
    except NotFound:
        return False
    return True


@router.get("/reports/{report_id}/scan", dependencies=[require("staff.report.scan.view")])
def report_scan(
    report_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    """The n-th photo or scan of a report (``?n=1`` first), never cached; every opening is
    audited in the same transaction."""
    report = session.get(Report, report_id)
    if report is None or not _scan_allowed(session, user, report):
        raise NotFound("No such scan.")
    n = _int(request.query_params.get("n")) or 1
    scan = session.scalars(
        sa.select(ReportScan)
        .where(ReportScan.report_id == report.id)
        .order_by(ReportScan.id)
        .offset(n - 1)
        .limit(1)
    ).first()
    if scan is None:
        raise NotFound("No such scan.")
    audit.record(
        session,
        RecordViewed(
            actor_kind="staff", actor_id=user.id, subject_id=scan.id, record_type="report_scan"
        ),
    )
    session.commit()
    return private_file(scan.data, scan.content_type, "inline")


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
    texts = get_texts(request)
    try:
        dry = validate(table, mapping)
    except (MappingError, ImportFileError) as exc:
        dry, problem = None, problem_sentence(exc, texts)
    else:
        problem = None
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
        field_labels={name: field_label(name, texts) for name in FIELDS},
        bad_rows=[
            (bad.row_number, field_label(bad.field, texts), row_sentence(bad.code, texts))
            for bad in (dry.bad_rows[:500] if dry else [])
        ],
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
        problem = problem_sentence(exc, texts)
        return _imports(request, 422, step="upload", source=source, problem=problem)
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
    if result.first_report_id is not None and result.reports_created <= CLUSTER_INLINE_MAX:
        assert result.last_report_id is not None
        _cluster(session, range(result.first_report_id, result.last_report_id + 1))
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


def _yes_no(value: object) -> bool | None:
    return {"yes": True, "no": False}.get(str(value or ""))


@router.get("/persons/{person_id}", dependencies=[require("staff.person.read")])
def person_page(
    person_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    person = person_of_organisation(session, person_id, user.organisation_id)
    ruling = fate_of(session, person.id)
    # The page shows places and his wishes: the read is audited with the derived fate.
    audit.record(
        session,
        RecordViewed(
            actor_kind="staff", actor_id=user.id, subject_id=person.id, record_type="person"
        ),
    )
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
        "candidates": candidates(session, person.id),
        "merged": merged_into(session, person.id),
        "history": person_history(session, person.id),
        "reasons": MEMBERSHIP_REASONS,
        "problem": None,
    }
    return render(request, "sources/person.html", context)


@router.post(
    "/persons/{person_id}/wishes", dependencies=[require("staff.person.edit"), CsrfProtected]
)
def person_wishes(
    person_id: int, form: FormDep, user: CurrentUser, session: SessionDep
) -> Response:
    person = person_of_organisation(session, person_id, user.organisation_id)
    set_wishes(
        session,
        person.id,
        inform_whom=str(form.get("inform_whom", "")).strip()[:2000] or None,
        refuses_contact=_yes_no(form.get("refuses_contact")),
        refuses_repatriation=_yes_no(form.get("refuses_repatriation")),
    )
    session.commit()
    return RedirectResponse(f"/staff/persons/{person.id}#wishes", status_code=303)


MEMBERSHIP_REASONS: dict[str, str] = {
    "new": N_("a person of its own"),
    "engine": N_("joined by the matching engine"),
    "merge": N_("merged by a caseworker"),
    "unmerge": N_("merge undone by a caseworker"),
}


def _int(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else None


@router.post(
    "/persons/{person_id}/merge", dependencies=[require("staff.person.edit"), CsrfProtected]
)
def person_merge(person_id: int, form: FormDep, user: CurrentUser, session: SessionDep) -> Response:
    """Merge a person the engine proposed (an uncertain match) into this one."""
    person = person_of_organisation(session, person_id, user.organisation_id)
    match_id = _int(form.get("match_id"))
    offered = {c.match.id: c for c in candidates(session, person.id, every=True)}
    # Only a person this one's page offers may be absorbed: no merging of arbitrary ids.
    if match_id is None or match_id not in offered:
        raise NotFound("No such proposal.")
    try:
        merge_persons(
            session, person.id, offered[match_id].other_person_id, user.id, match_id=match_id
        )
    except MergeRefused:
        session.rollback()
        return RedirectResponse(f"/staff/persons/{person.id}?refused=1#merge", status_code=303)
    session.commit()
    return RedirectResponse(f"/staff/persons/{person.id}#merge", status_code=303)


@router.post(
    "/persons/{person_id}/distinct", dependencies=[require("staff.person.edit"), CsrfProtected]
)
def person_distinct(
    person_id: int, form: FormDep, user: CurrentUser, session: SessionDep
) -> Response:
    """Record that a proposed person is someone else (a decision, retractable, kept)."""
    person = person_of_organisation(session, person_id, user.organisation_id)
    match_id = _int(form.get("match_id"))
    open_ids = {c.match.id for c in candidates(session, person.id, every=True)}
    if match_id is None or match_id not in open_ids:
        raise NotFound("No such proposal.")
    decide_distinct(session, match_id, user.id)
    session.commit()
    return RedirectResponse(f"/staff/persons/{person.id}#merge", status_code=303)


@router.post(
    "/persons/{person_id}/unmerge", dependencies=[require("staff.person.edit"), CsrfProtected]
)
def person_unmerge(
    person_id: int, form: FormDep, user: CurrentUser, session: SessionDep
) -> Response:
    """Undo a merge into this person: the absorbed person gets back exactly his reports."""
    person = person_of_organisation(session, person_id, user.organisation_id)
    absorbed_id = _int(form.get("absorbed_id"))
    if absorbed_id is None or absorbed_id not in {p.id for p in merged_into(session, person.id)}:
        raise NotFound("No such merge.")
    unmerge_person(session, absorbed_id, user.id)
    session.commit()
    return RedirectResponse(f"/staff/persons/{person.id}#merge", status_code=303)
