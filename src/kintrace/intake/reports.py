"""Reports from sources: the capture-card schema and the services that store one report or a
whole batch (a bulk list, a signed field-team batch, a PFIF file).

Service API (stable; the capture-card form, the upload page and the CLI are built on it):

- ``ReportIn``: one report, every field of the GC III capture card (Annex IV, art. 17/122)
  plus report type, event date, party, detaining power, country held, source document.
  Validation failures carry stable codes from ``REPORT_ERROR_CODES`` (the web layer turns a
  code into a sentence in uk/ru/en; the English text here is the fallback).
- ``submit_report(session, data, *, source_id, created_by_id=None) -> int``: store one report
  (the capture-card form), its audit event and its matching job; returns the report id.
- ``kintrace.io.tables.read_table(path_or_bytes, filename) -> Table``: reads CSV (UTF-8,
  UTF-8 BOM, cp1251; comma, semicolon or tab), XLSX and the exchange CSV; raises
  ``ImportFileError`` with a sentence. (It lives in ``io``, the file adapter; the web upload
  page may import it.)
- ``guess_mapping(headers) -> Mapping``: which column feeds which field, from headers in
  uk/ru/en («Прізвище», «Фамилия», "Surname", «в/ч», ...). ``Mapping.to_json()`` /
  ``Mapping.from_json()`` save and load a confirmed mapping.
- ``validate(table, mapping) -> DryRun(rows_total, rows_ok, bad_rows=[BadRow(row_number,
  field, code)])``: the dry run; nothing is written. Raises ``MappingError`` when the mapping
  cannot work at all (no name column, a column that is not in the file, no report type).
- ``import_batch(session, table, mapping, source_id, *, quarantine_bad_rows=False,
  progress=None, ...) -> BatchResult``: the batch lands whole or not at all. With bad rows
  and no quarantine it raises ``BatchRejected`` (holding every bad row) and the caller rolls
  back; with ``quarantine_bad_rows=True`` the bad rows are kept in ``quarantined_row`` for
  correction. A file whose SHA-256 was imported before is a no-op
  (``BatchResult.already_imported``). One audit event per batch (id range + SHA-256); every new
  report gets a matching job. ``progress(rows_done)`` is called as rows are processed.

Services never commit: the request or CLI command owns the transaction. Bulk rows go in with
SQLAlchemy Core ``executemany`` in chunks, never the ORM per row, so a million rows fit in a
minute on SQLite.
"""

from __future__ import annotations

import binascii
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import ReportBatchImported, ReportCreated
from kintrace.db.models import MatchJob, Report, Source
from kintrace.db.models_sources import ImportBatch, QuarantinedRow
from kintrace.db.types import EncryptedText, UTCDateTime
from kintrace.domain import Credibility, JobState, ReportType
from kintrace.errors import KintraceError, NotFound
from kintrace.intake.schemas import (
    ERROR_CODES,
    FullName,
    LongText,
    Name,
    PartialDateText,
    Place,
    SexCode,
    _clean_text,
    has_text,
    validate_with_whole_check,
)
from kintrace.keys import CIPHER_PREFIX, active_ring

__all__ = [
    "FIELDS",
    "REPORT_ERROR_CODES",
    "BadRow",
    "BatchRejected",
    "BatchResult",
    "DryRun",
    "ImportFileError",
    "Mapping",
    "MappingError",
    "ReportIn",
    "Table",
    "guess_mapping",
    "import_batch",
    "submit_report",
    "validate",
]

REPORT_ERROR_CODES: dict[str, str] = {
    **ERROR_CODES,
    "name_missing": "A report needs at least one name of the person: full name, surname or "
    "first name.",
    "report_type_invalid": "This is not a report type we know (captured, interned, "
    "transferred, wounded, hospitalised, escaped, dead, remains located, released, "
    "repatriated, seen, missing).",
    "credibility_invalid": "Credibility is a grade from 1 (confirmed) to 6 (cannot be judged).",
    "consent_invalid": "Write yes or no (так/ні, да/нет) for the consent to inform the family.",
    "duplicate_id": "This record id appears earlier in the same file.",
    "external_id_exists": "A report with this record id from this source is already stored.",
}

