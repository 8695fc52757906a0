"""stats: claimed totals (public claims shown beside verified counts)

Revision ID: 0007_claimed_totals
Revises: 0006_forensic
Create Date: 2026-11-27 12:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0007_claimed_totals"
down_revision: str | None = "0006_forensic"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claimed_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claimant", sa.String(length=200), nullable=False),
        sa.Column("claimed_on", sa.Date(), nullable=False),
        sa.Column("figure", sa.BigInteger(), nullable=False),
        sa.Column("fate", sa.String(length=32), nullable=False),
        sa.Column("counts", sa.String(length=500), nullable=False),
        sa.Column("statement_url", sa.String(length=1000), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_claimed_total_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claimed_total")),
    )
    op.create_index(
        op.f("ix_claimed_total_claimed_on"), "claimed_total", ["claimed_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_claimed_total_claimed_on"), table_name="claimed_total")
    op.drop_table("claimed_total")
