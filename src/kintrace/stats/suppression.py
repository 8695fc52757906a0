"""Small-cell disclosure control for published two-way tables (issue 8 item 3).

A published table is a grid of counts with its row totals, column totals and grand total. We
hold it as one (rows + 1) × (columns + 1) grid whose last row and last column are the totals, so
every row and every column of the grid is one *line*: entries that add up to the line's last
entry. An outsider who reads the published entries of a line can recover the sum of its hidden
ones, so:

* primary suppression hides every entry (cells and totals alike) from 1 to 4;
* complementary suppression then makes every line hide either nothing or at least two entries,
  and, where the line's total is shown, hide a sum of 0 or at least 5 — otherwise "total minus
  the shown cells" would give the hidden count back. Extra entries are the smallest non-zero
  shown entries of the offending line, and the rules are applied again until nothing changes.

Zeros are shown. A zero tells nobody anything about a person who exists; hiding zeros would
hide most of a sparse weekly table and add no protection, and a hidden zero would be a useless
complement (it adds nothing to a hidden sum).

Pure Python: no database, no web framework.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

THRESHOLD = 5  # the smallest count that may be published


@dataclass(frozen=True, slots=True)
class PublishedTable:
    """A table after suppression: ``None`` wherever a figure is withheld.

    ``cells[i][j]`` is row i, column j; ``row_totals[i]``, ``column_totals[j]`` and ``total``
    are the margins. Labels are the published categories, never anything about a person.
    """

    name: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None

    def grid(self) -> list[list[int | None]]:
        """Cells with totals as the last row and column, as the suppression works on them."""
        rows = [[*row, rt] for row, rt in zip(self.cells, self.row_totals, strict=True)]
        rows.append([*self.column_totals, self.total])
        return rows

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form; withheld figures are null."""
        return {
            "name": self.name,
            "rows": list(self.row_labels),
            "columns": list(self.column_labels),
            "cells": [list(r) for r in self.cells],
            "row_totals": list(self.row_totals),
            "column_totals": list(self.column_totals),
            "total": self.total,
            "threshold": THRESHOLD,
        }


