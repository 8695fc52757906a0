"""What one acknowledged enquiry costs inside the process, without HTTP: the CPU and wall time
of the API's path (Idempotency-Key claim, enquiry + job + audit event + sealed answer) with
SQLite synchronous=FULL (what kintrace runs) and synchronous=OFF (no fsync) in the same run.
The difference is the price of the two commits each enquiry waits for, which is what group
commit shares among concurrent enquiries; the CPU is what it cannot share. The last row runs
the same work through the group-commit writer (kintrace.intake.group_commit) from 16 threads.

    .venv/bin/python bench/load/intake_cost.py [--n 300]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import event  # noqa: E402
from tests.factories import enquiry_payload, make_settings  # noqa: E402

from kintrace.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from kintrace.intake import idempotency  # noqa: E402
from kintrace.intake.enquiries import EnquiryIn, submit_enquiry  # noqa: E402
from kintrace.keys import Keys  # noqa: E402


def measure_grouped(n: int, threads: int, *, bulk: bool = True) -> dict[str, float]:
    """The same API work through the group-commit writer, `threads` families at once: with
    `bulk`, as the API does it (rows prepared in the request's thread, inserted for the whole
    batch); without, each request's ORM work in its own savepoint."""
    from concurrent.futures import ThreadPoolExecutor

    from kintrace.intake.enquiries import (
        EnquiryReceipt,
        EnquiryToStore,
        prepare_enquiry,
        prepare_reference,
        store_enquiry_batch,
    )
    from kintrace.intake.group_commit import GroupCommitWriter

    folder = Path(tempfile.mkdtemp(prefix="kintrace-intake-cost."))
    settings = make_settings(folder, f"sqlite:///{folder / 'k.db'}")
    upgrade(settings)
    engine = make_engine(settings)
    sessions, keys = make_sessionmaker(engine), Keys(settings)
    writer = GroupCommitWriter(sessions)
    writer.bulk_enabled = bulk
    body = enquiry_payload()
    raw = json.dumps(body).encode()

    def one(index: int) -> None:
        data = EnquiryIn.model_validate(body)
        key = f"cost-{index}"
        reference = prepare_reference(keys)

        def work(session: Any) -> None:
            if idempotency.claim_in(session, scope="enquiries", key=key, body=raw, keys=keys):
                return
            receipt = submit_enquiry(session, data, channel="api", keys=keys, reference=reference)
            idempotency.store_answer(
                session,
                scope="enquiries",
                key=key,
                answer=idempotency.StoredAnswer(201, b"x" * 200),
                subject_id=receipt.enquiry_id,
                keys=keys,
            )

        prepared = prepare_enquiry(data, channel="api", keys=keys, reference=reference)
        ready = idempotency.StoredAnswer(201, b"x" * 200)
        sealed = idempotency.prepare_answer(
            scope="enquiries", key=key, body=raw, answer=ready, keys=keys
        )
        result = writer.submit(work, (store_enquiry_batch, EnquiryToStore(prepared, sealed)))
        assert result is None or isinstance(result, EnquiryReceipt)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(20)))
        wall, cpu = time.perf_counter(), time.process_time()
        list(pool.map(one, range(20, 20 + n)))
    engine.dispose()
    return {
        "wall_ms": round((time.perf_counter() - wall) / n * 1000, 2),
        "cpu_ms": round((time.process_time() - cpu) / n * 1000, 2),
        "mean_batch": round(writer.stats.items / max(writer.stats.batches, 1), 1),
    }


def measure(synchronous: str, n: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="kintrace-intake-cost."))
    settings = make_settings(folder, f"sqlite:///{folder / 'k.db'}")
    upgrade(settings)
    engine = make_engine(settings)
    if synchronous == "OFF":
        # Only for this measurement: kintrace itself refuses to run without FULL.
        event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA synchronous = OFF"))
        engine.dispose()
    sessions, keys = make_sessionmaker(engine), Keys(settings)
    body = enquiry_payload()
    raw = json.dumps(body).encode()

    def one(index: int) -> None:
        data = EnquiryIn.model_validate(body)
        key = f"cost-{index}"
        idempotency.claim(sessions, scope="enquiries", key=key, body=raw, keys=keys)
        with sessions.begin() as session:
            receipt = submit_enquiry(session, data, channel="api", keys=keys)
            idempotency.store_answer(
                session,
                scope="enquiries",
                key=key,
                answer=idempotency.StoredAnswer(201, b"x" * 200),
                subject_id=receipt.enquiry_id,
                keys=keys,
            )

    for index in range(20):
        one(index)
    wall, cpu = time.perf_counter(), time.process_time()
    for index in range(20, 20 + n):
        one(index)
    engine.dispose()
    return {
        "wall_ms": round((time.perf_counter() - wall) / n * 1000, 2),
        "cpu_ms": round((time.process_time() - cpu) / n * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "intake_cost.json")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {mode: measure(mode, args.n) for mode in ("FULL", "OFF")}
    results["FULL, group commit one by one, 16 at once"] = measure_grouped(args.n, 16, bulk=False)
    results["FULL, group commit, 16 at once"] = measure_grouped(args.n, 16)
    table = Table(title=f"One enquiry, API path without HTTP, n={args.n}")
    for column in ("synchronous", "wall ms per enquiry", "CPU ms", "mean batch"):
        table.add_column(column)
    for mode, figures in results.items():
        batch = str(figures.get("mean_batch", 1))
        table.add_row(mode, str(figures["wall_ms"]), str(figures["cpu_ms"]), batch)
    Console().print(table)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
