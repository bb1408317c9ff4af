"""The final workshop of a priority-setting partnership (adapted nominal group technique).

A workshop is a round of kind :attr:`RoundKind.WORKSHOP` whose items are the shortlist of
a closed ranking round (:func:`create_workshop`); it is opened and closed with the usual
round services (:func:`delphi.services.rounds.open_round` and ``close_round``). The items
are shown in the study's item order, not in the order of the interim survey.

- **Sessions.** While the workshop is open the facilitator adds numbered sessions
  (:func:`add_session`), each with 2 to 10 small groups named uniquely. A session starts
  only once the one before has closed, and closes only once every group's ranking is in
  (:func:`close_session`). Closed sessions are kept for the record.
- **Entering a ranking.** Each group puts every shortlisted item in order, 1 being the most
  important. The facilitator enters it, or the group's lead does through a private link
  (:func:`issue_lead_link`: a 256-bit token of which only the SHA-256 hash is kept; it
  expires after :data:`LEAD_LINK_DAYS` days and a new link replaces the old one).
  :func:`enter_ranking` checks the form (inputs ``position-<item id>``): every item needs
  exactly one whole-number place from 1 to the number of items. With any error nothing is
  saved; otherwise the group's earlier ranking is replaced.
- **Results** (each session's combined order, the room's decisions on ties, the final top
  10) are in :mod:`.workshop_results`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ..errors import NotFound, RoundStateError, StateError, ValidationError
from ..extensions import db
from ..models import (
    Item,
    Round,
    RoundItem,
    RoundKind,
    SessionState,
    Study,
    User,
    WorkshopGroup,
    WorkshopRank,
    WorkshopSession,
    utcnow,
)
from . import audit, ranking_results, rounds
from .invitations import hash_token
from .transaction import unit_of_work

#: A group lead's private link works for this many days after it is issued.
LEAD_LINK_DAYS = 2
#: How many small groups a session may have.
MIN_GROUPS = 2
MAX_GROUPS = 10
#: Characters of a lead link's hash kept in the browser's session, to notice a new link.
FINGERPRINT_LENGTH = 16
#: Who entered a ranking, in the audit record, when it came through a lead's link.
LEAD_LINK_WHO = "group lead link"
#: The prefix of the ranking form's inputs, followed by the item's id.
POSITION_PREFIX = "position-"

WHOLE_NUMBER = re.compile(r"[0-9]+")
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine", 10: "ten"}


class LeadLinkExpired(ValidationError):
    """A group lead's link was right but has expired."""


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingEntry:
    """What :func:`enter_ranking` made of a ranking form.

    ``values`` holds what was typed, by input name (to show it again); ``errors`` a message
    by input name, in the items' order; ``positions`` the place of each item by item id
    when there were no errors (and the ranking was saved).
    """

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    positions: dict[int, int] = field(default_factory=dict)

    @property
    def is_saved(self) -> bool:
        return not self.errors


# --- reading -----------------------------------------------------------------------------


def workshop_round(study: Study) -> Round | None:
    """The study's workshop round, or None before one is created."""
    return next((round_ for round_ in study.rounds if round_.kind == RoundKind.WORKSHOP), None)


def items_of(round_: Round) -> list[Item]:
    """The workshop's items (the shortlist) in display order."""
    return [round_item.item for round_item in round_.round_items]


def sessions_of(round_: Round) -> list[WorkshopSession]:
    """The workshop's sessions, by number."""
    return list(db.session.scalars(
        select(WorkshopSession).where(WorkshopSession.round_id == round_.id)
        .order_by(WorkshopSession.number)))


def get_session(round_: Round, number: int) -> WorkshopSession:
    """The workshop's session with this number.

    Raises
    ------
    NotFound
        The workshop has no session with this number.
    """
    found = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.round_id == round_.id, WorkshopSession.number == number))
    if found is None:
        raise NotFound(f"The workshop has no session {number}.")
    return found


def get_group(session: WorkshopSession, group_id: int) -> WorkshopGroup:
    """The session's group with this id.

    Raises
    ------
    NotFound
        The session has no such group.
    """
    found = next((group for group in session.groups if group.id == group_id), None)
    if found is None:
        raise NotFound(f"Session {session.number} has no such group.")
    return found


def round_of(session: WorkshopSession) -> Round:
    """The workshop round a session belongs to."""
    return db.session.get(Round, session.round_id)


