"""The item-distribution chart: how people scored one item, shown to participants between rounds.

One panel per distribution (everyone, or each group), stacked, each on the same scale: a bar
per scale point whose height is the percentage of that panel's people who chose it, the scale's
bands shaded behind the bars and named by their range ("7 to 9"), and the participant's own
previous score marked by a hatched, outlined bar and the words "Your score" (never by colour
alone). A panel for a group below the minimum size is named but not drawn. The chart carries
plain-English alternative text and the same counts as table rows for screen readers.
"""

from __future__ import annotations

import numbers
import operator
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from .figures import Chart, new_figure
from .style import (
    BAND_SHADES,
    BAR,
    BAR_EDGE,
    FIGURE_WIDTH,
    LABEL_SIZE,
    OWN_BAR,
    PANEL_TITLE_SIZE,
    SECONDARY_TEXT,
    TEXT,
    TICK_SIZE,
    TITLE_SIZE,
)

OWN_SCORE_TEXT = "Your score"

# Fixed layout, in inches: computed once per chart instead of a costly tight_layout().
_SIDE = 0.2
_TOP_PAD = 0.12
_TITLE_LINE = 0.25
_PANEL_TITLE = 0.32
_AXES = 0.92
_TICKS = 0.28
_TICKS_WITH_OWN = 0.45
_OWN_SCORE_DROP = 0.18      # the line "Your score" sits on, below the point's number
_SUPPRESSED_BODY = 0.4
_BOTTOM_PAD = 0.1
_POINT_LABEL_LINE = 0.18
_BAR_WIDTH = 0.7
_BAR_ROOM = 0.6             # bars reach at most this share of the axes' height, leaving room
                            # above them for their percentage labels and the band names
_CHAR_WIDTH = 0.55          # average character width as a share of the font size
_MAX_TITLE_LINES = 2
_MAX_POINT_LABEL_LINES = 3


@dataclass(frozen=True)
class DistributionPanel:
    """One distribution to draw: its heading and one count per scale point, lowest first.

    A ``suppressed`` panel (a group below the minimum size) is named but never drawn, and its
    counts appear nowhere; they may be left empty.
    """

    label: str
    counts: Sequence[int]
    suppressed: bool = False


def item_distribution(panels: Sequence[DistributionPanel], points: Sequence[int],
                      bands: Sequence[tuple[str, int, int]] = (),
                      own_answer: int | None = None,
                      point_labels: Mapping[int, str] | None = None,
                      min_group_size: int = 5, title: str = "") -> Chart:
    """Draw how people scored one item: one panel per ``panels`` entry, top to bottom.

    Parameters
    ----------
    panels : DistributionPanel entries, drawn in order, one axes each (``figure.axes[i]`` is
        ``panels[i]``).
    points : the scale's points, lowest first; each panel has one count per point.
    bands : ``(name, low, high)`` inclusive ranges shaded behind the bars and labelled
        "low to high".
    own_answer : the participant's previous score, marked in every drawn panel; ``None`` for
        none.
    point_labels : words for some points, e.g. ``{1: "Not important", 9: "Critical"}``,
        written under the chart.
    min_group_size : the smallest group that is drawn, named in suppressed panels' text.
    title : optional heading above the panels.

    Bar heights are percentages of the panel's people (``100 * count / sum(counts)``);
    percentage labels sit on the bars; the table holds the counts.

    Raises
    ------
    ValueError
        Naming the bad value: no panels or points, points not increasing whole numbers,
        counts of the wrong length, negative or not whole, a band or ``own_answer`` off the
        scale, a label for a point not on the scale, ``min_group_size`` below 1. Whole
        floats (``6.0``) and numpy integers are taken as the whole numbers they are.
    """
    points = _checked_points(points)
    panels = tuple(panels)
    if not panels:
        raise ValueError("no panels: give at least one DistributionPanel")
    counts = [_checked_counts(panel, points) for panel in panels]
    bands = _checked_bands(bands, points)
    if own_answer is not None:
        own_answer = _on_scale(own_answer, points, "own_answer")
    point_labels = _checked_point_labels(point_labels, points)
    min_group_size = _whole(min_group_size, "min_group_size")
    if min_group_size < 1:
        raise ValueError(f"min_group_size {min_group_size} must be at least 1")

    figure = _draw(panels, counts, points, bands, own_answer, point_labels, min_group_size,
                   title)
    return Chart(
        figure=figure,
        alt_text=_alt_text(panels, counts, points, own_answer, min_group_size, title),
        table=_table(panels, counts, points),
    )


# ---------------------------------------------------------------- checks

