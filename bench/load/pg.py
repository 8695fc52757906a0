"""A durable PostgreSQL server for the benchmark (fsync and synchronous_commit ON, unlike the
test suite's throwaway server): a temporary folder, loopback, a free port, trust on loopback."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _pg_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing (apt-get install postgresql).")
    return Path(found[-1]).parent


@contextmanager
def durable_postgres() -> Iterator[str]:
    """Yields a SQLAlchemy URL; the server and its folder are gone afterwards."""
    bin_dir = _pg_bin()
    root = os.geteuid() == 0
    user = "postgres" if root else os.environ.get("USER", "postgres")
    folder = Path(tempfile.mkdtemp(prefix="kintrace-bench-pg."))
    if root:
        shutil.chown(folder, user)

    def run(*args: str) -> None:
        command = ["runuser", "-u", user, "--", *args] if root else list(args)
        subprocess.run(command, check=True, capture_output=True, cwd="/")

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = folder / "data"
    run(
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-U",
        user,
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=200 "
        "-c shared_buffers=256MB"
    )
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(folder / "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        options,
        "start",
    )
    try:
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
