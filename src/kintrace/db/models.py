"""Tables for every stage of the data flow (SQLAlchemy 2, typed).

Personal data sits in clearly named columns (names, birth data, contacts, places, message
bodies) so that issue 6 can put field encryption on exactly those. Partial dates are text
"YYYY", "YYYY-MM" or "YYYY-MM-DD". Times are UTC (UTCDateTime).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kintrace.db.types import EncryptedJSON, EncryptedText, UTCDateTime, str_enum, utcnow
from kintrace.domain import (
    CaseState,
    Channel,
    Credibility,
    EnquiryState,
    Fate,
    JobState,
    Language,
    MatchJudgement,
    MessageDirection,
    OrganisationKind,
    Reliability,
    ReportType,
    Role,
    Sex,
    SourceKind,
)

PartialDate = sa.String(10)
Name = sa.String(200)
Place = sa.String(300)
# Personal data: sealed with AES-GCM at rest (issue 6, docs/data-protection.md).
Sealed = EncryptedText()
SealedJSON = EncryptedJSON()


class Base(DeclarativeBase):
    # Deterministic constraint names keep Alembic migrations portable across databases.
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON()}  # noqa: RUF012


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Organisation(Timestamped, Base):
    """A tracing agency, national information bureau, NGO or hospital; staff belong to one."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        str_enum(OrganisationKind), default=OrganisationKind.tracing_agency
    )


class User(Timestamped, Base):
    """A staff account (enquirers have none)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # Restricted to the reports of one source for source officers (issue 6 item 1).
    source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source.id"))
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()


class Source(Timestamped, Base):
    """Who reports, graded on the Admiralty scale."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind), default=SourceKind.other)
    reliability: Mapped[Reliability] = mapped_column(str_enum(Reliability, 1))
    # What this source's information usually deserves; each report may say otherwise.
    default_credibility: Mapped[Credibility] = mapped_column(
        str_enum(Credibility, 1), default=Credibility.cannot_be_judged
    )


class Person(Timestamped, Base):
    """A cluster of reports judged to be one individual; his wishes travel with him."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    fate: Mapped[Fate] = mapped_column(str_enum(Fate), default=Fate.unknown)
    fate_derived_at: Mapped[datetime | None]
    # Set when merged into another person; unmerge clears it, history lives in the audit log.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    wish_inform_whom: Mapped[str | None] = mapped_column(Sealed)
    wish_refuses_contact: Mapped[bool | None]
    wish_refuses_repatriation: Mapped[bool | None]


class Report(Timestamped, Base):
    """One statement by a source about one individual at one time (GC III capture card)."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("source.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    report_type: Mapped[ReportType] = mapped_column(str_enum(ReportType))
    event_date: Mapped[str | None] = mapped_column(PartialDate)
    credibility: Mapped[Credibility] = mapped_column(
        str_enum(Credibility, 1), default=Credibility.cannot_be_judged
    )
    source_document_ref: Mapped[str | None] = mapped_column(sa.String(200))
    # The source's own id for the record (bulk files, PFIF), unique per source when given.
    external_id: Mapped[str | None] = mapped_column(sa.String(200))
    import_batch_ref: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    # Personal data (issue 6 encrypts these columns).
    full_name: Mapped[str | None] = mapped_column(Sealed)
    family_name: Mapped[str | None] = mapped_column(Sealed)
    given_name: Mapped[str | None] = mapped_column(Sealed)
    patronymic: Mapped[str | None] = mapped_column(Sealed)
    mother_maiden_name: Mapped[str | None] = mapped_column(Sealed)
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, 1))
    birth_date: Mapped[str | None] = mapped_column(Sealed)
    birth_place: Mapped[str | None] = mapped_column(Sealed)
    rank: Mapped[str | None] = mapped_column(sa.String(100))
    service_number: Mapped[str | None] = mapped_column(Sealed)
    military_unit: Mapped[str | None] = mapped_column(sa.String(200))
    capture_date: Mapped[str | None] = mapped_column(PartialDate)
    capture_place: Mapped[str | None] = mapped_column(Sealed)
    health_state: Mapped[str | None] = mapped_column(Sealed)
    internment_place: Mapped[str | None] = mapped_column(Sealed)
    person_to_inform: Mapped[str | None] = mapped_column(Sealed)
    consents_family_informed: Mapped[bool | None]
    party: Mapped[str | None] = mapped_column(sa.String(50))
    detaining_power: Mapped[str | None] = mapped_column(sa.String(50))
    country_held: Mapped[str | None] = mapped_column(sa.String(50))
    death_certificate_ref: Mapped[str | None] = mapped_column(Sealed)
    grave_location: Mapped[str | None] = mapped_column(Sealed)
    notes: Mapped[str | None] = mapped_column(Sealed)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    source: Mapped[Source] = relationship()

    __table_args__ = (sa.UniqueConstraint("source_id", "external_id"),)


