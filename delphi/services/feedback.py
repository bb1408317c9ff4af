"""What participants see about the last round before they answer again.

**Settings.** For each round the facilitator chooses what its participants see about the
round before (``Round.feedback``, JSON); the choice can change only while the round is a
draft and is fixed, with the defaults filled in, when the round opens
(:func:`fix_settings`, called by :func:`delphi.services.rounds.open_round`). Keys:

- ``distribution``: ``"overall"`` (everyone's scores in one chart, the default),
  ``"groups"`` (one chart per stakeholder group; groups smaller than the study's
  ``min_group_size`` are named but not drawn) or ``"own_group"`` (the participant's own
  group only, hidden likewise when small);
- ``percentage_sentence`` (default True): "74 % of the panel rated this 7 to 9", for the
  scale's top band, in the same words for every item;
- ``show_status`` (default False): whether the item reached agreement, in plain words.
  Showing it tends to move ratings, so it is off unless chosen;
- ``show_comments`` (default True): the approved comments of the round before (none when
  that round was published with no comments shown).

**Feedback** (:func:`item_feedback`) comes from the previous round's published snapshot
only (:func:`delphi.services.results.published_results`): the counts as stored, never
recounted. Round 1, items new in this round, and rounds after an unpublished round get none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import select

from ..errors import StateError, ValidationError
from ..extensions import db
from ..models import Answer, Participant, Round, RoundItem, RoundState, User
from . import audit, moderation, results
from .transaction import unit_of_work

OVERALL = "overall"
GROUPS = "groups"
OWN_GROUP = "own_group"
DISTRIBUTIONS = (OVERALL, GROUPS, OWN_GROUP)

DISTRIBUTION_WORDS = {
    OVERALL: "Everyone's scores together",
    GROUPS: "Each stakeholder group's scores",
    OWN_GROUP: "The participant's own stakeholder group's scores only",
}

STATUS_HINT = "Showing whether an item reached agreement tends to move ratings"

EVERYONE = "Everyone"

#: The status of an item in words a participant reads; never "consensus".
STATUS_WORDS = {
    "consensus_in": "The panel agreed this is important.",
    "consensus_out": "The panel agreed this is not important.",
    "no_consensus": "The panel did not agree on this.",
    "appropriate": "The panel agreed this is right to do.",
    "inappropriate": "The panel agreed this is not right to do.",
    "uncertain": "The panel was not sure about this.",
}


@dataclass(frozen=True)
class FeedbackSettings:
    """What a round's participants see about the round before (see the module docstring)."""

    distribution: str = OVERALL
    percentage_sentence: bool = True
    show_status: bool = False
    show_comments: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FeedbackPanel:
    """One distribution shown to a participant: everyone, or one stakeholder group.

    ``counts`` has one entry per scale point, minimum to maximum. A group below the study's
    minimum size is ``suppressed``: named, never drawn, counts all zero.
    """

    label: str
    counts: tuple[int, ...]
    n: int
    suppressed: bool = False


@dataclass(frozen=True)
class ItemFeedback:
    """Last round's results for one item of the round being answered, for one participant."""

    key: str                      # the ParticipantItem key (str of this round's RoundItem id)
    previous_round_number: int
    points: tuple[int, ...]
    point_labels: tuple[str, ...]
    bands: tuple[tuple[str, int, int], ...]
    panels: tuple[FeedbackPanel, ...]
    sentence: str | None          # "74 % of the panel rated this 7 to 9", or None if not shown
    status: str | None            # shown only when the round's settings say so
    own_previous: int | None      # the participant's last-round score; None if none
    own_previous_unable: bool
    comments: tuple[str, ...]     # approved comments only
    alt_text: str


# ------------------------------------------------------------------------------- settings


