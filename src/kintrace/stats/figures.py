"""Verified counts of individuals by latest fate, published only as suppressed fixed tables.

What is counted: identified people (a ``Person`` that is not merged into another) with at least
one *admissible* report — source graded A–C and information 1–3, the same bar
``kintrace.domain.fate`` sets before a report may decide a fate. A person's figure is the
report type of his latest admissible report (by event date, then the better source grade, then
the better credibility), so a poorly graded rumour never moves a count. "Missing" is counted
from open enquiries (received or in progress), by the week they were filed.

The dimensions are the deciding report's week (ISO week of its event date, else of when it was
recorded), party, detaining power and region (the country where the person is held, the only
place field that is not personal data). Every figure leaves this module through
``kintrace.stats.suppression``: no name, no identifier, no drill-down to people.

The database does the heavy part (one pass with a window function, then ``GROUP BY``); Python
only folds days into weeks and builds the tables.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.db.models import Enquiry, Person, Report, Source
from kintrace.domain.enums import Credibility, EnquiryState, Reliability, ReportType
from kintrace.stats.suppression import PublishedTable, suppress

# The fates of issue 8, in the order the dashboard shows them.
FATES: tuple[str, ...] = (
    "captured",
    "interned",
    "wounded",
    "hospitalised",
    "dead",
    "released",
    "repatriated",
    "missing",
)
# Report types that say where a person is now; a transfer is still internment, found remains
# still a death. "Seen", "escaped" and "missing" reports say nothing a table of fates can hold.
_FATE_OF_REPORT: dict[str, str] = {
    ReportType.captured.value: "captured",
    ReportType.interned.value: "interned",
    ReportType.transferred.value: "interned",
    ReportType.wounded.value: "wounded",
    ReportType.hospitalised.value: "hospitalised",
    ReportType.dead.value: "dead",
    ReportType.remains_located.value: "dead",
    ReportType.released.value: "released",
    ReportType.repatriated.value: "repatriated",
}
_ADMISSIBLE_RELIABILITY = [Reliability.A.value, Reliability.B.value, Reliability.C.value]
_ADMISSIBLE_CREDIBILITY = [
    Credibility.confirmed.value,
    Credibility.probably_true.value,
    Credibility.possibly_true.value,
]
OPEN_ENQUIRY_STATES = (EnquiryState.received.value, EnquiryState.in_progress.value)
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Group:
    """People sharing one fate, week, party, detaining power and region (never smaller)."""

    fate: str
    week: str
    party: str
    detaining_power: str
    region: str
    people: int
    confirmed: int  # people with reports from more than one independent source
    sources: frozenset[int]  # the sources of the deciding reports


@dataclass(frozen=True, slots=True)
class Figures:
    """The published tables of one moment, every one of them suppressed."""

    by_week: PublishedTable
    by_party: PublishedTable
    by_detaining_power: PublishedTable
    by_region: PublishedTable
    confirmation: PublishedTable
    sources_by_fate: dict[str, int | None]

    def tables(self) -> list[PublishedTable]:
        return [
            self.by_week,
            self.by_party,
            self.by_detaining_power,
            self.by_region,
            self.confirmation,
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "tables": [t.as_dict() for t in self.tables()],
            "sources_by_fate": self.sources_by_fate,
        }


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _week_of(event_date: str | None, recorded: datetime | str | None) -> str:
    """ISO week of a full event date, else of the day the report was recorded."""
    if event_date and len(event_date) == 10:
        try:
            return iso_week(date.fromisoformat(event_date))
        except ValueError:
            pass
    if isinstance(recorded, datetime):
        return iso_week(recorded.date())
    if isinstance(recorded, str) and len(recorded) >= 10:
        return iso_week(date.fromisoformat(recorded[:10]))
    return UNKNOWN


def _independent_key() -> sa.ColumnElement[int]:
    # Two sources of one organisation are one voice; a source of no organisation is its own.
    return sa.case((Source.organisation_id.is_(None), -Source.id), else_=Source.organisation_id)


def grouped_people(session: Session) -> list[Group]:
    """Counts of people by fate, week, party, detaining power and region, from the database."""
    admissible = sa.and_(
        Source.reliability.in_(_ADMISSIBLE_RELIABILITY),
        Report.credibility.in_(_ADMISSIBLE_CREDIBILITY),
        Report.report_type.in_(list(_FATE_OF_REPORT)),
        Report.person_id.is_not(None),
    )
    ranked = (
        sa.select(
            Report.person_id.label("person_id"),
            Report.report_type.label("report_type"),
            Report.event_date.label("event_date"),
            sa.func.date(Report.created_at).label("recorded"),
            Report.party.label("party"),
            Report.detaining_power.label("detaining_power"),
            Report.country_held.label("region"),
            Report.source_id.label("source_id"),
            sa.func.row_number()
            .over(
                partition_by=Report.person_id,
                order_by=(
                    Report.event_date.desc(),
                    Source.reliability,
                    Report.credibility,
                    Report.id.desc(),
                ),
            )
            .label("rank"),
        )
        .join(Source, Source.id == Report.source_id)
        .where(admissible)
        .subquery("ranked")
    )
    voices = (
        sa.select(
            Report.person_id.label("person_id"),
            sa.func.count(sa.distinct(_independent_key())).label("voices"),
        )
        .join(Source, Source.id == Report.source_id)
        .where(admissible)
        .group_by(Report.person_id)
        .subquery("voices")
    )
    day = sa.func.coalesce(ranked.c.event_date, "")
    stmt = (
        sa.select(
            ranked.c.report_type,
            day,
            ranked.c.recorded,
            ranked.c.party,
            ranked.c.detaining_power,
            ranked.c.region,
            ranked.c.source_id,
            sa.func.count(),
            sa.func.sum(sa.case((voices.c.voices > 1, 1), else_=0)),
        )
        .join(voices, voices.c.person_id == ranked.c.person_id)
        .join(Person, Person.id == ranked.c.person_id)
        .where(ranked.c.rank == 1, Person.merged_into_id.is_(None))
        .group_by(
            ranked.c.report_type,
            day,
            ranked.c.recorded,
            ranked.c.party,
            ranked.c.detaining_power,
            ranked.c.region,
            ranked.c.source_id,
        )
    )
    people: Counter[tuple[str, ...]] = Counter()
    confirmed: Counter[tuple[str, ...]] = Counter()
    sources: defaultdict[tuple[str, ...], set[int]] = defaultdict(set)
    for rtype, event_day, recorded, party, power, region, source_id, n, n_conf in session.execute(
        stmt
    ):
        key = (
            _FATE_OF_REPORT[str(rtype)],
            _week_of(event_day, recorded),
            party or UNKNOWN,
            power or UNKNOWN,
            region or UNKNOWN,
        )
        people[key] += int(n)
        confirmed[key] += int(n_conf or 0)
        sources[key].add(int(source_id))
    missing = sa.select(sa.func.date(Enquiry.created_at), Enquiry.sought_party, sa.func.count())
    missing = missing.where(Enquiry.state.in_(OPEN_ENQUIRY_STATES)).group_by(
        sa.func.date(Enquiry.created_at), Enquiry.sought_party
    )
    for filed, party, n in session.execute(missing):
        key = ("missing", _week_of(None, filed), party or UNKNOWN, UNKNOWN, UNKNOWN)
        people[key] += int(n)
    return [
        Group(*key, people=n, confirmed=confirmed[key], sources=frozenset(sources[key]))
        for key, n in people.items()
    ]


def _cross(groups: Iterable[Group], column: str, columns: Sequence[str]) -> list[list[int]]:
    index = {c: j for j, c in enumerate(columns)}
    cells = [[0] * len(columns) for _ in FATES]
    for g in groups:
        cells[FATES.index(g.fate)][index[getattr(g, column)]] += g.people
    return cells


def publish(groups: Sequence[Group]) -> Figures:
    """The fixed tables of issue 8, each suppressed; fate totals withheld in one are withheld
    in all, so no table gives back what another hides."""
    weeks = sorted({g.week for g in groups})
    parties = sorted({g.party for g in groups})
    powers = sorted({g.detaining_power for g in groups})
    regions = sorted({g.region for g in groups})
    confirmation = [[0, 0] for _ in FATES]
    for g in groups:
        row = confirmation[FATES.index(g.fate)]
        row[0] += g.confirmed
        row[1] += g.people - g.confirmed
    specs = [
        ("by_week", weeks, _cross(groups, "week", weeks)),
        ("by_party", parties, _cross(groups, "party", parties)),
        ("by_detaining_power", powers, _cross(groups, "detaining_power", powers)),
        ("by_region", regions, _cross(groups, "region", regions)),
        ("confirmation", ["more_than_one_source", "one_source"], confirmation),
    ]
    forced: set[int] = set()  # fate rows whose total one table withholds (len(FATES) = total)
    while True:
        tables = [
            suppress(name, FATES, cols, cells, hidden_row_totals=forced)
            for name, cols, cells in specs
        ]
        withheld = {i for t in tables for i, v in enumerate(t.row_totals) if v is None} | {
            len(FATES) for t in tables if t.total is None
        }
        if withheld <= forced:
            break
        forced |= withheld
    sources: defaultdict[str, set[int]] = defaultdict(set)
    for g in groups:
        sources[g.fate] |= g.sources
    by_week = tables[0]
    # The number of sources is shown only beside a figure that is itself published.
    sources_by_fate = {
        fate: (len(sources[fate]) if by_week.row_totals[i] is not None else None)
        for i, fate in enumerate(FATES)
    }
    return Figures(*tables, sources_by_fate=sources_by_fate)


def figures(session: Session) -> Figures:
    """The published figures as of now."""
    return publish(grouped_people(session))


class FiguresCache:
    """The grouped counts, recomputed at most every ``max_age`` seconds.

    The full pass over every report takes seconds at a million reports (bench/figures), far
    over what a page may take; figures of a few minutes ago are as true for an analyst, so
    the page says when they were counted. Only the grouped counts are kept (no identifier of
    anyone), and suppression runs on every request, so a cached figure is never shown
    unsuppressed.
    """

    def __init__(self, max_age: float = 300.0) -> None:
        self.max_age = max_age
        self._groups: list[Group] | None = None
        self._counted_at: datetime | None = None
        self._monotonic = 0.0

    def groups(self, session: Session) -> tuple[list[Group], datetime]:
        now = time.monotonic()
        if self._groups is None or now - self._monotonic > self.max_age:
            self._groups = grouped_people(session)
            self._counted_at = datetime.now().astimezone()
            self._monotonic = now
        assert self._counted_at is not None
        return self._groups, self._counted_at

    def clear(self) -> None:
        self._groups = None
