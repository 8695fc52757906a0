"""`kintrace audit verify`: walk the hash chain and say whether it holds."""

from __future__ import annotations

import typer

from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, fail, settings_for
from kintrace.errors import StorageNotSafe


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(no_args_is_help=True, help="The audit log.")
    app.add_typer(audit_app, name="audit")

    @audit_app.command("verify")
    def verify(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
        """Check that no audit event was altered, removed or reordered (exit code 1 if so)."""
        from kintrace import audit
        from kintrace.db import make_engine, make_sessionmaker

        settings = settings_for(data_dir)
        try:
            engine = make_engine(settings)
        except StorageNotSafe as exc:
            fail(str(exc))
            return
        try:
            with make_sessionmaker(engine)() as session:
                check = audit.verify(session)
        finally:
            engine.dispose()
        if not check.ok:
            fail(
                f"The audit chain is broken at event {check.first_bad_seq}: {check.reason}. "
                f"{check.events} events were read."
            )
        console.print(f"The audit chain holds: {check.events} events verified.")
