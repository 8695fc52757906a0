"""Keyboard and OCR quirks: look-alike letters from the other script, digits inside words,
and text typed with the wrong keyboard layout («Cthutq» for «Сергей», «Ыукпун» for «Sergey»).
"""

from __future__ import annotations

from functools import lru_cache

from kintrace.normalise.keys import script_of_char

# Latin letters that look like Cyrillic ones, and back. Upper case matters: "H" looks like
# "Н" and "B" like "В", but "h" and "b" look like nothing Cyrillic.
_LAT_TO_CYR = str.maketrans(
    "AaBCcEeHKkMmOoPpTXxYyiIj", "АаВСсЕеНКкМмОоРрТХхУуіІј"
)  # fmt: skip
_CYR_TO_LAT = str.maketrans(
    "АаВСсЕеНКкМмОоРрТХхУуіІјЅѕ", "AaBCcEeHKkMmOoPpTXxYyiIjSs"
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


_AMBIGUOUS_LATIN = frozenset("AaBCcEeHKkMmOoPpTXxYyiIj")
_AMBIGUOUS_CYRILLIC = frozenset("АаВСсЕеНКкМмОоРрТХхУуіІјЅѕ")


def unambiguous_script(text: str) -> str:
    """The script of the letters in ``text`` that have no look-alike in the other one.

    "" when there are none or both scripts have some.
    """
    cyr, lat = unambiguous_letters(text)
    if cyr == lat:
        return ""
    return "cyrillic" if cyr else "latin"


def unambiguous_letters(text: str) -> tuple[bool, bool]:
    """(has a Cyrillic letter without a Latin look-alike, has a Latin one without a Cyrillic)."""
    cyr = lat = False
    for ch in text:
        sc = script_of_char(ch)
        if sc == "cyrillic" and ch not in _AMBIGUOUS_CYRILLIC:
            cyr = True
        elif sc == "latin" and ch not in _AMBIGUOUS_LATIN:
            lat = True
    return cyr, lat


def only_look_alikes(word: str) -> bool:
    """True when every letter of the word has a look-alike in the other script (Рома/Poma)."""
    return all(ch in _AMBIGUOUS_LATIN or ch in _AMBIGUOUS_CYRILLIC for ch in word if ch.isalpha())


def as_cyrillic(word: str) -> str:
    return word.translate(_LAT_TO_CYR).translate(_DIGIT_TO_CYR)


@lru_cache(maxsize=200_000)
def fix_mixed_script(word: str, context: str = "") -> str:
    """Replace look-alike letters and OCR digits so the word is in one script.

    The letters without a look-alike decide (Сaxнo has н: Cyrillic); when there are none
    (Tаpaс), the script of the rest of the name (``context``) decides, then the majority.
    """
    cyr = sum(1 for ch in word if script_of_char(ch) == "cyrillic")
    lat = sum(1 for ch in word if script_of_char(ch) == "latin")
    has_digit = any(ch.isdigit() for ch in word)
    if not (cyr and lat) and not (has_digit and (cyr or lat)):
        return word
    target = unambiguous_script(word) or context or ("cyrillic" if cyr >= lat else "latin")
    if target == "cyrillic":
        return as_cyrillic(word)
    return word.translate(_CYR_TO_LAT).translate(_DIGIT_TO_LAT)


def latin_typed_as_cyrillic(text: str) -> tuple[str, str]:
    """Text typed on a Latin keyboard meant as Cyrillic: (Russian reading, Ukrainian reading)."""
    return text.translate(_TO_CYR), text.translate(_TO_UK)


def cyrillic_typed_as_latin(text: str) -> str:
    """Text typed on a Cyrillic keyboard meant as Latin («Ыукпун» -> "Sergey")."""
    return text.translate(_TO_LAT)
