"""analyse_name: the same (synthetic) man written by families, lists and foreign press."""

from __future__ import annotations

import pytest

from kintrace.normalise import NameAnalysis, analyse_name, analyse_names

# One synthetic man, the way the design brief writes him in every source.
SAME_MAN = [
    "Кислица Сергей Викторович",
    "Кислиця Сергій Вікторович",
    "Serhiy Kyslytsya",
    "Sergei Kislitsa",
    "Sergej Kisliza",
    "KYSLYTSIA SERHII VIKTOROVYCH",
    "Кислицы Сергея Викторовича",
    "Серёжа Кислица",
    "Kislitsa Sergey Viktorovich",
    "Kyslytsia, Serhii",
    "Сергей Викторович Кислица",
]


@pytest.mark.parametrize("written", SAME_MAN)
def test_it_gives_the_same_given_and_family_key_however_the_man_is_written(written: str) -> None:
    a = analyse_name(written)
    reference = analyse_name("Кислица Сергей Викторович")
    assert (a.given, a.family) == (reference.given, reference.family)
    assert a.sex == "M"


def test_it_keeps_the_name_as_written() -> None:
    assert analyse_name("Кислицы Сергея").original == "Кислицы Сергея"
    assert analyse_name(given_name="Сергей", family_name="Кислица").original == "Сергей Кислица"


def test_it_links_inflected_russian_to_ukrainian_nominative() -> None:
    inflected = analyse_name("ищу Иванова Сергея Петровича")
    nominative = analyse_name("Іванов Сергій Петрович")
    assert inflected.family == nominative.family
    assert inflected.given == nominative.given
    assert inflected.patronymic == nominative.patronymic
    # The written (inflected) form stays among the variants.
    assert analyse_name("Иванова").family in inflected.family_variants


def test_it_reads_a_female_surname_in_the_genitive_as_female() -> None:
    a = analyse_name("Ивановой Марии Петровны")
    assert a.family == analyse_name("Иванова Мария").family
    assert a.sex == "F"


def test_it_keeps_the_female_surname_apart_from_the_male_one() -> None:
    woman = analyse_name("Иванова Мария Петровна")
    man = analyse_name("Иванов Петр Сергеевич")
    assert woman.family != man.family
    assert man.family not in woman.family_variants
    assert (woman.sex, man.sex) == ("F", "M")


def test_it_brings_ukrainian_genitive_back_to_the_nominative() -> None:
    a = analyse_name("Кислиці Сергія Вікторовича")
    assert (a.given, a.family, a.patronymic) == (
        analyse_name("Кислиця Сергій Вікторович").given,
        analyse_name("Кислиця Сергій Вікторович").family,
        analyse_name("Кислиця Сергій Вікторович").patronymic,
    )


def test_non_slavic_names_in_cyrillic_survive_inflection_handling() -> None:
    a = analyse_name("Джон Смит")
    assert a.family and a.given
    assert analyse_name("Smith John").family == a.family
    # An unknown foreign name in an unknown order still shares its tokens.
    assert analyse_name("Кваме Асанте").tokens == analyse_name("Asante Kwame").tokens


@pytest.mark.parametrize(
    ("ru", "uk"),
    [
        ("Сергей", "Сергій"), ("Алексей", "Олексій"), ("Дмитрий", "Дмитро"),
        ("Николай", "Микола"), ("Александр", "Олександр"), ("Елена", "Олена"),
        ("Татьяна", "Тетяна"), ("Павел", "Павло"), ("Григорий", "Григорій"), ("Анна", "Ганна"),
    ],
)  # fmt: skip
def test_russian_and_ukrainian_given_names_share_one_key(ru: str, uk: str) -> None:
    assert analyse_name(given_name=ru).given == analyse_name(given_name=uk).given


