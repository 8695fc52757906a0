"""Tables of figures (issue 8): public claims of totals, recorded by analysts.

A claim is what a government, an army or an organisation said in public ("about 6,000
killed"). It is not personal data and not evidence about anyone: it is shown beside the
verified counts, labelled with who said it, and never reconciled with them.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kintrace.db.models import Base
from kintrace.db.types import utcnow


class ClaimedTotal(Base):
    """One public claim: who claimed, on which day, what figure, what it counts, where said."""

    __tablename__ = "claimed_total"

    id: Mapped[int] = mapped_column(primary_key=True)
    claimant: Mapped[str] = mapped_column(sa.String(200))
    claimed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    figure: Mapped[int] = mapped_column(sa.BigInteger)
    # One of kintrace.stats.figures.FATES, so the claim sits on the same chart as that count.
    fate: Mapped[str] = mapped_column(sa.String(32))
    counts: Mapped[str] = mapped_column(sa.String(500))  # what the claimant said it counts
    statement_url: Mapped[str] = mapped_column(sa.String(1000))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
