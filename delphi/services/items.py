"""A study's items: adding, rewording, ordering, grouping into domains, deleting and retiring.

Wording rule (until the rounds work refines it): while an item has not been shown in a
round that has opened, a change of wording edits its version 1 in place; once it has been
shown in a round that is open, closed or published, a change of wording adds a new
:class:`ItemVersion` and needs a reason, so answers stay tied to the words participants saw.
Its response type and options are then fixed too.

Every change is written to the audit trail. Edits carry the :attr:`Item.version` they were
loaded with; if someone else saved the item in between, :class:`EditConflict` is raised and
nothing is overwritten. Moving items only changes their order, so it does not count as a
change to an item and never causes a conflict for someone editing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    Item,
    ItemStatus,
    ItemVersion,
    ResponseType,
    Round,
    RoundItem,
    RoundState,
    Study,
    User,
)
from . import audit
from .transaction import unit_of_work

MAX_TEXT_LENGTH = 1000
MAX_EXPLANATION_LENGTH = 2000
MAX_DOMAIN_LENGTH = 200
MAX_OPTION_LENGTH = 200
MAX_OPTIONS = 50
MAX_REASON_LENGTH = 1000

CHOICE_TYPES = (ResponseType.SINGLE_CHOICE, ResponseType.CHOOSE_UP_TO_K)

CONFLICT_MESSAGE = (
    "Someone else changed this item while you were editing. Your changes have not been "
    "saved: they are still in the form below, and the item as it is now saved is shown "
    "above it. Check both, then save again to keep your version."
)


class ItemError(ValidationError):
    """An item's input breaks a rule; ``field`` names the form field it is about, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class EditConflict(StateError):
    """The item was saved by someone else after the editor loaded it."""

    def __init__(self, message: str = CONFLICT_MESSAGE):
        super().__init__(message)


@dataclass(frozen=True)
class ItemRow:
    """An item as the list shows it: what it is and what may still be done to it."""

    item: Item
    response_summary: str
    is_wording_fixed: bool
    can_delete: bool


@dataclass(frozen=True)
class DomainGroup:
    """The active items of one domain ("" for items without one), in order."""

    name: str
    rows: tuple[ItemRow, ...]


@dataclass(frozen=True)
class ItemList:
    """A study's items grouped by domain, with the retired or merged ones apart."""

    domains: tuple[DomainGroup, ...]
    inactive: tuple[ItemRow, ...]

    @property
    def active_count(self) -> int:
        return sum(len(group.rows) for group in self.domains)

    @property
    def domain_names(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.domains if group.name)


# --- reading -------------------------------------------------------------------------------


def get_item(study: Study, item_id: int) -> Item:
    """The study's item with this number.

    Raises
    ------
    NotFound
        The study has no such item.
    """
    item = db.session.get(Item, item_id)
    if item is None or item.study_id != study.id:
        raise NotFound(f"This study has no item number {item_id}. It may have been deleted.")
    return item


def list_items(study: Study) -> ItemList:
    """The study's items grouped by domain, in the order participants will see them.

    Domains come in the order of their first item; the queries are the same for any
    number of items.
    """
    items = _ordered_items(study)
    shown = _item_ids_shown(study)
    in_rounds = _item_ids_in_any_round(study)

    def row(item: Item) -> ItemRow:
        return ItemRow(
            item=item,
            response_summary=describe_response(item),
            is_wording_fixed=item.id in shown,
            can_delete=item.id not in in_rounds,
        )

    groups = _group_by_domain(item for item in items if item.status == ItemStatus.ACTIVE)
    return ItemList(
        domains=tuple(DomainGroup(name, tuple(row(i) for i in members))
                      for name, members in groups),
        inactive=tuple(row(item) for item in items if item.status != ItemStatus.ACTIVE),
    )


def domains_of(study: Study) -> list[str]:
    """The names of the study's domains, in the order of their first item."""
    return [name for name, _ in _group_by_domain(_ordered_items(study)) if name]


def describe_response(item: Item) -> str:
    """How participants answer the item, in words: "Single choice from 3 options"."""
    count = len(item.options or [])
    plural = "s" if count != 1 else ""
    if item.response_type == ResponseType.SINGLE_CHOICE:
        return f"Single choice from {count} option{plural}"
    if item.response_type == ResponseType.CHOOSE_UP_TO_K:
        return f"Choose up to {item.max_choices} of {count} option{plural}"
    if item.response_type == ResponseType.OPEN_TEXT:
        return "Open question"
    return "Rated on the scale"


