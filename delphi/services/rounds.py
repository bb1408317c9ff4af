"""Running the rounds: open, close, reopen, publish, extend, close by itself, carry forward.

A round moves draft → open → closed → published (:class:`delphi.models.Round` enforces the
moves and raises :class:`delphi.errors.RoundStateError`); a closed, unpublished round may be
reopened once, with a reason. The rules kept here, on top of the state machine:

- **Opening.** Only one round is open at a time, and round *k* > 1 opens only once round
  *k* − 1 is closed or published. A round with no items cannot open. Round 1 takes every item
  in use, in the items' order, when it opens (unless items were put in it before); a later
  round shows the items its draft holds (see *carry forward*). On opening, each item's
  wording is brought up to date (the item's current version), and items retired or merged
  since the draft was prepared are left out. Opening round 1 fixes the study's protocol
  (:func:`delphi.services.protocol.fix_protocol`) in the same unit of work; opening any round
  fixes what its participants see about the round before
  (:func:`delphi.services.feedback.fix_settings`). Opening sends no e-mail: the Messages page
  invites.
- **Close dates** are optional, stored in UTC, entered and shown in Europe/London time
  (:func:`london_to_utc`), and must lie in the future. The worker closes a round by itself
  once its close date has passed (:func:`close_due_rounds`).
- **Closing** classifies every item with the study's primary rule through
  :func:`delphi.services.results.round_results` and keeps each item's status on its
  :class:`RoundItem` (``status``).
- **Publishing** stores the round's fixed results (:func:`delphi.services.results.publish_snapshot`)
  and is blocked while comments or suggestions are unreviewed, unless the facilitator chooses
  to show no comments this round (``Round.shows_no_comments``).
- **Carry forward.** :func:`prepare_next_round` drafts round *k* + 1 by the study's policy and
  records on each item of round *k* what happened to it and why (``decision`` and
  ``decision_reason``); the facilitator then adds or removes items, with a reason
  (:func:`add_to_draft`, :func:`remove_from_draft`). :func:`round_decisions` lists these for
  the report.
- **Who is invited next**: :func:`eligible_participants`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..errors import DelphiError, NotFound, RoundStateError, StateError, ValidationError
from ..extensions import db
from ..models import (
    EvidenceStatus,
    Item,
    ItemDecision,
    ItemStatus,
    Participant,
    ParticipantStatus,
    ResponseType,
    Round,
    RoundItem,
    RoundKind,
    RoundParticipation,
    RoundState,
    Study,
    StudyStatus,
    User,
    utcnow,
)
from . import audit, feedback, moderation, protocol, results
from .transaction import unit_of_work

log = logging.getLogger(__name__)

#: Times are entered and shown in UK time; they are stored in UTC.
LONDON = ZoneInfo("Europe/London")

#: Classifications that mean the panel reached consensus (in or out) on an item.
CONSENSUS_REACHED = frozenset({"consensus_in", "consensus_out", "appropriate", "inappropriate"})

#: What to do with items that reached consensus when the policy re-rates the others.
RETIRE = "retire"
KEEP_FOR_CONFIRMATION = "keep"

DECISION_WORDS = {
    ItemDecision.CARRIED_BY_RULE: "Carried forward by the study's policy",
    ItemDecision.RETIRED_BY_RULE: "Left by the study's policy",
    ItemDecision.KEPT_FOR_CONFIRMATION: "Kept to confirm the consensus",
    ItemDecision.CARRIED_BY_FACILITATOR: "Carried forward by the facilitator",
    ItemDecision.RETIRED_BY_FACILITATOR: "Left out by the facilitator",
}


# --- times ---------------------------------------------------------------------------------


def london_to_utc(local: datetime) -> datetime:
    """A wall-clock time in Europe/London (naive) as an aware UTC time.

    On the night the clocks go back, a time in the repeated hour is read as the first of the
    two (British Summer Time).

    Raises
    ------
    ValidationError
        The time does not exist in the UK: it falls in the hour skipped when the clocks go
        forward.
    """
    aware = local.replace(tzinfo=LONDON, fold=0)
    utc = aware.astimezone(ZoneInfo("UTC"))
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            f"{local:%H:%M} on {local.day} {local:%B %Y} does not exist in the UK: the clocks "
            "go forward an hour that night. Choose a time after 02:00."
        )
    return utc


def _check_future(closes_at: datetime | None, now: datetime) -> datetime | None:
    if closes_at is not None and closes_at <= now:
        raise ValidationError(
            "The close date must be in the future. Enter a later date or time."
        )
    return closes_at


# --- reading -------------------------------------------------------------------------------


def rounds_of(study: Study) -> list[Round]:
    """The study's rounds, by number."""
    return sorted(study.rounds, key=lambda round_: round_.number)