def group_positions(group: WorkshopGroup) -> dict[int, int]:
    """The group's entered place of each item, by item id (empty before it is entered)."""
    return {rank.item_id: rank.position for rank in group.ranks}


def group_order(group: WorkshopGroup) -> list[Item]:
    """The group's entered order: the items it placed, first place first."""
    positions = group_positions(group)
    return sorted((item for item in items_of(round_of(group.session)) if item.id in positions),
                  key=lambda item: positions[item.id])


def accepts_rankings(group: WorkshopGroup) -> bool:
    """True while the group's ranking can still be entered or changed: its session and the
    workshop are both open."""
    return group.session.state == SessionState.OPEN and round_of(group.session).is_open


def form_values(group: WorkshopGroup) -> dict[str, str]:
    """The ranking form's inputs filled in with the group's entered places."""
    return {position_name(item_id): str(place)
            for item_id, place in group_positions(group).items()}


def position_name(item_id: int) -> str:
    """The name of the ranking form's input for an item."""
    return f"{POSITION_PREFIX}{item_id}"


# --- creating the workshop and its sessions ----------------------------------------------


@unit_of_work
def create_workshop(ranking_round: Round, by: User | None) -> Round:
    """Draft the study's workshop round holding the shortlist of ``ranking_round``.

    The new round is added with :func:`delphi.services.rounds.add_round`, then given the
    kind ``workshop`` and the shortlisted items, in the study's item order.

    Raises
    ------
    RoundStateError
        ``ranking_round`` is not a closed or published ranking round, or the study has a
        draft round already.
    StateError
        No shortlist has been decided, or the study has a workshop already.
    """
    ranking_results.check_finished(ranking_round)
    study = ranking_round.study
    existing = workshop_round(study)
    if existing is not None:
        raise StateError(f"This study has a workshop already: round {existing.number}. A study "
                         "has one final workshop.")
    shortlist = ranking_results.shortlisted_items(ranking_round)
    if not shortlist:
        raise StateError(f"Round {ranking_round.number} has no shortlist yet. Decide the "
                         "shortlist on its results page first.")
    round_ = rounds.add_round(study, by)
    round_.kind = RoundKind.WORKSHOP
    items = sorted((db.session.get(Item, item_id) for item_id in shortlist),
                   key=lambda item: (item.position, item.id))
    for position, item in enumerate(items):
        round_.round_items.append(RoundItem(item=item, item_version=item.current,
                                            position=position))
    db.session.flush()
    audit.record(study, by, "workshop.created", f"round {round_.number}",
                 from_round=ranking_round.number, items=len(items))
    return round_


def _check_workshop(round_: Round) -> None:
    if round_.kind != RoundKind.WORKSHOP:
        raise ValidationError(f"Round {round_.number} is not the workshop.")


def _clean_names(group_names: Sequence[str], compositions: Sequence[str]
                 ) -> list[tuple[str, str]]:
    names = [(name or "").strip() for name in group_names]
    if not MIN_GROUPS <= len(names) <= MAX_GROUPS:
        raise ValidationError(f"A session has between {MIN_GROUPS} and {MAX_GROUPS} small "
                              f"groups. You gave {len(names)}.")
    if any(not name for name in names):
        raise ValidationError("Give every group a name.")
    if any(len(name) > 100 for name in names):
        raise ValidationError("Keep each group's name to 100 characters or fewer.")
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValidationError(f"Two groups are called “{name}”. Give each group its own "
                                  "name.")
        seen.add(name.casefold())
    if len(compositions) > len(names):
        raise ValidationError("Say who sat in each group, one line for each group.")
    described = [(text or "").strip() for text in compositions]
    described += [""] * (len(names) - len(described))
    if any(len(text) > 300 for text in described):
        raise ValidationError("Keep each group's description to 300 characters or fewer.")
    return list(zip(names, described, strict=True))


