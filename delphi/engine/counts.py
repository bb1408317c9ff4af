"""Count tables of ordinal ratings, and exact sample quantiles read from them.

Ratings on a scale of A points take at most A values, so everything per item is a function
of how often each point was chosen. :func:`count_ratings` builds the items x groups x points
table with ``np.bincount`` over a combined index, a block of participants at a time;
:func:`quantiles_from_counts` reads order statistics off the cumulative counts and
reproduces ``np.quantile`` bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from delphi.engine.scale import Scale, as_panel, validate_groups, validate_ratings, validate_unable

QUANTILE_METHODS = (
    "inverted_cdf",
    "averaged_inverted_cdf",
    "closest_observation",
    "interpolated_inverted_cdf",
    "hazen",
    "weibull",
    "linear",
    "median_unbiased",
    "normal_unbiased",
    "lower",
    "higher",
    "midpoint",
    "nearest",
)
"""Every method name ``np.quantile`` accepts (Hyndman & Fan 1996 types 1-9 and four more)."""

# Entries processed per block while building the bincount index (fits in L2 cache).
_BLOCK_SIZE = 1 << 16

# Hyndman & Fan plotting positions (alpha, beta) of the continuous methods, as numpy has them.
_ALPHA_BETA = {
    "interpolated_inverted_cdf": (0, 1),
    "hazen": (0.5, 0.5),
    "weibull": (0, 0),
    "median_unbiased": (1 / 3.0, 1 / 3.0),
    "normal_unbiased": (3 / 8.0, 3 / 8.0),
}


@dataclass(frozen=True, eq=False)
class CountTable:
    """Ratings counted per item, group and scale point.

    Attributes
    ----------
    counts : ndarray of int64, items x groups x points
        ``counts[i, g, k]`` participants of group ``g`` who gave item ``i`` the k-th point.
    n_missing, n_unable : ndarray of int64, items x groups
        Entries left unrated, and entries marked "unable to score".
    group_labels : tuple
        The sorted distinct group labels; ``()`` without groups (the groups axis then has
        length 1 and holds the whole panel).
    """

    counts: np.ndarray
    n_missing: np.ndarray
    n_unable: np.ndarray
    group_labels: tuple


def row_blocks(n_participants: int, n_items: int) -> list[slice]:
    """Slices of consecutive participants (rows) of about ``_BLOCK_SIZE`` entries each.

    Index building goes a block at a time so that its temporaries stay small and in cache.

    Examples
    --------
    >>> row_blocks(5, 30_000)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 6, None)]
    """
    rows = max(1, _BLOCK_SIZE // n_items)
    return [slice(start, start + rows) for start in range(0, n_participants, rows)]


class RatingChecks:
    """What :func:`validate_ratings` checks, gathered block by block as an index is built.

    :meth:`add` counts the integer-valued entries of a block (``np.trunc(x) == x``; nan is
    not one) and tracks the lowest and highest entry, ignoring nan. Every rating is a point
    of the scale exactly when the extremes lie on it (:meth:`on_scale`) and the integers
    number as many as the entries that are not nan (:meth:`all_integers`). This costs a few
    passes over cached blocks instead of full-size boolean temporaries; on failure, call
    :func:`validate_ratings`, which names the first bad entry.

    Examples
    --------
    >>> checks = RatingChecks(Scale(1, 9))
    >>> checks.add(np.array([[1.0, np.nan], [9.0, 7.5]]))
    >>> checks.on_scale(), checks.all_integers(n_rated=3)
    (True, False)
    """

    def __init__(self, scale: Scale):
        self.scale = scale
        self.n_integers = 0
        self.lowest = np.inf
        self.highest = -np.inf

    def add(self, values: np.ndarray) -> None:
        """Take a block of ratings (float, nan = not rated) into account."""
        self.n_integers += np.count_nonzero(np.trunc(values) == values)
        self.lowest = np.fmin(self.lowest, np.fmin.reduce(values, axis=None))
        self.highest = np.fmax(self.highest, np.fmax.reduce(values, axis=None))

    def on_scale(self) -> bool:
        """No entry seen lies below the scale's minimum or above its maximum."""
        return bool(self.scale.minimum <= self.lowest and self.highest <= self.scale.maximum)

    def all_integers(self, n_rated: int) -> bool:
        """Every entry seen that is not nan, ``n_rated`` of them, is an integer."""
        return bool(self.n_integers == n_rated)


