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


@pytest.mark.slow
def test_the_first_readme_command_serves_the_enquiry_form_in_three_languages(
    tmp_path: Path,
) -> None:
    import time
    import urllib.request

    from tests.conftest import free_port

    port = free_port()  # outside the range outgoing connections take theirs from
    env = {k: v for k, v in os.environ.items() if k != "KINTRACE_DATABASE_URL"}
    env["KINTRACE_SKIP_INSTALL"] = "1"  # the suite already runs inside the installed .venv
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen(
            [str(ROOT / "scripts/demo"), "--port", str(port), "--data-dir", str(tmp_path / "d")],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
        )
    try:
        pages = {}
        deadline = time.monotonic() + 180
        for language in ["uk", "ru", "en"]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/enquiry", headers={"Accept-Language": language}
            )
            while True:
                assert demo.poll() is None, "scripts/demo stopped:\n" + log.read_text()[-3000:]
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        pages[language] = response.read().decode()
                        break
                except OSError:
                    assert time.monotonic() < deadline, (
                        "no page within 3 minutes:\n" + log.read_text()[-3000:]
                    )
                    time.sleep(0.5)
        for language, html in pages.items():
            assert f'<html lang="{language}"' in html
            assert "<form" in html
        headings = {
            re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL).group(1) for html in pages.values()
        }  # type: ignore[union-attr]
        assert len(headings) == 3, f"the form is not translated: {headings}"
        printed = log.read_text()
        assert f"http://127.0.0.1:{port}" in printed
        assert "admin@" in printed and "password" in printed
    finally:
        demo.terminate()
        try:
            # Shutdown may drain background work first; give it time, then insist.
            demo.wait(timeout=120)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait(timeout=30)


def test_the_cli_reference_matches_the_commands_help(tmp_path: Path) -> None:
    fresh = tmp_path / "cli.md"
    subprocess.run([str(ROOT / "scripts/cli-docs"), str(fresh)], check=True, timeout=120)
    committed = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == committed, (
        "docs/cli.md is stale: run scripts/cli-docs and commit docs/cli.md"
    )
