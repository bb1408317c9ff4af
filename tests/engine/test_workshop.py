"""Sum of ranks at the final workshop (JLA Guidebook, chapter 8): hand-worked, against scipy
and plain Python, and properties (hypothesis)."""

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from scipy import stats

from delphi.engine import WorkshopTotals, sum_of_ranks

# Four small groups rank six questions Q0-Q5 (row = group, column = question, 1 = most
# important). Group 0 keeps the listed order; groups 1-3 put Q0 fourth.
WORKSHOP = [
    [1, 2, 3, 4, 5, 6],
    [4, 1, 2, 3, 6, 5],
    [4, 1, 2, 3, 5, 6],
    [4, 1, 2, 3, 5, 6],
]


def test_hand_worked_workshop():
    result = sum_of_ranks(WORKSHOP, top=3)
    assert isinstance(result, WorkshopTotals)
    # Totals, column by column:
    # Q0 1+4+4+4 = 13, Q1 2+1+1+1 = 5, Q2 3+2+2+2 = 9, Q3 4+3+3+3 = 13,
    # Q4 5+6+5+5 = 21, Q5 6+5+6+6 = 23.
    assert_array_equal(result.totals, [13, 5, 9, 13, 21, 23])
    # Mean rank = total / 4 groups.
    assert_array_equal(result.mean_rank, [3.25, 1.25, 2.25, 3.25, 5.25, 5.75])
    # Lowest total first: Q1 (5), Q2 (9), Q0 and Q3 (13, index order), Q4 (21), Q5 (23).
    assert_array_equal(result.order, [1, 2, 0, 3, 4, 5])
    # Q0 and Q3 share third place; Q4 is fifth (four items have a lower total).
    assert_array_equal(result.position, [3, 1, 2, 3, 5, 6])
    # Span = highest - lowest rank: Q0 4-1 = 3, Q1 2-1 = 1, Q2 3-2 = 1, Q3 4-3 = 1,
    # Q4 6-5 = 1, Q5 6-5 = 1.
    assert_array_equal(result.span, [3, 1, 1, 1, 1, 1])
    # Contested when 3 x span >= 6 items: only Q0 (9 >= 6); the others give 3 < 6.
    assert_array_equal(result.contested, [True, False, False, False, False, False])
    # Top 3: order[2] = Q0 and order[3] = Q3 both total 13, so the tie straddles the boundary
    # and both are flagged for the room; neither is dropped or put first by the engine.
    assert result.boundary_ties == (0, 3)
    assert result.top == 3


def test_no_boundary_tie_when_the_tie_is_inside_the_top_list():
    # Top 4 takes both Q0 and Q3 (totals 13); order[3] = Q3 (13) and order[4] = Q4 (21) differ.
    assert sum_of_ranks(WORKSHOP, top=4).boundary_ties == ()
    # Top 2: order[1] = Q2 (9) and order[2] = Q0 (13) differ.
    assert sum_of_ranks(WORKSHOP, top=2).boundary_ties == ()


def test_a_boundary_tie_of_three_items():
    # Totals Q0 1+1 = 2, Q1 2+4 = 6, Q2 3+3 = 6, Q3 4+2 = 6: Q1-Q3 share second place, so for
    # a top 2 all three are tied across the boundary.
    result = sum_of_ranks([[1, 2, 3, 4], [1, 4, 3, 2]], top=2)
    assert_array_equal(result.position, [1, 2, 2, 2])
    assert result.boundary_ties == (1, 2, 3)


def test_default_top_is_ten():
    # Twelve items, one group: its own ranks. Items ranked 10 and 11 have different totals.
    result = sum_of_ranks([list(range(1, 13))])
    assert result.top == 10
    assert result.boundary_ties == ()


@st.composite
def workshops(draw, max_groups=6, max_items=14):
    """A groups x items table whose rows are permutations of 1..I."""
    n_items = draw(st.integers(1, max_items))
    n_groups = draw(st.integers(1, max_groups))
    rows = [draw(st.permutations(range(1, n_items + 1))) for _ in range(n_groups)]
    return np.array(rows, dtype=np.int64)


tops = st.integers(1, 16)


@given(ranks=workshops(), top=tops)
def test_against_scipy_and_plain_python(ranks, top):
    result = sum_of_ranks(ranks, top=top)
    n_groups, n_items = ranks.shape
    totals = [sum(int(ranks[g, i]) for g in range(n_groups)) for i in range(n_items)]
    assert result.totals.tolist() == totals
    assert result.mean_rank.tolist() == [total / n_groups for total in totals]
    assert result.position.tolist() == stats.rankdata(totals, method="min").tolist()
    assert result.order.tolist() == sorted(range(n_items), key=lambda i: (totals[i], i))
    spans = [max(ranks[:, i]) - min(ranks[:, i]) for i in range(n_items)]
    assert result.span.tolist() == spans
    assert result.contested.tolist() == [3 * span >= n_items for span in spans]
    assert result.top == top