def get_round(study: Study, number: int) -> Round:
    """The study's round with this number.

    Raises
    ------
    NotFound
        The study has no round with this number.
    """
    round_ = next((r for r in study.rounds if r.number == number), None)
    if round_ is None:
        raise NotFound(f"“{study.title}” has no round {number}.")
    return round_


def previous_round(round_: Round) -> Round | None:
    """The round numbered one less in the same study, if there is one."""
    return next((other for other in round_.study.rounds if other.number == round_.number - 1),
                None)


def next_round(round_: Round) -> Round | None:
    """The round numbered one more in the same study, if there is one."""
    return next((other for other in round_.study.rounds if other.number == round_.number + 1),
                None)


def items_to_show(round_: Round) -> list[Item]:
    """The items the round shows, or for a draft round 1 with none chosen, the items in use
    it will take when it opens."""
    if round_.round_items:
        return [round_item.item for round_item in round_.round_items]
    if round_.number == 1 and round_.state == RoundState.DRAFT:
        return _items_in_use(round_.study)
    return []


def addable_items(round_: Round) -> list[Item]:
    """Items in use that a draft round does not show yet (and not already answered by
    research), in the items' order."""
    shown = {round_item.item_id for round_item in round_.round_items}
    return [item for item in _items_in_use(round_.study) if item.id not in shown
            and item.evidence_status != EvidenceStatus.ANSWERED]


def eligible_participants(round_: Round, include_all: bool = False) -> list[Participant]:
    """Who may be invited to ``round_``, by pseudonym.

    Participants of the study who have not withdrawn; for round *k* > 1 only those who took
    part in (completed) round *k* − 1, unless ``include_all``. Test participants are never
    listed (the Messages page adds them when asked to pilot the invitation).
    """
    query = select(Participant).where(
        Participant.study_id == round_.study_id,
        Participant.status != ParticipantStatus.WITHDRAWN,
        Participant.is_test.is_(False),
    ).order_by(Participant.pseudonym)
    previous = previous_round(round_)
    if previous is not None and not include_all:
        took_part = select(RoundParticipation.participant_id).where(
            RoundParticipation.round_id == previous.id,
            RoundParticipation.completed_at.is_not(None),
        )
        query = query.where(Participant.id.in_(took_part))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class DecisionEntry:
    """What happened to one item after a round, and why."""

    round_item: RoundItem
    decision: ItemDecision | None
    reason: str

    @property
    def text(self) -> str:
        return self.round_item.item_version.text

    @property
    def status(self) -> str | None:
        return self.round_item.status

    @property
    def words(self) -> str:
        return DECISION_WORDS.get(self.decision, "Not decided yet")


@dataclass(frozen=True)
class RoundDecisions:
    """One round's items, each with what happened to it next and who decided."""

    round: Round
    entries: tuple[DecisionEntry, ...]

    def _where(self, decisions: Sequence[ItemDecision]) -> list[DecisionEntry]:
        return [entry for entry in self.entries if entry.decision in decisions]

    @property
    def left_by_rule(self) -> list[DecisionEntry]:
        return self._where((ItemDecision.RETIRED_BY_RULE,))

    @property
    def left_by_facilitator(self) -> list[DecisionEntry]:
        return self._where((ItemDecision.RETIRED_BY_FACILITATOR,))

    @property
    def carried_by_rule(self) -> list[DecisionEntry]:
        return self._where((ItemDecision.CARRIED_BY_RULE, ItemDecision.KEPT_FOR_CONFIRMATION))

    @property
    def carried_by_facilitator(self) -> list[DecisionEntry]:
        return self._where((ItemDecision.CARRIED_BY_FACILITATOR,))


