"""Small-cell suppression of stakeholder-group summaries."""

import dataclasses

import numpy as np
import pytest

from delphi.engine import GRADE_9, small_cell_suppression, summarise
from tests.engine.summary_helpers import assert_summaries_equal


def _panel():
    """Item 0: patients 5, clinicians 2, carers 4 raters; item 1: 5 / 4 / 4 (one carer and
    one clinician left item 0 or 1 unrated)."""
    ratings = np.array(
        [[7, 8]] * 5 + [[9, 9], [8, 7], [np.nan, 5], [np.nan, 6]] + [[3, 3]] * 4,
        dtype=float,
    )
    groups = ["patient"] * 5 + ["clinician"] * 4 + ["carer"] * 4
    return summarise(ratings, GRADE_9, groups=groups)


def test_primary_and_complementary_suppression():
    result = small_cell_suppression(_panel(), 3)
    # rows follow the sorted labels: carer, clinician, patient. Item 0: clinicians (n 2) are
    # hidden, so the next smallest group (carers, n 4) is hidden too; item 1: nothing.
    assert result.summary.group_labels == ("carer", "clinician", "patient")
    np.testing.assert_array_equal(result.suppressed, [[True, False], [True, False], [False, False]])


def test_complementary_suppression_skips_when_two_groups_are_already_hidden():
    result = small_cell_suppression(_panel(), 5)
    # item 0: carers 4 and clinicians 2 both < 5; item 1: both 4 < 5; patients stay shown
    np.testing.assert_array_equal(result.suppressed, [[True, True], [True, True], [False, False]])


def test_complementary_suppression_ties_take_the_first_label():
    ratings = np.array([[5]] * 1 + [[6]] * 3 + [[7]] * 3, dtype=float)
    groups = ["a"] + ["b"] * 3 + ["c"] * 3
    result = small_cell_suppression(summarise(ratings, GRADE_9, groups=groups), 2)
    np.testing.assert_array_equal(result.suppressed[:, 0], [True, True, False])


def test_two_groups_one_small_hides_both():
    ratings = np.array([[5], [6], [7], [8]], dtype=float)
    result = small_cell_suppression(summarise(ratings, GRADE_9, groups=[1, 2, 2, 2]), 2)
    np.testing.assert_array_equal(result.suppressed[:, 0], [True, True])


def test_suppressed_cells_are_blanked_and_shown_cells_unchanged():
    summary = _panel()
    result = small_cell_suppression(summary, 3)
    carer = result.summary.by_group["carer"]
    original = summary.by_group["carer"]
    for field in dataclasses.fields(carer):
        value = getattr(carer, field.name)
        if not isinstance(value, np.ndarray):
            continue
        if value.dtype == np.bool_:
            assert not value[0].any(), field.name
            np.testing.assert_array_equal(value[1], getattr(original, field.name)[1])
        else:
            assert value.dtype == np.float64, field.name
            assert np.isnan(value[0]).all(), field.name
            np.testing.assert_array_equal(value[1], getattr(original, field.name)[1])
    assert np.isnan(carer.percent["high"][0])
    assert carer.percent["low"][1] == original.percent["low"][1]
    patient = _as_float_counts(summary.by_group["patient"])
    assert_summaries_equal(result.summary.by_group["patient"], patient)


def _as_float_counts(summary):
    """The summary with its count arrays as floats, as suppression returns every group."""
    return dataclasses.replace(
        summary,
        **{
            name: getattr(summary, name).astype(float)
            for name in ("n", "n_unable", "n_missing", "counts")
        },
    )


def test_overall_statistics_are_untouched():
    summary = _panel()
    result = small_cell_suppression(summary, 3)
    assert result.summary.median is summary.median
    assert result.summary.n is summary.n


def test_input_summary_is_not_modified():
    summary = _panel()
    before = summary.by_group["clinician"].median.copy()
    small_cell_suppression(summary, 100)
    np.testing.assert_array_equal(summary.by_group["clinician"].median, before)


def test_minimum_one_hides_only_empty_cells():
    summary = summarise([[5, np.nan], [6, 7], [7, 8]], GRADE_9, groups=["a", "b", "b"])
    result = small_cell_suppression(summary, 1)
    # group a has no rating of item 1; group b alone could then be read from the total
    np.testing.assert_array_equal(result.suppressed, [[False, True], [False, True]])


def test_summary_without_groups_has_nothing_to_suppress():
    summary = summarise([[5, 6]], GRADE_9)
    result = small_cell_suppression(summary, 5)
    assert result.suppressed.shape == (0, 2)
    assert result.summary.by_group == {}


def test_single_group_is_hidden_but_cannot_be_protected():
    summary = summarise([[5], [6]], GRADE_9, groups=["a", "a"])
    result = small_cell_suppression(summary, 3)
    np.testing.assert_array_equal(result.suppressed, [[True]])


@pytest.mark.parametrize("minimum_n", [0, -1, 2.5, "3", True, None])
def test_minimum_n_must_be_a_positive_integer(minimum_n):
    with pytest.raises(ValueError, match="minimum_n must be a positive integer"):
        small_cell_suppression(_panel(), minimum_n)
