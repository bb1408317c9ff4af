"""The steering review's charts: each chart's plain inputs, and the chart drawn once per input.

Every chart here is fed from a reviewed round's results (:mod:`delphi.services.review`:
the published snapshot's counts, or the live counts of a round closed but not yet
published) and the rules the round was classified by, never from answers loaded as objects.

- **Inputs** are plain JSON values (numbers, text, lists): the chart's arguments as they will
  be drawn. They are also the chart's cache key (:func:`delphi.services.chart_cache.cached_chart`),
  so an unchanged round gives the same inputs and is never drawn twice; a changed count, rule
  or wording gives new inputs and a new drawing.
- **The rule.** Thresholds, regions and the kind of map come from the round's primary rule
  (for a rule that changes with the round, the one in force in that round; for a rule every
  group must meet, the rule each group meets). Percentage criteria on the scale's top and
  bottom bands become the consensus map's regions and the dashed lines of "rounds side by
  side"; median and IQR criteria become regions of the median map. RAND/UCLA (IPRAS) rules
  are mapped as IPRAS against IPR, with disagreement above the diagonal.
- **Small groups.** A stakeholder group's figures resting on fewer than the study's
  ``min_group_size`` ratings are never drawn: :func:`delphi.engine.small_cell_suppression`
  decides (it also hides a second group where one alone would give it away). In the
  participant flow, a group is broken out only when at least ``min_group_size`` of its
  members were invited to every round shown, with the same second-group protection.
- **Items** are numbered by their place in the round, as in the round's results table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select

from ..charts import (
    MapRegion,
    by_group,
    consensus_map,
    group_divergence,
    median_map,
    movement,
    participant_flow,
    rounds_side_by_side,
)
from ..charts.divergence import MAX_GROUPS
from ..charts.rounds import MAX_ROUNDS
from ..engine import Scale, rule_from_dict, small_cell_suppression
from ..engine.rules import (
    ConsensusRule,
    Criterion,
    EveryGroupRule,
    RandUclaClassicRule,
    RandUclaRule,
    RoundDependentRule,
    Rule,
)
from ..errors import NotFound
from ..extensions import db
from ..models import Round, RoundItem, RoundState, RuleRole, Study
from . import items, participation
from .chart_cache import CachedChart, cached_chart
from .review import ReviewedRound, compare_rounds, load_round, reviewable_rounds, top_band
from .rounds import get_round

CONSENSUS_MAP = "consensus-map"
MEDIAN_MAP = "median-map"
GROUP_DIVERGENCE = "group-divergence"
PARTICIPANT_FLOW = "participant-flow"
ROUNDS_SIDE_BY_SIDE = "rounds-side-by-side"
BY_GROUP = "by-group"
MOVEMENT = "movement"

KINDS = (CONSENSUS_MAP, MEDIAN_MAP, GROUP_DIVERGENCE, PARTICIPANT_FLOW, ROUNDS_SIDE_BY_SIDE,
         BY_GROUP, MOVEMENT)
"""Every chart of the review pages, by the name used in its address and cache key."""

NOT_CLASSIFIED = "not_classified"
"""The status drawn for every item of a study without a primary rule."""

_OP_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "fewer than"}
_IPRAS_DIAGONAL = "Disagreement above this line (IPR greater than IPRAS)"


# ---------------------------------------------------------------- the rule


def primary_rule(reviewed: ReviewedRound) -> Rule | None:
    """The primary rule the round was classified by, as in force in that round; None without.

    A round-dependent rule gives the rule of the round's stage; a rule every group must meet
    gives that rule (its thresholds are the ones each group is held to).
    """
    for entry in reviewed.rules:
        if entry["role"] == RuleRole.PRIMARY.value:
            rule = rule_from_dict(entry["definition"])
            while isinstance(rule, RoundDependentRule | EveryGroupRule):
                rule = (rule.rule_for(reviewed.round.number)
                        if isinstance(rule, RoundDependentRule) else rule.rule)
            return rule
    return None


def bottom_band(scale: Scale) -> str | None:
    """The band reaching lowest on ``scale`` (the narrowest of those sharing the bottom point)."""
    if not scale.bands:
        return None
    return min(scale.bands, key=lambda name: (scale.bands[name][0], scale.bands[name][1]))


def _band_range(scale: Scale, band: str | Sequence[int]) -> tuple[int, int] | None:
    if isinstance(band, str):
        found = scale.bands.get(band)
        return None if found is None else (int(found[0]), int(found[1]))
    return (int(band[0]), int(band[1]))


def _band_name(scale: Scale, band: str | Sequence[int]) -> str | None:
    """The scale band a criterion's band is (by name or by the same range), or None."""
    span = _band_range(scale, band)
    return next((name for name, (low, high) in scale.bands.items() if (low, high) == span),
                None)


