"""Wilcoxon signed-rank test for many items at once, from counts of paired differences.

On a scale of A integer points a paired difference takes one of 2A - 1 values, so the whole
test (ranks of the absolute differences with ties averaged, the rank sums and the p-value)
follows from how often each difference occurs. This reproduces ``scipy.stats.wilcoxon``
(two-sided, no continuity correction) without a call per item.
"""

import numpy as np
from scipy import special

ZERO_METHODS = ("wilcox", "pratt", "zsplit")
WILCOXON_METHODS = ("auto", "exact", "asymptotic")
AUTO_EXACT_LIMIT = 50
"""scipy's "auto" tests more than this many pairs asymptotically."""
AUTO_PERMUTATION_LIMIT = 13
"""scipy's "auto" enumerates all sign flips for up to this many pairs with ties or zeros."""


def signed_rank_test(difference_counts, zero_method="wilcox", method="auto"):
    r"""Two-sided Wilcoxon signed-rank statistic and p-value per row of difference counts.

    Parameters
    ----------
    difference_counts : array_like of int, shape (items, 2A - 1)
        ``difference_counts[i, j]`` pairs of item ``i`` whose difference is ``j - (A - 1)``.
    zero_method : {"wilcox", "pratt", "zsplit"}
        As ``scipy.stats.wilcoxon``: drop zero differences; rank them but drop their ranks
        (Pratt 1959); or rank them and split their ranks between the two sums.
    method : {"auto", "exact", "asymptotic"}
        As ``scipy.stats.wilcoxon``. "auto" follows scipy 1.17: more than 50 pairs →
        asymptotic; no ties and no zeros → exact; up to 13 pairs → all :math:`2^n` sign flips
        enumerated (scipy's permutation test); otherwise asymptotic.

    Returns
    -------
    statistic, p_value : numpy.ndarray
        ``min(R+, R-)`` and the two-sided p-value; both NaN where there is nothing to test:
        no pairs, or every difference zero (where scipy warns and returns NaN under "wilcox"
        and "pratt", and reports p = 1 under "zsplit").

    Notes
    -----
    With :math:`t_a` differences of absolute value :math:`a` among the ranked ones, those
    differences share the rank :math:`\sum_{b<a} t_b + (t_a + 1)/2`;
    :math:`R^\pm` sums the ranks of the positive / negative differences. Normal approximation
    (Wilcoxon 1945; ties as Hollander, Wolfe & Chicken 2014; zeros under "pratt" as Cureton
    1967), with :math:`n` ranked differences (all pairs for "pratt" and "zsplit") and
    :math:`z_0` zeros:

    .. math::

        \mu = \frac{n(n+1)}{4} - [\text{pratt}]\frac{z_0(z_0+1)}{4}, \quad
        \sigma^2 = \frac{n(n+1)(2n+1) - [\text{pratt}]\, z_0(z_0+1)(2z_0+1)
                   - \tfrac12 \sum_{a} (t_a^3 - t_a)}{24},

        p = 2\,\Phi(-|R^+ - \mu| / \sigma),

    the tie sum leaving out the zeros under "pratt". The exact null distribution of
    :math:`R^+` is that of a sum of independently included ranks (1 … n untied for
    "exact"; the actual tied ranks of the non-zero differences for the sign-flip
    enumeration), found by convolution.

    Examples
    --------
    Differences -1, +1, +2, +2 on a 1-3 scale (A = 3, columns for -2 … +2): ranks 1.5, 1.5,
    3.5, 3.5, so R+ = 8.5 and R- = 1.5; ties and 4 pairs make "auto" enumerate the 16 sign
    flips, of which 3 give R+ ≥ 8.5 (all four, 10, and the two leaving out one 1.5), so
    p = 2 × 3/16.

    >>> statistic, p = signed_rank_test([[0, 1, 0, 1, 2]])
    >>> statistic.tolist(), p.tolist()
    ([1.5], [0.375])
    """
    if zero_method not in ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {ZERO_METHODS}, got {zero_method!r}")
    if method not in WILCOXON_METHODS:
        raise ValueError(f"method must be one of {WILCOXON_METHODS}, got {method!r}")
    counts = np.asarray(difference_counts, dtype=np.float64)
    centre = counts.shape[1] // 2
    zeros = counts[:, centre]
    positive = counts[:, centre:].copy()
    positive[:, 0] = 0
    negative = counts[:, centre::-1].copy()
    negative[:, 0] = 0
    ranked = positive + negative
    if zero_method != "wilcox":
        ranked[:, 0] = zeros
    rank = np.cumsum(ranked, axis=1) - (ranked - 1) / 2
    # Rank sums of the non-zero differences; "zsplit" adds half the zeros' ranks to each.
    nonzero_plus = np.sum(positive * rank, axis=1)
    zero_half = zeros * rank[:, 0] / 2 if zero_method == "zsplit" else 0.0
    r_plus = nonzero_plus + zero_half
    r_minus = np.sum(negative * rank, axis=1) + zero_half

    n_pairs = counts.sum(axis=1)
    n_nonzero = n_pairs - zeros
    defined = n_nonzero > 0
    has_ties = (positive + negative > 1).any(axis=1)
    if method == "auto":
        small = n_pairs <= AUTO_EXACT_LIMIT
        exact = small & ~has_ties & (zeros == 0)
        flips = small & ~exact & (n_pairs <= AUTO_PERMUTATION_LIMIT)
    else:
        exact = np.full(n_pairs.shape, method == "exact")
        flips = np.zeros(n_pairs.shape, dtype=bool)
    exact &= defined
    flips &= defined

    count = ranked.sum(axis=1)
    p = _normal_p(r_plus, ranked, count, zeros, zero_method)
    p[exact] = _exact_p(r_plus[exact], count[exact])
    p[flips] = _sign_flip_p(2 * nonzero_plus[flips], ranked[flips], rank[flips])
    statistic = np.where(defined, np.minimum(r_plus, r_minus), np.nan)
    return statistic, np.where(defined, p, np.nan)


