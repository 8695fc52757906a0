"""The figures dashboard with a million reports (issue 8 item 5: target under 300 ms).

Builds a SQLite database at the newest schema holding N reports about N/4 synthetic people
(bulk Core inserts; no names: the sealed columns stay empty, they play no part in the figures),
then in the same run times, best and median of --repeat runs:
  - baseline: a plain ``SELECT report_type, count(*) FROM report GROUP BY report_type``;
  - cold:     the full count (latest admissible report per person, joined grades and
    independent sources), the suppression of every table, the chart and the page render;
  - dashboard: what a page view costs while the counts are under 5 minutes old (the
    service's FiguresCache): suppression, chart and render from the cached grouped counts.
Prints a rich table; JSON into bench/results/figures.json.

    .venv/bin/python bench/figures/run.py [--reports 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
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
from kintrace.stats.figures import FATES, FiguresCache, publish
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


def render_page(session: object, templates: object, cache: FiguresCache) -> str:
    groups, _ = cache.groups(session)  # type: ignore[arg-type]
    published = publish(groups)
    context = {
        "_": lambda s, **kw: s % kw if kw else s,
        "ngettext": lambda s, p, n, **kw: s if n == 1 else p,
        "lang": "en",
        "languages": [],
        "csrf_field": "csrf_token",
        "csrf_token": "x",
        "user": None,
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
        with sessions() as session:

            def baseline() -> None:
                stmt = sa.select(Report.report_type, sa.func.count()).group_by(Report.report_type)
                session.execute(stmt).all()

            cold_cache = FiguresCache(max_age=0)  # counts again on every call
            warm_cache = FiguresCache()

            def cold() -> None:
                cold_cache.clear()
                render_page(session, templates, cold_cache)

            def warm() -> None:
                render_page(session, templates, warm_cache)

            base = timed(baseline, args.repeat)
            colds = timed(cold, max(2, args.repeat // 2))
            render_page(session, templates, warm_cache)  # first visit counts
            dash = timed(warm, args.repeat)
            page_bytes = len(render_page(session, templates, warm_cache))
        engine.dispose()
    result = {
        "reports": args.reports,
        "people": max(args.reports // 4, 1),
        "database": "sqlite",
        "fill_seconds": round(fill_s, 1),
        "baseline_group_by_ms": {"best": round(min(base), 1), "median": round(statistics.median(base), 1)},
        "cold_count_and_render_ms": {"best": round(min(colds), 1), "median": round(statistics.median(colds), 1)},
        "dashboard_ms": {"best": round(min(dash), 1), "median": round(statistics.median(dash), 1)},
        "target_ms": 300,
        "page_bytes": page_bytes,
    }  # fmt: skip
    table = Table(title=f"Figures dashboard, {args.reports:,} reports (SQLite)")
    for col in ("run", "best ms", "median ms"):
        table.add_column(col)
    table.add_row("baseline: count(*) GROUP BY report_type", f"{min(base):.1f}",
                  f"{statistics.median(base):.1f}")  # fmt: skip
    table.add_row("cold: full count + suppression + chart + render", f"{min(colds):.1f}",
                  f"{statistics.median(colds):.1f}")  # fmt: skip
    table.add_row("dashboard (counts < 5 min old): suppression + chart + render",
                  f"{min(dash):.1f}", f"{statistics.median(dash):.1f}")  # fmt: skip
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "figures.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
