"""The Fellegi–Sunter comparisons, written as a Splink 5 settings dictionary.

This is the one definition of the model's structure: which columns are compared, the
levels of each comparison (as Splink SQL conditions over `<column>_l` / `<column>_r`), and
which levels carry a term-frequency adjustment. The m/u probabilities live in the shipped
JSON (`model/*.json`), produced by `kintrace.matching.training` from this structure.

Levels are tried top to bottom; the first whose condition holds is the pair's level. A
null level means "one side does not say": it moves the odds by nothing.
"""

from __future__ import annotations

from typing import Any

# (label, sql_condition, m, u) — m/u here are only the starting values for estimation —
# optionally followed by extra Splink level settings (a term-frequency adjustment).
Level = tuple[str, str, float, float] | tuple[str, str, float, float, dict[str, Any]]


def _null(*cols: str) -> str:
    return " OR ".join(f"({c}_l IS NULL OR {c}_r IS NULL)" for c in cols)


#: The two records do not read as a man and a woman (features' sex: given, or from the forms).
_SEX_NOT_DIFFERENT = "(sex_l IS NULL OR sex_r IS NULL OR sex_l = sex_r)"


def _name_levels(
    col: str,
    other: str | None,
    initial: str | None,
    *,
    fuzzy: bool,
    known: str | None = None,
) -> list[Level]:
    """Levels for a name part, optionally with an initial and a swapped-order check.

    Given names and patronymics come from a closed list of names, so "similar" strings are
    usually different names (Aleksandr/Aleksei): for them only a one-letter typo counts.
    Family names are open-ended, so graded string similarity is evidence there. With
    `known` (a features column: 1 when the normaliser's tables know the name), the levels
    of two letters and of similarity need at least one name the tables do not know: two
    real names that are no variants of each other (Ярослав / Мирослав, Николай / Никита)
    are two names and go on to the levels below; and no typo level holds for a man's and a
    woman's form (Евгений / Евгения).
    """
    levels: list[Level] = [
        ("exact", f"{col}_l = {col}_r", 0.7, 0.01),
        (
            "variants agree",
            f"list_has_any({col}_variants_l, {col}_variants_r)",
            0.15,
            0.002,
        ),
    ]
    if other is not None:
        levels.append(
            (
                "agree with name order swapped",
                f"list_has_any({col}_variants_l, {other}_variants_r) AND "
                f"list_has_any({other}_variants_l, {col}_variants_r)",
                0.01,
                0.0001,
            )
        )
    if fuzzy:
        levels += [
            (
                "very similar",
                f"jaro_winkler_similarity({col}_l, {col}_r) >= 0.92",
                0.06,
                0.005,
            ),
            (
                # A typo or OCR slip of two letters (Ноанкова/Новикова, Мепбник/Мельник)
                # in a surname long enough that two letters leave it recognisable: in five
                # or six letters two are a third of the name (Білик / Силин), so since
                # kintrace-fs-7 the shorter key needs seven.
                "two letters differ",
                f"least(length({col}_l), length({col}_r)) >= 7 AND "
                f"damerau_levenshtein({col}_l, {col}_r) <= 2",
                0.03,
                0.004,
            ),
            (
                "similar",
                f"jaro_winkler_similarity({col}_l, {col}_r) >= 0.8",
                0.04,
                0.03,
            ),
        ]
    else:
        # No slip turns a man's name into a woman's (Евгений / Евгения, Станислав /
        # Станислава: the records read as a man and a woman). And a slip of two letters needs
        # a name the tables do not know: two known names two letters apart (having missed the
        # levels above, no variants of each other: Ярослав / Мирослав) are two names. One
        # letter apart they may still be one name the tables spell two ways (Giorgi / Георгий
        # read gorgi / georgi, Moshe / Моисей moce / mose), so that level keeps them.
        one_slip, slip = "", ""
        # Two letters on a short name are another name, not a slip (Мамед / Рашад,
        # Баирма / Дарима, Ерлан / Нурлан, Манижа / Мадина: twins and brothers of one date
        # at p 1.000 in fs-8): since kintrace-fs-9 the level needs seven letters in the
        # shorter key, or the same first letter and (for given names) no known name at all.
        two_short = f"left({col}_l, 1) = left({col}_r, 1)"
        if known is None:
            # Patronymics have no `known` flag; one letter in front of a short key makes
            # another father's name (Айратович / Маратович, arat / marat; fs-9).
            one_slip = (
                f"(left({col}_l, 1) = left({col}_r, 1) OR "
                f"least(length({col}_l), length({col}_r)) >= 5) AND "
            )
            slip = one_slip
        else:
            two_short = f"{known}_l = 0 AND {known}_r = 0 AND {two_short}"
        two_slip = f"(least(length({col}_l), length({col}_r)) >= 7 OR ({two_short})) AND "
        if known is not None:
            # Two known names one letter apart that begin differently are two names
            # (Дарья / Мария, Ирина / Арина, Алина / Галина; since kintrace-fs-7).
            one_slip = (
                f"{_SEX_NOT_DIFFERENT} AND ({known}_l IS NULL OR {known}_r IS NULL OR "
                f"{known}_l = 0 OR {known}_r = 0 OR left({col}_l, 1) = left({col}_r, 1)) AND "
            )
            slip = (
                f"({known}_l IS NULL OR {known}_r IS NULL OR {known}_l = 0 OR {known}_r = 0) "
                f"AND {_SEX_NOT_DIFFERENT} AND "
            )
        levels += [
            (
                "one letter differs",
                f"{one_slip}length({col}_l) >= 4 AND damerau_levenshtein({col}_l, {col}_r) <= 1",
                0.04,
                0.002,
            ),
            (
                # OCR and typing slips of two letters in a longer name (Деиис/Денис reads as
                # des/denis, Віетор/Виктор as vetor/viktor); also Aleksandr/Aleksei, so its
                # weight is whatever the data says such a pair is worth.
                "two letters differ",
                f"{slip}{two_slip}length({col}_l) >= 3 AND length({col}_r) >= 3 AND "
                f"greatest(length({col}_l), length({col}_r)) >= 5 AND "
                f"damerau_levenshtein({col}_l, {col}_r) <= 2",
                0.02,
                0.004,
            ),
            (
                "similar",
                f"{slip}jaro_winkler_similarity({col}_l, {col}_r) >= 0.88",
                0.03,
                0.01,
            ),
        ]
    if initial is not None:
        levels.append(
            (
                "initial agrees, one side gives only the initial",
                f"({col}_l IS NULL OR {col}_r IS NULL) AND "
                f"list_has_any({initial}s_l, {initial}s_r)",
                0.05,
                0.06,
            )
        )
    return levels