def count_ratings(ratings, scale: Scale, groups=None, unable=None) -> CountTable:
    """Count a participants x items rating array per item, group and scale point.

    ``np.bincount`` over the combined index ``(item * G + group) * (A + 2) + bin`` fills
    the table, where bin 0 is "not rated" (``np.nan``), bins 1..A are the scale points and
    bin A + 1 is "unable to score" (any rating in such an entry is ignored). The index is
    built and counted a block of participants at a time (see :func:`row_blocks`), so the
    temporaries stay small and in cache; each block is checked before it is counted.

    Parameters
    ----------
    ratings : array_like, participants x items
        Integer points of ``scale``, ``np.nan`` where not rated.
    scale : Scale
    groups : array_like, optional
        One group label per participant.
    unable : array_like of bool, optional
        Same shape as ``ratings``; True marks "unable to score".

    Raises
    ------
    ValueError
        Naming an entry off the scale or not an integer, a bad shape, or an empty panel.

    Examples
    --------
    >>> table = count_ratings([[1, 9], [9, np.nan]], Scale(1, 9))
    >>> table.counts[:, 0]
    array([[1, 0, 0, 0, 0, 0, 0, 0, 1],
           [0, 0, 0, 0, 0, 0, 0, 0, 1]])
    >>> table.n_missing[:, 0]
    array([0, 1])
    """
    values = as_panel(ratings)
    n_participants, n_items = values.shape
    n_bins = scale.n_points + 2
    if groups is None:
        labels, group_offset = (), None
    else:
        labels, group_index = validate_groups(groups, n_participants)
        group_offset = (group_index * float(n_bins))[:, None]
    marks = None if unable is None else validate_unable(unable, values.shape)
    n_groups = max(len(labels), 1)
    item_offset = np.arange(n_items) * float(n_groups * n_bins)
    point_offset = item_offset + (1 - scale.minimum)
    table = np.zeros(n_items * n_groups * n_bins, np.intp)
    checks = RatingChecks(scale)
    for block in row_blocks(n_participants, n_items):
        rated = values[block]
        if marks is not None:
            rated = np.where(marks[block], np.nan, rated)
        # Integrality is checked on the ratings themselves: shifted by the index offsets,
        # a tiny fraction would round away. A rating off the scale is reported at once,
        # before it could land in another item's bins.
        checks.add(rated)
        if not checks.on_scale():
            validate_ratings(ratings, scale, unable)
        index = rated + point_offset
        np.fmax(index, item_offset, out=index)  # nan moves to the item's bin 0
        if marks is not None:
            np.add(index, scale.n_points + 1, out=index, where=marks[block])
        if group_offset is not None:
            index += group_offset[block]
        table += np.bincount(index.astype(np.intp).ravel(), minlength=table.size)
    table = table.reshape(n_items, n_groups, n_bins)
    n_missing, n_unable = table[:, :, 0], table[:, :, -1]
    if not checks.all_integers(values.size - n_missing.sum() - n_unable.sum()):
        validate_ratings(ratings, scale, unable)
    return CountTable(
        counts=table[:, :, 1:-1], n_missing=n_missing, n_unable=n_unable, group_labels=labels
    )


def check_quantile_method(method: str) -> str:
    """Return ``method`` if ``np.quantile`` accepts it, else raise ValueError naming it.

    Examples
    --------
    >>> check_quantile_method("hazen")
    'hazen'
    """
    if method not in QUANTILE_METHODS:
        raise ValueError(
            f"quantile_method {method!r} is not one of numpy's: {', '.join(QUANTILE_METHODS)}"
        )
    return method


def _order_statistic(cumulative: np.ndarray, points: np.ndarray, rank: np.ndarray):
    """Value of the 0-based ``rank``-th smallest rating: the first point whose cumulative
    count exceeds ``rank`` (``searchsorted(cumulative, rank, side="right")`` per row).

    ``cumulative`` has the points on its first axis, contiguous, so the count runs over
    whole rows of the table at once rather than over each row's few points."""
    position = np.count_nonzero(cumulative <= rank, axis=0)
    return points[np.minimum(position, points.size - 1)]


