"""Enquiry references and secrets that a hotline operator can read aloud on a bad line.

The alphabet leaves out characters that are confused when heard or handwritten:
0/O, 1/I/L, U/V and 5/S are kept apart by dropping O, I, L, U and S (and 0, 1, 5).
"""

from __future__ import annotations

import math
import re
import secrets

ALPHABET = "2346789ABCDEFGHJKMNPQRTVWXYZ"
REFERENCE_PREFIX = "KT"
_REFERENCE_GROUPS = 2
_SECRET_GROUPS = 5
_GROUP = 4
# Random bytes from this bound up are dropped, so every letter stays equally likely.
_UNBIASED = 256 - 256 % len(ALPHABET)

# 20 characters from a 28-letter alphabet: 96 bits, comfortably above the 80 bits required.
SECRET_BITS = _SECRET_GROUPS * _GROUP * math.log2(len(ALPHABET))

_REFERENCE_RE = re.compile(rf"^{REFERENCE_PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def _groups(count: int) -> str:
    # One urandom call per code, not one per character: each call releases and re-takes the
    # GIL, and under a surge every re-take waits out the busy thread's switch interval.
    need = count * _GROUP
    chars: list[str] = []
    while len(chars) < need:
        chars += [
            ALPHABET[b % len(ALPHABET)] for b in secrets.token_bytes(need + 8) if b < _UNBIASED
        ]
    text = "".join(chars[:need])
    return "-".join(text[i : i + _GROUP] for i in range(0, need, _GROUP))


def new_reference() -> str:
    """A fresh reference such as KT-7Q4M-9XPA (not secret; uniqueness is checked on insert)."""
    return f"{REFERENCE_PREFIX}-{_groups(_REFERENCE_GROUPS)}"


def new_secret() -> str:
    """A fresh enquirer secret such as 7Q4M-9XPA-HK3T-WD2E-RN6B (96 bits, shown once)."""
    return _groups(_SECRET_GROUPS)


def _clean(text: str) -> str:
    # People type codes in lower case, with spaces, or with the Cyrillic look-alikes of
    # Latin letters when their keyboard is in the wrong layout.
    lookalikes = str.maketrans("АВСЕНКМРТХУ", "ABCEHKMPTXY")
    return re.sub(r"[\s\-_.]", "", text.upper().translate(lookalikes))


def normalise_reference(text: str) -> str | None:
    """The canonical reference for what someone typed, or None when it cannot be one."""
    body = _clean(text)
    if body.startswith(REFERENCE_PREFIX):
        body = body[len(REFERENCE_PREFIX) :]
    candidate = f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"
    return candidate if _REFERENCE_RE.match(candidate) else None


def normalise_secret(text: str) -> str:
    """The secret in canonical grouped form, so digests match however it was typed."""
    body = _clean(text)
    return "-".join(body[i : i + _GROUP] for i in range(0, len(body), _GROUP))