#: Productive surname suffixes as they read in the family key (Шевченко cevcenko, Савчук
#: savcuk, Рудько rudko, Петров / Петрова, Ковальський / Ковальська kovalski / kovalska),
#: grouped so a man's and a woman's form share a group. A third of Ukrainian surnames end in
#: one of them.
_UKRAINIAN_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("enko",),
    ("cuk", "uk"),
    ("ko",),
)
#: The commonest endings of all (-ов, -ев, -ин, -ский): two surnames that share one and
#: differ in their stems (Новиков / Вишняков) share nothing a slip explains, so since
#: kintrace-fs-7 no slip level takes them (since fs-8: "two different surnames").
_COMMON_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("ov", "ova", "ev", "eva"),
    ("in", "ina"),
    ("ski", "ska"),
)
_SURNAME_SUFFIXES = _UKRAINIAN_SUFFIXES + _COMMON_SUFFIXES


def _ends(side: str, suffix: str) -> str:
    return f"right(family_{side}, {len(suffix)}) = '{suffix}'"


def _stems_apart(
    groups: tuple[tuple[str, ...], ...] = _SURNAME_SUFFIXES, *, part: str = "both"
) -> str:
    """SQL: the two family keys are different surnames made with a productive suffix, so no
    slip level may read them as one: they end in suffixes of different groups (Ковальчук /
    Коваленко), or in one suffix with stems whose difference is at least half the shorter
    stem (Шевч|енко / Савч|енко, Ковал|енко / Клим|енко, Сав|чук / Шев|чук). A common
    suffix changes no edit distance, so the stems' distance is the keys'. A slip in a longer
    stem stays a slip (Новикова / Ноанкова: two letters of a five-letter stem).
    `part`: "same" (one suffix, stems apart), "groups" (suffixes of different groups) or both."""
    distance = "damerau_levenshtein(family_l, family_r)"
    same = []
    for group in groups:
        for suffix in group:
            stem = f"least(length(family_l), length(family_r)) - {len(suffix)}"
            same.append(
                f"({_ends('l', suffix)} AND {_ends('r', suffix)} AND "
                f"{stem} - {distance} <= {distance})"
            )
    any_l = " OR ".join(_ends("l", x) for group in groups for x in group)
    any_r = " OR ".join(_ends("r", x) for group in groups for x in group)
    one_group = " OR ".join(
        f"(({' OR '.join(_ends('l', x) for x in group)}) AND "
        f"({' OR '.join(_ends('r', x) for x in group)}))"
        for group in groups
    )
    other_groups = f"(({any_l}) AND ({any_r}) AND NOT ({one_group}))"
    if part == "same":
        return f"({' OR '.join(same)})"
    if part == "groups":
        return other_groups
    return f"({' OR '.join(same)} OR {other_groups})"


