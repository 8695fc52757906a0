from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kintrace.settings import Settings


def test_production_refuses_the_public_development_session_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="KINTRACE_SESSION_SECRET"):
        Settings(data_dir=tmp_path, environment="production")
    assert Settings(data_dir=tmp_path, environment="production", session_secret="x" * 40)


def test_the_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    url = Settings(data_dir=tmp_path).resolved_database_url()
    assert url == f"sqlite:///{tmp_path.resolve()}/kintrace.db"


def test_the_database_url_overrides_only_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_DATABASE_URL", "postgresql+psycopg://db.example/kt")
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url() == "postgresql+psycopg://db.example/kt"
    assert settings.keys_dir == tmp_path / "keys"
