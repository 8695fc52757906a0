"""What may be told to whom, and why — a pure function over the facts of one disclosure.

The sought person's own wishes come first (DESIGN.md, "Standards of care"); then the enquirer
must be verified (and, for a child, be his guardian); a location and any death need a second
person's approval; a death is first told by phone or in person, never on the status page; an
e-mail never carries a detail. Every refusal names its reasons so the caseworker sees why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The four questions, with death kept apart because it is told differently."""

    alive = "alive"  # 1. is he alive?
    fate = "fate"  # 2. captured, wounded, in hospital?
    location = "location"  # 3. where (at the granularity allowed)?
    return_ = "return"  # 4. how to get him back: visits, letters, exchange, hand-over
    death = "death"  # 2. … or dead


class Channel(StrEnum):
    phone = "phone"  # a caseworker speaking to the verified enquirer (or in person)
    status_page = "status_page"
    email = "email"


#: Disclosures that a supervisor (a second person) must approve first.
NEEDS_APPROVAL: frozenset[Kind] = frozenset({Kind.location, Kind.death})


class Reason(StrEnum):
    enquirer_not_verified = "enquirer_not_verified"
    guardianship_not_proven = "guardianship_not_proven"
    person_chose_others = "person_chose_others"
    person_refuses_contact = "person_refuses_contact"
    needs_supervisor_approval = "needs_supervisor_approval"
    death_first_told_in_person = "death_first_told_in_person"
    email_carries_no_details = "email_carries_no_details"


@dataclass(frozen=True)
class Facts:
    """What the policy needs to know; the services gather it from the records."""

    verified: bool = False
    sought_is_child: bool = False
    guardianship_proven: bool = False
    # The person (or his capture card) refuses contact with, or news to, his family.
    refuses_contact: bool = False
    # True/False: the enquirer is/is not among those the person asked to be informed;
    # None: the person named nobody.
    named_by_person: bool | None = None
    approved: bool = False
    told_in_person: bool = False


@dataclass(frozen=True)
class Ruling:
    allowed: bool
    needs_approval: bool
    reasons: tuple[Reason, ...]


def ruling(kind: Kind, facts: Facts, channel: Channel) -> Ruling:
    """May `kind` be told to the enquirer through `channel`? With every reason it may not."""
    reasons: list[Reason] = []
    if channel is Channel.email:
        reasons.append(Reason.email_carries_no_details)
    if facts.named_by_person is False and kind is not Kind.death:
        reasons.append(Reason.person_chose_others)
    # A living person's refusal keeps everything but the bare fact that he is alive; the death
    # of a person is told to his family whatever he wished while alive (GC I art. 16/17).
    if facts.refuses_contact and kind not in {Kind.alive, Kind.death}:
        reasons.append(Reason.person_refuses_contact)
    if not facts.verified:
        reasons.append(Reason.enquirer_not_verified)
    if facts.sought_is_child and not facts.guardianship_proven:
        reasons.append(Reason.guardianship_not_proven)
    needs_approval = kind in NEEDS_APPROVAL
    if needs_approval and not facts.approved:
        reasons.append(Reason.needs_supervisor_approval)
    if kind is Kind.death and channel is Channel.status_page and not facts.told_in_person:
        reasons.append(Reason.death_first_told_in_person)
    return Ruling(allowed=not reasons, needs_approval=needs_approval, reasons=tuple(reasons))


def may_draft(kind: Kind, facts: Facts) -> Ruling:
    """May a caseworker prepare this answer at all (approval still to come)?"""
    hypothetical = Facts(**{**facts.__dict__, "approved": True})
    return ruling(kind, hypothetical, Channel.phone)
