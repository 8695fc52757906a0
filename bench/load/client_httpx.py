"""The previous load client (httpx), kept to measure the light client (client.py) against it:
``run.py --client httpx``. A weighted mix of new enquiries, status reads and staff work-queue
reads from ``concurrency`` simulated users."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

import httpx
from client import LoadResult, OpStats, _staff_cookie


async def _staff_client(
    base_url: str, email: str, password: str, totp_secret: str
) -> httpx.AsyncClient:
    # Signed in the same way as the light client's staff user, then kept as an httpx client.
    cookie = await _staff_cookie(base_url, email, password, totp_secret)
    return httpx.AsyncClient(base_url=base_url, timeout=30, headers={"Cookie": cookie})


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
            if ops[op].record(status, elapsed, failure):
                await asyncio.sleep(0.05)  # a real client would wait Retry-After; keep pressure

    started = time.monotonic()
    try:
        await asyncio.gather(*(user() for _ in range(concurrency)))
    finally:
        await public.aclose()
        if staff_client is not None:
            await staff_client.aclose()
    return LoadResult(time.monotonic() - started, ops)