def _range_words(span: Sequence[int]) -> str:
    low, high = span
    return str(low) if low == high else f"{low} to {high}"


def thresholds(rule: Rule | None, scale: Scale) -> list[tuple[str, str, float]]:
    """``(label, band name, percent)`` per percentage criterion of ``rule`` on a band of
    ``scale``, for the dashed lines of :func:`delphi.charts.rounds_side_by_side`.

    COMET/GRADE gives four: consensus in needs at least 70 % in 7 to 9 and fewer than 15 %
    in 1 to 3; consensus out the same the other way round. Rules without percentage
    criteria (median rules, RAND/UCLA) give none.
    """
    if not isinstance(rule, ConsensusRule):
        return []
    lines = []
    for words, criteria in (("Consensus in", rule.consensus_in),
                            ("Consensus out", rule.consensus_out)):
        for criterion in criteria:
            if criterion.statistic != "percent":
                continue
            name = _band_name(scale, criterion.band)
            if name is None:
                continue
            each = " in each group" if criterion.each_group else ""
            lines.append((f"{words} needs {_OP_WORDS[criterion.op]} this{each}", name,
                          float(criterion.value)))
    return lines


def _narrow(span: list[float], criterion: Criterion) -> None:
    if criterion.op in (">=", ">"):
        span[0] = max(span[0], criterion.value)
    else:
        span[1] = min(span[1], criterion.value)


def _region(words: str, status: str, criteria: Sequence[Criterion],
            axis_of: Callable[[Criterion], int | None], x: Sequence[float],
            y: Sequence[float]) -> MapRegion | None:
    """The rectangle where every criterion holds, or None when one is not on the map's axes."""
    spans = [list(x), list(y)]
    for criterion in criteria:
        axis = None if criterion.each_group else axis_of(criterion)
        if axis is None:
            return None
        _narrow(spans[axis], criterion)
    if not criteria or any(low > high for low, high in spans):
        return None
    return MapRegion(words, tuple(spans[0]), tuple(spans[1]), status)


def consensus_regions(rule: Rule | None, scale: Scale) -> list[MapRegion]:
    """The consensus map's regions, in % scoring in the top band (across) and in the bottom
    band (up): one per status whose criteria are all percentages on those two bands.

    COMET/GRADE gives "Consensus in" at 70–100 across and 0–15 up, and "Consensus out" at
    0–15 across and 70–100 up.
    """
    top, bottom = top_band(scale), bottom_band(scale)
    if not isinstance(rule, ConsensusRule) or top is None or top == bottom:
        return []
    spans = {0: scale.bands[top], 1: scale.bands[bottom]}

    def axis_of(criterion: Criterion) -> int | None:
        if criterion.statistic != "percent":
            return None
        span = _band_range(scale, criterion.band)
        return next((axis for axis, (low, high) in spans.items() if (low, high) == span), None)

    found = [_region(words, status, criteria, axis_of, (0.0, 100.0), (0.0, 100.0))
             for words, status, criteria in (
                 ("Consensus in", "consensus_in", rule.consensus_in),
                 ("Consensus out", "consensus_out", rule.consensus_out))]
    return [region for region in found if region is not None]


def median_regions(rule: Rule | None, scale: Scale) -> list[MapRegion]:
    """The median map's regions, in median (across) and IQR (up): one per status whose
    criteria are all on the median or the IQR; for the classic RAND/UCLA rule, its
    appropriate and inappropriate medians (any spread)."""
    x = (float(scale.minimum), float(scale.maximum))
    y = (0.0, math.inf)

    def axis_of(criterion: Criterion) -> int | None:
        return {"median": 0, "iqr": 1}.get(criterion.statistic)

    if isinstance(rule, ConsensusRule):
        statuses = (("Consensus in", "consensus_in", rule.consensus_in),
                    ("Consensus out", "consensus_out", rule.consensus_out))
    elif isinstance(rule, RandUclaClassicRule):
        statuses = (("Appropriate", "appropriate", (rule.appropriate,)),
                    ("Inappropriate", "inappropriate", (rule.inappropriate,)))
    else:
        return []
    found = [_region(words, status, criteria, axis_of, x, y)
             for words, status, criteria in statuses]
    return [region for region in found if region is not None]


