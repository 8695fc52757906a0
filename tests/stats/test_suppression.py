"""Small-cell suppression: no published figure, nor any difference of published figures on a
row or column, gives away a count from 1 to 4."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kintrace.stats.suppression import (
    THRESHOLD,
    cube_disclosures,
    cube_suppression_pattern,
    disclosures,
    full_cube,
    full_grid,
    suppress,
    suppression_pattern,
)

tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda n_cols: st.lists(
        st.lists(st.integers(min_value=0, max_value=14), min_size=n_cols, max_size=n_cols),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_published_cell_or_difference_of_published_cells_reveals_a_small_count(cells):
    grid = full_grid(cells)
    hidden = suppression_pattern(grid)
    assert disclosures(grid, hidden) == []


@settings(max_examples=100, deadline=None)
@given(tables)
def test_every_published_figure_is_zero_or_at_least_the_threshold(cells):
    table = suppress(
        "t", [f"r{i}" for i in range(len(cells))], [f"c{j}" for j in range(len(cells[0]))], cells
    )
    for row in table.grid():
        for value in row:
            assert value is None or value == 0 or value >= THRESHOLD


def test_a_lone_small_cell_takes_a_complement_in_its_row_and_its_column():
    table = suppress("t", ["a", "b"], ["x", "y"], [[3, 20], [10, 30]])
    assert table.cells == ((None, None), (None, None))
    assert table.row_totals == (23, 40)
    assert table.column_totals == (13, 50)
    assert table.total == 63


def test_the_smallest_shown_cell_is_chosen_as_the_complement():
    table = suppress("t", ["a", "b"], ["x", "y", "z"], [[2, 9, 50], [7, 40, 60]])
    assert table.cells[0] == (None, None, 50)
    assert table.cells[1] == (None, None, 60)


def test_two_small_cells_whose_sum_is_small_take_a_third_so_the_row_total_does_not_give_it_away():
    grid = full_grid([[1, 2, 9, 30], [8, 8, 9, 30]])
    hidden = suppression_pattern(grid)
    assert (0, 2) in hidden
    assert disclosures(grid, hidden) == []


def test_zeros_are_published_and_large_tables_pass_unchanged():
    table = suppress("t", ["a", "b"], ["x", "y"], [[0, 12], [7, 5]])
    assert table.cells == ((0, 12), (7, 5))
    assert table.total == 24


def test_a_small_grand_total_is_withheld_with_everything_that_would_give_it_back():
    table = suppress("t", ["a"], ["x", "y"], [[1, 2]])
    assert table.total is None
    assert all(v is None for v in table.cells[0])


def test_a_negative_count_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="cannot be negative"):
        suppress("t", ["a"], ["x"], [[-1]])


cubes = st.lists(st.integers(min_value=1, max_value=3), min_size=3, max_size=4).flatmap(
    lambda shape: st.tuples(
        st.just(tuple(shape)),
        st.dictionaries(
            st.tuples(*(st.integers(min_value=0, max_value=n - 1) for n in shape)),
            st.integers(min_value=0, max_value=12),
            max_size=30,
        ),
    )
)


@settings(max_examples=200, deadline=None)
@given(cubes)
def test_no_published_entry_or_difference_along_any_line_of_a_cube_reveals_a_small_count(case):
    shape, counts = case
    cube = full_cube(list(counts.items()), shape)
    hidden = cube_suppression_pattern(cube, shape)
    assert cube_disclosures(cube, shape, hidden) == []


def test_a_cube_adds_up_its_margins_on_every_axis():
    cube = full_cube([((0, 0, 0), 7), ((1, 0, 1), 3)], (2, 1, 2))
    assert cube[(2, 1, 2)] == 10
    assert cube[(0, 1, 2)] == 7  # first row, all columns, all weeks
    assert cube[(1, 0, 2)] == 3


def test_a_small_entry_of_a_cube_is_withheld_with_a_complement_on_each_of_its_lines():
    cube = full_cube([((0, 0, 0), 3), ((0, 0, 1), 9), ((1, 0, 0), 8), ((1, 0, 1), 20)], (2, 1, 2))
    hidden = cube_suppression_pattern(cube, (2, 1, 2))
    assert (0, 0, 0) in hidden
    assert len([p for p in hidden if p[0] == 0 and p[1] == 0]) >= 2
    assert cube_disclosures(cube, (2, 1, 2), hidden) == []
