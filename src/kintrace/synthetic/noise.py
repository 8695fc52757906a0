"""Write a synthetic person the way the world writes him, for the linkage benchmark.

Each record says which phenomena were applied to it (`NoisyRecord.phenomena`), so the
benchmark can report recall per phenomenon. The tables here (pet names, case endings,
foreign press spellings, keyboard layouts, OCR confusions) are this module's own on
purpose: the benchmark must not share the engine's blind spots, so nothing is imported
from `kintrace.normalise`. Standard romanisations come from `iuliia` (Russian) and
`translitua` (Ukrainian), as a clerk's software would produce them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache

import iuliia
import translitua

from kintrace.synthetic.grammar import inflect
from kintrace.synthetic.tables import diminutives
from kintrace.synthetic.world import (
    EXCHANGE_COLUMNS,
    WORLD_VERSION,
    SynthPerson,
    iter_world,
    world_version,
)

#: Changes whenever the same seed would write different records, so cached sets are rebuilt.
NOISE_VERSION = f"{WORLD_VERSION}-noise-3"


def noise_version(pool: str | None = None) -> str:
    """The version of the noisy sets a seed gives with this surname pool (see NOISE_VERSION)."""
    return f"{world_version(pool)}-noise-3"


#: Every label a record can carry, with what it means.
PHENOMENA: dict[str, str] = {
    "ru_uk_forms": "written in the other language's Cyrillic forms (Сергей for Сергій)",
    "romanised": "Latin script by a romanisation standard (see romanised:<standard>)",
    "foreign_press": "Latin spelling of another language's press (see foreign_press:<lang>)",
    "diminutive": "a pet name instead of the given name",
    "inflected": "name parts in a grammatical case other than the nominative",
    "surname_first": "family name written first",
    "upper_case": "family name or whole name in capitals",
    "initials": "given name and patronymic as initials",
    "hyphenated": "a double, hyphenated surname",
    "call_sign": "a call sign in quotes or brackets beside the name",
    "typo": "one typing error in a name",
    "ocr": "OCR confusions from a scanned list",
    "latin_lookalike": "Latin look-alike letters inside a Cyrillic name",
    "apostrophe": "another apostrophe sign, or none, in a Ukrainian name",
    "yo_e": "ё written as е",
    "stress": "stress marks on vowels",
    "wrong_layout": "Cyrillic typed on a Latin keyboard layout",
    "no_patronymic": "patronymic missing",
    "non_slavic": "a non-Slavic surname written in Cyrillic",
    "partial_date": "birth date with year and month, or year only",
    "swapped_date": "day and month of birth swapped",
    "date_error": "birth date off by a few days or a year",
    "no_birth_date": "birth date missing",
    "renamed_place": "birth place under its former name",
    "place_other_script": "birth place in another language or script",
    "unit_spelling": "military unit written another way than «в/ч CODE»",
    "name_only": "nothing but a name",
    "full_name_only": "the name in full_name only, parts empty",
}


@dataclass(slots=True)
class NoisyRecord:
    record_id: str
    person_id: str  # the truth
    row: dict[str, str]  # the exchange-CSV row
    phenomena: tuple[str, ...]
    writer: str  # who wrote it: own_bureau, other_bureau, capture_card, press, ...


# --- romanisation ---------------------------------------------------------------------------

RU_STANDARDS = {
    "icao": iuliia.ICAO_DOC_9303,
    "bgn_pcgn": iuliia.BGN_PCGN,
    "gost_7_79": iuliia.GOST_779,
    "gost_7_79_alt": iuliia.GOST_779_ALT,
    "loc": iuliia.ALA_LC,
    "scholarly": iuliia.SCIENTIFIC,
    "mvd_310": iuliia.MVD_310,
    "wikipedia": iuliia.WIKIPEDIA,
    "telegram": iuliia.TELEGRAM,
}
UK_STANDARDS: dict[str, type[translitua.TransliterationTable]] = {
    "kmu_2010": translitua.UkrainianKMU,
    "bgn_pcgn": translitua.UkrainianBGN,
    "loc": translitua.UkrainianALALC,
    "gost_7_79": translitua.UkrainianISO9,
    "passport_2004": translitua.UkrainianPassport2004Alt,
    "national_1996": translitua.UkrainianNational1996,
    "british": translitua.UkrainianBritish,
    "scholarly": translitua.UkrainianWWS,
}
_CYR = re.compile(r"[а-яёєіїґА-ЯЁЄІЇҐ]")


def romanise(text: str, lang: str, standard: str) -> str:
    if lang == "uk":
        return translitua.translit(text, UK_STANDARDS[standard])
    out = RU_STANDARDS[standard].translate(text)
    if _CYR.search(out):
        # Some iuliia schemas leave ё untouched; a clerk's software would have read it as е.
        out = RU_STANDARDS[standard].translate(text.replace("ё", "е").replace("Ё", "Е"))
    return out


# Press and registry spellings of other languages. Built on one base table with each
# language's own letters; Ukrainian и/г differ from Russian, hence the per-script columns.
_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "zh",
    "з": "z", "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju",
    "я": "ja", "і": "i", "ї": "ji", "є": "je", "ґ": "g", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
FOREIGN: dict[str, dict[str, str]] = {
    "de": {"в": "w", "ж": "sch", "з": "s", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch",
           "щ": "schtsch", "ы": "y", "uk:и": "y", "uk:г": "h", "э": "e"},
    "fr": {"ж": "j", "ц": "ts", "ч": "tch", "ш": "ch", "щ": "chtch", "у": "ou", "ю": "iou",
           "я": "ia", "й": "ï", "ё": "io", "uk:и": "y", "uk:г": "h", "ї": "ï", "є": "ie"},
    "pl": {"в": "w", "ж": "ż", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz", "щ": "szcz",
           "л": "ł", "ё": "io", "uk:и": "y", "uk:г": "h", "ь": ""},
    "cs": {"ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "uk:и": "y",
           "uk:г": "h"},
    "nl": {"ж": "zj", "х": "ch", "ч": "tsj", "ш": "sj", "щ": "sjtsj", "у": "oe", "ю": "joe",
           "uk:и": "y", "uk:г": "h"},
    "sv": {"ж": "zj", "х": "ch", "ч": "tj", "ш": "sj", "щ": "sjtj", "uk:и": "y", "uk:г": "h"},
    "lt": {"ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "uk:и": "y",
           "uk:г": "h"},
    "hu": {"ж": "zs", "х": "h", "ц": "c", "ч": "cs", "ш": "s", "щ": "scs", "с": "sz",
           "ы": "ij", "uk:и": "ij", "uk:г": "h", "ь": ""},
    "es": {"ж": "zh", "х": "j", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "й": "i",
           "я": "ia", "ю": "iu", "ё": "io", "uk:и": "y", "uk:г": "h", "ї": "yi", "є": "ye"},
    "it": {"ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "й": "j",
           "uk:и": "y", "uk:г": "h"},
    "ro": {"ж": "j", "х": "h", "ц": "ț", "ч": "ci", "ш": "ș", "щ": "șci", "й": "i",
           "я": "ia", "ю": "iu", "ы": "î", "uk:и": "î", "uk:г": "h"},
    "tr": {"ж": "j", "х": "h", "ц": "ts", "ч": "ç", "ш": "ş", "щ": "şç", "й": "y",
           "я": "ya", "ю": "yu", "ё": "yo", "ы": "ı", "uk:и": "ı", "uk:г": "h", "є": "ye"},
}  # fmt: skip


def foreign_spelling(text: str, lang: str, press: str) -> str:
    """How a newspaper or registry of language `press` spells a Cyrillic name."""
    table = FOREIGN[press]
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        lat = table.get(f"{lang}:{low}", table.get(low, _BASE.get(low)))
        if lat is None:
            out.append(ch)
            continue
        prev = text[i - 1].lower() if i else " "
        if (
            press in ("de", "fr")
            and low == "с"
            and prev in "аеиоуыэюяіїє"
            and i + 1 < len(text)
            and text[i + 1].lower() in "аеиоуыэюяіїє"
        ):
            lat = "ss"  # a single s between vowels would be read as z
        if (
            press == "es"
            and low == "г"
            and lang == "ru"
            and i + 1 < len(text)
            and (text[i + 1].lower() in "еиэ")
        ):
            lat = "gu"  # Spanish keeps g hard before e and i: Yevgueni
        if press == "pl" and low == "л" and i + 1 < len(text) and text[i + 1].lower() in "еиьяюё":
            lat = "l"
        if ch != low and lat:
            lat = lat[0].upper() + lat[1:]
        out.append(lat)
    word = "".join(out)
    if press == "lt":
        word = " ".join(_lithuanian_ending(w) for w in word.split(" "))
    return word


def _lithuanian_ending(word: str) -> str:
    # Lithuanian gives male names its own nominative endings: Volodymyras, Zelenskis.
    if not word or not word[-1].isalpha() or word[-1] in "aA":
        return word
    for end, new in (("yj", "is"), ("ij", "is"), ("yi", "is"), ("ej", "ejus"), ("j", "jus")):
        if word.endswith(end):
            return word[: -len(end)] + new
    return word + ("as" if word[-1] not in "aeiouy" else "")


# --- keyboard, OCR, look-alikes ----------------------------------------------------------------

_RU_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LAT_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_LAYOUT = dict(zip(_RU_KEYS, _LAT_KEYS, strict=True)) | {"і": "s", "ї": "]", "є": "'", "ґ": "\\"}
_LOOKALIKE = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
              "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
              "С": "C", "Т": "T", "Х": "X", "І": "I"}  # fmt: skip
_OCR_CYR = {"и": "н", "н": "и", "ш": "щ", "щ": "ш", "л": "п", "п": "л", "е": "с", "с": "е",
            "З": "3", "О": "0", "б": "6", "ь": "ъ", "і": "1", "ц": "щ", "Ш": "Щ", "И": "Н"}  # fmt: skip
_OCR_LAT = {"m": "rn", "rn": "m", "l": "1", "I": "l", "O": "0", "S": "5", "d": "cl", "h": "b",
            "e": "c", "v": "y", "n": "ri"}  # fmt: skip
_NEAR = {  # neighbouring keys, for typos
    **{a: b for a, b in zip("йцукенгшщзхфывапролджячсмитьб", "цукенгшщзхъывапролджэчсмитьбю", strict=True)},
    **{a: b for a, b in zip("qwertyuiopasdfghjklzxcvbnm", "wertyuiopasdfghjklzxcvbnmq", strict=True)},
}  # fmt: skip


def wrong_layout(text: str) -> str:
    """Cyrillic typed with the Latin layout on: «Сергей» becomes «Cthutq»."""
    out = []
    for ch in text:
        lat = _LAYOUT.get(ch.lower())
        out.append(ch if lat is None else (lat.upper() if ch != ch.lower() else lat))
    return "".join(out)


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["delete", "insert", "substitute", "transpose"])
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "transpose":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    near = _NEAR.get(word[i].lower(), word[i])
    if kind == "insert":
        return word[:i] + near + word[i:]
    return word[:i] + near + word[i + 1 :]


def ocr(text: str, rng: random.Random) -> str:
    table = _OCR_CYR if _CYR.search(text) else _OCR_LAT
    spots = [(i, k) for k in table for i in range(len(text)) if text.startswith(k, i)]
    if not spots:
        return text
    for i, k in sorted(rng.sample(spots, min(len(spots), rng.choice([1, 1, 2]))), reverse=True):
        text = text[:i] + table[k] + text[i + len(k) :]
    return text


def lookalike(text: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(text) if ch in _LOOKALIKE]
    for i in rng.sample(spots, min(len(spots), rng.choice([1, 2, 3]))):
        text = text[:i] + _LOOKALIKE[text[i]] + text[i + 1 :]
    return text


def stress(word: str, rng: random.Random) -> str:
    vowels = [i for i, ch in enumerate(word) if ch.lower() in "аеиоуыэюяіїєaeiouy"]
    if not vowels:
        return word
    i = rng.choice(vowels)
    return word[: i + 1] + "\u0301" + word[i + 1 :]


# --- dates, places, units ----------------------------------------------------------------------


def write_date(d: date, style: str) -> str:
    return {
        "dmy": d.strftime("%d.%m.%Y"),
        "iso": d.isoformat(),
        "ym": d.strftime("%Y-%m"),
        "y": str(d.year),
    }[style]


def unit_variants(person: SynthPerson, lang: str) -> list[str]:
    """Other ways soldiers, families and clerks write the person's unit."""
    u = person.unit_ref
    if u is None:
        return []
    code = u.code
    abbr = u.short.split(" ", 1)[1]
    out = [code, f"в.ч. {code[:1]}-{code[1:]}" if not code.isdigit() else f"в.ч. {code}"]
    if u.side == "ua":
        out += [f"військова частина {code}", f"ВЧ {code}", u.short, f"{u.number}-та {abbr}"]
        out += [u.name, f"{u.number} бригада", f"{u.number}-а {abbr.lower()}"]
        if lang == "en":
            out += [f"{u.number}th Separate Brigade", f"military unit {code}"]
    else:
        out += [f"войсковая часть {code}", f"ВЧ {code}", u.short, f"{u.number}-я {abbr}"]
        out += [u.name, f"{u.number} полк" if "полк" in u.name else f"{u.number} бригада"]
        if lang == "en":
            out += [f"{u.number}th Motor Rifle Brigade", f"military unit {code}"]
    return out


