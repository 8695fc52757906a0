"""Pure ASGI middleware: security headers on every answer, and refusal of bodies that are too
large (413) or of a type a route cannot read (415) before any route code runs."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: htmx is configured through a <meta> tag with its indicator
# styles switched off, so 'self' is enough.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPES = ("application/json",)
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_CACHE_STATIC = (b"cache-control", b"public, max-age=3600")
_CACHE_NEVER = (b"cache-control", b"no-store")


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, error pages included.

    ``tls``: the service is reached over https, so browsers are told to insist on it (HSTS).
    """

    def __init__(self, app: ASGIApp, tls: bool = False, static_prefix: str = "/static/") -> None:
        self.app = app
        self.tls = tls
        self.static_prefix = static_prefix
        always = dict(SECURITY_HEADERS)
        if tls:
            always["strict-transport-security"] = "max-age=31536000"
        self._always = [(name.encode(), value.encode()) for name, value in always.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The raw header list, read once: MutableHeaders scanned it again for each of
                # the eight names below, on every answer of a surge.
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self._always if h[0] not in present]
                if b"cache-control" not in present:
                    # Pages show secrets and personal data: never keep them in any cache. Style
                    # and script hold neither, and a family on a slow line should not refetch.
                    static = scope["path"].startswith(self.static_prefix)
                    headers.append(_CACHE_STATIC if static else _CACHE_NEVER)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestGuardMiddleware:
    """Refuses oversized bodies (413) and unreadable content types (415).

    The API reads JSON only and the pages read HTML forms only. A declared Content-Length is
    checked up front and answered by ``refuse`` (the same renderer as every other error page);
    a body sent without one is counted while it is read, so a chunked upload cannot slip past
    the limit either (raised as HTTPException for the app's one error handler).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        refuse: Callable[[Request, int], Response],
        api_prefix: str = "/api/",
        upload_max_bytes: int | None = None,
        upload_prefix: str = "/staff/",
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_max_bytes = upload_max_bytes or max_body_bytes
        self.upload_prefix = upload_prefix
        self.refuse = refuse
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        problem = self._problem(scope, headers)
        if problem is not None:
            response = self.refuse(Request(scope), problem)
            await response(scope, receive, send)
            return

        received = 0
        limit = self._limit(scope, headers)

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(status_code=413)
            return message

        await self.app(scope, counting_receive, send)

    def _limit(self, scope: Scope, headers: Headers) -> int:
        # Files come only as multipart forms to staff pages; that is where the larger limit holds.
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type == "multipart/form-data" and scope["path"].startswith(self.upload_prefix):
            return self.upload_max_bytes
        return self.max_body_bytes

    def _problem(self, scope: Scope, headers: Headers) -> int | None:
        length = headers.get("content-length")
        if length is not None:
            try:
                if int(length) > self._limit(scope, headers):
                    return 413
            except ValueError:
                return 400
        elif headers.get("transfer-encoding") is None:
            # A POST without any body (e.g. a form with no fields) is fine.
            return None
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        accepted = JSON_TYPES if scope["path"].startswith(self.api_prefix) else FORM_TYPES
        if length == "0" and not media_type:
            return None
        if media_type not in accepted:
            return 415
        return None
