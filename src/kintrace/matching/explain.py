"""Explanations a caseworker can read: which values were compared, at which level, and how
far each moved the odds, with the model version."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from kintrace.matching.model import ScoringModel

# Which feature columns to show for each comparison.
_SHOWN: dict[str, tuple[str, ...]] = {
    "family_name": ("family",),
    "given_name": ("given", "given_initial"),
    "patronymic": ("patronymic", "patronymic_initial"),
    "birth_date": ("birth_y", "birth_m", "birth_d"),
    "birth_place": ("birth_place",),
    "sex": ("sex",),
    "mother_maiden_name": ("mother",),
    "service_number": ("service_number",),
    "military_unit": ("unit",),
    "capture_date": ("capture_date",),
    "capture_place": ("capture_place",),
}


def _value(name: str, row: Mapping[str, Any]) -> str:
    cols = _SHOWN.get(name, ())
    if name == "birth_date":
        y, m, d = (row.get(c) for c in cols)
        if y is None:
            return "-"
        return "-".join(
            f"{x:02d}" if i else str(x) for i, x in enumerate((y, m, d)) if x is not None
        )
    for col in cols:
        v = row.get(col)
        if v:
            return f"{v}." if col.endswith("_initial") else str(v)
    return "-"


def _fmt_bits(bits: float) -> str:
    factor = 2.0**bits
    if factor >= 1:
        return (
            f"{bits:+.1f} bits (odds ×{factor:,.0f})"
            if factor >= 10
            else f"{bits:+.1f} bits (odds ×{factor:.1f})"
        )
    inv = 1 / factor
    return (
        f"{bits:+.1f} bits (odds ÷{inv:,.0f})"
        if inv >= 10
        else f"{bits:+.1f} bits (odds ÷{inv:.1f})"
    )


def explanation_parts(
    model: ScoringModel,
    scores: Mapping[str, Any],
    left: Mapping[str, Any],
    right: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """One entry per comparison: name, values compared, level label and weight in bits.

    `scores` is a row of the scoring SQL (gamma_* and mw_* columns).
    """
    parts = []
    for info in model.comparisons:
        gamma = int(scores[info.gamma_column])
        level = info.levels[gamma]
        bits = float(scores.get(f"mw_{info.name}") or 0.0)
        bits += float(scores.get(f"mw_tf_adj_{info.name}") or 0.0)
        parts.append(
            {
                "comparison": info.name,
                "description": info.description,
                "left": _value(info.name, left),
                "right": _value(info.name, right),
                "level": level.label,
                "not_given": level.is_null,
                "bits": bits,
            }
        )
    return parts


def explanation_text(
    model: ScoringModel,
    parts: list[dict[str, Any]],
    match_weight: float,
    match_probability: float,
) -> str:
    """One readable line: evidence first (strongest first), then the prior and the result."""
    given = [p for p in parts if not p["not_given"]]
    given.sort(key=lambda p: -abs(p["bits"]))
    items = [
        f"{p['description']}: {p['left']} vs {p['right']}, {p['level']}, {_fmt_bits(p['bits'])}"
        for p in given
    ]
    missing = [p["description"] for p in parts if p["not_given"]]
    prior_bits = math.log2(model.prior / (1 - model.prior))
    text = "; ".join(items) if items else "nothing to compare"
    if missing:
        text += f". Not given on one side: {', '.join(missing)}"
    text += (
        f". Prior {prior_bits:+.1f} bits; total {match_weight:+.1f} bits = "
        f"probability {match_probability:.3f}. Model {model.version}."
    )
    return text


def shared_text(model_probability: float, probability: float, rivals: int) -> str:
    """The sentence added when a probability was shared with competing candidates
    (matching/competing.py): the record cannot be two people the model tells apart."""
    others = "1 other person" if rivals == 1 else f"{rivals} other people"
    return (
        f"Shared with other candidates: the same record also resembles {others}, "
        "whom the model tells apart from this one, and it can be only one of them; "
        f"so the probability is {probability:.3f} instead of {model_probability:.3f}."
    )
