"""PFIF 1.4: schema checks, statuses mapped to report types and back, notes never edited,
newer person records win, expired records go out as placeholders."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.factories import Store

from kintrace.db.models import Report, Source
from kintrace.db.models_sources import PfifRecord
from kintrace.domain import Reliability, ReportType
from kintrace.intake.reports import ImportFileError, import_batch
from kintrace.io.pfif import (
    STATUS_TO_REPORT_TYPE,
    build_pfif,
    parse_pfif,
    read_pfif_table,
    report_type_to_status,
    store_pfif_records,
)


def document(note_text: str = "Seen alive.", source_date: str = "2025-05-01T09:00:00Z",
             expiry: str = "2099-01-01T00:00:00Z", status: str = "believed_alive") -> bytes:  # fmt: skip
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>partner.example.org/p.7</pfif:person_record_id>
    <pfif:expiry_date>{expiry}</pfif:expiry_date>
    <pfif:source_date>{source_date}</pfif:source_date>
    <pfif:full_name>Бондар Олег Петрович</pfif:full_name>
    <pfif:age>30-35</pfif:age>
  </pfif:person>
  <pfif:note>
    <pfif:note_record_id>partner.example.org/n.7</pfif:note_record_id>
    <pfif:person_record_id>partner.example.org/p.7</pfif:person_record_id>
    <pfif:author_name>Synthetic author</pfif:author_name>
    <pfif:source_date>2025-05-02T09:00:00Z</pfif:source_date>
    <pfif:status>{status}</pfif:status>
    <pfif:text>{note_text}</pfif:text>
  </pfif:note>
</pfif:pfif>""".encode()


def test_every_note_status_maps_to_a_report_type_that_maps_back_to_its_meaning() -> None:
    assert report_type_to_status(STATUS_TO_REPORT_TYPE["believed_dead"]) == "believed_dead"
    assert report_type_to_status(STATUS_TO_REPORT_TYPE["believed_alive"]) == "believed_alive"
    assert report_type_to_status(STATUS_TO_REPORT_TYPE["believed_missing"]) == "believed_missing"
    assert report_type_to_status(ReportType.captured) == "believed_alive"
    assert report_type_to_status(ReportType.remains_located) == "believed_dead"


def test_a_person_without_full_name_is_refused_by_the_schema_with_its_line() -> None:
    broken = (
        document()
        .replace(b"<pfif:full_name>", b"<pfif:given_name>")
        .replace(b"</pfif:full_name>", b"</pfif:given_name>")
    )
    with pytest.raises(ImportFileError, match=r"not valid PFIF 1\.4: line \d+"):
        parse_pfif(broken)


def test_an_unknown_status_is_refused_without_quoting_the_value() -> None:
    with pytest.raises(ImportFileError) as caught:
        parse_pfif(document(status="probably_fine"))
    assert "probably_fine" not in str(caught.value)


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    hostile = document(note_text="&leak;").replace(
        b"?>\n", f'?>\n<!DOCTYPE x [<!ENTITY leak SYSTEM "file://{secret}">]>\n'.encode(), 1
    )
    try:
        _persons, notes = parse_pfif(hostile)
    except ImportFileError:
        return  # refused outright: fine
    assert "do not read" not in notes[0].get("text", "")


def test_a_person_record_and_a_status_note_become_a_missing_and_a_seen_report() -> None:
    table, _mapping = read_pfif_table(document())
    rows = [dict(zip(table.headers, cells, strict=True)) for _, cells in table.rows()]
    assert [(r["external_id"], r["report_type"], r["event_date"]) for r in rows] == [
        ("partner.example.org/p.7", "missing", "2025-05-01"),
        ("partner.example.org/n.7", "seen", "2025-05-02"),
    ]
    assert rows[1]["full_name"] == "Бондар Олег Петрович"


def _import(store: Store, data: bytes, source_id: int) -> None:
    table, mapping = read_pfif_table(data)
    with store.sessions.begin() as session:
        outcome = import_batch(session, table, mapping, source_id, skip_existing=True)
        store_pfif_records(session, data, outcome, source_id)


def test_notes_are_never_edited_and_only_a_newer_person_record_replaces_the_old(
    store: Store,
) -> None:
    with store.sessions.begin() as session:
        session.add(Source(name="Partner", reliability=Reliability.C))
    _import(store, document(), 1)
    _import(store, document(note_text="Changed later.", source_date="2024-01-01T00:00:00Z"), 1)
    with store.sessions() as session:
        note = session.scalars(sa.select(PfifRecord).where(PfifRecord.kind == "note")).one()
        person = session.scalars(sa.select(PfifRecord).where(PfifRecord.kind == "person")).one()
        assert note.fields["text"] == "Seen alive."
        assert person.fields["source_date"] == "2025-05-01T09:00:00Z"
        assert session.scalar(sa.select(sa.func.count()).select_from(Report)) == 2
    _import(store, document(source_date="2026-01-01T00:00:00Z"), 1)
    with store.sessions() as session:
        person = session.scalars(sa.select(PfifRecord).where(PfifRecord.kind == "person")).one()
        assert person.fields["source_date"] == "2026-01-01T00:00:00Z"


def test_an_expired_record_goes_out_as_a_placeholder_without_names(store: Store) -> None:
    with store.sessions.begin() as session:
        session.add(Source(name="Partner", reliability=Reliability.C))
    _import(store, document(expiry="2025-06-01T00:00:00Z"), 1)
    with store.sessions() as session:
        reports = list(session.scalars(sa.select(Report).order_by(Report.id)))
        out = build_pfif(session, reports, {"identity", "fate"}, "kintrace.example.org")
    persons, notes = parse_pfif(out)
    assert persons[0]["person_record_id"] == "partner.example.org/p.7"
    assert persons[0]["full_name"] == "" and "age" not in persons[0]
    assert notes == []
    assert hashlib.sha256(out).hexdigest()  # the document itself is schema-valid


def test_reports_made_here_go_out_with_domain_prefixed_ids_and_a_mapped_status(
    store: Store,
) -> None:
    with store.sessions.begin() as session:
        source = Source(name="Hospital 3", reliability=Reliability.B)
        session.add(source)
        session.flush()
        session.add(
            Report(
                source_id=source.id,
                report_type=ReportType.hospitalised,
                family_name="Кислиця",
                given_name="Сергій",
                internment_place="Госпіталь 3",
                created_at=datetime(2025, 5, 1, tzinfo=UTC),
            )
        )
    with store.sessions() as session:
        reports = list(session.scalars(sa.select(Report)))
        without_location = build_pfif(session, reports, {"identity", "fate"}, "ours.example.org")
        with_location = build_pfif(session, reports, {"identity", "location"}, "ours.example.org")
    persons, notes = parse_pfif(without_location)
    assert persons[0]["person_record_id"].startswith("ours.example.org/report.")
    assert persons[0]["full_name"] == "Кислиця Сергій"
    assert notes[0]["status"] == "believed_alive"
    assert "last_known_location" not in notes[0]
    assert parse_pfif(with_location)[1][0]["last_known_location"] == "Госпіталь 3"