# --- records -----------------------------------------------------------------------------------


@cache
def _pets() -> dict[tuple[str, str], tuple[str, ...]]:
    return diminutives()


class _Writer:
    """One record being written: the name parts as they evolve, and the labels applied."""

    def __init__(self, person: SynthPerson, rng: random.Random, lang: str) -> None:
        self.p = person
        self.rng = rng
        self.lang = lang  # Cyrillic language of the name forms: "uk" or "ru"
        self.given, self.patr, self.family = person.name_in(lang)
        self.labels: list[str] = []
        self.latin = False
        if lang != person.lang:
            self.labels.append("ru_uk_forms")
        if person.surname_ref is not None and person.surname_ref.origin not in ("uk", "ru"):
            self.labels.append("non_slavic")

    def label(self, name: str) -> None:
        if name not in self.labels:
            self.labels.append(name)

    def diminutive(self) -> None:
        assert self.p.given_ref is not None
        pets = _pets().get((self.lang, self.p.given_ref.form(self.lang)), ())
        if pets:
            self.given = self.rng.choice(pets)
            self.label("diminutive")

    def inflect(self, case: str) -> None:
        s = self.p.sex
        self.given = inflect(self.given, "given", s, self.lang, case)
        self.patr = inflect(self.patr, "patronymic", s, self.lang, case) if self.patr else ""
        self.family = inflect(self.family, "family", s, self.lang, case)
        self.label("inflected")

    def parts(self) -> list[str]:
        return [self.given, self.patr, self.family]

    def map_parts(self, fn: Callable[[str], str], label: str, *, which: str = "any") -> None:
        names = ["given", "patr", "family"] if which == "all" else [which]
        if which == "any":
            names = [self.rng.choice(["given", "family", "family"])]
        before = self.parts()
        for n in names:
            if getattr(self, n):
                setattr(self, n, fn(getattr(self, n)))
        if self.parts() != before:
            self.label(label)

    def romanise(self, standard: str | None = None) -> None:
        if standard is None:
            table = UK_STANDARDS if self.lang == "uk" else RU_STANDARDS
            standard = self.rng.choice(list(table))
        self.given, self.patr, self.family = (
            romanise(x, self.lang, standard) if x else "" for x in self.parts()
        )
        self.latin = True
        self.label("romanised")
        self.label(f"romanised:{standard}")

    def foreign(self, press: str | None = None) -> None:
        press = press or self.rng.choice(list(FOREIGN))
        self.given, self.patr, self.family = (
            foreign_spelling(x, self.lang, press) if x else "" for x in self.parts()
        )
        self.latin = True
        self.label("foreign_press")
        self.label(f"foreign_press:{press}")


