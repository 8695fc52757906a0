"""Persons built from reports (issue 4 items 4 and 5).

- ``cluster_reports(session, report_ids)``: each new report is linked by the matching engine
  against the reports already stored. At or above ``AUTO_THRESHOLD`` it joins the person of
  its best partner; in the uncertain band it becomes a person of its own and the pair goes to
  the review queue as a report-to-report ``Match``; below, it is a person of its own.
- ``merge(session, keep_id, absorb_id, by_id)`` / ``unmerge(session, absorbed_id, by_id)``:
  every move closes one membership and opens another (``person_membership``), so the history
  says where each report was, when, why and by whom; no report and no decision is lost.
- ``timeline(session, person_id)`` and ``fate_of(session, person_id)``: what the person page
  shows; the fate is derived by weight of evidence (``kintrace.domain.fate``).
- ``set_wishes(...)``: the person's own wishes, which travel with him through merges.

Services never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import MatchDecided, PersonsMerged, PersonUnmerged
from kintrace.db.models import Case, Enquiry, Match, MatchDecision, Person, Report, Source
from kintrace.db.models_persons import PersonMembership
from kintrace.db.types import utcnow
from kintrace.domain import MatchJudgement
from kintrace.domain.fate import Evidence, FateRuling, derive_fate
from kintrace.errors import KintraceError, NotFound
from kintrace.matching import MODEL_VERSION, link_records
from kintrace.review.forensic import with_death_evidence
from kintrace.review.worker import report_record

__all__ = [
    "AUTO_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Candidate",
    "MergeRefused",
    "TimelineEntry",
    "candidates",
    "cluster_pending",
    "cluster_reports",
    "decide_distinct",
    "fate_of",
    "history",
    "merge",
    "merge_persons",
    "merged_into",
    "person_history",
    "set_wishes",
    "timeline",
    "unmerge",
    "unmerge_person",
]

#: Reports this likely to be one individual are clustered without a human.
AUTO_THRESHOLD = 0.95
#: From here up to AUTO_THRESHOLD a caseworker decides (the engine's 0.5 is "the same person").
REVIEW_THRESHOLD = 0.5


class MergeRefused(KintraceError):
    """A merge or unmerge that would not make sense (same person, already merged, ...)."""


def _move(
    session: Session,
    report: Report,
    person_id: int,
    reason: str,
    *,
    probability: float | None = None,
    from_person_id: int | None = None,
    by_id: int | None = None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    session.execute(
        sa.update(PersonMembership)
        .where(PersonMembership.report_id == report.id, PersonMembership.valid_to.is_(None))
        .values(valid_to=now)
    )
    session.add(
        PersonMembership(
            person_id=person_id,
            report_id=report.id,
            valid_from=now,
            reason=reason,
            probability=probability,
            from_person_id=from_person_id,
            by_id=by_id,
        )
    )
    report.person_id = person_id


def _new_person(session: Session, report: Report) -> Person:
    person = Person()
    session.add(person)
    session.flush()
    _move(session, report, person.id, "new")
    return person


def cluster_reports(
    session: Session,
    report_ids: Iterable[int],
    pairs: Iterable[tuple[int, int, float]] | None = None,
) -> dict[int, int]:
    """Give each of these reports a person; return {report id: person id}.

    New reports are linked against the reports that already have a person and against each
    other (a list often names the same man twice). At or above ``AUTO_THRESHOLD`` they join
    one person (the existing person of their best partner, or a new one for the group); in
    the uncertain band the pair goes to the review queue as a report-to-report ``Match``.

    ``pairs`` (new report id, other report id, probability) are the scored candidates when the
    caller has them already — the match worker takes them from its index, so a big store is
    never read whole; without them the batch linker scores the new reports against every
    report that has a person.
    """
    new = list(session.scalars(sa.select(Report).where(Report.id.in_(list(report_ids)))))
    new = sorted((r for r in new if r.person_id is None), key=lambda r: r.id)
    if not new:
        return {}
    new_ids = {r.id for r in new}
    if pairs is None:
        existing = [
            r
            for r in session.scalars(sa.select(Report).where(Report.person_id.is_not(None)))
            if r.id not in new_ids
        ]
        records = [report_record(r) for r in new]
        across = (
            [
                (int(p.left_id), int(p.right_id), p.match_probability)
                for p in link_records(
                    records, [report_record(r) for r in existing], threshold=REVIEW_THRESHOLD
                )
            ]
            if existing
            else []
        )
        within = (
            [
                (int(p.left_id), int(p.right_id), p.match_probability)
                for p in link_records(records, threshold=REVIEW_THRESHOLD)
            ]
            if len(records) > 1
            else []
        )
    else:
        # Each unordered pair once, and only the partners that are already someone.
        unique: dict[tuple[int, int], tuple[int, int, float]] = {}
        for left, right, p in pairs:
            if left != right and p >= REVIEW_THRESHOLD:
                unique.setdefault((min(left, right), max(left, right)), (left, right, p))
        within = [t for t in unique.values() if t[0] in new_ids and t[1] in new_ids]
        partners = {t[1] for t in unique.values() if t[1] not in new_ids}
        existing = (
            list(
                session.scalars(
                    sa.select(Report).where(Report.id.in_(partners), Report.person_id.is_not(None))
                )
            )
            if partners
            else []
        )
        held = {r.id for r in existing}
        across = [t for t in unique.values() if t[0] in new_ids and t[1] in held]

    # New reports judged one individual form a group (union-find, smallest id as the root).
    root = {r.id: r.id for r in new}

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    joined_at: dict[int, float] = {}
    uncertain: list[tuple[int, int, float]] = []
    for left, right, p in within:
        if p >= AUTO_THRESHOLD:
            a, b = sorted((find(left), find(right)))
            root[b] = a
            for member in (left, right):
                joined_at[member] = max(joined_at.get(member, 0.0), p)
        else:
            uncertain.append((left, right, p))
    by_id = {r.id: r for r in existing}
    best: dict[int, tuple[float, Report]] = {}  # group root -> best existing partner
    for left, right, p in across:
        if p >= AUTO_THRESHOLD:
            group = find(left)
            if group not in best or p > best[group][0]:
                best[group] = (p, by_id[right])
        else:
            uncertain.append((left, right, p))

    out: dict[int, int] = {}
    group_person: dict[int, int] = {}
    for report in new:
        group = find(report.id)
        if group in best:
            p, partner = best[group]
            assert partner.person_id is not None
            _move(session, report, partner.person_id, "engine", probability=p)
        elif group in group_person:
            _move(
                session,
                report,
                group_person[group],
                "engine",
                probability=joined_at.get(report.id),
            )
        else:
            group_person[group] = _new_person(session, report).id
        assert report.person_id is not None
        out[report.id] = report.person_id
    person_of = {**{r.id: r.person_id for r in existing}, **out}
    for left, right, p in uncertain:
        if person_of.get(left) == person_of.get(right):
            continue  # already one person: nothing left to decide
        session.add(
            Match(report_id=left, other_report_id=right, probability=p, model_version=MODEL_VERSION)
        )
    session.flush()
    return out


def cluster_pending(session: Session, *, limit: int = 1000) -> dict[int, int]:
    """Cluster reports that have no person yet (after an import, a capture card or a PFIF
    file), oldest first, at most ``limit`` per call; return {report id: person id}."""
    ids = list(
        session.scalars(
            sa.select(Report.id).where(Report.person_id.is_(None)).order_by(Report.id).limit(limit)
        )
    )
    return cluster_reports(session, ids) if ids else {}


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("No such person.")
    return person


def person_of_organisation(session: Session, person_id: int, organisation_id: int) -> Person:
    """A person whose reports matched an enquiry of the organisation, or whose case is
    its own; anyone else's is "not found"."""
    person = _person(session, person_id)
    via_match = (
        sa.select(Match.id)
        .join(Enquiry, Enquiry.id == Match.enquiry_id)
        .join(Report, Report.id == Match.report_id)
        .where(Report.person_id == person_id, Enquiry.organisation_id == organisation_id)
    )
    via_case = sa.select(Case.id).where(
        Case.person_id == person_id, Case.organisation_id == organisation_id
    )
    if session.scalar(via_match.limit(1)) is None and session.scalar(via_case.limit(1)) is None:
        raise NotFound("No such person.")
    return person


