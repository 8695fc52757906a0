"""Idempotency-Key handling: the first 201 answer, sealed, kept for 24 hours.

How a request handler uses it (the order matters for correctness under concurrency)::

    stored = claim(sessionmaker, scope="enquiries", key=key, body=raw_body, keys=keys)
    if stored is not None:
        return stored.status_code, stored.body          # replay of the first answer
    try:
        with sessionmaker.begin() as session:           # one transaction for the work…
            receipt = submit_enquiry(session, data, channel="api", keys=keys)
            body = render(receipt)
            store_answer(session, scope="enquiries", key=key,
                         answer=StoredAnswer(201, body), subject_id=receipt.enquiry_id, keys=keys)
        # …committed together: the enquiry never exists without its stored answer.
    except BaseException:
        release(sessionmaker, scope="enquiries", key=key)  # a retry may try again
        raise
    return 201, body

`claim` inserts the in-flight row in its own committed transaction; the unique constraint on
(scope, key) makes exactly one of two concurrent requests win, on SQLite and PostgreSQL alike.
The loser sees IdempotencyInFlight (web: 409) or, once the winner committed, its answer.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kintrace import audit
from kintrace.audit.events import EnquiryAnswerReplayed
from kintrace.db.models import IdempotencyRecord
from kintrace.errors import IdempotencyInFlight, IdempotencyKeyReused
from kintrace.keys import Keys

DEFAULT_TTL = timedelta(hours=24)
# An in-flight claim older than this belongs to a request that died (crash, killed worker);
# a retry may take it over rather than getting 409 for a whole day.
STALE_IN_FLIGHT = timedelta(seconds=60)
MAX_KEY_LENGTH = 255

IN_FLIGHT = "in_flight"
COMPLETE = "complete"
# session.info key of a claim_in() whose row store_answer() will insert.
_PENDING = "kintrace.idempotency.pending"


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: bytes


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _associated(scope: str, key: str, digest: str) -> bytes:
    # Binds a sealed answer to its key and body: it cannot be moved to another row.
    return f"{scope}\x00{key}\x00{digest}".encode()


def claim(
    sessions: sessionmaker[Session],
    *,
    scope: str,
    key: str,
    body: bytes,
    keys: Keys,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> StoredAnswer | None:
    """Claim `key` for this request (None: go ahead), or return the first request's answer.

    Raises IdempotencyKeyReused for the same key with another body, IdempotencyInFlight
    while the first request with this key is still running.
    """
    check_key(key)
    digest = request_hash(body)
    for _attempt in range(2):
        try:
            with sessions.begin() as session:
                return _claim_once(session, scope, key, digest, keys, ttl, now or _now())
        except IntegrityError:
            # Another request inserted the same key between our read and our insert; its
            # row is committed now, so reading again tells us what to answer.
            continue
    raise IdempotencyInFlight()


def check_key(key: str) -> None:
    """Raise ValueError for a key that is empty or too long (the web answers 422)."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"An Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters long.")


