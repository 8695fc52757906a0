"""Token keys: one reduced phonetic Latin alphabet that Cyrillic and every romanisation land in.

The key alphabet has 19 letters: vowels ``a e i o u`` and consonants
``b c d f g k l m n p r s t v``. Several letters stand for a *class*, because the
romanisations people actually use disagree exactly there:

* ``g`` = г ґ х (Ukrainian г is romanised "h", Russian "g"; х is "kh", "h", "ch", "x", "j")
* ``s`` = с з ц (German "z" is ц, everyone else's "z" is з; ц is "ts", "c", "tz", "cz")
* ``c`` = ж ш щ ч (French "ch" is ш, English "ch" is ч; "sch", "sz", "š", "zh", "j", "zs", ...)
* ``i`` = и ы і ї й and Latin y/j (Ukrainian и is "y", Russian и is "i", й is "y", "j", "i")

The glide ``i`` is dropped next to another vowel and doubled letters collapse, so
Кислиця, Кислица, Kyslytsya, Kislitsa, Kisliza and KYSLYTSIA all become ``kislisa`` and
Сергей, Sergey, Sergei, Sergej become ``serge``. The cost is a few collisions between names
that differ only inside a class; other fields and the written form settle those.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Cyrillic letter -> key letters (ru, uk, be, and the common letters of other Cyrillic alphabets).
_CYR: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
    "є": "ie", "ж": "c", "з": "s", "и": "i", "і": "i", "ї": "ii", "й": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "g", "ц": "s", "ч": "c", "ш": "c", "щ": "c", "ъ": "",
    "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia", "ў": "v", "ј": "i", "љ": "l",
    "њ": "n", "ћ": "c", "ђ": "d", "џ": "dc", "ѓ": "g", "ќ": "k", "ѕ": "s", "ә": "a",
    "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "g", "ӣ": "i",
    "ӯ": "u", "ҳ": "g", "ҷ": "dc", "җ": "dc", "ҙ": "s", "ҫ": "s", "ҡ": "k",
}  # fmt: skip

# Precomposed Latin letters whose diacritic carries the meaning. Upper case = already a key
# letter (the Latin rules below work on lower case only, so these are left alone).
_LATIN_DIACRITICS: dict[str, str] = {
    "š": "C", "ş": "C", "ș": "C", "ŝ": "C", "č": "C", "ç": "C", "ž": "C", "ż": "C",
    "ć": "S", "ś": "S", "ź": "S", "ţ": "S", "ț": "S", "ł": "L", "ń": "N", "ñ": "N",
    "ř": "RC", "ě": "E", "ė": "E", "ę": "E", "ë": "E", "é": "E", "è": "E", "ê": "IE",
    "ů": "U", "ú": "U", "ù": "U", "ū": "U", "ü": "U", "ų": "U", "û": "IU", "â": "IA",
    "ó": "O", "ò": "O", "ô": "O", "ö": "O", "ő": "O", "õ": "O", "ø": "O",
    "á": "A", "à": "A", "ä": "A", "ã": "A", "ă": "A", "ą": "A", "å": "A", "ā": "A",
    "í": "I", "ì": "I", "î": "I", "ï": "I", "ý": "I", "ÿ": "I", "ĭ": "I", "ı": "I", "ī": "I",
    "ğ": "G", "ß": "S", "æ": "E", "œ": "E", "đ": "D", "ď": "D", "ť": "T", "ľ": "L", "ĺ": "L",
    "ŕ": "R", "ģ": "G", "ķ": "K", "ļ": "L", "ņ": "N", "ə": "A",
}  # fmt: skip

_APOSTROPHES = "'’ʼ`ʹ′″‘ʻ\"˝"
_STRIP_MARKS = {"\u0301", "\u0300", "\u0361", "\u0360"}

_LATIN_LETTER = re.compile(r"[a-z]")
_VOWEL_GLIDE = re.compile(r"i+(?=[aeou])|(?<=[aeou])i+")
_DOUBLE = re.compile(r"(.)\1+")
_NON_KEY = re.compile(r"[^a-z]")


def _collapse(key: str) -> str:
    # "ou" is French у and Ukrainian оу alike (Iouri, Bilous, Білоус): one sound in the key.
    key = _DOUBLE.sub(r"\1", key).replace("ou", "u")
    key = _VOWEL_GLIDE.sub("", key)
    return _DOUBLE.sub(r"\1", key)


# Ukrainian ьо/йо after a consonant is Russian ё, which Russians mostly write е
# (Ковальов, Ковалёв, Ковалев): all three are "e" in the key.
_UK_YO = re.compile(r"(?<=[бвгґджзклмнпрстфхцчшщ])[ьй]о")


def cyrillic_spelling_key(word: str) -> str:
    """A Cyrillic word's letters in the key alphabet, only doubled letters folded: no glide
    rule, so a slip stays one letter away (Віалій `vialii`, Віталій `vitalii`; both have
    the key `vali`/`vitali` only after the glide i goes). "" for a word with other letters."""
    out = []
    for ch in _UK_YO.sub("е", word):
        mapped = _CYR.get(ch)
        if mapped is None:
            return ""
        out.append(mapped)
    return _DOUBLE.sub(r"\1", _NON_KEY.sub("", "".join(out)))


# Uzbek Cyrillic ў is a vowel (Ўткир, Тўхтаев: Уткир, Тухтаев); Belarusian ў follows a vowel.
_UZBEK_CYRILLIC_U = re.compile(r"(?<![аеёиоуыэюяіє])ў")
_UZBEK_O = re.compile(r"o['’ʻʼ`‘]")


def cyrillic_key(word: str) -> str:
    """Key of a (lower-case, cleaned) Cyrillic word."""
    word = _UK_YO.sub("е", word)
    if "ў" in word:
        word = _UZBEK_CYRILLIC_U.sub("у", word)
    out = []
    for ch in word:
        mapped = _CYR.get(ch)
        if mapped is None:
            mapped = anyascii(ch).lower() if ch.isalpha() else ""
        out.append(mapped)
    return _collapse(_NON_KEY.sub("", "".join(out)))


class _Flavour:
    """Which press/registry spelling a Latin word looks like; decides the ambiguous digraphs."""

    __slots__ = (
        "c_is_ts",
        "ch_is_kh",
        "french",
        "hungarian",
        "scholarly",
        "soft_c_is_ch",
        "swedish_dutch",
    )

    def __init__(self, word: str, original: str) -> None:
        self.hungarian = "cs" in word or "zs" in word or "szk" in word
        # French writes й as ï or i, never j: a j after a vowel at the word's end (-aja, -oj)
        # is й in German, scholarly or Łacinka spelling, even beside an "ou" (Belarusian ў:
        # Cichanouskaja, Тихановская).
        self.french = (
            ("ou" in word or "tch" in word or "gue" in word or "gui" in word)
            and "sch" not in word
            and not _FINAL_GLIDE_J.search(word)
        )
        # Swedish/Dutch sj (ш) and Dutch tsj (ч); "sja"/"tsja" alone is сья/ця (Olesja, Kyslytsja).
        # A final -oev, -oeva is the Russian -оев (Mirzijoev, Мирзиёев), not a Dutch -ув.
        self.swedish_dutch = bool(
            re.search(
                r"^t?sj|sjt|sje|tsj[eo]|tsj(?![aeiouy])|tj(?=[eoi]|$)|tj(?![aeiouy])|oe.*j|j.*oe",
                _RUSSIAN_OEV.sub("", word) if "oev" in word else word,
            )
        )
        german = "sch" in word or "w" in word or "tz" in word
        polish_czech = (
            "cz" in word or "sz" in word or any(c in original for c in "łżśćńąęóčšžřěůýëŝ")
        )
        # Scholarly, ISO 9 and GOST 7.79 B write х as x: trust that only beside their other
        # marks (j, č/š/ž, primes), since "Maxim" and "Alexei" are everyday spellings.
        self.scholarly = bool(re.search(r"[čšžŝ`ʹ']|j|shh", original)) and "ks" not in word
        # Scholarly, ISO 9, GOST, Polish and Czech spellings write ц as c everywhere.
        self.c_is_ts = polish_czech
        # Romanian/Italian: c before e/i is ч, not ц.
        self.soft_c_is_ch = any(c in original for c in "șțăî")
        self.ch_is_kh = (german or polish_czech or self.swedish_dutch) and not self.french


_FINAL_GLIDE_J = re.compile(r"[aeiouy]j[aeu]?$")
_RUSSIAN_OEV = re.compile(r"oeva?$")


_LATIN_RULES: list[tuple[str, str]] = [
    ("schtsch", "C"), ("shch", "C"), ("shh", "C"), ("szcz", "C"), ("chtch", "C"),
    ("tsch", "C"), ("tch", "C"), ("tc", "S"), ("dzh", "DC"), ("dzs", "DC"),
    ("zh", "C"), ("sch", "C"), ("sh", "C"), ("kh", "G"), ("ph", "F"),
    ("th", "T"), ("ck", "K"), ("qu", "KV"), ("gh", "G"), ("ts", "S"), ("tz", "S"),
]  # fmt: skip


_POLISH_CKI = re.compile(r"(?<=\w\w[aeiouy])c(?=k[ai]$)")


def _latin_replace(word: str, fl: _Flavour) -> str:
    if fl.swedish_dutch:
        word = word.replace("tsj", "C").replace("sj", "C").replace("zj", "C")
        # Swedish tj is ч; Dutch writes ч as tsj and keeps tj for тю (Hnatjoek).
        word = word.replace("oe", "U") if "oe" in word else word.replace("tj", "C")
    if "ck" in word:
        # Polish -cki, -cka is -цкий, -цкая (Wierzbicki, Вежбицкий), not the German ck.
        word = _POLISH_CKI.sub("S", word)
    for src, dst in _LATIN_RULES:
        if src in word:
            word = word.replace(src, dst)
    if fl.hungarian:
        word = word.replace("cs", "C").replace("zs", "C").replace("sz", "S").replace("s", "C")
    else:
        word = word.replace("cz", "C").replace("sz", "C")
    if fl.french:
        word = word.replace("ou", "U")
        word = re.sub(r"gu(?=[eiy])", "G", word)
        word = word.replace("j", "C")
    word = word.replace("ch", "G" if fl.ch_is_kh else "C")
    word = re.sub(r"c(?=[eiyEIY])", "C" if fl.soft_c_is_ch else "S", word)
    if not fl.c_is_ts:
        # English/Romance c is k before l, r, t and, at the start of a word, before a back
        # vowel (Constantin, Clara, Victor); inside a word "c" before a back vowel is more
        # often a scholarly/GOST ц (Kuznecov, Kislica); the other reading is an alternative.
        word = re.sub(r"c(?=[klrtKLRT])", "K", word)
        word = re.sub(r"^c(?=[aouAOU])", "K", word)
    word = word.replace("c", "S")
    word = word.replace("x", "G" if fl.scholarly else "KS")
    # ё after a consonant: Artyom, Pjotr, Semjon are Артём, Пётр, Семён (ICAO writes e).
    word = re.sub(r"(?<=[b-df-hk-np-tv-zB-DF-HK-NP-TV-Z])([yj]o|io(?=[vV]))", "E", word)
    # Spanish "j" before a consonant at the start is х (Jruschov, Jmelnitski).
    word = re.sub(r"^j(?=[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z])", "G", word)
    # DSTU 9112 writes the soft sign as j after a consonant (Vasylj, Kuzjma): no sound of its own.
    word = re.sub(r"(?<=[b-df-hk-np-tv-zB-DF-HK-NP-TV-Z])j(?![aeiouAEIOU])", "", word)
    return word.translate(_LATIN_SINGLE).lower()


_LATIN_SINGLE = str.maketrans(
    {"j": "I", "y": "I", "w": "V", "h": "G", "z": "S", "q": "K", "s": "S"}
)


def _latin_prepare(word: str) -> str:
    """Lower case, meaningful diacritics to key letters, other marks and apostrophes gone."""
    # Estonian and Finnish write ч as tš (Gorbatšov, Tšernõšov).
    word = unicodedata.normalize("NFC", word.lower()).replace("tš", "š")
    # A soft sign before o is ё (Lʹosha, Fʹodor), written as its key letter at once so that no
    # later reading of "j" (French ж, Spanish х) touches it; Ukrainian apostrophes never stand there.
    word = re.sub(r"(?<=[b-df-hj-np-tv-z])['’ʼ`ʹ′]o", "E", word)
    word = "".join(_LATIN_DIACRITICS.get(ch, ch) for ch in word)
    word = unicodedata.normalize("NFD", word)
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    return "".join(ch for ch in word if ch.isalpha())


def latin_key(word: str) -> str:
    """Key of a Latin-script word in any romanisation or press spelling."""
    prepared = _latin_prepare(word)
    fl = _Flavour(prepared, word.lower())
    return _collapse(_NON_KEY.sub("", _latin_replace(prepared, fl)))


def _latin_alt(form: str) -> str:
    """Key of a rewritten (prepared) form, read afresh."""
    return _collapse(_NON_KEY.sub("", _latin_replace(form, _Flavour(form, form))))


_NASAL_LABIAL = re.compile(r"[ąę](?=[bp])")
_NASAL_OTHER = re.compile(r"[ąę]")
_NASAL = {"ą": "o", "ę": "e"}
_ROMANIAN_PLAIN = str.maketrans("țţȚŢșşȘŞ", "ttTTssSS")


def latin_key_alternatives(word: str, hint: str = "") -> frozenset[str]:
    """Keys of the other plausible readings of an ambiguous Latin spelling.

    "ch" may be ч (English) or х (German, Polish, Czech); "x" may be "ks" or х (GOST 7.79 B,
    scholarly); a final "s" may be the Lithuanian/Latvian nominative ending (Zelenskis);
    an English "j" may be дж. ``hint`` is the press language the whole name shows ("hu").
    """
    prepared = _latin_prepare(word)
    fl = _Flavour(prepared, word.lower())
    alts: set[str] = set()
    if "ą" in word.lower() or "ę" in word.lower():
        # Polish nasal vowels are он/ом, ен/ем in Russian and Ukrainian (Wałęsa, Валенса;
        # Dąbrowski, Домбровский); the plain a/e of the key stays the press without marks.
        nasal = _NASAL_LABIAL.sub(lambda m: _NASAL[m[0]] + "m", word.lower())
        alts.add(latin_key(_NASAL_OTHER.sub(lambda m: _NASAL[m[0]] + "n", nasal)))
    if "ch" in prepared:
        fl.ch_is_kh = not fl.ch_is_kh
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(prepared, fl))))
        fl.ch_is_kh = not fl.ch_is_kh
    if "x" in prepared:
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(prepared.replace("x", "G"), fl))))
    if re.search(r"[aiyeuo]s$", prepared) and len(prepared) > 4:
        alts.add(latin_key(word[:-1]))
        if re.search(r"(as|is|ys|us)$", prepared):
            alts.add(latin_key(word[:-2]))
    english = [prepared]
    if prepared.startswith(("jo", "ja", "je")) and "j" not in prepared[1:]:
        english.append("dzh" + prepared[1:])  # English j is дж (John, James, Jessica)
    for form in list(english):
        if re.search(r"(?<=[aeiou])h(?![aeiou])", form):
            english.append(re.sub(r"(?<=[aeiou])h(?![aeiou])", "", form))  # silent h (John)
    for form in english[1:]:
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(form, fl))))
    if re.search(r"c(?![hz])", prepared):
        # c as k (Nicolai, Marco, Olecsandr) where the canonical reading took ц, and the
        # reverse; c as ч where Czech, Turkish or Baltic press lost its diacritic (Cernov).
        for reading in ("k", "ts", "C"):
            form = re.sub(r"c(?![hz])", reading, prepared)
            # Read afresh: "cs" was Hungarian only while the c was there (Olecsii).
            alts.add(_collapse(_NON_KEY.sub("", _latin_replace(form, _Flavour(form, form)))))
    if re.search(r"^j[aeiou]", prepared):
        # English j is дж (Jamshid, Joshgun, Javid): at the word's start, where the German
        # and scholarly й (Jurij, Jana) is the key...
        alts.add(_latin_alt("dzh" + prepared[1:]))
    elif "j" in prepared and re.search(r"kh|sh|zh", prepared):
        # ...and anywhere in a word spelt the English way (Khojaeva, Ходжаева; Rajabov).
        alts.add(_latin_alt(prepared.replace("j", "dzh")))
    if re.search(r"^c[aeiou]", prepared):
        # Turkish, Azerbaijani and Crimean Tatar c is дж (Cemilev, Джемилев; Cafer, Джафер):
        # only at the word's start, where a Slavic name rarely has ц or к before a vowel
        # in these alphabets' press.
        alts.add(_latin_alt("dzh" + prepared[1:]))
    if re.search(r"c[ei]", prepared) and not fl.soft_c_is_ch:
        # Italian and Romanian c (and Italian sc) before e/i is ч, ш (Scevcenco, Şevcenco).
        form = re.sub(r"c(?![hz])", "k", re.sub(r"s?c(?=[ei])", "C", prepared))
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(form, fl))))
    if any(c in word for c in "țţȚŢ"):
        # Romanian press without diacritics writes ț as t (GUTU, Guțu; Tudor): that key is a
        # variant of the marked spelling, which reads ț as ц.
        alts.add(latin_key(word.translate(_ROMANIAN_PLAIN)))
    if "tj" in prepared:
        # Swedish tj is ч (Tjernov); German and scholarly tj is ть/тё (Artjom, Kostjuk).
        fl.swedish_dutch = not fl.swedish_dutch
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(prepared, fl))))
        fl.swedish_dutch = not fl.swedish_dutch
    if hint == "hu" and not fl.hungarian and "s" in prepared:
        # Another word of the name is Hungarian: its s is ш here too (Szoroka-Jersov).
        fl.hungarian = True
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(prepared, fl))))
        fl.hungarian = False
    if "j" in prepared and not fl.french:
        # French and Romanian j is ж (Janna, Nadejda, Anjela).
        fl.french = True
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(prepared, fl))))
        fl.french = False
    if "sz" in prepared and not fl.hungarian:
        # Hungarian sz is с (Szergej, Kiszlica); Polish sz is ш (Szewczenko).
        fl.hungarian = True
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(prepared, fl))))
        fl.hungarian = False
    if "ř" in word.lower():
        # Czech ř is рж (Dvořák, Дворжак; Jiří, Иржи); press without marks writes r.
        alts.add(latin_key(word.lower().replace("ř", "r")))
    if "rz" in prepared:
        # Polish rz is ж, ш (Grzegorz, Гжегож; Krzysztof, Кшиштоф; Brzeziński, Бжезинский).
        alts.add(_latin_alt(prepared.replace("rz", "C")))
    if "gy" in prepared and (fl.hungarian or hint == "hu"):
        # Hungarian gy is дь (Nagy, Надь; Gyula, Дьюла).
        alts.add(_latin_alt(prepared.replace("gy", "d")))
    if prepared.endswith("ine") and len(prepared) > 5:
        alts.add(latin_key(word[:-1]))  # French -ine for -ин (Valentine, Choufrine)
    if re.search(r"[^aeiouy]s$", prepared) and len(prepared) > 4:
        alts.add(latin_key(word[:-1]))  # Latvian -s after a consonant (Volodimirs)
    if "j" in prepared:
        # Spanish j is х (Mijaíl, Jruschov).
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(prepared.replace("j", "G"), fl))))
        if re.search(r"c(?![hzs])", prepared):
            # The 2004 Ukrainian passport table writes ж as j and к as c in one word
            # (Yijacevych, Їжакевич; Cojum'yac, Кожум'як): both at once.
            form = re.sub(r"c(?![hzs])", "K", prepared).replace("j", "C")
            alts.add(_collapse(_NON_KEY.sub("", _latin_replace(form, _Flavour(form, form)))))
    if ("ei" in prepared or "eu" in prepared) and ("w" in prepared or "sch" in prepared):
        # German ei is ай and eu ой (Weiss, Вайс; Jewgeni Neumann, Нойман).
        form = prepared.replace("ei", "ai").replace("eu", "oi")
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(form, fl))))
    if re.search(r"ci[aeou]", prepared):
        # Italian and Romanian ci before a vowel is ч (Gorbaciov, Ciaikovski, Marcienko).
        form = re.sub(r"ci(?=[aeou])", "C", prepared)
        alts.add(_collapse(_NON_KEY.sub("", _latin_replace(form, fl))))
    key = latin_key(word)
    czech = re.search(r"(enk|uk|ak|ik|ic|ec)ova$", key)
    if czech:
        # Czech and Slovak add -ová to a woman's surname that does not change (Tymošenková).
        alts.add(key[: czech.end(1)] + ("o" if czech.group(1) == "enk" else ""))
    if re.search(r"(?:ov|ev|in)ova$", key) and len(key) > 7:
        # ...and to a Russian feminine -ova, -eva, -ina too (Ivanovová is Иванова).
        alts.add(key[:-3] + "a")
    if "ə" in word.lower():
        # Azerbaijani ə is а or е in Russian spellings (Məmmədov, Мамедов; Əliyev, Алиев).
        alts.update(_latin_alt(form) for form in each_replacement(prepared, "A", "E"))
    if hint == "ro" or _ROMANIAN.search(prepared) or any(c in word.lower() for c in "șțşţăâî"):
        # Romanian: j is ж, c is к before a, o, u and ч before e, i, ea is я (Cojocaru,
        # Кожокару; Munteanu, Мунтяну); press without the comma writes ț as t (Kuznetov).
        form = re.sub(r"(?<=[^aeiou])ea", "ia", prepared).replace("j", "C")
        form = re.sub(r"c(?=[aouAOU]|$)", "k", re.sub(r"c(?=[ei])", "C", form))
        alts.add(_latin_alt(form))
        alts.add(_latin_alt(re.sub(r"(?<=[^aeiou])ea", "ia", prepared)))
        if "ă" in word.lower():
            # ...and ă is э (Creangă, Крянгэ; Bălan, Бэлан).
            alts.add(_latin_alt(form.replace("A", "E")))
        ts = re.search(r"(?<=[aeiouy])t(?=(?:ov|ev|in|enko)$)", prepared)
        if ts:
            # ...just before the Slavic suffix, where ц is common (Kuznețov, Grițenko):
            # more would crowd out the variants the engine blocks on.
            alts.add(_latin_alt(prepared[: ts.start()] + "ts" + prepared[ts.end() :]))
        elif "t" in prepared and not re.search(r"t[hsz]", prepared) and "ț" not in word:
            # ...and anywhere in a name shown Romanian by its other words, where ț lost
            # its comma is as common as a plain t (Gutu Vasile: Гуцу; Turcanu: Цуркан).
            alts.add(_latin_alt(form.replace("t", "ts")))
    if re.search(r"[og]['’ʻʼ`‘]", word.lower()):
        # Uzbek Latin on its own (Xo'jayev): x is х, j is дж.
        alts.add(english_j_key(word, "uz"))
    if hint == "uz" or _UZBEK_O.search(word.lower()):
        # Uzbek Latin oʻ is у, and its o is mostly а in the Russian forms (Oʻtkir Hoshimov:
        # Уткир Хашимов; Yoʻldoshev: Юлдашев; Baxtiyor: Бахтияр).
        uz = _UZBEK_O.sub("u", word.lower())
        alts.add(english_j_key(uz, "uz"))
        alts.update(english_j_key(f, "uz") for f in each_replacement(uz, "o", "a"))
    if prepared.startswith("h") and re.search(r"[iy]an(?:ts|c)?$", prepared):
        # Russian spellings of Armenian surnames drop the initial h and often write -op- for
        # -ob- (Harutyunyan, Арутюнян; Hakobyan, Акопян).
        alts.add(_latin_alt(prepared[1:]))
        alts.add(_latin_alt(prepared[1:].replace("b", "p")))
        alts.update(_latin_alt(form) for form in armenian_vh(prepared[1:]))
    if re.search(r"\w{3}[iy]an(?:ts|c)?$", prepared) and re.search("dz|gh", prepared):
        # ...and write ձ (dz) as ц and ղ (gh) as к or г (Hambardzumyan, Амбарцумян;
        # Ghazaryan, Казарян).
        for form in {prepared, prepared[1:] if prepared.startswith("h") else prepared}:
            alts.add(_latin_alt(form.replace("dz", "ts").replace("gh", "k")))
            alts.add(_latin_alt(form.replace("dz", "ts")))
    if "oe" in prepared and not fl.swedish_dutch:
        alts.add(latin_key(word.lower().replace("oe", "u")))
    if "tch" in prepared:
        # t before an English ch (Mkrtchyan, Мкртчян), not the French tch of Tchernenko.
        alts.add(_latin_alt(prepared.replace("tch", "tC")))
    if "cz" in prepared:
        # GOST 7.79 B writes ц as "cz" (Kuzneczov, Czvetkov), Polish writes ч so.
        alts.add(_latin_alt(prepared.replace("cz", "ts")))
    if re.search(r"[aeiy]o?u$", prepared) and len(prepared) > 4:
        # Belarusian Latin writes a final ў as u (Kavaliou, Kaleu): Кавалёў, Ковалёв.
        alts.add(_latin_alt(prepared[:-1] + "v"))
    if prepared.startswith("w") and len(prepared) > 5 and prepared[1] in "aeiy":
        # English W is У in Cyrillic (Williams, Уильямс; Walker, Уокер).
        alts.add(_latin_alt("u" + prepared[1:]))
    if re.search(r"oi[sxt]?$|eaux?$", prepared):
        # French final -ois, -oix, -eau: Dubois is Дюбуа, Moreau is Моро.
        alts.add(_latin_alt(re.sub(r"eaux?$", "o", re.sub(r"oi[sxt]?$", "ua", prepared))))
    alts.discard("")
    return frozenset(alts)


def armenian_vh(form: str) -> set[str]:
    """Russian forms of the Armenian -овh- (Հովհ-): Ов- without the h or О- with it as г
    (Hovhannisyan: Ованесян, Оганесян); the unstressed vowels are the loose key's."""
    if "vh" not in form:
        return set()
    return {form.replace("vh", "v"), form.replace("vh", "h")}


