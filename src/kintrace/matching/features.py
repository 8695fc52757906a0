"""Turn exchange records (dicts of strings) into the comparison columns the model reads.

Names go through `kintrace.normalise.analyse_name` (canonical cross-script keys and their
variants); dates, places and units through the normalise helpers. Every step is guarded:
a record that trips a normaliser keeps whatever could be read and a warning is raised with
its index, because `kintrace link` must never stop on one odd row.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pyarrow as pa
from anyascii import anyascii

#: Columns of the feature table, in order. `*_variants` are lists of 64-bit hashes of the
#: variant keys (DuckDB intersects integer lists several times faster than string lists);
#: `given_known` is 1 when the given name is one the normaliser's tables know, 0 when it is
#: spelt out but unknown (garbled, rare), null without a full given name; `bkeys` is a list
#: of strings.
FEATURE_SCHEMA = pa.schema(
    [
        ("rid", pa.int64()),
        ("record_id", pa.string()),
        ("given", pa.string()),
        ("given_variants", pa.list_(pa.int64())),
        ("given_initial", pa.string()),
        ("given_initials", pa.list_(pa.string())),
        ("given_known", pa.int8()),
        ("family", pa.string()),
        ("family_variants", pa.list_(pa.int64())),
        ("patronymic", pa.string()),
        ("patronymic_variants", pa.list_(pa.int64())),
        ("patronymic_initial", pa.string()),
        ("patronymic_initials", pa.list_(pa.string())),
        ("sex", pa.string()),
        ("birth_y", pa.int32()),
        ("birth_m", pa.int32()),
        ("birth_d", pa.int32()),
        ("birth_place", pa.string()),
        ("mother", pa.string()),
        ("mother_variants", pa.list_(pa.int64())),
        ("service_number", pa.string()),
        ("unit", pa.string()),
        ("capture_date", pa.string()),
        ("capture_place", pa.string()),
        ("bkeys", pa.list_(pa.string())),
    ]
)

_MAX_VARIANTS = 12  # variants beyond this add cost, not recall
_MAX_BLOCK_SKELETONS = 3
#: Given-name skeletons a record files family + given (fg) under: all it has. A pet name of
#: several full names (Витя: Виктор, Виталий) has its written form among the first two, so
#: with only two «Витя Кравченко» never met «Кравченко Виталий» without a birth year.
_FG_GIVEN_SKELETONS = _MAX_BLOCK_SKELETONS


@dataclass(frozen=True)
class NameKeys:
    """The name fields the model compares; all strings are lower-case ASCII keys."""

    given: str | None = None
    given_variants: tuple[str, ...] = ()
    given_initial: str | None = None
    family: str | None = None
    family_variants: tuple[str, ...] = ()
    patronymic: str | None = None
    patronymic_variants: tuple[str, ...] = ()
    patronymic_initial: str | None = None
    #: Every letter the initial may be written with (Микола/Николай -> m, n).
    given_initials: tuple[str, ...] = ()
    patronymic_initials: tuple[str, ...] = ()
    sex: str | None = None
    order_uncertain: bool = False


@dataclass
class FeatureWarning:
    """A value that could not be used: which record (index), which field, why."""

    index: int
    field: str
    reason: str
    side: str = "left"


@dataclass
class Features:
    table: pa.Table
    warnings: list[FeatureWarning] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# String keys


_NON_LETTER = re.compile(r"[^a-z]+")


def ascii_key(text: str | None) -> str | None:
    """Lower-case ASCII letters only; None when nothing is left."""
    if not text:
        return None
    return _ascii_key(text)


@lru_cache(maxsize=500_000)
def _ascii_key(text: str) -> str | None:
    # Remembered: the same few thousand name variants come back in every record.
    # The normaliser's keys are ASCII already; anyascii is only for what came in raw.
    out = _NON_LETTER.sub("", (text if text.isascii() else anyascii(text)).lower())
    return out or None


_DIGRAPHS = (
    ("shch", "s"),
    ("szcz", "s"),
    ("tsch", "c"),
    ("sch", "s"),
    ("x", "ks"),
    ("kh", "k"),
    ("ch", "c"),
    ("sh", "s"),
    ("zh", "s"),
    ("ts", "c"),
    ("tz", "c"),
    ("cz", "c"),
    ("sz", "s"),
    ("ph", "f"),
    ("th", "t"),
    ("gh", "g"),
    ("ck", "k"),
)
_CLASSES = str.maketrans(
    {
        "b": "b",
        "p": "b",
        "c": "s",
        "s": "s",
        "z": "s",
        "d": "t",
        "t": "t",
        "f": "v",
        "v": "v",
        "w": "v",
        "g": "k",
        "h": "k",
        "k": "k",
        "q": "k",
        "l": "l",
        "m": "m",
        "n": "n",
        "r": "r",
        "a": None,
        "e": None,
        "i": None,
        "o": None,
        "u": None,
        "y": None,
        "j": None,
    }
)
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def skeleton(key: str) -> str:
    """A consonant skeleton that survives romanisation standards, ru/uk and endings.

    Kislitsa, Kyslytsia, Kisliza and Kislica all give `ksls`; Sergei, Serhii and Sergej give
    `srk`. Used only for blocking (finding candidates), never as evidence in scoring.
    """
    s = key
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = _REPEATS.sub(r"\1", s.translate(_CLASSES))
    return s or key


# ---------------------------------------------------------------------------------------
# Names


_PATRONYMIC_END = re.compile(
    r"(ovich|evich|ovych|evych|yovych|ich|ych|ovna|evna|ivna|yivna|ichna|inichna|vna|ovic|evic)$"
)


def _fallback_name(full_name: str, given: str, patronymic: str, family: str, sex: str) -> NameKeys:
    """Plain keys when the cross-script normaliser is unavailable or failed on a record."""
    g, p, f = ascii_key(given), ascii_key(patronymic), ascii_key(family)
    uncertain = False
    if not (g or p or f) and full_name:
        tokens = [t for t in (ascii_key(x) for x in re.split(r"[\s,]+", full_name)) if t]
        uncertain = True
        patr = [t for t in tokens if _PATRONYMIC_END.search(t) and len(t) > 5]
        if patr:
            p = patr[0]
            i = tokens.index(p)
            rest = tokens[:i] + tokens[i + 1 :]
            if i > 0:
                g = tokens[i - 1]
                rest = [t for j, t in enumerate(tokens) if j not in (i, i - 1)]
                f = rest[0] if rest else None
                uncertain = False
            else:
                f = rest[0] if rest else None
        elif len(tokens) == 1:
            f = tokens[0]
        elif tokens:
            g, f = tokens[0], tokens[-1]
    gi = g[0] if g else None
    pi = p[0] if p else None
    if g and len(g) == 1:
        g = None
    if p and len(p) == 1:
        p = None
    return NameKeys(
        given=g,
        given_variants=(g,) if g else (),
        given_initial=gi,
        family=f,
        family_variants=(f,) if f else (),
        patronymic=p,
        patronymic_variants=(p,) if p else (),
        patronymic_initial=pi,
        sex=sex or None,
        order_uncertain=uncertain,
    )


def _first_key(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return ascii_key(value)
    return None


@lru_cache(maxsize=200_000)
def variant_hash(key: str) -> int:
    """A stable signed 64-bit hash of a variant key (the same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _hashes(variants: Sequence[str]) -> list[int] | None:
    return [variant_hash(v) for v in variants] or None


def _variants(value: Any, main: str | None) -> tuple[str, ...]:
    if not value:
        return (main,) if main else ()
    try:
        return _variants_of(tuple(value), main)
    except TypeError:  # a value that cannot be a cache key: read as it is
        return _variants_of.__wrapped__(tuple(value), main)


@lru_cache(maxsize=200_000)
def _variants_of(value: tuple[Any, ...], main: str | None) -> tuple[str, ...]:
    # Remembered: a given name's variants are the same tuple in every record that has it.
    out: list[str] = [main] if main else []
    if value:
        for v in sorted(value, key=lambda x: (len(str(x)), str(x))):
            k = ascii_key(str(v))
            if k and k not in out:
                out.append(k)
            if len(out) >= _MAX_VARIANTS:
                break
    return tuple(out)


def _initial(value: Any, fallback: str | None) -> str | None:
    k = _first_key(value) if isinstance(value, str) else None
    if k:
        return k[0]
    return fallback[0] if fallback else None


def _letters(values: Any, initial: str | None) -> tuple[str, ...]:
    out = {initial} if initial else set()
    for v in values or ():
        k = ascii_key(str(v))
        if k:
            out.add(k[0])
    return tuple(sorted(out))


def _from_analysis(a: Any, sex: str) -> NameKeys:
    given = _first_key(getattr(a, "given", None))
    family = _first_key(getattr(a, "family", None))
    patronymic = _first_key(getattr(a, "patronymic", None))
    given_initial = _initial(getattr(a, "given_initial", None), given)
    patronymic_initial = _initial(getattr(a, "patronymic_initial", None), patronymic)
    if getattr(a, "initials_only", False):
        # An initial is not a name: comparing "s" with "sergei" by string similarity lies.
        given = given if given and len(given) > 1 else None
        patronymic = patronymic if patronymic and len(patronymic) > 1 else None
    given_initials = _letters(getattr(a, "given_initials", None), given_initial)
    patronymic_initials = _letters(getattr(a, "patronymic_initials", None), patronymic_initial)
    a_sex = getattr(a, "sex", None)
    a_sex = str(getattr(a_sex, "value", a_sex) or "") or None
    return NameKeys(
        given=given,
        given_variants=_variants(getattr(a, "given_variants", ()), given),
        given_initial=given_initial,
        family=family,
        family_variants=_variants(getattr(a, "family_variants", ()), family),
        patronymic=patronymic,
        patronymic_variants=_variants(getattr(a, "patronymic_variants", ()), patronymic),
        patronymic_initial=patronymic_initial,
        given_initials=given_initials,
        patronymic_initials=patronymic_initials,
        sex=(sex or a_sex or None),
        order_uncertain=False,
    )


def _load_analyser() -> Callable[..., Any] | None:
    try:
        from kintrace.normalise import analyse_name  # type: ignore[attr-defined]
    except Exception:  # a broken normaliser degrades matching; it must not stop `link`
        logging.getLogger(__name__).warning("kintrace.normalise unavailable; plain name keys")
        return None
    return analyse_name  # type: ignore[no-any-return]


_ANALYSE = _load_analyser()


def name_keys(
    full_name: str, given: str, patronymic: str, family: str, sex: str
) -> tuple[NameKeys, bool]:
    """Name keys for one record; the flag is False when the normaliser failed on it."""
    return _name_keys(full_name, given, patronymic, family, sex)


@lru_cache(maxsize=500_000)
def _name_keys(
    full_name: str, given: str, patronymic: str, family: str, sex: str
) -> tuple[NameKeys, bool]:
    if _ANALYSE is None:
        return _fallback_name(full_name, given, patronymic, family, sex), True
    try:
        analysis = _ANALYSE(
            full_name or None, given or None, patronymic or None, family or None, sex or None
        )
        keys = _from_analysis(analysis, sex)
        if not (keys.given or keys.family or keys.patronymic or keys.given_initial):
            fb = _fallback_name(full_name, given, patronymic, family, sex)
            return fb, True
        if full_name and not (given or family or patronymic):
            keys = NameKeys(**{**keys.__dict__, "order_uncertain": True})
        return keys, True
    except Exception:  # a normaliser bug on one name must not stop a million-row run
        return _fallback_name(full_name, given, patronymic, family, sex), False


# ---------------------------------------------------------------------------------------
# Dates, places, units


_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})$"),
    re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})$"),
    re.compile(r"^(?P<m>\d{1,2})[./](?P<y>\d{4})$"),
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _plain_date(text: str) -> tuple[int, int | None, int | None] | None:
    for form in _DATE_FORMS:
        m = form.match(text)
        if m:
            parts = m.groupdict()
            y = int(parts["y"])
            mo = int(parts["m"]) if parts.get("m") else None
            d = int(parts["d"]) if parts.get("d") else None
            if not 1800 <= y <= 2100:
                return None
            if mo is not None and not 1 <= mo <= 12:
                return None
            if d is not None and (mo is None or not 1 <= d <= _DAYS[mo - 1]):
                return None
            if mo == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
                return None
            return y, mo, d
    return None