def claim_in(
    session: Session,
    *,
    scope: str,
    key: str,
    body: bytes,
    keys: Keys,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> StoredAnswer | None:
    """`claim` inside the caller's transaction, for a caller that does the work and
    `store_answer` in that same transaction (the group-commit writer): the claim is then never
    visible on its own, so no in-flight row can outlive a crash and nothing needs releasing.
    Concurrent claims of one key are serialised by the single writer (and, across processes,
    by the unique constraint: the loser gets IntegrityError and may call `claim`)."""
    check_key(key)
    return _claim_once(
        session, scope, key, request_hash(body), keys, ttl, now or _now(), insert_claim=False
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _claim_once(
    session: Session,
    scope: str,
    key: str,
    digest: str,
    keys: Keys,
    ttl: timedelta,
    now: datetime,
    *,
    insert_claim: bool = True,
) -> StoredAnswer | None:
    # Answers hold secrets: none may outlive its day, even if no retry ever comes.
    purge_expired(session, now=now)
    row = session.scalar(
        sa.select(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        .with_for_update()
    )
    if row is not None and row.expires_at <= now:
        session.delete(row)
        session.flush()
        row = None
    if row is None and not insert_claim:
        # The work and its answer follow in this same transaction: store_answer inserts the
        # row complete, and the unique (scope, key) still refuses a concurrent twin. Two
        # statements fewer per enquiry (no in-flight insert, no read and update of it).
        session.info[_PENDING, scope, key] = (digest, now, ttl)
        return None
    if row is None:
        session.add(
            IdempotencyRecord(
                scope=scope,
                key=key,
                request_hash=digest,
                state=IN_FLIGHT,
                created_at=now,
                expires_at=now + ttl,
            )
        )
        session.flush()
        return None
    if row.request_hash != digest:
        raise IdempotencyKeyReused()
    if row.state == COMPLETE and row.sealed_response is not None:
        body = keys.open(row.sealed_response, _associated(scope, key, digest))
        if row.subject_id is not None:
            audit.record(
                session, EnquiryAnswerReplayed(actor_kind="enquirer", subject_id=row.subject_id)
            )
        return StoredAnswer(status_code=row.status_code or 200, body=body)
    if now - row.created_at > STALE_IN_FLIGHT:
        row.created_at = now
        return None
    raise IdempotencyInFlight()


def store_answer(
    session: Session,
    *,
    scope: str,
    key: str,
    answer: StoredAnswer,
    keys: Keys,
    subject_id: int | None = None,
) -> None:
    """Keep the answer, sealed, in the caller's transaction (commit it with the work)."""
    pending = session.info.pop((_PENDING, scope, key), None)
    if pending is not None:
        digest, created_at, ttl = pending
        session.add(
            IdempotencyRecord(
                scope=scope,
                key=key,
                request_hash=digest,
                state=COMPLETE,
                status_code=answer.status_code,
                subject_id=subject_id,
                sealed_response=keys.seal(answer.body, _associated(scope, key, digest)),
                created_at=created_at,
                expires_at=created_at + ttl,
            )
        )
        session.flush()
        return
    row = session.scalar(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if row is None:
        raise RuntimeError("store_answer() needs a key claimed with claim() first.")
    row.state = COMPLETE
    row.status_code = answer.status_code
    row.subject_id = subject_id
    row.sealed_response = keys.seal(answer.body, _associated(scope, key, row.request_hash))
    session.flush()


def release(sessions: sessionmaker[Session], *, scope: str, key: str) -> None:
    """Give up an in-flight claim whose request failed, so a retry can run at once."""
    with sessions.begin() as session:
        session.execute(
            sa.delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope,
                IdempotencyRecord.key == key,
                IdempotencyRecord.state == IN_FLIGHT,
            )
        )


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Delete answers older than their time to live; returns how many went."""
    result = session.execute(
        sa.delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= (now or _now()))
    )
    return int(getattr(result, "rowcount", 0) or 0)


# How often the group-commit writer's bulk store purges (per process; see
# kintrace.intake.enquiries.store_enquiry_batch). Tests set it to 0.
PURGE_EVERY_S = 60.0
_purged_at: float | None = None


def purge_expired_now_and_then(session: Session) -> int:
    """`purge_expired`, unless this process did so less than `PURGE_EVERY_S` ago."""
    global _purged_at
    now = time.monotonic()
    if _purged_at is not None and now - _purged_at < PURGE_EVERY_S:
        return 0
    _purged_at = now
    return purge_expired(session)


@dataclass(frozen=True)
class PreparedAnswer:
    """The first answer to a key, sealed in the request's thread, for `insert_answers`."""

    scope: str
    key: str
    request_hash: str
    answer: StoredAnswer
    sealed: bytes


def prepare_answer(
    *, scope: str, key: str, body: bytes, answer: StoredAnswer, keys: Keys
) -> PreparedAnswer:
    """Seal `answer` for the request `body` sent with `key`, before the writer stores it."""
    check_key(key)
    digest = request_hash(body)
    sealed = keys.seal(answer.body, _associated(scope, key, digest))
    return PreparedAnswer(scope, key, digest, answer, sealed)


# Built once (see kintrace.intake.enquiries._INSERT_ENQUIRIES): the writer runs them per batch.
_KEYS_TAKEN = sa.select(IdempotencyRecord.__table__.c["key"]).where(
    IdempotencyRecord.__table__.c.scope == sa.bindparam("scope"),
    IdempotencyRecord.__table__.c["key"].in_(sa.bindparam("keys", expanding=True)),
)
_INSERT_ANSWERS = sa.insert(IdempotencyRecord.__table__)


def keys_taken(session: Session, scope: str, keys: list[str]) -> set[str]:
    """Which of `keys` already have a row in `scope` (one statement for a whole batch)."""
    if not keys:
        return set()
    found = session.connection().execute(_KEYS_TAKEN, {"scope": scope, "keys": keys})
    return set(found.scalars())


def insert_answers(
    session: Session,
    answers: list[tuple[PreparedAnswer, int]],
    *,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> None:
    """Insert complete rows for (answer, subject id) pairs whose keys were free
    (`keys_taken`); a key taken meanwhile by another process fails the whole insert with
    IntegrityError, as one `store_answer` would."""
    if not answers:
        return
    created_at = now or _now()
    session.connection().execute(
        _INSERT_ANSWERS,
        [
            {
                "scope": prepared.scope,
                "key": prepared.key,
                "request_hash": prepared.request_hash,
                "state": COMPLETE,
                "status_code": prepared.answer.status_code,
                "subject_id": subject_id,
                "sealed_response": prepared.sealed,
                "created_at": created_at,
                "expires_at": created_at + ttl,
            }
            for prepared, subject_id in answers
        ],
    )
