"""The one place where errors become answers: a calm page in the reader's language, or JSON for
the API. The core's errors carry no HTTP codes; the mapping lives here. Nobody ever sees a stack
trace, and no message contains personal data."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from kintrace import errors as core_errors
from kintrace.web.deps import CsrfFailed, Forbidden, LoginRequired, get_texts
from kintrace.web.i18n import N_
from kintrace.web.middleware import SECURITY_HEADERS
from kintrace.web.templating import render
from kintrace.web.validation import translate_errors

log = logging.getLogger(__name__)

STATUS_SENTENCES: dict[int, str] = {
    400: N_("We could not read what was sent. Please try again."),
    401: N_("Please sign in first."),
    403: N_("You do not have permission to do this."),
    404: N_("We could not find this page."),
    405: N_("This page cannot be used in this way."),
    409: N_("The same request is still being processed. Please wait a moment and try again."),
    413: N_("What you sent is too large. Please shorten it and try again."),
    415: N_("This kind of content cannot be read here. Please send a form or JSON."),
    422: N_("Some of what was sent cannot be accepted. Please check it and try again."),
    429: N_("Too many requests. Please wait a moment and try again."),
    500: N_(
        "Something went wrong on our side. Nothing has been saved; please try again in a few "
        "minutes."
    ),
    503: N_("The service is not available at the moment. Please try again later."),
}
CSRF_SENTENCE = N_(
    "This form has expired or was sent from another page. Please open it again and resend it."
)
REUSED_KEY_SENTENCE = N_(
    "This Idempotency-Key was already used for a different request. Use a new key for a new "
    "request."
)

# Core errors -> HTTP status (errors carry no codes themselves).
CORE_STATUS: dict[type[Exception], int] = {
    core_errors.NotFound: 404,
    core_errors.IdempotencyKeyReused: 422,
    core_errors.IdempotencyInFlight: 409,
    core_errors.StorageNotSafe: 503,
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request,
    status_code: int,
    sentence: str | None = None,
    field_errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """An error as JSON (API) or as a page, in the reader's language."""
    texts = get_texts(request)
    message = texts.gettext(sentence or STATUS_SENTENCES.get(status_code, STATUS_SENTENCES[500]))
    if wants_json(request):
        body: dict[str, Any] = {"detail": message}
        if field_errors:
            body["errors"] = list(field_errors)
        return JSONResponse(body, status_code=status_code, headers=headers)
    response = render(
        request,
        "error.html",
        {"status_code": status_code, "message": message},
        status_code=status_code,
    )
    if headers:
        response.headers.update(headers)
    # The 500 page is answered outside the middleware stack; it gets the same headers here.
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def refuse(request: Request, status_code: int) -> Response:
    """Used by the request guard for bodies refused before routing (413, 415, 400)."""
    return error_response(request, status_code)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        texts = get_texts(request)
        return error_response(request, 422, field_errors=translate_errors(exc.errors(), texts))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return error_response(request, 401)
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/staff/login?next={target}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return error_response(request, 400, CSRF_SENTENCE)

    @app.exception_handler(core_errors.KintraceError)
    async def core_error(request: Request, exc: core_errors.KintraceError) -> Response:
        status_code = next((code for cls, code in CORE_STATUS.items() if isinstance(exc, cls)), 500)
        if status_code == 500:
            log.error("core error %s", type(exc).__name__)
        sentence = REUSED_KEY_SENTENCE if status_code == 422 else None
        return error_response(request, status_code, sentence)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Only the class name: exception texts may quote what a person typed.
        log.error("unexpected error %s on %s", type(exc).__name__, request.url.path)
        return error_response(request, 500)
