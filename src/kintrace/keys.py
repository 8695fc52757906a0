"""Key files kept in <data_dir>/keys, outside the database, created with mode 0600 on first use.

- ``enquirer-hmac.key``: keyed HMAC-SHA-256 of enquirer secrets (fast to check, useless without
  the key even if the database leaks).
- ``lookup-hmac.key``: keyed HMAC of values that reveal a name (blocking keys, phonetic keys,
  e-mail lookups): the database may hold ``lookup_hash(value)``, never the value.
- ``seal-aesgcm.key``: AES-256-GCM for short-lived sealed blobs (stored idempotent answers).
- ``ring/<key id>.key`` + ``ring/current``: the master keys for field encryption at rest. Every
  ciphertext names its key id, so after a rotation old values stay readable until the
  re-encrypt pass has moved them and the old key is retired.
- ``subjects/<key id>.key``: one data key per enquiry or case, wrapped (sealed) by a master
  key. Destroying that file crypto-shreds the record's personal data, in the live database
  and in every backup of it (see docs/data-protection.md).
- ``audit-ed25519.key`` / ``.pub``: signs the audit chain's checkpoints.

Field encryption runs inside SQLAlchemy column types, which see neither the session nor the
settings; the ring of the process's data dir is therefore *active* process-wide once
``Keys(settings)`` (or ``activate(settings)``) has loaded it. A service runs on one data dir.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac as _hmac
import os
import re
import secrets
import threading
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kintrace.errors import KeyFileError
from kintrace.settings import Settings

HMAC_KEY_FILE = "enquirer-hmac.key"
LOOKUP_KEY_FILE = "lookup-hmac.key"
SEAL_KEY_FILE = "seal-aesgcm.key"
RING_DIR = "ring"
CURRENT_FILE = "current"
SUBJECT_DIR = "subjects"
AUDIT_SIGNING_KEY_FILE = "audit-ed25519.key"
AUDIT_PUBLIC_KEY_FILE = "audit-ed25519.pub"
_KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
# First byte of every sealed blob, so a later key rotation can tell versions apart.
_SEAL_VERSION = b"\x01"
# Every field ciphertext starts with this marker, then "<key id>:" and base64(nonce + body).
CIPHER_PREFIX = "kt1:"
_MASTER_ID = re.compile(r"^m[0-9a-f]{8}$")
# Data keys are named after their record: "enquiry-KT-7Q4M-9XPA", "case-12".
_SUBJECT_ID = re.compile(r"^(enquiry|case)-[A-Za-z0-9-]{1,40}$")


class KeyShredded(KeyFileError):
    """The data key of a record was destroyed on disposal: its personal data is gone for good."""

    def __init__(self) -> None:
        super().__init__(
            "This record's data key was destroyed when it was disposed of; its personal data "
            "can no longer be read, in the database or in any backup."
        )


def _write_new(
    path: Path, content: bytes, *, sync_dir: bool = True, make_parent: bool = True
) -> bool:
    """Create `path` durably with mode 0600; False if it already exists (another process won).

    The content is written to a temporary name first and linked into place, so another
    process never reads a half-written key. `sync_dir=False` leaves the folder's fsync to a
    caller that creates several keys and syncs the folder once for all of them;
    `make_parent=False` skips making the folder, for a caller that has just made it.
    """
    if make_parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            # link() fails if the name exists: two processes starting at once keep one key.
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        tmp.unlink(missing_ok=True)
    if sync_dir:
        _fsync_dir(path.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    # The new name must survive a crash too, not only the bytes behind it.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(path: Path, content: bytes) -> None:
    """Atomically replace `path` (write a temporary file, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _read_key(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_bytes().strip().decode("ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"The key file {path.name} in the keys folder cannot be read.") from exc
    if len(key) != _KEY_BYTES:
        raise KeyFileError(f"The key file {path.name} does not hold a 256-bit key.")
    return key


def _load_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        _write_new(path, secrets.token_bytes(_KEY_BYTES).hex().encode("ascii"))
    return _read_key(path)


def _shred_file(path: Path) -> bool:
    """Overwrite, fsync and unlink a key file; False when it was already gone."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(secrets.token_bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
    except FileNotFoundError:
        return False
    _fsync_dir(path.parent)
    return True


def key_id_of(ciphertext: str) -> str | None:
    """The key id a field ciphertext names, or None for a value that is not one."""
    if not ciphertext.startswith(CIPHER_PREFIX):
        return None
    key_id, sep, _ = ciphertext[len(CIPHER_PREFIX) :].partition(":")
    return key_id if sep else None


def is_subject_key(key_id: str) -> bool:
    return bool(_SUBJECT_ID.match(key_id))


class KeyRing:
    """Master keys (rotatable) and per-record data keys for field encryption at rest.

    One AESGCM object per key is built once and reused: sealing a field costs a nonce, one
    AES-GCM pass and a base64 encoding.
    """

    def __init__(self, keys_dir: Path) -> None:
        self.dir = keys_dir
        self.ring_dir = keys_dir / RING_DIR
        self.subject_dir = keys_dir / SUBJECT_DIR
        self._lock = threading.Lock()
        self._master: dict[str, AESGCM] = {}
        self._subjects: dict[str, AESGCM] = {}
        self.current_id = ""
        self._ensure_ring()
        self.reload()

    # -- master keys ---------------------------------------------------------------------------
    def _ensure_ring(self) -> None:
        self.ring_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        os.chmod(self.ring_dir, 0o700)
        if not (self.ring_dir / CURRENT_FILE).exists():
            key_id = self._new_master_file()
            # Another process may have won the race; its choice stands.
            _write_new(self.ring_dir / CURRENT_FILE, key_id.encode("ascii"))

    def _new_master_file(self) -> str:
        while True:
            key_id = "m" + secrets.token_hex(4)
            if _write_new(
                self.ring_dir / f"{key_id}.key", secrets.token_bytes(_KEY_BYTES).hex().encode()
            ):
                return key_id

    def reload(self) -> None:
        """Read the ring folder again (another process may have rotated the keys)."""
        master: dict[str, AESGCM] = {}
        for path in sorted(self.ring_dir.glob("m*.key")):
            if _MASTER_ID.match(path.stem):
                master[path.stem] = AESGCM(_read_key(path))
        try:
            current = (self.ring_dir / CURRENT_FILE).read_text("ascii").strip()
        except OSError as exc:
            raise KeyFileError("The keys folder names no current master key.") from exc
        if current not in master:
            raise KeyFileError("The current master key named in the keys folder is missing.")
        with self._lock:
            self._master, self.current_id = master, current

    def master_ids(self) -> list[str]:
        return sorted(self._master)

    def rotate(self) -> str:
        """Make a fresh master key current; the old ones stay readable. Returns its id."""
        key_id = self._new_master_file()
        _replace(self.ring_dir / CURRENT_FILE, key_id.encode("ascii"))
        self.reload()
        return key_id

    def retire(self, key_id: str) -> None:
        """Destroy a master key that no longer seals anything (the caller checked that)."""
        if key_id == self.current_id:
            raise KeyFileError("The current master key cannot be retired; rotate first.")
        if key_id not in self._master:
            raise KeyFileError("There is no master key with that id in the keys folder.")
        _shred_file(self.ring_dir / f"{key_id}.key")
        self.reload()

    # -- data keys (crypto-shredding) ----------------------------------------------------------
    def _subject_path(self, key_id: str) -> Path:
        return self.subject_dir / f"{key_id}.key"

    def ensure_subject_key(self, key_id: str) -> None:
        """Create the data key of one record (wrapped by the current master key) if missing."""
        self.ensure_subject_keys([key_id])

    def ensure_subject_keys(self, key_ids: Iterable[str]) -> None:
        """Create the data keys of several records, with one fsync of the keys folder.

        Each key file is still written and fsynced on its own; only the folder entry's fsync,
        which makes every new name survive a crash, is shared — the cost a batch of new
        enquiries would otherwise pay once each.
        """
        wanted = [key_id for key_id in dict.fromkeys(key_ids) if key_id not in self._subjects]
        if any(not is_subject_key(key_id) for key_id in wanted):
            raise KeyFileError("A data key id has an unexpected form.")
        missing = [key_id for key_id in wanted if not self._subject_path(key_id).exists()]
        if missing:
            self.subject_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(self.subject_dir, 0o700)
            for key_id in missing:
                key = secrets.token_bytes(_KEY_BYTES)
                wrapped = self.seal(key, self.current_id)
                # The folder was made just above: one key file costs its own syscalls only
                # (a surge makes one per enquiry).
                path = self._subject_path(key_id)
                if _write_new(path, wrapped.encode("ascii"), sync_dir=False, make_parent=False):
                    # The key just written need not be read back and unwrapped (a surge makes
                    # one per enquiry); when another process won the race, its file is read.
                    with self._lock:
                        self._subjects[key_id] = AESGCM(key)
            _fsync_dir(self.subject_dir)
        for key_id in wanted:
            self._subject_aead(key_id)

    def _subject_aead(self, key_id: str) -> AESGCM:
        aead = self._subjects.get(key_id)
        if aead is not None:
            return aead
        try:
            wrapped = self._subject_path(key_id).read_text("ascii").strip()
        except FileNotFoundError:
            raise KeyShredded() from None
        except OSError as exc:
            raise KeyFileError("A data key file in the keys folder cannot be read.") from exc
        aead = AESGCM(self.open(wrapped))
        with self._lock:
            self._subjects[key_id] = aead
        return aead

    def subject_key_ids(self) -> list[str]:
        if not self.subject_dir.exists():
            return []
        return sorted(p.stem for p in self.subject_dir.glob("*.key") if is_subject_key(p.stem))

    def shred(self, key_id: str) -> bool:
        """Destroy one record's data key: everything sealed with it becomes unreadable."""
        if not is_subject_key(key_id):
            raise KeyFileError("A data key id has an unexpected form.")
        with self._lock:
            self._subjects.pop(key_id, None)
        return _shred_file(self._subject_path(key_id))

    def rewrap_subject_key(self, key_id: str) -> bool:
        """Wrap one data key with the current master key; True if it changed."""
        path = self._subject_path(key_id)
        wrapped = path.read_text("ascii").strip()
        if key_id_of(wrapped) == self.current_id:
            return False
        _replace(path, self.seal(self.open(wrapped), self.current_id).encode("ascii"))
        return True

    # -- sealing -------------------------------------------------------------------------------
    def _aead(self, key_id: str) -> AESGCM:
        aead = self._master.get(key_id) or self._subjects.get(key_id)
        if aead is not None:
            # A data key already loaded (or made) here: no need to check its name again.
            return aead
        if is_subject_key(key_id):
            return self._subject_aead(key_id)
        if _MASTER_ID.match(key_id):
            # A key made by a rotation in another process since this one started.
            self.reload()
            aead = self._master.get(key_id)
            if aead is not None:
                return aead
        raise KeyFileError(
            "A value is sealed with a key that is not in the keys folder (retired, or the "
            "keys folder belongs to another instance)."
        )

    def seal(self, data: bytes, key_id: str | None = None) -> str:
        """Encrypt with the current master key, or with the data key `key_id`; returns text."""
        return self.seal_many([data], key_id)[0]

    def seal_many(self, datas: list[bytes], key_id: str | None = None) -> list[str]:
        """Each of `datas` sealed as `seal` seals one (this writes the format for both), with one
        key lookup and the nonces of all values from one ``os.urandom`` call (12 fresh random bytes each, never
        reused). An enquiry seals ~10 fields on the event loop under a surge: each
        ``os.urandom`` releases the GIL, and the loop then waited for the writer or a key
        maker to hand it back (docs/operations-surge.md, "Session 9")."""
        key_id = key_id or self.current_id
        encrypt = self._aead(key_id).encrypt
        # The key id is authenticated, so a ciphertext cannot be relabelled to another key.
        associated = key_id.encode("ascii")
        prefix = f"{CIPHER_PREFIX}{key_id}:"
        nonces = os.urandom(_NONCE_BYTES * len(datas))
        out = []
        for n, data in enumerate(datas):
            nonce = nonces[n * _NONCE_BYTES : (n + 1) * _NONCE_BYTES]
            body = encrypt(nonce, data, associated)
            out.append(prefix + binascii.b2a_base64(nonce + body, newline=False).decode("ascii"))
        return out

    def open(self, ciphertext: str) -> bytes:
        """Decrypt a value made by seal(); KeyShredded or KeyFileError when it cannot be."""
        key_id = key_id_of(ciphertext)
        if key_id is None:
            raise KeyFileError("A sealed value has an unknown format.")
        aead = self._aead(key_id)
        try:
            raw = base64.b64decode(ciphertext[len(CIPHER_PREFIX) + len(key_id) + 1 :])
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], key_id.encode("ascii"))
        except (InvalidTag, ValueError) as exc:
            raise KeyFileError(
                "A sealed value cannot be opened: it was altered or sealed with another key."
            ) from exc


_rings: dict[Path, KeyRing] = {}
_rings_lock = threading.Lock()
_active: KeyRing | None = None


def ring_for(keys_dir: Path) -> KeyRing:
    """The key ring of a keys folder, loaded once per process."""
    resolved = keys_dir.resolve()
    with _rings_lock:
        ring = _rings.get(resolved)
        if ring is None:
            ring = _rings[resolved] = KeyRing(resolved)
        return ring


def activate(settings: Settings) -> KeyRing:
    """Load the data dir's key ring and make it the one field encryption uses."""
    global _active
    ring = ring_for(settings.keys_dir)
    _active = ring
    return ring


def active_ring() -> KeyRing:
    """The ring field encryption uses; KeyFileError when none was loaded."""
    if _active is None:
        raise KeyFileError(
            "No keys are loaded, so personal data can be neither sealed nor opened; "
            "load them with Keys(settings) before touching the database."
        )
    return _active


_lookups: dict[Path, bytes] = {}


def _lookup_key(keys_dir: Path) -> bytes:
    key = _lookups.get(keys_dir)
    if key is None:
        key = _lookups[keys_dir] = _load_or_create(keys_dir / LOOKUP_KEY_FILE)
    return key


def lookup_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA-256, hex) of a value that reveals a name, with the active keys.

    Store this where a lookup by a name form (blocking key, phonetic key, e-mail) is needed:
    equal values give equal hashes, but the hash reveals nothing without the key file.
    """
    key = _lookup_key(active_ring().dir)
    return _hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def audit_signing_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The Ed25519 key that signs audit checkpoints (created with its public half on first use)."""
    path = keys_dir / AUDIT_SIGNING_KEY_FILE
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(keys_dir, 0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if _write_new(path, pem):
            public = key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            _write_new(keys_dir / AUDIT_PUBLIC_KEY_FILE, public)
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KeyFileError("The audit signing key file cannot be read.") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyFileError("The audit signing key file does not hold an Ed25519 key.")
    return loaded


def audit_public_key(keys_dir: Path) -> Ed25519PublicKey:
    """The public half that verifies checkpoints (an operator may keep a copy elsewhere)."""
    path = keys_dir / AUDIT_PUBLIC_KEY_FILE
    if not path.exists():
        return audit_signing_key(keys_dir).public_key()
    try:
        loaded = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KeyFileError("The audit public key file cannot be read.") from exc
    if not isinstance(loaded, Ed25519PublicKey):
        raise KeyFileError("The audit public key file does not hold an Ed25519 key.")
    return loaded


class Keys:
    """The service's secret keys, loaded (or created) from the data dir.

    Creating it also activates the data dir's key ring for field encryption at rest.
    """

    def __init__(self, settings: Settings) -> None:
        self._dir = settings.keys_dir
        self._hmac_key = _load_or_create(self._dir / HMAC_KEY_FILE)
        self._aead = AESGCM(_load_or_create(self._dir / SEAL_KEY_FILE))
        self.ring = activate(settings)

    def hmac(self, data: bytes) -> bytes:
        """Keyed HMAC-SHA-256 of data (32 bytes)."""
        return _hmac.new(self._hmac_key, data, hashlib.sha256).digest()

    def lookup_hash(self, value: str) -> str:
        """Keyed hash of a value that reveals a name (store this, never the value)."""
        key = _lookup_key(self.ring.dir)
        return _hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def seal(self, data: bytes, associated: bytes = b"") -> bytes:
        """Encrypt and authenticate data; `associated` binds the blob to its context."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return _SEAL_VERSION + nonce + self._aead.encrypt(nonce, data, associated or None)

    def open(self, blob: bytes, associated: bytes = b"") -> bytes:
        """Decrypt a blob made by seal(); raises KeyFileError when it was altered or foreign."""
        if blob[:1] != _SEAL_VERSION or len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES:
            raise KeyFileError("A sealed value has an unknown format.")
        nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, associated or None)
        except InvalidTag as exc:
            raise KeyFileError(
                "A sealed value cannot be opened with the current key; it was altered "
                "or sealed with another key."
            ) from exc