def _boundary_index(index: np.ndarray, take_previous: np.ndarray) -> np.ndarray:
    """numpy's ``_discrete_interpolation_to_boundaries``: floor or floor + 1, clipped at 0."""
    previous = np.floor(index)
    chosen = np.where(take_previous, previous, previous + 1).astype(np.intp)
    return np.maximum(chosen, 0)


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's ``_lerp``: a + (b - a) t, computed from b's side when t >= 0.5."""
    diff = b - a
    result = a + diff * t
    np.subtract(b, diff * (1 - t), out=result, where=t >= 0.5)
    return result


def quantiles_from_counts(counts, points, q, method: str = "linear") -> np.ndarray:
    """Sample quantiles of the ratings behind a count table, equal to ``np.quantile``.

    For each row of ``counts`` (the tally of each point) and each probability in ``q`` this
    returns exactly ``np.quantile(values, q, method=method)`` on the row's ratings sorted out
    in full, by the same floating-point steps as numpy (Hyndman & Fan 1996): the virtual
    index ``v`` (for "linear" ``v = (n - 1) q``; for the continuous types
    ``v = n q + alpha + q (1 - alpha - beta) - 1``), the neighbouring order statistics
    ``x[floor(v)]`` and ``x[floor(v) + 1]`` found from the cumulative counts, and numpy's
    interpolation ``x_lo + (x_hi - x_lo) gamma``. Rows with no ratings give ``np.nan``.

    Parameters
    ----------
    counts : array_like of int, (..., A)
    points : array_like of float, (A,)
        The value each column counts, ascending.
    q : sequence of float in [0, 1]
    method : str
        One of :data:`QUANTILE_METHODS`.

    Returns
    -------
    ndarray of float64, ``(len(q),) + counts.shape[:-1]``

    References
    ----------
    Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat 1996;50:361-5.

    Examples
    --------
    Ratings 1, 7, 8, 8, 9 on 1-9; "linear" P30 has v = 4 x 0.3 = 1.2, so 7 + 0.2 (8 - 7):

    >>> quantiles_from_counts([1, 0, 0, 0, 0, 0, 1, 2, 1], np.arange(1.0, 10.0), [0.3, 0.5])
    array([7.2, 8. ])
    """
    check_quantile_method(method)
    counts = np.asarray(counts)
    points = np.asarray(points, dtype=np.float64)
    probabilities = np.asarray(q, dtype=np.float64)
    if probabilities.ndim != 1 or not ((probabilities >= 0) & (probabilities <= 1)).all():
        raise ValueError(f"q must be a sequence of probabilities in [0, 1], got {q!r}")
    q = probabilities.reshape((-1,) + (1,) * (counts.ndim - 1))
    n = counts.sum(axis=-1)
    cumulative = np.ascontiguousarray(np.moveaxis(np.cumsum(counts, axis=-1), -1, 0)[:, None])

    if method in ("lower", "higher", "nearest", "inverted_cdf", "closest_observation"):
        if method == "lower":
            rank = np.floor((n - 1) * q).astype(np.intp)
        elif method == "higher":
            rank = np.ceil((n - 1) * q).astype(np.intp)
        elif method == "nearest":
            rank = np.around((n - 1) * q).astype(np.intp)
        elif method == "inverted_cdf":
            index = (n * q) - 1
            rank = _boundary_index(index, index == np.floor(index))
        else:
            # Hyndman & Fan type 3: the even order statistic (1-based) at a tie.
            index = (n * q) - 1 - 0.5
            previous = np.floor(index)
            rank = _boundary_index(index, (index == previous) & (previous % 2 == 1))
        result = _order_statistic(cumulative, points, rank)
    else:
        if method == "linear":
            virtual = (n - 1) * q
        elif method == "midpoint":
            virtual = 0.5 * (np.floor((n - 1) * q) + np.ceil((n - 1) * q))
        elif method == "averaged_inverted_cdf":
            virtual = (n * q) - 1
        else:
            alpha, beta = _ALPHA_BETA[method]
            virtual = n * q + (alpha + q * (1 - alpha - beta)) - 1
        previous = np.floor(virtual)
        # Outside [0, n - 1] both neighbours are the same extreme, so gamma is irrelevant.
        above = virtual >= n - 1
        below = virtual < 0
        low = np.where(above, n - 1, np.where(below, 0, previous)).astype(np.intp)
        high = np.where(above, n - 1, np.where(below, 0, previous + 1)).astype(np.intp)
        gamma = virtual - previous
        if method == "averaged_inverted_cdf":
            gamma = np.where(gamma == 0, 0.5, 1.0)
        elif method == "midpoint":
            gamma = np.where(virtual % 1 == 0, 0.0, 0.5)
        result = _lerp(
            _order_statistic(cumulative, points, low),
            _order_statistic(cumulative, points, high),
            gamma,
        )
    return np.where(n > 0, result, np.nan)
