"""`kintrace serve` and `kintrace demo`: run the web service (uvicorn)."""

from __future__ import annotations

import os
import socket
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kintrace.cli.common import (
    DEFAULT_DATA_DIR,
    DataDir,
    Host,
    Port,
    console,
    fail,
    opened_engine,
    prepare_data_dir,
    settings_for,
)
from kintrace.errors import StorageNotSafe
from kintrace.settings import Settings

# Seconds a `--workers` process may take to start (and, later, to answer uvicorn's liveness
# ping before it is replaced).
WORKER_START_S = 60


def _run_web(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from kintrace.logging import configure_logging
    from kintrace.web.admission import SurgeSettings, apply_switch_interval

    configure_logging(settings.log_level)
    try:
        from kintrace.web.app import create_app

        app = create_app(settings)
    except StorageNotSafe as exc:
        fail(str(exc))
        return
    console.print(f"kintrace is serving at [bold]http://{host}:{port}[/] (Ctrl-C stops it).")
    surge = SurgeSettings()
    apply_switch_interval(surge)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "proxy_headers": False,
        # Logging is set up above (JSON lines without personal data); uvicorn must not redo it.
        "log_config": None,
        "access_log": False,
        # SIGTERM: stop accepting, let requests in flight finish (a family's enquiry half-way
        # through is answered), then stop even if one hangs.
        "timeout_graceful_shutdown": surge.graceful_shutdown_s,
        # A hard ceiling above admission control's own limits: connections beyond it get 503
        # from uvicorn before any Python of ours runs, so memory stays bounded.
        "limit_concurrency": surge.max_in_flight + surge.max_queued + 64,
    }
    if workers <= 1:
        uvicorn.run(app, **options)
        return
    # Several processes: one process's Python runs on one core at a time (the GIL), and under a
    # surge the web work, not the disk, is the bound. Each worker builds its own app (the one
    # above only checked that it can be built) and its own group-commit writer; on SQLite
    # their batches queue for the one write lock, each committed and fsynced before its
    # families hear "received". The workers read the data dir from the environment.
    app.state.engine.dispose()
    os.environ["KINTRACE_DATA_DIR"] = str(settings.data_dir)
    worker_options: dict[str, Any] = {
        **options,
        "factory": True,
        "workers": workers,
        # A worker must have built its app within this time or be killed and started again
        # (uvicorn's 5 s default): importing the service and building the app alone can take
        # longer on a busy machine, and then no worker ever came up.
        "timeout_worker_healthcheck": WORKER_START_S,
    }
    if not settings.resolved_database_url().startswith("postgresql"):
        # SQLite: the workers keep uvicorn's one shared socket. A socket each cost 11 % with
        # SQLite's sleeping busy handler (session 12) and, with the writers taking turns by a
        # lock file (kintrace.db.engine.WriterTurn), was still behind the shared socket in 3
        # loaded pairs of 4 (session 13, docs/operations-surge.md).
        uvicorn.run("kintrace.cli.serve:worker_app", **worker_options)
        return
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("kintrace.cli.serve:worker_app", **worker_options)
    try:
        listening = _SocketPerWorker.bound(host, port)
    except OSError as exc:
        fail(f"Cannot listen on {host}:{port} ({exc.strerror}).")
        return
    # What uvicorn.run does for several workers, with a socket of each worker's own.
    try:
        Multiprocess(config, sockets=[listening]).run()
    finally:
        listening.close()


