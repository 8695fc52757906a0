"""Backup and restore drill: a backup taken from a live store restores into a fresh data dir with
the same counts and an audit chain that verifies; keys are never inside the backup."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.factories import enquiry_payload, migrated_store
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.intake.enquiries import EnquiryIn, submit_enquiry

runner = CliRunner()


def run(*args: str, database_url: str | None = None) -> Any:
    env = {"KINTRACE_DATABASE_URL": database_url} if database_url else {}
    return runner.invoke(app, list(args), env=env)


def fill(data_dir: Path, database_url: str, enquiries: int = 5) -> None:
    with migrated_store(data_dir, database_url) as store:
        for _ in range(enquiries):
            with store.sessions.begin() as session:
                data = EnquiryIn.model_validate(enquiry_payload())
                submit_enquiry(session, data, channel="web", keys=store.keys)


def test_a_restored_backup_has_the_same_enquiries_and_a_verified_chain(
    database_url: str, data_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    fill(data_dir, database_url)
    sqlite = database_url.startswith("sqlite")
    source_url = database_url
    backup_file = tmp_path / "backups" / "kintrace.backup"

    made = run(
        "backup", "--data-dir", str(data_dir), "-o", str(backup_file), database_url=source_url
    )
    assert made.exit_code == 0, made.output
    assert backup_file.stat().st_mode & 0o077 == 0
    assert "keys are not in it" in made.output
    content = backup_file.read_bytes()
    key_files = [path for path in (data_dir / "keys").rglob("*") if path.is_file()]
    assert key_files
    for key_file in key_files:
        assert key_file.read_bytes() not in content

    new_dir = tmp_path / "restored"
    target_url = None if sqlite else fresh_postgres_database(request)
    restored = run("restore", str(backup_file), "--data-dir", str(new_dir), database_url=target_url)
    assert restored.exit_code == 0, restored.output
    assert "5 enquiry" in restored.output
    assert "The audit chain holds: 5 events verified." in restored.output
    assert "Copy the keys from your key backup" in restored.output
    # The restored store serves like the original one once its keys are copied back.
    verified = run("audit", "verify", "--data-dir", str(new_dir), database_url=target_url)
    assert verified.exit_code == 0, verified.output


def fresh_postgres_database(request: pytest.FixtureRequest) -> str:
    admin = request.getfixturevalue("postgres_admin_engine")
    name = f"kt_restore_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    request.addfinalizer(drop)
    return admin.url.set(database=name).render_as_string(hide_password=False)


def test_restore_never_overwrites_an_existing_database(data_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{data_dir / 'kintrace.db'}"
    fill(data_dir, url, enquiries=1)
    backup_file = tmp_path / "one.backup"
    assert run("backup", "--data-dir", str(data_dir), "-o", str(backup_file)).exit_code == 0
    again = run("restore", str(backup_file), "--data-dir", str(data_dir))
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert run("audit", "verify", "--data-dir", str(data_dir)).exit_code == 0
