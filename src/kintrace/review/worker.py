"""The match worker: drains the durable job queue, keeps candidate indexes in process and stores
Match rows for each new enquiry (against reports) and each new report (against enquiries).

Each pool is a `CandidateIndex` built over what was stored when the worker started (or last
rebuilt) plus a short list of records that arrived since; those "fresh" records are compared
with `link_records`, and the index is rebuilt once they pile up. So a surge backlog drains in
batches, and one enquiry is answered in milliseconds once its job is taken.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from kintrace import audit
from kintrace.audit.events import MatchesStored
from kintrace.db.jobs import finish_job, take_jobs
from kintrace.db.models import Case, Enquiry, Match, Report
from kintrace.domain import EnquiryState
from kintrace.matching import MODEL_VERSION, CandidateIndex, ScoredPair, link_records
from kintrace.review.cases import Stage, advance, ensure_case, link_enquiry, reopen, stage_of
from kintrace.review.queue import STRONG

log = logging.getLogger(__name__)

#: Candidates below this are not stored: they would only bury the real ones in the queue.
MIN_STORED = 0.05
#: At most this many candidates per enquiry or report.
MAX_CANDIDATES = 10
#: Two enquiries this similar are about the same person: they share one case.
LINK_ENQUIRIES_AT = 0.9
#: Rebuild an index once this many records arrived since it was built.
REBUILD_AFTER = 500
#: Under a continuous stream of jobs, still rebuild and link relatives' enquiries this often.
MAINTAIN_EVERY = 60.0


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


@dataclass
class Pool:
    """Records searchable by the worker: an index plus the records that arrived since."""

    index: CandidateIndex | None = None
    indexed: int = 0
    fresh: list[dict[str, Any]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    def rebuild(self, records: Sequence[dict[str, Any]]) -> None:
        self.index = CandidateIndex(list(records)) if records else None
        self.indexed = len(records)
        self.fresh = []
        self.ids = {r["record_id"] for r in records}

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            if record["record_id"] not in self.ids:
                self.ids.add(record["record_id"])
                self.fresh.append(record)

    def query(self, records: Sequence[dict[str, Any]]) -> list[ScoredPair]:
        """Scored candidates for each record (left_id = the record's id), with explanations."""
        out: list[ScoredPair] = []
        if not records:
            return out
        if self.index is not None:
            for record in records:
                out.extend(
                    self.index.query(
                        record, min_probability=MIN_STORED, limit=MAX_CANDIDATES, explain=True
                    )
                )
        if self.fresh:
            out.extend(link_records(list(records), self.fresh, threshold=MIN_STORED, explain=True))
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


class MatchWorker:
    """Takes jobs from the queue and stores their matches; `run_once` is one batch."""

    def __init__(self, sessions: sessionmaker[Session], *, batch_size: int = 100) -> None:
        self.sessions = sessions
        self.batch_size = batch_size
        self.reports = Pool()
        self.enquiries = Pool()
        self.loaded = False
        # Enquiries filed since the last maintenance, still to be checked for relatives'
        # enquiries about the same person (off the hot path: it needs a fresh index).
        self.twin_queue: list[int] = []
        self.last_maintenance = time.monotonic()
        # Row counts at the last build; a change made by another worker process also
        # makes a rebuild due.
        self.reports_seen = 0
        self.enquiries_seen = 0

    def load(self) -> None:
        """Index every stored report and every enquiry that is not withdrawn."""
        with self.sessions() as session:
            enquiries_all = session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) or 0
            reports = [report_record(r) for r in session.scalars(sa.select(Report))]
            enquiries = [
                enquiry_record(e)
                for e in session.scalars(
                    sa.select(Enquiry).where(Enquiry.state != EnquiryState.withdrawn)
                )
            ]
        self.reports.rebuild(reports)
        self.enquiries.rebuild(enquiries)
        self.reports_seen = len(reports)
        self.enquiries_seen = enquiries_all
        self.loaded = True

    def run_once(self) -> int:
        """Process one batch of jobs; returns how many were taken."""
        if not self.loaded:
            self.load()
        elif (
            time.monotonic() - self.last_maintenance > MAINTAIN_EVERY
            or len(self.reports.fresh) >= REBUILD_AFTER
            or len(self.enquiries.fresh) >= REBUILD_AFTER
            or self._reports_stored_elsewhere()
        ):
            self.maintain()
        with self.sessions.begin() as session:
            jobs = [
                (j.id, j.subject_type, j.subject_id) for j in take_jobs(session, self.batch_size)
            ]
        if not jobs:
            self.maintain()
            return 0
        try:
            with self.sessions.begin() as session:
                self._process(session, jobs)
                for job_id, _, _ in jobs:
                    finish_job(session, job_id)
        except Exception as exc:  # the batch failed as a whole; each job will be retried
            log.exception("match batch of %d jobs failed", len(jobs))
            with self.sessions.begin() as session:
                for job_id, _, _ in jobs:
                    finish_job(session, job_id, error=type(exc).__name__)
        return len(jobs)

    def _reports_stored_elsewhere(self) -> bool:
        # Reports another worker process matched are not in our pool: an enquiry must still
        # see them, so one cheap count per batch tells when to rebuild first.
        with self.sessions() as session:
            stored = session.scalar(sa.select(sa.func.count()).select_from(Report)) or 0
        return stored != self.reports_seen + len(self.reports.fresh)

    def maintain(self) -> None:
        """Between batches: rebuild indexes that piled up fresh records, and put relatives'
        enquiries about the same person into one case."""
        self.last_maintenance = time.monotonic()
        # Another worker process may have taken some jobs: whatever it stored since our last
        # build also makes a rebuild due.
        with self.sessions() as session:
            reports_now = session.scalar(sa.select(sa.func.count()).select_from(Report)) or 0
            enquiries_now = session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) or 0
        if self.reports.fresh or reports_now != self.reports_seen:
            with self.sessions() as session:
                self.reports.rebuild([report_record(r) for r in session.scalars(sa.select(Report))])
            self.reports_seen = reports_now
        if (
            not self.twin_queue
            and not self.enquiries.fresh
            and enquiries_now == self.enquiries_seen
        ):
            return
        self.enquiries_seen = enquiries_now
        with self.sessions() as session:
            self.enquiries.rebuild(
                [
                    enquiry_record(e)
                    for e in session.scalars(
                        sa.select(Enquiry).where(Enquiry.state != EnquiryState.withdrawn)
                    )
                ]
            )
        pending, self.twin_queue = self.twin_queue, []
        if not pending or self.enquiries.index is None:
            return
        with self.sessions.begin() as session:
            for enquiry in session.scalars(sa.select(Enquiry).where(Enquiry.id.in_(pending))):
                self._link_twins(session, enquiry)

    def _link_twins(self, session: Session, enquiry: Enquiry) -> None:
        assert self.enquiries.index is not None
        pairs = self.enquiries.index.query(
            enquiry_record(enquiry), min_probability=LINK_ENQUIRIES_AT, limit=MAX_CANDIDATES
        )
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
        return total

    def _process(self, session: Session, jobs: list[tuple[int, str, int]]) -> None:
        now = datetime.now(UTC)
        enquiry_ids = [sid for _, kind, sid in jobs if kind == "enquiry"]
        report_ids = [sid for _, kind, sid in jobs if kind == "report"]
        reports = list(session.scalars(sa.select(Report).where(Report.id.in_(report_ids))))
        enquiries = list(session.scalars(sa.select(Enquiry).where(Enquiry.id.in_(enquiry_ids))))
        new_reports = [report_record(r) for r in reports]
        new_enquiries = [enquiry_record(e) for e in enquiries]
        # New reports join the report pool first, so the enquiries of this batch see them; the
        # batch's enquiries join the enquiry pool last, so no pair is found twice.
        self.reports.add(new_reports)
        report_person: dict[int, int | None] = {}
        by_enquiry = _best(self.reports.query(new_enquiries))
        by_report = _best(self.enquiries.query(new_reports))
        self.enquiries.add(new_enquiries)
        self.twin_queue.extend(e.id for e in enquiries)

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

        for report in reports:
            stored = 0
            for pair in by_report.get(str(report.id), []):
                target = session.get(Enquiry, int(pair.right_id))
                if target is None or target.state is EnquiryState.withdrawn:
                    continue
                flipped = ScoredPair(
                    str(target.id),
                    str(report.id),
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
                    job_subject_id=report.id,
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
    interval: float = 1.0,
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