def _family_levels() -> list[Level]:
    """The name levels, with "plus a surname suffix" and "one suffix, different stems" before
    the similarity levels that would read Мельник / Мельников or Шевченко / Савченко as a
    slip."""
    levels = _name_levels("family", "given", None, fuzzy=True)
    at = next(i for i, lvl in enumerate(levels) if lvl[0] == "very similar")
    # Two surnames that are plainly two families (Новиков / Вишняков, Гриценко / Степанов)
    # meet their own level before the slip levels, which therefore need no test of their
    # own against a common ending (since kintrace-fs-8).
    return [*levels[:at], _FAMILY_SUFFIX, _FAMILY_PART, _FAMILY_STEMS, _FAMILY_APART, *levels[at:]]


#: Family-name levels below "variants agree" that also weigh by how rare the name is (weight
#: of the term-frequency adjustment; Splink takes the commoner of the two spellings): a
#: slip in a rare surname (Щукишин / Щукишнаи) is rarer by chance than one in Коваленко.
FAMILY_PARTIAL_TF: dict[str, float] = {"very similar": 0.5, "two letters differ": 0.5}
#: A family-name agreement's term-frequency bonus taken back (see _relative_levels).
CANCEL_FAMILY_TF: dict[str, Any] = {
    "tf_adjustment_column": "family",
    "tf_adjustment_weight": -1.0,
    "tf_minimum_u_value": 1e-5,
    "disable_tf_exact_match_detection": True,
}
#: Label prefix of the context levels (training.py fits them on labelled pairs).
RELATIVE_LABEL = "different, though"


#: Given names that differ where one of them is no name the normaliser knows (features'
#: `given_known` = 0) yet still looks like the other — the same initial and Jaro-Winkler
#: >= 0.68 (0.6 until kintrace-fs-9, which let Βλαντιμίρ / Виталий in at 0.62): a slip or an
#: OCR misreading past two letters (Мгнхаип / Михаил 0.77, Деиис /
#: Денис 0.69), a pet name no table has. Such a pair says little either way, and it must
#: not reach the twin levels below, which rest on two brothers having been given different
#: names. An unknown name unlike the other (Саид / Сергей 0.51; Тигран / Богдан 0.67, but
#: another initial: names of other languages the tables lack, not slips) goes on to them.
#: Since kintrace-fs-10 the lengths may differ by two letters at most: a slip or a misread
#: letter keeps a name's length, another name need not (Віталь / Vladimir, vital / vladimir
#: 0.68: the Klitschko brothers met at 0.506 in fs-9, +2.6 bits).
_UNKNOWN_GIVEN: Level = (
    "different, one of them is not a known name (a slip?)",
    "(given_known_l = 0 OR given_known_r = 0) AND "
    f"{_SEX_NOT_DIFFERENT} AND "
    "list_has_any(given_initials_l, given_initials_r) AND "
    "jaro_winkler_similarity(given_l, given_r) >= 0.68 AND "
    "abs(length(given_l) - length(given_r)) <= 2",
    0.02,
    0.02,
)


