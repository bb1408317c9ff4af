"""Count tables and exact quantiles from counts, against loops and np.quantile."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from delphi.engine import GRADE_9, QUANTILE_METHODS, Scale, count_ratings, quantiles_from_counts

PROBABILITIES = [0.0, 0.25, 0.3, 0.5, 0.7, 0.75, 1.0, 0.1, 0.9, 1 / 3]


def _loop_counts(ratings, scale, groups, unable):
    """Reference table by explicit loops over items, groups and points."""
    ratings = np.asarray(ratings, dtype=float)
    labels = sorted(set(groups))
    counts = np.zeros((ratings.shape[1], len(labels), scale.n_points), int)
    missing = np.zeros(counts.shape[:2], int)
    unable_counts = np.zeros(counts.shape[:2], int)
    for p in range(ratings.shape[0]):
        g = labels.index(groups[p])
        for i in range(ratings.shape[1]):
            if unable[p, i]:
                unable_counts[i, g] += 1
            elif np.isnan(ratings[p, i]):
                missing[i, g] += 1
            else:
                counts[i, g, int(ratings[p, i]) - scale.minimum] += 1
    return labels, counts, missing, unable_counts


def test_count_table_matches_loops():
    rng = np.random.default_rng(7)
    ratings = rng.integers(1, 10, (40, 6)).astype(float)
    ratings[rng.random(ratings.shape) < 0.2] = np.nan
    unable = rng.random(ratings.shape) < 0.1
    ratings[unable & (rng.random(ratings.shape) < 0.5)] = 0  # a survey's code for "unable"
    groups = rng.choice(["patient", "clinician", "carer"], 40)
    table = count_ratings(ratings, GRADE_9, groups=groups, unable=unable)
    labels, counts, missing, unable_counts = _loop_counts(ratings, GRADE_9, groups, unable)
    assert table.group_labels == tuple(labels)
    np.testing.assert_array_equal(table.counts, counts)
    np.testing.assert_array_equal(table.n_missing, missing)
    np.testing.assert_array_equal(table.n_unable, unable_counts)


def test_count_table_without_groups_has_one_group_axis():
    table = count_ratings([[1, 2], [1, np.nan]], Scale(1, 3))
    assert table.group_labels == ()
    assert table.counts.shape == (2, 1, 3)
    np.testing.assert_array_equal(table.counts[:, 0], [[2, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(table.n_missing[:, 0], [0, 1])


def test_count_table_on_a_scale_from_zero_and_negative_scale():
    table = count_ratings([[0, -2], [2, 2]], Scale(-2, 2))
    np.testing.assert_array_equal(table.counts[:, 0], [[0, 0, 1, 0, 1], [1, 0, 0, 0, 1]])


def test_count_table_spans_several_blocks():
    # more entries than one index-building block (1 << 16), with a bad value in the last one
    ratings = np.ones((300, 400))
    table = count_ratings(ratings, GRADE_9)
    assert (table.counts[:, 0, 0] == 300).all()
    ratings[-1, -1] = 9.5
    with pytest.raises(ValueError, match=r"ratings\[299, 399\] = 9.5"):
        count_ratings(ratings, GRADE_9)


@pytest.mark.parametrize(
    ("bad", "position"),
    [
        (10.0, (1, 0)),
        (0.0, (0, 1)),
        (3.5, (1, 1)),
        (np.inf, (0, 0)),
        (-np.inf, (1, 0)),
        (1e300, (0, 1)),
        (1e-300, (1, 1)),
    ],
)
def test_count_ratings_rejects_values_off_the_scale(bad, position):
    ratings = np.full((2, 2), 4.0)
    ratings[position] = bad
    with pytest.raises(ValueError, match=rf"ratings\[{position[0]}, {position[1]}\]"):
        count_ratings(ratings, GRADE_9)


def test_count_ratings_rejects_mismatched_groups():
    with pytest.raises(ValueError, match="one label per participant"):
        count_ratings(np.ones((3, 2)), GRADE_9, groups=["a", "b"])


@pytest.mark.parametrize("method", QUANTILE_METHODS)
def test_quantiles_equal_numpy_bit_for_bit(method):
    rng = np.random.default_rng(11)
    for _ in range(60):
        values = rng.integers(1, 10, rng.integers(1, 30)).astype(float)
        counts = np.bincount(values.astype(int) - 1, minlength=9)
        got = quantiles_from_counts(counts, GRADE_9.points, PROBABILITIES, method)
        expected = np.quantile(values, PROBABILITIES, method=method)
        np.testing.assert_array_equal(got.view(np.int64), expected.view(np.int64))


@given(
    counts=st.lists(st.integers(0, 6), min_size=2, max_size=7).filter(lambda c: sum(c) > 0),
    low=st.integers(-5, 5),
    q=st.floats(0, 1),
    method=st.sampled_from(QUANTILE_METHODS),
)
def test_quantiles_equal_numpy_for_any_probability(counts, low, q, method):
    points = np.arange(low, low + len(counts), dtype=float)
    values = np.repeat(points, counts)
    got = quantiles_from_counts(counts, points, [q], method)[0]
    assert got.view(np.int64) == np.quantile(values, q, method=method).view(np.int64)


def test_quantiles_are_vectorised_over_rows_and_empty_rows_give_nan():
    counts = np.array([[0, 2, 1], [0, 0, 0], [3, 0, 0]])
    got = quantiles_from_counts(counts, [1.0, 2.0, 3.0], [0.5, 0.75])
    assert got.shape == (2, 3)
    np.testing.assert_array_equal(got[:, 0], np.quantile([2, 2, 3], [0.5, 0.75]))
    assert np.isnan(got[:, 1]).all()
    np.testing.assert_array_equal(got[:, 2], [1.0, 1.0])


def test_quantile_checks():
    with pytest.raises(ValueError, match="quantile_method 'type7' is not one of numpy's"):
        quantiles_from_counts([1, 2], [1.0, 2.0], [0.5], "type7")
    with pytest.raises(ValueError, match="probabilities in"):
        quantiles_from_counts([1, 2], [1.0, 2.0], [1.5])
    with pytest.raises(ValueError, match="probabilities in"):
        quantiles_from_counts([1, 2], [1.0, 2.0], [[0.5]])


def test_quantile_method_names_are_numpys():
    for method in QUANTILE_METHODS:
        np.quantile([1.0, 2.0], 0.5, method=method)
    assert len(QUANTILE_METHODS) == 13
