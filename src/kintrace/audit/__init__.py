"""The audit log: typed events (ids only) appended to a hash chain in the caller's transaction."""

from kintrace.audit.chain import ChainCheck, record, verify
from kintrace.audit.events import AuditEvent

__all__ = ["AuditEvent", "ChainCheck", "record", "verify"]
