"""Transfers to partner organisations: only under a recorded data-sharing agreement (what,
why, until when), only the field groups both the agreement and the requesting role allow,
and always logged (a `data_transfer` row and a `data.transferred` audit event in the same
transaction). There is no public feed: every export names its partner.

Field groups: ``identity`` (names, sex, birth date and place, mother's maiden name),
``fate`` (report type / PFIF status and its date), ``military`` (unit, rank, service number),
``location`` (capture and internment places, PFIF home and last known location), ``family``
(contact details in PFIF notes). Provenance (record ids, source, dates) always travels.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import AgreementRecorded, DataTransferred
from kintrace.db.models import Organisation, Report, Source, User
from kintrace.db.models_sources import DataSharingAgreement, DataTransfer
from kintrace.domain import ReportType, Role
from kintrace.domain.permissions import allowed
from kintrace.errors import KintraceError, NotFound
from kintrace.io.exchange_csv import CORE_COLUMNS, OPTIONAL_COLUMNS
from kintrace.io.pfif import build_pfif

GROUPS = ("identity", "fate", "military", "location", "family")

# What each role may send at most, whatever the agreement says.
ROLE_GROUPS: dict[str, frozenset[str]] = {
    Role.supervisor.value: frozenset(GROUPS),
    Role.caseworker.value: frozenset({"identity", "fate", "military"}),
}

# Exchange-CSV columns per group (record_id and source are provenance).
_EXCHANGE_GROUPS: dict[str, tuple[str, ...]] = {
    "identity": ("full_name", "given_name", "patronymic", "family_name", "sex", "birth_date",
                 "birth_place", "mother_maiden_name"),
    "military": ("military_unit", "service_number"),
    "location": ("capture_place",),
    "fate": ("capture_date", "report_type", "event_date"),
}  # fmt: skip
EXCHANGE_EXPORT_COLUMNS = (*CORE_COLUMNS, *OPTIONAL_COLUMNS, "report_type", "event_date")


class ExportRefused(KintraceError):
    """The export is not covered by an agreement in force or by the requester's role."""


@dataclass(frozen=True)
class Transfer:
    transfer_id: int
    record_count: int
    data: bytes
    field_groups: tuple[str, ...]


def record_agreement(
    session: Session,
    *,
    partner_code: str,
    field_groups: list[str],
    purpose: str,
    valid_until: datetime,
    report_types: list[str] | None = None,
    valid_from: datetime | None = None,
    created_by_id: int | None = None,
) -> int:
    """Record a data-sharing agreement (caller commits); returns its id."""
    partner = session.scalar(sa.select(Organisation).where(Organisation.code == partner_code))
    if partner is None:
        raise NotFound(f"There is no organisation with the code '{partner_code}'.")
    unknown = sorted(set(field_groups) - set(GROUPS))
    if unknown or not field_groups:
        raise ExportRefused("Field groups must be chosen from: " + ", ".join(GROUPS) + ".")
    types = report_types or []
    try:
        types = [ReportType(t).value for t in types]
    except ValueError:
        raise ExportRefused("One of the report types is not a report type we know.") from None
    if not purpose.strip():
        raise ExportRefused("An agreement needs its purpose: why the data is shared.")
    now = datetime.now(UTC)
    if valid_until <= now:
        raise ExportRefused("The agreement's last day lies in the past.")
    agreement = DataSharingAgreement(
        partner_organisation_id=partner.id,
        field_groups=sorted(set(field_groups)),
        report_types=types,
        purpose=purpose.strip(),
        valid_from=valid_from or now,
        valid_until=valid_until,
        created_by_id=created_by_id,
    )
    session.add(agreement)
    session.flush()
    audit.record(
        session,
        AgreementRecorded(
            actor_kind="staff" if created_by_id else "system",
            actor_id=created_by_id,
            subject_id=agreement.id,
            partner_organisation_id=partner.id,
        ),
    )
    return agreement.id


