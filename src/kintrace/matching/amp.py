"""Ante-mortem ↔ post-mortem candidate ranking (issue 10): which missing persons fit a remains
record, and which remains fit a missing person, with one explanation per descriptor.

Pure: no database, no web. A ranking proposes candidates to a forensic specialist; it never
identifies anyone. Hard conflicts (sex differs, age or height ranges do not overlap, found
before the person went missing) drop a candidate; the rest are ordered by the weight of the
descriptors that agree. Marks, dental work, clothing and effects are compared as concepts from
a small uk/ru/en vocabulary (`data/amp_vocabulary.csv`), so «наколка якір на лівому
передпліччі» and "anchor tattoo, left forearm" agree.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kintrace.normalise.keys import clean_word
from kintrace.normalise.places import place_key

_VOCABULARY = Path(__file__).parent / "data" / "amp_vocabulary.csv"

# Body parts fall into regions, so "hand" and "forearm" are near but not the same place.
_REGION = {
    "forearm": "arm", "wrist": "arm", "hand": "arm", "finger": "arm", "arm": "arm",
    "shoulder": "arm", "thigh": "leg", "knee": "leg", "calf": "leg", "leg": "leg",
    "foot": "leg", "chest": "torso", "abdomen": "torso", "back": "torso", "head": "head",
    "face": "head", "neck": "head",
}  # fmt: skip

# Points per agreeing descriptor; marks weigh most because they are the most individual.
WEIGHTS = {
    "sex": 1.0, "age": 1.0, "height": 1.0, "dates": 0.5, "place": 1.0,
    "marks": 4.0, "dental": 2.0, "clothing": 1.0, "effects": 2.0,
}  # fmt: skip


@dataclass(frozen=True)
class Mark:
    """A tattoo, scar or birthmark with where it is and what it shows, in any language."""

    kind: str
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class Profile:
    """Descriptors of one body (remains) or one missing person (ante-mortem data).

    `date` is when the remains were found, or since when the person is missing (ISO, partial
    allowed: "2024", "2024-03"); ages are in years at that date, heights in centimetres.
    """

    id: int | str
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    height_min: int | None = None
    height_max: int | None = None
    date: str | None = None
    place: str | None = None
    marks: tuple[Mark, ...] = ()
    dental: str = ""
    clothing: str = ""
    effects: str = ""

    @classmethod
    def from_descriptors(cls, id: int | str, data: Mapping[str, Any]) -> Profile:
        """A profile from the stored descriptor document (see docs/forensic.md)."""
        marks = tuple(
            Mark(
                str(m.get("kind", "")),
                str(m.get("location", "")),
                str(m.get("description", "")),
            )
            for m in data.get("marks") or ()
        )

        def num(key: str) -> int | None:
            value = data.get(key)
            return int(value) if value not in (None, "") else None

        return cls(
            id=id,
            sex=data.get("sex") or None,
            age_min=num("age_min"),
            age_max=num("age_max"),
            height_min=num("height_min"),
            height_max=num("height_max"),
            date=data.get("date") or None,
            place=data.get("place") or None,
            marks=marks,
            dental=str(data.get("dental") or ""),
            clothing=str(data.get("clothing") or ""),
            effects=" ".join(str(data.get(k) or "") for k in ("effects", "tags") if data.get(k)),
        )


@dataclass(frozen=True)
class Finding:
    """How one descriptor compares: agrees, partly, unknown (one side silent) or conflicts."""

    descriptor: str
    outcome: str
    reason: str
    points: float = 0.0


@dataclass(frozen=True)
class Candidate:
    id: int | str
    score: float
    findings: tuple[Finding, ...] = field(default=())

    @property
    def excluded(self) -> bool:
        return any(f.outcome == "conflicts" for f in self.findings)


@cache
def _stems() -> tuple[tuple[str, str, str], ...]:
    """(stem, concept, group), longest stems first so «передпліч» wins over «пле»."""
    rows: list[tuple[str, str, str]] = []
    with _VOCABULARY.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for stem in row["stems"].split("|"):
                rows.append((clean_word(stem), row["concept"], row["group"]))
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def concepts(text: str, group: str | None = None) -> frozenset[str]:
    """The vocabulary concepts a free text mentions («лівому передпліччі» → left, forearm)."""
    found: set[str] = set()
    for raw in _WORD.findall(text or ""):
        word = clean_word(raw)
        for stem, concept, grp in _stems():
            if group is not None and grp != group:
                continue
            # Short stems must match whole words; longer ones also match inflected forms.
            if word == stem or (len(stem) >= 3 and word.startswith(stem)):
                found.add(concept)
                break
    return frozenset(found)


def _overlap(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> bool | None:
    if None in a and None in b:
        return None
    lo_a, hi_a = a[0] if a[0] is not None else a[1], a[1] if a[1] is not None else a[0]
    lo_b, hi_b = b[0] if b[0] is not None else b[1], b[1] if b[1] is not None else b[0]
    if lo_a is None or lo_b is None or hi_a is None or hi_b is None:
        return None
    return lo_a <= hi_b and lo_b <= hi_a


def _range(lo: int | None, hi: int | None, unit: str) -> str:
    if lo is None and hi is None:
        return "not recorded"
    if lo == hi or hi is None:
        return f"{lo}{unit}"
    if lo is None:
        return f"up to {hi}{unit}"
    return f"{lo}–{hi}{unit}"


def _compare_range(name: str, am: Profile, pm: Profile, unit: str, slack: int) -> Finding:
    a = (getattr(am, f"{name}_min"), getattr(am, f"{name}_max"))
    b = (getattr(pm, f"{name}_min"), getattr(pm, f"{name}_max"))
    # Estimates from remains are ranges with error; a little slack keeps near misses in.
    widened = (None if b[0] is None else b[0] - slack, None if b[1] is None else b[1] + slack)
    fits = _overlap(a, widened)
    shown = f"{_range(*a, unit)} vs {_range(*b, unit)}"
    if fits is None:
        return Finding(name, "unknown", f"{name}: {shown}")
    if fits:
        return Finding(name, "agrees", f"{name} ranges overlap: {shown}", WEIGHTS[name])
    return Finding(name, "conflicts", f"{name} ranges do not overlap: {shown}")


def _mark_fit(a: Mark, b: Mark) -> tuple[float, str]:
    """How well two marks agree, 0..1, with a reason naming the shared concepts."""
    kind_a = concepts(f"{a.kind} {a.description}", "mark")
    kind_b = concepts(f"{b.kind} {b.description}", "mark")
    if kind_a and kind_b and not kind_a & kind_b:
        return 0.0, ""
    side_a, side_b = concepts(a.location, "side"), concepts(b.location, "side")
    if side_a and side_b and not side_a & side_b:
        return 0.0, ""
    loc_a, loc_b = concepts(a.location, "location"), concepts(b.location, "location")
    motif_a, motif_b = concepts(a.description, "motif"), concepts(b.description, "motif")
    fit = 0.0
    said: list[str] = sorted(kind_a & kind_b)
    if loc_a & loc_b:
        fit += 0.5
        said += sorted(loc_a & loc_b)
    elif {_REGION.get(c) for c in loc_a} & {_REGION.get(c) for c in loc_b} - {None}:
        fit += 0.25
        said.append("same region")
    if motif_a & motif_b:
        fit += 0.5
        said += sorted(motif_a & motif_b)
    elif motif_a and motif_b:
        # Both describe what the mark shows and they differ: not the same mark.
        return 0.0, ""
    return fit, " ".join(said + sorted(side_a & side_b))


def _compare_marks(am: Profile, pm: Profile) -> Finding:
    if not am.marks or not pm.marks:
        return Finding("marks", "unknown", "marks: not recorded on both sides")
    best: list[tuple[float, str]] = []
    for a in am.marks:
        fits = [_mark_fit(a, b) for b in pm.marks]
        best.append(max(fits, key=lambda f: f[0]))
    matched = [(fit, why) for fit, why in best if fit > 0]
    if not matched:
        return Finding("marks", "differs", "marks: none described alike")
    share = sum(fit for fit, _ in matched) / max(len(am.marks), len(pm.marks))
    reasons = "; ".join(why for _, why in matched)
    outcome = "agrees" if share >= 0.75 else "partly"
    return Finding("marks", outcome, f"marks alike: {reasons}", WEIGHTS["marks"] * share)


def _compare_words(name: str, group: Iterable[str], am_text: str, pm_text: str) -> Finding:
    a = frozenset().union(*(concepts(am_text, g) for g in group))
    b = frozenset().union(*(concepts(pm_text, g) for g in group))
    if not a or not b:
        return Finding(name, "unknown", f"{name}: not recorded on both sides")
    shared = a & b
    if not shared:
        return Finding(name, "differs", f"{name}: nothing described alike")
    share = len(shared) / len(a | b)
    outcome = "agrees" if share >= 0.5 else "partly"
    return Finding(
        name, outcome, f"{name} alike: {', '.join(sorted(shared))}", WEIGHTS[name] * share
    )


def compare(am: Profile, pm: Profile) -> Candidate:
    """Compare one missing person (ante-mortem) with one remains record (post-mortem)."""
    findings: list[Finding] = []
    if am.sex and pm.sex:
        if am.sex == pm.sex:
            findings.append(Finding("sex", "agrees", f"sex: both {am.sex}", WEIGHTS["sex"]))
        else:
            findings.append(Finding("sex", "conflicts", f"sex differs: {am.sex} vs {pm.sex}"))
    else:
        findings.append(Finding("sex", "unknown", "sex: not recorded on both sides"))
    findings.append(_compare_range("age", am, pm, " years", 3))
    findings.append(_compare_range("height", am, pm, " cm", 3))
    if am.date and pm.date:
        # Partial dates compare by their common prefix: "2024" is not before "2024-03".
        n = min(len(am.date), len(pm.date))
        if am.date[:n] <= pm.date[:n]:
            findings.append(
                Finding(
                    "dates",
                    "agrees",
                    f"missing since {am.date}, found {pm.date}",
                    WEIGHTS["dates"],
                )
            )
        else:
            findings.append(
                Finding("dates", "conflicts", f"found {pm.date}, before missing {am.date}")
            )
    else:
        findings.append(Finding("dates", "unknown", "dates: not recorded on both sides"))
    if am.place and pm.place:
        if place_key(am.place) and place_key(am.place) == place_key(pm.place):
            findings.append(Finding("place", "agrees", "same place", WEIGHTS["place"]))
        else:
            # Bodies are moved and front lines are long: a different place is no conflict.
            findings.append(Finding("place", "differs", "different places"))
    else:
        findings.append(Finding("place", "unknown", "place: not recorded on both sides"))
    findings.append(_compare_marks(am, pm))
    findings.append(_compare_words("dental", ("dental",), am.dental, pm.dental))
    findings.append(_compare_words("clothing", ("clothing",), am.clothing, pm.clothing))
    findings.append(_compare_words("effects", ("effect", "motif"), am.effects, pm.effects))
    return Candidate(pm.id, round(sum(f.points for f in findings), 3), tuple(findings))


def _rank(pairs: Iterable[tuple[int | str, Candidate]], limit: int) -> list[Candidate]:
    kept = [Candidate(cid, c.score, c.findings) for cid, c in pairs if not c.excluded]
    kept.sort(key=lambda c: (-c.score, str(c.id)))
    return kept[:limit]


def rank_missing_for_remains(
    remains: Profile, missing: Sequence[Profile], limit: int = 20
) -> list[Candidate]:
    """The missing persons who fit one remains record, best first, none in hard conflict."""
    return _rank(((am.id, compare(am, remains)) for am in missing), limit)


def rank_remains_for_missing(
    person: Profile, remains: Sequence[Profile], limit: int = 20
) -> list[Candidate]:
    """The remains records that fit one missing person, best first, none in hard conflict."""
    return _rank(((pm.id, compare(person, pm)) for pm in remains), limit)
