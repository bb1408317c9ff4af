"""What the steering group reviews between rounds: a round's results table, the round under
every pre-registered rule, the attrition-bias check, one item across rounds, and two rounds
compared.

Everything is read, never changed. The statistics come from the results service
(:mod:`delphi.services.results`) and the engine; this module only selects, orders and
labels them, so the numbers are those of the dashboard, the exports and the report.

- **Which rounds.** A published round is read from its snapshot (its results never change);
  a closed round not yet published is read live and labelled "Not yet published". Draft and
  open rounds are refused (:class:`~delphi.errors.RoundStateError`): while a round is open
  its figures change with every answer, and only facilitators follow them, on the dashboard.
- **Small groups.** A stakeholder group's figures resting on fewer than the study's
  ``min_group_size`` ratings are hidden (:func:`delphi.engine.small_cell_suppression`, which
  also hides a second group where one alone would give it away); so are the attrition
  figures of an item rated by fewer than that many stayers or leavers.
- **Top band.** Changes in "% in the top band" use the scale band reaching highest (7–9 on
  the GRADE scale), as :func:`delphi.engine.attrition_bias` does.
- **Paired counts.** Stability between two rounds and the attrition check are fed by one
  ``GROUP BY`` query each; no answer is loaded as an object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ..engine import (
    AttritionBias,
    Scale,
    Stability,
    attrition_bias,
    small_cell_suppression,
    stability_counts,
)
from ..engine.classification import CONSENSUS_STATUSES, RAND_STATUSES
from ..errors import RoundStateError, StateError, ValidationError
from ..extensions import db
from ..models import (
    Answer,
    Item,
    ItemVersion,
    Participant,
    Round,
    RoundItem,
    RoundParticipation,
    RoundState,
    Study,
)
from . import item_history, moderation, participation, results
from .design import describe_rule, rules_in_order
from .item_history import ItemHistory
from .rounds import DECISION_WORDS, get_round, previous_round

REVIEWABLE = (RoundState.CLOSED, RoundState.PUBLISHED)
"""States of the rounds these pages show."""

SORT_KEYS = ("number", "n", "median", "iqr", "status", "median_change", "top_change")
"""Columns the results table sorts by, besides ``band-1``, ``band-2``… (the scale's bands)."""

FLAG_P = 0.05
"""An item is flagged on the attrition page when a Holm-adjusted p-value is below this."""


def top_band(scale: Scale) -> str | None:
    """The band reaching highest on ``scale`` (the narrowest of those sharing the top point),
    as :func:`delphi.engine.attrition_bias` chooses it; None for a scale without bands."""
    if not scale.bands:
        return None
    return max(scale.bands, key=lambda name: (scale.bands[name][1], scale.bands[name][0]))


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def _vocabulary(statuses: Sequence[str | None]) -> tuple[str, ...]:
    """The statuses' vocabulary (positive, neutral, negative), RAND/UCLA or consensus."""
    return RAND_STATUSES if set(statuses) & set(RAND_STATUSES) else CONSENSUS_STATUSES


# ---------------------------------------------------------------- the round reviewed


@dataclass(frozen=True)
class ReviewedRound:
    """A closed or published round's results, the rules they were classified by (primary
    first, as name / role / definition mappings) and their item texts and domains."""

    round: Round
    results: results.RoundResults
    rules: tuple[Mapping[str, Any], ...]
    is_published: bool
    texts: Mapping[int, str]
    domains: Mapping[int, str]

    @property
    def summary(self):
        return self.results.summary

    def index_of(self, item_id: int) -> int | None:
        """The row of ``item_id`` in the results, or None when the round did not rate it."""
        try:
            return self.results.item_ids.index(item_id)
        except ValueError:
            return None


def reviewable_rounds(study: Study) -> list[Round]:
    """The study's rounds that have closed (published or not), by number."""
    return sorted((round_ for round_ in study.rounds if round_.state in REVIEWABLE),
                  key=lambda round_: round_.number)


def _check_reviewable(round_: Round) -> None:
    if round_.state == RoundState.DRAFT:
        raise RoundStateError(
            f"Round {round_.number} has not opened yet, so it has no results to review.")
    if round_.state == RoundState.OPEN:
        raise RoundStateError(
            f"Round {round_.number} is still open, so its results are not ready for review: "
            "they change with every answer. They appear here once the round closes.")


def load_round(round_: Round) -> ReviewedRound:
    """The round's results for review: the published snapshot, or live once closed.

    Raises
    ------
    RoundStateError
        The round is a draft or open.
    StateError
        The round is published but its snapshot is missing.
    ValidationError
        The study has no dimension, or a rule does not fit the scale.
    """
    _check_reviewable(round_)
    if round_.state == RoundState.PUBLISHED:
        snapshots = results.snapshots_of(round_)
        if not snapshots:
            raise StateError(f"The published results of round {round_.number} are missing.")
        outcome, rules = results.snapshot_results(snapshots[0]), tuple(snapshots[0].rules)
    else:
        outcome = results.round_results(round_)
        rules = tuple({"name": rule.name, "role": rule.role.value, "definition": rule.definition}
                      for rule in rules_in_order(round_.study))
    rows = db.session.execute(
        select(ItemVersion.id, ItemVersion.text, Item.domain)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(ItemVersion.id.in_(outcome.item_version_ids))
    ).all() if outcome.item_version_ids else []
    by_version = {version_id: (text, domain or "") for version_id, text, domain in rows}
    found = {item_id: by_version.get(version_id, ("", ""))
             for item_id, version_id in zip(outcome.item_ids, outcome.item_version_ids,
                                            strict=True)}
    texts = {item_id: text for item_id, (text, _domain) in found.items()}
    domains = {item_id: domain for item_id, (_text, domain) in found.items()}
    return ReviewedRound(round_, outcome, rules, round_.state == RoundState.PUBLISHED,
                         texts, domains)


def reviewed_round(study: Study, number: int) -> ReviewedRound:
    """:func:`load_round` of the study's round ``number`` (NotFound when there is none)."""
    return load_round(get_round(study, number))


# ---------------------------------------------------------------- the results table


@dataclass(frozen=True)
class ResultRow:
    """One item's row: overall, or one stakeholder group's (all figures None when hidden)."""

    number: int
    item_id: int
    text: str
    domain: str
    n: int | None
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None
    percent: Mapping[str, float | None]
    status: str | None
    is_suppressed: bool
    median_change: float | None
    top_change: float | None


@dataclass(frozen=True)
class ResultsTable:
    """A round's results table as asked for: rows filtered and sorted, and the choices."""

    reviewed: ReviewedRound
    previous: ReviewedRound | None
    bands: tuple[str, ...]
    top_band: str | None
    rows: tuple[ResultRow, ...]
    n_items: int
    statuses: tuple[str, ...]
    domains: tuple[str, ...]
    groups: tuple[tuple[int, str], ...]
    sort: str
    direction: str
    status: str | None
    domain: str | None
    group: tuple[int, str] | None
    min_group_size: int


def _sort_keys(bands: Sequence[str]) -> tuple[str, ...]:
    return SORT_KEYS + tuple(f"band-{index}" for index in range(1, len(bands) + 1))


@dataclass(frozen=True)
class _Figures:
    """One round's figures per item for one view (overall or a group), hidden cells None."""

    n: np.ndarray
    median: np.ndarray
    q1: np.ndarray
    q3: np.ndarray
    iqr: np.ndarray
    percent: Mapping[str, np.ndarray]
    status: list[str | None]
    hidden: np.ndarray


def _figures(reviewed: ReviewedRound, group: str | None, min_group_size: int) -> _Figures:
    summary = reviewed.summary
    classification = reviewed.results.classification
    if group is None:
        statuses = (classification.status.tolist() if classification is not None
                    else [None] * summary.n_items)
        return _Figures(summary.n, summary.median, summary.q1, summary.q3, summary.iqr,
                        summary.percent, statuses, np.zeros(summary.n_items, bool))
    shown = small_cell_suppression(summary, max(1, min_group_size))
    hidden = shown.suppressed[summary.group_labels.index(group)]
    part = shown.summary.by_group[group]
    statuses = (classification.by_group[group].tolist() if classification is not None
                else [None] * summary.n_items)
    return _Figures(part.n, part.median, part.q1, part.q3, part.iqr, part.percent,
                    [None if hidden[i] else status for i, status in enumerate(statuses)],
                    hidden)


def _previous(reviewed: ReviewedRound) -> ReviewedRound | None:
    earlier = previous_round(reviewed.round)
    if earlier is None or earlier.state not in REVIEWABLE:
        return None
    loaded = load_round(earlier)
    return loaded if loaded.summary is not None else None


def _change(now, before) -> float | None:
    if now is None or before is None:
        return None
    return now - before


def _rows(reviewed: ReviewedRound, previous: ReviewedRound | None, group: str | None,
          min_group_size: int, band: str | None) -> list[ResultRow]:
    now = _figures(reviewed, group, min_group_size)
    before = None
    if previous is not None and (group is None or group in previous.summary.by_group):
        before = _figures(previous, group, min_group_size)
    rows = []
    for index, item_id in enumerate(reviewed.results.item_ids):
        hidden = bool(now.hidden[index])
        earlier = previous.index_of(item_id) if before is not None else None
        if earlier is not None and before.hidden[earlier]:
            earlier = None
        median = _cell(now.median, index, hidden)
        top = _cell(now.percent[band], index, hidden) if band else None
        rows.append(ResultRow(
            number=index + 1, item_id=item_id, text=reviewed.texts.get(item_id, ""),
            domain=reviewed.domains.get(item_id, ""),
            n=None if hidden else int(now.n[index]),
            median=median, q1=_cell(now.q1, index, hidden), q3=_cell(now.q3, index, hidden),
            iqr=_cell(now.iqr, index, hidden),
            percent={name: _cell(values, index, hidden) for name, values in now.percent.items()},
            status=now.status[index], is_suppressed=hidden,
            median_change=None if earlier is None else _change(
                median, _number(before.median[earlier])),
            top_change=None if earlier is None or band is None else _change(
                top, _number(before.percent[band][earlier])),
        ))
    return rows


def _cell(values: np.ndarray, index: int, hidden: bool) -> float | None:
    return None if hidden else _number(values[index])


def _sort_value(row: ResultRow, sort: str, bands: Sequence[str], order: Sequence[str]):
    if sort.startswith("band-"):
        return row.percent[bands[int(sort.removeprefix("band-")) - 1]]
    if sort == "status":
        return order.index(row.status) if row.status in order else None
    return getattr(row, sort)


def _sorted(rows: list[ResultRow], sort: str, direction: str, bands: Sequence[str],
            order: Sequence[str]) -> list[ResultRow]:
    """Rows by ``sort``, ties in item order (``reverse`` keeps sorting stable); rows without
    a value last either way."""
    valued = [row for row in rows if _sort_value(row, sort, bands, order) is not None]
    empty = [row for row in rows if _sort_value(row, sort, bands, order) is None]
    valued.sort(key=lambda row: _sort_value(row, sort, bands, order),
                reverse=direction == "desc")
    return valued + empty


def results_table(study: Study, number: int, *, sort: str = "number", direction: str = "asc",
                  status: str | None = None, domain: str | None = None,
                  group_id: int | None = None) -> ResultsTable:
    """Round ``number``'s results table, filtered by status, domain and stakeholder group and
    sorted by one column. Unknown choices are ignored (the whole table, by item number).

    With a group, every figure is that group's, hidden where too few rated; the change from
    the last round compares the same view of the previous closed round.

    Raises
    ------
    NotFound, RoundStateError, StateError, ValidationError
        As :func:`reviewed_round`.
    """
    reviewed = reviewed_round(study, number)
    groups = tuple((group.id, group.name) for group in study.groups)
    chosen = next((entry for entry in groups if entry[0] == group_id), None)
    summary = reviewed.summary
    if summary is None:
        return ResultsTable(reviewed, None, (), None, (), 0, (), (), groups, "number", "asc",
                            None, None, chosen, study.min_group_size)
    if chosen is not None and chosen[1] not in summary.by_group:
        chosen = None
    bands, band = tuple(summary.scale.bands), top_band(summary.scale)
    previous = _previous(reviewed)
    rows = _rows(reviewed, previous, chosen[1] if chosen else None, study.min_group_size, band)
    classification = reviewed.results.classification
    order = (_vocabulary(classification.status.tolist()) if classification is not None else ())
    domains = tuple(sorted({row.domain for row in rows if row.domain}))
    status = status if status in order else None
    domain = domain if domain in domains else None
    sort = sort if sort in _sort_keys(bands) else "number"
    direction = "desc" if direction == "desc" else "asc"
    shown = [row for row in rows
             if (status is None or row.status == status)
             and (domain is None or row.domain == domain)]
    return ResultsTable(
        reviewed=reviewed, previous=previous, bands=bands, top_band=band,
        rows=tuple(_sorted(shown, sort, direction, bands, order)), n_items=len(rows),
        statuses=tuple(order), domains=domains, groups=groups, sort=sort, direction=direction,
        status=status, domain=domain, group=chosen, min_group_size=study.min_group_size,
    )


# ---------------------------------------------------------------- rule sensitivity


@dataclass(frozen=True)
class RuleOutcome:
    """One pre-registered rule: its words and how many items got each status under it."""

    name: str
    role: str
    words: str
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class DifferingItem:
    """An item the rules classify differently: its status under each rule, in rule order."""

    number: int
    item_id: int
    text: str
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class RuleSensitivity:
    """The round under every rule of the study (primary first) and the items that differ."""

    reviewed: ReviewedRound
    rules: tuple[RuleOutcome, ...]
    differing: tuple[DifferingItem, ...]
    n_items: int


def rule_sensitivity(study: Study, number: int) -> RuleSensitivity:
    """Round ``number`` under each rule it was classified by (the snapshot's rules once
    published), with the items whose status is not the same under all of them.

    "Not the same" is the engine's ``RuleComparison.flips``: statuses of the two
    vocabularies are compared by meaning (consensus in = appropriate, no consensus =
    uncertain, consensus out = inappropriate).

    Raises
    ------
    NotFound, RoundStateError, StateError, ValidationError
        As :func:`reviewed_round`.
    """
    reviewed = reviewed_round(study, number)
    comparison = reviewed.results.comparison
    if comparison is None:
        return RuleSensitivity(reviewed, (), (), len(reviewed.results.item_ids))
    described = {rule["name"]: rule for rule in reviewed.rules}
    outcomes = []
    for name, statuses in comparison.status.items():
        counted = Counter(statuses.tolist())
        order = _vocabulary(list(counted))
        outcomes.append(RuleOutcome(
            name=name, role=described[name]["role"],
            words=describe_rule(described[name]["definition"]),
            counts=tuple((status, counted.get(status, 0)) for status in order),
        ))
    differing = tuple(
        DifferingItem(int(index) + 1, reviewed.results.item_ids[index],
                      reviewed.texts.get(reviewed.results.item_ids[index], ""),
                      tuple(str(statuses[index]) for statuses in comparison.status.values()))
        for index in np.flatnonzero(comparison.flips)
    )
    return RuleSensitivity(reviewed, tuple(outcomes), differing, len(reviewed.results.item_ids))


# ---------------------------------------------------------------- attrition bias


@dataclass(frozen=True)
class AttritionRow:
    """One round-1 item: stayers against leavers (figures None when either group is small)."""

    number: int
    item_id: int
    text: str
    n_stayed: int | None
    n_left: int | None
    median_difference: float | None
    percent_difference: float | None
    mann_whitney_p: float | None
    fisher_p: float | None
    is_flagged: bool
    is_suppressed: bool


@dataclass(frozen=True)
class AttritionCheck:
    """Round 1's ratings of those who completed round ``reviewed`` against those who did not.

    ``completed_first_round`` and ``lost`` are :mod:`delphi.services.participation`'s
    counts; ``bias`` is the engine's result over every round-1 item (None without items).
    """

    reviewed: ReviewedRound
    first: ReviewedRound | None
    completed_first_round: int
    lost: int
    top_band: str | None
    rows: tuple[AttritionRow, ...]
    bias: AttritionBias | None
    min_group_size: int


def attrition_counts(first: ReviewedRound, later: Round) -> np.ndarray:
    """Round-1 ratings as counts, items × (left, stayed) × scale points (one GROUP BY).

    Counted: real participants who completed round 1, on round 1's rated items and the
    wording and dimension its results count; "stayed" means completed ``later``. Unable
    to score and empty answers are left out, as in the results.
    """
    outcome, scale = first.results, first.summary.scale
    completed = aliased(RoundParticipation)
    afterwards = aliased(RoundParticipation)
    stayed = afterwards.completed_at.is_not(None)
    rows = db.session.execute(
        select(Answer.round_item_id, stayed, Answer.value, func.count())
        .join(RoundItem, and_(RoundItem.id == Answer.round_item_id,
                              RoundItem.item_version_id == Answer.item_version_id))
        .join(Participant, Participant.id == Answer.participant_id)
        .join(completed, and_(completed.participant_id == Answer.participant_id,
                              completed.round_id == first.round.id,
                              completed.completed_at.is_not(None)))
        .outerjoin(afterwards, and_(afterwards.participant_id == Answer.participant_id,
                                    afterwards.round_id == later.id))
        .where(RoundItem.round_id == first.round.id,
               Answer.dimension_id == outcome.dimension_id,
               Answer.is_unable.is_(False), Answer.value.is_not(None),
               Participant.study_id == first.round.study_id, Participant.is_test.is_(False))
        .group_by(Answer.round_item_id, stayed, Answer.value)
    ).all()
    row_of = {round_item_id: row for row, round_item_id in enumerate(outcome.round_items)}
    counts = np.zeros((len(row_of), 2, scale.n_points), np.int64)
    for round_item_id, has_stayed, value, count in rows:
        if round_item_id in row_of and scale.minimum <= value <= scale.maximum:
            counts[row_of[round_item_id], int(bool(has_stayed)), value - scale.minimum] += count
    return counts


def _bias_from_counts(counts: np.ndarray, scale: Scale) -> AttritionBias:
    """:func:`delphi.engine.attrition_bias` on a panel laid out from the counts: each item's
    column holds its stayers' then its leavers' ratings, the "stayed" mark per cell."""
    n_items = counts.shape[0]
    depth = max(int(counts.sum(axis=(1, 2)).max()), 1)
    ratings = np.full((depth, n_items), np.nan)
    stayed = np.zeros((depth, n_items), bool)
    for item in range(n_items):
        kept = np.repeat(scale.points, counts[item, 1])
        column = np.concatenate([kept, np.repeat(scale.points, counts[item, 0])])
        ratings[:column.size, item] = column
        stayed[:kept.size, item] = True
    return attrition_bias(ratings, stayed, scale)


def attrition_check(study: Study, number: int) -> AttritionCheck:
    """The attrition-bias check for round ``number`` (round 1 has none: empty rows).

    An item's figures are hidden when fewer than the study's ``min_group_size`` stayers or
    leavers rated it; it is flagged when either Holm-adjusted p-value is below
    :data:`FLAG_P`.

    Raises
    ------
    NotFound, RoundStateError, StateError, ValidationError
        As :func:`reviewed_round`.
    """
    reviewed = reviewed_round(study, number)
    counted = participation.participation_summary(study, reviewed.round).rounds[0].overall
    first = load_round(get_round(study, 1)) if number > 1 else None
    if first is None or first.summary is None:
        return AttritionCheck(reviewed, first, counted.completed_first_round, counted.attrition,
                              None, (), None, study.min_group_size)
    scale = first.summary.scale
    bias = _bias_from_counts(attrition_counts(first, reviewed.round), scale)
    smallest = max(1, study.min_group_size)
    rows = []
    for index, item_id in enumerate(first.results.item_ids):
        hidden = bool(bias.n_stayed[index] < smallest or bias.n_left[index] < smallest)
        mann_whitney = _number(bias.mann_whitney_p_adjusted[index])
        fisher = _number(bias.fisher_p_adjusted[index])
        rows.append(AttritionRow(
            number=index + 1, item_id=item_id, text=first.texts.get(item_id, ""),
            n_stayed=None if hidden else int(bias.n_stayed[index]),
            n_left=None if hidden else int(bias.n_left[index]),
            median_difference=None if hidden else _number(bias.median_difference[index]),
            percent_difference=None if hidden else _number(bias.percent_difference[index]),
            mann_whitney_p=None if hidden else mann_whitney,
            fisher_p=None if hidden else fisher,
            is_flagged=not hidden and any(p is not None and p < FLAG_P
                                          for p in (mann_whitney, fisher)),
            is_suppressed=hidden,
        ))
    return AttritionCheck(reviewed, first, counted.completed_first_round, counted.attrition,
                          bias.top_band, tuple(rows), bias, study.min_group_size)


# ---------------------------------------------------------------- one item across rounds


@dataclass(frozen=True)
class ItemRound:
    """The item in one closed round: its figures, approved comments and what happened next."""

    reviewed: ReviewedRound
    round_item: RoundItem
    row: ResultRow | None
    comments: tuple[str, ...]
    decision: str | None
    decision_reason: str


@dataclass(frozen=True)
class ItemReview:
    """An item's wording history and its results, comments and decisions round by round."""

    item: Item
    history: ItemHistory
    rounds: tuple[ItemRound, ...]
    bands: tuple[str, ...]


def item_review(study: Study, item: Item) -> ItemReview:
    """``item`` (one of ``study``'s, see :func:`delphi.services.items.get_item`) in every
    closed or published round that showed it, with the overall figures of each.

    Raises
    ------
    StateError, ValidationError
        As :func:`load_round`.
    """
    shown = {round_item.round_id: round_item for round_item in db.session.scalars(
        select(RoundItem).where(RoundItem.item_id == item.id))}
    rounds = [round_ for round_ in reviewable_rounds(study) if round_.id in shown]
    comments = moderation.visible_comments(shown[round_.id].id for round_ in rounds)
    entries, bands = [], ()
    for round_ in rounds:
        reviewed, round_item = load_round(round_), shown[round_.id]
        index = reviewed.index_of(item.id)
        row = None
        if index is not None:
            row = _rows(reviewed, None, None, study.min_group_size,
                        top_band(reviewed.summary.scale))[index]
            bands = bands or tuple(reviewed.summary.scale.bands)
        entries.append(ItemRound(
            reviewed, round_item, row, tuple(comments[round_item.id]),
            DECISION_WORDS.get(round_item.decision) if round_item.decision else None,
            round_item.decision_reason or ""))
    return ItemReview(item, item_history.item_history(item), tuple(entries), bands)


# ---------------------------------------------------------------- two rounds compared


@dataclass(frozen=True)
class CompareRow:
    """One item rated in both rounds: status in each, changes, and paired stability."""

    item_id: int
    text: str
    status_from: str | None
    status_to: str | None
    median_change: float | None
    top_change: float | None
    n_paired: int
    percent_changed: float | None
    mean_abs_change: float | None
    wilcoxon_p: float | None


@dataclass(frozen=True)
class RoundComparison:
    """Two closed rounds side by side, over the items rated in both (in the later's order)."""

    first: ReviewedRound
    second: ReviewedRound
    top_band: str | None
    rows: tuple[CompareRow, ...]
    stability: Stability | None


def default_comparison(study: Study) -> tuple[int, int] | None:
    """The two latest closed rounds' numbers, or None when fewer than two have closed."""
    closed = reviewable_rounds(study)
    return (closed[-2].number, closed[-1].number) if len(closed) > 1 else None


def paired_transitions(first: ReviewedRound, second: ReviewedRound,
                       item_ids: Sequence[int]) -> np.ndarray:
    """Paired counts, items × points × points, for ``stability_counts`` (one GROUP BY).

    ``[i, a, b]``: real participants who rated ``item_ids[i]`` at the a-th point of the
    scale in ``first`` and the b-th in ``second``, each on the wording and dimension that
    round's results count; unable to score and empty answers make no pair.
    """
    scale = second.summary.scale
    before, after = aliased(Answer), aliased(Answer)
    earlier, later = aliased(RoundItem), aliased(RoundItem)
    rows = db.session.execute(
        select(later.item_id, before.value, after.value, func.count())
        .select_from(after)
        .join(later, and_(later.id == after.round_item_id,
                          later.item_version_id == after.item_version_id))
        .join(earlier, and_(earlier.item_id == later.item_id,
                            earlier.round_id == first.round.id))
        .join(before, and_(before.round_item_id == earlier.id,
                           before.item_version_id == earlier.item_version_id,
                           before.participant_id == after.participant_id,
                           before.dimension_id == first.results.dimension_id))
        .join(Participant, Participant.id == after.participant_id)
        .where(later.round_id == second.round.id,
               after.dimension_id == second.results.dimension_id,
               before.is_unable.is_(False), after.is_unable.is_(False),
               before.value.is_not(None), after.value.is_not(None),
               Participant.study_id == second.round.study_id, Participant.is_test.is_(False))
        .group_by(later.item_id, before.value, after.value)
    ).all()
    row_of = {item_id: row for row, item_id in enumerate(item_ids)}
    table = np.zeros((len(item_ids), scale.n_points, scale.n_points), np.int64)
    low, high = scale.minimum, scale.maximum
    for item_id, was, now, count in rows:
        if item_id in row_of and low <= was <= high and low <= now <= high:
            table[row_of[item_id], was - low, now - low] += count
    return table


def compare_rounds(study: Study, from_number: int, to_number: int) -> RoundComparison:
    """Rounds ``from_number`` and ``to_number`` compared item by item: statuses, the change
    in median and in % in the top band (all raters of each round), and the engine's
    stability among those who rated the item in both (:func:`paired_transitions`).

    Raises
    ------
    ValidationError
        The two rounds are the same, or the first came after the second.
    NotFound, RoundStateError, StateError
        As :func:`reviewed_round`.
    """
    if from_number == to_number:
        raise ValidationError("Choose two different rounds to compare.")
    if from_number > to_number:
        raise ValidationError(
            f"Choose the earlier round first: round {from_number} came after round {to_number}.")
    first, second = reviewed_round(study, from_number), reviewed_round(study, to_number)
    if first.summary is None or second.summary is None:
        return RoundComparison(first, second, None, (), None)
    band = top_band(second.summary.scale)
    common = [item_id for item_id in second.results.item_ids
              if first.index_of(item_id) is not None]
    if not common:
        return RoundComparison(first, second, band, (), None)
    change = stability_counts(paired_transitions(first, second, common), second.summary.scale)
    before = {row.item_id: row for row in _rows(first, None, None, 0, band)}
    after = {row.item_id: row for row in _rows(second, None, None, 0, band)}
    rows = tuple(
        CompareRow(
            item_id=item_id, text=second.texts.get(item_id, ""),
            status_from=before[item_id].status, status_to=after[item_id].status,
            median_change=_change(after[item_id].median, before[item_id].median),
            top_change=None if band is None else _change(
                after[item_id].percent[band], before[item_id].percent[band]),
            n_paired=int(change.n_paired[index]),
            percent_changed=_number(change.percent_changed[index]),
            mean_abs_change=_number(change.mean_abs_change[index]),
            wilcoxon_p=_number(change.wilcoxon_p[index]),
        )
        for index, item_id in enumerate(common)
    )
    return RoundComparison(first, second, band, rows, change)
