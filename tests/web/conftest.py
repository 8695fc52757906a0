"""App fixtures for the web tests: a migrated database (SQLite and PostgreSQL through
``database_url``), the app built by ``create_app`` and a TestClient, plus small helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import enquiry_payload, make_settings

from kintrace.db import upgrade
from kintrace.settings import Settings
from kintrace.web.app import create_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE_RE = re.compile(r'<code class="code" id="(reference|secret)">([^<]+)</code>')


@dataclass
class Web:
    app: FastAPI
    client: TestClient
    settings: Settings

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.app.state.sessionmaker

    def csrf(self, path: str = "/enquiry") -> str:
        """The CSRF token the page at `path` put into its form (and into the session)."""
        response = self.client.get(path)
        match = CSRF_RE.search(response.text)
        assert match, f"{path} has no CSRF token in its form"
        return match.group(1)


def build_web(data_dir: Path, database_url: str, **settings: Any) -> Iterator[Web]:
    config = make_settings(data_dir, database_url, **settings)
    upgrade(config)
    app = create_app(config)
    with TestClient(app) as client:
        yield Web(app, client, config)


@pytest.fixture
def web(database_url: str, data_dir: Path) -> Iterator[Web]:
    yield from build_web(data_dir, database_url)


@pytest.fixture
def sqlite_web(tmp_path: Path, data_dir: Path) -> Iterator[Web]:
    """For tests about HTTP behaviour that no database can change (headers, templates)."""
    yield from build_web(data_dir, f"sqlite:///{tmp_path / 'web.sqlite3'}")


def form_fields(**overrides: Any) -> dict[str, str]:
    """The enquiry form as a browser posts it (flat "sought.x" names, consent "true")."""
    payload = enquiry_payload(**overrides)
    fields: dict[str, str] = {}
    for group in ("sought", "enquirer"):
        for name, value in payload[group].items():
            if value is None:
                continue
            fields[f"{group}.{name}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    if payload["consent"]:
        fields["consent"] = "true"
    return fields


def receipt_codes(html: str) -> dict[str, str]:
    return dict(CODE_RE.findall(html))