def merge(session: Session, keep_id: int, absorb_id: int, by_id: int | None) -> None:
    """Move every report of ``absorb_id`` into ``keep_id``; the absorbed person remains,
    marked as merged, so the merge can be undone."""
    if keep_id == absorb_id:
        raise MergeRefused("A person cannot be merged with himself.")
    keep, absorb = _person(session, keep_id), _person(session, absorb_id)
    if keep.merged_into_id is not None or absorb.merged_into_id is not None:
        raise MergeRefused("One of these persons was already merged into another.")
    now = utcnow()
    for report in session.scalars(sa.select(Report).where(Report.person_id == absorb_id)):
        _move(session, report, keep_id, "merge", from_person_id=absorb_id, by_id=by_id, now=now)
    absorb.merged_into_id = keep_id
    # His wishes travel with him: the kept person takes any wish it does not have yet.
    for wish in ("wish_inform_whom", "wish_refuses_contact", "wish_refuses_repatriation"):
        if getattr(keep, wish) is None and getattr(absorb, wish) is not None:
            setattr(keep, wish, getattr(absorb, wish))
    session.flush()


def unmerge(session: Session, absorbed_id: int, by_id: int | None) -> list[int]:
    """Undo the merge of ``absorbed_id``: the reports that came from it go back; return them."""
    absorbed = _person(session, absorbed_id)
    if absorbed.merged_into_id is None:
        raise MergeRefused("This person was not merged into another.")
    keep_id = absorbed.merged_into_id
    moved = list(
        session.scalars(
            sa.select(PersonMembership).where(
                PersonMembership.person_id == keep_id,
                PersonMembership.from_person_id == absorbed_id,
                PersonMembership.reason == "merge",
                PersonMembership.valid_to.is_(None),
            )
        )
    )
    now = utcnow()
    for membership in moved:
        report = session.get(Report, membership.report_id)
        assert report is not None
        _move(session, report, absorbed_id, "unmerge", from_person_id=keep_id, by_id=by_id, now=now)
    absorbed.merged_into_id = None
    session.flush()
    return [m.report_id for m in moved]


