"""Admission control: a bounded number of requests at work and a bounded queue in front of them.

In the first week of a war thousands of families arrive at once. A server that takes every
request piles them up until each one times out — and a family that waited two minutes for a
timeout does not know whether its enquiry was saved. Instead, at most ``max_in_flight`` requests
run at once and at most ``max_queued`` wait (each for at most ``queue_wait_s``); anyone beyond
is answered at once with 503 and ``Retry-After``, in their language (a page, or JSON on the API).
One client holding more than ``per_client`` requests gets 429 (0 turns that off: behind a proxy
every family has the proxy's address). Memory stays bounded by the two limits, and the service
recovers by itself: as soon as requests finish, the next ones are admitted.

Health probes and static files bypass the queue so an orchestrator can still see the service
and a page that was admitted can still load its style sheet.

Every request also leaves one log line here: method, route template, status, milliseconds —
never the query string (it may carry a reference code and a name typed into a search).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kintrace.logging import get_logger
from kintrace.web.i18n import N_

log = get_logger("kintrace.web.requests")

OVERLOADED_SENTENCE = N_(
    "Very many people are using the service right now, so nothing has been saved yet. "
    "Please wait a minute and send it again."
)
BYPASS_PREFIXES = ("/healthz", "/readyz", "/static/")


class SurgeSettings(BaseSettings):
    """Limits for surges, from the environment (``KINTRACE_MAX_IN_FLIGHT`` …)."""

    model_config = SettingsConfigDict(env_prefix="KINTRACE_", extra="ignore")

    # Requests at work at once. Sync routes run on a 40-thread pool and SQLite has one writer,
    # so more than this only adds waiting inside the process, where nobody can see it.
    max_in_flight: int = 24
    # Requests waiting for a place, and how long each may wait before it is told to come back.
    max_queued: int = 200
    queue_wait_s: float = 10.0
    retry_after_s: int = 5
    # Requests one client address may have at work or waiting (0: no per-client limit).
    per_client: int = 0
    # /readyz reports not ready below this much free space where the data lives.
    min_free_disk_mb: int = 200
    # uvicorn waits this long for requests in flight when told to stop (SIGTERM).
    graceful_shutdown_s: int = 30
    # 1 (and unset): enquiries of concurrent families share one transaction and one fsync
    # (kintrace.intake.group_commit), stored by the writer's multi-row bulk store; 0: each
    # request commits its own. On for PostgreSQL too since the bulk store: fewer round trips
    # per enquiry beat the server's own grouping of concurrent commits (measured in
    # docs/operations-surge.md).
    group_commit: bool | None = None
    # How long (ms) a thread of `kintrace serve` may hold the GIL while another waits for it
    # (Python's default is 5). The group-commit writer gives the GIL up in every SQLite call
    # and then waited up to that long for the busy event loop to hand it back, several times
    # per batch: at 1 ms the p99 of acknowledged enquiries about halved in alternating runs
    # (docs/operations-surge.md, "Session 7"). 0 keeps Python's default.
    switch_interval_ms: float = 1.0
    # POST /api/v1/enquiries through the lean door (kintrace.web.routes.api.LeanEnquirySubmit):
    # the same intake and answers without the framework's layers in between. 0 sends it
    # through the full app like every other route (for comparison, or if the door misbehaves).
    lean_submit: bool = True


def apply_switch_interval(settings: SurgeSettings) -> None:
    """Set the process's GIL switch interval from ``switch_interval_ms`` (web processes)."""
    import sys

    if settings.switch_interval_ms > 0:
        sys.setswitchinterval(settings.switch_interval_ms / 1000)


def use_group_commit(app: Any) -> bool:
    """Whether new enquiries go through the group-commit writer (see ``group_commit``):
    yes unless KINTRACE_GROUP_COMMIT=0, on SQLite and PostgreSQL alike."""
    # The app's SurgeSettings, read once when the app was built (install_admission): asked on
    # every enquiry, so never a fresh SurgeSettings(), whose reading of the environment cost
    # ~1 ms of CPU per request under a surge.
    surge = getattr(app.state, "surge_settings", None)
    flag = surge.group_commit if surge is not None else None
    if flag is not None:
        return flag
    return getattr(app.state.sessionmaker, "kw", {}).get("bind") is not None