def round_decisions(study: Study) -> list[RoundDecisions]:
    """Per round that has closed, which items left (or stayed) by rule and which by the
    facilitator's decision, with reasons; for the report."""
    return [
        RoundDecisions(round_, tuple(
            DecisionEntry(round_item, round_item.decision, round_item.decision_reason or "")
            for round_item in round_.round_items
        ))
        for round_ in rounds_of(study)
        if round_.state in (RoundState.CLOSED, RoundState.PUBLISHED)
    ]


# --- adding a round ------------------------------------------------------------------------


@unit_of_work
def add_round(study: Study, by: User | None) -> Round:
    """Add the next round as a draft (round 1 when the study has none).

    Raises
    ------
    RoundStateError
        A round is still a draft: prepare or open it first.
    """
    existing = rounds_of(study)
    draft = next((round_ for round_ in existing if round_.state == RoundState.DRAFT), None)
    if draft is not None:
        raise RoundStateError(
            f"Round {draft.number} is still a draft. Open it before adding another round."
        )
    round_ = Round(study=study, number=(existing[-1].number + 1) if existing else 1)
    db.session.add(round_)
    db.session.flush()
    audit.record(study, by, "round.added", _target(round_))
    return round_


# --- opening -------------------------------------------------------------------------------


@unit_of_work
def open_round(round_: Round, by: User | None, closes_at: datetime | None = None,
               now: datetime | None = None) -> Round:
    """Start taking answers in a draft round, optionally until ``closes_at`` (UTC).

    Opening sends no e-mail: invite participants on the Messages page.

    Raises
    ------
    RoundStateError
        The round is not a draft, another round is open, or the round before has not
        closed.
    ValidationError
        ``closes_at`` is not in the future.
    StateError
        The round has no items, or round 1 of a Delphi study has no primary consensus rule
        (the protocol cannot be fixed).
    """
    now = now or utcnow()
    study = round_.study
    if round_.state != RoundState.DRAFT:
        round_.open(now)  # raises the state machine's message
    _check_no_other_open(round_)
    previous = previous_round(round_)
    if previous is not None and previous.state not in (RoundState.CLOSED, RoundState.PUBLISHED):
        raise RoundStateError(
            f"Round {previous.number} is {previous.state.value}. Round {round_.number} can "
            f"open only after round {previous.number} has closed."
        )
    _check_future(closes_at, now)
    dropped = _refresh_items(round_)
    if not round_.round_items:
        raise StateError(
            f"Round {round_.number} has no items, so it cannot open. "
            + ("Add items on the Items page first." if round_.number == 1 else
               f"Prepare round {round_.number} from round {round_.number - 1}, or add items "
               "to it, first.")
        )
    round_.open(now)
    round_.opens_at = now
    round_.closes_at = closes_at
    feedback.fix_settings(round_)
    if round_.number == 1 and not protocol.is_fixed(study):
        protocol.fix_protocol(study, now, by)
    if study.status == StudyStatus.SETUP:
        study.status = StudyStatus.RUNNING
    audit.record(study, by, "round.opened", _target(round_),
                 closes_at=closes_at.isoformat() if closes_at else None,
                 items=len(round_.round_items), left_out=dropped)
    return round_


def _check_no_other_open(round_: Round) -> None:
    other = next((r for r in round_.study.rounds if r.is_open and r is not round_), None)
    if other is not None:
        raise RoundStateError(
            f"Round {other.number} is open. Close it before opening round {round_.number}: "
            "only one round is open at a time."
        )


def _items_in_use(study: Study) -> list[Item]:
    return list(db.session.scalars(
        select(Item).where(Item.study_id == study.id, Item.status == ItemStatus.ACTIVE)
        .order_by(Item.position, Item.id)
    ))


