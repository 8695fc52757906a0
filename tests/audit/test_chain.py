from __future__ import annotations

import itertools
import threading

import pytest
import sqlalchemy as sa
from tests.factories import Store, enquiry_payload

from kintrace import audit
from kintrace.audit.chain import GENESIS_HASH
from kintrace.audit.events import EnquiryRead, RecordViewed, StaffLoggedIn
from kintrace.db.models import AuditEvent
from kintrace.intake.enquiries import EnquiryIn, submit_enquiry


def write(store: Store, count: int) -> None:
    with store.sessions.begin() as session:
        for i in range(count):
            audit.record(session, EnquiryRead(actor_kind="enquirer", subject_id=i + 1))


def test_each_event_links_to_the_one_before_and_the_chain_verifies(store: Store) -> None:
    write(store, 5)
    with store.sessions() as session:
        rows = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        check = audit.verify(session)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))
    assert check.ok and check.events == 5


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "reason"),
    [
        (sa.update(AuditEvent).where(AuditEvent.seq == 3).values(subject_id=99), 3, "altered"),
        (sa.update(AuditEvent).where(AuditEvent.seq == 3).values(kind="x"), 3, "altered"),
        (sa.delete(AuditEvent).where(AuditEvent.seq == 3), 4, "missing"),
    ],
)
def test_an_altered_or_removed_event_breaks_the_chain(
    store: Store, tamper: sa.Executable, bad_seq: int, reason: str
) -> None:
    write(store, 5)
    with store.sessions.begin() as session:
        session.execute(tamper)
    with store.sessions() as session:
        check = audit.verify(session)
    assert not check.ok
    assert check.first_bad_seq == bad_seq
    assert check.reason and reason in check.reason


def test_two_swapped_events_break_the_chain(store: Store) -> None:
    write(store, 4)
    with store.sessions.begin() as session:
        session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 2).values(seq=-2))
        session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 3).values(seq=2))
        session.execute(sa.update(AuditEvent).where(AuditEvent.seq == -2).values(seq=3))
    with store.sessions() as session:
        check = audit.verify(session)
    assert not check.ok and check.first_bad_seq == 2


def test_events_refuse_free_text_so_no_name_can_reach_the_log() -> None:
    for text in ("Кислиця Сергій Вікторович", "KYSLYTSIA SERHII", "x" * 65):
        with pytest.raises(ValueError, match="no text"):
            RecordViewed(record_type=text).detail()
    assert RecordViewed(record_type="case").detail() == {"record_type": "case"}
    assert StaffLoggedIn(actor_kind="staff", actor_id=1, subject_id=1).detail() == {}


def test_an_event_rolled_back_with_its_change_leaves_no_gap(store: Store) -> None:
    with store.sessions() as session:
        audit.record(session, EnquiryRead(subject_id=1))
        session.rollback()
    write(store, 1)
    with store.sessions() as session:
        assert session.scalars(sa.select(AuditEvent.seq)).all() == [1]
        assert audit.verify(session).ok


def test_concurrent_writers_keep_one_unbroken_chain(store: Store) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def family() -> None:
        barrier.wait()
        try:
            for _ in range(3):
                with store.sessions.begin() as session:
                    submit_enquiry(
                        session, EnquiryIn.model_validate(enquiry_payload()),
                        channel="web", keys=store.keys,
                    )  # fmt: skip
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=family) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    with store.sessions() as session:
        check = audit.verify(session)
    assert check.ok and check.events == 12
