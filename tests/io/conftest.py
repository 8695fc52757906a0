from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.factories import Store, migrated_store


@pytest.fixture
def store(database_url: str, data_dir: Path) -> Iterator[Store]:
    """A migrated database on SQLite and on PostgreSQL (via `database_url`)."""
    with migrated_store(data_dir, database_url) as migrated:
        yield migrated
