"""privacy: personal columns hold ciphertext (text); signed audit checkpoints; disposal tombstones

Revision ID: 0004_privacy
Revises: 0003_casework
Create Date: 2026-11-27 10:30:00

Values already stored stay readable (a value without the "kt1:" marker is read as legacy
plaintext); `kintrace keys rotate --data-dir DIR` seals them. The downgrade restores the column
types only: run it on a database whose sealed values fit the old lengths (PostgreSQL refuses
otherwise), i.e. in practice on an empty or freshly upgraded database.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0004_privacy"
down_revision: str | None = "0003_casework"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns whose type changes to Text (ciphertext is longer than the plaintext was).
_SEALED: dict[str, dict[str, sa.types.TypeEngine]] = {
    "report": {
        "full_name": sa.String(400),
        "family_name": sa.String(200),
        "given_name": sa.String(200),
        "patronymic": sa.String(200),
        "mother_maiden_name": sa.String(200),
        "birth_date": sa.String(10),
        "birth_place": sa.String(300),
        "service_number": sa.String(100),
        "capture_place": sa.String(300),
        "internment_place": sa.String(300),
        "death_certificate_ref": sa.String(200),
        "grave_location": sa.String(300),
    },
    "enquiry": {
        "sought_full_name": sa.String(400),
        "sought_family_name": sa.String(200),
        "sought_given_name": sa.String(200),
        "sought_patronymic": sa.String(200),
        "sought_birth_date": sa.String(10),
        "sought_birth_place": sa.String(300),
        "sought_service_number": sa.String(100),
        "last_known_place": sa.String(300),
        "enquirer_name": sa.String(400),
        "enquirer_relationship": sa.String(100),
        "enquirer_email": sa.String(254),
        "enquirer_phone": sa.String(40),
    },
    "disclosure": {"recipient": sa.String(200)},
    "match": {"explanation": sa.JSON()},
}


def upgrade() -> None:
    for table, columns in _SEALED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, old in columns.items():
                using = f"{name}::text" if isinstance(old, sa.JSON) else None
                batch_op.alter_column(
                    name, existing_type=old, type_=sa.Text(), postgresql_using=using
                )

    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_checkpoint_seq")),
    )
    op.create_table(
        "disposal_tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_ref", sa.String(length=32), nullable=True),
        sa.Column("record_created_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("disposed_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("shredded_key_id", sa.String(length=64), nullable=True),
        sa.Column("disposed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["disposed_by_id"],
            ["user_account.id"],
            name=op.f("fk_disposal_tombstone_disposed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_tombstone")),
    )
    with op.batch_alter_table("disposal_tombstone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disposal_tombstone_record_kind"), ["record_kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("disposal_tombstone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disposal_tombstone_record_kind"))
    op.drop_table("disposal_tombstone")
    op.drop_table("audit_checkpoint")
    for table, columns in _SEALED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, old in columns.items():
                using = f"{name}::json" if isinstance(old, sa.JSON) else None
                batch_op.alter_column(
                    name, existing_type=sa.Text(), type_=old, postgresql_using=using
                )
