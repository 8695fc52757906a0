"""Which reports make up which person, over time (issue 4 item 4).

A report's current person is ``report.person_id``; this table keeps every membership it ever
had, so a merge or an unmerge never loses where a report was, when, why and by whom.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kintrace.db.models import Base
from kintrace.db.types import utcnow


class PersonMembership(Base):
    """One report in one person from ``valid_from`` until ``valid_to`` (open: still there)."""

    __tablename__ = "person_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_to: Mapped[datetime | None]
    # "engine" (clustered above the threshold), "new" (a person of its own), "merge", "unmerge".
    reason: Mapped[str] = mapped_column(sa.String(16))
    probability: Mapped[float | None]
    # For a merge: the person the report came from, so the merge can be undone exactly.
    from_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