def map_kind(reviewed: ReviewedRound) -> str:
    """:data:`MEDIAN_MAP` for rules on the median (median/IQR rules, RAND/UCLA), else
    :data:`CONSENSUS_MAP`."""
    rule = primary_rule(reviewed)
    if isinstance(rule, RandUclaRule | RandUclaClassicRule):
        return MEDIAN_MAP
    if isinstance(rule, ConsensusRule) and all(
            criterion.statistic in ("median", "iqr") for criterion in rule.consensus_in):
        return MEDIAN_MAP
    return CONSENSUS_MAP


# ---------------------------------------------------------------- plain inputs


def _floats(values) -> list[float]:
    return [float(value) for value in values]


def _statuses(reviewed: ReviewedRound) -> list[str]:
    classification = reviewed.results.classification
    if classification is None:
        return [NOT_CLASSIFIED] * reviewed.summary.n_items
    return [str(status) for status in classification.status.tolist()]


def _regions_json(regions: Sequence[MapRegion]) -> list[list[Any]]:
    return [[region.label, list(region.x), list(region.y), region.status] for region in regions]


def _band_label(scale: Scale, band: str) -> str:
    return f"% scoring {_range_words(scale.bands[band])}"


def item_label(reviewed: ReviewedRound, item_id: int) -> str:
    """"Item 3: <wording>", numbered by the item's place in ``reviewed``."""
    return f"Item {reviewed.index_of(item_id) + 1}: {reviewed.texts.get(item_id, '')}".strip()


def consensus_map_inputs(reviewed: ReviewedRound) -> dict[str, Any] | None:
    """Every item at (% in the top band, % in the bottom band) with the rule's regions;
    None when the round rated nothing or its scale has no bands."""
    summary = reviewed.summary
    if summary is None:
        return None
    scale = summary.scale
    top, bottom = top_band(scale), bottom_band(scale)
    if top is None:
        return None
    return {
        "numbers": list(range(1, summary.n_items + 1)),
        "pct_top": _floats(summary.percent[top]),
        "pct_bottom": _floats(summary.percent[bottom]),
        "statuses": _statuses(reviewed),
        "regions": _regions_json(consensus_regions(primary_rule(reviewed), scale)),
        "x_label": _band_label(scale, top),
        "y_label": _band_label(scale, bottom),
        "title": f"Round {reviewed.round.number}: agreement on each item",
    }


def median_map_inputs(reviewed: ReviewedRound) -> dict[str, Any] | None:
    """Every item at (median, IQR) with the rule's regions, or at (IPRAS, IPR) under a
    RAND/UCLA (IPRAS) rule; None when the round rated nothing."""
    summary = reviewed.summary
    if summary is None:
        return None
    rule = primary_rule(reviewed)
    common = {"numbers": list(range(1, summary.n_items + 1)), "statuses": _statuses(reviewed),
              "title": f"Round {reviewed.round.number}: agreement on each item"}
    if isinstance(rule, RandUclaRule):
        return {**common, "medians": _floats(summary.ipras), "spreads": _floats(summary.ipr),
                "x_label": "IPRAS (the spread allowed)",
                "y_label": "IPR (the spread of the middle 40%)", "regions": [],
                "x_range": None, "diagonal": _IPRAS_DIAGONAL}
    scale = summary.scale
    return {**common, "medians": _floats(summary.median), "spreads": _floats(summary.iqr),
            "x_label": "Median score", "y_label": "Interquartile range (IQR)",
            "regions": _regions_json(median_regions(rule, scale)),
            "x_range": [scale.minimum, scale.maximum], "diagonal": ""}


def _suppression(reviewed: ReviewedRound, min_group_size: int):
    return small_cell_suppression(reviewed.summary, max(1, min_group_size))


def group_divergence_inputs(reviewed: ReviewedRound,
                            min_group_size: int) -> dict[str, Any] | None:
    """Each group's % in the top band per item, NaN where the group is hidden as too small;
    None when the round rated nothing, has no bands or no stakeholder groups. At most the
    first eight groups (the most a chart can tell apart)."""
    summary = reviewed.summary
    if summary is None or not reviewed.results.group_names:
        return None
    top = top_band(summary.scale)
    if top is None:
        return None
    shown = _suppression(reviewed, min_group_size)
    groups = []
    for name in reviewed.results.group_names[:MAX_GROUPS]:
        hidden = shown.suppressed[summary.group_labels.index(name)]
        values = summary.by_group[name].percent[top]
        groups.append([name, [math.nan if hidden[index] else float(value)
                              for index, value in enumerate(values)]])
    return {
        "numbers": list(range(1, summary.n_items + 1)),
        "groups": groups,
        "label": _band_label(summary.scale, top),
        "min_group_size": max(1, min_group_size),
        "title": f"Round {reviewed.round.number}: where the groups differ most",
    }


