"""The item-distribution chart: what the Figure holds, its text equivalents and its files.

Everything is read back from the matplotlib objects the chart returns; expected numbers are
computed here from the inputs, never taken from the chart module.
"""

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib.image
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.text import Text

from delphi.charts import (
    CHART_STYLE_VERSION,
    Chart,
    DistributionPanel,
    item_distribution,
    to_png,
    to_svg,
)

POINTS = tuple(range(1, 10))
BANDS = (("low", 1, 3), ("mid", 4, 6), ("high", 7, 9))
EVERYONE = DistributionPanel("Everyone", (1, 0, 2, 3, 4, 6, 8, 12, 6))          # 42 people
PATIENTS = DistributionPanel("Patients and carers", (0, 0, 1, 1, 2, 3, 5, 6, 2))  # 20 people
SURGEONS = DistributionPanel("Surgeons", (0, 0, 0, 1, 0, 0, 1, 1, 0), suppressed=True)


def texts(artist):
    """Every visible piece of text under a figure or an axes, wrapped lines joined."""
    return [text.get_text().replace("\n", " ") for text in artist.findobj(Text)
            if text.get_visible() and text.get_text()]


def bars(ax):
    return list(ax.containers[0]) if ax.containers else []


def bands_of(ax):
    in_bars = {id(bar) for bar in bars(ax)}
    return [patch for patch in ax.patches if id(patch) not in in_bars]


@pytest.fixture(scope="module")
def chart():
    return item_distribution([EVERYONE, PATIENTS, SURGEONS], POINTS, BANDS, own_answer=6,
                             point_labels={1: "Not important", 9: "Critical"})


def test_chart_is_a_figure_on_its_own_agg_canvas(chart):
    assert isinstance(chart, Chart)
    assert isinstance(chart.figure.canvas, FigureCanvasAgg)
    assert isinstance(CHART_STYLE_VERSION, int)
    # 600 pixels across at 100 dpi: legible at phone width.
    assert chart.figure.get_figwidth() * chart.figure.dpi == pytest.approx(600)


def test_one_axes_per_panel_in_order(chart):
    assert len(chart.figure.axes) == 3
    titles = [ax.get_title(loc="left") for ax in chart.figure.axes]
    assert titles == ["Everyone (42 people)", "Patients and carers (20 people)", "Surgeons"]
    tops = [ax.get_position().y1 for ax in chart.figure.axes]
    assert tops == sorted(tops, reverse=True)


@pytest.mark.parametrize("index, panel", [(0, EVERYONE), (1, PATIENTS)])
def test_bar_heights_are_each_panels_percentages(chart, index, panel):
    ax = chart.figure.axes[index]
    counts = np.array(panel.counts, dtype=float)
    expected = counts / counts.sum() * 100
    drawn = bars(ax)
    assert [bar.get_height() for bar in drawn] == pytest.approx(expected.tolist())
    assert [bar.get_x() + bar.get_width() / 2 for bar in drawn] == pytest.approx(POINTS)
    # The percentage written on each bar, e.g. 12 of 42 -> "29%".
    for share in expected:
        assert f"{share:.0f}%" in texts(ax)


def test_drawn_panels_share_one_scale(chart):
    first, second = chart.figure.axes[:2]
    assert first.get_xlim() == second.get_xlim() == (0.5, 9.5)
    assert first.get_ylim() == second.get_ylim()
    highest = max(bar.get_height() for ax in (first, second) for bar in bars(ax))
    assert first.get_ylim()[1] > highest


def test_own_answer_is_marked_by_pattern_outline_and_words(chart):
    for ax in chart.figure.axes[:2]:
        drawn = bars(ax)
        own, others = drawn[POINTS.index(6)], [b for b in drawn if b is not drawn[5]]
        assert own.get_hatch()
        assert all(not bar.get_hatch() for bar in others)
        assert own.get_linewidth() > max(bar.get_linewidth() for bar in others)
        assert "Your score" in texts(ax)
        [number] = [text for text in ax.texts if text.get_text() == "6"]
        assert number.get_fontweight() == "bold"


def test_no_own_answer_means_no_mark():
    chart = item_distribution([EVERYONE], POINTS, BANDS)
    assert all(not bar.get_hatch() for bar in bars(chart.figure.axes[0]))
    assert not any("Your score" in text for text in texts(chart.figure))
    assert "You chose" not in chart.alt_text


