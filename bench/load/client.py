"""A light asyncio load client: a weighted mix of new enquiries (JSON API, each with its own
Idempotency-Key and its own content), status reads (reference + secret) and staff work-queue
reads (signed in), from ``concurrency`` simulated users, for ``seconds`` or ``max_requests``,
whichever comes first.

The client is not the system under test, but on a 2-core machine it shares the cores with the
server: with httpx it spent ~5 ms of CPU per request, more than the server it measured. So each
user keeps one HTTP/1.1 keep-alive connection over raw asyncio streams (uvloop when installed),
requests are bytes built ahead of time (only the idempotency key and a sequence number in the
content are spliced in per request), and an answer is read as a status line, headers and a
Content-Length (or chunked) body — nothing else is parsed. The same client measures the
baseline and kintrace, so their ratio stays fair (run.py reports its CPU per request).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyotp

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# Stands in a prepared body for the per-request part of an enquiry's content (a sequence number
# in the enquirer's e-mail), so no two enquiries carry the same content.
SEQ_MARK = b"@@SEQ@@"
# Below uvicorn's keep-alive timeout (5 s), so no request is written into a closing connection.
IDLE_REOPEN_S = 4.0


@dataclass
class OpStats:
    ok: int = 0
    refused: int = 0  # 503/429 from admission control or a full disk: told to come back
    errors: int = 0  # anything else: timeouts, 5xx, dropped connections
    latencies_ms: list[float] = field(default_factory=list)
    # What the errors were: an HTTP status, or the client's exception (a dropped keep-alive
    # connection is a client-side error the server never logs).
    error_kinds: dict[str, int] = field(default_factory=dict)

    def record(self, status: int, elapsed_ms: float, failure: str | None) -> bool:
        """Count one answer (status 0: the client's own failure); True when it was refused,
        so the caller waits a little before the next request."""
        if 200 <= status < 300:
            self.ok += 1
            self.latencies_ms.append(elapsed_ms)
        elif status in (429, 503):
            self.refused += 1
            return True
        else:
            self.errors += 1
            kind = failure or str(status)
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
        return False

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)

        def pct(p: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "ok": self.ok,
            "per_s": round(self.ok / seconds, 1) if seconds else 0.0,
            "refused": self.refused,
            "errors": self.errors,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            **({"error_kinds": self.error_kinds} if self.error_kinds else {}),
        }


@dataclass
class LoadResult:
    seconds: float
    ops: dict[str, OpStats]

    def summary(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 1),
            **{name: stats.summary(self.seconds) for name, stats in self.ops.items()},
        }


async def _staff_cookie(base_url: str, email: str, password: str, totp_secret: str) -> str:
    """Sign the bench caseworker in (with httpx: once, not measured); the Cookie header."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        page = await client.get("/staff/login")
        token = CSRF_RE.search(page.text)
        if token is None:
            raise RuntimeError("The staff sign-in page has no CSRF token.")
        answer = await client.post(
            "/staff/login",
            data={
                "email": email,
                "password": password,
                "code": pyotp.TOTP(totp_secret).now(),
                "csrf_token": token.group(1),
                "next": "/staff",
            },
        )
        if answer.status_code != 303:
            raise RuntimeError(f"The bench caseworker could not sign in ({answer.status_code}).")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


class ConnectionLost(Exception):
    """The server closed the keep-alive connection, or sent what is not HTTP/1.1."""


class Connection:
    """One keep-alive HTTP/1.1 connection; reopened when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def request(self, raw: bytes) -> int:
        # A connection the server closed while it was idle (uvicorn closes keep-alive
        # connections after 5 s) is reopened before use, as browsers and httpx do: the staff
        # user's connection waits longest between its requests.
        if self.reader is not None and (
            self.reader.at_eof() or time.monotonic() - self.used > IDLE_REOPEN_S
        ):
            self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.used = time.monotonic()
        try:
            self.writer.write(raw)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.close()
            raise ConnectionLost(type(exc).__name__) from exc
        # "HTTP/1.1 201 Created\r\n..." — the status, then only the headers that frame the body.
        try:
            status = int(head[9:12])
        except ValueError as exc:
            self.close()
            raise ConnectionLost("BadStatusLine") from exc
        lower = head.lower()
        length = 0
        at = lower.find(b"\r\ncontent-length:")
        try:
            if at >= 0:
                end = lower.index(b"\r\n", at + 2)
                length = int(lower[at + 17 : end])
                if length:
                    await self.reader.readexactly(length)
            elif b"\r\ntransfer-encoding: chunked" in lower:
                await self._read_chunked()
        except (OSError, asyncio.IncompleteReadError) as exc:
            self.close()
            raise ConnectionLost(type(exc).__name__) from exc
        if b"\r\nconnection: close" in lower:
            self.close()
        return status

    async def _read_chunked(self) -> None:
        assert self.reader is not None
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _request(method: str, target: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class EnquiryRequests:
    """Prepared POST /api/v1/enquiries requests: per payload, the bytes before the key, between
    the key and the body's sequence number, and after it. Content-Length is fixed because the
    key (32 hex digits) and the sequence number (12 digits) have fixed widths."""

    def __init__(self, payloads: list[dict[str, Any]], host: str) -> None:
        self.parts: list[tuple[bytes, bytes, bytes]] = []
        for payload in payloads:
            body = json.dumps(payload, ensure_ascii=False).encode()
            email = payload["enquirer"]["email"].encode()
            local, _, domain = email.partition(b"@")
            body = body.replace(email, local + b"+" + SEQ_MARK + b"@" + domain, 1)
            length = len(body) - len(SEQ_MARK) + 12
            head = (
                "POST /api/v1/enquiries HTTP/1.1\r\n"
                f"Host: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {length}\r\nIdempotency-Key: "
            ).encode()
            before, _, after = body.partition(SEQ_MARK)
            self.parts.append((head, b"\r\n\r\n" + before, after))

    def build(self, index: int, seq: int) -> bytes:
        head, before, after = self.parts[index]
        return b"".join((head, uuid.uuid4().hex.encode(), before, b"%012d" % seq, after))


async def run_load(
    base_url: str,
    *,
    seconds: float,
    concurrency: int,
    mix: dict[str, float],
    payloads: list[dict[str, Any]],
    samples: list[dict[str, str]] | None = None,
    staff: tuple[str, str, str] | None = None,
    max_requests: int = 10_000_000,
    seed: int = 1,
) -> LoadResult:
    rng = random.Random(seed)
    ops = {name: OpStats() for name in mix}
    names, weights = list(mix), list(mix.values())
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    hostport = f"{host}:{port}"
    enquiries = EnquiryRequests(payloads, hostport)
    statuses = [
        _request(
            "GET",
            f"/api/v1/enquiries/{s['reference']}",
            hostport,
            {"X-Enquiry-Secret": s["secret"]},
            b"",
        )
        for s in (samples or [])
    ]
    staff_request = b""
    if staff and "staff" in mix:
        cookie = await _staff_cookie(base_url, *staff)
        staff_request = _request("GET", "/staff/cases", hostport, {"Cookie": cookie}, b"")
    sent = 0
    deadline = time.monotonic() + seconds

    async def user() -> None:
        nonlocal sent
        public, staff_conn = Connection(host, port), Connection(host, port)
        try:
            while time.monotonic() < deadline and sent < max_requests:
                sent += 1
                op = rng.choices(names, weights)[0]
                if op == "enquiry":
                    raw, conn = enquiries.build(rng.randrange(len(payloads)), sent), public
                elif op == "status":
                    raw, conn = rng.choice(statuses), public
                else:
                    raw, conn = staff_request, staff_conn
                started = time.perf_counter()
                failure = None
                try:
                    status = await asyncio.wait_for(conn.request(raw), 30)
                except (ConnectionLost, OSError, TimeoutError) as exc:
                    conn.close()
                    status, failure = 0, str(exc) or type(exc).__name__
                elapsed = (time.perf_counter() - started) * 1000
                if ops[op].record(status, elapsed, failure):
                    await asyncio.sleep(0.05)  # a real client would wait Retry-After
        finally:
            public.close()
            staff_conn.close()

    started = time.monotonic()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    return LoadResult(time.monotonic() - started, ops)


def run(coroutine: Any) -> Any:
    """Run the load on uvloop when it is installed (less CPU per request), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)
