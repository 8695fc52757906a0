"""Family enquiries: the schema shared by the form, the API and the hotline, and the services
that store an enquiry durably and let its enquirer read it back with reference + secret.

Services never commit: the request or CLI command owns the transaction, and must only show
the receipt after its commit succeeded.
"""

from __future__ import annotations

import hmac
import threading
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import EnquiryRead, EnquiryReceived
from kintrace.db.models import Enquiry, MatchJob, Organisation
from kintrace.db.types import EncryptedBytes, EncryptedJSON, EncryptedText, KeyedStr
from kintrace.domain import Channel, EnquiryState, JobState, Language
from kintrace.domain.ids import new_reference, new_secret, normalise_reference, normalise_secret
from kintrace.intake import idempotency
from kintrace.intake.schemas import (
    ERROR_CODES,
    Code,
    Email,
    FullName,
    LongText,
    Name,
    PartialDateText,
    Phone,
    Place,
    SexCode,
    ShortText,
    has_text,
    validate_with_whole_check,
)
from kintrace.keys import Keys, active_ring
from kintrace.logging import get_logger

__all__ = [
    "CONSENT_VERSION",
    "ERROR_CODES",
    "EnquirerIn",
    "EnquiryIn",
    "EnquiryReceipt",
    "EnquiryStatus",
    "EnquiryToStore",
    "PreparedEnquiry",
    "SoughtPersonIn",
    "enquiry_counts_by_state",
    "find_enquiry",
    "insert_enquiries",
    "prepare_enquiry",
    "prepare_reference",
    "record_received",
    "store_enquiry_batch",
    "submit_enquiry",
]

log = get_logger("kintrace.intake.enquiries")

# Which consent text the enquirer accepted; bump when the text changes.
CONSENT_VERSION = "2026-11-v1"

_FORBID = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SoughtPersonIn(BaseModel):
    """The person the family is looking for. Names in any script and any order."""

    model_config = _FORBID

    full_name: FullName = Field(None, description="The whole name as the family writes it.")
    family_name: Name = None
    given_name: Name = None
    patronymic: Name = None
    sex: SexCode = Field(None, description="M, F or empty.")
    birth_date: PartialDateText = Field(None, description="12.03.2001, 2001-03 or 2001.")
    birth_place: Place = None
    military: bool = Field(False, description="True for a serviceman, False for a civilian.")
    military_unit: ShortText = None
    service_number: Code = None
    rank: Code = None
    party: Code = Field(None, description="The side he belongs to, e.g. UA or RU.")
    last_known_place: Place = None
    last_known_date: PartialDateText = None
    circumstances: LongText = None

    @model_validator(mode="wrap")
    @classmethod
    def _needs_a_name(cls, data: Any, handler: ModelWrapValidatorHandler[SoughtPersonIn]) -> Any:
        def problem(raw: dict[str, Any]) -> str | None:
            names = ("full_name", "family_name", "given_name")
            return None if any(has_text(raw.get(n)) for n in names) else "name_missing"

        return validate_with_whole_check(cls.__name__, data, handler, problem)

    def display_name(self) -> str:
        parts = [self.family_name, self.given_name, self.patronymic]
        return self.full_name or " ".join(p for p in parts if p)


class EnquirerIn(BaseModel):
    """The relative (or friend) who asks: reachable by e-mail and/or phone."""

    model_config = _FORBID

    name: FullName = Field(..., description="The enquirer's own name.")
    relationship: ShortText = Field(..., description="e.g. mother, wife, brother.")
    email: Email = None
    phone: Phone = None
    language: Language = Field(Language.uk, description="uk, ru or en: the language we answer in.")

    @field_validator("name", "relationship", mode="after")
    @classmethod
    def _required(cls, value: str | None) -> str:
        if not value:
            raise PydanticCustomError("required", ERROR_CODES["required"])
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"uk", "ru", "en"}:
            return value.strip().lower()
        raise PydanticCustomError("language_invalid", ERROR_CODES["language_invalid"])

    @model_validator(mode="wrap")
    @classmethod
    def _reachable(cls, data: Any, handler: ModelWrapValidatorHandler[EnquirerIn]) -> Any:
        def problem(raw: dict[str, Any]) -> str | None:
            reachable = has_text(raw.get("email")) or has_text(raw.get("phone"))
            return None if reachable else "contact_missing"

        return validate_with_whole_check(cls.__name__, data, handler, problem)


