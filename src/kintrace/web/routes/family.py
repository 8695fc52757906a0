"""The family's own additions to the status page: writing a family message (Red Cross message)
with the reference and secret, no account needed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kintrace.db.models import Enquiry
from kintrace.disclosure.answers import family_page
from kintrace.disclosure.messages import MessageRefused, write_message
from kintrace.web.deps import CsrfProtected, KeysDep, SessionDep, TextsDep, require
from kintrace.web.routes.public import STATE_LABELS, FormDep
from kintrace.web.security import find_enquiry_throttled
from kintrace.web.templating import render

router = APIRouter(include_in_schema=False)


@router.post("/status/message", dependencies=[require("public.message.write"), CsrfProtected])
def family_message(
    request: Request, form: FormDep, session: SessionDep, keys: KeysDep, texts: TextsDep
) -> Response:
    reference, secret = str(form.get("reference", "")), str(form.get("secret", ""))
    status = find_enquiry_throttled(request, session, reference, secret, keys)
    if status is None:
        return render(request, "public/status_form.html", {"values": {}, "not_found": True}, 404)
    enquiry = session.get(Enquiry, status.enquiry_id)
    problem = None
    try:
        if enquiry is not None:
            write_message(session, enquiry, str(form.get("body", "")))
    except MessageRefused:
        problem = texts.gettext("A family message holds between 1 and 25 words.")
    family = family_page(session, status.enquiry_id)
    family["problem"] = problem
    session.commit()
    state = status.state.value
    context = {
        "family": family,
        "status": status,
        "secret": secret,
        "state_label": texts.gettext(STATE_LABELS.get(state, state)),
    }
    return render(request, "public/status.html", context, status_code=422 if problem else 200)
