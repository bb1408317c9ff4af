"""Round-to-round stability and attrition bias against scipy, statsmodels and numpy."""

import doctest
import importlib

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from statsmodels.stats.multitest import multipletests

from delphi.engine import (
    GRADE_9,
    LIKERT_5,
    Scale,
    attrition_bias,
    holm,
    stability,
    stability_counts,
)
from delphi.engine.signed_rank import signed_rank_test

nan = np.nan
ZERO_METHODS = ["wilcox", "pratt", "zsplit"]
METHODS = ["auto", "exact", "asymptotic"]


def two_rounds(seed, n_participants, n_items, scale=GRADE_9, missing=0.15, drift=2):
    """Seeded paired rounds: current = previous moved by up to ``drift`` points."""
    rng = np.random.default_rng(seed)
    previous = rng.integers(scale.minimum, scale.maximum + 1, (n_participants, n_items))
    moved = previous + rng.integers(-drift, drift + 1, previous.shape) * (rng.random() < 0.9)
    current = np.clip(moved + rng.integers(0, 2, (1, n_items)), scale.minimum, scale.maximum)
    previous, current = previous.astype(float), current.astype(float)
    previous[rng.random(previous.shape) < missing] = nan
    current[rng.random(current.shape) < missing] = nan
    return previous, current


def pairs(previous, current, item):
    both = ~np.isnan(previous[:, item]) & ~np.isnan(current[:, item])
    return previous[both, item], current[both, item]


# --- Wilcoxon: equal to scipy.stats.wilcoxon on the paired values ---------------------------


