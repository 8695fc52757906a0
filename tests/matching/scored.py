"""One pair scored through `link_records`, with the level each comparison reached: the model
tests (test_model_fs*.py) read a caseworker's explanation of a pair, level by level."""

from __future__ import annotations

from kintrace.matching import link_records


def scored(left: dict[str, str], right: dict[str, str]) -> tuple[float, dict[str, str]]:
    """The pair's probability and {comparison: level} for two records (without their ids)."""
    (pair,) = link_records(
        [{"record_id": "a", **left}], [{"record_id": "b", **right}], threshold=0.0, explain=True
    )
    levels = {d["comparison"]: d["level"] for d in pair.details or []}
    return pair.match_probability, levels


def scored_names(
    left: str, left_date: str, right: str, right_date: str
) -> tuple[float, dict[str, str]]:
    """`scored` for two full names, each with its birth date."""
    return scored(
        {"full_name": left, "birth_date": left_date}, {"full_name": right, "birth_date": right_date}
    )
