"""Tables of staff and enquirer access control (issue 6 items 2 and 3): attempts counted for
throttling, and each staff member's session generation for "sign out everywhere".

Kept in the database, not in process memory, so several web workers share one count.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kintrace.db.models import Base
from kintrace.db.types import utcnow


class ThrottleHit(Base):
    """One attempt (a sign-in, a reference lookup) in a throttling bucket.

    ``bucket`` is a keyed hash of what is counted ("login-account:<e-mail>", "addr:<ip>"), so
    neither an address nor an e-mail is stored; rows older than the window are deleted.
    """

    __tablename__ = "throttle_hit"
    __table_args__ = (sa.Index("ix_throttle_hit_bucket_at", "bucket", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffSessionGeneration(Base):
    """A staff member's session generation: a session cookie is valid only while it carries the
    current number, so raising it signs the person out on every device at once."""

    __tablename__ = "staff_session_generation"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)


class StaffTotpStep(Base):
    """The last 30-second step whose code signed this staff member in.

    RFC 6238 section 5.2: a code that has been accepted once must not be accepted again, or a
    code read over someone's shoulder (or from a proxy log) would open a second session.
    """

    __tablename__ = "staff_totp_step"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    last_step: Mapped[int] = mapped_column(sa.BigInteger)