def by_group_inputs(reviewed: ReviewedRound, item_id: int,
                    min_group_size: int) -> dict[str, Any] | None:
    """How everyone and each group scored one item in ``reviewed``: counts per scale point,
    None for a group hidden as too small; None when the round did not rate the item."""
    index = reviewed.index_of(item_id)
    summary = reviewed.summary
    if index is None or summary is None:
        return None
    shown = _suppression(reviewed, min_group_size) if reviewed.results.group_names else None
    groups = []
    for name in reviewed.results.group_names:
        hidden = bool(shown.suppressed[summary.group_labels.index(name), index])
        groups.append([name, None if hidden else
                       [int(count) for count in summary.by_group[name].counts[index]]])
    scale = summary.scale
    return {
        "item_label": f"Round {reviewed.round.number}, {item_label(reviewed, item_id)}",
        "groups": groups,
        "points": [int(point) for point in scale.points],
        "bands": [[name, int(low), int(high)] for name, (low, high) in scale.bands.items()],
        "overall": [int(count) for count in summary.counts[index]],
        "min_group_size": max(1, min_group_size),
    }


def rounds_side_by_side_inputs(reviewed_rounds: Sequence[ReviewedRound],
                               item_id: int) -> dict[str, Any] | None:
    """One item's counts in each round that rated it (the latest four, earliest first), with
    the thresholds of the latest round's primary rule; None when no round rated it."""
    rated = [reviewed for reviewed in sorted(reviewed_rounds, key=lambda r: r.round.number)
             if reviewed.summary is not None and reviewed.index_of(item_id) is not None]
    rated = rated[-MAX_ROUNDS:]
    if not rated:
        return None
    latest = rated[-1]
    scale = latest.summary.scale
    return {
        "item_label": item_label(latest, item_id),
        "rounds": [[f"Round {reviewed.round.number}",
                    [int(count) for count in
                     reviewed.summary.counts[reviewed.index_of(item_id)]]]
                   for reviewed in rated],
        "points": [int(point) for point in scale.points],
        "bands": [[name, int(low), int(high)] for name, (low, high) in scale.bands.items()],
        "thresholds": [list(line) for line in thresholds(primary_rule(latest), scale)],
    }


def movement_inputs(first: ReviewedRound, second: ReviewedRound) -> dict[str, Any] | None:
    """Each item rated in both rounds: its median (median rules) or its % in the top band
    (other rules) in each; numbered as in the later round. None when either rated nothing."""
    if first.summary is None or second.summary is None:
        return None
    scale = second.summary.scale
    band = top_band(scale)
    use_median = map_kind(second) == MEDIAN_MAP or band is None

    def values(reviewed: ReviewedRound):
        summary = reviewed.summary
        if use_median:
            return summary.median
        return summary.percent.get(band, np.full(summary.n_items, np.nan))

    numbers, before, after = [], [], []
    earlier, later = values(first), values(second)
    for index, item_id in enumerate(second.results.item_ids):
        was = first.index_of(item_id)
        if was is not None:
            numbers.append(index + 1)
            before.append(float(earlier[was]))
            after.append(float(later[index]))
    a, b = first.round.number, second.round.number
    return {
        "numbers": numbers, "before": before, "after": after,
        "label": "Median score" if use_median else _band_label(scale, band),
        "before_label": f"Round {a}", "after_label": f"Round {b}",
        "title": f"Change from round {a} to round {b}",
    }


