from __future__ import annotations

import json
import stat
from pathlib import Path

import sqlalchemy as sa
from tests.factories import Store
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.db.models import AuditEvent, Case, Message, User
from kintrace.domain import MessageDirection
from kintrace.intake.enquiries import EnquiryReceipt

runner = CliRunner()


def test_subject_export_writes_everything_held_about_the_enquirer_and_is_audited(
    store: Store, receipts: list[EnquiryReceipt], data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    mine = receipts[0]
    with store.sessions.begin() as session:
        alice = session.scalars(sa.select(User)).first()
        assert alice is not None
        case = Case(organisation_id=alice.organisation_id)
        session.add(case)
        session.flush()
        session.add(
            Message(
                case_id=case.id, enquiry_id=mine.enquiry_id,
                direction=MessageDirection.from_family, body="Чи є новини?",
            )
        )  # fmt: skip
    out = tmp_path / "export.json"
    env = {"KINTRACE_DATABASE_URL": database_url}
    result = runner.invoke(
        app,
        ["subject-export", "--reference", mine.reference.lower(), "--data-dir", str(data_dir),
         "-o", str(out)],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text())
    assert document["reference"] == mine.reference
    assert document["enquiry"]["enquirer_name"] == "Кислиця Ганна"
    assert document["enquiry"]["sought_full_name"] == "Кислиця Сергій 0"
    assert "secret_digest" not in document["enquiry"]
    assert [m["body"] for m in document["related"]["message"]] == ["Чи є новини?"]
    assert document["accesses"][0]["event"] == "enquiry.received"
    with store.sessions() as session:
        exported = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.kind == "enquiry.exported")
        ).one()
    assert exported.subject_id == mine.enquiry_id and exported.detail["records"] == 2


def test_an_unknown_reference_exports_nothing(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "none.json"
    env = {"KINTRACE_DATABASE_URL": database_url}
    result = runner.invoke(
        app,
        [
            "subject-export",
            "--reference",
            "KT-AAAA-AAAA",
            "--data-dir",
            str(data_dir),
            "-o",
            str(out),
        ],
        env=env,
    )
    assert result.exit_code == 1 and "No enquiry has that reference" in result.output
    assert not out.exists()
