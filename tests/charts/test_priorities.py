"""Priority-setting charts: the ranked list with its shortlist cut, and where groups' orders
differ."""

import math

import pytest
from matplotlib.colors import to_hex

from delphi.charts import group_orders, ranked_priorities
from delphi.charts.priorities import BELOW_HATCH, CUT_GID
from delphi.charts.style import BAR

from .helpers import check_files, check_table, check_text, texts

LABELS = ("4", "1", "7", "2", "3")
SCORES = (30.0, 24.0, 20.0, 20.0, 9.0)
BY_GROUP = {"Patients and carers": (10.0, 12.0, 4.0, 8.0, 3.0),
            "Clinicians": (20.0, 12.0, 16.0, 12.0, 6.0)}


@pytest.fixture(scope="module")
def ranked():
    return ranked_priorities(LABELS, SCORES, 3, by_group=BY_GROUP,
                             score_label="JLA score", title="Interim survey")


def bars(ax):
    return list(ax.containers[0])


def test_one_bar_per_item_in_order_with_the_score(ranked):
    overall, *panels = ranked.figure.axes
    assert len(panels) == 2
    assert [bar.get_width() for bar in bars(overall)] == list(SCORES)
    assert [bar.get_y() + bar.get_height() / 2 for bar in bars(overall)] == [0, 1, 2, 3, 4]
    assert [label.get_text() for label in overall.get_yticklabels()] == list(LABELS)
    assert overall.get_ylim()[0] > overall.get_ylim()[1]       # row 0 at the top
    for panel, values in zip(panels, BY_GROUP.values(), strict=True):
        assert [bar.get_width() for bar in bars(panel)] == list(values)
    assert {"JLA score", "Patients and carers", "Clinicians", "Interim survey"} <= set(
        texts(ranked.figure))


def test_shortlist_solid_the_rest_hatched_and_the_cut_drawn(ranked):
    for ax in ranked.figure.axes:
        drawn = bars(ax)
        assert [to_hex(bar.get_facecolor()).upper() for bar in drawn[:3]] == [BAR] * 3
        assert [bar.get_hatch() for bar in drawn] == ["", "", "", BELOW_HATCH, BELOW_HATCH]
        [cut] = [line for line in ax.lines if line.get_gid() == CUT_GID]
        assert list(cut.get_ydata()) == [2.5, 2.5]
    assert "On the shortlist" in texts(ranked.figure)
    assert "Not on the shortlist" in texts(ranked.figure)


def test_alt_text_and_table(ranked):
    assert ranked.alt_text.startswith("Interim survey. Bar chart of 5 items in order of jla "
                                      "score, highest first.")
    assert ("The shortlist holds the top 3: the line is drawn after item 7 (20); the next, "
            "item 2, has 20.") in ranked.alt_text
    assert "Patients and carers, Clinicians" in ranked.alt_text
    assert ranked.table[0] == ("Item", "Position", "JLA score", "Patients and carers",
                               "Clinicians", "On the shortlist")
    assert ranked.table[1] == ("4", "1", "30", "10", "20", "yes")
    assert ranked.table[5] == ("3", "5", "9", "3", "6", "no")
    check_table(ranked)


def test_files_and_legible_text(ranked):
    check_files(ranked)
    check_text(ranked)


@pytest.mark.parametrize(("size", "words"), [(0, "No item is on the shortlist yet."),
                                             (5, "All 5 are on the shortlist.")])
def test_no_cut_line_at_either_end(size, words):
    chart = ranked_priorities(LABELS, SCORES, size)
    [ax] = chart.figure.axes
    assert not [line for line in ax.lines if line.get_gid() == CUT_GID]
    assert words in chart.alt_text
    check_text(chart)


def test_long_labels_are_shortened_but_kept_in_the_table():
    long = "A very long research question about the care of people after a stroke at home"
    chart = ranked_priorities([long, "2"], [3, 1], 1)
    shown = [label.get_text() for label in chart.figure.axes[0].get_yticklabels()]
    assert shown[0].endswith("…") and len(shown[0]) < len(long)
    assert chart.table[1][0] == long
    check_text(chart)


