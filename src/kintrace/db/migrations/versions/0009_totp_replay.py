"""security: remember each staff member's last accepted TOTP step so a code works only once

Revision ID: 0009_totp_replay
Revises: 0008_person_membership
Create Date: 2026-11-27 12:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_totp_replay"
down_revision: str | None = "0008_person_membership"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_totp_step",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("staff_totp_step")
