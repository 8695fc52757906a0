"""The figures dashboard with a million reports (issue 8 item 5: target under 300 ms).

Builds a SQLite database at the newest schema holding N reports about N/4 synthetic people
(bulk Core inserts; no names: the sealed columns stay empty, they play no part in the figures),
then in the same run times, best and median of --repeat runs:
  - baseline: a plain ``SELECT report_type, count(*) FROM report GROUP BY report_type``;
  - background count: what the service's FiguresRefresher does every 5 minutes off the request
    path — the full count (latest admissible report per person, joined grades and independent
    sources) and the suppression of every table, the 4-way fate × party × region × week
    table included;
  - dashboard: what a page view costs: chart and render from the latest published snapshot
    (no request ever counts);
  - dashboard during a count: page views while a background count runs in another thread of
    the same process (the GIL and the database are shared).
Prints a rich table; JSON into bench/results/figures.json.

    .venv/bin/python bench/figures/run.py [--reports 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from kintrace.db import make_engine, make_sessionmaker, upgrade
from kintrace.db.models import Organisation, Person, Report, Source
from kintrace.settings import Settings
from kintrace.stats.chart import timeline
from kintrace.stats.figures import FATES, FiguresRefresher
from kintrace.web.routes.figures import COLUMN_LABELS, FATE_LABELS, TABLE_TITLES
from kintrace.web.templating import make_templates

RESULTS = Path(__file__).resolve().parents[1] / "results"
TYPES = ["captured", "interned", "transferred", "wounded", "hospitalised", "dead", "released",
         "repatriated", "seen", "missing"]  # fmt: skip
WEIGHTS = [30, 20, 5, 8, 5, 10, 8, 6, 5, 3]
PARTIES = ["UA", "RU"]
REGIONS = ["RU", "UA", "BY", "TR", "QA", "AE", "KZ", "PL", "MD", "GE"]


def fill(engine: sa.Engine, reports: int, console: Console) -> None:
    rng = random.Random(20261127)
    people = max(reports // 4, 1)
    start = date(2025, 1, 6)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Organisation),
            [{"code": f"ORG{i}", "name": f"Organisation {i}"} for i in range(15)],
        )
        org_ids = list(conn.scalars(sa.select(Organisation.id)))
        conn.execute(
            sa.insert(Source),
            [
                {
                    "name": f"Source {i}",
                    "reliability": "ABCDEF"[i % 6],
                    "organisation_id": org_ids[i % len(org_ids)] if i % 4 else None,
                }
                for i in range(40)
            ],
        )
        source_ids = list(conn.scalars(sa.select(Source.id)))
        conn.execute(sa.insert(Person), [{"created_at": now} for _ in range(people)])
        person_ids = list(conn.scalars(sa.select(Person.id)))
    batch: list[dict[str, object]] = []
    written = 0
    while written < reports:
        party = rng.choice(PARTIES)
        batch.append(
            {
                "source_id": rng.choice(source_ids),
                "person_id": person_ids[written % people],
                "report_type": rng.choices(TYPES, WEIGHTS)[0],
                "event_date": (start + timedelta(days=rng.randrange(700))).isoformat(),
                "credibility": str(rng.randint(1, 6)),
                "party": party,
                "detaining_power": "RU" if party == "UA" else "UA",
                "country_held": rng.choice(REGIONS),
                "created_at": now,
            }
        )
        written += 1
        if len(batch) == 50_000 or written == reports:
            with engine.begin() as conn:
                conn.execute(sa.insert(Report), batch)
            batch.clear()
            console.log(f"{written:,} reports written")


def render_page(templates: object, refresher: FiguresRefresher) -> str:
    snapshot = refresher.latest()
    assert snapshot is not None
    published = snapshot.figures
    context = {
        "_": lambda s, **kw: s % kw if kw else s,
        "ngettext": lambda s, p, n, **kw: s if n == 1 else p,
        "lang": "en",
        "languages": [],
        "csrf_field": "csrf_token",
        "csrf_token": "x",
        "user": None,
        "snapshot": snapshot,
        "counted_at": snapshot.counted_at.strftime("%Y-%m-%d %H:%M %Z"),
        "refresh_minutes": 5,
        "being_counted": "",
        "figures": published,
        "chart": timeline(published.by_week, []),
        "claims": [],
        "fates": FATES,
        "fate_labels": FATE_LABELS,
        "table_titles": TABLE_TITLES,
        "column_labels": COLUMN_LABELS,
        "values": {},
        "errors": [],
        "today": date.today().isoformat(),
    }
    return templates.get_template("figures/dashboard.html").render(context)  # type: ignore[attr-defined]


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/bench.sqlite3")
        engine = make_engine(settings)
        upgrade(settings, engine=engine)
        t0 = time.perf_counter()
        fill(engine, args.reports, console)
        fill_s = time.perf_counter() - t0
        sessions = make_sessionmaker(engine)
        templates = make_templates().env
        refresher = FiguresRefresher(sessions)
        with sessions() as session:

            def baseline() -> None:
                stmt = sa.select(Report.report_type, sa.func.count()).group_by(Report.report_type)
                session.execute(stmt).all()

            base = timed(baseline, args.repeat)
        colds = timed(refresher.refresh, max(2, args.repeat // 2))
        snapshot = refresher.latest()
        assert snapshot is not None
        cube_entries = len(snapshot.figures.four_way.entries)
        cube_withheld = sum(v is None for _, v in snapshot.figures.four_way.entries)
        dash = timed(lambda: render_page(templates, refresher), args.repeat)
        page_bytes = len(render_page(templates, refresher))
        # Page views while the next count runs beside them.
        counting = threading.Thread(target=refresher.refresh)
        counting.start()
        during: list[float] = []
        while counting.is_alive():
            during += timed(lambda: render_page(templates, refresher), 1)
            time.sleep(0.05)
        counting.join()
        refresher.stop()
        engine.dispose()
    result = {
        "reports": args.reports,
        "people": max(args.reports // 4, 1),
        "database": "sqlite",
        "fill_seconds": round(fill_s, 1),
        "baseline_group_by_ms": {"best": round(min(base), 1), "median": round(statistics.median(base), 1)},
        "background_count_ms": {"best": round(min(colds), 1), "median": round(statistics.median(colds), 1)},
        "dashboard_ms": {"best": round(min(dash), 1), "median": round(statistics.median(dash), 1)},
        "dashboard_during_count_ms": {"views": len(during), "median": round(statistics.median(during), 1), "p95": round(sorted(during)[int(0.95 * (len(during) - 1))], 1), "max": round(max(during), 1)},
        "four_way_entries": cube_entries,
        "four_way_withheld": cube_withheld,
        "target_ms": 300,
        "page_bytes": page_bytes,
    }  # fmt: skip
    table = Table(title=f"Figures dashboard, {args.reports:,} reports (SQLite)")
    for col in ("run", "best ms", "median ms"):
        table.add_column(col)
    table.add_row("baseline: count(*) GROUP BY report_type", f"{min(base):.1f}",
                  f"{statistics.median(base):.1f}")  # fmt: skip
    table.add_row("background count (off the request path): count + suppression, 4-way incl.",
                  f"{min(colds):.1f}", f"{statistics.median(colds):.1f}")  # fmt: skip
    table.add_row("dashboard page: chart + render from the latest snapshot",
                  f"{min(dash):.1f}", f"{statistics.median(dash):.1f}")  # fmt: skip
    table.add_row(f"dashboard page while a count runs ({len(during)} views; max {max(during):.1f})",
                  f"{min(during):.1f}", f"{statistics.median(during):.1f}")  # fmt: skip
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "figures.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
