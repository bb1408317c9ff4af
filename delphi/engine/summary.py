"""Per-item summaries of one Delphi round: location, spread, bands, disagreement, agreement.

Every statistic is computed from the count table of each item (and each stakeholder group),
vectorised over all items and groups at once, so :func:`summarise` on raw ratings and
:func:`summarise_counts` on a database ``GROUP BY`` give the same :class:`Summary`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from delphi.engine.counts import (
    check_quantile_method,
    count_ratings,
    quantiles_from_counts,
)
from delphi.engine.scale import Scale, validate_groups

_IPRAS_CONSTANT = 2.35
_IPRAS_SLOPE = 1.5
# np.quantile probabilities behind q1, median, q3, p30 and p70.
_PROBABILITIES = (0.25, 0.5, 0.75, 0.3, 0.7)


def _same(first, second) -> bool:
    """Equal values: arrays of one dtype with equal entries (nan equals nan), dicts key by key."""
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return (
            isinstance(first, np.ndarray)
            and isinstance(second, np.ndarray)
            and first.dtype == second.dtype
            and np.array_equal(first, second, equal_nan=True)
        )
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(_same(first[k], second[k]) for k in first)
    return first == second


@dataclass(frozen=True, eq=False)
class Summary:
    """Per-item statistics of a round (one array entry per item); arrays are read-only.

    Attributes
    ----------
    n : ndarray of int64
        Valid ratings (on the scale); the denominator of every statistic below.
    n_unable : ndarray of int64
        Entries marked "unable to score": reported, excluded from every denominator.
    n_missing : ndarray of int64
        Entries left unrated (``np.nan`` and not marked unable).
    mean, sd : ndarray of float64
        Mean and standard deviation with ddof = 1 (``np.nan`` for a single rating).
    median, q1, q3, iqr : ndarray of float64
        ``np.quantile`` at 0.5, 0.25, 0.75 with ``quantile_method``; ``iqr = q3 - q1``.
    p30, p70, ipr : ndarray of float64
        30th and 70th percentiles and the interpercentile range ``ipr = p70 - p30``.
    ipras : ndarray of float64
        IPR adjusted for symmetry, ``2.35 + 1.5 |midpoint - (p30 + p70) / 2|`` (Fitch 2001).
    disagreement : ndarray of bool
        ``ipr > ipras`` (RAND/UCLA); False for an item with no ratings.
    percent : dict of str to ndarray of float64
        Per band of the scale, ``100 * ratings in the band / n``.
    modes : ndarray of bool, items x points
        True for every most frequent point (several on ties; none for an item with no ratings).
    consensus : ndarray of float64
        Tastle & Wierman (2007) consensus in [0, 1].
    rwg : ndarray of float64
        James, Demaree & Wolf (1984) within-group agreement, ``1 - sd**2 / ((A**2 - 1) / 12)``;
        raw, so below 0 when the ratings are more spread than uniform.
    cv : ndarray of float64
        Coefficient of variation ``sd / mean`` as a ratio (``np.nan`` when the mean is 0).
    by_group : dict of label to Summary
        The same per stakeholder group (empty without groups).
    scale : Scale
    quantile_method : str
    counts : ndarray of int64, items x points
        The count table every statistic was computed from.
    group_labels : tuple
        The keys of ``by_group`` in sorted order.

    Items with no ratings have ``np.nan`` statistics, zero counts and False flags.
    Two summaries are ``==`` when every field is equal, nan matching nan.
    """

    n: np.ndarray
    n_unable: np.ndarray
    n_missing: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    median: np.ndarray
    q1: np.ndarray
    q3: np.ndarray
    iqr: np.ndarray
    p30: np.ndarray
    p70: np.ndarray
    ipr: np.ndarray
    ipras: np.ndarray
    disagreement: np.ndarray
    percent: dict
    modes: np.ndarray
    consensus: np.ndarray
    rwg: np.ndarray
    cv: np.ndarray
    scale: Scale
    quantile_method: str
    counts: np.ndarray
    by_group: dict = field(default_factory=dict)
    group_labels: tuple = ()

    def __eq__(self, other):
        if not isinstance(other, Summary):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))

    @property
    def n_items(self) -> int:
        """Number of items."""
        return self.n.shape[0]


def summarise(ratings, scale: Scale, groups=None, unable=None, quantile_method="linear"):
    """Summarise a round's ratings per item (and per stakeholder group).

    Definitions (each item; ``x`` its valid ratings, ``n`` their number, A scale points):

    - mean ``sum(x) / n``; sd ``sqrt(sum((x - mean)**2) / (n - 1))``; cv ``sd / mean``.
    - median, q1, q3, p30, p70: ``np.quantile(x, q, method=quantile_method)``; the default
      "linear" is Hyndman & Fan (1996) type 7. iqr ``q3 - q1``; ipr ``p70 - p30``.
    - RAND/UCLA (Fitch et al. 2001, ch. 8): IPRCP ``(p30 + p70) / 2``,
      AI ``|midpoint - IPRCP|``, ipras ``2.35 + 1.5 AI``, disagreement ``ipr > ipras``.
      Published for the 1-9 scale (midpoint 5); other scales use their own midpoint.
    - percent in band ``100 * #(x in band) / n``.
    - Tastle & Wierman (2007) consensus ``1 + sum_k p_k log2(1 - |X_k - mean| / d_X)``,
      ``p_k`` the share at point ``X_k``, ``d_X = maximum - minimum`` of the scale.
    - rwg (James, Demaree & Wolf 1984) ``1 - sd**2 / sigma2_EU``,
      ``sigma2_EU = (A**2 - 1) / 12``, the variance of a uniform null on A points.

    "Unable to score" entries and unrated entries are counted (``n_unable``, ``n_missing``)
    but excluded from ``n`` and so from every percentage and statistic.

    Parameters
    ----------
    ratings : array_like, participants x items
        Integer points of ``scale``; ``np.nan`` = not rated.
    scale : Scale
    groups : array_like, optional
        One stakeholder-group label per participant; fills ``by_group``.
    unable : array_like of bool, optional
        Same shape as ``ratings``; True marks "unable to score" (the rating there is ignored).
    quantile_method : str
        Any ``np.quantile`` method name (see ``QUANTILE_METHODS``).

    Returns
    -------
    Summary

    Raises
    ------
    ValueError
        For a rating off the scale or not an integer (named with its position), a wrong
        shape, an empty panel (no participants or no items), group labels of the wrong length
        or missing, or an unknown quantile method.

    References
    ----------
    Fitch K et al. The RAND/UCLA Appropriateness Method User's Manual. RAND MR-1269, 2001.
    Tastle WJ, Wierman MJ. Consensus and dissention: a measure of ordinal dispersion.
    Int J Approx Reason 2007;45:531-45.
    James LR, Demaree RG, Wolf G. Estimating within-group interrater reliability with and
    without response bias. J Appl Psychol 1984;69:85-98.
    Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat 1996;50:361-5.

    Examples
    --------
    Five panellists rate one item 1, 7, 8, 8, 9 on the GRADE scale: mean 33 / 5 = 6.6;
    P30 at v = 4 x 0.3 = 1.2 is 7.2 and P70 at v = 2.8 is 8, so IPR 0.8, IPRCP 7.6,
    AI 2.6, IPRAS 2.35 + 3.9 = 6.25 and no disagreement; 4 of 5 rate 7-9.

    >>> from delphi.engine.scale import GRADE_9
    >>> s = summarise([[1], [7], [8], [8], [9]], GRADE_9)
    >>> s.n, s.mean, s.median, s.p30, s.p70, s.percent["high"]
    (array([5]), array([6.6]), array([8.]), array([7.2]), array([8.]), array([80.]))
    >>> s.ipras.round(2), s.disagreement
    (array([6.25]), array([False]))
    """
    check_quantile_method(quantile_method)
    table = count_ratings(ratings, scale, groups=groups, unable=unable)
    return _summary_from_table(
        table.counts,
        table.n_unable,
        table.n_missing,
        table.group_labels,
        scale,
        quantile_method,
    )


def _count_array(values, shape: tuple[int, ...], name: str) -> np.ndarray:
    """Return ``values`` as non-negative int64 counts of ``shape``, or raise ValueError."""
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be numeric counts, got dtype {array.dtype}")
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    invalid = ~((array >= 0) & (np.trunc(array) == array))
    if invalid.any():
        raise ValueError(f"{name} must be non-negative integers, got {array[invalid][0].item()!r}")
    return array.astype(np.int64)


def summarise_counts(
    counts,
    scale: Scale,
    n_unable=None,
    n_missing=None,
    groups=None,
    quantile_method="linear",
):
    """Summarise a round from its count table, exactly as :func:`summarise` would.

    For a database ``GROUP BY item, [group,] rating``: ``counts[i, k]`` (or
    ``counts[i, g, k]``) is the number of valid ratings of item ``i`` (in group ``g``) at the
    k-th point of ``scale``. The formulas are those of :func:`summarise`.

    Parameters
    ----------
    counts : array_like of int, items x points or items x groups x points
    scale : Scale
    n_unable, n_missing : array_like of int, optional
        "Unable to score" and unrated entries, shaped ``counts.shape[:-1]``; default 0.
    groups : sequence, optional
        The labels of the groups axis (required for a 3-D table, not allowed for 2-D).
    quantile_method : str

    Returns
    -------
    Summary
        With group labels sorted, as :func:`summarise` sorts them.

    Raises
    ------
    ValueError
        For negative or non-integer counts, wrong shapes, no items, missing or duplicate
        group labels, or an unknown quantile method.

    Examples
    --------
    The BMJ Open 2012;2:e001431 Table 1 kind of item: six rate 7 and four rate 8, so
    P30 = 7, P70 = 8, IPRCP 7.5, AI 2.5, IPRAS 2.35 + 3.75 = 6.1 > IPR 1.

    >>> from delphi.engine.scale import GRADE_9
    >>> s = summarise_counts([[0, 0, 0, 0, 0, 0, 6, 4, 0]], GRADE_9)
    >>> s.p30, s.p70, s.ipras.round(2), s.disagreement
    (array([7.]), array([8.]), array([6.1]), array([False]))
    """
    check_quantile_method(quantile_method)
    table = np.asarray(counts)
    if table.ndim not in (2, 3) or table.shape[-1] != scale.n_points:
        raise ValueError(
            f"counts must be items x {scale.n_points} points or items x groups x "
            f"{scale.n_points} points, got shape {table.shape}"
        )
    if table.shape[0] == 0:
        raise ValueError(f"counts has shape {table.shape}: no items")
    if table.ndim == 3 and groups is None:
        raise ValueError("an items x groups x points count table needs its group labels")
    if table.ndim == 2 and groups is not None:
        raise ValueError("group labels were given but counts has no groups axis")
    table = _count_array(table, table.shape, "counts")
    extra_shape = table.shape[:-1]
    unable = np.zeros(extra_shape, np.int64) if n_unable is None else n_unable
    missing = np.zeros(extra_shape, np.int64) if n_missing is None else n_missing
    unable = _count_array(unable, extra_shape, "n_unable")
    missing = _count_array(missing, extra_shape, "n_missing")
    if table.ndim == 2:
        return _summary_from_table(
            table[:, None], unable[:, None], missing[:, None], (), scale, quantile_method
        )
    if np.shape(groups) != table.shape[1:2]:
        raise ValueError(
            f"groups must give one label per entry of the groups axis ({table.shape[1]}), "
            f"got {groups!r}"
        )
    labels, order = validate_groups(groups, table.shape[1])
    if len(labels) != table.shape[1]:
        raise ValueError(f"group labels must be distinct, got {list(groups)!r}")
    position = np.argsort(order)
    return _summary_from_table(
        table[:, position],
        unable[:, position],
        missing[:, position],
        labels,
        scale,
        quantile_method,
    )


def _statistics(counts: np.ndarray, scale: Scale, quantile_method: str) -> dict:
    """Every statistic of :class:`Summary` for each row of a rows x points count table."""
    points = scale.points
    n = counts.sum(axis=1)
    rated = n > 0
    q1, median, q3, p30, p70 = quantiles_from_counts(
        counts, points, _PROBABILITIES, quantile_method
    )
    ipr = p70 - p30
    ipras = _IPRAS_CONSTANT + _IPRAS_SLOPE * np.abs(scale.midpoint - (p30 + p70) / 2)
    below = np.concatenate([np.zeros((counts.shape[0], 1), np.int64), counts.cumsum(axis=1)], 1)
    # Items nobody rated divide by n = 0 (and one rating by n - 1 = 0): nan, by design.
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (counts @ points) / n
        deviation = points - mean[:, None]
        variance = (counts * deviation**2).sum(axis=1) / (n - 1)
        sd = np.sqrt(variance)
        cv = np.where(mean != 0, sd / mean, np.nan)
        log_closeness = np.log2(
            1 - np.abs(deviation) / scale.width, out=np.zeros(counts.shape), where=counts > 0
        )
        consensus = np.where(rated, 1 + (counts * log_closeness).sum(axis=1) / n, np.nan)
        percent = {
            name: (100 * (below[:, high - scale.minimum + 1] - below[:, low - scale.minimum])) / n
            for name, (low, high) in scale.bands.items()
        }
    uniform_variance = (scale.n_points**2 - 1) / 12
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "median": median,
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "p30": p30,
        "p70": p70,
        "ipr": ipr,
        "ipras": ipras,
        "disagreement": ipr > ipras,
        "percent": percent,
        "modes": (counts == counts.max(axis=1, keepdims=True)) & rated[:, None],
        "consensus": consensus,
        "rwg": 1 - variance / uniform_variance,
        "cv": cv,
        "counts": counts,
    }


def _read_only(array: np.ndarray) -> np.ndarray:
    """``array``, flagged read-only so a frozen Summary cannot be edited through it."""
    array.flags.writeable = False
    return array


def _summary_from_table(counts, n_unable, n_missing, labels, scale, quantile_method):
    """Build the overall Summary and one per group from items x groups x points counts."""
    n_items, n_groups, n_points = counts.shape
    rows = [counts.sum(axis=1)]
    unable = [n_unable.sum(axis=1)]
    missing = [n_missing.sum(axis=1)]
    if labels:
        rows.append(counts.transpose(1, 0, 2).reshape(n_groups * n_items, n_points))
        unable.append(n_unable.T.ravel())
        missing.append(n_missing.T.ravel())
    stats = _statistics(np.concatenate(rows), scale, quantile_method)
    stats["n_unable"] = np.concatenate(unable)
    stats["n_missing"] = np.concatenate(missing)
    percent = {name: _read_only(values) for name, values in stats.pop("percent").items()}
    stats = {name: _read_only(values) for name, values in stats.items()}

    def part(block: int, **extra) -> Summary:
        span = slice(block * n_items, (block + 1) * n_items)
        return Summary(
            **{name: values[span] for name, values in stats.items()},
            percent={name: values[span] for name, values in percent.items()},
            scale=scale,
            quantile_method=quantile_method,
            **extra,
        )

    by_group = {label: part(block + 1) for block, label in enumerate(labels)}
    return part(0, by_group=by_group, group_labels=labels)