class EnquiryIn(BaseModel):
    """What a family submits: who is sought, who asks, and consent to the stated use."""

    model_config = _FORBID

    sought: SoughtPersonIn
    enquirer: EnquirerIn
    consent: bool = Field(..., description="Must be true: the enquirer accepts the consent text.")

    @field_validator("consent", mode="after")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if value is not True:
            raise PydanticCustomError("consent_required", ERROR_CODES["consent_required"])
        return value


@dataclass(frozen=True)
class EnquiryReceipt:
    """Shown once to the family. The secret is never stored and cannot be shown again
    (except by the idempotent replay of the very first answer)."""

    enquiry_id: int
    reference: str
    secret: str


@dataclass(frozen=True)
class EnquiryStatus:
    """What the enquirer may see about their own enquiry."""

    enquiry_id: int
    reference: str
    state: EnquiryState
    language: Language
    channel: Channel
    created_at: datetime
    updated_at: datetime
    sought_name: str
    sought_birth_date: str | None


def _digest(keys: Keys, reference: str, secret: str) -> bytes:
    # Binding the reference into the MAC means a digest is only valid for its own enquiry.
    return keys.hmac(f"{reference}\x00{normalise_secret(secret)}".encode())


# engine -> {code: organisation id}: public enquiries go to the same organisation for the
# whole life of the process, so the batch path looks it up once, not in every transaction.
_HOME_ORGANISATIONS: weakref.WeakKeyDictionary[Any, dict[str | None, int]] = (
    weakref.WeakKeyDictionary()
)


def _home_organisation_id(
    session: Session, code: str | None, *, cached: bool = False
) -> int | None:
    # Public enquiries go to the organisation that runs the instance: the one named by
    # KINTRACE_HOME_ORGANISATION, else the first one created. The one-by-one path always
    # looks (and refreshes what the batch path remembers); the batch path looks once.
    known = _HOME_ORGANISATIONS.setdefault(session.get_bind(), {})
    if cached and code in known:
        return known[code]
    found = None
    if code:
        found = session.scalar(sa.select(Organisation.id).where(Organisation.code == code))
    if found is None:
        found = session.scalar(sa.select(Organisation.id).order_by(Organisation.id).limit(1))
    if found is not None:
        # Only a found one is kept: an instance without organisations yet looks again.
        known[code] = found
    return found


