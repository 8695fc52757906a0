"""`kintrace import FILE --source NAME`: bulk lists (CSV, XLSX, exchange CSV), signed field
batches and PFIF 1.4 files; `kintrace batch-key`: this laptop's key and the trusted keys.

The guessed column mapping is shown and confirmed (or taken from --mapping / --yes); a dry
run lists every bad row with its reason; the batch lands whole or not at all unless bad rows
are quarantined by explicit choice; a file imported before is a no-op.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from kintrace.cli.common import (
    DEFAULT_DATA_DIR,
    DataDir,
    console,
    err_console,
    fail,
    prepare_data_dir,
    settings_for,
)

# Exit codes: 1 for trouble with the setup (database, source), 2 for trouble with the file.
FILE_FAULT = 2


@contextmanager
def open_store(data_dir: Path) -> Iterator[tuple[object, object]]:
    """(settings, sessionmaker) for a command; keys loaded, engine disposed afterwards."""
    from kintrace.db import make_engine, make_sessionmaker
    from kintrace.errors import KintraceError
    from kintrace.keys import Keys

    prepare_data_dir(data_dir)
    settings = settings_for(data_dir)
    try:
        engine = make_engine(settings)
        Keys(settings)
    except KintraceError as exc:
        fail(str(exc))
        raise
    try:
        yield settings, make_sessionmaker(engine)
    except Exception as exc:
        if "no such table" in str(exc) or "does not exist" in str(exc):
            fail("The database has no tables yet; run `kintrace db upgrade` first.")
        raise
    finally:
        engine.dispose()


def _show_bad_rows(bad_rows: list, limit: int | None = None) -> None:  # type: ignore[type-arg]
    table = RichTable("row", "field", "reason", title="Rows that cannot be imported")
    for bad in bad_rows[:limit] if limit else bad_rows:
        table.add_row(str(bad.row_number), bad.field, bad.message())
    err_console.print(table)


def _show_mapping(mapping, headers: list[str]) -> None:  # type: ignore[no-untyped-def]
    table = RichTable("field", "column in the file", title="Column mapping")
    for name, header in mapping.columns.items():
        table.add_row(name, header)
    if mapping.report_type:
        table.add_row("report_type", f"(every row: {mapping.report_type.value})")
    console.print(table)
    unused = [h for h in headers if h and h not in mapping.columns.values()]
    if unused:
        console.print("Columns not imported: " + ", ".join(unused), highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        file: Annotated[
            Path, typer.Argument(help="CSV, XLSX, exchange CSV, signed batch or PFIF.")
        ],
        source: Annotated[str, typer.Option("--source", help="The source's name, as stored.")],
        mapping_file: Annotated[
            Path | None, typer.Option("--mapping", help="A saved mapping (JSON) to use as is.")
        ] = None,
        yes: Annotated[
            bool, typer.Option("--yes", "-y", help="Accept the guessed mapping without asking.")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Check every row and write nothing.")
        ] = False,
        quarantine: Annotated[
            bool,
            typer.Option(
                "--quarantine-bad-rows",
                help="Import the good rows and keep the bad ones aside for correction.",
            ),
        ] = False,
        report_type: Annotated[
            str | None,
            typer.Option("--report-type", help="Report type of every row when no column has one."),
        ] = None,
        save_mapping: Annotated[
            Path | None, typer.Option("--save-mapping", help="Write the mapping used to a file.")
        ] = None,
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Import reports from a file; the whole file lands, or nothing does."""
        import sqlalchemy as sa

        from kintrace.db.models import Source
        from kintrace.domain import ReportType
        from kintrace.intake.reports import (
            BatchRejected,
            ImportFileError,
            Mapping,
            MappingError,
            find_batch,
            guess_mapping,
            import_batch,
            validate,
        )
        from kintrace.io.pfif import is_pfif, read_pfif_table
        from kintrace.io.signed_batch import is_signed_batch, read_signed_batch
        from kintrace.io.tables import read_table

        if not file.is_file():
            fail(f"There is no file at {file}.", FILE_FAULT)
        with open(file, "rb") as fh:
            head = fh.read(4096)
        with open_store(data_dir) as (_settings, sessions):
            with sessions() as session:  # type: ignore[operator]
                source_id = session.scalar(sa.select(Source.id).where(Source.name == source))
            if source_id is None:
                fail(
                    f"There is no source named '{source}'. Sources are graded and created by "
                    "an administrator (kintrace demo creates examples).",
                )
            signed_by = None
            try:
                with sessions() as session:  # type: ignore[operator]
                    if is_signed_batch(head):
                        verified = read_signed_batch(session, file.read_bytes())
                        table, mapping, signed_by = verified.table, verified.mapping, verified
                        console.print(f"Signature verified: key '{verified.key_name}'.")
                    elif is_pfif(head):
                        table, mapping = read_pfif_table(file.read_bytes())
                    else:
                        table = read_table(file)
                        mapping = None
            except ImportFileError as exc:
                fail(str(exc), FILE_FAULT)
                return
            with sessions() as session:  # type: ignore[operator]
                previous = find_batch(session, table.sha256)
                if previous is not None:
                    console.print(
                        f"This file was already imported (batch {previous.id}, "
                        f"{previous.reports_created} reports); nothing to do."
                    )
                    return
            if mapping is None:
                try:
                    if mapping_file is not None:
                        mapping = Mapping.from_json(mapping_file.read_text(encoding="utf-8"))
                    else:
                        mapping = guess_mapping(table.headers)
                    if report_type is not None:
                        mapping.report_type = ReportType(report_type)
                except ValueError:
                    fail(
                        f"'{report_type}' is not a report type; choose one of: "
                        + ", ".join(t.value for t in ReportType)
                        + ".",
                        FILE_FAULT,
                    )
                except (MappingError, OSError) as exc:
                    fail(str(exc), FILE_FAULT)
                _show_mapping(mapping, table.headers)
                if mapping_file is None and not yes and not dry_run:
                    if not typer.confirm("Import with this mapping?"):
                        fail("Nothing was imported.")
                if save_mapping is not None:
                    save_mapping.write_text(mapping.to_json(), encoding="utf-8")
            assert mapping is not None

            if dry_run:
                try:
                    result = validate(table, mapping)
                except (MappingError, ImportFileError) as exc:
                    fail(str(exc), FILE_FAULT)
                    return
                if result.bad_rows:
                    _show_bad_rows(result.bad_rows)
                console.print(
                    f"Dry run: {result.rows_total} rows, {result.rows_ok} can be imported, "
                    f"{result.rows_total - result.rows_ok} cannot. Nothing was written."
                )
                if result.bad_rows:
                    raise typer.Exit(FILE_FAULT)
                return

            show = sys.stderr.isatty() and (table.row_estimate or 0) >= 1000
            with Progress(
                TextColumn("Importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                disable=not show,
                transient=True,
            ) as bar:
                task = bar.add_task("import", total=table.row_estimate)
                try:
                    with sessions.begin() as session:  # type: ignore[attr-defined]
                        outcome = import_batch(
                            session,
                            table,
                            mapping,
                            source_id,
                            quarantine_bad_rows=quarantine,
                            progress=lambda done: bar.update(task, completed=done),
                            skip_existing=table.kind in {"signed_batch", "pfif"},
                            signed_by_key_id=signed_by.key_id if signed_by else None,
                        )
                        if table.kind == "pfif":
                            from kintrace.io.pfif import store_pfif_records

                            store_pfif_records(session, file.read_bytes(), outcome, source_id)
                except BatchRejected as exc:
                    bar.stop()
                    _show_bad_rows(exc.bad_rows)
                    fail(str(exc), FILE_FAULT)
                except (MappingError, ImportFileError) as exc:
                    bar.stop()
                    fail(str(exc), FILE_FAULT)
            if outcome.already_imported:
                console.print("This file was already imported; nothing to do.")
                return
            if outcome.rows_quarantined:
                _show_bad_rows(outcome.bad_rows)
            span = (
                f" (ids {outcome.first_report_id}–{outcome.last_report_id})"
                if outcome.reports_created
                else ""
            )
            console.print(
                f"Imported {outcome.reports_created} reports{span} as batch {outcome.batch_id}; "
                f"{outcome.rows_quarantined} rows quarantined for correction, "
                f"{outcome.rows_skipped} already present."
            )

    key_app = typer.Typer(no_args_is_help=True, help="Field-team keys for signed batches.")
    app.add_typer(key_app, name="batch-key")

    @key_app.command("show")
    def show_key(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
        """Print this instance's public key (register it on the receiving instance)."""
        from kintrace.io.signed_batch import fingerprint, public_key_hex, signing_key

        prepare_data_dir(data_dir)
        public_hex = public_key_hex(signing_key(settings_for(data_dir)))
        console.print(public_hex, highlight=False, soft_wrap=True)
        err_console.print(f"fingerprint {fingerprint(public_hex)}", highlight=False)

    @key_app.command("trust")
    def trust(
        name: Annotated[str, typer.Argument(help="A name for the field team or laptop.")],
        public_key: Annotated[
            str, typer.Argument(help="Its public key (kintrace batch-key show).")
        ],
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Accept signed batches made with this public key."""
        from kintrace.errors import AlreadyExists
        from kintrace.io.signed_batch import SignedBatchError, trust_key

        with open_store(data_dir) as (_settings, sessions):
            try:
                with sessions.begin() as session:  # type: ignore[attr-defined]
                    key_id = trust_key(session, name, public_key)
            except (SignedBatchError, AlreadyExists) as exc:
                fail(str(exc))
        console.print(f"Key '{name}' is trusted (id {key_id}).")
