"""`kintrace subject-export`: everything held about one enquirer, as JSON (subject access)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, fail, settings_for
from kintrace.errors import KintraceError


def register(app: typer.Typer) -> None:
    @app.command("subject-export")
    def subject_export(
        reference: Annotated[
            str, typer.Option("--reference", help="The enquiry reference, e.g. KT-7Q4M-9XPA.")
        ],
        data_dir: DataDir = DEFAULT_DATA_DIR,
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="File to write (default: <reference>.json)."),
        ] = None,
    ) -> None:
        """Write everything held about the enquirer of one enquiry to a JSON file (audited)."""
        from kintrace.db import make_engine, make_sessionmaker
        from kintrace.keys import Keys
        from kintrace.privacy.export import subject_export as build

        settings = settings_for(data_dir)
        target = output or Path(f"{reference.strip().upper()}.json")
        if target.exists():
            fail(f"{target} already exists; choose another file with -o.")
        try:
            Keys(settings)
            engine = make_engine(settings)
        except KintraceError as exc:
            fail(str(exc))
            return
        try:
            with make_sessionmaker(engine).begin() as session:
                document = build(session, reference)
                # Written before the commit: if the file cannot be written, the audit event
                # of an export that did not happen is rolled back with it.
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(document, fh, ensure_ascii=False, indent=2)
        except KintraceError as exc:
            fail(str(exc))
            return
        finally:
            engine.dispose()
        related = sum(len(rows) for rows in document["related"].values())
        console.print(
            f"Wrote the enquiry and {related} related records to {target} (readable by you "
            "only; it holds personal data)."
        )