def english_j_key(word: str, hint: str) -> str:
    """Key of a word in an English-based spelling of Georgian or Central Asian names, where
    j is дж (Japaridze, Jamshid); in Uzbek Latin also x is х and q is к (Xo'jayev, Ходжаев)."""
    form = _latin_prepare(word).replace("j", "DC")
    if hint == "uz":
        form = form.replace("x", "G").replace("q", "k")
    return _latin_alt(form)


# Romanian marks a word shows without diacritics: -escu, -eanu, -ae (Nicolae), gh before e/i.
_ROMANIAN = re.compile(r"escu$|eanu$|[^aeiou]ae$|gh[ei]|[^aeiou]aru$")


def each_replacement(word: str, letter: str, other: str, most: int = 3) -> set[str]:
    """The word with each combination of ``letter`` replaced by ``other`` (at most
    ``most`` occurrences, so at most 2**most forms)."""
    at = [i for i, ch in enumerate(word) if ch == letter][:most]
    forms = set()
    for mask in range(1, 1 << len(at)):
        chars = list(word)
        for bit, i in enumerate(at):
            if mask >> bit & 1:
                chars[i] = other
        forms.add("".join(chars))
    return forms


# Arabic and Hebrew write consonants and only some long vowels; a name's Latin and Cyrillic
# spellings supply the short vowels, and no rule can guess them (حسن Hassan, Хасан; כהן
# Cohen, Коэн; לוי Levi). What both sides share is the consonants: each letter's consonant
# readings, "" where it may be a vowel letter or silent (א ע ה, ا و ي).
#: A Hebrew or Arabic letter (U+0590–U+06FF). Those scripts leave short vowels out, so a
#: word written in them has only a guessed key: names.py, tables.py and matching's features
#: treat such a word with care (no sex from the given name, never a "known" name).
ABJAD_LETTER = re.compile(r"[\u0590-\u06ff]")

