"""Kendall's W against hand-worked examples and scipy's Friedman test."""

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from delphi.engine import kendalls_w

nan = np.nan


def test_textbook_example_without_ties():
    # Three judges rank six objects (the textbook layout), worked by hand:
    # rank sums R = 8, 14, 11, 11, 11, 8 around m(n + 1)/2 = 10.5, so
    # S = 6.25 + 12.25 + 0.25 + 0.25 + 0.25 + 6.25 = 25.5 and
    # W = 12 S / (m^2 (n^3 - n)) = 306 / (9 x 210) = 0.1619; chi2 = m (n - 1) W = 2.4286.
    ranks = [[1, 6, 3, 2, 5, 4], [1, 5, 6, 4, 2, 3], [6, 3, 2, 5, 4, 1]]
    result = kendalls_w(ranks)
    assert result.w == pytest.approx(306 / 1890)
    assert result.chi2 == pytest.approx(3 * 5 * 306 / 1890)
    assert result.df == 5
    assert result.p_value == pytest.approx(scipy.stats.chi2.sf(3 * 5 * 306 / 1890, 5))
    assert result.note == ""


def test_tie_correction_worked_by_hand():
    # Kendall & Babington Smith (1939) with the tie correction of Siegel & Castellan (1988):
    # ratings (1, 1, 2, 3) -> ranks 1.5, 1.5, 3, 4 (one pair tied, T = 2^3 - 2 = 6);
    # ratings (1, 2, 3, 3) -> ranks 1, 2, 3.5, 3.5 (T = 6). R = 2.5, 3.5, 6.5, 7.5 around 5:
    # S = 6.25 + 2.25 + 2.25 + 6.25 = 17; W = 12 x 17 / (4 x 60 - 2 x 12) = 204 / 216.
    result = kendalls_w([[1, 1, 2, 3], [1, 2, 3, 3]])
    assert result.w == pytest.approx(204 / 216)
    assert result.chi2 == pytest.approx(2 * 3 * 204 / 216)


def test_partial_top_n_rankings_share_the_remaining_ranks():
    # Three raters choose 2 of 5 items. Unchosen items share the mean of ranks 3..5 = 4:
    # rows (1, 2, 4, 4, 4), (2, 1, 4, 4, 4), (1, 4, 2, 4, 4); R = 4, 7, 10, 12, 12 around 9:
    # S = 25 + 4 + 1 + 9 + 9 = 48; each rater has one tie of 3 (T = 24):
    # W = 12 x 48 / (9 x 120 - 3 x 72) = 576 / 864 = 2/3; chi2 = 3 x 4 x 2/3 = 8.
    ranks = [[1, 2, nan, nan, nan], [2, 1, nan, nan, nan], [1, nan, 2, nan, nan]]
    result = kendalls_w(ranks)
    assert result.w == pytest.approx(2 / 3)
    assert result.chi2 == pytest.approx(8)
    assert "mean of the remaining ranks" in result.note
    # Same as ranking the explicitly completed table (Friedman's test is m (n - 1) W).
    filled = [[1, 2, 4, 4, 4], [2, 1, 4, 4, 4], [1, 4, 2, 4, 4]]
    friedman = scipy.stats.friedmanchisquare(*np.array(filled, dtype=float).T)
    assert result.chi2 == pytest.approx(friedman.statistic)
    assert result.p_value == pytest.approx(friedman.pvalue)


def test_perfect_agreement_is_one_and_reversal_is_zero():
    assert kendalls_w([[1, 2, 3, 4]] * 5).w == pytest.approx(1)
    # Two opposite rankings: every rank sum is n + 1, S = 0.
    assert kendalls_w([[1, 2, 3, 4], [4, 3, 2, 1]]).w == pytest.approx(0)


def test_every_item_tied_by_every_rater_is_undefined_without_warnings():
    result = kendalls_w([[5, 5, 5], [2, 2, 2]])
    assert np.isnan(result.w)
    assert np.isnan(result.p_value)


@given(
    hnp.arrays(
        float,
        st.tuples(st.integers(2, 8), st.integers(3, 8)),
        elements=st.integers(1, 5).map(float),
    )
)
def test_chi2_equals_friedman_test_on_ratings(ratings):
    # scipy's Friedman statistic (tie-corrected) is m (n - 1) W (Kendall & Babington Smith
    # 1939); raters are its blocks, items its treatments.
    result = kendalls_w(ratings)
    ranked = scipy.stats.rankdata(ratings, axis=1)
    if np.all(ranked == ranked[:, :1]):
        assert np.isnan(result.w)
        return
    friedman = scipy.stats.friedmanchisquare(*ratings.T)
    assert result.chi2 == pytest.approx(friedman.statistic, rel=1e-10)
    assert result.p_value == pytest.approx(friedman.pvalue, rel=1e-10)
    assert 0 <= result.w <= 1 + 1e-12


@given(
    hnp.arrays(float, st.tuples(st.integers(1, 6), st.integers(2, 7)), elements=st.integers(1, 4)),
    st.randoms(),
)
def test_w_is_bounded_and_invariant_under_permutations(ratings, random):
    rows, columns = list(range(ratings.shape[0])), list(range(ratings.shape[1]))
    random.shuffle(rows)
    random.shuffle(columns)
    first = kendalls_w(ratings)
    second = kendalls_w(ratings[rows][:, columns])
    if np.isnan(first.w):
        assert np.isnan(second.w)
    else:
        assert 0 <= first.w <= 1 + 1e-12
        assert second.w == pytest.approx(first.w, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ([[1], [1]], "at least 2 items"),
        ([1, 2, 3], "2-D"),
        ([[1, np.inf]], "not finite"),
        (np.empty((0, 3)), "empty"),
    ],
)
def test_bad_input_is_named(ranks, message):
    with pytest.raises(ValueError, match=message):
        kendalls_w(ranks)
