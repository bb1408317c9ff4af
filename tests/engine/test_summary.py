"""Round summaries against published worked examples and independent implementations."""

import collections
import math

import numpy as np
import pytest
import scipy.stats

from delphi.engine import GRADE_9, LIKERT_5, QUANTILE_METHODS, Scale, summarise, summarise_counts
from tests.engine.summary_helpers import assert_summaries_equal


def _column(values):
    """One item rated by each value in ``values`` (a participants x 1 array)."""
    return np.asarray(values, dtype=float)[:, None]


# --- published worked examples -------------------------------------------------------------


def test_ipras_matches_published_example():
    # BMJ Open 2012;2:e001431, Table 1: P30 7, P70 8 -> IPR 1, IPRCP 7.5, AI 2.5,
    # IPRAS 2.35 + 1.5 x 2.5 = 6.1, no disagreement. Six 7s and four 8s give P30 7, P70 8.
    summary = summarise(_column([7] * 6 + [8] * 4), GRADE_9)
    assert summary.p30[0] == 7
    assert summary.p70[0] == 8
    assert summary.ipr[0] == 1
    assert summary.ipras[0] == pytest.approx(6.1)
    assert not summary.disagreement[0]


def test_ipras_of_a_polarised_panel_flags_disagreement():
    # Fitch et al. 2001 (RAND/UCLA manual) definition worked by hand: five 1s and five 9s,
    # linear P30 at v = 2.7 is 1, P70 at v = 6.3 is 9: IPR 8, IPRCP 5, AI 0, IPRAS 2.35 < 8.
    summary = summarise(_column([1] * 5 + [9] * 5), GRADE_9)
    assert summary.ipr[0] == 8
    assert summary.ipras[0] == pytest.approx(2.35)
    assert summary.disagreement[0]


def test_tastle_wierman_extremes():
    # Tastle & Wierman 2007 (Int J Approx Reason 45:531-545): half the mass at each end of a
    # 5-point scale gives consensus 0; all mass at one point gives 1. By hand: mean 3,
    # |X - mean| / d_X = 2 / 4, log2(1/2) = -1, so 1 + 0.5(-1) + 0.5(-1) = 0.
    split = summarise(_column([1, 1, 5, 5]), LIKERT_5)
    assert split.consensus[0] == 0
    same = summarise(_column([4, 4, 4]), LIKERT_5)
    assert same.consensus[0] == 1


def test_tastle_wierman_uniform_and_adjacent_examples():
    # Tastle & Wierman 2007 definition worked by hand on the 5-point scale (d_X = 4):
    # uniform 1..5: 1 + 0.2 (2 log2(1/2) + 2 log2(3/4) + 0) = 0.6 + 0.4 log2(0.75) ~ 0.434;
    # half at 2 and half at 4: 1 + log2(3/4) = log2(1.5) ~ 0.585.
    uniform = summarise(_column([1, 2, 3, 4, 5]), LIKERT_5)
    assert uniform.consensus[0] == pytest.approx(0.6 + 0.4 * math.log2(0.75))
    assert uniform.consensus[0] == pytest.approx(0.434, abs=5e-4)
    adjacent = summarise(_column([2, 4]), LIKERT_5)
    assert adjacent.consensus[0] == pytest.approx(math.log2(1.5))


def test_tastle_wierman_uses_the_scale_width_not_the_observed_range():
    # Only 4 and 5 used on a 1-5 scale: d_X = 4 (not 1), mean 4.5,
    # 1 + 2 x 0.5 log2(1 - 0.5 / 4) = 1 + log2(7/8).
    summary = summarise(_column([4, 5]), LIKERT_5)
    assert summary.consensus[0] == pytest.approx(1 + math.log2(7 / 8))


def test_rwg_matches_james_demaree_wolf_definition():
    # James, Demaree & Wolf 1984: rwg = 1 - s^2 / sigma2_EU, sigma2_EU = (A^2 - 1) / 12.
    # 5-point scale: sigma2_EU = 24 / 12 = 2; ratings 4, 4, 5, 5: s^2 = 1 / 3, rwg = 5 / 6.
    summary = summarise(_column([4, 4, 5, 5]), LIKERT_5)
    assert summary.rwg[0] == pytest.approx(5 / 6)


