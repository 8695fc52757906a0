"""The match worker: drains the durable job queue, keeps candidate indexes in process and stores
Match rows for each new enquiry (against reports) and each new report (against enquiries).

Each pool is a `CandidateIndex` built over what was stored when the worker started, grown in
place (`CandidateIndex.add`) as records arrive, so no steady stream ever waits for a rebuild.
When a pool must be rebuilt from the database (records were disposed of or withdrawn, or an
operator asked with `kintrace index rebuild`), a background thread builds fresh indexes while
the worker keeps answering from the old ones; between two batches the worker swaps them in and
replays the records that arrived meanwhile (docs/realtime-scale.md).
A batch of jobs is taken in one short transaction, scored with no transaction open (on SQLite
every transaction holds the one write lock that families' enquiries need), and stored in one
more. Relatives' enquiries about the same person are linked between batches, a bounded number
at a time, once the queue has been quiet for a moment.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from kintrace import audit
from kintrace.audit.events import MatchesStored
from kintrace.db.jobs import finish_job, take_jobs
from kintrace.db.models import Case, Enquiry, Match, Report
from kintrace.domain import EnquiryState
from kintrace.matching import MODEL_VERSION, CandidateIndex, ScoredPair
from kintrace.matching.features import build_features
from kintrace.review.cases import Stage, advance, ensure_case, link_enquiry, reopen, stage_of
from kintrace.review.queue import STRONG

log = logging.getLogger(__name__)

#: Candidates below this are not stored: they would only bury the real ones in the queue.
MIN_STORED = 0.05
#: At most this many candidates per enquiry or report.
MAX_CANDIDATES = 10
#: Two enquiries this similar are about the same person: they share one case.
LINK_ENQUIRIES_AT = 0.9
#: Records another worker process stored, taken into the pool per look.
CATCH_UP_LIMIT = 500
#: How many of the highest ids already seen are looked at again each batch (see _unseen),
#: for as long as new ids kept arriving in the last CATCH_UP_LOOKBACK_S seconds: a record
#: commits below a seen id only while others write, and an idle worker polls ten times a
#: second (the look back costs ~2 ms a table on SQLite at 200 k rows, the plain look 0.2).
CATCH_UP_LOOKBACK = 1000
CATCH_UP_LOOKBACK_S = 60.0
#: Enquiries checked for relatives' enquiries per maintenance round (the rest wait their turn,
#: so a surge's backlog of such checks never holds up new enquiries for long).
TWINS_PER_ROUND = 50
#: Reports without a person yet (a CLI import, a PFIF file, a long upload) clustered into
#: persons per maintenance round, with candidates from the report index.
CLUSTER_PER_ROUND = 500
#: Under a continuous stream of jobs, still rebuild and link relatives' enquiries this often.
MAINTAIN_EVERY = 60.0
#: Seconds between looks at an empty queue: a family's enquiry is matched within a second
#: of its commit, and an empty look is one indexed query.
POLL_INTERVAL = 0.1
#: The first key of the PostgreSQL advisory locks a worker takes per enquiry while it stores
#: matches (the second is the enquiry's id; two-key locks never meet the audit chain's one-key
#: lock).
MATCH_LOCKS = 0x4B_54_4D  # "KTM"
#: Otherwise maintenance waits until no job came for this long: an index rebuild between two
#: enquiries of a steady stream would hold up every enquiry queued behind it.
MAINTAIN_WHEN_IDLE = 2.0


def enquiry_record(enquiry: Enquiry) -> dict[str, Any]:
    """The exchange-record view of an enquiry's sought person."""
    return {
        "record_id": str(enquiry.id),
        "full_name": enquiry.sought_full_name or "",
        "family_name": enquiry.sought_family_name or "",
        "given_name": enquiry.sought_given_name or "",
        "patronymic": enquiry.sought_patronymic or "",
        "sex": enquiry.sought_sex.value if enquiry.sought_sex else "",
        "birth_date": enquiry.sought_birth_date or "",
        "birth_place": enquiry.sought_birth_place or "",
        "military_unit": enquiry.sought_military_unit or "",
        "service_number": enquiry.sought_service_number or "",
        "source": "enquiry",
    }


