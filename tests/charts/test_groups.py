"""By stakeholder group: the item chart's panels, one per group, small groups never drawn."""

import numpy as np
import pytest

from delphi.charts import by_group

from .helpers import check_files, check_table, check_text, texts

POINTS = tuple(range(1, 10))
BANDS = (("low", 1, 3), ("mid", 4, 6), ("high", 7, 9))
EVERYONE = (1, 0, 2, 3, 4, 6, 8, 12, 6)
PATIENTS = (0, 0, 1, 1, 2, 3, 5, 6, 2)          # 20
SURGEONS = (0, 0, 0, 1, 0, 0, 1, 1, 0)          # 3: below the minimum of 5
NURSES = (1, 0, 1, 2, 2, 3, 2, 5, 4)            # 20


@pytest.fixture(scope="module")
def chart():
    return by_group("7. Pain at four months",
                    {"Patients and carers": PATIENTS, "Surgeons": SURGEONS, "Nurses": NURSES,
                     "Managers": None},
                    POINTS, BANDS, overall=EVERYONE)


def bars(ax):
    return list(ax.containers[0]) if ax.containers else []


def test_one_panel_for_everyone_then_each_group_in_order(chart):
    titles = [ax.get_title(loc="left") for ax in chart.figure.axes]
    assert titles == ["Everyone (42 people)", "Patients and carers (20 people)", "Surgeons",
                      "Nurses (20 people)", "Managers"]
    assert "7. Pain at four months" in texts(chart.figure)


@pytest.mark.parametrize("index, counts", [(0, EVERYONE), (1, PATIENTS), (3, NURSES)])
def test_drawn_panels_are_the_groups_percentages(chart, index, counts):
    counts = np.array(counts, dtype=float)
    heights = [bar.get_height() for bar in bars(chart.figure.axes[index])]
    assert heights == pytest.approx((counts / counts.sum() * 100).tolist())


@pytest.mark.parametrize("index", [2, 4])
def test_small_and_suppressed_groups_are_named_never_drawn(chart, index):
    ax = chart.figure.axes[index]
    assert bars(ax) == [] and len(ax.patches) == 0
    assert any("fewer than 5 people" in text for text in texts(ax))


def test_small_groups_counts_appear_nowhere(chart):
    assert "3 people" not in chart.alt_text
    assert "Surgeons: not shown, fewer than 5 people." in chart.alt_text
    header, *rows = chart.table
    column = header.index("Surgeons")
    assert {row[column] for row in rows} == {"not shown"}


def test_no_own_answer_is_marked(chart):
    assert not any(bar.get_hatch() for ax in chart.figure.axes for bar in bars(ax))
    assert "Your score" not in texts(chart.figure)
    assert "You chose" not in chart.alt_text


def test_minimum_size_is_the_studys():
    chart = by_group("Item", {"Surgeons": SURGEONS}, POINTS, min_group_size=3)
    assert len(bars(chart.figure.axes[0])) == 9
    chart = by_group("Item", {"Surgeons": SURGEONS, "Nurses": NURSES}, POINTS,
                     min_group_size=21)
    assert all(bars(ax) == [] for ax in chart.figure.axes)
    assert "fewer than 21 people" in chart.alt_text


def test_without_everyone_the_groups_alone():
    chart = by_group("Item", {"Patients": PATIENTS, "Nurses": NURSES}, POINTS, BANDS)
    assert len(chart.figure.axes) == 2
    assert chart.table[0] == ("Score", "Patients", "Nurses")


def test_legible_contrasting_text_inside_the_picture_and_valid_files(chart):
    check_table(chart)
    check_text(chart, ("#FFFFFF", "#E8E8E8", "#F7F7F7"))
    check_files(chart)


@pytest.mark.parametrize("kwargs, message", [
    ({"groups": {}}, "no groups"),
    ({"min_group_size": 0}, "min_group_size 0"),
    ({"groups": {"Nurses": (1, 2, 3, 4, 5)}}, "'Nurses' has 5 counts"),
    ({"groups": {"Nurses": (1, 0, 0, 0, 2.5, 0, 0, 0, 9)}}, "'Nurses' count 2.5"),
    ({"bands": (("high", 7, 10),)}, "band 'high' high end 10"),
])
def test_bad_input_raises_naming_the_value(kwargs, message):
    arguments = {"item_label": "Item", "groups": {"Nurses": NURSES}, "points": POINTS,
                 "bands": BANDS, **kwargs}
    with pytest.raises(ValueError, match=message):
        by_group(**arguments)
