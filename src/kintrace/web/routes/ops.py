"""Operations: /healthz (the process answers), /readyz (it can take an enquiry now), and the
answer to a full or read-only disk.

/readyz checks what an enquiry needs: the database answers, takes a write (inside a
transaction that is rolled back), carries the schema this version needs, and the disk where the
data lives has more free space than the floor (``KINTRACE_MIN_FREE_DISK_MB``). It answers 200 or
503 with the failed checks by name, never with a message from the database.

A database that cannot write (disk full, read-only file or server, I/O error) makes intake
answer 503 with a sentence the family can act on, logs the cause as a code, and closes the
pooled connections so the next request opens fresh ones: when space or permission returns, the
service takes enquiries again without a restart. Nothing is acknowledged before its commit, so
nothing acknowledged is lost.
"""

from __future__ import annotations

import shutil
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from starlette.responses import Response

from kintrace.logging import get_logger
from kintrace.web.admission import SurgeSettings
from kintrace.web.deps import SessionDep, require
from kintrace.web.i18n import N_

router = APIRouter(include_in_schema=False)
log = get_logger("kintrace.web.ops")

STORAGE_SENTENCE = N_(
    "We could not save this just now: the service's storage is full or cannot be written. "
    "Nothing has been saved. Please try again in a few minutes."
)
# SQLite primary result codes (the low byte of the extended code) and PostgreSQL SQLSTATEs.
_SQLITE_CAUSES = {
    sqlite3.SQLITE_FULL: "disk_full",
    sqlite3.SQLITE_READONLY: "read_only",
    sqlite3.SQLITE_IOERR: "io_error",
    sqlite3.SQLITE_CANTOPEN: "cannot_open",
}
_POSTGRES_CAUSES = {
    "53100": "disk_full",
    "53000": "insufficient_resources",
    "25006": "read_only",
    "58030": "io_error",
}


def storage_cause(exc: BaseException) -> str | None:
    """A code for a database error that means "cannot store now", or None for other errors."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_CAUSES.get(code & 0xFF)
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _POSTGRES_CAUSES.get(sqlstate)
    return None


@router.get("/healthz", dependencies=[require("public.health.check")])
async def healthz() -> JSONResponse:
    """The process is alive and its event loop answers (no database: that is /readyz)."""
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})


@router.get("/readyz", dependencies=[require("public.health.check")])
def readyz(request: Request, session: SessionDep) -> JSONResponse:
    # The checks run on the request's own session, the one that already looked up a signed-in
    # staff member: if that session holds SQLite's write lock (taken at its first write, see
    # kintrace.db.engine), a second connection here would wait it out and report "not
    # writable" to anyone carrying a staff cookie.
    surge = SurgeSettings()
    checks: dict[str, bool] = {}
    try:
        conn = session.connection()
        checks["database"] = conn.exec_driver_sql("SELECT 1").scalar() == 1
        # A write that changes nothing, rolled back: fails on a read-only file or server.
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
            checks["writable"] = True
        except DBAPIError as exc:
            log.warning("not_ready", check="writable", cause=storage_cause(exc))
            checks["writable"] = False
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        checks["schema"] = version == _head_revision()
    except DBAPIError as exc:
        log.warning("not_ready", check="database", cause=storage_cause(exc) or "unreachable")
        checks.setdefault("database", False)
        checks.setdefault("writable", False)
        checks.setdefault("schema", False)
    finally:
        session.rollback()
    free_mb = shutil.disk_usage(_data_path(request)).free // (1024 * 1024)
    checks["disk"] = free_mb >= surge.min_free_disk_mb
    ready = all(checks.values())
    body: dict[str, Any] = {"status": "ready" if ready else "not_ready", "checks": checks}
    admission = getattr(request.app.state, "admission", None)
    if admission is not None:
        body["in_flight"] = admission.in_flight
        body["queued"] = admission.queued
    return JSONResponse(body, status_code=200 if ready else 503)


@lru_cache(maxsize=1)
def _head_revision() -> str | None:
    from kintrace.db.migrate import head_revision

    return head_revision()


def _data_path(request: Request) -> Path:
    engine: Engine = request.app.state.engine
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    path = Path(database).parent if database else Path(request.app.state.settings.data_dir)
    # Walk up to a folder that exists (a PostgreSQL-only instance may have no data dir yet).
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


async def _storage_error(request: Request, exc: Exception) -> Response:
    from kintrace.web.errors import error_response

    cause = storage_cause(exc)
    if cause is None:
        # Not about storage: the same calm 500 as any other unexpected error.
        log.error("database_error", error=type(exc).__name__, route=request.url.path)
        return error_response(request, 500)
    log.error("storage_unavailable", cause=cause, route=request.url.path)
    # Pooled connections may keep a read-only handle or a stale limit; fresh ones see the disk
    # as it is now, so the service recovers by itself once space or permission is back.
    request.app.state.engine.dispose()
    retry_after = str(SurgeSettings().retry_after_s * 6)
    return error_response(request, 503, STORAGE_SENTENCE, headers={"Retry-After": retry_after})


def install(app: FastAPI) -> None:
    """Add /healthz, /readyz and the storage-error answer to the app (one line in create_app)."""
    app.include_router(router)
    app.add_exception_handler(DBAPIError, _storage_error)
