"""Aggregating top-N choices (James Lind Alliance interim survey) and Kendall's W.

Participants choose and rank their most important items (rank 1 = most important); the
choices are turned into points and combined into one list, either pooled or so that every
stakeholder group counts equally whatever its size.
"""

import numbers
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from delphi.engine._checks import finite_panel
from delphi.engine.scale import validate_groups

METHODS = ("points", "jla", "union", "weighted")
TIE_DECIMALS = 9
"""Scores equal to this many decimals are tied (weighted scores are sums of fractions)."""


@dataclass(frozen=True)
class Ranking:
    """Aggregated top-N choices, one entry per item.

    Attributes
    ----------
    method : str
        How `score` combines the groups (``"points"`` for each group's own list).
    top_n : int
        Points for a first place; rank r earns ``top_n + 1 - r``.
    times_chosen : numpy.ndarray of int
        Participants who chose the item.
    points : numpy.ndarray
        Points summed over participants (pooled over groups); 0 when never chosen.
    mean_rank : numpy.ndarray
        Mean rank position among the participants who chose the item; NaN if none did.
    score : numpy.ndarray
        The method's combined score (higher = higher priority); see `rank_aggregate`.
    position : numpy.ndarray
        Place in the list by `score`, 1 = top; tied scores share the average place.
    order : numpy.ndarray of int
        Item indices from top to bottom: by `score` descending, then `times_chosen`
        descending, then `mean_rank` ascending (never chosen last), then item index.
    selected : numpy.ndarray of bool
        For ``"union"``, the items in at least one group's top k (for a group's own list, its
        top k); otherwise every item.
    by_group : dict
        Group label → this group's own `Ranking` (method ``"points"``; its `points`, `score`
        and `position` are the group's), empty without groups.
    """

    method: str
    top_n: int
    times_chosen: np.ndarray
    points: np.ndarray
    mean_rank: np.ndarray
    score: np.ndarray
    position: np.ndarray
    order: np.ndarray
    selected: np.ndarray
    by_group: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Concordance:
    """Kendall's coefficient of concordance and its chi-square test.

    Attributes
    ----------
    w : numpy.float64
        Tie-corrected W in [0, 1]; NaN when every rater tied every item.
    chi2 : numpy.float64
        ``m (n - 1) W``.
    df : int
        ``n - 1``.
    p_value : numpy.float64
        Upper tail of chi-square with `df` degrees of freedom.
    n_raters, n_items : int
        m and n.
    note : str
        How partial rankings were completed; empty when every rater ranked every item.
    """

    w: np.float64
    chi2: np.float64
    df: int
    p_value: np.float64
    n_raters: int
    n_items: int
    note: str