def _assemble(
    w: _Writer,
    *,
    surname_first: bool,
    upper: str,
    initials: bool,
    call_sign: str,
    split: bool,
    rng: random.Random,
) -> tuple[str, str, str, str]:
    given, patr, family = w.given, w.patr, w.family
    if upper == "family":
        family = family.upper()
        w.label("upper_case")
    if initials and given:
        given = given[0] + "."
        patr = (patr[0] + ".") if patr else ""
        w.label("initials")
    order = [family, given, patr] if surname_first else [given, patr, family]
    if surname_first:
        w.label("surname_first")
    joiner = "" if initials and surname_first and rng.random() < 0.5 else " "
    if initials and surname_first:
        full = f"{family} {given}{joiner}{patr}".strip()
    else:
        full = " ".join(x for x in order if x)
    if upper == "all":
        full = full.upper()
        w.label("upper_case")
    if call_sign:
        cs = call_sign if not w.latin else foreign_spelling(call_sign, "ru", "pl").title()
        forms = [f" «{cs}»", f' "{cs}"', f" ({cs})"]
        forms.append(
            ", call sign " + cs if w.latin else f", {rng.choice(['позывной', 'позивний'])} {cs}"
        )
        full += rng.choice(forms)
        w.label("call_sign")
    if not split:
        w.label("full_name_only")
        return full, "", "", ""
    if upper == "all":
        given, patr, family = given.upper(), patr.upper(), family.upper()
    return full, given, patr, family


