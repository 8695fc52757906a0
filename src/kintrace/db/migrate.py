"""Run the Alembic migrations shipped inside the package (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from kintrace.db.engine import make_engine
from kintrace.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head", *, engine: Engine | None = None) -> None:
    """Bring the database to `revision` (default: the newest schema)."""
    _run(settings, engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade(settings: Settings, revision: str, *, engine: Engine | None = None) -> None:
    """Take the database back to `revision` ("base" removes every table)."""
    _run(settings, engine, lambda cfg: command.downgrade(cfg, revision))


def _run(settings: Settings, engine: Engine | None, action) -> None:  # type: ignore[no-untyped-def]
    own = engine is None
    engine = engine or make_engine(settings)
    try:
        with engine.connect() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            action(config)
            conn.commit()
    finally:
        if own:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
