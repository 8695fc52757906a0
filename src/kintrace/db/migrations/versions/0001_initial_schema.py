"""Initial schema: every record of DESIGN.md

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 10:02:53.240284
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kintrace.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_type", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_event_seq")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_kind"), ["kind"], unique=False)
        batch_op.create_index(
            "ix_audit_event_subject", ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("sealed_response", sa.LargeBinary(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_record_scope_key"),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "match_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "running",
                "done",
                "failed",
                name="jobstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("started_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_job")),
    )
    with op.batch_alter_table("match_job", schema=None) as batch_op:
        batch_op.create_index("ix_match_job_state_id", ["state", "id"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "tracing_agency",
                "information_bureau",
                "ngo",
                "hospital",
                "other",
                name="organisationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("code", name=op.f("uq_organisation_code")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "fate",
            sa.Enum(
                "unknown",
                "alive_free",
                "captured",
                "in_hospital",
                "dead",
                "remains_located",
                "released",
                "repatriated",
                name="fate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("fate_derived_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("wish_inform_whom", sa.Text(), nullable=True),
        sa.Column("wish_refuses_contact", sa.Boolean(), nullable=True),
        sa.Column("wish_refuses_repatriation", sa.Boolean(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["person.id"], name=op.f("fk_person_merged_into_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_merged_into_id"), ["merged_into_id"], unique=False
        )

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "bureau_list",
                "capture_card",
                "hospital",
                "morgue",
                "ngo",
                "media",
                "person",
                "other",
                name="sourcekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "reliability",
            sa.Enum("A", "B", "C", "D", "E", "F", name="reliability", native_enum=False),
            nullable=False,
        ),
        sa.Column(
            "default_credibility",
            sa.Enum("1", "2", "3", "4", "5", "6", name="credibility", native_enum=False),
            nullable=False,
        ),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_source_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("name", name=op.f("uq_source_name")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_source_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "enquirer",
                "hotline_operator",
                "source_officer",
                "caseworker",
                "supervisor",
                "forensic_specialist",
                "analyst",
                "admin",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_user_account_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_user_account_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_account_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "awaiting_verification",
                "awaiting_approval",
                "answered",
                "follow_up",
                "closed",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("due_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"],
            ["user_account.id"],
            name=op.f("fk_case_file_assigned_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_case_file_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_case_file_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_file_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column(
            "report_type",
            sa.Enum(
                "captured",
                "interned",
                "transferred",
                "wounded",
                "hospitalised",
                "escaped",
                "dead",
                "remains_located",
                "released",
                "repatriated",
                "seen",
                "missing",
                name="reporttype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("event_date", sa.String(length=10), nullable=True),
        sa.Column(
            "credibility",
            sa.Enum("1", "2", "3", "4", "5", "6", name="credibility", native_enum=False),
            nullable=False,
        ),
        sa.Column("source_document_ref", sa.String(length=200), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("import_batch_ref", sa.String(length=100), nullable=True),
        sa.Column("full_name", sa.String(length=400), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=True),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("patronymic", sa.String(length=200), nullable=True),
        sa.Column("mother_maiden_name", sa.String(length=200), nullable=True),
        sa.Column("sex", sa.Enum("M", "F", name="sex", native_enum=False), nullable=True),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("birth_place", sa.String(length=300), nullable=True),
        sa.Column("rank", sa.String(length=100), nullable=True),
        sa.Column("service_number", sa.String(length=100), nullable=True),
        sa.Column("military_unit", sa.String(length=200), nullable=True),
        sa.Column("capture_date", sa.String(length=10), nullable=True),
        sa.Column("capture_place", sa.String(length=300), nullable=True),
        sa.Column("health_state", sa.Text(), nullable=True),
        sa.Column("internment_place", sa.String(length=300), nullable=True),
        sa.Column("person_to_inform", sa.Text(), nullable=True),
        sa.Column("consents_family_informed", sa.Boolean(), nullable=True),
        sa.Column("party", sa.String(length=50), nullable=True),
        sa.Column("detaining_power", sa.String(length=50), nullable=True),
        sa.Column("country_held", sa.String(length=50), nullable=True),
        sa.Column("death_certificate_ref", sa.String(length=200), nullable=True),
        sa.Column("grave_location", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_report_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_report_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_report_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("source_id", "external_id", name=op.f("uq_report_source_id")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_import_batch_ref"), ["import_batch_ref"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_report_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_source_id"), ["source_id"], unique=False)

    op.create_table(
        "enquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("secret_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "received",
                "in_progress",
                "answered",
                "closed",
                "withdrawn",
                name="enquirystate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("web", "api", "hotline", name="channel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "language",
            sa.Enum("uk", "ru", "en", name="language", native_enum=False),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_given_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("consent_version", sa.String(length=32), nullable=False),
        sa.Column("updated_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("sought_full_name", sa.String(length=400), nullable=True),
        sa.Column("sought_family_name", sa.String(length=200), nullable=True),
        sa.Column("sought_given_name", sa.String(length=200), nullable=True),
        sa.Column("sought_patronymic", sa.String(length=200), nullable=True),
        sa.Column("sought_sex", sa.Enum("M", "F", name="sex", native_enum=False), nullable=True),
        sa.Column("sought_birth_date", sa.String(length=10), nullable=True),
        sa.Column("sought_birth_place", sa.String(length=300), nullable=True),
        sa.Column("sought_is_military", sa.Boolean(), nullable=False),
        sa.Column("sought_military_unit", sa.String(length=200), nullable=True),
        sa.Column("sought_service_number", sa.String(length=100), nullable=True),
        sa.Column("sought_rank", sa.String(length=100), nullable=True),
        sa.Column("sought_party", sa.String(length=50), nullable=True),
        sa.Column("last_known_place", sa.String(length=300), nullable=True),
        sa.Column("last_known_date", sa.String(length=10), nullable=True),
        sa.Column("circumstances", sa.Text(), nullable=True),
        sa.Column("enquirer_name", sa.String(length=400), nullable=False),
        sa.Column("enquirer_relationship", sa.String(length=100), nullable=False),
        sa.Column("enquirer_email", sa.String(length=254), nullable=True),
        sa.Column("enquirer_phone", sa.String(length=40), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_enquiry_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_enquiry_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_enquiry_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry")),
        sa.UniqueConstraint("reference", name=op.f("uq_enquiry_reference")),
    )
    with op.batch_alter_table("enquiry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enquiry_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enquiry_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enquiry_state"), ["state"], unique=False)

    op.create_table(
        "disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("content_kind", sa.String(length=50), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("disclosed_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_disclosure_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_disclosure_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_disclosure_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["enquiry_id"], ["enquiry.id"], name=op.f("fk_disclosure_enquiry_id_enquiry")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_disclosure_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure")),
    )
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_case_id"), ["case_id"], unique=False)

    op.create_table(
        "match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("other_report_id", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Double(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("supporting_pairs", sa.JSON(), nullable=False),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enquiry_id"], ["enquiry.id"], name=op.f("fk_match_enquiry_id_enquiry")
        ),
        sa.ForeignKeyConstraint(
            ["other_report_id"], ["report.id"], name=op.f("fk_match_other_report_id_report")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_match_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_match_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match")),
    )
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_enquiry_id"), ["enquiry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_report_id"), ["report_id"], unique=False)

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=True),
        sa.Column(
            "direction",
            sa.Enum(
                "to_family",
                "from_family",
                "to_person",
                "from_person",
                "internal",
                name="messagedirection",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("relayed_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["user_account.id"],
            name=op.f("fk_message_author_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_message_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["enquiry_id"], ["enquiry.id"], name=op.f("fk_message_enquiry_id_enquiry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_case_id"), ["case_id"], unique=False)

    op.create_table(
        "match_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column(
            "judgement",
            sa.Enum(
                "positive",
                "negative",
                "unsure",
                name="matchjudgement",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", kintrace.db.types.UTCDateTime(), nullable=False),
        sa.Column("retracted_at", kintrace.db.types.UTCDateTime(), nullable=True),
        sa.Column("retracted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["match_id"], ["match.id"], name=op.f("fk_match_decision_match_id_match")
        ),
        sa.ForeignKeyConstraint(
            ["retracted_by_id"],
            ["user_account.id"],
            name=op.f("fk_match_decision_retracted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_match_decision_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_decision")),
    )
    with op.batch_alter_table("match_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_decision_match_id"), ["match_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_decision_match_id"))

    op.drop_table("match_decision")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_case_id"))

    op.drop_table("message")
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_report_id"))
        batch_op.drop_index(batch_op.f("ix_match_person_id"))
        batch_op.drop_index(batch_op.f("ix_match_enquiry_id"))

    op.drop_table("match")
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_case_id"))

    op.drop_table("disclosure")
    with op.batch_alter_table("enquiry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enquiry_state"))
        batch_op.drop_index(batch_op.f("ix_enquiry_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_enquiry_case_id"))

    op.drop_table("enquiry")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_source_id"))
        batch_op.drop_index(batch_op.f("ix_report_person_id"))
        batch_op.drop_index(batch_op.f("ix_report_import_batch_ref"))

    op.drop_table("report")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_organisation_id"))

    op.drop_table("case_file")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_organisation_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_organisation_id"))

    op.drop_table("source")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_merged_into_id"))

    op.drop_table("person")
    op.drop_table("organisation")
    with op.batch_alter_table("match_job", schema=None) as batch_op:
        batch_op.drop_index("ix_match_job_state_id")

    op.drop_table("match_job")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_expires_at"))

    op.drop_table("idempotency_record")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_subject")
        batch_op.drop_index(batch_op.f("ix_audit_event_kind"))

    op.drop_table("audit_event")
