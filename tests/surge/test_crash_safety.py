"""SIGKILL at random moments during load: every enquiry a client saw acknowledged is stored
exactly once, nothing is half-written, the audit chain verifies (tests/surge/crash.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.surge.crash import crash_drill

from kintrace.db import upgrade
from kintrace.settings import Settings


# SQLite only here: each restart re-imports the service, which is most of this test's time.
# The load benchmark (bench/load) runs the drill ten times on SQLite and on PostgreSQL.
@pytest.mark.slow
def test_killing_the_server_three_times_loses_or_doubles_no_acknowledged_enquiry(
    data_dir: Path,
) -> None:
    upgrade(Settings(data_dir=data_dir, environment="test"))
    result = crash_drill(data_dir, None, kills=3)
    assert result.problems == []
    assert result.unanswered > 0, "no post was cut off: the kills missed the load"
    assert result.stored == len(result.acknowledged) > 0


@pytest.mark.slow
def test_killing_two_sqlite_web_workers_at_once_loses_or_doubles_no_acknowledged_enquiry(
    data_dir: Path,
) -> None:
    # `kintrace serve --workers 2`: two group-commit writers share the one SQLite file.
    upgrade(Settings(data_dir=data_dir, environment="test"))
    result = crash_drill(data_dir, None, kills=2, workers=2)
    assert result.problems == []
    assert result.unanswered > 0, "no post was cut off: the kills missed the load"
    assert result.stored == len(result.acknowledged) > 0