def test_suppressed_panel_is_named_with_no_bars_and_no_numbers(chart):
    ax = chart.figure.axes[2]
    assert bars(ax) == []
    assert len(ax.patches) == 0
    shown = texts(ax)
    assert "Surgeons" in shown
    assert any("fewer than 5 people" in text for text in shown)
    assert not any(text.endswith("%") for text in shown)


def test_suppressed_text_names_the_minimum_size():
    chart = item_distribution([SURGEONS], POINTS, min_group_size=3)
    assert any("fewer than 3 people" in text for text in texts(chart.figure))
    assert "fewer than 3 people" in chart.alt_text


def test_suppressed_panel_may_leave_counts_empty():
    chart = item_distribution([EVERYONE, DistributionPanel("Surgeons", (), suppressed=True)],
                              POINTS)
    assert [row[2] for row in chart.table[1:]] == ["not shown"] * len(POINTS)


def test_bands_are_shaded_over_their_points_and_named_by_range(chart):
    for ax in chart.figure.axes[:2]:
        spans = sorted(edge for patch in bands_of(ax)
                       for edge in (patch.get_x(), patch.get_x() + patch.get_width()))
        assert spans == pytest.approx([0.5, 3.5, 3.5, 6.5, 6.5, 9.5])
        # Each band covers the whole height of its panel.
        for patch in bands_of(ax):
            extent = patch.get_window_extent()
            assert (extent.y0, extent.y1) == pytest.approx((ax.bbox.y0, ax.bbox.y1))
        assert all(patch.zorder < bars(ax)[0].zorder for patch in bands_of(ax))
        assert {"1 to 3", "4 to 6", "7 to 9"} <= set(texts(ax))


def test_a_one_point_band_is_named_by_its_point():
    chart = item_distribution([EVERYONE], POINTS, (("top", 9, 9),))
    ax = chart.figure.axes[0]
    [span] = bands_of(ax)
    assert (span.get_x(), span.get_x() + span.get_width()) == pytest.approx((8.5, 9.5))
    assert "9" in texts(ax)


def test_point_labels_are_written_under_the_chart(chart):
    shown = texts(chart.figure)
    assert "1: Not important" in shown
    assert "9: Critical" in shown


def test_points_sharing_words_share_one_label():
    words = dict.fromkeys((1, 2, 3), "Not important")
    words |= dict.fromkeys((4, 5, 6), "Important but not critical")
    words |= dict.fromkeys((7, 8, 9), "Critical")
    chart = item_distribution([EVERYONE], POINTS, BANDS, point_labels=words)
    shown = texts(chart.figure)
    assert "1 to 3: Not important" in shown
    assert "4 to 6: Important but not critical" in shown
    assert "7 to 9: Critical" in shown
    assert not any(text.startswith("2:") for text in shown)


@pytest.mark.parametrize("words", [
    {1: "Not important", 9: "Critical"},
    {1: "Not important", 5: "Neither important nor unimportant", 9: "Critical"},
    {1: "Not at all important", 3: "Slightly important", 5: "Moderately important",
     7: "Very important", 9: "Critical"},
    dict.fromkeys(POINTS, "The same rather long words for every single point"),
    {1: "Not important at all", 2: "Hardly important", 4: "Somewhat important",
     8: "Very important indeed", 9: "Critical for everyone"},
])
def test_point_labels_never_overlap(words):
    chart = item_distribution([EVERYONE], POINTS, point_labels=words)
    renderer = chart.figure.canvas.get_renderer()
    boxes = sorted((text.get_window_extent(renderer) for text in chart.figure.texts),
                   key=lambda box: box.x0)
    assert boxes
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left.x1 <= right.x0


def test_alt_text_for_one_panel_gives_n_the_most_chosen_and_own_answer():
    chart = item_distribution([EVERYONE], POINTS, BANDS, own_answer=6)
    assert chart.alt_text == ("Bar chart of how 42 people scored this, from 1 to 9. "
                              "Most chose 8. You chose 6.")


def test_alt_text_for_several_panels_gives_each_n(chart):
    assert "Everyone: 42 people, most chose 8." in chart.alt_text
    assert "Patients and carers: 20 people, most chose 8." in chart.alt_text
    assert "Surgeons: not shown, fewer than 5 people." in chart.alt_text
    assert "3 people" not in chart.alt_text       # the small group's real size stays hidden
    assert chart.alt_text.endswith("You chose 6.")


