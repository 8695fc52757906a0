"""A person's fate, derived from the reports about him by weight of evidence (issue 4 item 5).

Pure: it sees graded evidence, never the database. The rules, in the order they apply:

- A report is *admissible* when its source is usually reliable or better (A–C) and its
  information at least possibly true (1–3). A claim of death is stricter: it needs
  credibility 1–2, or credibility 3 backed by death evidence (a death certificate, an
  identification of the remains, a grave location) or a morgue/bureau/capture-card source.
  So an unverified post alone can never make someone dead, whatever it claims to show: it
  only raises ``reported_dead_unconfirmed``.
- Death evidence is graded (issue 10 item 1): a certificate, or an identification by
  fingerprints, dental comparison or DNA with its laboratory reference, or recovered remains
  recognised from documents, *establish* a death (weight × 1.5); a grave location supports it
  (× 1.25); visual recognition alone adds nothing. The ruling names what the death rests on.
- The fate is the claim of the *latest* admissible report (by event date); among admissible
  reports of the same time the heaviest wins. Inadmissible reports never decide the fate,
  whatever their date — "latest report wins" is exactly what this refuses to do.
- Every report whose claim disagrees with the ruling and is not an earlier step of the same
  story (alive before captured before released; dead before remains located) is returned in
  ``conflicts``, so the page shows it side by side instead of overwriting it.

Fate is not a workflow state: a case may be closed while the fate stays unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from kintrace.domain.dates import PartialDate, parse_partial_date
from kintrace.domain.enums import Credibility, Fate, Reliability, ReportType, SourceKind

__all__ = ["DeathGrade", "Evidence", "FateRuling", "death_grade", "derive_fate", "evidence_weight"]

# What each report type says about the person's fate; None: nothing about it (a "missing"
# report restates the question, it is no evidence).
CLAIMS: dict[ReportType, Fate | None] = {
    ReportType.captured: Fate.captured,
    ReportType.interned: Fate.captured,
    ReportType.transferred: Fate.captured,
    ReportType.wounded: Fate.in_hospital,
    ReportType.hospitalised: Fate.in_hospital,
    ReportType.escaped: Fate.alive_free,
    ReportType.dead: Fate.dead,
    ReportType.remains_located: Fate.remains_located,
    ReportType.released: Fate.released,
    ReportType.repatriated: Fate.repatriated,
    ReportType.seen: Fate.alive_free,
    ReportType.missing: None,
}

DEATH = frozenset({Fate.dead, Fate.remains_located})

_RELIABILITY = {
    Reliability.A: 1.0,
    Reliability.B: 0.8,
    Reliability.C: 0.6,
    Reliability.D: 0.4,
    Reliability.E: 0.2,
    # F is "cannot be judged": not proven bad, so above E.
    Reliability.F: 0.3,
}
_CREDIBILITY = {
    Credibility.confirmed: 1.0,
    Credibility.probably_true: 0.8,
    Credibility.possibly_true: 0.6,
    Credibility.doubtful: 0.3,
    Credibility.improbable: 0.1,
    Credibility.cannot_be_judged: 0.3,
}
# An official list or capture card outweighs a hospital or morgue record, which outweighs an
# NGO visit, hearsay or a social-media video.
_DOCUMENT = {
    SourceKind.bureau_list: 1.0,
    SourceKind.capture_card: 1.0,
    SourceKind.hospital: 0.9,
    SourceKind.morgue: 0.9,
    SourceKind.ngo: 0.8,
    SourceKind.other: 0.6,
    SourceKind.person: 0.5,
    SourceKind.media: 0.4,
}
_ADMISSIBLE_RELIABILITY = frozenset({Reliability.A, Reliability.B, Reliability.C})
_ADMISSIBLE_CREDIBILITY = frozenset(
    {Credibility.confirmed, Credibility.probably_true, Credibility.possibly_true}
)
_DEATH_DOCUMENTS = frozenset({SourceKind.morgue, SourceKind.bureau_list, SourceKind.capture_card})
# Methods that establish identity on their own, given their laboratory reference; documents and
# visual recognition do not (a body can carry another man's papers; grief misrecognises).
SCIENTIFIC_METHODS = frozenset({"fingerprints", "dental", "dna"})


class DeathGrade(StrEnum):
    """What a death report's own evidence amounts to, strongest first."""

    certified = "certified"  # a death certificate
    identified = "identified"  # remains identified scientifically, or recovered with documents
    grave = "grave"  # a grave location or marker
    none = "none"  # only the report's word


@dataclass(frozen=True)
class Evidence:
    """One report as the fate rules see it: no names, only what weighs."""

    report_id: int
    report_type: ReportType
    reliability: Reliability
    credibility: Credibility
    source_kind: SourceKind = SourceKind.other
    event_date: str | None = None
    has_death_certificate: bool = False
    has_grave_location: bool = False
    # How the remains were identified (documents, visual, fingerprints, dental, dna) and
    # whether the laboratory reference is on file; never the genetic data itself.
    identification_method: str | None = None
    has_lab_reference: bool = False
    remains_recovered: bool = False

    @property
    def claim(self) -> Fate | None:
        return CLAIMS[self.report_type]

    @property
    def when(self) -> PartialDate | None:
        try:
            return parse_partial_date(self.event_date)
        except ValueError:
            return None


@dataclass(frozen=True)
class FateRuling:
    fate: Fate
    basis_report_ids: tuple[int, ...] = ()
    conflicts: tuple[int, ...] = ()
    explanation: str = ""
    # Someone reported him dead, but no report strong enough to say so exists.
    reported_dead_unconfirmed: bool = False
    weights: dict[int, float] = field(default_factory=dict)
    # When the fate is a death: the strongest death evidence among the basis reports.
    death_grade: DeathGrade | None = None


