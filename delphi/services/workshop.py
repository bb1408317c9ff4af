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
- **Results.** :func:`session_result` sums the groups' places with the engine's
  :func:`delphi.engine.workshop.sum_of_ranks` (lowest total first, groups in their order),
  flags contested items (places spread over at least a third of the list) and ties at the
  top-10 boundary. The room may settle ties with :func:`decide_order` (a new
  :class:`WorkshopDecision` each time, the latest in force), but may not otherwise change
  the order. :func:`final_result` gives the latest closed session's order with its latest
  decision applied, the top 10 and the method in words (:func:`describe_method`).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select

from ..engine.workshop import WorkshopTotals, sum_of_ranks
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
    WorkshopDecision,
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
#: The length of the final list the workshop agrees (the "top 10").
TOP = 10
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


@dataclass(frozen=True)
class SessionRow:
    """One item in a session's combined order (or, in :class:`FinalResult`, the final one).

    ``place`` is the row's place in the list it belongs to (1, 2, 3 ... with no ties);
    ``position`` the engine's position by total, tied items sharing the smallest (1, 2, 2,
    4); ``ranks`` each group's place for the item, by group name.
    """

    place: int
    item: Item
    total: int
    mean_rank: float
    position: int
    ranks: dict[str, int]
    span: int
    contested: bool
    tied_at_boundary: bool

    @property
    def text(self) -> str:
        return self.item.current.text


@dataclass(frozen=True)
class SessionResult:
    """A session's groups' places summed (over the groups that have entered so far)."""

    session: WorkshopSession
    rows: tuple[SessionRow, ...]
    groups_entered: int
    groups_total: int
    group_names: tuple[str, ...]
    totals: WorkshopTotals | None

    @property
    def is_complete(self) -> bool:
        return self.groups_total > 0 and self.groups_entered == self.groups_total

    @property
    def boundary_ties(self) -> tuple[SessionRow, ...]:
        """The rows tied across the top-10 boundary, for the room to settle."""
        return tuple(row for row in self.rows if row.tied_at_boundary)

    @property
    def contested(self) -> tuple[SessionRow, ...]:
        return tuple(row for row in self.rows if row.contested)


@dataclass(frozen=True)
class FinalResult:
    """The workshop's outcome: the latest closed session's order with its latest decision
    applied; ``rows`` in final order (``place`` 1 first), ``top10`` the first ten."""

    round: Round
    session: WorkshopSession
    result: SessionResult
    rows: tuple[SessionRow, ...]
    top10: tuple[SessionRow, ...]
    decision: WorkshopDecision | None
    method_words: str


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


def decisions_of(session: WorkshopSession) -> list[WorkshopDecision]:
    """The session's order decisions, latest (the one in force) first."""
    return list(db.session.scalars(
        select(WorkshopDecision).where(WorkshopDecision.session_id == session.id)
        .order_by(WorkshopDecision.decided_at.desc(), WorkshopDecision.id.desc())))


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


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _quoted(texts: Sequence[str]) -> str:
    return _and([f"“{text}”" for text in texts])


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


# --- closing a session and its result ----------------------------------------------------


def _is_entered(group: WorkshopGroup) -> bool:
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
    waiting = [group.name for group in session.groups if not _is_entered(group)]
    if waiting:
        raise StateError(f"Session {session.number} cannot close yet. Still to enter their "
                         f"ranking: {_and(waiting)}.")
    session.state = SessionState.CLOSED
    session.closed_at = utcnow()
    audit.record(round_of(session).study, by, "workshop.session_closed",
                 f"session {session.number}", groups=len(session.groups))
    return session


def session_result(session: WorkshopSession) -> SessionResult:
    """The session's groups' places summed with :func:`sum_of_ranks` (top 10), over the
    groups that have entered, in the groups' order; rows in the combined order."""
    items = items_of(round_of(session))
    entered = [group for group in session.groups if _is_entered(group)]
    names = tuple(group.name for group in entered)
    if not entered or not items:
        return SessionResult(session, (), 0, len(session.groups), names, None)
    matrix = np.array([[group_positions(group)[item.id] for item in items]
                       for group in entered], dtype=int)
    totals = sum_of_ranks(matrix, top=TOP)
    tied = {int(index) for index in totals.boundary_ties}
    rows = tuple(
        SessionRow(
            place=place, item=items[index], total=int(totals.totals[index]),
            mean_rank=float(totals.mean_rank[index]), position=int(totals.position[index]),
            ranks={name: int(matrix[row, index]) for row, name in enumerate(names)},
            span=int(totals.span[index]), contested=bool(totals.contested[index]),
            tied_at_boundary=index in tied,
        )
        for place, index in enumerate((int(i) for i in totals.order), start=1)
    )
    return SessionResult(session, rows, len(entered), len(session.groups), names, totals)