_ABJAD: dict[str, tuple[str, ...]] = {
    # Hebrew (final forms alike)
    "א": ("",), "ב": ("b", "v"), "ג": ("g",), "ד": ("d",), "ה": ("h", ""), "ו": ("v", ""),
    "ז": ("z",), "ח": ("kh",), "ט": ("t",), "י": ("",), "כ": ("k", "kh"), "ך": ("kh", "k"),
    "ל": ("l",), "מ": ("m",), "ם": ("m",), "נ": ("n",), "ן": ("n",), "ס": ("s",), "ע": ("",),
    "פ": ("p", "f"), "ף": ("f", "p"), "צ": ("ts", "ch"), "ץ": ("ts", "ch"), "ק": ("k",), "ר": ("r",),
    "ש": ("sh", "s"), "ת": ("t",),
    # Arabic (and the Persian letters)
    "ا": ("",), "أ": ("",), "إ": ("",), "آ": ("",), "ب": ("b",), "ت": ("t",), "ث": ("s", "t"),
    "ج": ("dzh", "zh", "g"), "ح": ("h",), "خ": ("kh",), "د": ("d",), "ذ": ("z", "d"),
    "ر": ("r",), "ز": ("z",), "س": ("s",), "ش": ("sh",), "ص": ("s",), "ض": ("d", "z"),
    "ط": ("t",), "ظ": ("z",), "ع": ("",), "غ": ("gh",), "ف": ("f", "v"), "ق": ("k", "g"),
    "ك": ("k",), "ل": ("l",), "م": ("m",), "ن": ("n",), "ه": ("h", ""), "ة": ("",),
    "و": ("v", ""), "ي": ("",), "ى": ("",), "ء": ("",), "ئ": ("",), "ؤ": ("",), "پ": ("p",),
    "چ": ("ch",), "گ": ("g",), "ژ": ("zh",), "ک": ("k",), "ی": ("",),
}  # fmt: skip
_KEY_VOWELS = re.compile(r"[aeiou]")


