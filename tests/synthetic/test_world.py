"""The synthetic world: deterministic, plausible, with families and namesakes to tell apart."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from kintrace.synthetic import EXCHANGE_COLUMNS, iter_world, make_world

CYRILLIC = re.compile(r"^[А-ЯЁЄІЇҐа-яёєіїґʼ'’ -]+$")


@pytest.fixture(scope="module")
def world():
    return make_world(seed=7, persons=1000)


def test_the_same_seed_gives_the_same_world(world):
    again = make_world(seed=7, persons=1000)
    assert [p.__repr__() for p in again.persons] == [p.__repr__() for p in world.persons]
    assert [r.exchange_row() for r in again.reports] == [r.exchange_row() for r in world.reports]
    assert [e.exchange_row() for e in again.enquiries] == [
        e.exchange_row() for e in world.enquiries
    ]


def test_another_seed_gives_other_people(world):
    other = make_world(seed=8, persons=1000)
    assert [p.family for p in other.persons[:50]] != [p.family for p in world.persons[:50]]


def test_streaming_gives_the_same_people_as_the_whole_world(world):
    streamed = [b.person.person_id + b.person.family for b in iter_world(seed=7, persons=1000)]
    assert streamed == [p.person_id + p.family for p in world.persons]


def test_it_makes_exactly_the_persons_asked_for_with_unique_ids(world):
    assert len(world.persons) == 1000
    for ids in (
        [p.person_id for p in world.persons],
        [r.report_id for r in world.reports],
        [e.enquiry_id for e in world.enquiries],
    ):
        assert len(ids) == len(set(ids))


def test_there_are_enough_reports_and_enquiries_for_a_demo(world):
    assert 1200 <= len(world.reports) <= 2500
    assert 200 <= len(world.enquiries) <= 500


def test_each_side_writes_its_own_people_in_its_own_cyrillic(world):
    for p in world.persons:
        assert CYRILLIC.match(f"{p.given} {p.patronymic} {p.family}"), p.person_id
    uk = " ".join(p.given + p.patronymic for p in world.persons if p.side == "ua")
    ru = " ".join(p.given + p.patronymic for p in world.persons if p.side == "ru")
    assert "і" in uk and not set("ыэъё") & set(uk)
    assert not set("іїєґ") & set(ru)


def test_both_sides_soldiers_and_civilians_are_present(world):
    kinds = Counter((p.side, p.civilian) for p in world.persons)
    assert all(kinds[(side, civ)] >= 50 for side in ("ua", "ru") for civ in (True, False))
    soldiers = [p for p in world.persons if not p.civilian]
    assert all(p.military_unit.startswith("в/ч ") and p.service_number and p.rank for p in soldiers)
    assert all(1940 <= p.birth_date.year <= 2008 for p in world.persons)


def test_women_carry_female_surnames_and_patronymics(world):
    women = [p for p in world.persons if p.sex == "F"]
    assert women
    assert all(p.patronymic.endswith(("вна", "чна", "ична")) for p in women)
    assert any(p.family.endswith(("ова", "ева", "іна", "ина")) for p in women)


def test_siblings_share_surname_and_patronymic(world):
    by_id = {p.person_id: p for p in world.persons}
    pairs = [(p, by_id[s]) for p in world.persons for s in p.sibling_ids]
    assert len(pairs) >= 50
    for a, b in pairs:
        assert a.sibling_ids and b.person_id in a.sibling_ids and a.person_id in b.sibling_ids
        assert a.surname_ref == b.surname_ref and a.father_ref == b.father_ref
        assert a.given_ref != b.given_ref


def test_some_fathers_and_sons_share_the_given_name(world):
    by_id = {p.person_id: p for p in world.persons}
    sons = [p for p in world.persons if p.father_id]
    assert len(sons) >= 30
    for son in sons:
        father = by_id[son.father_id]
        assert son.father_ref == father.given_ref and son.family == father.family
        assert son.birth_date.year - father.birth_date.year >= 20
    assert any(by_id[s.father_id].given == s.given for s in sons)


def test_namesakes_exist_born_elsewhere_or_at_another_date(world):
    names = Counter((p.given, p.patronymic, p.family) for p in world.persons)
    namesakes = [n for n, k in names.items() if k > 1]
    assert len(namesakes) >= 5


def test_reports_and_enquiries_point_at_real_persons_of_the_world(world):
    ids = {p.person_id for p in world.persons}
    assert {r.person_id for r in world.reports} <= ids
    assert {e.person_id for e in world.enquiries} <= ids
    assert {r.source for r in world.reports} <= {s.name for s in world.sources}


def test_the_other_sides_lists_write_the_other_cyrillic(world):
    by_id = {p.person_id: p for p in world.persons}
    ru_bureau = next(s.name for s in world.sources if s.kind == "bureau" and s.party == "ru")
    written = [
        r for r in world.reports if r.source == ru_bureau and by_id[r.person_id].side == "ua"
    ]
    assert written
    assert not any(set("іїєґ") & set(r.full_name) for r in written)
    assert any(r.full_name.lower() != by_id[r.person_id].family.lower() for r in written)


def test_latin_sources_romanise_names(world):
    latin = [r for r in world.reports if "script:en" in r.phenomena]
    assert latin
    assert all(r.full_name.isascii() for r in latin)


def test_exchange_rows_have_the_contract_columns_and_valid_dates(world):
    date_re = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|\d{2}\.\d{2}\.\d{4})?$")
    for rec in [*world.reports, *world.enquiries]:
        row = rec.exchange_row()
        assert tuple(row) == EXCHANGE_COLUMNS
        assert row["full_name"]
        assert date_re.match(row["birth_date"]) and date_re.match(row["capture_date"])
        assert row["sex"] in ("M", "F", "")


def test_enquiries_are_written_as_relatives_write(world):
    phen = Counter(ph for e in world.enquiries for ph in e.phenomena)
    assert phen["diminutive"] >= 10 and phen["partial_date"] >= 10
    formats = {len(e.birth_date) for e in world.enquiries}
    assert {4, 7, 10} <= formats


def test_enquirer_contacts_are_fictional(world):
    for e in world.enquiries:
        assert e.email.endswith(("@example.org", "@example.net"))
        assert e.phone.startswith(("+380 555 ", "+7 555 "))
        assert e.language in ("uk", "ru", "en")
        assert e.relationship and e.enquirer_name


def test_reports_carry_a_timeline_with_detaining_power_for_captures(world):
    captured = [r for r in world.reports if r.report_type == "interned"]
    assert captured
    assert all(r.detaining_power in ("ua", "ru") and r.held_in_country for r in captured)
    assert all(date(2022, 2, 24) <= r.event_date <= date(2027, 12, 31) for r in world.reports)


def test_the_other_sides_lists_sometimes_keep_a_name_in_the_genitive(world):
    by_id = {p.person_id: p for p in world.persons}
    inflected = [r for r in world.reports if "inflected" in r.phenomena]
    assert inflected
    for r in inflected:
        lang = "ru" if by_id[r.person_id].side == "ua" else "uk"
        nominative = by_id[r.person_id].name_in(lang)
        assert r.full_name.split()[1] != nominative[0]  # surname-first list: «КИСЛИЦЫ Сергея»


def test_the_world_needs_nothing_beyond_the_standard_library():
    import subprocess
    import sys

    code = (
        "import sys, kintrace.synthetic as s; s.make_world(1, 20); "
        "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'__main__'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['kintrace']"


# --- surname pools ----------------------------------------------------------------------


def _people_sharing_a_surname(w) -> float:
    """Share of persons whose surname another person of another family also carries."""
    families: dict[str, set[str]] = {}
    for p in w.persons:
        families.setdefault(p.surname_ref.ru, set()).add(p.father_id or p.person_id)
    shared = sum(len(families[p.surname_ref.ru]) > 1 for p in w.persons)
    return shared / len(w.persons)


def test_the_realistic_pool_makes_a_shared_surname_far_rarer_than_the_classic_one(world):
    realistic = make_world(seed=7, persons=1000, surnames="realistic")
    distinct = {p.surname_ref.ru for p in realistic.persons}
    assert len(distinct) > 2 * len({p.surname_ref.ru for p in world.persons})
    assert _people_sharing_a_surname(realistic) < 0.75 * _people_sharing_a_surname(world)


def test_the_classic_pool_is_the_default_and_gives_the_same_world(world):
    classic = make_world(seed=7, persons=200, surnames="classic")
    assert [repr(p) for p in classic.persons] == [repr(p) for p in world.persons[:200]]


def test_a_realistic_surname_has_russian_ukrainian_and_female_forms():
    from kintrace.synthetic.tables import surname_pool

    pool = surname_pool("realistic")
    by_ru = {s.ru: s for s in pool}
    assert by_ru["Луцкий"].uk == "Луцький"
    assert by_ru["Луцкий"].form("ru", "F") == "Луцкая"
    assert by_ru["Сорокин"].form("uk", "M") == "Сорокін"
    assert by_ru["Сорокин"].form("ru", "F") == "Сорокина"
    assert all(CYRILLIC.match(s.ru) and CYRILLIC.match(s.uk) for s in pool)
    # No surname in the pool reads as a patronymic (that would be a harder world than a real one).
    assert not any(s.ru.endswith(("ович", "евич")) for s in pool[250:])


def test_each_pool_has_its_own_version_so_stale_benchmark_sets_are_not_reused():
    from kintrace.synthetic.noise import NOISE_VERSION, noise_version

    assert noise_version("classic") == NOISE_VERSION
    assert noise_version("realistic") != NOISE_VERSION


def test_an_unknown_surname_pool_is_refused_with_its_name():
    with pytest.raises(ValueError, match="tiny"):
        make_world(seed=1, persons=5, surnames="tiny")
