"""Domain vocabulary shared by every stage: ids, roles, states, grades. Pure Python."""

from kintrace.domain.enums import (
    STAFF_ROLES,
    CaseState,
    Channel,
    Credibility,
    EnquiryState,
    Fate,
    JobState,
    Language,
    MatchJudgement,
    MessageDirection,
    OrganisationKind,
    Reliability,
    ReportType,
    Role,
    Sex,
    SourceKind,
)

__all__ = [
    "STAFF_ROLES",
    "CaseState",
    "Channel",
    "Credibility",
    "EnquiryState",
    "Fate",
    "JobState",
    "Language",
    "MatchJudgement",
    "MessageDirection",
    "OrganisationKind",
    "Reliability",
    "ReportType",
    "Role",
    "Sex",
    "SourceKind",
]
