"""The analyst dashboard: suppressed figures, claims beside them, CSV/JSON export; outsiders and
caseworkers get nothing."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, TOTP_SEED, add_personas
from tests.web.conftest import Web
from tests.web.test_staff import sign_in

from kintrace.db.models import AuditEvent, Person, Report, Source
from kintrace.db.models_stats import ClaimedTotal
from kintrace.domain import Credibility, Reliability, ReportType, Role
from kintrace.intake.staff import create_user
from kintrace.stats.figures import FiguresRefresher

SURNAME = "Кислиця"


@pytest.fixture
def analysed(web: Web) -> Web:
    with web.sessions() as session:
        people = add_personas(session)
        create_user(
            session,
            "dana@a.example.org",
            PASSWORD,
            Role.analyst,
            people.org_a,
            totp_secret=TOTP_SEED,
        )
        source = Source(name="Bureau list", reliability=Reliability.A)
        session.add(source)
        session.flush()
        for fate, n in ((ReportType.captured, 9), (ReportType.dead, 3), (ReportType.released, 6)):
            for _ in range(n):
                person = Person()
                session.add(person)
                session.flush()
                session.add(
                    Report(
                        source_id=source.id,
                        person_id=person.id,
                        report_type=fate,
                        event_date="2026-01-05",
                        credibility=Credibility.confirmed,
                        party="UA",
                        full_name=f"{SURNAME} Іван",
                    )
                )
        session.commit()
    return web


def test_an_outsider_is_sent_to_sign_in_and_a_caseworker_is_refused(analysed: Web) -> None:
    response = analysed.client.get("/staff/figures.csv", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")
    sign_in(analysed, "alice@a.example.org")
    assert analysed.client.get("/staff/figures").status_code == 403


def test_the_analyst_sees_the_published_counts_and_never_a_small_one_or_a_name(
    analysed: Web,
) -> None:
    assert sign_in(analysed, "dana@a.example.org").status_code == 303
    page = analysed.client.get("/staff/figures?lang=en")
    assert page.status_code == 200
    assert "<svg" in page.text and "<polyline" in page.text
    assert SURNAME not in page.text
    rows = list(csv.DictReader(io.StringIO(analysed.client.get("/staff/figures.csv").text)))
    by_week = {(r["fate"], r["column"]): r["count"] for r in rows if r["table"] == "by_week"}
    assert by_week[("dead", "total")] == ""  # 3 people: withheld
    # The smallest other figure is withheld too, or 18 - 9 - 6 gives the 3 back.
    assert by_week[("released", "total")] == ""
    assert by_week[("captured", "total")] == "9"
    assert all(r["count"] == "" or int(r["count"]) == 0 or int(r["count"]) >= 5 for r in rows)
    exported = analysed.client.get("/staff/figures.json").json()
    assert exported["tables"][0]["name"] == "by_week"
    assert exported["tables"][0]["total"] == 18


def test_a_claim_appears_beside_the_counts_with_its_source_and_the_gap(analysed: Web) -> None:
    sign_in(analysed, "dana@a.example.org")
    token = analysed.csrf("/staff/figures?lang=en")
    form = {
        "csrf_token": token,
        "claimant": "Ministry of Defence of Country A",
        "claimed_on": "2026-01-06",
        "figure": "6,000",
        "fate": "captured",
        "counts": "soldiers taken prisoner",
        "statement_url": "https://example.org/statement",
    }
    response = analysed.client.post("/staff/figures/claims", data=form, follow_redirects=False)
    assert response.status_code == 303
    page = analysed.client.get("/staff/figures?lang=en").text
    assert "Ministry of Defence of Country A: 6000" in page
    assert 'href="https://example.org/statement"' in page


def test_a_claim_without_a_link_is_refused_with_a_sentence_in_ukrainian(analysed: Web) -> None:
    sign_in(analysed, "dana@a.example.org")
    token = analysed.csrf("/staff/figures?lang=uk")
    form = {
        "csrf_token": token,
        "claimant": "X",
        "claimed_on": "2026-01-06",
        "figure": "5",
        "fate": "dead",
        "counts": "x",
        "statement_url": "not a link",
    }
    response = analysed.client.post("/staff/figures/claims?lang=uk", data=form)
    assert response.status_code == 400
    assert "Дайте веб-адресу заяви (http або https)." in response.text


def _audit_kinds(web: Web) -> list[str]:
    with web.sessions() as session:
        return list(session.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.seq)))


def test_recording_and_reading_claims_and_exporting_figures_leave_audit_events(
    analysed: Web,
) -> None:
    sign_in(analysed, "dana@a.example.org")
    token = analysed.csrf("/staff/figures?lang=en")
    form = {
        "csrf_token": token,
        "claimant": "Ministry of Defence of Country B",
        "claimed_on": "2026-01-06",
        "figure": "498",
        "fate": "dead",
        "counts": "soldiers killed",
        "statement_url": "https://example.org/b",
    }
    analysed.client.post("/staff/figures/claims", data=form, follow_redirects=False)
    analysed.client.get("/staff/figures.json")
    kinds = _audit_kinds(analysed)
    assert "figures.claims_read" in kinds
    assert "figures.claim_recorded" in kinds
    assert kinds[-1] == "figures.exported"
    with analysed.sessions() as session:
        recorded = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.kind == "figures.claim_recorded")
        ).one()
        assert recorded.subject_id == session.scalar(sa.select(ClaimedTotal.id))
        assert recorded.detail == {"fate": "dead"}


def test_the_four_way_table_is_exported_with_small_counts_withheld_and_its_margins_agree(
    analysed: Web,
) -> None:
    sign_in(analysed, "dana@a.example.org")
    response = analysed.client.get("/staff/figures.csv?table=fate_party_region_week")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["fate", "party", "region", "week", "count"]
    cells = {(r["fate"], r["party"], r["region"], r["week"]): r["count"] for r in rows}
    assert cells[("captured", "UA", "unknown", "2026-W02")] == "9"
    assert cells[("dead", "UA", "unknown", "2026-W02")] == ""  # 3 people
    assert cells[("total", "total", "total", "total")] == "18"
    assert all(v == "" or int(v) >= 5 for v in cells.values())
    exported = analysed.client.get("/staff/figures.json").json()
    by_week = exported["tables"][0]
    dead = by_week["rows"].index("dead")
    # What the two-way table withholds, the 4-way table withholds too, and the other way round.
    assert by_week["row_totals"][dead] is None
    assert cells[("dead", "total", "total", "total")] == ""


def test_until_the_background_count_is_done_the_page_says_so_and_exports_wait(
    analysed: Web,
) -> None:
    class Counting(FiguresRefresher):
        @property
        def running(self) -> bool:  # a background count is under way, not finished
            return True

    analysed.app.state.figures_refresher = Counting(analysed.sessions)
    sign_in(analysed, "dana@a.example.org")
    page = analysed.client.get("/staff/figures?lang=en")
    assert page.status_code == 200
    assert "The figures are being counted after a restart" in page.text
    assert "<polyline" not in page.text
    export = analysed.client.get("/staff/figures.csv")
    assert export.status_code == 503
    assert export.headers["retry-after"] == "30"


def test_the_page_says_when_the_figures_were_counted_and_how_often_they_are_recounted(
    analysed: Web,
) -> None:
    sign_in(analysed, "dana@a.example.org")
    page = analysed.client.get("/staff/figures?lang=en").text
    assert "Counted at " in page
    assert "recounted in the background every 5 minutes" in page