def _refresh_items(round_: Round) -> list[int]:
    """Fill round 1 with the items in use if none were chosen, bring every wording up to
    date and leave out items no longer in use; returns the ids of items left out."""
    if not round_.round_items and round_.number == 1:
        for item in _items_in_use(round_.study):
            round_.round_items.append(RoundItem(item=item, item_version=item.current))
    dropped = [ri for ri in round_.round_items if ri.item.status != ItemStatus.ACTIVE]
    for round_item in dropped:
        round_.round_items.remove(round_item)
    kept = sorted(round_.round_items, key=lambda ri: (ri.item.position, ri.item.id))
    for position, round_item in enumerate(kept):
        round_item.position = position
        round_item.item_version = round_item.item.current
    db.session.flush()
    return [round_item.item_id for round_item in dropped]


# --- close date ----------------------------------------------------------------------------


@unit_of_work
def extend_round(round_: Round, by: User | None, closes_at: datetime,
                 now: datetime | None = None) -> Round:
    """Move an open round's close date (UTC) to a later time.

    Raises
    ------
    RoundStateError
        The round is not open.
    ValidationError
        ``closes_at`` is not in the future.
    """
    now = now or utcnow()
    if not round_.is_open:
        raise RoundStateError(
            f"Round {round_.number} is {round_.state.value}; only an open round's close date "
            "can be changed."
        )
    if closes_at is None:
        raise ValidationError("Enter the new close date.")
    _check_future(closes_at, now)
    before = round_.closes_at
    round_.closes_at = closes_at
    audit.record(round_.study, by, "round.close_date_changed", _target(round_),
                 before=before.isoformat() if before else None, after=closes_at.isoformat())
    return round_


# --- closing -------------------------------------------------------------------------------


@unit_of_work
def close_round(round_: Round, by: User | None, now: datetime | None = None) -> Round:
    """Stop taking answers and classify every item with the study's primary rule.

    When the items cannot be classified (the study has no dimension, or its rule does not
    fit the scale), the round still closes and the problem is kept in the audit record.

    Raises
    ------
    RoundStateError
        The round is not open.
    """
    return _close(round_, by, now or utcnow(), automatic=False)


def _close(round_: Round, by: User | None, now: datetime, automatic: bool) -> Round:
    round_.close(now)
    problem = None
    try:
        statuses = classify(round_)
    except ValidationError as error:  # the round still closes; the items stay unclassified
        statuses, problem = {}, str(error)
    audit.record(round_.study, by, "round.closed", _target(round_), automatic=automatic,
                 classified=sum(status is not None for status in statuses.values()),
                 classification_problem=problem)
    return round_


def classify(round_: Round) -> dict[int, str | None]:
    """Store each item's classification under the primary rule on its :class:`RoundItem`.

    Joins the caller's unit of work; returns the status by round item id. Items stay
    unclassified (None) when the study has no primary rule, and items not rated on the
    scale (choice and open questions) always do, as do all items of a round not rated on
    the scale (open questions, ranking, ticking, CHNRI or workshop), which is not
    classified at all.

    Raises
    ------
    ValidationError
        The study has no dimension, or its primary rule does not fit the scale.
    """
    if round_.kind != RoundKind.RATING:
        for round_item in round_.round_items:
            round_item.status = None
        return {round_item.id: None for round_item in round_.round_items}
    outcome = results.round_results(round_)
    classification = outcome.classification
    statuses: dict[int, str | None] = {ri.id: None for ri in round_.round_items}
    if classification is not None:
        for round_item_id, status in zip(outcome.round_items, classification.status,
                                         strict=True):
            statuses[round_item_id] = str(status)
    for round_item in round_.round_items:
        round_item.status = statuses[round_item.id]
    return statuses


def due_rounds(now: datetime) -> list[Round]:
    """Open rounds whose close date has passed."""
    return list(db.session.scalars(
        select(Round).where(Round.state == RoundState.OPEN, Round.closes_at.is_not(None),
                            Round.closes_at <= now)
        .order_by(Round.id)
    ))