def rank_aggregate(ranks, top_n=None, groups=None, method="points", k=None):
    r"""Combine participants' ranked (or ticked) choices into one priority list.

    Parameters
    ----------
    ranks : array_like, shape (participants, items)
        Rank positions, 1 = most important, ``np.nan`` = not chosen. Positions within a
        participant must differ and be integers from 1; gaps are allowed. **Choosing without
        ranking** ("tick your 10") is passed as a boolean matrix (True = chosen) or as a
        matrix whose only position is 1: every choice is then a shared first place worth
        ``top_n`` points (1 point by default), so points equal times chosen.
    top_n : int, optional
        Points for a first place. Default: the largest rank position used in ``ranks``
        (10 when anyone ranked a tenth item). Must be at least that position.
    groups : array_like, optional
        One stakeholder-group label per participant. Gives ``by_group``; needed by every
        method except ``"points"``.
    method : {"points", "jla", "union", "weighted"}
        How `score` is formed (below).
    k : int, optional
        Size of each group's top list for ``"union"`` (only).

    Returns
    -------
    Ranking

    Notes
    -----
    A participant's rank :math:`r` earns :math:`\text{top\_n} + 1 - r` points (rank 1 =
    ``top_n`` points … rank ``top_n`` = 1; unchosen 0): the Borda-style count of the JLA
    Guidebook (chapter 7, interim survey: rank 1 = 10 points … rank 10 = 1). With
    :math:`P_{gi}` the points item :math:`i` receives in group :math:`g` of :math:`n_g`
    participants and :math:`I` items:

    - ``"points"``: :math:`\sum_g P_{gi}`, pooled. A large group dominates this total.
    - ``"jla"`` (James Lind Alliance Guidebook, interim survey): rank the items within
      each group by :math:`P_{gi}`, tied items sharing the average position
      :math:`\text{pos}_{gi}` (items a group never chose tie at the bottom), and sum the
      position scores :math:`\sum_g (I + 1 - \text{pos}_{gi})`, so a small group weighs as
      much as a large one.
    - ``"union"``: `selected` is the union of each group's top ``k`` — items that fewer than
      ``k`` items of that group beat on points (all items tied at the cut-off are in) and that
      the group chose at least once; the JLA fallback when combining loses one group's
      priorities. `score` is the ``"jla"`` score, which orders the selection.
    - ``"weighted"``: :math:`\sum_g P_{gi} / n_g`, each group's points per respondent
      (every participant of the group counts in :math:`n_g`, chooser or not), summed over
      groups.

    Ties in `score` (to 9 decimals) are broken in `order` by times chosen (descending), then
    mean rank among choosers (ascending), then item index; `position` keeps them tied.

    Examples
    --------
    Three patients and one clinician rank their top 3 of items A–D (top_n = 3).
    Patients: A1 B2 C3, A1 B2 C3, B1 A2 C3; points A 3+3+2 = 8, B 7, C 3, D 0.
    Clinician: D1 C2 A3; points D 3, C 2, A 1, B 0. Pooled: A 9, B 7, C 5, D 3.
    JLA positions — patients A1 B2 C3 D4, clinician D1 C2 A3 B4 — give position scores
    (5 − position) A 4+2 = 6, B 3+1 = 4, C 2+3 = 5, D 1+4 = 5; C and D tie at 5 and C,
    chosen 4 times against 1, comes first.

    >>> nan = np.nan
    >>> ranks = [[1, 2, 3, nan], [1, 2, 3, nan], [2, 1, 3, nan], [3, nan, 2, 1]]
    >>> groups = ["patient", "patient", "patient", "clinician"]
    >>> rank_aggregate(ranks, groups=groups).points.tolist()
    [9.0, 7.0, 5.0, 3.0]
    >>> jla = rank_aggregate(ranks, groups=groups, method="jla")
    >>> jla.score.tolist(), jla.order.tolist()
    ([6.0, 4.0, 5.0, 5.0], [0, 2, 3, 1])
    >>> rank_aggregate(ranks, groups=groups, method="union", k=1).selected.tolist()
    [True, False, False, True]
    """
    positions = _positions(ranks)
    top_n = _top_n(top_n, positions)
    _check_method(method, groups, k)
    n_participants, n_items = positions.shape
    if groups is None:
        labels, member = (), np.zeros(n_participants, dtype=np.intp)
    else:
        labels, member = validate_groups(groups, n_participants)
    indicator = np.zeros((max(len(labels), 1), n_participants))
    indicator[member, np.arange(n_participants)] = 1.0
    chosen = ~np.isnan(positions)
    times = indicator @ chosen
    points = indicator @ np.where(chosen, top_n + 1 - positions, 0.0)
    rank_sums = indicator @ np.where(chosen, positions, 0.0)

    if method == "union":
        place = stats.rankdata(-points, method="min", axis=1)
        in_top = (place <= k) & (points > 0)
    else:
        in_top = np.ones(points.shape, dtype=bool)
    by_group = {
        label: _ranking("points", top_n, times[g], points[g], rank_sums[g], points[g], in_top[g])
        for g, label in enumerate(labels)
    }
    if method == "points":
        score = points.sum(axis=0)
    elif method == "weighted":
        score = (points / indicator.sum(axis=1, keepdims=True)).sum(axis=0)
    else:
        score = sum(n_items + 1 - group.position for group in by_group.values())
    return _ranking(
        method,
        top_n,
        times.sum(axis=0),
        points.sum(axis=0),
        rank_sums.sum(axis=0),
        score,
        in_top.any(axis=0),
        by_group,
    )


def _ranking(method, top_n, times, points, rank_sums, score, selected, by_group=None):
    """Assemble a `Ranking` from one list's tallies."""
    with np.errstate(invalid="ignore"):
        mean_rank = rank_sums / times
    tied_score = np.round(score, TIE_DECIMALS)
    order = np.lexsort(
        (np.arange(score.size), np.nan_to_num(mean_rank, nan=np.inf), -times, -tied_score)
    )
    return Ranking(
        method=method,
        top_n=top_n,
        times_chosen=times.astype(np.int64),
        points=points,
        mean_rank=mean_rank,
        score=score,
        position=stats.rankdata(-tied_score, method="average"),
        order=order,
        selected=selected,
        by_group=by_group or {},
    )


def _positions(ranks):
    """Validated rank positions as floats; ticks (booleans) become shared first places."""
    array = np.asarray(ranks)
    if array.dtype == np.bool_:
        array = np.where(array, 1.0, np.nan)
    positions = finite_panel(array, "ranks")
    chosen = ~np.isnan(positions)
    if not chosen.any():
        raise ValueError("ranks contains no choices (every entry is nan)")
    bad = chosen & ((positions < 1) | (np.trunc(positions) != positions))
    if bad.any():
        participant, item = np.argwhere(bad)[0]
        raise ValueError(
            f"ranks[{participant}, {item}] = {positions[participant, item]:g} is not a rank "
            f"position (an integer from 1; np.nan = not chosen)"
        )
    if positions[chosen].max() > 1:
        in_order = np.sort(positions, axis=1)
        repeated = in_order[:, 1:] == in_order[:, :-1]
        if repeated.any():
            participant, column = np.argwhere(repeated)[0]
            raise ValueError(
                f"participant {participant} gives rank position "
                f"{in_order[participant, column]:g} to more than one item"
            )
    return positions


