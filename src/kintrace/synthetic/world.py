"""A deterministic synthetic world of soldiers, civilians, sources, reports and enquiries.

Everything is drawn from one `random.Random(seed)` in a fixed order, family by family, so
the same seed gives the same world and a million persons can be streamed without holding
them all (`iter_world`). Names are combined at random from common-name lists
(data/README.md): no generated person is a real one.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from kintrace.synthetic.grammar import inflect
from kintrace.synthetic.tables import (
    GivenName,
    Place,
    Surname,
    diminutives,
    given_names,
    places,
    romanise,
    surname_pool,
)

#: Changes whenever the same seed would give a different world (the classic surname pool).
WORLD_VERSION = "world-2"
#: Changes whenever the realistic surname pool changes (tables.surname_pool).
POOL_VERSION = 2
#: The surname pool worlds draw from unless told otherwise (see `surnames_from`).
_default_pool = ["classic"]


def world_version(pool: str | None = None) -> str:
    """The version of the world a seed gives with this surname pool (the default's if None)."""
    pool = pool or _default_pool[0]
    return WORLD_VERSION if pool == "classic" else f"{WORLD_VERSION}-{pool}-{POOL_VERSION}"


@contextmanager
def surnames_from(pool: str) -> Iterator[None]:
    """Worlds made inside draw their surnames from `pool` ("classic" or "realistic"),
    for code that makes worlds through a helper with no such parameter (a benchmark's set
    writer); elsewhere pass `surnames=` to make_world / iter_world / iter_noisy."""
    surname_pool(pool)  # an unknown name fails here, not mid-run
    before = _default_pool[0]
    _default_pool[0] = pool
    try:
        yield
    finally:
        _default_pool[0] = before


EXCHANGE_COLUMNS: tuple[str, ...] = (
    "record_id",
    "full_name",
    "given_name",
    "patronymic",
    "family_name",
    "sex",
    "birth_date",
    "birth_place",
    "military_unit",
    "source",
    "service_number",
    "mother_maiden_name",
    "capture_date",
    "capture_place",
)

WAR_START = date(2022, 2, 24)
WAR_END = date(2026, 6, 30)

RANKS = {
    "uk": ("солдат", "старший солдат", "молодший сержант", "сержант", "старший сержант",
           "лейтенант", "старший лейтенант", "капітан", "майор"),
    "ru": ("рядовой", "ефрейтор", "младший сержант", "сержант", "старший сержант",
           "лейтенант", "старший лейтенант", "капитан", "майор"),
}  # fmt: skip
RANK_WEIGHTS = (40, 15, 10, 10, 6, 6, 5, 5, 3)

CALL_SIGNS = (
    "Грач", "Тихий", "Лис", "Дед", "Малой", "Шрам", "Кедр", "Сокол", "Бард", "Зубр",
    "Мольфар", "Козак", "Сапсан", "Вольт", "Граф", "Док", "Север", "Туман", "Чиж", "Ёж",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Unit:
    side: str
    code: str  # military unit number as written on documents: «в/ч А1234», «в/ч 12345»
    number: int
    name: str  # the formation's name in the side's language
    short: str  # the abbreviation soldiers and families use

    def written(self) -> str:
        return f"в/ч {self.code}"


@dataclass(frozen=True, slots=True)
class SynthSource:
    name: str
    kind: str  # bureau, hospital, ngo, media, person
    reliability: str  # Admiralty scale A..F
    credibility: int  # 1..6
    party: str  # "ua", "ru" or "" for neutral
    lang: str  # how it writes names: "uk", "ru" or "en" (Latin script)


SOURCES: tuple[SynthSource, ...] = (
    SynthSource("Національне інформаційне бюро — списки", "bureau", "A", 2, "ua", "uk"),
    SynthSource("Национальное информационное бюро — списки", "bureau", "B", 2, "ru", "ru"),
    SynthSource("Neutral tracing agency — capture cards", "bureau", "A", 1, "", "en"),
    SynthSource("Обласна клінічна лікарня (Дніпро)", "hospital", "B", 2, "ua", "uk"),
    SynthSource("Военный госпиталь (Ростов-на-Дону)", "hospital", "B", 2, "ru", "ru"),
    SynthSource("Ініціатива «Шукаємо своїх»", "ngo", "C", 3, "ua", "uk"),
    SynthSource("Общественная инициатива «Поиск»", "ngo", "C", 3, "ru", "ru"),
    SynthSource("International newswire", "media", "C", 3, "", "en"),
    SynthSource("Телеграм-канал «Фронт сьогодні»", "media", "E", 5, "ua", "uk"),
    SynthSource("Телеграм-канал «Сводки»", "media", "E", 5, "ru", "ru"),
    SynthSource("Очевидець (побратим)", "person", "F", 4, "ua", "uk"),
    SynthSource("Очевидец (сослуживец)", "person", "F", 4, "ru", "ru"),
)
_SOURCE_BY = {(s.kind, s.party): s for s in SOURCES}


@dataclass(slots=True)
class SynthPerson:
    person_id: str
    sex: str  # "M" or "F"
    side: str  # "ua" or "ru": the party he or she belongs to
    civilian: bool
    given: str  # as the person's own side writes it (uk forms for "ua", ru forms for "ru")
    patronymic: str
    family: str
    birth_date: date
    birth_place: str
    military_unit: str
    service_number: str
    mother_maiden_name: str
    rank: str
    fate: str
    father_id: str | None = None
    sibling_ids: tuple[str, ...] = ()
    call_sign: str = ""
    capture_date: date | None = None
    capture_place: str = ""
    # The building blocks, so the benchmark's noise can write the person in any language.
    given_ref: GivenName | None = field(default=None, repr=False)
    father_ref: GivenName | None = field(default=None, repr=False)
    surname_ref: Surname | None = field(default=None, repr=False)
    mother_surname_ref: Surname | None = field(default=None, repr=False)
    place_ref: Place | None = field(default=None, repr=False)
    unit_ref: Unit | None = field(default=None, repr=False)
    capture_place_ref: Place | None = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        return "uk" if self.side == "ua" else "ru"

    def name_in(self, lang: str) -> tuple[str, str, str]:
        """(given, patronymic, family) as a writer of `lang` ("uk", "ru", "en") spells them."""
        assert self.given_ref and self.father_ref and self.surname_ref
        if lang == "en":
            g, p, f = self.name_in(self.lang)
            return romanise(g, self.lang), romanise(p, self.lang), romanise(f, self.lang)
        return (
            self.given_ref.form(lang),
            self.father_ref.patronymic(lang, self.sex),
            self.surname_ref.form(lang, self.sex),
        )


def _fmt_dmy(d: date) -> str:
    return d.strftime("%d.%m.%Y")


@dataclass(slots=True)
class SynthReport:
    report_id: str
    person_id: str  # the truth: whom this report is about
    source: str
    report_type: str
    event_date: date
    detaining_power: str  # "ua", "ru" or ""
    held_in_country: str  # "UA", "RU" or ""
    place: str  # place of internment, hospital, grave or sighting
    # The person's fields as this source wrote them ("" when the source did not have them).
    full_name: str
    given_name: str
    patronymic: str
    family_name: str
    sex: str
    birth_date: str
    birth_place: str
    military_unit: str
    service_number: str
    mother_maiden_name: str
    rank: str
    capture_date: str
    capture_place: str
    phenomena: tuple[str, ...] = ()

    def exchange_row(self) -> dict[str, str]:
        return {
            "record_id": self.report_id,
            "full_name": self.full_name,
            "given_name": self.given_name,
            "patronymic": self.patronymic,
            "family_name": self.family_name,
            "sex": self.sex,
            "birth_date": self.birth_date,
            "birth_place": self.birth_place,
            "military_unit": self.military_unit,
            "source": self.source,
            "service_number": self.service_number,
            "mother_maiden_name": self.mother_maiden_name,
            "capture_date": self.capture_date,
            "capture_place": self.capture_place,
        }


@dataclass(slots=True)
class SynthEnquiry:
    enquiry_id: str
    person_id: str  # the truth: whom the relative is looking for
    # The sought person as the relative wrote him or her.
    full_name: str
    given_name: str
    patronymic: str
    family_name: str
    sex: str
    birth_date: str  # "12.03.2001", "2001-03", "2001" or ""
    birth_place: str
    military_unit: str
    civilian: bool
    last_known_place: str
    last_known_date: str
    circumstances: str
    # The enquirer.
    enquirer_name: str
    relationship: str  # mother, father, wife, sister, brother, son, daughter
    email: str
    phone: str
    language: str  # "uk", "ru" or "en"
    phenomena: tuple[str, ...] = ()

    def exchange_row(self) -> dict[str, str]:
        # The last known place and date are not a capture: left out of capture_* on purpose
        # so the engine does not compare a family's guess with a detaining power's record.
        return {
            "record_id": self.enquiry_id,
            "full_name": self.full_name,
            "given_name": self.given_name,
            "patronymic": self.patronymic,
            "family_name": self.family_name,
            "sex": self.sex,
            "birth_date": self.birth_date,
            "birth_place": self.birth_place,
            "military_unit": self.military_unit,
            "source": f"enquiry ({self.relationship})",
            "service_number": "",
            "mother_maiden_name": "",
            "capture_date": "",
            "capture_place": "",
        }


@dataclass(slots=True)
class World:
    seed: int
    persons: list[SynthPerson]
    sources: list[SynthSource]
    reports: list[SynthReport]
    enquiries: list[SynthEnquiry]

    def person(self, person_id: str) -> SynthPerson:
        return self._index()[person_id]

    def _index(self) -> dict[str, SynthPerson]:
        return {p.person_id: p for p in self.persons}


@dataclass(slots=True)
class PersonBundle:
    """One person with everything said about him: the unit `iter_world` streams."""

    person: SynthPerson
    reports: list[SynthReport]
    enquiries: list[SynthEnquiry]


def make_world(seed: int = 0, persons: int = 1000, *, surnames: str | None = None) -> World:
    """A synthetic world of `persons` people with their reports and enquiries; `surnames`
    names the surname pool (tables.surname_pool; default "classic")."""
    ps: list[SynthPerson] = []
    rs: list[SynthReport] = []
    es: list[SynthEnquiry] = []
    for bundle in iter_world(seed, persons, surnames=surnames):
        ps.append(bundle.person)
        rs.extend(bundle.reports)
        es.extend(bundle.enquiries)
    return World(seed=seed, persons=ps, sources=list(SOURCES), reports=rs, enquiries=es)


def iter_world(
    seed: int = 0, persons: int = 1000, *, surnames: str | None = None
) -> Iterator[PersonBundle]:
    """The same world as make_world, person by person, for worlds too big to hold."""
    return _Generator(seed, surnames).run(persons)


class _Generator:
    def __init__(self, seed: int, surnames: str | None = None) -> None:
        self.rng = random.Random(seed)
        self.n_person = 0
        self.n_report = 0
        self.n_enquiry = 0
        names = given_names()
        self.male = [g for g in names if g.sex == "M"]
        self.male_w = [g.weight for g in self.male]
        self.female = [g for g in names if g.sex == "F"]
        self.female_w = [g.weight for g in self.female]
        pool = surname_pool(surnames or _default_pool[0])
        self.surnames = {"ua": list(pool), "ru": list(pool)}
        # Ukrainian surnames are common on both sides; Russian ones mostly on the Russian side.
        self.surname_w = {
            "ua": [s.weight * (6 if s.origin == "uk" else 1) for s in self.surnames["ua"]],
            "ru": [s.weight * (1 if s.origin == "uk" else 4) for s in self.surnames["ru"]],
        }
        self.places = {c: [p for p in places() if p.country == c] for c in ("UA", "RU")}
        self.place_w = {c: [p.weight for p in self.places[c]] for c in ("UA", "RU")}
        self.units = {side: self._make_units(side) for side in ("ua", "ru")}
        # Recent families, so some later family can carry the very same name (namesakes).
        self.recent: deque[tuple[str, GivenName, GivenName, Surname]] = deque(maxlen=50)

    def _make_units(self, side: str) -> list[Unit]:
        rng = self.rng
        out = []
        # Enough units that sharing one is real evidence, as it is among real brigades.
        numbers = rng.sample(range(1, 400), 150)
        for n in numbers:
            if side == "ua":
                code = f"А{rng.randrange(1000, 10000)}"
                kind = rng.choice(
                    [
                        ("окрема механізована бригада", "ОМБр"),
                        ("окрема штурмова бригада", "ОШБр"),
                        ("окрема бригада територіальної оборони", "ОБрТрО"),
                        ("окрема бригада морської піхоти", "ОБрМП"),
                    ]
                )
            else:
                code = f"{rng.randrange(10000, 100000)}"
                kind = rng.choice(
                    [
                        ("отдельная мотострелковая бригада", "омсбр"),
                        ("мотострелковый полк", "мсп"),
                        ("гвардейская танковая дивизия", "гв. тд"),
                        ("отдельная бригада морской пехоты", "обрмп"),
                    ]
                )
            out.append(Unit(side, code, n, f"{n} {kind[0]}", f"{n} {kind[1]}"))
        return out

    # --- persons -------------------------------------------------------------------------

    def run(self, total: int) -> Iterator[PersonBundle]:
        while self.n_person < total:
            family = self._family(total - self.n_person)
            for person in family:
                yield PersonBundle(person, self._reports(person), self._enquiries(person))

    def _next_pid(self) -> str:
        self.n_person += 1
        return f"P{self.n_person:07d}"

    def _family(self, room: int) -> list[SynthPerson]:
        rng = self.rng
        side = "ua" if rng.random() < 0.55 else "ru"
        country = "UA" if side == "ua" else "RU"
        kind = rng.choices(["single", "siblings", "father_son", "twins"], weights=[62, 20, 14, 4])[
            0
        ]
        surname = rng.choices(self.surnames[side], weights=self.surname_w[side])[0]
        mother_surname = rng.choices(self.surnames[side], weights=self.surname_w[side])[0]
        home = rng.choices(self.places[country], weights=self.place_w[country])[0]
        grandfather = rng.choices(self.male, weights=self.male_w)[0]
        father_name = rng.choices(self.male, weights=self.male_w)[0]

        # A namesake: the same surname, given name and patronymic as a recent family's
        # first member, but another village and another birth date.
        namesake_of = None
        if self.recent and rng.random() < 0.06:
            namesake_of = rng.choice(list(self.recent))
            side, father_name, surname = namesake_of[0], namesake_of[2], namesake_of[3]
            country = "UA" if side == "ua" else "RU"
            home = rng.choices(self.places[country], weights=self.place_w[country])[0]

        people: list[SynthPerson] = []
        if kind == "single" or room == 1 or namesake_of:
            sex = "M" if rng.random() < 0.85 else "F"
            given = namesake_of[1] if namesake_of else self._given(sex)
            if namesake_of:
                sex = "M"
            people.append(
                self._person(side, sex, given, father_name, surname, mother_surname, home, None)
            )
        elif kind == "father_son" and room >= 2:
            father = self._person(
                side, "M", father_name, grandfather, surname, mother_surname, home, None,
                born=(1962, 1980),
            )  # fmt: skip
            people.append(father)
            n_sons = 1 if room == 2 or rng.random() < 0.7 else 2
            wife_surname = rng.choice(self.surnames[side])
            for i in range(n_sons):
                # Fathers and sons sharing a given name is common and hard for matching.
                given = (
                    father_name
                    if i == 0 and rng.random() < 0.4
                    else self._given("M", avoid={x.given_ref for x in people[1:]})
                )
                son = self._person(
                    side, "M", given, father_name, surname, wife_surname,
                    home, father.person_id,
                    born=(father.birth_date.year + 20, min(father.birth_date.year + 35, 2006)),
                )  # fmt: skip
                people.append(son)
        else:
            n = 2 if kind == "twins" or room == 2 else rng.choice([2, 2, 3])
            first_born: date | None = None
            for i in range(n):
                sex = "M" if i == 0 or rng.random() < 0.8 else "F"
                twin = first_born if kind == "twins" else None
                # Siblings are born within a few years of each other.
                span = (
                    None
                    if first_born is None
                    else (max(first_born.year - 9, 1950), min(first_born.year + 9, 2006))
                )
                p = self._person(
                    side, sex, self._given(sex, avoid={x.given_ref for x in people}),
                    father_name, surname, mother_surname, home, None, born=span,
                    exact_birth=twin,
                )  # fmt: skip
                first_born = first_born or p.birth_date
                people.append(p)
        ids = tuple(p.person_id for p in people)
        if kind in ("siblings", "twins") and len(people) > 1 and not namesake_of:
            for p in people:
                p.sibling_ids = tuple(i for i in ids if i != p.person_id)
        elif kind == "father_son" and len(people) > 2:
            sons = people[1:]
            for s in sons:
                s.sibling_ids = tuple(x.person_id for x in sons if x is not s)
        first = people[0]
        assert first.given_ref is not None
        self.recent.append((side, first.given_ref, father_name, surname))
        return people

    def _given(self, sex: str, avoid: set[GivenName | None] | None = None) -> GivenName:
        pool, weights = (self.male, self.male_w) if sex == "M" else (self.female, self.female_w)
        while True:
            g = self.rng.choices(pool, weights=weights)[0]
            if not avoid or g not in avoid:
                return g

    def _person(
        self,
        side: str,
        sex: str,
        given: GivenName,
        father: GivenName,
        surname: Surname,
        mother_surname: Surname,
        home: Place,
        father_id: str | None,
        born: tuple[int, int] | None = None,
        exact_birth: date | None = None,
    ) -> SynthPerson:
        rng = self.rng
        lang = "uk" if side == "ua" else "ru"
        civilian = sex == "F" or rng.random() < 0.22
        if exact_birth is not None:
            birth = exact_birth
        else:
            lo, hi = born or ((1945, 2008) if civilian else (1966, 2005))
            birth = date(lo, 1, 1) + timedelta(days=rng.randrange((hi - lo + 1) * 365))
        pid = self._next_pid()
        unit = None if civilian else rng.choice(self.units[side])
        rank = "" if civilian else rng.choices(RANKS[lang], weights=RANK_WEIGHTS)[0]
        letters = "АВЕКМНОРСТ"
        service = (
            ""
            if civilian
            else f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randrange(10**6):06d}"
        )
        fate = rng.choices(
            ["captured", "interned", "dead", "wounded", "hospitalised", "missing", "released",
             "repatriated", "seen", "escaped"],
            weights=(
                [10, 4, 12, 8, 5, 28, 6, 5, 6, 1] if not civilian
                else [2, 14, 8, 4, 5, 40, 6, 2, 18, 1]
            ),
        )[0]  # fmt: skip
        person = SynthPerson(
            person_id=pid,
            sex=sex,
            side=side,
            civilian=civilian,
            given=given.form(lang),
            patronymic=father.patronymic(lang, sex),
            family=surname.form(lang, sex),
            birth_date=birth,
            birth_place=home.written(lang),
            military_unit=unit.written() if unit else "",
            service_number=service,
            mother_maiden_name=mother_surname.form(lang, "F"),
            rank=rank,
            fate=fate,
            father_id=father_id,
            call_sign=rng.choice(CALL_SIGNS) if not civilian and rng.random() < 0.15 else "",
            given_ref=given,
            father_ref=father,
            surname_ref=surname,
            mother_surname_ref=mother_surname,
            place_ref=home,
            unit_ref=unit,
        )
        if fate in ("captured", "interned", "released", "repatriated", "escaped") or (
            fate == "hospitalised" and rng.random() < 0.3
        ):
            # Captured near the front line, on the person's own side's territory or beyond.
            front = [p for p in self.places["UA"] if p.oblast_ru in _FRONT_OBLASTS]
            where = rng.choice(front)
            person.capture_place_ref = where
            person.capture_place = where.written(lang)
            person.capture_date = WAR_START + timedelta(
                days=rng.randrange((WAR_END - WAR_START).days - 200)
            )
        return person

    # --- reports -------------------------------------------------------------------------

    def _timeline(self, p: SynthPerson) -> list[tuple[str, str]]:
        """(report_type, source kind@party) in the order the events happen."""
        own, other = p.side, ("ru" if p.side == "ua" else "ua")
        rng = self.rng
        steps: list[tuple[str, str]] = []
        if rng.random() < 0.12:
            return steps  # nobody has reported on this person yet
        if p.fate in ("missing", "captured", "interned", "dead") and rng.random() < 0.6:
            steps.append(("missing", f"bureau@{own}"))
        if p.capture_date:
            steps.append(("captured", rng.choice([f"bureau@{other}", f"media@{other}"])))
            if rng.random() < 0.35:
                steps.append(("captured", "bureau@"))
            if p.fate != "captured":
                steps.append(("interned", f"bureau@{other}"))
            if rng.random() < 0.2:
                steps.append(("transferred", f"bureau@{other}"))
            if p.fate == "hospitalised":
                steps.append(("hospitalised", f"hospital@{other}"))
            if p.fate in ("released", "repatriated"):
                steps.append(("released", f"bureau@{other}"))
                steps.append(("repatriated", f"bureau@{own}"))
            if p.fate == "escaped":
                steps.append(("escaped", f"media@{own}"))
        elif p.fate == "dead":
            steps.append(("dead", rng.choice([f"bureau@{own}", f"bureau@{other}", "media@"])))
            if rng.random() < 0.3:
                steps.append(("remains_located", f"bureau@{other}"))
        elif p.fate in ("wounded", "hospitalised"):
            steps.append(("wounded", rng.choice([f"person@{own}", f"ngo@{own}"])))
            steps.append(("hospitalised", f"hospital@{own}"))
        elif p.fate == "seen":
            steps.append(("seen", rng.choice([f"person@{own}", f"media@{other}", "media@"])))
        if rng.random() < 0.15:  # a duplicate: the same list sent twice, retyped
            steps.append(steps[-1] if steps else ("missing", f"ngo@{own}"))
        return steps

    def _reports(self, p: SynthPerson) -> list[SynthReport]:
        rng = self.rng
        out = []
        day = p.capture_date or (
            WAR_START + timedelta(days=rng.randrange((WAR_END - WAR_START).days - 300))
        )
        for report_type, who in self._timeline(p):
            kind, party = who.split("@")
            src = _SOURCE_BY[(kind, party)]
            day = day + timedelta(days=rng.randrange(0, 60))
            out.append(self._report(p, src, report_type, day))
        return out

    def _report(self, p: SynthPerson, src: SynthSource, report_type: str, day: date) -> SynthReport:
        rng = self.rng
        lang = src.lang
        given, patr, family = p.name_in(lang)
        place_lang = "uk" if lang == "en" else lang
        phen: list[str] = [f"script:{lang}"] if lang != p.lang else []
        if lang == "en":
            patr = patr if rng.random() < 0.3 else ""
        elif src.kind == "bureau" and lang != p.lang and rng.random() < 0.08:
            # Lists of the other side are sometimes typed from a sentence («...в отношении
            # Кислицы Сергея Викторовича») and keep its genitive.
            given, patr, family = (
                inflect(x, part, p.sex, lang, "gen")
                for x, part in ((given, "given"), (patr, "patronymic"), (family, "family"))
            )
            phen.append("inflected")
        surname_first = src.kind in ("bureau", "hospital")
        if src.kind == "bureau" and rng.random() < 0.5:
            family = family.upper()
            phen.append("upper_case")
        full = (
            " ".join(x for x in (family, given, patr) if x)
            if surname_first
            else " ".join(x for x in (given, patr, family) if x)
        )
        split = src.kind in ("bureau", "hospital") and rng.random() < 0.7
        if not split:
            phen.append("full_name_only")
        keep = {"bureau": 0.9, "hospital": 0.7, "ngo": 0.6, "media": 0.25, "person": 0.15}[src.kind]

        def maybe(value: str, p_keep: float = keep) -> str:
            return value if value and rng.random() < p_keep else ""

        assert p.place_ref is not None
        # Russian lists often still use the Soviet-era names of renamed Ukrainian places.
        former = lang == "ru" and p.place_ref.country == "UA" and rng.random() < 0.5
        if former and p.place_ref.former_ru:
            phen.append("renamed_place")
        birth_place = p.place_ref.written(place_lang, former=former)
        if lang == "en":
            birth_place = romanise(p.place_ref.name(place_lang), place_lang)
        detaining = ""
        held = ""
        place = ""
        if report_type in ("captured", "interned", "transferred", "released", "hospitalised") and (
            p.capture_date
        ):
            detaining = "ru" if p.side == "ua" else "ua"
            held = "RU" if detaining == "ru" else "UA"
            region = rng.choice(self.places[held])
            if report_type == "hospitalised":
                place = f"госпиталь, {region.name(place_lang)}"
            elif report_type in ("interned", "transferred"):
                place = (
                    f"исправительная колония № {rng.randrange(1, 20)}, {region.name('ru')}"
                    if held == "RU"
                    else f"табір для військовополонених № {rng.randrange(1, 6)}"
                )
        elif report_type == "hospitalised":
            place = src.name
        capture_place = ""
        capture_date = ""
        if p.capture_date and report_type in ("captured", "interned", "transferred"):
            capture_date = maybe(_fmt_dmy(p.capture_date) if lang != "en" else str(p.capture_date))
            if p.capture_place_ref is not None:
                capture_place = p.capture_place_ref.name(place_lang)
                if lang == "en":
                    capture_place = romanise(capture_place, place_lang)
                capture_place = maybe(capture_place)
        bd = _fmt_dmy(p.birth_date) if lang != "en" else p.birth_date.isoformat()
        if src.kind in ("media", "person") and rng.random() < 0.5:
            bd = str(p.birth_date.year)
            phen.append("partial_date")
        self.n_report += 1
        return SynthReport(
            report_id=f"R{self.n_report:08d}",
            person_id=p.person_id,
            source=src.name,
            report_type=report_type,
            event_date=day,
            detaining_power=detaining,
            held_in_country=held,
            place=place,
            full_name=full,
            given_name=given if split else "",
            patronymic=patr if split else "",
            family_name=family if split else "",
            sex=maybe(p.sex, 0.8),
            birth_date=maybe(bd, keep + 0.05),
            birth_place=maybe(birth_place),
            military_unit=maybe(p.military_unit),
            service_number=maybe(p.service_number, keep - 0.2),
            mother_maiden_name=maybe(p.mother_maiden_name if lang == p.lang else "", 0.3),
            rank=maybe(p.rank),
            capture_date=capture_date,
            capture_place=capture_place,
            phenomena=tuple(phen),
        )

    # --- enquiries -----------------------------------------------------------------------

    def _enquiries(self, p: SynthPerson) -> list[SynthEnquiry]:
        rng = self.rng
        r = rng.random()
        n = 0 if r < 0.7 else (1 if r < 0.95 else 2)
        return [self._enquiry(p) for _ in range(n)]

    def _enquiry(self, p: SynthPerson) -> SynthEnquiry:
        rng = self.rng
        if p.side == "ua":
            lang = rng.choices(["uk", "ru", "en"], weights=[72, 23, 5])[0]
        else:
            lang = rng.choices(["ru", "en"], weights=[95, 5])[0]
        name_lang = lang
        given, patr, family = p.name_in(name_lang)
        phen: list[str] = [f"script:{lang}"] if lang != p.lang else []
        assert p.given_ref is not None
        pets = diminutives().get((lang, p.given_ref.form(lang)), ())
        if pets and rng.random() < 0.3:
            given = rng.choice(pets)
            phen.append("diminutive")
        if rng.random() < 0.4:
            patr = ""
            phen.append("no_patronymic")
        if rng.random() < 0.3:
            full = " ".join(x for x in (family, given, patr) if x)
            phen.append("surname_first")
        else:
            full = " ".join(x for x in (given, patr, family) if x)
        split = rng.random() < 0.5
        fmt = rng.choices(["dmy", "iso", "ym", "y", ""], weights=[45, 15, 12, 18, 10])[0]
        bd = {
            "dmy": _fmt_dmy(p.birth_date),
            "iso": p.birth_date.isoformat(),
            "ym": p.birth_date.strftime("%Y-%m"),
            "y": str(p.birth_date.year),
            "": "",
        }[fmt]
        if fmt in ("ym", "y"):
            phen.append("partial_date")
        assert p.place_ref is not None
        place_lang = "uk" if lang == "en" else lang
        birth_place = p.place_ref.name(place_lang) if rng.random() < 0.6 else ""
        if lang == "en" and birth_place:
            birth_place = romanise(birth_place, place_lang)
        unit = ""
        if p.unit_ref is not None and rng.random() < 0.6:
            unit = rng.choice([p.unit_ref.written(), p.unit_ref.short, p.unit_ref.name])
            if rng.random() < 0.3:
                unit = f"{p.unit_ref.number} бригада" if lang != "en" else f"{p.unit_ref.number}th"
        last_place_ref = p.capture_place_ref or rng.choice(
            [q for q in self.places["UA"] if q.oblast_ru in _FRONT_OBLASTS]
        )
        last_date = p.capture_date or (
            WAR_START + timedelta(days=rng.randrange((WAR_END - WAR_START).days - 200))
        )
        last_date -= timedelta(days=rng.randrange(0, 10))
        relationship = rng.choices(
            ["mother", "father", "wife", "sister", "brother", "son", "daughter"],
            weights=[40, 12, 22, 10, 6, 5, 5],
        )[0]
        if p.sex == "F" and relationship == "wife":
            relationship = "mother"
        self.n_enquiry += 1
        return SynthEnquiry(
            enquiry_id=f"E{self.n_enquiry:07d}",
            person_id=p.person_id,
            full_name=full,
            given_name=given if split else "",
            patronymic=patr if split else "",
            family_name=family if split else "",
            sex=p.sex if rng.random() < 0.7 else "",
            birth_date=bd,
            birth_place=birth_place,
            military_unit=unit,
            civilian=p.civilian,
            last_known_place=(
                romanise(last_place_ref.name(place_lang), place_lang)
                if lang == "en"
                else last_place_ref.name(place_lang)
            ),
            last_known_date=_fmt_dmy(last_date) if rng.random() < 0.7 else last_date.isoformat(),
            circumstances=rng.choice(_CIRCUMSTANCES[lang if lang in _CIRCUMSTANCES else "en"]),
            enquirer_name=self._enquirer_name(p, relationship, lang),
            relationship=relationship,
            email=self._email(),
            phone=self._phone(p.side),
            language=lang,
            phenomena=tuple(phen),
        )

    def _enquirer_name(self, p: SynthPerson, relationship: str, lang: str) -> str:
        rng = self.rng
        assert p.surname_ref is not None and p.father_ref is not None
        write = "uk" if lang == "en" and p.side == "ua" else ("ru" if lang == "en" else lang)
        if relationship in ("mother", "wife", "sister", "daughter"):
            g = self._given("F").form(write)
            name = f"{g} {p.surname_ref.form(write, 'F')}"
        elif relationship == "father":
            name = f"{p.father_ref.form(write)} {p.surname_ref.form(write, 'M')}"
        else:
            name = f"{self._given('M').form(write)} {p.surname_ref.form(write, 'M')}"
        return romanise(name, write) if lang == "en" and rng.random() < 0.8 else name

    def _email(self) -> str:
        rng = self.rng
        user = "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(5, 10))
        )
        return f"{user}{rng.randrange(100)}@{rng.choice(['example.org', 'example.net'])}"

    def _phone(self, side: str) -> str:
        rng = self.rng
        if side == "ua":
            return (
                f"+380 555 {rng.randrange(100):02d} {rng.randrange(100):02d} {rng.randrange(10):d}"
            )
        return f"+7 555 {rng.randrange(1000):03d}-{rng.randrange(100):02d}-{rng.randrange(100):02d}"


_FRONT_OBLASTS = frozenset(
    {"Донецкая", "Харьковская", "Запорожская", "Херсонская", "Николаевская", "Сумская",
     "Днепропетровская", "Черниговская", "Киевская"}
)  # fmt: skip

_CIRCUMSTANCES = {
    "uk": (
        "Зв'язок зник після бою, побратими бачили, як його вивели з позиції.",
        "Востаннє телефонував увечері, після цього абонент недоступний.",
        "Був на позиції під час штурму, доля невідома.",
        "Залишився вдома під час окупації, зв'язку немає.",
    ),
    "ru": (
        "Перестал выходить на связь после боя, сослуживцы говорят, что попал в плен.",
        "Последний звонок был вечером, потом телефон выключен.",
        "Был на позиции во время штурма, судьба неизвестна.",
        "Оставался дома во время боёв, связи нет.",
    ),
    "en": (
        "Lost contact after fighting; comrades say he was taken prisoner.",
        "Last phone call in the evening, then the phone was off.",
        "He was at his position during an assault; fate unknown.",
    ),
}