def write_report(person: SynthPerson, rng: random.Random, record_id: str) -> NoisyRecord:
    """A report about `person` by one of the kinds of sources that write about him."""
    writer = rng.choices(
        ["own_bureau", "other_bureau", "capture_card", "hospital", "press", "media", "scan"],
        weights=[24, 26, 15, 10, 8, 8, 9],
    )[0]
    other = "ru" if person.lang == "uk" else "uk"
    lang = {
        "own_bureau": person.lang,
        "other_bureau": other,
        "hospital": rng.choice([person.lang, other]),
        "scan": rng.choice([person.lang, other]),
        "media": rng.choice([person.lang, other]),
    }.get(writer, person.lang if rng.random() < 0.7 else other)
    w = _Writer(person, rng, lang)
    official = writer in ("own_bureau", "other_bureau", "capture_card", "hospital", "scan")
    if writer == "media" and rng.random() < 0.3:
        w.diminutive()
    if writer == "other_bureau" and rng.random() < 0.1:
        w.inflect("gen")  # «список ... Кислицы Сергея» copied with its case ending
    if (not official and rng.random() < 0.5) or rng.random() < 0.1:
        w.patr = ""
        w.label("no_patronymic")
    _cyrillic_noise(w, rng, strong=writer == "scan")
    if writer == "capture_card":
        w.romanise()
    elif writer == "press":
        if rng.random() < 0.5:
            w.foreign()
        else:
            w.romanise(rng.choice(["bgn_pcgn", "wikipedia", "icao"]) if lang == "ru" else None)
        w.patr = "" if rng.random() < 0.7 else w.patr
    _latin_noise(w, rng, strong=writer == "scan")
    upper = "none"
    if official and rng.random() < 0.5:
        upper = rng.choice(["family", "family", "all"])
    full, given, patr, family = _assemble(
        w,
        surname_first=(official and rng.random() < 0.85) or rng.random() < 0.1,
        upper=upper,
        initials=rng.random() < (0.12 if official else 0.05),
        call_sign=person.call_sign if person.call_sign and rng.random() < 0.4 else "",
        split=official and rng.random() < 0.7,
        rng=rng,
    )
    keep = {"own_bureau": 0.92, "other_bureau": 0.85, "capture_card": 0.9, "hospital": 0.7,
            "scan": 0.8, "press": 0.35, "media": 0.3}[writer]  # fmt: skip
    row = _fields(w, person, rng, keep, date_style="iso" if w.latin else "dmy", report=True)
    row.update(record_id=record_id, full_name=full, given_name=given, patronymic=patr,
               family_name=family, source=writer)  # fmt: skip
    _label_name_only(w, row)
    return NoisyRecord(record_id, person.person_id, row, tuple(w.labels), writer)


