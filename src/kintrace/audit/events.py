"""Typed audit events. They carry ids, enumerated values and counts — never personal data.

Each event names its `kind` and the record it is about; every other field lands in `detail`.
Add a class here for each new thing worth recording; the web and CLI never invent kinds.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar

# Strings in an event must look like codes (lower-case ASCII, no spaces, at most 64
# characters): names, addresses and messages cannot pass, which keeps them out of the log.
_CODE = re.compile(r"^[a-z0-9_.:\-]{0,64}$")
_ENVELOPE = {"actor_kind", "actor_id", "subject_id"}


@dataclass(frozen=True, kw_only=True)
class AuditEvent:
    """Base class: who did it (actor) and to which record (subject)."""

    kind: ClassVar[str] = "event"
    subject_type: ClassVar[str | None] = None

    actor_kind: str = "system"  # "staff", "enquirer" or "system"
    actor_id: int | None = None
    subject_id: int | None = None

    def detail(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            if field.name in _ENVELOPE:
                continue
            value = getattr(self, field.name)
            if hasattr(value, "value"):  # enums are stored as their value
                value = value.value
            if not (value is None or isinstance(value, bool | int | float | str)):
                raise TypeError(f"Audit field {field.name} must be an id, a flag or a code.")
            if isinstance(value, str) and not _CODE.match(value):
                raise ValueError(
                    f"Audit field {field.name} is not a code; audit events hold no text."
                )
            out[field.name] = value
        return out


@dataclass(frozen=True, kw_only=True)
class EnquiryReceived(AuditEvent):
    kind: ClassVar[str] = "enquiry.received"
    subject_type: ClassVar[str | None] = "enquiry"
    channel: str


@dataclass(frozen=True, kw_only=True)
class EnquiryRead(AuditEvent):
    """The enquirer (reference + secret) or a staff member looked at an enquiry."""

    kind: ClassVar[str] = "enquiry.read"
    subject_type: ClassVar[str | None] = "enquiry"


@dataclass(frozen=True, kw_only=True)
class EnquiryAnswerReplayed(AuditEvent):
    """A stored idempotent answer (which holds the secret) was handed out again."""

    kind: ClassVar[str] = "enquiry.answer_replayed"
    subject_type: ClassVar[str | None] = "enquiry"


@dataclass(frozen=True, kw_only=True)
class UserCreated(AuditEvent):
    kind: ClassVar[str] = "user.created"
    subject_type: ClassVar[str | None] = "user"
    role: str
    organisation_id: int


@dataclass(frozen=True, kw_only=True)
class StaffLoggedIn(AuditEvent):
    kind: ClassVar[str] = "staff.logged_in"
    subject_type: ClassVar[str | None] = "user"


@dataclass(frozen=True, kw_only=True)
class StaffLoginFailed(AuditEvent):
    """A failed login; subject_id is the account when the e-mail matched one, else None."""

    kind: ClassVar[str] = "staff.login_failed"
    subject_type: ClassVar[str | None] = "user"


@dataclass(frozen=True, kw_only=True)
class StaffLoggedOut(AuditEvent):
    kind: ClassVar[str] = "staff.logged_out"
    subject_type: ClassVar[str | None] = "user"


@dataclass(frozen=True, kw_only=True)
class RecordViewed(AuditEvent):
    """Generic read of personal data by staff: subject given at run time (case, report, …)."""

    kind: ClassVar[str] = "record.viewed"
    record_type: str


@dataclass(frozen=True, kw_only=True)
class ReportCreated(AuditEvent):
    kind: ClassVar[str] = "report.created"
    subject_type: ClassVar[str | None] = "report"
    source_id: int


@dataclass(frozen=True, kw_only=True)
class DemoSeeded(AuditEvent):
    """The demo data set was loaded (counts only)."""

    kind: ClassVar[str] = "demo.seeded"
    organisations: int
    sources: int
    reports: int
    enquiries: int
    users: int
    seed: int


@dataclass(frozen=True, kw_only=True)
class ReportBatchImported(AuditEvent):
    """A file of reports landed: the id range, counts and the file's SHA-256 (issue 4)."""

    kind: ClassVar[str] = "report.batch_imported"
    subject_type: ClassVar[str | None] = "import_batch"
    source_id: int
    file_kind: str
    file_sha256: str
    first_report_id: int | None
    last_report_id: int | None
    reports_created: int
    rows_quarantined: int
    rows_skipped: int
    signed_by_key_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class DataTransferred(AuditEvent):
    """Reports left the instance for a partner under a data-sharing agreement."""

    kind: ClassVar[str] = "data.transferred"
    subject_type: ClassVar[str | None] = "data_transfer"
    agreement_id: int
    partner_organisation_id: int
    format: str
    record_count: int
    file_sha256: str


@dataclass(frozen=True, kw_only=True)
class AgreementRecorded(AuditEvent):
    kind: ClassVar[str] = "agreement.recorded"
    subject_type: ClassVar[str | None] = "data_sharing_agreement"
    partner_organisation_id: int


