"""The access log of one case (issue 6 item 4): who looked at it and who changed it, from the
audit chain, for the caseworkers and supervisors of the case's organisation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kintrace import audit
from kintrace.audit.events import RecordViewed
from kintrace.review.access_log import case_access_log
from kintrace.review.cases import case_of_organisation
from kintrace.web.deps import CurrentUser, SessionDep, TextsDep, require
from kintrace.web.i18n import N_
from kintrace.web.routes.staff import ROLE_LABELS
from kintrace.web.templating import render

router = APIRouter(prefix="/staff/cases", include_in_schema=False)

KIND_LABELS = {
    "record.viewed": N_("Looked at it"),
    "enquiry.read": N_("Read the enquiry"),
    "enquiry.received": N_("Enquiry received"),
    "match.stored": N_("Candidate match found"),
    "match.decided": N_("Decided on a match"),
    "match.decision_retracted": N_("Withdrew a match decision"),
    "case.stage_changed": N_("Moved the case to another stage"),
    "case.assigned": N_("Assigned the case"),
    "enquiry.verified": N_("Verified the enquirer"),
    "disclosure.drafted": N_("Drafted an answer"),
    "disclosure.approved": N_("Approved an answer"),
    "disclosure.death_told": N_("Recorded how a death was told"),
    "enquiry.notified": N_("Notified the family"),
    "message.step": N_("Handled a family message"),
    "enquiry.secret_reset": N_("Gave the family a new secret"),
    "enquiry.exported": N_("Exported for a subject access request"),
    "record.disposed": N_("Disposed of at the end of its retention period"),
    "case.attachment_added": N_("Attached a document"),
}
SUBJECT_LABELS = {
    "case": N_("case"),
    "enquiry": N_("enquiry"),
    "match": N_("match"),
    "disclosure": N_("answer"),
    "message": N_("message"),
}


@router.get("/{case_id}/access", dependencies=[require("staff.case.access_log")])
def access_log(
    request: Request, case_id: int, user: CurrentUser, session: SessionDep, texts: TextsDep
) -> Response:
    case_of_organisation(session, case_id, user.organisation_id)
    entries = case_access_log(session, case_id)
    # Looking at who looked is itself recorded: it shows which colleagues worked on the case.
    audit.record(
        session,
        RecordViewed(
            actor_kind="staff", actor_id=user.id, subject_id=case_id, record_type="case_access"
        ),
    )
    session.commit()
    rows = [
        {
            "at": entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            "who": entry.actor_email
            or (texts.gettext("the family") if entry.actor_kind == "enquirer" else None)
            or texts.gettext("the system"),
            "role": texts.gettext(ROLE_LABELS[entry.actor_role])
            if entry.actor_role in ROLE_LABELS
            else "",
            "what": texts.gettext(KIND_LABELS[entry.kind])
            if entry.kind in KIND_LABELS
            else entry.kind,
            "record": f"{texts.gettext(SUBJECT_LABELS.get(entry.subject_type, entry.subject_type))}"
            f" {entry.subject_id}",
        }
        for entry in entries
    ]
    return render(request, "access/case.html", {"case_id": case_id, "rows": rows})