def _whole(value, what: str) -> int:
    """``value`` as an int: ints, numpy integers and whole floats (3.0) pass."""
    try:
        return operator.index(value)
    except TypeError:
        if isinstance(value, numbers.Real) and float(value).is_integer():
            return int(value)
        raise ValueError(f"{what} {value!r} must be a whole number") from None


def _on_scale(value, points: tuple[int, ...], what: str) -> int:
    if isinstance(value, numbers.Real) and value in points:
        return points[points.index(value)]
    raise ValueError(f"{what} {value!r} is not on the scale {points[0]} to {points[-1]}")


def _checked_points(points: Sequence[int]) -> tuple[int, ...]:
    checked = tuple(_whole(point, "scale point") for point in points)
    if not checked:
        raise ValueError("points is empty: give the scale's points, lowest first")
    if any(b <= a for a, b in zip(checked, checked[1:], strict=False)):
        raise ValueError(f"points {list(checked)!r} must increase")
    return checked


def _checked_counts(panel: DistributionPanel, points: tuple[int, ...]) -> tuple[int, ...]:
    if panel.suppressed and len(panel.counts) == 0:
        return (0,) * len(points)
    if len(panel.counts) != len(points):
        raise ValueError(
            f"panel {panel.label!r} has {len(panel.counts)} counts for {len(points)} "
            f"scale points ({points[0]} to {points[-1]})")
    counts = tuple(_whole(count, f"panel {panel.label!r} count") for count in panel.counts)
    negative = [count for count in counts if count < 0]
    if negative:
        raise ValueError(f"panel {panel.label!r} has a negative count {negative[0]}")
    return counts


def _checked_bands(bands: Sequence[tuple[str, int, int]],
                   points: tuple[int, ...]) -> tuple[tuple[str, int, int], ...]:
    checked = []
    for name, low, high in bands:
        low = _on_scale(low, points, f"band {name!r} low end")
        high = _on_scale(high, points, f"band {name!r} high end")
        if high < low:
            raise ValueError(f"band {name!r} runs from {low} down to {high}: give low, high")
        checked.append((name, low, high))
    return tuple(checked)


def _checked_point_labels(point_labels: Mapping[int, str] | None,
                          points: tuple[int, ...]) -> dict[int, str]:
    labels = {_on_scale(point, points, "point_labels has a label for"): str(text)
              for point, text in (point_labels or {}).items()}
    return {point: text for point, text in labels.items() if text.strip()}


# ---------------------------------------------------------------- drawing

def _draw(panels, counts, points, bands, own_answer, point_labels, min_group_size,
          title) -> Figure:
    title_lines = _wrap(title, _chars(FIGURE_WIDTH - 2 * _SIDE, TITLE_SIZE), _MAX_TITLE_LINES)
    label_texts = _point_label_texts(points, point_labels)
    label_lines = max((text.count("\n") + 1 for *_, text in label_texts), default=0)

    top = _TOP_PAD + (_TITLE_LINE * len(title_lines) + 0.08 if title_lines else 0)
    bottom = _BOTTOM_PAD + _POINT_LABEL_LINE * label_lines
    ticks = _TICKS if own_answer is None else _TICKS_WITH_OWN
    slots = [
        _PANEL_TITLE + (_SUPPRESSED_BODY if panel.suppressed else _AXES + ticks)
        for panel in panels
    ]
    height = top + sum(slots) + bottom
    figure = new_figure(FIGURE_WIDTH, height)

    if title_lines:
        figure.text(_SIDE / FIGURE_WIDTH, 1 - _TOP_PAD / height, "\n".join(title_lines),
                    ha="left", va="top", fontsize=TITLE_SIZE, fontweight="bold", color=TEXT)

    drawn_shares = [
        _shares(panel_counts)
        for panel, panel_counts in zip(panels, counts, strict=True) if not panel.suppressed
    ]
    highest = max((max(shares) for shares in drawn_shares), default=0.0)
    y_top = max(highest, 1.0) / _BAR_ROOM

    slot_top = height - top
    axes_list: list[Axes] = []
    for panel, panel_counts, slot in zip(panels, counts, slots, strict=True):
        slot_bottom = slot_top - slot
        if panel.suppressed:
            body_bottom, body_height = slot_bottom, _SUPPRESSED_BODY
        else:
            body_bottom, body_height = slot_bottom + ticks, _AXES
        rect = (_SIDE / FIGURE_WIDTH, body_bottom / height,
                (FIGURE_WIDTH - 2 * _SIDE) / FIGURE_WIDTH, body_height / height)
        ax = figure.add_axes(rect, sharex=axes_list[0] if axes_list else None)
        ax.set_xlim(points[0] - 0.5, points[-1] + 0.5)
        if panel.suppressed:
            _draw_suppressed(ax, panel, min_group_size)
        else:
            _draw_panel(ax, panel, panel_counts, points, bands, own_answer, y_top)
        axes_list.append(ax)
        slot_top = slot_bottom

    to_figure_y = blended_transform_factory(axes_list[-1].transData, figure.transFigure)
    for x, align, text in label_texts:
        figure.text(x, (bottom - _BOTTOM_PAD / 2) / height, text, transform=to_figure_y,
                    ha=align, va="top", fontsize=LABEL_SIZE, color=TEXT, linespacing=1.1)
    return figure