@dataclass(frozen=True, kw_only=True)
class BatchKeyTrusted(AuditEvent):
    kind: ClassVar[str] = "batch_key.trusted"
    subject_type: ClassVar[str | None] = "trusted_batch_key"


# --- casework (issue 5) ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MatchesStored(AuditEvent):
    """The match worker stored candidates for a new enquiry or report (counts only)."""

    kind: ClassVar[str] = "match.stored"
    subject_type: ClassVar[str | None] = "match_job"
    job_subject: str
    job_subject_id: int
    matches: int
    model_version: str


@dataclass(frozen=True, kw_only=True)
class CaseStageChanged(AuditEvent):
    kind: ClassVar[str] = "case.stage_changed"
    subject_type: ClassVar[str | None] = "case"
    stage: str
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseAssigned(AuditEvent):
    kind: ClassVar[str] = "case.assigned"
    subject_type: ClassVar[str | None] = "case"
    assignee_id: int | None


@dataclass(frozen=True, kw_only=True)
class MatchDecided(AuditEvent):
    kind: ClassVar[str] = "match.decided"
    subject_type: ClassVar[str | None] = "match"
    decision_id: int
    judgement: str


@dataclass(frozen=True, kw_only=True)
class MatchDecisionRetracted(AuditEvent):
    kind: ClassVar[str] = "match.decision_retracted"
    subject_type: ClassVar[str | None] = "match"
    decision_id: int


@dataclass(frozen=True, kw_only=True)
class EnquirerVerified(AuditEvent):
    kind: ClassVar[str] = "enquiry.verified"
    subject_type: ClassVar[str | None] = "enquiry"
    verification_id: int
    outcome: str


@dataclass(frozen=True, kw_only=True)
class DisclosureDrafted(AuditEvent):
    kind: ClassVar[str] = "disclosure.drafted"
    subject_type: ClassVar[str | None] = "disclosure"
    content_kind: str


@dataclass(frozen=True, kw_only=True)
class DisclosureApproved(AuditEvent):
    kind: ClassVar[str] = "disclosure.approved"
    subject_type: ClassVar[str | None] = "disclosure"
    content_kind: str


@dataclass(frozen=True, kw_only=True)
class DeathToldInPerson(AuditEvent):
    kind: ClassVar[str] = "disclosure.death_told"
    subject_type: ClassVar[str | None] = "disclosure"
    channel: str


@dataclass(frozen=True, kw_only=True)
class FamilyNotified(AuditEvent):
    """An e-mail saying "there is news" went to the enquirer (it holds no details)."""

    kind: ClassVar[str] = "enquiry.notified"
    subject_type: ClassVar[str | None] = "enquiry"
    delivered: bool


@dataclass(frozen=True, kw_only=True)
class FamilyMessageStep(AuditEvent):
    kind: ClassVar[str] = "message.step"
    subject_type: ClassVar[str | None] = "message"
    state: str


@dataclass(frozen=True, kw_only=True)
class EnquirySecretReset(AuditEvent):
    """A family that lost its secret got a new one after verification; the old one is void."""

    kind: ClassVar[str] = "enquiry.secret_reset"
    subject_type: ClassVar[str | None] = "enquiry"


# --- data protection (issue 6) ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecordDisposed(AuditEvent):
    """A record reached the end of its retention period and was deleted (tombstone kept)."""

    kind: ClassVar[str] = "record.disposed"
    record_type: str
    tombstone_id: int
    reason: str
    key_shredded: bool


@dataclass(frozen=True, kw_only=True)
class SubjectExported(AuditEvent):
    """Everything held about one enquirer was written out for a subject access request."""

    kind: ClassVar[str] = "enquiry.exported"
    subject_type: ClassVar[str | None] = "enquiry"
    records: int


# --- staff access (issue 6 item 2) ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StaffTotpEnrolled(AuditEvent):
    """A staff member set up the authenticator app (the seed itself is never logged)."""

    kind: ClassVar[str] = "staff.totp_enrolled"
    subject_type: ClassVar[str | None] = "user"


@dataclass(frozen=True, kw_only=True)
class StaffSignedOutEverywhere(AuditEvent):
    """Every session of this staff member, on every device, was ended."""

    kind: ClassVar[str] = "staff.signed_out_everywhere"
    subject_type: ClassVar[str | None] = "user"


@dataclass(frozen=True, kw_only=True)
class KeysRotated(AuditEvent):
    """A new master key became current (and/or sealed data was moved to it)."""

    kind: ClassVar[str] = "keys.rotated"
    key_id: str
    values_moved: int
    data_keys_rewrapped: int


@dataclass(frozen=True, kw_only=True)
class KeyRetired(AuditEvent):
    """An old master key that no longer sealed anything was destroyed."""

    kind: ClassVar[str] = "keys.retired"
    key_id: str


@dataclass(frozen=True, kw_only=True)
class IdentificationProposed(AuditEvent):
    """A forensic specialist proposed that remains are a case's sought person (issue 10)."""

    kind: ClassVar[str] = "forensic.identification_proposed"
    subject_type: ClassVar[str | None] = "identification"
    method: str


