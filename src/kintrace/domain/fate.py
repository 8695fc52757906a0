"""A person's fate, derived from the reports about him by weight of evidence (issue 4 item 5).

Pure: it sees graded evidence, never the database. The rules, in the order they apply:

- A report is *admissible* when its source is usually reliable or better (A–C) and its
  information at least possibly true (1–3). A claim of death is stricter: it needs
  credibility 1–2, or credibility 3 backed by a death certificate, a grave location or a
  morgue/bureau/capture-card source. So an unverified post alone can never make someone dead:
  it only raises ``reported_dead_unconfirmed``.
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

from kintrace.domain.dates import PartialDate, parse_partial_date
from kintrace.domain.enums import Credibility, Fate, Reliability, ReportType, SourceKind

__all__ = ["Evidence", "FateRuling", "derive_fate", "evidence_weight"]

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


def evidence_weight(e: Evidence) -> float:
    """Reliability × credibility × kind of document, in 0..1 (a death certificate adds weight)."""
    weight = _RELIABILITY[e.reliability] * _CREDIBILITY[e.credibility] * _DOCUMENT[e.source_kind]
    if e.claim in DEATH and (e.has_death_certificate or e.has_grave_location):
        weight = min(1.0, weight * 1.25)
    return round(weight, 4)


def is_admissible(e: Evidence) -> bool:
    if e.claim is None:
        return False
    if e.reliability not in _ADMISSIBLE_RELIABILITY or e.credibility not in _ADMISSIBLE_CREDIBILITY:
        return False
    if e.claim in DEATH and e.credibility is Credibility.possibly_true:
        return e.has_death_certificate or e.has_grave_location or e.source_kind in _DEATH_DOCUMENTS
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
    )
