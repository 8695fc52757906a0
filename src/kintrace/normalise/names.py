"""analyse_name: a personal name in any script and order -> comparable keys and variants.

The name as written is kept in ``original``; everything else is added: keys in the shared
phonetic alphabet (keys.py), ru<->uk equivalents and full forms of diminutives (tables.py),
nominatives of inflected forms (morph.py), repaired keyboard and OCR quirks (repair.py).
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA

from kintrace.normalise import morph
from kintrace.normalise.keys import (
    ABJAD_LETTER,
    abjad_skeleton,
    armenian_vh,
    consonant_key,
    each_replacement,
    english_j_key,
    latin_key_alternatives,
    loose_key,
    marked_abjad_skeletons,
    ocr_key,
    other_script_alternatives,
    script_of_char,
    word_key,
)
from kintrace.normalise.repair import (
    as_cyrillic,
    cyrillic_typed_as_latin,
    fix_mixed_script,
    latin_typed_as_cyrillic,
    only_look_alikes,
    unambiguous_letters,
)
from kintrace.normalise.tables import (
    SURNAME_LIKE,
    NameGroup,
    abjad_given_keys,
    abjad_name_keys,
    father_groups,
    foreign_cyrillic_given,
    foreign_cyrillic_keys,
    foreign_written_forms,
    given_by_written,
    korean_surnames,
    lookup_given,
    lookup_given_all,
    name_tables,
    near_father_stem,
    near_given,
    near_given_spelling,
    patronymic_parts,
    uk_initial_counterparts,
    written_form,
)


@dataclass(frozen=True, slots=True)
class NameAnalysis:
    """Comparable keys of one personal name. See docs/normalise.md for the key alphabet."""

    original: str
    script: str
    language: str | None
    sex: str | None
    given: str
    patronymic: str
    family: str
    given_variants: frozenset[str]
    patronymic_variants: frozenset[str]
    family_variants: frozenset[str]
    given_initial: str
    patronymic_initial: str
    call_sign: str
    tokens: frozenset[str]
    initials_only: bool
    # Every key letter the given name's (patronymic's) initial may be written with: all ru/uk
    # forms of the name (Микола/Николай -> {"m", "n"}), the letter as written, and "i" for a
    # Cyrillic iotated vowel (Юрій, "Ю.", "Y."). Compare by intersection.
    given_initials: frozenset[str] = frozenset()
    patronymic_initials: frozenset[str] = frozenset()


# --- text clean-up -------------------------------------------------------------------------

_CALL_SIGN = re.compile(
    r"[«\"“„”](?P<q>[^«»\"“„”]+)[»\"“”]"
    r"|(?:^|(?<=\s))['‘’](?P<s>[^'‘’]+)['’](?=\s|$)"
    r"|\((?P<p>[^)]*)\)|\[(?P<b>[^\]]*)\]"
)
_CALL_SIGN_WORDS = re.compile(
    r"\b(?:позывной|позывного|позивний|позивного|call\s*-?sign|nom\s+de\s+guerre|aka|a\.k\.a\.)"
    r"\s*:?\s*(?P<cs>[«\"“„'‘][^«»\"“„”'’]+[»\"“”'’]|[^\s,;()«»\"“„”]+)?",
    re.IGNORECASE,
)
# Words around a name in enquiries and lists that are not part of it.
_NOISE = frozenset(
    """ищу ищем разыскиваю разыскивается разыскиваем шукаю шукаємо розшукується розшукую
    рядовой рядовий солдат сержант старший младший молодший лейтенант капитан капітан майор
    подполковник підполковник полковник генерал матрос старшина прапорщик ефрейтор
    гражданин гражданка громадянин громадянка гр тов товарищ
    pvt private sgt sergeant lt lieutenant capt captain maj major col colonel cpl corporal
    mr mrs ms miss herr frau pan pani
    про об для від от мой моя мого моего моей мою мій моєї мою наш наша нашого нашего
    сын сына сину сыном син сина брат брата брату мужа муж чоловік чоловіка отца отец батька
    батько дочь дочери донька доньку дочку жену жінку дружину son brother father husband
    головний главный старший старшого молодший молодшого младший младшего штаб-сержант
    майстер-сержант генерал-майор генерал-лейтенант генерал-полковник бригадний матроса
    солдата сержанта лейтенанта капитана капітана майора полковника підполковника
    ряд серж лейт л-т ст.л-т мл.л-т к-н ст-на ефр прапор
    омбр ошбр огшбр одшбр омпбр обрмп оабр обр дшбр окшбр омбр ошб омпб дшв ссо гур
    дпсу нгу тро зсу всу сбу мвс мвд вч в/ч бригада бригади батальон батальйону полк полку
    рота роти взвод взводу""".split()
)  # fmt: skip
# Noise words that are names too (Серж Саргсян, Korean Son Heung-min, Chinese Pan Wei, Swedish
# Maj, John Major, Korean Син in Cyrillic): cut only as an abbreviation («мл. серж.», «Maj.»)
# or in small letters beside two other words («ст серж Іванов Петро»).
_NAME_LIKE_NOISE = frozenset({"серж", "son", "pan", "maj", "major", "син"})
_WORD_EDGE = ".,;:()[]«»\"'“”„!?"
# Cut ranks before a name in casualty lists (ст. солдат, СТ. ЛЕЙТЕНАНТ, мл. сержант): noise
# in small letters or capitals; «Ст.» may be a given name's two letters.
_RANK_CUT = frozenset({"ст", "мл", "мол", "ст.л", "ml", "st"})
_DIGITS = re.compile(r"\d")
_SEPARATORS = re.compile(r"[\s,;/|]+")
_APOSTROPHES = re.compile(r"['’ʼ`ʹ‘′]")
# Kyrgyz «Бакыт уулу» and Kazakh «Нұрлан ұлы» (son of Бакыт) stand where a surname stands,
# before or after the given name: the father's name and the particle are the surname.
_SON_OF = frozenset({"uulu", "уулу", "uly", "ұлы", "улы", "uuly"})
# Turkic "son of" / "daughter of" after the father's name (Azerbaijani oğlu/qızı, Uzbek
# ўғли/қизи, o‘g‘li/qizi), compared without apostrophes.
_PATRONYMIC_PARTICLES = frozenset({
    "оглы", "огли", "оглу", "оғли", "ўғли", "ўгли", "угли", "кызы", "гызы", "қизи", "қизы",
    "кизи", "oglu", "ogly", "ogli", "ugli", "kyzy", "qizi", "qızı", "qyzy", "kizi", "gizi",
    "oğlu", "kızı",
})  # fmt: skip
_PARTICLE_MARKS = re.compile(r"['’ʼ`ʹ‘′ʻ]")
_DAUGHTER_OF = frozenset({"кызы", "гызы", "қизи", "қизы", "кизи", "kyzy", "qizi", "qızı", "qyzy", "kizi", "gizi", "kızı", "қызы", "kyzi"})  # fmt: skip


def _particle_sex(text: str) -> str | None:
    """ "M" for a name with «оглы», «уулу» (son of), "F" with «кызы» (daughter of): the
    particle says the sex where a surname in -ва is a man's genitive (Алієва Гейдара огли)."""
    if not _PARTICLE_WORD.search(text):
        return None
    words = {_PARTICLE_MARKS.sub("", w) for w in text.lower().split()}
    if words & _DAUGHTER_OF:
        return "F"
    return "M" if words & (_PATRONYMIC_PARTICLES | _SON_OF) else None


# A cheap test first: every particle ends so (оглы, огли, oğlu, uulu, кызы, qızı, kyzy).
_PARTICLE_WORD = re.compile(r"(?i)(?:l[iyu]|л[иыу]|з[иы]|z[iyı])\b")


@dataclass(slots=True)
class _Token:
    text: str  # as written (repaired)
    key: str
    initial: bool = False
    parts: tuple[str, ...] = ()  # keys of the parts of a hyphenated word
    comma_before: bool = False
    upper: bool = False
    extra: set[str] = field(default_factory=set)  # more variant keys
    # The cached (text, key, initial, parts, extra) the token was read from, while unchanged:
    # shared by every name with this word, its hash is computed once.
    spec: tuple[str, str, bool, tuple[str, ...], frozenset[str]] | None = None


@lru_cache(maxsize=100_000)
def _script(text: str) -> str:
    scripts = {script_of_char(ch) for ch in text} - {""}
    if not scripts:
        return ""
    if len(scripts) == 1:
        return scripts.pop()
    if scripts == {"cyrillic", "latin"} or scripts == {"cyrillic", "latin", "other"}:
        return "mixed"
    return "mixed" if "cyrillic" in scripts or "latin" in scripts else "other"


@lru_cache(maxsize=100_000)
def _language(text: str) -> str | None:
    low = text.lower()
    if not _CYRILLIC.search(low):
        return None
    uk = len(_UK_MARKS.findall(low))
    ru = len(_RU_MARKS.findall(low))
    if uk != ru:
        return "uk" if uk > ru else "ru"
    t = name_tables()
    words = set(_WORD.findall(low))
    uk_hits, ru_hits = len(words & t.uk_only_forms), len(words & t.ru_only_forms)
    if uk_hits != ru_hits:
        return "uk" if uk_hits > ru_hits else "ru"
    return None


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UK_MARKS = re.compile(r"[іїєґ]|(?<=\w)['’ʼ](?=\w)")
_RU_MARKS = re.compile(r"[ыэёъ]")
_WORD = re.compile(r"\w+")


def _clean(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if _HEBREW_POINT.search(text):
        # Yiddish spells vowels and f, v with points (אָ o, אַ a, פֿ f), which the tokeniser
        # would drop as marks: the one-character forms keep them (keys.yiddish_latin).
        text = _HEBREW_POINTED.sub(lambda m: _POINTED[m[0]], text)
    # Stress marks sit on vowels as combining accents; ё/й/ї keep their own marks.
    return text.replace("\u0301", "").replace("\u0300", "").strip()


# The pointed letters of Yiddish, as one character each (Unicode's presentation forms).
_POINTED = {
    unicodedata.normalize("NFD", c): c
    for c in "\ufb2e\ufb2f\ufb4c\ufb4e\ufb3b\ufb44\ufb4a\ufb2b\ufb1f\ufb1d\ufb35"
}
_HEBREW_POINT = re.compile("[\u05b4-\u05c2]")
_HEBREW_POINTED = re.compile("|".join(_POINTED))


_CALL_SIGN_HINT = re.compile(r"[«\"“„”(\['‘’]|позыв|позив|call|aka|a\.k\.a|nom de", re.IGNORECASE)


def _extract_call_sign(text: str) -> tuple[str, str, str]:
    """(text without call sign and aside, call sign as written, bracketed surname-like aside).

    A word in brackets that looks like a surname (Иванова (Петрова) Мария) is a former or
    maiden surname, not a call sign; quotes always mark a call sign.
    """
    if not text or not _CALL_SIGN_HINT.search(text):
        return text, "", ""
    found = ""
    aside = ""

    def after_word(m: re.Match[str]) -> str:
        nonlocal found
        cs = (m.group("cs") or "").strip("«»\"“„”'‘’ ")
        found = found or cs
        return " "

    def grab(m: re.Match[str]) -> str:
        nonlocal found, aside
        inner = next(g for g in m.groups() if g is not None).strip()
        bracketed = m.group("p") is not None or m.group("b") is not None
        maiden = _MAIDEN.match(inner)
        if maiden:
            inner = inner[maiden.end() :].strip()
        if bracketed and inner and (maiden or _SURNAME_ENDING.search(word_key(inner.split()[0]))):
            aside = aside or inner
        else:
            found = found or inner
        return " "

    text = _CALL_SIGN_WORDS.sub(after_word, text)
    return _CALL_SIGN.sub(grab, text), found, aside


_MAIDEN = re.compile(
    r"(?:дів\.?|дівоче(?:\s+прізвище)?|урожд\.?|урождённая|урожденная|в\s+девичестве|"
    r"девичья(?:\s+фамилия)?|née|nee|geb\.?|geborene|born|formerly|ранее|раніше)\s*:?\s*",
    re.IGNORECASE,
)
# Surname suffixes on the key (-ов, -ин, -ський, -енко, -ук/-юк/-чук, -ич, -ак, -ець, -ик;
# Ukrainian -ій only beside a word that is a known name, see _roles).
_SURNAME_ENDING = re.compile(
    r"(ov|ova|ev|eva|in|ina|ski|ska|enko|uk|cuk|ic|ovic|evic|ko|ak|[^aeiou]es|[^aeiou]ik)$"
)
# Surname endings of the Caucasus and Central Asia, on the written word: Armenian -yan/-ян,
# Georgian -dze/-shvili/-schwili/-iani, Tajik -zoda, Kazakh -uly/-kyzy, Romanian -escu/-eanu/-anu/-aru
# (in Cyrillic only -еску/-яну: -ану, -ару are also a dative, Богдану, Макару).
_OTHER_SURNAME_ENDING = re.compile(
    r"(?:[iyь]an|[iyь]ants|янц?|дзе|dze|швили|shvili|zoda|зода|uly|ұлы|улы|kyzy|қызы|кызы"
    r"|escu|[eă]?anu|aru|[tț]anu|еску|яну|s?c?hwili|sz?wi[lł]i|швілі|iani|иани|іані)$"
)


def _surname_ending(tok: _Token) -> bool:
    low = tok.text.lower()
    return bool(
        _SURNAME_ENDING.search(tok.key)
        or _OTHER_SURNAME_ENDING.search(low)
        # A common Korean surname in Latin or Cyrillic letters beside unknown words (Park
        # Ji-hoon, Ли Мин Хо): Koreans write the surname first, the press often last.
        or (len(low) >= 2 and low in korean_surnames() and not _HANGUL_WORD.search(low))
    )


_GEORGIAN_LETTER = re.compile(r"[\u10a0-\u10ff]")
_GEORGIAN_EIL = re.compile(r"(?:eil|ეილ)$", re.IGNORECASE)
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]")


