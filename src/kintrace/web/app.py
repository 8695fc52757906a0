"""The web service: ``create_app(settings)`` builds it (``kintrace serve`` and ``kintrace demo``
call it). It does not migrate the database; the CLI does that before serving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import kintrace
from kintrace.keys import Keys
from kintrace.settings import Settings, get_settings
from kintrace.stats.figures import FiguresRefresher
from kintrace.web import security
from kintrace.web.admission import SurgeSettings, install_admission
from kintrace.web.deps import PermittedApp
from kintrace.web.errors import install_error_handlers, refuse
from kintrace.web.i18n import load_translations
from kintrace.web.middleware import RequestGuardMiddleware, SecurityHeadersMiddleware
from kintrace.web.routes import (
    access_log,
    account,
    api,
    attachments,
    casework,
    family,
    figures,
    forensic,
    hotline,
    ops,
    public,
    sources,
    staff,
    users,
)
from kintrace.web.templating import make_templates

STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "kintrace_session"
# A staff sign-in lasts a working day; after that the cookie's signature is no longer accepted.
SESSION_MAX_AGE = 8 * 3600


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web service for ``settings`` (the process-wide settings when omitted)."""
    from kintrace.db import make_engine, make_sessionmaker

    settings = settings or get_settings()
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The match worker drains the durable queue in the background (tests drive it by hand).
        worker = None
        if settings.environment != "test":
            if settings.match_in_web:
                from kintrace.review.worker import run_in_background

                worker = run_in_background(app.state.sessionmaker)
            # Figures are counted in the background, never by a page view (issue 8).
            app.state.figures_refresher.start()
        yield
        app.state.figures_refresher.stop()
        if worker is not None:
            worker[1].set()
            worker[0].join(timeout=30)
        engine.dispose()

    app = FastAPI(
        title="kintrace",
        summary="Tracing service for people missing in armed conflict",
        version=kintrace.__version__,
        # Swagger UI and ReDoc load scripts from a CDN and run inline scripts, which the CSP
        # forbids; the OpenAPI document itself is served by the API router.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry would, once anyone configures a tracer, send every URL path
        # (an enquiry's reference is in /api/v1/enquiries/<reference>) to a collector outside the
        # audited, personal-data-free logs; and it checks for a tracer on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.figures_refresher = FiguresRefresher(app.state.sessionmaker)
    app.state.keys = Keys(settings)
    app.state.translations = load_translations()
    app.state.templates = make_templates()

    install_error_handlers(app)
    security.install(app)
    # The API first: Starlette tries routes in order, and the enquiry submit is the hot path of
    # a surge (walking the public and staff routes first was ~5 % of each request's loop time).
    app.include_router(api.router)
    app.include_router(public.router)
    app.include_router(staff.router)
    app.include_router(casework.router)
    app.include_router(family.router)
    app.include_router(hotline.router)
    app.include_router(account.router)
    app.include_router(sources.router)
    app.include_router(figures.router)
    app.include_router(forensic.router)
    app.include_router(attachments.router)
    app.include_router(users.router)
    app.include_router(access_log.router)
    app.mount(
        "/static",
        PermittedApp(StaticFiles(directory=STATIC_DIR), "public.static.read"),
        name="static",
    )

    tls = settings.base_url.startswith("https://")
    # Added innermost first: the guard needs the session (error pages carry a CSRF token), and
    # the security headers wrap everything.
    app.add_middleware(
        RequestGuardMiddleware,
        max_body_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.upload_max_bytes,
        refuse=refuse,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=tls,
    )
    app.add_middleware(SecurityHeadersMiddleware, tls=tls)
    # Operations (issue 7): health probes, the storage-error answer, admission control outermost.
    ops.install(app)
    # The surge's hot path, POST /api/v1/enquiries, skips the layers between here and the route
    # (same intake, same answers; everything else goes on to the full app).
    # Both read one SurgeSettings: reading it parses the whole environment.
    surge = SurgeSettings()
    api.install_lean_submit(app, surge, tls=tls)
    install_admission(app, surge)
    return app
