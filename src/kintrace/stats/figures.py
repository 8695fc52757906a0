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

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from kintrace.db.models import Enquiry, Person, Report, Source
from kintrace.domain.enums import Credibility, EnquiryState, Reliability, ReportType
from kintrace.stats.suppression import (
    Position,
    PublishedCube,
    PublishedTable,
    cube_suppression_pattern,
    full_cube,
    full_grid,
    publish_cube,
    suppress,
    suppression_pattern,
)

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
#: How often the published figures are recounted in the background.
REFRESH_SECONDS = 300.0

log = logging.getLogger(__name__)


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
    four_way: PublishedCube

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
            "four_way": self.four_way.as_dict(),
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


FOUR_WAY = "fate_party_region_week"
FOUR_WAY_AXES = ("fate", "party", "region", "week")


def publish(groups: Sequence[Group]) -> Figures:
    """The fixed tables of issue 8, each suppressed, and the 4-way table fate × party ×
    region × week whose margins they share.

    The two-way tables by week, party and region are margins of the 4-way table, and every
    table shares the fate totals: a figure withheld in one is withheld wherever else it is
    published, repeated until stable, so no table gives back what another hides.
    """
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
    shape = (len(FATES), len(parties), len(regions), len(weeks))
    n_fates, n_parties, n_regions, n_weeks = shape
    index = {
        "party": {v: k for k, v in enumerate(parties)},
        "region": {v: k for k, v in enumerate(regions)},
        "week": {v: k for k, v in enumerate(weeks)},
    }
    inner: Counter[Position] = Counter()
    for g in groups:
        inner[
            (
                FATES.index(g.fate),
                index["party"][g.party],
                index["region"][g.region],
                index["week"][g.week],
            )
        ] += g.people
    cube = full_cube(list(inner.items()), shape)

    def in_cube(name: str, i: int, j: int, n_cols: int) -> Position | None:
        # Where entry (i, j) of a two-way table sits in the 4-way table, if it does.
        if name == "by_week":
            return (i, n_parties, n_regions, j)
        if name == "by_party":
            return (i, j, n_regions, n_weeks)
        if name == "by_region":
            return (i, n_parties, j, n_weeks)
        return (i, n_parties, n_regions, n_weeks) if j == n_cols else None

    grids = [full_grid(cells) for _, _, cells in specs]
    cube_forced: set[Position] = set()
    while True:
        cube_hidden = cube_suppression_pattern(cube, shape, cube_forced)
        patterns: list[set[tuple[int, int]]] = []
        for (name, cols, _), grid in zip(specs, grids, strict=True):
            forced = {
                (i, j)
                for i in range(n_fates + 1)
                for j in range(len(cols) + 1)
                if in_cube(name, i, j, len(cols)) in cube_hidden
            }
            patterns.append(suppression_pattern(grid, forced))
        shared = {
            p
            for (name, cols, _), hidden in zip(specs, patterns, strict=True)
            for i, j in hidden
            if (p := in_cube(name, i, j, len(cols))) is not None
        }
        if shared <= cube_hidden:
            break
        cube_forced |= shared
    tables = [
        suppress(name, FATES, cols, cells, forced=hidden)
        for (name, cols, cells), hidden in zip(specs, patterns, strict=True)
    ]
    sources: defaultdict[str, set[int]] = defaultdict(set)
    for g in groups:
        sources[g.fate] |= g.sources
    by_week = tables[0]
    # The number of sources is shown only beside a figure that is itself published.
    sources_by_fate = {
        fate: (len(sources[fate]) if by_week.row_totals[i] is not None else None)
        for i, fate in enumerate(FATES)
    }
    four_way = publish_cube(
        FOUR_WAY, FOUR_WAY_AXES, [FATES, parties, regions, weeks], cube, cube_hidden
    )
    by_party, by_power, by_region, confirmed = tables[1:]
    return Figures(by_week, by_party, by_power, by_region, confirmed, sources_by_fate, four_way)


def figures(session: Session) -> Figures:
    """The published figures as of now."""
    return publish(grouped_people(session))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Published figures as of one count: only suppressed tables, never a person."""

    figures: Figures
    counted_at: datetime
    seconds: float  # how long the count and the suppression took


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()


class FiguresRefresher:
    """Counts in the background so that no page view ever pays for a count.

    The full pass over every report takes seconds at a million reports (bench/figures), far
    over what a page may take. A daemon thread counts, suppresses and keeps the published
    tables every ``interval`` seconds; pages read the latest snapshot and say when it was
    counted. Only suppressed tables are kept (no identifier of anyone). Until the first count
    of a fresh process is done, ``latest()`` is None and the page says the figures are being
    counted. Without a running thread (tests, benchmarks) ``current()`` counts on demand.
    """

    def __init__(self, sessions: sessionmaker[Session], interval: float = REFRESH_SECONDS) -> None:
        self.sessions = sessions
        self.interval = interval
        self._latest: Snapshot | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reader_sessions: sessionmaker[Session] | None = None
        self._reader_engine: sa.Engine | None = None

    def _reader(self) -> sessionmaker[Session]:
        """Sessions for the background count. On SQLite the service's sessions read each
        statement on the latest committed state until they write (kintrace.db.engine); a
        count of several queries needs one snapshot for all of them, so this engine reads in
        plain deferred, read-only transactions, which WAL runs beside writers."""
        if self._reader_sessions is None:
            bind = self.sessions.kw.get("bind")
            if isinstance(bind, sa.Engine) and bind.dialect.name == "sqlite":
                engine = sa.create_engine(bind.url, connect_args={"timeout": 30})
                sa.event.listen(engine, "connect", _read_only)
                self._reader_engine = engine
                self._reader_sessions = sessionmaker(engine)
            else:
                self._reader_sessions = self.sessions
        return self._reader_sessions

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def latest(self) -> Snapshot | None:
        return self._latest

    def refresh(self, session: Session | None = None) -> Snapshot:
        """Count now (in ``session``, else a session of its own) and publish; one count at a
        time per process."""
        with self._lock:
            started = time.monotonic()
            if session is not None:
                groups = grouped_people(session)
            else:
                with self._reader()() as own:
                    groups = grouped_people(own)
            published = publish(groups)
            snapshot = Snapshot(
                published, datetime.now().astimezone(), round(time.monotonic() - started, 3)
            )
            self._latest = snapshot
        log.info("figures counted", extra={"seconds": snapshot.seconds})
        return snapshot

    def current(self, session: Session) -> Snapshot | None:
        """The latest snapshot; counted here, in the caller's ``session`` (SQLite would not
        let a second one read beside it), only when no background thread will do it."""
        if self._latest is None and not self.running:
            return self.refresh(session)
        return self._latest

    def start(self) -> None:
        """Count at once, then every ``interval`` seconds, in a daemon thread."""
        if self.running:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.refresh()
                except Exception:  # keep serving the last figures; try again next round
                    log.exception("counting the figures failed")
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=loop, name="kintrace-figures", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        if self._reader_engine is not None:
            self._reader_engine.dispose()
