from __future__ import annotations

import re
from collections import Counter

from kintrace.domain.ids import (
    ALPHABET,
    SECRET_BITS,
    new_reference,
    new_secret,
    normalise_reference,
    normalise_secret,
)

CONFUSABLE = set("0O1IL5SU")


def test_references_read_aloud_without_confusable_characters() -> None:
    for _ in range(500):
        reference = new_reference()
        assert re.fullmatch(r"KT-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
        assert not CONFUSABLE & set(reference[3:])
    assert not CONFUSABLE & set(ALPHABET)


def test_secrets_carry_at_least_80_bits_and_never_repeat() -> None:
    assert SECRET_BITS >= 80
    secrets = {new_secret() for _ in range(2000)}
    assert len(secrets) == 2000
    assert all(len(s.replace("-", "")) * 4.8 >= 80 for s in secrets)


def test_every_letter_of_a_secret_is_equally_likely() -> None:
    # A guesser gains from any letter that comes up more often than the others (a plain
    # byte % 28 would favour the first four letters by 11 %).
    counts = Counter("".join(new_secret().replace("-", "") for _ in range(20_000)))
    expected = 20_000 * 20 / len(ALPHABET)
    assert set(counts) == set(ALPHABET)
    assert all(abs(n - expected) < 0.05 * expected for n in counts.values())


def test_a_reference_typed_in_lower_case_with_spaces_is_recognised() -> None:
    assert normalise_reference("kt 7q4m 9xpa") == "KT-7Q4M-9XPA"
    assert normalise_reference("7Q4M9XPA") == "KT-7Q4M-9XPA"


def test_a_reference_typed_on_a_cyrillic_keyboard_is_recognised() -> None:
    # К, Т, М, Р and А typed in the Cyrillic layout look exactly like their Latin twins.
    assert normalise_reference("КТ-7Q4М-9ХРА") == "KT-7Q4M-9XPA"


def test_something_that_cannot_be_a_reference_is_rejected() -> None:
    assert normalise_reference("KT-0000-1111") is None
    assert normalise_reference("hello") is None


def test_a_secret_typed_without_dashes_matches_the_printed_one() -> None:
    secret = new_secret()
    assert normalise_secret(secret.replace("-", "").lower()) == secret
