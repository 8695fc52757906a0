"""Throttling of guesses (issue 6 items 2 and 3): staff passwords and enquirers' secrets.

Failed attempts are counted per bucket in the database (``throttle_hit``), so every web worker
sees the same count. A bucket is a keyed hash of what is counted, e.g. ``login-account`` +
an e-mail, or ``address`` + a client address: neither is stored in the clear.

Only failures count. A family who reads its status page every hour, or a caseworker who signs
in on three devices, never meets the limit; someone guessing does, after ``attempts``
failures within ``window``. While a bucket is full every attempt is refused before it is
checked, so a right guess is refused too and the limit really bounds the guesses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.db.models_security import ThrottleHit
from kintrace.keys import Keys


def _utcnow() -> datetime:
    return datetime.now(UTC)


# Tests move time forward by replacing this.
clock: Callable[[], datetime] = _utcnow


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``attempts`` failures per ``window`` in one bucket."""

    attempts: int
    window: timedelta


# Issue 6 item 2: at most 6 attempts per minute per account and per address.
STAFF_LOGIN = Limit(attempts=6, window=timedelta(minutes=1))
# Issue 6 item 3: guessing a secret, from one address or against one reference. A family that
# mistypes its codes a few times is not stopped; a guesser gets 10 tries a minute, i.e. nothing
# against an 80-bit secret.
ENQUIRER_LOOKUP = Limit(attempts=10, window=timedelta(minutes=1))


def bucket(keys: Keys, kind: str, value: str) -> str:
    """The stored name of a bucket: HMAC of kind and value (64 hex digits)."""
    return keys.hmac(f"{kind}\x00{value}".encode()).hex()


class Throttle:
    """Asks and counts failed attempts for one ``Limit``, in the caller's session (on SQLite a
    second session would wait for the request's own write lock). The caller commits the
    counted failure, also when it refuses the request.
    """

    def __init__(self, keys: Keys, limit: Limit) -> None:
        self.keys = keys
        self.limit = limit

    def _buckets(self, subjects: Iterable[tuple[str, str]]) -> list[str]:
        return [bucket(self.keys, kind, value) for kind, value in subjects if value]

    def retry_after(self, session: Session, subjects: Iterable[tuple[str, str]]) -> int | None:
        """Seconds to wait when any of the buckets is full, else None."""
        buckets = self._buckets(subjects)
        if not buckets:
            return None
        now = clock()
        since = now - self.limit.window
        rows = session.execute(
            sa.select(ThrottleHit.bucket, sa.func.count(), sa.func.min(ThrottleHit.at))
            .where(ThrottleHit.bucket.in_(buckets), ThrottleHit.at > since)
            .group_by(ThrottleHit.bucket)
        ).all()
        waits = [
            (oldest + self.limit.window - now).total_seconds()
            for _, count, oldest in rows
            if count >= self.limit.attempts
        ]
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def failed(self, session: Session, subjects: Iterable[tuple[str, str]]) -> None:
        """Count one failed attempt in each bucket (and forget attempts long past)."""
        buckets = self._buckets(subjects)
        if not buckets:
            return
        now = clock()
        session.execute(
            sa.delete(ThrottleHit).where(
                ThrottleHit.bucket.in_(buckets), ThrottleHit.at <= now - self.limit.window
            )
        )
        session.add_all(ThrottleHit(bucket=name, at=now) for name in buckets)