def first_round_shown(item: Item) -> Round | None:
    """The earliest round that has opened with this item in it, or None."""
    return db.session.scalar(
        select(Round)
        .join(RoundItem, RoundItem.round_id == Round.id)
        .where(RoundItem.item_id == item.id, Round.state != RoundState.DRAFT)
        .order_by(Round.number)
        .limit(1)
    )


def is_wording_fixed(item: Item) -> bool:
    """Whether participants have been shown the item in a round that opened."""
    return first_round_shown(item) is not None


def can_delete(item: Item) -> bool:
    """Whether the item has never been in any round (in any state), so it may be deleted."""
    return db.session.scalar(
        select(func.count(RoundItem.id)).where(RoundItem.item_id == item.id)
    ) == 0


# --- changing ------------------------------------------------------------------------------


@unit_of_work
def create_item(
    study: Study,
    text: str,
    *,
    by: User,
    domain: str = "",
    explanation: str = "",
    response_type: ResponseType | str = ResponseType.SCALE,
    options: Sequence[str] | None = None,
    max_choices: int | None = None,
) -> Item:
    """Add an item at the end of the study with its wording as version 1.

    Raises
    ------
    ItemError
        The wording is empty, too long or already in the study; the domain or note is too
        long; the options or the number to choose do not fit the response type.
    """
    text = _check_text(text)
    _check_not_duplicate(study, text)
    response_type, options, max_choices = _check_response(response_type, options, max_choices)
    item = Item(
        domain=canonical_domain(study, domain),
        response_type=response_type,
        options=options,
        max_choices=max_choices,
        position=_next_position(study),
        status=ItemStatus.ACTIVE,
    )
    item.versions.append(ItemVersion(
        number=1, text=text, explanation=_check_explanation(explanation),
        change_reason="", changed_by_id=by.id,
    ))
    study.items.append(item)
    db.session.flush()
    audit.record(study, by, "item.created", _target(item), text=text, domain=item.domain,
                 response_type=response_type.value)
    return item