def participant_flow_inputs(study: Study, up_to: Round) -> dict[str, Any]:
    """Invited, started and completed in every round that has opened, up to ``up_to``,
    overall and for each group with at least ``min_group_size`` invited in every round."""
    opened = {round_.number for round_ in study.rounds
              if round_.state != RoundState.DRAFT and round_.number <= up_to.number}
    summaries = [summary for summary in participation.participation_summary(study).rounds
                 if summary.number in opened]
    smallest = max(1, study.min_group_size)
    shown, hidden = [], 0
    for group in study.groups:
        counts = [summary.for_group(group) for summary in summaries]
        if all(count.invited >= smallest for count in counts):
            shown.append((group.name, counts))
        elif any(count.invited for count in counts):
            hidden += 1
    if hidden == 1 and shown:  # one hidden group would be the total less the others
        shown.remove(min(shown, key=lambda entry: sum(count.invited for count in entry[1])))

    def row(summary, count):
        return [f"Round {summary.number}", count.invited, count.started, count.completed]

    return {
        "rounds": [row(summary, summary.overall) for summary in summaries],
        "by_group": [[name, [row(summary, count)
                             for summary, count in zip(summaries, counts, strict=True)]]
                     for name, counts in shown],
        "title": "Taking part, round by round",
    }


# ---------------------------------------------------------------- drawing from the inputs


def _regions(rows) -> list[MapRegion]:
    return [MapRegion(label, tuple(x), tuple(y), status) for label, x, y, status in rows]


def _draw_consensus_map(inputs):
    return consensus_map(inputs["numbers"], inputs["pct_top"], inputs["pct_bottom"],
                         inputs["statuses"], _regions(inputs["regions"]), inputs["x_label"],
                         inputs["y_label"], inputs["title"])


def _draw_median_map(inputs):
    x_range = inputs["x_range"]
    return median_map(inputs["numbers"], inputs["medians"], inputs["spreads"],
                      inputs["statuses"], inputs["x_label"], inputs["y_label"],
                      _regions(inputs["regions"]),
                      None if x_range is None else tuple(x_range), inputs["diagonal"],
                      inputs["title"])


def _draw_group_divergence(inputs):
    return group_divergence(inputs["numbers"], dict(inputs["groups"]), label=inputs["label"],
                            min_group_size=inputs["min_group_size"], title=inputs["title"])


def _draw_by_group(inputs):
    return by_group(inputs["item_label"], dict(inputs["groups"]), inputs["points"],
                    [tuple(band) for band in inputs["bands"]], inputs["overall"],
                    min_group_size=inputs["min_group_size"])


def _draw_rounds_side_by_side(inputs):
    return rounds_side_by_side(inputs["item_label"],
                               [tuple(entry) for entry in inputs["rounds"]], inputs["points"],
                               [tuple(band) for band in inputs["bands"]],
                               [tuple(line) for line in inputs["thresholds"]])


def _draw_movement(inputs):
    return movement(inputs["numbers"], inputs["before"], inputs["after"], inputs["label"],
                    inputs["before_label"], inputs["after_label"], title=inputs["title"])


def _draw_participant_flow(inputs):
    return participant_flow([tuple(row) for row in inputs["rounds"]],
                            {name: [tuple(row) for row in rows]
                             for name, rows in inputs["by_group"]} or None,
                            inputs["title"])


_DRAW = {
    CONSENSUS_MAP: _draw_consensus_map,
    MEDIAN_MAP: _draw_median_map,
    GROUP_DIVERGENCE: _draw_group_divergence,
    BY_GROUP: _draw_by_group,
    ROUNDS_SIDE_BY_SIDE: _draw_rounds_side_by_side,
    MOVEMENT: _draw_movement,
    PARTICIPANT_FLOW: _draw_participant_flow,
}


def _cached(kind: str, inputs: Mapping[str, Any] | None) -> CachedChart | None:
    if inputs is None:
        return None
    return cached_chart(kind, inputs, lambda: _DRAW[kind](inputs))


# ---------------------------------------------------------------- one function per chart


def consensus_map_chart(study: Study, reviewed: ReviewedRound) -> CachedChart | None:
    """The round's consensus map (% in the top band against % in the bottom band)."""
    return _cached(CONSENSUS_MAP, consensus_map_inputs(reviewed))


def median_map_chart(study: Study, reviewed: ReviewedRound) -> CachedChart | None:
    """The round's median map (median against IQR, or IPRAS against IPR for RAND/UCLA)."""
    return _cached(MEDIAN_MAP, median_map_inputs(reviewed))


def round_map_chart(study: Study, reviewed: ReviewedRound) -> CachedChart | None:
    """The map the round's primary rule calls for (see :func:`map_kind`)."""
    if map_kind(reviewed) == MEDIAN_MAP:
        return median_map_chart(study, reviewed)
    return consensus_map_chart(study, reviewed)


def group_divergence_chart(study: Study, reviewed: ReviewedRound) -> CachedChart | None:
    """The items of the round on which the stakeholder groups disagree most."""
    return _cached(GROUP_DIVERGENCE, group_divergence_inputs(reviewed, study.min_group_size))