def _listening_socket(host: str, port: int, cls: type[socket.socket] = socket.socket) -> Any:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = cls(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class _SocketPerWorker(socket.socket):
    """The address `kintrace serve --workers N` serves on PostgreSQL, as handed to each
    worker: a worker opens a listening socket of its own on it (SO_REUSEPORT) rather than
    sharing the parent's, so the kernel spreads new connections over the workers. On one shared socket the worker
    that woke first accepted every connection waiting (uvloop accepts until none is left): a
    client or proxy opening its 32 connections at once had them all in one process, whose one
    core was the bound while the other worker idled (session 12, docs/operations-surge.md).

    The parent only binds it (it never listens, so no connection waits on it) to hold the port
    and to fail early when it is taken."""

    @classmethod
    def bound(cls, host: str, port: int) -> _SocketPerWorker:
        sock: _SocketPerWorker = _listening_socket(host, port, cls)
        return sock

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        # Unpickled in each worker uvicorn spawns (multiprocessing's pickler knows only the
        # exact socket type, so this subclass is pickled by this method): a new socket there.
        host, port = self.getsockname()[:2]
        return (_listening_socket, (host, port))


def worker_app() -> Any:
    """The app of one `kintrace serve --workers N` process (uvicorn imports it by name)."""
    from kintrace.logging import configure_logging
    from kintrace.settings import Settings
    from kintrace.web.admission import SurgeSettings, apply_switch_interval
    from kintrace.web.app import create_app

    settings = Settings()
    configure_logging(settings.log_level)
    apply_switch_interval(SurgeSettings())
    return create_app(settings)


def _migrate(settings: Settings) -> None:
    from kintrace.db import upgrade

    with opened_engine(settings) as engine:
        upgrade(settings, engine=engine)


def _require_current_schema(settings: Settings) -> None:
    from kintrace.db.migrate import current_revision, head_revision

    with opened_engine(settings) as engine:
        current = current_revision(engine)
    if current != head_revision():
        fail(
            "The database schema is not the one this version needs; "
            "run `kintrace db upgrade` with the same --data-dir first."
        )


def _print_logins(logins: list[dict[str, str]], url: str) -> None:
    # Plain lines, not a table: a table would crop e-mails and seeds in a narrow terminal.
    console.print("[bold]Demo staff accounts[/] (synthetic data only):")
    for login in logins:
        console.print(
            f"  {login['role']:<20} {login['email']:<40} password {login['password']}"
            f"  TOTP seed {login['totp_secret']}",
            soft_wrap=True,
            highlight=False,
        )
    console.print(f"Staff sign-in: [bold]{url}/staff/login[/]", soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Host = "127.0.0.1",
        port: Port = 8000,
        data_dir: DataDir = DEFAULT_DATA_DIR,
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                min=1,
                help="Web processes (SQLite or PostgreSQL); more than one serves a surge "
                "faster on a machine with several cores.",
            ),
        ] = 1,
    ) -> None:
        """Run the web service on an existing data dir (run `kintrace db upgrade` first)."""
        settings = settings_for(data_dir)
        if settings.database_url is None and not settings.data_dir.exists():
            fail(
                f"The data dir {settings.data_dir} does not exist; run `kintrace demo` "
                "or `kintrace db upgrade --data-dir DIR` first."
            )
        _require_current_schema(settings)
        _run_web(settings, host, port, workers)

    @app.command("demo")
    def demo(
        host: Host = "127.0.0.1",
        port: Port = 8000,
        data_dir: DataDir = DEFAULT_DATA_DIR,
        serve: Annotated[
            bool, typer.Option("--serve/--no-serve", help="Serve after seeding.")
        ] = True,
    ) -> None:
        """Create the data dir, migrate, seed synthetic demo data once, print logins, serve."""
        import json

        from kintrace.db import make_engine, make_sessionmaker
        from kintrace.intake.demo import seed_demo
        from kintrace.keys import Keys

        settings = settings_for(data_dir)
        prepare_data_dir(settings.data_dir)
        _migrate(settings)
        logins_file = settings.data_dir / "demo-logins.json"
        engine = make_engine(settings)
        try:
            sessions = make_sessionmaker(engine)
            keys = Keys(settings)
            with Progress(
                TextColumn("{task.description:<16}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as progress:
                tasks: dict[str, object] = {}

                def step(label: str, done: int, total: int) -> None:
                    if label not in tasks:
                        tasks[label] = progress.add_task(label, total=total)
                    progress.update(tasks[label], completed=done)  # type: ignore[arg-type]

                with sessions.begin() as session:
                    result = seed_demo(session, keys, progress=step)
        finally:
            engine.dispose()

        url = f"http://{host}:{port}"
        if result.seeded:
            # Kept (owner-only) so a second `kintrace demo` can print the same logins.
            payload = {
                "logins": [login.__dict__ for login in result.logins],
                "sample_enquiry": (
                    {
                        "reference": result.sample_enquiry.reference,
                        "secret": result.sample_enquiry.secret,
                    }
                    if result.sample_enquiry
                    else None
                ),
            }
            logins_file.write_text(json.dumps(payload, indent=2))
            logins_file.chmod(0o600)
            console.print(
                f"Seeded {result.organisations} organisations, {result.sources} sources, "
                f"{result.reports} reports, {result.enquiries} enquiries and "
                f"{len(result.logins)} staff accounts."
            )
        else:
            console.print("The database already holds data; nothing was seeded again.")
        stored = json.loads(logins_file.read_text()) if logins_file.exists() else None
        console.print(f"Family enquiry form: [bold]{url}/[/]")
        if stored:
            _print_logins(stored["logins"], url)
            if stored.get("sample_enquiry"):
                sample = stored["sample_enquiry"]
                console.print(
                    f"A demo enquiry to open on the status page: reference "
                    f"[bold]{sample['reference']}[/], secret [bold]{sample['secret']}[/]",
                    soft_wrap=True,
                )
        if serve:
            _run_web(settings, host, port)
