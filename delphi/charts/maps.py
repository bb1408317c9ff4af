"""Consensus maps: every item of a round as one point, against the rule's regions.

:func:`consensus_map` places each item at (% scoring in the top band, % scoring in the
bottom band), the two numbers most consensus rules test (COMET: "in" when at least 70 %
score 7 to 9 and fewer than 15 % score 1 to 3). :func:`median_map` places each item at
(median, spread) for rules on the median and IQR, or at (IPRAS, IPR) for RAND/UCLA with the
line IPR = IPRAS drawn (disagreement above it).

The rule's regions are shaded rectangles, each named inside the corner that covers fewest
points. Each point's status is shown by its marker's shape and fill together (in: triangle
up, out: triangle down, no consensus: circle), named with counts in a key above the chart,
and each point is labelled with its item number, nudged to the free side of the point so
labels seldom overlap; items at exactly the same place share one label ("9, 10, 13").
Items with a value not known (nobody scored them) are not drawn, and the alt text says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.patches import Rectangle

from ._common import (
    SIDE,
    checked_statuses,
    draw_key,
    draw_title,
    item_list,
    key_height,
    labels,
    number,
    numbers_array,
    status_styles,
    status_words,
    text_width,
    title_height,
    title_lines,
    title_sentence,
)
from .figures import Chart, new_figure
from .style import (
    FIGURE_WIDTH,
    LABEL_SIZE,
    LINE,
    MARKER_EDGE,
    REGION_TINT,
    STATUS_STYLES,
    TEXT,
    TICK_SIZE,
)

_LEFT = 0.75
_AXES = 4.3
_X_LABEL = 0.6
_BOTTOM_PAD = 0.1
_MARKER_SIZE = 8            # points
_NUDGE = 5                  # points between a marker's centre and its label


@dataclass(frozen=True)
class MapRegion:
    """A shaded rectangle of a rule: ``x`` and ``y`` are (low, high) in the chart's units.

    ``status`` picks the tint (the status's pale colour); ends may be infinite, and are cut
    at the chart's edges.
    """

    label: str
    x: tuple[float, float]
    y: tuple[float, float]
    status: str | None = None


def consensus_map(numbers: Sequence, pct_top: Sequence[float], pct_bottom: Sequence[float],
                  statuses: Sequence[str], regions: Sequence[MapRegion] = (),
                  x_label: str = "% scoring in the top band",
                  y_label: str = "% scoring in the bottom band", title: str = "") -> Chart:
    """Draw every item at (% in the top band, % in the bottom band), with the rule's regions.

    Parameters
    ----------
    numbers : each item's number (or short name), its label on the chart.
    pct_top, pct_bottom : per item, 0 to 100; NaN for an item nobody scored (not drawn).
    statuses : per item, the engine's status ("consensus_in", "no_consensus", ...).
    regions : MapRegion rectangles in percent, e.g.
        ``MapRegion("Consensus in", (70, 100), (0, 15), "consensus_in")``.
    x_label, y_label : the axes' names, e.g. "% scoring 7 to 9".
    title : optional heading.

    ``figure.axes[0].collections`` holds one set of markers per status, in the order of
    the key, and ``figure.axes[0].patches`` the regions' rectangles; each item's number is
    an annotation at its point (one annotation for items at the same place). The table has
    one row per item, in the order given.

    Raises
    ------
    ValueError
        Naming the bad value: lengths that differ, a percentage outside 0 to 100, an empty
        status, a region whose low end is above its high end.
    """
    names = labels(numbers, "item number")
    xs = numbers_array(pct_top, "pct_top", len(names), 0, 100)
    ys = numbers_array(pct_bottom, "pct_bottom", len(names), 0, 100)
    statuses = checked_statuses(statuses, len(names))
    regions = _checked_regions(regions)
    return _map(names, xs, ys, statuses, regions, x_label, y_label, title,
                limits=((0.0, 100.0), (0.0, 100.0)), unit="%", diagonal="",
                kind="Map of each item by the share scoring it in the top band (across) "
                     "and in the bottom band (up)")


def median_map(numbers: Sequence, medians: Sequence[float], spreads: Sequence[float],
               statuses: Sequence[str], x_label: str = "Median",
               y_label: str = "Interquartile range (IQR)",
               regions: Sequence[MapRegion] = (),
               x_range: tuple[float, float] | None = None, diagonal: str = "",
               title: str = "") -> Chart:
    """Draw every item at (median, spread): median against IQR, or IPRAS against IPR.

    Parameters
    ----------
    numbers, statuses, regions, title : as for :func:`consensus_map`, in the chart's units.
    medians : per item, across (the median; IPRAS for RAND/UCLA); NaN when not known.
    spreads : per item, up (the IQR, or the IPR); NaN when not known; never negative.
    x_label, y_label : the axes' names.
    x_range : (low, high) across, e.g. the scale's ends (1, 9); from the data when omitted.
    diagonal : words for the line up = across drawn when given, e.g. "Disagreement above
        this line (IPR greater than IPRAS)" for RAND/UCLA.

    Raises
    ------
    ValueError
        As for :func:`consensus_map`; also a negative spread or an empty ``x_range``.
    """
    names = labels(numbers, "item number")
    xs = numbers_array(medians, "medians", len(names))
    ys = numbers_array(spreads, "spreads", len(names), 0)
    statuses = checked_statuses(statuses, len(names))
    regions = _checked_regions(regions)
    limits = _limits(xs, ys, regions, x_range, diagonal)
    return _map(names, xs, ys, statuses, regions, x_label, y_label, title, limits, unit="",
                diagonal=diagonal.strip(),
                kind=f"Map of each item by {x_label} (across) and {y_label} (up)")


def _checked_regions(regions: Sequence[MapRegion]) -> tuple[MapRegion, ...]:
    checked = []
    for region in regions:
        if not isinstance(region, MapRegion):
            region = MapRegion(*region)
        for what, (low, high) in (("x", region.x), ("y", region.y)):
            if any(isinstance(end, bool) or not isinstance(end, int | float) or math.isnan(end)
                   for end in (low, high)):
                raise ValueError(f"region {region.label!r} {what} {(low, high)!r} must be "
                                 "two numbers")
            if high < low:
                raise ValueError(f"region {region.label!r} {what} runs from {low:g} down to "
                                 f"{high:g}: give low, high")
        checked.append(region)
    return tuple(checked)


def _limits(xs, ys, regions, x_range, diagonal):
    if x_range is not None:
        low, high = (float(end) for end in x_range)
        if not high > low:
            raise ValueError(f"x_range {tuple(x_range)!r} must run from low to high")
    else:
        ends = [value for value in xs if not math.isnan(value)]
        ends += [end for region in regions for end in region.x if math.isfinite(end)]
        low, high = (min(ends), max(ends)) if ends else (0.0, 1.0)
        low, high = (low - 0.5, high + 0.5) if high - low < 1 else (low, high)
    tops = [value for value in ys if not math.isnan(value)]
    tops += [end for region in regions for end in region.y if math.isfinite(end)]
    top = max([*tops, 1.0, high if diagonal else 0.0])
    return (low, high), (0.0, top)


def _map(names, xs, ys, statuses, regions, x_label, y_label, title, limits, unit, diagonal,
         kind) -> Chart:
    heading = title_lines(title)
    top = title_height(heading)
    styles = status_styles(statuses)
    drawn = ~(np.isnan(xs) | np.isnan(ys))
    status_array = np.array(statuses, dtype=object)
    counts = {status: int((drawn & (status_array == status)).sum()) for status in styles}
    keys = [f"{words} ({counts[status]})" for status, (words, _, _) in styles.items()]
    legend = key_height(keys)
    height = top + legend + _AXES + _X_LABEL + _BOTTOM_PAD
    figure = new_figure(FIGURE_WIDTH, height)
    draw_title(figure, heading, height)
    axes_width = FIGURE_WIDTH - _LEFT - SIDE
    ax = figure.add_axes((_LEFT / FIGURE_WIDTH, (_BOTTOM_PAD + _X_LABEL) / height,
                          axes_width / FIGURE_WIDTH, _AXES / height))
    (x_low, x_high), (y_low, y_high) = limits
    # Room beyond the outermost values so markers and labels at the ends are not cut.
    x_pad, y_pad = (x_high - x_low) * 0.04, (y_high - y_low) * 0.04
    ax.set_xlim(x_low - x_pad, x_high + x_pad)
    ax.set_ylim(y_low - y_pad, y_high + y_pad)
    ax.set_xlabel(x_label, fontsize=TICK_SIZE, color=TEXT)
    ax.set_ylabel(y_label, fontsize=TICK_SIZE, color=TEXT)
    ax.tick_params(labelsize=TICK_SIZE, colors=TEXT)
    if unit == "%":
        ticks = [0, 20, 40, 60, 80, 100]
        ax.set_xticks(ticks, labels=[f"{tick}%" for tick in ticks])
        ax.set_yticks(ticks, labels=[f"{tick}%" for tick in ticks])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    space = _Space(ax, axes_width, xs[drawn], ys[drawn])
    for region in regions:
        _draw_region(ax, region, space)
    if diagonal:
        end = max(x_high, y_high)
        ax.plot([min(x_low, 0), end], [min(x_low, 0), end], linestyle=(0, (5, 3)),
                color=LINE, linewidth=1.5, zorder=1, label="diagonal")
        ax.text(x_high, min(x_high, y_high + y_pad), diagonal, ha="right", va="top",
                fontsize=LABEL_SIZE, color=TEXT, zorder=1)

    handles = []
    for key, (status, (_, fill, marker)) in zip(keys, styles.items(), strict=True):
        chosen = drawn & (status_array == status)
        handles.append(ax.scatter(xs[chosen], ys[chosen], s=_MARKER_SIZE ** 2, marker=marker,
                                  facecolor=fill, edgecolor=MARKER_EDGE, linewidth=0.8,
                                  zorder=3, label=key))
    draw_key(figure, ax, handles, top, height)
    _label_points(ax, space, names, xs, ys, drawn)
    return Chart(figure=figure,
                 alt_text=_alt_text(kind, names, xs, ys, drawn, statuses, styles, regions,
                                    title),
                 table=_table(names, xs, ys, statuses, x_label, y_label, unit))


class _Space:
    """The axes measured in points, with the boxes already taken by markers and text."""

    def __init__(self, ax, axes_width: float, xs: np.ndarray, ys: np.ndarray):
        (self.x_low, x_high), (self.y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        self.width = axes_width * 72
        self.height = ax.get_position().height * ax.figure.get_figheight() * 72
        self.to_x = self.width / (x_high - self.x_low)
        self.to_y = self.height / (y_high - self.y_low)
        px, py = self.points(xs, ys)
        radius = _MARKER_SIZE / 2
        self.taken = np.column_stack([px - radius, py - radius, px + radius, py + radius])

    def points(self, xs, ys):
        return (np.asarray(xs) - self.x_low) * self.to_x, (np.asarray(ys) - self.y_low) * self.to_y

    def cost(self, box) -> float:
        """How much of ``box`` is taken already; a box leaving the axes costs most."""
        outside = box[0] < 0 or box[2] > self.width or box[1] < 0 or box[3] > self.height
        return _overlap(self.taken, box) + (1e6 if outside else 0)

    def take(self, box) -> None:
        self.taken = np.vstack([self.taken, box])


def _draw_region(ax, region: MapRegion, space: _Space) -> None:
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    left, right = max(region.x[0], x_low), min(region.x[1], x_high)
    bottom, top = max(region.y[0], y_low), min(region.y[1], y_high)
    if right <= left or top <= bottom:
        return
    tint = STATUS_STYLES[region.status][3] if region.status in STATUS_STYLES else REGION_TINT
    ax.add_patch(Rectangle((left, bottom), right - left, top - bottom, facecolor=tint,
                           edgecolor=LINE, linestyle=(0, (4, 2)), linewidth=1, zorder=0,
                           label=f"region {region.label}"))
    # The name goes in whichever inside corner covers fewest points.
    width, line = text_width(f" {region.label} ", LABEL_SIZE) * 72, LABEL_SIZE * 1.3
    (x0, x1), (y0, y1) = space.points([left, right], [bottom, top])
    corners = []
    for x, ha, box_left in ((left, "left", x0), (right, "right", x1 - width)):
        for y, va, box_bottom in ((top, "top", y1 - line), (bottom, "bottom", y0)):
            box = np.array([box_left, box_bottom, box_left + width, box_bottom + line])
            corners.append((space.cost(box), x, y, ha, va, box))
    _, x, y, ha, va, box = min(corners, key=lambda corner: corner[0])
    space.take(box)
    ax.text(x, y, f" {region.label} ", ha=ha, va=va, fontsize=LABEL_SIZE, color=TEXT,
            zorder=1)


_PLACES = (  # (dx, dy) in nudges, horizontal and vertical alignment of the label
    (1, 0, "left", "center"), (0, 1, "center", "bottom"), (-1, 0, "right", "center"),
    (0, -1, "center", "top"), (0.8, 0.8, "left", "bottom"), (0.8, -0.8, "left", "top"),
    (-0.8, 0.8, "right", "bottom"), (-0.8, -0.8, "right", "top"),
)
_MAX_NAMES = 6              # items sharing one point named on one label before "+ n more"


def _label_points(ax, space: _Space, names, xs, ys, drawn) -> None:
    """Label each drawn point with its item number, on the side where it overlaps least.

    Items at exactly the same place share one label ("9, 10, 13"). Greedy, in the order
    given: each label takes the first of eight places around its point that overlaps no
    marker, region name or earlier label and stays inside the axes; failing that, the place
    that overlaps least. Boxes are estimated in points from the text's length.
    """
    at: dict[tuple[float, float], list[str]] = {}
    for name, x, y in zip(np.array(names, dtype=object)[drawn], xs[drawn], ys[drawn],
                          strict=True):
        at.setdefault((float(x), float(y)), []).append(name)
    line = LABEL_SIZE * 1.15
    for (x_data, y_data), together in at.items():
        text = ", ".join(together[:_MAX_NAMES])
        if len(together) > _MAX_NAMES:
            text += f" + {len(together) - _MAX_NAMES} more"
        width = text_width(text, LABEL_SIZE) * 72
        (x,), (y,) = space.points([x_data], [y_data])
        best, best_cost = None, math.inf
        for dx, dy, ha, va in _PLACES:
            left = x + dx * _NUDGE - {"left": 0, "center": width / 2, "right": width}[ha]
            bottom = y + dy * _NUDGE - {"bottom": 0, "center": line / 2, "top": line}[va]
            box = np.array([left, bottom, left + width, bottom + line])
            cost = space.cost(box)
            if cost < best_cost:
                best, best_cost = (dx, dy, ha, va, box), cost
            if cost == 0:
                break
        dx, dy, ha, va, box = best
        space.take(box)
        ax.annotate(text, (x_data, y_data), xytext=(dx * _NUDGE, dy * _NUDGE),
                    textcoords="offset points", ha=ha, va=va, fontsize=LABEL_SIZE, color=TEXT,
                    zorder=4)


def _overlap(boxes: np.ndarray, box: np.ndarray) -> float:
    widths = np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0])
    heights = np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1])
    return float(np.sum(np.clip(widths, 0, None) * np.clip(heights, 0, None)))


def _alt_text(kind, names, xs, ys, drawn, statuses, styles, regions, title) -> str:
    sentences = title_sentence(title)
    count = len(names)
    sentences.append(f"{kind}: {count} {'item' if count == 1 else 'items'}.")
    for region in regions:
        sentences.append(f"Shaded: {region.label} ({_span(region.x)} across, "
                         f"{_span(region.y)} up).")
    for status, (words, _, _) in styles.items():
        chosen = [name for name, item_status, shown in zip(names, statuses, drawn, strict=True)
                  if item_status == status and shown]
        if chosen:
            sentences.append(f"{words}: {item_list(chosen)}.")
    missing = [name for name, shown in zip(names, drawn, strict=True) if not shown]
    if missing:
        sentences.append(f"Not drawn, nobody scored them: {item_list(missing)}.")
    sentences.append("The table gives every item's numbers.")
    return " ".join(sentences)


def _span(ends: tuple[float, float]) -> str:
    low, high = ends
    if math.isinf(low) and math.isinf(high):
        return "any value"
    if math.isinf(high):
        return f"from {number(low)}"
    if math.isinf(low):
        return f"up to {number(high)}"
    return f"{number(low)} to {number(high)}"


def _table(names, xs, ys, statuses, x_label, y_label, unit) -> tuple[tuple[str, ...], ...]:
    def cell(value):
        return "–" if math.isnan(value) else (f"{value:.0f}%" if unit == "%" else number(value, 2))
    rows = [(name, cell(x), cell(y), status_words(status))
            for name, x, y, status in zip(names, xs, ys, statuses, strict=True)]
    return (("Item", x_label, y_label, "Status"), *rows)
