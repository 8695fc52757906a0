"""Column types shared by the models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from kintrace.keys import CIPHER_PREFIX, active_ring


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no time zones, so a naive value read back there would be ambiguous;
    storing naive UTC and re-attaching UTC on load makes both databases behave alike.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must carry a time zone; use datetime.now(UTC).")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[StrEnum], length: int = 32) -> sa.Enum:
    """An enum column stored as its plain string value (portable, readable in SQL)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class KeyedStr(str):
    """A string that names the data key it must be sealed with (set by models_privacy's
    before-flush hook for enquiries and case records); behaves as a plain str otherwise."""

    __slots__ = ("key_id",)
    key_id: str

    def __new__(cls, value: str, key_id: str) -> KeyedStr:
        obj = super().__new__(cls, value)
        obj.key_id = key_id
        return obj

    def __reduce__(self) -> tuple[type[KeyedStr], tuple[str, str]]:
        # copy, deepcopy and pickle must carry the key id along.
        return (KeyedStr, (str(self), self.key_id))


class EncryptedText(TypeDecorator[str]):
    """Text sealed with AES-256-GCM on write and opened on read (kintrace.keys ring).

    Stored as "kt1:<key id>:<base64>"; the key id lets a rotation find what to move. A value
    without the marker is a legacy plaintext row (written before migration 0002) and is
    returned as it is until `kintrace keys rotate` seals it. Equality lookups on these columns
    are impossible by design: store a keys.lookup_hash(...) beside them instead.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError("An encrypted text column takes a string.")
        return active_ring().seal(value.encode("utf-8"), getattr(value, "key_id", None))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or not value.startswith(CIPHER_PREFIX):
            return value
        return active_ring().open(value).decode("utf-8")


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document (e.g. a match explanation that quotes names), sealed as one value."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return active_ring().seal(raw.encode("utf-8"))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.startswith(CIPHER_PREFIX):
            value = active_ring().open(value).decode("utf-8")
        return json.loads(value)


class EncryptedBytes(TypeDecorator[bytes]):
    """Binary personal data (photos, scanned documents), sealed like EncryptedText."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return active_ring().seal(bytes(value), getattr(value, "key_id", None))

    def process_result_value(self, value: str | None, dialect: Any) -> bytes | None:
        if value is None:
            return None
        return active_ring().open(value)
