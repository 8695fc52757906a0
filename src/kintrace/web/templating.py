"""Rendering pages: every template gets the reader's language, the switcher links, the CSRF token
and the signed-in staff member, so no route has to remember them."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from kintrace.web.deps import CSRF_FIELD, csrf_token, get_texts
from kintrace.web.i18n import LANG_COOKIE, LANGUAGE_NAMES, LOCALES

TEMPLATE_DIR = Path(__file__).parent / "templates"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates


def switch_links(request: Request) -> list[dict[str, Any]]:
    """Links to the same page in each language; plain GET links work without JavaScript."""
    current = get_texts(request).locale
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    links = []
    for locale in LOCALES:
        query = urlencode([*params, ("lang", locale)])
        links.append(
            {
                "locale": locale,
                "name": LANGUAGE_NAMES[locale],
                "href": f"{request.url.path}?{query}",
                "current": locale == current,
            }
        )
    return links


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    texts = get_texts(request)
    full_context: dict[str, Any] = {
        "_": texts.gettext,
        "ngettext": texts.ngettext,
        "texts": texts,
        "lang": texts.locale,
        "languages": switch_links(request),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "user", None),
    }
    full_context.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, template, full_context, status_code=status_code)
    remember_language(request, response)
    return response


def remember_language(request: Request, response: Response) -> None:
    """A language picked with the switcher is kept in a cookie for the next visit."""
    chosen = request.query_params.get("lang")
    if chosen in LOCALES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def private_file(data: bytes, media_type: str, disposition: str | None = None) -> Response:
    """A decrypted photo or scan: never kept by a browser or proxy cache, never content-sniffed."""
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if disposition:
        headers["Content-Disposition"] = disposition
    return Response(data, media_type=media_type, headers=headers)