def test_alt_text_names_every_score_tied_for_most():
    chart = item_distribution([DistributionPanel("Everyone", (0, 0, 0, 0, 0, 0, 4, 4, 4))],
                              POINTS)
    assert "Most chose 7, 8 or 9." in chart.alt_text


def test_alt_text_uses_plain_words():
    chart = item_distribution([EVERYONE, PATIENTS, SURGEONS], POINTS, BANDS, own_answer=3)
    for word in ("consensus", "median", "IQR", "stakeholder", "Likert", "threshold",
                 "Delphi", "distribution", "suppressed"):
        assert word.lower() not in chart.alt_text.lower()


def test_table_rows_are_the_counts(chart):
    header, *rows = chart.table
    assert header == ("Score", "Everyone", "Patients and carers", "Surgeons")
    assert [row[0] for row in rows] == [str(point) for point in POINTS]
    assert [int(row[1]) for row in rows] == list(EVERYONE.counts)
    assert [int(row[2]) for row in rows] == list(PATIENTS.counts)
    assert [row[3] for row in rows] == ["not shown"] * len(POINTS)


def test_nobody_yet_draws_empty_bars_and_says_so():
    chart = item_distribution([DistributionPanel("Everyone", (0,) * 9)], POINTS, BANDS)
    ax = chart.figure.axes[0]
    assert [bar.get_height() for bar in bars(ax)] == [0.0] * 9
    assert "Nobody has scored this yet." in texts(ax)
    assert "Nobody has scored this yet." in chart.alt_text


def test_other_scales_and_numpy_counts():
    counts = np.array([3, 5, 9, 12, 4], dtype=np.int64)
    chart = item_distribution([DistributionPanel("Everyone", counts)], range(1, 6),
                              (("disagree", 1, 2), ("agree", 4, 5)), own_answer=np.int64(4))
    heights = [bar.get_height() for bar in bars(chart.figure.axes[0])]
    assert heights == pytest.approx((counts / counts.sum() * 100).tolist())
    assert "33 people" in chart.alt_text


def test_whole_floats_are_taken_as_points_and_counts():
    chart = item_distribution([DistributionPanel("Everyone", [float(c) for c in EVERYONE.counts])],
                              [float(p) for p in POINTS], own_answer=6.0)
    assert chart.alt_text.endswith("You chose 6.")
    assert chart.table[1] == ("1", "1")


def test_crowded_point_labels_become_one_key():
    words = {1: "Not important at all", 2: "Hardly important", 9: "Critical"}
    chart = item_distribution([EVERYONE], POINTS, point_labels=words)
    [key] = [text.get_text().replace("\n", " ") for text in chart.figure.texts]
    assert key == "1: Not important at all;  2: Hardly important;  9: Critical"


def test_title_is_drawn_and_read_out():
    chart = item_distribution([EVERYONE], POINTS, title="Pain at 4 months")
    assert "Pain at 4 months" in texts(chart.figure)
    assert chart.alt_text.startswith("Pain at 4 months. Bar chart")


@pytest.mark.parametrize("own_answer", [1, 9])
def test_all_text_stays_inside_the_picture(own_answer):
    chart = item_distribution(
        [EVERYONE, PATIENTS, SURGEONS], POINTS, BANDS, own_answer=own_answer,
        point_labels={1: "Not at all important to me or my family", 5: "Neither",
                      9: "Critical for everyone having this operation"},
        title="Ability to walk outdoors without help four months after the operation, "
              "as reported by the patient or a carer who knows them well")
    figure = chart.figure
    renderer = figure.canvas.get_renderer()
    page = figure.bbox
    for text in figure.findobj(Text):
        if not text.get_visible() or not text.get_text():
            continue
        box = text.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1, text.get_text()
        assert page.y0 <= box.y0 and box.y1 <= page.y1, text.get_text()


def contrast(first, second):
    """WCAG 2.2 contrast ratio of two colours."""
    def luminance(colour):
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                    for c in to_rgb(colour)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_and_bars_have_enough_contrast(chart):
    backgrounds = ["#FFFFFF", *(patch.get_facecolor() for patch in bands_of(chart.figure.axes[0]))]
    for text in chart.figure.findobj(Text):
        if text.get_visible() and text.get_text():
            for background in backgrounds:
                assert contrast(text.get_color(), background) >= 4.5, text.get_text()
    for bar in bars(chart.figure.axes[0]):
        for background in backgrounds:
            assert contrast(bar.get_edgecolor(), background) >= 3


