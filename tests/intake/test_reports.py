"""Report intake: one capture card, and whole batches that land entirely or not at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from tests.factories import Store

from kintrace.db.models import AuditEvent, MatchJob, Report, Source
from kintrace.db.models_sources import ImportBatch, QuarantinedRow
from kintrace.domain import Credibility, Reliability, ReportType
from kintrace.intake.reports import (
    REPORT_ERROR_CODES,
    BatchRejected,
    Mapping,
    MappingError,
    ReportIn,
    Table,
    guess_mapping,
    import_batch,
    parse_report_type,
    submit_report,
    validate,
)

HEADERS = ["Номер запису", "Прізвище", "Ім'я", "Дата народження", "Статус"]


def make_source(store: Store, name: str = "Bureau list") -> int:
    with store.sessions.begin() as session:
        source = Source(
            name=name, reliability=Reliability.B, default_credibility=Credibility.probably_true
        )
        session.add(source)
        session.flush()
        return source.id


def table(rows: list[list[str]], sha: str = "a" * 64) -> Table:
    return Table.from_rows(HEADERS, rows, kind="csv", sha256=sha)


def count(store: Store, model: type) -> int:
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


GOOD = [
    ["U-1", "Ковальчук", "Петро", "12.03.2001", "полонений"],
    ["U-2", "Шевчук", "Андрій", "1999", "загинув"],
]


def test_it_reads_report_types_as_sources_write_them_in_three_languages() -> None:
    assert parse_report_type("полонений") is ReportType.captured
    assert parse_report_type("Пропал без вести") is ReportType.missing
    assert parse_report_type("погиб") is ReportType.dead
    assert parse_report_type("remains_located") is ReportType.remains_located
    with pytest.raises(PydanticCustomError):
        parse_report_type("в")  # a word of a phrase is not a report type on its own


def test_it_guesses_the_mapping_from_headers_in_ukrainian_russian_and_english() -> None:
    mapping = guess_mapping(["Фамилия", "Ім’я", "Father's name", "ДАТА НАРОЖДЕНИЯ", "Unit", "x"])
    assert mapping.columns == {
        "family_name": "Фамилия",
        "given_name": "Ім’я",
        "patronymic": "Father's name",
        "military_unit": "Unit",
    }
    assert guess_mapping(["Surname", "Дата народження", "в/ч"]).columns == {
        "family_name": "Surname",
        "birth_date": "Дата народження",
        "military_unit": "в/ч",
    }


def test_a_saved_mapping_reads_back_the_same() -> None:
    mapping = Mapping({"family_name": "Прізвище"}, ReportType.interned)
    assert Mapping.from_json(mapping.to_json()) == mapping
    with pytest.raises(MappingError, match="unknown fields"):
        Mapping.from_json('{"columns": {"shoe_size": "x"}}')


def test_a_capture_card_without_any_name_is_refused_with_a_stable_code() -> None:
    with pytest.raises(ValidationError) as caught:
        ReportIn.model_validate({"report_type": "captured", "birth_date": "32.01.2001"})
    codes = {e["type"] for e in caught.value.errors()}
    assert codes == {"name_missing", "date_invalid"}
    assert codes <= set(REPORT_ERROR_CODES)


def test_a_file_without_a_name_column_cannot_be_mapped() -> None:
    bad = Table.from_rows(["Дата народження"], [["2001"]], kind="csv", sha256="b" * 64)
    with pytest.raises(MappingError, match="No column holds a name"):
        validate(bad, guess_mapping(bad.headers))


def test_it_stores_a_capture_card_with_its_matching_job_and_audit_event(store: Store) -> None:
    source_id = make_source(store)
    card = ReportIn(
        report_type="captured",
        family_name="Кислиця",
        given_name="Сергій",
        patronymic="Вікторович",
        capture_date="05.2025",
        detaining_power="RU",
        consents_family_informed="так",
    )
    with store.sessions.begin() as session:
        report_id = submit_report(session, card, source_id=source_id)
    with store.sessions() as session:
        report = session.get(Report, report_id)
        assert report is not None
        assert (report.capture_date, report.consents_family_informed) == ("2025-05", True)
        assert report.credibility == Credibility.probably_true  # the source's default
        assert session.scalar(sa.select(MatchJob.subject_id)) == report_id
        assert session.scalar(sa.select(AuditEvent.kind)) == "report.created"


def test_a_batch_lands_whole_with_one_audit_event_naming_ids_and_sha256(store: Store) -> None:
    source_id = make_source(store)
    with store.sessions.begin() as session:
        result = import_batch(session, table(GOOD), guess_mapping(HEADERS), source_id)
    assert result.reports_created == 2
    with store.sessions() as session:
        ids = sorted(session.scalars(sa.select(Report.id)))
        assert (result.first_report_id, result.last_report_id) == (ids[0], ids[-1])
        assert sorted(session.scalars(sa.select(MatchJob.subject_id))) == ids
        events = session.execute(sa.select(AuditEvent.kind, AuditEvent.detail)).all()
    assert len(events) == 1
    kind, detail = events[0]
    assert kind == "report.batch_imported"
    assert detail["file_sha256"] == "a" * 64
    assert (detail["first_report_id"], detail["last_report_id"]) == (ids[0], ids[-1])


def test_bulk_names_are_sealed_at_rest_and_read_back_as_the_officer_wrote_them(
    store: Store,
) -> None:
    source_id = make_source(store)
    with store.sessions.begin() as session:
        import_batch(session, table(GOOD), guess_mapping(HEADERS), source_id)
    with store.sessions() as session:
        raw = session.connection().exec_driver_sql(
            "SELECT family_name, given_name, birth_date FROM report ORDER BY id"
        )
        stored = [cell for row in raw for cell in row]
        names = [
            (r.family_name, r.given_name, r.birth_date, r.report_type)
            for r in session.scalars(sa.select(Report).order_by(Report.id))
        ]
    assert all(cell.startswith("kt1:") for cell in stored)
    assert len(set(stored)) == len(stored)  # a fresh nonce for every value
    assert not any("Ковальчук" in cell or "2001-03-12" in cell for cell in stored)
    assert names == [
        ("Ковальчук", "Петро", "2001-03-12", ReportType.captured),
        ("Шевчук", "Андрій", "1999", ReportType.dead),
    ]


def test_one_bad_row_keeps_the_whole_batch_out(store: Store) -> None:
    source_id = make_source(store)
    rows = [*GOOD, ["U-3", "Мельник", "Іван", "31.02.1999", "поранений"], ["U-4", "", "", "", "x"]]
    with store.sessions() as session, pytest.raises(BatchRejected) as caught:
        import_batch(session, table(rows), guess_mapping(HEADERS), source_id, chunk_size=1)
    assert [(b.row_number, b.field, b.code) for b in caught.value.bad_rows] == [
        (4, "birth_date", "date_invalid"),
        (5, "report_type", "report_type_invalid"),
        (5, "name", "name_missing"),
    ]
    assert count(store, Report) == count(store, ImportBatch) == count(store, AuditEvent) == 0


def test_quarantined_rows_are_kept_for_correction_and_the_good_rows_land(store: Store) -> None:
    source_id = make_source(store)
    rows = [*GOOD, ["U-3", "Мельник", "Іван", "31.02.1999", "поранений"]]
    with store.sessions.begin() as session:
        result = import_batch(
            session, table(rows), guess_mapping(HEADERS), source_id, quarantine_bad_rows=True
        )
    assert (result.reports_created, result.rows_quarantined) == (2, 1)
    with store.sessions() as session:
        kept = session.scalars(sa.select(QuarantinedRow)).one()
    assert (kept.row_number, kept.field, kept.code) == (4, "birth_date", "date_invalid")
    assert kept.cells["Дата народження"] == "31.02.1999"


def test_the_same_file_twice_is_a_no_op(store: Store) -> None:
    source_id = make_source(store)
    for _ in range(2):
        with store.sessions.begin() as session:
            last = import_batch(session, table(GOOD), guess_mapping(HEADERS), source_id)
    assert last.already_imported
    assert count(store, Report) == 2
    assert count(store, AuditEvent) == 1


def test_a_record_id_the_source_already_delivered_is_a_bad_row_in_a_new_file(
    store: Store,
) -> None:
    source_id = make_source(store)
    with store.sessions.begin() as session:
        import_batch(session, table(GOOD), guess_mapping(HEADERS), source_id)
    again = table([GOOD[0], ["U-9", "Бондар", "Олег", "", "звільнений"]], sha="c" * 64)
    with store.sessions() as session, pytest.raises(BatchRejected) as caught:
        import_batch(session, again, guess_mapping(HEADERS), source_id)
    assert [(b.row_number, b.code) for b in caught.value.bad_rows] == [(2, "external_id_exists")]
    with store.sessions.begin() as session:
        result = import_batch(session, again, guess_mapping(HEADERS), source_id, skip_existing=True)
    assert (result.reports_created, result.rows_skipped) == (1, 1)


def test_the_bulk_path_cleans_every_field_exactly_as_the_capture_card_form_does() -> None:
    from kintrace.intake.reports import FIELDS, _RowConverter

    headers = list(FIELDS)
    row = {
        "report_type": "Поранений", "event_date": "3.4.2025", "credibility": "2",
        "source_document_ref": " Акт  №5 ", "external_id": "X-1",
        "full_name": "Кислиця  Сергій Вікторович", "sex": "ч", "birth_date": "12.03.2001",
        "military_unit": "в/ч А0000", "capture_date": "2025-05",
        "consents_family_informed": "ні", "health_state": "рана\nплеча", "country_held": "RU",
    }  # fmt: skip
    cells = [row.get(h, "") for h in headers]
    bulk = Table.from_rows(headers, [cells], kind="csv", sha256="d" * 64)
    values, problems = _RowConverter(bulk, Mapping({h: h for h in headers})).convert(cells)
    assert problems == []
    # The bulk path leaves out the fields the file does not give (they stay NULL).
    assert values is not None
    assert {**dict.fromkeys(FIELDS), **values} == ReportIn.model_validate(row).model_dump()
    assert values["consents_family_informed"] is False
