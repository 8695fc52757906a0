"""lean intake indexes: two index entries fewer per received enquiry (issue 7 item 1)

Every enquiry received writes a row to `enquiry` and one to `audit_event`, and each index on
them is one more entry to write (on PostgreSQL, server CPU inside the surge's transactions).
- `ix_enquiry_case_id` only ever answers "the enquiries of these cases" (= or IN on a case
  id); a new enquiry has no case, so the index keeps only rows that have one.
- `ix_audit_event_kind` answered no query: events are read by subject (ix_audit_event_subject)
  or in chain order (seq), and the only condition on the kind is a suffix, which a b-tree
  index cannot serve.

Revision ID: 0012_lean_intake_indexes
Revises: 0011_report_scans
Create Date: 2026-11-28 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_lean_intake_indexes"
down_revision: str | None = "0011_report_scans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HAS_CASE = sa.text("case_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_enquiry_case_id", table_name="enquiry")
    op.create_index(
        "ix_enquiry_case_id",
        "enquiry",
        ["case_id"],
        unique=False,
        postgresql_where=_HAS_CASE,
        sqlite_where=_HAS_CASE,
    )
    op.drop_index("ix_audit_event_kind", table_name="audit_event")


def downgrade() -> None:
    op.create_index("ix_audit_event_kind", "audit_event", ["kind"], unique=False)
    op.drop_index("ix_enquiry_case_id", table_name="enquiry")
    op.create_index("ix_enquiry_case_id", "enquiry", ["case_id"], unique=False)
