"""Given-name tables (ru/uk equivalents and diminutives) loaded once from data/given_names.csv.

Every form is indexed by its key (keys.word_key), so a lookup works the same for the
Cyrillic form, any romanisation of it and its typos that happen to fall on the same key.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz.distance import OSA

from kintrace.normalise.keys import (
    ABJAD_LETTER,
    abjad_skeleton,
    cyrillic_spelling_key,
    each_replacement,
    marked_abjad_skeleton,
    word_key,
)


@dataclass(frozen=True, slots=True)
class NameGroup:
    """One given name with all its full forms (ru and uk) and its diminutives."""

    id: int
    sex: str  # "M" | "F"
    key: str  # canonical key: the key of the first Russian form
    full_keys: frozenset[str]
    diminutive_keys: frozenset[str]
    stems: frozenset[str]  # key stems a patronymic is built on (Сергей/Сергій -> "serg")
    # Key letters an initial of the name may be written with in any script: Николай/Микола
    # -> {"n", "m"}; Евгений -> {"e", "i"} since "Yevhen" is written "Y.".
    initials: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class NameTables:
    groups: tuple[NameGroup, ...]
    by_full_key: dict[str, tuple[int, ...]]
    by_diminutive_key: dict[str, tuple[int, ...]]
    by_stem: dict[str, tuple[int, ...]]
    by_foreign_key: dict[str, tuple[int, ...]]  # other languages' forms (Andrew, Andrzej)
    ru_only_forms: frozenset[str]  # lower-case Cyrillic forms written only in Russian
    uk_only_forms: frozenset[str]


_TRAILING_VOWELS = re.compile(r"[aeiou]+$")


def stem_of(key: str) -> str:
    """The part of a given-name key a patronymic is built on."""
    stem = _TRAILING_VOWELS.sub("", key)
    return stem if len(stem) >= 2 else key


SURNAME_LIKE = re.compile(r"(ov|ev|in|ova|eva|ina|enko|uk|ski|ska)$")


def _foreign_forms(
    groups: list[NameGroup],
    seen: dict[tuple[str, str], int],
    by_full: dict[str, list[int]],
    by_dim: dict[str, list[int]],
) -> dict[str, list[int]]:
    """Keys of the other languages' forms of a name (Andrew, Andrzej, Ondřej -> Андрей).

    They lead to the group like a full form, but are never offered as its variants (Иван does
    not carry "Juan" or "Jean"). A form whose key already belongs to a group's ru/uk forms
    or pet names is left out, so a translation never makes two names one.
    """
    index: dict[str, list[int]] = {}
    for row in _data_rows("foreign_names.csv"):
        gid = seen.get((row["sex"].strip(), word_key(row["ru"].strip())))
        if gid is None:
            continue
        for key in {word_key(f) for f in _split(row["forms"])}:
            if len(key) >= 3 and {*by_full.get(key, ()), *by_dim.get(key, ())} <= {gid}:
                index.setdefault(key, []).append(gid)
    return index


@cache
def abjad_group_keys() -> frozenset[str]:
    """Canonical keys of the name groups foreign_names.csv also gives in Arabic or Hebrew
    letters (Мохаммед, Юсуф, Давид, Моше): a name that bears one may have been written in
    those scripts, without vowels. Not the names with Russian or Ukrainian pet names
    (Михаил: Миша; Яков: Яша; Давид: Дава; Тамара: Тома), which are Slavic names too."""
    t = name_tables()
    keys: set[str] = set()
    for row in _data_rows("foreign_names.csv"):
        if ABJAD_LETTER.search(row["forms"]):
            ids = t.by_full_key.get(word_key(row["ru"].strip()), ())
            keys.update(
                t.groups[i].key
                for i in ids
                if t.groups[i].sex == row["sex"].strip() and not t.groups[i].diminutive_keys
            )
    return frozenset(keys)


@cache
def abjad_name_keys() -> frozenset[str]:
    """Every key that leads to a group of abjad_group_keys (its forms and translations)."""
    t = name_tables()
    groups = abjad_group_keys()
    return frozenset(
        key
        for index in (t.by_full_key, t.by_foreign_key)
        for key, ids in index.items()
        if t.groups[ids[0]].key in groups
    )


@cache
def abjad_given_keys() -> dict[str, tuple[str, ...]]:
    """The full forms' keys of the given names by their abjad skeleton (Юрий: ri; Михаил:
    mgl; Олександр, Александр: lksndr), in the file's order, for names written in Hebrew or Arabic letters
    without their short vowels. A skeleton of two letters counts only as a consonant and a
    final vowel (Юрий: ri; Ира: ra), never as two consonants, which too many names share."""
    t = name_tables()
    out: dict[str, set[int]] = {}
    for key, ids in t.by_full_key.items():
        skel = abjad_skeleton(key)
        if len(skel) >= 3 or (len(skel) == 2 and skel[-1] in "aoi" and key[-1] in "aeiou"):
            out.setdefault(skel, set()).add(ids[0])
        if marked := marked_abjad_skeleton(key):
            out.setdefault(marked, set()).add(ids[0])
    # The file's order: the commoner names first (Михаил before Мигель for מיכאיל).
    return {k: tuple(t.groups[i].key for i in sorted(v)) for k, v in out.items()}


def _rows_with_group(t: NameTables, filename: str) -> Iterator[tuple[dict[str, str], int]]:
    """The rows of a data file of other forms (greek_names.csv, foreign_names.csv) whose
    Russian name (column `ru`) is a group of the row's sex, with that group's id."""
    for row in _data_rows(filename):
        sex = row["sex"].strip()
        ids = t.by_full_key.get(word_key(row["ru"].strip()), ())
        gid = next((i for i in ids if t.groups[i].sex == sex), None)
        if gid is not None:
            yield row, gid


@cache
def given_by_written() -> dict[str, tuple[tuple[int, bool], ...]]:
    """(group id, is a diminutive) of every Cyrillic form given_names.csv writes, by the form
    in lower case: the written form tells apart what the key folds together (Витя, a pet
    name of Виктор, and the woman's name Вита are both `vita`; Лена and Лёня both `lena`)."""
    t = name_tables()
    out: dict[str, list[tuple[int, bool]]] = {}
    for row in _data_rows("given_names.csv"):
        ru = _split(row["ru"])
        if not ru:
            continue
        ids = [
            i
            for i in t.by_full_key.get(word_key(ru[0]), ())
            if t.groups[i].sex == row["sex"].strip()
        ]
        if not ids:
            continue
        full = {f.lower() for f in ru + _split(row["uk"])}
        for form in full | {f.lower() for f in _split(row["diminutives"])}:
            entry = (ids[0], form not in full)
            if entry not in out.setdefault(form, []):
                out[form].append(entry)
    # The Greek forms of the names (Λέων is Лев, though its key is Леон's) are read as
    # written, as full forms of their group (data/greek_names.csv).
    for row, gid in _rows_with_group(t, "greek_names.csv"):
        for form in _split(row["greek"]):
            out.setdefault(written_form(form), []).append((gid, False))
    # A foreign form whose key is too short for the key index (Moldovan Ion: "on", the I
    # read as a glide) is looked up as written.
    for row, gid in _rows_with_group(t, "foreign_names.csv"):
        for form in _split(row["forms"]):
            if len(word_key(form)) < 3 and form.lower() not in out:
                out[form.lower()] = [(gid, False)]
    # A pet form's romanisations are its written forms too (Vitya, Vitia, Vitja: Витя), so a
    # Latin pet name gets the sex of the full names it stands for, as the Cyrillic one does:
    # Vitya is not the woman's name Vita, Lena not Лёня. Only strings that romanise a pet
    # form; a full name's romanisation keeps the key's lookup.
    latin: dict[str, list[tuple[int, bool]]] = {}
    for form, entries in out.items():
        for spelling in _romanisations(form):
            bucket = latin.setdefault(spelling, [])
            bucket += [e for e in entries if e not in bucket]
    for spelling, entries in latin.items():
        if any(is_dim for _, is_dim in entries):
            out.setdefault(spelling, entries)
    return {form: tuple(v) for form, v in out.items()}


_CYRILLIC_LETTER = re.compile(r"[а-яёіїєґў]")


@cache
def foreign_cyrillic_given() -> dict[str, str]:
    """Sex by lower-case form of the Cyrillic given names foreign_names.csv writes and
    given_names.csv does not: Belarusian (Мікалай, Святлана, Вольга), a few Hungarian and
    Armenian transcriptions (Шандор, Оганес). A name bearing one is no Russian or Ukrainian
    name, and the tables' Russian/Ukrainian forms cannot tell its sex from its spelling."""
    written = given_by_written()
    out: dict[str, str] = {}
    for row, gid in _rows_with_group(name_tables(), "foreign_names.csv"):
        for form in _split(row["forms"]):
            low = form.lower()
            if _CYRILLIC_LETTER.search(low) and low not in written:
                out[low] = name_tables().groups[gid].sex
    return out


@cache
def foreign_written_forms() -> frozenset[str]:
    """Every form foreign_names.csv writes, in lower case (Khadija, Andrew, Мікалай)."""
    return frozenset(
        form.lower() for row in _data_rows("foreign_names.csv") for form in _split(row["forms"])
    )


@cache
def foreign_cyrillic_keys() -> frozenset[str]:
    """Keys of the Cyrillic forms foreign_names.csv writes (Уладзімір, Сяргей): a Latin word
    with one of these keys is a transliteration of that form (Uladzimir), not a chance key."""
    return frozenset(
        word_key(form)
        for row in _data_rows("foreign_names.csv")
        for form in _split(row["forms"])
        if _CYRILLIC_LETTER.search(form.lower())
    )


_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")


def written_form(text: str) -> str:
    """A given name as given_by_written files it: lower case; Greek also without its
    accents and final sigma (Λέων, ΛΕΩΝ, Λεων are one form)."""
    low = text.lower()
    if not _GREEK.search(low):
        return low
    bare = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
    return bare.replace("ς", "σ")


# The romanisation standards of the robustness set (passports, press, library, scholarly).
_RU_SCHEMES = ("ICAO_DOC_9303", "WIKIPEDIA", "BGN_PCGN", "SCIENTIFIC", "GOST_779_ALT",
               "MVD_310", "MVD_782", "TELEGRAM", "ALA_LC", "UNGEGN_1987")  # fmt: skip
_UK_TABLES = ("UkrainianKMU", "UkrainianPassport2004Alt", "UkrainianPassport2007",
              "UkrainianBGN", "UkrainianALALC", "UkrainianNational1996", "UkrainianGerman",
              "UkrainianFrench")  # fmt: skip


def _romanisations(form: str) -> set[str]:
    """A lower-case Cyrillic form in the Russian and Ukrainian romanisation standards
    (iuliia's and translitua's tables); spellings with combining marks are left out."""
    import iuliia
    import translitua

    out = {getattr(iuliia, s).translate(form) for s in _RU_SCHEMES}
    out |= {translitua.translit(form, getattr(translitua, t)) for t in _UK_TABLES}
    return {s.lower() for s in out if s and not any(unicodedata.combining(c) for c in s)}


@cache
def korean_surnames() -> dict[str, frozenset[str]]:
    """Each written form of a common Korean surname (Hangul, lower-case Latin and Cyrillic:
    박, park, пак) to the keys of all its spellings (data/korean_surnames.csv): Park is 박,
    Bak and Пак; Lee is 이, Yi and Ли; Choi is 최, Цой and Чхве."""
    out: dict[str, set[str]] = {}
    for row in _data_rows("korean_surnames.csv"):
        forms = [row["hangul"].strip(), *_split(row["latin"]), *_split(row["cyrillic"])]
        keys = {k for k in (word_key(f) for f in forms) if k}
        for f in forms:
            out.setdefault(f.lower(), set()).update(keys)
    return {form: frozenset(keys) for form, keys in out.items()}


# Iotated Cyrillic vowels start with a "y"/"j" in most romanisations (Yevhen, Jurij, Yakov).
_IOTATED = frozenset("еєёюя")


def _form_initials(form: str) -> set[str]:
    first = form.strip()[:1].lower()
    key = word_key(first)[:1] or word_key(form)[:1]
    out = {key} if key else set()
    if first in _IOTATED:
        out.add("i")
    return out


def _split(cell: str) -> list[str]:
    return [f.strip() for f in cell.split("|") if f.strip()]


@cache
def _data_rows(filename: str) -> tuple[dict[str, str], ...]:
    """The rows of a data file (given_names.csv, foreign_names.csv, ...), read once for every
    table built from them."""
    text = resources.files("kintrace.normalise.data").joinpath(filename).read_text("utf-8")
    return tuple(csv.DictReader(text.splitlines()))


@cache
def name_tables() -> NameTables:
    rows = _data_rows("given_names.csv")
    groups: list[NameGroup] = []
    by_full: dict[str, list[int]] = {}
    by_dim: dict[str, list[int]] = {}
    by_stem: dict[str, list[int]] = {}
    ru_forms: set[str] = set()
    uk_forms: set[str] = set()
    seen: dict[tuple[str, str], int] = {}
    # (group, stem) pairs where the stem is that of the group's first ru or uk form: a
    # shared stem (Олекса of Александр, Олексій of Алексей -> "oleks") goes to them first.
    primary: set[tuple[int, str]] = set()
    for row in rows:
        ru, uk, dims = _split(row["ru"]), _split(row["uk"]), _split(row["diminutives"])
        sex = row["sex"].strip()
        if not ru:
            continue
        ru_forms.update(f.lower() for f in ru)
        uk_forms.update(f.lower() for f in uk)
        full_keys = frozenset(k for k in (word_key(f) for f in ru + uk) if k)
        dim_keys = frozenset(k for k in (word_key(f) for f in dims) if k) - full_keys
        canonical = word_key(ru[0])
        if (sex, canonical) in seen:
            # A repeated row only adds forms to the group it repeats.
            old = groups[seen[(sex, canonical)]]
            full_keys |= old.full_keys
            dim_keys = (dim_keys | old.diminutive_keys) - full_keys
            gid = old.id
        else:
            gid = len(groups)
            groups.append(None)  # type: ignore[arg-type]
            seen[(sex, canonical)] = gid
        stems = frozenset(stem_of(k) for k in full_keys)
        primary.update((gid, stem_of(word_key(f[0]))) for f in (ru, uk) if f)
        initials = frozenset(i for f in ru + uk for i in _form_initials(f))
        if gid < len(groups) and groups[gid] is not None:
            initials |= groups[gid].initials
        groups[gid] = NameGroup(gid, sex, canonical, full_keys, dim_keys, stems, initials)
    for g in groups:
        for k in g.full_keys:
            by_full.setdefault(k, []).append(g.id)
        for k in g.diminutive_keys:
            by_dim.setdefault(k, []).append(g.id)
        for s in g.stems:
            by_stem.setdefault(s, []).append(g.id)

    def frozen(d: dict[str, list[int]]) -> dict[str, tuple[int, ...]]:
        # Male groups first: patronymics are built on fathers' names.
        return {
            k: tuple(sorted(set(v), key=lambda i: (groups[i].sex != "M", i))) for k, v in d.items()
        }

    by_foreign = _foreign_forms(groups, seen, by_full, by_dim)

    def stem_order(stem: str) -> Callable[[int], tuple[bool, bool, int]]:
        # Men's names first, then groups whose primary stem this is, then by group number.
        return lambda i: (groups[i].sex != "M", (i, stem) not in primary, i)

    stems_frozen = {k: tuple(sorted(set(v), key=stem_order(k))) for k, v in by_stem.items()}

    return NameTables(
        groups=tuple(groups),
        by_full_key=frozen(by_full),
        by_diminutive_key=frozen(by_dim),
        by_stem=stems_frozen,
        by_foreign_key=frozen(by_foreign),
        ru_only_forms=frozenset(ru_forms - uk_forms),
        uk_only_forms=frozenset(uk_forms - ru_forms),
    )


@lru_cache(maxsize=200_000)
def lookup_given_all(
    key: str, sex: str | None = None, suffixes: bool = True
) -> tuple[tuple[NameGroup, bool], ...]:
    """Every name group a given-name key belongs to, best first, with "was a diminutive".

    Groups of the stated sex come first, then full forms before diminutives (Алёна is a name
    of its own, not only Елена's pet name). A pet name of several names (Влад, Слава) gives
    all of them. A key no group knows is tried without a diminutive suffix (Олексійко,
    Дмитрик -> the name whose stem remains).
    """
    t = name_tables()
    found: list[tuple[NameGroup, bool]] = []
    # A translation whose key is also a surname's (Andrew, Андреев: "andrev") ranks like a
    # pet name, so a full name beside it is taken as the given name.
    foreign_weak = bool(SURNAME_LIKE.search(key))
    for index, is_dim in (
        (t.by_full_key, False),
        (t.by_diminutive_key, True),
        (t.by_foreign_key, foreign_weak),
    ):
        found += [(t.groups[i], is_dim) for i in index.get(key, ())]
    found = list(dict.fromkeys(found))
    if not found and suffixes:
        for suffix in _DIMINUTIVE_SUFFIXES:
            if key.endswith(suffix) and len(key) - len(suffix) >= 3:
                stem = key[: -len(suffix)]
                ids = t.by_full_key.get(stem) or t.by_stem.get(stem_of(stem), ())
                found = [(t.groups[i], True) for i in ids]
                if suffix in _MALE_SUFFIXES:
                    # -ко, -ик, -чик, -усь make men's pet names: Олейник is no Олена.
                    found = [f for f in found if f[0].sex == "M"]
                if found:
                    break
    if sex:
        same = [f for f in found if f[0].sex == sex]
        found = same or found
    found.sort(key=lambda f: f[1])  # stable: full forms first, order of the file kept
    return tuple(found)


# Ukrainian and Russian diminutive suffixes, as keys (-ко, -чик, -ик, -усь, -енька, -очка, ...).
_DIMINUTIVE_SUFFIXES = (
    "onka", "enka", "inka", "ocka", "ecka", "uska", "usa", "cik", "ko", "ik", "us",
)  # fmt: skip
_MALE_SUFFIXES = frozenset({"cik", "ko", "ik", "us"})


def lookup_given(
    key: str, sex: str | None = None, suffixes: bool = True
) -> tuple[NameGroup, bool] | None:
    """The best name group of a given-name key (see lookup_given_all), or None."""
    found = lookup_given_all(key, sex, suffixes)
    return found[0] if found else None


# Patronymic suffixes on the key, with the case endings that may follow them
# (Петровича, Петровичем, Петровною, Вікторівни, ...).
# Belarusian writes -авіч, -аўна, -еўна (Віктаравіч, Іванаўна; Latin -avič, -aŭna, -eŭna).
_PATR_MALE = re.compile(r"(ovic|evic|avic|ic)(a|u|em|om|e|i)?$")
# Lithuanian and Latvian press add their nominative ending (Vladimirovičas, -ovičius, -ovičs).
_PATR_BALTIC = re.compile(r"(ovic|evic)(as|us|s)$")
_PATR_FEMALE = re.compile(r"(inicn|icn|ovn|evn|ivn|vn|aun|eun)(a|i|e|u|o)?$")
_OV_ABSORBED = frozenset({"ovic", "ovn", "ivn"})
_STRONG = {"ovic", "evic", "avic", "aun", "eun", "ovn", "evn", "ivn", "vn", "uli", "kisi", "kizi"}
_BELARUSIAN_PATR = {"avic", "aun", "eun", "vn"}
# Kazakh and Kyrgyz patronymics: the father's name + -ұлы/-uly/-ulı ("son") or -қызы/-qyzy
# ("daughter"), written as one word (Серікұлы = Серикович). Kazakh names are few in our
# tables, so the suffix alone marks them, as -ович does.
_PATR_TURKIC_MALE = re.compile(r"(uli)()$")
_PATR_TURKIC_FEMALE = re.compile(r"(kisi|kizi)()$")
_TURKIC_CASES = {"": "nomn"}
_MALE_CASES = {"": "nomn", "a": "gent", "u": "datv", "em": "ablt", "om": "ablt", "e": "loct", "i": "loct"}  # fmt: skip
_BALTIC_CASES = {"as": "nomn", "us": "nomn", "s": "nomn"}
_FEMALE_CASES = {"": "nomn", "a": "nomn", "i": "gent", "e": "datv", "u": "accs", "o": "ablt"}


@lru_cache(maxsize=200_000)
def patronymic_parts(key: str) -> tuple[str, str, bool, str] | None:
    """Split a patronymic key into (father's stem, sex, stem found in the tables, case).

    None when the key does not look like a patronymic. A bare "-ič" ending (Ильич, Лукич)
    counts only when its stem is a known name, since many surnames end the same way. The
    case ("nomn", "gent", ...) is read from the ending after the suffix.
    """
    for pattern, sex, cases in (
        (_PATR_FEMALE, "F", _FEMALE_CASES),
        (_PATR_MALE, "M", _MALE_CASES),
        (_PATR_BALTIC, "M", _BALTIC_CASES),
        (_PATR_TURKIC_MALE, "M", _TURKIC_CASES),
        (_PATR_TURKIC_FEMALE, "F", _TURKIC_CASES),
    ):
        m = pattern.search(key)
        if not m:
            continue
        suffix, ending = m.group(1), m.group(2) or ""
        stem = key[: m.start()]
        if suffix == "kisi" and stem[-1:] in "aeiou" and stem_of(stem) not in name_tables().by_stem:
            # Серікқызы keys as "serikisi": the father's -к and the suffix's к are one letter.
            stem += "k"
        if len(stem) < 2 and suffix.endswith("vic"):
            # Савва's son is Саввич (key "savic"): the в is the father's, not -авич's.
            stem, suffix = key[: m.start() + len(suffix) - 2], "ic"
        if len(stem) < 2:
            continue
        known = stem_of(stem) in name_tables().by_stem
        if not known and suffix in _OV_ABSORBED and stem + "ov" in name_tables().by_stem:
            # A name in -ов takes -ович, -івна without a second -ов: Ukrainian Якович, Яківна
            # of Яків (Russian Яковлевич) are Яков's.
            stem, known = stem + "ov", True
        if (
            not known
            and suffix in _STRONG
            and stem[-2:-1] not in "aeiou"
            and (fleeting := stem[:-1] + "e" + stem[-1]) in name_tables().by_stem
        ):
            # A fleeting е: Львович of Лев, as Павлович of Павел.
            stem, known = fleeting, True
        if not known and suffix in _BELARUSIAN_PATR and "a" in stem:
            # Belarusian writes an unstressed о or е as а (Віктаравіч: Викторович).
            for form in sorted(each_replacement(stem, "a", "o") | each_replacement(stem, "a", "e")):
                if stem_of(form) in name_tables().by_stem:
                    stem, known = form, True
                    break
        if not known and suffix in _BELARUSIAN_PATR and stem in foreign_cyrillic_keys():
            # A father's name in its Belarusian form (Рыгоравіч of Рыгор: Григорий).
            men = [
                g
                for g in name_tables().by_foreign_key.get(stem, ())
                if name_tables().groups[g].sex == "M"
            ]
            if men:
                stem, known = name_tables().groups[men[0]].key, True
        if known and suffix in ("ic", "icn", "inicn"):
            # The bare -ич, -ична is built only on a man's name ending in a vowel (Кузьма
            # Кузьмич, Лука Лукич, Илья Ильинична, Никита Никитична); Арсен's son is
            # Арсенович, so Арсенич, Бабич, Петрич and Зарічна (Сара is no man) are surnames.
            groups = name_tables().groups
            known = any(
                groups[g].sex == "M" and k.endswith("a")
                for g in name_tables().by_stem[stem_of(stem)]
                for k in groups[g].full_keys
            )
        if not known and suffix not in _STRONG:
            continue
        return stem, sex, known, cases[ending]
    return None


def father_group(stem: str) -> NameGroup | None:
    """The most likely father's name of a patronymic stem (see father_groups)."""
    found = father_groups(stem)
    return found[0] if found else None


@lru_cache(maxsize=50_000)
def father_groups(stem: str) -> tuple[NameGroup, ...]:
    """Every man's name a patronymic stem may come from, the likeliest first.

    A few stems are shared: Олексійович and a rare Олексович are one key, as are
    Арсенович and Арсеньевич; the group whose main form gives the stem comes first.
    """
    t = name_tables()
    ids = t.by_stem.get(stem_of(stem), ())
    men = tuple(t.groups[i] for i in ids if t.groups[i].sex == "M")
    return men or tuple(t.groups[i] for i in ids[:1])


def _deletions(word: str) -> set[str]:
    """The word and each of its one-letter deletions: two words one slip apart (a letter
    added, dropped, changed or two swapped) share one of these."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _by_deletion(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each word filed under each of its `_deletions`, for the near_* look-ups."""
    index: dict[str, set[str]] = {}
    for word in words:
        for d in _deletions(word):
            index.setdefault(d, set()).add(word)
    return {d: tuple(sorted(v)) for d, v in index.items()}


@cache
def _stem_deletion_index() -> dict[str, tuple[str, ...]]:
    """Every patronymic stem of four letters or more of a man's name under itself and each
    one-letter deletion (three-letter stems such as Нил's lie a letter from too many)."""
    t = name_tables()
    return _by_deletion(
        stem
        for stem, ids in t.by_stem.items()
        if len(stem) >= 4 and any(t.groups[i].sex == "M" for i in ids)
    )


@lru_cache(maxsize=20_000)
def near_father_stem(stem: str) -> str | None:
    """The one known father's stem a slip away from an unknown patronymic stem (Petorvna,
    Aleksanrdovich, Никлоаевич), or None. Stems of five letters or more as written: shorter
    ones lie a letter from several names."""
    s = stem_of(stem)
    if len(stem) < 5 or len(s) < 4 or s in name_tables().by_stem:
        return None
    index = _stem_deletion_index()
    near: set[str] = set()
    for d in _deletions(s):
        near.update(k for k in index.get(d, ()) if OSA.distance(s, k) <= 1)
    return near.pop() if len(near) == 1 else None


@cache
def _deletion_index() -> dict[str, tuple[str, ...]]:
    """Every full-form and pet-name key under itself and each of its one-letter deletions."""
    t = name_tables()
    return _by_deletion((*t.by_full_key, *t.by_diminutive_key))


@lru_cache(maxsize=100_000)
def near_given(key: str, sex: str | None = None) -> tuple[NameGroup, ...]:
    """Name groups with a form one typo or OCR slip away from an unknown given-name key.

    One letter added, dropped, changed or two swapped (Вадтик, Юрнй, Ihop, Андюрша); only
    for keys of four letters or more that no group knows, since short names lie one letter
    apart from each other. Groups of the stated sex only, when there are any; nothing when
    the slip is as near to two names as to one.
    """
    t = name_tables()
    if len(key) < 4 or key in t.by_full_key or key in t.by_diminutive_key:
        return ()
    index = _deletion_index()
    near: set[str] = set()
    for d in _deletions(key):
        near.update(index.get(d, ()))
    ids: list[int] = []
    for k in sorted(near):
        if OSA.distance(key, k) <= 1:
            ids += [*t.by_full_key.get(k, ()), *t.by_diminutive_key.get(k, ())]
    groups = [t.groups[i] for i in dict.fromkeys(ids)]
    if sex:
        groups = [g for g in groups if g.sex == sex] or groups
    # A slip that lands near two names (Алекеей: Алексей or Алекс) is no evidence for either.
    return tuple(groups) if len(groups) == 1 else ()


@cache
def _spelling_index() -> dict[str, tuple[str, ...]]:
    """Every one-letter deletion of each Cyrillic full form's and pet name's spelling key
    (cyrillic_spelling_key) -> those spelling keys; _SPELLED maps each to its group."""
    name_tables()  # the groups exist before their ids are used
    by_spelling: dict[str, set[int]] = {}
    for row in _data_rows("given_names.csv"):
        for form in _split(row["ru"]) + _split(row["uk"]) + _split(row["diminutives"]):
            spelled = cyrillic_spelling_key(form.lower())
            found = lookup_given_all(word_key(form), suffixes=False)
            if spelled and found:
                by_spelling.setdefault(spelled, set()).update(g.id for g, _ in found[:1])
    _SPELLED.update({k: tuple(sorted(v)) for k, v in by_spelling.items()})
    return _by_deletion(by_spelling)


_SPELLED: dict[str, tuple[int, ...]] = {}


@lru_cache(maxsize=50_000)
def near_given_spelling(word: str, sex: str | None = None) -> tuple[NameGroup, ...]:
    """Like near_given, on the Cyrillic spelling rather than the key: a slip next to a glide
    i (Віалій, Слааа) is one letter from Віталій, Слава there, while the keys (`vali`,
    `sla`) are further off or nearer another name. Spellings of five letters or more; one
    group only."""
    spelled = cyrillic_spelling_key(word.lower())
    if len(spelled) < 5:
        return ()
    index = _spelling_index()
    if spelled in _SPELLED:
        return ()  # a known name as written
    near: set[str] = set()
    for d in _deletions(spelled):
        near.update(index.get(d, ()))
    t = name_tables()
    ids: list[int] = []
    for k in sorted(near):
        if OSA.distance(spelled, k) <= 1:
            ids += _SPELLED[k]
    groups = [t.groups[i] for i in dict.fromkeys(ids)]
    if sex:
        groups = [g for g in groups if g.sex == sex] or groups
    return tuple(groups) if len(groups) == 1 else ()


# The Ukrainian forms whose initial a Russian list writes otherwise often enough to let a
# bare initial stand for both letters: О. for Олександр, Олексій, Олександра, Олена (А., Е.),
# М. for Микола, Микита (Н.), К. for Катерина (Е.), Г. for Ганна (А.). Rarer pairs (Гнат
# Игнат, Пилип Филипп, Панас Афанасий, Хома Фома, Христина Кристина, Юхим Ефим, Леся Олеся)
# gave a bare Г., П., Х. the letters of too many other names: «Заєць Г. В.» agreed with an
# Ирина at 0.998 through Гнат.
_COMMON_UK_COUNTERPARTS = frozenset(
    {"Олександр", "Олексій", "Олександра", "Олена", "Микола", "Микита", "Катерина", "Ганна"}
)


@cache
def uk_initial_counterparts() -> dict[tuple[str, str | None], frozenset[str]]:
    """For a Ukrainian initial letter and the person's sex (None: unknown), the key letters
    the same names take in Russian when they differ (О: a, e for Олександр/Александр,
    Олексій/Алексей, Олена/Елена; a man's О. only a): a Ukrainian card «Ковальчук О. І.» may
    be the Russian «Ковальчук А. И.». Common names only (_COMMON_UK_COUNTERPARTS)."""
    out: dict[tuple[str, str | None], set[str]] = {}
    for row in _data_rows("given_names.csv"):
        ru, uk = _split(row["ru"]), _split(row["uk"])
        ru_letters = {word_key(f)[:1] for f in ru} - {""}
        for form in uk:
            letter, key = form[:1].lower(), word_key(form)[:1]
            if key and key not in ru_letters and form in _COMMON_UK_COUNTERPARTS:
                for sex in (row["sex"], None):
                    out.setdefault((letter, sex), set()).update(ru_letters)
    return {k: frozenset(v) for k, v in out.items() if v}
