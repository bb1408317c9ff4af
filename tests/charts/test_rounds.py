"""Rounds side by side: band shares per round, the rule's lines, text equivalents, files."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.lines import Line2D

from delphi.charts import rounds_side_by_side

from .helpers import check_files, check_table, check_text, texts

POINTS = tuple(range(1, 10))
BANDS = (("not important", 1, 3), ("important", 4, 6), ("critical", 7, 9))
ROUND_1 = (1, 0, 2, 3, 4, 6, 8, 12, 6)      # 42 people: 3 / 13 / 26 by band
ROUND_2 = (0, 0, 1, 2, 3, 4, 10, 14, 8)     # 42 people: 1 / 9 / 32
ROUND_3 = (0, 0, 0, 0, 1, 2, 8, 10, 9)      # 30 people: 0 / 3 / 27
THRESHOLDS = (("Consensus in needs at least this", "critical", 70),
              ("Consensus in needs less than this", "not important", 15))


@pytest.fixture(scope="module")
def chart():
    return rounds_side_by_side("12. Walking outdoors at four months",
                               [("Round 1", ROUND_1), ("Round 2", ROUND_2),
                                ("Round 3", ROUND_3)], POINTS, BANDS, THRESHOLDS)


def band_shares(counts):
    counts = np.array(counts, dtype=float)
    return [100 * counts[low - 1:high].sum() / counts.sum() for _, low, high in BANDS]


def test_one_bar_per_band_and_round_at_the_band_share(chart):
    [ax] = chart.figure.axes
    assert len(ax.containers) == 3
    for container, counts in zip(ax.containers, (ROUND_1, ROUND_2, ROUND_3), strict=True):
        assert [bar.get_height() for bar in container] == pytest.approx(band_shares(counts))
    assert [container.get_label() for container in ax.containers] == [
        "Round 1", "Round 2", "Round 3"]


def test_rounds_sit_side_by_side_inside_their_band_earliest_first(chart):
    [ax] = chart.figure.axes
    centres = np.array([[bar.get_x() + bar.get_width() / 2 for bar in container]
                        for container in ax.containers])          # rounds x bands
    for band in range(len(BANDS)):
        column = centres[:, band]
        assert list(column) == sorted(column)
        assert all(band - 0.5 < x < band + 0.5 for x in column)
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    assert ticks == ["1 to 3\nnot important", "4 to 6\nimportant", "7 to 9\ncritical"]


def test_rounds_differ_in_fill_and_hatching_not_colour_alone(chart):
    [ax] = chart.figure.axes
    hatches = [container[0].get_hatch() for container in ax.containers]
    fills = [tuple(container[0].get_facecolor()) for container in ax.containers]
    assert len(set(hatches)) == 3
    assert len(set(fills)) == 3
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Round 1", "Round 2", "Round 3"]


def test_thresholds_are_lines_across_their_band(chart):
    [ax] = chart.figure.axes
    lines = [line for line in ax.lines if line.get_label().startswith("threshold")]
    assert len(lines) == 2
    spans = {line.get_ydata()[0]: tuple(line.get_xdata()) for line in lines}
    assert spans[70] == pytest.approx((1.5, 2.5))      # across "critical", the third band
    assert spans[15] == pytest.approx((-0.5, 0.5))
    assert all(isinstance(line, Line2D) and line.get_linestyle() == "--" for line in lines)
    shown = texts(chart.figure)
    assert "70%" in shown and "15%" in shown
    assert any("Consensus in needs at least this" in text for text in shown)


def test_percentages_are_written_on_the_bars(chart):
    shown = texts(chart.figure.axes[0])
    for counts in (ROUND_1, ROUND_2, ROUND_3):
        for share in band_shares(counts):
            assert f"{share:.0f}%" in shown


def test_alt_text_gives_each_round_and_the_rule(chart):
    assert chart.alt_text.startswith("12. Walking outdoors at four months. Bar chart")
    assert "Round 1 (42 people): 7% 1 to 3, 31% 4 to 6, 62% 7 to 9." in chart.alt_text
    assert "Round 3 (30 people): 0% 1 to 3, 10% 4 to 6, 90% 7 to 9." in chart.alt_text
    assert "A line at 70% on 7 to 9 marks: Consensus in needs at least this." in chart.alt_text


def test_table_has_a_row_per_round_with_shares_and_counts(chart):
    check_table(chart)
    assert chart.table[0] == ("Round", "People", "1 to 3 (not important)",
                              "4 to 6 (important)", "7 to 9 (critical)")
    assert chart.table[1] == ("Round 1", "42", "7% (3)", "31% (13)", "62% (26)")
    assert chart.table[3] == ("Round 3", "30", "0% (0)", "10% (3)", "90% (27)")


def test_a_round_nobody_scored_is_empty_and_said():
    chart = rounds_side_by_side("Item", [("Round 1", ROUND_1), ("Round 2", (0,) * 9)], POINTS,
                                BANDS)
    assert [bar.get_height() for bar in chart.figure.axes[0].containers[1]] == [0, 0, 0]
    assert "Round 2: nobody scored this." in chart.alt_text
    assert chart.table[2] == ("Round 2", "0", "–", "–", "–")


def test_one_round_and_no_thresholds():
    chart = rounds_side_by_side("Item", [("Round 1", ROUND_1)], POINTS, BANDS)
    assert len(chart.figure.axes[0].containers) == 1
    assert not [line for line in chart.figure.axes[0].lines
                if line.get_label().startswith("threshold")]


def test_legible_contrasting_text_inside_the_picture_and_valid_files(chart):
    check_text(chart)
    check_files(chart)


@pytest.mark.parametrize("kwargs, message", [
    ({"rounds": []}, "no rounds"),
    ({"rounds": [(f"Round {n}", ROUND_1) for n in range(5)]}, "5 rounds: give at most 4"),
    ({"bands": ()}, "no bands"),
    ({"rounds": [("Round 1", (1, 2))]}, "'Round 1' has 2 counts"),
    ({"rounds": [("Round 1", (1, 0, 0, 0, -1, 0, 0, 0, 0))]}, "negative count -1"),
    ({"bands": (("high", 7, 10),)}, "band 'high' high end 10"),
    ({"thresholds": (("In", "top", 70),)}, "names band 'top'"),
    ({"thresholds": (("In", "critical", 170),)}, "percent 170 must be 0 to 100"),
])
def test_bad_input_raises_naming_the_value(kwargs, message):
    arguments = {"item_label": "Item", "rounds": [("Round 1", ROUND_1)], "points": POINTS,
                 "bands": BANDS, **kwargs}
    with pytest.raises(ValueError, match=message):
        rounds_side_by_side(**arguments)


def test_no_steering_chart_imports_pyplot():
    code = (
        "import sys\n"
        "from delphi.charts import (by_group, consensus_map, group_divergence, median_map,\n"
        "    movement, participant_flow, rounds_side_by_side, to_png, to_svg)\n"
        "charts = [\n"
        "    rounds_side_by_side('Item', [('Round 1', (1, 2, 3))], (1, 2, 3), (('top', 3, 3),),\n"
        "                        (('In', 'top', 70),)),\n"
        "    by_group('Item', {'Nurses': (5, 5, 5)}, (1, 2, 3)),\n"
        "    consensus_map((1,), (80,), (5,), ('consensus_in',)),\n"
        "    median_map((1,), (8,), (1,), ('consensus_in',)),\n"
        "    movement((1,), (6,), (7,), 'Median'),\n"
        "    group_divergence((1,), {'A': (10,), 'B': (80,)}),\n"
        "    participant_flow((('Round 1', 3, 2, 1),)),\n"
        "]\n"
        "for chart in charts:\n"
        "    to_png(chart.figure); to_svg(chart.figure)\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
