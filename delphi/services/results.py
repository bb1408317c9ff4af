"""The one results service: a round's statistics and statuses from counts the database adds up.

Every page, chart, export and report that shows a round's results gets them here, so the
numbers agree everywhere: the facilitators' live preview while a round is open
(:func:`round_results` on the open round), the classification on closing, and the snapshot
stored on publishing (:func:`publish_snapshot`), from which everything shown afterwards is
rebuilt (:func:`snapshot_results`).

What is counted, for a round and a dimension:

- **Rated items** are the round's items answered on the scale (response type "scale"), in
  round order; they are the rows of the summary. Choice questions give option shares;
  open questions give no figures here.
- **Answers** come from real participants of the study only (test participants never
  enter) and only on the wording the round item shows now (``RoundItem.item_version_id``):
  after a change of meaning, answers given to the earlier wording stay stored against it
  but are no longer counted, and their authors count as missing until they answer again.
- **Withdrawn participants**: under the "keep" withdrawal policy their answers stay and
  count like anyone else's; under "remove" their answers have been deleted, so nothing of
  theirs is left to count.
- **Counts** per item, stakeholder group and scale point come from one ``GROUP BY`` over
  ``Answer`` joined to ``Participant``; "unable to score" answers are counted apart
  (``n_unable``) and never enter a denominator.
- **Missing**: participants who started the round (``RoundParticipation.started_at`` is
  set; completing implies starting) and have neither a rating nor "unable to score" for the
  item on its current wording. Invited participants who never started are not missing:
  they did not take part in the round at all (see :mod:`delphi.services.participation`).
- **Groups**: every stakeholder group of the study appears in ``summary.by_group`` (zero
  counts where nobody in it answered), keyed by the group's name; answers from a
  participant without a group count in the overall figures and under "No stakeholder
  group".
- **Statuses**: the study's primary rule classifies every item, overall and per group
  (``classification``); ``comparison`` sets all the study's rules side by side, the primary
  rule first. Quantiles use the "linear" method (Hyndman & Fan type 7).
- **Option shares** for single-choice and choose-up-to-k questions: for each option, the
  share (0 to 1) of the item's respondents (real participants who chose at least one
  option) who chose it. A single-choice answer stores the chosen option's number
  (1 = the first option) as its value with option key 0; a choose-up-to-k answer stores one
  row per ticked option with the option's number as its option key. Shares are keyed by
  option number. Choice questions are answered once, on the study's first dimension.

No individual answer is ever loaded as an object: the queries select columns and counts
only, and their number does not grow with the number of items or participants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..engine import (
    ENGINE_VERSION,
    Classification,
    RuleComparison,
    Scale,
    Summary,
    classify,
    compare_rules,
    rule_from_dict,
    small_cell_suppression,
    summarise_counts,
)
from ..engine.classification import CONSENSUS_STATUSES, RAND_STATUSES
from ..errors import NotFound, RoundStateError, StateError, ValidationError
from ..extensions import db
from ..models import (
    Answer,
    Dimension,
    Item,
    ItemVersion,
    Participant,
    RatingScale,
    ResponseType,
    ResultSnapshot,
    Round,
    RoundItem,
    RoundParticipation,
    RoundState,
    RuleRole,
    StakeholderGroup,
    Study,
    utcnow,
)
from .design import rules_in_order
from .scales import engine_scale

QUANTILE_METHOD = "linear"
"""The quantile method of every published result (``np.quantile``'s default, H&F type 7)."""

SNAPSHOT_FORMAT = 1
"""Version of the JSON layout in ``ResultSnapshot.counts``."""

UNGROUPED = "No stakeholder group"
"""The group label of answers from participants who have no stakeholder group."""

CHOICE_TYPES = (ResponseType.SINGLE_CHOICE, ResponseType.CHOOSE_UP_TO_K)


def _same(first, second) -> bool:
    """Equal values: arrays entry by entry (nan equal to nan), mappings key by key."""
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return (isinstance(first, np.ndarray) and isinstance(second, np.ndarray)
                and first.dtype.kind == second.dtype.kind
                and np.array_equal(first, second, equal_nan=first.dtype.kind == "f"))
    if isinstance(first, Mapping) and isinstance(second, Mapping):
        return first.keys() == second.keys() and all(_same(first[k], second[k]) for k in first)
    return first == second


def _same_classification(first: Classification | None, second: Classification | None) -> bool:
    if first is None or second is None:
        return first is second
    return all(_same(getattr(first, name), getattr(second, name))
               for name in ("rule", "status", "reasons", "by_group", "group_reasons"))


def _same_comparison(first: RuleComparison | None, second: RuleComparison | None) -> bool:
    if first is None or second is None:
        return first is second
    return all(_same(getattr(first, name), getattr(second, name))
               for name in ("status", "reasons", "flips"))


@dataclass(frozen=True, eq=False)
class RoundResults:
    """A round's results on one dimension.

    Attributes
    ----------
    round_id, dimension_id : int
    round_items : tuple of int
        The rated round items (the rows of ``summary``), in round order.
    item_ids : tuple of int
        The item of each of ``round_items``.
    summary : Summary or None
        Statistics per item, with ``by_group`` keyed by stakeholder group name; None when
        the round has no item rated on the scale.
    classification : Classification or None
        Every item's status under the study's primary rule; None without rules or items.
    comparison : RuleComparison or None
        The statuses under every rule of the study, the primary rule first.
    option_shares : dict
        Choice question's round item id -> {option number -> share of respondents, 0–1}.
    item_version_ids : tuple of int
        The wording counted for each of ``round_items``.
    round_number : int
    option_respondents : dict
        Choice question's round item id -> number of respondents (the shares' denominator).
    group_names : tuple of str
        The stakeholder groups in the study's order (``summary.group_labels`` are sorted).

    Two results are ``==`` when every field is equal (arrays entry by entry).
    """

    round_id: int
    dimension_id: int | None
    round_items: tuple[int, ...]
    item_ids: tuple[int, ...]
    summary: Summary | None
    classification: Classification | None
    comparison: RuleComparison | None
    option_shares: dict[int, dict[int, float]]
    item_version_ids: tuple[int, ...] = ()
    round_number: int = 1
    option_respondents: dict[int, int] = field(default_factory=dict)
    group_names: tuple[str, ...] = ()

    def __eq__(self, other):
        if not isinstance(other, RoundResults):
            return NotImplemented
        plain = ("round_id", "dimension_id", "round_items", "item_ids", "option_shares",
                 "item_version_ids", "round_number", "option_respondents", "group_names")
        return (all(getattr(self, name) == getattr(other, name) for name in plain)
                and (self.summary == other.summary if self.summary is not None
                     else other.summary is None)
                and _same_classification(self.classification, other.classification)
                and _same_comparison(self.comparison, other.comparison))

    __hash__ = None


# ---------------------------------------------------------------- counting in the database


def _first_dimension(study: Study) -> Dimension:
    if not study.dimensions:
        raise ValidationError(
            "The study has no dimension to rate items on yet, so there are no results."
        )
    return study.dimensions[0]


def _rules(study: Study) -> list[dict[str, Any]]:
    """The study's rules as stored in a snapshot: name, role and definition, primary first."""
    return [{"name": rule.name, "role": rule.role.value, "definition": rule.definition}
            for rule in rules_in_order(study)]


def _scale_json(scale: Scale) -> dict[str, Any]:
    return {"minimum": scale.minimum, "maximum": scale.maximum,
            "bands": [[name, low, high] for name, (low, high) in scale.bands.items()]}


def _real(study_id: int):
    """Answers and participation that count: this study's real participants."""
    return and_(Participant.study_id == study_id, Participant.is_test.is_(False))


def _on_current_wording():
    """Join condition: the answer belongs to the round item, on the wording it shows now."""
    return and_(RoundItem.id == Answer.round_item_id,
                RoundItem.item_version_id == Answer.item_version_id)


def _tables(round_: Round, dimensions: Sequence[Dimension]) -> dict[int, dict[str, Any]]:
    """Each dimension's count table for ``round_``, in the snapshot's JSON layout.

    Seven queries whatever the size of the round: round items, groups, participants who
    started per group, scale counts, option counts, respondents, and the dimensions' scales.
    """
    study = round_.study
    dimension_ids = [dimension.id for dimension in dimensions]
    scales = {
        dimension_id: engine_scale(scale)
        for dimension_id, scale in db.session.execute(
            select(Dimension.id, RatingScale)
            .join(RatingScale, RatingScale.id == Dimension.scale_id)
            .where(Dimension.id.in_(dimension_ids))
        )
    }
    items = db.session.execute(
        select(RoundItem.id, RoundItem.item_id, RoundItem.item_version_id,
               Item.response_type, Item.options)
        .join(Item, Item.id == RoundItem.item_id)
        .where(RoundItem.round_id == round_.id)
        .order_by(RoundItem.position, RoundItem.id)
    ).all()
    rated = [row for row in items if row.response_type == ResponseType.SCALE]
    choices = [row for row in items if row.response_type in CHOICE_TYPES]
    groups = db.session.execute(
        select(StakeholderGroup.id, StakeholderGroup.name)
        .where(StakeholderGroup.study_id == study.id)
        .order_by(StakeholderGroup.position, StakeholderGroup.id)
    ).all()
    started = dict(db.session.execute(
        select(Participant.group_id, func.count(RoundParticipation.id))
        .join(Participant, Participant.id == RoundParticipation.participant_id)
        .where(RoundParticipation.round_id == round_.id,
               RoundParticipation.started_at.is_not(None), _real(study.id))
        .group_by(Participant.group_id)
    ).all())
    has_started = RoundParticipation.started_at.is_not(None)
    # Joined on the round item alone, with the wording grouped and checked here: joining on
    # both columns makes PostgreSQL expect a few hundred rows where there are a million,
    # and sort them all (docs/benchmarks.md, "Results service").
    current = {row.id: row.item_version_id for row in rated}
    answer_rows = [
        row[:-1] for row in db.session.execute(
            select(Answer.round_item_id, Answer.dimension_id, Participant.group_id,
                   Answer.value, Answer.is_unable, has_started, func.count(Answer.id),
                   Answer.item_version_id)
            .join(Participant, Participant.id == Answer.participant_id)
            .outerjoin(RoundParticipation, and_(
                RoundParticipation.round_id == round_.id,
                RoundParticipation.participant_id == Answer.participant_id))
            .where(Answer.round_item_id.in_(list(current)),
                   Answer.dimension_id.in_(dimension_ids), Answer.option_key == 0,
                   _real(study.id))
            .group_by(Answer.round_item_id, Answer.dimension_id, Participant.group_id,
                      Answer.value, Answer.is_unable, has_started, Answer.item_version_id)
        )
        if current.get(row[0]) == row[-1]
    ]
    chosen = _option_counts(round_, study.id, dimension_ids) if choices else ([], [])

    group_names = [name for _id, name in groups]
    position = {group_id: index for index, (group_id, _name) in enumerate(groups)}
    if None in started or any(row[2] is None or row[2] not in position for row in answer_rows):
        group_names.append(UNGROUPED)
    ungrouped = len(group_names) - 1

    def group_index(group_id):
        return position.get(group_id, ungrouped)

    return {
        dimension_id: _table(round_, dimension_id, scales[dimension_id], rated, choices,
                             group_names, group_index, started, answer_rows, chosen)
        for dimension_id in dimension_ids
    }


def _option_counts(round_: Round, study_id: int, dimension_ids: list[int]):
    """(option counts, respondents) of the round's choice questions, two GROUP BY queries."""
    chosen_rows = db.session.execute(
        select(Answer.round_item_id, Answer.dimension_id, Answer.option_key, Answer.value,
               func.count(Answer.id))
        .join(Participant, Participant.id == Answer.participant_id)
        .join(RoundItem, _on_current_wording())
        .join(Item, Item.id == RoundItem.item_id)
        .where(RoundItem.round_id == round_.id, Item.response_type.in_(CHOICE_TYPES),
               Answer.dimension_id.in_(dimension_ids), Answer.is_unable.is_(False),
               _real(study_id))
        .group_by(Answer.round_item_id, Answer.dimension_id, Answer.option_key, Answer.value)
    ).all()
    respondents = db.session.execute(
        select(Answer.round_item_id, Answer.dimension_id,
               func.count(distinct(Answer.participant_id)))
        .join(Participant, Participant.id == Answer.participant_id)
        .join(RoundItem, _on_current_wording())
        .join(Item, Item.id == RoundItem.item_id)
        .where(RoundItem.round_id == round_.id, Item.response_type.in_(CHOICE_TYPES),
               Answer.dimension_id.in_(dimension_ids), Answer.is_unable.is_(False),
               or_(Answer.option_key > 0, Answer.value.is_not(None)), _real(study_id))
        .group_by(Answer.round_item_id, Answer.dimension_id)
    ).all()
    return chosen_rows, respondents


def _table(round_, dimension_id, scale, rated, choices, group_names, group_index, started,
           answer_rows, chosen) -> dict[str, Any]:
    """One dimension's count table (JSON-ready) from the rows of the GROUP BY queries."""
    row_of = {row.id: index for index, row in enumerate(rated)}
    n_groups, n_points = len(group_names), scale.n_points
    counts = np.zeros((len(rated), n_groups, n_points), np.int64)
    unable = np.zeros((len(rated), n_groups), np.int64)
    answered_by_starters = np.zeros((len(rated), n_groups), np.int64)
    for round_item_id, dim_id, group_id, value, is_unable, has_started, count in answer_rows:
        if dim_id != dimension_id:
            continue
        item, group = row_of[round_item_id], group_index(group_id)
        if is_unable:
            unable[item, group] += count
        elif value is not None and scale.minimum <= value <= scale.maximum:
            counts[item, group, value - scale.minimum] += count
        else:
            continue  # no usable answer: the participant counts as missing
        if has_started:
            answered_by_starters[item, group] += count
    starters = np.zeros(n_groups, np.int64)
    for group_id, count in started.items():
        starters[group_index(group_id)] += count
    missing = starters[None, :] - answered_by_starters

    chosen_rows, respondents = chosen
    options = []
    for row in choices:
        n_options = len(row.options or [])
        tally = [0] * n_options
        for round_item_id, dim_id, option_key, value, count in chosen_rows:
            if round_item_id != row.id or dim_id != dimension_id:
                continue
            number = option_key if row.response_type == ResponseType.CHOOSE_UP_TO_K else value
            if option_key and row.response_type == ResponseType.SINGLE_CHOICE:
                continue
            if number is not None and 1 <= number <= n_options:
                tally[number - 1] += count
        answered = next((count for round_item_id, dim_id, count in respondents
                         if round_item_id == row.id and dim_id == dimension_id), 0)
        options.append({"round_item": row.id, "item_id": row.item_id,
                        "item_version_id": row.item_version_id, "respondents": answered,
                        "counts": tally})

    grouped = bool(group_names)
    return {
        "format": SNAPSHOT_FORMAT,
        "round_number": round_.number,
        "dimension_id": dimension_id,
        "scale": _scale_json(scale),
        "points": list(range(scale.minimum, scale.maximum + 1)),
        "round_items": [row.id for row in rated],
        "item_ids": [row.item_id for row in rated],
        "item_version_ids": [row.item_version_id for row in rated],
        "groups": group_names,
        "counts": (counts if grouped else counts.sum(axis=1)).tolist(),
        "n_unable": (unable if grouped else unable.sum(axis=1)).tolist(),
        "n_missing": (missing if grouped else missing.sum(axis=1)).tolist(),
        "options": options,
    }


# ---------------------------------------------------------------- from counts to results


def _results(round_id: int, table: Mapping[str, Any], rules: Sequence[Mapping[str, Any]],
             quantile_method: str = QUANTILE_METHOD) -> RoundResults:
    """The engine's results from a count table and stored rules (live or from a snapshot).

    Raises
    ------
    ValidationError
        A stored rule cannot be applied to this scale.
    """
    scale_data = table["scale"]
    scale = Scale(scale_data["minimum"], scale_data["maximum"],
                  {name: (low, high) for name, low, high in scale_data["bands"]})
    round_number = table["round_number"]
    summary = classification = comparison = None
    if table["round_items"]:
        groups = table["groups"] or None
        summary = summarise_counts(
            np.array(table["counts"], dtype=np.int64).reshape(
                len(table["round_items"]), *([len(groups)] if groups else []), scale.n_points),
            scale,
            n_unable=np.array(table["n_unable"], dtype=np.int64),
            n_missing=np.array(table["n_missing"], dtype=np.int64),
            groups=groups,
            quantile_method=quantile_method,
        )
        named = {rule["name"]: rule_from_dict(rule["definition"]) for rule in rules}
        try:
            primary = next((named[rule["name"]] for rule in rules
                            if rule["role"] == RuleRole.PRIMARY.value), None)
            if primary is not None:
                classification = classify(summary, primary, round_number)
            if named:
                comparison = compare_rules(summary, named, round_number)
        except ValueError as err:
            raise ValidationError(
                f"The study's consensus rules cannot be applied to these results: {err}."
            ) from err
    shares = {}
    respondents = {}
    for entry in table["options"]:
        answered = entry["respondents"]
        respondents[entry["round_item"]] = answered
        shares[entry["round_item"]] = {
            number: (count / answered if answered else 0.0)
            for number, count in enumerate(entry["counts"], start=1)
        }
    return RoundResults(
        round_id=round_id,
        dimension_id=table["dimension_id"],
        round_items=tuple(table["round_items"]),
        item_ids=tuple(table["item_ids"]),
        summary=summary,
        classification=classification,
        comparison=comparison,
        option_shares=shares,
        item_version_ids=tuple(table["item_version_ids"]),
        round_number=round_number,
        option_respondents=respondents,
        group_names=tuple(table["groups"]),
    )


def round_results(round_: Round, dimension: Dimension | None = None) -> RoundResults:
    """The round's results now, on ``dimension`` (the study's first by default).

    For an open round this is the facilitators' live preview; on closing it gives each
    item's status. Published results are read with :func:`snapshot_results` instead.

    Raises
    ------
    ValidationError
        The study has no dimension, ``dimension`` is another study's, or a rule does not fit.
    """
    study = round_.study
    dimension = dimension or _first_dimension(study)
    if dimension.study_id != study.id:
        raise ValidationError("That dimension belongs to another study.")
    table = _tables(round_, [dimension])[dimension.id]
    return _results(round_.id, table, _rules(study))


def publish_snapshot(round_: Round, now: datetime | None = None) -> list[ResultSnapshot]:
    """Store the round's results for good: one snapshot per dimension (caller's unit of work).

    Each snapshot holds the counts per item × group × point (with the item and item
    version ids, group names, points, "unable to score" and missing counts), the choice
    questions' option counts, the rules (primary first), the quantile method, the engine
    version and the time. A snapshot is never changed afterwards.

    Raises
    ------
    RoundStateError
        The round is not closed (or being published).
    StateError
        The round's results have been published already.
    ValidationError
        The study has no dimension, or a rule does not fit.
    """
    if round_.state not in (RoundState.CLOSED, RoundState.PUBLISHED):
        raise RoundStateError(
            f"Round {round_.number} is {round_.state.value}; close it before publishing "
            "its results."
        )
    already = db.session.scalar(
        select(func.count(ResultSnapshot.id)).where(ResultSnapshot.round_id == round_.id))
    if already:
        raise StateError(f"The results of round {round_.number} have been published already.")
    study = round_.study
    _first_dimension(study)
    rules = _rules(study)
    now = now or utcnow()
    snapshots = []
    for dimension_id, table in _tables(round_, study.dimensions).items():
        _results(round_.id, table, rules)  # refuse to store what cannot be read back
        snapshot = ResultSnapshot(
            round_id=round_.id, dimension_id=dimension_id, counts=table, rules=rules,
            quantile_method=QUANTILE_METHOD, engine_version=ENGINE_VERSION, created_at=now,
        )
        db.session.add(snapshot)
        snapshots.append(snapshot)
    try:
        db.session.flush()
    except IntegrityError as err:  # another publication of this round got there first
        raise StateError(
            f"The results of round {round_.number} have been published already.") from err
    return snapshots


def snapshot_results(snapshot: ResultSnapshot) -> RoundResults:
    """The results a snapshot was published with, rebuilt from the snapshot alone.

    Raises
    ------
    ValidationError
        A stored rule cannot be read by this version of the engine.
    """
    return _results(snapshot.round_id, snapshot.counts, snapshot.rules,
                    snapshot.quantile_method)


def snapshots_of(round_: Round) -> list[ResultSnapshot]:
    """The round's published snapshots, one per dimension, in the study's dimension order."""
    return list(db.session.scalars(
        select(ResultSnapshot)
        .outerjoin(Dimension, Dimension.id == ResultSnapshot.dimension_id)
        .where(ResultSnapshot.round_id == round_.id)
        .order_by(Dimension.position, ResultSnapshot.id)
    ))


def published_results(round_: Round, dimension: Dimension | None = None) -> RoundResults | None:
    """The published results of ``round_`` on ``dimension`` (the first by default), or None."""
    snapshots = snapshots_of(round_)
    if dimension is not None:
        snapshots = [s for s in snapshots if s.dimension_id == dimension.id]
    return snapshot_results(snapshots[0]) if snapshots else None


# ---------------------------------------------------------------- the consensus preview


@dataclass(frozen=True)
class GroupCell:
    """One stakeholder group's figures for one item; None where too few to show."""

    name: str
    n: int | None
    status: str | None
    is_suppressed: bool


@dataclass(frozen=True)
class ItemPreview:
    """One item's row in the consensus preview."""

    position: int
    text: str
    n: int
    n_unable: int
    n_missing: int
    median: float | None
    percent: dict[str, float | None]
    status: str | None
    groups: tuple[GroupCell, ...]


@dataclass(frozen=True)
class ResultsPreview:
    """Counts of each status and a row per item, group figures suppressed when small.

    ``status_counts`` lists every status of the primary rule's vocabulary in order (positive,
    neutral, negative) with its number of items; empty without a rule.
    """

    results: RoundResults
    is_published: bool
    rule_name: str | None
    bands: tuple[str, ...]
    group_names: tuple[str, ...]
    status_counts: tuple[tuple[str, int], ...]
    items: tuple[ItemPreview, ...]
    min_group_size: int


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def consensus_preview(results: RoundResults, min_group_size: int,
                      is_published: bool = False) -> ResultsPreview:
    """Status counts and per-item rows of ``results``, for the dashboard (one query).

    Group figures resting on fewer than ``min_group_size`` ratings are suppressed with
    :func:`delphi.engine.small_cell_suppression` (a second small group is hidden too when
    one alone would give it away).
    """
    summary = results.summary
    texts = dict(db.session.execute(
        select(ItemVersion.id, ItemVersion.text)
        .where(ItemVersion.id.in_(results.item_version_ids))
    ).all()) if results.item_version_ids else {}
    if summary is None:
        return ResultsPreview(results, is_published, None, (), (), (), (), min_group_size)
    shown = small_cell_suppression(summary, max(1, min_group_size))
    labels = results.group_names
    row_of = {label: row for row, label in enumerate(summary.group_labels)}
    classification = results.classification
    statuses = (classification.status.tolist() if classification is not None
                else [None] * summary.n_items)
    vocabulary = RAND_STATUSES if set(statuses) & set(RAND_STATUSES) else CONSENSUS_STATUSES
    counts = tuple((status, statuses.count(status)) for status in vocabulary)
    rows = []
    for index, version_id in enumerate(results.item_version_ids):
        cells = []
        for label in labels:
            hidden = bool(shown.suppressed[row_of[label], index])
            group_status = (classification.by_group[label][index].item()
                            if classification is not None and not hidden else None)
            cells.append(GroupCell(
                label, None if hidden else int(summary.by_group[label].n[index]),
                group_status, hidden))
        rows.append(ItemPreview(
            position=index + 1,
            text=texts.get(version_id, ""),
            n=int(summary.n[index]),
            n_unable=int(summary.n_unable[index]),
            n_missing=int(summary.n_missing[index]),
            median=_number(summary.median[index]),
            percent={band: _number(values[index]) for band, values in summary.percent.items()},
            status=statuses[index],
            groups=tuple(cells),
        ))
    return ResultsPreview(
        results=results,
        is_published=is_published,
        rule_name=next(iter(results.comparison.status)) if classification is not None else None,
        bands=tuple(summary.scale.bands),
        group_names=tuple(labels),
        status_counts=counts if classification is not None else (),
        items=tuple(rows),
        min_group_size=min_group_size,
    )


def default_round(study: Study, number: int | None = None) -> Round | None:
    """The round the dashboard shows: round ``number``, else the latest that has opened.

    Raises
    ------
    NotFound
        The study has no round ``number``.
    """
    if number is not None:
        chosen = next((round_ for round_ in study.rounds if round_.number == number), None)
        if chosen is None:
            raise NotFound(f"This study has no round {number}.")
        return chosen
    opened = [round_ for round_ in study.rounds if round_.state != RoundState.DRAFT]
    return opened[-1] if opened else None


def round_preview(round_: Round, *, live: bool) -> ResultsPreview | None:
    """The dashboard's consensus preview of ``round_`` on the study's first dimension.

    Published rounds are read from their snapshot. Open and closed rounds are read live,
    only when ``live`` (facilitators and owners); otherwise, and for draft rounds, None.

    Raises
    ------
    ValidationError
        The study has no dimension, or a rule does not fit.
    """
    study = round_.study
    if round_.state == RoundState.PUBLISHED:
        results = published_results(round_)
        if results is not None:
            return consensus_preview(results, study.min_group_size, is_published=True)
    if round_.state == RoundState.DRAFT or not live or not study.dimensions:
        return None
    return consensus_preview(round_results(round_), study.min_group_size)
