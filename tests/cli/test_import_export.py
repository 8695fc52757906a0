"""`kintrace import` / `kintrace export` end to end, on SQLite and PostgreSQL: files the tests
write, bad files that leave the database unchanged, signed field batches, PFIF under an
agreement."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.factories import PASSWORD, Store, migrated_store
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.db.models import AuditEvent, Organisation, Report, Source
from kintrace.db.models_sources import DataTransfer, ImportBatch
from kintrace.domain import Reliability, Role
from kintrace.intake.staff import create_user, get_or_create_organisation

runner = CliRunner()

HEADER = "Прізвище;Ім'я;По батькові;Дата народження;в/ч;Статус"
GOOD_ROWS = [
    "Ковальчук;Петро;Іванович;12.03.2001;в/ч А0000;полонений",
    "Шевчук;Андрій;;1999;;загинув",
]


def run(data_dir: Path, database_url: str | None, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    env = {"KINTRACE_DATABASE_URL": database_url} if database_url else {}
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)], input=input, env=env)


@pytest.fixture
def store(database_url: str, data_dir: Path):  # type: ignore[no-untyped-def]
    with migrated_store(data_dir, database_url) as migrated:
        with migrated.sessions.begin() as session:
            session.add(Source(name="Bureau", reliability=Reliability.B))
        yield migrated


def counts(store: Store) -> tuple[int, int, int]:
    with store.sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(sa.select(sa.func.count()).select_from(m)) or 0
            for m in (Report, ImportBatch, AuditEvent)
        )


def write_list(path: Path, rows: list[str]) -> Path:
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("cp1251"))
    return path


def test_a_cp1251_list_is_imported_once_and_the_second_run_changes_nothing(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "list.csv", GOOD_ROWS)
    first = run(data_dir, database_url, "import", str(path), "--source", "Bureau", "--yes")
    assert first.exit_code == 0, first.output
    assert "Imported 2 reports" in first.output
    assert "Прізвище" in first.output  # the guessed mapping is shown
    second = run(data_dir, database_url, "import", str(path), "--source", "Bureau", "--yes")
    assert second.exit_code == 0, second.output
    assert "already imported" in second.output
    assert counts(store) == (2, 1, 1)


def test_declining_the_guessed_mapping_imports_nothing(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "list.csv", GOOD_ROWS)
    result = run(data_dir, database_url, "import", str(path), "--source", "Bureau", input="n\n")
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert counts(store) == (0, 0, 0)


def test_a_saved_mapping_with_a_report_type_for_the_whole_file_is_used_as_is(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Surname,First name\nKovalchuk,Petro\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"columns": {"family_name": "Surname"}, "report_type": "interned"})
    )
    result = run(data_dir, database_url, "import", str(path), "--source", "Bureau",
                 "--mapping", str(mapping))  # fmt: skip
    assert result.exit_code == 0, result.output
    with store.sessions() as session:
        report = session.scalars(sa.select(Report)).one()
    assert (report.family_name, report.given_name, report.report_type) == (
        "Kovalchuk", None, "interned",
    )  # fmt: skip


def test_the_dry_run_lists_every_bad_row_and_writes_nothing(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    rows = [*GOOD_ROWS, "Мельник;Іван;;31.02.1999;;поранений", "Бондар;Олег;;2001;;вознесся"]
    path = write_list(tmp_path / "list.csv", rows)
    result = run(data_dir, database_url, "import", str(path), "--source", "Bureau", "--dry-run")
    assert result.exit_code == 2
    assert "4 rows, 2 can be imported, 2 cannot" in result.output
    assert "This is not a date we can read" in result.output
    assert "not a report type we know" in result.output
    assert counts(store) == (0, 0, 0)


BAD_FILES = {
    "wrong encoding": (
        "list.csv",
        (HEADER + "\n" + GOOD_ROWS[0] + "\n").encode("utf-8").decode("cp1251").encode("utf-8"),
        "garbled",
    ),
    "missing columns": ("list.csv", "Дата;Місце\n2001;Київ\n".encode(), "No column holds a name"),
    "impossible dates": (
        "list.csv",
        (HEADER + "\nМельник;Іван;;31.02.1999;;поранений\n").encode("cp1251"),
        "1 row(s) cannot be imported, so nothing was imported",
    ),
    "10 MB of garbage": ("list.csv", None, "neither a CSV text file nor an XLSX workbook"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_sentence_and_leaves_the_database_unchanged(
    case: str, store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    name, data, sentence = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(data if data is not None else os.urandom(10 * 1024 * 1024))
    before = counts(store)
    result = run(data_dir, database_url, "import", str(path), "--source", "Bureau", "--yes")
    assert result.exit_code == 2, result.output
    assert sentence in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert counts(store) == before


def test_an_unknown_source_is_named_and_nothing_is_imported(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "list.csv", GOOD_ROWS)
    result = run(data_dir, database_url, "import", str(path), "--source", "Nobody", "--yes")
    assert result.exit_code == 1
    assert "There is no source named 'Nobody'" in result.output
    assert counts(store) == (0, 0, 0)


def test_a_signed_field_batch_is_verified_imported_once_and_refused_when_altered(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    laptop = tmp_path / "laptop"
    assert run(laptop, None, "db", "upgrade").exit_code == 0
    with migrated_store(laptop, f"sqlite:///{laptop / 'kintrace.db'}") as field:
        with field.sessions.begin() as session:
            session.add(Source(name="Field team 3", reliability=Reliability.B))
    listing = write_list(tmp_path / "cards.csv", GOOD_ROWS)
    made = run(laptop, None, "import", str(listing), "--source", "Field team 3", "--yes")
    assert made.exit_code == 0, made.output
    batch = tmp_path / "batch.ktb"
    exported = run(laptop, None, "export", "--signed-batch", str(batch))
    assert exported.exit_code == 0, exported.output
    public_key = run(laptop, None, "batch-key", "show").stdout.split()[0]

    untrusted = run(data_dir, database_url, "import", str(batch), "--source", "Bureau")
    assert untrusted.exit_code == 2
    assert "does not trust" in untrusted.output
    trusted = run(data_dir, database_url, "batch-key", "trust", "laptop-3", public_key)
    assert trusted.exit_code == 0, trusted.output

    envelope = json.loads(batch.read_text())
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["rows"][0][payload["headers"].index("family_name")] = "Підмінений"
    envelope["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
    altered = tmp_path / "altered.ktb"
    altered.write_text(json.dumps(envelope))
    refused = run(data_dir, database_url, "import", str(altered), "--source", "Bureau")
    assert refused.exit_code == 2
    assert "signature does not match" in refused.output
    assert counts(store)[0] == 0

    for _ in range(2):
        result = run(data_dir, database_url, "import", str(batch), "--source", "Bureau")
        assert result.exit_code == 0, result.output
    assert "already imported" in result.output
    with store.sessions() as session:
        ids = sorted(session.scalars(sa.select(Report.external_id)))
        signed_by = session.scalar(sa.select(ImportBatch.signed_by_key_id))
    assert len(ids) == 2 and all("/" in i for i in ids)  # domain-prefixed, stable ids
    assert signed_by is not None


PFIF_DOC = """<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>partner.example.org/p.1</pfif:person_record_id>
    <pfif:entry_date>2025-05-02T10:00:00Z</pfif:entry_date>
    <pfif:expiry_date>2099-01-01T00:00:00Z</pfif:expiry_date>
    <pfif:author_name>Olena Synthetic</pfif:author_name>
    <pfif:author_email>olena@example.org</pfif:author_email>
    <pfif:source_name>Partner finder</pfif:source_name>
    <pfif:source_date>2025-05-01T09:30:00Z</pfif:source_date>
    <pfif:source_url>https://partner.example.org/p/1</pfif:source_url>
    <pfif:full_name>Кислиця Сергій Вікторович</pfif:full_name>
    <pfif:given_name>Сергій</pfif:given_name>
    <pfif:family_name>Кислиця</pfif:family_name>
    <pfif:alternate_names>Кислица Сергей</pfif:alternate_names>
    <pfif:description>Tattoo on the left arm.</pfif:description>
    <pfif:sex>male</pfif:sex>
    <pfif:date_of_birth>2001-03-12</pfif:date_of_birth>
    <pfif:age>24</pfif:age>
    <pfif:home_city>Полтава</pfif:home_city>
    <pfif:home_country>UA</pfif:home_country>
    <pfif:profile_urls>https://example.org/profile/1</pfif:profile_urls>
    <pfif:note>
      <pfif:note_record_id>partner.example.org/n.1</pfif:note_record_id>
      <pfif:linked_person_record_id>partner.example.org/p.9</pfif:linked_person_record_id>
      <pfif:entry_date>2025-05-03T10:00:00Z</pfif:entry_date>
      <pfif:author_name>Ivan Synthetic</pfif:author_name>
      <pfif:author_phone>+380000000000</pfif:author_phone>
      <pfif:source_date>2025-05-03T08:00:00Z</pfif:source_date>
      <pfif:author_made_contact>false</pfif:author_made_contact>
      <pfif:status>believed_alive</pfif:status>
      <pfif:last_known_location>Табір 2</pfif:last_known_location>
      <pfif:text>Seen in a video of prisoners.</pfif:text>
    </pfif:note>
    <pfif:note>
      <pfif:note_record_id>partner.example.org/n.2</pfif:note_record_id>
      <pfif:author_name>Ivan Synthetic</pfif:author_name>
      <pfif:source_date>2025-05-04T08:00:00Z</pfif:source_date>
      <pfif:text>A plain note without status.</pfif:text>
    </pfif:note>
  </pfif:person>
