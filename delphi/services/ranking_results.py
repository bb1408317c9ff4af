"""A ranking round's results, the methods compared, and the shortlist for the final workshop.

:func:`ranking_results` reads the round's ``Ranking`` rows with one query into a
participants × items matrix of positions (NaN where an item was not chosen; for a
"tick your top N" round, :attr:`RoundKind.CHOOSE_N`, a boolean matrix of choices, because
its stored positions carry no order) and hands it to the engine's
:func:`delphi.engine.ranking.rank_aggregate`:

- **Who counts.** Real participants who chose at least one of the round's items; test
  participants never count. Each participant belongs to their stakeholder group (those
  without one to "No stakeholder group"), and a group's size is its number of such people.
- **Items.** The round's items in round order; rankings of items not in the round are
  ignored.
- **Methods.** ``"jla"`` (the default, the James Lind Alliance method: points totalled
  within each group, each group's list re-scored by position, position scores summed, so
  every group counts equally whatever its size), ``"union"`` (the union of each group's top
  ``k``, ordered by the JLA score) and ``"weighted"`` (each group's points per respondent,
  summed over groups). See :func:`rank_aggregate` for the formulas.
- **Agreement.** Kendall's W among participants (their positions, unchosen items tied after
  the chosen ones, as :func:`delphi.engine.ranking.kendalls_w` expects) and among groups
  (each group's order of all items).

**The shortlist.** :func:`propose_cut` proposes where to cut the list: after the position
``p`` between 25 and 30 (inclusive) that maximises ``score[p] − score[p + 1]`` (positions
counted from 1 in the list's order), the smallest such ``p`` on ties; ``p + 1`` must be in
the list, so a list of 25 items or fewer is kept whole. Items with the same score on both
sides of a cut are **tied at the cut**: they are listed for the steering group, never
broken silently. :func:`decide_shortlist` records the steering group's decision (a new
:class:`Shortlist` row each time; the latest is in force), with a reason whenever the size
differs from the proposal. A cut is taken from a scored list, so it is decided under
``"jla"`` or ``"weighted"``; the union of groups' top lists is shown beside them in
:func:`compare_methods`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from ..engine.ranking import TIE_DECIMALS, Concordance, Ranking, kendalls_w, rank_aggregate
from ..errors import Forbidden, RoundStateError, ValidationError
from ..extensions import db
from ..models import (
    Participant,
    Round,
    RoundKind,
    RoundState,
    Shortlist,
    StakeholderGroup,
    User,
    utcnow,
)
from ..models import Ranking as RankingRow
from . import audit
from .results import UNGROUPED
from .studies import role_in
from .transaction import unit_of_work

METHODS = ("jla", "union", "weighted")
"""The ways a ranking round's choices can be combined, the default first."""

SHORTLIST_METHODS = ("jla", "weighted")
"""The methods a shortlist can be cut from (each gives a scored list)."""

METHOD_NAMES = {
    "jla": "James Lind Alliance (each group counts equally)",
    "union": "Each group's top choices together",
    "weighted": "Points per person in each group",
}

CUT_LOW = 25
CUT_HIGH = 30
RANKING_KINDS = (RoundKind.RANKING, RoundKind.CHOOSE_N)
FINISHED = (RoundState.CLOSED, RoundState.PUBLISHED)


@dataclass(frozen=True)
class RankedItem:
    """One item's line in the results, in the list's order."""

    position: float
    item_id: int
    number: int
    text: str
    times_chosen: int
    points: float
    mean_rank: float
    score: float
    selected: bool
    by_group: dict[str, tuple[int, float, float]]
    """Group name -> (times chosen, points, position in the group's own list)."""


@dataclass(frozen=True)
class RankingResults:
    """A ranking round's combined list under one method, per group and combined.

    ``item_ids``, ``numbers`` and ``texts`` are the round's items in round order (the
    columns of the engine's matrix); ``ranking`` is the engine's result; ``rows`` are the
    items in the list's order. ``among_participants`` and ``among_groups`` are Kendall's W
    (None with fewer than two participants or groups).
    """

    round_id: int
    method: str
    k: int | None
    chosen_only: bool
    item_ids: tuple[int, ...]
    numbers: tuple[int, ...]
    texts: tuple[str, ...]
    group_names: tuple[str, ...]
    group_sizes: dict[str, int]
    n_participants: int
    ranking: Ranking
    among_participants: Concordance | None
    among_groups: Concordance | None
    rows: tuple[RankedItem, ...] = field(default=())

    @property
    def scores_in_order(self) -> list[float]:
        return [row.score for row in self.rows]


