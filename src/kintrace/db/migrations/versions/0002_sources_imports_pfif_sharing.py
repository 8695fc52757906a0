"""Source side: import batches + quarantine, trusted field-team keys, PFIF records, data-sharing agreements and transfers

Revision ID: 0002_sources
Revises: 0001
Create Date: 2026-11-27 10:26:20.846823
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0002_sources"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trusted_batch_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("public_key_hex", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_batch_key")),
        sa.UniqueConstraint("name", name=op.f("uq_trusted_batch_key_name")),
        sa.UniqueConstraint("public_key_hex", name=op.f("uq_trusted_batch_key_public_key_hex")),
    )
    op.create_table(
        "data_sharing_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("field_groups", sa.JSON(), nullable=False),
        sa.Column("report_types", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("valid_from", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("valid_until", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_data_sharing_agreement_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_data_sharing_agreement_partner_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_sharing_agreement")),
    )
    with op.batch_alter_table("data_sharing_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_sharing_agreement_partner_organisation_id"),
            ["partner_organisation_id"],
            unique=False,
        )

    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("reports_created", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("first_report_id", sa.Integer(), nullable=True),
        sa.Column("last_report_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_key_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_import_batch_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_key_id"],
            ["trusted_batch_key.id"],
            name=op.f("fk_import_batch_signed_by_key_id_trusted_batch_key"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_import_batch_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
        sa.UniqueConstraint("file_sha256", name=op.f("uq_import_batch_file_sha256")),
        sa.UniqueConstraint("ref", name=op.f("uq_import_batch_ref")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_source_id"), ["source_id"], unique=False)

    op.create_table(
        "data_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("partner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("field_groups", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["data_sharing_agreement.id"],
            name=op.f("fk_data_transfer_agreement_id_data_sharing_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_data_transfer_partner_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_data_transfer_requested_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_transfer")),
    )
    with op.batch_alter_table("data_transfer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_transfer_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "pfif_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("record_id", sa.String(length=500), nullable=False),
        sa.Column("person_record_id", sa.String(length=500), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("fields", kintrace.db.types.EncryptedJSON(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_pfif_record_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_pfif_record_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pfif_record")),
        sa.UniqueConstraint("kind", "record_id", name="uq_pfif_record_kind_id"),
    )
    with op.batch_alter_table("pfif_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pfif_record_person_record_id"), ["person_record_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pfif_record_report_id"), ["report_id"], unique=False)

    op.create_table(
        "quarantined_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("cells", kintrace.db.types.EncryptedJSON(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_quarantined_row_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_row")),
    )
    with op.batch_alter_table("quarantined_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantined_row_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantined_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantined_row_batch_id"))

    op.drop_table("quarantined_row")
    with op.batch_alter_table("pfif_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pfif_record_report_id"))
        batch_op.drop_index(batch_op.f("ix_pfif_record_person_record_id"))

    op.drop_table("pfif_record")
    with op.batch_alter_table("data_transfer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_transfer_agreement_id"))

    op.drop_table("data_transfer")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_source_id"))

    op.drop_table("import_batch")
    with op.batch_alter_table("data_sharing_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_sharing_agreement_partner_organisation_id"))

    op.drop_table("data_sharing_agreement")
    op.drop_table("trusted_batch_key")
