"""Reviewing a round's comments and suggestions before anyone else reads them.

Each comment or suggestion is pending until a facilitator approves it (as written or
edited) or hides it. ``original_text`` is never changed: an edit goes into ``shown_text``
and is audited with the text before and after. Participants and steering members only
ever see approved ``shown_text``, with nobody's pseudonym beside it
(:func:`visible_comments`); exports carry both texts (:func:`comments_for_export`).

Test participants' comments and suggestions never reach the review, the counts or an
export, as their answers never reach the results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    Comment,
    ItemVersion,
    ModerationState,
    Participant,
    Round,
    RoundItem,
    Suggestion,
    User,
)
from . import audit
from .transaction import unit_of_work

MAX_SHOWN_LENGTH = 5000
KINDS = ("comment", "suggestion")

Entry = Comment | Suggestion


@dataclass(frozen=True)
class ItemComments:
    """One round item with its comments, in the order they were written."""

    round_item: RoundItem
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class RoundReview:
    """Everything to review in a round: comments by item, then suggestions."""

    round: Round
    items: tuple[ItemComments, ...]
    suggestions: tuple[Suggestion, ...]

    @property
    def pending_comments(self) -> int:
        return sum(c.moderation_state == ModerationState.PENDING
                   for group in self.items for c in group.comments)

    @property
    def pending_suggestions(self) -> int:
        return sum(s.moderation_state == ModerationState.PENDING for s in self.suggestions)

    @property
    def pending(self) -> int:
        return self.pending_comments + self.pending_suggestions


@dataclass(frozen=True)
class ExportedComment:
    """A comment as an export carries it: both texts, its state and the pseudonym."""

    item_id: int
    item_version: int
    item_text: str
    pseudonym: str
    original_text: str
    shown_text: str
    state: str
    created_at: datetime


# --- reading -------------------------------------------------------------------------------


def get_entry(round_: Round, kind: str, entry_id: int) -> Entry:
    """The round's comment or suggestion (``kind`` "comment" or "suggestion") with this id.

    Raises
    ------
    NotFound
        The round has no such comment or suggestion (or ``kind`` is neither).
    """
    entry = None
    if kind == "comment":
        entry = db.session.get(Comment, entry_id)
        if entry is not None and entry.round_item.round_id != round_.id:
            entry = None
    elif kind == "suggestion":
        entry = db.session.get(Suggestion, entry_id)
        if entry is not None and entry.round_id != round_.id:
            entry = None
    if entry is None or entry.participant.is_test:
        raise NotFound(f"Round {round_.number} has no such {kind if kind in KINDS else 'entry'}."
                       " It may have been removed when its author withdrew.")
    return entry


def review(round_: Round) -> RoundReview:
    """The round's comments grouped by item (in the round's order) and its suggestions."""
    comments = db.session.scalars(
        select(Comment)
        .join(RoundItem, RoundItem.id == Comment.round_item_id)
        .join(Participant, Participant.id == Comment.participant_id)
        .where(RoundItem.round_id == round_.id, Participant.is_test.is_(False))
        .order_by(RoundItem.position, RoundItem.id, Comment.created_at, Comment.id)
        .options(selectinload(Comment.participant))
    )
    by_item: dict[int, list[Comment]] = {}
    for comment in comments:
        by_item.setdefault(comment.round_item_id, []).append(comment)
    groups = tuple(ItemComments(round_item, tuple(by_item[round_item.id]))
                   for round_item in round_.round_items if round_item.id in by_item)
    suggestions = tuple(db.session.scalars(
        select(Suggestion)
        .join(Participant, Participant.id == Suggestion.participant_id)
        .where(Suggestion.round_id == round_.id, Participant.is_test.is_(False))
        .order_by(Suggestion.created_at, Suggestion.id)
        .options(selectinload(Suggestion.participant))
    ))
    return RoundReview(round_, groups, suggestions)


def unreviewed_count(round_: Round) -> int:
    """How many of the round's comments and suggestions are still pending review."""
    comments = db.session.scalar(
        select(func.count(Comment.id))
        .join(RoundItem, RoundItem.id == Comment.round_item_id)
        .join(Participant, Participant.id == Comment.participant_id)
        .where(RoundItem.round_id == round_.id, Participant.is_test.is_(False),
               Comment.moderation_state == ModerationState.PENDING)
    ) or 0
    suggestions = db.session.scalar(
        select(func.count(Suggestion.id))
        .join(Participant, Participant.id == Suggestion.participant_id)
        .where(Suggestion.round_id == round_.id, Participant.is_test.is_(False),
               Suggestion.moderation_state == ModerationState.PENDING)
    ) or 0
    return comments + suggestions