def _enquiry_values(
    data: EnquiryIn,
    *,
    reference: str,
    secret: str,
    channel: Channel,
    keys: Keys,
    created_by_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """The columns of a new enquiry row (personal data still plain text), shared by the ORM
    path (`submit_enquiry`) and the batch path (`prepare_enquiry`), so both store the same."""
    s, e = data.sought, data.enquirer
    return {
        "reference": reference,
        "secret_digest": _digest(keys, reference, secret),
        "state": EnquiryState.received,
        "channel": channel,
        "language": e.language,
        "created_by_id": created_by_id,
        "consent_given_at": now,
        "consent_version": CONSENT_VERSION,
        "created_at": now,
        "updated_at": now,
        "sought_full_name": s.full_name,
        "sought_family_name": s.family_name,
        "sought_given_name": s.given_name,
        "sought_patronymic": s.patronymic,
        "sought_sex": s.sex,
        "sought_birth_date": s.birth_date,
        "sought_birth_place": s.birth_place,
        "sought_is_military": s.military,
        "sought_military_unit": s.military_unit,
        "sought_service_number": s.service_number,
        "sought_rank": s.rank,
        "sought_party": s.party,
        "last_known_place": s.last_known_place,
        "last_known_date": s.last_known_date,
        "circumstances": s.circumstances,
        "enquirer_name": e.name,
        "enquirer_relationship": e.relationship,
        "enquirer_email": e.email,
        "enquirer_phone": e.phone,
    }


def submit_enquiry(
    session: Session,
    data: EnquiryIn,
    *,
    channel: str | Channel,
    keys: Keys,
    organisation_id: int | None = None,
    home_organisation: str | None = None,
    created_by_id: int | None = None,
    reference: str | None = None,
) -> EnquiryReceipt:
    """Store a new enquiry with its audit event and matching job; the caller commits.

    It goes to `organisation_id` when given, else to the organisation whose code is
    `home_organisation` (settings.home_organisation), else to the first organisation.
    `created_by_id` is the hotline operator filing it for a caller. `reference` is one from
    `prepare_reference` (its data key already on disk); a taken one is replaced by a new one.
    """
    channel = Channel(channel)
    secret = new_secret()
    candidates = [reference] if reference else []
    for _ in range(10):
        reference = candidates.pop() if candidates else new_reference()
        if session.scalar(sa.select(Enquiry.id).where(Enquiry.reference == reference)) is None:
            break
    else:  # pragma: no cover - 28**8 references make this practically impossible
        raise RuntimeError("No free enquiry reference was found after 10 attempts.")
    values = _enquiry_values(
        data,
        reference=reference,
        secret=secret,
        channel=channel,
        keys=keys,
        created_by_id=created_by_id,
        now=datetime.now(UTC),
    )
    values["organisation_id"] = organisation_id or _home_organisation_id(session, home_organisation)
    enquiry = Enquiry(**values)
    session.add(enquiry)
    session.flush()
    session.add(MatchJob(subject_type="enquiry", subject_id=enquiry.id, state=JobState.pending))
    audit.record(
        session,
        EnquiryReceived(
            actor_kind="staff" if created_by_id else "enquirer",
            actor_id=created_by_id,
            subject_id=enquiry.id,
            channel=channel.value,
        ),
    )
    return EnquiryReceipt(enquiry_id=enquiry.id, reference=reference, secret=secret)


# The enquiry table with its sealed columns as plain text: a prepared row carries ciphertext
# already (sealed in the request's thread), which the column type must not seal again.
_SEALED_TYPES = (EncryptedText, EncryptedBytes, EncryptedJSON)
_ENQUIRY_PRESEALED = sa.table(
    Enquiry.__tablename__,
    *(
        sa.column(c.name, sa.Text() if isinstance(c.type, _SEALED_TYPES) else c.type)
        for c in Enquiry.__table__.columns
    ),
)
_ENQUIRY_SEALED_COLUMNS = tuple(
    c for c in Enquiry.__table__.columns if isinstance(c.type, _SEALED_TYPES)
)
# The writer's statements, built once: constructing and cache-keying a statement on every
# batch was a tenth of the writer's CPU. They run on the session's connection (Core), not
# through the ORM's execute, which adds its own layer per statement and needs none here.
_INSERT_ENQUIRIES = sa.insert(_ENQUIRY_PRESEALED).returning(
    _ENQUIRY_PRESEALED.c.id, _ENQUIRY_PRESEALED.c.reference
)
_INSERT_JOBS = sa.insert(MatchJob.__table__)
# PostgreSQL: the rows without RETURNING (psycopg's executemany, one short statement it parses
# once and caches), then their ids in one read. A multi-row INSERT … RETURNING carries ~35
# parameters per enquiry, beyond the 50 up to which psycopg caches a statement's parsing: it
# parsed the whole statement in Python again for every batch, a third of the writer's time.
_INSERT_ENQUIRIES_PLAIN = sa.insert(_ENQUIRY_PRESEALED)
_ENQUIRY_IDS = sa.select(_ENQUIRY_PRESEALED.c.id, _ENQUIRY_PRESEALED.c.reference).where(
    _ENQUIRY_PRESEALED.c.reference.in_(sa.bindparam("references", expanding=True))
)


@dataclass(frozen=True)
class PreparedEnquiry:
    """A new enquiry made ready outside the writer: reference, secret, digest and sealed
    personal data, so the group-commit writer only inserts rows (`insert_enquiries`)."""

    reference: str
    secret: str
    channel: Channel
    created_by_id: int | None
    organisation_id: int | None
    home_organisation: str | None
    row: dict[str, Any]


def prepare_enquiry(
    data: EnquiryIn,
    *,
    channel: str | Channel,
    keys: Keys,
    reference: str,
    organisation_id: int | None = None,
    home_organisation: str | None = None,
    created_by_id: int | None = None,
) -> PreparedEnquiry:
    """Everything of `submit_enquiry` that needs no database, done in the caller's thread.

    `reference` must come from `prepare_reference`: its data key is already durable, so the
    sealed fields can be opened by anyone who may, the moment the row is committed.
    """
    channel = Channel(channel)
    secret = new_secret()
    row = _enquiry_values(
        data,
        reference=reference,
        secret=secret,
        channel=channel,
        keys=keys,
        created_by_id=created_by_id,
        now=datetime.now(UTC),
    )
    key_id = _key_id(reference)
    texts: list[str] = []
    for column in _ENQUIRY_SEALED_COLUMNS:
        value = row[column.name]
        if isinstance(value, str) and isinstance(column.type, EncryptedText):
            texts.append(column.name)
        else:
            # The column's own type seals the value, bound to the enquiry's own data key, as
            # the ORM path's before-flush hook has it do (kintrace.db.models_privacy).
            keyed = KeyedStr(value, key_id) if isinstance(value, str) else value
            row[column.name] = column.type.process_bind_param(keyed, None)
    # What EncryptedText would store for each (the active ring, the enquiry's data key), all
    # sealed in one call: one key lookup and one nonce draw instead of one per field.
    sealed = active_ring().seal_many([row[name].encode("utf-8") for name in texts], key_id)
    row.update(zip(texts, sealed, strict=True))
    return PreparedEnquiry(
        reference, secret, channel, created_by_id, organisation_id, home_organisation, row
    )


def insert_enquiries(session: Session, batch: list[PreparedEnquiry]) -> list[EnquiryReceipt]:
    """Store prepared enquiries with their matching jobs, a few statements for the whole
    batch; the caller records their audit events (`record_received`) and commits. A reference
    already taken (practically never) fails the whole insert with IntegrityError: the caller
    then stores them one by one."""
    rows = []
    for item in batch:
        organisation_id = item.organisation_id or _home_organisation_id(
            session, item.home_organisation, cached=True
        )
        rows.append({**item.row, "organisation_id": organisation_id})
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_ENQUIRIES_PLAIN, rows)
        references = [item.reference for item in batch]
        returned = connection.execute(_ENQUIRY_IDS, {"references": references})
    else:
        returned = connection.execute(_INSERT_ENQUIRIES, rows)
    ids = {reference: enquiry_id for enquiry_id, reference in returned}
    receipts = [EnquiryReceipt(ids[p.reference], p.reference, p.secret) for p in batch]
    connection.execute(
        _INSERT_JOBS,
        [{"subject_type": "enquiry", "subject_id": r.enquiry_id} for r in receipts],
    )
    return receipts


