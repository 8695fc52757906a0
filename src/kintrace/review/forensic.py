"""The dead and the unidentified (issue 10): death evidence, remains, ante-mortem data, ranked
candidates, two-person identification and the return of remains. Services never commit.

An identification is proposed by one forensic specialist and approved by another; the ranking
only proposes. Photos of remains are opened for forensic specialists alone. Telling the family
is the casework death path (`kintrace.disclosure.answers.record_death_told`), which the web
layer calls once `ready_to_tell` holds: review may not import disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import (
    AnteMortemRecorded,
    DeathEvidenceRecorded,
    ForensicPhotoAdded,
    IdentificationApproved,
    IdentificationProposed,
    RemainsPhotoViewed,
    RemainsReturnPlanned,
)
from kintrace.db.models import Case, Enquiry, Report, User
from kintrace.db.models_forensic import (
    AnteMortem,
    DeathEvidence,
    ForensicPhoto,
    Identification,
    RemainsReturn,
    UnidentifiedRemains,
)
from kintrace.domain import Credibility, Reliability, ReportType, Role
from kintrace.domain.fate import DeathGrade, Evidence, death_grade
from kintrace.intake.attachments import clean_image
from kintrace.matching.amp import (
    Candidate,
    Profile,
    rank_missing_for_remains,
    rank_remains_for_missing,
)


class Method(StrEnum):
    """How identity was established; DNA is a method and a lab reference, never the data."""

    documents = "documents"
    visual = "visual"
    fingerprints = "fingerprints"
    dental = "dental"
    dna = "dna"


# Scientific methods establish identity on their own; documents and recognition do not.
SCIENTIFIC = frozenset({Method.fingerprints, Method.dental, Method.dna})

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# What a photo shows; remains photos are "remains", the family's are the rest.
PHOTO_SUBJECTS = ("tattoo", "scar", "effects", "clothing", "remains", "other")
# Who collects ante-mortem data and plans a hand-over: casework staff, and forensic staff.
_CASE_STAFF = frozenset(
    {Role.caseworker.value, Role.supervisor.value, Role.forensic_specialist.value}
)


class ForensicRefused(Exception):
    """A forensic step the rules do not allow; the message is a sentence without personal data."""


def _role(user: User) -> str:
    return str(getattr(user.role, "value", user.role))


def _require_forensic(user: User) -> None:
    if _role(user) != Role.forensic_specialist.value:
        raise ForensicRefused("Only a forensic specialist may do this.")


def _method(value: str) -> Method:
    try:
        return Method(value)
    except ValueError:
        raise ForensicRefused("Unknown identification method.") from None


# --- death evidence -------------------------------------------------------------------------


def record_death_evidence(
    session: Session,
    report: Report,
    *,
    certificate: str | None = None,
    place: str | None = None,
    date_of_death: str | None = None,
    grave: str | None = None,
    remains_recovered: bool = False,
    method: str | None = None,
    lab_reference: str | None = None,
    user: User | None = None,
) -> DeathEvidence:
    """Attach the evidence a death report carries (audited when a person records it)."""
    if method is not None:
        _method(method)
    if user is not None:
        _require_forensic(user)
    evidence = DeathEvidence(
        report_id=report.id,
        certificate=certificate or None,
        place=place or None,
        date=date_of_death or None,
        grave=grave or None,
        remains_recovered=remains_recovered,
        method=method,
        lab_reference=lab_reference or None,
    )
    session.add(evidence)
    session.flush()
    if user is not None:
        audit.record(
            session,
            DeathEvidenceRecorded(
                actor_kind="staff", actor_id=user.id, subject_id=report.id, method=method or "none"
            ),
        )
    return evidence


def death_evidence_of(
    session: Session, report_ids: Iterable[int]
) -> dict[int, list[DeathEvidence]]:
    """The recorded death evidence of each report, oldest first."""
    out: dict[int, list[DeathEvidence]] = {}
    ids = set(report_ids)
    if ids:
        for row in session.scalars(
            sa.select(DeathEvidence)
            .where(DeathEvidence.report_id.in_(ids))
            .order_by(DeathEvidence.id)
        ):
            out.setdefault(row.report_id, []).append(row)
    return out


def death_status(evidence: DeathEvidence | None) -> str:
    """ "dead" on graded evidence (a certificate, or a scientific method with its lab reference,
    or recovered remains recognised from documents); otherwise "reported_dead_unconfirmed".
    The grading itself lives in ``kintrace.domain.fate.death_grade``, one rule for both."""
    if evidence is None:
        return "reported_dead_unconfirmed"
    grade = death_grade(_enrich(_BARE_DEATH, [evidence]))
    return (
        "dead"
        if grade in {DeathGrade.certified, DeathGrade.identified}
        else ("reported_dead_unconfirmed")
    )


# A death claim with no grade of its own, used to grade evidence rows on their own.
_BARE_DEATH = Evidence(0, ReportType.dead, Reliability.A, Credibility.confirmed)


def _enrich(e: Evidence, rows: Iterable[DeathEvidence]) -> Evidence:
    rows = list(rows)
    if not rows:
        return e

    # Of several identification records, the one that grades highest speaks for the report.
    def strength(row: DeathEvidence) -> int:
        if row.method in SCIENTIFIC and row.lab_reference:
            return 2
        return 1 if row.method == Method.documents.value else 0

    best = max(rows, key=strength)
    method = best.method or e.identification_method
    return replace(
        e,
        has_death_certificate=e.has_death_certificate or any(r.certificate for r in rows),
        has_grave_location=e.has_grave_location or any(r.grave for r in rows),
        remains_recovered=e.remains_recovered or any(r.remains_recovered for r in rows),
        identification_method=method,
        has_lab_reference=e.has_lab_reference or bool(best.lab_reference),
    )


def with_death_evidence(session: Session, evidence: Iterable[Evidence]) -> list[Evidence]:
    """The fate evidence of reports, with the death evidence recorded on them (certificate,
    grave, identification method and whether its lab reference is on file) so the fate rules
    can grade a death. One query for all reports."""
    items = list(evidence)
    ids = {e.report_id for e in items}
    by_report = death_evidence_of(session, ids)
    return [_enrich(e, by_report.get(e.report_id, ())) for e in items]


# --- remains, ante-mortem data and photos ---------------------------------------------------


def record_remains(
    session: Session,
    user: User,
    *,
    source_org: str,
    place: str | None,
    date_found: str | None,
    descriptors: dict[str, Any],
) -> UnidentifiedRemains:
    """A remains record from a morgue, an exhumation team or the other side's list."""
    _require_forensic(user)
    if not source_org.strip():
        raise ForensicRefused("Name the organisation the remains record comes from.")
    remains = UnidentifiedRemains(
        source_org=source_org.strip(),
        place=place or None,
        date_found=date_found or None,
        descriptors=dict(descriptors),
        created_by=user.id,
    )
    session.add(remains)
    session.flush()
    return remains