def _flag(value, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def feedback_settings(round_: Round) -> FeedbackSettings:
    """The round's feedback settings, with the defaults for anything not chosen."""
    stored = round_.feedback if isinstance(round_.feedback, dict) else {}
    defaults = FeedbackSettings()
    distribution = stored.get("distribution")
    return FeedbackSettings(
        distribution=distribution if distribution in DISTRIBUTIONS else defaults.distribution,
        percentage_sentence=_flag(stored.get("percentage_sentence"),
                                  defaults.percentage_sentence),
        show_status=_flag(stored.get("show_status"), defaults.show_status),
        show_comments=_flag(stored.get("show_comments"), defaults.show_comments),
    )


def fix_settings(round_: Round) -> FeedbackSettings:
    """Store the round's settings in full, defaults included (joins the caller's unit of
    work); :func:`delphi.services.rounds.open_round` calls this as the round opens."""
    settings = feedback_settings(round_)
    round_.feedback = settings.to_dict()
    return settings


@unit_of_work
def set_feedback_settings(round_: Round, by: User | None, *, distribution: str,
                          percentage_sentence: bool, show_status: bool,
                          show_comments: bool) -> FeedbackSettings:
    """Choose what the round's participants see about the round before.

    Raises
    ------
    StateError
        The round is not a draft: its feedback was fixed when it opened.
    ValidationError
        ``distribution`` is not one of :data:`DISTRIBUTIONS`.
    """
    if round_.state != RoundState.DRAFT:
        raise StateError(
            f"Round {round_.number} is {round_.state.value}, so its feedback settings were "
            "fixed when it opened. They can be changed only while a round is a draft."
        )
    if distribution not in DISTRIBUTIONS:
        raise ValidationError("Choose which scores participants see.")
    before = feedback_settings(round_)
    settings = FeedbackSettings(distribution, bool(percentage_sentence), bool(show_status),
                                bool(show_comments))
    round_.feedback = settings.to_dict()
    audit.record(round_.study, by, "round.feedback_changed", f"round {round_.number}",
                 before=before.to_dict(), after=settings.to_dict())
    return settings


def describe_feedback(settings: FeedbackSettings) -> str:
    """The settings in one sentence, for the facilitator's pages and the report."""
    if settings.distribution == GROUPS:
        seen = ("each stakeholder group's scores from the round before, in a chart per group "
                "(groups below the smallest group size are named but not drawn)")
    elif settings.distribution == OWN_GROUP:
        seen = ("the scores of their own stakeholder group from the round before (not drawn "
                "if the group is below the smallest group size)")
    else:
        seen = "everyone's scores from the round before, in one chart"
    extras = [
        "the percentage in the top band" if settings.percentage_sentence else None,
        "each item's status" if settings.show_status else None,
        "approved comments" if settings.show_comments else None,
    ]
    extras = [extra for extra in extras if extra]
    shown = f"Participants see {seen}, and their own earlier score"
    shown += (", " + ", ".join(extras[:-1]) + " and " + extras[-1] if len(extras) > 1
              else f" and {extras[0]}" if extras else "")
    hidden = [
        None if settings.percentage_sentence else "the percentage in the top band",
        None if settings.show_status else "each item's status",
        None if settings.show_comments else "comments",
    ]
    hidden = [part for part in hidden if part]
    if hidden:
        shown += ". Not shown: " + ", ".join(hidden)
    return shown + "."


# ------------------------------------------------------------------------------- feedback


def _top_band(bands: Iterable[tuple[str, int, int]]) -> tuple[str, int, int] | None:
    bands = list(bands)
    return max(bands, key=lambda band: (band[2], band[1])) if bands else None


def _sentence(counts: tuple[int, ...], points: tuple[int, ...],
              band: tuple[str, int, int] | None) -> str | None:
    total = sum(counts)
    if band is None or not total:
        return None
    _name, low, high = band
    in_band = sum(count for point, count in zip(points, counts, strict=True)
                  if low <= point <= high)
    return f"{round(100 * in_band / total)} % of the panel rated this {low} to {high}"


def _own_answers(participant: Participant, round_item_ids: list[int],
                 dimension_id: int) -> dict[int, tuple[int | None, bool]]:
    """The participant's answer to each earlier round item: (value, unable); one query.

    An answer to the wording that round showed wins over one to an older wording.
    """
    if not round_item_ids:
        return {}
    rows = db.session.execute(
        select(Answer.round_item_id, Answer.value, Answer.is_unable,
               Answer.item_version_id == RoundItem.item_version_id)
        .join(RoundItem, RoundItem.id == Answer.round_item_id)
        .where(Answer.participant_id == participant.id,
               Answer.round_item_id.in_(round_item_ids),
               Answer.dimension_id == dimension_id, Answer.option_key == 0)
    ).all()
    found: dict[int, tuple[int | None, bool, bool]] = {}
    for round_item_id, value, unable, current in rows:
        if round_item_id not in found or (current and not found[round_item_id][2]):
            found[round_item_id] = (value, bool(unable), bool(current))
    return {key: (value, unable) for key, (value, unable, _current) in found.items()}


def _panels(summary, index: int, settings: FeedbackSettings, own: str | None,
            group_names: tuple[str, ...], min_size: int, n_points: int) -> list[FeedbackPanel]:
    def group_panel(name: str) -> FeedbackPanel:
        group = summary.by_group[name]
        n = int(group.n[index])
        if n < min_size:
            return FeedbackPanel(name, (0,) * n_points, 0, True)
        return FeedbackPanel(name, tuple(int(c) for c in group.counts[index]), n)

    if settings.distribution == GROUPS and summary.by_group:
        return [group_panel(name) for name in group_names if name in summary.by_group]
    if settings.distribution == OWN_GROUP and own in summary.by_group:
        return [group_panel(own)]
    return [FeedbackPanel(EVERYONE, tuple(int(c) for c in summary.counts[index]),
                          int(summary.n[index]))]


def _alt_text(panels: list[FeedbackPanel], points: tuple[int, ...],
              own: tuple[int | None, bool] | None) -> str:
    parts = [f"Bar chart of last round's scores, from {points[0]} to {points[-1]}."]
    for panel in panels:
        if panel.suppressed:
            parts.append(f"{panel.label}: too few people to show.")
        else:
            people = "person" if panel.n == 1 else "people"
            parts.append(f"{panel.label}: {panel.n} {people}.")
    if own is not None and own[0] is not None and not own[1]:
        parts.append(f"Your score was {own[0]}.")
    parts.append("The numbers are in the table below.")
    return " ".join(parts)


def item_feedback(participant: Participant | None, round_: Round,
                  keys: Iterable[str] | None = None) -> dict[str, ItemFeedback]:
    """Feedback for each item of ``round_`` that ``participant`` sees, keyed by item key.

    Only items that were rated on the scale in the previous round, when that round's
    results are published; ``keys`` limits the answer to those item keys. With no
    participant (the report's example) there is no earlier score, and "own group" shows
    the study's first group.
    """
    from .rounds import previous_round

    previous = previous_round(round_)
    if previous is None or previous.state != RoundState.PUBLISHED:
        return {}
    published = results.published_results(previous)
    if published is None or published.summary is None:
        return {}
    wanted = set(keys) if keys is not None else None
    earlier = {item_id: (index, round_item_id) for index, (item_id, round_item_id)
               in enumerate(zip(published.item_ids, published.round_items, strict=True))}
    shown = [(str(round_item.id), earlier[round_item.item_id])
             for round_item in round_.round_items
             if round_item.item_id in earlier
             and (wanted is None or str(round_item.id) in wanted)]
    if not shown:
        return {}
    settings = feedback_settings(round_)
    study = round_.study
    summary = published.summary
    scale = summary.scale
    points = tuple(range(scale.minimum, scale.maximum + 1))
    bands = tuple((name, int(low), int(high)) for name, (low, high) in scale.bands.items())
    top = _top_band(bands)
    labels = {}
    if study.dimensions:
        labels = study.dimensions[0].scale.labels or {}
    point_labels = tuple(str(labels.get(str(point), "")) for point in points)
    earlier_ids = [round_item_id for _key, (_index, round_item_id) in shown]
    own = (_own_answers(participant, earlier_ids, published.dimension_id)
           if participant is not None else {})
    own_group = _own_group(participant, study)
    comments = (moderation.visible_comments(earlier_ids) if settings.show_comments
                else {})
    statuses = (published.classification.status.tolist()
                if settings.show_status and published.classification is not None else None)
    feedback = {}
    for key, (index, round_item_id) in shown:
        panels = _panels(summary, index, settings, own_group, published.group_names,
                         study.min_group_size, len(points))
        overall = tuple(int(c) for c in summary.counts[index])
        value, unable = own.get(round_item_id, (None, False))
        feedback[key] = ItemFeedback(
            key=key,
            previous_round_number=previous.number,
            points=points,
            point_labels=point_labels,
            bands=bands,
            panels=tuple(panels),
            sentence=_sentence(overall, points, top) if settings.percentage_sentence else None,
            status=STATUS_WORDS.get(str(statuses[index])) if statuses is not None else None,
            own_previous=None if unable else value,
            own_previous_unable=unable,
            comments=tuple(comments.get(round_item_id, ())),
            alt_text=_alt_text(panels, points, own.get(round_item_id)),
        )
    return feedback


def _own_group(participant: Participant | None, study) -> str | None:
    """The stakeholder group whose chart "own group" shows: the participant's, or for the
    report's example (no participant) the study's first group."""
    if participant is None:
        return study.groups[0].name if study.groups else None
    return participant.group.name if participant.group is not None else results.UNGROUPED


def example_feedback(round_: Round) -> ItemFeedback | None:
    """What participants of ``round_`` saw above its first item with feedback, with no
    earlier score marked: the report's picture of the feedback shown that round."""
    return next(iter(item_feedback(None, round_).values()), None)


def feedback_chart(fb: ItemFeedback, min_group_size: int):
    """The chart above an item: last round's scores per panel, the earlier score marked."""
    from ..charts import DistributionPanel, item_distribution  # matplotlib: only on use

    labels = {point: label for point, label in zip(fb.points, fb.point_labels, strict=True)
              if label}
    return item_distribution(
        [DistributionPanel(panel.label, panel.counts, panel.suppressed) for panel in fb.panels],
        fb.points, bands=fb.bands, own_answer=fb.own_previous, point_labels=labels,
        min_group_size=min_group_size,
    )


def cached_feedback_chart(fb: ItemFeedback, min_group_size: int):
    """:func:`feedback_chart` through the chart cache (the report draws it once per round)."""
    from . import chart_cache

    inputs = {"feedback": asdict(fb), "min_group_size": min_group_size}
    return chart_cache.cached_chart("feedback-example", inputs,
                                    lambda: feedback_chart(fb, min_group_size))
