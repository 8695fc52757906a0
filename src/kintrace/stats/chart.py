"""Geometry of the timeline chart: published weekly counts per fate, and claimed totals as
labelled marks on the same axes. Pure numbers; the template draws the SVG.

A withheld week breaks its line instead of being drawn as zero, so the chart never suggests a
figure it does not publish. Claims are drawn where their day falls and at their own height:
the gap to the verified line is visible and left unexplained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kintrace.stats.figures import FATES, iso_week
from kintrace.stats.suppression import PublishedTable

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48
# Colour-blind-safe (Okabe–Ito), one per fate in FATES order.
COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#000000", "#0072B2", "#D55E00", "#CC79A7")


@dataclass(frozen=True, slots=True)
class Line:
    fate: str
    colour: str
    segments: tuple[str, ...]  # SVG polyline "x,y x,y" strings, broken at withheld weeks
    points: tuple[tuple[float, float, int], ...]


@dataclass(frozen=True, slots=True)
class ClaimMark:
    x: float
    y: float
    figure: int
    claimant: str
    claimed_on: date
    fate: str
    verified_total: int | None  # the published total of that fate, all weeks


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: int
    lines: tuple[Line, ...]
    claims: tuple[ClaimMark, ...]
    weeks: tuple[tuple[float, str], ...]  # x and label of each tick
    y_ticks: tuple[tuple[float, int], ...]
    baseline: float


def _nice_ceiling(value: int) -> int:
    if value <= 5:
        return 5
    step = 10 ** (len(str(value)) - 1)
    return ((value + step - 1) // step) * step


def timeline(by_week: PublishedTable, claims: Sequence[object]) -> Timeline:
    """The chart of ``by_week`` (fates × weeks) with ``claims`` (rows of claimed_total)."""
    weeks = list(by_week.column_labels)
    claim_weeks = {iso_week(c.claimed_on) for c in claims}  # type: ignore[attr-defined]
    axis = sorted(set(weeks) | claim_weeks)
    highest = max(
        [v for row in by_week.cells for v in row if v is not None]
        + [int(c.figure) for c in claims]  # type: ignore[attr-defined]
        + [1]
    )
    top = _nice_ceiling(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(axis) - 1, 1)
    xs = {week: LEFT + i * step for i, week in enumerate(axis)}

    def y_of(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    lines = []
    for i, fate in enumerate(FATES):
        row = dict(zip(weeks, by_week.cells[i], strict=True))
        segments: list[str] = []
        current: list[str] = []
        points = []
        for week in axis:
            value = row.get(week, 0)
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            x, y = round(xs[week], 1), y_of(value)
            current.append(f"{x},{y}")
            points.append((x, y, value))
        if current:
            segments.append(" ".join(current))
        if any(p[2] for p in points) or any(v is None for v in by_week.cells[i]):
            lines.append(Line(fate, COLOURS[i], tuple(segments), tuple(points)))
    totals = dict(zip(FATES, by_week.row_totals, strict=True))
    marks = tuple(
        ClaimMark(
            x=round(xs[iso_week(c.claimed_on)], 1),  # type: ignore[attr-defined]
            y=y_of(int(c.figure)),  # type: ignore[attr-defined]
            figure=int(c.figure),  # type: ignore[attr-defined]
            claimant=str(c.claimant),  # type: ignore[attr-defined]
            claimed_on=c.claimed_on,  # type: ignore[attr-defined]
            fate=str(c.fate),  # type: ignore[attr-defined]
            verified_total=totals.get(str(c.fate)),  # type: ignore[attr-defined]
        )
        for c in claims
    )
    every = max(1, len(axis) // 8)
    ticks = tuple((round(xs[w], 1), w) for w in axis[::every])
    y_ticks = tuple((y_of(v), v) for v in (0, top // 2, top))
    return Timeline(WIDTH, HEIGHT, tuple(lines), marks, ticks, y_ticks, y_of(0))