@dataclass
class AdmissionStats:
    in_flight: int = 0
    queued: int = 0
    admitted: int = 0
    refused: int = 0
    limited: int = 0


class AdmissionMiddleware:
    """Pure ASGI middleware; add it outermost so a refusal costs almost nothing."""

    def __init__(
        self,
        app: ASGIApp,
        max_in_flight: int = 24,
        max_queued: int = 200,
        queue_wait_s: float = 10.0,
        retry_after_s: int = 5,
        per_client: int = 0,
        stats: AdmissionStats | None = None,
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.queue_wait_s = queue_wait_s
        self.retry_after_s = retry_after_s
        self.per_client = per_client
        self.stats = stats or AdmissionStats()
        self._per_client: Counter[str] = Counter()
        self._slots: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # Created on first use, inside the server's event loop.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(BYPASS_PREFIXES):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client = (scope.get("client") or ("?", 0))[0]
        if self.per_client and self._per_client[client] >= self.per_client:
            self.stats.limited += 1
            await self._refuse(scope, receive, send, 429, started)
            return
        self._per_client[client] += 1
        try:
            if not await self._admit():
                self.stats.refused += 1
                await self._refuse(scope, receive, send, 503, started)
                return
            try:
                self.stats.admitted += 1
                await self._run_logged(scope, receive, send, started)
            finally:
                self.stats.in_flight -= 1
                self._semaphore().release()
        finally:
            self._per_client[client] -= 1
            if self._per_client[client] <= 0:
                del self._per_client[client]

    async def _admit(self) -> bool:
        slots = self._semaphore()
        if not slots.locked():
            await slots.acquire()
            self.stats.in_flight += 1
            return True
        if self.stats.queued >= self.max_queued:
            return False
        self.stats.queued += 1
        try:
            await asyncio.wait_for(slots.acquire(), timeout=self.queue_wait_s)
        except TimeoutError:
            return False
        finally:
            self.stats.queued -= 1
        self.stats.in_flight += 1
        return True

    async def _run_logged(self, scope: Scope, receive: Receive, send: Send, started: float) -> None:
        status = 500

        async def send_noting_status(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = scope.get("route")
            log.info(
                "request",
                method=scope["method"],
                route=getattr(route, "path", None) or "unmatched",
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, started: float
    ) -> None:
        # Imported here: the error renderer pulls in the templates, which need the app.
        from kintrace.web.errors import error_response

        # The page template asks for the session's CSRF token; a refused request gets a
        # throw-away session so no cookie is set and nothing is stored.
        request = Request({**scope, "session": {}})
        sentence = OVERLOADED_SENTENCE if status == 503 else None
        response = error_response(
            request, status, sentence, headers={"Retry-After": str(self.retry_after_s)}
        )
        await response(scope, receive, send)
        log.warning(
            "request_refused",
            method=scope["method"],
            status=status,
            in_flight=self.stats.in_flight,
            queued=self.stats.queued,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )


def overloaded_response(request: Request) -> Any:
    """503 with Retry-After and the calm sentence, for a route that finds the service full."""
    from kintrace.web.errors import error_response

    # The app's settings, read once (install_admission): building SurgeSettings reads the
    # whole environment, ~1 ms, on every refusal of a surge.
    surge = getattr(request.app.state, "surge_settings", None) or SurgeSettings()
    headers = {"Retry-After": str(surge.retry_after_s)}
    return error_response(request, 503, OVERLOADED_SENTENCE, headers=headers)


def install_admission(app: Any, settings: SurgeSettings | None = None) -> AdmissionStats:
    """Put admission control outermost on ``app``; its counters are ``app.state.admission``."""
    s = settings or SurgeSettings()
    stats = AdmissionStats()
    app.state.admission = stats
    app.state.surge_settings = s
    app.add_middleware(
        AdmissionMiddleware,
        max_in_flight=s.max_in_flight,
        max_queued=s.max_queued,
        queue_wait_s=s.queue_wait_s,
        retry_after_s=s.retry_after_s,
        per_client=s.per_client,
        stats=stats,
    )
    return stats