def write_enquiry(person: SynthPerson, rng: random.Random, record_id: str) -> NoisyRecord:
    """What a relative types into the enquiry form about `person`."""
    if person.side == "ua":
        lang = rng.choices(["uk", "ru", "en"], weights=[65, 27, 8])[0]
    else:
        lang = rng.choices(["ru", "uk", "en"], weights=[88, 4, 8])[0]
    writer = f"relative_{lang}"
    w = _Writer(person, rng, person.lang if lang == "en" else lang)
    if rng.random() < 0.3:
        w.diminutive()
    if rng.random() < 0.35:
        w.patr = ""
        w.label("no_patronymic")
    inflected = lang != "en" and rng.random() < 0.15
    case = rng.choice(["gen", "acc", "acc", "dat"])
    if inflected:
        w.inflect(case)
    _cyrillic_noise(w, rng, strong=False)
    if lang == "en":
        if rng.random() < 0.6:
            w.romanise()
        else:
            w.foreign(
                rng.choice(["de", "pl", "cs", "fr", "es", "it", "lt", "hu", "tr", "ro", "nl", "sv"])
            )
    _latin_noise(w, rng, strong=False)
    full, given, patr, family = _assemble(
        w,
        surname_first=rng.random() < 0.35,
        upper="all" if rng.random() < 0.05 else "none",
        initials=False,
        call_sign=person.call_sign if person.call_sign and rng.random() < 0.3 else "",
        split=not inflected and rng.random() < 0.55,
        rng=rng,
    )
    if inflected and case == "acc" and rng.random() < 0.6:
        # «Ищу Иванова Сергея»: the verb that puts the name in the accusative.
        full = {"ru": "Ищу ", "uk": "Шукаю "}[lang] + full
    if not w.latin and rng.random() < 0.04:
        full = wrong_layout(full)
        given = patr = family = ""
        w.label("wrong_layout")
    # Families nearly always know the birth date; place and unit less often.
    row = _fields(w, person, rng, 0.65, date_style="relative", report=False, date_keep=0.93)
    row.update(record_id=record_id, full_name=full, given_name=given, patronymic=patr,
               family_name=family, source=f"enquiry ({lang})")  # fmt: skip
    _label_name_only(w, row)
    return NoisyRecord(record_id, person.person_id, row, tuple(w.labels), writer)


