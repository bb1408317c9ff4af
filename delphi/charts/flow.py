"""Participant flow: from invited to completed, round by round (a CONSORT-style diagram).

Each round is a block, named in a shaded box at its left. Down the middle run three boxes,
"Invited", "Started" and "Completed", joined by arrows; from each arrow a side arrow leads
to the people lost at that step, "Did not start" and "Did not finish". An arrow
joins one round's block to the next. With counts per stakeholder group, each box lists the
groups under its total, and the table has a row per round and group.

Drawn with patches and text on one axes measured in inches, so the layout is exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._common import (
    SIDE,
    chars,
    title_height,
    title_lines,
    title_sentence,
    whole,
    wrap,
)
from .figures import Chart, new_figure
from .style import (
    BACKGROUND,
    BAR_EDGE,
    BOX_FILL,
    FIGURE_WIDTH,
    LABEL_SIZE,
    LINE,
    PANEL_TITLE_SIZE,
    TEXT,
    TICK_SIZE,
    TITLE_SIZE,
)

STEPS = ("Invited", "Started", "Completed")
LOSSES = ("Did not start", "Did not finish")

_ROUND_WIDTH = 0.95
_MAIN_WIDTH = 2.3
_ARROW_GAP = 0.35
_SIDE_WIDTH = FIGURE_WIDTH - 2 * SIDE - _ROUND_WIDTH - 0.15 - _MAIN_WIDTH - _ARROW_GAP
_LINE = 0.19
_FIRST_LINE = 0.21
_BOX_PAD = 0.14
_STEP_GAP = 0.45
_ROUND_GAP = 0.4
_BOTTOM_PAD = 0.12

Counts = tuple[str, int, int, int]


def participant_flow(rounds: Sequence[Counts],
                     by_group: Mapping[str, Sequence[Counts]] | None = None,
                     title: str = "") -> Chart:
    """Draw how many people were invited, started and completed each round.

    Parameters
    ----------
    rounds : ``(round label, invited, started, completed)`` per round, in order, with
        ``completed <= started <= invited``.
    by_group : group name -> the same tuples for that group, with the same round labels
        in the same order; listed inside each box under the total (names shortened to fit)
        and in full in the table. ``None`` for totals only.
    title : optional heading.

    The boxes are ``FancyBboxPatch`` patches of ``figure.axes[0]``, labelled
    "<step>: <round label>" (e.g. "Completed: Round 1"; "Round: Round 1" for the round's
    name box); the arrows are ``FancyArrowPatch`` patches.

    Raises
    ------
    ValueError
        Naming the bad value: no rounds, a count that is negative or not whole, more
        started than invited or more completed than started, a group whose rounds differ.
    """
    rounds = _checked_rounds(rounds, "rounds")
    if not rounds:
        raise ValueError("no rounds: give (round label, invited, started, completed)")
    groups: dict[str, tuple[Counts, ...]] = {}
    for name, group_rounds in (by_group or {}).items():
        checked = _checked_rounds(group_rounds, f"group {name!r}")
        if [row[0] for row in checked] != [row[0] for row in rounds]:
            raise ValueError(f"group {name!r} has rounds {[row[0] for row in checked]!r}, "
                             f"not {[row[0] for row in rounds]!r}")
        groups[str(name)] = checked
    return Chart(figure=_draw(rounds, groups, title),
                 alt_text=_alt_text(rounds, groups, title),
                 table=_table(rounds, groups))


def _checked_rounds(rounds, what: str) -> tuple[Counts, ...]:
    checked = []
    for row in rounds:
        if len(row) != 4:
            raise ValueError(f"{what}: {row!r} must be (round label, invited, started, "
                             "completed)")
        label = str(row[0])
        invited, started, completed = (whole(value, f"{what} {label!r} count")
                                       for value in row[1:])
        if min(invited, started, completed) < 0:
            raise ValueError(f"{what} {label!r} has a negative count")
        if started > invited:
            raise ValueError(f"{what} {label!r}: {started} started but only {invited} invited")
        if completed > started:
            raise ValueError(f"{what} {label!r}: {completed} completed but only {started} "
                             "started")
        checked.append((label, invited, started, completed))
    return tuple(checked)


def _steps(row: Counts) -> tuple[tuple[int, int, int], tuple[int, int]]:
    _, invited, started, completed = row
    return (invited, started, completed), (invited - started, started - completed)


def _box_lines(heading: str, total: int, groups, index: int, step: int, width: float,
               losses: bool) -> list[str]:
    most = chars(width - 0.15, LABEL_SIZE)
    lines = [f"{heading}: {total}"]
    for name, group_rounds in groups.items():
        counts = _steps(group_rounds[index])[1 if losses else 0][step]
        text = f"{name}: {counts}"
        if len(text) > most:
            text = f"{name[:most - len(str(counts)) - 3]}…: {counts}"
        lines.append(text)
    return lines


def _box_height(lines: Sequence[str]) -> float:
    return _BOX_PAD + _FIRST_LINE + _LINE * (len(lines) - 1)


def _draw(rounds, groups, title):
    heading = title_lines(title)
    top = title_height(heading)
    blocks = []
    for index, row in enumerate(rounds):
        steps, losses = _steps(row)
        mains = [_box_lines(name, total, groups, index, step, _MAIN_WIDTH, False)
                 for step, (name, total) in enumerate(zip(STEPS, steps, strict=True))]
        sides = [_box_lines(name, total, groups, index, step, _SIDE_WIDTH, True)
                 for step, (name, total) in enumerate(zip(LOSSES, losses, strict=True))]
        gaps = [max(_STEP_GAP, _box_height(side) + 0.15) for side in sides]
        block = sum(_box_height(lines) for lines in mains) + sum(gaps)
        blocks.append((row[0], mains, sides, gaps, block))
    height = (top + sum(block[-1] for block in blocks) + _ROUND_GAP * (len(blocks) - 1)
              + _BOTTOM_PAD)
    figure = new_figure(FIGURE_WIDTH, height)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, FIGURE_WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    if heading:
        ax.text(SIDE, height - 0.12, "\n".join(heading), ha="left", va="top",
                fontsize=TITLE_SIZE, fontweight="bold", color=TEXT)

    round_x = SIDE
    main_x = SIDE + _ROUND_WIDTH + 0.15
    side_x = main_x + _MAIN_WIDTH + _ARROW_GAP
    centre = main_x + _MAIN_WIDTH / 2
    y = height - top
    previous_bottom = None
    for label, mains, sides, gaps, block in blocks:
        if previous_bottom is not None:
            _arrow(ax, (centre, previous_bottom), (centre, y))
        _box(ax, round_x, y - block, _ROUND_WIDTH, block,
             wrap(label, chars(_ROUND_WIDTH - 0.1, PANEL_TITLE_SIZE), 4), f"Round: {label}",
             size=PANEL_TITLE_SIZE, centred=True)
        for step, lines in enumerate(mains):
            box_height = _box_height(lines)
            _box(ax, main_x, y - box_height, _MAIN_WIDTH, box_height, lines,
                 f"{STEPS[step]}: {label}")
            y -= box_height
            if step < len(sides):
                gap = gaps[step]
                _arrow(ax, (centre, y), (centre, y - gap))
                side_height = _box_height(sides[step])
                middle = y - gap / 2
                _arrow(ax, (centre, middle), (side_x, middle))
                _box(ax, side_x, middle - side_height / 2, _SIDE_WIDTH, side_height,
                     sides[step], f"{LOSSES[step]}: {label}")
                y -= gap
        previous_bottom = y
        y -= _ROUND_GAP
    return figure


def _box(ax, x, y, width, height, lines, label, size=TICK_SIZE, centred=False):
    ax.add_patch(FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0,rounding_size=0.06",
                                facecolor=BOX_FILL if centred else BACKGROUND,
                                edgecolor=BAR_EDGE, linewidth=1, label=label, zorder=2))
    if centred:
        ax.text(x + width / 2, y + height / 2, "\n".join(lines), ha="center", va="center",
                fontsize=size, fontweight="bold", color=TEXT, zorder=3)
        return
    if len(lines) == 1:
        ax.text(x + 0.08, y + height / 2, lines[0], ha="left", va="center", fontsize=size,
                fontweight="bold", color=TEXT, zorder=3)
        return
    top = y + height - _BOX_PAD / 2
    ax.text(x + 0.08, top, lines[0], ha="left", va="top", fontsize=size, fontweight="bold",
            color=TEXT, zorder=3)
    for number, line in enumerate(lines[1:]):
        ax.text(x + 0.08, top - _FIRST_LINE - number * _LINE, line, ha="left", va="top",
                fontsize=LABEL_SIZE, color=TEXT, zorder=3)


def _arrow(ax, start, end):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                 color=LINE, linewidth=1.5, shrinkA=0, shrinkB=0, zorder=1))


def _alt_text(rounds, groups, title) -> str:
    sentences = title_sentence(title)
    count = len(rounds)
    sentences.append(f"Flow chart of people through {count} "
                     f"{'round' if count == 1 else 'rounds'}.")
    for row in rounds:
        label, invited, started, completed = row
        _, (not_started, not_finished) = _steps(row)
        sentences.append(f"{label}: {invited} invited, {started} started, {completed} "
                         f"completed; {not_started} did not start and {not_finished} "
                         "started but did not finish.")
    if groups:
        sentences.append(f"The table gives the same for each of the {len(groups)} groups.")
    return " ".join(sentences)


def _table(rounds, groups) -> tuple[tuple[str, ...], ...]:
    header = ("Round", "Group", *STEPS, *LOSSES)
    rows = []
    for index, row in enumerate(rounds):
        for name, counts in (("Everyone", row), *((name, group_rounds[index])
                                                  for name, group_rounds in groups.items())):
            steps, losses = _steps(counts)
            rows.append((row[0], name, *map(str, steps), *map(str, losses)))
    return (header, *rows)



