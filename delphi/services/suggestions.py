"""Participants' suggestions: grouping duplicates and turning them into new items.

Suggestions come from round 1's open questions. A facilitator groups duplicates under one
lead suggestion (``Suggestion.merged_into_id``), then turns the lead, with its group, into a
new item worded by the facilitator. The item keeps an :class:`ItemLink` ("from suggestion")
to every suggestion it came from, so the study can publish the trail from the words
participants submitted to the final statements (:func:`suggestion_trail`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    Item,
    ItemLink,
    LinkKind,
    ModerationState,
    Participant,
    Round,
    Study,
    Suggestion,
    User,
)
from . import audit, items
from .transaction import unit_of_work


@dataclass(frozen=True)
class SuggestionGroup:
    """A lead suggestion, the duplicates grouped under it, and the items made from it."""

    lead: Suggestion
    members: tuple[Suggestion, ...]
    items: tuple[Item, ...]

    @property
    def all(self) -> tuple[Suggestion, ...]:
        return (self.lead, *self.members)


@dataclass(frozen=True)
class TrailSuggestion:
    """A suggestion as the published trail shows it: what was written, what is shown."""

    id: int
    round_number: int
    original_text: str
    shown_text: str
    state: str


@dataclass(frozen=True)
class TrailEntry:
    """An item made from suggestions: its final wording and the suggestions behind it."""

    item: Item
    suggestions: tuple[TrailSuggestion, ...]


def _study_suggestions(study: Study) -> list[Suggestion]:
    return list(db.session.scalars(
        select(Suggestion)
        .join(Round, Round.id == Suggestion.round_id)
        .join(Participant, Participant.id == Suggestion.participant_id)
        .where(Round.study_id == study.id, Participant.is_test.is_(False))
        .order_by(Round.number, Suggestion.created_at, Suggestion.id)
        .options(selectinload(Suggestion.round))
    ))


def _items_by_suggestion(study: Study) -> dict[int, list[Item]]:
    rows = db.session.execute(
        select(ItemLink.suggestion_id, Item)
        .join(Item, Item.id == ItemLink.item_id)
        .where(Item.study_id == study.id, ItemLink.kind == LinkKind.FROM_SUGGESTION,
               ItemLink.suggestion_id.is_not(None))
        .order_by(Item.id)
    )
    made: dict[int, list[Item]] = {}
    for suggestion_id, item in rows:
        made.setdefault(suggestion_id, []).append(item)
    return made


def get_suggestion(study: Study, suggestion_id: int) -> Suggestion:
    """The study's suggestion with this id.

    Raises
    ------
    NotFound
        The study has no such suggestion.
    """
    suggestion = db.session.get(Suggestion, suggestion_id)
    if (suggestion is None or suggestion.round.study_id != study.id
            or suggestion.participant.is_test):
        raise NotFound("This study has no such suggestion. It may have been removed when its "
                       "author withdrew.")
    return suggestion


def groups(study: Study) -> list[SuggestionGroup]:
    """The study's suggestions as groups (a lead and its duplicates), in the order written."""
    suggestions = _study_suggestions(study)
    made = _items_by_suggestion(study)
    members: dict[int, list[Suggestion]] = {}
    for suggestion in suggestions:
        if suggestion.merged_into_id is not None:
            members.setdefault(suggestion.merged_into_id, []).append(suggestion)
    result = []
    for suggestion in suggestions:
        if suggestion.merged_into_id is None:
            group = members.get(suggestion.id, [])
            from_items = {item.id: item for s in (suggestion, *group)
                          for item in made.get(s.id, [])}
            result.append(SuggestionGroup(suggestion, tuple(group),
                                          tuple(from_items.values())))
    return result


def _check_in_scope(found: Iterable[Suggestion]) -> None:
    """Raise :class:`StateError` if any of ``found`` is marked out of scope (uncertainty
    intake, :mod:`.intake`): such a suggestion is neither grouped nor made into an item."""
    out = sorted(suggestion.id for suggestion in found
                 if suggestion.out_of_scope_reason is not None)
    if len(out) == 1:
        raise StateError(f"Suggestion {out[0]} is marked out of scope, so it cannot be grouped "
                         "or made into an item. Put it back in scope first.")
    if out:
        raise StateError(f"Suggestions {', '.join(map(str, out))} are marked out of scope, so "
                         "they cannot be grouped or made into an item. Put them back in scope "
                         "first.")


def group_of(lead: Suggestion) -> SuggestionGroup:
    """The group led by ``lead``.

    Raises
    ------
    StateError
        ``lead`` is grouped under another suggestion.
    """
    if lead.merged_into_id is not None:
        raise StateError(
            "This suggestion is grouped under another one; make the item from that one.")
    study = lead.round.study
    return next(group for group in groups(study) if group.lead.id == lead.id)


