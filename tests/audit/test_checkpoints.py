"""Signed checkpoints: any altered, removed, reordered or tail-truncated event is detected."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tests.factories import Store
from typer.testing import CliRunner

from kintrace import audit
from kintrace.audit import chain
from kintrace.audit.chain import GENESIS_HASH, ChainRow, row_hash, verify_rows
from kintrace.audit.checkpoints import (
    check_checkpoints,
    checkpoint_file,
    read_checkpoint_file,
    sign_head,
)
from kintrace.audit.events import EnquiryRead, RecordViewed, StaffLoggedIn
from kintrace.cli.main import app
from kintrace.db.models import AuditEvent
from kintrace.db.models_privacy import AuditCheckpoint

runner = CliRunner()
TRIALS = 1000
EVENTS = 60


def link(seq: int, prev: str, at: datetime, kind: str, actor: int, subject: int) -> ChainRow:
    detail = {"record_type": "case"} if kind == "record.viewed" else {}
    stype = "case" if kind == "record.viewed" else "enquiry"
    fields = dict(
        seq=seq, prev_hash=prev, occurred_at=at, kind=kind, actor_kind="staff",
        actor_id=actor, subject_type=stype, subject_id=subject, detail=detail,
    )  # fmt: skip
    return (seq, prev, at, kind, "staff", actor, stype, subject, detail, row_hash(**fields))


def rechain(rows: list[ChainRow], start: int = 0) -> list[ChainRow]:
    """What a careful attacker does after a change: renumber and recompute every hash."""
    out = rows[:start]
    prev = out[-1][9] if out else GENESIS_HASH
    for i, row in enumerate(rows[start:], start=start):
        _, _, at, kind, _, actor, _, subject, _, _ = row
        new = link(i + 1, prev, at, kind, actor or 0, subject or 0)
        out.append(new)
        prev = new[9]
    return out


def make_chain(rng: random.Random) -> list[ChainRow]:
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    rows: list[ChainRow] = []
    prev = GENESIS_HASH
    for seq in range(1, EVENTS + 1):
        kind = rng.choice(["enquiry.read", "record.viewed", "enquiry.received"])
        row = link(seq, prev, start + timedelta(seconds=seq), kind, rng.randint(1, 9), seq)
        rows.append(row)
        prev = row[9]
    return rows


def signed_heads(rows: list[ChainRow]) -> dict[int, str]:
    key = Ed25519PrivateKey.generate()
    # A checkpoint in the middle and one at the tail, as the file holds after a busy day.
    lines = [sign_head(key, r[0], r[9]) for r in (rows[EVENTS // 2 - 1], rows[-1])]
    heads, problem = check_checkpoints(lines, key.public_key())
    assert problem is None
    return heads


def alter(rows: list[ChainRow], rng: random.Random) -> list[ChainRow]:
    i = rng.randrange(len(rows))
    seq, prev, at, kind, akind, actor, stype, subject, detail, h = rows[i]
    change = rng.choice(["actor", "subject", "kind", "time", "detail", "hash"])
    if change == "actor":
        actor = (actor or 0) + rng.randint(1, 5)
    elif change == "subject":
        subject = (subject or 0) + rng.randint(1, 5)
    elif change == "kind":
        kind = "staff.logged_in" if kind != "staff.logged_in" else "enquiry.read"
    elif change == "time":
        at = at + timedelta(microseconds=rng.randint(1, 10**9))
    elif change == "detail":
        detail = {"record_type": "report"}
    else:
        h = f"{rng.getrandbits(256):064x}"
    out = list(rows)
    out[i] = (seq, prev, at, kind, akind, actor, stype, subject, detail, h)
    if change != "hash" and rng.random() < 0.5:
        # Recompute this and every later hash so that the chain itself looks whole.
        fixed = link(seq, prev, at, kind, actor or 0, subject or 0)
        out[i] = (*fixed[:8], detail, row_hash(
            seq=seq, prev_hash=prev, occurred_at=at, kind=kind, actor_kind=akind,
            actor_id=actor, subject_type=stype, subject_id=subject, detail=detail,
        ))  # fmt: skip
        prev_hash = out[i][9]
        for j in range(i + 1, len(out)):
            r = out[j]
            new_hash = row_hash(
                seq=r[0], prev_hash=prev_hash, occurred_at=r[2], kind=r[3], actor_kind=r[4],
                actor_id=r[5], subject_type=r[6], subject_id=r[7], detail=r[8],
            )  # fmt: skip
            out[j] = (r[0], prev_hash, *r[2:9], new_hash)
            prev_hash = new_hash
    return out


def remove(rows: list[ChainRow], rng: random.Random) -> list[ChainRow]:
    i = rng.randrange(len(rows))
    out = rows[:i] + rows[i + 1 :]
    return rechain(out, i) if rng.random() < 0.5 else out


def reorder(rows: list[ChainRow], rng: random.Random) -> list[ChainRow]:
    i, j = sorted(rng.sample(range(len(rows)), 2))
    out = list(rows)
    if rng.random() < 0.5:
        out[i], out[j] = out[j], out[i]  # rows moved as they are
        return out
    # Contents swapped, seq kept in place and every hash recomputed from i on.
    a, b = out[i], out[j]
    out[i] = (a[0], a[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], a[9])
    out[j] = (b[0], b[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], b[9])
    if out[i][2:9] == a[2:9]:
        out[i] = (*out[i][:5], (out[i][5] or 0) + 1, *out[i][6:])
    return rechain(out, i)


def truncate(rows: list[ChainRow], rng: random.Random) -> list[ChainRow]:
    return rows[: len(rows) - rng.randint(1, len(rows))]


@pytest.mark.parametrize("tamper", [alter, remove, reorder, truncate])
def test_a_thousand_random_tamperings_of_each_kind_are_all_detected(tamper) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(f"kintrace-{tamper.__name__}")
    rows = make_chain(rng)
    heads = signed_heads(rows)
    assert verify_rows(rows, heads).ok  # the untouched chain holds
    missed = []
    for trial in range(TRIALS):
        tampered = tamper(rows, rng)
        if tampered == rows:
            continue
        if verify_rows(tampered, heads).ok:
            missed.append(trial)
    assert missed == []


def write_events(store: Store, count: int) -> None:
    with store.sessions.begin() as session:
        for i in range(count):
            audit.record(session, EnquiryRead(actor_kind="enquirer", subject_id=i + 1))


def cli(data_dir: Path, database_url: str, *args: str):  # type: ignore[no-untyped-def]
    env = {"KINTRACE_DATABASE_URL": database_url}
    return runner.invoke(app, ["audit", *args, "--data-dir", str(data_dir)], env=env)


def test_cutting_events_from_the_tail_is_caught_by_the_checkpoint_file(
    store: Store, data_dir: Path, database_url: str
) -> None:
    write_events(store, 8)
    signed = cli(data_dir, database_url, "checkpoint")
    assert signed.exit_code == 0, signed.output
    assert [c.seq for c in read_checkpoint_file(checkpoint_file(data_dir))] == [8]
    assert (
        "holds: 8 events verified against 1 signed" in cli(data_dir, database_url, "verify").output
    )

    # The thief removes the newest events and the checkpoint rows that name them.
    with store.sessions.begin() as session:
        session.execute(sa.delete(AuditEvent).where(AuditEvent.seq > 5))
        session.execute(sa.delete(AuditCheckpoint))
    broken = cli(data_dir, database_url, "verify")
    assert broken.exit_code == 1
    assert "events 6 to 8 were removed" in broken.output


def test_a_chain_rewritten_with_fresh_hashes_does_not_match_its_signed_head(
    store: Store, data_dir: Path, database_url: str
) -> None:
    write_events(store, 4)
    assert cli(data_dir, database_url, "checkpoint").exit_code == 0
    with store.sessions.begin() as session:
        rows = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev = GENESIS_HASH
        for row in rows:
            row.actor_id = 99 if row.seq == 2 else row.actor_id
            row.prev_hash = prev
            row.hash = row_hash(
                seq=row.seq, prev_hash=prev, occurred_at=row.occurred_at, kind=row.kind,
                actor_kind=row.actor_kind, actor_id=row.actor_id,
                subject_type=row.subject_type, subject_id=row.subject_id, detail=row.detail,
            )  # fmt: skip
            prev = row.hash
    broken = cli(data_dir, database_url, "verify")
    assert broken.exit_code == 1 and "signed checkpoint" in broken.output


def test_a_forged_checkpoint_line_is_refused(
    store: Store, data_dir: Path, database_url: str
) -> None:
    write_events(store, 3)
    assert cli(data_dir, database_url, "checkpoint").exit_code == 0
    path = checkpoint_file(data_dir)
    forged = sign_head(Ed25519PrivateKey.generate(), 3, "f" * 64)
    path.write_text(path.read_text() + forged.line())
    broken = cli(data_dir, database_url, "verify")
    assert broken.exit_code == 1 and "not signed by this instance" in broken.output


def test_a_checkpoint_is_signed_automatically_every_n_events(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain, "CHECKPOINT_EVERY", 5)
    write_events(store, 12)
    lines = read_checkpoint_file(checkpoint_file(data_dir))
    # One transaction crossed 5 and 10: one checkpoint, of the head it committed.
    assert [c.seq for c in lines] == [12]
    write_events(store, 3)
    assert [c.seq for c in read_checkpoint_file(checkpoint_file(data_dir))] == [12, 15]


def test_a_savepoint_released_past_n_events_waits_for_the_outer_commit_to_checkpoint(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit stores each family's enquiry in a savepoint of one shared transaction:
    releasing the savepoint is not the commit, and a checkpoint taken then would wait for the
    lock that very transaction holds (30 s on SQLite) and fail, leaving no checkpoint at all."""
    monkeypatch.setattr(chain, "CHECKPOINT_EVERY", 5)
    with store.sessions.begin() as session:
        for i in range(6):
            with session.begin_nested():
                audit.record(session, EnquiryRead(actor_kind="enquirer", subject_id=i + 1))
        assert read_checkpoint_file(checkpoint_file(data_dir)) == []
    assert [c.seq for c in read_checkpoint_file(checkpoint_file(data_dir))] == [6]


def test_who_viewed_lists_the_reads_of_one_case_newest_first(store: Store) -> None:
    with store.sessions.begin() as session:
        audit.record(
            session, RecordViewed(actor_kind="staff", actor_id=1, subject_id=7, record_type="case")
        )
        audit.record(
            session, RecordViewed(actor_kind="staff", actor_id=2, subject_id=8, record_type="case")
        )
        audit.record(session, StaffLoggedIn(actor_kind="staff", actor_id=3, subject_id=3))
        audit.record(
            session, RecordViewed(actor_kind="staff", actor_id=3, subject_id=7, record_type="case")
        )
    with store.sessions() as session:
        seen = audit.who_viewed(session, "case", 7)
    assert [(v.actor_kind, v.actor_id) for v in seen] == [("staff", 3), ("staff", 1)]
    assert all(v.kind == "record.viewed" for v in seen)
