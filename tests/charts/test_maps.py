"""Consensus and median maps: points where the numbers say, regions, labels, shapes, text."""

import math

import numpy as np
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation

from delphi.charts import MapRegion, consensus_map, median_map

from .helpers import check_files, check_table, check_text, texts

NUMBERS = (1, 2, 3, 4, 5, 6, 7)
TOP = (82.0, 75.0, 40.0, 10.0, 55.0, float("nan"), 71.0)
BOTTOM = (5.0, 12.0, 20.0, 80.0, 30.0, float("nan"), 14.0)
STATUSES = ("consensus_in", "consensus_in", "no_consensus", "consensus_out", "no_consensus",
            "no_consensus", "consensus_in")
REGIONS = (MapRegion("Consensus in", (70, 100), (0, 15), "consensus_in"),
           MapRegion("Consensus out", (0, 15), (70, 100), "consensus_out"))


@pytest.fixture(scope="module")
def chart():
    return consensus_map(NUMBERS, TOP, BOTTOM, STATUSES, REGIONS, "% scoring 7 to 9",
                         "% scoring 1 to 3", title="Round 2")


def markers(ax):
    return {collection.get_label().split(" (")[0]: collection.get_offsets()
            for collection in ax.collections}


def labels_at(ax):
    return {text.get_text(): tuple(text.xy) for text in ax.texts if isinstance(text, Annotation)}


def test_each_item_is_a_point_at_its_top_and_bottom_shares(chart):
    [ax] = chart.figure.axes
    points = markers(ax)
    assert list(points) == ["Consensus in", "No consensus", "Consensus out"]
    assert points["Consensus in"].tolist() == [[82, 5], [75, 12], [71, 14]]
    assert points["No consensus"].tolist() == [[40, 20], [55, 30]]      # item 6 not drawn
    assert points["Consensus out"].tolist() == [[10, 80]]


def test_statuses_differ_in_shape_and_fill_and_are_counted_in_the_key(chart):
    [ax] = chart.figure.axes
    shapes = [tuple(map(tuple, collection.get_paths()[0].vertices.round(3)))
              for collection in ax.collections]
    fills = [tuple(collection.get_facecolor()[0]) for collection in ax.collections]
    assert len(set(shapes)) == 3 and len(set(fills)) == 3
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "Consensus in (3)", "No consensus (2)", "Consensus out (1)"]


def test_regions_are_shaded_rectangles_of_the_rule(chart):
    [ax] = chart.figure.axes
    regions = {patch.get_label(): patch for patch in ax.patches if isinstance(patch, Rectangle)}
    inside = regions["region Consensus in"]
    assert (inside.get_x(), inside.get_y(), inside.get_width(), inside.get_height()) == (
        70, 0, 30, 15)
    outside = regions["region Consensus out"]
    assert (outside.get_x(), outside.get_y(), outside.get_width(), outside.get_height()) == (
        0, 70, 15, 30)
    assert all(patch.zorder < ax.collections[0].zorder for patch in regions.values())
    assert {"Consensus in", "Consensus out"} <= {text.strip() for text in texts(ax)}


def test_every_drawn_item_is_labelled_by_its_number_at_its_point(chart):
    [ax] = chart.figure.axes
    labels = labels_at(ax)
    expected = {str(n): (x, y) for n, x, y in zip(NUMBERS, TOP, BOTTOM, strict=True)
                if not math.isnan(x)}
    assert labels == expected


def test_labels_of_spread_points_do_not_overlap():
    rng = np.random.default_rng(7)
    top = rng.uniform(0, 100, 25)
    bottom = rng.uniform(0, 100 - top)
    chart = consensus_map(range(1, 26), top, bottom, ["no_consensus"] * 25)
    renderer = chart.figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in chart.figure.axes[0].texts
             if isinstance(text, Annotation)]
    overlaps = sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert overlaps <= 1


def test_labels_of_close_points_move_apart():
    chart = consensus_map((1, 2, 3), (50, 50.5, 51), (50, 50, 50), ["no_consensus"] * 3)
    offsets = {tuple(text.xyann) for text in chart.figure.axes[0].texts
               if isinstance(text, Annotation)}
    assert len(offsets) == 3


def test_alt_text_names_the_items_of_each_status_and_those_not_drawn(chart):
    assert chart.alt_text.startswith("Round 2. Map of each item")
    assert "Consensus in: items 1, 2 and 7." in chart.alt_text
    assert "Consensus out: item 4." in chart.alt_text
    assert "Not drawn, nobody scored them: item 6." in chart.alt_text
    assert "Shaded: Consensus in (70 to 100 across, 0 to 15 up)." in chart.alt_text


