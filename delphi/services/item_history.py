"""Changing items between and during rounds without losing what participants answered.

Between rounds (no open round shows the item): reword (a new version with a reason), merge
several items into a new or a kept item, split one into several, retire; every version is
kept with its reason, merged and split items keep :class:`ItemLink` rows to where they came
from, and a draft round follows the change (it shows the newest wording, the merged or split
items in place of their sources, and no retired item).

While a round is open and shows the item: a **typo fix** changes the current version's text
without a new version (audited with the text before and after, and shown in the history);
a **change of meaning** creates a new version, points the open round at it and keeps earlier
answers on the old version. Participants who answered the old version are derived, not
flagged (:func:`needs_reanswer`), and are sent a short notice with a fresh private link.

Every edit carries the :attr:`Item.version` it was loaded at, as in
:mod:`delphi.services.items`: a colleague's save in between raises
:class:`~delphi.services.items.EditConflict` and nothing is overwritten. The changes build on
that module's functions, which join this module's units of work (units nest), so an
item, its links and its sources' retirement are saved together or not at all.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..errors import StateError, ValidationError
from ..extensions import db
from ..models import (
    Answer,
    AuditEvent,
    Item,
    ItemLink,
    ItemStatus,
    ItemVersion,
    LinkKind,
    MessageKind,
    Participant,
    ParticipantStatus,
    Round,
    RoundItem,
    RoundState,
    Study,
    Suggestion,
    User,
    utcnow,
)
from . import audit, invitations, items, mailer, outbox
from .items import EditConflict, ItemError
from .transaction import unit_of_work

#: A typo fix may change at most this share of the wording (difflib's similarity ratio).
TYPO_SIMILARITY = 0.8


@dataclass(frozen=True)
class ReanswerRequest:
    """What a change of meaning did: the open round, and who was asked to answer again."""

    item: Item
    round: Round
    participants: tuple[Participant, ...]
    emailed: int

    @property
    def not_emailed(self) -> int:
        return len(self.participants) - self.emailed


@dataclass(frozen=True)
class TypoFix:
    """A correction made to a version's text while a round was open."""

    before: str
    after: str
    who: str
    at: datetime


@dataclass(frozen=True)
class VersionEntry:
    """One wording of an item, why and by whom it was made, and typo fixes made to it."""

    version: ItemVersion
    who: str
    typo_fixes: tuple[TypoFix, ...]


@dataclass(frozen=True)
class LinkEntry:
    """Where an item came from or went: another item, or a participant's suggestion."""

    kind: str
    item: Item | None = None
    suggestion: Suggestion | None = None


@dataclass(frozen=True)
class RoundEntry:
    """A round the item was in, with the version shown there."""

    round: Round
    version_number: int


@dataclass(frozen=True)
class HistoryEvent:
    """Something that happened to the item as a whole (retired, merged, split, restored)."""

    action: str
    who: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class ItemHistory:
    """Everything the study knows about how an item came to be as it is."""

    item: Item
    versions: tuple[VersionEntry, ...]
    came_from: tuple[LinkEntry, ...]
    went_to: tuple[LinkEntry, ...]
    rounds: tuple[RoundEntry, ...]
    events: tuple[HistoryEvent, ...]


EVENT_LABELS = {
    "item.created": "Added",
    "item.created_from_suggestions": "Made from participants' suggestions",
    "item.retired": "Retired",
    "item.restored": "Restored",
    "item.merged": "Merged into another item",
    "item.split": "Split into new items",
    "item.meaning_changed": "Meaning changed while a round was open",
}


# --- reading -------------------------------------------------------------------------------


def open_round_item(item: Item) -> RoundItem | None:
    """The item's place in the study's open round, if that round shows it."""
    return db.session.scalar(
        select(RoundItem).join(Round, Round.id == RoundItem.round_id)
        .where(RoundItem.item_id == item.id, Round.state == RoundState.OPEN)
    )