@lru_cache(maxsize=500_000)
def _word_info(
    word: str, context: str = "", hint: str = ""
) -> tuple[str, tuple[str, ...], frozenset[str]]:
    """(repaired word, keys of hyphen parts, alternative keys) for one written word.

    ``context`` is the script the rest of the name is unmistakably written in; ``hint`` the
    press language the rest of the name shows (see _hint_of).
    """
    fixed = "-".join(_fix_word(p, context) for p in word.split("-"))
    alts: set[str] = set()
    if hint == "lt" and _BALTIC_ENDING.search(fixed):
        # Lithuanian press adds its nominative ending to every word (Vitalis Melnykas): the
        # key is the Slavic word, the written one stays a variant.
        # Lithuanian writes ч as č, so its ch is х (Ojstrachas, Ойстрах; Chabirovas, Хабиров).
        alts.update(k for k in (word_key(p) for p in fixed.split("-")) if k)
        parts = tuple(
            k for k in (word_key(_LT_CH.sub("kh", _baltic_stem(p))) for p in fixed.split("-")) if k
        )
    elif hint == "ua04" and _LONE_C.search(fixed.lower()):
        # The 2004 passport's c is к (Tcachenco, Ткаченко); the other reading stays a variant.
        alts.update(k for k in (word_key(p) for p in fixed.split("-")) if k)
        parts = tuple(
            k for k in (word_key(_LONE_C.sub("k", p.lower())) for p in fixed.split("-")) if k
        )
    elif (
        (hint in ("uz", "ka") and "j" in fixed.lower())
        or (hint == "uz" and "x" in fixed.lower())
        # ...and in an Armenian name, but for the Polish and German -jan (Sarkisjan).
        or (hint == "hy" and "j" in fixed.lower() and not fixed.lower().endswith("jan"))
    ):
        # English-based spellings of Georgian and Central Asian names: j is дж.
        alts.update(k for k in (word_key(p) for p in fixed.split("-")) if k)
        parts = tuple(k for k in (english_j_key(p, hint) for p in fixed.split("-")) if k)
    elif hint == "az" and "c" in fixed.lower() and _AZ_LETTER.search(fixed.lower()):
        # An Azerbaijani Latin word (its own letters, in a name with the marks) reads c as
        # дж: Hacıyev is Гаджиев, Coşqun Джошгун; the plain reading stays a variant.
        alts.update(k for k in (word_key(p) for p in fixed.split("-")) if k)
        parts = tuple(k for k in (word_key(_az_latin(p)) for p in fixed.split("-")) if k)
    elif fixed.lower().endswith(("eil", "ეილ")) and (
        hint == "ka" or _GEORGIAN_LETTER.search(fixed)
    ):
        # Georgian writes the Russian -аил as -еил (მიხეილ, Mikheil: Михаил), whose key would
        # be Spanish Miguel's (Мигель); the -аил reading is the key, the written one a variant.
        alts.update(k for k in (word_key(p) for p in fixed.split("-")) if k)
        parts = tuple(
            k for k in (word_key(_GEORGIAN_EIL.sub("ail", p)) for p in fixed.split("-")) if k
        )
    else:
        parts = tuple(k for k in (word_key(p) for p in fixed.split("-")) if k)
        if len(parts) == 1 and (sh := _sh_given(fixed, parts[0])):
            # Czech, Slovak, Hungarian and Baltic press without its marks writes ш as s: a
            # word no given name reads as one that way (Sarl: Шарль; Natasa, Grisa, Pasa).
            alts.add(parts[0])
            parts = (sh,)
    key = "".join(parts)
    if key.endswith("soda") and len(key) > 6:
        # Tajik -zoda replaced the Russian -ov (Rahmonzoda, Рахмонов).
        alts.add(key[:-4] + "ov")
    low = fixed.lower()
    if "1" in word and not _CYRILLIC.search(fixed):
        # In a Latin word OCR reads l as 1 as often as i (Me1nyk, Vita1ii): both readings.
        alts.add(
            "".join(word_key(p) for p in _fix_word(word.replace("1", "l"), context).split("-"))
        )
    if (korean := korean_surnames().get(low)) is not None:
        # A Korean surname: its English, Revised and Soviet Korean spellings (Park, Bak, Пак;
        # Lee, Yi, Ли; Choi, Цой) are variants of each other, which no key rule ties.
        alts |= korean
    if "oo" in low and all(script_of_char(c) in ("latin", "") for c in fixed):
        # English spellings write u as oo (Ji-hoon, Yoon: 훈 hun, 윤 yun; Moon).
        alts.add("".join(word_key(p) for p in low.replace("oo", "u").split("-")))
    for p in fixed.split("-"):
        if not p:
            continue
        scripts = {script_of_char(c) for c in p}
        if scripts <= {"latin", ""}:
            alts |= latin_key_alternatives(p, hint)
            if hint == "lt" and _BALTIC_ENDING.search(p):
                # ...and the other readings of the Slavic stem (Chabibullinas: ch is х).
                alts |= latin_key_alternatives(_baltic_stem(p), hint)
            if hint == "hy" and len(p) > 3 and p[0] in "hH" and p[1] in "aeiouyAEIOUY":
                # Russian spellings of Armenian names drop the initial h (Hayk, Айк) and
                # read Hovh- as Ов- or Ог- (Hovhannes: Ованес, Оганес).
                alts.add(word_key(p[1:]))
                alts.update(word_key(f) for f in armenian_vh(p[1:].lower()))
            if hint == "be" and len(p) >= 5:
                # Belarusian writes an unstressed о as а (Karatkevich, Короткевич), and -ов,
                # -ёв as -аў, -оў, in Latin -au, -ou (Marozau, Морозов; Kavaliou, Ковалёв).
                low = p.lower().replace("ŭ", "u")
                forms = {low}
                if re.search(r"[aeio]u$", low):
                    forms.add(low[:-1] + "v")
                if _LACINKA_C.search(low):
                    # Łacinka writes ц as c and ч as č, so its ch is х and its ci is ць,
                    # Russian ть (Cichanouskaja, Тихановская).
                    forms |= {f.replace("ch", "kh") for f in forms}
                # ...ў before a consonant too (Tsikhanouskaya: -овская), and ts, dz before i
                # are т, д (Tsikhanouskaya, Тихановская; Dziemidovič, Демидович).
                forms |= {
                    _BE_LATIN_SOFT.sub(
                        lambda m: "t" if m[1] == "c" else m[1][0], _BE_LATIN_U.sub("v", f)
                    )
                    for f in list(forms)
                }
                # ...the о for а only in the -ов reading of a final -u when there is one: the
                # engine files a record under its shortest variants, and the -au/-ou forms
                # with о (kovalu, kavolu) crowded out kovalev (KAVALIOU, Ковалёв).
                for f in [f for f in forms if not re.search(r"[aeio]u$", f)] or list(forms):
                    forms |= each_replacement(f, "a", "o")
                alts.update(word_key(f) for f in forms)
            if hint == "az" and "q" in p.lower():
                # Azerbaijani q is г in the Russian form (Vaqif, Вагиф; Vüqar, Вугар).
                alts.add(word_key(p.lower().replace("q", "g")))
            if hint == "az" and re.search("[cx]", p.lower()):
                # ...its c is дж and x is х (Cavid, Джавид; Xəlil, Халил).
                alts.add(word_key(_az_latin(p)))
            if hint == "az" and len(p) >= 5 and "a" in p.lower():
                # An Azerbaijani ə written a is е in the Russian form (Mammadov, Мамедов).
                alts.update(word_key(f) for f in each_replacement(p.lower(), "a", "e"))
            if len(p) >= 3 and only_look_alikes(p) and p.isupper():
                # A capitalised word of look-alike letters only may be Cyrillic typed in Latin
                # (KOPOTKOB is Коротков): that reading is a variant.
                alts.add(word_key(as_cyrillic(p)))
        elif "other" in scripts:
            alts |= other_script_alternatives(p)
        elif "cyrillic" in scripts:
            alts |= _cyrillic_alternatives(p.lower(), hint == "be")
    alts.discard("")
    return fixed, parts, frozenset(alts)


# An s that stands alone, not in sh, sz, sch, cs, zs, ts, ds or ss.
_SH_DIGRAPH = re.compile(r"[cztds]s|s[hzcs]")


def _sh_forms(word: str) -> set[str]:
    """A Latin word with each combination of its first two lone s read as š (ш), or
    nothing (a word with a digraph or a letter with marks tells its own reading)."""
    low = word.lower()
    if "s" not in low or _SH_DIGRAPH.search(low) or not _LATIN_ONLY.fullmatch(low):
        return set()
    return each_replacement(low, "s", "š", most=2)


def _sh_given(word: str, key: str) -> str:
    """The key of the given name a Latin word reads as with an s as ш, when the word itself
    reads as none ("" otherwise)."""
    if "s" not in key or lookup_given(key) is not None:
        return ""
    for form in sorted(_sh_forms(word)):
        sh = word_key(form)
        if lookup_given(sh, suffixes=False) is not None:
            return sh
    return ""


_LATIN_ONLY = re.compile(r"[a-z]+")
_BELARUSIAN = re.compile(r"ў|э.*і|і.*э|ы.*і|і.*ы")
_BELARUSIAN_TS = re.compile(r"(ц|дз)(?=[іеёяю])")
_BE_LATIN_U = re.compile(r"(?<=[aeo])u(?=[^aeiouy])")
_BE_LATIN_SOFT = re.compile(r"((?:t|d)[sz]|c(?![hz]))(?=i)")
_LACINKA_C = re.compile(r"c(?![hz])")
_BELARUSIAN_NAME = re.compile(r"ў|і.*[ыэ]|[ыэ].*і")


def _belarusian_cyrillic(low: str) -> bool:
    """A Cyrillic name is Belarusian by its letters (ў, or і beside ы or э) or by a given
    name only Belarusian writes so (Мікалай Гогаль, Святлана Алексіевіч: no marker letter
    in the surname, whose unstressed о is still written а)."""
    if _BELARUSIAN_NAME.search(low):
        return True
    foreign = foreign_cyrillic_given()
    return any(w.strip(_WORD_PUNCT) in foreign for w in low.split())


_WORD_PUNCT = ".,;:«»\"'()"


_UZBEK_CYRILLIC = re.compile(r"[қғҳ]|(?<![аеёиоуыэюяіє])ў")


def _cyrillic_alternatives(word: str, belarusian: bool = False) -> set[str]:
    """Other Cyrillic spellings the Russian or Ukrainian form of a word may have."""
    alts: set[str] = set()
    if "ә" in word:
        # Tatar, Bashkir and Kazakh ә is а or е in Russian (Рәмил, Рамиль; Әхмәтшин, Ахметшин).
        alts.update(word_key(w) for w in each_replacement(word, "ә", "е"))
    if word.startswith("дж") and len(word) >= 5:
        # Turkish, Azerbaijani and Crimean Tatar Latin write a word's initial дж as c
        # (Джемилев Cemilev, Джамал Camal), which a Latin key reads as ц before e/i and as к
        # elsewhere: that key is a variant, so the two spellings meet in blocking too.
        key = word_key(word)
        if key.startswith("dc") and len(key) >= 4:
            alts.add(("s" if key[2] in "ei" else "k") + key[2:])
    if _BELARUSIAN_TS.search(word) and "і" in word:
        # Belarusian ц and дз before a soft vowel are т and д (Марціновіч, Мартинович;
        # Дзмітрый, Дмитрий): that reading is a variant.
        alts.add(word_key(_BELARUSIAN_TS.sub(lambda m: "т" if m[1] == "ц" else "д", word)))
    if _UZBEK_CYRILLIC.search(word) and "о" in word:
        # Uzbek Cyrillic (ў, қ, ғ, ҳ) writes as о what Russian forms write а (Ҳошимов,
        # Хашимов; Тошкент, Ташкент).
        alts.update(word_key(w) for w in each_replacement(word, "о", "а"))
    if belarusian or _BELARUSIAN.search(word):
        # Belarusian writes an unstressed о as а (Кавалёў, Ковалёв; Шаўчэнка, Шевченко).
        alts.update(word_key(w) for w in each_replacement(word, "а", "о"))
    return alts


# Hungarian press marks: one Hungarian word makes the plain "s" of the others ш too
# (Vladijszlav Pavlovijcs Szoroka-Jersov).
# ...and ő/ű, or a Hungarian given name with its accent (Fazekas Sándor: s is ш, Шандор).
_HUNGARIAN = re.compile(
    r"cs|zs|gy|sz\w*ij\b|\bij\w*sz|[őű]"
    r"|^(?:sándor|istván|lászló|zoltán|gábor|tamás|jános|józsef|mátyás|ágnes|erzsébet)$"
)


# Lithuanian press: two words or more with the nominative endings -as, -is, -ys, -us
# (Sergejus Kuznecovas), in a name without Cyrillic letters.
_BALTIC_ENDING = re.compile(r"(?<=[^\W\d_]{3})(?:as|is|ys|us)$", re.IGNORECASE)


def _baltic_stem(word: str) -> str:
    """The word without its Lithuanian ending; -skis is -ский (Cybulskis: Цибульський)."""
    if word.lower().endswith("kis"):
        return word[:-1]
    return _BALTIC_ENDING.sub("", word)


_BALTIC_WORD = re.compile(r"[^\W\d_]{3,}(?:as|is|ys|us)\b")
_LT_CH = re.compile(r"ch", re.IGNORECASE)


# Romanian/Moldovan marks (Serghei, Nicolae, Popescu, Munteanu), or a given name only
# Romanian has (Vasile, Sergiu: «Gutu Vasile» is Гуцу Василе), and Uzbek Latin o' g'.
_ROMANIAN_NAME = re.compile(
    r"[șțşţăâî]|gh[ei]|\w[^\Waeiou]ae\b|escu\b|eanu\b|^(?:vasile|sergiu|valeriu|dumitru|petru|"
    r"iurie|vitalie|alexandru|mihai|ionel|dorin|viorel|costel|ilie|radu|doina|mioara|ileana)$"
)
_UZBEK_NAME = re.compile(r"[og]['’ʻʼ`‘]\w")
_GEORGIAN_SURNAME = re.compile(r"\w(?:dze|shvili|swili|schwili)\b")
_ARMENIAN_SURNAME = re.compile(r"\w\w[iy]an(?:ts|c)?\b")


def _caucasus(low: str) -> str:
    """ "ka" for a Georgian surname in Latin, "hy" for an Armenian one, else ""."""
    if _GEORGIAN_SURNAME.search(low):
        return "ka"
    return "hy" if _ARMENIAN_SURNAME.search(low) else ""


# Belarusian in Latin letters (BGN, passports, press): ŭ, дз as dz before a soft vowel
# (Uladzimir, Dzianis, Dzmitry), я as ia at a word's start (Siarhei, Aliaksandr), final ў as
# u (Kavaliou, Viachaslau; after a consonant Kozlou, Ryzhankou: Козлов, Рыженков), -енка as
# -enka (Lukashenka), Мікалай as Mikalai.
_BELARUSIAN_LATIN = re.compile(
    r"ŭ|dz(?:[iey]|m)|^(?:sia|alia|yau|iau|mikala)|\w{3}(?:[aeiy]o?u|enka)$|\w{2}[^\Waeiouy]ou$"
    r"|^(?:ihar|viktar|paval)$|\w[ao]usk"
)


# Azerbaijani names in English spellings, where ə became a (Elvin Mammadov, Мамедов): the
# letters ğ ı ə, the particles oğlu/qızı, or a given name only Azerbaijanis bear.
_AZERBAIJANI = re.compile(
    r"[əğı]|^(?:o[gğ]lu|q[iı]z[iı]|elvin|elchin|elçin|ilham|vugar|vüqar|tural|orkhan|orxan|"
    r"rashad|rəşad|elnur|nijat|ilgar|ilqar|rufat|elshan|elşən|anar|kamran|aysel|gunel|günel|"
    r"sevinj|könül|konul|aynur|nigar|ulvi|samir|emin|fuad|habil|vusal|zaur)$"
)


