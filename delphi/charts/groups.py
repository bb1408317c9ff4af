"""By stakeholder group: the steering group's view of one item, one panel per group.

The same panels as the participants' item-distribution chart (it draws them), without
anyone's own score: everyone first when given, then each group in the order given. A group
with fewer people than the study's minimum is named with "Not shown because fewer than N
people scored this." and never drawn, so nobody in a small group can be picked out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .distribution import DistributionPanel, _whole, item_distribution
from .figures import Chart

EVERYONE = "Everyone"


def by_group(item_label: str, groups: Mapping[str, Sequence[int] | None],
             points: Sequence[int], bands: Sequence[tuple[str, int, int]] = (),
             overall: Sequence[int] | None = None,
             point_labels: Mapping[int, str] | None = None,
             min_group_size: int = 5) -> Chart:
    """Draw how each stakeholder group scored one item, one panel per group.

    Parameters
    ----------
    item_label : the item's number and words, the chart's title.
    groups : group name -> one count per scale point, lowest first, in the order to draw;
        ``None`` for a group the engine suppressed. A group whose counts add up to fewer
        than ``min_group_size`` is suppressed here too: its counts appear nowhere.
    points, bands, point_labels : as for :func:`item_distribution`.
    overall : everyone's counts, drawn first as "Everyone"; ``None`` to leave it out.
    min_group_size : the smallest group drawn, named in suppressed panels.

    ``figure.axes`` holds one panel per drawn entry: "Everyone" (when given), then the
    groups in order.

    Raises
    ------
    ValueError
        No groups, ``min_group_size`` below 1, or anything :func:`item_distribution`
        refuses (counts not fitting the scale, a band off the scale, ...).
    """
    if not groups:
        raise ValueError("no groups: give at least one group's counts")
    min_group_size = _whole(min_group_size, "min_group_size")
    if min_group_size < 1:
        raise ValueError(f"min_group_size {min_group_size} must be at least 1")
    panels = [] if overall is None else [DistributionPanel(EVERYONE, tuple(overall))]
    for name, counts in groups.items():
        if counts is None or _total(counts, name) < min_group_size:
            panels.append(DistributionPanel(str(name), (), suppressed=True))
        else:
            panels.append(DistributionPanel(str(name), tuple(counts)))
    return item_distribution(panels, points, bands, own_answer=None,
                             point_labels=point_labels, min_group_size=min_group_size,
                             title=item_label)


def _total(counts: Sequence[int], name: str) -> int:
    return sum(_whole(count, f"group {name!r} count") for count in counts)
