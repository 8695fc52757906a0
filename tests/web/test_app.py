"""The web service's background work (web/app.py's lifespan)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kintrace.db import upgrade
from kintrace.settings import Settings
from kintrace.web.app import create_app


@pytest.mark.parametrize("in_web", ["1", "0"])
def test_a_web_process_matches_in_its_own_thread_unless_told_to_leave_it_to_kintrace_worker(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, in_web: str
) -> None:
    # With several web workers each would hold its own candidate index; KINTRACE_MATCH_IN_WEB=0
    # leaves matching to one `kintrace worker` (docs/operations.md).
    monkeypatch.setenv("KINTRACE_MATCH_IN_WEB", in_web)
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}",
        environment="development",
    )
    upgrade(settings)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        running = {thread.name for thread in threading.enumerate()}
    assert ("kintrace-match-worker" in running) is (in_web == "1")