@dataclass(frozen=True)
class CutProposal:
    """Where to cut a list: the proposal, the size in force and the items tied at it."""

    proposed_size: int
    size: int
    tied: tuple[RankedItem, ...]


@dataclass(frozen=True)
class MethodComparison:
    """The shortlist under each method and the items not on all of them."""

    size: int
    k: int
    shortlists: dict[str, tuple[int, ...]]
    differing: tuple[int, ...]


@dataclass(frozen=True)
class ShortlistDecision:
    """One recorded decision, with who made it."""

    shortlist: Shortlist
    decided_by: str


# --- reading the rankings --------------------------------------------------------------------


def check_finished(round_: Round) -> None:
    """Raise :class:`RoundStateError` unless ``round_`` is a closed or published ranking round."""
    if round_.kind not in RANKING_KINDS:
        raise RoundStateError(f"Round {round_.number} is not a ranking round, so it has no "
                              "ranking results.")
    if round_.state not in FINISHED:
        raise RoundStateError(f"Round {round_.number} is {round_.state.value}. Its ranking "
                              "results are shown once it has closed.")


def _matrix(round_: Round):
    """(positions matrix, group label per participant, item ids, numbers, texts)."""
    round_items = list(round_.round_items)
    if not round_items:
        raise ValidationError(f"Round {round_.number} has no items, so nothing was ranked.")
    item_ids = tuple(ri.item_id for ri in round_items)
    column = {item_id: index for index, item_id in enumerate(item_ids)}
    rows = db.session.execute(
        select(RankingRow.participant_id, RankingRow.item_id, RankingRow.position,
               StakeholderGroup.name)
        .join(Participant, Participant.id == RankingRow.participant_id)
        .outerjoin(StakeholderGroup, StakeholderGroup.id == Participant.group_id)
        .where(RankingRow.round_id == round_.id, Participant.is_test.is_(False))
        .order_by(RankingRow.participant_id, RankingRow.position)
    ).all()
    people: dict[int, int] = {}
    groups: list[str] = []
    for participant_id, item_id, _position, group in rows:
        if item_id in column and participant_id not in people:
            people[participant_id] = len(people)
            groups.append(group or UNGROUPED)
    positions = np.full((len(people), len(item_ids)), np.nan)
    for participant_id, item_id, position, _group in rows:
        if item_id in column:
            positions[people[participant_id], column[item_id]] = position
    if not people:
        raise ValidationError(f"Nobody has ranked the items of round {round_.number}, so "
                              "there are no results yet.")
    texts = tuple(ri.item_version.text for ri in round_items)
    return positions, groups, item_ids, tuple(range(1, len(item_ids) + 1)), texts


def _top_n(round_: Round, positions: np.ndarray, chosen_only: bool) -> int | None:
    if chosen_only:
        return None
    used = int(np.nanmax(positions))
    size = round_.ranking_size
    return size if size is not None and size >= used else None


def _concordance(matrix: np.ndarray) -> Concordance | None:
    if matrix.shape[0] < 2 or matrix.shape[1] < 2:
        return None
    return kendalls_w(matrix)