def by_group_chart(study: Study, reviewed: ReviewedRound, item_id: int) -> CachedChart | None:
    """How everyone and each stakeholder group scored one item in the round."""
    return _cached(BY_GROUP, by_group_inputs(reviewed, item_id, study.min_group_size))


def rounds_side_by_side_chart(study: Study, reviewed_rounds: Sequence[ReviewedRound],
                              item_id: int) -> CachedChart | None:
    """One item's share in each band, round by round, with the primary rule's thresholds."""
    return _cached(ROUNDS_SIDE_BY_SIDE, rounds_side_by_side_inputs(reviewed_rounds, item_id))


def movement_chart(study: Study, first: ReviewedRound,
                   second: ReviewedRound) -> CachedChart | None:
    """Each item's change from ``first`` to ``second``, sorted (a dumbbell chart)."""
    return _cached(MOVEMENT, movement_inputs(first, second))


def participant_flow_chart(study: Study, up_to: Round) -> CachedChart:
    """Invited, started and completed per round up to ``up_to``, overall and per group."""
    return _cached(PARTICIPANT_FLOW, participant_flow_inputs(study, up_to))


# ---------------------------------------------------------------- charts of one item


def item_rounds(study: Study, item_id: int) -> list[ReviewedRound]:
    """The closed or published rounds that rated the study's item ``item_id``, by number.

    Raises
    ------
    NotFound
        The study has no such item.
    """
    items.get_item(study, item_id)
    shown = set(db.session.scalars(select(RoundItem.round_id).where(RoundItem.item_id == item_id)))
    loaded = [load_round(round_) for round_ in reviewable_rounds(study) if round_.id in shown]
    return [reviewed for reviewed in loaded
            if reviewed.summary is not None and reviewed.index_of(item_id) is not None]


def latest_published(reviewed_rounds: Sequence[ReviewedRound]) -> ReviewedRound | None:
    """The latest published of ``reviewed_rounds``, or None."""
    published = [reviewed for reviewed in reviewed_rounds if reviewed.is_published]
    return max(published, key=lambda reviewed: reviewed.round.number) if published else None


# ---------------------------------------------------------------- any chart by name


def review_chart(study: Study, kind: str, *, round_number: int | None = None,
                 item_id: int | None = None, from_number: int | None = None,
                 to_number: int | None = None) -> CachedChart:
    """The chart ``kind`` of :data:`KINDS` for the review pages' addresses.

    Round charts need ``round_number``, item charts ``item_id`` (the item's rounds for
    "rounds side by side"; its latest published round for "by group", or ``round_number``
    when given), "movement" ``from_number`` and ``to_number``.

    Raises
    ------
    NotFound
        An unknown kind, a missing or unknown round or item, or nothing to draw.
    RoundStateError
        A round is a draft or open.
    ValidationError
        The two rounds compared are the same or in the wrong order.
    """
    chart = None
    if kind in (CONSENSUS_MAP, MEDIAN_MAP, GROUP_DIVERGENCE, PARTICIPANT_FLOW):
        if round_number is None:
            raise NotFound("Say which round the chart is for.")
        reviewed = load_round(get_round(study, round_number))
        chart = {CONSENSUS_MAP: consensus_map_chart, MEDIAN_MAP: median_map_chart,
                 GROUP_DIVERGENCE: group_divergence_chart,
                 PARTICIPANT_FLOW: lambda study, reviewed: participant_flow_chart(
                     study, reviewed.round)}[kind](study, reviewed)
    elif kind in (ROUNDS_SIDE_BY_SIDE, BY_GROUP):
        if item_id is None:
            raise NotFound("Say which item the chart is for.")
        if kind == BY_GROUP and round_number is not None:
            items.get_item(study, item_id)
            chart = by_group_chart(study, load_round(get_round(study, round_number)), item_id)
        else:
            rated = item_rounds(study, item_id)
            if kind == ROUNDS_SIDE_BY_SIDE:
                chart = rounds_side_by_side_chart(study, rated, item_id)
            elif (latest := latest_published(rated)) is not None:
                chart = by_group_chart(study, latest, item_id)
    elif kind == MOVEMENT:
        if from_number is None or to_number is None:
            raise NotFound("Say which two rounds the chart compares.")
        comparison = compare_rounds(study, from_number, to_number)
        chart = movement_chart(study, comparison.first, comparison.second)
    if chart is None:
        raise NotFound("There is no such chart for this study.")
    return chart