_AZ_LETTER = re.compile(r"[əıışğçöü]")


def _az_latin(word: str) -> str:
    """Azerbaijani Latin with its c, x, q as the English-like letters of дж, х, г."""
    return word.lower().replace("c", "dzh").replace("x", "kh").replace("q", "g")


def _hint_of(
    hu: bool,
    baltic: int,
    cyrillic: bool,
    ro: bool,
    uz: bool,
    ka: str,
    be: bool = False,
    az: bool = False,
    ua04: bool = False,
) -> str:
    """The press language a whole name's word marks point to ("" for none)."""
    if hu:
        return "hu"
    if baltic >= 2 and not cyrillic:
        return "lt"
    if cyrillic:
        return ""
    if ro and not az:
        # ş is Turkish and Azerbaijani as well as old Romanian: ə ğ ı decide (Rəşad).
        return "ro"
    if uz:
        return "uz"
    return ka or ("be" if be else "az" if az else "ua04" if ua04 else "")


_CJK_OR_SEPARATOR = re.compile(r"[\u4e00-\u9fff\uac00-\ud7a3・·‧、،]")


@lru_cache(maxsize=300_000)
def _word_marks(
    word: str,
) -> tuple[bool, bool, bool, int, bool, bool, bool, str, int, int, bool, bool, bool, int]:
    """What one space-separated word tells about its name: an unambiguous Cyrillic letter, an
    unambiguous Latin letter, Hungarian marks, Baltic endings, Cyrillic, Romanian, Uzbek and
    Georgian marks, lower- and upper-case letters, Chinese/Korean or their separators,
    Belarusian Latin and Azerbaijani marks, the 2004 Ukrainian passport's marks (1: a lone
    c, 2: ts, 4: a c ending -enco, -uc, -ac)."""
    low = word.lower()
    cyr, lat = unambiguous_letters(word)
    return (
        cyr,
        lat,
        bool(_HUNGARIAN.search(low)),
        len(_BALTIC_WORD.findall(low)),
        bool(_CYRILLIC.search(low)),
        bool(_ROMANIAN_NAME.search(low)),
        bool(_UZBEK_NAME.search(low)),
        _caucasus(low),
        sum(map(str.islower, word)),
        sum(map(str.isupper, word)),
        bool(_CJK_OR_SEPARATOR.search(word)),
        bool(_BELARUSIAN_LATIN.search(low)),
        bool(_AZERBAIJANI.search(low)),
        (1 if _LONE_C.search(low) else 0)
        | (2 if "ts" in low else 0)
        | (4 if _C_ENDING.search(low) else 0),
    )


# The 2004 Ukrainian passport table writes к as c and ц as ts (Tcachenco, Cyslytsia): a
# lone c beside a ts, or a c ending -enco, -uc, -ac, is к in the whole name.
_LONE_C = re.compile(r"c(?![hzs])")
_C_ENDING = re.compile(r"(?:enc|[au]c)o?\W*$")


def _fix_word(word: str, context: str) -> str:
    """One word in one script; a Latin word made only of look-alikes may be Cyrillic.

    «Poma» among Latin words is read as «Рома» when only that reading is a known name, and a
    look-alike-only Latin word inside a Cyrillic name is Cyrillic.
    """
    fixed = fix_mixed_script(word, context)
    if len(fixed) >= 3 and only_look_alikes(fixed) and not _CYRILLIC.search(fixed):
        cyr = as_cyrillic(fixed)
        if context == "cyrillic":
            return cyr
        if lookup_given(word_key(cyr)) and not lookup_given(word_key(fixed)):
            return cyr
    return fixed


def _tokenise(text: str, cached: bool = True, whole: bool = False) -> list[_Token]:
    """Fresh (mutable) tokens of a text; the reading itself is cached per text (not for a
    whole name, which rarely recurs: its words are cached). `whole`: the text is a full
    name, not one part's column (only a full name splits 김민수 into surname + given name)."""
    return [
        _Token(t, k, i, parts, c, u, set(extra), spec)
        for (t, k, i, parts, c, u, extra, spec) in (
            _tokenise_cached(text, whole) if cached else _read_tokens(text, whole)
        )
    ]


_CHUNKS = re.compile(r"(\s+|,|;)")
_PREPOSITION = re.compile(r"^(?:о|у|в|к|с|з|во|ко|со|зі|із|до)\s+(?=[А-ЯЁІЇЄҐ])")
# Separators of other scripts: the katakana and Latin middle dots (イワン・ペトロフ), the
# ideographic and Arabic commas.
_SPACE_LIKE = str.maketrans({"・": " ", "·": " ", "‧": " ", "、": ",", "،": ","})
_HAN_NAME = re.compile(r"[\u4e00-\u9fff\uac00-\ud7a3]{2,4}")
_HAN_WORD = re.compile(
    r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])"
    r"|(?<![\uac00-\ud7a3])[\uac00-\ud7a3]{3}(?![\uac00-\ud7a3])"
)
_NOT_WORD = re.compile(r"[^\w'’ʼ`ʹ′\-]")
_Spec = tuple[str, str, bool, tuple[str, ...], frozenset[str]]
_TokenSpec = tuple[str, str, bool, tuple[str, ...], bool, bool, frozenset[str], _Spec]


@lru_cache(maxsize=200_000)
def _tokenise_cached(text: str, whole: bool = False) -> tuple[_TokenSpec, ...]:
    return _read_tokens(text, whole)


def _read_tokens(text: str, whole: bool = False) -> tuple[_TokenSpec, ...]:
    tokens: list[_TokenSpec] = []
    # What the whole text says (script, press language, case, CJK), from cached marks of its
    # words: the words recur across names, the texts do not.
    cyr = lat = hu = cyrillic = ro = uz = cjk = be = az = False
    ua04 = 0
    ka = ""
    baltic = lower = upper = 0
    for w in text.split():
        m = _word_marks(w)
        cyr, lat, hu, cyrillic = cyr or m[0], lat or m[1], hu or m[2], cyrillic or m[4]
        ro, uz, ka, cjk, be = ro or m[5], uz or m[6], ka or m[7], cjk or m[10], be or m[11]
        az, ua04 = az or m[12], ua04 | m[13]
        baltic, lower, upper = baltic + m[3], lower + m[8], upper + m[9]
    context = "" if cyr == lat else ("cyrillic" if cyr else "latin")
    if not context and only_look_alikes(text) and not cyrillic:
        # A name of look-alike letters only (POMAH KOPOTKOB): Cyrillic typed in Latin when a
        # word reads as a known given name only in Cyrillic.
        for w in text.split():
            if lookup_given(word_key(as_cyrillic(w))) and not lookup_given(word_key(w)):
                context = "cyrillic"
                break
    hint = _hint_of(hu, baltic, cyrillic, ro, uz, ka, be, az, ua04 & 3 == 3 or ua04 & 4 > 0)
    if cyrillic and not hint and _belarusian_cyrillic(text.lower()):
        # Belarusian Cyrillic: ў, or і beside ы or э anywhere in the name (Ліна Кастэнка).
        hint = "be"
    comma = False
    # Upper case marks the surname only beside a word that is not (КІСЕЛЕВА Валнтина; not
    # IVANOV IVAN).
    mostly_lower = lower > 0
    if cjk:
        # Chinese writes a name without spaces, surname (one character) first: 王伟 is read as
        # "王, 伟" (the comma marks the surname), two words like its romanisation Wang Wei.
        # Korean likewise: a three-syllable name is surname + given name (김민수 = Kim Minsu).
        # A name of several words (弗拉基米尔·泽连斯基, 미하일 고르바초프) is a transcribed
        # foreign name, whose words are not split. Nor is a part's own column: 올레그 in the
        # given-name column is Олег, not surname 올 + given name 레그.
        text = text.translate(_SPACE_LIKE)
        if whole and len(text.split()) == 1:
            text = _HAN_WORD.sub(lambda m: f"{m.group()[0]}, {m.group()[1:]}", text)
    # «о Воробьёвой Екатерине», «у Івана»: a lower-case preposition before a capitalised name
    # is no initial (it read as the patronymic's "o" and told her apart from herself).
    text = _PREPOSITION.sub("", text)
    few = (
        sum(
            1
            for w in text.split()
            if (low := w.strip(_WORD_EDGE).lower()) not in _NOISE and low not in _RANK_CUT
        )
        < 2
    )
    for chunk in _CHUNKS.split(text):
        if chunk in (",", ";"):
            comma = True
            continue
        if not chunk.strip():
            continue
        for fixed, key, is_initial, parts, upper, alts, spec in _chunk_tokens(
            chunk, context, hint, mostly_lower, few
        ):
            tokens.append((fixed, key, is_initial, parts, comma, upper, alts, spec))
            comma = False
    return tuple(tokens)


@lru_cache(maxsize=500_000)
def _chunk_tokens(
    chunk: str, context: str, hint: str, mostly_lower: bool, few: bool = False
) -> tuple[tuple[str, str, bool, tuple[str, ...], bool, frozenset[str], _Spec], ...]:
    """Tokens of one space-separated chunk; cached, since the same words recur in many names.
    `few`: the text has fewer than two words besides noise, so a noise word that is also a
    name (Серж, Son) in small letters is a name word too."""
    out = []
    # "С.В.Кислица" and "S.V." hold several words joined by dots.
    pieces = [p for p in chunk.split(".") if p.strip(" -")]
    dotted = chunk.count(".")
    for i, piece in enumerate(pieces):
        piece = piece.strip(" -/")
        if not piece:
            continue
        low = piece.lower()
        name_like = low in _NAME_LIKE_NOISE and not (
            i < len(pieces) - 1 or chunk.rstrip().endswith(".") or (piece.islower() and not few)
        )
        if (low in _NOISE and not name_like) or (low in _RANK_CUT and not piece.istitle()):
            continue
        if not piece.isalpha() and (digits := len(_DIGITS.findall(piece))) >= 2:
            if digits * 2 > len(piece):
                continue  # a unit's or a document's number (110, А0501), not a name word
        letters_only = _NOT_WORD.sub("", piece)
        if not letters_only:
            continue
        alpha = [c for c in letters_only if c.isalpha()]
        if not alpha:
            continue  # a number or stray mark, not a name word
        # A Chinese character or a Korean syllable block is a syllable, never an initial.
        is_initial = (len(alpha) == 1 and not _HAN_NAME.match(alpha[0] * 2)) or (
            dotted > 0
            and len(alpha) <= 2
            and i < len(pieces) - 1 + (1 if chunk.endswith(".") else 0)
            and (alpha[0].isupper() and (len(alpha) == 1 or alpha[1].islower()))
        )
        # Apostrophes go from Cyrillic words (Дем'ян = Демян for every key); in Latin ones a
        # prime may be a soft sign the key needs (Lʹosha).
        if _CYRILLIC.search(letters_only):
            letters_only = _APOSTROPHES.sub("", letters_only)
        elif is_initial and context == "cyrillic" and only_look_alikes(letters_only):
            # A Latin look-alike initial in a Cyrillic name is the Cyrillic letter: «B. В.
            # Гаврилюк» is В. (Василий), «Литвин P.В.» is Р. (Роман), not b and p.
            letters_only = as_cyrillic(letters_only)
        fixed, parts, alts = _word_info(letters_only, context, hint)
        if not parts:
            continue
        upper = len(alpha) > 1 and all(c.isupper() for c in alpha) and mostly_lower
        key, hyphen_parts = "".join(parts), parts if len(parts) > 1 else ()
        out.append((fixed, key, is_initial, hyphen_parts, upper, alts, (fixed, key, is_initial, hyphen_parts, alts)))  # fmt: skip
    return tuple(out)


# --- roles ---------------------------------------------------------------------------------


def _given_group(tok: _Token, sex: str | None = None) -> tuple[NameGroup, bool] | None:
    """The given-name group of a token, trying its key, then its alternative readings."""
    if tok.initial:
        return None
    if written := _written_group(tok.text, sex):
        return written
    extra = tok.spec[4] if tok.spec is not None else frozenset(tok.extra)
    found = _group_of(tok.key, extra, sex, bool(ABJAD_LETTER.search(tok.text)))
    if found is None and "\u0590" <= tok.text[:1] <= "\u06ff":
        # A Hebrew or Arabic word that opens with a vowel letter: its consonants after that
        # vowel name a given name that starts with one (איבן Иван, אולג Олег, איגור Игорь).
        found = _abjad_marked_group(tok.text, sex)
    if found is None and tok.parts:
        # A double given name (Анна-Мария) is known by its first part.
        found = lookup_given(tok.parts[0], sex)
    return found


@lru_cache(maxsize=100_000)
def _written_group(text: str, sex: str | None) -> tuple[NameGroup, bool] | None:
    """The group of a form the table writes: its own groups, not the ones its key shares
    (Витя is Виктор's or Виталий's, not the woman's name Вита; Лена is not Лёня)."""
    written = given_by_written().get(written_form(text))
    if not written:
        return None
    groups = name_tables().groups
    same_sex = [w for w in written if sex is None or groups[w[0]].sex == sex]
    gid, is_dim = sorted(same_sex or written, key=lambda w: w[1])[0]
    return groups[gid], is_dim


@lru_cache(maxsize=200_000)
def _group_of(
    key: str, extra: frozenset[str], sex: str | None, abjad: bool = False
) -> tuple[NameGroup, bool] | None:
    found = lookup_given(key, sex)
    if found:
        return found
    # Other readings and written (inflected) forms must be names themselves: Кузьменка, the
    # genitive of Кузьменко, is no pet name of Кузьма. A reading without a vowel is the
    # consonant key of an Arabic or Hebrew word (סרגיי: srg), which would find שרה, Сара.
    # Only a word in Hebrew or Arabic letters is read by its consonants: a Cyrillic surname's
    # skeleton variant (Гайдай: gd) would find Хадиджа.
    named: list[tuple[NameGroup, bool]] = []
    for k in sorted(extra):
        if not _HAS_VOWEL.search(k):
            continue
        found = lookup_given(k, sex, suffixes=False)
        if found and not abjad:
            return found
        if found and found[0] not in [g for g, _ in named]:
            named.append(found)
    if len(named) == 1:
        return named[0]
    # A Hebrew or Arabic word's vowel readings (ו o or u) that name two names tell nothing:
    # יוליה reads as Юлия and as Оля (yolya).
    if abjad:
        # A Hebrew or Arabic word (it has vowel-less readings): a Slavic name written without
        # its short vowels (יורי Юрий, מיכאיל Михаил, أولكسندر Олександр) is found by its
        # consonants and final vowel among the full forms; a reading that names more than
        # two groups tells nothing (na: Анна, Инна, Нина, Нона), of two the commoner wins.
        # Two letters are a skeleton only of a word of four letters or more, which wrote
        # its vowels (יורי: ri, Юрий); לוי (Levi) is no Али.
        for k in sorted({key, *extra}, key=lambda x: (-len(x), x)):
            if len(k) < 3 and len(key) < 4:
                continue
            keys = abjad_given_keys().get(k, ())
            if len(keys) <= 2 and keys and (found := lookup_given(keys[0], sex, suffixes=False)):
                return found
    return None


