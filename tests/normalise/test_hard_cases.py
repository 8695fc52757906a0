"""analyse_name on the cases the quality benchmark found hard (synthetic names only)."""

from __future__ import annotations

from kintrace.normalise import analyse_name


def _share(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a & b)


def test_it_reads_a_ukrainian_patronymic_of_oleksii_as_aleksei_not_aleksandr() -> None:
    uk = analyse_name("Голуб Олексій Олексійович")
    ru = analyse_name("Голуб Алексей Алексеевич")
    assert uk.patronymic == ru.patronymic
    assert uk.patronymic != analyse_name("Голуб Олексій Олександрович").patronymic


def test_it_lets_a_russian_initial_agree_with_the_ukrainian_name() -> None:
    # «В.М.» in a Ukrainian list is Василь Микитович; the Russian record says Никитич.
    listed = analyse_name("Єршов В.М.")
    full = analyse_name("Ершов Василий Никитич")
    assert listed.patronymic_initial == "m" and full.patronymic_initial == "n"
    assert _share(listed.patronymic_initials, full.patronymic_initials)
    assert _share(
        analyse_name("Гончар М.").given_initials, analyse_name("Гончар Николай").given_initials
    )


def test_it_lets_a_latin_y_initial_agree_with_an_iotated_name() -> None:
    assert _share(
        analyse_name("Y. Ivanov").given_initials, analyse_name("Юрий Иванов").given_initials
    )
    assert _share(
        analyse_name("Ю. Іванов").given_initials, analyse_name("Yevhen Ivanov").given_initials
    )


def test_it_takes_the_initial_of_a_pet_name_from_the_full_name() -> None:
    pet = analyse_name("Сашко Юрійович Кравчук")
    assert "o" in pet.given_initials and "s" not in pet.given_initials
    assert not _share(analyse_name("Кравчук М. Ю.").given_initials, pet.given_initials)