@dataclass(frozen=True, kw_only=True)
class IdentificationApproved(AuditEvent):
    """A second forensic specialist approved an identification."""

    kind: ClassVar[str] = "forensic.identification_approved"
    subject_type: ClassVar[str | None] = "identification"
    method: str


@dataclass(frozen=True, kw_only=True)
class RemainsPhotoViewed(AuditEvent):
    """Forensic staff opened a photo of remains or of a tattoo."""

    kind: ClassVar[str] = "forensic.photo_viewed"
    subject_type: ClassVar[str | None] = "forensic_photo"


@dataclass(frozen=True, kw_only=True)
class ClaimRecorded(AuditEvent):
    """An analyst or supervisor recorded a public claim beside the verified figures."""

    kind: ClassVar[str] = "figures.claim_recorded"
    subject_type: ClassVar[str | None] = "claimed_total"
    fate: str


@dataclass(frozen=True, kw_only=True)
class ClaimsRead(AuditEvent):
    """The figures dashboard listed the recorded claims (how many) to a staff member."""

    kind: ClassVar[str] = "figures.claims_read"
    claims: int


@dataclass(frozen=True, kw_only=True)
class FiguresExported(AuditEvent):
    """A staff member downloaded the published (suppressed) tables."""

    kind: ClassVar[str] = "figures.exported"
    format: str


@dataclass(frozen=True, kw_only=True)
class AnteMortemRecorded(AuditEvent):
    """A caseworker recorded or changed what the family said about the sought person's body and
    belongings (issue 10 item 3)."""

    kind: ClassVar[str] = "forensic.ante_mortem_recorded"
    subject_type: ClassVar[str | None] = "case"


@dataclass(frozen=True, kw_only=True)
class ForensicPhotoAdded(AuditEvent):
    """A photo of remains, or of a tattoo or effects the family gave, was kept (EXIF removed)."""

    kind: ClassVar[str] = "forensic.photo_added"
    subject_type: ClassVar[str | None] = "forensic_photo"
    photo_subject: str


@dataclass(frozen=True, kw_only=True)
class RemainsReturnPlanned(AuditEvent):
    """The hand-over of identified remains was planned, or the death certificate issued."""

    kind: ClassVar[str] = "forensic.return_planned"
    subject_type: ClassVar[str | None] = "identification"
    step: str


@dataclass(frozen=True, kw_only=True)
class CaseAttachmentAdded(AuditEvent):
    """A scanned reply or letter was attached to a case (issue 5 item 7)."""

    kind: ClassVar[str] = "case.attachment_added"
    subject_type: ClassVar[str | None] = "case_attachment"
    attachment_kind: str
    case_id: int


# --- staff account administration (issue 6 item 2) --------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StaffAccountsListed(AuditEvent):
    """An administrator looked at the staff accounts of their organisation."""

    kind: ClassVar[str] = "staff.accounts_listed"
    subject_type: ClassVar[str | None] = "organisation"
    accounts: int


@dataclass(frozen=True, kw_only=True)
class StaffTotpReset(AuditEvent):
    """The account's authenticator was removed (a lost phone): it must enrol again at its next
    sign-in, and every session it had was ended."""

    kind: ClassVar[str] = "staff.totp_reset"
    subject_type: ClassVar[str | None] = "user"


@dataclass(frozen=True, kw_only=True)
class StaffAccountActivated(AuditEvent):
    """An account was disabled (``active`` false, every session ended) or enabled again."""

    kind: ClassVar[str] = "staff.account_activated"
    subject_type: ClassVar[str | None] = "user"
    active: bool


# Issue 4 items 1 and 4 (sources): persons merged and unmerged, capture-card scans.
@dataclass(frozen=True, kw_only=True)
class PersonsMerged(AuditEvent):
    """A person's reports were moved into another (``subject_id`` keeps them)."""

    kind: ClassVar[str] = "person.merged"
    subject_type: ClassVar[str | None] = "person"
    absorbed_person_id: int
    reports_moved: int
    match_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PersonUnmerged(AuditEvent):
    """A merge was undone: the reports that came from ``subject_id`` went back to it."""

    kind: ClassVar[str] = "person.unmerged"
    subject_type: ClassVar[str | None] = "person"
    kept_person_id: int
    reports_moved: int


@dataclass(frozen=True, kw_only=True)
class ReportScanAdded(AuditEvent):
    """A photo or scan of a capture card was stored (EXIF stripped, sealed) with a report."""

    kind: ClassVar[str] = "report.scan_added"
    subject_type: ClassVar[str | None] = "report"
    scan_id: int


@dataclass(frozen=True, kw_only=True)
class DeathEvidenceRecorded(AuditEvent):
    """Death evidence (certificate, grave, identification method) was added to a death report
    (issue 10 item 1); the method is a code, the rest stays sealed in the record."""

    kind: ClassVar[str] = "forensic.death_evidence_recorded"
    subject_type: ClassVar[str | None] = "report"
    method: str