def report_record(report: Report) -> dict[str, Any]:
    return {
        "record_id": str(report.id),
        "full_name": report.full_name or "",
        "family_name": report.family_name or "",
        "given_name": report.given_name or "",
        "patronymic": report.patronymic or "",
        "sex": report.sex.value if report.sex else "",
        "birth_date": report.birth_date or "",
        "birth_place": report.birth_place or "",
        "military_unit": report.military_unit or "",
        "service_number": report.service_number or "",
        "mother_maiden_name": report.mother_maiden_name or "",
        "capture_date": report.capture_date or "",
        "capture_place": report.capture_place or "",
        "source": str(report.source_id),
    }


#: The job an operator queues to have a running worker rebuild its indexes from the database
#: (`kintrace index rebuild`); it is marked done once the fresh indexes answer.
INDEX_JOB = "index"


def _unseen(
    session: Session,
    model: type[Report] | type[Enquiry],
    max_id: int,
    held: set[str],
    lookback: int,
    *where: Any,
) -> tuple[list[Any], int, bool]:
    """Rows of `model` the pool does not hold, at most CATCH_UP_LIMIT, the new highest id
    looked at, and whether more may wait beyond it. An id is drawn before its transaction
    commits, so with two processes writing a record can commit after a higher id was already
    seen: the last `lookback` ids are looked at again (ids only, an index scan) and only the
    ones the pool lacks are read. Seen once under load: a report and an enquiry about one man,
    stored at once by two workers, each missed by the other's catch-up and never matched."""
    ids = session.scalars(
        sa.select(model.id)
        .where(model.id > max_id - lookback, *where)
        .order_by(model.id)
        .limit(lookback + CATCH_UP_LIMIT)
    ).all()
    wanted = [i for i in ids if str(i) not in held]
    more = len(wanted) > CATCH_UP_LIMIT or len(ids) == lookback + CATCH_UP_LIMIT
    if len(wanted) > CATCH_UP_LIMIT:
        wanted = wanted[:CATCH_UP_LIMIT]
        top = wanted[-1]  # the rest, next batch
    else:
        top = ids[-1] if ids else max_id
    rows = (
        list(session.scalars(sa.select(model).where(model.id.in_(wanted)).order_by(model.id)))
        if wanted
        else []
    )
    return rows, max(max_id, top), more


@dataclass
class Pool:
    """Records searchable by the worker: one index, grown in place as records arrive."""

    index: CandidateIndex | None = None
    ids: set[str] = field(default_factory=set)
    #: While a rebuild runs: the records added since it began, replayed into its index.
    journal: list[dict[str, Any]] | None = None

    def rebuild(self, records: Sequence[dict[str, Any]]) -> None:
        self.index = CandidateIndex(list(records)) if records else None
        self.ids = {r["record_id"] for r in records}

    def swap(self, index: CandidateIndex | None, ids: set[str]) -> int:
        """Answer from `index` (built from the database in the background) from now on, with
        the records added since the rebuild began replayed into it; returns how many."""
        replay = [r for r in self.journal or [] if r["record_id"] not in ids]
        if replay:
            if index is None:
                index = CandidateIndex(replay)
            else:
                index.add(replay)
            ids |= {r["record_id"] for r in replay}
        self.index, self.ids, self.journal = index, ids, None
        return len(replay)

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        new = [r for r in records if r["record_id"] not in self.ids]
        if not new:
            return
        self.ids.update(r["record_id"] for r in new)
        if self.journal is not None:
            self.journal.extend(new)
        # The index files new records without a rebuild and finds them at once, so a
        # steady stream never waits for an index build.
        if self.index is None:
            self.index = CandidateIndex(new)
        else:
            self.index.add(new)

    def query(self, records: Sequence[dict[str, Any]]) -> list[ScoredPair]:
        """Scored candidates for each record (left_id = the record's id), with explanations."""
        out: list[ScoredPair] = []
        if self.index is None:
            return out
        for record in records:
            out.extend(
                self.index.query(
                    record, min_probability=MIN_STORED, limit=MAX_CANDIDATES, explain=True
                )
            )
        return out