def record_ante_mortem(
    session: Session,
    case: Case,
    user: User,
    *,
    descriptors: dict[str, Any],
    reference_sample_given: bool = False,
    reference_sample_where: str | None = None,
) -> AnteMortem:
    """What the family said about the sought person, collected by a caseworker on the case."""
    if _role(user) not in _CASE_STAFF:
        raise ForensicRefused("Ante-mortem data is collected by a caseworker.")
    if reference_sample_given and not (reference_sample_where or "").strip():
        raise ForensicRefused("Record where the family reference sample was given.")
    record = session.get(AnteMortem, case.id)
    if record is None:
        record = AnteMortem(case_id=case.id, descriptors={}, recorded_by=user.id)
        session.add(record)
    record.descriptors = dict(descriptors)
    record.reference_sample_given = reference_sample_given
    record.reference_sample_where = (reference_sample_where or "").strip() or None
    record.recorded_by = user.id
    session.flush()
    audit.record(
        session, AnteMortemRecorded(actor_kind="staff", actor_id=user.id, subject_id=case.id)
    )
    return record


def add_photo(
    session: Session,
    *,
    data: bytes,
    content_type: str,
    remains: UnidentifiedRemains | None = None,
    case: Case | None = None,
) -> ForensicPhoto:
    """A photo of remains, or of a tattoo the family gave for the case; sealed at rest."""
    if (remains is None) == (case is None):
        raise ForensicRefused("A photo belongs to either remains or a case.")
    if content_type not in PHOTO_TYPES:
        raise ForensicRefused("A photo must be a JPEG, PNG or WebP image.")
    photo = ForensicPhoto(
        remains_id=remains.id if remains else None,
        case_id=case.id if case else None,
        content_type=content_type,
        data=data,
    )
    session.add(photo)
    session.flush()
    return photo


