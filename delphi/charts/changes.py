"""Movement between rounds: each item's change since the last round, as a dumbbell chart.

One row per item, sorted by change, biggest rise at the top and biggest fall at the bottom:
an open circle at last round's value, a filled diamond at this round's, joined by a line,
and the change written at the right ("+1.5"). The two rounds are told apart by marker shape
and fill, named in a key above the chart. Items without a value in either round (new, or
nobody scored them) are left out, and the alt text says which.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._common import (
    SIDE,
    draw_key,
    draw_title,
    item_list,
    key_height,
    labels,
    number,
    numbers_array,
    row_label,
    row_label_width,
    signed,
    title_height,
    title_lines,
    title_sentence,
    whole,
)
from .figures import Chart, new_figure
from .style import BAR, FIGURE_WIDTH, LABEL_SIZE, LINE, MARKER_EDGE, TEXT, TICK_SIZE

_RIGHT = 0.6                # changes
_ROW = 0.28
_AXES_PAD = 0.25
_X_LABEL = 0.55
_BOTTOM_PAD = 0.1
_MARKER_SIZE = 8


def movement(numbers: Sequence, before: Sequence[float], after: Sequence[float], label: str,
             before_label: str = "Last round", after_label: str = "This round",
             limit: int | None = None, title: str = "") -> Chart:
    """Draw each item's value last round and this round, sorted by the change.

    Parameters
    ----------
    numbers : each item's number (or short name), written at the left of its row.
    before, after : per item, last round's and this round's value of the same statistic
        (a median, or a % scoring in the top band); NaN where not known.
    label : what the values are, e.g. "Median score" or "% scoring 7 to 9"; the axis name.
    before_label, after_label : the rounds' names in the key and the table.
    limit : draw only this many items, those that moved most (by size of change), still
        sorted by change; ``None`` draws every item with both values.
    title : optional heading.

    Rows run top to bottom from the largest rise to the largest fall, ties in the order
    given; ``figure.axes[0].collections`` holds the "before" markers then the "after"
    markers, with ``y`` = 0 for the top row, 1 for the next, and so on.

    Raises
    ------
    ValueError
        Naming the bad value: lengths that differ, an infinite value, ``limit`` below 1.
    """
    names = labels(numbers, "item number")
    before = numbers_array(before, "before", len(names))
    after = numbers_array(after, "after", len(names))
    if limit is not None:
        limit = whole(limit, "limit")
        if limit < 1:
            raise ValueError(f"limit {limit} must be at least 1")
    if not label.strip():
        raise ValueError("label is empty: say what the values are, e.g. 'Median score'")

    known = ~(np.isnan(before) | np.isnan(after))
    change = after - before
    order = [int(i) for i in np.flatnonzero(known)]
    if limit is not None and len(order) > limit:
        # The most moved, by size; the earlier item wins a tie.
        order = sorted(order, key=lambda i: (-abs(change[i]), i))[:limit]
    order.sort(key=lambda i: (-change[i], i))
    return Chart(
        figure=_draw(names, before, after, order, label, before_label, after_label, title),
        alt_text=_alt_text(names, change, known, order, label, before_label, after_label,
                           title),
        table=_table(names, before, after, change, label, before_label, after_label),
    )


def _draw(names, before, after, order, label, before_label, after_label, title):
    heading = title_lines(title)
    top = title_height(heading)
    rows = max(len(order), 1)
    axes_height = rows * _ROW + _AXES_PAD
    height = top + key_height([before_label, after_label]) + axes_height + _X_LABEL + _BOTTOM_PAD
    figure = new_figure(FIGURE_WIDTH, height)
    draw_title(figure, heading, height)
    row_labels = [row_label(names[i]) for i in order]
    left = row_label_width(row_labels)
    axes_width = FIGURE_WIDTH - left - _RIGHT - SIDE
    ax = figure.add_axes((left / FIGURE_WIDTH, (_BOTTOM_PAD + _X_LABEL) / height,
                          axes_width / FIGURE_WIDTH, axes_height / height))
    ax.set_ylim(rows - 0.5 + _AXES_PAD / _ROW / 2, -0.5 - _AXES_PAD / _ROW / 2)
    values = np.concatenate([before[order], after[order]]) if order else np.array([0.0, 1.0])
    low, high = float(values.min()), float(values.max())
    pad = max((high - low) * 0.06, 0.25)
    ax.set_xlim(low - pad, high + pad)
    ax.set_xlabel(label, fontsize=TICK_SIZE, color=TEXT)
    ax.tick_params(labelsize=TICK_SIZE, colors=TEXT)
    ax.set_yticks(range(len(order)), labels=row_labels)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)

    ys = np.arange(len(order))
    for y, i in zip(ys, order, strict=True):
        ax.plot([before[i], after[i]], [y, y], color=LINE, linewidth=2, zorder=2)
    first = ax.scatter(before[order], ys, s=_MARKER_SIZE ** 2, marker="o", facecolor="white",
                       edgecolor=MARKER_EDGE, linewidth=1.5, zorder=3, label=before_label)
    second = ax.scatter(after[order], ys, s=_MARKER_SIZE ** 2, marker="D", facecolor=BAR,
                        edgecolor=MARKER_EDGE, linewidth=0.8, zorder=4, label=after_label)
    for y, i in zip(ys, order, strict=True):
        ax.annotate(signed(after[i] - before[i]), (1, y), xycoords=("axes fraction", "data"),
                    xytext=(8, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=LABEL_SIZE, color=TEXT)
    if not order:
        ax.text(0.5, 0.5, "No item has a value in both rounds.", transform=ax.transAxes,
                ha="center", va="center", fontsize=TICK_SIZE, color=TEXT)
    draw_key(figure, ax, [first, second], top, height)
    return figure



def _alt_text(names, change, known, order, label, before_label, after_label, title) -> str:
    sentences = title_sentence(title)
    sentences.append(f"Dot chart of each item's {label.lower()} in {before_label.lower()} "
                     f"and {after_label.lower()}, {len(order)} "
                     f"{'item' if len(order) == 1 else 'items'}, sorted from the biggest "
                     "rise to the biggest fall.")
    rose = [i for i in order if change[i] > 0]
    fell = [i for i in order if change[i] < 0]
    same = [i for i in order if change[i] == 0]
    if rose:
        sentences.append(f"Rose most: item {names[rose[0]]} ({signed(change[rose[0]])}); "
                         f"{len(rose)} rose in all.")
    if fell:
        sentences.append(f"Fell most: item {names[fell[-1]]} ({signed(change[fell[-1]])}); "
                         f"{len(fell)} fell in all.")
    if same:
        sentences.append(f"Unchanged: {len(same)}.")
    left_out = [names[i] for i in np.flatnonzero(~known)]
    if left_out:
        sentences.append(f"Left out, without a value in both rounds: {item_list(left_out)}.")
    return " ".join(sentences)


def _table(names, before, after, change, label, before_label, after_label):
    rows = [(name, number(b, 2), number(a, 2), "–" if math.isnan(c) else signed(c, 2))
            for name, b, a, c in zip(names, before, after, change, strict=True)]
    return (("Item", f"{label}: {before_label}", f"{label}: {after_label}", "Change"), *rows)