def test_text_is_legible_at_phone_width(chart):
    sizes = [text.get_fontsize() for text in chart.figure.findobj(Text)
             if text.get_visible() and text.get_text()]
    # 10 points at 100 dpi is about 14 pixels on a 600-pixel-wide picture.
    assert min(sizes) >= 10


def test_png_is_a_valid_600_pixel_wide_picture(chart):
    png = to_png(chart.figure)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[1] == 600
    assert image.shape[0] == round(chart.figure.get_figheight() * 100)


def test_svg_parses_at_the_figure_size(chart):
    root = ET.fromstring(to_svg(chart.figure))
    assert root.tag.endswith("svg")
    assert root.get("width") == "432pt"           # 6 inches


@pytest.mark.parametrize("kwargs, message", [
    ({"panels": []}, "no panels"),
    ({"panels": [DistributionPanel("Everyone", (1, 2, 3))]}, "'Everyone' has 3 counts"),
    ({"panels": [DistributionPanel("Staff", (1, 0, 0, 0, -2, 0, 0, 0, 0))]},
     "'Staff' has a negative count -2"),
    ({"panels": [EVERYONE, DistributionPanel("Nurses", (1,) * 8, suppressed=True)]},
     "'Nurses' has 8 counts"),
    ({"own_answer": 10}, "own_answer 10"),
    ({"own_answer": 0}, "own_answer 0"),
    ({"points": ()}, "points is empty"),
    ({"points": (1, 3, 2, 4, 5, 6, 7, 8, 9)}, "must increase"),
    ({"points": (1.5, 2)}, "scale point 1.5 must be a whole number"),
    ({"panels": [DistributionPanel("Staff", (1, 0, 0, 0, 2.5, 0, 0, 0, 0))]},
     "'Staff' count 2.5 must be a whole number"),
    ({"own_answer": "6"}, "own_answer '6'"),
    ({"bands": (("high", 7, 10),)}, "band 'high' high end 10"),
    ({"bands": (("odd", 6, 4),)}, "band 'odd' runs from 6 down to 4"),
    ({"point_labels": {0: "Zero"}}, "point_labels has a label for 0"),
    ({"min_group_size": 0}, "min_group_size 0"),
])
def test_bad_input_raises_naming_the_value(kwargs, message):
    arguments = {"panels": [EVERYONE], "points": POINTS, "bands": BANDS, **kwargs}
    with pytest.raises(ValueError, match=message):
        item_distribution(**arguments)


def test_drawing_never_imports_pyplot():
    code = (
        "import sys\n"
        "from delphi.charts import DistributionPanel, item_distribution, to_png, to_svg\n"
        "chart = item_distribution([DistributionPanel('Everyone', (1, 2, 3))], (1, 2, 3),\n"
        "                          (('high', 3, 3),), own_answer=2)\n"
        "to_png(chart.figure); to_svg(chart.figure)\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), min_size=5, max_size=5), min_size=1, max_size=3),
       st.one_of(st.none(), st.integers(1, 5)))
def test_any_counts_draw_their_shares_and_table(all_counts, own_answer):
    panels = [DistributionPanel(f"Group {number}", counts)
              for number, counts in enumerate(all_counts)]
    chart = item_distribution(panels, range(1, 6), own_answer=own_answer)
    assert len(chart.figure.axes) == len(panels)
    for ax, counts in zip(chart.figure.axes, all_counts, strict=True):
        heights = [bar.get_height() for bar in bars(ax)]
        total = sum(counts)
        assert sum(heights) == pytest.approx(100 if total else 0)
        assert heights == pytest.approx([100 * count / total if total else 0 for count in counts])
    assert [list(map(int, row[1:])) for row in chart.table[1:]] == [
        list(column) for column in zip(*all_counts, strict=True)]


def test_charts_drawn_in_parallel_threads_match_charts_drawn_one_by_one():
    # Web servers draw charts in several threads at once: no shared state may leak between them.
    def draw(number):
        counts = tuple((number * point) % 7 for point in POINTS)
        chart = item_distribution([DistributionPanel("Everyone", counts), PATIENTS], POINTS,
                                  BANDS, own_answer=1 + number % 9,
                                  point_labels={1: "Not important", 9: "Critical"})
        return to_png(chart.figure)

    one_by_one = [draw(number) for number in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        in_parallel = list(pool.map(draw, range(16)))
    assert in_parallel == one_by_one
