"""Rounds side by side: how one item's scores moved from round to round, against the rule.

One group of bars per band of the scale ("1 to 3", "4 to 6", "7 to 9"), one bar per round
inside each group, earliest on the left: the bar's height is the share of that round's
people who scored the item in the band. Rounds are told apart by position, by fill (pale to
dark, latest darkest) and by hatching, named in a key above the chart. The rule's thresholds
are dashed lines across their band's group ("70 % in 7 to 9"), so the steering group can see
whether an item crossed a line between rounds.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

from ._common import (
    SIDE,
    chars,
    draw_key,
    draw_title,
    key_height,
    text_width,
    title_height,
    title_lines,
    title_sentence,
    wrap,
)
from .distribution import (
    DistributionPanel,
    _checked_bands,
    _checked_counts,
    _checked_points,
    _people,
    _range_text,
)
from .figures import Chart, new_figure
from .style import (
    BAR_EDGE,
    FIGURE_WIDTH,
    LABEL_SIZE,
    LINE,
    ROUND_FILLS,
    ROUND_HATCHES,
    TEXT,
    TICK_SIZE,
)

MAX_ROUNDS = len(ROUND_FILLS)

_LEFT = 0.6                 # room for the percentage axis
_AXES = 2.6
_BAND_TICKS = 0.5
_KEY_LINE = 0.2
_BOTTOM_PAD = 0.1
_GROUP_WIDTH = 0.7          # share of a band's slot its bars fill


def rounds_side_by_side(item_label: str, rounds: Sequence[tuple[str, Sequence[int]]],
                        points: Sequence[int], bands: Sequence[tuple[str, int, int]],
                        thresholds: Sequence[tuple[str, str, float]] = ()) -> Chart:
    """Draw one item's share of people in each band, round by round, with the rule's lines.

    Parameters
    ----------
    item_label : the item's number and words, written as the chart's title.
    rounds : ``(round label, counts)`` per round, earliest first, at most four; counts are
        one per scale point, lowest first (``figure.axes[0].containers[j]`` holds round
        ``j``'s bars, one per band).
    points : the scale's points, lowest first.
    bands : ``(name, low, high)`` inclusive ranges, at least one; a group of bars each.
    thresholds : ``(label, band name, percent)`` per line of the rule, e.g.
        ``("Consensus in needs at least this", "high", 70)``: a dashed line at ``percent``
        across that band's bars, explained in a key under the chart.

    Bar heights are ``100 * (people scoring in the band) / (people in the round)``.

    Raises
    ------
    ValueError
        Naming the bad value: no rounds or more than four, no bands, counts not fitting the
        scale, a band off the scale, a threshold naming an unknown band or a percentage
        outside 0 to 100.
    """
    points = _checked_points(points)
    rounds = tuple(rounds)
    if not rounds:
        raise ValueError("no rounds: give at least one (round label, counts)")
    if len(rounds) > MAX_ROUNDS:
        raise ValueError(f"{len(rounds)} rounds: give at most {MAX_ROUNDS}, the latest ones")
    labels = tuple(str(label) for label, _ in rounds)
    counts = [_checked_counts(DistributionPanel(label, round_counts), points)
              for label, round_counts in rounds]
    bands = _checked_bands(bands, points)
    if not bands:
        raise ValueError("no bands: give at least one (name, low, high)")
    thresholds = _checked_thresholds(thresholds, bands)

    shares = [[_band_share(round_counts, points, low, high) for _, low, high in bands]
              for round_counts in counts]
    return Chart(
        figure=_draw(item_label, labels, counts, shares, bands, thresholds),
        alt_text=_alt_text(item_label, labels, counts, shares, bands, thresholds),
        table=_table(labels, counts, points, bands),
    )


def _checked_thresholds(thresholds, bands) -> tuple[tuple[str, int, float], ...]:
    names = [name for name, _, _ in bands]
    checked = []
    for label, band, value in thresholds:
        if band not in names:
            raise ValueError(f"threshold {label!r} names band {band!r}, not one of {names}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
                0 <= value <= 100):
            raise ValueError(f"threshold {label!r} percent {value!r} must be 0 to 100")
        checked.append((str(label), names.index(band), float(value)))
    return tuple(checked)


def _band_share(counts, points, low, high) -> float:
    total = sum(counts)
    inside = sum(count for point, count in zip(points, counts, strict=True)
                 if low <= point <= high)
    return 100 * inside / total if total else 0.0


def _draw(item_label, labels, counts, shares, bands, thresholds):
    heading = title_lines(item_label)
    key = _key_lines(thresholds, bands)
    top = title_height(heading)
    height = top + key_height(labels) + _AXES + _BAND_TICKS + _KEY_LINE * len(key) + _BOTTOM_PAD
    figure = new_figure(FIGURE_WIDTH, height)
    draw_title(figure, heading, height)

    axes_width = FIGURE_WIDTH - _LEFT - SIDE
    bottom = _BOTTOM_PAD + _KEY_LINE * len(key) + _BAND_TICKS
    ax = figure.add_axes((_LEFT / FIGURE_WIDTH, bottom / height, axes_width / FIGURE_WIDTH,
                          _AXES / height))
    n_bands, n_rounds = len(bands), len(labels)
    ax.set_xlim(-0.5, n_bands - 0.5)
    ax.set_ylim(0, 110)
    ax.set_yticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
    ax.set_xticks(range(n_bands), labels=[f"{_range_text(low, high)}\n{name}"
                                          for name, low, high in bands])
    ax.tick_params(labelsize=TICK_SIZE, colors=TEXT)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    width = _GROUP_WIDTH / n_rounds
    bar_inches = width * axes_width / n_bands
    show_values = bar_inches >= text_width("100%", LABEL_SIZE)
    offset = MAX_ROUNDS - n_rounds               # the latest round always gets the darkest
    handles = []
    for index, (label, round_shares) in enumerate(zip(labels, shares, strict=True)):
        xs = [band - _GROUP_WIDTH / 2 + (index + 0.5) * width for band in range(n_bands)]
        container = ax.bar(xs, round_shares, width, color=ROUND_FILLS[offset + index],
                           edgecolor=BAR_EDGE, linewidth=0.8,
                           hatch=ROUND_HATCHES[offset + index] or None, label=label, zorder=2)
        handles.append(container)
        if show_values and sum(counts[index]):
            for x, share in zip(xs, round_shares, strict=True):
                ax.text(x, share + 1.5, f"{share:.0f}%", ha="center", va="bottom",
                        fontsize=LABEL_SIZE, color=TEXT, zorder=4,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3})
    for _label, band, value in thresholds:
        ax.plot([band - 0.5, band + 0.5], [value, value], linestyle=(0, (5, 3)), color=LINE,
                linewidth=2, zorder=3, label=f"threshold {value:g}%")
        # In the gap left of the band's bars, on a white ground that hides the line behind it.
        ax.text(band - _GROUP_WIDTH / 2 - 0.01, value, f"{value:g}%", ha="right", va="center",
                fontsize=LABEL_SIZE, color=TEXT, zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    draw_key(figure, ax, handles, top, height)
    if key:
        figure.text(SIDE / FIGURE_WIDTH, (_BOTTOM_PAD + _KEY_LINE * len(key)) / height,
                    "\n".join(key), ha="left", va="top", fontsize=LABEL_SIZE, color=TEXT)
    return figure


def _key_lines(thresholds, bands) -> list[str]:
    if not thresholds:
        return []
    parts = [f"{value:g}% on {_range_text(*bands[band][1:])}: {label}"
             for label, band, value in thresholds]
    return wrap("Dashed lines: " + ";  ".join(parts),
                chars(FIGURE_WIDTH - 2 * SIDE, LABEL_SIZE), 3)


def _alt_text(item_label, labels, counts, shares, bands, thresholds) -> str:
    sentences = title_sentence(item_label)
    sentences.append(f"Bar chart of the share of people scoring in each band, in "
                     f"{len(labels)} {'round' if len(labels) == 1 else 'rounds'}.")
    for label, round_counts, round_shares in zip(labels, counts, shares, strict=True):
        total = sum(round_counts)
        if not total:
            sentences.append(f"{label}: nobody scored this.")
            continue
        parts = ", ".join(f"{share:.0f}% {_range_text(low, high)}"
                          for share, (_, low, high) in zip(round_shares, bands, strict=True))
        sentences.append(f"{label} ({_people(total)}): {parts}.")
    for label, band, value in thresholds:
        sentences.append(f"A line at {value:g}% on {_range_text(*bands[band][1:])} marks: "
                         f"{label.rstrip('.')}.")
    return " ".join(sentences)


def _table(labels, counts, points, bands) -> tuple[tuple[str, ...], ...]:
    header = ("Round", "People", *(f"{_range_text(low, high)} ({name})"
                                   for name, low, high in bands))
    rows = []
    for label, round_counts in zip(labels, counts, strict=True):
        total = sum(round_counts)
        cells = []
        for _, low, high in bands:
            inside = sum(count for point, count in zip(points, round_counts, strict=True)
                         if low <= point <= high)
            cells.append(f"{100 * inside / total:.0f}% ({inside})" if total else "–")
        rows.append((label, str(total), *cells))
    return (header, *rows)