def death_grade(e: Evidence) -> DeathGrade:
    """The grade of the death evidence a report carries (nothing for other claims)."""
    if e.claim not in DEATH:
        return DeathGrade.none
    if e.has_death_certificate:
        return DeathGrade.certified
    if e.identification_method in SCIENTIFIC_METHODS and e.has_lab_reference:
        return DeathGrade.identified
    if e.remains_recovered and e.identification_method == "documents":
        return DeathGrade.identified
    if e.has_grave_location:
        return DeathGrade.grave
    return DeathGrade.none


_GRADE_FACTOR = {
    DeathGrade.certified: 1.5,
    DeathGrade.identified: 1.5,
    DeathGrade.grave: 1.25,
    DeathGrade.none: 1.0,
}
_GRADE_ORDER = [DeathGrade.certified, DeathGrade.identified, DeathGrade.grave, DeathGrade.none]


def evidence_weight(e: Evidence) -> float:
    """Reliability × credibility × kind of document, in 0..1; graded death evidence (a
    certificate, an identification, a grave) adds weight to a death report."""
    weight = _RELIABILITY[e.reliability] * _CREDIBILITY[e.credibility] * _DOCUMENT[e.source_kind]
    weight = min(1.0, weight * _GRADE_FACTOR[death_grade(e)])
    return round(weight, 4)


def is_admissible(e: Evidence) -> bool:
    if e.claim is None:
        return False
    if e.reliability not in _ADMISSIBLE_RELIABILITY or e.credibility not in _ADMISSIBLE_CREDIBILITY:
        return False
    if e.claim in DEATH and e.credibility is Credibility.possibly_true:
        return death_grade(e) is not DeathGrade.none or e.source_kind in _DEATH_DOCUMENTS
    return True


def _span(d: PartialDate | None) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
    if d is None:
        return None
    return (d.year, d.month or 1, d.day or 1), (d.year, d.month or 12, d.day or 31)


def _strictly_before(a: Evidence, b: Evidence) -> bool:
    sa, sb = _span(a.when), _span(b.when)
    return sa is not None and sb is not None and sa[1] < sb[0]


def _consistent_earlier(earlier: Fate | None, ruling: Fate) -> bool:
    """Whether ``earlier`` can be a past step of a story that ends in ``ruling``."""
    if earlier not in DEATH:
        return True  # alive before anything
    return earlier is Fate.dead and ruling is Fate.remains_located


def derive_fate(evidence: Iterable[Evidence]) -> FateRuling:
    """The fate the reports support, with its basis, the reports that conflict and why."""
    items = [e for e in evidence if e.claim is not None]
    weights = {e.report_id: evidence_weight(e) for e in items}
    if not items:
        return FateRuling(Fate.unknown, explanation="No report says anything about the fate.")
    admissible = [e for e in items if is_admissible(e)]
    weak_death = any(e.claim in DEATH and not is_admissible(e) for e in items)
    if not admissible:
        return FateRuling(
            Fate.unknown,
            conflicts=tuple(sorted(e.report_id for e in items)),
            explanation="No report is graded well enough to decide the fate "
            "(source A–C and information 1–3 are needed; death needs more).",
            reported_dead_unconfirmed=weak_death,
            weights=weights,
        )

    def latest_first(e: Evidence) -> tuple[tuple[int, int, int], float]:
        span = _span(e.when)
        return (span[1] if span else (0, 0, 0), weights[e.report_id])

    admissible.sort(key=latest_first, reverse=True)
    basis = admissible[0]
    ruling = basis.claim
    assert ruling is not None
    # Reports that say the same thing at the same time corroborate the basis.
    supporting = [
        e
        for e in admissible
        if e.claim is ruling and not _strictly_before(e, basis) and not _strictly_before(basis, e)
    ]
    conflicts = [
        e.report_id
        for e in items
        if e.claim is not ruling
        and not (_strictly_before(e, basis) and _consistent_earlier(e.claim, ruling))
    ]
    unconfirmed = weak_death and ruling not in DEATH
    explanation = (
        f"Decided by the latest well-graded report ({basis.report_type.value}, "
        f"source {basis.reliability.value}, information {basis.credibility.value})."
    )
    grade = None
    if ruling in DEATH:
        # An earlier death report's certificate still holds when remains are located later.
        grades = {death_grade(e) for e in admissible if e.claim in DEATH}
        grade = next(g for g in _GRADE_ORDER if g in grades or g is DeathGrade.none)
        explanation += " " + _GRADE_TEXT[grade]
    if conflicts:
        explanation += f" {len(conflicts)} report(s) say otherwise and are shown beside it."
    if unconfirmed:
        explanation += " A report of death exists but is not graded well enough to confirm it."
    return FateRuling(
        fate=ruling,
        basis_report_ids=tuple(e.report_id for e in supporting),
        conflicts=tuple(conflicts),
        explanation=explanation,
        reported_dead_unconfirmed=unconfirmed,
        weights=weights,
        death_grade=grade,
    )


_GRADE_TEXT = {
    DeathGrade.certified: "The death rests on a death certificate.",
    DeathGrade.identified: "The death rests on an identification of the remains.",
    DeathGrade.grave: "The death rests on a known grave.",
    DeathGrade.none: "The death rests on the source's word alone (no certificate, "
    "identification or grave on file).",
}
