"""Group divergence: items where groups differ most, one marker shape per group."""

import math

import numpy as np
import pytest

from delphi.charts import group_divergence

from .helpers import check_files, check_table, check_text, texts

NAN = math.nan
NUMBERS = (1, 2, 3, 4, 5)
GROUPS = {
    "Patients and carers": (80.0, 50.0, 90.0, 60.0, NAN),
    "Surgeons": (40.0, 55.0, NAN, 62.0, 70.0),
    "Nurses": (60.0, 48.0, 30.0, 20.0, NAN),
}
# ranges: 1 -> 40, 2 -> 7, 3 -> 60 (surgeons not shown), 4 -> 42, 5 -> only one group


@pytest.fixture(scope="module")
def chart():
    return group_divergence(NUMBERS, GROUPS, top_k=3, label="% scoring 7 to 9",
                            min_group_size=5, title="Where groups differ")


def rows(ax):
    return [label.get_text() for label in ax.get_yticklabels()]


def test_items_sorted_by_the_range_across_groups_top_k_only(chart):
    [ax] = chart.figure.axes
    assert rows(ax) == ["Item 3", "Item 4", "Item 1"]
    shown = texts(ax)
    assert {"60 points", "42 points", "40 points"} <= set(shown)


def test_one_marker_shape_per_group_at_its_share(chart):
    [ax] = chart.figure.axes
    by_group = {collection.get_label(): collection.get_offsets().tolist()
                for collection in ax.collections}
    assert list(by_group) == list(GROUPS)
    assert by_group["Patients and carers"] == [[90, 0], [60, 1], [80, 2]]
    assert by_group["Surgeons"] == [[62, 1], [40, 2]]      # not shown for item 3
    assert by_group["Nurses"] == [[30, 0], [20, 1], [60, 2]]
    shapes = {tuple(map(tuple, c.get_paths()[0].vertices.round(3))) for c in ax.collections}
    assert len(shapes) == 3
    lines = [tuple(line.get_xdata()) for line in ax.lines]
    assert lines == [(30, 90), (20, 62), (40, 80)]


def test_missing_groups_are_skipped_and_stated(chart):
    assert any("Not shown, fewer than 5 people in the group scored the item: Surgeons "
               "(item 3)." in text for text in texts(chart.figure))
    assert "Surgeons not shown for item 3: fewer than 5 people." in chart.alt_text
    assert "Fewer than two groups shown for item 5." in chart.alt_text


def test_alt_text_gives_the_most_divergent_items(chart):
    assert chart.alt_text.startswith("Where groups differ. Dot chart of the 3 items")
    assert ("Item 3: Patients and carers 90%, Nurses 30% (60 points apart)."
            in chart.alt_text)


def test_table_lists_every_item_by_range_then_those_without(chart):
    check_table(chart)
    header, *rows_ = chart.table
    assert header == ("Item", "Patients and carers", "Surgeons", "Nurses",
                      "Difference (points)")
    assert [row[0] for row in rows_] == ["3", "4", "1", "2", "5"]
    assert rows_[0] == ("3", "90%", "not shown", "30%", "60")
    assert rows_[-1] == ("5", "not shown", "70%", "not shown", "–")


def test_ties_keep_the_items_order():
    chart = group_divergence((1, 2, 3), {"A": (10, 20, 30), "B": (30, 40, 50)})
    assert rows(chart.figure.axes[0]) == ["Item 1", "Item 2", "Item 3"]


def test_without_a_size_it_says_too_few_people():
    chart = group_divergence((1,), {"A": (10,), "B": (NAN,), "C": (40,)})
    assert "B not shown for item 1: too few people." in chart.alt_text


def test_no_item_with_two_groups_says_so():
    chart = group_divergence((1,), {"A": (10,), "B": (NAN,)})
    assert "No item was scored by two or more groups." in texts(chart.figure)
    check_text(chart)


def test_many_groups_with_long_names_fit():
    groups = {f"Stakeholder group number {n} with a long name": np.linspace(10, 90, 4) + n
              for n in range(8)}
    chart = group_divergence((1, 2, 3, 4), groups)
    check_text(chart)


def test_legible_contrasting_text_inside_the_picture_and_valid_files(chart):
    check_text(chart)
    check_files(chart)


@pytest.mark.parametrize("kwargs, message", [
    ({"pct_top_by_group": {}}, "no groups"),
    ({"pct_top_by_group": {str(n): (1, 2) for n in range(9)}}, "9 groups: at most 8"),
    ({"pct_top_by_group": {"A": (1,), "B": (1, 2)}}, "group 'A' has 1 values for 2 items"),
    ({"pct_top_by_group": {"A": (1, 120), "B": (1, 2)}}, "group 'A' has 120, above 100"),
    ({"top_k": 0}, "top_k 0 must be at least 1"),
])
def test_bad_input_raises_naming_the_value(kwargs, message):
    arguments = {"numbers": (1, 2), "pct_top_by_group": {"A": (1, 2), "B": (3, 4)}, **kwargs}
    with pytest.raises(ValueError, match=message):
        group_divergence(**arguments)
