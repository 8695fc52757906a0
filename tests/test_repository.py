"""Repository-level promises: the README's two commands, the import contracts, licence, lock file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.match(r"\s*```[a-z]*\n(.*?)```", text, re.DOTALL)
    assert block, "README.md must open with a code block holding the set-up commands."
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_opens_with_exactly_the_demo_and_test_commands() -> None:
    assert readme_commands() == ["scripts/demo", "scripts/test"]


@pytest.mark.parametrize(
    "script", ["scripts/demo", "scripts/test", "scripts/with-postgres", ".ci/run"]
)
def test_each_entry_script_is_executable_and_valid_bash(script: str) -> None:
    path = ROOT / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_entry_scripts_are_committed_as_executable() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = ["scripts/demo", "scripts/test", "scripts/with-postgres", ".ci/run"]
    listing = subprocess.run(
        ["git", "ls-files", "-s", "--", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    modes = {line.split("\t")[1]: line.split()[0] for line in listing.splitlines()}
    assert modes == dict.fromkeys(files, "100755")


def test_the_import_contracts_between_stages_hold() -> None:
    result = subprocess.run(
        [str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_licence_is_apache_2() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"


def lock_entries() -> dict[str, list[str]]:
    """Map each locked requirement line to the --hash options that follow it."""
    entries: dict[str, list[str]] = {}
    current = ""
    for raw in (ROOT / "requirements/lock.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip().rstrip("\\").strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            entries[current].append(line)
        else:
            current = line
            entries[current] = []
    return entries


def test_the_lock_file_pins_every_package_exactly_with_hashes() -> None:
    entries = lock_entries()
    assert entries, "requirements/lock.txt is empty"
    unpinned = [
        line for line in entries if not re.fullmatch(r"[A-Za-z0-9._\[\],-]+==[^ =;]+( ;.*)?", line)
    ]
    unhashed = [line for line, hashes in entries.items() if not hashes]
    assert unpinned == [] and unhashed == []


def test_every_declared_dependency_is_in_the_lock_file() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + [
        d for ds in project["optional-dependencies"].values() for d in ds
    ]

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    locked = {norm(line.split("==")[0].split("[")[0]) for line in lock_entries()}
    names = {norm(re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0]) for d in declared}
    assert sorted(names - locked) == []


def test_every_setting_is_documented_in_the_operations_guide() -> None:
    from kintrace.settings import Settings

    guide = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    names = [f"KINTRACE_{name.upper()}" for name in Settings.model_fields]
    assert [name for name in names if f"`{name}`" not in guide] == []
