"""Retention and disposal: expired enquiries and cases are deleted, a tombstone (ids, kind,
dates, reason — no personal data) and an audit event stay, and the record's data key is
destroyed so that the copies of its personal data in old backups become unreadable too.

What expires (clock in settings.retention_days, per kind):
- an enquiry: `retention_days["enquiry"]` after its last change, unless a case that is not
  closed still holds it;
- a case: `retention_days["case"]` after it was closed; with it go its enquiries, messages and
  disclosures, whatever their own clock says.
Everything that references a disposed row through a foreign key (matches and their decisions,
messages, disclosures, verifications, ...) is deleted with it; audit events stay (ids only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import RecordDisposed
from kintrace.db.models import Base, Case, Enquiry, MatchJob
from kintrace.db.models_privacy import DisposalTombstone
from kintrace.domain import CaseState
from kintrace.keys import KeyRing

REASON_EXPIRED = "retention_expired"


@dataclass
class DisposalPlan:
    """What `dispose` would delete (ids only)."""

    enquiry_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)


@dataclass
class DisposalResult:
    plan: DisposalPlan
    tombstones: int = 0
    rows_deleted: dict[str, int] = field(default_factory=dict)
    # Data keys to destroy once the deletion is committed (see shred_keys).
    keys_to_shred: list[str] = field(default_factory=list)


def plan_disposal(
    session: Session, retention_days: dict[str, int], *, now: datetime
) -> DisposalPlan:
    """Which enquiries and cases are past their retention period at `now`."""
    plan = DisposalPlan()
    case_days = retention_days.get("case")
    if case_days is not None:
        plan.case_ids = list(
            session.scalars(
                sa.select(Case.id)
                .where(
                    Case.state == CaseState.closed,
                    Case.closed_at.is_not(None),
                    Case.closed_at < now - timedelta(days=case_days),
                )
                .order_by(Case.id)
            )
        )
    enquiry_days = retention_days.get("enquiry")
    if enquiry_days is not None:
        open_case = sa.exists().where(Case.id == Enquiry.case_id, Case.state != CaseState.closed)
        plan.enquiry_ids = list(
            session.scalars(
                sa.select(Enquiry.id)
                .where(Enquiry.updated_at < now - timedelta(days=enquiry_days), ~open_case)
                .order_by(Enquiry.id)
            )
        )
    if plan.case_ids:
        in_cases = session.scalars(
            sa.select(Enquiry.id).where(Enquiry.case_id.in_(plan.case_ids))
        ).all()
        plan.enquiry_ids = sorted(set(plan.enquiry_ids) | set(in_cases))
    return plan


def _referencing(table: sa.Table) -> list[tuple[sa.Table, sa.Column]]:
    """(table, column) pairs holding a foreign key to `table`'s single-column primary key."""
    out = []
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is table and fk.parent.table is other:
                out.append((other, fk.parent))
    return out


def _delete_tree(session: Session, table: sa.Table, ids: list[int], counts: dict[str, int]) -> None:
    """Delete rows of `table` and, first, every row that references them (recursively)."""
    if not ids:
        return
    (pk,) = table.primary_key.columns
    for other, column in _referencing(table):
        if other is table:
            # Self-reference (a person merged into another): cut the link, keep the row.
            session.execute(sa.update(other).where(column.in_(ids)).values({column.name: None}))
            continue
        if column.nullable and other.name in _DETACH_ONLY:
            session.execute(sa.update(other).where(column.in_(ids)).values({column.name: None}))
            continue
        other_pk = list(other.primary_key.columns)
        if len(other_pk) == 1 and other_pk[0] is not column:
            child_ids = list(session.scalars(sa.select(other_pk[0]).where(column.in_(ids))))
            _delete_tree(session, other, child_ids, counts)
        else:
            deleted = session.execute(sa.delete(other).where(column.in_(ids))).rowcount
            counts[other.name] = counts.get(other.name, 0) + (deleted or 0)
    deleted = session.execute(sa.delete(table).where(pk.in_(ids))).rowcount
    counts[table.name] = counts.get(table.name, 0) + (deleted or 0)


