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
) -> PublishedTable:
    """Publish ``cells`` (rows × columns of counts) with small figures and their complements
    withheld; ``hidden_row_totals`` lists rows whose total must be withheld anyway (the row
    count itself stands for the grand total)."""
    if len(cells) != len(row_labels) or any(len(r) != len(column_labels) for r in cells):
        raise ValueError(
            "The table's counts do not have one row per row label and one column per column label."
        )
    if any(v < 0 for r in cells for v in r):
        raise ValueError("A count in a published table cannot be negative.")
    grid = full_grid(cells) if cells else [[0] * (len(column_labels) + 1)]
    n_rows, n_cols = len(row_labels), len(column_labels)
    # Row index n_rows is the totals row, so hiding its total hides the grand total.
    forced = [(i, n_cols) for i in hidden_row_totals if 0 <= i <= n_rows]
    hidden = suppression_pattern(grid, forced)
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