def full_grid(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The counts with row totals appended to each row and a totals row appended at the end."""
    n_cols = len(cells[0]) if cells else 0
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(row[j] for row in grid) for j in range(n_cols + 1)])
    return grid


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    """Every row and column of the grid as positions; the last position is the line's total."""
    rows = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    cols = [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return rows + cols


def _is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


def suppression_pattern(
    grid: Sequence[Sequence[int]], forced: Iterable[tuple[int, int]] = ()
) -> set[tuple[int, int]]:
    """Positions of ``grid`` (cells plus totals, see ``full_grid``) that must be withheld.

    ``forced`` positions are withheld whatever their value: a total another table of the same
    release withholds must be withheld here too, or this table would give it back.
    """
    n_rows = len(grid)
    n_cols = len(grid[0]) if n_rows else 0
    hidden = set(forced) | {
        (i, j) for i in range(n_rows) for j in range(n_cols) if _is_small(grid[i][j])
    }
    lines = _lines(n_rows, n_cols)
    changed = True
    while changed:
        changed = False
        for line in lines:
            extra = _complement_needed(grid, line, hidden)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return hidden


def _complement_needed(
    grid: Sequence[Sequence[int]], line: list[tuple[int, int]], hidden: set[tuple[int, int]]
) -> tuple[int, int] | None:
    """One more position to hide in ``line``, or None when the line is safe as it stands."""
    hidden_here = [p for p in line if p in hidden]
    if not hidden_here:
        return None
    total_pos = line[-1]
    hidden_sum = sum(grid[i][j] for i, j in hidden_here if (i, j) != total_pos)
    recoverable_small = total_pos not in hidden and _is_small(hidden_sum)
    if len(hidden_here) >= 2 and not recoverable_small:
        return None
    shown = [p for p in line if p not in hidden]
    # Smallest non-zero shown entry first: it costs the least information. Prefer a cell to the
    # total on a tie, so the totals people quote stay published where possible.
    candidates = sorted(
        (p for p in shown if grid[p[0]][p[1]] > 0),
        key=lambda p: (grid[p[0]][p[1]], p == total_pos, p),
    )
    if not candidates:
        candidates = shown
    return candidates[0] if candidates else None


def suppress(
    name: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[int]],
    hidden_row_totals: Iterable[int] = (),
    forced: Iterable[tuple[int, int]] = (),
) -> PublishedTable:
    """Publish ``cells`` (rows × columns of counts) with small figures and their complements
    withheld; ``hidden_row_totals`` lists rows whose total must be withheld anyway (the row
    count itself stands for the grand total), ``forced`` any grid position (``full_grid``
    coordinates) another table of the same release withholds."""
    if len(cells) != len(row_labels) or any(len(r) != len(column_labels) for r in cells):
        raise ValueError(
            "The table's counts do not have one row per row label and one column per column label."
        )
    if any(v < 0 for r in cells for v in r):
        raise ValueError("A count in a published table cannot be negative.")
    grid = full_grid(cells) if cells else [[0] * (len(column_labels) + 1)]
    n_rows, n_cols = len(row_labels), len(column_labels)
    # Row index n_rows is the totals row, so hiding its total hides the grand total.
    forced_here = [(i, n_cols) for i in hidden_row_totals if 0 <= i <= n_rows]
    forced_here += [(i, j) for i, j in forced if 0 <= i <= n_rows and 0 <= j <= n_cols]
    hidden = suppression_pattern(grid, forced_here)
    shown: list[list[int | None]] = [
        [None if (i, j) in hidden else v for j, v in enumerate(row)] for i, row in enumerate(grid)
    ]
    return PublishedTable(
        name=name,
        row_labels=tuple(row_labels),
        column_labels=tuple(column_labels),
        cells=tuple(tuple(r[:-1]) for r in shown[:-1]),
        row_totals=tuple(r[-1] for r in shown[:-1]),
        column_totals=tuple(shown[-1][:-1]),
        total=shown[-1][-1],
    )


def disclosures(grid: Sequence[Sequence[int]], hidden: set[tuple[int, int]]) -> list[str]:
    """Every way an outsider could read a count from 1 to 4 off one line of the published grid.

    Empty when the pattern is safe. Used by the tests and as a guard before publishing.
    """
    found: list[str] = []
    n_rows = len(grid)
    n_cols = len(grid[0]) if n_rows else 0
    for i in range(n_rows):
        for j in range(n_cols):
            if (i, j) not in hidden and _is_small(grid[i][j]):
                found.append(f"entry ({i}, {j}) is published with a small count")
    for line in _lines(n_rows, n_cols):
        hidden_here = [p for p in line if p in hidden]
        if len(hidden_here) == 1:
            found.append(f"line ending at {line[-1]} hides one entry, recoverable by subtraction")
        total_pos = line[-1]
        if total_pos not in hidden:
            shown_cells = sum(grid[i][j] for i, j in line[:-1] if (i, j) not in hidden)
            difference = grid[total_pos[0]][total_pos[1]] - shown_cells
            if _is_small(difference):
                found.append(f"line ending at {total_pos}: total minus shown cells is small")
    return found


# --- Tables of more than two dimensions (the 4-way fate × party × region × week table) -------
#
# The same rules, one dimension up. A table of d dimensions is held as a "cube" whose every axis
# ends with a total position (index -1 of that axis), so entry (f, p, total, total) is the
# fate × party margin. A *line* is every 1-D slice along one axis: its entries add up to its
# last one. Primary and complementary suppression run line by line exactly as for two
# dimensions; a worklist re-checks only the lines through a newly hidden entry, so a cube of
# tens of thousands of entries is suppressed in well under a second.

Position = tuple[int, ...]


def full_cube(counts: Sequence[tuple[Position, int]], shape: Sequence[int]) -> dict[Position, int]:
    """Every entry of the cube with totals, from the counts of its inner cells.

    ``shape`` is the number of categories on each axis (without totals); entries not listed are
    zero and left out of the returned dict, so a sparse cube stays small.
    """
    cube: dict[Position, int] = {}
    d = len(shape)
    for position, value in counts:
        if value < 0:
            raise ValueError("A count in a published table cannot be negative.")
        if value == 0:
            continue
        # Every total the cell adds to: each subset of axes replaced by its total position.
        for mask in range(1 << d):
            target = tuple(shape[a] if mask >> a & 1 else position[a] for a in range(d))
            cube[target] = cube.get(target, 0) + value
    return cube


def _cube_lines_through(position: Position, shape: Sequence[int]) -> list[tuple[int, Position]]:
    return [(axis, (*position[:axis], 0, *position[axis + 1 :])) for axis in range(len(shape))]


def _cube_line(line: tuple[int, Position], shape: Sequence[int]) -> list[Position]:
    axis, anchor = line
    return [(*anchor[:axis], k, *anchor[axis + 1 :]) for k in range(shape[axis] + 1)]


def cube_suppression_pattern(
    cube: dict[Position, int], shape: Sequence[int], forced: Iterable[Position] = ()
) -> set[Position]:
    """Entries of ``cube`` (from ``full_cube``) that must be withheld; zeros are shown.

    ``forced`` entries are withheld whatever their value (another published table hides them).
    """
    hidden = set(forced) | {p for p, v in cube.items() if _is_small(v)}
    work = {line for p in hidden for line in _cube_lines_through(p, shape)}
    while work:
        line = work.pop()
        positions = _cube_line(line, shape)
        extra = _cube_complement_needed(cube, positions, hidden)
        if extra is not None:
            hidden.add(extra)
            work.update(_cube_lines_through(extra, shape))
    return hidden


def _cube_complement_needed(
    cube: dict[Position, int], line: list[Position], hidden: set[Position]
) -> Position | None:
    hidden_here = [p for p in line if p in hidden]
    if not hidden_here:
        return None
    total_pos = line[-1]
    hidden_sum = sum(cube.get(p, 0) for p in hidden_here if p != total_pos)
    recoverable_small = total_pos not in hidden and _is_small(hidden_sum)
    if len(hidden_here) >= 2 and not recoverable_small:
        return None
    shown = [p for p in line if p not in hidden]
    candidates = sorted(
        (p for p in shown if cube.get(p, 0) > 0),
        key=lambda p: (cube.get(p, 0), p == total_pos, p),
    )
    if not candidates:
        candidates = shown
    return candidates[0] if candidates else None


def cube_disclosures(
    cube: dict[Position, int], shape: Sequence[int], hidden: set[Position]
) -> list[str]:
    """``disclosures`` for a cube: every way to read a count from 1 to 4 off one of its lines."""
    found = [f"entry {p} is published with a small count" for p, v in cube.items() if
             p not in hidden and _is_small(v)]  # fmt: skip
    lines = {line for p in cube for line in _cube_lines_through(p, shape)}
    lines |= {line for p in hidden for line in _cube_lines_through(p, shape)}
    for line in lines:
        positions = _cube_line(line, shape)
        hidden_here = [p for p in positions if p in hidden]
        if len(hidden_here) == 1:
            found.append(f"line {line} hides one entry, recoverable by subtraction")
        total_pos = positions[-1]
        if total_pos not in hidden:
            shown = sum(cube.get(p, 0) for p in positions[:-1] if p not in hidden)
            if _is_small(cube.get(total_pos, 0) - shown):
                found.append(f"line {line}: total minus shown entries is small")
    return found


@dataclass(frozen=True, slots=True)
class PublishedCube:
    """A table of several dimensions after suppression, as rows of labels and a count.

    Only entries that are not zero (or are withheld) are listed: an entry not listed is a
    published zero. ``None`` is a withheld figure; the label ``total`` marks a margin.
    """

    name: str
    axes: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    entries: tuple[tuple[tuple[str, ...], int | None], ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "axes": list(self.axes),
            "categories": {
                a: list(labels) for a, labels in zip(self.axes, self.labels, strict=True)
            },
            "entries": [[*key, value] for key, value in self.entries],
            "threshold": THRESHOLD,
        }


def publish_cube(
    name: str,
    axes: Sequence[str],
    labels: Sequence[Sequence[str]],
    cube: dict[Position, int],
    hidden: set[Position],
) -> PublishedCube:
    """The cube's entries by label, withheld ones as None (``hidden`` from the pattern)."""

    def named(position: Position) -> tuple[str, ...]:
        return tuple(
            "total" if k == len(labels[a]) else labels[a][k] for a, k in enumerate(position)
        )

    entries = sorted(
        (named(p), None if p in hidden else cube.get(p, 0)) for p in set(cube) | hidden
    )
    return PublishedCube(name, tuple(axes), tuple(tuple(x) for x in labels), tuple(entries))