def add_uploaded_photo(
    session: Session,
    user: User,
    raw: bytes,
    *,
    subject: str,
    remains: UnidentifiedRemains | None = None,
    case: Case | None = None,
) -> ForensicPhoto:
    """An uploaded photo, re-encoded from its pixels so no EXIF (GPS position, device, owner)
    is kept, sealed, and its adding audited. Raises ``AttachmentRefused`` for a bad file."""
    if subject not in PHOTO_SUBJECTS:
        raise ForensicRefused("Say what the photo shows.")
    if remains is not None:
        _require_forensic(user)
    elif _role(user) not in _CASE_STAFF:
        raise ForensicRefused("Ante-mortem data is collected by a caseworker.")
    clean = clean_image(raw)
    photo = add_photo(
        session, data=clean.data, content_type=clean.content_type, remains=remains, case=case
    )
    photo.subject = subject
    photo.uploaded_by = user.id
    session.flush()
    audit.record(
        session,
        ForensicPhotoAdded(
            actor_kind="staff", actor_id=user.id, subject_id=photo.id, photo_subject=subject
        ),
    )
    return photo


def photos_of_case(session: Session, case_id: int) -> list[ForensicPhoto]:
    """The family's photos for a case (tattoos, effects), without opening them."""
    return list(
        session.scalars(
            sa.select(ForensicPhoto)
            .where(ForensicPhoto.case_id == case_id)
            .order_by(ForensicPhoto.id)
        )
    )


def open_photo(session: Session, photo_id: int, viewer: User) -> ForensicPhoto:
    """A photo for forensic staff only; every opening is audited."""
    _require_forensic(viewer)
    photo = session.get(ForensicPhoto, photo_id)
    if photo is None:
        raise ForensicRefused("There is no such photo.")
    audit.record(
        session, RemainsPhotoViewed(actor_kind="staff", actor_id=viewer.id, subject_id=photo.id)
    )
    return photo


def photos_of(session: Session, remains_id: int) -> list[int]:
    return list(
        session.scalars(
            sa.select(ForensicPhoto.id)
            .where(ForensicPhoto.remains_id == remains_id)
            .order_by(ForensicPhoto.id)
        )
    )


# --- ranking --------------------------------------------------------------------------------


def _age_at(birth: str | None, when: str | None) -> int | None:
    if not birth or not when or len(birth) < 4 or len(when) < 4:
        return None
    try:
        return int(when[:4]) - int(birth[:4])
    except ValueError:
        return None


def ante_mortem_profile(session: Session, record: AnteMortem) -> Profile:
    """The ranking profile of a case: the family's descriptors, with sex and the age at the
    date of going missing taken from the enquiry when the family did not give them."""
    data = dict(record.descriptors or {})
    enquiry = session.scalars(
        sa.select(Enquiry).where(Enquiry.case_id == record.case_id).order_by(Enquiry.id)
    ).first()
    if enquiry is not None:
        if not data.get("sex") and enquiry.sought_sex is not None:
            data["sex"] = str(getattr(enquiry.sought_sex, "value", enquiry.sought_sex))
        if not data.get("place") and enquiry.last_known_place:
            data["place"] = enquiry.last_known_place
        if not data.get("date") and enquiry.last_known_date:
            data["date"] = enquiry.last_known_date
        age = _age_at(enquiry.sought_birth_date, data.get("date"))
        if age is not None and data.get("age_min") in (None, ""):
            # Birthday unknown within the year: a year either side of the difference.
            data["age_min"], data["age_max"] = age - 1, age
    return Profile.from_descriptors(record.case_id, data)


def remains_profile(remains: UnidentifiedRemains) -> Profile:
    data = dict(remains.descriptors or {})
    data.setdefault("place", remains.place)
    data.setdefault("date", remains.date_found)
    return Profile.from_descriptors(remains.id, data)


def _identified_cases(session: Session) -> set[int]:
    return set(
        session.scalars(
            sa.select(UnidentifiedRemains.identified_case_id).where(
                UnidentifiedRemains.identified_case_id.is_not(None)
            )
        )
    )


def candidates_for_remains(
    session: Session, remains: UnidentifiedRemains, limit: int = 20
) -> list[Candidate]:
    """Missing persons (cases with ante-mortem data, not yet identified) who fit, best first."""
    done = _identified_cases(session)
    records = [r for r in session.scalars(sa.select(AnteMortem)) if r.case_id not in done]
    profiles = [ante_mortem_profile(session, r) for r in records]
    return rank_missing_for_remains(remains_profile(remains), profiles, limit)