def _cyrillic_noise(w: _Writer, rng: random.Random, *, strong: bool) -> None:
    if "ё" in "".join(w.parts()).lower() and rng.random() < 0.6:
        w.map_parts(lambda s: s.replace("ё", "е").replace("Ё", "Е"), "yo_e", which="all")
    if any("'" in x for x in w.parts()) and rng.random() < 0.6:
        sign = rng.choice(["’", "ʼ", "`", "", "ь"])
        w.map_parts(lambda s: s.replace("'", sign), "apostrophe", which="all")
    if rng.random() < 0.03:
        w.map_parts(lambda s: stress(s, rng), "stress", which="any")
    if rng.random() < 0.06:
        w.map_parts(lambda s: lookalike(s, rng), "latin_lookalike", which="any")
    if rng.random() < (0.5 if strong else 0.02):
        w.map_parts(lambda s: ocr(s, rng), "ocr", which="any")
    if rng.random() < 0.04 and w.p.mother_surname_ref is not None:
        second = w.p.mother_surname_ref.form(w.lang, w.p.sex)
        w.family = f"{w.family}-{second}" if rng.random() < 0.7 else f"{second}-{w.family}"
        w.label("hyphenated")


def _latin_noise(w: _Writer, rng: random.Random, *, strong: bool) -> None:
    if rng.random() < 0.08:
        w.map_parts(lambda s: typo(s, rng), "typo", which="any")
    if w.latin and strong and rng.random() < 0.4:
        w.map_parts(lambda s: ocr(s, rng), "ocr", which="any")