def _explanation(pair: ScoredPair) -> dict[str, Any]:
    return {"text": pair.explanation, "fields": list(pair.details or ())}


def _best(pairs: Iterable[ScoredPair]) -> dict[str, list[ScoredPair]]:
    by_left: dict[str, list[ScoredPair]] = {}
    for pair in pairs:
        by_left.setdefault(pair.left_id, []).append(pair)
    for left, found in by_left.items():
        found.sort(key=lambda p: -p.match_probability)
        by_left[left] = found[:MAX_CANDIDATES]
    return by_left


def _held(pool: Pool, max_id: int) -> int:
    """How many records of the pool have an id up to ``max_id``."""
    return sum(1 for record_id in pool.ids if int(record_id) <= max_id)


def _max_id(records: Sequence[dict[str, Any]]) -> int:
    return max((int(r["record_id"]) for r in records), default=0)


class Rebuild:
    """Fresh indexes of every stored report and every open enquiry, built by a background
    thread from its own database session while the worker answers from its old ones."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.reports: tuple[CandidateIndex | None, set[str]] | None = None
        self.enquiries: tuple[CandidateIndex | None, set[str]] | None = None
        self.error: BaseException | None = None
        self.started = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="kintrace-index-rebuild", daemon=True)

    def start(self) -> Rebuild:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            open_enquiries = (Enquiry.state != EnquiryState.withdrawn,)
            reports = _read_features(self.sessions, Report, report_record, ())
            enquiries = _read_features(self.sessions, Enquiry, enquiry_record, open_enquiries)
            self.reports = _built(*reports)
            del reports
            self.enquiries = _built(*enquiries)
        except Exception as exc:  # the worker keeps its old indexes and says so
            self.error = exc
        finally:
            self.done.set()


#: Rows read per short transaction when an index is rebuilt from the database.
REBUILD_CHUNK = 50_000


def _read_features(
    sessions: sessionmaker[Session],
    model: type[Report] | type[Enquiry],
    to_record: Callable[[Any], dict[str, Any]],
    where: tuple[Any, ...],
) -> tuple[pa.Table | None, set[str]]:
    """Every matching row's features and record id, read REBUILD_CHUNK rows per short
    transaction (none stays open for the minutes a rebuild takes, which would hold back
    SQLite's checkpoints and PostgreSQL's vacuum); only the compact feature tables are kept,
    not the records, so a rebuild's peak memory is the features plus the two indexes."""
    tables: list[pa.Table] = []
    ids: set[str] = set()
    last = 0
    while True:
        with sessions() as session:
            rows = list(
                session.scalars(
                    sa.select(model)
                    .where(model.id > last, *where)
                    .order_by(model.id)
                    .limit(REBUILD_CHUNK)
                )
            )
            records = [to_record(r) for r in rows]
            if rows:
                last = rows[-1].id
        if not rows:
            break
        ids.update(r["record_id"] for r in records)
        if records:
            tables.append(build_features(records).table)
    return (pa.concat_tables(tables) if tables else None), ids


def _built(table: pa.Table | None, ids: set[str]) -> tuple[CandidateIndex | None, set[str]]:
    return (CandidateIndex.from_features(table) if table is not None else None), ids


@dataclass
class Scored:
    """One batch's candidates, found with no transaction open."""

    enquiry_ids: list[int]
    report_ids: list[int]
    by_enquiry: dict[str, list[ScoredPair]]
    by_report: dict[str, list[ScoredPair]]


