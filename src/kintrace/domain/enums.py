"""The closed vocabularies of kintrace: roles, states, report types, grades, judgements.

They are StrEnums so their values are what the database, the API and the audit log store.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who someone is to the service (DESIGN.md, Actors). The enquirer has no account."""

    enquirer = "enquirer"
    hotline_operator = "hotline_operator"
    source_officer = "source_officer"
    caseworker = "caseworker"
    supervisor = "supervisor"
    forensic_specialist = "forensic_specialist"
    analyst = "analyst"
    admin = "admin"


# Staff roles: every role that logs in with an account.
STAFF_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.enquirer)


class Channel(StrEnum):
    """How an enquiry reached the service."""

    web = "web"
    api = "api"
    hotline = "hotline"


class Language(StrEnum):
    uk = "uk"
    ru = "ru"
    en = "en"


class Sex(StrEnum):
    male = "M"
    female = "F"


class EnquiryState(StrEnum):
    """The family's view of its enquiry; kept apart from the sought person's fate."""

    received = "received"
    in_progress = "in_progress"
    answered = "answered"
    closed = "closed"
    withdrawn = "withdrawn"


class CaseState(StrEnum):
    """The work on one or several linked enquiries."""

    open = "open"
    awaiting_verification = "awaiting_verification"
    awaiting_approval = "awaiting_approval"
    answered = "answered"
    follow_up = "follow_up"
    closed = "closed"


class ReportType(StrEnum):
    """What a source says happened to one individual at one time (issue 4 item 1)."""

    captured = "captured"
    interned = "interned"
    transferred = "transferred"
    wounded = "wounded"
    hospitalised = "hospitalised"
    escaped = "escaped"
    dead = "dead"
    remains_located = "remains_located"
    released = "released"
    repatriated = "repatriated"
    seen = "seen"
    missing = "missing"


class Fate(StrEnum):
    """A person's fate, derived from reports by weight of evidence; never a workflow state."""

    unknown = "unknown"
    alive_free = "alive_free"
    captured = "captured"
    in_hospital = "in_hospital"
    dead = "dead"
    remains_located = "remains_located"
    released = "released"
    repatriated = "repatriated"


class Reliability(StrEnum):
    """Admiralty scale, source reliability: A completely reliable … F cannot be judged."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class Credibility(StrEnum):
    """Admiralty scale, information credibility: 1 confirmed … 6 cannot be judged."""

    confirmed = "1"
    probably_true = "2"
    possibly_true = "3"
    doubtful = "4"
    improbable = "5"
    cannot_be_judged = "6"


class MatchJudgement(StrEnum):
    """A human decision on a match; decisions are retracted, never overwritten."""

    positive = "positive"
    negative = "negative"
    unsure = "unsure"


class SourceKind(StrEnum):
    bureau_list = "bureau_list"
    capture_card = "capture_card"
    hospital = "hospital"
    morgue = "morgue"
    ngo = "ngo"
    media = "media"
    person = "person"
    other = "other"


class OrganisationKind(StrEnum):
    tracing_agency = "tracing_agency"
    information_bureau = "information_bureau"
    ngo = "ngo"
    hospital = "hospital"
    other = "other"


class JobState(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


class MessageDirection(StrEnum):
    to_family = "to_family"
    from_family = "from_family"
    to_person = "to_person"
    from_person = "from_person"
    internal = "internal"
