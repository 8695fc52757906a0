"""Subject access: everything held about one enquirer, as one JSON document.

An enquirer's data is their enquiry (what they told us about themselves and about the person
they seek), the messages and disclosures of that enquiry, the checks made on them
(verifications and any other record that points at the enquiry), and who accessed it (audit
events: ids and times). Not included: candidate matches and the reports behind them — those
are personal data of the sought person and of third parties, handed out only through the
disclosure process.
"""

from __future__ import annotations

import base64
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import SubjectExported
from kintrace.db.models import AuditEvent, Base, Enquiry
from kintrace.domain.ids import normalise_reference
from kintrace.errors import NotFound

# Tables that point at an enquiry but hold someone else's data or only internal state.
_NOT_THE_ENQUIRERS = frozenset({"match", "match_job"})
# Columns that are secrets or internal, not information about the person.
_HIDDEN = frozenset({"secret_digest"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _row_dict(obj: Any) -> dict[str, Any]:
    mapper = sa.inspect(type(obj))
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _HIDDEN
    }


def _mapped_class(table: sa.Table) -> type[Any] | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def subject_export(
    session: Session, reference: str, *, actor_id: int | None = None
) -> dict[str, Any]:
    """The enquirer's data for `reference`; audited (caller commits). NotFound if unknown."""
    canonical = normalise_reference(reference)
    enquiry = (
        session.scalar(sa.select(Enquiry).where(Enquiry.reference == canonical))
        if canonical
        else None
    )
    if enquiry is None:
        raise NotFound("No enquiry has that reference.")
    related: dict[str, list[dict[str, Any]]] = {}
    enquiry_table = Enquiry.__table__
    for table in Base.metadata.sorted_tables:
        if table.name in _NOT_THE_ENQUIRERS:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not enquiry_table:
                continue
            cls = _mapped_class(table)
            if cls is None:
                continue
            rows = session.scalars(sa.select(cls).where(fk.parent == enquiry.id)).all()
            if rows:
                related.setdefault(table.name, []).extend(_row_dict(r) for r in rows)
    accesses = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.kind, AuditEvent.actor_kind)
        .where(AuditEvent.subject_type == "enquiry", AuditEvent.subject_id == enquiry.id)
        .order_by(AuditEvent.seq)
    ).all()
    document = {
        "format": "kintrace-subject-export-1",
        "reference": enquiry.reference,
        "enquiry": _row_dict(enquiry),
        "related": related,
        # Who did what with the enquiry (staff are named by role kind only: their identities
        # are staff data, available on request through the data protection officer).
        "accesses": [
            {"seq": a[0], "at": _plain(a[1]), "event": a[2], "by": a[3]} for a in accesses
        ],
        "not_included": "candidate matches and reports (the sought person's and third "
        "parties' data); they are disclosed only through the disclosure process",
    }
    records = 1 + sum(len(rows) for rows in related.values())
    audit.record(
        session,
        SubjectExported(
            actor_kind="staff" if actor_id else "system",
            actor_id=actor_id,
            subject_id=enquiry.id,
            records=records,
        ),
    )
    return document
