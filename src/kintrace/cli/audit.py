"""`kintrace audit verify|checkpoint`: check the hash chain against its signed checkpoints,
and sign the current head (run it from cron so quiet hours are covered too)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, fail, settings_for
from kintrace.errors import KintraceError

CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        help="A shipped copy of the checkpoint file to check against "
        "(default: <data dir>/audit/checkpoints.jsonl).",
    ),
]
PublicKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        help="The audit public key kept outside the data dir "
        "(default: <data dir>/keys/audit-ed25519.pub).",
    ),
]


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(no_args_is_help=True, help="The audit log.")
    app.add_typer(audit_app, name="audit")

    @audit_app.command("verify")
    def verify(
        data_dir: DataDir = DEFAULT_DATA_DIR,
        checkpoints: CheckpointsOption = None,
        public_key: PublicKeyOption = None,
    ) -> None:
        """Check that no audit event was altered, removed, reordered or cut from the end
        (exit code 1 if one was)."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        from kintrace.audit.checkpoints import verify_with_checkpoints
        from kintrace.db import make_engine, make_sessionmaker

        settings = settings_for(data_dir)
        public = None
        if public_key is not None:
            try:
                loaded = serialization.load_pem_public_key(public_key.read_bytes())
            except (OSError, ValueError):
                fail("The public key file cannot be read as a PEM public key.")
                return
            if not isinstance(loaded, Ed25519PublicKey):
                fail("The public key file does not hold an Ed25519 key.")
                return
            public = loaded
        if checkpoints is not None and not checkpoints.exists():
            fail("The checkpoint file given with --checkpoints does not exist.")
        try:
            engine = make_engine(settings)
        except KintraceError as exc:
            fail(str(exc))
            return
        try:
            with make_sessionmaker(engine)() as session:
                check = verify_with_checkpoints(
                    session, settings.data_dir, file=checkpoints, public_key=public
                )
        except KintraceError as exc:
            fail(str(exc))
            return
        finally:
            engine.dispose()
        if not check.ok:
            where = f" at event {check.first_bad_seq}" if check.first_bad_seq else ""
            fail(
                f"The audit chain is broken{where}: {check.reason}. "
                f"{check.events} events were read."
            )
        console.print(
            f"The audit chain holds: {check.events} events verified against "
            f"{check.checkpoints} signed checkpoints."
        )

    @audit_app.command("checkpoint")
    def checkpoint(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
        """Sign the chain's newest event and append it to <data dir>/audit/checkpoints.jsonl."""
        from kintrace.audit.checkpoints import checkpoint_file, write_checkpoint
        from kintrace.db import make_engine

        settings = settings_for(data_dir)
        try:
            engine = make_engine(settings)
        except KintraceError as exc:
            fail(str(exc))
            return
        try:
            written = write_checkpoint(engine, settings.data_dir)
        except KintraceError as exc:
            fail(str(exc))
            return
        finally:
            engine.dispose()
        if written is None:
            console.print("No new audit events since the last checkpoint.")
            return
        console.print(
            f"Checkpoint signed at event {written.seq}; appended to "
            f"{checkpoint_file(settings.data_dir)} (ship that file elsewhere)."
        )
