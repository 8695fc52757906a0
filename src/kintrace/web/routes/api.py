"""The JSON API (OpenAPI at /api/v1/openapi.json): file an enquiry, read its state.

"201 Created" is only sent after the enquiry is committed. With an ``Idempotency-Key`` the first
201 answer is kept sealed for 24 hours, so a family whose first answer was lost still learns its
secret by retrying; the same key with another body gets 422, a retry while the first request
runs gets 409.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URLPath
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kintrace.domain import Channel
from kintrace.domain.permissions import allowed, get_action
from kintrace.intake import idempotency
from kintrace.intake.enquiries import (
    EnquiryIn,
    EnquiryReceipt,
    EnquiryToStore,
    prepare_enquiry,
    prepare_reference,
    ready_reference,
    store_enquiry_batch,
    submit_enquiry,
)
from kintrace.intake.group_commit import WriterBusy, writer_for
from kintrace.keys import Keys
from kintrace.web.admission import SurgeSettings, overloaded_response, use_group_commit
from kintrace.web.deps import (
    KeysDep,
    SessionDep,
    get_texts,
    require,
    require_public,
    walk_routes,
)
from kintrace.web.errors import error_response
from kintrace.web.i18n import N_
from kintrace.web.middleware import SecurityHeadersMiddleware
from kintrace.web.security import find_enquiry_throttled

router = APIRouter(prefix="/api/v1", tags=["enquiries"])
SUBMIT_PATH = router.prefix + "/enquiries"
SUBMIT_ACTION = "public.enquiry.create"

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


_REFERENCE_SLOT = "__reference__"


# Absolute status-URL templates by what request.base_url is made of; bounded, since the Host
# header is the client's to choose.
_STATUS_URLS_MAX = 64


def _status_url(request: Request, reference: str) -> str:
    """``request.url_for("read_enquiry", ...)``, with the route looked up once per app (the
    lookup walks every route and was a sixth of a request thread's CPU under a surge) and the
    absolute URL built once per base URL (``request.base_url`` parses the scope into URL
    objects on every call: ~5 % of the event loop's time per enquiry)."""
    state = request.app.state
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    server = scope.get("server")
    base = (scope.get("scheme"), host, server and tuple(server), scope.get("root_path", ""))
    templates: dict[Any, str] | None = getattr(state, "enquiry_status_urls", None)
    if templates is None:
        templates = state.enquiry_status_urls = {}
    template = templates.get(base)
    if template is None:
        path = request.app.url_path_for("read_enquiry", reference=_REFERENCE_SLOT)
        template = str(URLPath(path).make_absolute_url(request.base_url))
        if len(templates) < _STATUS_URLS_MAX:
            templates[base] = template
    return template.replace(_REFERENCE_SLOT, reference)


def _created(request: Request, receipt: EnquiryReceipt) -> bytes:
    body = EnquiryCreated(
        reference=receipt.reference,
        secret=receipt.secret,
        status_url=_status_url(request, receipt.reference),
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
    dependencies=[require_public(SUBMIT_ACTION)],
    summary="File an enquiry about a missing person",
)
async def create_enquiry(
    request: Request,
    data: EnquiryIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Any unique string; a retry with the same key gets the same answer.",
        ),
    ] = None,
) -> Response:
    # async: under a surge the thread-pool hops of a sync route cost the event loop more than
    # the route's own work. The body is Starlette's cached copy of the bytes FastAPI validated.
    return await submit(request, data, await request.body(), idempotency_key)


