"""Dependencies shared by the routes: the database session, the reader's language, the signed-in
staff member, CSRF protection, and ``require(action)`` — the one way a route names its Action."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.params import Depends as DependsParam
from fastapi.routing import iter_route_contexts
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Mount

from kintrace.domain.permissions import Action, allowed, get_action
from kintrace.keys import Keys
from kintrace.settings import Settings
from kintrace.web.i18n import LANG_COOKIE, Texts, negotiate

CSRF_FIELD = "csrf_token"
CSRF_SESSION_KEY = "csrf"
USER_SESSION_KEY = "user_id"


class LoginRequired(Exception):
    """The route is for staff and nobody is signed in."""


class Forbidden(Exception):
    """The signed-in person may not do this."""


class CsrfFailed(Exception):
    """A form came back without the token this service put into it."""


# The dependencies that never block are ``async def``: FastAPI runs a plain ``def`` dependency
# on its thread pool, one hop there and back per dependency and request, which under a surge
# cost the event loop more than the work itself (docs/operations-surge.md, "Dependencies").


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_keys(request: Request) -> Keys:
    return request.app.state.keys


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request. Routes commit before they answer; anything left uncommitted
    (an error half-way) is rolled back when the session closes, so nothing is half-saved.

    Making a session touches no database (it connects on first use), so it is made on the event
    loop. Closing one that began a transaction rolls back on its connection, which may wait for
    the database: that close goes to the thread pool; a session never used closes at once.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        if session.get_transaction() is not None:
            # Outside the thread pool's limit (as FastAPI closes a sync generator): were all
            # its threads waiting for a pooled connection, this close, which returns one, must
            # not wait for a thread.
            await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
        else:
            session.close()


def get_texts(request: Request) -> Texts:
    """The reader's language and its translations (cached on the request). Plain ``def``: error
    pages and templates call it directly; routes get it through ``TextsDep``."""
    cached = getattr(request.state, "texts", None)
    if cached is not None:
        return cached
    settings: Settings = request.app.state.settings
    # No query string (every API call of a surge): skip parsing one (QueryParams was ~5 % of
    # the event loop's time per enquiry).
    asked = request.query_params.get("lang") if request.scope.get("query_string") else None
    locale = negotiate(
        asked,
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
        settings.default_language,
    )
    texts = Texts(locale, request.app.state.translations[locale])
    request.state.texts = texts
    return texts


async def _texts(request: Request) -> Texts:
    return get_texts(request)


async def get_optional_user(request: Request, session: Annotated[Session, Depends(get_db)]) -> Any:
    """The signed-in staff member, or None. A disabled or deleted account counts as signed out.

    An anonymous visitor (every family) costs no thread hop; a signed-in one is looked up in
    the database on the thread pool."""
    if request.session.get(USER_SESSION_KEY) is None:
        return None
    return await run_in_threadpool(_signed_in_user, request, session)


def _signed_in_user(request: Request, session: Session) -> Any:
    user_id = request.session.get(USER_SESSION_KEY)
    if user_id is None:
        return None
    from kintrace.db.models import User

    user = session.get(User, user_id)
    if user is None or not getattr(user, "is_active", True):
        request.session.pop(USER_SESSION_KEY, None)
        return None
    from kintrace.web.security import session_is_current

    # Idle and absolute timeouts, "sign out everywhere" and a required second factor.
    if not session_is_current(request, session, user):
        request.session.clear()
        return None
    request.state.user = user
    return user


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
KeysDep = Annotated[Keys, Depends(get_keys)]
TextsDep = Annotated[Texts, Depends(_texts)]
OptionalUser = Annotated[Any, Depends(get_optional_user)]


async def _current_user(user: OptionalUser) -> Any:
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[Any, Depends(_current_user)]


def require(action_name: str) -> DependsParam:
    """Declare the Action a route needs: ``dependencies=[require("staff.dashboard.view")]``.

    An unknown action name fails at import time. The check itself asks ``allowed()``; anonymous
    visitors on a staff route are sent to sign in, signed-in people without the grant get 403.
    """
    action = get_action(action_name)

    async def check_permission(user: OptionalUser) -> None:
        # allowed() reads the role of a user loaded a moment ago: no database, no blocking.
        if allowed(action, user):
            return
        if user is None:
            raise LoginRequired()
        raise Forbidden()

    check_permission.kintrace_action = action  # type: ignore[attr-defined]
    return Depends(check_permission)


def require_public(action_name: str) -> DependsParam:
    """``require`` for a public Action on a route that never asks who is signed in (the JSON
    API: it renders no page that names a user). The check needs no user, so FastAPI resolves
    no session and no user lookup for it: under a surge each dependency it solves costs the
    event loop (docs/operations-surge.md, "Session 7"). A non-public action fails at import time.
    """
    action = get_action(action_name)
    if not action.public:
        raise ValueError(f"{action_name} is not public; use require().")

    async def check_public() -> None:
        # Deny by default still holds: allowed() of an anonymous visitor, as require() asks.
        if not allowed(action, None):
            raise LoginRequired()

    check_public.kintrace_action = action  # type: ignore[attr-defined]
    return Depends(check_public)


class PermittedApp:
    """Wraps a mounted ASGI app (static files) so it, too, names its Action and is checked."""

    def __init__(self, app: Callable[..., Any], action_name: str) -> None:
        self.app = app
        self.kintrace_action = get_action(action_name)
        if not self.kintrace_action.public:
            raise ValueError("Mounted apps cannot see a signed-in user, so must be public.")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def _dependant_action(dependant: Dependant) -> Action | None:
    for sub in dependant.dependencies:
        action = getattr(sub.call, "kintrace_action", None)
        if action is not None:
            return action
        found = _dependant_action(sub)
        if found is not None:
            return found
    return None


def walk_routes(routes: Sequence[BaseRoute]) -> Iterator[Any]:
    """Every registered route, with routers included by FastAPI flattened out (FastAPI keeps
    included routers lazily, so ``app.routes`` alone does not list their routes)."""
    yield from iter_route_contexts(routes)


def declared_action(route: Any) -> Action | None:
    """The Action a registered route declares, or None (which the route-walk test refuses)."""
    dependant = getattr(route, "dependant", None)
    if dependant is not None:
        return _dependant_action(dependant)
    original = getattr(route, "original_route", route)
    if isinstance(original, Mount):
        return getattr(original.app, "kintrace_action", None)
    endpoint = getattr(route, "endpoint", None)
    return getattr(endpoint, "kintrace_action", None)


def csrf_token(request: Request) -> str:
    """This browser's CSRF token, created on first use and kept in the signed session."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


async def check_csrf(request: Request) -> None:
    """Every form post must carry the token from the page it came from."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


CsrfProtected = Depends(check_csrf)
