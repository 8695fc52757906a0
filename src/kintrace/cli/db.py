"""`kintrace db upgrade`: bring the database to the newest schema."""

from __future__ import annotations

import typer

from kintrace.cli.common import (
    DEFAULT_DATA_DIR,
    DataDir,
    console,
    opened_engine,
    prepare_data_dir,
    settings_for,
)


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade")
    def upgrade(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
        """Create or migrate the database to the newest schema (safe to run again)."""
        from kintrace.db import upgrade as run_upgrade
        from kintrace.db.migrate import current_revision

        settings = settings_for(data_dir)
        if settings.database_url is None:
            prepare_data_dir(settings.data_dir)
        with opened_engine(settings) as engine:
            run_upgrade(settings, engine=engine)
            console.print(f"Database is at schema revision [bold]{current_revision(engine)}[/].")