def test_table_has_every_item_in_order(chart):
    check_table(chart)
    assert chart.table[0] == ("Item", "% scoring 7 to 9", "% scoring 1 to 3", "Status")
    assert chart.table[1] == ("1", "82%", "5%", "Consensus in")
    assert chart.table[6] == ("6", "–", "–", "No consensus")
    assert len(chart.table) == len(NUMBERS) + 1


def test_legible_contrasting_text_inside_the_picture_and_valid_files(chart):
    check_text(chart, ("#FFFFFF", "#DDEFE8", "#F9E0D0"))
    check_files(chart)


def test_median_map_places_items_at_median_and_spread():
    chart = median_map((1, 2, 3, 4), (8, 7, 5, 2), (1, 2, 3, 1),
                       ("consensus_in", "consensus_in", "no_consensus", "consensus_out"),
                       regions=[MapRegion("Consensus in", (7, math.inf), (0, 2),
                                          "consensus_in")],
                       x_range=(1, 9))
    [ax] = chart.figure.axes
    assert markers(ax)["Consensus in"].tolist() == [[8, 1], [7, 2]]
    low, high = ax.get_xlim()
    assert low < 1 and high > 9 and high - 9 < 0.5
    [region] = [patch for patch in ax.patches if patch.get_label() == "region Consensus in"]
    assert region.get_x() == 7 and region.get_x() + region.get_width() == pytest.approx(high)
    assert ax.get_xlabel() == "Median" and ax.get_ylabel() == "Interquartile range (IQR)"
    assert chart.table[1] == ("1", "8", "1", "Consensus in")
    assert "from 7 across" in chart.alt_text
    check_text(chart, ("#FFFFFF", "#DDEFE8"))


def test_median_map_for_rand_ucla_draws_the_disagreement_line():
    chart = median_map((1, 2, 3), (6.1, 5.8, 4.2), (2.0, 6.5, 1.0),
                       ("appropriate", "uncertain", "uncertain"), x_label="IPRAS",
                       y_label="IPR", diagonal="Disagreement above this line")
    [ax] = chart.figure.axes
    [line] = [line for line in ax.lines if line.get_label() == "diagonal"]
    xs, ys = line.get_data()
    assert list(xs) == list(ys)
    assert "Disagreement above this line" in texts(ax)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "Appropriate (1)", "Uncertain (2)"]
    check_text(chart)


def test_unknown_statuses_get_their_own_shape():
    chart = consensus_map((1, 2), (50, 60), (10, 5), ("kept", "dropped"))
    [ax] = chart.figure.axes
    assert len(ax.collections) == 2
    shapes = {tuple(map(tuple, c.get_paths()[0].vertices.round(3))) for c in ax.collections}
    assert len(shapes) == 2
    assert chart.table[1][3] == "Kept"


@pytest.mark.parametrize("kwargs, message", [
    ({"pct_top": (50, 60)}, "pct_top has 2 values for 3 items"),
    ({"pct_top": (50, 60, 101)}, "pct_top has 101, above 100"),
    ({"pct_bottom": (-1, 0, 0)}, "pct_bottom has -1, below 0"),
    ({"pct_top": (50, math.inf, 0)}, "pct_top has an infinite value"),
    ({"statuses": ("consensus_in", "")}, "statuses has 2 values"),
    ({"statuses": ("consensus_in", "", "x")}, "status '' must be a non-empty text"),
    ({"numbers": (1, 2.5, 3)}, "item number 2.5 must be a whole number"),
    ({"regions": [MapRegion("In", (80, 70), (0, 15))]}, "region 'In' x runs from 80 down"),
])
def test_bad_input_raises_naming_the_value(kwargs, message):
    arguments = {"numbers": (1, 2, 3), "pct_top": (50, 60, 70), "pct_bottom": (10, 5, 0),
                 "statuses": ("no_consensus",) * 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        consensus_map(**arguments)


def test_median_map_refuses_negative_spreads_and_empty_ranges():
    with pytest.raises(ValueError, match="spreads has -1, below 0"):
        median_map((1,), (5,), (-1,), ("no_consensus",))
    with pytest.raises(ValueError, match=r"x_range \(9, 1\) must run from low to high"):
        median_map((1,), (5,), (1,), ("no_consensus",), x_range=(9, 1))


@pytest.mark.parametrize("draw", [
    lambda: consensus_map((), (), (), ()),
    lambda: median_map((), (), (), ()),
    lambda: median_map((1,), (math.nan,), (math.nan,), ("no_consensus",)),
])
def test_a_round_with_nothing_to_draw_still_makes_a_chart(draw):
    chart = draw()
    assert chart.figure.axes[0].collections == [] or all(
        len(collection.get_offsets()) == 0 for collection in chart.figure.axes[0].collections)
    check_text(chart)
    check_files(chart)