def _load_date_parser() -> Callable[[str], Any] | None:
    # normalise.dates.parse_date when it exists (it knows more forms), else the domain's.
    for module, name in (
        ("kintrace.normalise.dates", "parse_date"),
        ("kintrace.domain.dates", "parse_partial_date"),
    ):
        try:
            mod = __import__(module, fromlist=[name])
            return getattr(mod, name)  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    return None


_PARSE_DATE = _load_date_parser()


@lru_cache(maxsize=100_000)
def parse_date_parts(text: str) -> tuple[int | None, int | None, int | None] | None:
    """(year, month, day) of a possibly partial date; None when the value is unusable."""
    text = text.strip()
    if not text:
        return (None, None, None)
    plain = _plain_date(text)
    if plain is not None:
        return plain
    if _PARSE_DATE is not None:
        try:
            d = _PARSE_DATE(text)
        except Exception:
            d = None
        if d is not None:
            y = getattr(d, "year", None)
            if y is not None:
                return (int(y), getattr(d, "month", None), getattr(d, "day", None))
    return None


def _load_key(module: str, name: str) -> Callable[[str], Any] | None:
    try:
        mod = __import__(module, fromlist=[name])
        return getattr(mod, name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        return None


_PLACE_KEY = _load_key("kintrace.normalise.places", "place_key")
_UNIT_KEY = _load_key("kintrace.normalise.units", "unit_key")
_LOOKUP_GIVEN = _load_key("kintrace.normalise.tables", "lookup_given")
_DATE_IN_NAME = _load_key("kintrace.normalise.dates", "date_in_name")


#: Hebrew and Arabic letters: they leave short vowels out, so a given name's key is a guess
#: (آنا comes out as `an`, the key of Ян, not Анна's `ana`) and is never "known". The range is
#: the normaliser's one constant; without a normaliser no given name is "known" anyway.
try:
    from kintrace.normalise.keys import ABJAD_LETTER as _ABJAD_LETTERS
except ImportError:  # a broken normaliser degrades matching; it must not stop `link`
    _ABJAD_LETTERS = re.compile(r"(?!)")


@lru_cache(maxsize=100_000)
def given_known(given: str | None) -> int | None:
    """1 when the given-name key is a name the normaliser knows (a full form, a pet name, a
    translation), 0 when it is not (an OCR-garbled «Мгнхаип», a rare name): two given names
    that differ say "another person" only when both are real names. None without a name."""
    if not given or _LOOKUP_GIVEN is None:
        return None
    try:
        return 1 if _LOOKUP_GIVEN(given) is not None else 0
    except Exception:  # one odd key must not stop a million-row run
        return None


@lru_cache(maxsize=100_000)
def place_key(text: str) -> str | None:
    if not text.strip():
        return None
    if _PLACE_KEY is not None:
        try:
            k = _PLACE_KEY(text)
            if k:
                return str(k)
        except Exception:
            pass
    return ascii_key(text)


@lru_cache(maxsize=100_000)
def unit_key(text: str) -> str | None:
    if not text.strip():
        return None
    if _UNIT_KEY is not None:
        try:
            k = _UNIT_KEY(text)
            if k:
                return str(k)
        except Exception:
            pass
    key = re.sub(r"[^0-9a-z]+", "", anyascii(text).lower())
    return key or None


def service_key(text: str) -> str | None:
    key = re.sub(r"[^0-9A-Z]+", "", anyascii(text).upper())
    return key or None


# ---------------------------------------------------------------------------------------
# Blocking keys


def _skels(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        s = skeleton(v)
        if s and s not in out:
            out.append(s)
        if len(out) >= _MAX_BLOCK_SKELETONS:
            break
    return out


_VOWELS = frozenset("aeiouy")


def initial_class(letter: str | None) -> str:
    """The sound class of an initial: "О." and "Aleksei" agree (vowels are one class), and
    "Д." and "Denys" agree (d and t are one class), whatever the script or standard."""
    if not letter:
        return ""
    ch = letter[0]
    if ch in _VOWELS:
        return "a"
    return skeleton(ch)[:1] if ch.isalpha() else ""


def _family_skels(n: NameKeys) -> list[str]:
    """Skeletons of the family name: its first variants, and each part of a double surname
    («Новикова-Королёва» is also filed as Новикова and as Королёва, which a report may give
    alone), found as two variants that make up the whole key."""
    out = _skels(n.family_variants)
    main = n.family
    if main and len(main) >= 8:
        variants = set(n.family_variants)
        for v in n.family_variants[1:]:
            if len(v) >= 3 and v != main:
                rest = main[len(v) :] if main.startswith(v) else None
                if rest is None and main.endswith(v):
                    rest = main[: len(main) - len(v)]
                if rest and rest in variants:
                    s = skeleton(v)
                    if s and s not in out:
                        out.append(s)
    return out


def _deletions(s: str, min_len: int) -> list[str]:
    """`s` and, when it is at least `min_len` long, every string one letter shorter: two
    skeletons one edit apart share one of these (the "symmetric delete" trick)."""
    if len(s) < min_len:
        return [s]
    return [s, *(s[:i] + s[i + 1 :] for i in range(len(s)))]


def blocking_keys(
    n: NameKeys,
    by: int | None,
    bm: int | None,
    bd: int | None,
    service: str | None,
    place: str | None = None,
    unit: str | None = None,
    mother: str | None = None,
) -> list[str]:
    """Keys under which a record is filed; two records sharing a key become a candidate pair.

    Several narrow rules, each of which survives a different kind of noise, so that a true
    pair is found if any one of them holds; blocks larger than MAX_BLOCK_SIZE in the searched
    population are narrowed by the birth year or skipped (see docs/matching.md):

    - fg: family + given (skeletons): any spelling, script or case ending of both names;
    - fgp: family + given + patronymic: the same, narrow enough for a million records;
    - fi: family + the given name's initial: initials ("S. V. Kislitsa"); weak (see below);
    - fip: family + both initials ("Гончар М.В."); weak for a record with both names;
    - fid: family one edit away + initial: initials and a typo in the surname; weak likewise;
    - fd, gd: family one edit away + given, and the other way round: a typo or OCR slip;
    - fy: family + birth year: a given name garbled;
    - fmd: family + birth day and month: the birth year misread or misremembered;
    - fimd: family + initial + day and month in either order: the same, with them swapped;
    - fga, fgb: family + given + birth year in two-year buckets: a year off by one where
      fg's block is too big and is narrowed by the exact year;
    - cfi, cfip: family + initials, filed by an initials card weakly and by a full name
      without a birth year strongly: the two meet even in a common surname's big block;
    - fpl: family + birth place, for a record without a birth year (weak for one with it);
    - fipl: the same + the given name's initial, where fpl's block is too big;
    - gm: given + birth year and month: a surname misspelt beyond recognition;
    - gpf: given + patronymic + the family's first sound: the same, without a birth date;
    - df, dg: full birth date + the family's or the given name's first sound;
    - sn: service number.
    """
    fam = _family_skels(n)
    giv = _skels(n.given_variants)
    pat = _skels(n.patronymic_variants)
    gi = initial_class(n.given or n.given_initial)
    # Every letter the given name may be written with: «Гончар М.В.» is Микола, whose
    # canonical key is Николай (n).
    initials = sorted({gi, *(initial_class(x) for x in n.given_initials)} - {""})
    # A record with a full given name files itself under family + initial only as a weak
    # key ("~"): weak keys pair with records that have nothing better (initials only), never
    # with each other, so "Kovalenko O." finds Oleksandr and Oleh Kovalenko but the two
    # men are not paired by their initial.
    weak = "~" if n.given else ""
    pi = initial_class(n.patronymic or n.patronymic_initial)
    keys: set[str] = set()
    for f in fam:
        for j, g in enumerate(giv[:_FG_GIVEN_SKELETONS]):
            keys.add(f"fg|{f}|{g}")
            # The whole name: narrow enough to stay under the block cap in a million
            # records, so two year-less records of one man still meet.
            for p in pat[:1] if j < 2 else ():
                keys.add(f"fgp|{f}|{g}|{p}")
        for i in initials:
            keys.add(f"{weak}fi|{f}|{i}")
            if pi:
                # Both initials («Гончар М.В.»): far narrower than one initial; weak for a
                # record that spells both names out, as above.
                both = "~" if n.given and n.patronymic else ""
                keys.add(f"{both}fip|{f}|{i}{pi}")
        if by is not None:
            keys.add(f"fy|{f}|{by}")
        if not n.given:
            # An initials card against a full name without a birth year (cfi, cfip): in
            # a common surname's block (over MAX_BLOCK_SIZE) a dated card is filed under
            # the wide key only weakly (a target of the year-less probes), and a full name
            # files fi and fip weakly too, so the two never met there. The card files
            # these weakly and the year-less full name strongly: the two meet, two cards
            # never do, and full names with a birth year do not file them at all.
            for i in initials:
                keys.add(f"~cfi|{f}|{i}")
                if pi:
                    keys.add(f"~cfip|{f}|{i}{pi}")
        elif by is None:
            # The year-less full name: by both initials when it has a patronymic (two such
            # names of one surname and initial pair far less often), else by the one.
            for i in initials:
                keys.add(f"cfip|{f}|{i}{pi}" if n.patronymic else f"cfi|{f}|{i}")
    if n.order_uncertain:
        # Full name only and the order could not be told: file it the other way round too.
        fi_swapped = initial_class(n.family)
        for g in giv[:2]:
            for f in fam[:1]:
                keys.add(f"fg|{g}|{f}")
            if fi_swapped:
                keys.add(f"{weak}fi|{g}|{fi_swapped}")
                if by is None and not n.patronymic:
                    keys.add(f"cfi|{g}|{fi_swapped}")
    if fam and giv:
        # One typo or OCR slip in the surname, or in the given name. A short skeleton
        # files itself as it is, so that a longer one with a letter too many finds it.
        f, g = fam[0], giv[0]
        for d in _deletions(f, 4):
            keys.add(f"fd|{d}|{g}")
        for d in _deletions(g, 3):
            keys.add(f"gd|{f}|{d}")
    if fam and gi:
        # The same slip with initials only («Руденко Г.» / «Pydenko Hryhorij»).
        for d in _deletions(fam[0], 4):
            keys.add(f"{weak}fid|{d}|{gi}")
    f0 = fam[0][0] if fam else ""
    for g in giv[:2]:
        if by is not None and bm is not None:
            keys.add(f"gm|{g}|{by}{bm:02d}")
        for p in pat[:1]:
            keys.add(f"gpf|{g}|{p}|{f0}")
    if bm is not None and bd is not None:
        for f in fam[:1]:
            keys.add(f"fmd|{f}|{bm:02d}{bd:02d}")
            if gi:
                # Day and month swapped (3.5. / 5.3.) with the year misread too.
                a, b = sorted((bm, bd))
                keys.add(f"fimd|{f}|{gi}|{a:02d}{b:02d}")
    if by is not None and fam and giv:
        # A birth year off by one (1967 / 1968) where fg is over the block cap and narrowed
        # by the exact year: two overlapping two-year buckets, so any two years one apart
        # share one of them.
        keys.add(f"fga|{fam[0]}|{giv[0]}|{by // 2}")
        keys.add(f"fgb|{fam[0]}|{giv[0]}|{(by + 1) // 2}")
    if fam:
        # Without a birth year a record meets a common surname's big blocks only as a probe;
        # the birth place, the unit or the mother's surname narrow them another way. Records
        # that have a year meet through fy, so they file these weakly and never pair with
        # each other by them.
        mark = "~" if by is not None else ""
        if place:
            keys.add(f"{mark}fpl|{fam[0]}|{place}")
            if gi:
                # In a common surname's birthplace the given name's initial narrows the
                # block again (a year-less card «Бондаренко О., Полтава» meets Олег 1971).
                keys.add(f"{mark}fipl|{fam[0]}|{gi}|{place}")
        if unit:
            keys.add(f"{mark}fun|{fam[0]}|{unit}")
        if mother:
            keys.add(f"{mark}fmo|{fam[0]}|{skeleton(mother)}")
    if by is not None and bm is not None and bd is not None:
        date = f"{by}{bm:02d}{bd:02d}"
        if f0:
            keys.add(f"df|{date}|{f0}")
        if gi:
            keys.add(f"dg|{date}|{gi}")
    if service:
        keys.add(f"sn|{service}")
    return sorted(keys)


# ---------------------------------------------------------------------------------------
# The table


def _get(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    return str(value).strip()


_PARALLEL_MIN = 20_000
_CHUNK = 10_000


def _sex_of(record: dict[str, Any]) -> str:
    sex = _get(record, "sex").upper()
    return sex if sex in ("M", "F") else ""


def _name_args(record: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """The arguments of `name_keys` for a record (the cache key of its name analysis)."""
    return (
        _get(record, "full_name"),
        _get(record, "given_name"),
        _get(record, "patronymic"),
        _get(record, "family_name"),
        _sex_of(record),
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic GC off for a batch: its full collections walk the normaliser's big
    caches again and again (about half the CPU of reading fresh names), and reading names
    makes no reference cycles to collect. (Batch output pauses it too: millions of new
    scored pairs, no cycles.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: The records of a parallel build, set before the workers are forked so that they read
#: them from the inherited memory instead of receiving them pickled (see build_features).
_RECORDS: Sequence[dict[str, Any]] = ()
_PARALLEL_LOCK = threading.Lock()


def _worker_start() -> None:
    """A build worker runs with the cyclic GC off for its whole life, not only within each
    slice: re-enabled between slices, the collector walked every object the slice had
    made (and the parent's records, inherited by the fork) through all its generations,
    about a tenth of the worker's CPU; reading names makes no cycles (a 160,000-record
    trial left 10 cyclic objects), and the worker ends with the build."""
    gc.disable()


def _build_slice(args: tuple[int, int, int]) -> Features:
    start, stop, rid_offset = args
    with gc_paused():
        return _build_features(_RECORDS[start:stop], rid_offset=rid_offset, progress=None)


def build_features(
    records: Sequence[dict[str, Any]],
    *,
    rid_offset: int = 0,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Features:
    """Feature table for exchange records (see FEATURE_SCHEMA); bad values become nulls.

    Large inputs are built in chunks by one forked process per core (by default; called
    from any thread but the main one, in this process instead). Each
    worker reads its names itself (reading names across scripts is pure Python and by far
    the slowest step) and remembers them (`_name_keys`), so a name repeated in its chunks
    is read once. The parent only gathers the tables: handing every analysed name back to
    it, as a first parallel pass did, cost a tenth of the build in unpickling alone, serial.
    """
    global _RECORDS
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    # Only the main thread forks (as batch's scoring): another thread (a server's request,
    # review's background index rebuild) may fork while some other thread holds a lock
    # (logging, an import, a database driver), and the child would hang on it for ever.
    if threading.current_thread() is not threading.main_thread():
        n_workers = 1
    if n_workers <= 1 or len(records) < _PARALLEL_MIN:
        with gc_paused():
            return _build_features(records, rid_offset=rid_offset, progress=progress)
    ctx = multiprocessing.get_context("fork")
    slices = [
        (i, min(i + _CHUNK, len(records)), rid_offset + i) for i in range(0, len(records), _CHUNK)
    ]
    tables: list[pa.Table] = []
    warnings: list[FeatureWarning] = []
    # One parallel build at a time: the workers find the records in a module global.
    with _PARALLEL_LOCK:
        _RECORDS = records
        try:
            with ctx.Pool(n_workers, initializer=_worker_start) as pool:
                for (start, _, _), part in zip(
                    slices, pool.imap(_build_slice, slices), strict=True
                ):
                    tables.append(part.table)
                    warnings.extend(
                        FeatureWarning(w.index + start, w.field, w.reason, w.side)
                        for w in part.warnings
                    )
                    if progress is not None:
                        progress(part.table.num_rows)
        finally:
            _RECORDS = ()
    return Features(pa.concat_tables(tables), warnings)


def _real_date(
    rec: dict[str, Any],
    column: str,
    index: int,
    today: tuple[int, int, int],
    warnings: list[FeatureWarning],
) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a record's date, all None (with a warning) when it is unreadable,
    impossible or in the future: nobody was born or captured after today, so 2044-03-11 is a
    typo (of 2004?) that must not count as a date two records disagree on."""
    text = _get(rec, column)
    if not text and column == "birth_date" and _DATE_IN_NAME is not None:
        # POW-exchange and casualty lists write the birth date in the name column («Зайцев
        # Олег Петрович, 12.03.1991 г.р.»): without it two namesakes of other years would
        # look like the same man.
        found = _DATE_IN_NAME(_get(rec, "full_name"))
        text = found.isoformat() if found is not None else ""
    parts = parse_date_parts(text)
    if parts is None:
        warnings.append(FeatureWarning(index, column, "is not a valid date; read as empty"))
        return (None, None, None)
    y, m, d = parts
    if y is not None and (y, m or 1, d or 1) > today:
        warnings.append(FeatureWarning(index, column, "lies in the future; read as empty"))
        return (None, None, None)
    return parts


def _build_features(
    records: Sequence[dict[str, Any]],
    *,
    rid_offset: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Features:
    cols: dict[str, list[Any]] = {name: [] for name in FEATURE_SCHEMA.names}
    warnings: list[FeatureWarning] = []
    now = date.today()
    today = (now.year, now.month, now.day)
    for i, rec in enumerate(records):
        args = _name_args(rec)
        if not args[4] and _get(rec, "sex"):
            warnings.append(FeatureWarning(i, "sex", "is neither M nor F; read as empty"))
        keys, ok = name_keys(*args)
        if not ok:
            warnings.append(FeatureWarning(i, "name", "could not be normalised; compared as typed"))
        parts = _real_date(rec, "birth_date", i, today, warnings)
        by, bm, bd = parts
        cap = _real_date(rec, "capture_date", i, today, warnings)
        capture = (
            "-".join(f"{x:02d}" if j else str(x) for j, x in enumerate(cap) if x is not None)
            or None
        )
        mother_raw = _get(rec, "mother_maiden_name")
        if mother_raw:
            mk, _ = name_keys("", "", "", mother_raw, "F")
            mother, mother_variants = mk.family, mk.family_variants
        else:
            mother, mother_variants = None, ()
        service = service_key(_get(rec, "service_number"))
        cols["rid"].append(rid_offset + i)
        cols["record_id"].append(_get(rec, "record_id"))
        cols["given"].append(keys.given)
        cols["given_variants"].append(_hashes(keys.given_variants))
        cols["given_initial"].append(keys.given_initial)
        cols["given_initials"].append(
            list(keys.given_initials) or ([keys.given_initial] if keys.given_initial else None)
        )
        abjad = _ABJAD_LETTERS.search(args[0]) or _ABJAD_LETTERS.search(args[1])
        cols["given_known"].append(given_known(keys.given) if ok and not abjad else None)
        cols["family"].append(keys.family)
        cols["family_variants"].append(_hashes(keys.family_variants))
        cols["patronymic"].append(keys.patronymic)
        cols["patronymic_variants"].append(_hashes(keys.patronymic_variants))
        cols["patronymic_initial"].append(keys.patronymic_initial)
        cols["patronymic_initials"].append(
            list(keys.patronymic_initials)
            or ([keys.patronymic_initial] if keys.patronymic_initial else None)
        )
        cols["sex"].append(keys.sex if keys.sex in ("M", "F") else None)
        cols["birth_y"].append(by)
        cols["birth_m"].append(bm)
        cols["birth_d"].append(bd)
        birth_place = place_key(_get(rec, "birth_place"))
        cols["birth_place"].append(birth_place)
        cols["mother"].append(mother)
        cols["mother_variants"].append(_hashes(mother_variants))
        cols["service_number"].append(service)
        unit = unit_key(_get(rec, "military_unit"))
        cols["unit"].append(unit)
        cols["capture_date"].append(capture)
        cols["capture_place"].append(place_key(_get(rec, "capture_place")))
        cols["bkeys"].append(blocking_keys(keys, by, bm, bd, service, birth_place, unit, mother))
        if progress is not None and (i + 1) % 10_000 == 0:
            progress(10_000)
    if progress is not None:
        progress(len(records) % 10_000)
    table = pa.table(cols, schema=FEATURE_SCHEMA)
    return Features(table, warnings)