def _draw_panel(ax: Axes, panel, counts, points, bands, own_answer, y_top) -> None:
    total = sum(counts)
    ax.set_title(f"{panel.label} ({_people(total)})", loc="left", fontsize=PANEL_TITLE_SIZE,
                 fontweight="bold", color=TEXT, pad=6, y=1)
    ax.set_ylim(0, y_top)
    x_data_y_axes = blended_transform_factory(ax.transData, ax.transAxes)
    for index, (name, low, high) in enumerate(bands):
        ax.add_artist(Rectangle((low - 0.5, 0), high - low + 1, 1,
                                transform=ax.get_xaxis_transform(), zorder=0, linewidth=0,
                                facecolor=BAND_SHADES[index % 2], label=f"band {name}"))
        ax.text((low + high) / 2, 0.96, _range_text(low, high), transform=x_data_y_axes,
                ha="center", va="top", fontsize=LABEL_SIZE, color=SECONDARY_TEXT)

    shares = _shares(counts)
    # Plain rectangles, text and one baseline instead of ax.bar() and the axis machinery
    # (ticks, locators, spines): the same picture for a fraction of the drawing time.
    bars = []
    for point, share in zip(points, shares, strict=True):
        own = point == own_answer
        bar = Rectangle((point - _BAR_WIDTH / 2, 0), _BAR_WIDTH, share, zorder=2,
                        facecolor=OWN_BAR if own else BAR, edgecolor=BAR_EDGE,
                        linewidth=2.2 if own else 0.8, hatch="//" if own else None,
                        label=OWN_SCORE_TEXT if own else f"score {point}")
        ax.add_artist(bar)
        bars.append(bar)
    ax.add_container(BarContainer(bars, datavalues=shares, label="scores"))
    ax.set_axis_off()
    ax.axhline(0, color=TEXT, linewidth=1, zorder=3)
    label_gap = 2 / 72 * (y_top / _AXES)            # 2 points, in data units
    tick_y = -4 / 72 / _AXES                        # 4 points below the axes, in axes units
    for point, share in zip(points, shares, strict=True):
        ax.text(point, share + label_gap, f"{share:.0f}%", ha="center", va="bottom",
                fontsize=LABEL_SIZE, color=TEXT)
        ax.text(point, tick_y, str(point), transform=x_data_y_axes, ha="center", va="top",
                fontsize=TICK_SIZE, fontweight="bold" if point == own_answer else "normal",
                color=TEXT)
    if own_answer is not None:
        # Under its bar, kept inside the chart at either end of the scale.
        x, align = own_answer, "center"
        if own_answer == points[0] and len(points) > 1:
            x, align = own_answer - _BAR_WIDTH / 2, "left"
        elif own_answer == points[-1] and len(points) > 1:
            x, align = own_answer + _BAR_WIDTH / 2, "right"
        ax.text(x, tick_y - _OWN_SCORE_DROP / _AXES, OWN_SCORE_TEXT, transform=x_data_y_axes,
                ha=align, va="top", fontsize=TICK_SIZE, fontweight="bold", color=TEXT)
    if total == 0:
        ax.text(0.5, 0.4, "Nobody has scored this yet.", transform=ax.transAxes,
                ha="center", va="center", fontsize=TICK_SIZE, color=TEXT)


def _draw_suppressed(ax: Axes, panel, min_group_size: int) -> None:
    ax.set_axis_off()
    ax.set_title(panel.label, loc="left", fontsize=PANEL_TITLE_SIZE, fontweight="bold",
                 color=TEXT, pad=6, y=1)
    ax.text(0, 0.5, f"Not shown because {_fewer_than(min_group_size)} scored this.",
            transform=ax.transAxes, ha="left", va="center", fontsize=TICK_SIZE, color=TEXT)


