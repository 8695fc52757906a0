from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.factories import Store
from typer.testing import CliRunner

from kintrace import audit
from kintrace.cli.main import app
from kintrace.db import make_engine, make_sessionmaker
from kintrace.db.models import AuditEvent, Case, Disclosure, Enquiry, Match, Message, User
from kintrace.db.models_privacy import DisposalTombstone
from kintrace.domain import CaseState, MessageDirection
from kintrace.intake.enquiries import EnquiryReceipt
from kintrace.keys import KeyShredded
from kintrace.privacy.retention import dispose, plan_disposal

runner = CliRunner()
NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=6 * 365)


def age(store: Store, receipts: list[EnquiryReceipt]) -> int:
    """Enquiry 0 expired on its own; enquiry 1 in a case closed long ago with a message and a
    disclosure; enquiry 2 recent. Returns the case id."""
    with store.sessions.begin() as session:
        alice = session.scalars(sa.select(User).order_by(User.id)).first()
        assert alice is not None
        case = Case(
            organisation_id=alice.organisation_id, state=CaseState.closed, closed_at=LONG_AGO
        )
        session.add(case)
        session.flush()
        session.add(
            Message(
                case_id=case.id, enquiry_id=receipts[1].enquiry_id,
                direction=MessageDirection.to_family, body="Лист від сина: я живий.",
            )
        )  # fmt: skip
        session.add(
            Disclosure(
                case_id=case.id, enquiry_id=receipts[1].enquiry_id, recipient="Кислиця Ганна",
                content_kind="fate", content="Живий, у полоні.", basis="verified_family",
                created_by_id=alice.id,
            )
        )  # fmt: skip
        session.add(
            Match(
                enquiry_id=receipts[0].enquiry_id, probability=0.9,
                explanation={"name": "Кислиця"}, model_version="test",
            )
        )  # fmt: skip
        session.execute(
            sa.update(Enquiry)
            .where(Enquiry.id == receipts[1].enquiry_id)
            .values(case_id=case.id, updated_at=NOW)
        )
        session.execute(
            sa.update(Enquiry)
            .where(Enquiry.id == receipts[0].enquiry_id)
            .values(updated_at=LONG_AGO)
        )
        return case.id


def test_expired_enquiries_and_closed_cases_are_deleted_leaving_only_tombstones(
    store: Store, receipts: list[EnquiryReceipt]
) -> None:
    case_id = age(store, receipts)
    with store.sessions() as session:
        plan = plan_disposal(session, store.settings.retention_days, now=NOW)
    assert plan.enquiry_ids == [receipts[0].enquiry_id, receipts[1].enquiry_id]
    assert plan.case_ids == [case_id]

    with store.sessions.begin() as session:
        result = dispose(session, store.settings.retention_days, now=NOW)
    with store.sessions() as session:
        left = session.scalars(sa.select(Enquiry.reference)).all()
        stones = session.scalars(sa.select(DisposalTombstone)).all()
        counts = {
            m.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Case, Message, Disclosure, Match)
        }
        disposed_events = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.kind == "record.disposed")
        ).all()
        assert audit.verify(session).ok
    assert left == [receipts[2].reference]
    assert counts == {"case_file": 0, "message": 0, "disclosure": 0, "match": 0}
    assert sorted((s.record_kind, s.record_id) for s in stones) == sorted(
        [
            ("enquiry", receipts[0].enquiry_id),
            ("enquiry", receipts[1].enquiry_id),
            ("case", case_id),
        ]
    )
    assert {s.reason for s in stones} == {"retention_expired"}
    assert len(disposed_events) == 3 and result.tombstones == 3
    assert set(result.keys_to_shred) == {
        f"enquiry-{receipts[0].reference}",
        f"enquiry-{receipts[1].reference}",
        f"case-{case_id}",
    }


def test_a_backup_taken_before_disposal_cannot_reveal_the_disposed_enquiry(
    store: Store, receipts: list[EnquiryReceipt], data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the backup is taken with SQLite's backup API here; see tests/cli/test_backup")
    age(store, receipts)
    db_file = Path(sa.make_url(database_url).database or "")
    backup = tmp_path / "before-disposal.sqlite3"
    with sqlite3.connect(db_file) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    # An old copy of the whole data dir's database too, as a file-level backup would hold.
    shutil.copy(db_file, tmp_path / "file-copy.sqlite3")

    env = {"KINTRACE_DATABASE_URL": database_url}
    dry = runner.invoke(app, ["dispose", "--dry-run", "--data-dir", str(data_dir)], env=env)
    assert dry.exit_code == 0 and "Would dispose of 2 enquiries and 1 cases" in dry.output
    done = runner.invoke(app, ["dispose", "--data-dir", str(data_dir)], env=env)
    assert done.exit_code == 0, done.output
    assert "3 data keys destroyed" in done.output

    # The backup still holds the rows, but with today's keys nothing of them opens.
    engine = make_engine(store.settings, url=f"sqlite:///{backup}")
    try:
        with make_sessionmaker(engine)() as session:
            for receipt in receipts[:2]:
                with pytest.raises(KeyShredded):
                    session.get(Enquiry, receipt.enquiry_id)
                session.rollback()
            with pytest.raises(KeyShredded):
                session.scalars(sa.select(Message)).all()
            session.rollback()
            kept = session.get(Enquiry, receipts[2].enquiry_id)
            assert kept is not None and kept.sought_full_name == "Кислиця Сергій 2"
    finally:
        engine.dispose()
    assert "Кислиця".encode() not in backup.read_bytes()


def test_nothing_within_its_retention_period_is_touched(
    store: Store, receipts: list[EnquiryReceipt], data_dir: Path, database_url: str
) -> None:
    env = {"KINTRACE_DATABASE_URL": database_url}
    done = runner.invoke(app, ["dispose", "--data-dir", str(data_dir)], env=env)
    assert done.exit_code == 0, done.output
    assert "Disposed of 0 enquiries and 0 cases" in done.output
    with store.sessions() as session:
        assert len(session.scalars(sa.select(Enquiry)).all()) == 3


def test_disposing_a_case_keeps_the_morgues_record_of_the_remains_identified_as_it(
    store: Store, receipts: list[EnquiryReceipt]
) -> None:
    """The remains were found and listed by a morgue, not given by the family: when the case
    that identified them reaches the end of its retention, the link goes, the record stays."""
    from kintrace.db.models_forensic import UnidentifiedRemains

    case_id = age(store, receipts)
    with store.sessions.begin() as session:
        alice = session.scalars(sa.select(User).order_by(User.id)).first()
        assert alice is not None
        remains = UnidentifiedRemains(
            source_org="Morgue (synthetic)",
            descriptors={"sex": "M"},
            created_by=alice.id,
            identified_case_id=case_id,
        )
        session.add(remains)
        session.flush()
        remains_id = remains.id
    with store.sessions.begin() as session:
        dispose(session, store.settings.retention_days, now=NOW)
    with store.sessions() as session:
        kept = session.get(UnidentifiedRemains, remains_id)
        assert session.get(Case, case_id) is None
    assert kept is not None and kept.identified_case_id is None