def _fields(
    w: _Writer,
    p: SynthPerson,
    rng: random.Random,
    keep: float,
    *,
    date_style: str,
    report: bool,
    date_keep: float | None = None,
) -> dict[str, str]:
    row = dict.fromkeys(EXCHANGE_COLUMNS, "")

    def kept(extra: float = 0.0) -> bool:
        return rng.random() < keep + extra

    # Birth date, with the ways it goes wrong.
    bd = p.birth_date
    if rng.random() < 0.04:
        bd = (
            bd.replace(year=bd.year + rng.choice([-1, 1]))
            if rng.random() < 0.4 and not (bd.month == 2 and bd.day == 29)
            else date.fromordinal(bd.toordinal() + rng.choice([-3, -2, -1, 1, 2, 3]))
        )
        w.label("date_error")
    if bd.day <= 12 and bd.day != bd.month and rng.random() < 0.05:
        bd = bd.replace(day=bd.month, month=bd.day)
        w.label("swapped_date")
    if date_style == "relative":
        style = rng.choices(["dmy", "iso", "ym", "y"], weights=[55, 15, 10, 20])[0]
    else:
        style = date_style if rng.random() < 0.85 else "y"
    if style in ("ym", "y"):
        w.label("partial_date")
    keep_date = rng.random() < (date_keep if date_keep is not None else keep + 0.05)
    row["birth_date"] = write_date(bd, style) if keep_date else ""
    if not row["birth_date"]:
        w.label("no_birth_date")
        w.labels = [x for x in w.labels if x not in ("partial_date", "swapped_date", "date_error")]
    row["sex"] = p.sex if kept(-0.1) else ""
    # Birth place: sometimes under its old name, in the other language or in Latin.
    assert p.place_ref is not None
    place = p.place_ref
    former = bool(place.former_ru) and rng.random() < (0.5 if w.lang == "ru" else 0.15)
    text = (
        place.name(w.lang, former=former)
        if rng.random() < 0.6
        else place.written(w.lang, former=former)
    )
    if w.latin:
        text = romanise(place.name(w.lang, former=former), w.lang, "bgn_pcgn")
    if kept():
        row["birth_place"] = text
        if former:
            w.label("renamed_place")
        if w.lang != p.lang or w.latin:
            w.label("place_other_script")
    # Unit, service number and the rest: mostly on official reports.
    if p.unit_ref is not None and kept(-0.1):
        variants = unit_variants(p, "en" if w.latin else w.lang)
        if rng.random() < 0.5:
            row["military_unit"] = p.military_unit
        else:
            row["military_unit"] = rng.choice(variants)
            w.label("unit_spelling")
    if report:
        if p.service_number and kept(-0.25):
            row["service_number"] = p.service_number
        if rng.random() < 0.25 and p.mother_surname_ref is not None:
            row["mother_maiden_name"] = p.mother_surname_ref.form(w.lang, "F")
            if w.latin:
                row["mother_maiden_name"] = romanise(row["mother_maiden_name"], w.lang, "bgn_pcgn")
        if p.capture_date and kept(-0.2):
            row["capture_date"] = write_date(p.capture_date, "iso" if w.latin else "dmy")
            if p.capture_place_ref is not None and kept(-0.2):
                row["capture_place"] = p.capture_place_ref.name(w.lang)
                if w.latin:
                    row["capture_place"] = romanise(row["capture_place"], w.lang, "bgn_pcgn")
    return row


def _label_name_only(w: _Writer, row: dict[str, str]) -> None:
    rest = ("sex", "birth_date", "birth_place", "military_unit", "service_number",
            "mother_maiden_name", "capture_date", "capture_place")  # fmt: skip
    if not any(row[k] for k in rest):
        w.label("name_only")


# How many reports a person gets (0..4) and how many enquiries (0..2).
REPORTS_PER_PERSON = ((0, 1, 2, 3, 4), (14, 34, 30, 16, 6))
ENQUIRIES_PER_PERSON = ((0, 1, 2), (58, 37, 5))


def iter_noisy(
    seed: int, persons: int, *, surnames: str | None = None
) -> Iterator[tuple[SynthPerson, list[NoisyRecord], list[NoisyRecord]]]:
    """Per person of the world `seed`: (person, noisy reports, noisy enquiries), streamed and
    deterministic by seed. Record ids are R00000001... and E0000001... in order. `surnames`
    names the world's surname pool (tables.surname_pool)."""
    rng = random.Random(f"noise:{seed}")
    n_rep = n_enq = 0
    for bundle in iter_world(seed=seed, persons=persons, surnames=surnames):
        p = bundle.person
        reps = []
        for _ in range(rng.choices(*REPORTS_PER_PERSON)[0]):
            n_rep += 1
            reps.append(write_report(p, rng, f"R{n_rep:08d}"))
        enqs = []
        for _ in range(rng.choices(*ENQUIRIES_PER_PERSON)[0]):
            n_enq += 1
            enqs.append(write_enquiry(p, rng, f"E{n_enq:07d}"))
        yield p, reps, enqs