def _relative_levels() -> list[Level]:
    """Given names that disagree where the rest says "the same family": twins and brothers.

    The comparisons are summed as if independent, but surname, patronymic, birth date and
    place are shared by twins (and all but the date by brothers), so among pairs agreeing
    on them a non-match is far likelier than the product of their random-agreement rates
    says; the given name is then the field that tells the men apart. These levels let the
    disagreement weigh by context; their weights are fitted on labelled candidate pairs of
    the training worlds (training.py), not read off random pairs. A rare surname shared
    says "one family", not "one man": the level takes back the family agreement's
    term-frequency bonus (a weight of -1 on the family's term frequency), so a twin with a
    rare name is kept apart as surely as one with a common name.
    """
    birth_year = "birth_y_l = birth_y_r"
    patronymic = (
        "(patronymic_l = patronymic_r OR "
        "list_has_any(patronymic_variants_l, patronymic_variants_r))"
    )
    # A slip in the surname (Панук / Панчук) does not make two brothers one man.
    family = _FAMILY_AGREES
    # Both names must be real ones (features' `given_known`): a slip or an unknown pet name
    # meets the level "not a known name" above first. (Until kintrace-fs-3 each level came
    # twice, the initials agreeing or not, to spare such pet names; that is no longer needed.)
    # Since kintrace-fs-7 the levels say so themselves: they need a full given name on one
    # side at least, and two known names or different initials (Zurab / Богдан: a name of
    # another language the tables lack; С. / Богдан). Two initials (Базавлученко О.П. / А.П.:
    # Олександр in two languages) or an unknown word of the same initial (Лиия / Лілія, a
    # slip) are no evidence of a brother and stay "different". Since kintrace-fs-11 a man's
    # and a woman's record (features' sex, given or read from the forms) are two names
    # whatever the tables know: a slip does not change the sex, and a brother and sister
    # (Юлдашев Жасур / Юлдашева Жасмина, one birth date, Жасмина unknown to the tables) went
    # to "different" (-6.4) and linked at 0.92. (The slip level above, for the same
    # reason, already needs the sexes not to differ.) Not for two forms of one word
    # (Jaro-Winkler >= 0.88): a man's genitive reads as a woman's name (Алиева Гейдара ~
    # Алиев Гейдар, gedara / gedar 0.97), and the sex read from it is then wrong.
    two_names = (
        "NOT (given_l IS NULL AND given_r IS NULL) AND "
        "((given_known_l = 1 AND given_known_r = 1) OR "
        "NOT list_has_any(given_initials_l, given_initials_r) OR "
        "(sex_l <> sex_r AND jaro_winkler_similarity(given_l, given_r) < 0.88))"
    )
    family = f"{two_names} AND {family}"
    return [
        (
            f"{RELATIVE_LABEL} family name and birth year agree (a twin or a brother?)",
            f"{family} AND {birth_year}",
            0.004,
            0.9,
            CANCEL_FAMILY_TF,
        ),
        (
            f"{RELATIVE_LABEL} family name and patronymic agree (a brother?)",
            f"{family} AND {patronymic}",
            0.004,
            0.9,
            CANCEL_FAMILY_TF,
        ),
    ]


