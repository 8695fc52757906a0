"""forensic: death evidence, unidentified remains, ante-mortem data, identifications, returns

Revision ID: 0006_forensic
Revises: 0005_security
Create Date: 2026-11-27 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0006_forensic"
down_revision: str | None = "0005_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ante_mortem",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("descriptors", kintrace.db.types.EncryptedJSON(), nullable=False),
        sa.Column("reference_sample_given", sa.Boolean(), nullable=False),
        sa.Column("reference_sample_where", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_ante_mortem_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["user_account.id"],
            name=op.f("fk_ante_mortem_recorded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_ante_mortem")),
    )
    op.create_table(
        "death_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("certificate", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("place", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("date", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("grave", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("remains_recovered", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("lab_reference", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_death_evidence_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_death_evidence")),
    )
    op.create_index(
        op.f("ix_death_evidence_report_id"), "death_evidence", ["report_id"], unique=False
    )
    op.create_table(
        "unidentified_remains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_org", kintrace.db.types.EncryptedText(), nullable=False),
        sa.Column("place", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("date_found", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("descriptors", kintrace.db.types.EncryptedJSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("identified_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_unidentified_remains_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["identified_case_id"],
            ["case_file.id"],
            name=op.f("fk_unidentified_remains_identified_case_id_case_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unidentified_remains")),
    )
    op.create_table(
        "forensic_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remains_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", kintrace.db.types.EncryptedBytes(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_forensic_photo_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["remains_id"],
            ["unidentified_remains.id"],
            name=op.f("fk_forensic_photo_remains_id_unidentified_remains"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forensic_photo")),
    )
    op.create_index(op.f("ix_forensic_photo_case_id"), "forensic_photo", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_forensic_photo_remains_id"), "forensic_photo", ["remains_id"], unique=False
    )
    op.create_table(
        "identification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remains_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("lab_reference", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("proposed_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["user_account.id"],
            name=op.f("fk_identification_approved_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_identification_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"],
            ["user_account.id"],
            name=op.f("fk_identification_proposed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["remains_id"],
            ["unidentified_remains.id"],
            name=op.f("fk_identification_remains_id_unidentified_remains"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identification")),
    )
    op.create_index(op.f("ix_identification_case_id"), "identification", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_identification_remains_id"), "identification", ["remains_id"], unique=False
    )
    op.create_table(
        "remains_return",
        sa.Column("identification_id", sa.Integer(), nullable=False),
        sa.Column("from_whom", kintrace.db.types.EncryptedText(), nullable=False),
        sa.Column("to_whom", kintrace.db.types.EncryptedText(), nullable=False),
        sa.Column("place", kintrace.db.types.EncryptedText(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("documents", kintrace.db.types.EncryptedText(), nullable=True),
        sa.Column("certificate_issued_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("planned_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identification_id"],
            ["identification.id"],
            name=op.f("fk_remains_return_identification_id_identification"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_by"],
            ["user_account.id"],
            name=op.f("fk_remains_return_planned_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("identification_id", name=op.f("pk_remains_return")),
    )


def downgrade() -> None:
    op.drop_table("remains_return")
    op.drop_index(op.f("ix_identification_remains_id"), table_name="identification")
    op.drop_index(op.f("ix_identification_case_id"), table_name="identification")
    op.drop_table("identification")
    op.drop_index(op.f("ix_forensic_photo_remains_id"), table_name="forensic_photo")
    op.drop_index(op.f("ix_forensic_photo_case_id"), table_name="forensic_photo")
    op.drop_table("forensic_photo")
    op.drop_table("unidentified_remains")
    op.drop_index(op.f("ix_death_evidence_report_id"), table_name="death_evidence")
    op.drop_table("death_evidence")
    op.drop_table("ante_mortem")
