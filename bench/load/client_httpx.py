"""The previous load client (httpx), kept to measure the light client (client.py) against it:
``run.py --client httpx``. A weighted mix of new enquiries, status reads and staff work-queue
reads from ``concurrency`` simulated users."""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyotp

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class OpStats:
    ok: int = 0
    refused: int = 0  # 503/429 from admission control or a full disk: told to come back
    errors: int = 0  # anything else: timeouts, 5xx, dropped connections
    latencies_ms: list[float] = field(default_factory=list)
    # What the errors were: an HTTP status, or the client's exception (a dropped keep-alive
    # connection is a client-side RemoteProtocolError the server never logs).
    error_kinds: dict[str, int] = field(default_factory=dict)

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


async def _staff_client(
    base_url: str, email: str, password: str, totp_secret: str
) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
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
    return client


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
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    public = httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits)
    staff_client = await _staff_client(base_url, *staff) if staff and "staff" in mix else None
    sent = 0
    deadline = time.monotonic() + seconds

    async def one(op: str) -> int:
        if op == "enquiry":
            response = await public.post(
                "/api/v1/enquiries",
                json=rng.choice(payloads),
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
        elif op == "status":
            sample = rng.choice(samples or [])
            response = await public.get(
                f"/api/v1/enquiries/{sample['reference']}",
                headers={"X-Enquiry-Secret": sample["secret"]},
            )
        else:
            assert staff_client is not None
            response = await staff_client.get("/staff/cases")
        return response.status_code

    async def user() -> None:
        nonlocal sent
        while time.monotonic() < deadline and sent < max_requests:
            sent += 1
            op = rng.choices(names, weights)[0]
            started = time.perf_counter()
            failure = None
            try:
                status = await one(op)
            except httpx.HTTPError as exc:
                status, failure = 0, type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            stats = ops[op]
            if 200 <= status < 300:
                stats.ok += 1
                stats.latencies_ms.append(elapsed)
            elif status in (429, 503):
                stats.refused += 1
                await asyncio.sleep(0.05)  # a real client would wait Retry-After; keep pressure
            else:
                stats.errors += 1
                kind = failure or str(status)
                stats.error_kinds[kind] = stats.error_kinds.get(kind, 0) + 1

    started = time.monotonic()
    try:
        await asyncio.gather(*(user() for _ in range(concurrency)))
    finally:
        await public.aclose()
        if staff_client is not None:
            await staff_client.aclose()
    return LoadResult(time.monotonic() - started, ops)
