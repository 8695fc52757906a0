"""Claimed totals: what someone said in public, kept beside the verified counts, never merged.

The software records the claim and shows the gap; it does not say who is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace.db.models_stats import ClaimedTotal
from kintrace.stats.figures import FATES


@dataclass(frozen=True, slots=True)
class ClaimIn:
    claimant: str
    claimed_on: date
    figure: int
    fate: str
    counts: str
    statement_url: str

    def problems(self) -> list[str]:
        """Sentences saying what is wrong with the claim as entered; empty when it can be kept."""
        found = []
        if not self.claimant.strip():
            found.append("Say who made the claim.")
        if self.figure < 0:
            found.append("A claimed figure cannot be negative.")
        if self.fate not in FATES:
            found.append("Choose which of the counted fates the claim is about.")
        if not self.counts.strip():
            found.append("Say what the claimant says the figure counts.")
        url = urlparse(self.statement_url.strip())
        if url.scheme not in ("http", "https") or not url.netloc:
            found.append("Give the web address of the statement (http or https).")
        if self.claimed_on > date.today():
            found.append("A claim cannot be dated in the future.")
        return found


def record_claim(session: Session, claim: ClaimIn, user_id: int) -> ClaimedTotal:
    """Keep one claim; raises ValueError with the problems when it cannot be kept."""
    problems = claim.problems()
    if problems:
        raise ValueError(" ".join(problems))
    row = ClaimedTotal(
        claimant=claim.claimant.strip(),
        claimed_on=claim.claimed_on,
        figure=claim.figure,
        fate=claim.fate,
        counts=claim.counts.strip(),
        statement_url=claim.statement_url.strip(),
        recorded_by_id=user_id,
    )
    session.add(row)
    session.flush()
    return row


def list_claims(session: Session) -> list[ClaimedTotal]:
    """Every claim, oldest first, as the timeline draws them."""
    stmt = sa.select(ClaimedTotal).order_by(ClaimedTotal.claimed_on, ClaimedTotal.id)
    return list(session.scalars(stmt))