@unit_of_work
def merge_suggestions(lead: Suggestion, duplicates: Iterable[Suggestion], *,
                      by: User) -> SuggestionGroup:
    """Group ``duplicates`` under ``lead``; their own duplicates move with them.

    Raises
    ------
    ValidationError
        No duplicates were chosen, the lead is among them, or one is from another study.
    StateError
        The lead is itself grouped under another suggestion, or one of them is marked out
        of scope.
    """
    chosen = {suggestion.id: suggestion for suggestion in duplicates}
    if lead.id in chosen:
        raise ValidationError("A suggestion cannot be merged into itself. Choose another "
                              "suggestion to keep as the group's lead.")
    if not chosen:
        raise ValidationError("Choose the suggestions that say the same as the one you keep.")
    if lead.merged_into_id is not None:
        raise StateError("The suggestion to keep is grouped under another one. Keep that one "
                         "instead, or take it out of its group first.")
    study_id = lead.round.study_id
    if any(s.round.study_id != study_id for s in chosen.values()):
        raise ValidationError("Only suggestions of the same study can be grouped.")
    _check_in_scope([lead, *chosen.values()])
    moved = []
    for suggestion in chosen.values():
        followers = db.session.scalars(
            select(Suggestion).where(Suggestion.merged_into_id == suggestion.id))
        for follower in [*followers, suggestion]:
            follower.merged_into_id = lead.id
            moved.append(follower.id)
    db.session.flush()
    audit.record(lead.round.study, by, "suggestions.merged", f"suggestion {lead.id}",
                 lead=lead.id, merged=sorted(moved))
    return group_of(lead)


@unit_of_work
def separate(suggestion: Suggestion, *, by: User) -> Suggestion:
    """Take a suggestion out of the group it was merged into.

    Raises
    ------
    StateError
        It is not in another suggestion's group.
    """
    if suggestion.merged_into_id is None:
        raise StateError("This suggestion is not grouped under another one.")
    lead_id = suggestion.merged_into_id
    suggestion.merged_into_id = None
    audit.record(suggestion.round.study, by, "suggestion.separated",
                 f"suggestion {suggestion.id}", lead=lead_id)
    return suggestion


@unit_of_work
def create_item_from(lead: Suggestion, *, by: User, text: str, domain: str = "",
                     explanation: str = "") -> Item:
    """Make a new item, worded by the facilitator, from a suggestion and its group.

    The item links to every suggestion of the group; suggestions still pending are
    approved as written, since the team has now read them. The item and its links are
    saved together or not at all.

    Raises
    ------
    StateError
        ``lead`` is grouped under another suggestion, or one of the group is marked out of
        scope.
    ItemError
        The wording is empty, too long or already in the study (see
        :func:`delphi.services.items.create_item`).
    """
    group = group_of(lead)
    _check_in_scope(group.all)
    study = lead.round.study
    # The undecorated function joins this unit of work: item and links commit together.
    item = items.create_item(study, text, by=by, domain=domain,
                                         explanation=explanation)
    for suggestion in group.all:
        db.session.add(ItemLink(item_id=item.id, kind=LinkKind.FROM_SUGGESTION,
                                suggestion_id=suggestion.id))
        if suggestion.moderation_state == ModerationState.PENDING:
            suggestion.shown_text = suggestion.shown_text.strip() or suggestion.original_text
            suggestion.moderation_state = ModerationState.APPROVED
    audit.record(study, by, "item.created_from_suggestions", f"item {item.id}",
                 suggestions=[s.id for s in group.all], text=item.current.text)
    return item


def suggestion_trail(study: Study) -> list[TrailEntry]:
    """Each item made from suggestions, with the suggestions it came from (both texts).

    Items come in the order they were made; nobody's pseudonym is included, so the trail
    can be published.
    """
    rows = db.session.execute(
        select(Item, Suggestion, Round.number)
        .join(ItemLink, ItemLink.item_id == Item.id)
        .join(Suggestion, Suggestion.id == ItemLink.suggestion_id)
        .join(Round, Round.id == Suggestion.round_id)
        .where(Item.study_id == study.id, ItemLink.kind == LinkKind.FROM_SUGGESTION)
        .order_by(Item.id, Suggestion.created_at, Suggestion.id)
    )
    trail: dict[int, tuple[Item, list[TrailSuggestion]]] = {}
    for item, suggestion, round_number in rows:
        entry = trail.setdefault(item.id, (item, []))
        entry[1].append(TrailSuggestion(
            id=suggestion.id, round_number=round_number,
            original_text=suggestion.original_text,
            shown_text=suggestion.shown_text
            if suggestion.moderation_state == ModerationState.APPROVED else "",
            state=suggestion.moderation_state.value,
        ))
    return [TrailEntry(item, tuple(found)) for item, found in trail.values()]