def test_rwg_is_raw_and_may_be_negative():
    # 9-point: sigma2_EU = 80 / 12; 1, 1, 9, 9 has s^2 = 64 / 3, so rwg = 1 - 3.2 = -2.2.
    summary = summarise(_column([1, 1, 9, 9]), GRADE_9)
    assert summary.rwg[0] == pytest.approx(-2.2)


def test_comet_percentages_are_exact_at_the_70_percent_boundary():
    # COMET Handbook / Harman 2013: >= 70 % rating 7-9. 7 of 10 must be exactly 70.0,
    # and 1 of 10 exactly 10.0 (it is compared with < 15 %).
    summary = summarise(_column([7, 8, 9, 7, 8, 9, 7, 5, 4, 2]), GRADE_9)
    assert summary.percent["high"][0] == 70.0
    assert summary.percent["mid"][0] == 20.0
    assert summary.percent["low"][0] == 10.0


# --- independent implementations ---------------------------------------------------------


def _reference(values, scale, method):
    """Each statistic of one item's ratings, from numpy/scipy on the raw values."""
    a = scale.n_points
    mean = np.mean(values)
    q1, median, q3, p30, p70 = np.quantile(values, [0.25, 0.5, 0.75, 0.3, 0.7], method=method)
    tally = collections.Counter(values.tolist())
    top = max(tally.values())
    return {
        "n": values.size,
        "mean": mean,
        "sd": np.std(values, ddof=1),
        "cv": scipy.stats.variation(values, ddof=1),
        "median": median,
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "p30": p30,
        "p70": p70,
        "ipr": p70 - p30,
        "ipras": 2.35 + 1.5 * abs(scale.midpoint - (p30 + p70) / 2),
        "rwg": 1 - np.var(values, ddof=1) / ((a**2 - 1) / 12),
        # Tastle & Wierman as a mean over raters rather than a sum over categories
        "consensus": 1 + np.mean(np.log2(1 - np.abs(values - mean) / scale.width)),
        "modes": [tally.get(point, 0) == top for point in scale.points.tolist()],
        "percent": {
            band: 100 * np.mean((values >= low) & (values <= high))
            for band, (low, high) in scale.bands.items()
        },
    }


@pytest.mark.parametrize("method", QUANTILE_METHODS)
def test_statistics_match_numpy_and_scipy(method):
    rng = np.random.default_rng(3)
    ratings = rng.integers(1, 10, (25, 8)).astype(float)
    ratings[rng.random(ratings.shape) < 0.3] = np.nan
    summary = summarise(ratings, GRADE_9, quantile_method=method)
    assert summary.quantile_method == method
    for item in range(ratings.shape[1]):
        values = ratings[~np.isnan(ratings[:, item]), item]
        expected = _reference(values, GRADE_9, method)
        for name in ("median", "q1", "q3", "p30", "p70", "iqr", "ipr", "mean", "n"):
            assert getattr(summary, name)[item] == expected[name], name
        for name in ("sd", "cv", "rwg", "consensus", "ipras"):
            assert getattr(summary, name)[item] == pytest.approx(expected[name]), name
        assert summary.modes[item].tolist() == expected["modes"]
        for band, percent in expected["percent"].items():
            assert summary.percent[band][item] == pytest.approx(percent)


def test_groups_are_summarised_like_separate_panels():
    rng = np.random.default_rng(5)
    ratings = rng.integers(1, 10, (30, 4)).astype(float)
    ratings[rng.random(ratings.shape) < 0.2] = np.nan
    groups = rng.choice(["patient", "clinician"], 30)
    summary = summarise(ratings, GRADE_9, groups=groups)
    assert summary.group_labels == ("clinician", "patient")
    assert list(summary.by_group) == ["clinician", "patient"]
    for label in summary.group_labels:
        alone = summarise(ratings[groups == label], GRADE_9)
        assert_summaries_equal(summary.by_group[label], alone)
    np.testing.assert_array_equal(
        summary.n, summary.by_group["clinician"].n + summary.by_group["patient"].n
    )


def test_unable_to_score_is_counted_but_not_a_denominator():
    # Column 0: 7, 8, unable (coded 0), nan -> n 2, n_unable 1, n_missing 1, 100 % rate 7-9
    ratings = np.array([[7, 1], [8, 1], [0, 9], [np.nan, np.nan]])
    unable = np.array([[False, False], [False, False], [True, False], [False, True]])
    summary = summarise(ratings, GRADE_9, unable=unable)
    assert summary.n.tolist() == [2, 3]
    assert summary.n_unable.tolist() == [1, 1]
    assert summary.n_missing.tolist() == [1, 0]
    assert summary.percent["high"].tolist() == [100.0, pytest.approx(100 / 3)]
    assert summary.median.tolist() == [7.5, 1.0]


