"""Signed checkpoints of the audit chain (Ed25519), kept in the database AND appended to
<data_dir>/audit/checkpoints.jsonl, a file an operator can ship elsewhere.

A checkpoint says "the chain had `seq` events and the last one hashed to `head_hash`". Since
every hash covers the one before it, one signed head vouches for the whole chain up to it: an
attacker who rewrites events and recomputes every hash still cannot produce that head, and one
who removes events from the tail leaves a signed head the chain no longer reaches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kintrace.audit.chain import ChainCheck, chain_rows, verify_rows
from kintrace.db.models import AuditEvent as AuditRow
from kintrace.db.models_privacy import AuditCheckpoint
from kintrace.keys import (
    AUDIT_PUBLIC_KEY_FILE,
    active_ring,
    audit_public_key,
    audit_signing_key,
)

logger = logging.getLogger(__name__)

CHECKPOINT_FILE = Path("audit") / "checkpoints.jsonl"


def checkpoint_file(data_dir: Path) -> Path:
    return data_dir / CHECKPOINT_FILE


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def message(seq: int, head_hash: str, signed_at: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return f"kintrace-audit-checkpoint:v1:{seq}:{head_hash}:{signed_at}".encode("ascii")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    signed_at: str
    key: str
    signature: str

    def line(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True, separators=(",", ":")) + "\n"

    def holds(self, public: Ed25519PublicKey) -> bool:
        try:
            public.verify(
                bytes.fromhex(self.signature), message(self.seq, self.head_hash, self.signed_at)
            )
        except (InvalidSignature, ValueError):
            return False
        return True


def sign_head(key: Ed25519PrivateKey, seq: int, head_hash: str) -> Checkpoint:
    signed_at = datetime.now(UTC).isoformat(timespec="microseconds")
    signature = key.sign(message(seq, head_hash, signed_at)).hex()
    return Checkpoint(seq, head_hash, signed_at, fingerprint(key.public_key()), signature)


def _append(path: Path, checkpoint: Checkpoint) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as fh:
        fh.write(checkpoint.line())
        fh.flush()
        os.fsync(fh.fileno())


def write_checkpoint(engine: Engine, data_dir: Path) -> Checkpoint | None:
    """Sign the chain's current head (if it moved since the last checkpoint), store it in the
    database, then append it to the checkpoint file. None when there is nothing new."""
    key = audit_signing_key(data_dir / "keys")
    with Session(engine) as session, session.begin():
        head = session.execute(
            sa.select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
        ).first()
        last = session.scalar(sa.select(sa.func.max(AuditCheckpoint.seq)))
        if head is None or (last is not None and last >= head.seq):
            return None
        checkpoint = sign_head(key, head.seq, head.hash)
        session.add(
            AuditCheckpoint(
                seq=checkpoint.seq,
                head_hash=checkpoint.head_hash,
                signed_at=datetime.fromisoformat(checkpoint.signed_at),
                signature=checkpoint.signature,
                key_fingerprint=checkpoint.key,
            )
        )
    # Only a committed head goes to the file: a head the database never kept would later
    # look like a truncation.
    _append(checkpoint_file(data_dir), checkpoint)
    return checkpoint


def checkpoint_quietly(engine: Engine) -> None:
    """The automatic checkpoint after every CHECKPOINT_EVERY events; never fails a request."""
    try:
        write_checkpoint(engine, active_ring().dir.parent)
    # The request already committed: log (no personal data) and go on.
    except Exception as exc:
        logger.warning("Automatic audit checkpoint failed (%s).", type(exc).__name__)


def read_checkpoint_file(path: Path) -> list[Checkpoint]:
    """Checkpoints from a file; ValueError naming the line when one is not a checkpoint."""
    out = []
    if not path.exists():
        return out
    for number, line in enumerate(path.read_text("ascii").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.append(
                Checkpoint(
                    int(data["seq"]),
                    str(data["head_hash"]),
                    str(data["signed_at"]),
                    str(data["key"]),
                    str(data["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"Line {number} of the checkpoint file is not a checkpoint.") from exc
    return out


def stored_checkpoints(conn: Session | sa.Connection) -> list[Checkpoint]:
    rows = conn.execute(
        sa.select(
            AuditCheckpoint.seq,
            AuditCheckpoint.head_hash,
            AuditCheckpoint.signed_at,
            AuditCheckpoint.key_fingerprint,
            AuditCheckpoint.signature,
        ).order_by(AuditCheckpoint.seq)
    ).all()
    return [
        Checkpoint(r[0], r[1], r[2].isoformat(timespec="microseconds"), r[3], r[4]) for r in rows
    ]


def check_checkpoints(
    checkpoints: list[Checkpoint], public: Ed25519PublicKey
) -> tuple[dict[int, str], str | None]:
    """Heads of properly signed checkpoints; a reason when one is forged or contradicts another."""
    heads: dict[int, str] = {}
    for checkpoint in checkpoints:
        if not checkpoint.holds(public):
            return heads, (
                f"the checkpoint at event {checkpoint.seq} is not signed by this instance's "
                "audit key"
            )
        known = heads.setdefault(checkpoint.seq, checkpoint.head_hash)
        if known != checkpoint.head_hash:
            return heads, f"two signed checkpoints disagree about event {checkpoint.seq}"
    return heads, None


def verify_with_checkpoints(
    conn: Session | sa.Connection,
    data_dir: Path,
    *,
    file: Path | None = None,
    public_key: Ed25519PublicKey | None = None,
) -> ChainCheck:
    """Verify the chain against every signed checkpoint in the file and in the database.

    The file is the authority for truncation: deleting the newest events and the checkpoint
    rows that name them still leaves their signed heads in the file.
    """
    path = file or checkpoint_file(data_dir)
    try:
        checkpoints = read_checkpoint_file(path) + stored_checkpoints(conn)
    except ValueError as exc:
        return ChainCheck(False, 0, None, str(exc))
    heads: dict[int, str] = {}
    if checkpoints:
        public = public_key
        if public is None:
            if not (data_dir / "keys" / AUDIT_PUBLIC_KEY_FILE).exists():
                # Never make a new key here: it would declare every real checkpoint forged.
                return ChainCheck(
                    False,
                    0,
                    None,
                    "the audit public key is missing from the keys folder; copy the keys "
                    "back or pass --public-key",
                )
            public = audit_public_key(data_dir / "keys")
        heads, problem = check_checkpoints(checkpoints, public)
        if problem:
            return ChainCheck(False, 0, None, problem)
    return verify_rows(chain_rows(conn), heads)