def record_received(
    session: Session, batch: list[PreparedEnquiry], receipts: list[EnquiryReceipt]
) -> None:
    """Append the batch's `EnquiryReceived` events to the audit chain (the caller commits)."""
    audit.record_many(
        session,
        [
            EnquiryReceived(
                actor_kind="staff" if p.created_by_id else "enquirer",
                actor_id=p.created_by_id,
                subject_id=r.enquiry_id,
                channel=p.channel.value,
            )
            for p, r in zip(batch, receipts, strict=True)
        ],
    )


def _key_id(reference: str) -> str:
    # The data key id of an enquiry (kintrace.db.models_privacy.SUBJECT_KEY).
    return f"enquiry-{reference}"


class ReadyReferences:
    """New references whose data keys are already durable, made in batches off the request path.

    Sealing an enquiry needs its own data key (crypto-shredding), and creating one costs an
    fsync of the key file and one of the keys folder. A background thread makes ``batch`` keys
    at a time, in ``parallel`` slices at once with one folder fsync each
    (``KeyRing.ensure_subject_keys``), whenever fewer than ``low`` are ready, so a family's
    request only takes one. When a surge empties
    the pool faster, the request makes its own key as before rather than wait. A key whose
    enquiry is never stored (the process stopped, the request failed) holds nothing and opens
    nothing; at most ``most + batch`` of them are left behind by a process.
    """

    def __init__(
        self, keys: Keys, *, low: int = 32, batch: int = 64, parallel: int = 8, most: int = 256
    ) -> None:
        self.keys = keys
        self.low = low
        self.batch = batch
        # Each key file has its own fsync (~5 ms on this project's test machine), so one thread
        # made at most ~200 keys a second and a surge of 300 enquiries/s emptied the pool:
        # requests then made their own keys on the thread pool. fsyncs of several threads at
        # once share the file system's journal commits (8 threads: ~0.6 ms per key), so a
        # batch is made in `parallel` slices at once, each slice with its own folder fsync.
        self.parallel = max(1, parallel)
        # A family that finds the pool empty makes its key alone (a folder fsync each), and
        # under a surge on a busy machine a batch took longer than `low` enquiries' worth: each
        # time the pool runs dry, `low` doubles (up to `most`, ~0.4 s of 600 enquiries/s), so
        # the filler starts earlier. A quiet instance keeps 32.
        self.most = max(low, most)
        self._ready: deque[str] = deque()
        self._lock = threading.Lock()
        self._wanted = threading.Condition(self._lock)
        self._filling = False
        self._thread: threading.Thread | None = None

    def take(self) -> str:
        reference = self.take_ready()
        if reference is None:
            reference = new_reference()
            self.keys.ring.ensure_subject_key(_key_id(reference))
        return reference

    def take_ready(self) -> str | None:
        """A ready reference, or None when the pool is empty; never waits for a disk."""
        start = None
        with self._lock:
            reference = self._ready.popleft() if self._ready else None
            if reference is None and self.low < self.most:
                self.low = min(2 * self.low, self.most)
            if len(self._ready) < self.low and not self._filling:
                self._filling = True
                if self._thread is None:
                    start = self._thread = threading.Thread(
                        target=self._run, name="kintrace-references", daemon=True
                    )
                else:
                    # The filler thread is waiting: wake it. Starting a thread here instead
                    # (once per 64 enquiries) made the caller — under a surge the event loop —
                    # wait until the new thread had run: ~6 % of the loop's time.
                    self._wanted.notify()
        if start is not None:
            start.start()
        return reference

    def _make_keys(self, references: list[str]) -> None:
        self.keys.ring.ensure_subject_keys(_key_id(r) for r in references)

    def _run(self) -> None:
        """The filler thread: fills whenever asked, ends after a while without being asked
        (the next ``take_ready`` that finds the pool low starts a new one)."""
        while True:
            self._fill()
            with self._lock:
                if not self._filling:
                    self._wanted.wait(_FILLER_IDLE_S)
                if not self._filling:
                    self._thread = None
                    return

    def _fill(self) -> None:
        try:
            while True:
                made = [new_reference() for _ in range(self.batch)]
                slices = [made[i :: self.parallel] for i in range(self.parallel)]
                done = _key_makers().map(self._make_keys, [part for part in slices if part])
                list(done)  # every slice durable (or its error raised) before any is handed out
                with self._lock:
                    self._ready.extend(made)
                    if len(self._ready) >= self.low:
                        self._filling = False
                        return
        except Exception as exc:
            # A full or read-only keys folder: requests make their own key (and report it).
            log.warning("reference_pool_failed", error=type(exc).__name__)
            with self._lock:
                self._filling = False


