"""The labelled benchmark sets written by bench/matching/generate.py agree with their truth."""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from itertools import combinations
from pathlib import Path

GENERATE = Path(__file__).parents[2] / "bench" / "matching" / "generate.py"


def _generate_module():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_true_pairs_are_exactly_the_records_of_one_person(tmp_path):
    meta = _generate_module().generate(tmp_path, seed=5, persons=300, quiet=True)
    truth = {t["record_id"]: t for t in _read(tmp_path / "truth.csv")}
    reports = _read(tmp_path / "reports.csv")
    enquiries = _read(tmp_path / "enquiries.csv")
    assert meta["reports"] == len(reports) > 300 and meta["enquiries"] == len(enquiries) > 50
    assert all(r["record_id"] in truth for r in [*reports, *enquiries])

    by_person: dict[str, list[str]] = defaultdict(list)
    for r in reports:
        by_person[truth[r["record_id"]]["person_id"]].append(r["record_id"])
    expected_dedupe = {tuple(sorted(p)) for ids in by_person.values() for p in combinations(ids, 2)}
    expected_link = {
        (e["record_id"], r)
        for e in enquiries
        for r in by_person.get(truth[e["record_id"]]["person_id"], [])
    }
    dedupe = {(p["left_id"], p["right_id"]) for p in _read(tmp_path / "pairs_dedupe.csv")}
    link = {(p["left_id"], p["right_id"]) for p in _read(tmp_path / "pairs_link.csv")}
    assert dedupe == expected_dedupe and link == expected_link
    assert any(t["phenomena"] for t in truth.values())


def test_caps_give_exactly_the_number_of_records_asked_for(tmp_path):
    meta = _generate_module().generate(
        tmp_path, seed=5, persons=300, max_reports=100, max_enquiries=20, quiet=True
    )
    assert (meta["reports"], meta["enquiries"]) == (100, 20)
    assert len(_read(tmp_path / "reports.csv")) == 100
