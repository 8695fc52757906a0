"""Fault injection for database transactions: make the Nth statement fail, for every N.

``fail_every_statement(engine, attempt, check)`` first runs ``attempt(0)`` while counting the
statements it sends, then runs ``attempt(n + 1)`` once per statement index ``n`` with a database
error raised right before that statement reaches the database, calling ``check()`` after each.
Adding another multi-statement service to the fault tests is one call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def statements_counted(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def fault_at_statement(engine: Engine, index: int) -> Iterator[list[bool]]:
    """Raise the driver's own OperationalError before statement ``index`` (0-based)."""
    fired: list[bool] = []
    position = 0

    def maybe_fail(conn: Any, _cursor: Any, _statement: str, *_args: Any) -> None:
        nonlocal position
        position += 1
        if position - 1 == index and not fired:
            fired.append(True)
            raise conn.dialect.loaded_dbapi.OperationalError("fault injected by the test")

    event.listen(engine, "before_cursor_execute", maybe_fail)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", maybe_fail)


def fail_every_statement(
    engine: Engine, attempt: Callable[[int], object], check: Callable[[], None]
) -> int:
    """Fail each statement of ``attempt`` in turn; ``check`` must hold after every failure.
    Returns how many statements the clean run sent (so a test can see the loop ran)."""
    with statements_counted(engine) as seen:
        attempt(0)
    check()
    assert seen, "the attempt sent no statement to this engine"
    for index in range(len(seen)):
        with fault_at_statement(engine, index) as fired:
            try:
                attempt(index + 1)
            except Exception:  # the fault (or its consequence) is expected here
                pass
        assert fired, f"statement {index} ({seen[index]}) was never reached"
        check()
    return len(seen)