# An idle filler thread ends after this long; the next low pool starts a new one.
_FILLER_IDLE_S = 10.0


_pools: weakref.WeakKeyDictionary[Any, ReadyReferences] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()
_makers: ThreadPoolExecutor | None = None


def _key_makers() -> ThreadPoolExecutor:
    """The threads that write and fsync new data keys in parallel, shared by every pool of the
    process (they wait on the disk, so their number is not bound by the cores)."""
    global _makers
    with _pools_lock:
        if _makers is None:
            _makers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kintrace-keys")
        return _makers


def prepare_reference(keys: Keys) -> str:
    """A new reference whose data key is already durable in the keys folder.

    Taken from this process's `ReadyReferences` for `keys`, so the key files' fsyncs happen in
    batches beforehand instead of inside each family's request (or, worse, inside the single
    writer's transaction: see kintrace.intake.group_commit).
    """
    return _pool(keys).take()


def ready_reference(keys: Keys) -> str | None:
    """`prepare_reference` if one is ready, else None (the caller makes one off the event
    loop): an async route takes it without waiting for any disk."""
    return _pool(keys).take_ready()


def _pool(keys: Keys) -> ReadyReferences:
    with _pools_lock:
        pool = _pools.get(keys.ring)
        if pool is None:
            pool = _pools[keys.ring] = ReadyReferences(keys)
    return pool


