"""One model, three ways to run it: batch, the real-time index and Splink's own predict
must give a pair the same probability (real time against batch pair by pair:
tests/matching/test_realtime.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from splink import DuckDBAPI, Linker

from kintrace.matching import CandidateIndex
from kintrace.matching.batch import link_tables
from kintrace.matching.features import build_features
from kintrace.matching.model import ScoringModel, prior_for
from kintrace.synthetic import make_world


@pytest.fixture(scope="module")
def world_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    world = make_world(seed=7, persons=250)
    reports = [r.exchange_row() for r in world.reports]
    enquiries = [e.exchange_row() for e in world.enquiries]
    return reports, enquiries


def test_the_real_time_index_finds_the_enquired_person_first(world_rows) -> None:
    reports, _ = world_rows
    world = make_world(seed=7, persons=250)
    person_of = {r.report_id: r.person_id for r in world.reports}
    reported = set(person_of.values())
    sought = [e for e in world.enquiries if e.person_id in reported]
    assert sought
    index = CandidateIndex(reports)
    found = 0
    for e in sought:
        top = index.query(e.exchange_row(), limit=1)
        found += bool(top) and person_of[top[0].right_id] == e.person_id
    assert found / len(sought) >= 0.9


def test_splink_predict_gives_the_same_probabilities_as_the_engine(world_rows) -> None:
    reports, _ = world_rows
    table = build_features(reports).table
    ours = link_tables(table, None, threshold=0.0, compete=False)  # the model's own p
    assert ours
    rid = {r: i for i, r in enumerate(table.column("record_id").to_pylist())}
    model = ScoringModel(prior_for(table.num_rows))
    db = DuckDBAPI()
    frame = table.drop_columns(["bkeys"]).to_pandas()
    linker = Linker(db.register(frame), model.splink_settings, log_level=None)
    for column in ("family", "given"):
        counts = frame[frame[column].notna()].groupby(column).size()
        tf = pd.DataFrame(
            {
                column: counts.index,
                f"tf_{column}": [model.term_frequency(column, c, len(frame)) for c in counts],
            }
        )
        linker.table_management.register_term_frequency_lookup(db.register(tf), column)
    pairs = pd.DataFrame(
        {
            "match_key": ["0"] * len(ours),
            "join_key_l": [rid[p.left_id] for p in ours],
            "join_key_r": [rid[p.right_id] for p in ours],
        }
    )
    linker.table_management.register_blocked_pairs_for_predict(db.register(pairs))
    predicted = linker.inference.predict(warning_mode="never").as_pandas_dataframe()
    splink = {
        (int(a), int(b)): p
        for a, b, p in zip(
            predicted.rid_l, predicted.rid_r, predicted.match_probability, strict=True
        )
    }
    for p in ours:
        assert splink[(rid[p.left_id], rid[p.right_id])] == pytest.approx(
            p.match_probability, abs=1e-9
        )