_HAS_VOWEL = re.compile(r"[aeiou]")


@lru_cache(maxsize=20_000)
def _abjad_marked_group(word: str, sex: str | None) -> tuple[NameGroup, bool] | None:
    for k in sorted(marked_abjad_skeletons(word), key=lambda x: (-len(x), x)):
        keys = abjad_given_keys().get(k, ())
        # Only a skeleton of one name: a wrong pick (Егор for איגור Игорь) would read as
        # two brothers.
        if len(keys) == 1 and (found := lookup_given(keys[0], sex, suffixes=False)):
            return found
    return None


def _is_patronymic(tok: _Token) -> bool:
    return not tok.initial and not tok.parts and patronymic_parts(tok.key) is not None


class _Sig(NamedTuple):
    """What role assignment needs to know about one token."""

    particle: bool  # оглы, кызы, ...
    son_of: bool  # уулу, ұлы (_SON_OF)
    initial: bool
    comma_before: bool
    patronymic: bool  # _is_patronymic
    patronymic_known: bool  # a patronymic of a known father's name
    known: bool  # a given name the tables know
    weak: bool  # ...known only as a pet name, by a suffix or as a translation
    upper: bool
    surname_like: bool  # SURNAME_LIKE on the key
    surname_ending: bool  # _surname_ending
    female: bool = False  # a given name the tables know as a woman's
    male_patronymic: bool = False  # an -ович/-ич word in the nominative (or a surname)
    near: int = 0  # unknown and one slip from a name: 2 from a full form (Валнтина), 1 a pet name
    turkic: bool = False  # a Kazakh/Kyrgyz -ұлы/-қызы patronymic written as one word
    surname_like_patronymic: bool = False  # -ович/-евич, a common surname ending; not -ич
    latin: bool = False  # written in Latin letters
    ov_or_in: int = 0  # 2: ends -ов/-ова/-ев/-ева, 1: -ин/-ина (also a woman's given name), else 0
    full_patronymic: bool = False  # an -ович on a long or -ій father's name (Oleksandrovych)
    caps: bool = False  # written in capitals (two letters or more)
    other_ending: bool = False  # a surname ending of the Caucasus or Central Asia (-швили, -ян)


@lru_cache(maxsize=100_000)
def _spec_sig(spec: _Spec, comma_before: bool, upper: bool, sex: str | None) -> _Sig:
    return _sig(_Token(spec[0], spec[1], spec[2], spec[3], comma_before, upper, set(spec[4]), spec), sex)  # fmt: skip


def _sig(tok: _Token, sex: str | None) -> _Sig:
    pp = patronymic_parts(tok.key)
    group = _given_group(tok, sex)
    return _Sig(
        _PARTICLE_MARKS.sub("", tok.text.lower()) in _PATRONYMIC_PARTICLES,
        tok.text.lower() in _SON_OF,
        tok.initial,
        tok.comma_before,
        _is_patronymic(tok),
        # Transcriptions into other scripts (kana, Han, Hebrew) give a given name and a
        # surname, not a patronymic: there an -ич word counts as built on no known father's
        # name, so beside one other word it is the surname (カジミール・マレーヴィチ Малевич).
        bool(pp and pp[2]) and not _other_script(tok.text),
        group is not None,
        bool(group and group[1]) or _translation_only(tok, group),
        tok.upper,
        bool(SURNAME_LIKE.search(tok.key)),
        _surname_ending(tok),
        bool(group and group[0].sex == "F" and _nominative_female(tok)),
        # ...in the nominative: «Ищу Валеру Юрьевича» is a man (Валеру reads like a woman's).
        bool(pp and pp[1] == "M" and pp[3] == "nomn"),
        0,  # near: filled in by _assign_roles where it can matter
        tok.key.endswith(_TURKIC_PATRONYMIC),
        bool(_LONG_MALE_PATRONYMIC.search(tok.key)),
        _is_latin(tok.text),
        2 if _OV_ENDING.search(tok.key) else 1 if _IN_ENDING.search(tok.key) else 0,
        bool(pp and pp[2] and (len(pp[0]) >= 6 or _GLIDE_PATRONYMIC.search(tok.text.lower()))),
        len(tok.text) > 1 and tok.text.isupper(),
        bool(_OTHER_SURNAME_ENDING.search(tok.text.lower())),
    )


@lru_cache(maxsize=100_000)
def _is_latin(word: str) -> bool:
    return all(script_of_char(c) in ("latin", "") for c in word)


def _translation_only(tok: _Token, group: tuple[NameGroup, bool] | None) -> bool:
    """A word that reaches a name only because its key is that of another language's form,
    not as written there (Гайдай, Haidai: the key of Khadija): it ranks like a pet name, so a
    Slavic full name beside it is the given name (Гайдай Петро)."""
    if group is None or tok.parts:
        return False
    t = name_tables()
    key = tok.key
    return (
        key in t.by_foreign_key
        and key not in t.by_full_key
        and key not in t.by_diminutive_key
        and written_form(tok.text) not in foreign_written_forms()
        # ...and far from every ru/uk form: Siarhiej (sarge) is a spelling of Сергей (serge)
        # that foreign_names.csv writes in Cyrillic (Сяргей), not a chance key.
        and all(OSA.distance(key, k) > 1 for k in group[0].full_keys)
        and key not in foreign_cyrillic_keys()  # Uladzimir: Уладзімір
    )


# A patronymic on a father's name in -ій/-ей (Andriyovych, Serhiiovych, Sergeevič): rarely a
# surname, unlike Makarevič or Klimovych.
_GLIDE_PATRONYMIC = re.compile(r"(?:[iy][jy]|ii|e[ejy])[oe]?v[iy]?[cč]")
_OV_ENDING = re.compile(r"[oe]va?$")
_IN_ENDING = re.compile(r"ina?$")
_TURKIC_PATRONYMIC = ("uli", "kisi", "kizi")
_LONG_MALE_PATRONYMIC = re.compile(r"[oea]vic$")


def _near_name(key: str) -> int:
    """2 for one slip from a full given name's form (Светлна, Траас), 1 from a pet name only
    (Вадтик: Вадик), else 0."""
    found = near_given(key)
    if not found:
        return 0
    return 2 if any(OSA.distance(key, k) <= 1 for g in found for k in g.full_keys) else 1


def _assign_roles(
    tokens: list[_Token], sex: str | None
) -> tuple[list[_Token], list[_Token], list[_Token]]:
    """Split a full name into (given, patronymic, family) tokens, in any written order.

    The roles depend only on what each token is (its _Sig), so they are cached per pattern:
    millions of names share a few hundred patterns."""
    sigs = tuple(
        _spec_sig(t.spec, t.comma_before, t.upper, sex) if t.spec is not None else _sig(t, sex)
        for t in tokens
    )
    if len(sigs) == 2 and not any(
        s.initial or s.patronymic or s.particle or s.son_of or (s.known and not s.weak)
        for s in sigs
    ):
        # Two words and no full given name: is one a slip of one? (asked only here: the
        # slip search is the dearest part of a word's signature). Cyrillic only: Latin
        # transcriptions of other languages lie a slip from our names by chance (Park: Mark).
        sigs = tuple(
            s._replace(near=_near_name(t.key))
            if not s.known and _is_cyrillic(t.text) and not t.initial
            else s
            for s, t in zip(sigs, tokens, strict=True)
        )
    role = _roles(sigs)
    given = [tokens[i] for i, r in enumerate(role) if r == "given"]
    patronymic = [tokens[i] for i, r in enumerate(role) if r == "patronymic"]
    family = [tokens[i] for i, r in enumerate(role) if r == "family"]
    if len(tokens) >= 3 and len(family) == 2 and len(given) == 1 and not patronymic:
        # «Given X Family», «Family Given X»: X a slip of a patronymic (Aleksandrvoich,
        # Sergeevih, Romanovch, Романовичх, Игоривич) is the patronymic, not a second surname
        # glued to the real one.
        slipped = [(t, k) for t in family if not t.initial and (k := _slipped_patronymic(t.text))]
        if len(slipped) == 1:
            last, fixed = slipped[0]
            last.extra.add(last.key)
            last.key, last.spec = fixed, None
            family, patronymic = [t for t in family if t is not last], [last]
    return given, patronymic, family


# Letters a patronymic's ending is written with, for the slips _slipped_patronymic tries.
_PATRONYMIC_LETTERS = {"cyrillic": "аевинчоья", "latin": "aceinovhyjw"}
_PATRONYMIC_SHAPE = re.compile(r"[vwв].{0,4}$")


@lru_cache(maxsize=20_000)
def _slipped_patronymic(text: str) -> str | None:
    """The key of a patronymic of a known father's name one slip (a letter left out, added,
    changed, or two swapped) from the written word in its last six letters, or None:
    Aleksandrvoich → Aleksandrovich, Sergeevih → Sergeevich, Романовичх → Романович.

    Edits are made on the written word, not the key: the key drops a glide i, so a swap of
    two letters (-voich) may be two edits there. A word that already ends like a surname
    (Savelev: one letter from Savelevna) is no slip."""
    word = text.lower()
    if len(word) < 7 or not _PATRONYMIC_SHAPE.search(word):
        return None
    key = word_key(word)
    if SURNAME_LIKE.search(key) or patronymic_parts(key) is not None:
        return None
    letters = _PATRONYMIC_LETTERS["cyrillic" if _CYRILLIC.search(word) else "latin"]
    n = len(word)
    edits: set[str] = set()
    for i in range(n - 6, n + 1):
        edits.update(word[:i] + c + word[i:] for c in letters)
        if i < n:
            edits.add(word[:i] + word[i + 1 :])
            edits.update(word[:i] + c + word[i + 1 :] for c in letters)
        if i + 1 < n:
            edits.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    found = set()
    for edit in edits:
        k = word_key.__wrapped__(edit)  # not cached: the edits are throwaway words
        pp = patronymic_parts(k)
        if pp is not None and pp[2] and pp[3] == "nomn":
            found.add(k)
    return min(found) if found else None


