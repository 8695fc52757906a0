"""What an administrator does to another staff account (issue 6 item 2): remove a lost
authenticator so the person enrols a new one, and disable or enable the account.

Both end every session the account has, so a stolen phone or a departed colleague's open
browser stops working at once. Each change is audited in the caller's transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import StaffAccountActivated, StaffTotpReset
from kintrace.db.models import User
from kintrace.db.models_security import StaffSessionGeneration, StaffTotpStep


def end_every_session(session: Session, user_id: int) -> None:
    """Raise the account's session generation: every cookie issued so far stops working."""
    row = session.get(StaffSessionGeneration, user_id)
    if row is None:
        session.add(StaffSessionGeneration(user_id=user_id, generation=1))
    else:
        row.generation += 1


def reset_totp(session: Session, user: User, actor_id: int | None = None) -> None:
    """Forget the account's authenticator; its next sign-in asks for a new one (QR code)."""
    user.totp_secret = None
    session.execute(sa.delete(StaffTotpStep).where(StaffTotpStep.user_id == user.id))
    end_every_session(session, user.id)
    actor_kind = "system" if actor_id is None else "staff"
    audit.record(
        session, StaffTotpReset(actor_kind=actor_kind, actor_id=actor_id, subject_id=user.id)
    )


def set_active(session: Session, user: User, active: bool, actor_id: int | None = None) -> None:
    """Disable (every session ends; sign-in is refused) or enable an account."""
    user.is_active = active
    if not active:
        end_every_session(session, user.id)
    actor_kind = "system" if actor_id is None else "staff"
    audit.record(
        session,
        StaffAccountActivated(
            actor_kind=actor_kind, actor_id=actor_id, subject_id=user.id, active=active
        ),
    )