async def submit(
    request: Request, data: EnquiryIn, body: bytes, idempotency_key: str | None
) -> Response:
    """File a validated enquiry and answer it: the one intake both doors call, the FastAPI
    route above and ``LeanEnquirySubmit`` below.

    Everything here that may wait for a disk or the database runs on the thread pool or the
    group-commit writer; the rest is a little CPU (sealing ~15 fields). Keys and sessionmaker
    are read here rather than declared as dependencies, and no request session is opened: each
    dependency FastAPI solves per request cost the event loop more than this route's own work
    (docs/operations-surge.md, "Session 7")."""
    state = request.app.state
    sessions: sessionmaker[Session] = state.sessionmaker
    keys: Keys = state.keys
    if idempotency_key is not None:
        try:
            idempotency.check_key(idempotency_key)
        except ValueError:
            texts = get_texts(request)
            field = {"field": "Idempotency-Key", "loc": ["header", "Idempotency-Key"]}
            item = {**field, "type": "key_invalid", "message": texts.gettext(KEY_INVALID_SENTENCE)}
            return error_response(request, 422, KEY_INVALID_SENTENCE, [item])
    if not use_group_commit(request.app):
        return await run_in_threadpool(
            _create_in_own_transactions, request, data, body, sessions, keys, idempotency_key
        )
    reference = ready_reference(keys)
    if reference is None:
        # The pool of ready references is empty: making one writes and fsyncs its key file.
        reference = await run_in_threadpool(prepare_reference, keys)

    def work(tx: Session) -> idempotency.StoredAnswer:
        # Runs on the group-commit writer, inside this request's savepoint of a shared
        # transaction: claim, enquiry, job, audit event and sealed answer commit together.
        # The writer's way when the bulk store below cannot take this request (a key already
        # stored or repeated in the batch, or a failed bulk store).
        if idempotency_key is not None:
            stored = idempotency.claim_in(
                tx, scope=IDEMPOTENCY_SCOPE, key=idempotency_key, body=body, keys=keys
            )
            if stored is not None:
                return stored
        return _file_enquiry(tx, request, data, keys, idempotency_key, reference)

    # Everything that needs no database is done here: the writer then only inserts the rows
    # of the whole batch (kintrace.intake.group_commit).
    prepared = prepare_enquiry(data, channel=Channel.api, keys=keys, reference=reference)
    ready = idempotency.StoredAnswer(
        201, _created(request, EnquiryReceipt(0, prepared.reference, prepared.secret))
    )
    sealed = None
    if idempotency_key is not None:
        sealed = idempotency.prepare_answer(
            scope=IDEMPOTENCY_SCOPE, key=idempotency_key, body=body, answer=ready, keys=keys
        )
    bulk = (store_enquiry_batch, EnquiryToStore(prepared, sealed))
    try:
        result = await writer_for(request.app.state, sessions).submit_async(work, bulk)
    except WriterBusy:
        return overloaded_response(request)
    except IntegrityError:
        if idempotency_key is None:
            raise
        # Another process (a second uvicorn worker) stored the same key at the same moment:
        # the two-step path reads its committed answer (or answers 409 while it runs).
        return await run_in_threadpool(
            _create_claimed_first, request, data, body, sessions, keys, idempotency_key
        )
    # The writer returned after the commit: only now is the enquiry "received".
    answer = ready if isinstance(result, EnquiryReceipt) else result
    return _json_answer(answer.status_code, answer.body)


def _create_in_own_transactions(
    request: Request,
    data: EnquiryIn,
    body: bytes,
    sessions: sessionmaker[Session],
    keys: Keys,
    idempotency_key: str | None,
) -> Response:
    """One transaction per request (group commit off; PostgreSQL by default): the claim of the
    Idempotency-Key, the enquiry and its sealed answer commit together, one commit each."""
    if idempotency_key is None:
        with sessions.begin() as session:
            receipt = submit_enquiry(session, data, channel=Channel.api, keys=keys)
        # Leaving the block committed the enquiry; only now is it "received".
        return _json_answer(201, _created(request, receipt))
    try:
        with sessions.begin() as session:
            answer = idempotency.claim_in(
                session, scope=IDEMPOTENCY_SCOPE, key=idempotency_key, body=body, keys=keys
            )
            if answer is None:
                answer = _file_enquiry(session, request, data, keys, idempotency_key)
        # Committed: the enquiry is "received" (or this is the first answer, replayed).
        return _json_answer(answer.status_code, answer.body)
    except IntegrityError:
        # A request with the same key committed between our read and our insert (PostgreSQL
        # makes the second insert wait for the first commit, then fail): the two-step path
        # below reads its answer and replays it.
        pass
    return _create_claimed_first(request, data, body, sessions, keys, idempotency_key)


def _create_claimed_first(
    request: Request,
    data: EnquiryIn,
    body: bytes,
    sessions: sessionmaker[Session],
    keys: Keys,
    idempotency_key: str,
) -> Response:
    """The claim commits on its own first: replays the answer of a committed request with the
    same key, or answers 409 while one still runs."""
    stored = idempotency.claim(
        sessions, scope=IDEMPOTENCY_SCOPE, key=idempotency_key, body=body, keys=keys
    )
    if stored is not None:
        return _json_answer(stored.status_code, stored.body)
    try:
        with sessions.begin() as session:
            answer = _file_enquiry(session, request, data, keys, idempotency_key)
    except BaseException:
        idempotency.release(sessions, scope=IDEMPOTENCY_SCOPE, key=idempotency_key)
        raise
    return _json_answer(answer.status_code, answer.body)


