"""Movement between rounds: a dumbbell per item, sorted by change, with its text equivalents."""

import math

import pytest

from delphi.charts import movement

from .helpers import check_files, check_table, check_text, texts

NUMBERS = (1, 2, 3, 4, 5, 6)
BEFORE = (6.0, 7.0, 5.0, float("nan"), 8.0, 4.0)
AFTER = (7.5, 7.0, 3.0, 6.0, 8.5, 6.0)
# changes: +1.5, 0, -2, (new), +0.5, +2  ->  rows: 6, 1, 5, 2, 3


@pytest.fixture(scope="module")
def chart():
    return movement(NUMBERS, BEFORE, AFTER, "Median score", "Round 1", "Round 2",
                    title="Change since round 1")


def rows(ax):
    return [label.get_text() for label in ax.get_yticklabels()]


def test_rows_are_sorted_from_biggest_rise_to_biggest_fall(chart):
    [ax] = chart.figure.axes
    assert rows(ax) == ["Item 6", "Item 1", "Item 5", "Item 2", "Item 3"]
    top, bottom = ax.get_ylim()[1], ax.get_ylim()[0]
    assert top < bottom                             # row 0 is drawn at the top


def test_markers_sit_at_the_before_and_after_values(chart):
    [ax] = chart.figure.axes
    before, after = ax.collections
    assert before.get_label() == "Round 1" and after.get_label() == "Round 2"
    assert before.get_offsets().tolist() == [[4, 0], [6, 1], [8, 2], [7, 3], [5, 4]]
    assert after.get_offsets().tolist() == [[6, 0], [7.5, 1], [8.5, 2], [7, 3], [3, 4]]
    shapes = [tuple(map(tuple, c.get_paths()[0].vertices.round(3))) for c in ax.collections]
    assert shapes[0] != shapes[1]
    # each dumbbell's bar joins its two values
    bars = [tuple(line.get_xdata()) for line in ax.lines]
    assert bars == [(4, 6), (6, 7.5), (8, 8.5), (7, 7), (5, 3)]


def test_changes_are_written_with_their_sign(chart):
    shown = texts(chart.figure.axes[0])
    for change in ("+2", "+1.5", "+0.5", "0", "−2"):
        assert change in shown


def test_limit_keeps_the_items_that_moved_most_still_sorted():
    chart = movement(NUMBERS, BEFORE, AFTER, "Median score", limit=3)
    assert rows(chart.figure.axes[0]) == ["Item 6", "Item 1", "Item 3"]


def test_alt_text_says_what_rose_fell_and_was_left_out(chart):
    assert chart.alt_text.startswith("Change since round 1. Dot chart of each item's median "
                                     "score in round 1 and round 2, 5 items")
    assert "Rose most: item 6 (+2); 3 rose in all." in chart.alt_text
    assert "Fell most: item 3 (−2); 1 fell in all." in chart.alt_text
    assert "Unchanged: 1." in chart.alt_text
    assert "Left out, without a value in both rounds: item 4." in chart.alt_text


def test_table_has_every_item_in_order(chart):
    check_table(chart)
    assert chart.table[0] == ("Item", "Median score: Round 1", "Median score: Round 2",
                              "Change")
    assert chart.table[1] == ("1", "6", "7.5", "+1.5")
    assert chart.table[4] == ("4", "–", "6", "–")


def test_nothing_to_compare_says_so():
    chart = movement((1,), (math.nan,), (5,), "Median score")
    assert "No item has a value in both rounds." in texts(chart.figure)
    check_text(chart)


def test_long_item_names_are_shortened_to_fit():
    chart = movement(("A very long item name that goes on and on",), (1,), (2,), "Median")
    check_text(chart)


def test_legible_contrasting_text_inside_the_picture_and_valid_files(chart):
    check_text(chart)
    check_files(chart)


@pytest.mark.parametrize("kwargs, message", [
    ({"before": (1, 2)}, "before has 2 values for 3 items"),
    ({"after": (1, 2, math.inf)}, "after has an infinite value"),
    ({"after": (1, "x", 3)}, "after must be numbers"),
    ({"limit": 0}, "limit 0 must be at least 1"),
    ({"label": " "}, "label is empty"),
])
def test_bad_input_raises_naming_the_value(kwargs, message):
    arguments = {"numbers": (1, 2, 3), "before": (1, 2, 3), "after": (2, 2, 2),
                 "label": "Median", **kwargs}
    with pytest.raises(ValueError, match=message):
        movement(**arguments)
