"""The analyst dashboard of figures (issue 8): suppressed tables, a server-rendered SVG timeline
with claimed totals beside the verified counts, CSV and JSON export of the same tables, and the
form that records a claim. Aggregates only: nothing here leads to a person."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kintrace.stats.chart import timeline
from kintrace.stats.claims import ClaimIn, list_claims, record_claim
from kintrace.stats.figures import FATES, Figures, FiguresCache, publish
from kintrace.web.deps import CsrfProtected, CurrentUser, SessionDep, TextsDep, require
from kintrace.web.i18n import N_
from kintrace.web.routes.public import FormDep
from kintrace.web.templating import render

router = APIRouter(prefix="/staff/figures", include_in_schema=False)

FATE_LABELS: dict[str, str] = {
    "captured": N_("Captured"),
    "interned": N_("Interned"),
    "wounded": N_("Wounded"),
    "hospitalised": N_("Hospitalised"),
    "dead": N_("Dead"),
    "released": N_("Released"),
    "repatriated": N_("Repatriated"),
    "missing": N_("Missing, enquiry open"),
}
TABLE_TITLES: dict[str, str] = {
    "by_week": N_("People by fate and week"),
    "by_party": N_("People by fate and party"),
    "by_detaining_power": N_("People by fate and detaining power"),
    "by_region": N_("People by fate and region where held"),
    "confirmation": N_("People by fate and number of independent sources"),
}
COLUMN_LABELS: dict[str, str] = {
    "more_than_one_source": N_("More than one independent source"),
    "one_source": N_("One source"),
    "unknown": N_("Not recorded"),
}


def _figures(request: Request, session: SessionDep) -> tuple[Figures, str]:
    """Published figures from counts at most a few minutes old, and when they were counted."""
    cache = getattr(request.app.state, "figures_cache", None)
    if cache is None:
        cache = request.app.state.figures_cache = FiguresCache()
    groups, counted_at = cache.groups(session)
    return publish(groups), counted_at.strftime("%Y-%m-%d %H:%M %Z")


def _page(
    request: Request,
    session: SessionDep,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    published, counted_at = _figures(request, session)
    claims = list_claims(session)
    context = {
        "counted_at": counted_at,
        "figures": published,
        "chart": timeline(published.by_week, claims),
        "claims": claims,
        "fates": FATES,
        "fate_labels": FATE_LABELS,
        "table_titles": TABLE_TITLES,
        "column_labels": COLUMN_LABELS,
        "values": values or {},
        "errors": errors or [],
        "today": date.today().isoformat(),
    }
    return render(request, "figures/dashboard.html", context, status_code=status_code)


@router.get("", dependencies=[require("staff.figures.view")])
def dashboard(request: Request, session: SessionDep) -> Response:
    return _page(request, session)


@router.get(".json", dependencies=[require("staff.figures.view")])
def export_json(request: Request, session: SessionDep) -> Response:
    published, counted_at = _figures(request, session)
    body = json.dumps(
        {**published.as_dict(), "counted_at": counted_at}, ensure_ascii=False, indent=1
    )
    return Response(
        body,
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="kintrace-figures.json"'},
    )


@router.get(".csv", dependencies=[require("staff.figures.view")])
def export_csv(request: Request, session: SessionDep) -> Response:
    # One long table: a withheld figure is an empty field, never a zero.
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "fate", "column", "count"])
    for table in _figures(request, session)[0].tables():
        for fate, row, row_total in zip(
            table.row_labels, table.cells, table.row_totals, strict=True
        ):
            for column, value in zip(table.column_labels, row, strict=True):
                writer.writerow([table.name, fate, column, "" if value is None else value])
            writer.writerow([table.name, fate, "total", "" if row_total is None else row_total])
        for column, value in zip(table.column_labels, table.column_totals, strict=True):
            writer.writerow([table.name, "total", column, "" if value is None else value])
        writer.writerow([table.name, "total", "total", "" if table.total is None else table.total])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="kintrace-figures.csv"'},
    )


@router.post("/claims", dependencies=[require("staff.figures.claim"), CsrfProtected])
def add_claim(
    request: Request, form: FormDep, session: SessionDep, user: CurrentUser, texts: TextsDep
) -> Response:
    values = {
        k: str(form.get(k, ""))
        for k in ("claimant", "claimed_on", "figure", "fate", "counts", "statement_url")
    }
    problems: list[str] = []
    try:
        claimed_on = date.fromisoformat(values["claimed_on"])
    except ValueError:
        claimed_on = date.today()
        problems.append(N_("Give the day of the claim."))
    try:
        figure = int(values["figure"].replace(" ", "").replace(",", ""))
    except ValueError:
        figure = 0
        problems.append(N_("Give the claimed figure as a whole number."))
    claim = ClaimIn(
        claimant=values["claimant"],
        claimed_on=claimed_on,
        figure=figure,
        fate=values["fate"],
        counts=values["counts"],
        statement_url=values["statement_url"],
    )
    problems += claim.problems()
    if problems:
        errors = [texts.gettext(p) for p in problems]
        return _page(request, session, values, errors, status_code=400)
    record_claim(session, claim, user.id)
    session.commit()
    return RedirectResponse("/staff/figures", status_code=303)