def visible_comments(round_item_ids: Iterable[int]) -> dict[int, list[str]]:
    """The approved text of each round item's comments, oldest first, and nothing else.

    No pseudonym, participant or date comes with the text, so readers cannot tell who
    wrote what. Every id asked for is a key (an empty list when it has no approved
    comment); a round set to show no comments shows none.
    """
    ids = list(dict.fromkeys(round_item_ids))
    shown: dict[int, list[str]] = {round_item_id: [] for round_item_id in ids}
    if not ids:
        return shown
    rows = db.session.execute(
        select(Comment.round_item_id, Comment.shown_text)
        .join(RoundItem, RoundItem.id == Comment.round_item_id)
        .join(Round, Round.id == RoundItem.round_id)
        .join(Participant, Participant.id == Comment.participant_id)
        .where(Comment.round_item_id.in_(ids),
               Comment.moderation_state == ModerationState.APPROVED,
               Participant.is_test.is_(False),
               Round.shows_no_comments.is_(False))
        .order_by(Comment.created_at, Comment.id)
    )
    for round_item_id, text in rows:
        if text.strip():
            shown[round_item_id].append(text)
    return shown


def comments_for_export(round_: Round) -> list[ExportedComment]:
    """Every comment of the round with its original and shown text, state and pseudonym.

    ``shown_text`` is what others read: empty unless the comment is approved.
    """
    rows = db.session.execute(
        select(Comment, Participant.pseudonym, RoundItem.item_id, ItemVersion.number,
               ItemVersion.text)
        .join(RoundItem, RoundItem.id == Comment.round_item_id)
        .join(ItemVersion, ItemVersion.id == RoundItem.item_version_id)
        .join(Participant, Participant.id == Comment.participant_id)
        .where(RoundItem.round_id == round_.id, Participant.is_test.is_(False))
        .order_by(RoundItem.position, RoundItem.id, Comment.created_at, Comment.id)
    )
    return [
        ExportedComment(
            item_id=item_id, item_version=number, item_text=item_text, pseudonym=pseudonym,
            original_text=comment.original_text,
            shown_text=comment.shown_text
            if comment.moderation_state == ModerationState.APPROVED else "",
            state=comment.moderation_state.value, created_at=comment.created_at,
        )
        for comment, pseudonym, item_id, number, item_text in rows
    ]


# --- reviewing -----------------------------------------------------------------------------


def _kind(entry: Entry) -> str:
    return "comment" if isinstance(entry, Comment) else "suggestion"


def _round_of(entry: Entry) -> Round:
    return entry.round_item.round if isinstance(entry, Comment) else entry.round


def _record(entry: Entry, by: User, action: str, **details) -> None:
    round_ = _round_of(entry)
    audit.record(round_.study, by, f"{_kind(entry)}.{action}", f"{_kind(entry)} {entry.id}",
                 round=round_.number, **details)


@unit_of_work
def approve(entry: Entry, *, by: User) -> Entry:
    """Let others read the comment or suggestion as it is shown now (as written if unedited).

    Raises
    ------
    StateError
        It is hidden (return it to review first) or already approved.
    """
    if entry.moderation_state == ModerationState.HIDDEN:
        raise StateError(
            f"This {_kind(entry)} is hidden. Return it to review first if it should be shown."
        )
    if entry.moderation_state == ModerationState.APPROVED:
        raise StateError(f"This {_kind(entry)} is already approved.")
    entry.shown_text = entry.shown_text.strip() or entry.original_text
    entry.moderation_state = ModerationState.APPROVED
    _record(entry, by, "approved")
    return entry