#: The family agrees: exact, through a variant, or as alike as the family's "similar" level
#: (Панук / Панчук; since kintrace-fs-9 Jaro-Winkler 0.8, not 0.92: «Nicolae Cojocaru» /
#: «Богдан Кожокару» of one birth date, kosaru / kocokaru 0.86, are two known names in one
#: family, and with the twin level out of reach they linked at 0.59).
_FAMILY_AGREES = (
    "(family_l = family_r OR list_has_any(family_variants_l, family_variants_r) OR "
    "jaro_winkler_similarity(family_l, family_r) >= 0.8)"
)


#: Surname suffixes (as they read in the family key, 2-5 letters: -ов, -ко, -ук, -чук,
#: -енко, -ович…) make a new surname from a word: Мельник / Мельников, Бондар / Бондаренко,
#: Коваль / Ковальчук are different families, not a slip. In the SQL the level evaluators
#: read, "one is the other plus a suffix" is: the keys share their first four letters, the
#: longer has 2-5 letters more, and those are all the edit there is (Levenshtein distance =
#: length difference: letters only added). The feminine -а (Зайцев / Зайцева) is one letter,
#: left to the variants and the sex.
_FAMILY_SUFFIX: Level = (
    "one is the other plus a surname suffix (another family?)",
    "least(length(family_l), length(family_r)) >= 4 AND "
    "left(family_l, 4) = left(family_r, 4) AND "
    "abs(length(family_l) - length(family_r)) >= 2 AND "
    "abs(length(family_l) - length(family_r)) <= 5 AND "
    "levenshtein(family_l, family_r) = abs(length(family_l) - length(family_r))",
    0.002,
    0.002,
)


#: One record gives a double surname (Морозов-Пилипенко, keyed morosovpilipenko), the other
#: one of its parts with a slip (Пилипеко): the shorter key is, but for at most two letters,
#: read inside the longer one, and the longer has at least five letters more (a surname
#: suffix is at most five). A part without a slip is a variant already (since fs-6).
_FAMILY_PART: Level = (
    "one is a part of the other's double surname, with a slip",
    "least(length(family_l), length(family_r)) >= 6 AND "
    "abs(length(family_l) - length(family_r)) >= 5 AND "
    "levenshtein(family_l, family_r) - abs(length(family_l) - length(family_r)) <= 2",
    0.002,
    0.0005,
)


#: Two surnames made with a productive Ukrainian suffix from different stems (see
#: _stems_apart: Шевченко / Савченко, Рудько / Руденко), with its own level so neither the
#: slip levels nor "different" fit around them. Since kintrace-fs-7 only the Ukrainian
#: suffixes, whose stems are short; the common endings (-ов, -ин, -ский) are "different".
#: Since kintrace-fs-10 only one suffix: two suffixes of different groups on one stem
#: (Шевчук / Шевченко, Ткачук / Ткаченко, Ковальчук / Коваленко) are no slip a typist or a
#: scanner makes but two families, and go on to "two different surnames" as other
#: suffixes of different groups do (Иванов / Иваненко). In fs-9 they weighed -0.8 bits here,
#: and «Шевчук Петро Іванович, 1980» / «Шевченко Петро Іванович, 1980» came out at 0.86; on
#: the dev seed's classic link every such candidate pair was two people, while the slips of
#: this level (Босько / Боко, Коваленко / Коваслєнко) keep one suffix.
_FAMILY_STEMS: Level = (
    "one surname suffix, different stems (another family?)",
    # Only pairs a slip level below would take: Петренко / Левченко stay "different".
    f"{_stems_apart(_UKRAINIAN_SUFFIXES, part='same')} AND "
    "(jaro_winkler_similarity(family_l, family_r) >= 0.8 OR "
    "(least(length(family_l), length(family_r)) >= 7 AND "
    "damerau_levenshtein(family_l, family_r) <= 2))",
    0.002,
    0.002,
)


