"""What one acknowledged enquiry costs inside the process, without HTTP: the CPU and wall time
of the API's path (Idempotency-Key claim, enquiry + job + audit event + sealed answer) with
SQLite synchronous=FULL (what kintrace runs) and synchronous=OFF (no fsync) in the same run.
The difference is the price of the two commits each enquiry waits for, which is what group
commit would share among concurrent enquiries; the CPU is what it cannot share.

    .venv/bin/python bench/load/intake_cost.py [--n 300]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

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
    results = {mode: measure(mode, args.n) for mode in ("FULL", "OFF")}
    table = Table(title=f"One enquiry, API path without HTTP, serial, n={args.n}")
    for column in ("synchronous", "wall ms", "CPU ms"):
        table.add_column(column)
    for mode, figures in results.items():
        table.add_row(mode, str(figures["wall_ms"]), str(figures["cpu_ms"]))
    Console().print(table)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
