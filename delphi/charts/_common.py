"""Checks, words and layout shared by the steering charts (not the participants' chart)."""

from __future__ import annotations

import math
import numbers
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from .distribution import _whole
from .style import (
    FIGURE_WIDTH,
    OTHER_STATUS_FILLS,
    OTHER_STATUS_MARKERS,
    STATUS_STYLES,
    TEXT,
    TICK_SIZE,
    TITLE_SIZE,
)

SIDE = 0.2                  # inches of margin left and right
TOP_PAD = 0.12
TITLE_LINE = 0.25
CHAR_WIDTH = 0.55           # average character width as a share of the font size
MAX_TITLE_LINES = 2

whole = _whole


def chars(width_inches: float, font_size: float) -> int:
    """How many average characters of ``font_size`` points fit in ``width_inches``."""
    return max(4, int(width_inches * 72 / (CHAR_WIDTH * font_size)))


def text_width(text: str, font_size: float) -> float:
    """Roughly how wide ``text`` is in inches at ``font_size`` points."""
    return len(text) * CHAR_WIDTH * font_size / 72


def legend_columns(names: Sequence[str], font_size: float, room: float) -> int:
    """The most columns a key of ``names`` can have and still fit ``room`` inches across.

    Each entry takes its text, a marker and the gap before the next column (about 0.5 in).
    """
    widths = [text_width(name, font_size) + 0.5 for name in names]
    for columns in range(len(widths), 1, -1):
        if sum(max(widths[column::columns]) for column in range(columns)) <= room:
            return columns
    return 1


KEY_ROW = 0.28


def key_height(names: Sequence[str]) -> float:
    """Inches taken by a key of ``names`` across the figure (see :func:`draw_key`)."""
    columns = legend_columns(names, TICK_SIZE, FIGURE_WIDTH - 2 * SIDE)
    return KEY_ROW * -(-len(names) // columns) + 0.12


def draw_key(figure: Figure, ax, handles, top: float, height: float) -> None:
    """A key of ``handles`` across the figure, its top ``top`` inches below the figure's."""
    names = [handle.get_label() for handle in handles]
    ax.legend(handles=handles, loc="upper left",
              bbox_to_anchor=(SIDE / FIGURE_WIDTH, 1 - top / height),
              bbox_transform=figure.transFigure,
              ncol=legend_columns(names, TICK_SIZE, FIGURE_WIDTH - 2 * SIDE), frameon=False,
              fontsize=TICK_SIZE, borderaxespad=0, borderpad=0, handletextpad=0.4,
              columnspacing=1.2)


ROW_LABEL_MIN = 0.9         # inches left of a dot chart for "Item 12"
ROW_LABEL_MAX = 2.4


def row_label(name: str) -> str:
    """"Item <name>" for the left of a dot chart's row, shortened to fit ROW_LABEL_MAX."""
    text = f"Item {name}"
    most = chars(ROW_LABEL_MAX - 0.25, TICK_SIZE)
    return text if len(text) <= most else text[:most - 1] + "…"


def row_label_width(row_labels: Sequence[str]) -> float:
    """Inches to leave left of a dot chart for its row labels."""
    widths = [text_width(text, TICK_SIZE) + 0.25 for text in row_labels]
    return min(max([ROW_LABEL_MIN, *widths]), ROW_LABEL_MAX)


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    return textwrap.wrap(text.strip(), width=width, max_lines=max_lines, placeholder=" …",
                         break_long_words=False)


def title_lines(title: str) -> list[str]:
    return wrap(title, chars(FIGURE_WIDTH - 2 * SIDE, TITLE_SIZE), MAX_TITLE_LINES)


def title_height(lines: Sequence[str]) -> float:
    """Inches taken above the chart by the title's lines (with the top margin)."""
    return TOP_PAD + (TITLE_LINE * len(lines) + 0.08 if lines else 0)


def draw_title(figure: Figure, lines: Sequence[str], height: float) -> None:
    if lines:
        figure.text(SIDE / FIGURE_WIDTH, 1 - TOP_PAD / height, "\n".join(lines), ha="left",
                    va="top", fontsize=TITLE_SIZE, fontweight="bold", color=TEXT)


def title_sentence(title: str) -> list[str]:
    return [title.strip().rstrip(".") + "."] if title.strip() else []


def labels(values: Sequence, what: str) -> tuple[str, ...]:
    """Item numbers or names as text: whole numbers as "12", anything else as given."""
    result = []
    for value in values:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            result.append(str(whole(value, what)))
        elif isinstance(value, str) and value.strip():
            result.append(value.strip())
        else:
            raise ValueError(f"{what} {value!r} must be a number or some text")
    return tuple(result)


def numbers_array(values, what: str, length: int, low: float | None = None,
                  high: float | None = None) -> np.ndarray:
    """``values`` as floats, ``length`` long; NaN allowed (not known), infinities not."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers, got {values!r}") from None
    if array.ndim != 1 or len(array) != length:
        raise ValueError(f"{what} has {array.size} values for {length} items")
    if np.isinf(array).any():
        raise ValueError(f"{what} has an infinite value")
    known = array[~np.isnan(array)]
    if low is not None and (known < low).any():
        raise ValueError(f"{what} has {known[known < low][0]:g}, below {low:g}")
    if high is not None and (known > high).any():
        raise ValueError(f"{what} has {known[known > high][0]:g}, above {high:g}")
    return array


def status_styles(statuses: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """Words, fill and marker of each status present, known statuses first in their order."""
    present = list(dict.fromkeys(statuses))
    known = [status for status in STATUS_STYLES if status in present]
    others = sorted(status for status in present if status not in STATUS_STYLES)
    styles = {status: STATUS_STYLES[status][:3] for status in known}
    for index, status in enumerate(others):
        styles[status] = (status.replace("_", " ").capitalize(),
                          OTHER_STATUS_FILLS[index % len(OTHER_STATUS_FILLS)],
                          OTHER_STATUS_MARKERS[index % len(OTHER_STATUS_MARKERS)])
    return styles


def status_words(status: str) -> str:
    if status in STATUS_STYLES:
        return STATUS_STYLES[status][0]
    return status.replace("_", " ").capitalize()


def checked_statuses(statuses: Sequence[str], length: int) -> tuple[str, ...]:
    checked = tuple(statuses)
    if len(checked) != length:
        raise ValueError(f"statuses has {len(checked)} values for {length} items")
    for status in checked:
        if not isinstance(status, str) or not status.strip():
            raise ValueError(f"status {status!r} must be a non-empty text")
    return checked


def item_list(names: Sequence[str], limit: int = 12) -> str:
    """"items 1, 4 and 7" (at most ``limit`` named, then "and 5 more")."""
    names = list(names)
    if not names:
        return "no items"
    word = "item" if len(names) == 1 else "items"
    if len(names) > limit:
        shown = ", ".join(names[:limit])
        return f"{word} {shown} and {len(names) - limit} more"
    if len(names) == 1:
        return f"{word} {names[0]}"
    return f"{word} {', '.join(names[:-1])} and {names[-1]}"


def percent(value: float) -> str:
    return "not known" if math.isnan(value) else f"{value:.0f}%"


def number(value: float, digits: int = 1) -> str:
    """A value for a table or label: "7", "7.5", "–" for not known."""
    if math.isnan(value):
        return "–"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(value: float, digits: int = 1) -> str:
    text = number(abs(value), digits)
    if text == "0":
        return "0"
    return f"+{text}" if value > 0 else f"−{text}"