def _normal_p(r_plus, ranked, n, zeros, zero_method):
    """Two-sided normal-approximation p-value (scipy's "asymptotic", no continuity)."""
    mean = n * (n + 1) / 4
    variance = n * (n + 1) * (2 * n + 1)
    ties = ranked
    if zero_method == "pratt":
        mean = mean - zeros * (zeros + 1) / 4
        variance = variance - zeros * (zeros + 1) * (2 * zeros + 1)
        ties = ranked[:, 1:]
    variance = (variance - np.sum(ties**3 - ties, axis=1) / 2) / 24
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (r_plus - mean) / np.sqrt(variance)
    return 2 * special.ndtr(-np.abs(z))


def _exact_p(r_plus, count):
    """scipy's "exact": the untied null of R+ over ranks 1..count, R+ rounded outwards.

    Each tail is summed directly when its end is at most the mean and as one minus the
    other tail beyond it, over the same slices as scipy, so the p-values agree to the bit.
    """
    p = np.empty(r_plus.shape)
    pmf = np.ones(1)
    for k in range(1, int(count.max(initial=0)) + 1):
        pmf = np.concatenate([pmf, np.zeros(k)]) / 2 + np.concatenate([np.zeros(k), pmf]) / 2
        mean = k * (k + 1) / 4
        for item in np.flatnonzero(count == k):
            low, high = int(np.floor(r_plus[item])), int(np.ceil(r_plus[item]))
            at_least = pmf[low:].sum() if low <= mean else 1 - pmf[:low].sum()
            at_most = pmf[: high + 1].sum() if high <= mean else 1 - pmf[high + 1 :].sum()
            p[item] = np.clip(2 * min(at_least, at_most), 0.0, 1.0)
    return p


def _sign_flip_p(observed, ranked, rank):
    """p-value over all sign flips of the non-zero differences (doubled ranks are integers).

    ``observed`` is twice the R+ of the non-zero differences. Each row's differences are
    listed by absolute value: the e-th has absolute value ``a`` where ``e`` falls in the a-th
    run of ``ranked[:, 1:]``; slots beyond a row's differences get weight 0, which doubles
    every outcome alike and leaves the probabilities unchanged.
    """
    slot = np.arange(AUTO_PERMUTATION_LIMIT)
    ends = np.cumsum(ranked[:, 1:], axis=1)
    level = np.sum(ends[:, :, None] <= slot, axis=1)
    inside = level < ends.shape[1]
    doubled_rank = np.take_along_axis(2 * rank[:, 1:], np.minimum(level, ends.shape[1] - 1), 1)
    weights = np.where(inside, doubled_rank, 0).astype(np.intp)
    pmf = np.zeros((observed.size, weights.sum(axis=1).max(initial=0) + 1))
    pmf[:, 0] = 1.0
    columns = np.arange(pmf.shape[1])
    for weight in weights.T:
        source = columns - weight[:, None]
        shifted = np.take_along_axis(pmf, np.maximum(source, 0), axis=1)
        pmf = pmf / 2 + np.where(source >= 0, shifted, 0.0) / 2
    at_most = np.sum(np.where(columns <= observed[:, None], pmf, 0.0), axis=1)
    at_least = np.sum(np.where(columns >= observed[:, None], pmf, 0.0), axis=1)
    return np.minimum(2 * np.minimum(at_most, at_least), 1.0)
