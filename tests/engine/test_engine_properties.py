"""Property tests of the summary engine: invariances, bounds and edges (hypothesis)."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from delphi.engine import (
    QUANTILE_METHODS,
    Scale,
    small_cell_suppression,
    summarise,
    summarise_counts,
)
from tests.engine.summary_helpers import assert_summaries_equal


@st.composite
def scales(draw):
    minimum = draw(st.integers(-3, 3))
    maximum = minimum + draw(st.integers(1, 9))
    low = draw(st.integers(minimum, maximum))
    return Scale(minimum, maximum, {"band": (low, draw(st.integers(low, maximum)))})


@st.composite
def panels(draw, max_participants=12, max_items=5):
    """A scale, ratings (points or nan), group labels and unable marks of the same shape."""
    scale = draw(scales())
    shape = (draw(st.integers(1, max_participants)), draw(st.integers(1, max_items)))
    choices = st.one_of(st.sampled_from(scale.points.tolist()), st.just(np.nan))
    ratings = draw(hnp.arrays(np.float64, shape, elements=choices))
    groups = draw(hnp.arrays(np.int64, shape[0], elements=st.integers(0, 2)))
    unable = draw(hnp.arrays(np.bool_, shape, elements=st.booleans()))
    return scale, ratings, groups, unable


methods = st.sampled_from(QUANTILE_METHODS)


def _per_item_fields(summary):
    """Names of the Summary fields that hold one entry per item."""
    return [
        field.name
        for field in dataclasses.fields(summary)
        if isinstance(getattr(summary, field.name), np.ndarray)
    ]


@given(panel=panels(), method=methods, data=st.data())
def test_invariant_under_permuting_participants(panel, method, data):
    scale, ratings, groups, unable = panel
    order = data.draw(st.permutations(range(ratings.shape[0])))
    first = summarise(ratings, scale, groups=groups, unable=unable, quantile_method=method)
    second = summarise(
        ratings[order], scale, groups=groups[order], unable=unable[order], quantile_method=method
    )
    assert_summaries_equal(first, second)


@given(panel=panels(), method=methods, data=st.data())
def test_permuting_items_permutes_every_statistic(panel, method, data):
    scale, ratings, groups, unable = panel
    order = list(data.draw(st.permutations(range(ratings.shape[1]))))
    first = summarise(ratings, scale, groups=groups, unable=unable, quantile_method=method)
    second = summarise(
        ratings[:, order], scale, groups=groups, unable=unable[:, order], quantile_method=method
    )
    for name in _per_item_fields(first):
        np.testing.assert_array_equal(getattr(first, name)[order], getattr(second, name))
    for band, values in first.percent.items():
        np.testing.assert_array_equal(values[order], second.percent[band])


@given(panel=panels(), method=methods)
def test_counts_path_equals_raw_path(panel, method):
    scale, ratings, groups, unable = panel
    labels = np.unique(groups)
    rated = np.where(unable, np.nan, ratings)
    counts = np.stack(
        [
            np.stack([(rated[groups == g] == point).sum(axis=0) for point in scale.points], -1)
            for g in labels
        ],
        axis=1,
    )
    n_unable = np.stack([unable[groups == g].sum(axis=0) for g in labels], axis=1)
    n_missing = np.stack(
        [(np.isnan(ratings) & ~unable)[groups == g].sum(axis=0) for g in labels], axis=1
    )
    from_counts = summarise_counts(
        counts, scale, n_unable=n_unable, n_missing=n_missing, groups=labels.tolist(),
        quantile_method=method,
    )
    raw = summarise(ratings, scale, groups=groups, unable=unable, quantile_method=method)
    assert_summaries_equal(from_counts, raw)


@given(panel=panels(), method=methods)
def test_bounds_and_bookkeeping(panel, method):
    scale, ratings, groups, unable = panel
    summary = summarise(ratings, scale, groups=groups, unable=unable, quantile_method=method)
    for part in (summary, *summary.by_group.values()):
        rated = part.n > 0
        assert ((part.consensus[rated] >= 0) & (part.consensus[rated] <= 1)).all()
        assert (part.rwg[part.n > 1] <= 1).all()
        assert (part.sd[part.n > 1] >= 0).all()
        assert ((part.percent["band"][rated] >= 0) & (part.percent["band"][rated] <= 100)).all()
        assert (part.q1[rated] <= part.median[rated]).all()
        assert (part.median[rated] <= part.q3[rated]).all()
        assert (part.p30[rated] <= part.p70[rated]).all()
        assert ((part.median[rated] >= scale.minimum) & (part.median[rated] <= scale.maximum)).all()
        assert (part.modes.sum(axis=1)[rated] >= 1).all()
        assert not part.modes[~rated].any()
        np.testing.assert_array_equal(part.counts.sum(axis=1), part.n)
    assert (summary.n + summary.n_unable + summary.n_missing == ratings.shape[0]).all()


@given(panel=panels(max_participants=20, max_items=3), method=methods)
def test_quantiles_equal_numpy_on_the_raw_ratings(panel, method):
    scale, ratings, _, unable = panel
    summary = summarise(ratings, scale, unable=unable, quantile_method=method)
    for item in range(ratings.shape[1]):
        values = ratings[~np.isnan(ratings[:, item]) & ~unable[:, item], item]
        if values.size == 0:
            continue
        expected = np.quantile(values, [0.25, 0.5, 0.75, 0.3, 0.7], method=method)
        got = [summary.q1[item], summary.median[item], summary.q3[item], summary.p30[item],
               summary.p70[item]]
        np.testing.assert_array_equal(np.array(got).view(np.int64), expected.view(np.int64))


@given(
    scale=scales(),
    share=st.integers(1, 6),
    method=methods,
)
def test_half_at_each_extreme_has_zero_consensus(scale, share, method):
    # Tastle & Wierman 2007: the maximum dissention distribution has consensus exactly 0
    ratings = np.array([[scale.minimum]] * share + [[scale.maximum]] * share, dtype=float)
    assert summarise(ratings, scale, quantile_method=method).consensus[0] == 0


@given(scale=scales(), value=st.data(), n=st.integers(1, 8))
def test_identical_ratings(scale, value, n):
    point = value.draw(st.sampled_from(scale.points.tolist()))
    summary = summarise(np.full((n, 2), point), scale)
    assert (summary.median == point).all() and (summary.iqr == 0).all()
    assert (summary.consensus == 1).all()
    if n > 1:
        assert (summary.sd == 0).all() and (summary.rwg == 1).all()
    else:
        assert np.isnan(summary.sd).all() and np.isnan(summary.rwg).all()


@given(panel=panels(max_participants=1))
def test_single_participant_is_defined(panel):
    scale, ratings, groups, unable = panel
    summary = summarise(ratings, scale, groups=groups, unable=unable)
    assert np.isnan(summary.sd).all()
    assert (summary.n <= 1).all()


@given(panel=panels())
def test_all_missing_is_defined(panel):
    scale, ratings, groups, unable = panel
    summary = summarise(np.full(ratings.shape, np.nan), scale, groups=groups, unable=unable)
    assert (summary.n == 0).all()
    assert np.isnan(summary.median).all() and np.isnan(summary.consensus).all()
    assert not summary.disagreement.any() and not summary.modes.any()


@given(
    panel=panels(),
    bad=st.one_of(
        st.floats(allow_nan=False).filter(lambda x: x != int(x) if np.isfinite(x) else True),
        st.integers(-20, 20).map(float),
    ),
    data=st.data(),
)
def test_every_value_is_a_point_nan_or_a_clear_error(panel, bad, data):
    scale, ratings, groups, _ = panel
    row = data.draw(st.integers(0, ratings.shape[0] - 1))
    column = data.draw(st.integers(0, ratings.shape[1] - 1))
    ratings = ratings.copy()
    ratings[row, column] = bad
    if scale.minimum <= bad <= scale.maximum and bad == int(bad):
        summary = summarise(ratings, scale, groups=groups)
        assert summary.n[column] >= 1
    else:
        with pytest.raises(ValueError, match=r"ratings\[\d+, \d+\] = .* is not a point"):
            summarise(ratings, scale, groups=groups)


@given(panel=panels(), minimum_n=st.integers(1, 6))
def test_suppression_never_leaves_a_single_hidden_group(panel, minimum_n):
    scale, ratings, groups, unable = panel
    summary = summarise(ratings, scale, groups=groups, unable=unable)
    result = small_cell_suppression(summary, minimum_n)
    hidden = result.suppressed.sum(axis=0)
    n = np.array([summary.by_group[label].n for label in summary.group_labels])
    assert ((n < minimum_n) <= result.suppressed).all()
    if len(summary.group_labels) > 1:
        assert (hidden != 1).all()
    for row, label in enumerate(summary.group_labels):
        assert np.isnan(result.summary.by_group[label].median[result.suppressed[row]]).all()