@lru_cache(maxsize=20_000)
def _roles(tokens: tuple[_Sig, ...]) -> tuple[str, ...]:
    n = len(tokens)
    if n == 0:
        return ()
    role: list[str] = [""] * n
    for i, tok in enumerate(tokens):
        if tok.particle and i > 0:
            role[i] = "skip"
            role[i - 1] = "patronymic"
        elif tok.son_of and i > 0 and not tokens[i - 1].initial:
            if any(t.surname_like for j, t in enumerate(tokens) if j not in (i, i - 1)):
                # ...unless another word is an -ов/-ев surname: then «Бакыт уулу» is the
                # patronymic (Токтогулов Нурбек Бакыт уулу).
                role[i], role[i - 1] = "skip", "patronymic"
            else:
                role[i] = role[i - 1] = "family"
    initials = [i for i, t in enumerate(tokens) if t.initial and not role[i]]
    full = [i for i in range(n) if not role[i] and not tokens[i].initial]
    # A comma separates the surname from the rest: "Kyslytsia, Serhii".
    comma_at = next((i for i in range(1, n) if tokens[i].comma_before), None)
    if comma_at is not None and full and full[0] < comma_at:
        role[full[0]] = "family"
    patronymics = [i for i in full if not role[i] and tokens[i].patronymic]
    if any(t.female for t in tokens):
        # A woman has no -ович patronymic: beside her given name such a word is her surname
        # (Светлана Алексиевич, Hanna Dziemidovič; Бабич, Пашинич).
        patronymics = [i for i in patronymics if not tokens[i].male_patronymic]
    if len(full) == 2 and not initials:
        # Two words: a -евич word with no known father's name is a surname (Сергей
        # Лукашевич, Аляксандр Лукашэвіч); Иван Петрович keeps his patronymic. So is one
        # before a given name, which a patronymic follows (Klimovich Aleksandr).
        patronymics = [
            i
            for i in patronymics
            if tokens[i].patronymic_known
            and not (
                tokens[i].surname_like_patronymic
                and i + 1 < n
                and tokens[i + 1].known
                and not tokens[i + 1].weak
            )
            # A Kazakh -ұлы/-қызы beside the given name is the surname (Ерлан Нұрланұлы), and
            # so is a Latin -ovich beside a full given name: passports and the press write no
            # patronymic (Jury Makarevič); beside a surname it stays the patronymic
            # (KOVALENKO Mykolaiovych, a card without the given name), and so does one on a
            # long or -ій father's name (Oleksandr Andriyovych, Ivan Oleksandrovych).
            and not tokens[i].turkic
            and not (
                tokens[i].latin
                and tokens[i].surname_like_patronymic
                and not tokens[i].full_patronymic
                and any(t.known and not t.weak for j, t in enumerate(tokens) if j != i)
            )
        ]
    if len(patronymics) > 1 and sum(tokens[i].patronymic_known for i in patronymics) == 1:
        # Two -ович words, one built on a known father's name (Моисей Абрамович Рабинович):
        # that one is the patronymic, the other the surname.
        patronymics = [i for i in patronymics if tokens[i].patronymic_known]
    if len(patronymics) > 1:
        # Neither father's name known: the patronymic follows the given name in both orders
        # (Моисей Абрамович Рабинович, Рабинович Моисей Абрамович).
        after = [
            i for i in patronymics if i - 1 >= 0 and tokens[i - 1].known and not tokens[i - 1].weak
        ]
        patronymics = after if len(after) == 1 else patronymics
    if patronymics and len(full) >= 2:
        role[
            patronymics[-1] if len(patronymics) == 1 or patronymics[-1] > 0 else patronymics[0]
        ] = "patronymic"
    free = [i for i in full if not role[i]]
    known = [i for i in free if tokens[i].known]
    full_forms = [i for i in known if not tokens[i].weak]
    if (
        initials
        and len(free) == 1
        and known
        and (tokens[free[0]].weak or len(initials) >= 2 or initials[0] < free[0])
    ):
        # Initials beside one word known only as a pet name or by a suffix: the initials
        # are the given name's and the patronymic's, the word is the surname (И. К.
        # Климик-Лисак; Климик is no pet name of Клим here). So too beside two initials or
        # after one, even a word that is a full name (Карпа А.П., А. Карпа: not Карп);
        # «Иван П.» keeps its given name.
        known = []
    if full_forms and len(full_forms) < len(known) and len(free) == 2:
        # A full name beside a word known only as a pet name or by a suffix: the full name
        # is the given name (Кузьменка Владислав: Владислав).
        known = full_forms
    upper = [i for i in free if tokens[i].upper]
    given_idx: int | None = None
    if len(free) == 1 and not initials and "family" not in role:
        # A lone word: a given name if the tables know it, else a surname; a word known
        # only weakly that ends like a surname is the surname (Андреев, not Andrew).
        weak = known and tokens[free[0]].weak
        surname_like = weak and tokens[free[0]].surname_like
        given_idx = free[0] if known and not surname_like else None
    elif len(free) >= 2 or (free and "family" in role) or (free and initials):
        patr = next((i for i in range(n) if role[i] == "patronymic"), None)
        if "family" in role:
            given_idx = next((i for i in free if i in known), free[0])
        elif patr is not None and patr - 1 in free and patr - 1 in known:
            given_idx = patr - 1
        elif (
            len(free) == 2
            and not initials
            and not full_forms
            and sorted(tokens[i].near for i in free) == [0, 2]
            and all(tokens[i].surname_ending for i in known)
            # ...and it ends like a surname only if the other word does too (Вугар Алиев:
            # Алиев is one letter from Алекс, but a surname beside a word that is none).
            and all(tokens[i].surname_ending for i in free if not tokens[i].near)
            >= any(tokens[i].surname_ending for i in free if tokens[i].near)
        ):
            # No full name, but one word is a slip of one (Бандура Светлна, Данько Траас:
            # Тарас; Данько is a pet name and a surname alike): that word is the given name.
            given_idx = next(i for i in free if tokens[i].near)
        elif (
            known
            and upper
            and len(upper) < len(free)
            and all(i in upper and tokens[i].weak for i in known)
        ):
            # The only known word is the capitals' one, and only weakly (АНДРЕЕВ: Андрей by
            # a suffix): the capitals are the surname, the given name is the other word,
            # the one before the patronymic if there is one (АНДРЕЕВ Паыел Александрович).
            lower = [i for i in free if i not in upper]
            given_idx = patr - 1 if patr is not None and patr - 1 in lower else lower[0]
        elif (
            known
            and patr is not None
            and patr - 1 in free
            and all(tokens[i].weak and tokens[i].surname_like for i in known)
        ):
            # ...and so in any case when that word ends like a surname (Андреев Паыел
            # Александрович): the word before the patronymic is the given name.
            given_idx = patr - 1
        elif known:
            non_upper = [i for i in known if i not in upper]
            candidates = non_upper or known
            if len(candidates) > 1 and len(free) == 2 and not initials:
                # Both words are known given names (Олег Мирон): lists put the surname first
                # after a patronymic-bearing order, the given name first otherwise.
                given_idx = (
                    candidates[1] if patr is not None and patr > candidates[1] else candidates[0]
                )
            else:
                given_idx = candidates[0]
        elif initials:
            given_idx = None
        elif patr is not None and patr - 1 in free:
            # No word a known name: the patronymic follows the given name in both orders
            # (Руслик Артемович Дзюба, Дзюба Руслик Артемович).
            given_idx = patr - 1
        elif upper and len(upper) < len(free):
            given_idx = next(i for i in free if i not in upper)
        elif len(free) == 2 and sum(tokens[i].surname_ending for i in free) == 1:
            # Nothing known, but one word ends like a surname (Frolov Timfeï, Hayk Hakobyan):
            # the other is the given name.
            given_idx = next(i for i in free if not tokens[i].surname_ending)
        elif len(free) == 2 and sum(tokens[i].other_ending for i in free) == 1:
            # Both end like a surname, one as only a surname of the Caucasus or Central Asia
            # does (Иванишвили Бидзина: -ина ends given names there): that one is the surname.
            given_idx = next(i for i in free if not tokens[i].other_ending)
        elif len(free) == 2 and sorted(tokens[i].ov_or_in for i in free) == [1, 2]:
            # Both end like a surname, one in -ов/-ев, the other in -ин/-ина, which many
            # women's names of the east end in too (Saidova Tahmina, Oxlopkova Ajtalina):
            # the -ин word is the given name.
            given_idx = next(i for i in free if tokens[i].ov_or_in == 1)
        elif len(free) == 2 and all(tokens[i].caps for i in free):
            # Two words in capitals, neither a known name nor shaped like a surname: a
            # registry or passport list, which puts the surname first (LANDSBERGIS VITAUTAS).
            given_idx = free[1]
        else:
            given_idx = free[0]
    if given_idx is not None:
        role[given_idx] = "given"
        # Two given names in a row (Anna Maria Kovalenko) stay together while a word is
        # left for the surname.
        nxt = given_idx + 1
        while (
            nxt in known
            and not role[nxt]
            and sum(1 for i in free if not role[i] and i != nxt) >= 1
            and "family" not in role
        ):
            role[nxt] = "given"
            nxt += 1
    for i in free:
        if not role[i]:
            role[i] = "family"
    # Initials: the first is the given name's, the second the patronymic's.
    for i in initials:
        if "given" not in role:
            role[i] = "given"
        elif "patronymic" not in role:
            role[i] = "patronymic"
        else:
            role[i] = "skip"
    return tuple(role)


# --- inflection ----------------------------------------------------------------------------

_ADJ_SURNAME = [
    (re.compile(r"(ск|цк|зк)(ого|ому|им|ом)$"), r"\1ий"),
    (re.compile(r"(ск|цк|зк)(ой|ую)$"), r"\1ая"),
    (re.compile(r"(ськ|цьк|зьк)(ого|ому|им)$"), r"\1ий"),
    (re.compile(r"(ськ|цьк|зьк)(ої|ій|ою|у)$"), r"\1а"),
]


@lru_cache(maxsize=200_000)
def _other_script(word: str) -> bool:
    return any(script_of_char(c) == "other" for c in word)


def _is_cyrillic(word: str) -> bool:
    return bool(word) and all(script_of_char(c) in ("cyrillic", "") for c in word)


def _grammatical_case(given: list[_Token], patronymic: list[_Token], lang: str | None) -> str:
    """The case the name is written in, read from the given name and patronymic."""
    for toks, kind in ((patronymic, "Patr"), (given, "Name")):
        for tok in toks:
            if tok.initial or not _is_cyrillic(tok.text):
                continue
            cases = morph.name_cases(tok.text.lower(), lang, kind)
            if not cases:
                continue
            if "nomn" in cases:
                return "nomn"
            return cases[0]
    return "nomn"


# Case endings of given names on the key: a man's name loses them (Сергія -> serg-i-a),
# a woman's name in -a changes its last vowel (Марію, Марии -> mara).
_MALE_NAME_ENDINGS = (
    ("ovi", "datv"), ("evi", "datv"),  # Ukrainian -ові, -еві/-єві (Ігорові, Олексієві)
    ("om", "ablt"), ("em", "ablt"), ("a", "gent"), ("u", "datv"), ("e", "loct"),
)  # fmt: skip
_FEMALE_NAME_ENDINGS = (("u", "accs"), ("i", "gent"), ("e", "datv"), ("o", "ablt"))


def _inflected_token(tok: _Token) -> tuple[str, str, str] | None:
    """_inflected_given of a token; a Cyrillic word ending in -й has no case ending (Віалій,
    a slip of Віталій, is not the genitive Валі of Валя)."""
    if tok.text[-1:].lower() == "й":
        return None
    found = _inflected_given(tok.key)
    if found and tok.text[-2:].lower() in ("ия", "ія") and not found[0].endswith("i"):
        # -ия is the genitive of an -ий name only (Дмитрия), not of Адам (Адамия, a surname).
        return None
    return found


def _inflected_given(key: str) -> tuple[str, str, str] | None:
    """(nominative key, case, sex) of an inflected given-name key the tables know, or None."""
    for ending, case in _MALE_NAME_ENDINGS:
        if key.endswith(ending) and len(key) > len(ending) + 2:
            stem = key[: -len(ending)]
            found = lookup_given(stem, "M", suffixes=False)
            if not found and ending == "a":
                # -ий names: Дмитрия, Юрия (key dmitra) are Дмитрий's (dmitri) genitive.
                stem += "i"
                found = lookup_given(stem, "M", suffixes=False)
            if found and found[0].sex == "M":
                return stem, case, "M"
    for ending, case in _FEMALE_NAME_ENDINGS:
        if key.endswith(ending) and len(key) > len(ending) + 2:
            # Names in -a decline alike for women and men (Марію, Алёшу, Діму).
            nom = key[: -len(ending)] + "a"
            found = lookup_given(nom, suffixes=False)
            if found:
                return nom, case, found[0].sex
    return None


# «Ищу/Шукаю» take the accusative: «Шукаю Ярослава Смирнова» is Ярослав Смирнов, not the
# woman's name Ярослава.
_SEARCH_VERB = re.compile(
    r"^\W*(?:ищу|ищем|разыскиваю|разыскиваем|шукаю|шукаємо|розшукую|розшукуємо)\b",
    re.IGNORECASE,
)


# Endings no Slavic given name has in the nominative: a man's Ukrainian dative and vocative.
_OBLIQUE_ONLY = ("ю", "ові", "еві", "єві")


@lru_cache(maxsize=50_000)
def _nominative_possible(word: str, key: str, lang: str | None) -> bool:
    """False for a given name our tables know as written that is also a man's name in the
    genitive and that the dictionary knows only in an oblique case: Виктора is listed as a
    rare woman's name, but in «Баранца Виктора» it is Виктор's genitive."""
    if not key.endswith("a"):
        if key in name_tables().by_full_key or not word.endswith(_OBLIQUE_ONLY):
            return True
        # Сергію, Ігорю, Олексієві: a Ukrainian dative the tables know only as a variant
        # (Сергію's key is also a written form): the dictionary decides, as below.
    elif lookup_given(key[:-1], "M", suffixes=False) is not None:
        cases = morph.name_cases(word, lang, "Name")
        return not cases or "nomn" in cases
    if key in name_tables().by_full_key:
        return True  # a full name (Марія, Олена): no dictionary call on the common path
    # Андрія (key "andra", also a written form of Andrea) is Андрій's genitive: a word the
    # dictionary knows only in an oblique case of a man's name we know.
    for lg in (lang, "ru" if lang == "uk" else "uk"):
        cases = morph.name_cases(word, lg, "Name")
        if cases:
            if "nomn" in cases:
                return True
            lemma = morph.nominative(word, lg, cases[0], "M")
            found = lookup_given(word_key(lemma)) if lemma else None
            return found is None or found[0].sex != "M"
    return True


_FEMININE_OBLIQUE = re.compile(r"(?:ов|ев|ин|ськ|цьк|ск|цк)(?:ой|ою|ої|ій)$")


_MASC_ADJ_ENDINGS = ("ого", "ому", "ОГО", "ОМУ")
# Endings of a given name in an oblique case (Олексою, Павлу, Андрія, Ірини, Олексієві).
_CASE_ENDINGS = ("ом", "ем", "єм", "у", "ю", "і", "и", "а", "я", "е", "ї")


def _uninflect(
    tokens: list[_Token], lang: str | None, stated_sex: str | None, after_verb: bool = False
) -> str | None:
    """Put inflected tokens into the nominative in place; returns the name's sex if read.

    The case is read from the patronymic first (its ending says it: Вікторовича), then from
    a search verb before the name (accusative), then from the given name (pymorphy's
    dictionary, else a case ending on a name our tables know: Сергійка, Марію); a given name
    the tables know as written counts as nominative.
    """
    case = None
    other_cases: tuple[str, ...] = ()
    sex = stated_sex
    override: dict[int, str] = {}
    for tok in tokens:
        if tok.initial or tok.parts:
            continue
        pp = patronymic_parts(tok.key)
        if pp is not None and pp[2]:
            if pp[3] == "nomn":
                return sex
            case, sex = pp[3], sex or pp[1]
            break
    if case is None and not after_verb:
        # A man's adjectival surname in the genitive or dative says the case of the whole
        # name (Богдана Хмельницкого: Богдан's genitive, not the woman's name Богдана;
        # Андрію Білому): -ого and -ому end no nominative of a Slavic surname.
        for tok in tokens:
            if not tok.text.endswith(_MASC_ADJ_ENDINGS) or tok.initial or len(tok.text) < 6:
                continue
            case, sex = ("gent" if tok.text[-1] in "оО" else "datv"), sex or "M"
            break
    if after_verb:
        # A man's genitive and accusative agree (Юрьевича), his given name may show which
        # (Валеру); a name with no patronymic is in the accusative.
        if case is None:
            case = "accs"
        elif case == "gent":
            other_cases = ("accs",)
    if case is None:
        # A given name the tables know as written: the name is in the nominative, and the
        # dictionary need not be asked about the other words (the common case, and the
        # dearest step).
        known = [
            t
            for t in tokens
            if not t.initial
            and _is_cyrillic(t.text)
            and _given_group(t)
            and _nominative_possible(t.text.lower(), t.key, lang)
            # Пилипенка is Пилипенко's genitive, not a pet name of Пилип in -енка.
            and not (t.key.endswith("enka") and lookup_given(t.key, suffixes=False) is None)
        ]
        # ...unless a woman's name stands beside a surname in an oblique feminine case
        # (Ивановой Марии: Марии is also a written form the tables know) or beside an -енка
        # surname, which is a man's genitive (Станіслава Бондаренка: Станіслав's).
        if known and not (
            any((_given_group(t) or (None, 0))[0].sex == "F" for t in known)  # type: ignore[union-attr]
            and any(
                _FEMININE_OBLIQUE.search(t.text.lower()) or t.key.endswith("enka")
                for t in tokens
                if t not in known
            )
        ):
            return sex
        for i, tok in enumerate(tokens):
            if tok.initial or not _is_cyrillic(tok.text):
                continue
            word = tok.text.lower()
            # The other dictionary too: a Ukrainian name with no і/ї/є/ґ (Олексою Довбушем)
            # reads as Russian, whose dictionary does not know it.
            found = None
            other = "ru" if lang == "uk" else "uk"
            # ...only for a word with a case ending (the dearest step: most surnames have none).
            for lg in (lang, other) if word.endswith(_CASE_ENDINGS) else (lang,):
                cases = morph.name_cases(word, lg, "Name")
                if not cases or "nomn" in cases:
                    continue
                # Павлу is the accusative of the woman's name Павла or the dative of Павло:
                # the first case whose lemma is a name we know. The locative comes last: it
                # follows a preposition, which a name in a list lacks (Лесі Українки is Леся's
                # genitive, not Лесь's locative).
                for c in sorted(cases, key=lambda x: x == "loct"):
                    lemma = morph.nominative(word, lg, c, None)
                    # The lemma must be a name we know, so a foreign name is never "declined".
                    found = lookup_given(word_key(lemma)) if lemma else None
                    if found is not None:
                        case, sex = c, sex or found[0].sex
                        # Сергея may be genitive or accusative: the surname may say which.
                        other_cases = tuple(x for x in cases if x != c)
                        break
                if found is not None:
                    break
            if found is not None:
                break
            guess = _inflected_token(tok)
            if guess is not None:
                override[i] = guess[0]
                case, sex = guess[1], sex or guess[2]
                break
    words = [t for t in tokens if not t.initial]
    if (
        case is None
        and not after_verb
        and sex != "F"
        and 2 <= len(words) <= 3
        and all(_is_cyrillic(t.text) and t.text[-1:] in "уУ" for t in words)
        and any(_UK_DATIVE_SURNAME.search(t.text.lower()) for t in words)
    ):
        # Every word in -у, one an -ову/-ину/-яну surname: a man's dative, whose given name
        # the tables may not know (Саркісяну Араму, Мамедову Эльчину).
        case, sex = "datv", sex or "M"
    if (
        case is None
        and not after_verb
        and sex != "F"
        and 2 <= len(words) <= 3
        and all(_is_cyrillic(t.text) and _INSTRUMENTAL.search(t.text.lower()) for t in words)
    ):
        # Every word in -ом/-ем/-ым/-им: a man's instrumental, whose names the tables may not
        # know (Туском Дональдом, Ландсбергисом Витаутасом, Качинським Лехом).
        case, sex = "ablt", sex or "M"
    if case is None:
        return sex
    for i, tok in enumerate(tokens):
        nom = None
        for c in (case, *other_cases):
            nom = _nominative(tok, lang, c, sex)
            if nom:
                break
        if (
            nom is None
            and case == "datv"
            and sex == "M"
            and i not in override
            and not tok.initial
            and len(tok.text) > 3
            and tok.text[-1:] in "уУ"
            and _is_cyrillic(tok.text)
            and _given_group(tok) is None
        ):
            # ...and a man's given name in -у the dictionaries do not decline (Араму).
            nom = tok.text.lower()[:-1]
        if (
            nom is None
            and case == "ablt"
            and sex == "M"
            and i not in override
            and not tok.initial
            and len(tok.text) > 5
            and tok.text.lower().endswith(("ом", "ем"))
            and _is_cyrillic(tok.text)
            and _given_group(tok) is None
        ):
            # ...and a man's name in -ом the dictionaries do not know (Ландсбергисом).
            nom = tok.text.lower()[:-2]
        if (
            nom
            and not tok.initial
            and lookup_given(word_key(nom)) is None
            and _given_group(tok) is None
            and (guess := _inflected_token(tok))
        ):
            # A case ending on a name the tables know beats the dictionary's guess at an
            # unknown word (Валеру is Валера, not "Валер").
            nom = None
            override[i] = guess[0]
        if nom:
            fixed, parts, _ = _word_info(nom)
            tok.spec = None
            tok.extra.add(tok.key)
            low = tok.text.lower()
            if c in ("gent", "accs") and _KO_GENITIVE.search(low) and _given_group(tok) is None:
                # Франка, Вовка, Горошка: the genitive of Франк and Вовк, of the Ukrainian -ко
                # surnames (Франко, Бойко) and of -ок with its fleeting о (Горошок,
                # Мельничок) alike; the dictionary's reading is the key, the others variants.
                tok.extra.update(word_key(low[:-1] + end) for end in ("", "о"))
                tok.extra.add(word_key(low[:-2] + "ок"))
            tok.key = "".join(parts)
            tok.parts = parts if len(parts) > 1 else ()
            tok.text = fixed
        elif i in override:
            tok.spec = None
            tok.extra.add(tok.key)
            tok.key = override[i]
        elif not tok.initial and _given_group(tok) is None and (guess := _inflected_token(tok)):
            # A given name in another case than the one read (Ищу Жданова Славу Сергеевича).
            tok.spec = None
            tok.extra.add(tok.key)
            tok.key = guess[0]
        else:
            pp = patronymic_parts(tok.key) if not tok.initial else None
            if pp is not None and pp[3] != "nomn":
                # A patronymic pymorphy cannot decline: its key without the case ending.
                m_end = {"M": "ovic", "F": "ovna"}[pp[1]]
                tok.spec = None
                tok.extra.add(tok.key)
                tok.key = pp[0] + m_end
    return sex


