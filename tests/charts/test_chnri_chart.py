"""CHNRI priorities: one bar of Research Priority Score per option, criterion scores as dots."""

import math

import pytest

from delphi.charts import chnri_priorities

from .helpers import check_files, check_table, check_text, texts

NAN = math.nan
CRITERIA = ("Answerability", "Effectiveness", "Equity")
NUMBERS = (1, 2, 3, 4)
RPS = (58.0, 78.3, NAN, 78.3)
SCORES = ((90.0, 83.3, 0.7), (25.0, 100.0, 100.0), (NAN, 50.0, 40.0), (70.0, 75.0, 90.0))


@pytest.fixture(scope="module")
def chart():
    return chnri_priorities(NUMBERS, RPS, SCORES, CRITERIA, title="Research priorities")


def test_bars_run_from_the_highest_score_ties_in_the_order_given(chart):
    ax = chart.figure.axes[0]
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        "Option 2", "Option 4", "Option 1"]
    assert [bar.get_width() for bar in ax.patches] == pytest.approx([78.3, 78.3, 58.0])
    assert ax.get_xlabel() == "Research Priority Score (0 to 100)"


def test_each_criterion_is_a_set_of_markers_named_in_the_key(chart):
    ax = chart.figure.axes[0]
    lines = [line for line in ax.lines if line.get_label() in CRITERIA]
    assert [line.get_label() for line in lines] == list(CRITERIA)
    assert list(lines[0].get_xdata()) == pytest.approx([25.0, 70.0, 90.0])
    assert len({line.get_marker() for line in lines}) == 3
    words = texts(chart.figure)
    for name in (*CRITERIA, "Research priorities", "78.3", "No score yet: option 3."):
        assert name in words


def test_alt_text_and_table_give_the_numbers(chart):
    assert chart.alt_text.startswith("Research priorities. Research Priority Score")
    assert "Option 2 scores highest, 78.3" in chart.alt_text
    assert "No score yet: option 3." in chart.alt_text
    assert chart.table[0] == ("Option", "Research Priority Score", *CRITERIA)
    assert chart.table[1] == ("2", "78.3", "25", "100", "100")
    assert chart.table[-1] == ("3", "No score", "No score", "50", "40")


def test_the_files_text_and_table_pass_the_chart_checks(chart):
    check_files(chart)
    check_text(chart)
    check_table(chart)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"criteria": ()}, "no criteria"),
    ({"rps": (50.0, 101.0, 1.0, 1.0)}, "above 100"),
    ({"criterion_scores": SCORES[:2]}, "2 rows for 4 options"),
    ({"criteria": tuple("ABCDEFGHI")}, "at most 8"),
])
def test_bad_input_is_named(kwargs, message):
    arguments = {"numbers": NUMBERS, "rps": RPS, "criterion_scores": SCORES,
                 "criteria": CRITERIA, **kwargs}
    with pytest.raises(ValueError, match=message):
        chnri_priorities(**arguments)