# Widths of the report table's columns, so a value that validates always fits on PostgreSQL.
Short50 = Annotated[str | None, _clean_text(50)]
Short100 = Annotated[str | None, _clean_text(100)]
Short200 = Annotated[str | None, _clean_text(200)]

# Report types as sources write them, in uk/ru/en (lower case, one phrase per comma).
_REPORT_TYPE_PHRASES: dict[str, ReportType] = {t.value.replace("_", " "): t for t in ReportType}
for _phrases, _type in (
    ("полон, полонений, у полоні, в полоні, взятий у полон, плен, пленный, в плену, "
     "захвачен, capture, captive, pow, prisoner of war", ReportType.captured),
    ("інтернований, интернирован, internment", ReportType.interned),
    ("переведений, переведен, transfer", ReportType.transferred),
    ("поранений, ранен, раненый, wound", ReportType.wounded),
    ("госпіталізований, госпитализирован, лікарня, больница, госпіталь, госпиталь, hospital, "
     "hospitalized", ReportType.hospitalised),
    ("втік, втеча, бежал, побег, escape", ReportType.escaped),
    ("загинув, помер, загиблий, мертвий, погиб, умер, погибший, мертв, death, died, killed, "
     "deceased", ReportType.dead),
    ("останки, рештки, remains, знайдено останки, найдены останки", ReportType.remains_located),
    ("звільнений, звільнено, освобожден, освобождён, release", ReportType.released),
    ("репатрійований, репатриирован, repatriation", ReportType.repatriated),
    ("бачили, видели, бачений, sighting", ReportType.seen),
    ("зник, зник безвісти, зниклий безвісти, безвісти зниклий, пропал без вести, "
     "пропавший без вести, бвп", ReportType.missing),
):  # fmt: skip
    for _phrase in _phrases.split(","):
        _REPORT_TYPE_PHRASES.setdefault(" ".join(_phrase.split()), _type)


def parse_report_type(value: Any) -> ReportType:
    """The report type for what a source wrote ("captured", «полонений», «погиб», ...)."""
    if isinstance(value, ReportType):
        return value
    if isinstance(value, str):
        text = " ".join(value.strip().lower().replace("_", " ").replace("ё", "е").split())
        found = _REPORT_TYPE_PHRASES.get(text)
        if found is not None:
            return found
    raise PydanticCustomError("report_type_invalid", REPORT_ERROR_CODES["report_type_invalid"])


_YES = {"y", "yes", "true", "1", "так", "т", "да", "д", "+"}
_NO = {"n", "no", "false", "0", "ні", "н", "нет", "-"}