@pytest.mark.parametrize(("arguments", "message"), [
    (((), (), 0), "no items"),
    ((LABELS, SCORES[:4], 2), "scores has 4 values"),
    ((LABELS, (1, 2, 3, 4, -1), 2), "below 0"),
    ((LABELS, (1, 2, 3, 4, math.nan), 2), "not known"),
    ((LABELS, SCORES, 6), "between 0 and 5"),
    ((LABELS, SCORES, -1), "between 0 and 5"),
])
def test_ranked_bad_input(arguments, message):
    with pytest.raises(ValueError, match=message):
        ranked_priorities(*arguments)


def test_ranked_refuses_too_many_groups_and_short_group_lists():
    with pytest.raises(ValueError, match="at most 8"):
        ranked_priorities(LABELS, SCORES, 2, by_group={str(g): SCORES for g in range(9)})
    with pytest.raises(ValueError, match="group 'A' has 2 values"):
        ranked_priorities(LABELS, SCORES, 2, by_group={"A": (1, 2)})


# --- where groups' orders differ -------------------------------------------------------------

POSITIONS = {
    "Patients": (1, 2, 3, 4, 5),
    "Nurses": (2, 1, 5, 3, 4),
    "Doctors": (1, 3, 2, 5, 4),
}
# places apart: item 4 -> 1, 1 -> 2, 7 -> 3, 2 -> 2, 3 -> 1


@pytest.fixture(scope="module")
def orders():
    return group_orders(LABELS, POSITIONS, limit=3, title="Where groups differ")


def test_items_furthest_apart_drawn_as_lines_across_groups(orders):
    [ax] = orders.figure.axes
    lines = [(tuple(line.get_xdata()), tuple(line.get_ydata())) for line in ax.lines]
    # Item 7 (3 apart), then items 1 and 2 (2 apart, in the order given).
    assert lines == [((0, 1, 2), (3, 5, 2)), ((0, 1, 2), (2, 1, 3)),
                     ((0, 1, 2), (4, 3, 5))]
    assert [collection.get_label() for collection in ax.collections] == list(POSITIONS)
    assert ax.collections[1].get_offsets().tolist() == [[1, 5], [1, 1], [1, 3]]
    assert [label.get_text() for label in ax.get_xticklabels()] == list(POSITIONS)
    assert ax.get_ylim()[0] > ax.get_ylim()[1]            # 1 at the top
    named = sorted(text.get_text() for text in ax.texts if text.get_gid() == "item-label")
    assert named == ["1", "2", "7"]


def test_orders_alt_text_and_table(orders):
    assert orders.alt_text.startswith("Where groups differ. Chart of the 3 items whose places "
                                      "differ most")
    assert "Item 7: Patients 3rd, Nurses 5th, Doctors 2nd (3 places apart)." in orders.alt_text
    assert orders.table[0] == ("Item", "Patients", "Nurses", "Doctors", "Places apart")
    assert [row[0] for row in orders.table[1:]] == ["7", "1", "2", "4", "3"]
    assert orders.table[1] == ("7", "3", "5", "2", "3")
    check_table(orders)


def test_orders_files_and_legible_text(orders):
    check_files(orders)
    check_text(orders)


def test_items_at_the_same_place_share_one_label():
    chart = group_orders(["A", "B"], {"Y": (1, 2), "X": (1.5, 1.5)})
    [ax] = chart.figure.axes
    assert [text.get_text() for text in ax.texts if text.get_gid() == "item-label"] == ["A, B"]
    assert "1.5" in chart.table[1]


@pytest.mark.parametrize(("arguments", "message"), [
    (((), POSITIONS), "no items"),
    ((LABELS, {"Only": (1, 2, 3, 4, 5)}), "1 groups"),
    ((LABELS, {"A": (1, 2, 3, 4, 5), "B": (1, 2)}), "group 'B' has 2 values"),
    ((LABELS, {"A": (1, 2, 3, 4, 5), "B": (0, 2, 3, 4, 5)}), "below 1"),
    ((LABELS, {"A": (1, 2, 3, 4, 5), "B": (1, 2, 3, 4, math.nan)}), "not known"),
])
def test_orders_bad_input(arguments, message):
    with pytest.raises(ValueError, match=message):
        group_orders(*arguments)


def test_orders_limit_must_be_positive():
    with pytest.raises(ValueError, match="limit 0"):
        group_orders(LABELS, POSITIONS, limit=0)
