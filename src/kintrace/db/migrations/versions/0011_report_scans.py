"""report scans: photos and scans of capture cards, EXIF stripped and sealed (issue 4 item 1)

Revision ID: 0011_report_scans
Revises: 0010_attachments
Create Date: 2026-11-27 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0011_report_scans"
down_revision: str | None = "0010_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", kintrace.db.types.EncryptedBytes(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_scan_report_id_report")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_report_scan_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_scan")),
    )
    with op.batch_alter_table("report_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_scan_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_scan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_scan_report_id"))
    op.drop_table("report_scan")
