"""attachments: documents attached to a case (scanned replies); what a forensic photo shows
and who added it

Revision ID: 0010_attachments
Revises: 0009_totp_replay
Create Date: 2026-11-27 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0010_attachments"
down_revision: str | None = "0009_totp_replay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", kintrace.db.types.EncryptedBytes(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_attachment_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["user_account.id"],
            name=op.f("fk_case_attachment_uploaded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachment")),
    )
    with op.batch_alter_table("case_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_attachment_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("forensic_photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("uploaded_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_forensic_photo_uploaded_by_user_account"),
            "user_account",
            ["uploaded_by"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("forensic_photo", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_forensic_photo_uploaded_by_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("uploaded_by")
        batch_op.drop_column("subject")
    with op.batch_alter_table("case_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_attachment_case_id"))
    op.drop_table("case_attachment")
