"""One pair scored through `link_records`, with the level each comparison reached, and the
older model files still shipped: the model tests (test_model_*.py) read a caseworker's
explanation of a pair, level by level, and load every earlier version."""

from __future__ import annotations

from typing import Any

from kintrace.matching import link_records
from kintrace.matching.model import MODEL_DIR, ScoringModel, model_version


def pair_of(left: dict[str, str], right: dict[str, str]) -> Any:
    """The scored pair (with its explanation) of two records given without their ids."""
    (pair,) = link_records(
        [{"record_id": "a", **left}], [{"record_id": "b", **right}], threshold=0.0, explain=True
    )
    return pair


def levels_of(pair: Any) -> dict[str, str]:
    """{comparison: level} of a pair scored with its explanation."""
    return {d["comparison"]: d["level"] for d in pair.details or []}


def scored(left: dict[str, str], right: dict[str, str]) -> tuple[float, dict[str, str]]:
    """The pair's probability and {comparison: level} for two records (without their ids)."""
    pair = pair_of(left, right)
    return pair.match_probability, levels_of(pair)


def names(left: str, left_date: str, right: str, right_date: str) -> tuple[dict[str, str], ...]:
    """Two records of a full name and a birth date each."""
    return {"full_name": left, "birth_date": left_date}, {
        "full_name": right,
        "birth_date": right_date,
    }


def scored_names(
    left: str, left_date: str, right: str, right_date: str
) -> tuple[float, dict[str, str]]:
    """`scored` for two full names, each with its birth date."""
    return scored(*names(left, left_date, right, right_date))


def name_p(left: str, left_date: str, right: str, right_date: str) -> float:
    """The probability of two full names with their birth dates; a pair that shares no
    blocking key is not scored (p < 0.01) and reads 0."""
    pairs = link_records(
        [{"record_id": "a", "full_name": left, "birth_date": left_date}],
        [{"record_id": "b", "full_name": right, "birth_date": right_date}],
        threshold=0.0,
    )
    return pairs[0].match_probability if pairs else 0.0


def shipped_model(version: str) -> ScoringModel:
    """An older model file that still ships, loaded as `kintrace link` would load it."""
    path = str(MODEL_DIR / f"{version}.json")
    assert model_version(path) == version
    model = ScoringModel(1e-4, path)
    assert model.version == version
    return model