def consonant_key(key: str) -> str:
    """A key without its vowels (gasan -> gsn): what an Arabic or Hebrew spelling of the
    name writes. "" when no consonant is left. A consonant repeated across a vowel stays
    twice, as those scripts write it (גגארין: ggrn): collapsed, Боброва and Бурова, Засенко
    and Саєнко had one skeleton (brva, snko) and "agreed"."""
    return _KEY_VOWELS.sub("", key)


# A Hebrew or Arabic spelling of a Russian or Ukrainian name leaves out most short vowels
# (גגארין Гагарин, זלנסקי Зеленский, أولكسندر Олександр) but writes the last one: the
# ending that tells Иванова (איבנובה) from Иванов and Коваленко (קובלנקו) from Коваленко's
# neighbours in -ук. So the "abjad skeleton" of a name is its key's consonants plus its
# final vowel as the letter these scripts write for it: a (ה א ا ة ى), o for o and u (ו و),
# i for i and e (י ي; Сергей's key ends in e: סרגיי).
_ABJAD_FINAL = {"a": "a", "o": "o", "u": "o", "i": "i", "e": "i"}
_ABJAD_FINAL_LETTER = {
    "ה": "a", "א": "a", "ו": "o", "י": "i",
    "ا": "a", "ة": "a", "ى": "a", "ه": "a", "و": "o", "ي": "i", "ی": "i",
}  # fmt: skip
# Hebrew marks the sounds it lacks with a geresh: ג' дж, ז' ж, צ' ч (גורבצ'וב).
_GERESH = {"ג": "dzh", "ז": "zh", "צ": "ch"}