# Compared against when the reference is unknown, so both failures take the same time.
_DUMMY_DIGEST = b"\x00" * 32


def find_enquiry(session: Session, reference: str, secret: str, keys: Keys) -> EnquiryStatus | None:
    """The enquiry's status for its enquirer, or None — the same None for an unknown
    reference and for a wrong secret. A successful read is audited (caller commits)."""
    canonical = normalise_reference(reference)
    row = None
    if canonical is not None:
        row = session.scalar(sa.select(Enquiry).where(Enquiry.reference == canonical))
    supplied = _digest(keys, canonical or "", secret)
    stored = row.secret_digest if row is not None else _DUMMY_DIGEST
    if not hmac.compare_digest(supplied, stored) or row is None:
        return None
    audit.record(session, EnquiryRead(actor_kind="enquirer", subject_id=row.id))
    return EnquiryStatus(
        enquiry_id=row.id,
        reference=row.reference,
        state=row.state,
        language=row.language,
        channel=row.channel,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sought_name=row.sought_full_name
        or " ".join(
            p for p in (row.sought_family_name, row.sought_given_name, row.sought_patronymic) if p
        ),
        sought_birth_date=row.sought_birth_date,
    )


def enquiry_counts_by_state(
    session: Session, *, organisation_id: int | None = None
) -> dict[str, int]:
    """Enquiries per state (every state present, zero included), optionally for one organisation."""
    query = sa.select(Enquiry.state, sa.func.count()).group_by(Enquiry.state)
    if organisation_id is not None:
        query = query.where(Enquiry.organisation_id == organisation_id)
    counts = {state.value: 0 for state in EnquiryState}
    for state, count in session.execute(query):
        counts[EnquiryState(state).value] = count
    return counts


@dataclass(frozen=True)
class EnquiryToStore:
    """One family's prepared enquiry and, with an Idempotency-Key, its prepared answer."""

    enquiry: PreparedEnquiry
    answer: idempotency.PreparedAnswer | None = None


def store_enquiry_batch(
    session: Session, items: list[EnquiryToStore]
) -> list[EnquiryReceipt | None]:
    """Store a batch of prepared enquiries (rows, jobs, audit events, sealed answers) with a
    few statements in the caller's transaction; the group-commit writer commits.

    An item whose Idempotency-Key is already stored, or repeated earlier in the batch, is not
    stored here (None): the caller runs its own one-by-one work after this, which replays the
    first answer. Any error leaves the transaction to be rolled back by the caller.
    """
    results: list[EnquiryReceipt | None] = [None] * len(items)
    keyed = [item.answer for item in items if item.answer is not None]
    taken: set[tuple[str, str]] = set()
    if keyed:
        # Answers hold secrets: none may outlive its day. Purged at most once a minute here
        # (a DELETE on every batch was an eighth of the writer's CPU); a key whose answer
        # expired but is not purged yet counts as taken below, so its request goes the
        # one-by-one way, whose claim purges first: an expired answer is never replayed.
        idempotency.purge_expired_now_and_then(session)
        for scope in {a.scope for a in keyed}:
            keys = [a.key for a in keyed if a.scope == scope]
            taken |= {(scope, k) for k in idempotency.keys_taken(session, scope, keys)}
    chosen: list[int] = []
    for index, item in enumerate(items):
        if item.answer is not None:
            scope_key = (item.answer.scope, item.answer.key)
            if scope_key in taken:
                continue
            taken.add(scope_key)
        chosen.append(index)
    if not chosen:
        return results
    enquiries = [items[i].enquiry for i in chosen]
    receipts = insert_enquiries(session, enquiries)
    answers = []
    for index, receipt in zip(chosen, receipts, strict=True):
        results[index] = receipt
        answer = items[index].answer
        if answer is not None:
            answers.append((answer, receipt.enquiry_id))
    idempotency.insert_answers(session, answers)
    # The audit events last: on PostgreSQL the chain's lock is held from the head read to the
    # commit, and with several processes the others' writers queue for it meanwhile.
    record_received(session, enquiries, receipts)
    return results