def candidates_for_case(session: Session, case: Case, limit: int = 20) -> list[Candidate]:
    """Unidentified remains that fit a case's sought person, best first."""
    record = session.get(AnteMortem, case.id)
    if record is None:
        return []
    pool = session.scalars(
        sa.select(UnidentifiedRemains).where(UnidentifiedRemains.identified_case_id.is_(None))
    )
    return rank_remains_for_missing(
        ante_mortem_profile(session, record), [remains_profile(r) for r in pool], limit
    )


# --- identification -------------------------------------------------------------------------


def propose_identification(
    session: Session,
    remains: UnidentifiedRemains,
    case: Case,
    proposer: User,
    *,
    method: str,
    lab_reference: str | None = None,
) -> Identification:
    """One forensic specialist proposes; nothing is identified until a second one approves."""
    _require_forensic(proposer)
    chosen = _method(method)
    if chosen in SCIENTIFIC and not (lab_reference or "").strip():
        raise ForensicRefused("A scientific identification needs its laboratory reference.")
    if remains.identified_case_id is not None:
        raise ForensicRefused("These remains are already identified.")
    ident = Identification(
        remains_id=remains.id,
        case_id=case.id,
        method=chosen.value,
        lab_reference=(lab_reference or "").strip() or None,
        proposed_by=proposer.id,
    )
    session.add(ident)
    session.flush()
    audit.record(
        session,
        IdentificationProposed(
            actor_kind="staff", actor_id=proposer.id, subject_id=ident.id, method=chosen.value
        ),
    )
    return ident


def approve_identification(session: Session, ident: Identification, approver: User) -> None:
    """A second forensic specialist, never the proposer, confirms the identification."""
    _require_forensic(approver)
    if approver.id == ident.proposed_by:
        raise ForensicRefused("The approval must come from a second person.")
    if ident.approved_at is not None:
        raise ForensicRefused("This identification is already approved.")
    remains = session.get(UnidentifiedRemains, ident.remains_id)
    if remains is None or remains.identified_case_id is not None:
        raise ForensicRefused("These remains are already identified.")
    ident.approved_by = approver.id
    ident.approved_at = datetime.now(UTC)
    remains.identified_case_id = ident.case_id
    session.flush()
    audit.record(
        session,
        IdentificationApproved(
            actor_kind="staff", actor_id=approver.id, subject_id=ident.id, method=ident.method
        ),
    )


# --- return of remains ----------------------------------------------------------------------


def _approved(ident: Identification) -> None:
    if ident.approved_at is None:
        raise ForensicRefused("Remains are returned only after an approved identification.")


def plan_return(
    session: Session,
    ident: Identification,
    user: User,
    *,
    from_whom: str,
    to_whom: str,
    place: str,
    on: date,
    documents: str | None = None,
) -> RemainsReturn:
    """Plan the hand-over: from whom, to whom, where, when and with which documents."""
    _approved(ident)
    if _role(user) not in _CASE_STAFF:
        raise ForensicRefused("A caseworker or forensic specialist plans a hand-over.")
    if not (from_whom.strip() and to_whom.strip() and place.strip()):
        raise ForensicRefused("A hand-over needs who hands over, who receives, and where.")
    plan = session.get(RemainsReturn, ident.id)
    if plan is None:
        plan = RemainsReturn(
            identification_id=ident.id, from_whom="", to_whom="", place="", date=""
        )
        session.add(plan)
    plan.from_whom, plan.to_whom, plan.place = from_whom.strip(), to_whom.strip(), place.strip()
    plan.date = on.isoformat()
    plan.documents = (documents or "").strip() or None
    plan.planned_by = user.id
    session.flush()
    audit.record(
        session,
        RemainsReturnPlanned(
            actor_kind="staff", actor_id=user.id, subject_id=ident.id, step="plan"
        ),
    )
    return plan


def record_certificate_issued(
    session: Session, ident: Identification, user: User | None = None
) -> RemainsReturn:
    """The death certificate was issued to the family."""
    plan = session.get(RemainsReturn, ident.id)
    if plan is None:
        raise ForensicRefused("Plan the hand-over before recording the certificate.")
    plan.certificate_issued_at = datetime.now(UTC)
    session.flush()
    audit.record(
        session,
        RemainsReturnPlanned(
            actor_kind="staff",
            actor_id=user.id if user else None,
            subject_id=ident.id,
            step="certificate",
        ),
    )
    return plan


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str = ""


def ready_to_tell(session: Session, ident: Identification) -> Readiness:
    """Whether the family may now be told (by phone or in person, via casework's death path)."""
    if ident.approved_at is None:
        return Readiness(False, "The identification is not approved by a second person.")
    return Readiness(True)