def ranking_results(round_: Round, method: str = "jla", k: int | None = None) -> RankingResults:
    """The round's combined list under ``method`` (``"jla"``, ``"union"`` or ``"weighted"``).

    ``k`` is each group's top list for ``"union"`` (default: the shortlist size, see
    :func:`shortlist_size`) and is ignored otherwise.

    Raises
    ------
    ValidationError
        An unknown method, a ``k`` below 1, or nobody ranked anything.
    """
    if method not in METHODS:
        raise ValidationError(f"Choose a method: {', '.join(METHODS)}; not “{method}”.")
    positions, groups, item_ids, numbers, texts = _matrix(round_)
    chosen_only = round_.kind == RoundKind.CHOOSE_N
    ranks = ~np.isnan(positions) if chosen_only else positions
    top_n = _top_n(round_, positions, chosen_only)
    if method == "union":
        if k is None:
            k = shortlist_size(round_)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValidationError("Each group's top list must hold at least 1 item.")
    else:
        k = None
    ranking = rank_aggregate(ranks, top_n=top_n, groups=groups, method=method, k=k)
    w_ranks = np.where(np.isnan(positions), np.nan, 1.0) if chosen_only else positions
    group_names = tuple(ranking.by_group)
    among_groups = _concordance(np.vstack(
        [ranking.by_group[name].position for name in group_names])) if group_names else None
    sizes = {name: groups.count(name) for name in group_names}
    rows = tuple(
        RankedItem(
            position=float(ranking.position[i]), item_id=item_ids[i], number=numbers[i],
            text=texts[i], times_chosen=int(ranking.times_chosen[i]),
            points=float(ranking.points[i]), mean_rank=float(ranking.mean_rank[i]),
            score=float(ranking.score[i]), selected=bool(ranking.selected[i]),
            by_group={name: (int(part.times_chosen[i]), float(part.points[i]),
                             float(part.position[i]))
                      for name, part in ranking.by_group.items()},
        )
        for i in ranking.order.tolist()
    )
    return RankingResults(
        round_id=round_.id, method=method, k=k, chosen_only=chosen_only, item_ids=item_ids,
        numbers=numbers, texts=texts, group_names=group_names, group_sizes=sizes,
        n_participants=len(groups), ranking=ranking,
        among_participants=_concordance(w_ranks), among_groups=among_groups, rows=rows,
    )


# --- the shortlist ---------------------------------------------------------------------------


def propose_cut(scores_in_order: Sequence[float], low: int = CUT_LOW,
                high: int = CUT_HIGH) -> int:
    """The proposed shortlist size: after the largest drop in score between ``low`` and ``high``.

    With ``score[p]`` the score at position ``p`` (1 = top, ``scores_in_order`` sorted from
    the top), the cut after ``p`` maximises ``score[p] − score[p + 1]`` over
    ``low ≤ p ≤ high`` with ``p + 1`` in the list; the smallest ``p`` wins a tie. A list
    with no such ``p`` (``low`` items or fewer) is kept whole.

    Raises
    ------
    ValueError
        ``low`` below 1 or ``high`` below ``low``.
    """
    if low < 1 or high < low:
        raise ValueError(f"low {low} and high {high} must satisfy 1 <= low <= high")
    scores = [float(score) for score in scores_in_order]
    last = min(high, len(scores) - 1)
    if last < low:
        return len(scores)
    drops = [(round(scores[p - 1] - scores[p], TIE_DECIMALS), p) for p in range(low, last + 1)]
    largest = max(drop for drop, _p in drops)
    return min(p for drop, p in drops if drop == largest)


def tied_at_cut(scores_in_order: Sequence[float], size: int) -> tuple[int, ...]:
    """Positions (1 = top) of the items whose score equals that on both sides of the cut.

    Empty when the item at ``size`` and the one after it have different scores (or the list
    is cut at its end).
    """
    scores = [round(float(score), TIE_DECIMALS) for score in scores_in_order]
    if size < 1 or size >= len(scores) or scores[size - 1] != scores[size]:
        return ()
    return tuple(p for p, score in enumerate(scores, start=1) if score == scores[size - 1])


def current_shortlist(round_: Round) -> Shortlist | None:
    """The decision in force for ``round_`` (the latest), or None before any."""
    return db.session.scalar(
        select(Shortlist).where(Shortlist.round_id == round_.id)
        .order_by(Shortlist.decided_at.desc(), Shortlist.id.desc()).limit(1))


def shortlisted_items(round_: Round) -> tuple[int, ...] | None:
    """The item ids on the shortlist in force, top first, or None before any decision."""
    decided = current_shortlist(round_)
    if decided is None:
        return None
    found = ranking_results(round_, decided.method)
    return tuple(row.item_id for row in found.rows[:decided.size])


