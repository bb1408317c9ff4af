"""Small-cell suppression of stakeholder-group results before they are shown or exported."""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass

import numpy as np

from delphi.engine.summary import Summary


@dataclass(frozen=True, eq=False)
class SuppressionResult:
    """A summary with small group cells hidden.

    Attributes
    ----------
    summary : Summary
        The input summary with ``by_group`` replaced: in every group summary, each statistic
        of a suppressed (group, item) cell is ``np.nan`` (counts become float arrays so they
        can hold it), and flags and modes are False. The overall statistics are unchanged.
    suppressed : ndarray of bool, groups x items
        Rows in the order of ``summary.group_labels``.
    """

    summary: Summary
    suppressed: np.ndarray


def _hide(values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Copy of ``values`` with the rows of hidden items blanked: False or np.nan."""
    if values.dtype == np.bool_:
        blanked = values & ~hidden.reshape((-1,) + (1,) * (values.ndim - 1))
    else:
        blanked = values.astype(np.float64)
        blanked[hidden] = np.nan
    blanked.flags.writeable = False
    return blanked


def _hide_cells(group: Summary, hidden: np.ndarray) -> Summary:
    """``group`` with every per-item statistic of the ``hidden`` items blanked."""
    changes = {}
    for item in dataclasses.fields(group):
        value = getattr(group, item.name)
        if isinstance(value, np.ndarray):
            changes[item.name] = _hide(value, hidden)
    changes["percent"] = {band: _hide(values, hidden) for band, values in group.percent.items()}
    return dataclasses.replace(group, **changes)


def small_cell_suppression(summary: Summary, minimum_n: int) -> SuppressionResult:
    """Hide stakeholder-group results based on fewer than ``minimum_n`` valid ratings.

    Primary suppression hides each (group, item) cell with ``n < minimum_n``. Complementary
    suppression: when exactly one group of an item is hidden, its counts could be recovered
    as the overall total minus the other groups, so the unhidden group with the smallest
    ``n`` (the first in label order on ties) is hidden too. A summary with a single group
    cannot be protected this way (the group is the total) and is returned as it is given.

    Parameters
    ----------
    summary : Summary
        From :func:`~delphi.engine.summarise` with groups (without groups nothing is hidden).
    minimum_n : int
        Smallest number of valid ratings a shown cell may rest on (at least 1).

    Returns
    -------
    SuppressionResult

    Raises
    ------
    ValueError
        If ``minimum_n`` is not a positive integer.

    References
    ----------
    Hundepool A et al. Statistical Disclosure Control. Wiley; 2012 (primary and secondary
    cell suppression of tables).

    Examples
    --------
    Patients (4 raters), clinicians (2) and carers (3) with ``minimum_n = 3``: clinicians
    are hidden, and carers too, or the total minus the patients would give them away.

    >>> from delphi.engine.scale import GRADE_9
    >>> from delphi.engine.summary import summarise
    >>> groups = ["patient"] * 4 + ["clinician"] * 2 + ["carer"] * 3
    >>> s = summarise([[7], [8], [9], [7], [5], [9], [8], [8], [7]], GRADE_9, groups=groups)
    >>> result = small_cell_suppression(s, 3)
    >>> s.group_labels, result.suppressed[:, 0]
    (('carer', 'clinician', 'patient'), array([ True,  True, False]))
    >>> result.summary.by_group["carer"].median, result.summary.by_group["patient"].median
    (array([nan]), array([7.5]))
    """
    if isinstance(minimum_n, bool):
        raise ValueError(f"minimum_n must be a positive integer, got {minimum_n!r}")
    try:
        minimum = operator.index(minimum_n)
    except TypeError:
        raise ValueError(f"minimum_n must be a positive integer, got {minimum_n!r}") from None
    if minimum < 1:
        raise ValueError(f"minimum_n must be a positive integer, got {minimum_n!r}")
    labels = summary.group_labels
    n = np.array([summary.by_group[label].n for label in labels]).reshape(
        len(labels), summary.n_items
    )
    suppressed = n < minimum
    if len(labels) > 1:
        alone = suppressed.sum(axis=0) == 1
        next_smallest = np.argmin(np.where(suppressed, np.inf, n), axis=0)
        suppressed[next_smallest[alone], np.flatnonzero(alone)] = True
    suppressed.flags.writeable = False
    by_group = {
        label: _hide_cells(summary.by_group[label], suppressed[row])
        for row, label in enumerate(labels)
    }
    return SuppressionResult(
        summary=dataclasses.replace(summary, by_group=by_group), suppressed=suppressed
    )