def allowed_groups(agreement: DataSharingAgreement, user: User) -> set[str]:
    """The field groups this user may send under this agreement (may be empty)."""
    role = str(getattr(user.role, "value", user.role))
    return set(agreement.field_groups) & ROLE_GROUPS.get(role, frozenset())


def _exchange_csv(reports: list[Report], groups: set[str], sources: dict[int, str]) -> bytes:
    keep = {"record_id", "source"}
    for group in groups:
        keep |= set(_EXCHANGE_GROUPS.get(group, ()))
    columns = [c for c in EXCHANGE_EXPORT_COLUMNS if c in keep]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for report in reports:
        values = {
            "record_id": report.external_id or f"report.{report.id}",
            "source": sources.get(report.source_id, ""),
            "report_type": str(getattr(report.report_type, "value", report.report_type)),
        }
        for column in columns:
            if column not in values:
                value = getattr(report, column, None)
                values[column] = "" if value is None else str(getattr(value, "value", value))
        writer.writerow([values[c] for c in columns])
    return out.getvalue().encode("utf-8")


def export_for_partner(
    session: Session,
    *,
    agreement_id: int,
    user_email: str,
    fmt: str,
    domain: str = "kintrace.example.org",
    now: datetime | None = None,
) -> Transfer:
    """Export the reports an agreement covers, as PFIF 1.4 or exchange CSV, and log the
    transfer (caller commits). Raises ExportRefused or NotFound with a sentence."""
    now = now or datetime.now(UTC)
    user = session.scalar(sa.select(User).where(User.email == user_email.strip().lower()))
    if user is None or not user.is_active:
        raise NotFound("There is no active staff account with that e-mail address.")
    if not allowed("staff.transfer.export", user):
        raise ExportRefused("This role may not export reports to partners.")
    agreement = session.get(DataSharingAgreement, agreement_id)
    if agreement is None:
        raise NotFound(f"There is no data-sharing agreement {agreement_id}.")
    if agreement.revoked_at is not None or not agreement.valid_from <= now <= agreement.valid_until:
        raise ExportRefused(
            f"Agreement {agreement_id} is not in force today; nothing may be sent under it."
        )
    groups = allowed_groups(agreement, user)
    if "identity" not in groups:
        raise ExportRefused(
            "Neither the agreement nor this role allow sending names, and a record without a "
            "name identifies nobody; nothing was exported."
        )
    if fmt not in {"pfif", "exchange_csv"}:
        raise ExportRefused("Exports are PFIF 1.4 or the exchange CSV.")
    # Only what the requester's organisation holds: its own sources and unowned ones.
    query = (
        sa.select(Report)
        .join(Source, Source.id == Report.source_id)
        .where(
            sa.or_(
                Source.organisation_id.is_(None),
                Source.organisation_id == user.organisation_id,
            )
        )
        .order_by(Report.id)
    )
    if agreement.report_types:
        query = query.where(Report.report_type.in_(agreement.report_types))
    reports = list(session.scalars(query))
    sources = {i: n for i, n in session.execute(sa.select(Source.id, Source.name))}
    if fmt == "pfif":
        data = build_pfif(session, reports, groups, domain)
    else:
        data = _exchange_csv(reports, groups, sources)
    digest = hashlib.sha256(data).hexdigest()
    transfer = DataTransfer(
        agreement_id=agreement.id,
        partner_organisation_id=agreement.partner_organisation_id,
        format=fmt,
        record_count=len(reports),
        file_sha256=digest,
        field_groups=sorted(groups),
        requested_by_id=user.id,
        created_at=now,
    )
    session.add(transfer)
    session.flush()
    audit.record(
        session,
        DataTransferred(
            actor_kind="staff",
            actor_id=user.id,
            subject_id=transfer.id,
            agreement_id=agreement.id,
            partner_organisation_id=agreement.partner_organisation_id,
            format=fmt,
            record_count=len(reports),
            file_sha256=digest,
        ),
    )
    return Transfer(transfer.id, len(reports), data, tuple(sorted(groups)))
