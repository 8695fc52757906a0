"""Helpers for the surge and fault-tolerance tests: a real ``kintrace serve`` in a subprocess on
loopback, and a JSON-log capture."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import structlog
from tests.conftest import free_port
from tests.web.conftest import Web, build_web, sqlite_web, web  # noqa: F401  (shared fixtures)

from kintrace.logging import configure_logging

# `kintrace serve`, with the crash tests' shorter stale-claim time (see that file).
SERVE = Path(__file__).with_name("serve_main.py")


@dataclass
class Server:
    """One ``kintrace serve`` process on a free loopback port."""

    data_dir: Path
    database_url: str | None
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        # The whole process group: with --workers the uvicorn workers die with their parent,
        # as they would when the machine loses power.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(
    data_dir: Path,
    database_url: str | None = None,
    *,
    stale_claim_s: float = -1,
    env: dict[str, str] | None = None,
    port: int | None = None,
    workers: int = 1,
) -> Server:
    # A port of our choosing is free when chosen but may be taken (by another xdist worker)
    # before the child binds it: then start again on a fresh one. A given port is kept.
    for attempt in range(3):
        try:
            return _start_server_once(
                data_dir, database_url, stale_claim_s, env, port or free_port(), workers
            )
        except _PortTaken:
            if port is not None or attempt == 2:
                raise
    raise AssertionError("unreachable")


class _PortTaken(RuntimeError):
    pass


def _start_server_once(
    data_dir: Path,
    database_url: str | None,
    stale_claim_s: float,
    env: dict[str, str] | None,
    port: int,
    workers: int,
) -> Server:
    environment = {
        **os.environ,
        "KINTRACE_ENVIRONMENT": "test",
        "KINTRACE_DATA_DIR": str(data_dir),
        "KINTRACE_TEST_STALE_CLAIM_S": str(stale_claim_s),
        **(env or {}),
    }
    if database_url:
        environment["KINTRACE_DATABASE_URL"] = database_url
    log_path = data_dir.parent / f"serve-{port}-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, str(SERVE), "--port", str(port), "--workers", str(workers)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=environment,
            # Its own process group, so that kill() reaches the workers too.
            start_new_session=True,
        )
    server = Server(data_dir, database_url, port, process, log_path)
    # Generous: on a busy 2-core machine importing the service alone can take half a minute.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = server.log()
            error = _PortTaken if "address already in use" in log.lower() else RuntimeError
            raise error(f"kintrace serve exited at start:\n{log}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"kintrace serve did not answer within 120 seconds:\n{server.log()}")


@pytest.fixture
def serve() -> Iterator[object]:
    """``serve(data_dir, database_url=None, ...) -> Server``; every server is stopped after."""
    started: list[Server] = []

    def start(*args: object, **kwargs: object) -> Server:
        server = start_server(*args, **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.kill()


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Everything logged during the test, as the JSON lines ``kintrace serve`` writes."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    saved_structlog = structlog.get_config()
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers, level = saved
        root.setLevel(level)
        structlog.configure(**saved_structlog)


@pytest.fixture
def group_commit() -> str | None:
    """KINTRACE_GROUP_COMMIT for ``surge_web`` (None: unset); tests parametrize it."""
    return None


def _with_group_commit(monkeypatch: pytest.MonkeyPatch, group_commit: str | None) -> None:
    if group_commit is None:
        monkeypatch.delenv("KINTRACE_GROUP_COMMIT", raising=False)
    else:
        monkeypatch.setenv("KINTRACE_GROUP_COMMIT", group_commit)


@pytest.fixture
def surge_web(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch, group_commit: str | None
) -> Iterator[Web]:
    """The web app built after KINTRACE_GROUP_COMMIT is set: the app reads its SurgeSettings
    once, when it is built (a change to the variable afterwards does not reach it)."""
    _with_group_commit(monkeypatch, group_commit)
    yield from build_web(data_dir, database_url)


@pytest.fixture
def surge_sqlite_web(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, group_commit: str | None
) -> Iterator[Web]:
    """``surge_web`` on SQLite only (``sqlite_web``'s database)."""
    _with_group_commit(monkeypatch, group_commit)
    yield from build_web(data_dir, f"sqlite:///{tmp_path / 'web.sqlite3'}")