def close_due_rounds(now: datetime | None = None) -> int:
    """Close every open round whose close date has passed (the worker calls this).

    Each round closes in its own unit of work, audited as done by the system; a round that
    cannot be closed is logged and tried again on the next pass. Returns how many closed.
    """
    now = now or utcnow()
    closed = 0
    for round_id in [round_.id for round_ in due_rounds(now)]:
        try:
            _close_due(round_id, now)
        except DelphiError as error:
            log.error("round %s could not be closed: %s", round_id, error)
            continue
        closed += 1
    return closed


@unit_of_work
def _close_due(round_id: int, now: datetime) -> None:
    round_ = db.session.get(Round, round_id)
    if round_ is not None and round_.is_open:
        _close(round_, None, now, automatic=True)


# --- reopening -----------------------------------------------------------------------------


@unit_of_work
def reopen_round(round_: Round, by: User | None, reason: str,
                 closes_at: datetime | None = None, now: datetime | None = None) -> Round:
    """Take answers again in a closed, unpublished round, once, for a stated reason.

    The items' classifications and decisions are cleared (closing again classifies them
    afresh); a draft of the next round keeps its items until it is prepared again.

    Raises
    ------
    RoundStateError
        The round is not closed, was reopened before, has no reason, another round is open,
        or a later round has opened.
    ValidationError
        ``closes_at`` is not in the future.
    """
    now = now or utcnow()
    if round_.state == RoundState.CLOSED:
        _check_no_other_open(round_)
        later = [r for r in round_.study.rounds
                 if r.number > round_.number and r.state != RoundState.DRAFT]
        if later:
            raise RoundStateError(
                f"Round {later[0].number} has opened, so round {round_.number} cannot be "
                "reopened."
            )
    _check_future(closes_at, now)
    round_.reopen(reason, now)
    round_.closes_at = closes_at
    for round_item in round_.round_items:
        round_item.status = None
        round_item.decision = None
        round_item.decision_reason = None
    audit.record(round_.study, by, "round.reopened", _target(round_),
                 reason=round_.reopen_reason,
                 closes_at=closes_at.isoformat() if closes_at else None)
    return round_


# --- publishing ----------------------------------------------------------------------------


@unit_of_work
def publish_round(round_: Round, by: User | None, no_comments: bool = False,
                  now: datetime | None = None) -> Round:
    """Fix the round's results in a snapshot that never changes; publishing is irreversible.

    ``no_comments`` publishes with no participants' comments shown this round, even while
    some are unreviewed.

    Raises
    ------
    RoundStateError
        The round is not closed, or comments or suggestions are unreviewed and
        ``no_comments`` was not chosen.
    """
    now = now or utcnow()
    if round_.state != RoundState.CLOSED:
        round_.publish(now)  # raises the state machine's message
    pending = moderation.unreviewed_count(round_)
    if pending and not no_comments:
        raise RoundStateError(
            f"Round {round_.number} has {pending} comment{'s' if pending != 1 else ''} or "
            "suggestions not yet reviewed. Review them first, or choose to show no comments "
            "this round."
        )
    round_.shows_no_comments = bool(no_comments)
    round_.publish(now)
    snapshots = results.publish_snapshot(round_, now)
    audit.record(round_.study, by, "round.published", _target(round_),
                 shows_no_comments=round_.shows_no_comments, unreviewed=pending,
                 snapshots=len(snapshots))
    return round_


# --- carry forward -------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """The drafted next round and how many items it took by each decision."""

    round: Round
    carried: int
    kept_for_confirmation: int
    retired: int
    new_items: int


