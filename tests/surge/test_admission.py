"""Admission control on a real server on loopback: a bounded number of requests at work, a bounded
queue, an immediate 503 (or 429 per client) with Retry-After in the family's language beyond
that, and recovery by itself once the load is gone."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.factories import enquiry_payload, make_settings

from kintrace.db import upgrade
from kintrace.web.app import create_app

BODY = json.dumps(enquiry_payload()).encode()


@pytest.fixture
def small_server(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, live_server: Callable[[Any], str]
) -> Callable[..., tuple[str, Any]]:
    def start(**limits: object) -> tuple[str, Any]:
        for name, value in limits.items():
            monkeypatch.setenv(f"KINTRACE_{name.upper()}", str(value))
        settings = make_settings(data_dir, f"sqlite:///{data_dir / 'kintrace.db'}")
        upgrade(settings)
        app = create_app(settings)
        return live_server(app), app

    return start


@contextmanager
def slow_posts(
    base_url: str, count: int, key_prefix: str = "slow"
) -> Iterator[list[socket.socket]]:
    """``count`` enquiries whose bodies are stuck half-way up a slow line: each holds a place
    in the server until the body is finished (the test does that by calling finish())."""
    port = int(base_url.rsplit(":", 1)[1])
    sockets = []
    for index in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        sock.sendall(
            (
                f"POST /api/v1/enquiries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n"
                f"Idempotency-Key: {key_prefix}-{index}\r\n\r\n"
            ).encode()
            + BODY[:50]
        )
        sockets.append(sock)
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def finish(sock: socket.socket) -> str:
    sock.sendall(BODY[50:])
    return sock.recv(65536).decode(errors="replace")


def wait_until(condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the server did not reach the expected state"
        time.sleep(0.02)


def test_beyond_the_queue_a_family_gets_503_with_retry_after_in_its_language_then_service_resumes(
    small_server: Callable[..., tuple[str, Any]],
) -> None:
    url, app = small_server(max_in_flight=2, max_queued=2, queue_wait_s=30, retry_after_s=7)
    stats = app.state.admission
    with slow_posts(url, 2, "busy") as busy:
        wait_until(lambda: stats.in_flight == 2)
        with slow_posts(url, 2, "queued") as queued:
            wait_until(lambda: stats.queued == 2)
            started = time.monotonic()
            page = httpx.get(f"{url}/enquiry", headers={"accept-language": "uk"}, timeout=60)
            api = httpx.post(
                f"{url}/api/v1/enquiries",
                content=BODY,
                headers={"content-type": "application/json", "accept-language": "ru"},
                timeout=60,
            )
            # Refused while every place is still taken: not queued until the 30 s queue wait
            # ran out. (Not a bound of a second or two: on a machine at load 25 the refusal
            # itself took 4.5 s; what a family notices is that it is not left waiting.)
            assert time.monotonic() - started < 15
            assert page.status_code == 503
            assert page.headers["retry-after"] == "7"
            assert "Зараз службою користується дуже багато людей" in page.text
            assert page.headers["content-security-policy"]
            assert api.status_code == 503
            assert api.headers["retry-after"] == "7"
            assert api.json()["detail"].startswith("Сейчас службой пользуется очень много людей")
            # Health probes are never queued behind families.
            assert httpx.get(f"{url}/healthz", timeout=60).status_code == 200
            # The load drops: the requests at work finish, the queued ones get their turn.
            assert all(finish(sock).startswith("HTTP/1.1 201") for sock in busy)
            assert all(finish(sock).startswith("HTTP/1.1 201") for sock in queued)
    wait_until(lambda: stats.in_flight == 0 and stats.queued == 0)
    again = httpx.post(
        f"{url}/api/v1/enquiries",
        content=BODY,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert again.status_code == 201
    assert stats.refused == 2


def test_a_request_that_waited_too_long_in_the_queue_is_told_to_come_back(
    small_server: Callable[..., tuple[str, Any]],
) -> None:
    url, app = small_server(max_in_flight=1, max_queued=5, queue_wait_s=0.5)
    with slow_posts(url, 1):
        wait_until(lambda: app.state.admission.in_flight == 1)
        started = time.monotonic()
        response = httpx.get(f"{url}/", headers={"accept-language": "en"}, timeout=60)
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert "Very many people are using the service right now" in response.text
    # It waited its 0.5 s in the queue, then was answered while the request ahead of it still
    # held the only place (which it does until the test ends): a bound far above 0.5 s, as a
    # loaded machine answers late.
    assert 0.4 < waited < 60


def test_one_client_holding_too_many_requests_gets_429_while_others_are_served(
    small_server: Callable[..., tuple[str, Any]],
) -> None:
    url, app = small_server(max_in_flight=4, per_client=1)
    with slow_posts(url, 1):
        wait_until(lambda: app.state.admission.in_flight == 1)
        response = httpx.get(f"{url}/", headers={"accept-language": "en"}, timeout=60)
    assert response.status_code == 429
    assert "retry-after" in response.headers
    assert "Too many requests" in response.text
    # Its own request done, the same client is served again.
    wait_until(lambda: app.state.admission.in_flight == 0)
    assert httpx.get(f"{url}/", timeout=60).status_code == 200


def test_the_web_process_hands_the_gil_over_as_often_as_the_operator_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from kintrace.web.admission import SurgeSettings, apply_switch_interval

    before = sys.getswitchinterval()
    try:
        # The default: 1 ms, so the group-commit writer gets the GIL back soon after each
        # SQLite call instead of after Python's 5 ms.
        monkeypatch.delenv("KINTRACE_SWITCH_INTERVAL_MS", raising=False)
        apply_switch_interval(SurgeSettings())
        assert sys.getswitchinterval() == pytest.approx(0.001)
        monkeypatch.setenv("KINTRACE_SWITCH_INTERVAL_MS", "2.5")
        apply_switch_interval(SurgeSettings())
        assert sys.getswitchinterval() == pytest.approx(0.0025)
        # 0 leaves Python's own setting alone.
        sys.setswitchinterval(0.005)
        monkeypatch.setenv("KINTRACE_SWITCH_INTERVAL_MS", "0")
        apply_switch_interval(SurgeSettings())
        assert sys.getswitchinterval() == pytest.approx(0.005)
    finally:
        sys.setswitchinterval(before)