def _item_ids(item_order: Sequence) -> list[int]:
    try:
        return [int(item_id) for item_id in item_order]
    except (TypeError, ValueError):
        raise ValidationError("The order names a question that is not in the workshop.") \
            from None


@unit_of_work
def decide_order(session: WorkshopSession, by: User | None, item_order: Sequence[int],
                 reason: str) -> WorkshopDecision:
    """Record the room's order after a closed session: ties settled, with a reason.

    ``item_order`` lists every shortlisted item's id, top first. It must keep the session's
    combined order except within groups of items with the same total: the room may settle
    ties, not reorder freely. Each decision is kept; the latest is in force.

    Raises
    ------
    StateError
        The session is still open.
    ValidationError
        No reason; the order leaves out, repeats or adds a question; or it moves a question
        past one with a different total.
    """
    if session.state != SessionState.CLOSED:
        raise StateError(f"Session {session.number} is still open. Close it before deciding "
                         "the order.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the order; it is kept in the record.")
    order = _item_ids(item_order)
    result = session_result(session)
    by_id = {row.item.id: row for row in result.rows}
    if len(order) != len(by_id) or set(order) != set(by_id):
        raise ValidationError(f"Put all {len(by_id)} questions in the order, each once.")
    positions = [by_id[item_id].position for item_id in order]
    for index in range(1, len(order)):
        if positions[index] < positions[index - 1]:
            raise ValidationError(
                f"“{by_id[order[index - 1]].text}” cannot come before “"
                f"{by_id[order[index]].text}”: its total is higher. Only questions with the "
                "same total can change places.")
    decision = WorkshopDecision(session_id=session.id, item_order=order, reason=reason,
                                decided_by_id=by.id if by is not None else None,
                                decided_at=utcnow())
    db.session.add(decision)
    db.session.flush()
    audit.record(round_of(session).study, by, "workshop.order_decided",
                 f"session {session.number}", item_order=order, reason=reason)
    return decision


def _latest_closed(round_: Round) -> WorkshopSession | None:
    closed = [session for session in sessions_of(round_) if session.state == SessionState.CLOSED]
    return closed[-1] if closed else None


def final_result(round_: Round) -> FinalResult | None:
    """The workshop's final order: the latest closed session's combined order with that
    session's latest decision applied; None before any session has closed."""
    session = _latest_closed(round_)
    if session is None:
        return None
    result = session_result(session)
    decisions = decisions_of(session)
    decision = decisions[0] if decisions else None
    rows = result.rows
    if decision is not None:
        by_id = {row.item.id: row for row in rows}
        rows = tuple(by_id[item_id] for item_id in decision.item_order)
    rows = tuple(dataclasses.replace(row, place=place) for place, row in enumerate(rows, 1))
    words = _method_words(round_, session, result, decision)
    return FinalResult(round_, session, result, rows, rows[:TOP], decision, words)


def describe_method(round_: Round) -> str:
    """How the workshop's order is reached, in plain words (for the report and the page)."""
    session = _latest_closed(round_)
    if session is None:
        count = len(round_.round_items)
        return (f"In each session, every small group puts all {count} questions in order. For "
                "each question we add up its places across the groups. The question with the "
                "lowest total comes first. The room settles any ties.")
    decisions = decisions_of(session)
    return _method_words(round_, session, session_result(session),
                         decisions[0] if decisions else None)


def _method_words(round_: Round, session: WorkshopSession, result: SessionResult,
                  decision: WorkshopDecision | None) -> str:
    groups = result.groups_total
    count = len(result.rows)
    words = [
        f"Each of the {groups} small groups in session {session.number} put all {count} "
        "questions in order, from 1 (most important) to "
        f"{count}.",
        "For each question we added up its places across the groups.",
        "The question with the lowest total came first, the next lowest second, and so on.",
    ]
    positions = [row.position for row in result.rows]
    has_ties = len(set(positions)) < len(positions)
    if decision is not None:
        words.append("Where questions had the same total, the room agreed their order, for "
                     f"this reason: {decision.reason.rstrip('.')}.")
    elif has_ties:
        words.append("Questions with the same total share a place; the room has not settled "
                     "their order.")
    else:
        words.append("No two questions had the same total.")
    if result.contested:
        words.append("A question is marked as contested when its places in the groups spread "
                     "over at least a third of the list.")
    if session.number > 1:
        earlier = _and([str(number) for number in range(1, session.number)])
        label = "Session" if session.number == 2 else "Sessions"
        words.append(f"{label} {earlier} came before, with the room in other groups. They "
                     "are kept for the record; only the last session sets the final order.")
    return " ".join(words)
