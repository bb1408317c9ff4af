"""Round-to-round stability of ratings and first-round attrition bias.

Stability is computed from each item's table of paired transitions (previous point ×
current point), built with ``np.bincount``; a database ``GROUP BY item, previous,
current`` gives the same table, which :func:`stability_counts` takes directly.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from delphi.engine.counts import RatingChecks, row_blocks
from delphi.engine.scale import Scale, as_panel, validate_ratings
from delphi.engine.signed_rank import signed_rank_test
from delphi.engine.summary import summarise_counts


@dataclass(frozen=True)
class Stability:
    """Change between two rounds among the participants who rated an item in both.

    Attributes
    ----------
    n_paired : numpy.ndarray of int
        Participants with a rating of the item in both rounds.
    percent_changed : numpy.ndarray
        ``100 * (paired ratings that changed) / n_paired``.
    mean_abs_change : numpy.ndarray
        Mean of ``|current - previous|`` over the pairs.
    wilcoxon_statistic, wilcoxon_p : numpy.ndarray
        Two-sided Wilcoxon signed-rank test on the pairs, equal to ``scipy.stats.wilcoxon``
        with the same ``zero_method`` and ``method``; NaN when undefined.
    delta_iqr : numpy.ndarray
        IQR of the paired current ratings minus IQR of the paired previous ratings.
    delta_percent : dict
        Band name → percentage in the band (paired current minus paired previous), in
        percentage points.
    transitions : numpy.ndarray of int, shape (items, points, points)
        ``transitions[i, a, b]``: pairs rated at the a-th point before and the b-th now.

    Every statistic is NaN for an item nobody rated in both rounds.
    """

    n_paired: np.ndarray
    percent_changed: np.ndarray
    mean_abs_change: np.ndarray
    wilcoxon_statistic: np.ndarray
    wilcoxon_p: np.ndarray
    delta_iqr: np.ndarray
    delta_percent: dict
    transitions: np.ndarray


@dataclass(frozen=True)
class AttritionBias:
    """First-round ratings of those who stayed against those who left, per item.

    Effect sizes come first; the p-values are descriptive (no hypothesis was pre-specified
    for each item), Holm-adjusted across items.

    Attributes
    ----------
    n_stayed, n_left : numpy.ndarray of int
        First-round ratings of the item from those who stayed / left.
    median_difference : numpy.ndarray
        Median of the stayers' ratings minus median of the leavers'.
    percent_difference : numpy.ndarray
        Percentage rating in `top_band`, stayers minus leavers (percentage points).
    mann_whitney_p : numpy.ndarray
        Two-sided ``scipy.stats.mannwhitneyu`` (its defaults) on the two groups' ratings.
    fisher_p : numpy.ndarray
        Two-sided ``scipy.stats.fisher_exact`` on in / not in the top band × stayed / left.
    mann_whitney_p_adjusted, fisher_p_adjusted : numpy.ndarray
        Holm (1979) step-down adjustment across the items with a p-value.
    top_band : str
        The scale band compared.

    Items where either group has no rating get NaN differences and p-values.
    """

    n_stayed: np.ndarray
    n_left: np.ndarray
    median_difference: np.ndarray
    percent_difference: np.ndarray
    mann_whitney_p: np.ndarray
    fisher_p: np.ndarray
    mann_whitney_p_adjusted: np.ndarray
    fisher_p_adjusted: np.ndarray
    top_band: str


def stability(
    previous, current, scale: Scale, zero_method="wilcox", method="auto", quantile_method="linear"
):
    r"""Stability of each item's ratings from one round to the next.

    Parameters
    ----------
    previous, current : array_like, shape (participants, items)
        The two rounds' ratings, the same participant in the same row of both; ``np.nan`` =
        not rated. Only participants who rated an item in both rounds (pairs) count for it.
    scale : Scale
    zero_method : {"wilcox", "pratt", "zsplit"}
        Passed on as ``scipy.stats.wilcoxon``'s option of the same name.
    method : {"auto", "exact", "asymptotic"}
        ``scipy.stats.wilcoxon``'s option (two-sided, no continuity correction, its default).
    quantile_method : str
        ``np.quantile`` method for the IQRs, as in ``summarise``.

    Returns
    -------
    Stability

    Notes
    -----
    For item :math:`i` with pairs :math:`(x_j, y_j)`, :math:`j = 1..n`:
    ``percent_changed`` :math:`= 100\,\#\{x_j \ne y_j\}/n`, ``mean_abs_change``
    :math:`= \sum |y_j - x_j| / n`, and the Wilcoxon signed-rank test (Wilcoxon 1945) on
    :math:`d_j = y_j - x_j` (see :func:`delphi.engine.signed_rank.signed_rank_test`). The
    test is NaN, without a warning, when there are no pairs or every difference is zero
    (nothing changed, so there is nothing to test; scipy would warn, or under "zsplit"
    report p = 1).

    ``delta_iqr`` and ``delta_percent`` compare the **paired** ratings only, both rounds on
    the same people, so that a change in who answered (attrition, late joiners) is not read
    as a change of opinion; the round's own summaries give the all-rater figures.

    Examples
    --------
    Four panellists rate one item on the GRADE scale: 7→8, 7→7, 5→7, 9→9. Two of four
    changed (50 %); mean absolute change (1 + 0 + 2 + 0) / 4 = 0.75; the top band 7–9 rose
    from 3 of 4 (75 %) to 4 of 4 (100 %), +25 points.

    >>> from delphi.engine.scale import GRADE_9
    >>> change = stability([[7], [7], [5], [9]], [[8], [7], [7], [9]], GRADE_9)
    >>> change.n_paired, change.percent_changed, change.mean_abs_change
    (array([4]), array([50.]), array([0.75]))
    >>> change.delta_percent["high"]
    array([25.])
    """
    before, after = as_panel(previous), as_panel(current)
    if before.shape != after.shape:
        raise ValueError(
            f"previous and current must have the same participants x items shape, got "
            f"{before.shape} and {after.shape}"
        )
    n_participants, n_items = before.shape
    points = scale.n_points
    # np.bincount over the combined index item * (A**2 + 1) + bin, where bin 0 is "not rated
    # in both rounds" and bin 1 + (a - minimum) * A + (b - minimum) is the pair a -> b. As in
    # count_ratings, the index is built, checked and counted a block of participants at a
    # time, and nan (either rating missing) is sent to the item's bin 0 by np.fmax.
    n_bins = points**2 + 1
    item_offset = np.arange(n_items) * float(n_bins)
    pair_offset = item_offset + (1 - scale.minimum * (points + 1))
    table = np.zeros(n_items * n_bins, np.intp)
    checks = RatingChecks(scale)
    n_rated = 0
    for block in row_blocks(n_participants, n_items):
        for rated in (before[block], after[block]):
            checks.add(rated)
            n_rated += rated.size - np.count_nonzero(np.isnan(rated))
        if not checks.on_scale():
            _raise_bad_rating(previous, current, scale)
        index = before[block] * points
        index += after[block]
        index += pair_offset
        np.fmax(index, item_offset, out=index)
        table += np.bincount(index.astype(np.intp).ravel(), minlength=table.size)
    if not checks.all_integers(n_rated):
        _raise_bad_rating(previous, current, scale)
    transitions = table.reshape(n_items, n_bins)[:, 1:].reshape(n_items, points, points)
    return stability_counts(transitions, scale, zero_method, method, quantile_method)


def _raise_bad_rating(previous, current, scale: Scale):
    """Raise the ValueError of :func:`validate_ratings` naming the first bad entry."""
    validate_ratings(previous, scale)
    validate_ratings(current, scale)


def stability_counts(
    transitions, scale: Scale, zero_method="wilcox", method="auto", quantile_method="linear"
):
    """:func:`stability` from paired transition counts, items × points × points.

    ``transitions[i, a, b]`` is the number of participants who gave item ``i`` the a-th
    point of ``scale`` in the previous round and the b-th point in the current one (a
    ``GROUP BY item, previous, current`` over the pairs). Same options and result.

    Examples
    --------
    The pairs of :func:`stability`'s example on a 3-point scale: 1→2, 1→1, 1→3, 3→3.

    >>> table = [[[1, 1, 1], [0, 0, 0], [0, 0, 1]]]
    >>> stability_counts(table, Scale(1, 3)).mean_abs_change
    array([0.75])
    """
    table = np.asarray(transitions)
    points = scale.n_points
    if table.ndim != 3 or table.shape[1:] != (points, points) or table.shape[0] == 0:
        raise ValueError(
            f"transitions must be items x {points} x {points} counts, got shape {table.shape}"
        )
    if table.dtype.kind not in "iuf" or ((table < 0) | (np.trunc(table) != table)).any():
        raise ValueError("transitions must be non-negative integer counts")
    table = table.astype(np.int64)
    n_items = table.shape[0]
    step = np.subtract.outer(np.arange(points), np.arange(points)).T
    differences = np.zeros((points * points, 2 * points - 1))
    differences[np.arange(points * points), (step + points - 1).ravel()] = 1.0
    difference_counts = table.reshape(n_items, -1) @ differences
    n_paired = table.sum(axis=(1, 2))
    with np.errstate(invalid="ignore"):
        percent_changed = 100 * (n_paired - np.trace(table, axis1=1, axis2=2)) / n_paired
        mean_abs_change = difference_counts @ np.abs(np.arange(1 - points, points)) / n_paired
    statistic, p_value = signed_rank_test(difference_counts, zero_method, method)
    rounds = summarise_counts(
        np.concatenate([table.sum(axis=2), table.sum(axis=1)]),
        scale,
        quantile_method=quantile_method,
    )
    return Stability(
        n_paired=n_paired,
        percent_changed=percent_changed,
        mean_abs_change=mean_abs_change,
        wilcoxon_statistic=statistic,
        wilcoxon_p=p_value,
        delta_iqr=rounds.iqr[n_items:] - rounds.iqr[:n_items],
        delta_percent={
            band: share[n_items:] - share[:n_items] for band, share in rounds.percent.items()
        },
        transitions=table,
    )


def attrition_bias(first_round, completed_mask, scale: Scale):
    r"""Compare the first-round ratings of participants who stayed with those who left.

    Parameters
    ----------
    first_round : array_like, shape (participants, items)
        First-round ratings, ``np.nan`` = not rated.
    completed_mask : array_like of bool, shape (participants,) or (participants, items)
        True for participants who completed the study (stayed); per item when 2-D.
    scale : Scale
        Needs at least one band: the **top band** is the band reaching highest on the scale
        (the largest upper end; of bands sharing it, the narrowest), e.g. 7–9 on GRADE.

    Returns
    -------
    AttritionBias

    Notes
    -----
    Effect sizes first: median (``np.median``) of stayers minus leavers, and the
    difference in the percentage rating in the top band. Then, descriptively, two-sided
    ``scipy.stats.mannwhitneyu`` on the ratings (its default "auto" method and continuity
    correction) and ``scipy.stats.fisher_exact`` on the 2 × 2 table
    [[stayed in band, stayed not], [left in band, left not]]. Across the items with a
    p-value, Holm's step-down adjustment (Holm, Scand J Stat 1979;6:65–70): with the
    :math:`m` p-values sorted, :math:`\tilde p_{(j)} = \max_{l \le j}
    \min(1, (m - l + 1) p_{(l)})`. The Mann–Whitney p-values come from the count tables
    (equal to scipy's); Fisher's test runs item by item in scipy.

    Examples
    --------
    One item, GRADE scale: stayers rated 7, 8, 9, 9, leavers 3, 5. Medians 8.5 and 4
    (difference 4.5); top band 100 % against 0 % (difference 100 points).

    >>> from delphi.engine.scale import GRADE_9
    >>> ratings = [[7], [8], [9], [9], [3], [5]]
    >>> bias = attrition_bias(ratings, [True, True, True, True, False, False], GRADE_9)
    >>> bias.median_difference, bias.percent_difference
    (array([4.5]), array([100.]))
    """
    ratings = validate_ratings(first_round, scale)
    stayed = _completed(completed_mask, ratings.shape)
    top_band = _top_band(scale)
    low, high = scale.bands[top_band]
    n_items = ratings.shape[1]
    rated = ~np.isnan(ratings)
    item = np.broadcast_to(np.arange(n_items), ratings.shape)
    index = (item[rated] * 2 + stayed[rated]) * scale.n_points + ratings[rated] - scale.minimum
    counts = np.bincount(index.astype(np.intp), minlength=n_items * 2 * scale.n_points)
    counts = counts.reshape(n_items, 2, scale.n_points)
    groups = summarise_counts(counts, scale, groups=["left", "stayed"])
    stayers, leavers = groups.by_group["stayed"], groups.by_group["left"]

    both = (stayers.n > 0) & (leavers.n > 0)
    mann_whitney_p = np.where(both, _mann_whitney_p(counts[:, 1], counts[:, 0], scale), np.nan)
    fisher_p = np.full(n_items, np.nan)
    in_band = counts[:, :, (scale.points >= low) & (scale.points <= high)].sum(axis=2)
    for i in np.flatnonzero(both):
        table = [
            [in_band[i, 1], stayers.n[i] - in_band[i, 1]],
            [in_band[i, 0], leavers.n[i] - in_band[i, 0]],
        ]
        fisher_p[i] = stats.fisher_exact(table).pvalue
    return AttritionBias(
        n_stayed=stayers.n,
        n_left=leavers.n,
        median_difference=stayers.median - leavers.median,
        percent_difference=stayers.percent[top_band] - leavers.percent[top_band],
        mann_whitney_p=mann_whitney_p,
        fisher_p=fisher_p,
        mann_whitney_p_adjusted=holm(mann_whitney_p),
        fisher_p_adjusted=holm(fisher_p),
        top_band=top_band,
    )


def _mann_whitney_p(first, second, scale):
    r"""Two-sided ``scipy.stats.mannwhitneyu`` p-values (defaults) from two count tables.

    With pooled counts :math:`c_k` per point and mid-ranks :math:`r_k`, :math:`U_1 =
    \sum_k c^{(1)}_k r_k - n_1(n_1 + 1)/2`, :math:`U = \max(U_1, n_1 n_2 - U_1)` and
    :math:`z = (U - n_1 n_2 / 2 - 0.5) / \sqrt{n_1 n_2 / 12\,((n + 1) - \sum_k (c_k^3 - c_k)
    / (n (n - 1)))}`, :math:`p = 2\,\Phi(-z)` capped at 1 (Mann & Whitney 1947, tie-corrected
    normal approximation with continuity correction). scipy's "auto" uses the exact
    distribution only when a group has at most 8 ratings and no two ratings tie; those items
    are passed to scipy itself.
    """
    n1, n2 = first.sum(axis=1), second.sum(axis=1)
    pooled = first + second
    n = n1 + n2
    rank = np.cumsum(pooled, axis=1) - (pooled - 1) / 2
    u = np.sum(first * rank, axis=1) - n1 * (n1 + 1) / 2
    u = np.maximum(u, n1 * n2 - u)
    ties = np.sum(pooled**3 - pooled, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
        p = np.minimum(2 * special.ndtr(-(u - n1 * n2 / 2 - 0.5) / spread), 1.0)
    exact = ((n1 <= 8) | (n2 <= 8)) & (pooled <= 1).all(axis=1) & (n1 > 0) & (n2 > 0)
    for i in np.flatnonzero(exact):
        p[i] = stats.mannwhitneyu(
            np.repeat(scale.points, first[i]), np.repeat(scale.points, second[i])
        ).pvalue
    return p


def holm(p_values):
    r"""Holm's step-down adjusted p-values; NaN entries are skipped and stay NaN.

    :math:`\tilde p_{(j)} = \max_{l \le j} \min(1, (m - l + 1)\, p_{(l)})` over the
    :math:`m` finite p-values sorted ascending (Holm 1979), as
    ``statsmodels.stats.multitest.multipletests(method="holm")``.

    Examples
    --------
    0.01, 0.04, 0.03 → sorted 0.01, 0.03, 0.04 × 3, 2, 1 → 0.03, 0.06, 0.06 (the running
    maximum lifts 0.04 to 0.06).

    >>> holm([0.01, 0.04, 0.03, np.nan]).round(3).tolist()
    [0.03, 0.06, 0.06, nan]
    """
    p = np.asarray(p_values, dtype=float)
    finite = np.flatnonzero(~np.isnan(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = order.size
    adjusted = np.full(p.shape, np.nan)
    adjusted[order] = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[order]), 1.0)
    return adjusted


def _completed(completed_mask, shape):
    """The "stayed" marks broadcast to participants × items, as 0/1 integers."""
    marks = np.asarray(completed_mask)
    if marks.ndim == 1:
        marks = marks[:, None]
    if marks.ndim != 2 or marks.shape[0] != shape[0] or marks.shape[1] not in (1, shape[1]):
        raise ValueError(
            f"completed_mask must have one entry per participant ({shape[0]}) or the ratings' "
            f"shape {shape}, got shape {np.shape(completed_mask)}"
        )
    if marks.dtype != np.bool_ and not np.isin(marks, (0, 1)).all():
        raise ValueError(
            f"completed_mask must be True/False, got {marks[~np.isin(marks, (0, 1))][0].item()!r}"
        )
    return np.broadcast_to(marks.astype(np.intp), shape)


def _top_band(scale):
    if not scale.bands:
        raise ValueError("attrition_bias needs a scale with bands: it compares the top band")
    return max(scale.bands, key=lambda name: (scale.bands[name][1], scale.bands[name][0]))