def needs_reanswer(round_: Round) -> list[Participant]:
    """Participants of ``round_`` with an answer on an older wording than the round shows now.

    A participant drops out of the list once they have answered the current wording of
    every such item. Withdrawn participants are left out.
    """
    current = aliased(Answer)
    query = (
        select(Participant).where(
            Participant.status != ParticipantStatus.WITHDRAWN,
            exists().where(
                Answer.participant_id == Participant.id,
                RoundItem.id == Answer.round_item_id,
                RoundItem.round_id == round_.id,
                Answer.item_version_id != RoundItem.item_version_id,
                ~exists().where(and_(
                    current.participant_id == Answer.participant_id,
                    current.round_item_id == RoundItem.id,
                    current.item_version_id == RoundItem.item_version_id,
                )),
            ),
        ).order_by(Participant.pseudonym)
    )
    return list(db.session.scalars(query))


def item_history(item: Item) -> ItemHistory:
    """Every version of ``item`` with its reason, author and typo fixes; its links, rounds
    and the events (retired, merged, split) with their reasons."""
    events = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.study_id == item.study_id,
                                 AuditEvent.target == f"item {item.id}")
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ))
    user_ids = {version.changed_by_id for version in item.versions} | {
        event.user_id for event in events}
    names = {user.id: user.name or user.email for user in db.session.scalars(
        select(User).where(User.id.in_([uid for uid in user_ids if uid is not None])))}
    fixes: dict[int, list[TypoFix]] = {}
    for event in events:
        if event.action == "item.typo_fixed":
            fixes.setdefault(event.details.get("version"), []).append(TypoFix(
                event.details.get("before", ""), event.details.get("after", ""),
                names.get(event.user_id, ""), event.created_at))
    versions = tuple(
        VersionEntry(version, names.get(version.changed_by_id, ""),
                     tuple(fixes.get(version.number, ())))
        for version in item.versions
    )
    came_from = []
    for link in db.session.scalars(select(ItemLink).where(ItemLink.item_id == item.id)
                                   .order_by(ItemLink.id)):
        came_from.append(LinkEntry(
            link.kind.value,
            item=db.session.get(Item, link.source_item_id) if link.source_item_id else None,
            suggestion=db.session.get(Suggestion, link.suggestion_id)
            if link.suggestion_id else None,
        ))
    went_to = tuple(
        LinkEntry(link.kind.value, item=target)
        for link, target in db.session.execute(
            select(ItemLink, Item).join(Item, Item.id == ItemLink.item_id)
            .where(ItemLink.source_item_id == item.id).order_by(ItemLink.id))
    )
    rounds = tuple(
        RoundEntry(round_, number) for round_, number in db.session.execute(
            select(Round, ItemVersion.number)
            .join(RoundItem, RoundItem.round_id == Round.id)
            .join(ItemVersion, ItemVersion.id == RoundItem.item_version_id)
            .where(RoundItem.item_id == item.id).order_by(Round.number))
    )
    happened = tuple(
        HistoryEvent(EVENT_LABELS[event.action], names.get(event.user_id, ""),
                     event.created_at, str(event.details.get("reason") or ""))
        for event in events if event.action in EVENT_LABELS
    )
    return ItemHistory(item, versions, tuple(came_from), went_to, rounds, happened)


# --- checks --------------------------------------------------------------------------------


def _check_version(item: Item, expected_version: int) -> None:
    if item.version != expected_version:
        raise EditConflict()


def _check_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ItemError(f"Say why {what}; the reason is kept in the item's history.",
                        field="reason")
    if len(reason) > items.MAX_REASON_LENGTH:
        raise ItemError(f"The reason is {len(reason):,} characters long; shorten it to "
                        f"{items.MAX_REASON_LENGTH:,} or fewer.", field="reason")
    return reason


