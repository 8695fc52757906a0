from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.db.models import Enquiry, Report, User
from kintrace.domain import STAFF_ROLES

runner = CliRunner()


def run(*args: str, database_url: str | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
    env = {"KINTRACE_DATABASE_URL": database_url} if database_url else {}
    return runner.invoke(app, list(args), input=input, env=env)


def count(database_url: str, model: type) -> int:
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_demo_seeds_once_and_prints_the_same_logins_on_a_second_run(
    database_url: str, data_dir: Path
) -> None:
    first = run("demo", "--no-serve", "--data-dir", str(data_dir), database_url=database_url)
    assert first.exit_code == 0, first.output
    # The synthetic world decides the exact number; the demo promises about 2,000 reports
    # and says how many it seeded, which must be what the database holds.
    seeded = re.search(r"(\d+) reports, 300 enquiries", first.output)
    assert seeded, first.output
    assert 1800 <= int(seeded.group(1)) <= 2300
    for role in STAFF_ROLES:
        assert role.value in first.output
    assert "http://127.0.0.1:8000/" in first.output
    second = run("demo", "--no-serve", "--data-dir", str(data_dir), database_url=database_url)
    assert second.exit_code == 0, second.output
    assert "nothing was seeded again" in second.output
    assert "caseworker@demo.example.org" in second.output
    assert count(database_url, Report) == int(seeded.group(1))
    assert count(database_url, Enquiry) == 300
    assert count(database_url, User) == len(STAFF_ROLES)
    logins = data_dir / "demo-logins.json"
    assert stat.S_IMODE(logins.stat().st_mode) == 0o600


def test_db_upgrade_creates_the_embedded_database_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    result = run("db", "upgrade", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert "schema revision" in result.output
    assert (data_dir / "kintrace.db").exists()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert run("db", "upgrade", "--data-dir", str(data_dir)).exit_code == 0


def test_the_data_dir_can_come_from_the_environment(tmp_path: Path) -> None:
    data_dir = tmp_path / "from-env"
    result = runner.invoke(app, ["db", "upgrade"], env={"KINTRACE_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert (data_dir / "kintrace.db").exists()


def test_user_add_asks_for_the_password_twice_and_creates_the_account(
    database_url: str, data_dir: Path
) -> None:
    assert (
        run("db", "upgrade", "--data-dir", str(data_dir), database_url=database_url).exit_code == 0
    )
    result = run(
        "user", "add", "alice@a.example.org", "--role", "caseworker", "--org", "ORG-A",
        "--data-dir", str(data_dir), database_url=database_url,
        input=f"y\n{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created with role caseworker in ORG-A" in result.output
    assert PASSWORD not in result.output
    assert count(database_url, User) == 1


def test_user_add_refuses_an_unknown_role_and_a_short_password(data_dir: Path) -> None:
    run("db", "upgrade", "--data-dir", str(data_dir))
    bad_role = run(
        "user", "add", "x@a.example.org", "--role", "general", "--org", "A",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert bad_role.exit_code == 1
    assert "not a staff role" in bad_role.output
    short = run(
        "user", "add", "x@a.example.org", "--role", "analyst", "--org", "A", "--create-org",
        "--data-dir", str(data_dir), input="short\nshort\n",
    )  # fmt: skip
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output


def test_serve_refuses_a_sqlite_database_that_cannot_be_made_durable(data_dir: Path) -> None:
    result = run("serve", "--data-dir", str(data_dir), database_url="sqlite://")
    assert result.exit_code == 1
    assert "refuses to start" in result.output


def test_serve_explains_what_to_do_when_the_data_dir_is_missing(tmp_path: Path) -> None:
    result = run("serve", "--data-dir", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert "kintrace demo" in result.output


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded demo data dir (SQLite) shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "kintrace-data"
    result = run("demo", "--no-serve", "--data-dir", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_audit_verify_passes_an_intact_chain_and_names_a_tampered_event(
    demo_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "copy"
    shutil.copytree(demo_dir, data_dir)
    intact = run("audit", "verify", "--data-dir", str(data_dir))
    assert intact.exit_code == 0, intact.output
    assert "308 events verified" in intact.output  # 300 enquiries, 7 accounts, the seeding
    engine = sa.create_engine(f"sqlite:///{data_dir / 'kintrace.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_event SET subject_id = 999 WHERE seq = 42"))
    engine.dispose()
    broken = run("audit", "verify", "--data-dir", str(data_dir))
    assert broken.exit_code == 1
    assert "broken at event 42" in broken.output


def test_serve_asks_for_db_upgrade_when_the_schema_is_behind(data_dir: Path) -> None:
    result = run("serve", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "kintrace db upgrade" in result.output


def test_the_demo_source_officer_reports_for_one_source(demo_dir: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{demo_dir / 'kintrace.db'}")
    try:
        with engine.connect() as conn:
            scoped = conn.execute(
                sa.select(User.role, User.source_id).where(User.source_id.is_not(None))
            ).all()
    finally:
        engine.dispose()
    assert [role for role, _ in scoped] == ["source_officer"]


def test_user_reset_totp_and_disable_work_when_no_administrator_can_sign_in(
    database_url: str, data_dir: Path
) -> None:
    from kintrace.intake.staff import authenticate

    assert (
        run("db", "upgrade", "--data-dir", str(data_dir), database_url=database_url).exit_code == 0
    )
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with sa.orm.Session(engine) as session, session.begin():
            from tests.factories import TOTP_SEED

            from kintrace.domain import Role
            from kintrace.intake.staff import create_user, get_or_create_organisation

            org = get_or_create_organisation(session, "ORG-A")
            create_user(
                session, "root@a.example.org", PASSWORD, Role.admin, org, totp_secret=TOTP_SEED
            )
        common = ["--data-dir", str(data_dir)]
        result = run("user", "reset-totp", "ROOT@a.example.org", *common, database_url=database_url)
        assert result.exit_code == 0 and "authenticator was removed" in result.output
        result = run("user", "disable", "root@a.example.org", *common, database_url=database_url)
        assert result.exit_code == 0 and "disabled" in result.output
        with sa.orm.Session(engine) as session:
            root = session.scalar(sa.select(User))
            assert root is not None and root.totp_secret is None and not root.is_active
            assert authenticate(session, "root@a.example.org", PASSWORD) is None
        result = run("user", "enable", "nobody@a.example.org", *common, database_url=database_url)
        assert result.exit_code != 0 and "no staff account" in result.output
    finally:
        engine.dispose()
