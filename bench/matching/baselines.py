"""The two baselines the engine must beat, measured in the same run as the engine.

(a) vanilla Splink 5 on DuckDB, configured as its documentation shows (names transliterated
    with anyascii, the library's standard comparisons, EM training, no labels);
(b) rapidfuzz token_sort_ratio on anyascii full names plus birth-date agreement, with its
    threshold chosen on a separate seed.

Both return {(left_id, right_id): score}; for one file the key is the sorted pair.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz, process

Row = dict[str, str]
Pair = tuple[str, str]

_PATRONYMIC = re.compile(r"(vich|vych|vic|vna|ivna|ovna|evna|yich|ich|ych|ovic|owitsch)$")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def ascii_text(text: str) -> str:
    return re.sub(r"[^a-z ]+", "", anyascii(text or "").lower()).strip()


def date_parts(text: str) -> tuple[int | None, int | None, int | None]:
    text = (text or "").strip()
    if m := _DMY.match(text):
        return int(m[3]), int(m[2]), int(m[1])
    if m := _ISO.match(text):
        return int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
    return None, None, None


def iso_date(text: str) -> str | None:
    y, m, d = date_parts(text)
    return f"{y:04d}-{m:02d}-{d:02d}" if y and m and d else None


def full_name(row: Row) -> str:
    return row.get("full_name") or " ".join(
        x for x in (row.get("given_name"), row.get("patronymic"), row.get("family_name")) if x
    )


# --- (b) rapidfuzz ------------------------------------------------------------------------------


def _date_array(rows: Sequence[Row]) -> np.ndarray:
    parts = [date_parts(r.get("birth_date", "")) for r in rows]
    return np.array([[-1 if x is None else x for x in p] for p in parts], dtype=np.int32)


def _date_agreement_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 where both dates are known and agree as far as both go, 0 where they contradict,
    0.5 where either is missing."""
    out = np.ones((len(a), len(b)), dtype=np.float32)
    for k in range(3):
        x, y = a[:, k][:, None], b[:, k][None, :]
        out[(x >= 0) & (y >= 0) & (x != y)] = 0.0
    missing = (a[:, 0][:, None] < 0) | (b[:, 0][None, :] < 0)
    out[missing] = 0.5
    return out


def rapidfuzz_scores(
    left: Sequence[Row], right: Sequence[Row] | None, floor: float = 0.5
) -> dict[Pair, float]:
    """score = 0.8 * token_sort_ratio/100 + 0.2 * birth-date agreement (pairs >= floor)."""
    dedupe = right is None
    rows_r = left if right is None else right
    # token_sort_ratio is ratio on sorted tokens; sorting once per record is the same
    # and keeps the all-pairs matrix within seconds.
    names_l = [" ".join(sorted(ascii_text(full_name(r)).split())) for r in left]
    names_r = [" ".join(sorted(ascii_text(full_name(r)).split())) for r in rows_r]
    dates_l, dates_r = _date_array(left), _date_array(rows_r)
    ids_l = [r["record_id"] for r in left]
    ids_r = [r["record_id"] for r in rows_r]
    out: dict[Pair, float] = {}
    chunk = 1000
    for start in range(0, len(left), chunk):
        m = process.cdist(
            names_l[start : start + chunk], names_r, scorer=fuzz.ratio, dtype=np.float32,
            workers=1,
        )  # fmt: skip
        s = 0.8 * m / 100 + 0.2 * _date_agreement_matrix(dates_l[start : start + chunk], dates_r)
        if dedupe:
            # Each unordered pair once: only j > i.
            rows = np.arange(start, start + len(m))[:, None]
            s[np.arange(len(ids_r))[None, :] <= rows] = 0
        for i, j in zip(*np.nonzero(s >= floor), strict=True):
            a, b = ids_l[start + int(i)], ids_r[int(j)]
            out[(a, b) if not dedupe or a < b else (b, a)] = float(s[i, j])
    return out


# --- (a) Splink 5 ---------------------------------------------------------------------------------


def _split_name(row: Row) -> tuple[str, str, str]:
    """(first, patronymic, surname) in ASCII, guessing the order of a full name as a careful
    user would: the patronymic's ending tells which token is the given name."""
    given, patr, fam = (
        ascii_text(row.get(k, "")) for k in ("given_name", "patronymic", "family_name")
    )
    if given or fam:
        return given, patr, fam
    tokens = ascii_text(full_name(row)).split()
    if len(tokens) >= 3 and _PATRONYMIC.search(tokens[1]):
        return tokens[0], tokens[1], tokens[-1]
    if len(tokens) >= 3 and _PATRONYMIC.search(tokens[2]):
        return tokens[1], tokens[2], tokens[0]
    if len(tokens) >= 2:
        return tokens[0], "", tokens[-1]
    return (tokens[0] if tokens else ""), "", ""


def splink_frame(rows: Sequence[Row]):  # type: ignore[no-untyped-def]
    import pandas as pd

    recs = []
    for r in rows:
        first, patr, sur = _split_name(r)
        recs.append(
            {
                "unique_id": r["record_id"],
                "first_name": first or None,
                "patronymic": patr or None,
                "surname": sur or None,
                "dob": iso_date(r.get("birth_date", "")),
                "birth_place": ascii_text(r.get("birth_place", "")) or None,
                "sex": r.get("sex") or None,
                "service_number": ascii_text(r.get("service_number", "")).replace(" ", "") or None,
                "military_unit": ascii_text(r.get("military_unit", "")) or None,
                "mother_maiden_name": ascii_text(r.get("mother_maiden_name", "")) or None,
            }
        )
    return pd.DataFrame.from_records(recs)


def splink_scores(
    left: Sequence[Row], right: Sequence[Row] | None, seed: int = 1
) -> tuple[dict[Pair, float], set[Pair]]:
    """Scores of every blocked pair, and the blocked pairs (for blocking recall)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI()
    dedupe = right is None
    settings = SettingsCreator(
        link_type="dedupe_only" if dedupe else "link_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.NameComparison("patronymic"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.LevenshteinAtThresholds("birth_place", 2),
            cl.ExactMatch("sex"),
            cl.ExactMatch("service_number"),
            cl.LevenshteinAtThresholds("military_unit", 2),
            cl.NameComparison("mother_maiden_name"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "dob"),
            block_on("surname"),
            block_on("dob"),
            # As the docs' examples do, a looser rule on name prefixes for spelling variants.
            block_on("substr(surname, 1, 3)", "substr(first_name, 1, 1)"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    tables = (
        [db_api.register(splink_frame(left))]
        if dedupe
        else [db_api.register(splink_frame(left)), db_api.register(splink_frame(right))]
    )
    linker = Linker(tables if not dedupe else tables[0], settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    df = linker.inference.predict().as_pandas_dataframe()
    scores: dict[Pair, float] = {}
    blocked: set[Pair] = set()
    left_ids = {r["record_id"] for r in left}
    for a, b, p in zip(df["unique_id_l"], df["unique_id_r"], df["match_probability"], strict=True):
        if dedupe:
            key = (a, b) if a < b else (b, a)
        else:
            key = (a, b) if a in left_ids else (b, a)
        blocked.add(key)
        if p >= 0.01:
            scores[key] = float(p)
    return scores, blocked