#: Two surnames that are neither a form, a variant nor a slip of each other: two suffixes
#: of different groups (Иванов / Иваненко, Ковалевская / Коваленко), one common ending on
#: different stems (see _stems_apart: Новиков / Вишняков, novikov / vicnakov 0.81) unless
#: the keys are as alike as a slip makes them (Jaro-Winkler 0.88 or more: Зуев / ЗЄВ
#: suev / sev, Сергеев / Ссргсев, which fs-7 called "different"), or two keys of
#: four letters or more that hardly look alike (below 0.75: Гриценко / Степанов 0.58; two
#: letters of five changed, Білик / Силин, 0.73). Until kintrace-fs-8 these were
#: "different", which also holds a short key or a surname garbled or half read (Jaro-Winkler
#: 0.75-0.8): that mixture fitted to only -3.9 bits, and a shared birth date (+13.8) and
#: given name outweighed it, so in a file of 30,000 the same-day namesakes of one given
#: name linked. Apart, the level weighs what two families weigh.
_FAMILY_APART: Level = (
    "two different surnames",
    f"{_stems_apart(part='groups')} OR "
    f"({_stems_apart(part='same')} AND jaro_winkler_similarity(family_l, family_r) < 0.88) OR "
    "(least(length(family_l), length(family_r)) >= 4 AND "
    "jaro_winkler_similarity(family_l, family_r) < 0.75)",
    0.002,
    0.9,
)


#: Levels whose weight is the m/u estimate, not refitted on the candidate pairs of one world
#: (training.fit_weights): the pairs that meet "two different surnames" and agree on the
#: rest are namesakes sharing a given name and a birth day, whose number grows with the
#: file; a fitting world of 5,000 persons has next to none, so the refit read the level as
#: a garble among copies (-5.1 bits) and a file of 30,000 linked the namesakes.
ESTIMATE_ONLY_LABELS = frozenset({_FAMILY_APART[0]})
#: The same, by level condition: an exact birth date. Its estimate (true pairs against random
#: pairs) is what a shared birthday is worth among strangers; refitted on one world of 5,000
#: persons it rose with each refit (fs-7 +13.8, fs-8 +14.6, +15.6 in a first fs-9 fit) as
#: the twins and brothers it had to cover for got their own levels, while that world holds
#: next to none of the same-day namesakes a file of 30,000 has (since kintrace-fs-9).
EXACT_BIRTH_DATE = "birth_y_l = birth_y_r AND birth_m_l = birth_m_r AND birth_d_l = birth_d_r"
ESTIMATE_ONLY_CONDITIONS = frozenset({EXACT_BIRTH_DATE})


#: Levels that are no weaker form of the level above them, so training keeps their weight
#: out of the monotone order (the context levels are told by RELATIVE_LABEL).
UNORDERED_LABELS = frozenset(
    {_FAMILY_SUFFIX[0], _FAMILY_PART[0], _FAMILY_STEMS[0], _FAMILY_APART[0]}
)


def _comparison(
    name: str,
    description: str,
    null_sql: str,
    levels: list[Level],
    else_m: float,
    else_u: float,
    tf_column: str | None = None,
    tf_minimum_u: float = 0.0,
    tf_partial: dict[str, float] | None = None,
) -> dict[str, Any]:
    out_levels: list[dict[str, Any]] = [
        {"sql_condition": null_sql, "label_for_charts": "not given", "is_null_level": True}
    ]
    for i, (label, sql, m, u, *extra) in enumerate(levels):
        lvl: dict[str, Any] = {
            "sql_condition": sql,
            "label_for_charts": label,
            "m_probability": m,
            "u_probability": u,
        }
        for more in extra:
            lvl.update(more)
        # The exact level and the variant level are term-frequency adjusted: a rare surname
        # agreeing through a transliteration is as telling as one agreeing as written.
        if tf_column is not None and (i == 0 or label == "variants agree"):
            lvl["tf_adjustment_column"] = tf_column
            lvl["tf_adjustment_weight"] = 1.0
            lvl["tf_minimum_u_value"] = tf_minimum_u
        elif tf_column is not None and label in (tf_partial or {}):
            lvl["tf_adjustment_column"] = tf_column
            lvl["tf_adjustment_weight"] = (tf_partial or {})[label]
            lvl["tf_minimum_u_value"] = tf_minimum_u
        out_levels.append(lvl)
    out_levels.append(
        {
            "sql_condition": "ELSE",
            "label_for_charts": "different",
            "m_probability": else_m,
            "u_probability": else_u,
        }
    )
    return {
        "output_column_name": name,
        "comparison_description": description,
        "comparison_levels": out_levels,
    }


