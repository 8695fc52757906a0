"""Tables for every stage, the engine/session factory and the shipped Alembic migrations."""

from kintrace.db.engine import make_engine, make_sessionmaker
from kintrace.db.migrate import downgrade, upgrade

__all__ = ["downgrade", "make_engine", "make_sessionmaker", "upgrade"]
