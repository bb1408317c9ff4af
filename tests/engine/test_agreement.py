"""Krippendorff's alpha and Fleiss' kappa against published examples and other implementations."""

import doctest
import importlib
import itertools

import krippendorff
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from delphi.engine import agreement

nan = np.nan

# Krippendorff K. Computing Krippendorff's alpha-reliability (2011), section C: four
# observers (rows) code twelve units (columns), with missing values.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
)


def pairwise_alpha(data, level):
    """Krippendorff's alpha straight from its definition, by enumerating value pairs.

    alpha = 1 - D_o / D_e: D_o averages delta^2 over all ordered pairs of values within a
    unit (each pair weighted 1 / (m_u - 1)), D_e over all ordered pairs of pairable values.
    Ordinal delta^2 is (sum of n_g for g from c to k - (n_c + n_k) / 2)^2 (Krippendorff 2011).
    """
    units = [column[~np.isnan(column)] for column in data.T]
    units = [values for values in units if values.size >= 2]
    pooled = np.concatenate(units)
    values, n_c = np.unique(pooled, return_counts=True)
    frequency = dict(zip(values.tolist(), n_c.tolist(), strict=True))

    def delta2(c, k):
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (c - k) ** 2
        low, high = min(c, k), max(c, k)
        between = sum(f for v, f in frequency.items() if low <= v <= high)
        return (between - (frequency[c] + frequency[k]) / 2) ** 2

    observed = sum(
        delta2(values[i], values[j]) / (values.size - 1)
        for values in units
        for i, j in itertools.permutations(range(values.size), 2)
    )
    expected = sum(
        delta2(pooled[i], pooled[j]) for i, j in itertools.permutations(range(pooled.size), 2)
    )
    n = pooled.size
    return 1 - (n - 1) * observed / expected


def test_krippendorff_published_nominal_alpha():
    # Krippendorff (2011), section C: nominal alpha = 0.743.
    result = agreement(KRIPPENDORFF_2011, level="nominal")
    assert round(float(result.krippendorff_alpha), 3) == 0.743
    assert result.n_pairable == 11  # unit 12 has a single value


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_krippendorff_example_against_two_implementations(level):
    result = agreement(KRIPPENDORFF_2011, level=level)
    expected = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011, level_of_measurement=level)
    assert result.krippendorff_alpha == pytest.approx(expected, rel=1e-12)
    assert result.krippendorff_alpha == pytest.approx(
        pairwise_alpha(KRIPPENDORFF_2011, level), rel=1e-12
    )


def test_fleiss_kappa_published_example():
    # Fleiss' kappa worked example (Wikipedia, "Fleiss' kappa"; the method of Fleiss 1971):
    # 14 raters put 10 subjects in 5 categories; P-bar = 0.378, P-bar_e = 0.213, kappa 0.210.
    table = np.array(
        [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ]
    )
    # Raters x subjects: which rater gave which category does not matter to kappa.
    ratings = np.stack([np.repeat(np.arange(1, 6), row) for row in table], axis=1)
    result = agreement(ratings)
    assert round(float(result.fleiss_kappa), 3) == 0.210
    assert result.fleiss_kappa == pytest.approx(fleiss_kappa(table), rel=1e-12)


def test_fleiss_kappa_uses_only_units_every_rater_rated():
    complete = KRIPPENDORFF_2011[:, ~np.isnan(KRIPPENDORFF_2011).any(axis=0)]
    table, _ = aggregate_raters(complete.T.astype(int))
    result = agreement(KRIPPENDORFF_2011)
    assert result.n_complete == complete.shape[1] == 8
    assert result.fleiss_kappa == pytest.approx(fleiss_kappa(table), rel=1e-12)


def test_no_variation_is_undefined_without_warnings():
    result = agreement([[3, 3, 3], [3, 3, nan]])
    assert np.isnan(result.krippendorff_alpha)
    assert np.isnan(result.fleiss_kappa)
    nothing = agreement([[nan, nan], [nan, nan]])
    assert np.isnan(nothing.krippendorff_alpha)
    assert nothing.n_pairable == 0


ratings_tables = hnp.arrays(
    float,
    st.tuples(st.integers(2, 5), st.integers(2, 10)),
    elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, nan]),
)


@given(ratings_tables, st.sampled_from(["nominal", "ordinal", "interval"]))
def test_alpha_matches_the_krippendorff_package(data, level):
    result = agreement(data, level=level)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if np.unique(data[:, pairable][~np.isnan(data[:, pairable])]).size < 2:
        assert np.isnan(result.krippendorff_alpha)
        return
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert result.krippendorff_alpha == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(ratings_tables)
def test_kappa_matches_statsmodels_on_complete_units(data):
    result = agreement(data)
    complete = data[:, ~np.isnan(data).any(axis=0)]
    if complete.shape[1] == 0 or np.unique(complete).size < 2:
        assert np.isnan(result.fleiss_kappa)
        return
    table, _ = aggregate_raters(complete.T.astype(int))
    assert result.fleiss_kappa == pytest.approx(fleiss_kappa(table), rel=1e-9, abs=1e-12)


@given(ratings_tables, st.randoms())
def test_permuting_raters_and_units_changes_nothing(data, random):
    rows, columns = list(range(data.shape[0])), list(range(data.shape[1]))
    random.shuffle(rows)
    random.shuffle(columns)
    first, second = agreement(data), agreement(data[rows][:, columns])
    # Sums taken in another order differ in the last bits, so near-zero values need an atol.
    np.testing.assert_allclose(second.krippendorff_alpha, first.krippendorff_alpha,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(second.fleiss_kappa, first.fleiss_kappa, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("ratings", "level", "message"),
    [
        ([[1, 2]], "ordinal", "at least 2 raters"),
        ([[1, 2], [1, 2]], "ratio", "level must be one of"),
        ([[1, np.inf], [1, 2]], "nominal", "not finite"),
        ([1, 2, 3], "nominal", "2-D"),
        ([["a", "b"], ["a", "a"]], "nominal", "numeric"),
    ],
)
def test_bad_input_is_named(ratings, level, message):
    with pytest.raises(ValueError, match=message):
        agreement(ratings, level=level)


def test_docstring_examples():
    module = importlib.import_module("delphi.engine.agreement")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