def abjad_skeleton(key: str) -> str:
    """The consonants of a name's key and its final vowel as Hebrew and Arabic write it
    (gagarin: grn; kovalenko: kvlnko; ivanova: vnva; serge: srgi); "" without a consonant."""
    body = consonant_key(key)
    if not body:
        return ""
    return body + _ABJAD_FINAL.get(key[-1], "")


# Letters that open a word with a vowel (אולג Олег, איבן Иван, יורי Юрий, أولكسندر).
_ABJAD_INITIAL_VOWEL = frozenset("אעיاأإآعي")


def marked_abjad_skeleton(key: str) -> str:
    """abjad_skeleton with "^" in front for a name that starts with a vowel (ivan: ^vn;
    oleg: ^lg), "" for one that does not: the initial vowel letter Hebrew and Arabic write
    tells Иван from Вано and lets two consonants name a given name."""
    skel = abjad_skeleton(key)
    return "^" + skel if skel and key[:1] in "aeiou" else ""


@lru_cache(maxsize=20_000)
def marked_abjad_skeletons(word: str) -> frozenset[str]:
    """marked_abjad_skeleton of every reading of a Hebrew or Arabic word that starts with a
    vowel letter; empty for one that does not."""
    letters = [ch for ch in word if ch in _ABJAD]
    if not letters or letters[0] not in _ABJAD_INITIAL_VOWEL:
        return frozenset()
    return frozenset("^" + k for k in abjad_skeletons(word[word.index(letters[0]) + 1 :]))


@lru_cache(maxsize=20_000)
def abjad_skeletons(word: str) -> frozenset[str]:
    """abjad_skeleton of every reading of a Hebrew or Arabic word: vowel letters inside the
    word are silent or consonants (ו v, י y), the last one is its vowel; a geresh makes
    ג' ז' צ' дж ж ч. At most 64 readings."""
    letters: list[tuple[str, ...]] = []
    # Arabic writes ч as تش (غورباتشوف Горбачёв), Persian as چ; ف is ф and в (إيفانوف).
    word = word.replace("تش", "چ")
    chars = [ch for ch in word if ch in _ABJAD or ch in "'׳’"]
    for i, ch in enumerate(chars):
        if ch not in _ABJAD:
            continue
        geresh = i + 1 < len(chars) and chars[i + 1] in "'׳’" and ch in _GERESH
        letters.append((_GERESH[ch],) if geresh else _ABJAD[ch])
    abjad = [ch for ch in chars if ch in _ABJAD]
    last = abjad[-1] if abjad else ""
    final = _ABJAD_FINAL_LETTER.get(last, "")
    body = letters[:-1] if final else letters
    if final == "i" and len(abjad) > 2 and _ABJAD_FINAL_LETTER.get(abjad[-2]) in ("a", "o"):
        # A final -ай, -ой (ניקולאי, Николай): the key drops the glide, so the vowel before
        # it is the one kept.
        final = _ABJAD_FINAL_LETTER[abjad[-2]]
        body = body[:-1]
    if len(body) < 2:
        return frozenset()
    forms = [""]
    for readings in body:
        keys = {latin_key(r) if r else "" for r in readings}
        forms = list(dict.fromkeys(f + r for f in forms for r in keys))[:64]
    # A final א is -а, and in the old Ashkenazi spelling of surnames also -о (שפירא Шапиро).
    finals = (final, "o") if last == "א" else (final,)
    out = {consonant_key(f) + end for f in forms for end in finals}
    return frozenset(k for k in out if len(k) >= 2 and k not in finals)


@lru_cache(maxsize=20_000)
def abjad_consonant_keys(word: str) -> frozenset[str]:
    """consonant_key of every reading of an Arabic or Hebrew word (לוי: lv, l; حسن: gsn);
    the Arabic article al- may go (الحسن)."""
    letters = [ch for ch in word.replace("تش", "چ") if ch in _ABJAD]
    starts = [letters]
    if len(letters) > 3 and letters[0] == "ا" and letters[1] == "ل":
        starts.append(letters[2:])
    keys: set[str] = set()
    for seq in starts:
        forms = [""]
        for ch in seq:
            # Letter by letter: כ then ה is k + h, not the digraph kh.
            readings = {latin_key(r) if r else "" for r in _ABJAD[ch]}
            forms = list(dict.fromkeys(f + r for f in forms for r in readings))[:64]
        keys.update(consonant_key(f) for f in forms if f)
    keys.discard("")
    return frozenset(keys)


@lru_cache(maxsize=1)
def _han_readings() -> dict[str, tuple[str, ...]]:
    """Cyrillic readings of the Chinese characters of the Xinhua Russian-Chinese table."""
    from importlib import resources

    text = resources.files("kintrace.normalise.data").joinpath("han_ru.csv").read_text("utf-8")
    rows = (line.split(",", 1) for line in text.splitlines()[1:] if "," in line)
    return {char: tuple(cyr.split("|")) for char, cyr in rows}


def han_cyrillic_readings(word: str) -> tuple[str, ...]:
    """Cyrillic readings of a Russian or Ukrainian name written in Chinese characters
    (戈尔巴乔夫: горбачов), the first the table's main one; () when a character is not in
    the table, which is the case of nearly every Chinese name (王伟)."""
    table = _han_readings()
    if not word or any(ch not in table for ch in word):
        return ()
    forms = [""]
    for ch in word:
        forms = list(dict.fromkeys(f + r for f in forms for r in table[ch]))[:64]
    # Chinese has no final л: a name's -ль is written 里 or 利, li (果戈里 Гоголь).
    soft = [f[:-2] + "ль" for f in forms if len(f) > 4 and f.endswith(("ли", "ри"))]
    return tuple(dict.fromkeys(forms + soft))


# Hangul syllable = initial + vowel + final jamo; the Cyrillic letters Korean writes them for
# in Russian and Ukrainian names (the loan-word conventions of the National Institute of the
# Korean Language): ㅂ б, ㅍ п (or ф), ㅈ з (or ж), ㅊ ч (or ц), ㄹ р, but л at a syllable end
# and for ㄹㄹ.
_KO_INITIAL = "г к н д т р м б п с с _ з ц ч к т п х".split()
_KO_VOWEL = "а е я е о е ё е о ва ве ве ё у во ве ви ю ы и и".split()
_KO_FINAL = ["", "к", "к", "кс", "н", "нж", "н", "т", "л", "лк", "лм", "лб", "лс", "лт",
             "лп", "л", "м", "п", "пс", "т", "т", "н", "т", "т", "к", "т", "п", "т"]  # fmt: skip