def _count(value, name, least):
    """``value`` as an int of at least ``least``, else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} must be an integer of at least {least}, got {value!r}")
    return int(value)


def _top_n(top_n, positions):
    used = int(np.nanmax(positions))
    if top_n is None:
        return used
    return _count(top_n, "top_n (the largest rank position used)", used)


def _check_method(method, groups, k):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if method != "points" and groups is None:
        raise ValueError(f"method {method!r} combines stakeholder groups: pass groups")
    if method == "union":
        _count(k, "k (each group's top list)", 1)
    elif k is not None:
        raise ValueError(f"k is used only by method 'union', got k={k!r} with {method!r}")


def kendalls_w(ranks):
    r"""Kendall's coefficient of concordance W, tie-corrected, with its chi-square test.

    Parameters
    ----------
    ranks : array_like, shape (raters, items)
        Rank positions or ratings; each rater's row is ranked (ascending, ties sharing the
        average rank, ``scipy.stats.rankdata``), so ratings on a scale work as they are.
        ``np.nan`` marks an item a rater did **not choose** in a partial top-N ranking: it
        ranks after all that rater's chosen items, sharing the mean of the remaining ranks.
        (With ratings, nan would therefore sit above the highest rating: pass complete
        ratings.)

    Returns
    -------
    Concordance

    Notes
    -----
    Kendall & Babington Smith (Ann Math Stat 1939;10:275–87); tie correction as in Siegel &
    Castellan (1988). With :math:`m` raters, :math:`n` items, rank sums
    :math:`R_i` and, for each rater, :math:`T = \sum (t^3 - t)` over its groups of :math:`t`
    tied ranks:

    .. math::

        S = \sum_i \left(R_i - \frac{m(n + 1)}{2}\right)^2, \quad
        W = \frac{12 S}{m^2 (n^3 - n) - m \sum T}, \quad
        \chi^2 = m (n - 1) W, \quad df = n - 1,

    the p-value being the chi-square upper tail (Friedman's test, to which this
    :math:`\chi^2` is identical). A rater's unchosen items form one tie group, so partial
    rankings are tie-corrected like any other ties.

    Examples
    --------
    Three raters rank four items: (1, 2, 3, 4), (1, 3, 2, 4), (2, 1, 3, 4). Rank sums
    4, 6, 8, 12 around a mean of 7.5 give S = 12.25 + 2.25 + 0.25 + 20.25 = 35 and
    W = 12 × 35 / (9 × 60) = 0.778; chi-square = 3 × 3 × W = 7.0 on 3 df, p = 0.072.

    >>> result = kendalls_w([[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]])
    >>> round(float(result.w), 3), round(float(result.chi2), 3), result.df
    (0.778, 7.0, 3)
    """
    data = finite_panel(ranks, "ranks")
    m, n = data.shape
    if n < 2:
        raise ValueError(f"ranks must have at least 2 items (columns), got shape {data.shape}")
    chosen = ~np.isnan(data)
    ranked = stats.rankdata(data, method="average", axis=1, nan_policy="omit")
    remaining_mean = (chosen.sum(axis=1, keepdims=True) + 1 + n) / 2
    ranked = np.where(chosen, ranked, remaining_mean)

    in_order = np.sort(ranked, axis=1)
    starts = np.ones(in_order.shape, dtype=bool)
    starts[:, 1:] = in_order[:, 1:] != in_order[:, :-1]
    tie_sizes = np.bincount(np.cumsum(starts.ravel()) - 1).astype(float)
    ties = np.sum(tie_sizes**3 - tie_sizes)

    spread = np.sum((ranked.sum(axis=0) - m * (n + 1) / 2) ** 2)
    denominator = m**2 * (n**3 - n) - m * ties
    w = 12 * spread / denominator if denominator > 0 else np.nan
    chi2 = m * (n - 1) * w
    partial = int((~chosen).any(axis=1).sum())
    note = (
        f"{partial} of {m} rankings were partial: their unchosen items share the mean of the "
        f"remaining ranks, and W and its test are corrected for these ties."
        if partial
        else ""
    )
    return Concordance(
        w=np.float64(w),
        chi2=np.float64(chi2),
        df=n - 1,
        p_value=np.float64(stats.chi2.sf(chi2, n - 1)),
        n_raters=m,
        n_items=n,
        note=note,
    )
