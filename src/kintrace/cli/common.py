"""What the commands share: the --data-dir option, settings, the console, error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kintrace.errors import StorageNotSafe
from kintrace.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="KINTRACE_DATA_DIR",
        help="Folder for the database, keys and audit checkpoints.",
        show_default=True,
    ),
]
DEFAULT_DATA_DIR = Path("./kintrace-data")
Host = Annotated[str, typer.Option("--host", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def settings_for(data_dir: Path) -> Settings:
    """Settings from the environment, with the data dir the command was given."""
    try:
        return Settings(data_dir=data_dir)
    except ValueError as exc:
        fail(str(exc))
        raise  # unreachable; keeps type checkers content


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data dir readable by its owner only: it holds keys and personal data."""
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)


def fail(message: str, code: int = 1) -> None:
    # soft_wrap: a long sentence stays one line, so it can be grepped and copied whole.
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=code)


@contextmanager
def opened_engine(settings: Settings) -> Iterator[Engine]:
    """The command's database engine, disposed afterwards; a store that cannot be made safe
    ends the command with its sentence."""
    from kintrace.db import make_engine

    try:
        engine = make_engine(settings)
    except StorageNotSafe as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    try:
        yield engine
    finally:
        engine.dispose()
