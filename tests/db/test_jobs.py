from __future__ import annotations

from datetime import UTC, datetime

from tests.factories import Store, enquiry_payload

from kintrace.db.jobs import RUNNING_TIMEOUT, finish_job, pending_count, take_jobs
from kintrace.domain import JobState
from kintrace.intake.enquiries import EnquiryIn, submit_enquiry


def receive(store: Store, count: int) -> list[int]:
    with store.sessions.begin() as session:
        return [
            submit_enquiry(
                session, EnquiryIn.model_validate(enquiry_payload()), channel="web", keys=store.keys
            ).enquiry_id
            for _ in range(count)
        ]


def test_every_received_enquiry_is_handed_to_the_matcher_once(store: Store) -> None:
    ids = receive(store, 3)
    with store.sessions.begin() as session:
        first = [(j.subject_type, j.subject_id) for j in take_jobs(session, limit=2)]
    with store.sessions.begin() as session:
        second = [(j.subject_type, j.subject_id) for j in take_jobs(session, limit=10)]
    assert first + second == [("enquiry", i) for i in ids]
    with store.sessions.begin() as session:
        assert take_jobs(session) == []


def test_a_finished_job_leaves_the_queue_and_a_failed_one_comes_back(store: Store) -> None:
    receive(store, 2)
    with store.sessions.begin() as session:
        done, failed = (j.id for j in take_jobs(session))
    with store.sessions.begin() as session:
        finish_job(session, done)
        finish_job(session, failed, error="index_unavailable")
        assert pending_count(session) == 1
    with store.sessions.begin() as session:
        again = take_jobs(session)
    assert [j.id for j in again] == [failed]
    assert again[0].attempts == 2


def test_a_job_left_running_by_a_crashed_worker_is_handed_out_again(store: Store) -> None:
    receive(store, 1)
    with store.sessions.begin() as session:
        (job,) = take_jobs(session)
        assert job.state is JobState.running
    later = datetime.now(UTC) + RUNNING_TIMEOUT * 2
    with store.sessions.begin() as session:
        assert [j.id for j in take_jobs(session, now=later)] == [job.id]
