"""Shared fixtures for the whole suite.

Databases
    ``database_url``
        The URL of a fresh, empty database for one test, parametrised over ``sqlite`` (a file in
        the test's tmp_path) and ``postgresql`` (a database with a unique name created on the
        server named by ``KINTRACE_TEST_POSTGRES_URL`` and dropped afterwards). Every database
        test therefore runs on both. ``scripts/with-postgres CMD`` starts a throwaway server and
        sets the variable; ``scripts/test`` does that for you. Without the variable the
        postgresql case is skipped locally (with the reason) but FAILS when ``CI=true``.
        Select one side with ``-k sqlite`` / ``-k postgresql`` or ``-m "not postgres"``.
    ``data_dir``
        An empty data directory (``tmp_path / "kintrace-data"``), for ``--data-dir``.

Browser (real Chromium at /usr/bin/chromium driven by Playwright; marked ``browser``)
    ``chromium_browser``
        One headless browser per test session (per xdist worker), with its own empty profile.
    ``browser_locale``
        The locale of ``page`` (default ``en-GB``); override it per test with
        ``@pytest.mark.parametrize("browser_locale", ["uk-UA"])``. It sets Accept-Language.
    ``page``
        A page in a fresh browser context per test (no cookies shared between tests). When the
        test fails, a screenshot is saved to ``test-artifacts/screenshots/``.
    ``axe``
        ``axe(page) -> list[dict]``: runs axe-core (pinned, bundled by the
        ``axe-playwright-python`` package) with the WCAG 2.x A/AA rules and returns the
        violations as axe reports them.
    ``assert_accessible``
        ``assert_accessible(page)``: fails with a readable list when axe finds a serious or
        critical violation.
    ``screenshot``
        ``screenshot(page, name) -> Path``: saves ``test-artifacts/screenshots/NAME.png``.
    ``live_server``
        ``live_server(app) -> base_url``: serves an ASGI app with uvicorn in a background thread
        on a free loopback port until the test ends.

Mail
    ``smtp_server``
        An aiosmtpd server on loopback; ``.host``, ``.port`` and ``.messages`` (a list of
        ``email.message.EmailMessage`` with ``.mail_from`` and ``.rcpt_tos`` attributes).
"""

from __future__ import annotations

import email
import email.policy
import os
import random
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally, but fail in CI: a missing service must never pass CI silently."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A free port on 127.0.0.1 for a server that binds it a moment later (often seconds, in
    a child process). Chosen below the kernel's ephemeral range: bind(0) picks from that range,
    where the kernel also picks the local port of every outgoing connection (the suite's
    PostgreSQL and HTTP clients), so one of those could take the port before the server binds."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    pick = random.SystemRandom()  # not the seeded `random`: xdist workers must not pick alike
    for _ in range(200):
        port = pick.randrange(10_000, max(low, 10_001))
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use
            return port
    with socket.socket() as sock:  # a crowded range: fall back to the kernel's pick
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- databases ------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "kintrace-data"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def postgres_admin_engine() -> Iterator[Any]:
    url = os.environ.get("KINTRACE_TEST_POSTGRES_URL")
    if not url:
        skip_or_fail(
            "KINTRACE_TEST_POSTGRES_URL is not set; run the tests through scripts/with-postgres "
            "(scripts/test does) to include PostgreSQL"
        )
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    # AUTOCOMMIT because CREATE/DROP DATABASE cannot run inside a transaction.
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kintrace-test.sqlite3'}"
        return

    from sqlalchemy import text

    admin = request.getfixturevalue("postgres_admin_engine")
    name = f"kt_test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            # FORCE: a test that leaked a connection must not leave the database behind.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- browser --------------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Keep each phase's report on the item so `page` can tell, at teardown, that the test failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is missing; scripts/test installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a new, empty, temporary user-data-dir of its own.
        browser = playwright.chromium.launch(  # 2 min: only a browser that never starts waits
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=120_000
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _save_screenshot(page: Any, name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screenshot"
    path = ARTIFACTS / "screenshots" / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def page(
    chromium_browser: Any, browser_locale: str, request: pytest.FixtureRequest
) -> Iterator[Any]:
    context = chromium_browser.new_context(locale=browser_locale, timezone_id="UTC")
    # A minute: only a missing element waits that long. Ten seconds left little room for a
    # page load beside PostgreSQL, Spark and the other test workers on CI's two cores.
    context.set_default_timeout(60_000)
    browser_page = context.new_page()
    try:
        yield browser_page
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            try:
                _save_screenshot(browser_page, f"FAILED-{request.node.nodeid}")
            except Exception:  # the screenshot is a courtesy; never mask the real failure
                pass
        context.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    return _save_screenshot


@pytest.fixture(scope="session")
def axe() -> Callable[[Any], list[dict[str, Any]]]:
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def run(page: Any) -> list[dict[str, Any]]:
        results = engine.run(
            page,
            options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
        )
        return list(results.response["violations"])

    return run


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(map(str, node.get("target", []))) for node in violation["nodes"]]
        shown = "; ".join(targets[:5]) + (" …" if len(targets) > 5 else "")
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(targets)} element(s): {shown}] {violation.get('helpUrl', '')}"
        )
    return "\n".join(lines)


@pytest.fixture
def assert_accessible(
    axe: Callable[[Any], list[dict[str, Any]]],
) -> Callable[[Any], None]:
    def check(page: Any) -> None:
        bad = [v for v in axe(page) if v.get("impact") in {"serious", "critical"}]
        if bad:
            pytest.fail(
                f"axe-core found {len(bad)} serious or critical accessibility violation(s) on "
                f"{page.url}:\n{describe_violations(bad)}",
                pytrace=False,
            )

    return check


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], str]]:
    import uvicorn

    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: Any) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="auto", access_log=False)
        server = uvicorn.Server(config)
        # Handing uvicorn the bound socket leaves no gap for another process to take the port.
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 120  # only a server that never starts waits this long
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The live test server did not start within 120 seconds.")
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


# --- mail -----------------------------------------------------------------------------------


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.mail_from = envelope.mail_from  # type: ignore[attr-defined]
        message.rcpt_tos = list(envelope.rcpt_tos)  # type: ignore[attr-defined]
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def pytest_sessionstart(session: pytest.Session) -> None:
    # Old screenshots would be mistaken for this run's; only the controller process clears them.
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(ARTIFACTS / "screenshots", ignore_errors=True)
