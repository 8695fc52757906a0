"""persons: the membership history of reports in persons (merge and unmerge keep it)

Revision ID: 0008_person_membership
Revises: 0007_claimed_totals
Create Date: 2026-11-27 12:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0008_person_membership"
down_revision: str | None = "0007_claimed_totals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("valid_to", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("probability", sa.Double(), nullable=True),
        sa.Column("from_person_id", sa.Integer(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_membership_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_person_membership_report_id_report")
        ),
        sa.ForeignKeyConstraint(
            ["from_person_id"],
            ["person.id"],
            name=op.f("fk_person_membership_from_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user_account.id"], name=op.f("fk_person_membership_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_membership")),
    )
    op.create_index(
        op.f("ix_person_membership_person_id"), "person_membership", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_person_membership_report_id"), "person_membership", ["report_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_person_membership_report_id"), table_name="person_membership")
    op.drop_index(op.f("ix_person_membership_person_id"), table_name="person_membership")
    op.drop_table("person_membership")
