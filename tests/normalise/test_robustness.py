"""Any text a form or a list can hold is analysed without an error (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kintrace.normalise import analyse_name, parse_date, place_key, unit_key

_NAMEISH = st.text(
    st.sampled_from(
        list("АаБвГґЕєЁёЖИіЇїЙКлМнОПрСтУфХЦчШщЬъЫэЮя'’ʼ`\"«»()[].,-/ ABCabxyzšžčłę0123²\u0301ʹ")
    ),
    max_size=40,
)
_ANY = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_NAMEISH | _ANY, _NAMEISH, st.sampled_from(["", "M", "F", "x", None]))
def test_any_text_gives_an_analysis_with_ascii_keys(text: str, part: str, sex: str | None) -> None:
    a = analyse_name(text, part, part[::-1], text[::-1], sex)
    for key in (a.given, a.patronymic, a.family, a.call_sign, *a.tokens, *a.family_variants):
        assert key == "" or (key.isascii() and key.isalpha() and key.islower())
    assert a.sex in (None, "M", "F")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_NAMEISH | _ANY)
def test_any_text_gives_a_place_key_a_unit_key_and_a_date_or_none(text: str) -> None:
    assert isinstance(place_key(text), str)
    assert isinstance(unit_key(text), str)
    d = parse_date(text)
    assert d is None or 1 <= d.year <= 9999
