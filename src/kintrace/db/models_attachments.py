"""Documents attached to a case (issue 5 item 7): a scanned reply from a detaining authority, a
letter, a page of a register. Kept sealed and opened by the case's own caseworkers only, each
opening audited. The bytes are an image already re-encoded by ``kintrace.intake.attachments``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kintrace.db.models import Base
from kintrace.db.types import EncryptedBytes, EncryptedText, utcnow


class CaseAttachment(Base):
    __tablename__ = "case_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    # reply (an authority's answer), letter (from the family or the person), document (other).
    kind: Mapped[str] = mapped_column(sa.String(16))
    # Who wrote it and what it says, in the caseworker's words: personal data, sealed.
    description: Mapped[str | None] = mapped_column(EncryptedText())
    content_type: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[bytes] = mapped_column(EncryptedBytes())
    uploaded_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
