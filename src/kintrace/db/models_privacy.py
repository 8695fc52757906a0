"""Tables of data protection (issue 6): signed audit checkpoints and disposal tombstones; and
the hook that seals an enquiry's (or a case's) personal data with its own data key.

Transfers to other organisations are recorded in ``data_transfer`` (db.models_sources) through
``kintrace.privacy.transfers.record_transfer``.

Imported by `kintrace.db` so that `Base.metadata` (Alembic, the schema test) sees the tables and
the before-flush hook is registered for every session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from kintrace.db.models import Base, Disclosure, Enquiry, Message
from kintrace.db.types import EncryptedBytes, EncryptedText, KeyedStr, utcnow
from kintrace.keys import active_ring


class AuditCheckpoint(Base):
    """A signed statement "the chain had `seq` events ending in `head_hash`" (Ed25519).

    The same line is appended to <data_dir>/audit/checkpoints.jsonl, so removing the newest
    events (and even this table's rows) is still detected against the file.
    """

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Hex Ed25519 signature over checkpoint_message(seq, head_hash, signed_at).
    signature: Mapped[str] = mapped_column(sa.String(128))
    # First 16 hex digits of SHA-256 of the raw public key that signed it.
    key_fingerprint: Mapped[str] = mapped_column(sa.String(16))


class DisposalTombstone(Base):
    """What was disposed of, when and why — ids and codes only, never personal data."""

    __tablename__ = "disposal_tombstone"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    record_id: Mapped[int]
    # The enquiry reference (not personal: a random code) so a late question can be answered.
    record_ref: Mapped[str | None] = mapped_column(sa.String(32))
    record_created_at: Mapped[datetime | None]
    disposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "retention_expired" or another code.
    reason: Mapped[str] = mapped_column(sa.String(64))
    retention_days: Mapped[int | None]
    # Data key destroyed with the record (crypto-shredding), if it had one.
    shredded_key_id: Mapped[str | None] = mapped_column(sa.String(64))
    disposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


# --- per-record data keys ---------------------------------------------------------------------

# Which data key seals a row's personal data. An enquiry has its own; a case's messages and
# disclosures share the case's. Destroying the key destroys the data in every backup too.
SUBJECT_KEY: dict[type[Any], Callable[[Any], str | None]] = {
    Enquiry: lambda row: f"enquiry-{row.reference}" if row.reference else None,
    Message: lambda row: f"case-{row.case_id}" if row.case_id else None,
    Disclosure: lambda row: f"case-{row.case_id}" if row.case_id else None,
}


def encrypted_columns(model: type[Any]) -> list[str]:
    """Attribute names of a model's sealed columns (text and binary)."""
    return [
        column.key
        for column in sa.inspect(model).columns
        if isinstance(column.type, EncryptedText | EncryptedBytes)
    ]


_COLUMNS: dict[type[Any], list[str]] = {}


@event.listens_for(Session, "before_flush")
def _seal_with_subject_keys(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        owner = SUBJECT_KEY.get(type(obj))
        if owner is None:
            continue
        key_id = owner(obj)
        if key_id is None:
            continue
        names = _COLUMNS.get(type(obj))
        if names is None:
            names = _COLUMNS[type(obj)] = encrypted_columns(type(obj))
        state = sa.inspect(obj)
        is_new = obj in session.new
        ensured = False
        for name in names:
            value = getattr(obj, name)
            if not isinstance(value, str) or getattr(value, "key_id", None) == key_id:
                continue
            if not is_new and not state.attrs[name].history.has_changes():
                continue
            if not ensured:
                # Durable before the row is: a committed row must never lack its key.
                active_ring().ensure_subject_key(key_id)
                ensured = True
            setattr(obj, name, KeyedStr(value, key_id))