def _file_enquiry(
    session: Session,
    request: Request,
    data: EnquiryIn,
    keys: Keys,
    idempotency_key: str | None,
    reference: str | None = None,
) -> idempotency.StoredAnswer:
    """Store the enquiry and, with an Idempotency-Key, its sealed answer, in the caller's
    transaction — the one step all three ways of committing share."""
    receipt = submit_enquiry(session, data, channel=Channel.api, keys=keys, reference=reference)
    answer = idempotency.StoredAnswer(201, _created(request, receipt))
    if idempotency_key is not None:
        idempotency.store_answer(
            session,
            scope=IDEMPOTENCY_SCOPE,
            key=idempotency_key,
            answer=answer,
            subject_id=receipt.enquiry_id,
            keys=keys,
        )
    return answer


class LeanEnquirySubmit:
    """A faster door to ``POST /api/v1/enquiries`` — the same intake, not a second API.

    Pure ASGI, added just inside admission control (so the same slots, queue, refusals and
    request log line hold for it) and outside everything else. For exactly that method and
    path it reads the body, validates it with pydantic-core (``EnquiryIn.model_validate_json``)
    and calls ``submit``, the function the FastAPI route calls, answering with the same bytes,
    status codes and security headers. Under a surge the dozen ASGI layers, FastAPI's request
    handling and dependency solving between uvicorn and that route were most of the event
    loop's time per enquiry (docs/operations-surge.md, "Session 8").

    It takes only the plain shape of a family's request: JSON with a Content-Length within the
    limit, no cookie (the session middleware may answer a signed-in caller with a fresh
    cookie), one Idempotency-Key at most. Everything else — another route, a body the guard
    refuses, a body that does not validate (its 422 lists the errors as FastAPI words them) —
    goes to the full app unchanged, the body replayed, so those answers are the full app's by
    construction. The route stays in the OpenAPI document, and this door declares its Action
    (``kintrace_action``, checked like ``require_public``; tests/security/test_routes.py).
    """

    lean_routes = (("POST", SUBMIT_PATH),)
    kintrace_action = get_action(SUBMIT_ACTION)

    def __init__(self, app: ASGIApp, max_body_bytes: int, tls: bool = False) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self._secured = SecurityHeadersMiddleware(self._answer, tls=tls)
        self._route: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != SUBMIT_PATH
            or scope["method"] != "POST"
            or scope.get("root_path")
            or not self._plain(scope["headers"])
            or not allowed(self.kintrace_action, None)
        ):
            await self.app(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body: nobody to answer
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        route = self._route or self._find_route(scope)
        try:
            data = EnquiryIn.model_validate_json(body) if route is not None else None
        except ValidationError:
            data = None
        if data is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = route  # admission's request log line names the route template
        scope["endpoint"] = route.endpoint
        scope["path_params"] = {}
        scope["kintrace.lean"] = (data, body)  # also tells tests which door answered
        await self._secured(scope, receive, send)

    def _plain(self, headers: list[tuple[bytes, bytes]]) -> bool:
        length = media_type = key = None
        for name, value in headers:
            if name == b"content-length":
                if length is not None:
                    return False
                length = value
            elif name == b"content-type":
                if media_type is not None:
                    return False  # the guard reads the first, a parser may read the last
                media_type = value
            elif name == b"idempotency-key":
                if key is not None:
                    return False
                key = value
            elif name in (b"cookie", b"transfer-encoding"):
                return False
        if length is None or media_type is None or not length.isdigit():
            return False
        if int(length) > self.max_body_bytes:
            return False
        return media_type.split(b";")[0].strip().lower() == b"application/json"

    def _find_route(self, scope: Scope) -> Any:
        for route in walk_routes(scope["app"].routes):
            if getattr(route, "endpoint", None) is create_enquiry:
                self._route = route
                return route
        return None

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        data, body = scope["kintrace.lean"]
        request = Request(scope, receive)
        key = next((v for n, v in scope["headers"] if n == b"idempotency-key"), None)
        try:
            response = await submit(request, data, body, key and key.decode("latin-1"))
        except Exception as exc:
            # The app's exception handlers, looked up as Starlette's ExceptionMiddleware does
            # (a full disk → 503 "storage is full", a reused key → 422); an error no handler
            # names goes on to the server-error handler outside, as from the full app.
            handler = _handler_for(scope["app"], exc)
            if handler is None:
                raise
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
        await response(scope, receive, send)


def _handler_for(app: Any, exc: Exception) -> Any:
    handlers = app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the full app after the lean door has read the body: the body once, then
    whatever the client sends next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def install_lean_submit(app: Any, surge: SurgeSettings, tls: bool) -> None:
    """Put ``LeanEnquirySubmit`` outermost so far (call just before admission control), unless
    KINTRACE_LEAN_SUBMIT=0."""
    if not surge.lean_submit:
        return
    app.add_middleware(LeanEnquirySubmit, max_body_bytes=app.state.settings.max_body_bytes, tls=tls)


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
