"""Participant flow: boxes from invited to completed for each round, and those lost."""

import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from delphi.charts import participant_flow

from .helpers import check_files, check_table, check_text, texts

ROUNDS = (("Round 1", 60, 55, 50), ("Round 2", 50, 46, 44))
GROUPS = {
    "Patients and carers": (("Round 1", 30, 28, 25), ("Round 2", 25, 23, 22)),
    "Surgeons and other hospital doctors in training": (("Round 1", 30, 27, 25),
                                                        ("Round 2", 25, 23, 22)),
}


@pytest.fixture(scope="module")
def chart():
    return participant_flow(ROUNDS, GROUPS, title="Who took part")


def boxes(chart):
    return {patch.get_label(): patch for patch in chart.figure.axes[0].patches
            if isinstance(patch, FancyBboxPatch)}


def box_texts(chart, label):
    """The text drawn inside the box labelled ``label``."""
    box = boxes(chart)[label].get_bbox()
    return [text.get_text() for text in chart.figure.axes[0].texts
            if box.contains(*text.get_position())]


def test_each_round_has_its_name_three_steps_and_two_losses(chart):
    labels = set(boxes(chart))
    for round_label in ("Round 1", "Round 2"):
        for step in ("Round", "Invited", "Started", "Completed", "Did not start",
                     "Did not finish"):
            assert f"{step}: {round_label}" in labels
    assert len(labels) == 12


def test_boxes_hold_totals_and_each_groups_count(chart):
    assert box_texts(chart, "Invited: Round 1") == [
        "Invited: 60", "Patients and carers: 30", "Surgeons and other hosp…: 30"]
    assert box_texts(chart, "Did not start: Round 1")[0] == "Did not start: 5"
    assert box_texts(chart, "Did not finish: Round 2") == [
        "Did not finish: 2", "Patients and carers: 1", "Surgeons and other…: 1"]
    assert box_texts(chart, "Completed: Round 2")[0] == "Completed: 44"


def test_steps_run_down_the_page_and_losses_sit_to_the_right(chart):
    found = boxes(chart)
    tops = [found[f"{step}: {label}"].get_y() for label, *_ in ROUNDS
            for step in ("Invited", "Started", "Completed")]
    assert tops == sorted(tops, reverse=True)
    main = found["Started: Round 1"]
    side = found["Did not start: Round 1"]
    assert side.get_x() > main.get_x() + main.get_width()
    assert found["Started: Round 1"].get_y() < side.get_y() < found["Invited: Round 1"].get_y()


def test_arrows_join_the_steps_the_losses_and_the_rounds(chart):
    arrows = [patch for patch in chart.figure.axes[0].patches
              if isinstance(patch, FancyArrowPatch)]
    assert len(arrows) == 2 * 4 + 1


def test_totals_only_boxes_have_one_line():
    chart = participant_flow(ROUNDS[:1])
    assert box_texts(chart, "Invited: Round 1") == ["Invited: 60"]
    assert chart.table == (("Round", "Group", "Invited", "Started", "Completed",
                            "Did not start", "Did not finish"),
                           ("Round 1", "Everyone", "60", "55", "50", "5", "5"))
    check_text(chart)


def test_alt_text_gives_every_round(chart):
    assert chart.alt_text.startswith("Who took part. Flow chart of people through 2 rounds.")
    assert ("Round 2: 50 invited, 46 started, 44 completed; 4 did not start and 2 started "
            "but did not finish.") in chart.alt_text
    assert "The table gives the same for each of the 2 groups." in chart.alt_text


def test_table_has_everyone_then_each_group_per_round_with_full_names(chart):
    check_table(chart)
    assert [row[:2] for row in chart.table[1:]] == [
        ("Round 1", "Everyone"), ("Round 1", "Patients and carers"),
        ("Round 1", "Surgeons and other hospital doctors in training"),
        ("Round 2", "Everyone"), ("Round 2", "Patients and carers"),
        ("Round 2", "Surgeons and other hospital doctors in training")]
    assert chart.table[2] == ("Round 1", "Patients and carers", "30", "28", "25", "2", "3")


def test_legible_contrasting_text_inside_the_picture_and_valid_files(chart):
    check_text(chart, ("#FFFFFF", "#F3F2F1"))
    check_files(chart)
    assert "Who took part" in texts(chart.figure)


@pytest.mark.parametrize("kwargs, message", [
    ({"rounds": ()}, "no rounds"),
    ({"rounds": (("Round 1", 60, 61, 50),)}, "'Round 1': 61 started but only 60 invited"),
    ({"rounds": (("Round 1", 60, 50, 51),)}, "'Round 1': 51 completed but only 50 started"),
    ({"rounds": (("Round 1", 60, 50, -1),)}, "'Round 1' has a negative count"),
    ({"rounds": (("Round 1", 60, 50.5, 1),)}, "'Round 1' count 50.5 must be a whole number"),
    ({"rounds": (("Round 1", 60, 50),)}, "must be \\(round label, invited, started"),
    ({"by_group": {"Nurses": (("Round 2", 1, 1, 1),)}},
     "group 'Nurses' has rounds \\['Round 2'\\], not \\['Round 1'\\]"),
    ({"by_group": {"Nurses": (("Round 1", 1, 2, 1),)}}, "group 'Nurses' 'Round 1': 2 started"),
])
def test_bad_input_raises_naming_the_value(kwargs, message):
    arguments = {"rounds": (("Round 1", 60, 55, 50),), **kwargs}
    with pytest.raises(ValueError, match=message):
        participant_flow(**arguments)