@unit_of_work
def update_item(
    item: Item,
    *,
    by: User,
    expected_version: int,
    text: str,
    explanation: str = "",
    domain: str = "",
    response_type: ResponseType | str | None = None,
    options: Sequence[str] | None = None,
    max_choices: int | None = None,
    reason: str = "",
) -> Item:
    """Save an edit made to the item as it was at ``expected_version``.

    Before the item has been shown in a round that opened, new wording replaces version
    1's text in place. Afterwards it becomes a new version and needs ``reason``, and the
    response type and options can no longer change. ``response_type=None`` keeps the
    response type, options and number to choose as they are.

    Raises
    ------
    EditConflict
        Someone else saved the item after ``expected_version`` was loaded.
    ItemError
        The input breaks a rule (see :func:`create_item`), or the wording changed on an item
        already shown without a reason.
    StateError
        The response type or options changed on an item already shown to participants.
    """
    if item.version != expected_version:
        raise EditConflict()
    study = item.study
    text = _check_text(text)
    explanation = _check_explanation(explanation)
    if response_type is None:
        response_type, options, max_choices = (
            item.response_type, list(item.options or []), item.max_choices)
    response_type, options, max_choices = _check_response(response_type, options, max_choices)
    current = item.current
    if text != current.text:
        _check_not_duplicate(study, text, ignore=item)
    wording_changed = text != current.text or explanation != current.explanation
    shown_in = first_round_shown(item)
    if shown_in is not None:
        _check_unchanged_response(item, shown_in, response_type, options, max_choices)
        if wording_changed:
            reason = _check_reason(reason, shown_in)
    changes: dict[str, list] = {}
    for name, new in (
        ("domain", canonical_domain(study, domain, ignore=item)),
        ("response_type", response_type),
        ("options", options),
        ("max_choices", max_choices),
    ):
        old = getattr(item, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(item, name, new)
    if wording_changed:
        changes["wording"] = [
            {"text": current.text, "explanation": current.explanation},
            {"text": text, "explanation": explanation},
        ]
        if shown_in is not None:
            item.versions.append(ItemVersion(
                number=current.number + 1, text=text, explanation=explanation,
                change_reason=reason, changed_by_id=by.id,
            ))
        else:
            current.text, current.explanation, current.changed_by_id = text, explanation, by.id
    if not changes:
        return item
    # The item row is updated even when only its wording changed, so its version moves on
    # and the UPDATE's "WHERE version = ..." catches anyone who saved in between.
    flag_modified(item, "domain")
    try:
        db.session.flush()
    except StaleDataError as err:
        raise EditConflict() from err
    is_new_version = wording_changed and shown_in is not None
    audit.record(study, by, "item.reworded" if is_new_version else "item.updated",
                 _target(item), changes=changes, version=item.current.number,
                 reason=reason.strip() if is_new_version else "")
    return item


def _check_unchanged_response(item: Item, shown_in: Round, response_type: ResponseType,
                              options: list[str], max_choices: int | None) -> None:
    if (response_type, options, max_choices) != (
        item.response_type, list(item.options or []), item.max_choices
    ):
        raise StateError(
            f"Participants have seen this item in round {shown_in.number}, so how they answer "
            "it (its response type and options) can no longer change. Retire it and add a "
            "new item instead."
        )


def _check_reason(reason: str, shown_in: Round) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ItemError(
            f"Participants have seen this item in round {shown_in.number}, so the new wording "
            "is kept as a new version beside the old one. Say why the wording is changing "
            "(for example, “clearer wording after round 1 comments”).",
            field="reason",
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ItemError(
            f"The reason is {len(reason):,} characters long; shorten it to "
            f"{MAX_REASON_LENGTH:,} or fewer.",
            field="reason",
        )
    return reason


@unit_of_work
def move_item(item: Item, direction: str, *, by: User) -> bool:
    """Move an active item one place up or down within its domain.

    Returns False (and changes nothing) when it is already first or last there.

    Raises
    ------
    ValidationError
        ``direction`` is neither "up" nor "down".
    StateError
        The item is retired or merged, so it has no place in the list.
    """
    step = _step(direction)
    if item.status != ItemStatus.ACTIVE:
        raise StateError("Only items in use can be moved. Restore the item first.")
    groups = _group_by_domain(i for i in _ordered_items(item.study)
                              if i.status == ItemStatus.ACTIVE)
    members = next(members for name, members in groups if name == item.domain)
    index = members.index(item)
    if not 0 <= index + step < len(members):
        return False
    members[index], members[index + step] = members[index + step], members[index]
    _renumber(item.study, [i for _, group in groups for i in group])
    audit.record(item.study, by, "item.moved", _target(item), direction=direction,
                 domain=item.domain)
    return True


@unit_of_work
def move_domain(study: Study, domain: str, direction: str, *, by: User) -> bool:
    """Move a whole domain, with its items, one place up or down.

    Returns False (and changes nothing) when it is already first or last.

    Raises
    ------
    NotFound
        No active item has this domain.
    ValidationError
        ``direction`` is neither "up" nor "down".
    """
    step = _step(direction)
    groups = _group_by_domain(i for i in _ordered_items(study) if i.status == ItemStatus.ACTIVE)
    names = [name for name, _ in groups]
    if domain not in names:
        raise NotFound(f"No item in use has the domain “{domain}”.")
    index = names.index(domain)
    if not 0 <= index + step < len(groups):
        return False
    groups[index], groups[index + step] = groups[index + step], groups[index]
    _renumber(study, [i for _, group in groups for i in group])
    audit.record(study, by, "items.domain_moved", f"domain {domain}"[:200],
                 domain=domain, direction=direction)
    return True


@unit_of_work
def rename_domain(study: Study, old: str, new: str, *, by: User) -> int:
    """Give every item of domain ``old`` the domain ``new``; returns how many changed.

    When ``new`` is already a domain (ignoring capitals), the items join it.

    Raises
    ------
    NotFound
        No item has the domain ``old``.
    ItemError
        The new name is empty, too long or the same as the old one.
    """
    new = _clean_domain(new)
    if not new:
        raise ItemError("Enter the domain's new name.", field="name")
    if new == old:
        raise ItemError("The new name is the same as the old one. Type a different name.",
                        field="name")
    members = [item for item in study.items if item.domain == old]
    if not old or not members:
        raise NotFound(f"No item has the domain “{old}”. It may have been renamed already.")
    new = canonical_domain(study, new, ignore_domain=old)
    for item in members:
        item.domain = new
    try:
        db.session.flush()
    except StaleDataError as err:
        raise EditConflict(
            "Someone else changed one of these items at the same moment. Nothing was "
            "renamed; try again."
        ) from err
    audit.record(study, by, "items.domain_renamed", f"domain {old}"[:200], old=old, new=new,
                 items=[item.id for item in members])
    return len(members)


@unit_of_work
def delete_item(item: Item, *, by: User) -> None:
    """Delete an item that has never been in a round, with all its wordings.

    Raises
    ------
    StateError
        The item has been in a round; retire it instead.
    """
    if not can_delete(item):
        raise StateError(
            "This item has been in a round, so it cannot be deleted: answers and the study's "
            "record may refer to it. Retire it instead; it stays in the record but is no "
            "longer used."
        )
    study = item.study
    audit.record(study, by, "item.deleted", _target(item), text=item.current.text,
                 domain=item.domain)
    db.session.delete(item)


@unit_of_work
def retire_item(item: Item, *, by: User) -> Item:
    """Stop using an item; it keeps its wordings and history (status "removed").

    Raises
    ------
    StateError
        The item is not in use (already retired, or merged into another).
    """
    if item.status != ItemStatus.ACTIVE:
        raise StateError("This item is not in use, so there is nothing to retire.")
    item.status = ItemStatus.REMOVED
    audit.record(item.study, by, "item.retired", _target(item), text=item.current.text)
    return item


@unit_of_work
def restore_item(item: Item, *, by: User) -> Item:
    """Put a retired item back in use, at the end of its domain.

    Raises
    ------
    StateError
        The item was not retired (merged items are restored by undoing the merge).
    ItemError
        An item in use already has the same wording.
    """
    if item.status != ItemStatus.REMOVED:
        raise StateError("Only a retired item can be restored.")
    _check_not_duplicate(item.study, item.current.text, ignore=item)
    item.status = ItemStatus.ACTIVE
    item.position = _next_position(item.study)
    audit.record(item.study, by, "item.restored", _target(item), text=item.current.text)
    return item


# --- rules shared with the import ----------------------------------------------------------


def normalise_key(text: str) -> str:
    """The form two statements are compared in: spacing and capitals ignored."""
    return " ".join((text or "").split()).casefold()


def existing_statements(study: Study, ignore: Item | None = None) -> dict[str, tuple[int, str]]:
    """Each item in use, by the comparison key of its current wording: (item id, wording).

    One query, whatever the number of items; used to refuse duplicate statements.
    """
    rows = db.session.execute(
        select(ItemVersion.item_id, ItemVersion.text)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(Item.study_id == study.id, Item.status == ItemStatus.ACTIVE)
        .order_by(ItemVersion.item_id, ItemVersion.number)
    )
    current = {row[0]: row[1] for row in rows}  # ordered by number: the latest wording wins
    if ignore is not None:
        current.pop(ignore.id, None)
    return {normalise_key(text): (item_id, text) for item_id, text in current.items()}


def canonical_domain(study: Study, domain: str, ignore: Item | None = None,
                     ignore_domain: str | None = None) -> str:
    """The domain as typed, or an existing domain's spelling when only capitals differ.

    Raises
    ------
    ItemError
        The domain is longer than the limit.
    """
    domain = _clean_domain(domain)
    if len(domain) > MAX_DOMAIN_LENGTH:
        raise ItemError(
            f"The domain is {len(domain):,} characters long; shorten it to "
            f"{MAX_DOMAIN_LENGTH} or fewer.",
            field="domain",
        )
    for item in study.items:
        if (item is not ignore and item.domain != ignore_domain and item.domain
                and item.domain.casefold() == domain.casefold()):
            return item.domain
    return domain


def _clean_domain(domain: str | None) -> str:
    return " ".join((domain or "").split())


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ItemError("Enter the statement or question.", field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise ItemError(
            f"The statement is {len(text):,} characters long; the limit is "
            f"{MAX_TEXT_LENGTH:,}. Shorten it, or move detail into the explanatory note.",
            field="text",
        )
    return text


def _check_explanation(explanation: str) -> str:
    explanation = (explanation or "").strip()
    if len(explanation) > MAX_EXPLANATION_LENGTH:
        raise ItemError(
            f"The explanatory note is {len(explanation):,} characters long; shorten it to "
            f"{MAX_EXPLANATION_LENGTH:,} or fewer.",
            field="explanation",
        )
    return explanation


def _check_not_duplicate(study: Study, text: str, ignore: Item | None = None) -> None:
    twin = existing_statements(study, ignore).get(normalise_key(text))
    if twin is not None:
        raise ItemError(
            f"The study already has this statement (“{twin[1]}”). "
            "Change the wording, or edit the existing item instead.",
            field="text",
        )


def _check_response(
    response_type: ResponseType | str, options: Sequence[str] | None, max_choices: int | None
) -> tuple[ResponseType, list[str], int | None]:
    try:
        response_type = ResponseType(response_type)
    except ValueError as err:
        raise ItemError("Choose how participants answer the item.",
                        field="response_type") from err
    options = [" ".join(str(option).split()) for option in options or ()]
    options = [option for option in options if option]
    if response_type not in CHOICE_TYPES:
        if options:
            raise ItemError(
                "Options are only used by single-choice and choose-up-to questions. Delete "
                "the options, or choose one of those response types.",
                field="options",
            )
        if max_choices is not None:
            raise ItemError(
                "The number to choose is only used by choose-up-to questions. Delete it, or "
                "choose that response type.",
                field="max_choices",
            )
        return response_type, [], None
    _check_options(options)
    if response_type == ResponseType.SINGLE_CHOICE:
        if max_choices is not None:
            raise ItemError(
                "A single-choice question lets participants choose one option. Delete the "
                "number to choose, or make it a choose-up-to question.",
                field="max_choices",
            )
        return response_type, options, None
    if max_choices is None:
        raise ItemError("Enter how many options a participant may choose at most.",
                        field="max_choices")
    if not 1 <= max_choices <= len(options):
        raise ItemError(
            f"The number to choose must be between 1 and the number of options "
            f"({len(options)}).",
            field="max_choices",
        )
    return response_type, options, max_choices


def _check_options(options: list[str]) -> None:
    if not options:
        raise ItemError("Enter the options participants choose from, one on each line.",
                        field="options")
    if len(options) > MAX_OPTIONS:
        raise ItemError(f"There are {len(options)} options; the limit is {MAX_OPTIONS}.",
                        field="options")
    seen: set[str] = set()
    for option in options:
        if len(option) > MAX_OPTION_LENGTH:
            raise ItemError(
                f"The option “{option[:40]}…” is {len(option):,} characters long; shorten it "
                f"to {MAX_OPTION_LENGTH} or fewer.",
                field="options",
            )
        if option.casefold() in seen:
            raise ItemError(
                f"The option “{option}” appears more than once. Give each option once.",
                field="options",
            )
        seen.add(option.casefold())


def _step(direction: str) -> int:
    steps = {"up": -1, "down": 1}
    if direction not in steps:
        raise ValidationError("Choose to move up or down.")
    return steps[direction]


def _ordered_items(study: Study) -> list[Item]:
    return list(db.session.scalars(
        select(Item)
        .where(Item.study_id == study.id)
        .order_by(Item.position, Item.id)
        .options(selectinload(Item.versions))
    ))


def _group_by_domain(items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """Items by domain, domains in the order of their first item, items kept in order."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.domain, []).append(item)
    return list(groups.items())


def _renumber(study: Study, active_in_order: list[Item]) -> None:
    """Number the items 0, 1, 2 … in this order, inactive ones after, without a new version.

    The positions are written with one executemany UPDATE on the table, not through the
    ORM, so the items' optimistic-lock versions do not move: an order change must not make
    a colleague's open edit form look out of date.
    """
    inactive = [item for item in _ordered_items(study) if item.status != ItemStatus.ACTIVE]
    changed = [(item, position)
               for position, item in enumerate([*active_in_order, *inactive])
               if item.position != position]
    if not changed:
        return
    table = Item.__table__
    db.session.execute(
        table.update().where(table.c.id == bindparam("item_id")).values(
            position=bindparam("new_position")),
        [{"item_id": item.id, "new_position": position} for item, position in changed],
    )
    for item, position in changed:
        set_committed_value(item, "position", position)


def _next_position(study: Study) -> int:
    highest = db.session.scalar(select(func.max(Item.position)).where(Item.study_id == study.id))
    return 0 if highest is None else highest + 1


def _item_ids_shown(study: Study) -> set[int]:
    return set(db.session.scalars(
        select(RoundItem.item_id)
        .join(Round, Round.id == RoundItem.round_id)
        .where(Round.study_id == study.id, Round.state != RoundState.DRAFT)
    ))


def _item_ids_in_any_round(study: Study) -> set[int]:
    return set(db.session.scalars(
        select(RoundItem.item_id)
        .join(Round, Round.id == RoundItem.round_id)
        .where(Round.study_id == study.id)
    ))


def _target(item: Item) -> str:
    return f"item {item.id}"


def _plain(value):
    return value.value if isinstance(value, ResponseType) else value