@unit_of_work
def add_session(round_: Round, by: User | None, name: str, group_names: Sequence[str],
                compositions: Sequence[str] = ()) -> WorkshopSession:
    """Start the workshop's next session with its small groups, in the order given.

    ``compositions`` says, group by group, who sat in each ("2 patients, 1 carer, 3
    clinicians"); it may be shorter than ``group_names`` or empty.

    Raises
    ------
    ValidationError
        ``round_`` is not a workshop; fewer than 2 or more than 10 groups; a group without a
        name, or two with the same name; more compositions than groups; text too long.
    RoundStateError
        The workshop is not open.
    StateError
        The session before has not closed.
    """
    _check_workshop(round_)
    if not round_.is_open:
        raise RoundStateError(f"The workshop (round {round_.number}) is {round_.state.value}. "
                              "Sessions can be added only while it is open.")
    existing = sessions_of(round_)
    if existing and existing[-1].state != SessionState.CLOSED:
        raise StateError(f"Session {existing[-1].number} is still open. Close it before "
                         "starting the next session.")
    name = (name or "").strip()
    if len(name) > 200:
        raise ValidationError("Keep the session's name to 200 characters or fewer.")
    groups = _clean_names(group_names, compositions)
    session = WorkshopSession(round_id=round_.id, number=len(existing) + 1, name=name,
                              state=SessionState.OPEN, created_at=utcnow())
    for position, (group_name, composition) in enumerate(groups):
        session.groups.append(WorkshopGroup(name=group_name, composition=composition,
                                            position=position))
    db.session.add(session)
    db.session.flush()
    audit.record(round_.study, by, "workshop.session_added", f"session {session.number}",
                 name=name, groups=[group_name for group_name, _ in groups])
    return session


# --- the group lead's link ---------------------------------------------------------------


@unit_of_work
def issue_lead_link(group: WorkshopGroup, by: User | None, now: datetime | None = None) -> str:
    """A new private link token for the group's lead; show it once.

    Only the token's SHA-256 hash is kept. The link expires after :data:`LEAD_LINK_DAYS`
    days, and replaces any earlier link of the group (which stops working at once).

    Raises
    ------
    StateError
        The group's session has closed.
    """
    session = group.session
    if session.state != SessionState.OPEN:
        raise StateError(f"Session {session.number} has closed, so its groups' rankings can no "
                         "longer change. A link is not needed.")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    group.lead_token_hash = hash_token(token)
    group.lead_link_expires_at = now + timedelta(days=LEAD_LINK_DAYS)
    round_ = round_of(session)
    audit.record(round_.study, by, "workshop.lead_link_issued", f"session {session.number}",
                 group=group.name, expires_at=group.lead_link_expires_at.isoformat())
    return token


def find_group_by_token(token: str, now: datetime | None = None) -> WorkshopGroup:
    """The group whose lead's link carries ``token``.

    Raises
    ------
    NotFound
        No group has this link (mistyped, cut short, or replaced by a newer link).
    LeadLinkExpired
        The link has expired.
    """
    token = (token or "").strip()
    group = None
    if 20 <= len(token) <= 128:
        group = db.session.scalar(select(WorkshopGroup).where(
            WorkshopGroup.lead_token_hash == hash_token(token)))
    if group is None:
        raise NotFound("This link is not recognised. It may be cut short, or a newer link may "
                       "have replaced it. Ask the person who runs the workshop for the newest "
                       "link.")
    _check_not_expired(group, now)
    return group


def _check_not_expired(group: WorkshopGroup, now: datetime | None) -> None:
    expires_at = group.lead_link_expires_at
    if expires_at is None or expires_at <= (now or utcnow()):
        raise LeadLinkExpired("This link has expired. Ask the person who runs the workshop "
                              "for a new one.")


def lead_session_value(group: WorkshopGroup) -> list:
    """What a browser's session keeps for a lead: the group's id and the start of its link's
    hash (which cannot be turned back into the link, but tells a replaced link)."""
    return [group.id, group.lead_token_hash[:FINGERPRINT_LENGTH]]


def group_for_session(value, now: datetime | None = None) -> WorkshopGroup:
    """The group a lead's session speaks for (``value`` from :func:`lead_session_value`).

    Raises
    ------
    NotFound
        There is no such session, or the group's link has been replaced since.
    LeadLinkExpired
        The link has expired since the session began.
    """
    group = None
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) \
            and isinstance(value[1], str):
        group = db.session.get(WorkshopGroup, value[0])
    if group is None or not group.lead_token_hash \
            or group.lead_token_hash[:FINGERPRINT_LENGTH] != value[1]:
        raise NotFound("We do not know which group you lead on this device. Open the link "
                       "you were given again. If you had more than one, use the newest.")
    _check_not_expired(group, now)
    return group


# --- entering a group's ranking ----------------------------------------------------------


