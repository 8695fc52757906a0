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