def shortlist_history(round_: Round) -> list[ShortlistDecision]:
    """Every decision for ``round_``, latest first, with the decider's name."""
    found = db.session.execute(
        select(Shortlist, User.name, User.email)
        .outerjoin(User, User.id == Shortlist.decided_by_id)
        .where(Shortlist.round_id == round_.id)
        .order_by(Shortlist.decided_at.desc(), Shortlist.id.desc())).all()
    return [ShortlistDecision(row, name or email or "Someone no longer on the team")
            for row, name, email in found]


def shortlist_size(round_: Round) -> int:
    """The size in force: the latest decision's, else the proposal under JLA."""
    decided = current_shortlist(round_)
    if decided is not None:
        return decided.size
    return propose_cut(ranking_results(round_, "jla").scores_in_order)


def cut_proposal(results: RankingResults, size: int | None = None) -> CutProposal:
    """The proposal for ``results``' list, the size in force (``size`` or the proposal) and
    the items tied at that cut."""
    scores = results.scores_in_order
    proposed = propose_cut(scores)
    size = proposed if size is None else size
    tied = tuple(results.rows[p - 1] for p in tied_at_cut(scores, size))
    return CutProposal(proposed, size, tied)


def compare_methods(round_: Round, k: int | None = None) -> MethodComparison:
    """The shortlist under JLA, union (each group's top ``k``, default the shortlist size)
    and weighted, and the items not on all three (item ids, in JLA order).

    JLA and weighted lists are cut at the size in force (:func:`shortlist_size`); the union
    holds every item in at least one group's top ``k``.
    """
    size = shortlist_size(round_)
    k = size if k is None else k
    jla = ranking_results(round_, "jla")
    union = ranking_results(round_, "union", k)
    weighted = ranking_results(round_, "weighted")
    shortlists = {
        "jla": tuple(row.item_id for row in jla.rows[:size]),
        "union": tuple(row.item_id for row in union.rows if row.selected),
        "weighted": tuple(row.item_id for row in weighted.rows[:size]),
    }
    everywhere = set.intersection(*(set(items) for items in shortlists.values()))
    differing = tuple(row.item_id for row in jla.rows
                      if row.item_id not in everywhere
                      and any(row.item_id in items for items in shortlists.values()))
    return MethodComparison(size, k, shortlists, differing)


@unit_of_work
def decide_shortlist(round_: Round, by: User, size: int, reason: str = "",
                     method: str = "jla") -> Shortlist:
    """Record the steering group's shortlist: ``size`` items of the list under ``method``.

    Anyone on the study's team may decide (it is the steering group's decision). A reason is
    required when ``size`` differs from the proposal. Records ``shortlist.decided``.

    Raises
    ------
    Forbidden
        ``by`` is not on the study's team.
    RoundStateError
        The round is not a closed or published ranking round.
    ValidationError
        An unknown method, a size outside 1 to the number of items, or no reason for a
        changed size.
    """
    study = round_.study
    if role_in(study, by) is None:
        raise Forbidden(f"You are not on the team of the study “{study.title}”.")
    check_finished(round_)
    if method not in SHORTLIST_METHODS:
        raise ValidationError("A shortlist is cut from the James Lind Alliance list or the "
                              "points-per-person list.")
    results = ranking_results(round_, method)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= len(results.rows):
        raise ValidationError(f"The shortlist must hold between 1 and {len(results.rows)} "
                              "items.")
    proposed = propose_cut(results.scores_in_order)
    reason = (reason or "").strip()
    if size != proposed and not reason:
        raise ValidationError(f"Give a reason for a shortlist of {size} items instead of the "
                              f"proposed {proposed}; it is kept in the record.")
    shortlist = Shortlist(round_id=round_.id, method=method, proposed_size=proposed, size=size,
                          reason=reason, decided_by_id=by.id, decided_at=utcnow())
    db.session.add(shortlist)
    db.session.flush()
    audit.record(study, by, "shortlist.decided", f"round {round_.number}", method=method,
                 proposed_size=proposed, size=size, reason=reason)
    return shortlist
