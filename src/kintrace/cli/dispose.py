"""`kintrace dispose`: delete records past their retention period, leave tombstones, destroy
their data keys (which reaches every backup of them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, fail, settings_for
from kintrace.errors import KintraceError


def register(app: typer.Typer) -> None:
    @app.command("dispose")
    def dispose(
        data_dir: DataDir = DEFAULT_DATA_DIR,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Only say what would be disposed of.")
        ] = False,
    ) -> None:
        """Dispose of enquiries and cases past their retention period (settings
        retention_days): delete them, keep a tombstone, destroy their data keys."""
        from kintrace.db import make_engine, make_sessionmaker
        from kintrace.keys import Keys
        from kintrace.privacy.retention import (
            dispose as run_dispose,
        )
        from kintrace.privacy.retention import (
            plan_disposal,
            shred_keys,
            shred_leftover_keys,
        )

        settings = settings_for(data_dir)
        try:
            keys = Keys(settings)
            engine = make_engine(settings)
        except KintraceError as exc:
            fail(str(exc))
            return
        now = datetime.now(UTC)
        try:
            sessions = make_sessionmaker(engine)
            if dry_run:
                with sessions() as session:
                    plan = plan_disposal(session, settings.retention_days, now=now)
                console.print(
                    f"Would dispose of {len(plan.enquiry_ids)} enquiries and "
                    f"{len(plan.case_ids)} cases (retention: {settings.retention_days}). "
                    "Nothing was changed."
                )
                return
            with sessions.begin() as session:
                result = run_dispose(session, settings.retention_days, now=now)
            # Only once the deletion is committed: a key destroyed for a row that a failed
            # transaction kept would leave that row unreadable.
            shredded = shred_keys(keys.ring, result.keys_to_shred)
            with sessions() as session:
                shredded += shred_leftover_keys(session, keys.ring)
        except KintraceError as exc:
            fail(str(exc))
            return
        finally:
            engine.dispose()
        rows = ", ".join(f"{n} {t}" for t, n in sorted(result.rows_deleted.items()) if n)
        console.print(
            f"Disposed of {len(result.plan.enquiry_ids)} enquiries and "
            f"{len(result.plan.case_ids)} cases ({rows or 'no rows'}); "
            f"{result.tombstones} tombstones written, {shredded} data keys destroyed."
        )
