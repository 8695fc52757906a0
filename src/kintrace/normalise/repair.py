"""Keyboard and OCR quirks: look-alike letters from the other script, digits inside words,
and text typed with the wrong keyboard layout («Cthutq» for «Сергей», «Ыукпун» for «Sergey»).
"""

from __future__ import annotations

from functools import lru_cache

from kintrace.normalise.keys import script_of_char

# Latin letters that look like Cyrillic ones, and back. Upper case matters: "H" looks like
# "Н" and "B" like "В", but "h" and "b" look like nothing Cyrillic.
_LAT_TO_CYR = str.maketrans(
    "AaBCcEeHKkMOoPpTXxYyiIj", "АаВСсЕеНКкМОоРрТХхУуіІј"
)  # fmt: skip
_CYR_TO_LAT = str.maketrans(
    "АаВСсЕеНКкМОоРрТХхУуіІјЅѕ", "AaBCcEeHKkMOoPpTXxYyiIjSs"
)  # fmt: skip
# OCR reads letters as digits; which letter depends on the script around it.
_DIGIT_TO_CYR = str.maketrans("0134689", "оізчббв")
_DIGIT_TO_LAT = str.maketrans("01345689", "oizasgbb")

# The same physical keys in the Latin (QWERTY) and Cyrillic (ЙЦУКЕН) layouts.
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюё"
_UK_JCUKEN = "йцукенгшщзхїфівапролджєячсмитьбю'"
_TO_CYR = str.maketrans(_QWERTY + _QWERTY.upper(), _JCUKEN + _JCUKEN.upper())
_TO_UK = str.maketrans(_QWERTY + _QWERTY.upper(), _UK_JCUKEN + _UK_JCUKEN.upper())
_TO_LAT = str.maketrans(
    _JCUKEN + _JCUKEN.upper() + "іїєґІЇЄ",
    _QWERTY + _QWERTY.upper() + "s]'`S}\"",
)


@lru_cache(maxsize=200_000)
def fix_mixed_script(word: str) -> str:
    """Replace look-alike letters and OCR digits so the word is in its majority script."""
    cyr = sum(1 for ch in word if script_of_char(ch) == "cyrillic")
    lat = sum(1 for ch in word if script_of_char(ch) == "latin")
    has_digit = any(ch.isdigit() for ch in word)
    if not (cyr and lat) and not (has_digit and (cyr or lat)):
        return word
    if cyr >= lat:
        return word.translate(_LAT_TO_CYR).translate(_DIGIT_TO_CYR)
    return word.translate(_CYR_TO_LAT).translate(_DIGIT_TO_LAT)


def latin_typed_as_cyrillic(text: str) -> tuple[str, str]:
    """Text typed on a Latin keyboard meant as Cyrillic: (Russian reading, Ukrainian reading)."""
    return text.translate(_TO_CYR), text.translate(_TO_UK)


def cyrillic_typed_as_latin(text: str) -> str:
    """Text typed on a Cyrillic keyboard meant as Latin («Ыукпун» -> "Sergey")."""
    return text.translate(_TO_LAT)
