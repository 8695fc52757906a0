"""Explanations a caseworker can read: which values, which level, how far the odds moved."""

from __future__ import annotations

import math

from kintrace.matching import MODEL_VERSION, link_records

ENQUIRY = {"record_id": "e1", "full_name": "Серёжа Кислица", "birth_date": "12.03.2001"}
REPORT = {
    "record_id": "r1",
    "family_name": "KYSLYTSIA",
    "given_name": "SERHII",
    "patronymic": "VIKTOROVYCH",
    "birth_date": "2001-03-12",
    "military_unit": "в/ч А0000",
}


def _pair():
    pairs = link_records([ENQUIRY], [REPORT], explain=True)
    assert len(pairs) == 1
    return pairs[0]


def test_it_names_the_values_compared_and_the_level_reached() -> None:
    details = {d["comparison"]: d for d in _pair().details}
    assert details["birth_date"]["left"] == "2001-03-12"
    assert details["birth_date"]["right"] == "2001-03-12"
    assert details["birth_date"]["level"] == "exact"
    assert details["birth_date"]["bits"] > 5


def test_it_marks_fields_one_side_does_not_give_as_moving_nothing() -> None:
    details = {d["comparison"]: d for d in _pair().details}
    assert details["military_unit"]["not_given"]
    assert details["military_unit"]["bits"] == 0
    assert "Not given on one side:" in _pair().explanation
    assert "Military unit" in _pair().explanation


def test_the_bits_of_the_parts_and_the_prior_add_up_to_the_pair_weight() -> None:
    pair = _pair()
    text = pair.explanation
    prior_bits = float(text.split("Prior ")[1].split(" bits")[0])
    total = prior_bits + sum(d["bits"] for d in pair.details)
    assert math.isclose(total, pair.match_weight, abs_tol=0.06)


def test_it_states_the_model_version_and_the_probability() -> None:
    pair = _pair()
    assert f"Model {MODEL_VERSION}." in pair.explanation
    assert f"probability {pair.match_probability:.3f}" in pair.explanation
