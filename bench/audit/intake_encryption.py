"""What sealing personal data at rest costs on enquiry intake (issue 6 item 5).

The same synthetic enquiries are stored through `submit_enquiry`, one committed transaction
each (as the web form does), twice in the same run on fresh SQLite databases:
  - baseline: the key ring swapped for one that stores plaintext (no AES-GCM, no data key);
  - sealed:   the real ring (AES-256-GCM per field, one data key file per enquiry).
Also the raw cost of sealing one field. Prints a rich table; JSON into bench/results/.

    .venv/bin/python bench/audit/intake_encryption.py [--enquiries 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from kintrace import keys as keys_module
from kintrace.db import make_engine, make_sessionmaker, upgrade
from kintrace.intake.enquiries import EnquiryIn, submit_enquiry
from kintrace.intake.staff import get_or_create_organisation
from kintrace.keys import Keys
from kintrace.settings import Settings
from kintrace.synthetic import make_world

RESULTS = Path(__file__).resolve().parents[1] / "results"


class PlainRing:
    """Stores values as they are: the baseline without encryption."""

    def __init__(self, real: keys_module.KeyRing) -> None:
        self.dir = real.dir

    def seal(self, data: bytes, key_id: str | None = None) -> str:
        return data.decode("utf-8")

    def open(self, ciphertext: str) -> bytes:
        return ciphertext.encode("utf-8")

    def ensure_subject_key(self, key_id: str) -> None:
        return None


def payloads(count: int) -> list[EnquiryIn]:
    world = make_world(seed=20261127, persons=max(200, count * 3))
    out = []
    for e in world.enquiries[:count]:
        out.append(
            EnquiryIn.model_validate(
                {
                    "sought": {
                        "full_name": e.full_name,
                        "family_name": e.family_name,
                        "given_name": e.given_name,
                        "patronymic": e.patronymic,
                        "sex": e.sex,
                        "birth_date": e.birth_date,
                        "birth_place": e.birth_place,
                        "circumstances": "Не виходить на зв'язок.",
                    },
                    "enquirer": {
                        "name": "Синтетична Ганна",
                        "relationship": "mother",
                        "email": "family@example.org",
                        "language": "uk",
                    },
                    "consent": True,
                }
            )
        )
    return out


def run(label: str, data: list[EnquiryIn], root: Path, plain: bool) -> dict[str, Any]:
    settings = Settings(data_dir=root / label, environment="test")
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings)
    upgrade(settings, engine=engine)
    keys = Keys(settings)
    if plain:
        keys_module._active = PlainRing(keys.ring)  # type: ignore[assignment]
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        get_or_create_organisation(session, "KT", name="Bench")
    times = []
    try:
        for item in data:
            start = time.perf_counter()
            with sessions.begin() as session:
                submit_enquiry(session, item, channel="web", keys=keys)
            times.append(time.perf_counter() - start)
    finally:
        keys_module._active = keys.ring
        engine.dispose()
    times.sort()
    return {
        "label": label,
        "enquiries": len(times),
        "mean_ms": statistics.mean(times) * 1000,
        "p50_ms": times[len(times) // 2] * 1000,
        "p95_ms": times[int(len(times) * 0.95)] * 1000,
        "per_second": len(times) / sum(times),
    }


def seal_cost(root: Path, rounds: int = 20000) -> dict[str, float]:
    ring = Keys(Settings(data_dir=root / "micro", environment="test")).ring
    value = "Кислиця Сергій Вікторович".encode()
    start = time.perf_counter()
    for _ in range(rounds):
        sealed = ring.seal(value)
    seal_us = (time.perf_counter() - start) / rounds * 1e6
    start = time.perf_counter()
    for _ in range(rounds):
        ring.open(sealed)
    open_us = (time.perf_counter() - start) / rounds * 1e6
    return {"seal_us": seal_us, "open_us": open_us}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enquiries", type=int, default=300)
    args = parser.parse_args()
    data = payloads(args.enquiries)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Interleaved halves, so a disk that warms up or slows down favours neither side.
        half = len(data) // 2
        base = [run("baseline-1", data[:half], root, True)]
        sealed = [run("sealed-1", data[:half], root, False)]
        sealed.append(run("sealed-2", data[half:], root, False))
        base.append(run("baseline-2", data[half:], root, True))
        micro = seal_cost(root)

    def merge(parts: list[dict[str, Any]], label: str) -> dict[str, Any]:
        n = sum(p["enquiries"] for p in parts)
        return {
            "label": label,
            "enquiries": n,
            "mean_ms": sum(p["mean_ms"] * p["enquiries"] for p in parts) / n,
            "p50_ms": statistics.mean(p["p50_ms"] for p in parts),
            "p95_ms": statistics.mean(p["p95_ms"] for p in parts),
        }

    rows = [merge(base, "baseline (plaintext)"), merge(sealed, "sealed (AES-GCM + data key)")]
    overhead = rows[1]["mean_ms"] - rows[0]["mean_ms"]
    result = {
        "benchmark": "intake_encryption",
        "runs": rows,
        "overhead_ms_per_enquiry": overhead,
        "overhead_pct": overhead / rows[0]["mean_ms"] * 100,
        "seal_one_field_us": micro["seal_us"],
        "open_one_field_us": micro["open_us"],
    }
    table = Table(title="Enquiry intake: cost of sealing personal data (SQLite, commit each)")
    for col in ("run", "enquiries", "mean ms", "p50 ms", "p95 ms"):
        table.add_column(col, justify="right" if col != "run" else "left")
    for r in rows:
        table.add_row(
            r["label"],
            str(r["enquiries"]),
            f"{r['mean_ms']:.2f}",
            f"{r['p50_ms']:.2f}",
            f"{r['p95_ms']:.2f}",
        )
    console = Console()
    console.print(table)
    console.print(
        f"overhead {overhead:+.2f} ms per enquiry ({result['overhead_pct']:+.1f} %); "
        f"seal one field {micro['seal_us']:.1f} µs, open {micro['open_us']:.1f} µs"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "intake_encryption.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
