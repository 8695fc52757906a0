"""The JSON API (OpenAPI at /api/v1/openapi.json): file an enquiry, read its state.

"201 Created" is only sent after the enquiry is committed. With an ``Idempotency-Key`` the first
201 answer is kept sealed for 24 hours, so a family whose first answer was lost still learns its
secret by retrying; the same key with another body gets 422, a retry while the first request
runs gets 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response

from kintrace.domain import Channel
from kintrace.intake import idempotency
from kintrace.intake.enquiries import EnquiryIn, EnquiryReceipt, submit_enquiry
from kintrace.web.deps import KeysDep, SessionDep, TextsDep, require
from kintrace.web.errors import error_response
from kintrace.web.i18n import N_
from kintrace.web.security import find_enquiry_throttled

router = APIRouter(prefix="/api/v1", tags=["enquiries"])

IDEMPOTENCY_SCOPE = "enquiries"
KEY_INVALID_SENTENCE = N_("The Idempotency-Key must be 1 to 255 characters long.")
NOT_FOUND_SENTENCE = N_("There is no enquiry with this reference code and secret.")


class ErrorItem(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. sought.birth_date.")
    loc: list[str]
    type: str = Field(description="Stable error code, e.g. date_invalid.")
    message: str = Field(description="A sentence in the language of Accept-Language.")


class ErrorOut(BaseModel):
    detail: str
    errors: list[ErrorItem] = []


class EnquiryCreated(BaseModel):
    reference: str = Field(description="Easy to read aloud, e.g. KT-7Q4M-9XPA.")
    secret: str = Field(description="Shown only in this answer; at least 80 bits.")
    status_url: str = Field(description="GET it with the secret in X-Enquiry-Secret.")
    state: str


class EnquiryStatusOut(BaseModel):
    reference: str
    state: str
    language: str
    created_at: datetime
    updated_at: datetime
    sought_name: str
    sought_birth_date: str | None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "The body is larger than the service accepts."},
    415: {"model": ErrorOut, "description": "The body is not application/json."},
    422: {"model": ErrorOut, "description": "Invalid fields, or an Idempotency-Key reused."},
}


async def raw_body(request: Request) -> bytes:
    # Starlette caches the body, so this is the same bytes FastAPI validated.
    return await request.body()


def get_sessionmaker(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessionmaker


def _created(request: Request, receipt: EnquiryReceipt) -> bytes:
    body = EnquiryCreated(
        reference=receipt.reference,
        secret=receipt.secret,
        status_url=str(request.url_for("read_enquiry", reference=receipt.reference)),
        state="received",
    )
    return body.model_dump_json().encode()


def _json_answer(status_code: int, body: bytes) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")


@router.post(
    "/enquiries",
    status_code=201,
    response_model=EnquiryCreated,
    responses={**ERROR_RESPONSES, 409: {"model": ErrorOut, "description": "Same key in flight."}},
    dependencies=[require("public.enquiry.create")],
    summary="File an enquiry about a missing person",
)
def create_enquiry(
    request: Request,
    data: EnquiryIn,
    body: Annotated[bytes, Depends(raw_body)],
    sessions: Annotated[sessionmaker[Session], Depends(get_sessionmaker)],
    keys: KeysDep,
    texts: TextsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Any unique string; a retry with the same key gets the same answer.",
        ),
    ] = None,
) -> Response:
    if idempotency_key is None:
        with sessions.begin() as session:
            receipt = submit_enquiry(session, data, channel=Channel.api, keys=keys)
        # Leaving the block committed the enquiry; only now is it "received".
        return _json_answer(201, _created(request, receipt))

    try:
        stored = idempotency.claim(
            sessions, scope=IDEMPOTENCY_SCOPE, key=idempotency_key, body=body, keys=keys
        )
    except ValueError:
        field = {"field": "Idempotency-Key", "loc": ["header", "Idempotency-Key"]}
        item = {**field, "type": "key_invalid", "message": texts.gettext(KEY_INVALID_SENTENCE)}
        return error_response(request, 422, KEY_INVALID_SENTENCE, [item])
    if stored is not None:
        return _json_answer(stored.status_code, stored.body)
    try:
        with sessions.begin() as session:
            receipt = submit_enquiry(session, data, channel=Channel.api, keys=keys)
            answer = _created(request, receipt)
            idempotency.store_answer(
                session,
                scope=IDEMPOTENCY_SCOPE,
                key=idempotency_key,
                answer=idempotency.StoredAnswer(201, answer),
                subject_id=receipt.enquiry_id,
                keys=keys,
            )
    except BaseException:
        idempotency.release(sessions, scope=IDEMPOTENCY_SCOPE, key=idempotency_key)
        raise
    return _json_answer(201, answer)


@router.get(
    "/enquiries/{reference}",
    response_model=EnquiryStatusOut,
    responses={
        404: {"model": ErrorOut, "description": "Unknown reference or wrong secret."},
        429: {"model": ErrorOut, "description": "Too many wrong secrets; see Retry-After."},
    },
    dependencies=[require("public.enquiry.read_own")],
    summary="Read the state of one's own enquiry",
)
def read_enquiry(
    request: Request,
    reference: str,
    session: SessionDep,
    keys: KeysDep,
    secret: Annotated[
        str | None,
        Header(alias="X-Enquiry-Secret", description="The secret from the 201 answer."),
    ] = None,
) -> Response:
    status = find_enquiry_throttled(request, session, reference, secret, keys) if secret else None
    if status is None:
        # One answer for an unknown reference, a wrong secret and no secret at all.
        return error_response(request, 404, NOT_FOUND_SENTENCE)
    session.commit()
    out = EnquiryStatusOut(
        reference=status.reference,
        state=status.state.value,
        language=status.language.value,
        created_at=status.created_at,
        updated_at=status.updated_at,
        sought_name=status.sought_name,
        sought_birth_date=status.sought_birth_date,
    )
    return _json_answer(200, out.model_dump_json().encode())


@router.get("/openapi.json", include_in_schema=False, dependencies=[require("public.api.schema")])
def openapi_document(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())