#: Two years one typed digit apart: up to ten years (the last digit, or the decade by one)
#: or another decade (1985 / 1965). The real-time evaluator reads no modulo, so the decades
#: are listed. (Two swapped digits, 1985 / 1958, would need the digits themselves: a
#: difference of 27 is also 1960 / 1987.)
_YEAR_SLIP = " OR ".join(
    ["abs(birth_y_l - birth_y_r) <= 10"]
    + [f"abs(birth_y_l - birth_y_r) = {d}" for d in range(20, 100, 10)]
)


def _date_levels() -> list[Level]:
    return [
        ("exact", EXACT_BIRTH_DATE, 0.8, 0.0001),
        (
            "day and month swapped",
            "birth_y_l = birth_y_r AND birth_d_l = birth_m_r AND birth_m_l = birth_d_r",
            0.02,
            0.00005,
        ),
        (
            "year agrees, the rest is not given on one side",
            "birth_y_l = birth_y_r AND (birth_m_l IS NULL OR birth_m_r IS NULL OR "
            "(birth_m_l = birth_m_r AND (birth_d_l IS NULL OR birth_d_r IS NULL)))",
            0.06,
            0.025,
        ),
        (
            "year agrees, day or month differs",
            "birth_y_l = birth_y_r AND (birth_m_l = birth_m_r OR birth_d_l = birth_d_r)",
            0.03,
            0.0025,
        ),
        (
            # A year typed with one digit wrong (1985 / 1965) is as much a slip as 1985 /
            # 1986; until kintrace-fs-10 only years up to ten apart met this level, and the
            # others were "different" (-11 bits).
            "day and month agree, year differs",
            f"birth_m_l = birth_m_r AND birth_d_l = birth_d_r AND ({_YEAR_SLIP})",
            0.02,
            0.0003,
        ),
        (
            # A year worked out from an age («aged 30» in a report) is a year off as often as
            # not; with a full date on both sides a year apart is a sibling's (since fs-6).
            "years one apart, the rest is not given on one side",
            "abs(birth_y_l - birth_y_r) = 1 AND (birth_m_l IS NULL OR birth_m_r IS NULL OR "
            "(birth_m_l = birth_m_r AND (birth_d_l IS NULL OR birth_d_r IS NULL)))",
            0.02,
            0.02,
        ),
        ("only the year agrees", "birth_y_l = birth_y_r", 0.01, 0.02),
        # A year apart with the day or the month kept is a slip; two dates a year apart that
        # share neither day nor month look like a sibling's (ГАРИПОВ Фарит 1968-12-25 /
        # Марат 1969-08-14 at 0.92 in fs-8), so since kintrace-fs-9 they have their own
        # level, weighed by what the data says, apart from the slips (and from "different").
        (
            "years one apart",
            "abs(birth_y_l - birth_y_r) = 1 AND (birth_m_l = birth_m_r OR birth_d_l = birth_d_r)",
            0.02,
            0.05,
        ),
        (
            "years one apart, day and month differ",
            "abs(birth_y_l - birth_y_r) = 1",
            0.01,
            0.05,
        ),
    ]


def _post_number(side: str) -> str:
    """SQL: the unit is a field-post number, which the normaliser writes «vc 12345» / «vc
    a1234» (normalise/units.py)."""
    return f"left(unit_{side}, 3) = 'vc '"


def _simple_levels(col: str, fuzzy: bool) -> list[Level]:
    levels: list[Level] = [("exact", f"{col}_l = {col}_r", 0.8, 0.01)]
    if fuzzy:
        levels.append(
            ("very similar", f"jaro_winkler_similarity({col}_l, {col}_r) >= 0.9", 0.08, 0.005)
        )
    return levels


