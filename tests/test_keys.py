from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from kintrace import keys as keys_module
from kintrace.errors import KeyFileError
from kintrace.keys import (
    KeyRing,
    Keys,
    KeyShredded,
    audit_public_key,
    audit_signing_key,
    key_id_of,
)
from kintrace.settings import Settings


def test_key_files_are_created_readable_by_the_owner_only(tmp_path: Path) -> None:
    Keys(Settings(data_dir=tmp_path))
    keys_dir = tmp_path / "keys"
    files = sorted(p for p in keys_dir.rglob("*") if p.is_file())
    names = [f.relative_to(keys_dir).as_posix() for f in files]
    assert names[:1] == ["enquirer-hmac.key"]
    assert "seal-aesgcm.key" in names and "ring/current" in names
    assert any(n.startswith("ring/m") and n.endswith(".key") for n in names)
    for key_file in files:
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    for folder in (keys_dir, keys_dir / "ring"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_keys_survive_a_restart(tmp_path: Path) -> None:
    first = Keys(Settings(data_dir=tmp_path))
    second = Keys(Settings(data_dir=tmp_path))
    assert first.hmac(b"x") == second.hmac(b"x")
    assert second.open(first.seal(b"answer")) == b"answer"


def test_another_instance_cannot_open_sealed_data(tmp_path: Path) -> None:
    sealed = Keys(Settings(data_dir=tmp_path / "a")).seal(b"answer")
    with pytest.raises(KeyFileError):
        Keys(Settings(data_dir=tmp_path / "b")).open(sealed)


def test_a_sealed_value_moved_to_another_context_or_altered_does_not_open(tmp_path: Path) -> None:
    keys = Keys(Settings(data_dir=tmp_path))
    sealed = keys.seal(b"answer", b"key-1")
    assert b"answer" not in sealed
    with pytest.raises(KeyFileError):
        keys.open(sealed, b"key-2")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(KeyFileError):
        keys.open(tampered, b"key-1")


def test_a_damaged_key_file_stops_with_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "enquirer-hmac.key").write_text("not hex")
    with pytest.raises(KeyFileError, match="cannot be read"):
        Keys(Settings(data_dir=tmp_path))


def test_a_sealed_field_names_its_key_and_does_not_contain_the_plaintext(tmp_path: Path) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    sealed = ring.seal("Кислиця Сергій".encode())
    assert key_id_of(sealed) == ring.current_id
    assert "Кислиця" not in sealed and "Kyslytsia" not in sealed
    assert ring.open(sealed).decode() == "Кислиця Сергій"
    assert ring.seal(b"x") != ring.seal(b"x")  # a fresh nonce every time


def test_after_rotation_old_values_still_open_and_new_ones_use_the_new_key(
    tmp_path: Path,
) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    old_id = ring.current_id
    before = ring.seal(b"before")
    new_id = ring.rotate()
    after = ring.seal(b"after")
    assert new_id != old_id and key_id_of(after) == new_id
    assert ring.open(before) == b"before"
    ring.retire(old_id)
    with pytest.raises(KeyFileError, match="not in the keys folder"):
        ring.open(before)
    assert ring.open(after) == b"after"


def test_the_current_key_cannot_be_retired(tmp_path: Path) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    with pytest.raises(KeyFileError, match="rotate first"):
        ring.retire(ring.current_id)


def test_a_ciphertext_relabelled_to_another_key_does_not_open(tmp_path: Path) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    sealed = ring.seal(b"secret")
    ring.rotate()
    relabelled = sealed.replace(key_id_of(sealed) or "", ring.current_id, 1)
    with pytest.raises(KeyFileError):
        ring.open(relabelled)


def test_a_shredded_data_key_makes_its_values_unreadable_for_good(tmp_path: Path) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    ring.ensure_subject_key("enquiry-KT-AAAA-BBBB")
    sealed = ring.seal(b"name", "enquiry-KT-AAAA-BBBB")
    wrapped = (tmp_path / "keys" / "subjects" / "enquiry-KT-AAAA-BBBB.key").read_text()
    assert wrapped.startswith("kt1:" + ring.current_id)  # wrapped by the master key
    assert ring.shred("enquiry-KT-AAAA-BBBB")
    with pytest.raises(KeyShredded):
        ring.open(sealed)
    # A fresh ring (another process) cannot open it either.
    with pytest.raises(KeyShredded):
        KeyRing(tmp_path / "keys").open(sealed)