@given(ranks=workshops(), top=tops, data=st.data())
def test_permuting_the_groups_changes_nothing(ranks, top, data):
    groups = data.draw(st.permutations(range(ranks.shape[0])))
    first = sum_of_ranks(ranks, top=top)
    second = sum_of_ranks(ranks[list(groups)], top=top)
    for name in ("totals", "mean_rank", "position", "order", "span", "contested"):
        assert_array_equal(getattr(first, name), getattr(second, name))
    assert first.boundary_ties == second.boundary_ties


@given(ranks=workshops(), top=tops, data=st.data())
def test_relabelling_items_permutes_the_outputs(ranks, top, data):
    items = list(data.draw(st.permutations(range(ranks.shape[1]))))
    first = sum_of_ranks(ranks, top=top)
    second = sum_of_ranks(ranks[:, items], top=top)
    for name in ("totals", "mean_rank", "position", "span", "contested"):
        assert_array_equal(getattr(first, name)[items], getattr(second, name))
    # New item j is old item items[j]. Orders agree up to the index order inside ties, so
    # compare the totals along each order and the tied sets at the boundary.
    assert_array_equal(first.totals[first.order], second.totals[second.order])
    assert sorted(items[j] for j in second.boundary_ties) == list(first.boundary_ties)


@given(ranks=workshops(max_groups=1), top=tops)
def test_with_one_group_the_position_is_the_groups_rank(ranks, top):
    result = sum_of_ranks(ranks, top=top)
    assert_array_equal(result.position, ranks[0])
    assert_array_equal(result.totals, ranks[0])
    assert not result.span.any()
    assert result.boundary_ties == ()


@given(ranks=workshops(), top=tops)
def test_boundary_ties(ranks, top):
    result = sum_of_ranks(ranks, top=top)
    n_items = ranks.shape[1]
    if n_items <= top:
        assert result.boundary_ties == ()
        return
    ties = result.boundary_ties
    assert len({int(result.totals[i]) for i in ties}) <= 1
    cut = result.totals[result.order[top - 1]]
    straddles = cut == result.totals[result.order[top]]
    assert bool(ties) == straddles
    if ties:
        assert list(ties) == sorted(ties)
        assert set(ties) == set(np.flatnonzero(result.totals == cut).tolist())
        assert result.order[top - 1] in ties and result.order[top] in ties


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ([1, 2, 3], r"ranks must be groups x items \(2-D\), got shape \(3,\)"),
        (np.ones((2, 2, 2)), r"ranks must be groups x items \(2-D\), got shape \(2, 2, 2\)"),
        (np.empty((0, 4)), r"ranks has no groups \(rows\), got shape \(0, 4\)"),
        (np.empty((3, 0)), r"ranks has no items \(columns\), got shape \(3, 0\)"),
        ([[1, 2, 2]], r"group 0 gives rank 2 to more than one item: .* permutation of 1 to 3"),
        ([[1, 2, 3], [3, 1, 3]], r"group 1 gives rank 3 to more than one item"),
        ([[1, 2, 4]], r"ranks\[0, 2\] = 4 is outside 1 to 3: .* permutation of 1 to 3"),
        ([[0, 1, 2]], r"ranks\[0, 0\] = 0 is outside 1 to 3"),
        ([[1, 2.5, 3]], r"ranks\[0, 1\] = 2.5 is not a whole number"),
        ([[1, 2], [np.nan, 1]], r"ranks\[1, 0\] = nan is not a whole number"),
        ([[1, np.inf]], r"ranks\[0, 1\] = inf is not a whole number"),
        ([["1", "2"]], r"ranks must be whole numbers \(rank positions\), got dtype <U1"),
        ([[True, False]], r"ranks must be whole numbers .* got dtype bool"),
        ([[1, 2], [1]], r"ranks must be a rectangular groups x items table"),
    ],
)
def test_bad_ranks_are_named(ranks, message):
    with pytest.raises(ValueError, match=message):
        sum_of_ranks(ranks)


@pytest.mark.parametrize("top", [0, -1, 2.0, "10", True, None])
def test_top_must_be_a_positive_integer(top):
    with pytest.raises(ValueError, match=rf"top must be a positive integer, got {top!r}"):
        sum_of_ranks(WORKSHOP, top=top)


def test_whole_floats_and_numpy_integers_are_accepted():
    as_floats = sum_of_ranks(np.array(WORKSHOP, dtype=float), top=np.int64(3))
    assert as_floats.totals.dtype == np.int64
    assert_array_equal(as_floats.totals, sum_of_ranks(WORKSHOP, top=3).totals)
    assert as_floats.top == 3 and type(as_floats.top) is int


def test_docstring_examples():
    module = importlib.import_module("delphi.engine.workshop")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