_KO_GENITIVE = re.compile(r"[бвгґджзлмнпрстфхцчшщй]ка$")
_INSTRUMENTAL = re.compile(r"\w{2}(?:ом|ем|єм|ым|им)$")


def _nominative(tok: _Token, lang: str | None, case: str, sex: str | None) -> str | None:
    if case == "nomn" or tok.initial or not _is_cyrillic(tok.text):
        return None
    if "-" in tok.text:
        # Each part of a double surname declines on its own (Кислицу-Бондаренко).
        parts = tok.text.lower().split("-")
        noms = [_nominative_word(p, lang, case, sex) if p else None for p in parts]
        if not any(noms):
            return None
        return "-".join(n or p for n, p in zip(noms, parts, strict=True))
    return _nominative_word(tok.text.lower(), lang, case, sex)


_UK_DATIVE_SURNAME = re.compile(
    r"(?<=[бвгґджзклмнпрстфхцчшщ])(?:ові|еві|єві)$|(ов|ев|єв|ін|ин|ян)у$"
)


_FEMALE_OBLIQUE_SURNAME = re.compile(r"(?:ов|ев|єв|ёв|ін|ин|їн)(ій|ої|ою|ой|ую|у)$")


def _nominative_word(word: str, lang: str | None, case: str, sex: str | None) -> str | None:
    nom = morph.nominative(word, lang, case, sex)
    if nom is None:
        # The other dictionary: the Ukrainian one knows Шевченка, the Russian one Сидорову
        # (Russian surnames are common in Ukrainian text and the other way round).
        nom = morph.nominative(word, "ru" if lang == "uk" else "uk", case, sex)
    if nom is None and case == "datv" and sex != "F" and len(word) > 6:
        # A Ukrainian man's surname in the dative the dictionaries do not know: -ові, -еві,
        # -єві (Ковальчукові), and -ову, -еву, -іну for -ов, -ев, -ін (Трофімову).
        m = _UK_DATIVE_SURNAME.search(word)
        if m:
            nom = word[: m.start()] + (m[1] or "")
    if nom is None and case != "nomn" and sex == "F" and len(word) > 6:
        # A woman's -ова/-ева/-іна surname in a case the dictionaries do not know
        # (Семеновій, Ковалевої, Ткачовою; Russian Семеновой): back to -а.
        m = _FEMALE_OBLIQUE_SURNAME.search(word)
        if m:
            nom = word[: m.start(1)] + "а"
    if nom is None:
        for pattern, repl in _ADJ_SURNAME:
            if pattern.search(word):
                nom = pattern.sub(repl, word)
                break
    return nom if nom and nom != word else None


# --- public --------------------------------------------------------------------------------

# Lists of the other side keep a man's surname in the genitive, often with initials only, so
# no case can be read (Гончара М.В., Ткаченка С., Черного А.): the nominative it may stand for.
_GENITIVE_SURNAME = [
    (re.compile(r"enka$"), "enko"),
    (re.compile(r"(?<=[sck])ogo$"), "i"),
    (re.compile(r"(?<=[^aeiou])ogo$"), "i"),
    (re.compile(r"(?<=[^aeiou])a$"), ""),
]


# OCR look-alikes folded in the written Cyrillic word, before its key is made: the key's own
# folds (a vowel next to и loses the glide) would otherwise hide the slip (Шевчеико).
_CYRILLIC_OCR = str.maketrans("нспкНСПК", "иелуИЕЛУ")


def _ocr_variant(text: str, key: str) -> str:
    if _is_cyrillic(text):
        return word_key(text.translate(_CYRILLIC_OCR))
    if "cl" in text.lower() and _is_latin(text) and word_key(text) == key:
        # The key no longer shows the cl that OCR reads as d (its c of Clement is k): fold
        # it in the written word (Dement), as long as the key is the written word's own.
        return ocr_key(word_key(text.lower().replace("cl", "d")))
    return ocr_key(key)