class MatchWorker:
    """Takes jobs from the queue and stores their matches; `run_once` is one batch."""

    def __init__(self, sessions: sessionmaker[Session], *, batch_size: int = 100) -> None:
        self.sessions = sessions
        self.batch_size = batch_size
        self.reports = Pool()
        self.enquiries = Pool()
        self.loaded = False
        # Enquiries filed since the last maintenance, still to be checked for relatives'
        # enquiries about the same person (off the hot path: one more query each).
        self.twin_queue: list[int] = []
        self.last_maintenance = time.monotonic()
        self.last_job_at = 0.0
        # The highest ids looked at: records stored since by another worker process (ids
        # above these that the pools do not hold) join the pools before the next batch.
        self.reports_max_id = 0
        self.enquiries_max_id = 0
        self.ids_moved_at = 0.0  # when either highest id last grew (see CATCH_UP_LOOKBACK_S)
        # A rebuild from the database running in the background, whether another one is
        # wanted (asked for while it ran), and the operators' index jobs it will answer.
        self.rebuilding: Rebuild | None = None
        self.rebuild_wanted = threading.Event()
        self.index_jobs: list[int] = []
        self.waiting_jobs: list[int] = []
        self.rebuilds = 0
        self.retry_rebuild_at = 0.0  # after a failed rebuild, not before this

    def load(self) -> None:
        """Index every stored report and every enquiry that is not withdrawn."""
        with self.sessions() as session:
            enquiries_max = session.scalar(sa.select(sa.func.max(Enquiry.id))) or 0
            reports = [report_record(r) for r in session.scalars(sa.select(Report))]
            enquiries = [
                enquiry_record(e)
                for e in session.scalars(
                    sa.select(Enquiry).where(Enquiry.state != EnquiryState.withdrawn)
                )
            ]
        self.reports.rebuild(reports)
        self.enquiries.rebuild(enquiries)
        self.reports_max_id = _max_id(reports)
        self.enquiries_max_id = enquiries_max
        self.loaded = True

    def run_once(self) -> int:
        """Process one batch of jobs; returns how many were taken.

        The jobs are taken in one short transaction, scored with no transaction open (on
        SQLite every transaction holds the one write lock, and families' enquiries must not
        wait for the matcher), then their matches, case stages, audit events and the jobs'
        completion are stored in one more.
        """
        if not self.loaded:
            self.load()
        elif time.monotonic() - self.last_maintenance > MAINTAIN_EVERY:
            self.maintain()
        self.finish_rebuild()
        with self.sessions.begin() as session:
            jobs = [
                (j.id, j.subject_type, j.subject_id) for j in take_jobs(session, self.batch_size)
            ]
        # Look for other processes' records only now, after the jobs are taken: a record is
        # committed with its job, so of a report and an enquiry about one man whose jobs two
        # workers take at once, the one taken second sees the other's record. Looking before
        # taking (as until session 13) lost the pair when both committed between one look
        # and the take (seen once in CI: tests/deploy/test_two_workers.py).
        while self._catch_up():
            # More than CATCH_UP_LIMIT records to take in: all of them before this batch is
            # scored, or a pair whose other record the other worker scored before this one's
            # existed is lost (the take-then-look order above relies on a complete look).
            pass
        asked = [job_id for job_id, kind, _ in jobs if kind == INDEX_JOB]
        if asked:
            jobs = [job for job in jobs if job[1] != INDEX_JOB]
            # A job handed out again (it outlived RUNNING_TIMEOUT) is not asked twice.
            fresh = [j for j in asked if j not in self.index_jobs + self.waiting_jobs]
            self.waiting_jobs.extend(fresh)
            self.request_rebuild()
            self.finish_rebuild()
            if not jobs:
                return len(asked)
        if not jobs:
            if self.twin_queue and time.monotonic() - self.last_job_at >= MAINTAIN_WHEN_IDLE:
                self.link_relatives()
            return 0
        self.last_job_at = time.monotonic()
        try:
            scored = self._score(jobs)
            with self.sessions.begin() as session:
                self._store_scored(session, scored)
                for job_id, _, _ in jobs:
                    finish_job(session, job_id)
        except Exception as exc:  # the batch failed as a whole; each job will be retried
            log.exception("match batch of %d jobs failed", len(jobs))
            with self.sessions.begin() as session:
                for job_id, _, _ in jobs:
                    finish_job(session, job_id, error=type(exc).__name__)
        return len(jobs)

    def _catch_up(self) -> bool:
        """Take other processes' records into the pools, at most CATCH_UP_LIMIT of each;
        returns whether more may be waiting."""
        # Records another worker process matched are not in our pools: an enquiry must still
        # see every report, a report every enquiry. One look along each primary key per batch
        # finds them (a COUNT over a million reports each batch would cost more than the
        # batch). Records whose own job is still queued join early; their job skips adding
        # them again, and a pair found from both sides is stored once.
        now = time.monotonic()
        lookback = CATCH_UP_LOOKBACK if now - self.ids_moved_at < CATCH_UP_LOOKBACK_S else 0
        before = (self.reports_max_id, self.enquiries_max_id)
        with self.sessions() as session:
            reports, self.reports_max_id, more_reports = _unseen(
                session, Report, self.reports_max_id, self.reports.ids, lookback
            )
            report_records = [report_record(r) for r in reports]
            enquiries, self.enquiries_max_id, more_enquiries = _unseen(
                session,
                Enquiry,
                self.enquiries_max_id,
                self.enquiries.ids,
                lookback,
                Enquiry.state != EnquiryState.withdrawn,
            )
            enquiry_records = [enquiry_record(e) for e in enquiries]
        if (self.reports_max_id, self.enquiries_max_id) != before:
            self.ids_moved_at = now
        if report_records:
            self.reports.add(report_records)
        if enquiry_records:
            self.enquiries.add(enquiry_records)
        return more_reports or more_enquiries

    def request_rebuild(self) -> None:
        """Ask for fresh indexes from the database (thread-safe): built in the background,
        swapped in between two batches; the worker keeps answering meanwhile."""
        self.rebuild_wanted.set()

    def finish_rebuild(self, *, wait: bool = False) -> bool:
        """Between batches: swap in a finished background rebuild (replaying the records
        that arrived while it ran) and start a wanted one. Returns True when one was swapped."""
        swapped = False
        rebuild = self.rebuilding
        if rebuild is not None and (wait or rebuild.done.is_set()):
            rebuild.done.wait()
            self.rebuilding = None
            if rebuild.error is not None:
                log.error(
                    "index rebuild failed (%s); the old indexes answer",
                    type(rebuild.error).__name__,
                )
                self.reports.journal = self.enquiries.journal = None
                self.waiting_jobs[:0] = self.index_jobs  # asked again with the next one
                self.rebuild_wanted.set()
                self.retry_rebuild_at = time.monotonic() + MAINTAIN_EVERY
            else:
                assert rebuild.reports is not None and rebuild.enquiries is not None
                replayed = self.reports.swap(*rebuild.reports)
                replayed += self.enquiries.swap(*rebuild.enquiries)
                self.rebuilds += 1
                swapped = True
                log.info(
                    "indexes rebuilt from the database in %.1f s (%d reports, %d enquiries, "
                    "%d records replayed)",
                    time.monotonic() - rebuild.started,
                    len(self.reports.ids),
                    len(self.enquiries.ids),
                    replayed,
                )
                if self.index_jobs:
                    with self.sessions.begin() as session:
                        for job_id in self.index_jobs:
                            finish_job(session, job_id)
            self.index_jobs = []
        if (
            self.rebuilding is None
            and self.rebuild_wanted.is_set()
            and time.monotonic() >= self.retry_rebuild_at
        ):
            self.rebuild_wanted.clear()
            # Journals first, then the snapshot: a record the pools take from now on is
            # either in the snapshot or replayed, never lost.
            self.reports.journal, self.enquiries.journal = [], []
            self.index_jobs, self.waiting_jobs = self.waiting_jobs, []
            self.rebuilding = Rebuild(self.sessions).start()
            if wait:
                return self.finish_rebuild(wait=True) or swapped
        return swapped

    def maintain(self) -> None:
        """Between batches: rebuild the pools in the background when they hold records no
        longer stored (disposed, withdrawn), and put relatives' enquiries about the same
        person into one case."""
        self.last_maintenance = time.monotonic()
        reports_max, enquiries_max = self.reports_max_id, self.enquiries_max_id
        with self.sessions() as session:
            reports_now = session.scalar(sa.select(sa.func.count()).where(Report.id <= reports_max))
            enquiries_now = session.scalar(
                sa.select(sa.func.count()).where(
                    Enquiry.state != EnquiryState.withdrawn, Enquiry.id <= enquiries_max
                )
            )
        gone = (reports_now or 0) < _held(self.reports, reports_max)
        gone |= (enquiries_now or 0) < _held(self.enquiries, enquiries_max)
        # One running now may have read the store before: ask again once it is swapped in.
        if gone and self.rebuilding is None:
            self.request_rebuild()
        self.finish_rebuild()
        self.link_relatives()
        self.cluster_reports()

    def cluster_reports(self, limit: int = CLUSTER_PER_ROUND) -> int:
        """Give reports that have no person yet one (issue 4 item 4), oldest first: their
        candidates come from the report index, so the store is never read whole. Returns how
        many reports were clustered."""
        from kintrace.review.persons import REVIEW_THRESHOLD, cluster_reports

        with self.sessions() as session:
            pending = list(
                session.scalars(
                    sa.select(Report)
                    .where(Report.person_id.is_(None))
                    .order_by(Report.id)
                    .limit(limit)
                )
            )
            records = [report_record(r) for r in pending]
        if not records:
            return 0
        self.reports.add(records)
        assert self.reports.index is not None
        found = self.reports.index.query_many(
            records, min_probability=REVIEW_THRESHOLD, limit=MAX_CANDIDATES + 1
        )
        pairs = [
            (int(p.left_id), int(p.right_id), p.match_probability) for group in found for p in group
        ]
        with self.sessions.begin() as session:
            done = cluster_reports(session, [int(r["record_id"]) for r in records], pairs=pairs)
        return len(done)

    def link_relatives(self) -> None:
        """Check up to TWINS_PER_ROUND newly matched enquiries for relatives' enquiries about
        the same person and put them into one case."""
        index = self.enquiries.index
        if index is None:
            self.twin_queue.clear()  # no open enquiry at all: nobody to link with
            return
        if not self.twin_queue:
            return
        pending = self.twin_queue[:TWINS_PER_ROUND]
        del self.twin_queue[:TWINS_PER_ROUND]
        with self.sessions() as session:
            records = [
                enquiry_record(e)
                for e in session.scalars(sa.select(Enquiry).where(Enquiry.id.in_(pending)))
            ]
        found = {
            int(record["record_id"]): index.query(
                record, min_probability=LINK_ENQUIRIES_AT, limit=MAX_CANDIDATES
            )
            for record in records
        }
        with self.sessions.begin() as session:
            for enquiry in session.scalars(sa.select(Enquiry).where(Enquiry.id.in_(found))):
                self._link_twins(session, enquiry, found[enquiry.id])

    def _link_twins(self, session: Session, enquiry: Enquiry, pairs: list[ScoredPair]) -> None:
        for pair in pairs:
            other = session.get(Enquiry, int(pair.right_id))
            if (
                other is None
                or other.id == enquiry.id
                or other.case_id is None
                or enquiry.case_id is None
                or other.organisation_id != enquiry.organisation_id
                or other.case_id == enquiry.case_id
            ):
                continue
            # The newer case joins the older one, so the family that asked first keeps its case.
            older, newer = sorted((enquiry, other), key=lambda e: e.case_id or 0)
            target = session.get(Case, older.case_id)
            if target is not None and stage_of(session, target.id) is not Stage.closed:
                link_enquiry(session, target, newer)
            return

    def drain(self, max_batches: int = 1000) -> int:
        """Run batches until the queue is empty; returns the number of jobs done."""
        total = 0
        for _ in range(max_batches):
            done = self.run_once()
            if done == 0:
                break
            total += done
        # The queue is empty: link relatives' enquiries now rather than after the idle pause,
        # and leave no rebuild half done.
        self.maintain()
        self.finish_rebuild(wait=True)
        while self.twin_queue:
            self.link_relatives()
        return total

    def _score(self, jobs: list[tuple[int, str, int]]) -> Scored:
        """Read the batch's records, close the session, then ask the indexes."""
        enquiry_ids = [sid for _, kind, sid in jobs if kind == "enquiry"]
        report_ids = [sid for _, kind, sid in jobs if kind == "report"]
        with self.sessions() as session:
            reports = session.scalars(sa.select(Report).where(Report.id.in_(report_ids)))
            new_reports = [report_record(r) for r in reports]
            enquiries = session.scalars(sa.select(Enquiry).where(Enquiry.id.in_(enquiry_ids)))
            new_enquiries = [enquiry_record(e) for e in enquiries]
        # New reports join the report pool first, so the enquiries of this batch see them; the
        # batch's enquiries join the enquiry pool last, so no pair is found twice.
        self.reports.add(new_reports)
        by_enquiry = _best(self.reports.query(new_enquiries))
        by_report = _best(self.enquiries.query(new_reports))
        self.enquiries.add(new_enquiries)
        found_enquiries = [int(r["record_id"]) for r in new_enquiries]
        self.twin_queue.extend(found_enquiries)
        return Scored(
            enquiry_ids=found_enquiries,
            report_ids=[int(r["record_id"]) for r in new_reports],
            by_enquiry=by_enquiry,
            by_report=by_report,
        )

    def _store_scored(self, session: Session, scored: Scored) -> None:
        now = datetime.now(UTC)
        by_enquiry, by_report = scored.by_enquiry, scored.by_report
        # Two workers can find one pair at once, one from the report's side and one from the
        # enquiry's. Each takes a lock per enquiry it stores matches for (in id order, so two
        # batches never wait on each other in a circle) before reading which pairs are
        # stored: the second waits for the first to commit, then sees its rows and adds none.
        touched = set(scored.enquiry_ids) | {
            int(p.right_id) for ps in by_report.values() for p in ps
        }
        if touched and session.get_bind().dialect.name == "postgresql":
            # Advisory locks, not the enquiry rows (FOR UPDATE, as in e836b0a): only other
            # workers take these, so a caseworker's move of a case (its progress row, then
            # its enquiries) or a family's new message (a key-share lock on the enquiry) never
            # waits on the worker in a circle — row locks taken first would deadlock with
            # advance() below, which locks the case's progress row after the enquiries.
            for enquiry_id in sorted(touched):
                session.execute(
                    sa.select(sa.func.pg_advisory_xact_lock(MATCH_LOCKS, enquiry_id))
                ).all()
        elif touched:
            # SQLite: a FOR UPDATE select opens the transaction with BEGIN IMMEDIATE (see
            # db/engine.py), so the stored pairs are read under the one write lock.
            session.execute(
                sa.select(Enquiry.id).where(Enquiry.id.in_(touched)).with_for_update()
            ).all()
        enquiries = list(
            session.scalars(sa.select(Enquiry).where(Enquiry.id.in_(scored.enquiry_ids)))
        )
        report_person: dict[int, int | None] = {}
        wanted = {int(p.right_id) for ps in by_enquiry.values() for p in ps}
        wanted |= {int(r) for r in by_report}
        if wanted:
            report_person = dict(
                session.execute(
                    sa.select(Report.id, Report.person_id).where(Report.id.in_(wanted))
                ).all()
            )

        for enquiry in enquiries:
            found = by_enquiry.get(str(enquiry.id), [])
            strong = any(p.match_probability >= STRONG for p in found)
            stage = Stage.possible_match if strong else Stage.searching
            case = ensure_case(session, enquiry, stage=stage, now=now)
            stored = self._store(session, enquiry.id, found, report_person)
            advance(session, case, stage, now=now)
            audit.record(
                session,
                MatchesStored(
                    job_subject="enquiry",
                    job_subject_id=enquiry.id,
                    matches=stored,
                    model_version=MODEL_VERSION,
                ),
            )

        for report_id in scored.report_ids:
            stored = 0
            for pair in by_report.get(str(report_id), []):
                target = session.get(Enquiry, int(pair.right_id))
                if target is None or target.state is EnquiryState.withdrawn:
                    continue
                flipped = ScoredPair(
                    str(target.id),
                    str(report_id),
                    pair.match_probability,
                    pair.match_weight,
                    pair.explanation,
                    # Scored report-first; stored enquiry-first like every other match.
                    tuple(
                        {**d, "left": d["right"], "right": d["left"]} for d in pair.details or ()
                    ),
                )
                added = self._store(session, target.id, [flipped], report_person)
                stored += added
                if added and pair.match_probability >= STRONG:
                    case = ensure_case(session, target, now=now)
                    reopen(session, case, now=now)
                    advance(session, case, Stage.possible_match, now=now)
            audit.record(
                session,
                MatchesStored(
                    job_subject="report",
                    job_subject_id=report_id,
                    matches=stored,
                    model_version=MODEL_VERSION,
                ),
            )

    def _store(
        self,
        session: Session,
        enquiry_id: int,
        pairs: Sequence[ScoredPair],
        report_person: dict[int, int | None],
    ) -> int:
        if not pairs:
            return 0
        report_ids = [int(p.right_id) for p in pairs]
        known = set(
            session.scalars(
                sa.select(Match.report_id).where(
                    Match.enquiry_id == enquiry_id, Match.report_id.in_(report_ids)
                )
            )
        )
        stored = 0
        for pair in pairs:
            rid = int(pair.right_id)
            if rid in known:
                continue
            session.add(
                Match(
                    enquiry_id=enquiry_id,
                    report_id=rid,
                    person_id=report_person.get(rid),
                    probability=pair.match_probability,
                    explanation=_explanation(pair),
                    model_version=MODEL_VERSION,
                    # The (enquiry, report) pair that supports it.
                    supporting_pairs=[[enquiry_id, rid]],
                )
            )
            known.add(rid)
            stored += 1
        session.flush()
        return stored


def run_in_background(
    sessions: sessionmaker[Session],
    *,
    interval: float = POLL_INTERVAL,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[threading.Thread, threading.Event]:
    """Run a MatchWorker in a daemon thread until the returned event is set."""
    stop = threading.Event()
    worker = MatchWorker(sessions)

    def loop() -> None:
        while not stop.is_set() and not (should_stop and should_stop()):
            try:
                done = worker.run_once()
            except Exception:  # keep serving; the jobs stay queued and are retried
                log.exception("match worker batch failed")
                done = 0
            if done == 0:
                stop.wait(interval)

    thread = threading.Thread(target=loop, name="kintrace-match-worker", daemon=True)
    thread.start()
    return thread, stop
