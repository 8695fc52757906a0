"""`kintrace keys`: list, rotate and retire the master keys that seal personal data at rest."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kintrace.audit.events import KeyRetired, KeysRotated
from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, fail, settings_for
from kintrace.errors import KintraceError


def _open(data_dir):  # type: ignore[no-untyped-def]
    from kintrace.db import make_engine
    from kintrace.keys import Keys

    settings = settings_for(data_dir)
    try:
        keys = Keys(settings)
        engine = make_engine(settings)
    except KintraceError as exc:
        fail(str(exc))
        raise
    return keys, engine


def _audit(engine, event) -> None:  # type: ignore[no-untyped-def]
    from kintrace import audit
    from kintrace.db import make_sessionmaker

    with make_sessionmaker(engine).begin() as session:
        audit.record(session, event)


def _reencrypt(keys, engine):  # type: ignore[no-untyped-def]
    from kintrace.privacy.rotation import reencrypt

    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    tasks: dict[str, int] = {}
    with Progress(*columns, console=console, transient=False) as progress:

        def step(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        result = reencrypt(engine, keys.ring, step)
    console.print(
        f"Moved {result.resealed} values to key {keys.ring.current_id}, sealed "
        f"{result.sealed_legacy} values stored before encryption, re-wrapped "
        f"{result.rewrapped_data_keys} data keys."
    )
    return result


def _usage_table(keys, engine) -> None:  # type: ignore[no-untyped-def]
    from kintrace.privacy.rotation import key_usage

    usage = key_usage(engine, keys.ring)
    table = Table(title="Master keys")
    table.add_column("key")
    table.add_column("state")
    table.add_column("values and data keys it seals", justify="right")
    for key_id in keys.ring.master_ids():
        state = "current" if key_id == keys.ring.current_id else "old"
        if state == "old" and usage[key_id] == 0:
            state = "old, can be retired"
        table.add_row(key_id, state, str(usage[key_id]))
    if usage["plaintext"]:
        table.add_row("(none)", "stored before encryption", str(usage["plaintext"]))
    console.print(table)


def register(app: typer.Typer) -> None:
    keys_app = typer.Typer(no_args_is_help=True, help="Keys that seal personal data at rest.")
    app.add_typer(keys_app, name="keys")

    @keys_app.command("list")
    def list_keys(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
        """Show the master keys, which is current and how much each still seals."""
        keys, engine = _open(data_dir)
        try:
            _usage_table(keys, engine)
        finally:
            engine.dispose()

    @keys_app.command("rotate")
    def rotate(
        data_dir: DataDir = DEFAULT_DATA_DIR,
        reencrypt: Annotated[
            bool,
            typer.Option(
                "--reencrypt/--no-reencrypt",
                help="Move stored data to the new key now (default) or later.",
            ),
        ] = True,
    ) -> None:
        """Make a new master key current (old ones stay readable), then move data to it.

        Restart running services afterwards so that they write with the new key."""
        keys, engine = _open(data_dir)
        try:
            old = keys.ring.current_id
            new = keys.ring.rotate()
            console.print(f"Key {new} is now current (it replaces {old}).")
            moved = _reencrypt(keys, engine) if reencrypt else None
            _audit(
                engine,
                KeysRotated(
                    key_id=new,
                    values_moved=moved.resealed + moved.sealed_legacy if moved else 0,
                    data_keys_rewrapped=moved.rewrapped_data_keys if moved else 0,
                ),
            )
            _usage_table(keys, engine)
        finally:
            engine.dispose()

    @keys_app.command("reencrypt")
    def reencrypt_cmd(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
        """Move every stored value to the current master key (safe to run again)."""
        keys, engine = _open(data_dir)
        try:
            moved = _reencrypt(keys, engine)
            _audit(
                engine,
                KeysRotated(
                    key_id=keys.ring.current_id,
                    values_moved=moved.resealed + moved.sealed_legacy,
                    data_keys_rewrapped=moved.rewrapped_data_keys,
                ),
            )
            _usage_table(keys, engine)
        finally:
            engine.dispose()

    @keys_app.command("retire")
    def retire(
        key_id: Annotated[str, typer.Argument(help="The old master key to destroy.")],
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Destroy an old master key once nothing is sealed with it any more."""
        from kintrace.privacy.rotation import key_usage

        keys, engine = _open(data_dir)
        try:
            usage = key_usage(engine, keys.ring)
            if key_id not in usage or key_id == "plaintext":
                fail("There is no master key with that id in the keys folder.")
            if key_id == keys.ring.current_id:
                fail("The current master key cannot be retired; rotate first.")
            if usage[key_id]:
                fail(
                    f"Key {key_id} still seals {usage[key_id]} values or data keys; run "
                    "`kintrace keys reencrypt` first (and restart services still writing with it)."
                )
            try:
                keys.ring.retire(key_id)
            except KintraceError as exc:
                fail(str(exc))
            _audit(engine, KeyRetired(key_id=key_id))
            console.print(f"Key {key_id} was destroyed.")
        finally:
            engine.dispose()