def _genitive_readings(keys: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for key in keys:
        if len(key) < 5:
            continue
        for pattern, repl in _GENITIVE_SURNAME:
            if pattern.search(key):
                out.add(pattern.sub(repl, key))
                break
    return out


_FEMALE_SURNAME = re.compile(r"(ova|eva|ina|ska|ka|aia|a)$")
_FEMALE_SURNAME_STRONG = re.compile(r"(ova|eva|ina|ska)$")
_MALE_SURNAME = re.compile(r"(ov|ev|in|ski|ki)$")


def _normalise_sex(sex: str | None) -> str | None:
    if not sex:
        return None
    s = sex.strip().upper()[:1]
    return {"M": "M", "F": "F", "Ч": "M", "Ж": "F", "W": "F", "М": "M"}.get(s)


def _knows_a_name(tokens: list[_Token]) -> bool:
    return any(
        _given_group(t) or _is_patronymic(t) or _inflected_given(t.key)
        for t in tokens
        if not t.initial
    )


# Vowels of Latin alphabets, with their marks (Azerbaijani ə ı, Turkish ö ü, Romanian ă â î).
_LATIN_VOWELS = frozenset("aeiouəıöüäåáàâãéèêëíìîïóòôõúùûūāēīōăő")


@lru_cache(maxsize=50_000)
def _layout_reading(text: str) -> str | None:
    """The text re-read as typed with the wrong keyboard layout, if that gives known names.

    Works on the raw text, because the Cyrillic layout puts letters on , . ; ' [ ] `
    («Ntvf ,jqrj» is «Тема Бойко»). Only a reading with a given name or patronymic the tables
    know is taken, and only when the text as written has none.
    """
    letters = [script_of_char(c) for c in text if c.isalpha()]
    if not letters:
        return None
    vowels = sum(c.lower() in _LATIN_VOWELS for c in text)
    if all(sc == "latin" for sc in letters):
        if vowels >= 0.25 * len(letters) or any(c.isalpha() and not c.isascii() for c in text):
            # Cyrillic typed in the Latin layout has few Latin vowels (Cthutq Rbckbwf; y is
            # н, so it does not count): a name with its vowels is a real Latin name (Firuz
            # Sharipov, Arslan Bekov). Nor has it a letter the English layout cannot type
            # (Lech Kaczyński), though it may have a typographic apostrophe (Ker’zytyrj).
            return None
        readings = list(latin_typed_as_cyrillic(text))
    elif all(sc == "cyrillic" for sc in letters):
        reading = cyrillic_typed_as_latin(text)
        if sum(c in "aeiouyAEIOUY" for c in reading) < 0.3 * len(letters):
            # A Latin name typed in the Cyrillic layout keeps its vowels (Ыукпун: Sergey); a
            # Cyrillic name read so has hardly any (Шевченко: Itdxtyrj). Not worth reading.
            return None
        readings = [reading]
    else:
        return None
    for reading in readings:
        if _knows_a_name(_tokenise(reading)):
            return reading
    if readings and all(sc == "latin" for sc in letters) and vowels < 0.15 * len(letters):
        # A slip on top of the wrong layout (Вадтик Киселев): a reading with a given name one
        # slip from a known one will do (the dictionary is not asked: too dear for every
        # foreign name that reaches this point) — when the Latin text has hardly a vowel: a
        # Polish name's digraphs leave it few (Lech Kaczynski read «Дуср», one slip from Дуся).
        for reading in readings:
            toks = [t for t in _tokenise(reading) if not t.initial]
            if len(toks) >= 2 and any(near_given(t.key, None) for t in toks):
                return reading
    return None


def _layout_words(text: str, context: str = "") -> str:
    """A Cyrillic name with one word typed in the Latin layout («Мазур utjhusq Тарасович»
    for Георгій, «Вера kt,tltdf» for Лебедева): that word re-read. `_layout_reading` takes
    only texts of one script; a single word in the wrong layout came out as a foreign name
    and met the twin level against the same man written right (probe10: 14 of 26 misses in
    a noisy dedupe). A word is re-read when it is all Latin, no known name as written, and
    its reading is a known given name or patronymic — or, for a surname the tables cannot
    know, when the word could be no Latin name: a letter key of the Cyrillic layout inside
    it (, ; [ ] for б ж х ъ) or five letters and no vowel. `context`: the record's other
    name columns, when `text` is one of them."""
    # Two cheap searches keep the names of one script (nearly all) out of the loop below.
    if not _ASCII_LETTERS.search(text) or not _CYRILLIC.search(text + context):
        return text
    words = text.split()
    ukrainian = bool(_UK_MARKS.search((text + context).lower()))
    changed = False
    for i, word in enumerate(words):
        letters = [script_of_char(c) for c in word if c.isalpha()]
        if len(letters) < 3 or any(sc != "latin" for sc in letters):
            continue
        # No vowel test for names (Георгій typed so has two u's): the reading must be a
        # known name and the word as written none.
        if _knows_a_name(_tokenise(word)):
            continue
        readings = latin_typed_as_cyrillic(word)
        known = [r for r in readings if _one_known_name(r)]
        if known:
            words[i], changed = known[0], True
        elif _LAYOUT_KEY_INSIDE.search(word) or (
            len(letters) >= 5 and not any(c.lower() in "aeiouy" for c in word)
        ):
            words[i], changed = readings[1] if ukrainian else readings[0], True
    return " ".join(words) if changed else text


_ASCII_LETTERS = re.compile(r"[A-Za-z][A-Za-z,;\[\]]*[A-Za-z]")
# A key of the Cyrillic layout that is punctuation in the Latin one, between letters (a
# comma only before a small letter: «Smith,John» is a list's comma) or ending the word. Not
# the apostrophe or the full stop, which Latin names and initials have (O'Brien, J.R.).
_LAYOUT_KEY_INSIDE = re.compile(r"[A-Za-z](?:[;\[\]]+[A-Za-z]|,[a-z])|[A-Za-z][\[\];]$")


def _one_known_name(reading: str) -> bool:
    toks = _tokenise(reading)
    return len(toks) == 1 and not toks[0].initial and _knows_a_name(toks)


def _given_keys(toks: list[_Token], sex: str | None) -> tuple[str, set[str], str | None]:
    """(canonical key, variants, sex from the name) of the given-name tokens."""
    if not toks or all(t.initial for t in toks):
        return "", set(), None
    canon: list[str] = []
    variants: set[str] = set()
    name_sex: str | None = None
    for tok in toks:
        if tok.initial:
            continue
        found = _given_group(tok, sex)
        if tok.parts:
            # Анна-Мария: each part is a name of its own.
            known_part = False
            for part in tok.parts:
                part_found = lookup_given(part, sex)
                canon.append(part_found[0].key if part_found else part)
                if part_found:
                    known_part = True
                    variants.update(part_found[0].full_keys)
                    name_sex = name_sex or part_found[0].sex
            variants.add(tok.key)
            variants.update(tok.parts)
            if not known_part:
                # Syllables of one name (Ji-hoon, Min-ho: 지훈, 민호), not two names: the
                # whole word is the key, and its other readings are variants.
                canon[len(canon) - len(tok.parts) :] = [tok.key]
                variants.update(tok.extra)
            continue
        variants.add(tok.key)
        variants.update(tok.parts)
        variants.update(tok.extra)
        if found:
            group, _ = found
            canon.append(group.key)
            # A pet name of several names (Слава, Влад) offers all of them.
            for other, _ in lookup_given_all(tok.key, sex):
                variants.update(other.full_keys)
            variants.update(group.full_keys)
            if sex is None and _either_sex(tok):
                # Саша, Женя, Валя stand for a man's and a woman's name: the pet form
                # does not tell the sex (the surname's ending may; "" says so).
                name_sex = name_sex or ""
            else:
                name_sex = name_sex or group.sex
        else:
            canon.append(tok.key)
            # A name the tables do not know, from press that dropped its marks: its s may
            # be ш (Savkat, Шавкат). Compared only: the skeletons fold s and ш anyway.
            variants.update(word_key(f) for f in _sh_forms(tok.text))
            # A typo or OCR slip in a known name: its forms are variants, never the key.
            for group in near_given(tok.key, sex) or near_given_spelling(tok.text, sex):
                variants.update(group.full_keys)
    if len(canon) > 1:
        variants.add("".join(canon))
    # A double given name is compared by its first name; people drop the second one.
    return (canon[0] if canon else ""), variants, name_sex


def _nominative_female(tok: _Token) -> bool:
    """A woman's given name as the tables write it (a Cyrillic case form such as Валеру, a
    man's accusative, does not count), and not a pet form of both sexes."""
    if tok.initial or _either_sex(tok):
        return False
    low = written_form(tok.text)
    # ...or a Belarusian form of it (Святлана: her -іевіч is her surname, not a patronymic).
    return (
        not _is_cyrillic(tok.text) or low in given_by_written() or low in foreign_cyrillic_given()
    )


def _either_sex(tok: _Token) -> bool:
    """True for a pet form the tables give to a man's and a woman's name (Саша, Sasha)."""
    written = given_by_written().get(tok.text.lower())
    if not written or not all(is_dim for _, is_dim in written):
        return False
    groups = name_tables().groups
    return len({groups[g].sex for g, _ in written}) > 1


_IOTATED = frozenset("еєёюяЕЄЁЮЯ")


def _written_initials(tok: _Token) -> set[str]:
    """Key letters of a word's written first letter (Ю. -> u and i; Y. -> i)."""
    first = tok.text[:1]
    out = {tok.key[:1]} if tok.key else set()
    out |= {word_key(first)[:1]} if first.isalpha() else set()
    if first in _IOTATED:
        out.add("i")
    out.discard("")
    return out


def _given_initials(toks: list[_Token], sex: str | None) -> frozenset[str]:
    tok = next(iter(toks), None)
    if tok is None:
        return frozenset()
    written = _written_initials(tok)
    if tok.initial:
        return frozenset(written)
    found = lookup_given_all(tok.key, sex) or ((best,) if (best := _given_group(tok, sex)) else ())
    # A pet name's own first letter is no initial: lists write Сашко as "О." (Олександр).
    out = written if not found or not all(is_dim for _, is_dim in found) else set()
    for group, _ in found:
        out |= group.initials
    return frozenset(out)


def _patronymic_initials(toks: list[_Token]) -> frozenset[str]:
    tok = next(iter(toks), None)
    if tok is None:
        return frozenset()
    out = _written_initials(tok)
    if not tok.initial:
        parts = _patronymic_reading(tok)
        if parts is not None:
            for group in father_groups(parts[0]):
                out |= group.initials
        elif found := lookup_given(tok.key):
            out |= found[0].initials
    return frozenset(out)


def _patronymic_reading(tok: _Token) -> tuple[str, str, bool, str] | None:
    """patronymic_parts of the token, or of another reading whose father's name is known."""
    parts = patronymic_parts(tok.key)
    if parts is None or not parts[2]:
        # Another reading of an ambiguous Latin spelling may be a known father's name
        # (Macsymovych: c as k).
        for alt in sorted(tok.extra):
            alt_parts = patronymic_parts(alt)
            if alt_parts is not None and alt_parts[2]:
                return alt_parts
    return parts


def _patronymic_keys(toks: list[_Token]) -> tuple[str, set[str], str | None]:
    if not toks or all(t.initial for t in toks):
        return "", set(), None
    tok = next(t for t in toks if not t.initial)
    variants = {tok.key, *tok.extra}
    parts = _patronymic_reading(tok)
    if parts is None:
        # A father's first name written instead of a patronymic (or a particle form).
        found = lookup_given(tok.key)
        if found:
            variants |= found[0].full_keys
            return found[0].key, variants, None
        return tok.key, variants, None
    stem, sex, known, _ = parts
    if not known and (near := near_father_stem(stem)) is not None:
        # A slip in the father's name (Petorvna, Aleksanrdovich): the name it is one letter
        # from, the stem as written a variant.
        variants.add(stem)
        stem = near
    groups = father_groups(stem)
    if groups:
        # The likeliest father's name only: a stem two names share (Олексійович and the rare
        # Олексович of Олекса are one key) must not make Олексійович agree with
        # Олександрович, a brother's patronymic, through Олекса.
        variants |= groups[0].full_keys
        return groups[0].key, variants, sex
    variants.add(stem)
    return stem, variants, sex


# --- per-part results, cached ---------------------------------------------------------------
# A million records hold about a million distinct full names but only thousands of distinct
# given names, patronymics and surnames: every result below depends on one part only (and
# the sex), so it is computed once per distinct part and shared.


def _specs(toks: list[_Token]) -> tuple[_Spec, ...]:
    return tuple(
        t.spec if t.spec is not None else (t.text, t.key, t.initial, t.parts, frozenset(t.extra))
        for t in toks
    )


def _from_specs(specs: tuple[_Spec, ...]) -> list[_Token]:
    return [_Token(spec[0], spec[1], spec[2], spec[3], False, False, set(spec[4]), spec) for spec in specs]  # fmt: skip


@lru_cache(maxsize=100_000)
def _patronymic_part(
    specs: tuple[_Spec, ...],
) -> tuple[str, frozenset[str], str | None, str, frozenset[str]]:
    """(key, variants, sex, initial, initials) of the patronymic tokens."""
    toks = _from_specs(specs)
    p_key, p_vars, p_sex = _patronymic_keys(toks)
    p_vars.discard("")
    if p_key:
        p_vars.add(p_key)
    initial = p_key[:1] if p_key else next((t.key[:1] for t in toks if t.initial), "")
    return p_key, frozenset(p_vars), p_sex, initial, _patronymic_initials(toks)


@lru_cache(maxsize=200_000)
def _given_part(
    specs: tuple[_Spec, ...], sex: str | None
) -> tuple[str, frozenset[str], str | None, str]:
    """(key, variants, sex from the name, initial) of the given-name tokens."""
    toks = _from_specs(specs)
    g_key, g_vars, g_sex = _given_keys(toks, sex)
    g_vars.discard("")
    if g_key:
        g_vars.add(g_key)
    initial = g_key[:1] if g_key else next((t.key[:1] for t in toks if t.initial), "")
    return g_key, frozenset(g_vars), g_sex, initial


@lru_cache(maxsize=200_000)
def _given_sexed(
    specs: tuple[_Spec, ...], sex: str | None
) -> tuple[frozenset[str], frozenset[str]]:
    """(initials, token keys) of the given-name tokens once the person's sex is settled."""
    toks = _from_specs(specs)
    tokens: set[str] = set()
    for tok in toks:
        if tok.initial:
            continue
        # Every given name of a double name, by its canonical key when the tables know it.
        for part in tok.parts or (tok.key,):
            found = lookup_given(part, sex) if part != tok.key else _given_group(tok, sex)
            tokens.add(found[0].key if found else part)
    return _given_initials(toks, sex), frozenset(tokens)


@lru_cache(maxsize=300_000)
def _family_part(
    specs: tuple[_Spec, ...], female: bool
) -> tuple[str, frozenset[str], frozenset[str]]:
    """(key, variants, token keys) of the surname tokens."""
    f_key = "".join(spec[1] for spec in specs)
    f_vars: set[str] = set()
    tokens: set[str] = set()
    for text, key, _, parts, extra in specs:
        if text.lower() in _SON_OF:
            continue  # the particle alone would tie every «X уулу» to every other
        f_vars.add(key)
        f_vars.update(parts)
        f_vars.update(extra)
        f_vars.update(loose_key(k) for k in (key, *parts, *extra))
        if not parts:
            # Not for double surnames: the engine files a record under its first few variants,
            # and a double surname needs those places for its parts.
            f_vars.add(_ocr_variant(text, key))
        if not female:
            f_vars.update(_genitive_readings(parts or (key,)))
        tokens.add(key)
        tokens.update(parts)
    if f_key:
        f_vars.add(f_key)
    f_vars.discard("")
    return f_key, frozenset(f_vars), frozenset(tokens)


@lru_cache(maxsize=100_000)
def _text_scripts(text: str) -> frozenset[str]:
    return frozenset(script_of_char(ch) for ch in text) - {""}


def _script_of_words(words: tuple[str, ...]) -> str:
    """_script of the words joined by spaces, from each word's cached scripts."""
    scripts: set[str] = set()
    for w in words:
        scripts |= _text_scripts(w)
    if not scripts:
        return ""
    if len(scripts) == 1:
        return next(iter(scripts))
    if scripts == {"cyrillic", "latin"} or scripts == {"cyrillic", "latin", "other"}:
        return "mixed"
    return "mixed" if "cyrillic" in scripts or "latin" in scripts else "other"


@lru_cache(maxsize=200_000)
def _language_marks(text: str) -> tuple[bool, int, int, frozenset[str]]:
    low = text.lower()
    return (
        bool(_CYRILLIC.search(low)),
        len(_UK_MARKS.findall(low)),
        len(_RU_MARKS.findall(low)),
        frozenset(_WORD.findall(low)),
    )


def _language_of_words(words: tuple[str, ...]) -> str | None:
    """_language of the words joined by spaces, from each word's cached marks."""
    uk = ru = 0
    found: set[str] = set()
    cyrillic = False
    for w in words:
        has_cyrillic, u, r, ws = _language_marks(w)
        cyrillic = cyrillic or has_cyrillic
        uk += u
        ru += r
        found |= ws
    if not cyrillic:
        return None
    if uk != ru:
        return "uk" if uk > ru else "ru"
    t = name_tables()
    uk_hits, ru_hits = len(found & t.uk_only_forms), len(found & t.ru_only_forms)
    if uk_hits != ru_hits:
        return "uk" if uk_hits > ru_hits else "ru"
    return None


@lru_cache(maxsize=100_000)
def _prepared_field(raw: str) -> tuple[str, str, str]:
    """(text without call sign and aside, call sign, bracketed surname) of one field."""
    return _extract_call_sign(_abd_joined(_clean(raw)))


# Arabic «عبد الله», «عبد الرحمن» (servant of God, of the Merciful) are one given name written
# as two words; Latin and Cyrillic write them as one (Abdullah, Абдулла).
_ABD = re.compile(r"(?<!\w)عبد\s+(?=ال)")


def _abd_joined(text: str) -> str:
    return _ABD.sub("عبد", text) if "عبد" in text else text


@lru_cache(maxsize=20_000)
def _aside_keys(aside: str) -> frozenset[str]:
    return frozenset(tok.key for tok in _tokenise(aside))


@lru_cache(maxsize=20_000)
def _call_sign_key(call_sign: str) -> str:
    return word_key(re.sub(r"\W", "", call_sign)) if call_sign else ""


def _given_field_tokens(g_text: str) -> list[_Token]:
    g = _tokenise(g_text)
    if g and not _knows_a_name(g):
        reading = _layout_reading(g_text)
        g = _tokenise(reading) if reading is not None else g
    return g


@lru_cache(maxsize=100_000)
def _field_tuple(text: str, given: bool) -> tuple[_Spec, ...]:
    return _specs(_given_field_tokens(text) if given else _tokenise(text))


def _inflection_settled(specs: tuple[_Spec, ...]) -> bool:
    """True when the first full patronymic is in the nominative: then nothing is declined
    (the common case of a list with parts, answered without building tokens)."""
    for _, key, initial, parts, _ in specs:
        if initial or parts:
            continue
        pp = patronymic_parts(key)
        if pp is not None and pp[2]:
            return pp[3] == "nomn"
    return False


def _field_specs(
    full: str, g_text: str, p_text: str, f_text: str, stated_sex: str | None
) -> tuple[tuple[_Spec, ...], tuple[_Spec, ...], tuple[_Spec, ...]]:
    """Given, patronymic and family tokens of a name given in its parts (full name unused)."""
    g_specs = _field_tuple(g_text, True)
    p_specs = _field_tuple(p_text, False) if p_text.strip() else ()
    if len(g_specs) > 1 and not p_text.strip():
        # "Сергей Викторович" in the given-name column: split off the patronymic.
        _, key, initial, parts, _ = g_specs[-1]
        if not initial and not parts and patronymic_parts(key) is not None:
            g_specs, p_specs = g_specs[:-1], g_specs[-1:]
    f_specs = _field_tuple(f_text, False)
    if _inflection_settled(g_specs + p_specs + f_specs):
        return g_specs, p_specs, f_specs
    given, patr, family = _from_specs(g_specs), _from_specs(p_specs), _from_specs(f_specs)
    lang_guess = _language(full) if full.strip() else _language_of_words((g_text, p_text, f_text))
    _uninflect(given + patr + family, lang_guess, stated_sex)
    return _specs(given), _specs(patr), _specs(family)


def _given_in_family_column(f_specs: tuple[_Spec, ...], sex: str | None) -> bool:
    if len(f_specs) != 1 or f_specs[0][2] or not lookup_given(f_specs[0][1]):
        return False
    f = _spec_sig(f_specs[0], False, False, sex)
    return f.known and not f.weak and not f.surname_like and not f.patronymic


def _with_uk_counterparts(
    specs: tuple[_Spec, ...], initials: frozenset[str], sex: str | None
) -> frozenset[str]:
    if not specs or not specs[0][2]:
        return initials
    return initials | uk_initial_counterparts().get((specs[0][0][:1].lower(), sex), frozenset())


def _columns_swapped(
    g_specs: tuple[_Spec, ...], f_specs: tuple[_Spec, ...], sex: str | None
) -> bool:
    """The surname column holds a full given name and the given-name column a word that is
    no name and ends like a surname (family «Антон», given «Ткаченко»): the columns were
    swapped when the record was typed."""
    if len(g_specs) != 1 or len(f_specs) != 1 or g_specs[0][2] or f_specs[0][2]:
        return False
    if not lookup_given(f_specs[0][1]) or lookup_given(g_specs[0][1]):
        return False  # most surnames are no given name: answered without the signatures
    # (a full name may end like a surname itself: Konstantin, Valentyna)
    g, f = _spec_sig(g_specs[0], False, False, sex), _spec_sig(f_specs[0], False, False, sex)
    return f.known and not f.weak and not g.known and g.surname_ending and not g.patronymic


# A word that starts in lower case right after a capitalised one: maybe a name broken by a
# stray space (Сер гій, Hal yna, Oleksan drovich, Shevc huk).
# (Only a lower-case letter after a space is looked for here: a cheap test on every name.)
_FRAGMENT = re.compile(r"\s[a-zа-яёіїєґ]")


def _is_known_patronymic(key: str) -> bool:
    parts = patronymic_parts(key)
    return parts is not None and parts[2]


def _join_fragments(full: str) -> str:
    """The name with a capitalised word and the lower-case word after it joined when the
    two together are a known full given name or a patronymic of a known father's name, or,
    when neither is a known name, a word that ends like a surname."""
    words = full.split()
    out: list[str] = []
    for w in words:
        prev = out[-1] if out else ""
        if (
            prev[:1].isupper()
            and w[:1].islower()
            and prev.isalpha()
            and w.isalpha()
            and w.lower() not in _PATRONYMIC_PARTICLES
            and w.lower() not in _SON_OF
            and w.lower() not in _NOISE
        ):
            key = word_key(prev + w)
            if (
                any(not is_dim for _, is_dim in lookup_given_all(key, None))
                or _is_known_patronymic(key)
                or (
                    _SURNAME_ENDING.search(key)
                    and not lookup_given(word_key(prev))
                    and not lookup_given(word_key(w))
                    # a whole patronymic is no fragment: «Петр Сергеевич овальчук» is a
                    # surname that lost its capital, not «Сергеевичовальчук»
                    and not _is_known_patronymic(word_key(prev))
                )
            ):
                out[-1] = prev + w
                continue
        out.append(w)
    return " ".join(out)


def _whole_name_column(g_text: str, p_text: str, f_text: str) -> str:
    """The given-name or surname column when it holds the whole name, the other column one
    of its words and the patronymic column nothing; else ""."""
    if p_text.strip() or not g_text or not f_text:
        return ""
    g_words, f_words = g_text.lower().split(), f_text.lower().split()
    if len(g_words) >= 2 and len(f_words) == 1 and f_words[0] in g_words:
        return g_text
    if len(f_words) >= 2 and len(g_words) == 1 and g_words[0] in f_words:
        return f_text
    return ""


def _whole_name_specs(
    full: str, g_text: str, p_text: str, f_text: str, stated_sex: str | None
) -> tuple[tuple[_Spec, ...], tuple[_Spec, ...], tuple[_Spec, ...]]:
    """Given, patronymic and family tokens read from the full name, the parts given winning."""
    given: list[_Token] = []
    patr: list[_Token] = []
    family: list[_Token] = []
    lang_guess = _language_of_words(
        tuple(full.split()) if full.strip() else (g_text, p_text, f_text)
    )
    if full.strip():
        # Layout first: a word typed so is lower case and would read as a stray fragment.
        full = _layout_words(full)
        if _FRAGMENT.search(full):
            full = _join_fragments(full)
        toks = _tokenise(full, cached=False, whole=True)
        if toks and not _knows_a_name(toks):
            reading = _layout_reading(full)
            if reading is not None:
                toks = _tokenise(reading, whole=True)
                lang_guess = _language(reading)
        _uninflect(toks, lang_guess, stated_sex, bool(_SEARCH_VERB.search(full)))
        given, patr, family = _assign_roles(toks, stated_sex)
    if g_text.strip():
        g = _given_field_tokens(g_text)
        # "Сергей Викторович" in the given-name column: split off the patronymic.
        if len(g) > 1 and not p_text.strip() and _is_patronymic(g[-1]):
            patr = [g[-1]]
            g = g[:-1]
        given = g
    if p_text.strip():
        patr = _tokenise(p_text)
    if f_text.strip():
        family = _tokenise(f_text)
    if g_text.strip() or p_text.strip() or f_text.strip():
        _uninflect(given + patr + family, lang_guess, stated_sex)
    return _specs(given), _specs(patr), _specs(family)


def _analyse_name(
    full_name: str, given_name: str, patronymic: str, family_name: str, sex: str | None
) -> NameAnalysis:
    # A whole name rarely recurs (its words do): its reading is not cached.
    prepared = [_extract_call_sign(_abd_joined(_clean(full_name))) if full_name else ("", "", "")]
    prepared += [_prepared_field(x) if x else ("", "", "") for x in (given_name, patronymic, family_name)]  # fmt: skip
    original = _clean(full_name) or " ".join(
        x for x in (_clean(given_name), _clean(patronymic), _clean(family_name)) if x
    )
    call_sign = next((cs for _, cs, _ in prepared if cs), "")
    aside = next((a for _, _, a in prepared if a), "")
    full, g_text, p_text, f_text = (text for text, _, _ in prepared)
    parts = f"{g_text} {p_text} {f_text}"
    if _ASCII_LETTERS.search(parts):
        # A column typed in the Latin layout beside Cyrillic ones (given «utjhusq»).
        g_text, p_text, f_text = (_layout_words(x, parts) for x in (g_text, p_text, f_text))
    whole = _whole_name_column(g_text, p_text, f_text)
    if whole:
        # The whole name typed into one column and its surname or given name repeated in
        # the other (given «Коваленко Иван Петрович», family «Коваленко»): read the column
        # as the full name it is, not as a given name «Коваленко» or a surname of 3 words.
        full, g_text, p_text, f_text = whole, "", "", ""
    stated_sex = _normalise_sex(sex) or _particle_sex(f"{full} {parts}")

    # When the parts are all there, the full name adds nothing but time.
    parts_complete = bool(g_text.strip() and f_text.strip()) and (
        bool(p_text.strip()) or len(full.split()) <= 2
    )
    if parts_complete:
        g_specs, p_specs, f_specs = _field_specs(full, g_text, p_text, f_text, stated_sex)
    else:
        g_specs, p_specs, f_specs = _whole_name_specs(full, g_text, p_text, f_text, stated_sex)
    if g_text and f_text and _columns_swapped(g_specs, f_specs, stated_sex):
        g_specs, f_specs = f_specs, g_specs
    elif not g_specs and p_specs and _given_in_family_column(f_specs, stated_sex):
        # «Evgenii | – | Sergeevich»: a given name and a patronymic, the surname not given.
        g_specs, f_specs = f_specs, ()

    words = tuple(spec[0] for spec in (*g_specs, *p_specs, *f_specs))
    script = _script_of_words(words) if words else _script(original)
    language = _language_of_words(words) if script in ("cyrillic", "mixed") else None

    # Sex: stated wins; else the given name, the patronymic, then the surname's ending.
    p_key, p_vars, p_sex, patr_initial, patr_initials = _patronymic_part(p_specs)
    g_key, g_vars, g_sex, given_initial = _given_part(g_specs, stated_sex or p_sex)
    if g_sex and any(ABJAD_LETTER.search(spec[0]) for spec in g_specs):
        # Hebrew and Arabic leave short vowels out, so a given name's letters reach names of
        # both sexes (آنا: Анна, or Ян by its consonants); the key found says nothing of sex.
        g_sex = None
    out_sex = stated_sex or p_sex or g_sex or None
    name_sex = out_sex
    # A surname alone does not tell a woman from a man listed in the genitive (Власова Д.А.
    # may be Власов): its ending decides only beside a full given name.
    if out_sex is None and f_specs and any(not spec[2] for spec in g_specs):
        fk = f_specs[-1][1]
        if _FEMALE_SURNAME_STRONG.search(fk):
            out_sex = "F"
        elif _MALE_SURNAME.search(fk):
            out_sex = "M"
        if out_sex and g_sex == "":
            # A pet form of both sexes (Саша Иванова): the surname chose; read it so.
            g_key, g_vars, _, given_initial = _given_part(g_specs, out_sex)

    f_key, f_vars, f_tokens = _family_part(f_specs, name_sex == "F")
    if (
        script == "latin"
        and len(g_specs) == 1
        and len(f_specs) == 1
        and not p_specs
        and (_OV_ENDING.search(g_key) or _IN_ENDING.search(g_key))
        and lookup_given(f_key) is not None
    ):
        # Two known given names, the first ending like a surname (Jasin Ilja: Ясин, or Яшин
        # in the Hungarian order): the first may be the surname after all, so the
        # order-swapped comparison gets its surname reading (ш and the vowels loose).
        g_vars = g_vars | {loose_key(g_key)}
    abjad = abjad_name_keys()
    if g_key in abjad or f_key in abjad or ABJAD_LETTER.search(original):
        # A name that may have been written in Arabic or Hebrew letters (Moshe Levi, Мохаммед
        # Али; or so written): the consonants of its words are variants, which is what the
        # other script's spelling gives (לוי: lv, l; Levi: lv).
        f_vars = f_vars | _consonant_keys(f_specs)
        g_vars = g_vars | _consonant_keys(g_specs)
    if f_key and not f_specs[-1][2] and (script != "other" or not ABJAD_LETTER.search(original)):
        f_vars = _with_abjad_skeleton(f_key, f_vars)
        if script == "other":
            f_vars = _transcribed_skeletons(f_key, f_vars, bool(_GEORGIAN_LETTER.search(original)))
    given_initials, g_tokens = _given_sexed(g_specs, out_sex)
    if language == "uk":
        # A bare Ukrainian initial may stand for a name the Russian form of which begins
        # otherwise (О. Олександр: А. Александр; М. Микола: Н. Николай); a Russian one stays.
        given_initials = _with_uk_counterparts(g_specs, given_initials, out_sex)
        patr_initials = _with_uk_counterparts(p_specs, patr_initials, "M")  # the father's
    tokens = {*f_tokens, *g_tokens}
    if aside:
        # A former or maiden surname in brackets: another name she or he may be listed under.
        extra = _aside_keys(aside)
        f_vars = f_vars | extra
        tokens |= extra
    for k in (g_key, p_key):
        if k:
            tokens.add(k)
    initials_only = (
        bool(g_specs) and all(spec[2] for spec in g_specs) and all(spec[2] for spec in p_specs)
    )
    return NameAnalysis(
        original=original,
        script=script,
        language=language,
        sex=out_sex,
        given=g_key,
        patronymic=p_key,
        family=f_key,
        given_variants=g_vars,
        patronymic_variants=p_vars,
        family_variants=f_vars,
        given_initial=given_initial,
        patronymic_initial=patr_initial,
        call_sign=_call_sign_key(call_sign),
        tokens=frozenset(tokens),
        initials_only=initials_only,
        given_initials=given_initials,
        patronymic_initials=patr_initials,
    )


@lru_cache(maxsize=200_000)
def _with_abjad_skeleton(f_key: str, f_vars: frozenset[str]) -> frozenset[str]:
    """The surname's variants and what a Hebrew or Arabic spelling of it keeps: its
    consonants and its final vowel (Гагарин גגארין: grn; Коваленко קובלנקו: kvlnko; Иванова:
    vnva, apart from Иванов's vnv). One short variant, which the Hebrew or Arabic record's
    readings reach (keys.abjad_skeletons); its blocking skeleton is the key's own."""
    skel = abjad_skeleton(f_key)
    if len(skel) < 3:
        return f_vars
    if len(f_key) >= 7 and _ARMENIAN_SURNAME.search(f_key):
        # Russian spellings of Armenian surnames add a vowel and unvoice the consonant
        # before it (Sargsyan, Саркисян; Hakobyan, Акопян): the unvoiced skeleton, too.
        return f_vars | {skel, skel.translate(_UNVOICED)}
    return f_vars | {skel}


@lru_cache(maxsize=50_000)
def _transcribed_skeletons(f_key: str, f_vars: frozenset[str], georgian: bool) -> frozenset[str]:
    """For a surname in Greek, Georgian, kana, Hangul or Han letters: the abjad skeleton of
    the Russian spelling it transcribes, so a Hebrew or Arabic record meets it too. Those
    scripts write the sound: the final в of Горбачёв as f (Γκορμπατσόφ, ゴルバチョフ), Georgian
    adds its nominative -ი (გორბაჩოვი); and their readings (the variants) hold the Russian
    one (Γκαγκάριν: gangarin and gagarin)."""
    counts: dict[str, int] = {}
    for v in sorted(f_vars):
        if len(v) < 4 or not _HAS_VOWEL.search(v):
            continue
        if georgian and v.endswith("i") and v[-2] not in "aeiou":
            v = v[:-1]
        if v.endswith("f"):
            v = v[:-1] + "v"
        skel = abjad_skeleton(v)
        if len(skel) >= 3:
            counts[skel] = counts.get(skel, 0) + 1
    if not counts:
        return f_vars
    # Each skeleton that two readings share (at most six): kana and Hangul write р and л
    # alike, so the readings split between them; one reading alone is an OCR or loose key.
    best = sorted((k for k in counts if counts[k] >= 2), key=lambda k: (-counts[k], k))[:6]
    return f_vars | set(best)


# -ян/-yan after a consonant, in a key of seven letters or more (not Bogdan, Степан).
_ARMENIAN_SURNAME = re.compile(r"[^aeiou]an$")
_UNVOICED = str.maketrans("gbd", "kpt")


def _consonant_keys(specs: tuple[_Spec, ...]) -> frozenset[str]:
    """consonant_key of each word, not of initials or of a surname with a man's and a
    woman's form (Ivanova keeps apart from Ivanov)."""
    return frozenset(
        ck
        for _, key, initial, _, _ in specs
        if not initial and not _GENDERED_SURNAME.search(key) and (ck := consonant_key(key))
    )


_GENDERED_SURNAME = re.compile(r"(ov|ova|ev|eva|in|ina|ski|ska|aia)$")


# Whole names recur too (the same list sent by two sources, a name re-entered); the result is
# immutable, so one analysis serves every copy.
_analyse_cached = lru_cache(maxsize=200_000)(_analyse_name)


def analyse_name(
    full_name: str | None = "",
    given_name: str | None = "",
    patronymic: str | None = "",
    family_name: str | None = "",
    sex: str | None = None,
) -> NameAnalysis:
    """Analyse a personal name given whole, in parts, or both (the parts win where given)."""
    return _analyse_cached(
        full_name or "", given_name or "", patronymic or "", family_name or "", sex
    )


def analyse_names(
    names: Iterable[tuple[str | None, str | None, str | None, str | None, str | None]],
) -> list[NameAnalysis]:
    """analyse_name for many names at once: (full_name, given_name, patronymic, family_name,
    sex) tuples in, one NameAnalysis each out, in order.

    The batch path. Python's cyclic garbage collector is paused meanwhile: the caches behind
    analyse_name hold millions of long-lived objects, and every collection of the oldest
    generation walks them all (half the time of a million fresh names); the analysis makes
    no reference cycles, so reference counting frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return [analyse_name(*name) for name in names]
    finally:
        if was_enabled:
            gc.enable()
