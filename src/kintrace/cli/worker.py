"""`kintrace worker`: run the match worker as its own process (the web service can run one too)."""

from __future__ import annotations

from typing import Annotated

import typer

from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, settings_for


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        data_dir: DataDir = DEFAULT_DATA_DIR,
        once: Annotated[
            bool, typer.Option("--once", help="Drain the queue once and stop.")
        ] = False,
        interval: Annotated[float, typer.Option(help="Seconds between polls when idle.")] = 0.1,
    ) -> None:
        """Match new enquiries and reports from the durable queue (Ctrl-C stops it)."""
        import time

        from kintrace.db import make_engine, make_sessionmaker
        from kintrace.keys import Keys
        from kintrace.review.worker import MatchWorker

        settings = settings_for(data_dir)
        # Names are sealed at rest: the worker must hold the key ring to read the reports.
        Keys(settings)
        engine = make_engine(settings)
        try:
            matcher = MatchWorker(make_sessionmaker(engine))
            if once:
                console.print(f"Matched {matcher.drain()} queued enquiries and reports.")
                return
            console.print("The match worker is running (Ctrl-C stops it).")
            while True:
                if matcher.run_once() == 0:
                    time.sleep(interval)
        except KeyboardInterrupt:
            console.print("The match worker stopped.")
        finally:
            engine.dispose()