@pytest.mark.parametrize(
    ("pet", "full"),
    [("Саша", "Александр"), ("Серёжа", "Сергей"), ("Дима", "Дмитрий"), ("Коля", "Николай"),
     ("Наташа", "Наталья"), ("Sasha", "Oleksandr"), ("Lyosha", "Alexei"), ("Вова", "Володимир")],
)  # fmt: skip
def test_a_pet_name_reaches_the_full_name(pet: str, full: str) -> None:
    a = analyse_name(given_name=pet)
    assert a.given == analyse_name(given_name=full).given
    assert analyse_name(given_name=full).given in a.given_variants


def test_a_pet_name_shared_by_both_sexes_follows_the_stated_sex() -> None:
    assert (
        analyse_name(given_name="Саша", sex="F").given
        == analyse_name(given_name="Александра").given
    )
    assert (
        analyse_name(given_name="Саша", sex="M").given == analyse_name(given_name="Александр").given
    )


@pytest.mark.parametrize(
    "patronymic",
    ["Викторович", "Вікторович", "Viktorovych", "Viktorovich", "Wiktorowicz", "Viktorowitsch",
     "Викторовна", "Вікторівна"],
)  # fmt: skip
def test_patronymic_key_is_the_fathers_name_in_every_spelling(patronymic: str) -> None:
    a = analyse_name(given_name="Сергей", patronymic=patronymic, family_name="Кислица")
    assert a.patronymic == analyse_name(given_name="Виктор").given
    assert a.patronymic_initial == "v"


def test_ukrainian_and_russian_patronymics_of_a_vowel_ending_name_meet() -> None:
    ru = analyse_name("Кислица Сергей Николаевич")
    uk = analyse_name("Кислиця Сергій Миколайович")
    assert ru.patronymic == uk.patronymic == analyse_name(given_name="Николай").given


def test_sex_comes_from_the_patronymic_and_the_given_name() -> None:
    assert analyse_name("Коваленко Олена Іванівна").sex == "F"
    assert analyse_name("Коваленко Іван Петрович").sex == "M"
    assert analyse_name("Коваленко Олена", sex="M").sex == "M"  # the stated sex wins


@pytest.mark.parametrize(
    "written", ["S. V. Kislitsa", "Кислица С.В.", "С. В. Кислица", "Kislitsa S.V.", "KISLITSA S V"]
)
def test_initials_are_read_as_initials(written: str) -> None:
    a = analyse_name(written)
    assert a.initials_only
    assert a.given == ""
    assert (a.given_initial, a.patronymic_initial) == ("s", "v")
    assert a.family == analyse_name("Кислица").family


def test_given_initial_of_a_full_name_matches_the_written_initial() -> None:
    assert analyse_name("Юрій Кислиця").given_initial == analyse_name("Кислица Ю.").given_initial
    assert (
        analyse_name("Yevhen Kyslytsia").given_initial == analyse_name("Кислица Е.").given_initial
    )


def test_surname_first_and_given_first_give_the_same_keys() -> None:
    a, b = analyse_name("Мельник Андрій"), analyse_name("Андрій Мельник")
    assert (a.given, a.family) == (b.given, b.family)


def test_upper_case_surname_in_a_list_is_the_surname() -> None:
    a = analyse_name("BONDARENKO Taras")
    assert a.family == analyse_name("Бондаренко").family
    assert a.given == analyse_name(given_name="Тарас").given


def test_hyphenated_surname_keeps_each_part_as_a_variant() -> None:
    a = analyse_name("Римский-Корсаков Николай")
    assert analyse_name("Корсаков").family in a.family_variants
    assert analyse_name("Rimsky-Korsakov Nikolai").family == a.family
    assert a.given == analyse_name(given_name="Николай").given


def test_double_given_name_keeps_both_parts() -> None:
    a = analyse_name(given_name="Анна-Мария", family_name="Петренко")
    assert {analyse_name(given_name="Анна").given, analyse_name(given_name="Мария").given} <= (
        a.given_variants | a.tokens
    )


