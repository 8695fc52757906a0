from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kintrace.errors import KeyFileError
from kintrace.keys import Keys
from kintrace.settings import Settings


def test_key_files_are_created_readable_by_the_owner_only(tmp_path: Path) -> None:
    Keys(Settings(data_dir=tmp_path))
    files = sorted((tmp_path / "keys").iterdir())
    assert [f.name for f in files] == ["enquirer-hmac.key", "seal-aesgcm.key"]
    for key_file in files:
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_keys_survive_a_restart(tmp_path: Path) -> None:
    first = Keys(Settings(data_dir=tmp_path))
    second = Keys(Settings(data_dir=tmp_path))
    assert first.hmac(b"x") == second.hmac(b"x")
    assert second.open(first.seal(b"answer")) == b"answer"


def test_another_instance_cannot_open_sealed_data(tmp_path: Path) -> None:
    sealed = Keys(Settings(data_dir=tmp_path / "a")).seal(b"answer")
    with pytest.raises(KeyFileError):
        Keys(Settings(data_dir=tmp_path / "b")).open(sealed)


def test_a_sealed_value_moved_to_another_context_or_altered_does_not_open(tmp_path: Path) -> None:
    keys = Keys(Settings(data_dir=tmp_path))
    sealed = keys.seal(b"answer", b"key-1")
    assert b"answer" not in sealed
    with pytest.raises(KeyFileError):
        keys.open(sealed, b"key-2")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(KeyFileError):
        keys.open(tampered, b"key-1")


def test_a_damaged_key_file_stops_with_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "enquirer-hmac.key").write_text("not hex")
    with pytest.raises(KeyFileError, match="cannot be read"):
        Keys(Settings(data_dir=tmp_path))
