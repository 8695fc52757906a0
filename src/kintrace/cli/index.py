"""`kintrace index rebuild`: ask a running match worker to rebuild its indexes from the database."""

from __future__ import annotations

from typing import Annotated

import typer

from kintrace.cli.common import (
    DEFAULT_DATA_DIR,
    DataDir,
    console,
    fail,
    opened_engine,
    settings_for,
)


def register(app: typer.Typer) -> None:
    index_app = typer.Typer(no_args_is_help=True, help="The match worker's real-time indexes.")
    app.add_typer(index_app, name="index")

    @index_app.command("rebuild")
    def rebuild(
        data_dir: DataDir = DEFAULT_DATA_DIR,
        wait: Annotated[
            float,
            typer.Option(help="Seconds to wait until a worker answers from the fresh indexes."),
        ] = 0.0,
    ) -> None:
        """Rebuild the worker's indexes from the database without stopping it: it builds
        fresh ones in the background, keeps answering from the old ones meanwhile, then
        swaps them in with the records that arrived in between (docs/realtime-scale.md)."""
        import time

        import sqlalchemy as sa

        from kintrace.db import make_sessionmaker
        from kintrace.db.models import MatchJob
        from kintrace.domain import JobState
        from kintrace.review.worker import INDEX_JOB

        settings = settings_for(data_dir)
        with opened_engine(settings) as engine:
            sessions = make_sessionmaker(engine)
            # Asked through the durable queue: whichever worker is running takes it, and a
            # worker started later builds fresh indexes anyway.
            with sessions.begin() as session:
                job = MatchJob(subject_type=INDEX_JOB, subject_id=0, state=JobState.pending)
                session.add(job)
                session.flush()
                job_id = job.id
            if wait <= 0:
                console.print(
                    "A rebuild of the matching indexes is queued; the match worker answers "
                    "from its current indexes until the fresh ones are ready."
                )
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                with sessions() as session:
                    state = session.scalar(sa.select(MatchJob.state).where(MatchJob.id == job_id))
                if state is JobState.done:
                    console.print("The match worker now answers from freshly rebuilt indexes.")
                    return
                time.sleep(0.5)
        fail(
            f"No match worker finished the rebuild within {wait:g} seconds; it stays queued "
            "(is `kintrace worker` or `kintrace serve` running?)."
        )
