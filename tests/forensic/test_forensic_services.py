"""Forensic services: sealed descriptors, photos for forensic staff only, graded death
evidence, and identifications that never happen by one person or by the software."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from tests.factories import Personas, Store
from tests.review.conftest import add_report, add_source

from kintrace.db.models import Case, User
from kintrace.domain import ReportType
from kintrace.review import forensic
from kintrace.review.forensic import ForensicRefused

from .conftest import Specialists

PNG = b"\x89PNG\r\n\x1a\n synthetic"


def _remains(session, dana: User) -> forensic.UnidentifiedRemains:  # type: ignore[no-untyped-def]
    return forensic.record_remains(
        session, dana, source_org="Exhumation team (synthetic)", place="Ізюм",
        date_found="2025-01-02", descriptors={"sex": "M", "marks": [{"kind": "tattoo"}]},
    )  # fmt: skip


def test_remains_descriptors_and_photos_are_sealed_at_rest(
    store: Store, people: Personas, specialists: Specialists
) -> None:
    with store.sessions.begin() as session:
        remains = _remains(session, session.get(User, specialists.dana))
        forensic.add_photo(session, data=PNG, content_type="image/png", remains=remains)
    with store.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT place, descriptors FROM unidentified_remains")).one()
        photo = conn.execute(sa.text("SELECT data FROM forensic_photo")).scalar_one()
    assert "Ізюм" not in raw.place and "tattoo" not in raw.descriptors
    assert "PNG" not in photo and raw.place.startswith("kt1:")


@pytest.mark.parametrize("who", ["alice", "bob", "analyst"])
def test_only_forensic_staff_open_a_photo_of_remains(
    store: Store, people: Personas, specialists: Specialists, who: str
) -> None:
    with store.sessions.begin() as session:
        remains = _remains(session, session.get(User, specialists.dana))
        photo = forensic.add_photo(session, data=PNG, content_type="image/png", remains=remains)
        viewer_id = {"alice": people.alice.id, "bob": people.bob.id,
                     "analyst": specialists.analyst}[who]  # fmt: skip
        with pytest.raises(ForensicRefused, match="forensic specialist"):
            forensic.open_photo(session, photo.id, session.get(User, viewer_id))
        opened = forensic.open_photo(session, photo.id, session.get(User, specialists.erik))
        assert opened.data == PNG


def test_a_caseworker_cannot_record_remains_or_propose_an_identification(
    store: Store, people: Personas, specialists: Specialists
) -> None:
    with store.sessions.begin() as session:
        alice = session.get(User, people.alice.id)
        with pytest.raises(ForensicRefused):
            _remains(session, alice)
        remains = _remains(session, session.get(User, specialists.dana))
        case = Case(organisation_id=people.org_a.id)
        session.add(case)
        session.flush()
        with pytest.raises(ForensicRefused):
            forensic.propose_identification(session, remains, case, alice, method="visual")


def test_dna_needs_a_lab_reference_and_remains_wait_for_approval_before_return(
    store: Store, people: Personas, specialists: Specialists
) -> None:
    with store.sessions.begin() as session:
        dana = session.get(User, specialists.dana)
        remains = _remains(session, dana)
        case = Case(organisation_id=people.org_a.id)
        session.add(case)
        session.flush()
        with pytest.raises(ForensicRefused, match="laboratory reference"):
            forensic.propose_identification(session, remains, case, dana, method="dna")
        with pytest.raises(ForensicRefused, match="method"):
            forensic.propose_identification(session, remains, case, dana, method="psychic")
        ident = forensic.propose_identification(session, remains, case, dana, method="visual")
        with pytest.raises(ForensicRefused, match="approved identification"):
            forensic.plan_return(session, ident, dana, from_whom="a", to_whom="b", place="c",
                                 on=date(2025, 2, 1))  # fmt: skip


def test_a_family_reference_sample_is_recorded_with_where_it_was_given(
    store: Store, people: Personas, specialists: Specialists
) -> None:
    with store.sessions.begin() as session:
        alice = session.get(User, people.alice.id)
        case = Case(organisation_id=people.org_a.id)
        session.add(case)
        session.flush()
        with pytest.raises(ForensicRefused, match="where"):
            forensic.record_ante_mortem(session, case, alice, descriptors={},
                                        reference_sample_given=True)  # fmt: skip
        record = forensic.record_ante_mortem(
            session, case, alice, descriptors={"height_min": 170},
            reference_sample_given=True, reference_sample_where="Lab 0 (synthetic)",
        )  # fmt: skip
        assert record.reference_sample_where == "Lab 0 (synthetic)"


def test_a_death_without_graded_evidence_stays_reported_dead_unconfirmed(
    store: Store, people: Personas
) -> None:
    with store.sessions.begin() as session:
        report = add_report(session, add_source(session), report_type=ReportType.dead)
        hearsay = forensic.record_death_evidence(session, report, place="near Бахмут")
        certified = forensic.record_death_evidence(session, report, certificate="No. 0")
        dna = forensic.record_death_evidence(session, report, method="dna", lab_reference="L-1")
        assert forensic.death_status(hearsay) == "reported_dead_unconfirmed"
        assert forensic.death_status(certified) == "dead"
        assert forensic.death_status(dna) == "dead"


def test_death_evidence_recorded_on_a_report_decides_its_fate_by_weight(
    store: Store, people: Personas
) -> None:
    from kintrace.domain import Credibility, Fate, Reliability, SourceKind
    from kintrace.domain.fate import DeathGrade, Evidence, derive_fate

    with store.sessions.begin() as session:
        source = add_source(session)
        report = add_report(session, source, report_type=ReportType.dead)
        plain = add_report(session, source, report_type=ReportType.dead)
        forensic.record_death_evidence(session, report, method="visual")
        forensic.record_death_evidence(session, report, method="dental", lab_reference="L-2")

        def said(report_id: int) -> Evidence:
            return Evidence(report_id, ReportType.dead, Reliability.B, Credibility.possibly_true,
                            SourceKind.ngo, "2025-03-01")  # fmt: skip

        enriched = forensic.with_death_evidence(session, [said(report.id), said(plain.id)])
        assert enriched[0].identification_method == "dental" and enriched[0].has_lab_reference
        assert enriched[1] == said(plain.id)
        ruling = derive_fate(enriched[:1])
        assert ruling.fate is Fate.dead and ruling.death_grade is DeathGrade.identified
        # The same report without its recorded evidence is a death reported, not confirmed.
        assert derive_fate(enriched[1:]).reported_dead_unconfirmed is True