@pytest.mark.parametrize("zero_method", ZERO_METHODS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n_participants", [6, 12, 40, 90])
def test_wilcoxon_equals_scipy(zero_method, method, n_participants):
    # 6 and 12 pairs: scipy's "auto" enumerates the sign flips; 40: exact or asymptotic;
    # 90: asymptotic. Items whose differences are all zero are undefined (checked below).
    previous, current = two_rounds(n_participants, n_participants, 8)
    result = stability(previous, current, GRADE_9, zero_method=zero_method, method=method)
    for item in range(8):
        before, after = pairs(previous, current, item)
        assert result.n_paired[item] == before.size
        if not np.any(after != before):
            continue
        expected = scipy.stats.wilcoxon(after, before, zero_method=zero_method, method=method)
        assert result.wilcoxon_statistic[item] == pytest.approx(expected.statistic, rel=1e-12)
        assert result.wilcoxon_p[item] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


@given(
    hnp.arrays(int, st.integers(1, 30), elements=st.integers(-4, 4)),
    st.sampled_from(ZERO_METHODS),
    st.sampled_from(METHODS),
)
def test_signed_rank_from_counts_equals_scipy(differences, zero_method, method):
    if not differences.any():
        return
    counts = np.bincount(differences + 4, minlength=9)[None]
    statistic, p = signed_rank_test(counts, zero_method, method)
    expected = scipy.stats.wilcoxon(
        differences.astype(float), zero_method=zero_method, method=method
    )
    assert statistic[0] == pytest.approx(expected.statistic, rel=1e-12)
    assert p[0] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_tie_free_small_panel_uses_the_exact_distribution():
    # Differences +1, -2, +3, +4, +5, +6 (no ties, no zeros): "auto" is exact. By hand the
    # ranks are 1..6, R- = 2 and R+ = 19. Of the 2^6 sign patterns, R+ >= 19 when the
    # negative ranks sum to at most 2: none, {1} or {2}, 3 patterns; two-sided p = 2 x 3/64.
    before = np.array([[1.0], [5.0], [1.0], [1.0], [1.0], [1.0]])
    after = before + np.array([[1], [-2], [3], [4], [5], [6]])
    result = stability(before, after, GRADE_9)
    assert result.wilcoxon_statistic[0] == 2
    assert result.wilcoxon_p[0] == 6 / 64
    expected = scipy.stats.wilcoxon(after[:, 0], before[:, 0])
    assert result.wilcoxon_p[0] == pytest.approx(expected.pvalue, rel=1e-12)


@pytest.mark.parametrize("zero_method", ZERO_METHODS)
def test_no_change_or_no_pairs_gives_nan_without_warnings(zero_method):
    previous = np.array([[5.0, 3.0], [6.0, nan], [7.0, 2.0]])
    current = np.array([[5.0, nan], [6.0, 4.0], [7.0, nan]])
    result = stability(previous, current, GRADE_9, zero_method=zero_method)
    assert_array_equal(result.n_paired, [3, 0])
    assert result.percent_changed[0] == 0
    assert np.isnan(result.wilcoxon_p).all()
    assert np.isnan(result.wilcoxon_statistic).all()
    assert np.isnan(result.percent_changed[1])
    assert np.isnan(result.delta_iqr[1])


# --- descriptive change, on the pairs -------------------------------------------------------


def test_descriptive_change_equals_direct_computation_on_the_pairs():
    previous, current = two_rounds(7, 60, 15)
    result = stability(previous, current, GRADE_9, quantile_method="hazen")
    for item in range(15):
        before, after = pairs(previous, current, item)
        assert result.percent_changed[item] == pytest.approx(100 * np.mean(after != before))
        assert result.mean_abs_change[item] == pytest.approx(np.mean(np.abs(after - before)))
        iqr = np.subtract(*np.quantile(after, [0.75, 0.25], method="hazen"))
        iqr -= np.subtract(*np.quantile(before, [0.75, 0.25], method="hazen"))
        assert result.delta_iqr[item] == pytest.approx(iqr, abs=1e-12)
        for band, (low, high) in GRADE_9.bands.items():
            share = 100 * (np.mean((after >= low) & (after <= high)))
            share -= 100 * (np.mean((before >= low) & (before <= high)))
            assert result.delta_percent[band][item] == pytest.approx(share, abs=1e-12)


def test_transition_counts_give_the_same_result_as_ratings():
    previous, current = two_rounds(3, 25, 8, scale=LIKERT_5)
    from_ratings = stability(previous, current, LIKERT_5, zero_method="pratt")
    table = np.zeros((8, 5, 5), dtype=int)
    for item in range(8):
        for before, after in zip(*pairs(previous, current, item), strict=True):
            table[item, int(before) - 1, int(after) - 1] += 1
    from_counts = stability_counts(table, LIKERT_5, zero_method="pratt")
    assert_array_equal(from_counts.transitions, from_ratings.transitions)
    for name in ["n_paired", "percent_changed", "mean_abs_change", "wilcoxon_p", "delta_iqr"]:
        assert_array_equal(getattr(from_counts, name), getattr(from_ratings, name), err_msg=name)


@given(st.integers(0, 10_000), st.randoms())
def test_permuting_participants_and_items(seed, random):
    previous, current = two_rounds(seed, 15, 4)
    rows, columns = list(range(15)), list(range(4))
    random.shuffle(rows)
    random.shuffle(columns)
    first = stability(previous, current, GRADE_9)
    second = stability(previous[rows][:, columns], current[rows][:, columns], GRADE_9)
    assert_array_equal(second.n_paired, first.n_paired[columns])
    assert_allclose(second.wilcoxon_p, first.wilcoxon_p[columns], rtol=1e-12)
    assert_allclose(second.delta_iqr, first.delta_iqr[columns], rtol=1e-12)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"current": np.ones((3, 2))}, "same participants x items shape"),
        ({"current": np.full((4, 2), 10.0)}, "not a point"),
        ({"zero_method": "exclude"}, "zero_method"),
        ({"method": "permutation"}, "method"),
        ({"quantile_method": "type7"}, "quantile_method"),
    ],
)
def test_bad_input_is_named(arguments, message):
    call = {"previous": np.ones((4, 2)), "current": np.ones((4, 2)), "scale": GRADE_9}
    with pytest.raises(ValueError, match=message):
        stability(**(call | arguments))


def test_bad_transition_tables_are_named():
    with pytest.raises(ValueError, match="items x 9 x 9"):
        stability_counts(np.zeros((2, 5, 5)), GRADE_9)
    with pytest.raises(ValueError, match="non-negative integer"):
        stability_counts(-np.ones((1, 9, 9)), GRADE_9)


# --- attrition bias -------------------------------------------------------------------------


