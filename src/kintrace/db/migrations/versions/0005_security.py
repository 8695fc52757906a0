"""security: throttling attempts and staff session generations

Revision ID: 0005_security
Revises: 0004_privacy
Create Date: 2026-11-27 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0005_security"
down_revision: str | None = "0004_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "throttle_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_hit")),
    )
    op.create_index("ix_throttle_hit_bucket_at", "throttle_hit", ["bucket", "at"], unique=False)
    op.create_table(
        "staff_session_generation",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_staff_session_generation_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_session_generation")),
    )


def downgrade() -> None:
    op.drop_table("staff_session_generation")
    op.drop_index("ix_throttle_hit_bucket_at", table_name="throttle_hit")
    op.drop_table("throttle_hit")