def test_a_batch_of_data_keys_is_created_with_one_folder_sync_and_each_opens_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    ring.ensure_subject_key("enquiry-KT-AAAA-0001")
    before = ring.seal(b"first", "enquiry-KT-AAAA-0001")
    synced: list[Path] = []
    real_sync = keys_module._fsync_dir
    monkeypatch.setattr(
        keys_module, "_fsync_dir", lambda folder: (synced.append(folder), real_sync(folder))
    )
    ids = [f"enquiry-KT-AAAA-{n:04d}" for n in range(1, 9)]
    ring.ensure_subject_keys(ids)
    assert synced == [tmp_path / "keys" / "subjects"]
    sealed = {key_id: ring.seal(key_id.encode(), key_id) for key_id in ids}
    other = KeyRing(tmp_path / "keys")  # another process reads the files from disk
    assert all(other.open(value) == key_id.encode() for key_id, value in sealed.items())
    # The key that already existed was kept, not replaced.
    assert other.open(before) == b"first"
    with pytest.raises(KeyFileError):
        ring.ensure_subject_keys(["enquiry-KT-AAAA-0100", "../escape"])


def test_data_keys_survive_a_master_key_rotation_by_rewrapping(tmp_path: Path) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    ring.ensure_subject_key("case-7")
    sealed = ring.seal(b"message", "case-7")
    old = ring.current_id
    ring.rotate()
    assert ring.rewrap_subject_key("case-7")
    ring.retire(old)
    assert KeyRing(tmp_path / "keys").open(sealed) == b"message"


def test_lookup_hashes_are_stable_keyed_and_reveal_nothing(tmp_path: Path) -> None:
    first = Keys(Settings(data_dir=tmp_path / "a"))
    digest = first.lookup_hash("kislitsa")
    assert digest == first.lookup_hash("kislitsa") != first.lookup_hash("kislica")
    assert "kislitsa" not in digest
    assert Keys(Settings(data_dir=tmp_path / "b")).lookup_hash("kislitsa") != digest


def test_the_audit_signing_key_is_created_once_with_its_public_half(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    key = audit_signing_key(keys_dir)
    signature = key.sign(b"head")
    audit_public_key(keys_dir).verify(signature, b"head")
    assert stat.S_IMODE((keys_dir / "audit-ed25519.key").stat().st_mode) == 0o600


def test_two_processes_creating_the_same_data_key_end_up_with_one_key(tmp_path: Path) -> None:
    Keys(Settings(data_dir=tmp_path))
    rings = [KeyRing(tmp_path / "keys") for _ in range(4)]  # separate caches, like processes
    barrier = threading.Barrier(len(rings))
    sealed: list[str] = []

    def create(ring: KeyRing) -> None:
        barrier.wait()
        ring.ensure_subject_key("case-42")
        sealed.append(ring.seal(b"message", "case-42"))

    threads = [threading.Thread(target=create, args=(ring,)) for ring in rings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    fresh = KeyRing(tmp_path / "keys")
    assert [fresh.open(s) for s in sealed] == [b"message"] * 4
    assert [p.name for p in (tmp_path / "keys" / "subjects").iterdir()] == ["case-42.key"]


def test_values_sealed_together_open_one_by_one_each_with_its_own_nonce(tmp_path: Path) -> None:
    ring = Keys(Settings(data_dir=tmp_path)).ring
    ring.ensure_subject_key("enquiry-KT-AAAA-CCCC")
    texts = ["Петренко Іван".encode(), b"mother", "Харків".encode(), b"mother"]
    sealed = ring.seal_many(texts, "enquiry-KT-AAAA-CCCC")
    # Same format as seal(): names the data key, opens in another process, and two equal
    # values do not give the same ciphertext (each has its own nonce).
    assert all(key_id_of(value) == "enquiry-KT-AAAA-CCCC" for value in sealed)
    other = KeyRing(tmp_path / "keys")
    assert [other.open(value) for value in sealed] == texts
    assert len({value.split(":")[-1][:16] for value in sealed}) == len(texts)
    assert sealed[1] != sealed[3]
    # With the master key when no data key is named, like seal().
    assert key_id_of(ring.seal_many([b"x"])[0]) == ring.current_id
    # Shredding the data key makes every one of them unreadable.
    assert ring.shred("enquiry-KT-AAAA-CCCC")
    for value in sealed:
        with pytest.raises(KeyShredded):
            ring.open(value)
