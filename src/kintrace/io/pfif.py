"""PFIF 1.4 (People Finder Interchange Format, as Google Person Finder uses it): import and
export, validated against the PFIF 1.4 schema (``pfif-1.4.xsd`` beside this module; its
header names the specification it was written from).

Import: every PFIF person record becomes a ``missing`` report (the record says someone is
sought), every note with a status becomes a report of the mapped type, with the person's
names; the records themselves are kept as received in ``pfif_record`` so that an export
gives back every field PFIF can carry. Notes are never edited: a note id seen again is
ignored. A person record seen again replaces the stored one only when its source_date is
newer (PFIF's update rule). entry_date is set to the time of import, as the specification
asks of every repository that loads a record.

Export (only through `kintrace.io.sharing`, under an agreement): stored PFIF records go out
as received; reports made here become a person record plus one note whose status is mapped
back from the report type. Only the field groups the agreement and the role allow are written.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.orm import Session

from kintrace.db.models import Report, Source
from kintrace.db.models_sources import PfifRecord
from kintrace.domain import ReportType
from kintrace.intake.reports import BatchResult, ImportFileError, Mapping, Table

NS = "http://zesty.ca/pfif/1.4"
SCHEMA_PATH = Path(__file__).with_name("pfif-1.4.xsd")

PERSON_FIELDS: tuple[str, ...] = (
    "person_record_id", "entry_date", "expiry_date", "author_name", "author_email",
    "author_phone", "source_name", "source_date", "source_url", "full_name", "given_name",
    "family_name", "alternate_names", "description", "sex", "date_of_birth", "age",
    "home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code",
    "home_country", "photo_url", "profile_urls",
)  # fmt: skip
NOTE_FIELDS: tuple[str, ...] = (
    "note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
    "author_name", "author_email", "author_phone", "source_date", "author_made_contact",
    "status", "email_of_found_person", "phone_of_found_person", "last_known_location", "text",
    "photo_url",
)  # fmt: skip
# What an expired person record keeps (the specification's placeholder).
PLACEHOLDER_FIELDS = ("person_record_id", "entry_date", "expiry_date", "source_date", "full_name")

STATUS_TO_REPORT_TYPE: dict[str, ReportType] = {
    "information_sought": ReportType.missing,
    "is_note_author": ReportType.seen,
    "believed_alive": ReportType.seen,
    "believed_missing": ReportType.missing,
    "believed_dead": ReportType.dead,
}
_DEAD = {ReportType.dead, ReportType.remains_located}


def report_type_to_status(report_type: ReportType | str) -> str:
    """The PFIF note status for a report type (captured, interned, ... are all alive)."""
    kind = ReportType(report_type)
    if kind in _DEAD:
        return "believed_dead"
    if kind is ReportType.missing:
        return "believed_missing"
    return "believed_alive"


# Field groups an agreement names; provenance always travels (who said it, when, which id).
FIELD_GROUPS: dict[str, frozenset[str]] = {
    "provenance": frozenset({
        "person_record_id", "note_record_id", "linked_person_record_id", "entry_date",
        "expiry_date", "source_name", "source_date", "source_url", "author_name",
    }),
    "identity": frozenset({
        "full_name", "given_name", "family_name", "alternate_names", "description", "sex",
        "date_of_birth", "age", "photo_url", "profile_urls",
    }),
    "fate": frozenset({"status", "author_made_contact", "text"}),
    "location": frozenset({
        "home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code",
        "home_country", "last_known_location",
    }),
    "family": frozenset({
        "author_email", "author_phone", "email_of_found_person", "phone_of_found_person",
    }),
}  # fmt: skip


def is_pfif(head: bytes) -> bool:
    return NS.encode() in head


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _parser() -> etree.XMLParser:
    # No entities, no network, no DTDs: a PFIF file from outside must not reach anything.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )


def check_schema(document: Any) -> None:
    """Raise ImportFileError naming the line when the document is not valid PFIF 1.4."""
    schema = _schema()
    try:
        if schema.validate(document):
            return
    except etree.Error:
        raise ImportFileError("The file is not valid PFIF 1.4 (the schema check failed).") from None
    error = schema.error_log.last_error
    # Messages quote the offending value; values may be names, so they are left out.
    message = re.sub(r"'[^']*' is not", "the value is not", error.message)
    message = re.sub(r"\{[^}]*\}", "", message)
    raise ImportFileError(f"The file is not valid PFIF 1.4: line {error.line}: {message}")


def parse_pfif(data: bytes) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Person and note records (field -> text) of a PFIF 1.4 document, schema-checked."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ImportFileError(
            f"The PFIF file is not well-formed XML (line {exc.lineno}); nothing was imported."
        ) from None
    if root.getroottree().docinfo.doctype:
        # PFIF needs no DTD; one in a file from outside is only good for entity tricks.
        raise ImportFileError("The PFIF file carries a DOCTYPE, which PFIF never needs; refused.")
    check_schema(root)
    persons: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []

    def fields(element: Any) -> dict[str, str]:
        out = {}
        for child in element:
            name = etree.QName(child).localname
            if name != "note":
                out[name] = child.text or ""
        return out

    for element in root:
        kind = etree.QName(element).localname
        if kind == "person":
            person = fields(element)
            persons.append(person)
            for note_element in element.iterchildren(f"{{{NS}}}note"):
                note = fields(note_element)
                note.setdefault("person_record_id", person["person_record_id"])
                notes.append(note)
        elif kind == "note":
            notes.append(fields(element))
    return persons, notes


_TABLE_HEADERS = [
    "external_id", "report_type", "event_date", "full_name", "given_name", "family_name",
    "sex", "birth_date", "notes",
]  # fmt: skip
_SEX = {"male": "M", "female": "F"}


def _date(source_date: str) -> str:
    return source_date[:10]


def read_pfif_table(data: bytes) -> tuple[Table, Mapping]:
    """The reports a PFIF file gives, as a Table with its (identity) mapping."""
    persons, notes = parse_pfif(data)
    by_id = {p["person_record_id"]: p for p in persons}
    rows: list[list[str]] = []
    for person in persons:
        rows.append(_person_row(person, person["person_record_id"], "missing", person))
    for note in notes:
        status = note.get("status") or ""
        if status not in STATUS_TO_REPORT_TYPE:
            continue
        person = by_id.get(note.get("person_record_id", ""), {})
        rows.append(
            _person_row(person, note["note_record_id"], STATUS_TO_REPORT_TYPE[status].value, note)
        )
    table = Table.from_rows(
        _TABLE_HEADERS, rows, kind="pfif", sha256=hashlib.sha256(data).hexdigest()
    )
    return table, Mapping({h: h for h in _TABLE_HEADERS})


def _person_row(
    person: dict[str, str], record_id: str, report_type: str, dated: dict[str, str]
) -> list[str]:
    return [
        record_id,
        report_type,
        _date(dated.get("source_date", "")),
        person.get("full_name", ""),
        person.get("given_name", ""),
        person.get("family_name", ""),
        _SEX.get(person.get("sex", ""), ""),
        person.get("date_of_birth", ""),
        person.get("description", "")[:4000],
    ]


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def store_pfif_records(session: Session, data: bytes, outcome: BatchResult, source_id: int) -> int:
    """Keep the PFIF records of an imported file as received (caller commits); the count
    of records stored or updated. Notes already stored are left untouched."""
    persons, notes = parse_pfif(data)
    now = _utc_text(datetime.now(UTC))
    ids = [p["person_record_id"] for p in persons] + [n["note_record_id"] for n in notes]
    report_ids: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        found = session.execute(
            sa.select(Report.external_id, Report.id).where(
                Report.source_id == source_id, Report.external_id.in_(part)
            )
        )
        report_ids.update({external_id: report_id for external_id, report_id in found})
    stored = 0
    for kind, records, key in (
        ("person", persons, "person_record_id"),
        ("note", notes, "note_record_id"),
    ):
        for record in records:
            record = {**record, "entry_date": now}
            existing = session.scalar(
                sa.select(PfifRecord).where(
                    PfifRecord.kind == kind, PfifRecord.record_id == record[key]
                )
            )
            if existing is not None:
                newer = record.get("source_date", "") > existing.fields.get("source_date", "")
                if kind == "note" or not newer:
                    continue  # notes are never edited; an older person record changes nothing
                existing.fields = record
                stored += 1
                continue
            session.add(
                PfifRecord(
                    kind=kind,
                    record_id=record[key],
                    person_record_id=record.get("person_record_id"),
                    report_id=report_ids.get(record[key]),
                    batch_id=None if outcome.already_imported else outcome.batch_id,
                    fields=record,
                )
            )
            stored += 1
    session.flush()
    return stored


def _allowed(record: dict[str, str], groups: set[str]) -> dict[str, str]:
    keep = set(FIELD_GROUPS["provenance"])
    for group in groups:
        keep |= FIELD_GROUPS.get(group, frozenset())
    return {k: v for k, v in record.items() if k in keep and v not in (None, "")}


def _element(parent: Any, record: dict[str, str], order: tuple[str, ...], kind: str) -> Any:
    node = etree.SubElement(parent, f"{{{NS}}}{kind}")
    for name in order:
        value = record.get(name)
        if value or (kind == "person" and name == "full_name"):
            etree.SubElement(node, f"{{{NS}}}{name}").text = value or ""
    return node


def _native_records(
    report: Report, source_name: str, domain: str, now: str
) -> tuple[dict[str, str], dict[str, str]]:
    person_id = f"{domain}/report.{report.id}"
    names = [report.family_name, report.given_name, report.patronymic]
    full_name = report.full_name or " ".join(n for n in names if n)
    created = _utc_text(report.created_at)
    person = {
        "person_record_id": person_id,
        "entry_date": now,
        "author_name": source_name,
        "source_name": source_name,
        "source_date": created,
        "full_name": full_name,
        "given_name": " ".join(n for n in (report.given_name, report.patronymic) if n),
        "family_name": report.family_name or "",
        "sex": {"M": "male", "F": "female"}.get(str(getattr(report.sex, "value", report.sex))),
        "date_of_birth": report.birth_date or "",
    }
    report_type = ReportType(report.report_type)
    note = {
        "note_record_id": f"{domain}/note.report.{report.id}",
        "person_record_id": person_id,
        "entry_date": now,
        "author_name": source_name,
        "source_date": created,
        "status": report_type_to_status(report_type),
        "last_known_location": report.internment_place or report.capture_place or "",
        "text": f"kintrace report: {report_type.value}"
        + (f", {report.event_date}" if report.event_date else ""),
    }
    return person, note


def build_pfif(session: Session, reports: list[Report], groups: set[str], domain: str) -> bytes:
    """A PFIF 1.4 document for these reports with only the allowed field groups, validated."""
    now_moment = datetime.now(UTC)
    now = _utc_text(now_moment)
    root = etree.Element(f"{{{NS}}}pfif", nsmap={"pfif": NS})
    report_ids = [r.id for r in reports]
    stored: dict[int, PfifRecord] = {}
    for start in range(0, len(report_ids), 500):
        for record in session.scalars(
            sa.select(PfifRecord).where(PfifRecord.report_id.in_(report_ids[start : start + 500]))
        ):
            stored[record.report_id or 0] = record
    source_names = {i: n for i, n in session.execute(sa.select(Source.id, Source.name))}
    for report in reports:
        record = stored.get(report.id)
        if record is not None and record.kind == "note":
            continue  # travels inside its person record
        if record is not None:
            person = dict(record.fields)
            expiry = person.get("expiry_date")
            if expiry and expiry < now:
                person = {k: person[k] for k in PLACEHOLDER_FIELDS if k in person}
                person["full_name"] = ""
                notes: list[dict[str, str]] = []
            else:
                notes = [
                    dict(n.fields)
                    for n in session.scalars(
                        sa.select(PfifRecord)
                        .where(
                            PfifRecord.kind == "note",
                            PfifRecord.person_record_id == record.record_id,
                        )
                        .order_by(PfifRecord.id)
                    )
                ]
        else:
            person, note = _native_records(
                report, source_names.get(report.source_id, ""), domain, now
            )
            notes = [note]
        node = _element(root, _allowed(person, groups), PERSON_FIELDS, "person")
        for note in notes:
            note.pop("person_record_id", None)  # nested: the person's id is implied
            _element(node, _allowed(note, groups), NOTE_FIELDS, "note")
    check_schema(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
