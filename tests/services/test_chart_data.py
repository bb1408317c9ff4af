"""The review charts' inputs agree with counts taken here from the ratings we created, follow
the study's rules, never draw a small group, and each chart is drawn once per input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sqlalchemy import func, select

from delphi import engine
from delphi.charts import MapRegion
from delphi.engine import COMET_GRADE, GRADE_9, RAND_UCLA, Criterion
from delphi.errors import NotFound, RoundStateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import ChartCache
from delphi.services import chart_data, review

from .test_review import GROUPS, LEFT, ROUND_1, ROUND_2, ROUND_2_ITEMS, build_review_study

MEDIAN_RULE = engine.ConsensusRule(
    name="Median 7, IQR 2",
    consensus_in=(Criterion("median", ">=", 7), Criterion("iqr", "<=", 2)),
    consensus_out=(Criterion("median", "<=", 3), Criterion("iqr", "<=", 2)),
    scale_range=(1, 9),
)


@pytest.fixture
def built(db):
    return build_review_study()


def _share(ratings, low, high) -> float:
    """Percentage of ``ratings`` from ``low`` to ``high``, counted one by one."""
    inside = sum(1 for rating in ratings if low <= rating <= high)
    return 100 * inside / len(ratings)


def _counts(ratings) -> list[int]:
    """How many of ``ratings`` chose each point 1 to 9, counted one by one."""
    counted = [0] * 9
    for rating in ratings:
        counted[int(rating) - 1] += 1
    return counted


def _use_primary_rule(built, rule):
    """Make ``rule`` the primary rule: round 2 (closed, not published) is read live with it."""
    built.study.rules[0].name = rule.name
    built.study.rules[0].definition = rule.to_dict()
    _db.session.commit()


# ---------------------------------------------------------------- the rule


def test_comet_thresholds_and_regions():
    assert chart_data.thresholds(COMET_GRADE, GRADE_9) == [
        ("Consensus in needs at least this", "high", 70.0),
        ("Consensus in needs fewer than this", "low", 15.0),
        ("Consensus out needs at least this", "low", 70.0),
        ("Consensus out needs fewer than this", "high", 15.0),
    ]
    assert chart_data.consensus_regions(COMET_GRADE, GRADE_9) == [
        MapRegion("Consensus in", (70.0, 100.0), (0.0, 15.0), "consensus_in"),
        MapRegion("Consensus out", (0.0, 15.0), (70.0, 100.0), "consensus_out"),
    ]
    assert chart_data.median_regions(COMET_GRADE, GRADE_9) == []


def test_median_rule_regions_and_no_thresholds():
    assert chart_data.thresholds(MEDIAN_RULE, GRADE_9) == []
    assert chart_data.consensus_regions(MEDIAN_RULE, GRADE_9) == []
    assert chart_data.median_regions(MEDIAN_RULE, GRADE_9) == [
        MapRegion("Consensus in", (7.0, 9.0), (0.0, 2.0), "consensus_in"),
        MapRegion("Consensus out", (1.0, 3.0), (0.0, 2.0), "consensus_out"),
    ]
    assert chart_data.thresholds(RAND_UCLA, GRADE_9) == []
    assert chart_data.median_regions(RAND_UCLA, GRADE_9) == []


def test_each_group_and_unmapped_criteria_draw_no_region():
    rule = engine.ConsensusRule(
        name="Mixed",
        consensus_in=(Criterion("percent", ">=", 70, band=(7, 9)), Criterion("median", ">=", 8)),
        consensus_out=(Criterion("percent", "<=", 50, band=(7, 9), each_group=True),),
    )
    assert chart_data.consensus_regions(rule, GRADE_9) == []
    assert chart_data.thresholds(rule, GRADE_9) == [
        ("Consensus in needs at least this", "high", 70.0),
        ("Consensus out needs at most this in each group", "high", 50.0),
    ]


# ---------------------------------------------------------------- inputs from the counts


def test_consensus_map_inputs_equal_counts_and_the_comet_rule(built):
    reviewed = review.reviewed_round(built.study, 1)
    assert reviewed.is_published and chart_data.map_kind(reviewed) == chart_data.CONSENSUS_MAP
    inputs = chart_data.consensus_map_inputs(reviewed)
    assert inputs["numbers"] == [1, 2, 3, 4, 5]
    assert inputs["pct_top"] == [_share(ROUND_1[:, i], 7, 9) for i in range(5)]
    assert inputs["pct_bottom"] == [_share(ROUND_1[:, i], 1, 3) for i in range(5)]
    assert inputs["statuses"] == ["consensus_in", "no_consensus", "consensus_out",
                                  "no_consensus", "no_consensus"]
    assert inputs["regions"] == [["Consensus in", [70.0, 100.0], [0.0, 15.0], "consensus_in"],
                                 ["Consensus out", [0.0, 15.0], [70.0, 100.0],
                                  "consensus_out"]]
    assert (inputs["x_label"], inputs["y_label"]) == ("% scoring 7 to 9", "% scoring 1 to 3")


def test_median_rule_calls_for_the_median_map(built):
    _use_primary_rule(built, MEDIAN_RULE)
    reviewed = review.reviewed_round(built.study, 2)
    assert chart_data.map_kind(reviewed) == chart_data.MEDIAN_MAP
    inputs = chart_data.median_map_inputs(reviewed)
    kept = [index for index in range(16) if index not in LEFT]
    ratings = ROUND_2[kept]
    assert inputs["medians"] == [float(np.median(ratings[:, i])) for i in range(ROUND_2_ITEMS)]
    iqr = [float(np.subtract(*np.quantile(ratings[:, i], [0.75, 0.25])))
           for i in range(ROUND_2_ITEMS)]
    assert inputs["spreads"] == pytest.approx(iqr)
    assert inputs["regions"] == [["Consensus in", [7.0, 9.0], [0.0, 2.0], "consensus_in"],
                                 ["Consensus out", [1.0, 3.0], [0.0, 2.0], "consensus_out"]]
    assert inputs["x_range"] == [1, 9]
    chart = chart_data.round_map_chart(built.study, reviewed)
    assert chart.table[0] == ("Item", "Median score", "Interquartile range (IQR)", "Status")


def test_rand_ucla_maps_ipras_against_ipr(built):
    _use_primary_rule(built, RAND_UCLA)
    reviewed = review.reviewed_round(built.study, 2)
    assert chart_data.map_kind(reviewed) == chart_data.MEDIAN_MAP
    inputs = chart_data.median_map_inputs(reviewed)
    assert inputs["medians"] == [float(value) for value in reviewed.summary.ipras]
    assert inputs["spreads"] == [float(value) for value in reviewed.summary.ipr]
    assert "IPR greater than IPRAS" in inputs["diagonal"]
    assert set(inputs["statuses"]) <= {"appropriate", "uncertain", "inappropriate"}


def test_by_group_inputs_hide_small_groups_and_the_one_that_would_give_them_away(built):
    reviewed = review.reviewed_round(built.study, 1)
    names = [group.name for group in built.study.groups]
    inputs = chart_data.by_group_inputs(reviewed, built.study.items[0].id, 3)
    column = ROUND_1[:, 0]
    assert inputs["overall"] == _counts(column)
    patients = [rating for rating, group in zip(column, GROUPS, strict=True) if group == 0]
    # Doctors (2 people) are below 3; nurses (6) are hidden too, or doctors = all - the rest.
    assert inputs["groups"] == [[names[0], _counts(patients)], [names[1], None],
                                [names[2], None]]
    assert inputs["points"] == list(range(1, 10))
    assert inputs["item_label"] == f"Round 1, Item 1: {reviewed.texts[built.study.items[0].id]}"
    chart = chart_data.by_group_chart(built.study, reviewed, built.study.items[0].id)
    assert chart.table[0] == ("Score", "Everyone", *names)
    assert all(row[3] == "not shown" and row[4] == "not shown" for row in chart.table[1:])
    assert f"{names[2]}: not shown, fewer than 3 people" in chart.alt_text


def test_group_divergence_inputs(built):
    reviewed = review.reviewed_round(built.study, 1)
    built.study.min_group_size = 2
    inputs = chart_data.group_divergence_inputs(reviewed, built.study.min_group_size)
    names = [group.name for group in built.study.groups]
    assert [name for name, _values in inputs["groups"]] == names
    for group, (_name, values) in enumerate(inputs["groups"]):
        for item in range(5):
            ratings = [r for r, g in zip(ROUND_1[:, item], GROUPS, strict=True) if g == group]
            assert values[item] == _share(ratings, 7, 9)
    hidden = chart_data.group_divergence_inputs(reviewed, 3)
    assert all(math.isnan(value) for _name, values in hidden["groups"][1:] for value in values)
    chart = chart_data.group_divergence_chart(built.study, reviewed)
    assert chart.table[0] == ("Item", *names, "Difference (points)")


def test_rounds_side_by_side_inputs(built):
    item = built.study.items[1]
    rated = chart_data.item_rounds(built.study, item.id)
    assert [reviewed.round.number for reviewed in rated] == [1, 2]
    inputs = chart_data.rounds_side_by_side_inputs(rated, item.id)
    kept = [index for index in range(16) if index not in LEFT]
    assert inputs["rounds"] == [["Round 1", _counts(ROUND_1[:, 1])],
                                ["Round 2", _counts(ROUND_2[kept, 1])]]
    assert inputs["thresholds"] == [[label, band, value] for label, band, value in
                                    chart_data.thresholds(COMET_GRADE, rated[-1].summary.scale)]
    assert [band for _label, band, _value in inputs["thresholds"]] == [
        "critical", "not important", "not important", "critical"]
    retired = built.study.items[4]
    assert [r.round.number for r in chart_data.item_rounds(built.study, retired.id)] == [1]


def test_movement_inputs(built):
    first, second = review.reviewed_round(built.study, 1), review.reviewed_round(built.study, 2)
    inputs = chart_data.movement_inputs(first, second)
    kept = [index for index in range(16) if index not in LEFT]
    assert inputs["numbers"] == [1, 2, 3, 4]
    assert inputs["before"] == [_share(ROUND_1[:, i], 7, 9) for i in range(4)]
    assert inputs["after"] == [_share(ROUND_2[kept, i], 7, 9) for i in range(4)]
    assert inputs["label"] == "% scoring 7 to 9"
    _use_primary_rule(built, MEDIAN_RULE)
    second = review.reviewed_round(built.study, 2)
    medians = chart_data.movement_inputs(first, second)
    assert medians["label"] == "Median score"
    assert medians["after"] == [float(np.median(ROUND_2[kept, i])) for i in range(4)]


def test_participant_flow_inputs(built):
    built.study.min_group_size = 2
    inputs = chart_data.participant_flow_inputs(built.study, built.second)
    assert inputs["rounds"] == [["Round 1", 16, 16, 16], ["Round 2", 16, 16, 16 - len(LEFT)]]
    names = [group.name for group in built.study.groups]
    assert [name for name, _rows in inputs["by_group"]] == names
    for group, (_name, rows) in enumerate(inputs["by_group"]):
        members = [index for index, g in enumerate(GROUPS) if g == group]
        done = [index for index in members if index not in LEFT]
        assert rows == [["Round 1", len(members), len(members), len(members)],
                        ["Round 2", len(members), len(members), len(done)]]
    # Up to round 1 only; with a minimum of 3 the doctors (2) and, to protect them, the
    # smallest other group are not broken out.
    built.study.min_group_size = 3
    first = chart_data.participant_flow_inputs(built.study, built.first)
    assert first["rounds"] == [["Round 1", 16, 16, 16]]
    assert [name for name, _rows in first["by_group"]] == [names[0]]


# ---------------------------------------------------------------- drawn once


def test_each_chart_is_drawn_once(built, monkeypatch):
    drawn = []
    for kind, draw in list(chart_data._DRAW.items()):
        monkeypatch.setitem(chart_data._DRAW, kind,
                            lambda inputs, kind=kind, draw=draw: drawn.append(kind) or draw(inputs))
    first, second = review.reviewed_round(built.study, 1), review.reviewed_round(built.study, 2)
    item = built.study.items[0].id

    def every_chart():
        return [chart_data.consensus_map_chart(built.study, first),
                chart_data.median_map_chart(built.study, first),
                chart_data.group_divergence_chart(built.study, first),
                chart_data.participant_flow_chart(built.study, built.second),
                chart_data.by_group_chart(built.study, first, item),
                chart_data.rounds_side_by_side_chart(built.study, [first, second], item),
                chart_data.movement_chart(built.study, first, second)]

    charts = every_chart()
    assert sorted(drawn) == sorted(chart_data.KINDS)
    rows = _db.session.scalar(select(func.count(ChartCache.key)))
    assert rows == len(chart_data.KINDS)
    again = every_chart()
    assert len(drawn) == len(chart_data.KINDS)
    assert _db.session.scalar(select(func.count(ChartCache.key))) == rows
    assert [chart.png for chart in again] == [chart.png for chart in charts]
    assert all(chart.png.startswith(b"\x89PNG\r\n\x1a\n") for chart in charts)
    # Reloading the round from its snapshot gives the same inputs: still not drawn again.
    chart_data.consensus_map_chart(built.study, review.reviewed_round(built.study, 1))
    assert len(drawn) == len(chart_data.KINDS)


# ---------------------------------------------------------------- by name


def test_review_chart_by_name(built):
    item = built.study.items[0].id
    assert chart_data.review_chart(built.study, "consensus-map", round_number=1).png
    assert chart_data.review_chart(built.study, "by-group", item_id=item).alt_text.startswith(
        "Round 1, Item 1")
    assert chart_data.review_chart(built.study, "by-group", item_id=item, round_number=2)
    assert chart_data.review_chart(built.study, "movement", from_number=1, to_number=2)
    for kind, arguments in (("nonsense", {"round_number": 1}),
                            ("consensus-map", {}),
                            ("consensus-map", {"round_number": 9}),
                            ("rounds-side-by-side", {"item_id": 999_999}),
                            ("by-group", {}),
                            ("movement", {"from_number": 1})):
        with pytest.raises(NotFound):
            chart_data.review_chart(built.study, kind, **arguments)
    with pytest.raises(RoundStateError, match="has not opened yet"):
        chart_data.review_chart(built.study, "group-divergence", round_number=3)
    with pytest.raises(ValidationError):
        chart_data.review_chart(built.study, "movement", from_number=2, to_number=1)
