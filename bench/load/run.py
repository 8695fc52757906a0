"""Surge benchmark (issue 7): acknowledged enquiries/s, latency and errors of ``kintrace serve``
under a mix of new enquiries, status reads and staff work-queue reads, against the plain
baseline measured in the same run — a minimal FastAPI endpoint doing one durable SQLite insert
(WAL, synchronous=FULL). Then the same on PostgreSQL (fsync on) with several uvicorn workers,
the time for ``kintrace worker --once`` to drain the matching work queued during the surge, and
the SIGKILL crash drill (tests/surge/crash.py) on both databases.

Loopback only; every phase is bounded in time and stops by itself. Results: JSON in
bench/results/load.json (or --out) and a printed table.

    .venv/bin/python bench/load/run.py --small            # ~20k reports, 15 s phases, 3 kills
    .venv/bin/python bench/load/run.py                    # 1,000,000 reports, 100,000 enquiries
    .venv/bin/python bench/load/run.py --skip postgres --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(Path(__file__).parent)]

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from kintrace.settings import Settings  # noqa: E402

console = Console(width=170)
HERE = Path(__file__).parent
VENV_BIN = Path(sys.executable).parent
ENQUIRY_ONLY = {"enquiry": 1.0}
MIX = {"enquiry": 0.6, "status": 0.3, "staff": 0.1}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def payloads() -> list[dict[str, Any]]:
    from fill import FAMILY, GIVEN, PATRONYMIC, PLACES

    out = []
    for index in range(200):
        family, given = FAMILY[index % len(FAMILY)], GIVEN[(index * 7) % len(GIVEN)]
        out.append(
            {
                "sought": {
                    "full_name": f"{family} {given} {PATRONYMIC[index % len(PATRONYMIC)]}",
                    "sex": "M",
                    "birth_date": f"{1970 + index % 35}-0{1 + index % 9}-1{index % 9}",
                    "birth_place": PLACES[index % len(PLACES)],
                    "military": True,
                    "last_known_place": PLACES[(index + 3) % len(PLACES)],
                    "last_known_date": "2025-05",
                },
                "enquirer": {
                    "name": f"{family} {GIVEN[(index + 1) % len(GIVEN)]}",
                    "relationship": "mother",
                    "email": f"bench{index}@load.example.org",
                    "language": "uk",
                },
                "consent": True,
            }
        )
    return out


class Service:
    """A server process on loopback, stopped (SIGTERM, then SIGKILL) when the phase ends."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        with log.open("ab") as fh:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **env},
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # `--workers N`: each worker listens on its own socket (kintrace.cli.serve), so a phase
        # starts only once all N listen; connections the client opened before would all stay
        # with the workers already up.
        workers = int(command[command.index("--workers") + 1]) if "--workers" in command else 0
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command[:3]} exited at start; see {log}")
            try:
                httpx.get(f"{self.url}/healthz", timeout=2)
                if self.listening_workers() >= workers:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{command[:3]} did not answer within 180 s; see {log}")

    def listening_workers(self) -> int:
        """Child processes holding a socket that listens on the port (Linux /proc)."""
        listening = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == self.port and fields[3] == "0A":
                listening.add(f"socket:[{fields[9]}]")
        count = 0
        for pid in self.pids()[1:]:
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in listening:
                        count += 1
                        break
                except OSError:
                    continue
        return count

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the process and its children (uvicorn workers)."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return round(total / 1024, 1)

    def pids(self) -> list[int]:
        """The server process and its children (uvicorn workers)."""
        pids = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            pids += [int(p) for p in children.read_text().split()]
        except OSError:
            pass
        return pids

    def cpu_seconds(self) -> float:
        """CPU (user + system, all threads) the server and its workers have spent so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def kintrace_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        # "test" keeps the matching worker out of the web process during the surge: the work
        # is queued durably and drained afterwards by `kintrace worker --once` (timed below).
        "KINTRACE_ENVIRONMENT": "test",
        "KINTRACE_DATA_DIR": str(data_dir),
        "KINTRACE_LOG_LEVEL": "INFO",
    }
    if database_url:
        env["KINTRACE_DATABASE_URL"] = database_url
    return env


def measure(
    service: Service,
    mix: dict[str, float],
    args: argparse.Namespace,
    credentials: dict[str, Any] | None,
) -> dict[str, Any]:
    if args.client == "httpx":
        from client_httpx import run_load

        run = asyncio.run
    else:
        from client import run, run_load  # type: ignore[no-redef]

    staff = (
        (credentials["email"], credentials["password"], credentials["totp_secret"])
        if credentials
        else None
    )
    # CPU of both sides over the phase (/proc and this process's own clock): the client shares
    # the machine's cores with the server, so its cost per request is part of the figure.
    client_cpu, server_cpu = time.process_time(), service.cpu_seconds()
    result = run(
        run_load(
            service.url,
            seconds=args.duration,
            concurrency=args.concurrency,
            mix=mix,
            payloads=payloads(),
            samples=credentials["enquiries"] if credentials else None,
            staff=staff,
        )
    )
    client_cpu, server_cpu = time.process_time() - client_cpu, service.cpu_seconds() - server_cpu
    summary = result.summary()
    requests = sum(s.ok + s.refused + s.errors for s in result.ops.values())
    acknowledged = result.ops["enquiry"].ok if "enquiry" in result.ops else 0
    summary["client"] = args.client
    summary["client_cpu_ms_per_request"] = round(client_cpu * 1000 / max(requests, 1), 3)
    summary["server_cpu_ms_per_request"] = round(server_cpu * 1000 / max(requests, 1), 3)
    summary["server_cpu_ms_per_enquiry"] = round(server_cpu * 1000 / max(acknowledged, 1), 3)
    summary["peak_rss_mb"] = service.peak_rss_mb()
    return summary


def pending_jobs(settings: Settings) -> int:
    import sqlalchemy as sa

    from kintrace.db import make_engine
    from kintrace.db.models import MatchJob

    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    sa.select(sa.func.count())
                    .select_from(MatchJob)
                    .where(MatchJob.state.in_(["pending", "running"]))
                )
                or 0
            )
    finally:
        engine.dispose()


DRAIN = """
import json, sys, time
from kintrace.db import make_engine, make_sessionmaker
from kintrace.keys import Keys
from kintrace.review.worker import MatchWorker
from kintrace.settings import Settings
settings = Settings()
Keys(settings)
worker = MatchWorker(make_sessionmaker(make_engine(settings)))
started = time.monotonic()
worker.load()
loaded = time.monotonic()
done = worker.drain(max_batches=100000)
print(json.dumps({"index_s": loaded - started, "drain_s": time.monotonic() - loaded, "done": done}))
"""


def drain(settings: Settings, env: dict[str, str], timeout: float, log: Path) -> dict[str, Any]:
    """Time the match worker draining what the surge queued (index build, then the jobs)."""
    before = pending_jobs(settings)
    started = time.monotonic()
    with log.open("ab") as fh:
        process = subprocess.Popen(
            [sys.executable, "-c", DRAIN],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=fh,
            start_new_session=True,
        )
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
    seconds = time.monotonic() - started
    after = pending_jobs(settings)
    result: dict[str, Any] = {
        "queued": before,
        "left": after,
        "seconds": round(seconds, 1),
        "timed_out": process.returncode != 0,
    }
    try:
        timings = json.loads(out.decode().strip().splitlines()[-1])
        result["index_s"] = round(timings["index_s"], 1)
        result["drain_s"] = round(timings["drain_s"], 1)
        result["jobs_per_s"] = round(timings["done"] / max(timings["drain_s"], 1e-9), 1)
    except (ValueError, IndexError, KeyError):
        pass
    return result


def run_database(
    label: str,
    database_url: str | None,
    args: argparse.Namespace,
    work: Path,
    results: dict[str, Any],
) -> None:

    if f"{label}-load" not in args.skip:
        _load_phases(label, database_url, args, work, results)
    if args.kills:
        _crash(label, database_url, args, work, results)


def _load_phases(
    label: str,
    database_url: str | None,
    args: argparse.Namespace,
    work: Path,
    results: dict[str, Any],
) -> None:
    from fill import fill

    data_dir = work / f"data-{label}"
    data_dir.mkdir(mode=0o700)
    settings = Settings(data_dir=data_dir, database_url=database_url, environment="test")
    credentials_path = work / f"credentials-{label}.json"
    console.print(
        f"[bold]{label}[/]: filling {args.reports:,} reports, {args.enquiries:,} enquiries …"
    )
    results[f"{label}_fill"] = fill(
        settings, reports=args.reports, enquiries=args.enquiries, credentials=credentials_path
    )
    credentials = json.loads(credentials_path.read_text())
    env = kintrace_env(data_dir, database_url)
    port = free_port()
    serve = [str(VENV_BIN / "kintrace"), "serve", "--port", str(port)]
    # `kintrace serve --workers N`: one process on SQLite by default, N on PostgreSQL.
    command = serve if database_url is None else [*serve, "--workers", str(args.workers)]
    log = work / f"serve-{label}.log"
    # Group commit (kintrace.intake.group_commit) and one transaction per request are both
    # measured, in the same run; the default (KINTRACE_GROUP_COMMIT unset) is group commit with
    # the writer's bulk store on both databases.
    grouped = {"KINTRACE_GROUP_COMMIT": "1"}
    one_tx = {"KINTRACE_GROUP_COMMIT": "0"}
    # The writer's bulk store (rows prepared in the request threads, a few multi-row statements
    # per batch) against each request's ORM work in its own savepoint, in the same run.
    one_by_one = {"KINTRACE_GROUP_COMMIT": "1", "KINTRACE_GROUP_COMMIT_BULK": "0"}
    phases: list[tuple[str, dict[str, float], list[str], dict[str, str]]] = [
        ("enquiries_group_commit", ENQUIRY_ONLY, command, grouped),
        ("enquiries_group_commit_one_by_one", ENQUIRY_ONLY, command, one_by_one),
        ("enquiries_one_tx", ENQUIRY_ONLY, command, one_tx),
        ("mix_group_commit", MIX, command, grouped),
        ("mix_one_tx", MIX, command, one_tx),
    ]
    if database_url is None and args.workers > 1:
        # SQLite with several processes too (WAL lets them share the file; each process
        # groups its own commits, the processes queue for the one write lock).
        workers = [*serve, "--workers", str(args.workers)]
        phases.append(("enquiries_workers", ENQUIRY_ONLY, workers, grouped))
    phases = [p for p in phases if p[0] not in args.skip_phase]
    for phase, mix, phase_command, phase_env in phases:
        service = Service(phase_command, {**env, **phase_env}, port, log)
        try:
            console.print(f"  {label} {phase}: {args.duration:.0f} s at {args.concurrency} users")
            results[f"{label}_{phase}"] = measure(service, mix, args, credentials)
        finally:
            service.stop()
    if args.drain_timeout > 0:
        console.print(f"  {label}: draining the matching queue …")
        results[f"{label}_drain"] = drain(settings, env, args.drain_timeout, work / "worker.log")


def _crash(
    label: str,
    database_url: str | None,
    args: argparse.Namespace,
    work: Path,
    results: dict[str, Any],
) -> None:
    from tests.surge.crash import crash_drill

    console.print(f"  {label}: crash drill, {args.kills} SIGKILLs …")
    drill_dir = work / f"drill-{label}"
    drill_dir.mkdir(mode=0o700)
    drill_url = database_url
    if database_url is not None:
        drill_url = _fresh_postgres_database(database_url, f"drill_{label}")
    from kintrace.db import upgrade

    upgrade(Settings(data_dir=drill_dir, database_url=drill_url, environment="test"))
    started = time.monotonic()
    try:
        drill = crash_drill(drill_dir, drill_url, kills=args.kills, clients=8)
    except RuntimeError as exc:  # a restart that never came up: record it, go on
        results[f"{label}_crash"] = {"error": str(exc)[:300]}
        return
    results[f"{label}_crash"] = {
        "kills": drill.kills,
        "posts": drill.posts,
        "acknowledged": len(drill.acknowledged),
        "stored": drill.stored,
        "cut_off_and_retried": drill.unanswered,
        "restart_s_median": sorted(drill.restart_seconds)[len(drill.restart_seconds) // 2],
        "problems": drill.problems,
        "seconds": round(time.monotonic() - started, 1),
    }


def _fresh_postgres_database(url: str, name: str) -> str:
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def run_baseline(args: argparse.Namespace, work: Path, results: dict[str, Any]) -> None:
    port = free_port()
    env = {"BASELINE_DB": str(work / "baseline.sqlite3")}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "baseline_app:app",
        "--app-dir",
        str(HERE),
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    service = Service(command, env, port, work / "baseline.log")
    try:
        console.print(f"[bold]baseline[/]: {args.duration:.0f} s at {args.concurrency} users")
        results["baseline_enquiries"] = measure(service, ENQUIRY_ONLY, args, None)
    finally:
        service.stop()


def print_table(results: dict[str, Any]) -> None:
    table = Table(title="Surge benchmark (loopback, acknowledged = 201 after commit)")
    for column in (
        "run",
        "enquiries/s",
        "vs baseline",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "refused",
        "errors",
        "other ok/s",
        "peak RSS MB",
        "client CPU ms/req",
        "server CPU ms/enq",
    ):
        table.add_column(column, justify="right" if column != "run" else "left")
    base = results.get("baseline_enquiries", {}).get("enquiry", {}).get("per_s")
    for name, value in results.items():
        if not isinstance(value, dict) or "enquiry" not in value:
            continue
        enquiry = value["enquiry"]
        others = ", ".join(
            f"{op} {value[op]['per_s']}" for op in ("status", "staff") if op in value
        )
        ratio = f"{enquiry['per_s'] / base:.2f}x" if base else "-"
        refused = sum(value[op]["refused"] for op in ("enquiry", "status", "staff") if op in value)
        errors = sum(value[op]["errors"] for op in ("enquiry", "status", "staff") if op in value)
        table.add_row(
            name,
            f"{enquiry['per_s']}",
            ratio,
            str(enquiry["p50_ms"]),
            str(enquiry["p95_ms"]),
            str(enquiry["p99_ms"]),
            str(refused),
            str(errors),
            others or "-",
            str(value.get("peak_rss_mb", "-")),
            str(value.get("client_cpu_ms_per_request", "-")),
            str(value.get("server_cpu_ms_per_enquiry", "-")),
        )
    console.print(table)
    for name, value in results.items():
        if name.endswith("_drain"):
            console.print(f"{name}: {value}")
        if name.endswith("_crash"):
            console.print(f"{name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="20k reports, 2k enquiries, 15 s")
    parser.add_argument("--reports", type=int)
    parser.add_argument("--enquiries", type=int)
    parser.add_argument("--duration", type=float, help="seconds per load phase")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn workers (PostgreSQL; an extra SQLite phase)"
    )
    parser.add_argument("--kills", type=int, help="SIGKILLs in the crash drill (0: skip)")
    parser.add_argument(
        "--drain-timeout", type=float, default=600, help="seconds for the drain (0: skip it)"
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["sqlite", "postgres", "sqlite-load", "postgres-load", "baseline"],
    )
    parser.add_argument(
        "--skip-phase",
        action="append",
        default=[],
        choices=[
            "enquiries_group_commit",
            "enquiries_group_commit_one_by_one",
            "enquiries_one_tx",
            "mix_group_commit",
            "mix_one_tx",
            "enquiries_workers",
        ],
    )
    parser.add_argument(
        "--client",
        choices=["light", "httpx"],
        default="light",
        help="load client: raw HTTP/1.1 keep-alive (client.py) or the previous httpx one",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "load.json")
    args = parser.parse_args()
    args.reports = args.reports or (20_000 if args.small else 1_000_000)
    args.enquiries = args.enquiries or (2_000 if args.small else 100_000)
    args.duration = args.duration or (15.0 if args.small else 60.0)
    args.kills = args.kills if args.kills is not None else (3 if args.small else 10)

    results: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="kintrace-load."))
    started = time.monotonic()
    try:
        if "baseline" not in args.skip:
            run_baseline(args, work, results)
        if "sqlite" not in args.skip:
            run_database("sqlite", None, args, work, results)
        if "postgres" not in args.skip:
            from pg import durable_postgres

            with durable_postgres() as url:
                run_database("postgres", url, args, work, results)
    finally:
        meta = {
            "reports": args.reports,
            "enquiries": args.enquiries,
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "client": args.client,
            "postgres_workers": args.workers,
            "kills": args.kills,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "load_average_at_start": os.getloadavg()[0],
            "wall_s": round(time.monotonic() - started, 1),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
        print_table(results)
        console.print(f"JSON: {args.out}  (logs in {work})")
        if not os.environ.get("KINTRACE_BENCH_KEEP"):
            shutil.rmtree(work / "data-sqlite", ignore_errors=True)


if __name__ == "__main__":
    main()