def hangul_cyrillic_readings(word: str) -> tuple[str, ...]:
    """Cyrillic readings of a name in Hangul (고르바초프: горбачов, горбачоф), main first.

    Korean adds the vowel ㅡ (eu) after a consonant that ends a foreign syllable (고르바초프,
    Gor-ba-cho-f): it is dropped after a consonant. A final 프 is Russian -ов/-ев as often
    as -ф, so it reads в first.
    """
    out: list[str] = []
    last_final = ""
    for i, ch in enumerate(word):
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            return ()
        lead, vowel, final = code // 588, (code % 588) // 28, code % 28
        initial = _KO_INITIAL[lead].strip("_")
        if initial == "р" and last_final.endswith("л"):
            initial = ""  # ㄹㄹ is one л (젤렌스키, Зеленский)
        v = _KO_VOWEL[vowel]
        if v == "ы" and initial:
            v = ""
        nxt = ord(word[i + 1]) - 0xAC00 if i + 1 < len(word) else -1
        if (
            initial + v == "си"
            and not final
            and (nxt < 0 or (0 <= nxt < 11172 and nxt // 588 != 11))
        ):
            # Korean writes ш that ends a syllable as 시 (테레시코바, Терешкова).
            initial, v = "ш", ""
        last_final = _KO_FINAL[final]
        out.append(initial + v + last_final)
    text = "".join(out)
    if word.endswith("프"):
        text = text[:-1] + "в"
    forms = [text]
    for src, dst in (("п", "ф"), ("б", "в"), ("з", "ж"), ("ч", "ц")):
        if src in text:
            forms.append(text.replace(src, dst))
    if text.endswith("в"):
        forms.append(text[:-1] + "ф")
    return tuple(dict.fromkeys(forms))


# Arabic spells a Russian or Ukrainian name with all its vowels, by the long-vowel letters
# (ميخائيل Mikhail, غاغارين Gagarin): ا a, و o (v before a vowel), ي i (y before a vowel), غ г,
# ف в or ф, تش ч. Three readings of each word at most reach its Cyrillic key.
_ARABIC_SLAVIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "s", "ج": "zh", "ح": "kh",
    "خ": "kh", "د": "d", "ذ": "z", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "ع": "", "غ": "g", "ف": "v", "ق": "k", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "kh", "ة": "a", "ى": "a", "ء": "", "ئ": "", "ؤ": "", "پ": "p", "چ": "ch",
    "گ": "g", "ژ": "zh", "ک": "k", "ی": "i",
}  # fmt: skip
_ARABIC_VOWEL_LETTERS = "اأإآوي"


def arabic_slavic_readings(word: str) -> tuple[str, ...]:
    """Latin readings of a Slavic name in Arabic letters (غورباتشوف: gorbachov, gorbachof).

    () for a word with no long-vowel letter between its consonants (حسن), which is an
    Arabic name: its consonant keys serve it (abjad_consonant_keys).
    """
    letters = [ch for ch in word if "\u0600" <= ch <= "\u06ff" and ch.isalpha()]
    if sum(ch in "وي" for ch in letters) < 1 or len(letters) < 4:
        return ()
    out = []
    for i, ch in enumerate(letters):
        nxt = letters[i + 1] if i + 1 < len(letters) else ""
        if ch in "أإا" and i == 0 and nxt in "وي":
            continue  # an initial alif carries the vowel that follows (إيفانوف, Иванов)
        if ch in "وي":
            before_vowel = bool(nxt) and nxt in _ARABIC_VOWEL_LETTERS + "ئ"
            if ch == "و":
                out.append("v" if i == 0 or before_vowel else "o")
            else:
                out.append("y" if i == 0 or before_vowel else "i")
            continue
        out.append(_ARABIC_SLAVIC.get(ch, ""))
    text = "".join(out).replace("tsh", "ch")
    # و is u as often as o (يوري, Юрий), ف is ф as well as в, and Arabic, which has no p,
    # writes п as ب (بوتين, Путин).
    u, p = text.replace("o", "u"), text.replace("b", "p")
    forms = (text, u, text.replace("v", "f"), p, p.replace("o", "u"))
    return tuple(dict.fromkeys(forms)) + _mixed_vowels(text, inner_e=False)


def _mixed_vowels(text: str, inner_e: bool = True) -> tuple[str, ...]:
    """A Hebrew or Arabic reading with some of its o read u and some inner i read e: one
    letter writes both (بولغاكوف Булгаков: o, then u... o; فاليري Валерий: e, then и)."""
    forms = {text}
    for f in list(forms):
        forms |= each_replacement(f, "o", "u", 2)
    for f in list(forms) if inner_e else ():
        forms |= {g + f[-1:] for g in each_replacement(f[:-1], "i", "e", 2)}
    forms.discard(text)
    return tuple(sorted(forms))[:12] if len(text) > 1 else ()


# Hebrew spells a Russian or Ukrainian name with its long vowels' letters, as Arabic does:
# ו o or u (v at the start, וו v), י i or e (y at the start or before a vowel letter, יי й),
# א a inside the word, a final ה or א a; ח х, צ ц, and a geresh makes ג' ז' צ' дж ж ч.
_HEBREW_SLAVIC = {
    "ב": "B", "ג": "g", "ד": "d", "ה": "g", "ז": "z", "ח": "kh", "ט": "t", "כ": "K", "ך": "kh",
    "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s", "ע": "", "פ": "P", "ף": "f",
    "צ": "ts", "ץ": "ts", "ק": "k", "ר": "r", "ש": "sh", "ת": "t",
}  # fmt: skip
_HEBREW_VOWEL_LETTERS = "אויהע"
_SOFT_BKP = str.maketrans({"B": "v", "K": "kh", "P": "f"})


# Yiddish (YIVO) writes its vowels as letters and marks what Hebrew leaves out: אַ a, אָ o,
# ע e, ו u, י i, יי ey, ײַ ay, וי oy, וו v, פֿ f, בֿ v, כּ k, תּ t; plain ב is b, פּ p, ש sh.
# A pointed alef, a rafe or one of the ligatures marks a word as Yiddish.
_YIDDISH_MARK = re.compile("[\u05f0-\u05f2]|\u05d0[\u05b7\u05b8]|[\u05d1\u05e4]\u05bf")
_YIDDISH = [
    ("\u05d3\u05d6\u05e9", "dzh"), ("\u05d6\u05e9", "zh"), ("\u05d8\u05e9", "ch"),
    ("\u05f2\u05b7", "ay"), ("\u05d9\u05d9\u05b7", "ay"), ("\u05f2", "ey"),
    ("\u05d9\u05d9", "ey"), ("\u05f1", "oy"), ("\u05f0", "v"), ("\u05d5\u05d5", "v"),
    ("\u05d5\u05d9", "oy"), ("\u05d0\u05b7", "a"), ("\u05d0\u05b8", "o"), ("\u05d0", ""),
    ("\u05d1\u05bf", "v"), ("\u05e4\u05bf", "f"), ("\u05e4\u05bc", "p"),
    ("\u05db\u05bc", "k"), ("\u05ea\u05bc", "t"), ("\u05e9\u05c2", "s"),
]  # fmt: skip
_YIDDISH_SINGLE = str.maketrans(
    {
        "ב": "b", "ג": "g", "ד": "d", "ה": "h", "ו": "u", "ז": "z", "ח": "kh", "ט": "t",
        "י": "i", "כ": "kh", "ך": "kh", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n",
        "ס": "s", "ע": "e", "פ": "p", "ף": "f", "צ": "ts", "ץ": "ts", "ק": "k", "ר": "r",
        "ש": "sh", "ת": "s",
    }
)  # fmt: skip


_HEBREW_LETTER = re.compile("[\u05d0-\u05ea]")


def yiddish_latin(word: str) -> str:
    """A Hebrew-letter word read as Yiddish (YIVO): גאָלדפֿאַרב goldfarb, לייב leyb."""
    form = unicodedata.normalize("NFD", word)
    for src, dst in _YIDDISH:
        form = form.replace(src, dst)
    return "".join(ch for ch in form.translate(_YIDDISH_SINGLE) if ch.isascii())


def hebrew_slavic_readings(word: str) -> tuple[str, ...]:
    """Latin readings of a Slavic name in Hebrew letters (גוגול gogol, אנה ana, יוליה yulia);
    () for a word of fewer than three letters."""
    chars = [ch for ch in word if "\u05d0" <= ch <= "\u05ea" or ch in "'׳’"]
    letters = [ch for ch in chars if ch not in "'׳’"]
    if len(letters) in (2, 3) and not any(ch in _HEBREW_VOWEL_LETTERS for ch in letters):
        # A short word of consonants only leaves out a and e, which Hebrew does not write,
        # but would write o, u and i (כץ Кац, כצ Кац; לב Лев; Кос would be קוס): each gap
        # is a or e.
        first = {"ב": "b", "כ": "k", "פ": "p"}.get(letters[0], _HEBREW_SLAVIC.get(letters[0], ""))
        short = [first]
        for ch in letters[1:]:
            # After a vowel, ב כ פ without the dagesh are в, х, ф.
            after = _HEBREW_SLAVIC.get(ch, "").translate(_SOFT_BKP)
            short = [r + v + after for r in short for v in "ae"]
        return tuple(short)
    if len(letters) < 3:
        return ()
    out = []
    n = len(chars)
    i = 0
    while i < n:
        ch = chars[i]
        nxt = chars[i + 1] if i + 1 < n else ""
        if ch in "'׳’":
            i += 1
            continue
        if nxt in "'׳’" and ch in _GERESH:
            out.append(_GERESH[ch])
        elif ch in "וי" and nxt == ch:
            out.append("v" if ch == "ו" else "y")
            i += 1
        elif ch == "ו":
            out.append("v" if i == 0 or (nxt and nxt in _HEBREW_VOWEL_LETTERS) else "o")
        elif ch == "י":
            out.append("y" if i == 0 or (nxt and nxt in _HEBREW_VOWEL_LETTERS) else "i")
        elif ch == "א":
            out.append("" if i == 0 and nxt in "וי" else "a")
        elif ch == "ה" and i == n - 1:
            out.append("a")
        elif ch in "בכפ" and i == 0:
            out.append({"ב": "b", "כ": "k", "פ": "p"}[ch])
        else:
            out.append(_HEBREW_SLAVIC.get(ch, ""))
        i += 1
    text = "".join(out)
    if not text:
        return ()
    # Without the dagesh, ב כ פ inside a word are б or в, к or х, п or ф (גורבצ'וב Горбачёв,
    # מיכאיל Михаил).
    texts = [text]
    for mark, readings in (("B", ("v", "b")), ("K", ("k", "kh")), ("P", ("p", "f"))):
        if mark in text:
            texts = [t.replace(mark, r) for t in texts for r in readings]
    return tuple(dict.fromkeys(f for t in texts for f in (t, *_mixed_vowels(t))))


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_ARMENIAN = re.compile(r"[\u0530-\u058f]")
_KATAKANA = re.compile(r"[\u30a0-\u30ff]")
_GREEK = re.compile(r"[\u0370-\u03ff]")
_GEORGIAN = re.compile(r"[\u10a0-\u10ff]")
_HANGUL_INITIAL = {"g": "k", "b": "p", "d": "t"}


@lru_cache(maxsize=50_000)
def other_script_alternatives(word: str) -> frozenset[str]:
    """Other readings of a word in a script that is neither Latin nor Cyrillic.

    Chinese -ng is -н in the Cyrillic (Palladius) spelling (王 Wang, Ван); Korean initial
    g, b, d are k, p, t in the usual Latin and Cyrillic spellings (김 Gim: Kim, Ким).
    """
    latin = anyascii(word).lower()
    alts: set[str] = set()
    cyr_forms = han_cyrillic_readings(word) or hangul_cyrillic_readings(word)
    alts.update(cyrillic_key(f) for f in cyr_forms)
    if latin.endswith("ng") and len(latin) > 3:
        alts.add(latin_key(latin[:-1]))
    if _HANGUL.match(word) and latin[:1] in _HANGUL_INITIAL:
        alts.add(latin_key(_HANGUL_INITIAL[latin[0]] + latin[1:]))
    if _ARMENIAN.match(word) and latin.startswith("h"):
        # Russian drops the Armenian initial h and writes -op- for -ob- (Հակոբյան, Акопян),
        # and Ов- or Ог- for Հովհ- (Հովհաննես, Ованес, Оганес).
        alts.add(latin_key(latin[1:]))
        alts.add(latin_key(latin[1:].replace("b", "p")))
        alts.update(latin_key(form) for form in armenian_vh(latin[1:]))
    if word[:1] in _ABJAD:
        alts |= abjad_consonant_keys(word)
        alts |= abjad_skeletons(word)
        alts.update(latin_key(f) for f in arabic_slavic_readings(word))
        alts.update(latin_key(f) for f in hebrew_slavic_readings(word))
        if _HEBREW_LETTER.search(word):
            # ...or Yiddish, which spells its vowels (לייב Лейб beside a marked word).
            alts.add(latin_key(yiddish_latin(word)))
    if _GREEK.match(word):
        greek = _other_script_latin(word)
        forms = {greek}
        if greek.startswith("gi") and greek[2:3] in ("a", "e", "o", "u"):
            # γι before a vowel is y (Γιούρι, Юрий; Γιάννης, Янис).
            forms.add("y" + greek[2:])
        if "ng" in greek:
            # Transcriptions write γκ for g inside a word too (Γκαγκάριν, Гагарин)...
            forms.add(greek.replace("ng", "g"))
        if "mb" in greek or "nd" in greek:
            # ...and μπ, ντ for b, d (Μπούμπκα, Бубка; Λιντόφσκι, Лидовски).
            forms.add(greek.replace("mb", "b").replace("nd", "d"))
        if "ts" in greek or "dz" in greek:
            # τσ, τζ also write ч and дж (Γκορμπατσόφ, Горбачёв; Τζαμπάροφ, Джабаров).
            forms |= {f.replace("ts", "ch").replace("dz", "dzh") for f in forms}
        if re.search(r"f(?=[tskpc])", greek):
            # Greek writes в as φ before a voiceless consonant, as it is said (Σεφτσένκο,
            # Шевченко; Λεφτσένκο, Левченко).
            forms |= {re.sub(r"f(?=[tskpc])", "v", f) for f in forms}
        if greek.endswith("f") and len(greek) > 4:
            # Greek writes the Russian -ов, -ев as -οφ, -εφ (Ιβανόφ, Иванов).
            forms |= {f[:-1] + "v" for f in forms}
        alts.update(latin_key(f) for f in forms)
    if _GEORGIAN.match(word) and re.search(r"[^aeiou]i$", latin) and len(latin) > 4:
        # Georgian adds its nominative -ი to a name ending in a consonant (ივანოვი, Иванов).
        alts.add(latin_key(latin[:-1]))
    if _KATAKANA.match(word):
        # Katakana adds a vowel after every consonant but n: u anywhere, o after t and d
        # (ペトロフ petorofu); Russian -ov is written -ofu (Петров).
        latin = _other_script_latin(word)
        # The i of shi and chi is as silent before a consonant (テレシコワ, Терешкова) and at the
        # end (ヴィチ, -вич).
        silent = (
            r"(?<=[^aeiouy])u(?=[^aeiouy]|$)|(?<=[td])o(?=[^aeiouy])|(?<=[scz]h)i(?=[^aeiouy]|$)"
        )
        bare = re.sub(silent, "", latin)
        alts.add(latin_key(bare))
        # Japanese has one r for both r and l (ゼレンスキー, Зеленский); チ is also ти
        # (ワレンチナ, Валентина), since Japanese has no ti.
        ti = re.sub(silent, "", latin.replace("chi", "ti"))
        # Russian devoices в before a voiceless consonant, and katakana writes it フ
        # (シェフチェンコ, Шевченко).
        devoiced = re.sub(r"f(?=[^aeiouy]|$)", "v", bare)
        kana = [bare, re.sub(r"f$", "v", bare), devoiced, ti]
        # Japanese has no в before i and no soft sign: ビ is also ви (ビタリ Виталий), ヌイ and
        # ルイ are ны, лы (ナワリヌイ Навальный), a final リ is ль (ゴーゴリ Гоголь), ジ is з too.
        kana += [bare.replace("b", "v"), re.sub(r"(?<=[^aeiouy])ui", "y", bare)]
        # The u after a consonant is a real у as often (ザルジニー Залужный): the silent i alone.
        kana.append(re.sub(r"(?<=[scz]h)i(?=[^aeiouy]|$)", "", latin))
        if bare.endswith("ri") and len(bare) > 4:
            kana.append(bare[:-1])
        # シ is с too (ウシク Усик), and then its i is no silent one.
        if "shi" in latin:
            kana.append(re.sub(silent, "", latin.replace("shi", "si")))
        if "zh" in latin:
            # ...and ジ is зи too, whose i is no silent one (カジミール Казимир), and ди, as チ
            # is ти (ワジム Вадим, ロジオン Родион).
            kana.append(re.sub(silent, "", latin.replace("zhi", "zi").replace("zh", "z")))
            kana.append(re.sub(silent, "", latin.replace("zhi", "di")))
        if latin.startswith("ur"):
            # Japanese writes a word's вл- as ウラ (ウラジーミル Владимир, ウラジスラフ Владислав).
            kana += [
                "v" + re.sub(silent, "", form[1:]) for form in (latin, latin.replace("zhi", "di"))
            ]
        for form in dict.fromkeys(kana):
            alts.add(latin_key(form))
            alts.update(latin_key(f) for f in each_replacement(form, "r", "l"))
    alts.discard("")
    alts.discard(word_key(word))
    return frozenset(alts)


@lru_cache(maxsize=8192)
def script_of_char(ch: str) -> str:
    """ "cyrillic", "latin", "other", or "" for a character that is not a letter."""
    if not ch.isalpha() or "\u02b0" <= ch <= "\u02ff":
        # Modifier letters (ʹ ʼ ʻ) are apostrophes and soft signs in romanisations.
        return ""
    if "\u0400" <= ch <= "\u052f" or "\u1c80" <= ch <= "\u1c8f" or "\ua640" <= ch <= "\ua69f":
        return "cyrillic"
    if ch.isascii() or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff" or ch in "əƏ":
        return "latin"
    return "other"


def clean_word(word: str) -> str:
    """Lower case, NFC, without stress marks, apostrophes or any non-letter."""
    word = unicodedata.normalize("NFD", word.lower())
    word = "".join(ch for ch in word if ch not in _STRIP_MARKS)
    word = unicodedata.normalize("NFC", word)
    # NFD+NFC keeps й and ё; only the stress marks removed above are gone.
    return "".join(ch for ch in word if ch.isalpha() or unicodedata.combining(ch))


@lru_cache(maxsize=500_000)
def word_key(word: str) -> str:
    """Key of one word in any script ("" when it has no letters)."""
    if not word:
        return ""
    scripts = {script_of_char(ch) for ch in word} - {""}
    if scripts == {"cyrillic"}:
        return cyrillic_key(clean_word(word))
    if scripts <= {"latin"}:
        return latin_key(word)
    if "cyrillic" in scripts and "latin" not in scripts:
        return cyrillic_key(clean_word(word))
    if scripts == {"cyrillic", "latin"}:
        cyr = sum(script_of_char(ch) == "cyrillic" for ch in word)
        if cyr * 2 > sum(ch.isalpha() for ch in word):
            return cyrillic_key(clean_word(word))
        # A Cyrillic letter inside a Latin word (Hruščёv): its key letters, already resolved.
        return latin_key(
            "".join(
                _CYR.get(ch, ch).upper() if script_of_char(ch) == "cyrillic" else ch
                for ch in word.lower()
            )
        )
    if len(word) >= 3:
        # A long word of Chinese characters or Hangul is a transcribed foreign name: its
        # Cyrillic reading (泽连斯基, 젤렌스키: зеленски) is its key; short words, which are
        # Chinese and Korean names (王, 민수), keep their romanisation.
        cyr_forms = han_cyrillic_readings(word) or hangul_cyrillic_readings(word)
        if cyr_forms:
            return cyrillic_key(cyr_forms[0])
    # Other scripts (Greek, Georgian, Armenian, Arabic, ...) go through anyascii, then the
    # Latin rules; Greek and Armenian digraphs first, since anyascii spells them letter by letter.
    # Accents go (Greek tonos); the kana voicing marks (ペ = ヘ + ゜) are letters and stay.
    if _YIDDISH_MARK.search(unicodedata.normalize("NFD", word)):
        # Yiddish with its marks is read as it spells (גאָלדפֿאַרב, Гольдфарб).
        return latin_key(yiddish_latin(word))
    return latin_key(_other_script_latin(word))


def _other_script_latin(word: str) -> str:
    """The Latin spelling word_key reads a word of another script by (digraphs resolved)."""
    low = unicodedata.normalize(
        "NFC",
        "".join(
            ch
            for ch in unicodedata.normalize("NFD", word.lower())
            if not ("\u0300" <= ch <= "\u036f")
        ),
    )
    for pattern, dst in _OTHER_SCRIPT_DIGRAPHS:
        low = pattern.sub(dst, low)
    return anyascii(low).lower()


# Greek writes foreign d, b, g as ντ, μπ, γκ at the start of a word (and γκ after a
# consonant), nd, mb, ng inside it; ου is u and χ is х. Armenian ու is u.
_OTHER_SCRIPT_DIGRAPHS = [
    (re.compile(p), dst)
    for p, dst in [
        (r"\bντ|(?<=[^αεηιουω])ντ", "d"), (r"ντ", "nd"),
        (r"\bμπ|(?<=[^αεηιουω])μπ", "b"), (r"μπ", "mb"),
        (r"\bγκ|(?<=[^αεηιουω])γκ", "g"), (r"γκ|γγ", "ng"), (r"ου", "u"), (r"χ", "kh"),
        (r"τσ", "ts"), (r"τζ", "dz"), (r"ու", "u"),
        # Armenian ջ and Georgian ჯ are дж; anyascii's "j" would read as a glide and vanish
        # (ԱԼԱՋԱՋՅԱՆ Аладжаджян was "alan", a given name).
        (r"ջ|ჯ", "dzh"),
        # Hebrew ב כ פ are hard at the start of a word (the dagesh): b, k, p, not v, kh, f
        # (פטרנקו Петренко, בונדרנקו Бондаренко, כהן Коэн).
        (r"\bב", "b"), (r"\bכ", "k"), (r"\bפ", "p"),
        # Katakana writes foreign syllables with a small vowel (ヴォ vo, ディ di), which
        # anyascii spells letter by letter (vuo, dei).
        (r"ヴァ", "va"), (r"ヴィ", "vi"), (r"ヴェ", "ve"), (r"ヴォ", "vo"),
        (r"ヴャ", "vya"), (r"ヴュ", "vyu"), (r"ヴョ", "vyo"), (r"ヴ", "vu"),
        (r"ディ", "di"), (r"ティ", "ti"), (r"ドゥ", "du"), (r"トゥ", "tu"), (r"ファ", "fa"),
        (r"フィ", "fi"), (r"フェ", "fe"), (r"フォ", "fo"), (r"ジェ", "zhe"), (r"シェ", "she"),
        (r"チェ", "che"), (r"ツァ", "tsa"), (r"ツォ", "tso"), (r"イェ", "ye"), (r"ウィ", "wi"),
        # ジ writes ж (and з, a variant): anyascii's "ji" would read as a glide and vanish
        # (カジミール Казимир, ザルジニー Залужный).
        (r"ジャ", "zha"), (r"ジュ", "zhu"), (r"ジョ", "zho"), (r"ジ", "zhi"),
        (r"シャ", "sha"), (r"シュ", "shu"), (r"ショ", "sho"), (r"チャ", "cha"), (r"チュ", "chu"),
        (r"チョ", "cho"),
    ]
]  # fmt: skip


_LOOSE_VOWELS = re.compile(r"[eio]")


@lru_cache(maxsize=200_000)
def loose_key(key: str) -> str:
    """A looser key for surnames: e, i and o after the first letter fall together, and so
    do the hissing and the plain sibilants (c and s).

    Russian and Ukrainian spellings of one surname differ in the vowels (Белоус/Білоус,
    Черный/Чорний, Олейник/Олійник); a and u, which carry the female ending and more, stay.
    Press that drops its diacritics writes ж ш ч as plain z, s, c (Czech and Lithuanian
    Zukov, Sevcenko; Hungarian Timosenko, whose s is ш): one class here.
    """
    return (key[:1] + _LOOSE_VOWELS.sub("e", key[1:])).replace("c", "s")


# Letters OCR and hurried typing confuse, folded onto one: Cyrillic и/н, е/с, л/п, у/к land
# on i/n, e/s, l/p, u/k in the key; Latin rn/m and cl/d.
_OCR_FOLD = str.maketrans("nspk", "ielu")


@lru_cache(maxsize=200_000)
def ocr_key(key: str) -> str:
    """A key with the letters OCR confuses folded together (Лсвченко, Левченко -> one key).

    Used as one more surname variant: the two spellings of one surname agree, while two
    different surnames rarely differ only in these letters.
    """
    return key.replace("rn", "m").replace("cl", "d").translate(_OCR_FOLD)
