"""Scanned replies and other documents attached to a case (issue 5 item 7): a detaining
authority's letter, a reply to a family message, a page of a register.

Upload is an image (a scan or a phone photo), re-encoded from its pixels by
``kintrace.intake.attachments`` so no EXIF (GPS position, device, owner) is kept, then sealed.
Only the case's own organisation's caseworkers and supervisors see the list or open a document;
every opening is audited in the same transaction and served with ``no-store``. Nothing here is
ever shown to the family: telling them what a letter says is an answer, with its approvals.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from kintrace import audit
from kintrace.audit.events import CaseAttachmentAdded, RecordViewed
from kintrace.db.models import Case
from kintrace.db.models_attachments import CaseAttachment
from kintrace.errors import NotFound
from kintrace.intake.attachments import AttachmentRefused, clean_image
from kintrace.review.cases import case_of_organisation
from kintrace.web.deps import CsrfProtected, CurrentUser, SessionDep, TextsDep, require
from kintrace.web.i18n import N_
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import private_file, render

router = APIRouter(prefix="/staff", include_in_schema=False)

# The sentences for AttachmentRefused.reason, shared with every upload page (forensic, sources).
REFUSALS: dict[str, str] = {
    "missing": N_("Choose the file to upload."),
    "empty": N_("The file is empty."),
    "not_image": N_(
        "The file is not an image we can read. Upload a JPEG, PNG, WebP or TIFF scan or photo."
    ),
    "too_large": N_("The file is too large: at most 10 MB and 50 megapixels."),
}
KIND_LABELS: dict[str, str] = {
    "reply": N_("Reply from an authority"),
    "letter": N_("Letter"),
    "document": N_("Other document"),
}
FLASH_KEY = "attachments_flash"
MAX_DESCRIPTION = 500


def read_upload(form: FormData, field: str = "file") -> bytes:
    """The bytes of the uploaded file; AttachmentRefused("missing") when none was chosen."""
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise AttachmentRefused("missing", "No file was chosen.")
    upload.file.seek(0)
    return upload.file.read()


def _back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/staff/cases/{case_id}/attachments", status_code=303)


def _page(
    request: Request,
    session: Any,
    user: Any,
    case: Case,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = list(
        session.execute(
            sa.select(
                CaseAttachment.id,
                CaseAttachment.kind,
                CaseAttachment.description,
                CaseAttachment.created_at,
            )
            .where(CaseAttachment.case_id == case.id)
            .order_by(CaseAttachment.id)
        )
    )
    # The descriptions are personal data: reading the list is a read of the case's documents.
    audit.record(
        session,
        RecordViewed(
            actor_kind="staff", actor_id=user.id, subject_id=case.id, record_type="attachments"
        ),
    )
    session.commit()
    context = {
        "case": case,
        "rows": rows,
        "kind_labels": KIND_LABELS,
        "errors": errors or {},
        "values": values or {"kind": "reply"},
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "attachments/case.html", context, status_code=status_code)


@router.get("/cases/{case_id}/attachments", dependencies=[require("staff.case.work")])
def attachments_page(
    request: Request, case_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    return _page(
        request, session, user, case_of_organisation(session, case_id, user.organisation_id)
    )


@router.post(
    "/cases/{case_id}/attachments", dependencies=[require("staff.case.work"), CsrfProtected]
)
def upload_attachment(
    request: Request,
    case_id: int,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    texts: TextsDep,
) -> Response:
    case = case_of_organisation(session, case_id, user.organisation_id)
    kind = str(form.get("kind", ""))
    description = str(form.get("description", "")).strip()
    values = {"kind": kind, "description": description}
    errors: dict[str, str] = {}
    if kind not in KIND_LABELS:
        errors["kind"] = texts.gettext("Say what kind of document this is.")
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = texts.gettext("Keep the description under 500 characters.")
    clean = None
    try:
        clean = clean_image(read_upload(form))
    except AttachmentRefused as refused:
        errors["file"] = texts.gettext(REFUSALS[refused.reason])
    if errors or clean is None:
        return _page(request, session, user, case, errors=errors, values=values, status_code=422)
    row = CaseAttachment(
        case_id=case.id,
        kind=kind,
        description=description or None,
        content_type=clean.content_type,
        data=clean.data,
        uploaded_by=user.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        CaseAttachmentAdded(
            actor_kind="staff",
            actor_id=user.id,
            subject_id=row.id,
            attachment_kind=kind,
            case_id=case.id,
        ),
    )
    session.commit()
    request.session[FLASH_KEY] = texts.gettext("The document is attached to the case.")
    return _back(case.id)


@router.get("/attachments/{attachment_id}", dependencies=[require("staff.case.work")])
def open_attachment(attachment_id: int, user: CurrentUser, session: SessionDep) -> Response:
    row = session.get(CaseAttachment, attachment_id)
    if row is None:
        raise NotFound("No such document.")
    case_of_organisation(session, row.case_id, user.organisation_id)
    audit.record(
        session,
        RecordViewed(
            actor_kind="staff", actor_id=user.id, subject_id=row.id, record_type="case_attachment"
        ),
    )
    session.commit()
    return private_file(row.data, row.content_type, f'inline; filename="document-{row.id}"')
