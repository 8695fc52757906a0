"""Key files kept in <data_dir>/keys, outside the database, created with mode 0600 on first use.

- ``enquirer-hmac.key``: keyed HMAC-SHA-256 of enquirer secrets (fast to check, useless without
  the key even if the database leaks).
- ``seal-aesgcm.key``: AES-256-GCM for sealed data (stored idempotent answers; later issue 6
  field encryption).
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kintrace.errors import KeyFileError
from kintrace.settings import Settings

HMAC_KEY_FILE = "enquirer-hmac.key"
SEAL_KEY_FILE = "seal-aesgcm.key"
_KEY_BYTES = 32
_NONCE_BYTES = 12
# First byte of every sealed blob, so a later key rotation can tell versions apart.
_SEAL_VERSION = b"\x01"


def _load_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        key = secrets.token_bytes(_KEY_BYTES)
        try:
            # O_EXCL: two processes starting at once must not write two different keys.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key.hex().encode("ascii"))
                fh.flush()
                os.fsync(fh.fileno())
    try:
        raw = path.read_bytes().strip()
        key = bytes.fromhex(raw.decode("ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"The key file {path.name} in the keys folder cannot be read.") from exc
    if len(key) != _KEY_BYTES:
        raise KeyFileError(f"The key file {path.name} does not hold a 256-bit key.")
    return key


class Keys:
    """The service's secret keys, loaded (or created) from the data dir."""

    def __init__(self, settings: Settings) -> None:
        self._dir = settings.keys_dir
        self._hmac_key = _load_or_create(self._dir / HMAC_KEY_FILE)
        self._aead = AESGCM(_load_or_create(self._dir / SEAL_KEY_FILE))

    def hmac(self, data: bytes) -> bytes:
        """Keyed HMAC-SHA-256 of data (32 bytes)."""
        return _hmac.new(self._hmac_key, data, hashlib.sha256).digest()

    def seal(self, data: bytes, associated: bytes = b"") -> bytes:
        """Encrypt and authenticate data; `associated` binds the blob to its context."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return _SEAL_VERSION + nonce + self._aead.encrypt(nonce, data, associated or None)

    def open(self, blob: bytes, associated: bytes = b"") -> bytes:
        """Decrypt a blob made by seal(); raises KeyFileError when it was altered or foreign."""
        if blob[:1] != _SEAL_VERSION or len(blob) < 1 + _NONCE_BYTES + 16:
            raise KeyFileError("A sealed value has an unknown format.")
        nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, associated or None)
        except InvalidTag as exc:
            raise KeyFileError(
                "A sealed value cannot be opened with the current key; it was altered "
                "or sealed with another key."
            ) from exc
