"""Claimed totals are kept as said, with their source, and refused when they cannot be placed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.factories import Store, add_personas, migrated_store

from kintrace.stats.claims import ClaimIn, list_claims, record_claim


@pytest.fixture
def store(database_url: str, data_dir: Path) -> Iterator[Store]:
    with migrated_store(data_dir, database_url) as migrated:
        yield migrated


def _claim(**overrides: object) -> ClaimIn:
    values: dict[str, object] = {
        "claimant": "Ministry of Defence of Country A",
        "claimed_on": date(2026, 3, 1),
        "figure": 6000,
        "fate": "dead",
        "counts": "soldiers of Country B killed",
        "statement_url": "https://example.org/statement/1",
    }
    values.update(overrides)
    return ClaimIn(**values)  # type: ignore[arg-type]


def test_two_claims_about_the_same_week_are_both_kept_oldest_first(store: Store) -> None:
    with store.sessions.begin() as session:
        user = add_personas(session).bob
        record_claim(session, _claim(claimed_on=date(2026, 3, 2), figure=498), user.id)
        record_claim(session, _claim(), user.id)
    with store.sessions() as session:
        claims = list_claims(session)
    assert [(c.claimed_on, c.figure) for c in claims] == [
        (date(2026, 3, 1), 6000),
        (date(2026, 3, 2), 498),
    ]
    assert claims[0].statement_url == "https://example.org/statement/1"


def test_a_claim_without_a_statement_link_or_a_known_fate_is_refused_with_sentences() -> None:
    problems = _claim(statement_url="javascript:alert(1)", fate="vanished").problems()
    assert "Give the web address of the statement (http or https)." in problems
    assert "Choose which of the counted fates the claim is about." in problems
