"""Signed batch files: field teams without a connection carry reports from a laptop.

The laptop's kintrace writes its reports with ``kintrace export --signed-batch FILE``: a JSON
envelope ``{"kintrace_signed_batch": 1, "payload": <base64 JSON>, "signature": <base64>}``
signed with the laptop's Ed25519 key (``<data_dir>/keys/field-batch-ed25519.key``, created on
first use, mode 0600). The receiving instance takes the file only when the public key was
registered as trusted (``kintrace batch-key trust NAME HEX``) and not revoked; the signature
covers the whole payload, so no row can be changed, added or removed in transit. Every record
carries a domain-prefixed id (``<key fingerprint>/<report id>``) so a later, overlapping
batch adds only what is new.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import BatchKeyTrusted
from kintrace.db.models import Report, Source
from kintrace.db.models_sources import TrustedBatchKey
from kintrace.errors import AlreadyExists
from kintrace.intake.reports import FIELDS, ImportFileError, Mapping, Table
from kintrace.settings import Settings

SIGNING_KEY_FILE = "field-batch-ed25519.key"
MARKER = b'{"kintrace_signed_batch"'
FORMAT_VERSION = 1


class SignedBatchError(ImportFileError):
    """The signed batch is damaged, altered or signed by a key this instance does not trust."""


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """This instance's field-batch signing key, created (0600) on first use."""
    path = settings.keys_dir / SIGNING_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        raw = Ed25519PrivateKey.generate().private_bytes_raw()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw.hex().encode("ascii"))
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    except (OSError, ValueError) as exc:
        raise SignedBatchError(f"The signing key file {path.name} cannot be read.") from exc


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes_raw().hex()


def fingerprint(public_hex: str) -> str:
    """A short, stable name for a public key (16 hex digits of its SHA-256)."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def is_signed_batch(head: bytes) -> bool:
    return head.lstrip().startswith(MARKER)


def trust_key(session: Session, name: str, public_hex: str, *, actor_id: int | None = None) -> int:
    """Register a field team's public key (caller commits); returns its id."""
    public_hex = public_hex.strip().lower()
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
    except ValueError as exc:
        raise SignedBatchError("That is not an Ed25519 public key (64 hex digits).") from exc
    taken = session.scalar(
        sa.select(TrustedBatchKey.id).where(
            sa.or_(TrustedBatchKey.name == name, TrustedBatchKey.public_key_hex == public_hex)
        )
    )
    if taken is not None:
        raise AlreadyExists("A key with this name, or this key under another name, is trusted.")
    row = TrustedBatchKey(name=name, public_key_hex=public_hex)
    session.add(row)
    session.flush()
    audit.record(
        session,
        BatchKeyTrusted(actor_kind="staff" if actor_id else "system", actor_id=actor_id,
                        subject_id=row.id),
    )  # fmt: skip
    return row.id


def _report_row(report: Report, prefix: str) -> list[str]:
    out = []
    for name in FIELDS:
        value: Any = getattr(report, name)
        if name == "external_id":
            value = value or f"{prefix}/{report.id}"
        if value is None:
            out.append("")
        elif isinstance(value, bool):
            out.append("yes" if value else "no")
        else:
            out.append(str(getattr(value, "value", value)))
    return out


def write_signed_batch(
    session: Session, settings: Settings, path: Path, *, source_name: str | None = None
) -> int:
    """Write this instance's reports (of one source, or all) as a signed batch; the count."""
    key = signing_key(settings)
    public_hex = public_key_hex(key)
    query = sa.select(Report).order_by(Report.id)
    if source_name is not None:
        query = query.join(Source).where(Source.name == source_name)
    prefix = fingerprint(public_hex)
    rows = [_report_row(r, prefix) for r in session.scalars(query)]
    payload = json.dumps(
        {
            "version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "public_key": public_hex,
            "headers": list(FIELDS),
            "rows": rows,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    envelope = {
        "kintrace_signed_batch": FORMAT_VERSION,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signature": base64.b64encode(key.sign(payload)).decode("ascii"),
    }
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(envelope), encoding="ascii")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return len(rows)


@dataclass
class VerifiedBatch:
    table: Table
    mapping: Mapping
    key_id: int
    key_name: str


def read_signed_batch(session: Session, data: bytes) -> VerifiedBatch:
    """Verify a signed batch against the trusted keys and give its rows as a Table."""
    try:
        envelope = json.loads(data)
        payload = base64.b64decode(envelope["payload"], validate=True)
        signature = base64.b64decode(envelope["signature"], validate=True)
        body = json.loads(payload)
        public_hex = str(body["public_key"]).lower()
        headers, rows = list(body["headers"]), body["rows"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SignedBatchError(
            "The signed batch file is damaged (it is not the JSON kintrace writes)."
        ) from exc
    trusted = session.scalar(
        sa.select(TrustedBatchKey).where(
            TrustedBatchKey.public_key_hex == public_hex, TrustedBatchKey.revoked_at.is_(None)
        )
    )
    if trusted is None:
        raise SignedBatchError(
            f"The batch is signed by key {fingerprint(public_hex)}, which this instance does "
            "not trust. Register it first: kintrace batch-key trust NAME PUBLIC_KEY."
        )
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(signature, payload)
    except (InvalidSignature, ValueError):
        raise SignedBatchError(
            "The signature does not match the contents: the file was altered or damaged after "
            "it was signed. Nothing was imported."
        ) from None
    unknown = set(headers) - set(FIELDS)
    if unknown or not all(isinstance(r, list) for r in rows):
        raise SignedBatchError("The signed batch holds fields this version does not know.")
    table = Table.from_rows(
        headers, rows, kind="signed_batch", sha256=hashlib.sha256(data).hexdigest()
    )
    return VerifiedBatch(table, Mapping({h: h for h in headers}), trusted.id, trusted.name)
