from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from tests.factories import Store
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.db.models import AuditEvent, Enquiry, Match
from kintrace.intake.enquiries import EnquiryReceipt
from kintrace.keys import KeyRing, key_id_of
from kintrace.privacy.rotation import key_usage, reencrypt

runner = CliRunner()


def raw_values(store: Store, sql: str) -> list[str]:
    with store.engine.connect() as conn:
        return [v for v in conn.execute(sa.text(sql)).scalars() if v is not None]


def add_match(store: Store, enquiry_id: int) -> None:
    with store.sessions.begin() as session:
        session.add(
            Match(
                enquiry_id=enquiry_id,
                probability=0.9,
                explanation={"family_name": ["Кислиця", "Kyslytsia"]},
                model_version="test",
            )
        )


def test_after_rotation_and_reencryption_everything_is_under_the_new_key_and_still_reads(
    store: Store, receipts: list[EnquiryReceipt]
) -> None:
    add_match(store, receipts[0].enquiry_id)
    ring = store.keys.ring
    old = ring.current_id
    new = ring.rotate()
    assert key_usage(store.engine, ring)[old] > 0

    result = reencrypt(store.engine, ring)

    assert result.resealed >= 1 and result.rewrapped_data_keys == 3
    usage = key_usage(store.engine, ring)
    assert usage[old] == 0 and usage[new] > 0 and usage["plaintext"] == 0
    ring.retire(old)
    fresh = KeyRing(ring.dir)  # another process, without cached keys
    assert old not in fresh.master_ids()
    with store.sessions() as session:
        names = sorted(e.sought_full_name or "" for e in session.scalars(sa.select(Enquiry)))
        match = session.scalars(sa.select(Match)).one()
    assert names == [f"Кислиця Сергій {i}" for i in range(3)]
    assert match.explanation == {"family_name": ["Кислиця", "Kyslytsia"]}


def test_values_stored_before_encryption_are_sealed_by_the_pass_with_their_records_key(
    store: Store, receipts: list[EnquiryReceipt]
) -> None:
    enquiry_id, reference = receipts[0].enquiry_id, receipts[0].reference
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE enquiry SET enquirer_phone = '+380000000000' WHERE id = :id"),
            {"id": enquiry_id},
        )
    assert key_usage(store.engine, store.keys.ring)["plaintext"] == 1

    result = reencrypt(store.engine, store.keys.ring)

    assert result.sealed_legacy == 1
    stored = raw_values(store, f"SELECT enquirer_phone FROM enquiry WHERE id = {enquiry_id}")
    assert key_id_of(stored[0]) == f"enquiry-{reference}"
    with store.sessions() as session:
        enquiry = session.get(Enquiry, enquiry_id)
        assert enquiry is not None and enquiry.enquirer_phone == "+380000000000"


def test_the_keys_commands_rotate_with_a_progress_bar_and_refuse_to_retire_a_key_in_use(
    store: Store, receipts: list[EnquiryReceipt], data_dir: Path, database_url: str
) -> None:
    env = {"KINTRACE_DATABASE_URL": database_url}
    old = store.keys.ring.current_id

    early = runner.invoke(app, ["keys", "retire", old, "--data-dir", str(data_dir)], env=env)
    assert early.exit_code == 1 and "current" in early.output

    rotated = runner.invoke(
        app, ["keys", "rotate", "--no-reencrypt", "--data-dir", str(data_dir)], env=env
    )
    assert rotated.exit_code == 0, rotated.output
    refused = runner.invoke(app, ["keys", "retire", old, "--data-dir", str(data_dir)], env=env)
    assert refused.exit_code == 1 and "still seals" in refused.output

    moved = runner.invoke(app, ["keys", "reencrypt", "--data-dir", str(data_dir)], env=env)
    assert moved.exit_code == 0, moved.output
    assert "data keys" in moved.output and "can be retired" in moved.output
    retired = runner.invoke(app, ["keys", "retire", old, "--data-dir", str(data_dir)], env=env)
    assert retired.exit_code == 0, retired.output
    assert not (data_dir / "keys" / "ring" / f"{old}.key").exists()
    with store.sessions() as session:
        assert len(session.scalars(sa.select(Enquiry)).all()) == 3
        kinds = session.scalars(
            sa.select(AuditEvent.kind).where(AuditEvent.kind.startswith("keys."))
        ).all()
        retired = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.kind == "keys.retired")
        ).one()
    # Key management is audited too (ids only): two rotation passes, one retirement.
    assert sorted(kinds) == ["keys.retired", "keys.rotated", "keys.rotated"]
    assert retired.detail["key_id"] == old