@unit_of_work
def prepare_next_round(round_: Round, by: User | None, consensus: str = RETIRE) -> Prepared:
    """Draft round *k* + 1 from closed round *k* by the study's carry-forward policy.

    Each item of round *k* gets a decision with a reason:

    - policy ``all``: every item is carried (``carried_by_rule``);
    - policy ``none``: every item leaves (``retired_by_rule``);
    - policy ``no_consensus``: items without consensus are carried; items that reached
      consensus leave (``consensus="retire"``, the default) or are shown again to confirm
      the consensus (``consensus="keep"``, ``kept_for_confirmation``).

    A closed round none of whose items is classified (closed before classifications were
    kept) is classified first. Open questions are asked once and never carried. Items in use
    that were in no round yet (new items, such as those made from suggestions) are added,
    except questions whose evidence check found them already answered by research (a JLA
    interim survey leaves them out; see :mod:`.intake`).
    Preparing again starts the draft afresh, undoing the facilitator's changes to it.

    Raises
    ------
    RoundStateError
        The round is not closed or published, or the next round is no longer a draft.
    ValidationError
        ``consensus`` is neither "retire" nor "keep".
    """
    if round_.state not in (RoundState.CLOSED, RoundState.PUBLISHED):
        raise RoundStateError(
            f"Round {round_.number} is {round_.state.value}. Close it before preparing round "
            f"{round_.number + 1}."
        )
    if consensus not in (RETIRE, KEEP_FOR_CONFIRMATION):
        raise ValidationError("Choose whether items that reached consensus are retired or "
                              "kept for confirmation.")
    if round_.state == RoundState.CLOSED and all(ri.status is None for ri in round_.round_items):
        classify(round_)  # closed before classification was kept (older data)
    study = round_.study
    target = next_round(round_)
    if target is None:
        target = Round(study=study, number=round_.number + 1)
        db.session.add(target)
    elif target.state != RoundState.DRAFT:
        raise RoundStateError(
            f"Round {target.number} is {target.state.value}, so it can no longer be prepared."
        )
    target.round_items.clear()
    db.session.flush()
    policy = study.carry_forward_policy.value
    counts = dict.fromkeys(ItemDecision, 0)
    for round_item in round_.round_items:
        decision, reason = _rule_decision(round_item, policy, consensus)
        round_item.decision, round_item.decision_reason = decision, reason
        counts[decision] += 1
        if decision in (ItemDecision.CARRIED_BY_RULE, ItemDecision.KEPT_FOR_CONFIRMATION) \
                and round_item.item.status == ItemStatus.ACTIVE:
            target.round_items.append(RoundItem(
                item=round_item.item, item_version=round_item.item.current,
                is_carried_forward=True,
            ))
    new_items = _never_shown(study)
    for item in new_items:
        target.round_items.append(RoundItem(item=item, item_version=item.current))
    _renumber(target)
    audit.record(study, by, "round.prepared", _target(target), from_round=round_.number,
                 policy=policy, consensus=consensus,
                 carried=counts[ItemDecision.CARRIED_BY_RULE],
                 kept_for_confirmation=counts[ItemDecision.KEPT_FOR_CONFIRMATION],
                 retired=counts[ItemDecision.RETIRED_BY_RULE], new_items=len(new_items))
    return Prepared(target, counts[ItemDecision.CARRIED_BY_RULE],
                    counts[ItemDecision.KEPT_FOR_CONFIRMATION],
                    counts[ItemDecision.RETIRED_BY_RULE], len(new_items))


def _rule_decision(round_item: RoundItem, policy: str,
                   consensus: str) -> tuple[ItemDecision, str]:
    status = round_item.status
    reached = status in CONSENSUS_REACHED
    words = status.replace("_", " ") if status else "not classified"
    if round_item.item.response_type == ResponseType.OPEN_TEXT:
        return ItemDecision.RETIRED_BY_RULE, "An open question is asked once."
    if policy == "all":
        return ItemDecision.CARRIED_BY_RULE, f"Policy: re-rate all items ({words})."
    if policy == "none":
        return ItemDecision.RETIRED_BY_RULE, f"Policy: no items are re-rated ({words})."
    if not reached:
        return (ItemDecision.CARRIED_BY_RULE,
                f"Policy: re-rate items without consensus ({words}).")
    if consensus == KEEP_FOR_CONFIRMATION:
        return (ItemDecision.KEPT_FOR_CONFIRMATION,
                f"Reached consensus ({words}); shown again to confirm it.")
    return ItemDecision.RETIRED_BY_RULE, f"Reached consensus ({words})."


