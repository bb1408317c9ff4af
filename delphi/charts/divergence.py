"""Group divergence: the items on which the stakeholder groups disagree most.

For each item, the share of each group scoring it in the top band; the items whose groups
are furthest apart (the range, highest group minus lowest, in percentage points) come first,
most divergent at the top. Each row is a dot plot: a line from the lowest group to the
highest, and one marker per group, each group with its own shape and fill, named in a key
above the chart. The range is written at the right ("42 points"). A group the engine
suppressed for an item (NaN: fewer people than the minimum) is left out of that row and
named under the chart, never drawn; an item known for fewer than two groups has no range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ._common import (
    SIDE,
    chars,
    draw_key,
    draw_title,
    item_list,
    key_height,
    labels,
    numbers_array,
    row_label,
    row_label_width,
    title_height,
    title_lines,
    title_sentence,
    whole,
    wrap,
)
from .figures import Chart, new_figure
from .style import (
    FIGURE_WIDTH,
    GROUP_FILLS,
    GROUP_MARKERS,
    LABEL_SIZE,
    LINE,
    MARKER_EDGE,
    TEXT,
    TICK_SIZE,
)

MAX_GROUPS = len(GROUP_MARKERS)

_RIGHT = 0.95
_ROW = 0.32
_AXES_PAD = 0.25
_X_LABEL = 0.55
_NOTE_LINE = 0.2
_BOTTOM_PAD = 0.1
_MARKER_SIZE = 8


def group_divergence(numbers: Sequence, pct_top_by_group: Mapping[str, Sequence[float]],
                     top_k: int = 10, label: str = "% scoring in the top band",
                     min_group_size: int | None = None, title: str = "") -> Chart:
    """Draw the ``top_k`` items whose groups' shares in the top band differ most.

    Parameters
    ----------
    numbers : each item's number (or short name).
    pct_top_by_group : group name -> per item, the % of the group scoring in the top band
        (0 to 100), NaN where the group is suppressed or nobody in it scored the item;
        at most eight groups, drawn and named in the order given.
    top_k : how many items to draw (fewer when fewer items have a range).
    label : what the percentages are, e.g. "% scoring 7 to 9"; the axis name.
    min_group_size : the study's minimum group size, to say why a group is missing
        ("fewer than 5 people"); ``None`` says "too few people".
    title : optional heading.

    Rows run top to bottom from the largest range to the smallest, ties in the order given;
    ``figure.axes[0].collections`` holds one set of markers per group (with ``y`` = the
    row: 0 at the top). The table lists every item with a range in the same order, then
    those without one.

    Raises
    ------
    ValueError
        Naming the bad value: no groups or more than eight, lengths that differ, a
        percentage outside 0 to 100, ``top_k`` below 1.
    """
    names = labels(numbers, "item number")
    groups = tuple(str(group) for group in pct_top_by_group)
    if not groups:
        raise ValueError("no groups: give each group's % in the top band")
    if len(groups) > MAX_GROUPS:
        raise ValueError(f"{len(groups)} groups: at most {MAX_GROUPS} can be told apart")
    shares = np.vstack([numbers_array(values, f"group {group!r}", len(names), 0, 100)
                        for group, values in zip(groups, pct_top_by_group.values(),
                                                 strict=True)]) if names else np.empty(
        (len(groups), 0))
    top_k = whole(top_k, "top_k")
    if top_k < 1:
        raise ValueError(f"top_k {top_k} must be at least 1")
    if not label.strip():
        raise ValueError("label is empty: say what the percentages are")

    known = ~np.isnan(shares)
    ranged = known.sum(axis=0) >= 2
    spread = np.full(len(names), np.nan)
    if ranged.any():
        spread[ranged] = (np.nanmax(shares[:, ranged], axis=0)
                          - np.nanmin(shares[:, ranged], axis=0))
    order = sorted(np.flatnonzero(ranged).tolist(), key=lambda i: (-spread[i], i))
    shown = order[:top_k]
    return Chart(
        figure=_draw(names, groups, shares, spread, shown, label, min_group_size, title),
        alt_text=_alt_text(names, groups, shares, spread, shown, ranged, label,
                           min_group_size, title),
        table=_table(names, groups, shares, spread, order, ranged),
    )


def _draw(names, groups, shares, spread, shown, label, min_group_size, title):
    heading = title_lines(title)
    note = _note_lines(names, groups, shares, shown, min_group_size)
    top = title_height(heading)
    rows = max(len(shown), 1)
    axes_height = rows * _ROW + _AXES_PAD
    legend = key_height(groups)
    height = (top + legend + axes_height + _X_LABEL
              + _NOTE_LINE * len(note) + _BOTTOM_PAD)
    figure = new_figure(FIGURE_WIDTH, height)
    draw_title(figure, heading, height)
    row_labels = [row_label(names[i]) for i in shown]
    left = row_label_width(row_labels)
    axes_width = FIGURE_WIDTH - left - _RIGHT - SIDE
    bottom = _BOTTOM_PAD + _NOTE_LINE * len(note) + _X_LABEL
    ax = figure.add_axes((left / FIGURE_WIDTH, bottom / height, axes_width / FIGURE_WIDTH,
                          axes_height / height))
    ax.set_ylim(rows - 0.5 + _AXES_PAD / _ROW / 2, -0.5 - _AXES_PAD / _ROW / 2)
    ax.set_xlim(-3, 103)
    ticks = [0, 20, 40, 60, 80, 100]
    ax.set_xticks(ticks, labels=[f"{tick}%" for tick in ticks])
    ax.set_xlabel(label, fontsize=TICK_SIZE, color=TEXT)
    ax.tick_params(labelsize=TICK_SIZE, colors=TEXT)
    ax.set_yticks(range(len(shown)), labels=row_labels)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)

    for y, i in enumerate(shown):
        column = shares[:, i]
        ax.plot([np.nanmin(column), np.nanmax(column)], [y, y], color=LINE, linewidth=2,
                zorder=2)
        ax.annotate(f"{spread[i]:.0f} points", (1, y), xycoords=("axes fraction", "data"),
                    xytext=(8, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=LABEL_SIZE, color=TEXT)
    handles = []
    for index, group in enumerate(groups):
        values = shares[index, shown] if shown else np.empty(0)
        drawn = ~np.isnan(values)
        handles.append(ax.scatter(values[drawn], np.arange(len(shown))[drawn],
                                  s=_MARKER_SIZE ** 2, marker=GROUP_MARKERS[index],
                                  facecolor=GROUP_FILLS[index], edgecolor=MARKER_EDGE,
                                  linewidth=0.8, zorder=3 + index, label=group))
    if not shown:
        ax.text(0.5, 0.5, "No item was scored by two or more groups.", transform=ax.transAxes,
                ha="center", va="center", fontsize=TICK_SIZE, color=TEXT)
    draw_key(figure, ax, handles, top, height)
    if note:
        figure.text(SIDE / FIGURE_WIDTH, (_BOTTOM_PAD + _NOTE_LINE * len(note)) / height,
                    "\n".join(note), ha="left", va="top", fontsize=LABEL_SIZE, color=TEXT)
    return figure



def _too_few(min_group_size) -> str:
    if min_group_size is None:
        return "too few people"
    return "fewer than 1 person" if min_group_size == 1 else f"fewer than {min_group_size} people"


def _missing(names, groups, shares, rows) -> list[tuple[str, list[str]]]:
    """(group, items) for each group left out of some of ``rows``."""
    result = []
    for index, group in enumerate(groups):
        items = [names[i] for i in rows if np.isnan(shares[index, i])]
        if items:
            result.append((group, items))
    return result


def _note_lines(names, groups, shares, shown, min_group_size) -> list[str]:
    missing = _missing(names, groups, shares, shown)
    if not missing:
        return []
    parts = "; ".join(f"{group} ({item_list(items, 6)})" for group, items in missing)
    return wrap(f"Not shown, {_too_few(min_group_size)} in the group scored the item: {parts}.",
                chars(FIGURE_WIDTH - 2 * SIDE, LABEL_SIZE), 3)


def _alt_text(names, groups, shares, spread, shown, ranged, label, min_group_size,
              title) -> str:
    sentences = title_sentence(title)
    sentences.append(f"Dot chart of the {len(shown)} "
                     f"{'item' if len(shown) == 1 else 'items'} on which the groups' "
                     f"{label.lower()} differ most, largest difference first.")
    for i in shown[:3]:
        parts = ", ".join(f"{group} {shares[index, i]:.0f}%"
                          for index, group in enumerate(groups)
                          if not np.isnan(shares[index, i]))
        sentences.append(f"Item {names[i]}: {parts} ({spread[i]:.0f} points apart).")
    if len(shown) > 3:
        sentences.append("The table gives every item.")
    for group, items in _missing(names, groups, shares, shown):
        sentences.append(f"{group} not shown for {item_list(items)}: "
                         f"{_too_few(min_group_size)}.")
    unranged = [names[i] for i in np.flatnonzero(~ranged)]
    if unranged:
        sentences.append(f"Fewer than two groups shown for {item_list(unranged)}.")
    return " ".join(sentences)


def _table(names, groups, shares, spread, order, ranged):
    rows = []
    for i in [*order, *np.flatnonzero(~ranged).tolist()]:
        cells = ["not shown" if np.isnan(shares[index, i]) else f"{shares[index, i]:.0f}%"
                 for index in range(len(groups))]
        rows.append((names[i], *cells, "–" if np.isnan(spread[i]) else f"{spread[i]:.0f}"))
    return (("Item", *groups, "Difference (points)"), *rows)