def _consent(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise PydanticCustomError("consent_invalid", REPORT_ERROR_CODES["consent_invalid"])


def _credibility(value: Any) -> Credibility | None:
    if value is None or isinstance(value, Credibility):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return Credibility(text)
    except ValueError:
        raise PydanticCustomError(
            "credibility_invalid", REPORT_ERROR_CODES["credibility_invalid"]
        ) from None


class ReportIn(BaseModel):
    """One statement by a source about one individual (the GC III capture card and more)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    report_type: ReportType = Field(..., description="captured, interned, ..., missing.")
    event_date: PartialDateText = Field(None, description="When it happened: 12.03.2025.")
    credibility: Credibility | None = Field(
        None, description="1 confirmed … 6 cannot be judged; empty: the source's default."
    )
    source_document_ref: Short200 = Field(None, description="The source document's reference.")
    external_id: Short200 = Field(None, description="The source's own id for the record.")
    full_name: FullName = None
    family_name: Name = None
    given_name: Name = None
    patronymic: Name = Field(None, description="Father's first name (patronymic).")
    mother_maiden_name: Name = None
    sex: SexCode = None
    birth_date: PartialDateText = None
    birth_place: Place = None
    rank: Short100 = None
    service_number: Short100 = None
    military_unit: Short200 = None
    capture_date: PartialDateText = None
    capture_place: Place = None
    health_state: LongText = None
    internment_place: Place = Field(None, description="Place of internment or hospital.")
    person_to_inform: LongText = None
    consents_family_informed: bool | None = Field(
        None, description="Whether the prisoner agrees that his family be informed."
    )
    party: Short50 = Field(None, description="The party he belongs to, e.g. UA or RU.")
    detaining_power: Short50 = None
    country_held: Short50 = Field(None, description="Where he is held: UA, RU, ...")
    death_certificate_ref: Short200 = None
    grave_location: Place = None
    notes: LongText = None

    @field_validator("report_type", mode="before")
    @classmethod
    def _report_type(cls, value: Any) -> ReportType:
        return parse_report_type(value)

    @field_validator("consents_family_informed", mode="before")
    @classmethod
    def _consent(cls, value: Any) -> bool | None:
        return _consent(value)

    @field_validator("credibility", mode="before")
    @classmethod
    def _credibility(cls, value: Any) -> Credibility | None:
        return _credibility(value)

    @model_validator(mode="wrap")
    @classmethod
    def _needs_a_name(cls, data: Any, handler: ModelWrapValidatorHandler[ReportIn]) -> Any:
        def problem(raw: dict[str, Any]) -> str | None:
            names = ("full_name", "family_name", "given_name")
            return None if any(has_text(raw.get(n)) for n in names) else "name_missing"

        return validate_with_whole_check(cls.__name__, data, handler, problem)


#: Every report field a column can feed, in capture-card order.
FIELDS: tuple[str, ...] = tuple(ReportIn.model_fields)


class _CodedError(KintraceError):
    """An error with a stable ``code`` and its ``params`` (row numbers, column headers; never
    a cell's value), so a page can say it in the reader's language; the message is the
    English sentence the CLI prints."""

    def __init__(self, message: str, code: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class ImportFileError(_CodedError):
    """The file cannot be read as a table at all (encoding, format, garbage)."""

    def __init__(self, message: str, code: str = "file_unreadable", **params: Any) -> None:
        super().__init__(message, code, **params)


class MappingError(_CodedError):
    """The column mapping cannot work: a required column is missing or not in the file."""

    def __init__(self, message: str, code: str = "mapping_invalid", **params: Any) -> None:
        super().__init__(message, code, **params)


@dataclass(frozen=True)
class BadRow:
    """A row that cannot become a report: its file row number, the field and the code."""

    row_number: int
    field: str
    code: str

    def message(self) -> str:
        return REPORT_ERROR_CODES.get(self.code, self.code).split("{")[0].strip()


class BatchRejected(KintraceError):
    """Bad rows and no quarantine chosen: nothing may land (the caller rolls back)."""

    def __init__(self, bad_rows: list[BadRow]) -> None:
        self.bad_rows = bad_rows
        rows = len({b.row_number for b in bad_rows})
        super().__init__(
            f"{rows} row(s) cannot be imported, so nothing was imported; correct them, or "
            "import with the bad rows quarantined for correction."
        )


@dataclass
class Table:
    """Rows of one file as text cells, re-readable (large files are streamed, not held).

    ``rows()`` yields ``(row_number, cells)`` with row numbers as a spreadsheet shows them
    (the header is row 1 unless blank rows precede it).
    """

    headers: list[str]
    rows: Callable[[], Iterator[tuple[int, list[str]]]]
    kind: str  # "csv", "xlsx", "exchange_csv", "signed_batch" or "pfif"
    sha256: str
    encoding: str | None = None
    delimiter: str | None = None
    # Rows expected (for a progress bar); may be an estimate.
    row_estimate: int | None = None

    @classmethod
    def from_rows(
        cls, headers: list[str], rows: Iterable[list[str]], *, kind: str, sha256: str
    ) -> Table:
        held = [list(r) for r in rows]
        return cls(
            headers=list(headers),
            rows=lambda: ((i + 2, r) for i, r in enumerate(held)),
            kind=kind,
            sha256=sha256,
            row_estimate=len(held),
        )


@dataclass
class Mapping:
    """Which column (by header) feeds which report field; a report type for the whole file
    when no column gives one."""

    columns: dict[str, str] = field(default_factory=dict)  # field -> header
    report_type: ReportType | None = None

    def to_json(self) -> str:
        body = {"columns": self.columns, "report_type": self.report_type}
        return json.dumps(body, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        try:
            body = json.loads(text)
            columns = {str(k): str(v) for k, v in body.get("columns", {}).items()}
            report_type = body.get("report_type")
            unknown = sorted(set(columns) - set(FIELDS))
        except (ValueError, AttributeError, TypeError) as exc:
            raise MappingError(
                "The saved mapping is not a mapping file written by kintrace.", "mapping_file"
            ) from exc
        if unknown:
            raise MappingError(
                f"The saved mapping names unknown fields: {', '.join(unknown)}.", "mapping_file"
            )
        try:
            return cls(columns, ReportType(report_type) if report_type else None)
        except ValueError as exc:
            raise MappingError(
                "The saved mapping's report type is not one we know.", "mapping_file"
            ) from exc


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").lower().replace("ё", "е")
    text = re.sub(r"[’ʼ`´‘]", "'", text)
    text = re.sub(r"[_\-\s.:*]+", " ", text)
    return text.strip(" ()")


# Headers seen on lists in Ukrainian, Russian and English, per field (compared by _header_key).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("record id", "id", "external id", "номер запису", "номер записи",
                    "ідентифікатор", "идентификатор", "код запису", "код записи"),
    "report_type": ("report type", "type", "status", "тип", "статус", "тип повідомлення",
                    "тип сообщения", "тип події", "тип события"),
    "event_date": ("event date", "date", "дата", "дата події", "дата события",
                   "дата повідомлення", "дата сообщения"),
    "credibility": ("credibility", "достовірність", "достоверность"),
    "source_document_ref": ("source document", "document", "document ref", "source document ref",
                            "документ", "номер документа", "джерело документ", "reference"),
    "full_name": ("full name", "name", "піб", "п і б", "фио", "ф и о", "повне ім'я",
                  "полное имя", "прізвище ім'я по батькові", "фамилия имя отчество"),
    "family_name": ("family name", "surname", "last name", "прізвище", "фамилия"),
    "given_name": ("given name", "first name", "first names", "forename", "ім'я", "имя"),
    "patronymic": ("patronymic", "father's name", "father's first name", "middle name",
                   "по батькові", "отчество"),
    "mother_maiden_name": ("mother's maiden name", "mother maiden name",
                           "дівоче прізвище матері", "девичья фамилия матери"),
    "sex": ("sex", "gender", "стать", "пол"),
    "birth_date": ("birth date", "date of birth", "dob", "born", "дата народження",
                   "дата рождения", "рік народження", "год рождения", "д н", "р н", "г р"),
    "birth_place": ("birth place", "place of birth", "місце народження", "место рождения"),
    "rank": ("rank", "звання", "військове звання", "звание", "воинское звание"),
    "service_number": ("service number", "personal number", "особистий номер", "личный номер",
                       "жетон", "номер жетона", "військовий номер"),
    "military_unit": ("military unit", "unit", "в ч", "в/ч", "військова частина",
                      "воинская часть", "часть", "підрозділ", "подразделение"),
    "capture_date": ("capture date", "date of capture", "дата полону", "дата захоплення",
                     "дата пленения", "дата захвата"),
    "capture_place": ("capture place", "place of capture", "місце полону", "місце захоплення",
                      "место пленения", "место захвата"),
    "health_state": ("health state", "state of health", "health", "стан здоров'я",
                     "состояние здоровья"),
    "internment_place": ("internment place", "place of internment", "place of internment or "
                         "hospital", "місце утримання", "место содержания", "табір", "лагерь"),
    "person_to_inform": ("person to inform", "person to be informed", "кого повідомити",
                         "кого уведомить", "контактна особа", "контактное лицо"),
    "consents_family_informed": ("consents family informed", "consent", "family consent",
                                 "згода", "згода на повідомлення родини", "согласие",
                                 "согласие на уведомление семьи"),
    "party": ("party", "сторона", "належність", "принадлежность"),
    "detaining_power": ("detaining power", "держава що утримує", "держава утримувач",
                        "удерживающая держава", "держащая сторона"),
    "country_held": ("country held", "country", "held in", "країна утримання",
                     "страна содержания", "країна", "страна"),
    "death_certificate_ref": ("death certificate", "death certificate ref",
                              "свідоцтво про смерть", "свидетельство о смерти"),
    "grave_location": ("grave location", "grave", "place of burial", "місце поховання",
                       "место захоронения", "могила"),
    "notes": ("notes", "note", "comment", "comments", "примітки", "примітка", "примечания",
              "примечание", "коментар", "комментарий"),
}  # fmt: skip
_HEADER_TO_FIELD: dict[str, str] = {}
for _field, _names in _SYNONYMS.items():
    for _name in (_field, *_names):
        _HEADER_TO_FIELD.setdefault(_header_key(_name), _field)
# Exchange-CSV columns named differently from the report fields.
_HEADER_TO_FIELD[_header_key("record_id")] = "external_id"
_HEADER_TO_FIELD[_header_key("capture_date")] = "capture_date"


def guess_mapping(headers: Iterable[str]) -> Mapping:
    """A mapping guessed from the headers; each field takes the first column that names it."""
    columns: dict[str, str] = {}
    for header in headers:
        name = _HEADER_TO_FIELD.get(_header_key(header))
        if name and name not in columns and header.strip():
            columns[name] = header
    return Mapping(columns)


@dataclass
class DryRun:
    rows_total: int = 0
    rows_ok: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_rows


@dataclass
class BatchResult:
    batch_id: int
    already_imported: bool
    reports_created: int
    first_report_id: int | None
    last_report_id: int | None
    rows_total: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)


def check_mapping(table: Table, mapping: Mapping) -> None:
    """Raise MappingError with a sentence when the mapping cannot work for this table."""
    absent = [h for h in mapping.columns.values() if h not in table.headers]
    if absent:
        raise MappingError(
            "The mapping names column(s) that are not in the file: " + ", ".join(absent) + ".",
            "mapping_column_absent",
            columns=", ".join(absent),
        )
    if not ({"full_name", "family_name", "given_name"} & set(mapping.columns)):
        found = ", ".join(h for h in table.headers if h.strip()) or "none"
        raise MappingError(
            "No column holds a name (full name, surname or first name), so the file cannot "
            f"be imported. Columns found: {found}. If these look garbled, save the file in "
            "UTF-8 or cp1251.",
            "mapping_no_name",
            columns=found,
        )
    if "report_type" not in mapping.columns and mapping.report_type is None:
        raise MappingError(
            "No column gives the report type; choose one report type for the whole file.",
            "mapping_no_report_type",
        )


def _field_cleaners() -> dict[str, Callable[[Any], Any]]:
    """Each field's own validator function, taken from ReportIn so both paths agree."""
    cleaners: dict[str, Callable[[Any], Any]] = {
        "report_type": parse_report_type,
        "credibility": _credibility,
        "consents_family_informed": _consent,
    }
    for name, info in ReportIn.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, BeforeValidator) and name not in cleaners:
                cleaners[name] = meta.func  # type: ignore[assignment]
    missing = set(FIELDS) - set(cleaners)
    if missing:  # pragma: no cover - a new field without a cleaner must not pass unchecked
        raise RuntimeError(f"No cleaner for report fields {sorted(missing)}.")
    return cleaners


_CLEANERS = _field_cleaners()
_MISS = object()
# Lists repeat units, places, dates and names; cleaning each distinct value once is enough.
_CACHE_LIMIT = 100_000  # per field


class _RowConverter:
    """Turns text cells into validated report values, or the reasons they cannot be one.

    The fast path runs each field's own validator from ReportIn (cached per distinct value);
    a row that fails anywhere is validated again by ReportIn itself, so the reasons (every
    field's code) are exactly those the capture-card form gives.
    """

    def __init__(self, table: Table, mapping: Mapping) -> None:
        check_mapping(table, mapping)
        position = {h: i for i, h in reversed(list(enumerate(table.headers)))}
        self._picks = [(f, position[h], _CLEANERS[f]) for f, h in mapping.columns.items()]
        self._default_type = parse_report_type(mapping.report_type) if mapping.report_type else None
        # One cache per field: a plain string key hashes faster than a (field, value) tuple.
        self._caches: list[tuple[str, int, Callable[[Any], Any], dict[str, Any]]] = [
            (f, i, clean, {}) for f, i, clean in self._picks
        ]

    def convert(self, cells: list[str]) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
        values: dict[str, Any] = {}
        width = len(cells)
        try:
            for name, i, clean, cache in self._caches:
                if i < width:
                    value = cells[i]
                    if value and not value.isspace():
                        cleaned = cache.get(value, _MISS)
                        if cleaned is _MISS:
                            cleaned = clean(value)
                            if len(cache) < _CACHE_LIMIT:
                                cache[value] = cleaned
                        values[name] = cleaned
        except PydanticCustomError:
            return None, self._reasons(cells)
        if values.get("report_type") is None:
            values["report_type"] = self._default_type
        get = values.get
        named = get("full_name") or get("family_name") or get("given_name")
        if values["report_type"] is None or not named:
            return None, self._reasons(cells)
        return values, []

    def _reasons(self, cells: list[str]) -> list[tuple[str, str]]:
        raw: dict[str, Any] = {}
        for name, i, _clean in self._picks:
            if i < len(cells) and cells[i] and cells[i].strip():
                raw[name] = cells[i]
        if "report_type" not in raw and self._default_type is not None:
            raw["report_type"] = self._default_type
        try:
            ReportIn.model_validate(raw)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                where = str(error["loc"][0]) if error["loc"] else "name"
                code = error["type"] if error["type"] != "missing" else "required"
                problems.append((where, code))
            return problems
        return [("row", "text_invalid")]  # pragma: no cover - the fast path is stricter


def validate(table: Table, mapping: Mapping) -> DryRun:
    """The dry run: every bad row with its reason; nothing is written."""
    converter = _RowConverter(table, mapping)
    result = DryRun()
    seen: set[str] = set()
    for row_number, cells in table.rows():
        result.rows_total += 1
        values, problems = converter.convert(cells)
        if values is not None and values.get("external_id"):
            if values["external_id"] in seen:
                problems = [("external_id", "duplicate_id")]
            seen.add(values["external_id"])
        if problems:
            result.bad_rows.extend(BadRow(row_number, f, c) for f, c in problems)
        else:
            result.rows_ok += 1
    return result


def submit_report(
    session: Session, data: ReportIn, *, source_id: int, created_by_id: int | None = None
) -> int:
    """Store one report (the capture-card form) with its audit event and matching job;
    return its id. The caller commits."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound("That source does not exist.")
    values = data.model_dump()
    values["credibility"] = values["credibility"] or source.default_credibility
    report = Report(source_id=source_id, created_by_id=created_by_id, **values)
    session.add(report)
    session.flush()
    session.add(MatchJob(subject_type="report", subject_id=report.id, state=JobState.pending))
    audit.record(
        session,
        ReportCreated(
            actor_kind="staff" if created_by_id else "system",
            actor_id=created_by_id,
            subject_id=report.id,
            source_id=source_id,
        ),
    )
    return report.id


def _sealer() -> Callable[[list[str]], list[str]]:
    """Seal many texts at once with the ring's current master key, in the exact format of
    ``KeyRing.seal`` (so ``open`` and key rotation treat them like any other value).

    Per value, ``KeyRing.seal`` looks the key up, asks the kernel for a nonce and base64s
    through two wrappers; at a million rows × 10 sealed columns that bookkeeping costs more
    than AES-GCM itself. Here the nonces of a whole chunk come from one ``os.urandom`` call
    (the same CSPRNG, 12 fresh random bytes per value, never reused) and the encoding is the
    C ``b2a_base64``.
    """
    ring = active_ring()
    key_id = ring.current_id
    # The ring's own AES-GCM object for its current key (private: sealing in bulk is ours).
    encrypt = ring._aead(key_id).encrypt
    associated = key_id.encode("ascii")
    prefix = f"{CIPHER_PREFIX}{key_id}:"
    b64 = binascii.b2a_base64

    def seal_all(texts: list[str]) -> list[str]:
        nonces = os.urandom(_NONCE * len(texts))
        out = []
        for n, text in enumerate(texts):
            nonce = nonces[n * _NONCE : (n + 1) * _NONCE]
            body = encrypt(nonce, text.encode("utf-8"), associated)
            out.append(prefix + b64(nonce + body, newline=False).decode("ascii"))
        return out

    return seal_all


_NONCE = 12  # AES-GCM's 96-bit nonce, as KeyRing.seal uses


def _bulk_insert(
    session: Session, constants: dict[str, Any]
) -> Callable[[list[dict[str, Any]]], None]:
    """A bulk writer of report rows: the driver's executemany through SQLAlchemy Core's
    ``exec_driver_sql``, each personal column sealed as its column type would seal it.

    At a million rows, binding every value through the ORM's column types costs more than
    the inserts themselves; the values here are already validated text, so only the sealed
    columns need processing (sealed per chunk, see ``_sealer``) and the constants (batch ref,
    time) once.
    """
    connection = session.connection()
    dialect = connection.dialect
    names = [c.name for c in Report.__table__.columns if c.name != "id"]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {Report.__tablename__} ({', '.join(names)}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    template: list[Any] = [None] * len(names)
    for name, value in constants.items():
        process = Report.__table__.c[name].type.bind_processor(dialect)
        template[names.index(name)] = process(value) if process and value is not None else value
    sealed = {c.name for c in Report.__table__.columns if isinstance(c.type, EncryptedText)}
    seal_all = _sealer()

    def write(rows: list[dict[str, Any]]) -> None:
        # Column by column: one list comprehension per field the chunk gives, the constants
        # repeated, and zip() builds the row tuples in C; per value only the sealing is work.
        if not rows:
            return
        given = set().union(*rows)
        columns: list[Any] = []
        for i, name in enumerate(names):
            if name not in given:
                columns.append(repeat(template[i]))
                continue
            column = [values.get(name) for values in rows]
            if name in sealed:
                ciphertexts = iter(seal_all([v for v in column if v is not None]))
                column = [None if v is None else next(ciphertexts) for v in column]
            columns.append(column)
        # The constants' repeat() ends with the shortest column, that is with the chunk.
        connection.exec_driver_sql(sql, list(zip(*columns, strict=False)))

    return write


def find_batch(session: Session, sha256: str) -> ImportBatch | None:
    """The batch that imported a file with this SHA-256, if any."""
    return session.scalar(sa.select(ImportBatch).where(ImportBatch.file_sha256 == sha256))


def _existing_ids(session: Session, source_id: int, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        found.update(
            session.scalars(
                sa.select(Report.external_id).where(
                    Report.source_id == source_id, Report.external_id.in_(part)
                )
            )
        )
    return found


def import_batch(
    session: Session,
    table: Table,
    mapping: Mapping,
    source_id: int,
    *,
    quarantine_bad_rows: bool = False,
    progress: Callable[[int], None] | None = None,
    created_by_id: int | None = None,
    skip_existing: bool = False,
    signed_by_key_id: int | None = None,
    chunk_size: int = 5000,
) -> BatchResult:
    """Import a whole table as one batch of reports; the caller commits (or rolls back).

    Raises ``BatchRejected`` when rows are bad and ``quarantine_bad_rows`` is False (every
    bad row is listed; nothing must land), ``MappingError`` when the mapping cannot work, and
    ``NotFound`` for an unknown source. ``skip_existing`` passes over records whose id this
    source already delivered (signed field batches and PFIF, which may overlap) instead of
    calling them bad.
    """
    previous = find_batch(session, table.sha256)
    if previous is not None:
        return BatchResult(
            batch_id=previous.id,
            already_imported=True,
            reports_created=0,
            first_report_id=previous.first_report_id,
            last_report_id=previous.last_report_id,
            rows_total=previous.rows_total,
        )
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound("That source does not exist.")
    converter = _RowConverter(table, mapping)
    now = datetime.now(UTC)
    batch = ImportBatch(
        ref=f"b-{uuid.uuid4().hex}",
        source_id=source_id,
        file_sha256=table.sha256,
        kind=table.kind,
        signed_by_key_id=signed_by_key_id,
        created_by_id=created_by_id,
        created_at=now,
    )
    session.add(batch)
    session.flush()

    extra = {
        "source_id": source_id,
        "import_batch_ref": batch.ref,
        "created_at": now,
        "created_by_id": created_by_id,
        "person_id": None,
    }
    default_credibility = Credibility(source.default_credibility).value
    write = _bulk_insert(session, extra)
    bad: list[BadRow] = []
    quarantine: list[tuple[int, list[tuple[str, str]], list[str]]] = []
    pending: list[tuple[int, dict[str, Any], list[str]]] = []
    seen: set[str] = set()
    rows_total = created = skipped = 0

    def flush_pending() -> None:
        nonlocal created, skipped
        if not pending:
            return
        ids = [v["external_id"] for _, v, _ in pending if v.get("external_id")]
        existing = _existing_ids(session, source_id, ids) if ids else set()
        out = []
        for row_number, values, cells in pending:
            if values.get("external_id") in existing:
                if skip_existing:
                    skipped += 1
                    continue
                bad.append(BadRow(row_number, "external_id", "external_id_exists"))
                quarantine.append((row_number, [("external_id", "external_id_exists")], cells))
                continue
            out.append(values)
        pending.clear()
        # Once a row is bad and nothing may land, inserting more would only be rolled back.
        if out and (quarantine_bad_rows or not bad):
            write(out)
            created += len(out)

    for row_number, cells in table.rows():
        rows_total += 1
        values, problems = converter.convert(cells)
        if values is not None:
            external_id = values.get("external_id")
            if external_id:
                if external_id in seen:
                    problems = [("external_id", "duplicate_id")]
                seen.add(external_id)
        if problems:
            bad.extend(BadRow(row_number, f, c) for f, c in problems)
            quarantine.append((row_number, problems, cells))
        else:
            assert values is not None
            values["credibility"] = str(values.get("credibility") or default_credibility)
            values["report_type"] = values["report_type"].value
            pending.append((row_number, values, cells))
            if len(pending) >= chunk_size:
                flush_pending()
        if progress is not None and rows_total % 1000 == 0:
            progress(rows_total)
    flush_pending()
    if progress is not None:
        progress(rows_total)

    if bad and not quarantine_bad_rows:
        raise BatchRejected(bad)
    if quarantine:
        session.execute(
            sa.insert(QuarantinedRow.__table__),
            [
                {
                    "batch_id": batch.id,
                    "row_number": row_number,
                    "field": problems[0][0][:64],
                    "code": problems[0][1][:64],
                    "cells": dict(zip(table.headers, cells, strict=False)),
                    "created_at": now,
                    "resolved_at": None,
                }
                for row_number, problems, cells in quarantine
            ],
        )
    # One statement queues every new report for matching, in this same transaction.
    session.execute(
        sa.insert(MatchJob.__table__).from_select(
            ["subject_type", "subject_id", "state", "attempts", "created_at"],
            sa.select(
                sa.literal("report"),
                Report.id,
                sa.literal(JobState.pending.value),
                sa.literal(0),
                sa.bindparam("now", now, type_=UTCDateTime()),
            ).where(Report.import_batch_ref == batch.ref),
        )
    )
    first, last = session.execute(
        sa.select(sa.func.min(Report.id), sa.func.max(Report.id)).where(
            Report.import_batch_ref == batch.ref
        )
    ).one()
    batch.rows_total = rows_total
    batch.reports_created = created
    batch.rows_quarantined = len(quarantine)
    batch.rows_skipped = skipped
    batch.first_report_id, batch.last_report_id = first, last
    session.flush()
    audit.record(
        session,
        ReportBatchImported(
            actor_kind="staff" if created_by_id else "system",
            actor_id=created_by_id,
            subject_id=batch.id,
            source_id=source_id,
            file_kind=table.kind,
            file_sha256=table.sha256,
            first_report_id=first,
            last_report_id=last,
            reports_created=created,
            rows_quarantined=len(quarantine),
            rows_skipped=skipped,
            signed_by_key_id=signed_by_key_id,
        ),
    )
    return BatchResult(
        batch_id=batch.id,
        already_imported=False,
        reports_created=created,
        first_report_id=first,
        last_report_id=last,
        rows_total=rows_total,
        rows_quarantined=len(quarantine),
        rows_skipped=skipped,
        bad_rows=bad,
    )
