"""`kintrace link LEFT.csv [RIGHT.csv] -o PAIRS.csv [--threshold T] [--explain]`.

The contract in DESIGN.md: exchange CSV in, scored pairs out. Structural faults exit 2 with
a message naming the row; bad values are read as empty and warned about with their row.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


def _fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    @app.command("link")
    def link(
        left: Annotated[Path, typer.Argument(help="Exchange CSV to link (alone: deduplicate it).")],
        right: Annotated[
            Path | None,
            typer.Argument(help="Second exchange CSV: pairs link LEFT records to RIGHT records."),
        ] = None,
        output: Annotated[
            Path, typer.Option("--output", "-o", help="Where to write the pairs CSV.")
        ] = Path("pairs.csv"),
        threshold: Annotated[
            float,
            typer.Option(
                "--threshold",
                min=0.0,
                max=1.0,
                help="Write pairs with match_probability at or above this; never below 0.01.",
            ),
        ] = 0.01,
        explain: Annotated[
            bool, typer.Option("--explain", help="Add a readable explanation column.")
        ] = False,
        engine: Annotated[
            str,
            typer.Option(
                "--engine",
                help="Execution engine: duckdb (one machine) or spark (pyspark and Java 17; "
                "KINTRACE_SPARK_MASTER names a cluster, default local[*]).",
            ),
        ] = "duckdb",
    ) -> None:
        """Link records across scripts and spellings; write left_id,right_id,match_probability.

        Probabilities are calibrated: 0.5 or more means "the same person".
        """
        # Imported here so `kintrace --help` does not pay for Splink and DuckDB.
        from kintrace.io.exchange_csv import ExchangeFileError, read_exchange_csv, write_pairs_csv
        from kintrace.matching.batch import link_tables
        from kintrace.matching.features import build_features

        err = Console(stderr=True)
        if engine not in ("duckdb", "spark"):
            raise _fail(err, f"engine {engine!r} is not available; use duckdb or spark.")
        try:
            lf_file = read_exchange_csv(left)
            rf_file = read_exchange_csv(right) if right is not None else None
        except ExchangeFileError as exc:
            raise _fail(err, str(exc)) from None
        for file in (lf_file, rf_file):
            for warning in file.warnings if file else ():
                err.print(f"warning: {warning}", highlight=False, soft_wrap=True)

        total = len(lf_file.records) + (len(rf_file.records) if rf_file else 0)
        show = total >= 5_000 and sys.stderr.isatty()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
            disable=not show,
            transient=True,
        ) as bar:
            prep = bar.add_task("reading names", total=total)
            lf = build_features(lf_file.records, progress=lambda n: bar.advance(prep, n))
            rf = (
                build_features(
                    rf_file.records,
                    rid_offset=len(lf_file.records),
                    progress=lambda n: bar.advance(prep, n),
                )
                if rf_file
                else None
            )
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, of: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=of)
                bar.update(tasks[stage], completed=done, total=of)

            if engine == "spark":
                from kintrace.matching.spark import SparkUnavailable, link_tables_spark

                try:
                    pairs = link_tables_spark(
                        lf.table,
                        rf.table if rf else None,
                        threshold=max(threshold, 0.01),
                        explain=explain,
                    )
                except SparkUnavailable as exc:
                    raise _fail(err, str(exc)) from None
            else:
                pairs = link_tables(
                    lf.table,
                    rf.table if rf else None,
                    threshold=max(threshold, 0.01),
                    explain=explain,
                    progress=progress,
                )
        for name, file, feats in (
            (str(left), lf_file, lf),
            (str(right), rf_file, rf),
        ):
            if file is None or feats is None:
                continue
            for w in feats.warnings:
                err.print(
                    f"warning: {name}, row {file.rows[w.index]}: {w.field} {w.reason}.",
                    highlight=False,
                    soft_wrap=True,
                )
        try:
            count = write_pairs_csv(output, pairs, explain=explain)
        except OSError as exc:
            raise _fail(err, f"cannot write {output}: {exc.strerror or exc}.") from None
        err.print(f"{count} pairs written to {output}", highlight=False)
