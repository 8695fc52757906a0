"""The pip-audit step's ignore list: an entry needs a reason and an expiry date, and an expired
entry fails the step (the audit itself needs PyPI and runs in scripts/test, not here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pip-audit"


def check_ignore_list(tmp_path: Path, text: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if text is not None:
        path = tmp_path / "ignore.toml"
        path.write_text(text, encoding="utf-8")
        env["KINTRACE_PIP_AUDIT_IGNORE"] = str(path)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--ignore-only"], capture_output=True, text=True, env=env
    )


def test_the_shipped_ignore_list_is_valid(tmp_path: Path) -> None:
    result = check_ignore_list(tmp_path, None)
    assert result.returncode == 0, result.stderr


def test_an_expired_entry_fails_the_audit(tmp_path: Path) -> None:
    entry = (
        '[[ignore]]\nid = "GHSA-0000-0000-0000"\npackage = "example"\n'
        'reason = "Only the CLI uses it."\nexpires = 2020-01-31\n'
    )
    result = check_ignore_list(tmp_path, entry)
    assert result.returncode == 2
    assert "GHSA-0000-0000-0000 (example) expired on 2020-01-31" in result.stderr


def test_an_entry_without_a_reason_fails_the_audit(tmp_path: Path) -> None:
    entry = '[[ignore]]\nid = "GHSA-0000-0000-0000"\npackage = "example"\nexpires = 2099-01-31\n'
    result = check_ignore_list(tmp_path, entry)
    assert result.returncode == 2 and "lacks reason" in result.stderr


def test_a_current_entry_with_a_reason_is_accepted(tmp_path: Path) -> None:
    entry = (
        '[[ignore]]\nid = "GHSA-0000-0000-0000"\npackage = "example"\n'
        'reason = "Only the CLI uses it."\nexpires = 2099-01-31\n'
    )
    assert check_ignore_list(tmp_path, entry).returncode == 0