@pytest.mark.parametrize(
    "written",
    ['Петренко Олег "Ворон"', "Петренко Олег «Ворон»", "Петренко Олег (Ворон)",
     "Петренко Олег, позывной Ворон", "Petrenko Oleh 'Voron'"],
)  # fmt: skip
def test_a_call_sign_in_quotes_or_brackets_is_taken_apart(written: str) -> None:
    a = analyse_name(written)
    assert a.call_sign == analyse_name(family_name="Ворон").family
    assert a.family == analyse_name("Петренко").family
    assert a.given == analyse_name(given_name="Олег").given


def test_latin_look_alike_letters_inside_cyrillic_are_repaired() -> None:
    # "С", "е", "р", "о" below are Latin letters typed inside Cyrillic words.
    a = analyse_name("Ceргей Kиcлицa")
    assert a.script == "cyrillic"
    assert (a.given, a.family) == (
        analyse_name("Сергей Кислица").given,
        analyse_name("Сергей Кислица").family,
    )


def test_ocr_digits_inside_a_word_are_read_as_letters() -> None:
    assert analyse_name("Петр0в Иван").family == analyse_name("Петров Иван").family


def test_text_typed_in_the_wrong_keyboard_layout_is_read_back() -> None:
    assert analyse_name("Cthutq Rbckbwf").given == analyse_name("Сергей").given
    assert analyse_name("Cthutq Rbckbwf").family == analyse_name("Кислица").family
    assert analyse_name("Ыукпун Лшыдшеыф").given == analyse_name("Sergey Kislitsa").given


def test_apostrophes_of_every_kind_give_one_key() -> None:
    keys = {analyse_name(given_name=n).given for n in ["В'ячеслав", "В’ячеслав", "Вʼячеслав"]}
    assert keys == {analyse_name(given_name="Вячеслав").given}


def test_stress_marks_and_yo_do_not_matter() -> None:
    assert analyse_name("Серге́й Фёдоров").family == analyse_name("Сергей Федоров").family


@pytest.mark.parametrize(
    ("written", "script", "language"),
    [
        ("Кислиця Сергій", "cyrillic", "uk"),
        ("Кислица Сергей", "cyrillic", "ru"),
        ("Сергій В'ячеславович", "cyrillic", "uk"),
        ("Кислица Сергей Артёмович", "cyrillic", "ru"),
        ("Serhii Kyslytsia", "latin", None),
        ("Кислица S.", "mixed", None),
        ("", "", None),
    ],
)
def test_it_detects_script_and_ru_or_uk(written: str, script: str, language: str | None) -> None:
    a = analyse_name(written)
    assert a.script == script
    if script == "cyrillic":
        assert a.language == language


def test_a_typo_stays_close_to_the_right_key() -> None:
    from rapidfuzz.distance import JaroWinkler

    right = analyse_name("Кислица Сергей").family
    typo = analyse_name("Кислитса Сергей").family
    other = analyse_name("Бондаренко Сергей").family
    assert JaroWinkler.similarity(right, typo) > 0.9 > JaroWinkler.similarity(right, other)


def test_tokens_hold_every_name_part_for_order_free_comparison() -> None:
    a = analyse_name("Кислица Сергей Викторович")
    assert {a.given, a.family, a.patronymic} <= a.tokens


def test_empty_and_none_inputs_give_an_empty_analysis() -> None:
    a = analyse_name()
    assert isinstance(a, NameAnalysis)
    assert (a.given, a.family, a.patronymic, a.script, a.tokens) == ("", "", "", "", frozenset())
    b = analyse_name(None, None, None, None, None)  # type: ignore[arg-type]
    assert b.family == ""


def test_a_lone_unknown_word_is_taken_as_the_surname() -> None:
    a = analyse_name("Бондаренко")
    assert a.family and not a.given


def test_a_father_name_in_the_patronymic_column_is_keyed_like_a_patronymic() -> None:
    assert (
        analyse_name(given_name="Сергей", patronymic="Виктор").patronymic
        == analyse_name("Кислица Сергей Викторович").patronymic
    )