def _check_new_text(item: Item, text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ItemError("Enter the new wording.", field=field)
    if len(text) > items.MAX_TEXT_LENGTH:
        raise ItemError(f"The wording is {len(text):,} characters long; the limit is "
                        f"{items.MAX_TEXT_LENGTH:,}.", field=field)
    if text == item.current.text:
        raise ItemError("The wording is unchanged. Change it, or go back to the item.",
                        field=field)
    return text


def _check_active(item: Item) -> None:
    if item.status != ItemStatus.ACTIVE:
        raise StateError("This item is no longer in use (it was retired or merged), so it "
                         "cannot be changed. Its history stays as it is.")


def _check_between_rounds(item: Item, what: str) -> None:
    showing = open_round_item(item)
    if showing is not None:
        raise StateError(
            f"Round {showing.round.number} is open and shows this item, so it cannot be "
            f"{what} now. While the round is open, fix a typo or record a change of "
            "meaning; or wait until the round closes."
        )


def _follow_in_draft_rounds(study: Study, sources: Sequence[Item],
                            targets: Sequence[Item]) -> None:
    """In each draft round showing a source, show the targets (newest wording) instead."""
    drafts = [round_ for round_ in study.rounds if round_.state == RoundState.DRAFT]
    source_ids = {item.id for item in sources}
    for round_ in drafts:
        placed = [ri for ri in round_.round_items if ri.item_id in source_ids]
        if not placed:
            continue
        position = min(ri.position for ri in placed)
        present = {ri.item_id for ri in round_.round_items}
        for ri in placed:
            round_.round_items.remove(ri)
        for target in targets:
            if target.id not in present:
                round_.round_items.append(RoundItem(
                    item_id=target.id, item_version_id=target.current.id, position=position))
    db.session.flush()


def _point_draft_rounds_at_current(item: Item) -> None:
    for round_ in item.study.rounds:
        if round_.state == RoundState.DRAFT:
            for ri in round_.round_items:
                if ri.item_id == item.id:
                    ri.item_version_id = item.current.id


def _update(item: Item, *, by: User, expected_version: int, text: str,
            explanation: str | None, reason: str) -> Item:
    """items.update_item within the caller's unit of work, keeping domain and answers."""
    return items.update_item(
        item, by=by, expected_version=expected_version, text=text,
        explanation=item.current.explanation if explanation is None else explanation,
        domain=item.domain, reason=reason,
    )


# --- between rounds ------------------------------------------------------------------------


@unit_of_work
def reword(item: Item, *, by: User, expected_version: int, text: str, reason: str,
           explanation: str | None = None) -> Item:
    """Give an item participants have seen a new wording, kept as a new version with a reason.

    Raises
    ------
    EditConflict
        Someone else saved the item after ``expected_version`` was loaded.
    ItemError
        The wording is empty, too long, unchanged or already in the study; no reason.
    StateError
        The item is not in use, an open round shows it, or participants have not seen it
        yet (then its wording is simply edited).
    """
    _check_version(item, expected_version)
    _check_active(item)
    _check_between_rounds(item, "reworded")
    if not items.is_wording_fixed(item):
        raise StateError("Participants have not seen this item yet, so there is no earlier "
                         "wording to keep: edit the item instead.")
    text = _check_new_text(item, text)
    reason = _check_reason(reason, "the wording is changing")
    _update(item, by=by, expected_version=expected_version, text=text,
            explanation=explanation, reason=reason)
    _point_draft_rounds_at_current(item)
    return item


@unit_of_work
def merge_items(sources: Iterable[Item], *, by: User, reason: str, keep: Item | None = None,
                text: str = "", domain: str | None = None) -> Item:
    """Merge items into one: ``keep`` (one of them), or a new item worded ``text``.

    The merged item gets an :class:`ItemLink` "merged from" to each other item, which is
    set aside as merged with ``reason``. A new item's first version carries the reason.
    Kept items keep their wording unless ``text`` gives a new one (a new version).

    Raises
    ------
    ValidationError
        Fewer than two different items (an item cannot be merged into itself), or items of
        another study.
    ItemError
        No reason; no wording for a new item, or wording already in the study.
    StateError
        An item is not in use, or an open round shows it.
    """
    chosen = {item.id: item for item in sources}
    if keep is not None:
        chosen.setdefault(keep.id, keep)
    if len(chosen) < 2:
        raise ValidationError("Choose at least two different items to merge: an item cannot "
                              "be merged into itself.")
    study = next(iter(chosen.values())).study
    if any(item.study_id != study.id for item in chosen.values()):
        raise ValidationError("Only items of the same study can be merged.")
    for item in chosen.values():
        _check_active(item)
        _check_between_rounds(item, "merged")
    reason = _check_reason(reason, "these items are merged")
    others = [item for item in chosen.values() if item is not keep]
    for item in others:
        item.status = ItemStatus.MERGED
    db.session.flush()
    if keep is None:
        target = items.create_item(
            study, text, by=by, domain=others[0].domain if domain is None else domain)
        target.current.change_reason = reason
    else:
        target = keep
        if (text or "").strip() and text.strip() != keep.current.text:
            _update(keep, by=by, expected_version=keep.version, text=text.strip(),
                    explanation=None, reason=reason)
    for item in others:
        db.session.add(ItemLink(item_id=target.id, kind=LinkKind.MERGED_FROM,
                                source_item_id=item.id))
        audit.record(study, by, "item.merged", f"item {item.id}", into=target.id,
                     reason=reason)
    _follow_in_draft_rounds(study, others, [target])
    _point_draft_rounds_at_current(target)
    audit.record(study, by, "items.merged", f"item {target.id}",
                 sources=[item.id for item in others], reason=reason,
                 kept=keep is not None)
    return target


@unit_of_work
def split_item(source: Item, texts: Sequence[str], *, by: User, reason: str,
               domain: str | None = None) -> list[Item]:
    """Split an item into two or more new items; the source is retired with ``reason``.

    Each new item links back ("split from") and its first version carries the reason.

    Raises
    ------
    ValidationError
        Fewer than two statements, or the same statement twice.
    ItemError
        No reason; a statement is too long or already in the study.
    StateError
        The item is not in use, or an open round shows it.
    """
    cleaned = [" ".join(str(text).split()) for text in texts]
    cleaned = [text for text in cleaned if text]
    if len(cleaned) < 2:
        raise ValidationError("Enter at least two statements to split the item into, one on "
                              "each line.")
    keys = [items.normalise_key(text) for text in cleaned]
    if len(set(keys)) != len(keys):
        raise ValidationError("The same statement appears twice. Give each new statement once.")
    _check_active(source)
    _check_between_rounds(source, "split")
    reason = _check_reason(reason, "the item is split")
    source.status = ItemStatus.REMOVED
    db.session.flush()
    study = source.study
    created = []
    for text in cleaned:
        new = items.create_item(
            study, text, by=by, domain=source.domain if domain is None else domain)
        new.current.change_reason = reason
        db.session.add(ItemLink(item_id=new.id, kind=LinkKind.SPLIT_FROM,
                                source_item_id=source.id))
        created.append(new)
    _follow_in_draft_rounds(study, [source], created)
    audit.record(study, by, "item.split", f"item {source.id}",
                 into=[item.id for item in created], reason=reason)
    return created


@unit_of_work
def retire(item: Item, *, by: User, reason: str) -> Item:
    """Stop using an item, with the reason kept in its history; it leaves draft rounds.

    Raises
    ------
    ItemError
        No reason.
    StateError
        The item is not in use, or an open round shows it.
    """
    _check_active(item)
    _check_between_rounds(item, "retired")
    reason = _check_reason(reason, "the item is retired")
    item.status = ItemStatus.REMOVED
    _follow_in_draft_rounds(item.study, [item], [])
    audit.record(item.study, by, "item.retired", f"item {item.id}", text=item.current.text,
                 reason=reason)
    return item


# --- while a round is open -----------------------------------------------------------------


def _require_open_round_item(item: Item, what: str) -> RoundItem:
    showing = open_round_item(item)
    if showing is None:
        raise StateError(
            f"No open round shows this item, so there is no need for {what}. Between "
            "rounds, reword the item instead: the new wording is kept as a new version "
            "with your reason."
        )
    return showing


@unit_of_work
def fix_typo(item: Item, *, by: User, expected_version: int, text: str) -> Item:
    """Correct a typo in the wording an open round shows, without a new version.

    Answers already given stay on the same version: a typo fix must not change the
    meaning, so a change of more than a few characters is refused.

    Raises
    ------
    EditConflict
        Someone else saved the item after ``expected_version`` was loaded.
    StateError
        No open round shows the item.
    ItemError
        The text is empty, too long, unchanged, already in the study, or changes more than
        a typo.
    """
    _check_version(item, expected_version)
    showing = _require_open_round_item(item, "a typo fix")
    text = _check_new_text(item, text)
    current = item.current
    if difflib.SequenceMatcher(None, current.text, text).ratio() < TYPO_SIMILARITY:
        raise ItemError("That changes more than a typo. Record it as a change of meaning, so "
                        "earlier answers stay with the old wording.", field="text")
    twin = items.existing_statements(item.study, ignore=item).get(items.normalise_key(text))
    if twin is not None:
        raise ItemError(f"The study already has this statement (“{twin[1]}”).", field="text")
    before = current.text
    current.text = text
    # Touch the item row so its version moves on and a colleague's stale form conflicts.
    flag_modified(item, "domain")
    try:
        db.session.flush()
    except StaleDataError as err:
        raise EditConflict() from err
    audit.record(item.study, by, "item.typo_fixed", f"item {item.id}", version=current.number,
                 before=before, after=text, round=showing.round.number)
    return item


@unit_of_work
def change_meaning(item: Item, *, by: User, expected_version: int, text: str, reason: str,
                   explanation: str | None = None,
                   now: datetime | None = None) -> ReanswerRequest:
    """Give an item in the open round a new meaning: a new version that the round shows now.

    Earlier answers stay on the old version. Participants who answered it are asked to
    answer again: each with an e-mail address (and SMTP set up, and reminders not
    stopped) is sent a short notice with a fresh private link; everyone is listed by
    :func:`needs_reanswer` until they have answered the new wording.

    Raises
    ------
    EditConflict
        Someone else saved the item after ``expected_version`` was loaded.
    StateError
        No open round shows the item.
    ItemError
        The wording is empty, too long, unchanged or already in the study; no reason.
    """
    _check_version(item, expected_version)
    showing = _require_open_round_item(item, "a change of meaning")
    text = _check_new_text(item, text)
    reason = _check_reason(reason, "the meaning is changing")
    before = item.current
    _update(item, by=by, expected_version=expected_version, text=text,
            explanation=explanation, reason=reason)
    showing.item_version_id = item.current.id
    db.session.flush()
    asked = list(db.session.scalars(
        select(Participant).join(Answer, Answer.participant_id == Participant.id)
        .where(Answer.round_item_id == showing.id, Answer.item_version_id == before.id,
               Participant.status != ParticipantStatus.WITHDRAWN)
        .distinct().order_by(Participant.pseudonym)
    ))
    emailed = _send_notices(item, showing.round, asked, now or utcnow())
    audit.record(item.study, by, "item.meaning_changed", f"item {item.id}",
                 before=before.text, after=text, version=item.current.number,
                 round=showing.round.number, reason=reason, asked=len(asked), emailed=emailed)
    return ReanswerRequest(item, showing.round, tuple(asked), emailed)


def _send_notices(item: Item, round_: Round, participants: Sequence[Participant],
                  now: datetime) -> int:
    """Queue a notice with a fresh private link to each participant who can be e-mailed."""
    if not mailer.is_configured():
        return 0
    study = item.study
    sent = 0
    for participant in participants:
        address = participant.contact.email if participant.contact is not None else None
        if not address or participant.reminders_stopped:
            continue
        _invitation, token = invitations.issue_link(participant, round_, now)
        body = (
            f"Thank you for taking part in round {round_.number} of “{study.title}”.\n\n"
            "We have changed the meaning of a statement you had already answered. Your "
            "earlier answer is kept with the old wording. Please give your answer to the new "
            "wording:\n\n"
            f"“{item.current.text}”\n\n"
            f"Use your private link: {invitations.participant_link(token)}\n\n"
            f"Questions? Contact the study team: {invitations.team_contact(study)}\n\n"
            "If you do not want reminders about this study, use this link (you will still be "
            f"part of the study):\n{invitations.stop_reminders_link(token)}\n"
        )
        outbox.queue_message(address, f"Please look again at one statement: {study.title}",
                             body, MessageKind.NOTICE, study=study, participant=participant,
                             round_=round_)
        sent += 1
    return sent

