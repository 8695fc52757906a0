"""Pages for families: the start page, the enquiry form with its one-time receipt, and the status
page. They work without JavaScript; every form carries a CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from kintrace.domain import Channel, EnquiryState
from kintrace.intake.enquiries import (
    EnquiryIn,
    EnquiryToStore,
    prepare_enquiry,
    prepare_reference,
    store_enquiry_batch,
    submit_enquiry,
)
from kintrace.intake.group_commit import WriterBusy, writer_for
from kintrace.web.admission import overloaded_response, use_group_commit
from kintrace.web.deps import CSRF_FIELD, CsrfProtected, KeysDep, SessionDep, TextsDep, require
from kintrace.web.i18n import N_, Texts
from kintrace.web.security import find_enquiry_throttled
from kintrace.web.templating import render
from kintrace.web.validation import translate_errors

router = APIRouter(include_in_schema=False)

# Form fields in page order: the error summary lists problems in this order.
ENQUIRY_FIELDS: tuple[str, ...] = (
    "sought.full_name",
    "sought.family_name",
    "sought.given_name",
    "sought.patronymic",
    "sought.sex",
    "sought.birth_date",
    "sought.birth_place",
    "sought.military",
    "sought.military_unit",
    "sought.rank",
    "sought.service_number",
    "sought.last_known_place",
    "sought.last_known_date",
    "sought.circumstances",
    "enquirer.name",
    "enquirer.relationship",
    "enquirer.email",
    "enquirer.phone",
    "enquirer.language",
    "consent",
)
# A rule about a whole group (no name at all, no way to reach the enquirer) is shown beside the
# field where the person can fix it.
GROUP_ERROR_FIELD = {"sought": "sought.full_name", "enquirer": "enquirer.email"}

STATE_LABELS: dict[str, str] = {
    EnquiryState.received.value: N_("Received — we will start the search soon"),
    EnquiryState.in_progress.value: N_("Being searched"),
    EnquiryState.answered.value: N_("Answered — a caseworker has contacted you"),
    EnquiryState.closed.value: N_("Closed"),
    EnquiryState.withdrawn.value: N_("Withdrawn at your request"),
}


@router.get("/", dependencies=[require("public.page.view")])
def home(request: Request) -> Response:
    return render(request, "public/index.html")


@router.get("/healthz", dependencies=[require("public.health.check")])
def health() -> dict[str, str]:
    return {"status": "ok"}


def form_to_enquiry(form: FormData) -> dict[str, Any]:
    """Flat form fields ("sought.birth_date") -> the nested body the API takes as well."""
    data: dict[str, Any] = {"sought": {}, "enquirer": {}}
    for name in ENQUIRY_FIELDS:
        value = form.get(name)
        if not isinstance(value, str) or name == "consent":
            continue
        group, _, field = name.partition(".")
        if value.strip() == "" and field in {"sex", "military"}:
            continue
        data[group][field] = value
    # An unticked box sends nothing; that is a refusal, not a missing field.
    data["consent"] = form.get("consent") == "true"
    return data


def field_errors(exc: ValidationError, texts: Texts) -> dict[str, str]:
    """One sentence per form field (the first problem found for it)."""
    errors: dict[str, str] = {}
    for item in translate_errors(exc.errors(), texts):
        name = GROUP_ERROR_FIELD.get(item["field"], item["field"])
        errors.setdefault(name, item["message"])
    return errors


def _form_values(form: FormData) -> dict[str, str]:
    # The CSRF token is rendered separately; every other typed value is shown back as typed.
    return {
        name: value for name, value in form.items() if isinstance(value, str) and name != CSRF_FIELD
    }


def _enquiry_form(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    context = {"values": values, "errors": errors, "field_order": ENQUIRY_FIELDS}
    return render(request, "public/enquiry_form.html", context, status_code=status)


@router.get("/enquiry", dependencies=[require("public.enquiry.create")])
def enquiry_form(request: Request, texts: TextsDep) -> Response:
    return _enquiry_form(request, {"enquirer.language": texts.locale}, {}, 200)


async def read_form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


@router.post("/enquiry", dependencies=[require("public.enquiry.create"), CsrfProtected])
def submit_enquiry_form(
    request: Request, form: FormDep, session: SessionDep, keys: KeysDep, texts: TextsDep
) -> Response:
    try:
        data = EnquiryIn.model_validate(form_to_enquiry(form))
    except ValidationError as exc:
        return _enquiry_form(request, _form_values(form), field_errors(exc, texts), 422)
    if use_group_commit(request.app):
        reference = prepare_reference(keys)
        # Sealed here, in this request's thread; the writer only inserts the batch's rows.
        prepared = prepare_enquiry(data, channel=Channel.web, keys=keys, reference=reference)
        # End the request's own transaction (a signed-in visitor's lookup): it must hold
        # nothing the writer could wait for.
        session.rollback()
        writer = writer_for(request.app.state, request.app.state.sessionmaker)
        try:
            # Returns once the shared transaction holding this enquiry has committed.
            receipt = writer.submit(
                lambda tx: submit_enquiry(
                    tx, data, channel=Channel.web, keys=keys, reference=reference
                ),
                (store_enquiry_batch, EnquiryToStore(prepared)),
            )
        except WriterBusy:
            return overloaded_response(request)
    else:
        receipt = submit_enquiry(session, data, channel=Channel.web, keys=keys)
        session.commit()
    # "Received" only after the durable commit: if it fails, the error page says nothing was saved.
    return render(
        request,
        "public/receipt.html",
        {"reference": receipt.reference, "secret": receipt.secret},
        status_code=201,
    )


@router.post("/enquiry/receipt", dependencies=[require("public.enquiry.read_own"), CsrfProtected])
def receipt_again(
    request: Request, form: FormDep, session: SessionDep, keys: KeysDep, texts: TextsDep
) -> Response:
    """The receipt in another language. The codes come back from the family's own page and are
    checked first, so this shows nothing that the sender did not already hold."""
    reference, secret = str(form.get("reference", "")), str(form.get("secret", ""))
    status = find_enquiry_throttled(request, session, reference, secret, keys)
    if status is None:
        return render(request, "public/status_form.html", {"values": {}, "not_found": True}, 404)
    session.commit()
    return render(request, "public/receipt.html", {"reference": status.reference, "secret": secret})


@router.get("/status", dependencies=[require("public.enquiry.read_own")])
def status_form(request: Request) -> Response:
    return render(request, "public/status_form.html", {"values": {}, "errors": {}})


@router.post("/status", dependencies=[require("public.enquiry.read_own"), CsrfProtected])
def status_page(
    request: Request, form: FormDep, session: SessionDep, keys: KeysDep, texts: TextsDep
) -> Response:
    reference, secret = str(form.get("reference", "")), str(form.get("secret", ""))
    status = find_enquiry_throttled(request, session, reference, secret, keys)
    if status is None:
        # The same answer for an unknown reference and a wrong secret; the secret is not echoed.
        values = {"reference": reference[:40]}
        return render(
            request, "public/status_form.html", {"values": values, "not_found": True}, 404
        )
    from kintrace.disclosure.answers import family_page

    # Approved answers only, with the family's messages (issue 5).
    family = family_page(session, status.enquiry_id)
    # The read is audited in the same transaction; it must be stored before we answer.
    session.commit()
    state = status.state.value
    context = {
        "family": family,
        "status": status,
        "secret": secret,
        "state_label": texts.gettext(STATE_LABELS.get(state, state)),
    }
    return render(request, "public/status.html", context)
