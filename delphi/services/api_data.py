"""What the read-only JSON API returns: a study's design and rounds, and published results.

Results come only from a round's published snapshot
(:func:`delphi.services.results.published_results`), never from answers, so the API gives
exactly the figures the study published. Times are ISO 8601 in UTC (``...Z``); statistics
that do not exist (an item nobody rated) are ``null``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select

from ..engine import small_cell_suppression
from ..errors import NotFound
from ..extensions import db
from ..models import Dimension, ItemVersion, RatingScale, Round, RoundState, Study
from . import results as results_service
from .design import describe_rule, rules_in_order
from .rounds import get_round

STATISTICS = ("median", "q1", "q3", "iqr", "mean", "sd")
"""The statistics given per item and per stakeholder group, in this order."""


def iso(value: datetime | None) -> str | None:
    """``value`` as ISO 8601 in UTC with a ``Z`` (``2026-11-25T22:40:00Z``), or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def _scale(scale: RatingScale) -> dict[str, Any]:
    return {
        "minimum": scale.minimum,
        "maximum": scale.maximum,
        "labels": {str(point): text for point, text in sorted(
            (scale.labels or {}).items(), key=lambda pair: int(pair[0]))},
        "bands": [{"name": name, "low": low, "high": high}
                  for name, (low, high) in (scale.bands or {}).items()],
        "offers_unable": scale.offers_unable,
    }


def study_document(study: Study) -> dict[str, Any]:
    """The study's title, kind, status, groups, rounds, scales and rules in words."""
    dimensions = [
        {"id": dimension.id, "name": dimension.name, "question": dimension.question,
         "scale": _scale(dimension.scale)}
        for dimension in study.dimensions
    ]
    return {
        "id": study.id,
        "title": study.title,
        "summary": study.summary,
        "kind": study.kind.value,
        "status": study.status.value,
        "protocol_fixed_at": iso(study.protocol_fixed_at),
        "min_group_size": study.min_group_size,
        "groups": [{"name": group.name, "target": group.target_number}
                   for group in study.groups],
        "rounds": [
            {"number": round_.number, "state": round_.state.value,
             "opened_at": iso(round_.opened_at), "closed_at": iso(round_.closed_at),
             "published_at": iso(round_.published_at)}
            for round_ in sorted(study.rounds, key=lambda r: r.number)
        ],
        "scale": dimensions[0]["scale"] if dimensions else None,
        "dimensions": dimensions,
        "rules": [
            {"name": rule.name, "role": rule.role.value, "description": describe_rule(rule),
             "fixed_at": iso(rule.fixed_at)}
            for rule in rules_in_order(study)
        ],
    }


def _dimension(study: Study, dimension_id: int | None) -> Dimension | None:
    if dimension_id is None:
        return study.dimensions[0] if study.dimensions else None
    dimension = next((d for d in study.dimensions if d.id == dimension_id), None)
    if dimension is None:
        raise NotFound(f"“{study.title}” has no dimension number {dimension_id}.")
    return dimension


def _published_round(study: Study, number: int) -> Round:
    round_ = get_round(study, number)
    if round_.state != RoundState.PUBLISHED:
        raise NotFound(
            f"The results of round {number} have not been published (the round is "
            f"{round_.state.value}). Only published results are available through the API.")
    return round_


def _status(value) -> str | None:
    value = value.item() if isinstance(value, np.generic) else value
    return None if value is None else str(value)


def _statistics(summary, index: int) -> dict[str, Any]:
    return {
        "n": int(summary.n[index]),
        "n_unable": int(summary.n_unable[index]),
        "n_missing": int(summary.n_missing[index]),
        **{name: _number(getattr(summary, name)[index]) for name in STATISTICS},
        "percent": {band: _number(values[index]) for band, values in summary.percent.items()},
    }


def results_document(study: Study, number: int,
                     dimension_id: int | None = None) -> dict[str, Any]:
    """Round ``number``'s published results on a dimension (the study's first by default).

    Per rated item: its id, number in the round, wording, statistics, percent per band,
    status under the primary rule, and the same per stakeholder group. A group's figures
    resting on fewer than the study's minimum group size are replaced by
    ``{"suppressed": true}`` (with complementary suppression, see
    :func:`delphi.engine.small_cell_suppression`).

    Raises
    ------
    NotFound
        The study has no such round or dimension, or the round's results are not published.
    """
    round_ = _published_round(study, number)
    dimension = _dimension(study, dimension_id)
    published = (results_service.published_results(round_, dimension)
                 if dimension is not None else None)
    if published is None:
        raise NotFound(f"Round {number} has no published results on this dimension.")
    document = {
        "study_id": study.id,
        "round": number,
        "published_at": iso(round_.published_at),
        "dimension": {"id": dimension.id, "name": dimension.name},
        "rule": None,
        "min_group_size": study.min_group_size,
        "groups": list(published.group_names),
        "items": [],
    }
    summary = published.summary
    if summary is None:
        return document
    classification = published.classification
    if classification is not None:
        document["rule"] = next(iter(published.comparison.status))
    numbers = {round_item.id: place for place, round_item in
               enumerate(round_.round_items, start=1)}
    texts = dict(db.session.execute(
        select(ItemVersion.id, ItemVersion.text)
        .where(ItemVersion.id.in_(published.item_version_ids))).all())
    shown = small_cell_suppression(summary, max(1, study.min_group_size))
    row_of = {label: row for row, label in enumerate(summary.group_labels)}
    for index, round_item_id in enumerate(published.round_items):
        groups = {}
        for label in published.group_names:
            if shown.suppressed[row_of[label], index]:
                groups[label] = {"suppressed": True}
                continue
            groups[label] = {
                "suppressed": False, **_statistics(summary.by_group[label], index),
                "status": (_status(classification.by_group[label][index])
                           if classification is not None else None),
            }
        document["items"].append({
            "item_id": published.item_ids[index],
            "round_item_id": round_item_id,
            "number": numbers.get(round_item_id),
            "wording": texts.get(published.item_version_ids[index], ""),
            **_statistics(summary, index),
            "status": (_status(classification.status[index])
                       if classification is not None else None),
            "groups": groups,
        })
    return document
