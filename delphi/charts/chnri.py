"""CHNRI priorities: the Research Priority Score of each research option, with its criteria.

One row per option, highest score at the top: a horizontal bar of the Research Priority
Score (RPS, 0–100) and, over it, a dot strip of the option's criterion scores, one marker
shape and fill per criterion, named in a key above the chart. An option with no RPS
(a criterion without answers) has no bar and is named under the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.lines import Line2D

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
    title_height,
    title_lines,
    title_sentence,
)
from .figures import Chart, new_figure
from .style import (
    BAR,
    BAR_EDGE,
    FIGURE_WIDTH,
    GROUP_FILLS,
    GROUP_MARKERS,
    MARKER_EDGE,
    TEXT,
    TICK_SIZE,
)

MAX_CRITERIA = len(GROUP_MARKERS)

_RIGHT = 0.6
_ROW = 0.36
_AXES_PAD = 0.25
_X_LABEL = 0.55
_NOTE_LINE = 0.2
_BOTTOM_PAD = 0.1
_MARKER_SIZE = 7
_BAR_HEIGHT = 0.6


def chnri_priorities(numbers: Sequence, rps: Sequence[float],
                     criterion_scores: Sequence[Sequence[float]], criteria: Sequence[str],
                     label: str = "Research Priority Score (0 to 100)",
                     title: str = "") -> Chart:
    """Draw each option's Research Priority Score as a bar and its criterion scores as dots.

    Parameters
    ----------
    numbers : each option's number (or short name).
    rps : each option's Research Priority Score, 0 to 100; NaN when it has none.
    criterion_scores : per option, one score per criterion (0 to 100, NaN for none).
    criteria : the criteria's names, in the column order of ``criterion_scores``; at most
        eight.
    label : the axis name (say "weighted" when the scores are).
    title : optional heading.

    Rows run top to bottom from the highest RPS to the lowest, ties in the order given;
    ``figure.axes[0].patches`` holds the bars (top row first) and
    ``figure.axes[0].lines`` one set of markers per criterion. The table lists every option
    in the same order, those without a score last.

    Raises
    ------
    ValueError
        Naming the bad value: no criteria or more than eight, lengths that differ, a
        score outside 0 to 100.
    """
    names = labels(numbers, "option number")
    criteria = tuple(str(name) for name in criteria)
    if not criteria:
        raise ValueError("no criteria: give the criteria's names")
    if len(criteria) > MAX_CRITERIA:
        raise ValueError(f"{len(criteria)} criteria: at most {MAX_CRITERIA} can be told apart")
    totals = numbers_array(rps, "rps", len(names), 0, 100)
    rows = list(criterion_scores)
    if len(rows) != len(names):
        raise ValueError(f"criterion_scores has {len(rows)} rows for {len(names)} options")
    scores = np.vstack([numbers_array(row, f"criterion scores of option {name}",
                                      len(criteria), 0, 100)
                        for name, row in zip(names, rows, strict=True)]) if names \
        else np.empty((0, len(criteria)))
    scored = [i for i in range(len(names)) if not np.isnan(totals[i])]
    order = sorted(scored, key=lambda i: (-totals[i], i))
    missing = [i for i in range(len(names)) if np.isnan(totals[i])]
    if not label.strip():
        raise ValueError("label is empty: say what the scores are")
    return Chart(
        figure=_draw(names, criteria, totals, scores, order, missing, label, title),
        alt_text=_alt_text(names, totals, order, missing, label, title),
        table=_table(names, criteria, totals, scores, order + missing),
    )


def _draw(names, criteria, totals, scores, order, missing, label, title):
    heading = title_lines(title)
    note = [f"No score yet: {_option_list([names[i] for i in missing])}."] if missing else []
    top = title_height(heading)
    rows = max(len(order), 1)
    axes_height = rows * _ROW + _AXES_PAD
    legend = key_height(criteria)
    height = top + legend + axes_height + _X_LABEL + _NOTE_LINE * len(note) + _BOTTOM_PAD
    figure = new_figure(FIGURE_WIDTH, height)
    draw_title(figure, heading, height)
    row_labels = [_row_label(names[i]) for i in order]
    left = row_label_width(row_labels)
    axes_width = FIGURE_WIDTH - left - _RIGHT - SIDE
    bottom = _BOTTOM_PAD + _NOTE_LINE * len(note) + _X_LABEL
    ax = figure.add_axes((left / FIGURE_WIDTH, bottom / height, axes_width / FIGURE_WIDTH,
                          axes_height / height))
    ax.set_ylim(rows - 0.5 + _AXES_PAD / _ROW / 2, -0.5 - _AXES_PAD / _ROW / 2)
    ax.set_xlim(0, 103)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel(label, fontsize=TICK_SIZE, color=TEXT)
    ax.tick_params(labelsize=TICK_SIZE, colors=TEXT)
    ax.set_yticks(range(len(order)), labels=row_labels)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.barh(range(len(order)), [totals[i] for i in order], height=_BAR_HEIGHT, color=BAR,
            edgecolor=BAR_EDGE, linewidth=0.6)
    for row, i in enumerate(order):
        ax.text(totals[i] + 1, row, number(totals[i]), va="center", ha="left",
                fontsize=TICK_SIZE, color=TEXT, clip_on=False,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    handles = []
    for column, criterion in enumerate(criteria):
        xs = [scores[i, column] for i in order]
        ax.plot(xs, range(len(order)), linestyle="none", marker=GROUP_MARKERS[column],
                markersize=_MARKER_SIZE, markerfacecolor=GROUP_FILLS[column],
                markeredgecolor=MARKER_EDGE, label=criterion)
        handles.append(Line2D([], [], linestyle="none", marker=GROUP_MARKERS[column],
                              markersize=_MARKER_SIZE, markerfacecolor=GROUP_FILLS[column],
                              markeredgecolor=MARKER_EDGE, label=criterion))
    draw_key(figure, ax, handles, top, height)
    if note:
        figure.text(SIDE / FIGURE_WIDTH, _BOTTOM_PAD / height, note[0], ha="left",
                    va="bottom", fontsize=TICK_SIZE, color=TEXT)
    return figure


def _alt_text(names, totals, order, missing, label, title):
    sentences = title_sentence(title)
    if order:
        best = order[0]
        sentences.append(
            f"{label} for {len(order)} research options, highest first. Option "
            f"{names[best]} scores highest, {number(totals[best])}"
            + (f"; option {names[order[-1]]} lowest, {number(totals[order[-1]])}."
               if len(order) > 1 else ".")
        )
        sentences.append("Dots on each bar show the option's score on each criterion.")
    else:
        sentences.append("No research option has a score yet.")
    if missing:
        sentences.append(f"No score yet: {_option_list([names[i] for i in missing])}.")
    sentences.append("The table below gives every number.")
    return " ".join(sentences)


def _table(names, criteria, totals, scores, order):
    header = ("Option", "Research Priority Score", *criteria)
    body = [
        (names[i], _score(totals[i]), *(_score(value) for value in scores[i]))
        for i in order
    ]
    return (header, *body)


def _score(value: float) -> str:
    return "No score" if np.isnan(value) else number(value)


def _row_label(name: str) -> str:
    return row_label(name).replace("Item", "Option", 1)


def _option_list(names: Sequence[str]) -> str:
    return item_list(names).replace("item", "option", 1)
