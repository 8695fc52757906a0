"""Forensic pages (issue 10): record remains, see the missing persons who fit them with a reason
per descriptor, propose an identification and approve another specialist's proposal. Photos
of remains are served to forensic specialists only, never cached, and never on the family's
status page. Candidates are limited to the specialist's own organisation's cases.

On the casework side (``staff.case.work``, own organisation only): the ante-mortem form a
caseworker fills in while interviewing the family, the family's photos of tattoos and effects
(re-encoded without EXIF by ``kintrace.intake.attachments``; only forensic staff open them),
and the return of identified remains: hand-over plan and death certificate. Every page that
shows any of it is audited in the same transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from kintrace import audit
from kintrace.audit.events import RecordViewed
from kintrace.db.models import Case, Enquiry, Person, Report
from kintrace.db.models_forensic import (
    AnteMortem,
    ForensicPhoto,
    Identification,
    RemainsReturn,
    UnidentifiedRemains,
)
from kintrace.domain import ReportType
from kintrace.domain.dates import parse_partial_date
from kintrace.errors import NotFound
from kintrace.intake.attachments import AttachmentRefused
from kintrace.review import forensic
from kintrace.review.cases import case_of_organisation
from kintrace.review.persons import fate_of, person_of_organisation
from kintrace.review.queue import sought_name
from kintrace.web.deps import CsrfProtected, CurrentUser, SessionDep, TextsDep, require
from kintrace.web.i18n import N_
from kintrace.web.routes.public import FormDep
from kintrace.web.routes.sources import FATE_LABELS
from kintrace.web.templating import private_file, render

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
    _viewed(session, user, "remains", remains.id)
    session.commit()
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
    row = session.get(ForensicPhoto, photo_id)
    if row is not None and row.case_id is not None:
        # A family's photo belongs to its case: another organisation's specialist never sees it.
        case_of_organisation(session, row.case_id, user.organisation_id)
    try:
        opened = forensic.open_photo(session, photo_id, user)
    except forensic.ForensicRefused:
        raise NotFound("No such photo.") from None
    session.commit()
    return private_file(opened.data, opened.content_type)


# --- casework side: ante-mortem data, the family's photos, return of remains ----------------

SUBJECT_LABELS: dict[str, str] = {
    "tattoo": N_("Tattoo"),
    "scar": N_("Scar or birthmark"),
    "effects": N_("Personal effects"),
    "clothing": N_("Clothing"),
    "remains": N_("Remains"),
    "other": N_("Other"),
}
FAMILY_SUBJECTS = ("tattoo", "scar", "effects", "clothing", "other")
AM_FIELDS = (
    "sex", "date", "place", "age_min", "age_max", "height_min", "height_max", "marks",
    "dental", "clothing", "effects", "tags", "reference_sample_given", "reference_sample_where",
)  # fmt: skip
AM_TEXTS = ("place", "dental", "clothing", "effects", "tags")
MAX_TEXT = 2000


def _viewed(session: Any, user: Any, record_type: str, record_id: int) -> None:
    audit.record(
        session,
        RecordViewed(
            actor_kind="staff", actor_id=user.id, subject_id=record_id, record_type=record_type
        ),
    )


def _am_back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/staff/forensic/cases/{case_id}/ante-mortem", status_code=303)


def _marks_text(marks: list[dict[str, str]]) -> str:
    return "\n".join(
        "; ".join([m.get("kind", ""), m.get("location", ""), m.get("description", "")]).rstrip("; ")
        for m in marks
    )


def _am_values(record: AnteMortem | None) -> dict[str, str]:
    if record is None:
        return {}
    d = record.descriptors or {}
    values = {k: "" if d.get(k) is None else str(d.get(k)) for k in AM_FIELDS}
    values["marks"] = _marks_text(d.get("marks") or [])
    values["reference_sample_given"] = "yes" if record.reference_sample_given else "no"
    values["reference_sample_where"] = record.reference_sample_where or ""
    return values


def _validate_am(
    form: FormData, texts: Any
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The descriptor document, the errors (sentences in the reader's language) and the values
    as typed, so a form with a mistake comes back filled in."""
    values = {k: str(form.get(k, "")).strip() for k in AM_FIELDS}
    errors: dict[str, str] = {}
    descriptors: dict[str, Any] = {}
    if values["sex"] not in {"", "M", "F"}:
        errors["sex"] = texts.gettext("Choose the sex from the list.")
    descriptors["sex"] = values["sex"] or None
    if values["date"]:
        when = parse_partial_date(values["date"])
        if when is None:
            errors["date"] = texts.gettext(
                "Write the date as 2025-05-14, 14.05.2025, 2025-05 or 2025."
            )
        else:
            descriptors["date"] = when.isoformat()
    for low, high, lo_ok, hi_ok, message in (
        ("age_min", "age_max", 0, 120, N_("An age is a whole number of years from 0 to 120.")),
        ("height_min", "height_max", 40, 250,
         N_("A height is a whole number of centimetres from 40 to 250.")),
    ):  # fmt: skip
        numbers: dict[str, int | None] = {}
        for name in (low, high):
            raw = values[name]
            if not raw:
                numbers[name] = None
            elif raw.isdigit() and lo_ok <= int(raw) <= hi_ok:
                numbers[name] = int(raw)
            else:
                errors[name] = texts.gettext(message)
                numbers[name] = None
        a, b = numbers[low], numbers[high]
        if a is not None and b is not None and a > b:
            errors[high] = texts.gettext("The upper bound is smaller than the lower one.")
        descriptors.update(numbers)
    marks = _marks(values["marks"])
    if len(marks) > 30:
        errors["marks"] = texts.gettext("Describe at most 30 marks.")
    descriptors["marks"] = marks
    for name in AM_TEXTS:
        if len(values[name]) > MAX_TEXT:
            errors[name] = texts.gettext("Keep this under 2000 characters.")
        descriptors[name] = values[name] or None
    if values["reference_sample_given"] not in {"", "yes", "no"}:
        errors["reference_sample_given"] = texts.gettext("Choose yes or no.")
    if values["reference_sample_given"] == "yes" and not values["reference_sample_where"]:
        errors["reference_sample_where"] = texts.gettext(
            "Write where the family reference sample was given (laboratory, place)."
        )
    return descriptors, errors, values


