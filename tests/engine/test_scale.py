"""Scales and the shared input checks."""

import numpy as np
import pytest

from delphi.engine import GRADE_9, LIKERT_5, Scale, validate_groups, validate_ratings
from delphi.engine.scale import as_panel, validate_unable


def test_grade_scale_points_and_bands():
    # COMET Handbook (Williamson et al. 2017): 1-3 limited importance, 4-6 important, 7-9 critical
    assert GRADE_9.points.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert GRADE_9.n_points == 9
    assert GRADE_9.midpoint == 5
    assert GRADE_9.width == 8
    assert dict(GRADE_9.bands) == {"low": (1, 3), "mid": (4, 6), "high": (7, 9)}


def test_likert_scale():
    assert LIKERT_5.n_points == 5
    assert LIKERT_5.midpoint == 3
    assert dict(LIKERT_5.bands)["agree"] == (4, 5)


def test_scale_without_bands_and_with_numpy_integers():
    scale = Scale(np.int64(0), np.int32(10))
    assert scale.n_points == 11
    assert type(scale.minimum) is int
    assert dict(scale.bands) == {}


def test_scales_compare_and_hash_by_value():
    first = Scale(1, 9, {"high": (7, 9)})
    second = Scale(1, 9, {"high": [7, 9]})
    assert first == second
    assert hash(first) == hash(second)
    assert first != Scale(1, 9)


def test_bands_are_read_only():
    with pytest.raises(TypeError):
        GRADE_9.bands["new"] = (1, 2)


@pytest.mark.parametrize(
    ("minimum", "maximum", "bands", "message"),
    [
        (1, 1, None, "greater than its minimum"),
        (9, 1, None, "greater than its minimum"),
        (1.5, 9, None, "scale minimum must be an integer, got 1.5"),
        (1, "9", None, "scale maximum must be an integer"),
        (True, 9, None, "scale minimum must be an integer, got True"),
        (1, 9, {"high": (7, 10)}, r"band 'high' = \(7, 10\)"),
        (1, 9, {"high": (9, 7)}, r"band 'high' = \(9, 7\)"),
        (1, 9, {"high": (7.5, 9)}, "band 'high' low end must be an integer"),
        (1, 9, {"high": (7, 8, 9)}, "must be \\(low, high\\)"),
        (1, 9, {"": (7, 9)}, "non-empty strings"),
        (1, 9, [(7, 9)], "bands must map band names"),
    ],
)
def test_bad_scales_are_rejected(minimum, maximum, bands, message):
    with pytest.raises(ValueError, match=message):
        Scale(minimum, maximum, {} if bands is None else bands)


def test_validate_ratings_accepts_points_and_nan():
    ratings = [[1, np.nan, 9], [5, 5, 5]]
    values = validate_ratings(ratings, GRADE_9)
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, np.array(ratings, dtype=float))


def test_validate_ratings_accepts_integer_arrays():
    values = validate_ratings(np.array([[1, 2], [3, 4]], dtype=np.int8), GRADE_9)
    assert values.dtype == np.float64


@pytest.mark.parametrize(
    ("bad", "shown"),
    [(10.0, "10.0"), (0.0, "0.0"), (7.5, "7.5"), (np.inf, "inf"), (-np.inf, "-inf"), (-3, "-3.0")],
)
def test_validate_ratings_names_the_bad_value(bad, shown):
    ratings = np.full((3, 4), 5.0)
    ratings[2, 1] = bad
    with pytest.raises(ValueError, match=rf"ratings\[2, 1\] = {shown} is not a point"):
        validate_ratings(ratings, GRADE_9)


def test_validate_ratings_ignores_and_blanks_unable_entries():
    # a survey's own code for "unable to score" (0 here) may be left in place
    values = validate_ratings([[7, 0], [9, 0]], GRADE_9, unable=[[False, True], [False, True]])
    np.testing.assert_array_equal(values, [[7, np.nan], [9, np.nan]])


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([1, 2, 3], "must be participants x items"),
        ([[[1]]], "must be participants x items"),
        (np.empty((0, 3)), "the panel is empty"),
        (np.empty((3, 0)), "the panel is empty"),
        ([["7", "8"]], "must be numeric"),
        ([[True, False]], "must be numeric"),
        ([[1 + 2j]], "must be numeric"),
    ],
)
def test_bad_rating_shapes_and_types(ratings, message):
    with pytest.raises(ValueError, match=message):
        validate_ratings(ratings, GRADE_9)


def test_as_panel_does_not_copy_float_input():
    ratings = np.ones((2, 2))
    assert as_panel(ratings) is ratings


def test_validate_unable():
    np.testing.assert_array_equal(validate_unable([[1, 0]], (1, 2)), [[True, False]])
    with pytest.raises(ValueError, match="unable must be True/False, got 2"):
        validate_unable([[2, 0]], (1, 2))
    with pytest.raises(ValueError, match=r"unable must have the ratings' shape \(2, 2\)"):
        validate_unable([[True, False]], (2, 2))


def test_validate_groups_sorts_labels():
    labels, index = validate_groups(np.array([3, 1, 3, 2]), 4)
    assert labels == (1, 2, 3)
    assert index.tolist() == [2, 0, 2, 1]
    assert all(type(label) is int for label in labels)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (["a", "b"], r"one label per participant \(3\)"),
        ([1.0, np.nan, 2.0], r"missing label \(nan\)"),
        (np.array(["a", None, "b"], dtype=object), r"missing label \(None\)"),
        (np.array(["a", 1, "b"], dtype=object), "mutually comparable"),
    ],
)
def test_bad_groups(groups, message):
    with pytest.raises(ValueError, match=message):
        validate_groups(groups, 3)