def test_attrition_bias_equals_scipy_and_statsmodels():
    rng = np.random.default_rng(11)
    first_round = rng.integers(1, 10, (70, 10)).astype(float)
    first_round[rng.random(first_round.shape) < 0.1] = nan
    stayed = rng.random(70) < 0.6
    first_round[stayed, 0] = np.clip(first_round[stayed, 0] + 3, 1, 9)  # one biased item
    result = attrition_bias(first_round, stayed, GRADE_9)
    assert result.top_band == "high"
    for item in range(10):
        kept = first_round[stayed, item][~np.isnan(first_round[stayed, item])]
        gone = first_round[~stayed, item][~np.isnan(first_round[~stayed, item])]
        assert result.n_stayed[item] == kept.size
        assert result.n_left[item] == gone.size
        assert result.median_difference[item] == np.median(kept) - np.median(gone)
        in_kept, in_gone = np.sum(kept >= 7), np.sum(gone >= 7)
        percent = 100 * in_kept / kept.size - 100 * in_gone / gone.size
        assert result.percent_difference[item] == pytest.approx(percent, abs=1e-12)
        mann_whitney = scipy.stats.mannwhitneyu(kept, gone, alternative="two-sided")
        assert result.mann_whitney_p[item] == pytest.approx(mann_whitney.pvalue, rel=1e-12)
        table = [[in_kept, kept.size - in_kept], [in_gone, gone.size - in_gone]]
        assert result.fisher_p[item] == scipy.stats.fisher_exact(table).pvalue
    for raw, adjusted in [
        ("mann_whitney_p", "mann_whitney_p_adjusted"),
        ("fisher_p", "fisher_p_adjusted"),
    ]:
        expected = multipletests(getattr(result, raw), method="holm")[1]
        assert_allclose(getattr(result, adjusted), expected, rtol=1e-12)
    assert result.mann_whitney_p[0] < 0.05  # the item whose stayers were shifted up by 3


def test_attrition_small_tie_free_groups_use_scipys_exact_test():
    # Stayers 9, 8, 7 and leavers 1, 2: no ties and groups of at most 8 -> exact U test.
    first_round = np.array([[9.0], [8.0], [7.0], [1.0], [2.0]])
    stayed = np.array([True, True, True, False, False])
    result = attrition_bias(first_round, stayed, GRADE_9)
    expected = scipy.stats.mannwhitneyu([9, 8, 7], [1, 2], alternative="two-sided")
    assert result.mann_whitney_p[0] == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.median_difference[0] == 8 - 1.5


def test_attrition_items_without_one_group_are_nan_and_skipped_by_holm():
    first_round = np.array([[7.0, 5.0], [8.0, 6.0], [9.0, nan], [3.0, nan]])
    stayed = np.array([True, True, False, False])
    result = attrition_bias(first_round, stayed, GRADE_9)
    assert_array_equal(result.n_left, [2, 0])
    assert np.isnan(result.median_difference[1])
    assert np.isnan(result.mann_whitney_p[1])
    assert np.isnan(result.fisher_p_adjusted[1])
    # One p-value: Holm leaves it as it is.
    assert result.fisher_p_adjusted[0] == result.fisher_p[0]


def test_attrition_per_item_mask_and_top_band_choice():
    # A 2-D mask marks completion per item. The top band is the one reaching highest; of
    # bands sharing the top point, the narrowest ("top" 5-5 before "upper" 4-5).
    scale = Scale(1, 5, {"upper": (4, 5), "top": (5, 5), "low": (1, 2)})
    first_round = np.array([[5.0, 4.0], [4.0, 5.0], [1.0, 2.0]])
    mask = np.array([[True, False], [True, True], [False, False]])
    result = attrition_bias(first_round, mask, scale)
    assert result.top_band == "top"
    assert_array_equal(result.n_stayed, [2, 1])
    # Item 0: stayers 5, 4 (50 % rate 5), leaver 1 (0 %); item 1: stayer 5 (100 %), leavers
    # 4, 2 (0 %).
    assert_array_equal(result.percent_difference, [50, 100])


def test_holm_equals_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.001, 0.04])
    assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-15)


@pytest.mark.parametrize(
    ("mask", "scale", "message"),
    [
        ([True, False], GRADE_9, "one entry per participant"),
        ([1, 0, 2], GRADE_9, "True/False, got 2"),
        ([True, False, True], Scale(1, 9), "needs a scale with bands"),
    ],
)
def test_attrition_bad_input_is_named(mask, scale, message):
    with pytest.raises(ValueError, match=message):
        attrition_bias(np.ones((3, 2)), mask, scale)


@pytest.mark.parametrize("name", ["delphi.engine.stability", "delphi.engine.signed_rank"])
def test_docstring_examples(name):
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0