def test_an_unable_entry_with_nan_counts_as_unable_not_missing():
    summary = summarise([[np.nan], [5]], GRADE_9, unable=[[True], [False]])
    assert (summary.n_unable[0], summary.n_missing[0], summary.n[0]) == (1, 0, 1)


def test_single_rating_has_no_spread():
    # ddof = 1 leaves the SD of one rating undefined: sd, cv and rwg are nan.
    summary = summarise([[6, 2]], GRADE_9)
    assert summary.median.tolist() == [6, 2]
    assert summary.mean.tolist() == [6, 2]
    assert np.isnan(summary.sd).all() and np.isnan(summary.cv).all()
    assert np.isnan(summary.rwg).all()
    assert summary.consensus.tolist() == [1, 1]
    assert summary.ipr.tolist() == [0, 0]


def test_item_without_ratings_gives_nan_not_warnings():
    summary = summarise([[np.nan, 7], [np.nan, 8]], GRADE_9)
    assert summary.n.tolist() == [0, 2]
    assert summary.n_missing.tolist() == [2, 0]
    for name in ("mean", "sd", "median", "q1", "q3", "iqr", "p30", "p70", "ipr", "ipras", "cv"):
        assert np.isnan(getattr(summary, name)[0]), name
    assert np.isnan(summary.consensus[0]) and np.isnan(summary.rwg[0])
    assert all(np.isnan(percent[0]) for percent in summary.percent.values())
    assert not summary.modes[0].any()
    assert not summary.disagreement[0]


def test_all_identical_ratings():
    summary = summarise(np.full((12, 3), 8.0), GRADE_9)
    assert summary.sd.tolist() == [0, 0, 0]
    assert summary.iqr.tolist() == [0, 0, 0]
    assert summary.consensus.tolist() == [1, 1, 1]
    assert summary.rwg.tolist() == [1, 1, 1]
    assert summary.cv.tolist() == [0, 0, 0]
    assert summary.modes[:, 7].all() and summary.modes.sum() == 3


def test_multimodal_items_report_every_mode():
    summary = summarise(_column([2, 2, 8, 8, 5]), GRADE_9)
    assert np.flatnonzero(summary.modes[0]).tolist() == [1, 7]


def test_cv_is_nan_when_the_mean_is_zero():
    summary = summarise(_column([-1, 1]), Scale(-2, 2))
    assert summary.mean[0] == 0
    assert np.isnan(summary.cv[0])


def test_ipras_uses_the_scale_midpoint_off_the_1_to_9_scale():
    # Generalisation (documented): AI = |midpoint - IPRCP|; the 1-5 midpoint is 3.
    summary = summarise(_column([5, 5, 5]), LIKERT_5)
    assert summary.ipras[0] == pytest.approx(2.35 + 1.5 * 2)


def test_summary_arrays_are_read_only():
    summary = summarise(_column([1, 2]), GRADE_9, groups=["a", "b"])
    with pytest.raises(ValueError, match="read-only"):
        summary.median[0] = 5
    with pytest.raises(ValueError, match="read-only"):
        summary.by_group["a"].percent["high"][0] = 5


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        (np.empty((0, 4)), "the panel is empty"),
        (np.empty((4, 0)), "the panel is empty"),
        ([7, 8, 9], "participants x items"),
        ([[7, 10]], r"ratings\[0, 1\] = 10.0 is not a point of the 1-9 scale"),
        ([[7.5]], r"ratings\[0, 0\] = 7.5"),
    ],
)
def test_summarise_rejects_bad_input(ratings, message):
    with pytest.raises(ValueError, match=message):
        summarise(ratings, GRADE_9)


def test_summarise_rejects_unknown_quantile_method_and_mismatched_groups():
    with pytest.raises(ValueError, match="quantile_method 'R7'"):
        summarise([[7]], GRADE_9, quantile_method="R7")
    with pytest.raises(ValueError, match="one label per participant"):
        summarise([[7], [8]], GRADE_9, groups=["a"])
    with pytest.raises(ValueError, match="unable must have the ratings' shape"):
        summarise([[7], [8]], GRADE_9, unable=[True, False])


