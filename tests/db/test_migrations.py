from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from tests.factories import Store

from kintrace.db import downgrade, upgrade
from kintrace.db.migrate import current_revision, head_revision
from kintrace.db.models import Base

RECORDS = {
    "organisation", "source", "report", "person", "enquiry", "match", "match_decision",
    "case_file", "message", "disclosure", "audit_event", "user_account",
    "idempotency_record", "match_job",
}  # fmt: skip


def test_the_migration_creates_every_record_of_the_design(store: Store) -> None:
    tables = set(sa.inspect(store.engine).get_table_names())
    assert tables >= RECORDS
    assert current_revision(store.engine) == head_revision()


def test_the_migration_and_the_models_describe_the_same_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_the_migration_downgrades_to_an_empty_database_and_back(store: Store) -> None:
    downgrade(store.settings, "base", engine=store.engine)
    assert set(sa.inspect(store.engine).get_table_names()) <= {"alembic_version"}
    upgrade(store.settings, engine=store.engine)
    assert set(sa.inspect(store.engine).get_table_names()) >= RECORDS


def test_upgrading_an_up_to_date_database_changes_nothing(store: Store, data_dir: Path) -> None:
    before = current_revision(store.engine)
    upgrade(store.settings, engine=store.engine)
    assert current_revision(store.engine) == before
