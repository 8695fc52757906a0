"""docs/security.md shows the roles × actions table exactly as the Action table grants it.

After changing domain/permissions.py, regenerate it with
``KINTRACE_UPDATE_DOCS=1 .venv/bin/pytest tests/security/test_docs.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from kintrace.domain import Role
from kintrace.domain.permissions import ACTIONS, allowed

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
BEGIN, END = "<!-- roles-actions:begin -->", "<!-- roles-actions:end -->"
COLUMNS = [("anonymous", None), *((r.value, r.value) for r in Role if r is not Role.enquirer)]


class _Actor:
    def __init__(self, role: str) -> None:
        self.role = role
        self.is_active = True


def roles_actions_table() -> str:
    header = "| action | " + " | ".join(name.replace("_", " ") for name, _ in COLUMNS) + " |"
    lines = [header, "|---|" + "---|" * len(COLUMNS)]
    for name in sorted(ACTIONS):
        cells = [
            "✓" if allowed(name, _Actor(role) if role else None) else "·" for _, role in COLUMNS
        ]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_the_documented_roles_actions_table_is_the_one_the_code_enforces() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    current = f"{BEGIN}\n{roles_actions_table()}\n{END}"
    if os.environ.get("KINTRACE_UPDATE_DOCS"):
        DOC.write_text(head + current + tail, encoding="utf-8")
    assert f"{BEGIN}{rest.split(END, 1)[0]}{END}" == current, (
        "docs/security.md is out of date: KINTRACE_UPDATE_DOCS=1 pytest tests/security/test_docs.py"
    )


def test_the_analyst_is_granted_nothing_that_shows_a_name() -> None:
    granted = {name for name in ACTIONS if allowed(name, _Actor(Role.analyst.value))}
    public = {name for name, action in ACTIONS.items() if action.public}
    # Beyond what anybody may do: the dashboard (counts only), signing out, her own account.
    assert granted - public == {
        "staff.dashboard.view",
        "staff.session.logout",
        "staff.account.manage_own",
        # Issue 8: suppressed aggregate figures and public claims, never a person.
        "staff.figures.view",
        "staff.figures.claim",
    }
