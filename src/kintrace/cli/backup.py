"""`kintrace backup` and `kintrace restore`: a consistent copy of the database, and its return.

SQLite is copied with its online backup API while the service keeps running (writers wait a
moment, nobody is refused); PostgreSQL with ``pg_dump`` in its custom format. The copy is written
next to the target and renamed into place only once complete and flushed, so a backup interrupted
half-way never looks like a good one.

The key files are NOT in the backup, by design: a stolen backup alone opens no sealed field and
lets nobody test guessed enquiry secrets. Back up ``DATA_DIR/keys`` separately (another medium,
another custodian); a restore without them yields a database nobody can read.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer

from kintrace.cli.common import (
    DEFAULT_DATA_DIR,
    DataDir,
    console,
    fail,
    prepare_data_dir,
    settings_for,
)
from kintrace.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Tables whose counts a restore prints, so an operator can compare them with the live service.
COUNTED = ("organisation", "source", "report", "enquiry", "match", "audit_event")


def _sqlite_path(settings: Settings) -> Path | None:
    url = sa.make_url(settings.resolved_database_url())
    if url.get_backend_name() != "sqlite":
        return None
    return Path(url.database or "")


def _libpq_url(settings: Settings) -> str:
    # pg_dump speaks libpq URLs, without SQLAlchemy's "+driver".
    url = sa.make_url(settings.resolved_database_url()).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _postgres_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    # Debian's server packages keep the tools per version, off the PATH.
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if not candidates:
        fail(
            f"{name} was not found; install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)."
        )
    return candidates[-1]


def _fsync_into_place(partial: Path, target: Path) -> None:
    with partial.open("rb") as fh:
        os.fsync(fh.fileno())
    partial.replace(target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def backup_sqlite(database: Path, output: Path) -> None:
    """Copy a live SQLite database into one self-contained file (no -wal beside it)."""
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        # Pages are copied in steps so a long copy lets the service's writers in between.
        source.backup(target, pages=1024)
        target.execute("PRAGMA journal_mode = DELETE")
        problem = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if problem != "ok":
        partial.unlink(missing_ok=True)
        fail("The copy did not pass SQLite's integrity check; no backup was written.")
    _fsync_into_place(partial, output)
    output.chmod(0o600)


def _counts(settings: Settings) -> dict[str, int]:
    from kintrace.db import make_engine

    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            return {
                table: int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)
                for table in COUNTED
                if table in present
            }
    finally:
        engine.dispose()


def _verify_chain(settings: Settings) -> tuple[bool, str]:
    from kintrace import audit
    from kintrace.db import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            check = audit.verify(session)
    finally:
        engine.dispose()
    if check.ok:
        return True, f"The audit chain holds: {check.events} events verified."
    return False, f"The audit chain is broken at event {check.first_bad_seq}: {check.reason}."


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup(
        output: Annotated[Path, typer.Option("--output", "-o", help="The backup file to write.")],
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Copy the database while the service runs (keys are NOT included: back up DATA_DIR/keys
        separately)."""
        settings = settings_for(data_dir)
        output = output.resolve()
        if output.exists():
            fail(f"{output} already exists; choose a new file name for this backup.")
        output.parent.mkdir(parents=True, exist_ok=True)
        database = _sqlite_path(settings)
        if database is not None:
            if not database.exists():
                fail(f"There is no database at {database}; check --data-dir.")
            backup_sqlite(database, output)
        else:
            partial = output.with_name(output.name + ".partial")
            done = subprocess.run(
                [
                    _postgres_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(partial),
                    "--dbname",
                    _libpq_url(settings),
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                partial.unlink(missing_ok=True)
                fail(f"pg_dump failed (exit {done.returncode}): {done.stderr.strip()[:500]}")
            _fsync_into_place(partial, output)
            output.chmod(0o600)
        size_mb = output.stat().st_size / 1e6
        console.print(f"Backup written to [bold]{output}[/] ({size_mb:.1f} MB).", soft_wrap=True)
        console.print(
            "The keys are not in it: keep a copy of "
            f"{settings.keys_dir} elsewhere, or this backup cannot be read.",
            soft_wrap=True,
        )

    @app.command("restore")
    def restore(
        backup_file: Annotated[Path, typer.Argument(help="A file written by `kintrace backup`.")],
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Restore a backup into a new data dir (or the empty database of KINTRACE_DATABASE_URL),
        then print the counts and verify the audit chain."""
        settings = settings_for(data_dir)
        if not backup_file.is_file():
            fail(f"There is no backup file at {backup_file}.")
        with backup_file.open("rb") as fh:
            magic = fh.read(16)
        database = _sqlite_path(settings)
        if database is not None:
            if not magic.startswith(SQLITE_MAGIC):
                fail(
                    "This is not a SQLite backup; a PostgreSQL backup is restored by setting "
                    "KINTRACE_DATABASE_URL to an empty PostgreSQL database."
                )
            if database.exists():
                fail(
                    f"{database} already exists; restore into a new --data-dir so nothing "
                    "is overwritten."
                )
            prepare_data_dir(settings.data_dir)
            backup_sqlite(backup_file, database)
        else:
            if not magic.startswith(PG_DUMP_MAGIC):
                fail("This is not a PostgreSQL backup (pg_dump custom format).")
            done = subprocess.run(
                [
                    _postgres_tool("pg_restore"),
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                    _libpq_url(settings),
                    str(backup_file),
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                fail(
                    f"pg_restore failed (exit {done.returncode}); nothing was restored: "
                    f"{done.stderr.strip()[:500]}"
                )
        counts = _counts(settings)
        console.print(
            "Restored: " + ", ".join(f"{count} {table}" for table, count in counts.items()) + "."
        )
        ok, sentence = _verify_chain(settings)
        console.print(sentence)
        if not settings.keys_dir.exists():
            console.print(
                f"[bold]Copy the keys from your key backup into {settings.keys_dir}[/] before "
                "serving: without them no family can open its enquiry and sealed fields stay "
                "unreadable.",
                soft_wrap=True,
            )
        if not ok:
            raise typer.Exit(code=1)