@dataclass(frozen=True)
class Candidate:
    """An uncertain report-to-report match that says another person may be this one."""

    match: Match
    own_report_id: int
    other_report: Report
    other_person_id: int


def candidates(session: Session, person_id: int, *, every: bool = False) -> list[Candidate]:
    """Persons the engine found possibly the same as this one (the uncertain band), with no
    human decision yet; most probable first, one per person unless ``every``."""
    own = set(session.scalars(sa.select(Report.id).where(Report.person_id == person_id)))
    if not own:
        return []
    decided = sa.select(MatchDecision.match_id).where(MatchDecision.retracted_at.is_(None))
    matches = session.scalars(
        sa.select(Match)
        .where(
            Match.other_report_id.is_not(None),
            sa.or_(Match.report_id.in_(own), Match.other_report_id.in_(own)),
            Match.id.not_in(decided),
        )
        .order_by(Match.probability.desc(), Match.id)
    )
    out: list[Candidate] = []
    seen: set[int] = set()
    for match in matches:
        assert match.report_id is not None and match.other_report_id is not None
        mine, theirs = (
            (match.report_id, match.other_report_id)
            if match.report_id in own
            else (match.other_report_id, match.report_id)
        )
        other = session.get(Report, theirs)
        if other is None or other.person_id is None or other.person_id == person_id:
            continue
        if other.person_id in seen and not every:
            continue
        seen.add(other.person_id)
        out.append(Candidate(match, mine, other, other.person_id))
    return out


def merge_persons(
    session: Session, keep_id: int, absorb_id: int, by_id: int, *, match_id: int | None = None
) -> int:
    """A caseworker's merge: ``merge`` plus the decision on the match that proposed it and one
    audit event; returns how many reports moved."""
    moved = len(list(session.scalars(sa.select(Report.id).where(Report.person_id == absorb_id))))
    merge(session, keep_id, absorb_id, by_id)
    if match_id is not None:
        _decide(session, match_id, MatchJudgement.positive, by_id)
    audit.record(
        session,
        PersonsMerged(
            actor_kind="staff",
            actor_id=by_id,
            subject_id=keep_id,
            absorbed_person_id=absorb_id,
            reports_moved=moved,
            match_id=match_id,
        ),
    )
    return moved


