"""The final workshop's results: each session's combined order, the room's decisions on ties
at the top-10 boundary, and the final order with its method in words.

:func:`session_result` sums the places of the groups that have entered with the engine's
:func:`delphi.engine.workshop.sum_of_ranks` (lowest total first, groups in their order),
flagging contested items (places spread over at least a third of the list) and ties at the
top-10 boundary. The room may settle such ties with :func:`decide_order` (a new
:class:`WorkshopDecision` each time, the latest in force) but may not otherwise change the
order. :func:`final_result` gives the latest closed session's order with its latest
decision applied, the top 10 and the method in words (:func:`describe_method`). Setting up
the workshop, its sessions and entering rankings are in :mod:`.workshop`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from ..engine.workshop import WorkshopTotals, sum_of_ranks
from ..errors import StateError, ValidationError
from ..extensions import db
from ..models import (
    Item,
    Round,
    SessionState,
    User,
    WorkshopDecision,
    WorkshopSession,
    utcnow,
)
from . import audit
from .transaction import unit_of_work
from .workshop import and_list, group_positions, is_entered, items_of, round_of, sessions_of

#: The length of the final list the workshop agrees (the "top 10").
TOP = 10


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


def decisions_of(session: WorkshopSession) -> list[WorkshopDecision]:
    """The session's order decisions, latest (the one in force) first."""
    return list(db.session.scalars(
        select(WorkshopDecision).where(WorkshopDecision.session_id == session.id)
        .order_by(WorkshopDecision.decided_at.desc(), WorkshopDecision.id.desc())))



def session_result(session: WorkshopSession) -> SessionResult:
    """The session's groups' places summed with :func:`sum_of_ranks` (top 10), over the
    groups that have entered, in the groups' order; rows in the combined order."""
    items = items_of(round_of(session))
    entered = [group for group in session.groups if is_entered(group)]
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
        earlier = and_list([str(number) for number in range(1, session.number)])
        label = "Session" if session.number == 2 else "Sessions"
        words.append(f"{label} {earlier} came before, with the room in other groups. They "
                     "are kept for the record; only the last session sets the final order.")
    return " ".join(words)