def and_list(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _quoted(texts: Sequence[str]) -> str:
    return and_list([f"“{text}”" for text in texts])


def check_ranking(items: Sequence[Item], form: Mapping) -> RankingEntry:
    """Check a ranking form against ``items``; nothing is saved.

    Raises
    ------
    ValidationError
        The form names an item that is not in the workshop.
    """
    names = {position_name(item.id): item for item in items}
    if any(key.startswith(POSITION_PREFIX) and key not in names for key in form):
        raise ValidationError("This form does not match the workshop's questions. Open the "
                              "page again and enter the places again.")
    total = len(items)
    values = {name: str(form.get(name, "") or "").strip() for name in names}
    errors: dict[str, str] = {}
    places: dict[str, int] = {}
    for name, item in names.items():
        typed, text = values[name], item.current.text
        if not typed:
            errors[name] = f"Enter a place for “{text}”."
        elif not WHOLE_NUMBER.fullmatch(typed):
            errors[name] = f"Enter the place of “{text}” as a whole number, like 3."
        elif not 1 <= int(typed) <= total:
            errors[name] = f"The place of “{text}” must be from 1 to {total}."
        else:
            places[name] = int(typed)
    by_place: dict[int, list[str]] = {}
    for name, place in places.items():
        by_place.setdefault(place, []).append(name)
    for place, shared in sorted(by_place.items()):
        if len(shared) > 1:
            count = NUMBER_WORDS.get(len(shared), str(len(shared)))
            message = (f"Place {place} is given to {count} questions: "
                       f"{_quoted([names[name].current.text for name in shared])}. Give each "
                       "question its own place.")
            for name in shared:
                errors[name] = message
    ordered_errors = {name: errors[name] for name in names if name in errors}
    if ordered_errors:
        return RankingEntry(values, ordered_errors)
    return RankingEntry(values, {}, {names[name].id: place for name, place in places.items()})


def _check_session_open(session: WorkshopSession) -> Round:
    round_ = round_of(session)
    if session.state != SessionState.OPEN:
        raise RoundStateError(f"Session {session.number} has closed, so its rankings can no "
                              "longer change. Ask the facilitator if one needs correcting.")
    if not round_.is_open:
        raise RoundStateError("The workshop has closed, so its rankings can no longer change.")
    return round_


@unit_of_work
def enter_ranking(group: WorkshopGroup, form: Mapping, by: User | None) -> RankingEntry:
    """Check a group's ranking form and, when it has no errors, save it.

    ``by`` is the staff member entering it, or None when the group's lead enters it through
    their link. The group's earlier ranking is replaced in the same unit of work. With any
    error nothing is saved and the entry carries the messages.

    Raises
    ------
    RoundStateError
        The group's session, or the workshop, has closed.
    ValidationError
        The form names an item that is not in the workshop.
    """
    session = group.session
    round_ = _check_session_open(session)
    entry = check_ranking(items_of(round_), form)
    if entry.errors:
        return entry
    # Lock the group so two people entering at once replace the ranking one after the other.
    db.session.execute(select(WorkshopGroup.id).where(WorkshopGroup.id == group.id)
                       .with_for_update())
    db.session.expire(group, ["ranks"])  # read the ranking as it is now, under the lock
    group.ranks.clear()
    db.session.flush()  # the old places go before the new ones take their unique slots
    for item_id, place in sorted(entry.positions.items(), key=lambda pair: pair[1]):
        group.ranks.append(WorkshopRank(item_id=item_id, position=place))
    group.submitted_at = utcnow()
    group.submitted_by_id = by.id if by is not None else None
    db.session.flush()
    audit.record(round_.study, by, "workshop.ranking_entered", f"session {session.number}",
                 group=group.name, who=(by.name or by.email) if by is not None else LEAD_LINK_WHO)
    return entry


# --- closing a session ----------------------------------------------------


def is_entered(group: WorkshopGroup) -> bool:
    return group.submitted_at is not None and bool(group.ranks)


@unit_of_work
def close_session(session: WorkshopSession, by: User | None) -> WorkshopSession:
    """Close a session once every group's ranking is in; its rankings are then fixed.

    Raises
    ------
    StateError
        The session has closed already, or some groups have not entered their ranking
        (the message names them).
    """
    if session.state != SessionState.OPEN:
        raise StateError(f"Session {session.number} has closed already.")
    waiting = [group.name for group in session.groups if not is_entered(group)]
    if waiting:
        raise StateError(f"Session {session.number} cannot close yet. Still to enter their "
                         f"ranking: {and_list(waiting)}.")
    session.state = SessionState.CLOSED
    session.closed_at = utcnow()
    audit.record(round_of(session).study, by, "workshop.session_closed",
                 f"session {session.number}", groups=len(session.groups))
    return session
