"""Domain errors. They carry no HTTP codes; adapters (web, cli) map each class to a page,
a JSON answer or an exit code. Messages are sentences and never contain personal data."""

from __future__ import annotations


class KintraceError(Exception):
    """Base of every error the core raises on purpose."""


class StorageNotSafe(KintraceError):
    """The database cannot be configured for durable writes, so the service must not start."""


class NotFound(KintraceError):
    """The record does not exist or the caller may not know that it exists."""


class IdempotencyKeyReused(KintraceError):
    """The same Idempotency-Key was sent before with a different body (web: 422)."""

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new request."
        )


class IdempotencyInFlight(KintraceError):
    """A request with the same Idempotency-Key is still being processed (web: 409)."""

    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being processed; retry in a moment."
        )


class KeyFileError(KintraceError):
    """A key file is missing, unreadable or malformed."""


class AuditChainBroken(KintraceError):
    """The audit log's hash chain does not verify."""


class WeakPassword(KintraceError):
    """A staff password is too short or too common to protect personal data."""


class AlreadyExists(KintraceError):
    """A record with the same unique name already exists."""