@pytest.mark.parametrize(
    "written",
    ["Коваленко Олена (Бондаренко)", "Коваленко Олена (дів. Бондаренко)",
     "Kovalenko Olena (née Bondarenko)", "Коваленко (урожд. Бондаренко) Елена"],
)  # fmt: skip
def test_a_maiden_surname_in_brackets_is_a_family_variant_not_a_call_sign(written: str) -> None:
    a = analyse_name(written)
    assert a.family == analyse_name("Коваленко").family
    assert analyse_name("Бондаренко").family in a.family_variants
    assert a.call_sign == ""


def test_a_double_given_name_reads_the_same_hyphenated_or_not_and_keeps_both() -> None:
    spaced = analyse_name("Anna Maria Kovalenko")
    hyphen = analyse_name("Коваленко Анна-Марія")
    assert spaced.given == hyphen.given == analyse_name(given_name="Анна").given
    assert spaced.family == hyphen.family
    assert analyse_name(given_name="Мария").given in spaced.tokens & hyphen.tokens


def test_hungarian_sz_reaches_the_cyrillic_name() -> None:
    a = analyse_name("Kiszlica Szergej Viktorovics")
    assert a.given == analyse_name(given_name="Сергей").given
    assert a.patronymic == analyse_name("Кислица Сергей Викторович").patronymic
    assert analyse_name("Кислица").family in a.family_variants


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("БОЙКО Tаpaс Алексеевич", "Бойко Тарас Алексеевич"),  # only look-alikes: context
        ("Сaxнo Лариса", "Сахно Лариса"),  # н has no Latin twin: Cyrillic
        (
            "Poma Bogdanovich Kucher",
            "Roma Bogdanovich Kucher",
        ),  # only the Cyrillic reading is a name
    ],
)
def test_look_alike_letters_are_read_in_the_script_the_name_needs(written: str, clean: str) -> None:
    a, b = analyse_name(written), analyse_name(clean)
    assert (a.given, a.family) == (b.given, b.family)


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("Ntvf ,jqrj", "Тёма Бойко"),  # the comma key is б in the Cyrillic layout
        ("Lvbnhbz Ltybcjdbxf ;ehfdktdf", "Дмитрия Денисовича Журавлева"),
        (".hsq Ktdbwmrbq", "Юрий Левицкий"),
    ],
)
def test_wrong_layout_is_read_back_with_the_punctuation_keys(written: str, clean: str) -> None:
    a, b = analyse_name(written), analyse_name(clean)
    assert (a.given, a.patronymic, a.family) == (b.given, b.patronymic, b.family)


@pytest.mark.parametrize(
    ("inflected", "nominative"),
    [
        ("Шукаю Сергійка Клименка", "Сергійко Клименко"),
        ("Шукаю Владислава Валерійовича Лук'яненка", "Владислав Валерійович Лук'яненко"),
        ("Ищу Жданова Славу Сергеевича", "Жданов Слава Сергеевич"),
        ("Ищу Петренко Марию Ивановну", "Петренко Мария Ивановна"),
    ],
)
def test_inflected_names_from_enquiries_reach_the_nominative(
    inflected: str, nominative: str
) -> None:
    a, b = analyse_name(inflected), analyse_name(nominative)
    assert (a.given, a.patronymic, a.family, a.sex) == (b.given, b.patronymic, b.family, b.sex)


def test_the_batch_path_gives_what_analyse_name_gives_and_restores_the_collector() -> None:
    import gc

    names = [
        ("Кислица Сергей Викторович", None, None, None, None),
        ("", "Сергій", "Вікторович", "КИСЛИЦЯ", "M"),
        ("Firuz Sharipov", "", "", "", ""),
        ("Кислица Сергей Викторович", None, None, None, None),
    ]
    assert gc.isenabled()
    got = analyse_names(names)
    assert gc.isenabled()
    assert got == [analyse_name(*n) for n in names]
    assert got[0].family == got[1].family and got[2].family != got[0].family
