"""Priority-setting charts: the ranked list with its shortlist cut, and where groups' orders differ.

``ranked_priorities`` draws one horizontal bar per item, top of the list first, its length
the score that produced the list; items on the shortlist are solid blue, the rest white
with hatching, and a dashed line marks the cut. With ``by_group``, each group's own score
is drawn beside it as a small panel over the same rows, so a reader can see which groups
put an item where it is.

``group_orders`` is a bump chart: one column per stakeholder group, each item a line
joining its position in each group's own list (1 at the top), one marker shape per group.
Only the items whose positions differ most between groups are drawn (``limit``), each
named at the right of its line; the table gives every item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ._common import (
    SIDE,
    chars,
    draw_key,
    draw_title,
    key_height,
    labels,
    number,
    numbers_array,
    text_width,
    title_height,
    title_lines,
    title_sentence,
    whole,
    wrap,
)
from .figures import Chart, new_figure
from .style import (
    BACKGROUND,
    BAR,
    BAR_EDGE,
    FIGURE_WIDTH,
    GROUP_FILLS,
    GROUP_MARKERS,
    LABEL_SIZE,
    LINE,
    MARKER_EDGE,
    TEXT,
)

MAX_GROUPS = len(GROUP_MARKERS)
SHORTLISTED = "On the shortlist"
NOT_SHORTLISTED = "Not on the shortlist"
BELOW_HATCH = "///"
CUT_GID = "shortlist-cut"

_ROW = 0.24                 # inches per item row
_LABEL_MAX = 1.9            # inches left for item labels
_PANEL_HEAD = 0.45          # inches above the panels for their names
_X_AXIS = 0.45              # inches below the panels for the scale
_GAP = 0.15                 # inches between panels
_BOTTOM_PAD = 0.1


def _short(text: str, inches: float) -> str:
    most = chars(inches, LABEL_SIZE)
    return text if len(text) <= most else text[:most - 1] + "…"


def ranked_priorities(labels_in_order: Sequence, scores: Sequence[float], shortlist_size: int,
                      by_group: Mapping[str, Sequence[float]] | None = None,
                      score_label: str = "Score", title: str = "") -> Chart:
    """Draw the ranked list: one bar per item, top first, and the shortlist's cut.

    Parameters
    ----------
    labels_in_order : each item's number or short name, in the list's order (top first).
    scores : the score that produced the list, in the same order.
    shortlist_size : how many items from the top are on the shortlist (0 to all).
    by_group : optional group name -> each item's score within that group, in the same
        order; drawn as one small panel per group beside the overall one (at most eight).
    score_label : what the scores are, the overall panel's heading.
    title : optional heading.

    ``figure.axes[0]`` is the overall panel, then one per group; each panel's
    ``containers[0]`` holds its bars (row 0 at the top). The cut is a line with gid
    ``"shortlist-cut"`` on every panel, at ``y = shortlist_size − 0.5``.

    Raises
    ------
    ValueError
        Naming the bad value: no items, lengths that differ, a negative or unknown score,
        a shortlist size outside 0 to the number of items, more than eight groups.
    """
    names = labels(labels_in_order, "item")
    if not names:
        raise ValueError("no items: give at least one item and its score")
    overall = numbers_array(scores, "scores", len(names), low=0)
    if np.isnan(overall).any():
        raise ValueError("scores has a value not known (NaN)")
    size = whole(shortlist_size, "shortlist_size")
    if not 0 <= size <= len(names):
        raise ValueError(f"shortlist_size {size} must be between 0 and {len(names)}")
    groups = {str(group): numbers_array(values, f"group {group!r}", len(names), low=0)
              for group, values in (by_group or {}).items()}
    if len(groups) > MAX_GROUPS:
        raise ValueError(f"{len(groups)} groups: at most {MAX_GROUPS} panels fit")
    if not score_label.strip():
        raise ValueError("score_label is empty: say what the scores are")
    panels = [(score_label.strip(), overall), *groups.items()]
    return Chart(
        figure=_draw_ranked(names, panels, size, title),
        alt_text=_ranked_alt(names, overall, size, score_label.strip(), list(groups), title),
        table=_ranked_table(names, panels, size),
    )


def _draw_ranked(names, panels, size, title):
    heading = title_lines(title)
    key = [SHORTLISTED, NOT_SHORTLISTED]
    top = title_height(heading)
    legend = key_height(key)
    rows = len(names)
    axes_height = rows * _ROW
    height = top + legend + _PANEL_HEAD + axes_height + _X_AXIS + _BOTTOM_PAD
    figure = new_figure(FIGURE_WIDTH, height)
    draw_title(figure, heading, height)
    row_labels = [_short(name, _LABEL_MAX - 0.15) for name in names]
    left = min(max(text_width(label, LABEL_SIZE) for label in row_labels) + 0.2, _LABEL_MAX)
    room = FIGURE_WIDTH - left - SIDE - _GAP * (len(panels) - 1)
    width = room / len(panels)
    bottom = _BOTTOM_PAD + _X_AXIS
    y = np.arange(rows)
    fills = [BAR if row < size else BACKGROUND for row in range(rows)]
    hatches = ["" if row < size else BELOW_HATCH for row in range(rows)]
    first = None
    for index, (name, values) in enumerate(panels):
        x0 = left + index * (width + _GAP)
        ax = figure.add_axes((x0 / FIGURE_WIDTH, bottom / height, width / FIGURE_WIDTH,
                              axes_height / height), sharey=first)
        first = first or ax
        shown = np.nan_to_num(values, nan=0.0)
        bars = ax.barh(y, shown, height=0.7, color=fills, edgecolor=BAR_EDGE, linewidth=0.6,
                       zorder=2)
        for bar, hatch in zip(bars, hatches, strict=True):
            bar.set_hatch(hatch)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(0, max(float(np.nanmax(values)) if np.isfinite(values).any() else 0, 1) * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(3 if len(panels) > 1 else 6, integer=True))
        ax.tick_params(labelsize=LABEL_SIZE, colors=TEXT, axis="x")
        ax.tick_params(axis="y", length=0, labelsize=LABEL_SIZE, colors=TEXT)
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.8, zorder=0)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if index == 0:
            ax.set_yticks(y, labels=row_labels)
        else:
            ax.tick_params(axis="y", labelleft=False)
        if 0 < size < rows:
            ax.axhline(size - 0.5, color=TEXT, linestyle="--", linewidth=1.5, zorder=3,
                       gid=CUT_GID)
        head = wrap(name, chars(width, LABEL_SIZE), 2)
        ax.text(0, 1 + 0.06 / axes_height, "\n".join(head), transform=ax.transAxes,
                ha="left", va="bottom", fontsize=LABEL_SIZE, fontweight="bold", color=TEXT)
    handles = [Patch(facecolor=BAR, edgecolor=BAR_EDGE, label=SHORTLISTED),
               Patch(facecolor=BACKGROUND, edgecolor=BAR_EDGE, hatch=BELOW_HATCH,
                     label=NOT_SHORTLISTED)]
    draw_key(figure, first, handles, top, height)
    return figure


def _ranked_alt(names, overall, size, score_label, groups, title):
    sentences = title_sentence(title)
    count = len(names)
    sentences.append(f"Bar chart of {count} {'item' if count == 1 else 'items'} in order of "
                     f"{score_label.lower()}, highest first.")
    if size == 0:
        sentences.append("No item is on the shortlist yet.")
    elif size == count:
        sentences.append(f"All {count} are on the shortlist.")
    else:
        sentences.append(f"The shortlist holds the top {size}: the line is drawn after item "
                         f"{names[size - 1]} ({number(overall[size - 1])}); the next, item "
                         f"{names[size]}, has {number(overall[size])}.")
    top = ", ".join(f"item {name} ({number(value)})"
                    for name, value in zip(names[:3], overall[:3], strict=False))
    sentences.append(f"Highest: {top}.")
    if groups:
        sentences.append(f"Beside it, each group's own score: {', '.join(groups)}.")
    sentences.append("The table gives every item.")
    return " ".join(sentences)


def _ranked_table(names, panels, size):
    header = ("Item", "Position", *(name for name, _values in panels), SHORTLISTED)
    rows = [(name, str(row + 1), *(number(values[row]) for _name, values in panels),
             "yes" if row < size else "no")
            for row, name in enumerate(names)]
    return (header, *rows)


# --- where groups' orders differ -------------------------------------------------------------


def _ordinal(value: float) -> str:
    text = number(value)
    if not text.isdigit():
        return text
    n = int(text)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def group_orders(labels_in_order: Sequence, positions_by_group: Mapping[str, Sequence[float]],
                 limit: int = 12, title: str = "") -> Chart:
    """Draw where the groups' orders differ: each item's position in each group's own list.

    Parameters
    ----------
    labels_in_order : each item's number or short name, in the combined list's order.
    positions_by_group : group name -> each item's position in that group's own list
        (1 = top; tied items may share an average position), two to eight groups.
    limit : how many items to draw: those whose positions are furthest apart (highest
        position minus lowest), ties in the order given.
    title : optional heading.

    ``figure.axes[0].lines`` holds one line per drawn item (x = the group's column, 0 first;
    y = the position), in the order drawn; ``figure.axes[0].collections`` one set of
    markers per group. The table lists every item, furthest apart first.

    Raises
    ------
    ValueError
        Naming the bad value: no items, fewer than two groups or more than eight, lengths
        that differ, a position below 1 or not known, ``limit`` below 1.
    """
    names = labels(labels_in_order, "item")
    if not names:
        raise ValueError("no items: give at least one item")
    groups = tuple(str(group) for group in positions_by_group)
    if not 2 <= len(groups) <= MAX_GROUPS:
        raise ValueError(f"{len(groups)} groups: give two to {MAX_GROUPS} groups' positions")
    positions = np.vstack([numbers_array(values, f"group {group!r}", len(names), low=1)
                           for group, values in zip(groups, positions_by_group.values(),
                                                    strict=True)])
    if np.isnan(positions).any():
        raise ValueError("positions has a value not known (NaN)")
    limit = whole(limit, "limit")
    if limit < 1:
        raise ValueError(f"limit {limit} must be at least 1")
    spread = positions.max(axis=0) - positions.min(axis=0)
    order = sorted(range(len(names)), key=lambda i: (-spread[i], i))
    shown = order[:limit]
    return Chart(
        figure=_draw_orders(names, groups, positions, shown, title),
        alt_text=_orders_alt(names, groups, positions, spread, shown, title),
        table=(("Item", *groups, "Places apart"),
               *((names[i], *(number(p) for p in positions[:, i]), number(spread[i]))
                 for i in order)),
    )


def _end_labels(names, values, shown):
    """(position, "3, 7") for the items of ``shown`` at each position."""
    at: dict[float, list[str]] = {}
    for i in shown:
        at.setdefault(float(values[i]), []).append(names[i])
    return [(position, _short(", ".join(items), 1.1)) for position, items in at.items()]


def _draw_orders(names, groups, positions, shown, title):
    heading = title_lines(title)
    top = title_height(heading)
    legend = key_height(groups)
    most = float(positions.max())
    axes_height = min(max(2.5, 0.14 * most), 9.0)
    height = top + legend + 0.3 + axes_height + 0.75 + _BOTTOM_PAD
    figure = new_figure(FIGURE_WIDTH, height)
    draw_title(figure, heading, height)
    left, right = 0.9, 1.3
    ax = figure.add_axes((left / FIGURE_WIDTH, (0.75 + _BOTTOM_PAD) / height,
                          (FIGURE_WIDTH - left - right) / FIGURE_WIDTH, axes_height / height))
    x = np.arange(len(groups))
    for i in shown:
        ax.plot(x, positions[:, i], color=LINE, linewidth=1.5, zorder=2)
    handles = []
    for g, group in enumerate(groups):
        handles.append(ax.scatter(np.full(len(shown), g), positions[g, shown], s=49,
                                  marker=GROUP_MARKERS[g], facecolor=GROUP_FILLS[g],
                                  edgecolor=MARKER_EDGE, linewidth=0.8, zorder=3 + g,
                                  label=group))
    for position, text in _end_labels(names, positions[-1], shown):
        ax.annotate(text, (x[-1], position), xytext=(10, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=LABEL_SIZE, color=TEXT, gid="item-label")
    ax.set_xlim(-0.15, len(groups) - 0.85)
    ax.set_ylim(most + 0.5, 0.5)
    ax.set_xticks(x, labels=["\n".join(wrap(group, chars(
        (FIGURE_WIDTH - left - right) / len(groups), LABEL_SIZE), 2)) for group in groups])
    ax.yaxis.set_major_locator(MaxNLocator(6, integer=True))
    ax.set_ylabel("Place in the group's list (1 = top)", fontsize=LABEL_SIZE, color=TEXT)
    ax.tick_params(labelsize=LABEL_SIZE, colors=TEXT)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    draw_key(figure, ax, handles, top, height)
    return figure


def _orders_alt(names, groups, positions, spread, shown, title):
    sentences = title_sentence(title)
    sentences.append(f"Chart of the {len(shown)} {'item' if len(shown) == 1 else 'items'} "
                     "whose places differ most between the groups' own lists, one column "
                     "per group.")
    for i in shown[:3]:
        places = ", ".join(f"{group} {_ordinal(positions[g, i])}"
                           for g, group in enumerate(groups))
        sentences.append(f"Item {names[i]}: {places} ({number(spread[i])} places apart).")
    sentences.append("The table gives every item.")
    return " ".join(sentences)