def comparisons() -> list[dict[str, Any]]:
    """The model's comparisons as Splink comparison dictionaries (starting m/u values)."""
    return [
        _comparison(
            "family_name",
            "Family name",
            _null("family"),
            _family_levels(),
            0.02,
            0.95,
            tf_column="family",
            tf_minimum_u=1e-5,
            tf_partial=FAMILY_PARTIAL_TF,
        ),
        _comparison(
            "given_name",
            "Given name",
            "(given_l IS NULL AND given_initial_l IS NULL) OR "
            "(given_r IS NULL AND given_initial_r IS NULL)",
            [
                *_name_levels("given", "family", "given_initial", fuzzy=False, known="given_known"),
                _UNKNOWN_GIVEN,
                *_relative_levels(),
            ],
            0.01,
            0.9,
            tf_column="given",
            tf_minimum_u=1e-4,
        ),
        _comparison(
            "patronymic",
            "Patronymic (father's given name)",
            "(patronymic_l IS NULL AND patronymic_initial_l IS NULL) OR "
            "(patronymic_r IS NULL AND patronymic_initial_r IS NULL)",
            _name_levels("patronymic", None, "patronymic_initial", fuzzy=False),
            0.01,
            0.9,
        ),
        _comparison("birth_date", "Date of birth", _null("birth_y"), _date_levels(), 0.002, 0.9),
        _comparison(
            "birth_place",
            "Place of birth",
            _null("birth_place"),
            _simple_levels("birth_place", True),
            0.12,
            0.985,
        ),
        _comparison("sex", "Sex", _null("sex"), [("same", "sex_l = sex_r", 0.99, 0.5)], 0.01, 0.5),
        _comparison(
            "mother_maiden_name",
            "Mother's maiden name",
            _null("mother"),
            [
                ("exact", "mother_l = mother_r", 0.75, 0.003),
                (
                    "variants agree",
                    "list_has_any(mother_variants_l, mother_variants_r)",
                    0.1,
                    0.002,
                ),
                ("very similar", "jaro_winkler_similarity(mother_l, mother_r) >= 0.9", 0.07, 0.005),
            ],
            0.08,
            0.99,
        ),
        _comparison(
            "service_number",
            "Service number",
            _null("service_number"),
            [
                ("exact", "service_number_l = service_number_r", 0.9, 1e-6),
                (
                    "one character differs",
                    "levenshtein(service_number_l, service_number_r) <= 1",
                    0.06,
                    1e-5,
                ),
                (
                    "two characters differ",
                    "levenshtein(service_number_l, service_number_r) <= 2",
                    0.01,
                    2e-5,
                ),
            ],
            # Two different service numbers all but rule out one man (twins and namesakes
            # differ here): a slip of a character or two has its own level above.
            1e-5,
            0.99999,
        ),
        _comparison(
            "military_unit",
            "Military unit",
            _null("unit"),
            [
                ("same", "unit_l = unit_r", 0.7, 0.02),
                # «в/ч А1234» and «24 brigade» may be one unit: a field-post number and a
                # unit's name cannot be compared, so their disagreement is its own level.
                (
                    "a field-post number against a unit's name",
                    f"({_post_number('l')}) <> ({_post_number('r')})",
                    0.15,
                    0.5,
                ),
            ],
            0.3,
            0.98,
        ),
        _comparison(
            "capture_date",
            "Date of capture",
            _null("capture_date"),
            [
                ("exact", "capture_date_l = capture_date_r", 0.6, 0.002),
                ("same month", "left(capture_date_l, 7) = left(capture_date_r, 7)", 0.25, 0.03),
            ],
            0.15,
            0.97,
        ),
        _comparison(
            "capture_place",
            "Place of capture",
            _null("capture_place"),
            _simple_levels("capture_place", True),
            0.25,
            0.985,
        ),
    ]


def settings_dict(probability_two_random_records_match: float = 1e-6) -> dict[str, Any]:
    """A complete Splink 5 settings dictionary for the model (dedupe form, id column `rid`)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "rid",
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "sql_dialect": "duckdb",
    }