def _never_shown(study: Study) -> list[Item]:
    in_rounds = select(RoundItem.item_id).join(Round, Round.id == RoundItem.round_id).where(
        Round.study_id == study.id
    )
    return list(db.session.scalars(
        select(Item).where(Item.study_id == study.id, Item.status == ItemStatus.ACTIVE,
                           Item.id.not_in(in_rounds),
                           Item.evidence_status.is_distinct_from(EvidenceStatus.ANSWERED))
        .order_by(Item.position, Item.id)
    ))


def _renumber(round_: Round) -> None:
    ordered = sorted(round_.round_items, key=lambda ri: (ri.item.position, ri.item.id))
    for position, round_item in enumerate(ordered):
        round_item.position = position


def _check_adjustable(round_: Round) -> Round | None:
    if round_.number == 1:
        raise ValidationError(
            "Round 1 shows every item in use when it opens; add or retire items on the Items "
            "page."
        )
    if round_.state != RoundState.DRAFT:
        raise RoundStateError(
            f"Round {round_.number} is {round_.state.value}; items can be added to or removed "
            "from a draft round only."
        )
    return previous_round(round_)


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason; it is kept in the study's record.")
    return reason


def _previous_entry(previous: Round | None, item: Item) -> RoundItem | None:
    if previous is None:
        return None
    return next((ri for ri in previous.round_items if ri.item_id == item.id), None)


@unit_of_work
def add_to_draft(round_: Round, item: Item, by: User | None, reason: str) -> RoundItem:
    """Put an item in use into a draft round, with a reason (``carried_by_facilitator``).

    Raises
    ------
    RoundStateError
        The round is not a draft.
    ValidationError
        No reason, the item is not in use or not the study's, the round shows it already,
        or its evidence check found it already answered.
    """
    previous = _check_adjustable(round_)
    reason = _check_reason(reason)
    if item.study_id != round_.study_id or item.status != ItemStatus.ACTIVE:
        raise ValidationError("Choose an item in use in this study.")
    if any(ri.item_id == item.id for ri in round_.round_items):
        raise ValidationError(f"Round {round_.number} shows this item already.")
    if item.evidence_status == EvidenceStatus.ANSWERED:
        raise ValidationError("Research has already answered this question, so it stays out "
                              "of the survey. Change its evidence check on the uncertainty "
                              "intake page first.")
    round_item = RoundItem(item=item, item_version=item.current,
                           is_carried_forward=_previous_entry(previous, item) is not None)
    round_.round_items.append(round_item)
    _renumber(round_)
    entry = _previous_entry(previous, item)
    if entry is not None:
        entry.decision, entry.decision_reason = ItemDecision.CARRIED_BY_FACILITATOR, reason
    audit.record(round_.study, by, "round.item_added", _target(round_), item=item.id,
                 text=item.current.text, reason=reason)
    return round_item


@unit_of_work
def remove_from_draft(round_: Round, item: Item, by: User | None, reason: str) -> None:
    """Take an item out of a draft round, with a reason (``retired_by_facilitator``).

    Raises
    ------
    RoundStateError
        The round is not a draft.
    ValidationError
        No reason, or the round does not show the item.
    """
    previous = _check_adjustable(round_)
    reason = _check_reason(reason)
    round_item = next((ri for ri in round_.round_items if ri.item_id == item.id), None)
    if round_item is None:
        raise ValidationError(f"Round {round_.number} does not show this item.")
    round_.round_items.remove(round_item)
    _renumber(round_)
    entry = _previous_entry(previous, item)
    if entry is not None:
        entry.decision, entry.decision_reason = ItemDecision.RETIRED_BY_FACILITATOR, reason
    audit.record(round_.study, by, "round.item_removed", _target(round_), item=item.id,
                 text=item.current.text, reason=reason)


def _target(round_: Round) -> str:
    return f"round {round_.number}"