def _point_label_texts(points, point_labels) -> list[tuple[float, str, str]]:
    """Where and how to write the points' words: (x, alignment, wrapped text).

    Neighbouring points with the same words share one label ("1 to 3: Not important"),
    centred under them. Each label keeps to its own stretch of the scale, up to halfway to the
    next label, so labels never overlap; a label at either end of the scale is aligned with the
    chart's edge so that it can use the room beside it. When a word would not fit its stretch,
    all labels are written instead as one key across the chart.
    """
    per_point = (FIGURE_WIDTH - 2 * _SIDE) / (points[-1] - points[0] + 1)   # inches
    runs: list[tuple[int, int]] = []          # (first, last) point of each run of equal words
    for point in points:
        if point not in point_labels:
            continue
        previous = runs[-1] if runs else None
        if previous and points.index(previous[1]) == points.index(point) - 1 and (
                point_labels[previous[0]] == point_labels[point]):
            runs[-1] = (previous[0], point)
        else:
            runs.append((point, point))

    placed = []
    for index, (first, last) in enumerate(runs):
        left = (runs[index - 1][1] + first) / 2 if index else points[0] - 0.5
        right = (last + runs[index + 1][0]) / 2 if index + 1 < len(runs) else points[-1] + 0.5
        if first == points[0] and right > last + 0.5:
            x, align, room = first - _BAR_WIDTH / 2, "left", right - (first - _BAR_WIDTH / 2)
        elif last == points[-1] and left < first - 0.5:
            x, align, room = last + _BAR_WIDTH / 2, "right", (last + _BAR_WIDTH / 2) - left
        else:
            x, align = (first + last) / 2, "center"
            room = 2 * min(x - left, right - x)
        text, width = f"{_range_text(first, last)}: {point_labels[first]}", _chars(
            room * per_point, LABEL_SIZE)
        if any(len(word) > width for word in text.split()):
            # Too crowded to write under the points: one key across the chart instead.
            key = ";  ".join(f"{_range_text(first, last)}: {point_labels[first]}"
                             for first, last in runs)
            lines = _wrap(key, _chars(FIGURE_WIDTH - 2 * _SIDE, LABEL_SIZE),
                          _MAX_POINT_LABEL_LINES)
            return [(points[0] - 0.5, "left", "\n".join(lines))]
        placed.append((x, align, "\n".join(_wrap(text, width, _MAX_POINT_LABEL_LINES))))
    return placed


def _chars(width_inches: float, font_size: float) -> int:
    return max(4, int(width_inches * 72 / (_CHAR_WIDTH * font_size)))


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    return textwrap.wrap(text.strip(), width=width, max_lines=max_lines, placeholder=" …",
                         break_long_words=False)


# ---------------------------------------------------------------- words and numbers

def _shares(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [100 * count / total if total else 0.0 for count in counts]


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def _fewer_than(min_group_size: int) -> str:
    return f"fewer than {_people(min_group_size)}"


def _range_text(low: int, high: int) -> str:
    return str(low) if low == high else f"{low} to {high}"


def _or_list(values: Sequence[int]) -> str:
    words = [str(value) for value in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _most_chosen(counts: Sequence[int], points: Sequence[int]) -> str:
    top = max(counts)
    return _or_list([point for point, count in zip(points, counts, strict=True)
                     if count == top])


def _alt_text(panels, counts, points, own_answer, min_group_size, title) -> str:
    scale = f"from {points[0]} to {points[-1]}"
    sentences = [title.strip().rstrip(".") + "."] if title.strip() else []
    only = panels[0]
    if len(panels) == 1 and not only.suppressed:
        total = sum(counts[0])
        if total == 0:
            sentences.append(f"Bar chart of how people scored this, {scale}. "
                             "Nobody has scored this yet.")
        else:
            sentences.append(f"Bar chart of how {_people(total)} scored this, {scale}. "
                             f"Most chose {_most_chosen(counts[0], points)}.")
    else:
        sentences.append(f"Bar charts of how people scored this, {scale}.")
        for panel, panel_counts in zip(panels, counts, strict=True):
            total = sum(panel_counts)
            if panel.suppressed:
                sentences.append(f"{panel.label}: not shown, {_fewer_than(min_group_size)}.")
            elif total == 0:
                sentences.append(f"{panel.label}: nobody has scored this yet.")
            else:
                sentences.append(f"{panel.label}: {_people(total)}, "
                                 f"most chose {_most_chosen(panel_counts, points)}.")
    if own_answer is not None:
        sentences.append(f"You chose {own_answer}.")
    return " ".join(sentences)


def _table(panels, counts, points) -> tuple[tuple[str, ...], ...]:
    header = ("Score", *(panel.label for panel in panels))
    rows = [
        (str(point), *("not shown" if panel.suppressed else str(panel_counts[index])
                       for panel, panel_counts in zip(panels, counts, strict=True)))
        for index, point in enumerate(points)
    ]
    return (header, *rows)