def _identifications(session: Any, case_id: int) -> list[Identification]:
    return list(
        session.scalars(
            sa.select(Identification)
            .where(Identification.case_id == case_id)
            .order_by(Identification.id)
        )
    )


def _am_page(
    request: Request,
    session: Any,
    user: Any,
    case: Case,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    record = session.get(AnteMortem, case.id)
    enquiry = session.scalars(
        sa.select(Enquiry).where(Enquiry.case_id == case.id).order_by(Enquiry.id)
    ).first()
    _viewed(session, user, "ante_mortem", case.id)
    session.commit()
    context = {
        "case": case,
        "sought": sought_name(enquiry) if enquiry else "",
        "record": record,
        "values": values if values is not None else _am_values(record),
        "errors": errors or {},
        "photos": forensic.photos_of_case(session, case.id),
        "identifications": _identifications(session, case.id),
        "subject_labels": SUBJECT_LABELS,
        "family_subjects": FAMILY_SUBJECTS,
        "method_labels": METHOD_LABELS,
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "forensic/ante_mortem.html", context, status_code=status_code)


@router.get("/cases/{case_id}/ante-mortem", dependencies=[require("staff.case.work")])
def ante_mortem_page(
    request: Request, case_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    return _am_page(
        request, session, user, case_of_organisation(session, case_id, user.organisation_id)
    )


@router.post(
    "/cases/{case_id}/ante-mortem", dependencies=[require("staff.case.work"), CsrfProtected]
)
def save_ante_mortem(
    request: Request,
    case_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    case = case_of_organisation(session, case_id, user.organisation_id)
    descriptors, errors, values = _validate_am(form, texts)
    if errors:
        return _am_page(request, session, user, case, errors=errors, values=values,
                        status_code=422)  # fmt: skip
    try:
        forensic.record_ante_mortem(
            session,
            case,
            user,
            descriptors=descriptors,
            reference_sample_given=values["reference_sample_given"] == "yes",
            reference_sample_where=values["reference_sample_where"],
        )
    except forensic.ForensicRefused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext("Ante-mortem data is collected by a caseworker.")
        return _am_back(case.id)
    session.commit()
    request.session[FLASH_KEY] = texts.gettext("The family's description is saved.")
    return _am_back(case.id)


@router.post("/cases/{case_id}/photos", dependencies=[require("staff.case.work"), CsrfProtected])
def upload_case_photo(
    request: Request,
    case_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    from kintrace.web.routes.attachments import REFUSALS, read_upload

    case = case_of_organisation(session, case_id, user.organisation_id)
    subject = str(form.get("subject", ""))
    try:
        if subject not in FAMILY_SUBJECTS:
            raise forensic.ForensicRefused("Say what the photo shows.")
        forensic.add_uploaded_photo(session, user, read_upload(form), subject=subject, case=case)
    except AttachmentRefused as refused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext(REFUSALS[refused.reason])
        return _am_back(case.id)
    except forensic.ForensicRefused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext("Say what the photo shows.")
        return _am_back(case.id)
    session.commit()
    request.session[FLASH_KEY] = texts.gettext(
        "The photo is kept without its location and camera details; only forensic specialists "
        "can open it."
    )
    return _am_back(case.id)


@router.post(
    "/remains/{remains_id}/photos",
    dependencies=[require("staff.forensic.remains"), CsrfProtected],
)
def upload_remains_photo(
    request: Request,
    remains_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    from kintrace.web.routes.attachments import REFUSALS, read_upload

    remains = _remains(session, remains_id)
    try:
        forensic.add_uploaded_photo(
            session, user, read_upload(form), subject="remains", remains=remains
        )
    except AttachmentRefused as refused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext(REFUSALS[refused.reason])
        return _back(remains_id)
    session.commit()
    request.session[FLASH_KEY] = texts.gettext(
        "The photo is kept without its location and camera details; only forensic specialists "
        "can open it."
    )
    return _back(remains_id)


# --- return of remains ----------------------------------------------------------------------


def _own_identification(session: Any, user: Any, identification_id: int) -> Identification:
    ident = session.get(Identification, identification_id)
    if ident is None:
        raise NotFound("No such identification.")
    case_of_organisation(session, ident.case_id, user.organisation_id)
    return ident


def _return_back(identification_id: int) -> RedirectResponse:
    return RedirectResponse(
        f"/staff/forensic/identifications/{identification_id}/return", status_code=303
    )


def _return_page(
    request: Request,
    session: Any,
    user: Any,
    ident: Identification,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    plan = session.get(RemainsReturn, ident.id)
    if values is None:
        values = {}
        if plan is not None:
            values = {"from_whom": plan.from_whom, "to_whom": plan.to_whom, "place": plan.place,
                      "date": plan.date, "documents": plan.documents or ""}  # fmt: skip
    _viewed(session, user, "remains_return", ident.id)
    session.commit()
    context = {
        "ident": ident,
        "plan": plan,
        "ready": forensic.ready_to_tell(session, ident),
        "values": values,
        "errors": errors or {},
        "method_labels": METHOD_LABELS,
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "forensic/return.html", context, status_code=status_code)


@router.get(
    "/identifications/{identification_id}/return", dependencies=[require("staff.case.work")]
)
def return_page(
    request: Request, identification_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    return _return_page(
        request, session, user, _own_identification(session, user, identification_id)
    )


@router.post(
    "/identifications/{identification_id}/return",
    dependencies=[require("staff.case.work"), CsrfProtected],
)
def plan_return(
    request: Request,
    identification_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    ident = _own_identification(session, user, identification_id)
    names = ("from_whom", "to_whom", "place", "date", "documents")
    values = {k: str(form.get(k, "")).strip() for k in names}
    errors: dict[str, str] = {}
    if ident.approved_at is None:
        errors["identification"] = texts.gettext(
            "Remains are returned only after a second forensic specialist approved the "
            "identification."
        )
    for name, message in (
        ("from_whom", N_("Write who hands the remains over.")),
        ("to_whom", N_("Write who receives the remains.")),
        ("place", N_("Write where the hand-over takes place.")),
    ):
        if not values[name]:
            errors[name] = texts.gettext(message)
        elif len(values[name]) > MAX_TEXT:
            errors[name] = texts.gettext("Keep this under 2000 characters.")
    when = parse_partial_date(values["date"])
    day = when.to_date() if when is not None and when.day is not None else None
    if day is None:
        errors["date"] = texts.gettext(
            "Write the day of the hand-over as 2025-05-14 or 14.05.2025."
        )
    if errors or day is None:
        return _return_page(request, session, user, ident, errors=errors, values=values,
                            status_code=422)  # fmt: skip
    forensic.plan_return(
        session, ident, user, from_whom=values["from_whom"], to_whom=values["to_whom"],
        place=values["place"], on=day, documents=values["documents"],
    )  # fmt: skip
    session.commit()
    request.session[FLASH_KEY] = texts.gettext("The hand-over plan is saved.")
    return _return_back(ident.id)


@router.post(
    "/identifications/{identification_id}/certificate",
    dependencies=[require("staff.case.work"), CsrfProtected],
)
def certificate_issued(
    request: Request, identification_id: int, user: CurrentUser, session: SessionDep,
    texts: TextsDep,
) -> Response:  # fmt: skip
    ident = _own_identification(session, user, identification_id)
    try:
        forensic.record_certificate_issued(session, ident, user)
    except forensic.ForensicRefused:
        session.rollback()
        request.session[FLASH_KEY] = texts.gettext(
            "Plan the hand-over before recording the certificate."
        )
        return _return_back(ident.id)
    session.commit()
    request.session[FLASH_KEY] = texts.gettext("The death certificate is recorded as issued.")
    return _return_back(ident.id)


# --- death evidence on a person's death reports ---------------------------------------------

DEATH_TYPES = frozenset({ReportType.dead, ReportType.remains_located})
GRADE_LABELS: dict[str, str] = {
    "certified": N_("established by a death certificate"),
    "identified": N_("established by an identification of the remains"),
    "grave": N_("supported by a known grave"),
    "none": N_("the source's word alone"),
}


def _death_reports(session: Any, person_id: int) -> list[Report]:
    return list(
        session.scalars(
            sa.select(Report)
            .where(Report.person_id == person_id, Report.report_type.in_(DEATH_TYPES))
            .order_by(Report.id)
        )
    )


def _death_page(
    request: Request,
    session: Any,
    user: Any,
    person: Person,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    reports = _death_reports(session, person.id)
    evidence = forensic.death_evidence_of(session, [r.id for r in reports])
    ruling = fate_of(session, person.id, store=False)
    _viewed(session, user, "death_evidence", person.id)
    session.commit()
    context = {
        "person": person,
        "reports": reports,
        "evidence": evidence,
        "ruling": ruling,
        "grade_labels": GRADE_LABELS,
        "fate_labels": FATE_LABELS,
        "method_labels": METHOD_LABELS,
        "errors": errors or {},
        "values": values or {"report_id": str(reports[-1].id) if reports else ""},
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "forensic/death_evidence.html", context, status_code=status_code)


@router.get("/persons/{person_id}/death-evidence", dependencies=[require("staff.forensic.remains")])
def death_evidence_page(
    request: Request, person_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    return _death_page(
        request, session, user, person_of_organisation(session, person_id, user.organisation_id)
    )


@router.post(
    "/persons/{person_id}/death-evidence",
    dependencies=[require("staff.forensic.remains"), CsrfProtected],
)
def record_death_evidence(
    request: Request,
    person_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    person = person_of_organisation(session, person_id, user.organisation_id)
    names = ("report_id", "certificate", "place", "date", "grave", "remains_recovered",
             "method", "lab_reference")  # fmt: skip
    values = {k: str(form.get(k, "")).strip() for k in names}
    errors: dict[str, str] = {}
    report = next(
        (r for r in _death_reports(session, person.id) if str(r.id) == values["report_id"]), None
    )
    if report is None:
        errors["report_id"] = texts.gettext("Choose one of the person's death reports.")
    if values["method"] and values["method"] not in METHOD_LABELS:
        errors["method"] = texts.gettext("Choose the method from the list.")
    elif values["method"] in {"fingerprints", "dental", "dna"} and not values["lab_reference"]:
        errors["lab_reference"] = texts.gettext(
            "Fingerprints, dental comparison and DNA need their laboratory reference."
        )
    when = parse_partial_date(values["date"]) if values["date"] else None
    if values["date"] and when is None:
        errors["date"] = texts.gettext("Write the date as 2025-05-14, 14.05.2025, 2025-05 or 2025.")
    filled = [
        values[k] for k in ("certificate", "place", "date", "grave", "method", "lab_reference")
    ]
    if not any(filled) and values["remains_recovered"] != "yes":
        errors["certificate"] = texts.gettext("Record at least one piece of evidence.")
    for name in ("certificate", "place", "grave", "lab_reference"):
        if len(values[name]) > MAX_TEXT:
            errors[name] = texts.gettext("Keep this under 2000 characters.")
    if errors or report is None:
        return _death_page(request, session, user, person, errors=errors, values=values,
                           status_code=422)  # fmt: skip
    forensic.record_death_evidence(
        session, report, certificate=values["certificate"], place=values["place"],
        date_of_death=when.isoformat() if when else None, grave=values["grave"],
        remains_recovered=values["remains_recovered"] == "yes",
        method=values["method"] or None, lab_reference=values["lab_reference"], user=user,
    )  # fmt: skip
    # The stored fate (lists, figures) follows the evidence at once.
    fate_of(session, person.id)
    session.commit()
    request.session[FLASH_KEY] = texts.gettext("The death evidence is recorded.")
    return RedirectResponse(f"/staff/forensic/persons/{person.id}/death-evidence", status_code=303)
