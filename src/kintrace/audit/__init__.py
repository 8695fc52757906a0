"""The audit log: typed events (ids only) appended to a hash chain in the caller's transaction,
signed checkpoints of it, and who looked at a record."""

from kintrace.audit.chain import AuditUnavailable, ChainCheck, record, record_many, verify
from kintrace.audit.events import AuditEvent
from kintrace.audit.views import Viewing, events_about, who_viewed

__all__ = [
    "AuditEvent",
    "AuditUnavailable",
    "ChainCheck",
    "Viewing",
    "events_about",
    "record",
    "record_many",
    "verify",
    "who_viewed",
]
