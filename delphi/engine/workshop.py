r"""Combining small groups' rankings at a final priority-setting workshop (sum of ranks).

At a James Lind Alliance final workshop each small group ranks the whole shortlist, and the
groups' rankings are combined by adding them up. *The James Lind Alliance Guidebook* (chapter 8,
the final workshop): "ranked orders for each item from each group are totalled, and the
priority with the lowest, i.e. most favoured, total ranking is selected as the top priority".
With :math:`G` groups, :math:`I` items and :math:`r_{gi}` the rank group :math:`g` gives item
:math:`i` (1 = most important), item :math:`i`'s total is :math:`T_i = \sum_g r_{gi}` and the
lowest total comes first.

Two flags help the room; neither changes the order:

- **contested**: the groups' ranks for the item span at least a third of the list,
  :math:`3 (\max_g r_{gi} - \min_g r_{gi}) \ge I`. This is a rule this app uses to highlight
  items for discussion, not one from the Guidebook.
- **boundary ties**: items whose equal totals straddle the top-``top`` boundary (the top 10 by
  default). They are flagged for the room to resolve and never broken by the engine.
"""

import numbers
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WorkshopTotals:
    """Small groups' ranks combined by sum of ranks, one entry per item.

    Attributes
    ----------
    totals : numpy.ndarray of int
        Sum of the groups' ranks; the lowest total is the most favoured.
    mean_rank : numpy.ndarray of float
        ``totals`` divided by the number of groups.
    position : numpy.ndarray of int
        Place by total, 1 = lowest total; tied items share the smallest place (1, 2, 2, 4).
    order : numpy.ndarray of int
        Item indices by total ascending; tied items in index order (for display only: the
        tie itself is kept in `position` and, at the boundary, in `boundary_ties`).
    span : numpy.ndarray of int
        Highest minus lowest rank the groups gave the item.
    contested : numpy.ndarray of bool
        ``3 * span >= I``: the groups' ranks span at least a third of the list.
    boundary_ties : tuple of int
        Indices (ascending) of the items tied with the last item of the top ``top``
        (``order[top - 1]``) when that tie also includes the first item outside it
        (``order[top]``); empty otherwise, and always empty when there are at most ``top``
        items.
    top : int
        Size of the top list whose boundary is checked for ties.
    """

    totals: np.ndarray
    mean_rank: np.ndarray
    position: np.ndarray
    order: np.ndarray
    span: np.ndarray
    contested: np.ndarray
    boundary_ties: tuple
    top: int


def sum_of_ranks(ranks, top=10):
    r"""Total the small groups' rankings of the shortlist: the lowest total comes first.

    Parameters
    ----------
    ranks : array_like, shape (groups, items)
        The rank each small group gave each item, 1 = most important. Every row must rank
        every item once: a permutation of 1 … I for I items.
    top : int, default 10
        Size of the top list (the workshop's Top 10) whose boundary is checked for ties.

    Returns
    -------
    WorkshopTotals

    Notes
    -----
    The James Lind Alliance Guidebook (chapter 8, the final workshop): "ranked orders for
    each item from each group are totalled, and the priority with the lowest, i.e. most
    favoured, total ranking is selected as the top priority". With :math:`G` groups,
    :math:`I` items and :math:`r_{gi}` the rank group :math:`g` gave item :math:`i`:

    .. math::

        T_i = \sum_g r_{gi}, \quad \bar r_i = T_i / G, \quad
        \text{position}_i = 1 + \#\{j : T_j < T_i\}, \quad
        \text{span}_i = \max_g r_{gi} - \min_g r_{gi}.

    An item is **contested** when :math:`3\, \text{span}_i \ge I` (the groups' ranks span at
    least a third of the list): a rule this app uses to highlight items for discussion, not
    one from the Guidebook. Items tied on total share a position. `order` lists tied items
    in index order for display, but a tie **at the top-``top`` boundary** (the last place in
    the top list and the first place outside it have the same total) is never broken: the
    tied items are returned in `boundary_ties` for the room to resolve.

    Examples
    --------
    Three small groups rank four questions A–D. Groups 1 and 2: A 1, B 2, C 3, D 4; group 3:
    C 1, A 2, B 3, D 4. Totals A 1+1+2 = 4, B 2+2+3 = 7, C 3+3+1 = 7, D 12, so A is first and
    B and C share second place. For a top 2, B and C are tied across the boundary. C's ranks
    run from 1 to 3: a span of 2, and 3 × 2 ≥ 4 items, so C is contested.

    >>> result = sum_of_ranks([[1, 2, 3, 4], [1, 2, 3, 4], [2, 3, 1, 4]], top=2)
    >>> result.totals.tolist(), result.position.tolist(), result.order.tolist()
    ([4, 7, 7, 12], [1, 2, 2, 4], [0, 1, 2, 3])
    >>> result.contested.tolist(), result.boundary_ties
    ([False, False, True, False], (1, 2))
    """
    table = _valid_ranks(ranks)
    top = _valid_top(top)
    n_groups, n_items = table.shape
    totals = table.sum(axis=0)
    order = np.argsort(totals, kind="stable")
    position = np.searchsorted(totals[order], totals, side="left") + 1
    span = table.max(axis=0) - table.min(axis=0)
    boundary_ties = ()
    if n_items > top and totals[order[top - 1]] == totals[order[top]]:
        tied = np.flatnonzero(totals == totals[order[top - 1]])
        boundary_ties = tuple(int(item) for item in tied)
    return WorkshopTotals(
        totals=totals,
        mean_rank=totals / n_groups,
        position=position.astype(np.int64),
        order=order,
        span=span,
        contested=3 * span >= n_items,
        boundary_ties=boundary_ties,
        top=top,
    )


def _valid_ranks(ranks):
    """``ranks`` as a groups × items int64 array whose rows are permutations of 1 … I."""
    try:
        array = np.asarray(ranks)
    except ValueError:
        raise ValueError("ranks must be a rectangular groups x items table of ranks") from None
    if array.dtype.kind not in "iuf":
        raise ValueError(f"ranks must be whole numbers (rank positions), got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"ranks must be groups x items (2-D), got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"ranks has no groups (rows), got shape {array.shape}")
    if array.shape[1] == 0:
        raise ValueError(f"ranks has no items (columns), got shape {array.shape}")
    if array.dtype.kind == "f":
        fractional = ~np.isfinite(array) | (np.trunc(array) != array)
        if fractional.any():
            group, item = np.argwhere(fractional)[0]
            raise ValueError(
                f"ranks[{group}, {item}] = {array[group, item]:g} is not a whole number"
            )
    n_items = array.shape[1]
    outside = (array < 1) | (array > n_items)
    if outside.any():
        group, item = np.argwhere(outside)[0]
        raise ValueError(
            f"ranks[{group}, {item}] = {array[group, item]:g} is outside 1 to {n_items}: each "
            f"group's row must be a permutation of 1 to {n_items}"
        )
    table = array.astype(np.int64)
    in_order = np.sort(table, axis=1)
    repeated = in_order[:, 1:] == in_order[:, :-1]
    if repeated.any():
        group, column = np.argwhere(repeated)[0]
        raise ValueError(
            f"group {group} gives rank {in_order[group, column]} to more than one item: each "
            f"group's row must be a permutation of 1 to {n_items}"
        )
    return table


def _valid_top(top):
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}")
    return int(top)