</pfif:pfif>
"""


def add_partner_and_users(store: Store) -> None:
    with store.sessions.begin() as session:
        own = get_or_create_organisation(session, "ORG-A", name="Organisation A")
        get_or_create_organisation(session, "ICRC-X", name="Partner agency")
        create_user(session, "bob@a.example.org", PASSWORD, Role.supervisor, own)
        create_user(session, "alice@a.example.org", PASSWORD, Role.caseworker, own)
        create_user(session, "dave@a.example.org", PASSWORD, Role.analyst, own)


def test_pfif_goes_out_only_under_an_agreement_and_keeps_every_field_it_came_with(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    from kintrace.io.pfif import parse_pfif

    source = tmp_path / "in.xml"
    source.write_text(PFIF_DOC, encoding="utf-8")
    imported = run(data_dir, database_url, "import", str(source), "--source", "Bureau")
    assert imported.exit_code == 0, imported.output
    with store.sessions() as session:
        types = sorted(session.scalars(sa.select(Report.report_type)))
    assert types == ["missing", "seen"]  # the person sought, the note "believed alive"
    add_partner_and_users(store)

    out = tmp_path / "out.xml"
    no_agreement = run(data_dir, database_url, "export", "--pfif", str(out), "--agreement", "1",
                       "--user", "bob@a.example.org")  # fmt: skip
    assert no_agreement.exit_code == 1
    assert "no data-sharing agreement 1" in no_agreement.output
    assert not out.exists()

    recorded = run(data_dir, database_url, "agreement", "add", "--partner", "ICRC-X",
                   "--fields", "identity,fate,location,family", "--purpose", "Tracing requests",
                   "--until", "2099-12-31")  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    analyst = run(data_dir, database_url, "export", "--pfif", str(out), "--agreement", "1",
                  "--user", "dave@a.example.org")  # fmt: skip
    assert analyst.exit_code == 1
    assert "may not export" in analyst.output

    exported = run(data_dir, database_url, "export", "--pfif", str(out), "--agreement", "1",
                   "--user", "bob@a.example.org")  # fmt: skip
    assert exported.exit_code == 0, exported.output
    persons_in, notes_in = parse_pfif(PFIF_DOC.encode())
    persons_out, notes_out = parse_pfif(out.read_bytes())

    def without_entry_date(records: list[dict[str, str]]) -> list[dict[str, str]]:
        # entry_date is the time the record was loaded here, as PFIF 1.4 requires.
        return [{k: v for k, v in r.items() if k != "entry_date"} for r in records]

    assert without_entry_date(persons_out) == without_entry_date(persons_in)
    assert without_entry_date(notes_out) == without_entry_date(notes_in)

    caseworker_out = tmp_path / "caseworker.xml"
    limited = run(data_dir, database_url, "export", "--pfif", str(caseworker_out),
                  "--agreement", "1", "--user", "alice@a.example.org")  # fmt: skip
    assert limited.exit_code == 0, limited.output
    persons, notes = parse_pfif(caseworker_out.read_bytes())
    assert "home_city" not in persons[0] and "author_email" not in persons[0]
    assert "last_known_location" not in notes[0] and "author_phone" not in notes[0]
    assert persons[0]["full_name"] == "Кислиця Сергій Вікторович"

    with store.sessions() as session:
        transfers = session.scalars(sa.select(DataTransfer).order_by(DataTransfer.id)).all()
        logged = session.scalars(
            sa.select(AuditEvent.kind).where(AuditEvent.kind == "data.transferred")
        ).all()
        partner_id = session.scalar(sa.select(Organisation.id).where(Organisation.code == "ICRC-X"))
    assert [t.partner_organisation_id for t in transfers] == [partner_id, partner_id]
    assert transfers[1].field_groups == ["fate", "identity"]
    assert len(logged) == 2


def test_exchange_csv_export_under_an_agreement_holds_only_the_agreed_columns(
    store: Store, data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "list.csv", GOOD_ROWS)
    assert (
        run(data_dir, database_url, "import", str(path), "--source", "Bureau", "--yes").exit_code
        == 0
    )
    add_partner_and_users(store)
    recorded = run(data_dir, database_url, "agreement", "add", "--partner", "ICRC-X",
                   "--fields", "identity", "--report-types", "captured",
                   "--purpose", "Lists of prisoners", "--until", "2099-12-31")  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    out = tmp_path / "out.csv"
    result = run(data_dir, database_url, "export", "--exchange-csv", str(out), "--agreement",
                 "1", "--user", "bob@a.example.org")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "military_unit" not in lines[0] and "report_type" not in lines[0]
    assert len(lines) == 2  # the captured man only; the dead man is not covered
    assert "Ковальчук" in lines[1]