def unmerge_person(session: Session, absorbed_id: int, by_id: int) -> list[int]:
    """A caseworker's unmerge: ``unmerge`` plus one audit event."""
    absorbed = _person(session, absorbed_id)
    kept = absorbed.merged_into_id
    moved = unmerge(session, absorbed_id, by_id)
    audit.record(
        session,
        PersonUnmerged(
            actor_kind="staff",
            actor_id=by_id,
            subject_id=absorbed_id,
            kept_person_id=kept or 0,
            reports_moved=len(moved),
        ),
    )
    return moved


def decide_distinct(session: Session, match_id: int, by_id: int) -> None:
    """Record that the two reports of an uncertain match are not the same individual."""
    _decide(session, match_id, MatchJudgement.negative, by_id)


def _decide(session: Session, match_id: int, judgement: MatchJudgement, by_id: int) -> None:
    match = session.get(Match, match_id)
    if match is None or match.other_report_id is None:
        raise NotFound("No such match.")
    decision = MatchDecision(match_id=match_id, judgement=judgement, user_id=by_id)
    session.add(decision)
    session.flush()
    audit.record(
        session,
        MatchDecided(
            actor_kind="staff",
            actor_id=by_id,
            subject_id=match_id,
            decision_id=decision.id,
            judgement=judgement.value,
        ),
    )


def merged_into(session: Session, person_id: int) -> list[Person]:
    """Persons merged into this one (each can be unmerged)."""
    return list(
        session.scalars(
            sa.select(Person).where(Person.merged_into_id == person_id).order_by(Person.id)
        )
    )


def person_history(session: Session, person_id: int) -> list[PersonMembership]:
    """Every membership ever held by a report that is, or was, in this person; newest first."""
    reports = sa.select(PersonMembership.report_id).where(
        sa.or_(
            PersonMembership.person_id == person_id,
            PersonMembership.from_person_id == person_id,
        )
    )
    return list(
        session.scalars(
            sa.select(PersonMembership)
            .where(PersonMembership.report_id.in_(reports))
            .order_by(PersonMembership.id.desc())
        )
    )


def history(session: Session, report_id: int) -> list[PersonMembership]:
    """Every person the report belonged to, oldest first."""
    return list(
        session.scalars(
            sa.select(PersonMembership)
            .where(PersonMembership.report_id == report_id)
            .order_by(PersonMembership.id)
        )
    )


@dataclass(frozen=True)
class TimelineEntry:
    report: Report
    source: Source


def _sort_key(entry: TimelineEntry) -> tuple[bool, str, int]:
    return (entry.report.event_date is None, entry.report.event_date or "", entry.report.id)


def timeline(session: Session, person_id: int) -> list[TimelineEntry]:
    """The person's current reports by event date (undated last), each with its source."""
    _person(session, person_id)
    rows = session.execute(
        sa.select(Report, Source)
        .join(Source, Source.id == Report.source_id)
        .where(Report.person_id == person_id)
    )
    return sorted((TimelineEntry(r, s) for r, s in rows), key=_sort_key)


def fate_of(session: Session, person_id: int, *, store: bool = True) -> FateRuling:
    """The fate by weight of evidence; stored on the person for lists and statistics unless
    ``store`` is false (a page that only shows it)."""
    entries = timeline(session, person_id)
    # Forensic death evidence (certificate, grave, identification) weighs in as well.
    ruling = derive_fate(
        with_death_evidence(
            session,
            [
                Evidence(
                    report_id=e.report.id,
                    report_type=e.report.report_type,
                    reliability=e.source.reliability,
                    credibility=e.report.credibility,
                    source_kind=e.source.kind,
                    event_date=e.report.event_date,
                    has_death_certificate=bool(e.report.death_certificate_ref),
                    has_grave_location=bool(e.report.grave_location),
                )
                for e in entries
            ],
        )
    )
    person = _person(session, person_id)
    if store and person.fate != ruling.fate:
        person.fate = ruling.fate
        person.fate_derived_at = utcnow()
    return ruling


def set_wishes(
    session: Session,
    person_id: int,
    *,
    inform_whom: str | None,
    refuses_contact: bool | None,
    refuses_repatriation: bool | None,
) -> None:
    person = _person(session, person_id)
    person.wish_inform_whom = inform_whom or None
    person.wish_refuses_contact = refuses_contact
    person.wish_refuses_repatriation = refuses_repatriation
    session.flush()
