"""The durable matching queue: one MatchJob row per new enquiry or report.

Intake adds a pending job in the same transaction as the record, so nothing received can be
forgotten by the matcher. A worker takes jobs with `take_jobs` (its own short transaction),
matches them, then marks each with `finish_job`. A job left running by a crashed worker is
handed out again after `RUNNING_TIMEOUT`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.db.models import MatchJob
from kintrace.domain import JobState

RUNNING_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def take_jobs(session: Session, limit: int = 100, *, now: datetime | None = None) -> list[MatchJob]:
    """Mark up to `limit` waiting jobs as running and return them, oldest first.

    On PostgreSQL, rows another worker holds are skipped (SKIP LOCKED); on SQLite the
    transaction's write lock already keeps two workers from taking the same job.
    """
    now = now or datetime.now(UTC)
    waiting = sa.or_(
        MatchJob.state == JobState.pending,
        sa.and_(MatchJob.state == JobState.running, MatchJob.started_at < now - RUNNING_TIMEOUT),
    )
    query = (
        sa.select(MatchJob)
        .where(waiting, MatchJob.attempts < MAX_ATTEMPTS)
        .order_by(MatchJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    jobs = list(session.scalars(query))
    for job in jobs:
        job.state = JobState.running
        job.started_at = now
        job.attempts += 1
    session.flush()
    return jobs


def finish_job(session: Session, job_id: int, *, error: str | None = None) -> None:
    """Mark a job done, or failed with an error code (no personal data); failed jobs whose
    attempts are not used up go back to pending."""
    job = session.get(MatchJob, job_id)
    if job is None:
        return
    job.finished_at = datetime.now(UTC)
    if error is None:
        job.state = JobState.done
        job.error = None
    else:
        job.error = error[:500]
        job.state = JobState.failed if job.attempts >= MAX_ATTEMPTS else JobState.pending
    session.flush()


def pending_count(session: Session) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count()).where(
                MatchJob.state.in_([JobState.pending, JobState.running])
            )
        )
        or 0
    )
