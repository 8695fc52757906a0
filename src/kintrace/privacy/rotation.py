"""Key rotation: move every sealed value to the current master key, then retire old keys.

Works on raw column values (no ORM, no decryption of values already under the current key):
a value under an old master key is opened and sealed again; a legacy plaintext value (stored
before migration 0004) is sealed for the first time, with its record's data key where it has
one; values under a data key stay as they are — only that key's wrapping is renewed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kintrace.db.models import Base
from kintrace.db.models_privacy import SUBJECT_KEY
from kintrace.db.types import EncryptedBytes, EncryptedJSON, EncryptedText
from kintrace.keys import CIPHER_PREFIX, KeyRing, is_subject_key, key_id_of

Progress = Callable[[str, int, int], None]
_BATCH = 1000


@dataclass(frozen=True)
class SealedTable:
    """One table with sealed columns, and how to find a row's data key (if any)."""

    name: str
    columns: tuple[str, ...]
    subject_key: Callable[[Any], str | None] | None
    extra: tuple[str, ...]
    # The single primary-key column, walked in order; not always "id" (ante_mortem is keyed by
    # its case).
    pk: str = "id"


def sealed_tables() -> list[SealedTable]:
    """Every mapped table with sealed columns (column names, not attribute names)."""
    out = []
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.local_table.name):
        table = mapper.local_table
        cols = tuple(
            c.name
            for c in table.columns
            if isinstance(c.type, EncryptedText | EncryptedBytes | EncryptedJSON)
        )
        if not cols:
            continue
        owner = SUBJECT_KEY.get(mapper.class_)
        extra = tuple(c for c in ("reference", "case_id") if c in table.columns)
        (pk,) = table.primary_key.columns
        out.append(SealedTable(table.name, cols, owner, extra if owner else (), pk.name))
    return out


def _raw(table: SealedTable) -> sa.TableClause:
    names = dict.fromkeys((table.pk, *table.extra, *table.columns))
    return sa.table(table.name, *(sa.column(c) for c in names))


def _batches(engine: Engine, table: SealedTable) -> Iterator[list[Any]]:
    raw = _raw(table)
    pk = raw.c[table.pk]
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(*raw.columns).where(pk > last).order_by(pk).limit(_BATCH)
            ).all()
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], table.pk)


@dataclass
class ReencryptResult:
    resealed: int = 0
    sealed_legacy: int = 0
    rewrapped_data_keys: int = 0
    per_table: dict[str, int] = field(default_factory=dict)


def reencrypt(engine: Engine, ring: KeyRing, progress: Progress | None = None) -> ReencryptResult:
    """Move everything to the current master key (data keys: rewrapped). Commits per batch."""
    step = progress or (lambda _label, _done, _total: None)
    result = ReencryptResult()
    current = ring.current_id
    subject_ids = ring.subject_key_ids()
    for done, key_id in enumerate(subject_ids, start=1):
        if ring.rewrap_subject_key(key_id):
            result.rewrapped_data_keys += 1
        step("data keys", done, len(subject_ids))
    for table in sealed_tables():
        raw = _raw(table)
        with engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(raw)).scalar_one()
        done = changed_in_table = 0
        for rows in _batches(engine, table):
            updates = []
            for row in rows:
                values = {}
                owner = table.subject_key(row) if table.subject_key else None
                for col in table.columns:
                    value = getattr(row, col)
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("ascii")
                    key_id = key_id_of(value)
                    if key_id is None:
                        if owner:
                            ring.ensure_subject_key(owner)
                        values[col] = ring.seal(value.encode("utf-8"), owner or current)
                        result.sealed_legacy += 1
                    elif key_id != current and not is_subject_key(key_id):
                        values[col] = ring.seal(ring.open(value), current)
                        result.resealed += 1
                if values:
                    updates.append((getattr(row, table.pk), values))
            if updates:
                with engine.begin() as conn:
                    for row_id, values in updates:
                        conn.execute(
                            sa.update(raw).where(raw.c[table.pk] == row_id).values(**values)
                        )
                changed_in_table += len(updates)
            done += len(rows)
            step(table.name, done, total)
        result.per_table[table.name] = changed_in_table
    return result


def key_usage(engine: Engine, ring: KeyRing) -> dict[str, int]:
    """How many stored values (and wrapped data keys) each master key still seals; the key
    "plaintext" counts legacy values not sealed yet."""
    usage = {key_id: 0 for key_id in ring.master_ids()}
    usage["plaintext"] = 0
    with engine.connect() as conn:
        for table in sealed_tables():
            raw = _raw(table)
            for col in table.columns:
                column = sa.cast(raw.c[col], sa.Text)
                for key_id in ring.master_ids():
                    usage[key_id] += conn.execute(
                        sa.select(sa.func.count())
                        .select_from(raw)
                        .where(column.like(f"{CIPHER_PREFIX}{key_id}:%"))
                    ).scalar_one()
                usage["plaintext"] += conn.execute(
                    sa.select(sa.func.count())
                    .select_from(raw)
                    .where(column.is_not(None), sa.not_(column.like(f"{CIPHER_PREFIX}%")))
                ).scalar_one()
    for key_id in ring.subject_key_ids():
        path = ring.subject_dir / f"{key_id}.key"
        wrapped_by = key_id_of(path.read_text("ascii").strip())
        if wrapped_by in usage:
            usage[wrapped_by] += 1
    return usage