class Case(Timestamped, Base):
    """The work on one or several linked enquiries."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState), default=CaseState.open)
    assigned_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    due_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]


class Enquiry(Timestamped, Base):
    """Who is sought, by whom, with consent, in which language, through which channel."""

    __tablename__ = "enquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    # Keyed HMAC-SHA-256 of the secret; the secret itself is never stored.
    secret_digest: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    state: Mapped[EnquiryState] = mapped_column(
        str_enum(EnquiryState), default=EnquiryState.received, index=True
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    language: Mapped[Language] = mapped_column(str_enum(Language, 2))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_file.id"))
    # The hotline operator who filed it for a caller, if any.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    consent_given_at: Mapped[datetime]
    consent_version: Mapped[str] = mapped_column(sa.String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Personal data of the sought person (issue 6 encrypts these columns).
    sought_full_name: Mapped[str | None] = mapped_column(Sealed)
    sought_family_name: Mapped[str | None] = mapped_column(Sealed)
    sought_given_name: Mapped[str | None] = mapped_column(Sealed)
    sought_patronymic: Mapped[str | None] = mapped_column(Sealed)
    sought_sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, 1))
    sought_birth_date: Mapped[str | None] = mapped_column(Sealed)
    sought_birth_place: Mapped[str | None] = mapped_column(Sealed)
    sought_is_military: Mapped[bool] = mapped_column(default=False)
    sought_military_unit: Mapped[str | None] = mapped_column(sa.String(200))
    sought_service_number: Mapped[str | None] = mapped_column(Sealed)
    sought_rank: Mapped[str | None] = mapped_column(sa.String(100))
    sought_party: Mapped[str | None] = mapped_column(sa.String(50))
    last_known_place: Mapped[str | None] = mapped_column(Sealed)
    last_known_date: Mapped[str | None] = mapped_column(PartialDate)
    circumstances: Mapped[str | None] = mapped_column(Sealed)
    # Personal data of the enquirer.
    enquirer_name: Mapped[str] = mapped_column(Sealed)
    enquirer_relationship: Mapped[str] = mapped_column(Sealed)
    enquirer_email: Mapped[str | None] = mapped_column(Sealed)
    enquirer_phone: Mapped[str | None] = mapped_column(Sealed)

    # Every query looks enquiries up by a case (= or IN), never for "no case": a new enquiry,
    # which has none, no longer adds an index entry (migration 0012).
    __table_args__ = (
        sa.Index(
            "ix_enquiry_case_id",
            "case_id",
            postgresql_where=sa.text("case_id IS NOT NULL"),
            sqlite_where=sa.text("case_id IS NOT NULL"),
        ),
    )


class Match(Timestamped, Base):
    """A scored candidate: enquiry or report against a person or a report, with its reasons."""

    __tablename__ = "match"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enquiry.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"), index=True)
    # For report-to-report pairs (building persons from duplicate reports, issue 4).
    other_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"))
    probability: Mapped[float]
    explanation: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict)
    model_version: Mapped[str] = mapped_column(sa.String(64))
    # [[left_report_id, right_report_id], ...] that support a match against a person.
    supporting_pairs: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)


class MatchDecision(Base):
    """A human judgement on a match. Retracted (retracted_at set), never overwritten."""

    __tablename__ = "match_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("match.id"), index=True)
    judgement: Mapped[MatchJudgement] = mapped_column(str_enum(MatchJudgement))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Sealed)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retracted_at: Mapped[datetime | None]
    retracted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class Message(Timestamped, Base):
    """A family message or caseworker note relayed within a case."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    enquiry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enquiry.id"))
    direction: Mapped[MessageDirection] = mapped_column(str_enum(MessageDirection))
    author_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Sealed)
    relayed_at: Mapped[datetime | None]


class Disclosure(Timestamped, Base):
    """What was told to whom, on what basis, approved by whom."""

    __tablename__ = "disclosure"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    enquiry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enquiry.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    recipient: Mapped[str] = mapped_column(Sealed)
    content_kind: Mapped[str] = mapped_column(sa.String(50))
    content: Mapped[str] = mapped_column(Sealed)
    basis: Mapped[str] = mapped_column(Sealed)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]
    disclosed_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One link of the hash-chained audit log: ids only, never personal data."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain; unique so two writers can never fork it.
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    occurred_at: Mapped[datetime]
    # Not indexed (migration 0012): no query looks events up by kind alone; the only filter on
    # it (audit.views, a suffix) narrows the events of given subjects, found by their index.
    kind: Mapped[str] = mapped_column(sa.String(64))
    actor_kind: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None]
    subject_type: Mapped[str | None] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),)


class IdempotencyRecord(Base):
    """The first answer to an Idempotency-Key, sealed, kept for a day."""

    __tablename__ = "idempotency_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    # "in_flight" while the first request runs, "complete" once its answer is stored.
    state: Mapped[str] = mapped_column(sa.String(16))
    status_code: Mapped[int | None]
    sealed_response: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # The record the answer created (e.g. the enquiry), so a replay can be audited.
    subject_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (sa.UniqueConstraint("scope", "key", name="uq_idempotency_record_scope_key"),)


class MatchJob(Base):
    """A durable work-queue row: match this new enquiry or report (consumed by the matcher)."""

    __tablename__ = "match_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(16))  # "enquiry" or "report"
    subject_id: Mapped[int]
    state: Mapped[JobState] = mapped_column(str_enum(JobState), default=JobState.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (sa.Index("ix_match_job_state_id", "state", "id"),)
