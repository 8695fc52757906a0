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

from kintrace import audit
from kintrace.audit.events import ClaimRecorded, ClaimsRead, FiguresExported
from kintrace.stats.chart import timeline
from kintrace.stats.claims import ClaimIn, list_claims, record_claim
from kintrace.stats.figures import FATES, FOUR_WAY, FiguresRefresher, Snapshot
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


def refresher(request: Request) -> FiguresRefresher:
    """The process's figures refresher (started with the app outside tests; see app.py)."""
    found = getattr(request.app.state, "figures_refresher", None)
    if found is None:
        found = request.app.state.figures_refresher = FiguresRefresher(
            request.app.state.sessionmaker
        )
    return found


def _snapshot(request: Request, session: SessionDep) -> Snapshot | None:
    """The latest published figures; None while a fresh process is still counting."""
    return refresher(request).current(session)


def _counted_at(snapshot: Snapshot) -> str:
    return snapshot.counted_at.strftime("%Y-%m-%d %H:%M %Z")


def _not_ready(texts: TextsDep) -> Response:
    # An export must never be a half-counted or an unsuppressed table: ask to come back.
    return Response(
        texts.gettext(BEING_COUNTED),
        status_code=503,
        media_type="text/plain; charset=utf-8",
        headers={"retry-after": "30"},
    )


BEING_COUNTED = N_(
    "The figures are being counted after a restart; they will be here within a few minutes."
)


def _page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    snapshot = _snapshot(request, session)
    claims = list_claims(session)
    audit.record(session, ClaimsRead(actor_kind="staff", actor_id=user.id, claims=len(claims)))
    session.commit()
    published = snapshot.figures if snapshot else None
    context = {
        "snapshot": snapshot,
        "counted_at": _counted_at(snapshot) if snapshot else None,
        "refresh_minutes": round(refresher(request).interval / 60),
        "being_counted": BEING_COUNTED,
        "figures": published,
        "chart": timeline(published.by_week, claims) if published else None,
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
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _page(request, session, user)


@router.get(".json", dependencies=[require("staff.figures.view")])
def export_json(
    request: Request, session: SessionDep, user: CurrentUser, texts: TextsDep
) -> Response:
    snapshot = _snapshot(request, session)
    if snapshot is None:
        return _not_ready(texts)
    _audit_export(session, user, "json")
    body = json.dumps(
        {
            **snapshot.figures.as_dict(),
            "counted_at": snapshot.counted_at.isoformat(timespec="seconds"),
        },
        ensure_ascii=False,
        indent=1,
    )
    return Response(
        body,
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="kintrace-figures.json"'},
    )


@router.get(".csv", dependencies=[require("staff.figures.view")])
def export_csv(
    request: Request, session: SessionDep, user: CurrentUser, texts: TextsDep, table: str = ""
) -> Response:
    # One long table: a withheld figure is an empty field, never a zero.
    snapshot = _snapshot(request, session)
    if snapshot is None:
        return _not_ready(texts)
    _audit_export(session, user, "csv")
    out = io.StringIO()
    writer = csv.writer(out)
    if table == FOUR_WAY:
        # The 4-way table, one row per entry that is not a published zero ("total" = margin).
        cube = snapshot.figures.four_way
        writer.writerow([*cube.axes, "count"])
        for key, value in cube.entries:
            writer.writerow([*key, "" if value is None else value])
        return _csv(out.getvalue(), f"kintrace-figures-{FOUR_WAY}.csv")
    writer.writerow(["table", "fate", "column", "count"])
    for t in snapshot.figures.tables():
        for fate, row, row_total in zip(t.row_labels, t.cells, t.row_totals, strict=True):
            for column, value in zip(t.column_labels, row, strict=True):
                writer.writerow([t.name, fate, column, "" if value is None else value])
            writer.writerow([t.name, fate, "total", "" if row_total is None else row_total])
        for column, value in zip(t.column_labels, t.column_totals, strict=True):
            writer.writerow([t.name, "total", column, "" if value is None else value])
        writer.writerow([t.name, "total", "total", "" if t.total is None else t.total])
    return _csv(out.getvalue(), "kintrace-figures.csv")


def _csv(body: str, filename: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _audit_export(session: SessionDep, user: CurrentUser, fmt: str) -> None:
    audit.record(session, FiguresExported(actor_kind="staff", actor_id=user.id, format=fmt))
    session.commit()


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
        return _page(request, session, user, values, errors, status_code=400)
    row = record_claim(session, claim, user.id)
    audit.record(
        session,
        ClaimRecorded(actor_kind="staff", actor_id=user.id, subject_id=row.id, fate=row.fate),
    )
    session.commit()
    return RedirectResponse("/staff/figures", status_code=303)