def test_entirely_unrated_panel_is_defined():
    summary = summarise(np.full((3, 2), np.nan), GRADE_9)
    assert summary.n.tolist() == [0, 0]
    assert summary.n_missing.tolist() == [3, 3]
    assert np.isnan(summary.median).all()


# --- the count-table path --------------------------------------------------------------------


def test_counts_path_equals_raw_path_with_groups_in_any_order():
    rng = np.random.default_rng(9)
    ratings = rng.integers(1, 10, (50, 5)).astype(float)
    ratings[rng.random(ratings.shape) < 0.15] = np.nan
    unable = rng.random(ratings.shape) < 0.05
    groups = rng.choice(["b", "a", "c"], 50)
    raw = summarise(ratings, GRADE_9, groups=groups, unable=unable, quantile_method="hazen")
    labels = ["c", "a", "b"]  # as a database might return them
    counts = np.zeros((5, 3, 9), int)
    n_unable = np.zeros((5, 3), int)
    n_missing = np.zeros((5, 3), int)
    for g, label in enumerate(labels):
        rows = groups == label
        block = np.where(unable[rows], np.nan, ratings[rows])
        for k, point in enumerate(range(1, 10)):
            counts[:, g, k] = (block == point).sum(axis=0)
        n_unable[:, g] = unable[rows].sum(axis=0)
        n_missing[:, g] = (np.isnan(ratings[rows]) & ~unable[rows]).sum(axis=0)
    from_counts = summarise_counts(
        counts, GRADE_9, n_unable=n_unable, n_missing=n_missing, groups=labels,
        quantile_method="hazen",
    )
    assert_summaries_equal(from_counts, raw)
    assert from_counts == raw


def test_summaries_compare_by_value():
    first = summarise(_column([7, np.nan]), GRADE_9, groups=["a", "b"])
    assert first == summarise(_column([7, np.nan]), GRADE_9, groups=["a", "b"])
    assert first != summarise(_column([8, np.nan]), GRADE_9, groups=["a", "b"])
    assert first != summarise(_column([7, np.nan]), GRADE_9)
    assert first != "a summary"
    with pytest.raises(TypeError):
        hash(first)


def test_counts_path_without_groups():
    summary = summarise_counts([[0, 0, 0, 0, 0, 0, 6, 4, 0]], GRADE_9, n_unable=[2])
    assert_summaries_equal(summary, summarise(_column([7] * 6 + [8] * 4 + [np.nan] * 2),
                                              GRADE_9, unable=_column([0] * 10 + [1] * 2) > 0))


def test_counts_may_be_integer_valued_floats():
    summary = summarise_counts(np.array([[1.0, 0.0, 2.0, 0.0, 0.0]]), LIKERT_5)
    assert summary.counts.dtype == np.int64
    assert summary.median[0] == 3


@pytest.mark.parametrize(
    ("counts", "kwargs", "message"),
    [
        ([[1, 2, 3]], {}, r"items x 9 points"),
        (np.zeros((0, 9)), {}, "no items"),
        (np.zeros((2, 2, 2, 9)), {}, "items x 9 points"),
        ([[1, -1, 0, 0, 0, 0, 0, 0, 0]], {}, "non-negative integers, got -1"),
        ([[1, 0.5, 0, 0, 0, 0, 0, 0, 0]], {}, "non-negative integers, got 0.5"),
        ([[1, np.nan, 0, 0, 0, 0, 0, 0, 0]], {}, "non-negative integers, got nan"),
        ([["1"] * 9], {}, "numeric counts"),
        (np.ones((2, 2, 9)), {}, "needs its group labels"),
        (np.ones((2, 9)), {"groups": ["a"]}, "has no groups axis"),
        (np.ones((2, 2, 9)), {"groups": ["a", "a"]}, "must be distinct"),
        (np.ones((2, 2, 9)), {"groups": ["a"]}, r"one label per entry of the groups axis \(2\)"),
        (np.ones((2, 9)), {"n_unable": [1]}, r"n_unable must have shape \(2,\)"),
        (np.ones((2, 9)), {"n_missing": [1, -2]}, "n_missing must be non-negative"),
        (np.ones((2, 9)), {"quantile_method": "sorted"}, "quantile_method 'sorted'"),
    ],
)
def test_summarise_counts_rejects_bad_tables(counts, kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarise_counts(counts, GRADE_9, **kwargs)