# Tables whose rows outlive a disposed record they merely point at (the link is cut instead).
# An enquiry outlives a case only if not disposed itself; remains listed by a morgue are the
# morgue's record, not the family's, and outlive the case that identified them.
_DETACH_ONLY = frozenset({"enquiry", "unidentified_remains"})


def _tombstone(
    session: Session,
    *,
    kind: str,
    record_id: int,
    ref: str | None,
    created_at: datetime | None,
    days: int | None,
    key_id: str | None,
    now: datetime,
    actor_id: int | None,
) -> None:
    stone = DisposalTombstone(
        record_kind=kind,
        record_id=record_id,
        record_ref=ref,
        record_created_at=created_at,
        disposed_at=now,
        reason=REASON_EXPIRED,
        retention_days=days,
        shredded_key_id=key_id,
        disposed_by_id=actor_id,
    )
    session.add(stone)
    session.flush()
    audit.record(
        session,
        RecordDisposed(
            actor_kind="staff" if actor_id else "system",
            actor_id=actor_id,
            subject_id=record_id,
            record_type=kind,
            tombstone_id=stone.id,
            reason=REASON_EXPIRED,
            key_shredded=key_id is not None,
        ),
    )


def dispose(
    session: Session,
    retention_days: dict[str, int],
    *,
    now: datetime,
    actor_id: int | None = None,
    plan: DisposalPlan | None = None,
) -> DisposalResult:
    """Delete what `plan_disposal` finds, leave tombstones and audit events (caller commits,
    then calls shred_keys with result.keys_to_shred)."""
    plan = plan or plan_disposal(session, retention_days, now=now)
    result = DisposalResult(plan)
    enquiries = session.execute(
        sa.select(Enquiry.id, Enquiry.reference, Enquiry.created_at).where(
            Enquiry.id.in_(plan.enquiry_ids)
        )
    ).all()
    for enquiry_id, reference, created_at in enquiries:
        key_id = f"enquiry-{reference}"
        _tombstone(
            session, kind="enquiry", record_id=enquiry_id, ref=reference, created_at=created_at,
            days=retention_days.get("enquiry"), key_id=key_id, now=now, actor_id=actor_id,
        )  # fmt: skip
        result.keys_to_shred.append(key_id)
        result.tombstones += 1
    cases = session.execute(
        sa.select(Case.id, Case.created_at).where(Case.id.in_(plan.case_ids))
    ).all()
    for case_id, created_at in cases:
        key_id = f"case-{case_id}"
        _tombstone(
            session, kind="case", record_id=case_id, ref=None, created_at=created_at,
            days=retention_days.get("case"), key_id=key_id, now=now, actor_id=actor_id,
        )  # fmt: skip
        result.keys_to_shred.append(key_id)
        result.tombstones += 1
    ids = [row[0] for row in enquiries]
    if ids:
        session.execute(
            sa.delete(MatchJob).where(
                MatchJob.subject_type == "enquiry", MatchJob.subject_id.in_(ids)
            )
        )
    _delete_tree(session, Enquiry.__table__, ids, result.rows_deleted)  # type: ignore[arg-type]
    _delete_tree(session, Case.__table__, [c[0] for c in cases], result.rows_deleted)  # type: ignore[arg-type]
    return result


def shred_keys(ring: KeyRing, key_ids: Iterable[str]) -> int:
    """Destroy the data keys of disposed records (after the deletion committed)."""
    return sum(1 for key_id in key_ids if ring.shred(key_id))


def shred_leftover_keys(session: Session, ring: KeyRing) -> int:
    """Keys of tombstoned records still on disk (a run stopped between commit and shredding)."""
    stones = set(
        session.scalars(
            sa.select(DisposalTombstone.shredded_key_id).where(
                DisposalTombstone.shredded_key_id.is_not(None)
            )
        )
    )
    return shred_keys(ring, (k for k in ring.subject_key_ids() if k in stones))
