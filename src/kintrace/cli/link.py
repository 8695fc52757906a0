"""`kintrace link`: placeholder until the matching engine lands (owned by the matching work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("link")
    def link() -> None:
        """Link records across scripts (not yet implemented)."""
        raise typer.Exit(code=2)