@unit_of_work
def edit(entry: Entry, text: str, *, by: User) -> Entry:
    """Approve the comment or suggestion with edited wording; the original is kept.

    Raises
    ------
    StateError
        It is hidden (return it to review first).
    ValidationError
        The new text is empty, too long, or the same as what is shown now.
    """
    if entry.moderation_state == ModerationState.HIDDEN:
        raise StateError(
            f"This {_kind(entry)} is hidden. Return it to review first if it should be shown."
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            f"Enter the text to show. To show nothing, hide the {_kind(entry)} instead.")
    if len(text) > MAX_SHOWN_LENGTH:
        raise ValidationError(
            f"The text is {len(text):,} characters long; shorten it to "
            f"{MAX_SHOWN_LENGTH:,} or fewer.")
    before = entry.shown_text.strip() or entry.original_text
    if text == before and entry.moderation_state == ModerationState.APPROVED:
        raise ValidationError("The text is unchanged. Change it, or go back to the review.")
    entry.shown_text = text
    previous_state = entry.moderation_state
    entry.moderation_state = ModerationState.APPROVED
    _record(entry, by, "edited", before=before, after=text, state_before=previous_state.value)
    return entry


def _move_to(entry: Entry, by: User, state: ModerationState, action: str, refusal: str) -> Entry:
    """Put ``entry`` in ``state`` and record ``action``; refuse with ``refusal`` if it is there.

    ``refusal`` may use ``{kind}`` for "comment" or "suggestion".
    """
    if entry.moderation_state == state:
        raise StateError(refusal.format(kind=_kind(entry)))
    previous = entry.moderation_state
    entry.moderation_state = state
    _record(entry, by, action, state_before=previous.value)
    return entry


@unit_of_work
def hide(entry: Entry, *, by: User) -> Entry:
    """Keep the comment or suggestion from everyone but the study team and exports.

    Raises
    ------
    StateError
        It is already hidden.
    """
    return _move_to(entry, by, ModerationState.HIDDEN, "hidden",
                    "This {kind} is already hidden.")


@unit_of_work
def return_to_review(entry: Entry, *, by: User) -> Entry:
    """Put an approved or hidden comment or suggestion back among those to review.

    Raises
    ------
    StateError
        It is pending already.
    """
    return _move_to(entry, by, ModerationState.PENDING, "returned_to_review",
                    "This {kind} is waiting for review already.")


@unit_of_work
def approve_all_remaining(round_: Round, *, by: User, expected: int) -> int:
    """Approve every pending comment and suggestion of the round, as written; returns how many.

    ``expected`` is the number the facilitator confirmed; if more arrived (or some were
    reviewed) since, nothing is approved, so nothing is approved unseen.

    Raises
    ------
    StateError
        The number pending is no longer ``expected``, or nothing is pending.
    """
    pending_now = unreviewed_count(round_)
    if pending_now == 0:
        raise StateError(f"Nothing in round {round_.number} is waiting for review.")
    if pending_now != expected:
        raise StateError(
            f"{pending_now} comments and suggestions are waiting now, not {expected}: some "
            "arrived or were reviewed since you looked. Nothing was approved; check the "
            "list again."
        )
    current = review(round_)
    entries = [c for group in current.items for c in group.comments] + list(current.suggestions)
    for entry in entries:
        if entry.moderation_state == ModerationState.PENDING:
            entry.shown_text = entry.shown_text.strip() or entry.original_text
            entry.moderation_state = ModerationState.APPROVED
    audit.record(round_.study, by, "comments.approved_all", f"round {round_.number}",
                 round=round_.number, count=pending_now)
    return pending_now
