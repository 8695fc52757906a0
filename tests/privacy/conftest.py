from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.factories import Store, add_personas, enquiry_payload, migrated_store

from kintrace.intake.enquiries import EnquiryIn, EnquiryReceipt, submit_enquiry


@pytest.fixture
def store(database_url: str, data_dir: Path) -> Iterator[Store]:
    """A migrated database on SQLite and on PostgreSQL (via `database_url`)."""
    with migrated_store(data_dir, database_url) as migrated:
        yield migrated


@pytest.fixture
def receipts(store: Store) -> list[EnquiryReceipt]:
    """Three synthetic enquiries filed through the real intake service, committed."""
    out = []
    with store.sessions.begin() as session:
        add_personas(session)
    for i in range(3):
        payload = enquiry_payload(sought__full_name=f"Кислиця Сергій {i}")
        with store.sessions.begin() as session:
            out.append(
                submit_enquiry(
                    session, EnquiryIn.model_validate(payload), channel="web", keys=store.keys
                )
            )
    return out
