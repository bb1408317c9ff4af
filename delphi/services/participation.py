"""The one definition of who took part: invited, started, completed, response rate, attrition.

Every page and report that counts participation (reminders, dashboard, flow chart, report,
attrition checks) calls :func:`participation_summary` or :func:`non_completers`, so the numbers
agree everywhere. They are read from :class:`RoundParticipation` rows only:

- **invited**: an invitation for the round was sent (``invited_at`` is set). The invitation
  service sets it, with :func:`record_invited`, in the unit of work that queues the message.
- **started**: at least one answer was saved in the round (``started_at`` is set). The
  answer-saving service must call :func:`record_started` whenever it saves an answer.
- **completed**: the participant confirmed the round's summary page (``completed_at`` is set,
  by :func:`record_completed`). **Took part** means completed.
- **response rate** = completed ÷ invited; None when nobody was invited (never a division
  error).
- **attrition at round k**: participants who completed the study's first round but not
  round k. The first round has no attrition.

Test participants (``is_test``) never count anywhere. Withdrawn participants count as
invited, started and completed in the rounds where they were, whatever happened to their
answers afterwards (the flow chart must show them); as they complete no later round, they
count in attrition for every round after they left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Participant,
    ParticipantStatus,
    Round,
    RoundParticipation,
    StakeholderGroup,
    Study,
    utcnow,
)


@dataclass(frozen=True)
class ParticipationCounts:
    """Participation counts for one round, overall or in one stakeholder group."""

    invited: int = 0
    started: int = 0
    completed: int = 0
    completed_first_round: int = 0
    lost_since_first_round: int = 0

    @property
    def took_part(self) -> int:
        """Took part means completed the round."""
        return self.completed

    @property
    def response_rate(self) -> float | None:
        """Completed ÷ invited, between 0 and 1; None when nobody was invited."""
        return self.completed / self.invited if self.invited else None

    @property
    def attrition(self) -> int:
        """How many completed the first round but not this one."""
        return self.lost_since_first_round

    @property
    def attrition_rate(self) -> float | None:
        """Attrition ÷ completers of the first round; None when nobody completed it."""
        if not self.completed_first_round:
            return None
        return self.lost_since_first_round / self.completed_first_round

    def __add__(self, other: ParticipationCounts) -> ParticipationCounts:
        return ParticipationCounts(
            self.invited + other.invited,
            self.started + other.started,
            self.completed + other.completed,
            self.completed_first_round + other.completed_first_round,
            self.lost_since_first_round + other.lost_since_first_round,
        )


NO_ONE = ParticipationCounts()


@dataclass(frozen=True)
class RoundSummary:
    """One round's participation, overall and per stakeholder group (keyed by group id).

    ``groups`` has an entry for every stakeholder group of the study, with zeros where
    nobody took part, and the key None for participants whose group was deleted.
    """

    round_id: int
    number: int
    overall: ParticipationCounts
    groups: dict[int | None, ParticipationCounts] = field(default_factory=dict)

    def for_group(self, group: StakeholderGroup | int | None) -> ParticipationCounts:
        """The counts of one group (a group or its id); zeros for a group with nobody."""
        key = group.id if isinstance(group, StakeholderGroup) else group
        return self.groups.get(key, NO_ONE)


@dataclass(frozen=True)
class ParticipationSummary:
    """Participation in each of a study's rounds, in round order."""

    rounds: tuple[RoundSummary, ...]

    def for_round(self, round_: Round | int) -> RoundSummary:
        """The summary of one round (a round or its number).

        Raises
        ------
        KeyError
            The round is not in this summary.
        """
        number = round_.number if isinstance(round_, Round) else round_
        for summary in self.rounds:
            if summary.number == number:
                return summary
        raise KeyError(f"round {number} is not in this summary")


def participation_summary(study: Study, round_: Round | None = None) -> ParticipationSummary:
    """Invited, started, completed and attrition per round and stakeholder group.

    With ``round_`` only that round is summarised. Three GROUP BY queries whatever the
    number of participants: rounds, counts per (round, group) and attrition per
    (round, group).
    """
    rounds_query = select(Round.id, Round.number).where(Round.study_id == study.id)
    if round_ is not None:
        rounds_query = rounds_query.where(Round.id == round_.id)
    rounds = db.session.execute(rounds_query.order_by(Round.number)).all()
    group_ids = list(db.session.scalars(
        select(StakeholderGroup.id).where(StakeholderGroup.study_id == study.id)
        .order_by(StakeholderGroup.position, StakeholderGroup.id)
    ))
    counted = _real_participants(study)
    counts = db.session.execute(
        select(
            RoundParticipation.round_id,
            Participant.group_id,
            func.count(RoundParticipation.invited_at),
            func.count(RoundParticipation.started_at),
            func.count(RoundParticipation.completed_at),
        )
        .join(Participant, Participant.id == RoundParticipation.participant_id)
        .where(counted, RoundParticipation.round_id.in_([row.id for row in rounds]))
        .group_by(RoundParticipation.round_id, Participant.group_id)
    ).all()
    table: dict[tuple[int, int | None], list[int]] = {
        (round_id, group_id): [invited, started, completed, 0, 0]
        for round_id, group_id, invited, started, completed in counts
    }
    for round_id, group_id, first, lost in _attrition(study, [row.id for row in rounds]):
        entry = table.setdefault((round_id, group_id), [0, 0, 0, 0, 0])
        entry[3], entry[4] = first, lost

    summaries = []
    for round_id, number in rounds:
        groups = dict.fromkeys(group_ids, NO_ONE)
        for (entry_round, group_id), values in table.items():
            if entry_round == round_id:
                groups[group_id] = ParticipationCounts(*values)
        overall = sum(groups.values(), NO_ONE)
        summaries.append(RoundSummary(round_id, number, overall, groups))
    return ParticipationSummary(tuple(summaries))


def _real_participants(study: Study):
    """The participants who count: this study's, never test participants."""
    return and_(Participant.study_id == study.id, Participant.is_test.is_(False))


def _attrition(study: Study, round_ids: list[int]) -> list[tuple[int, int | None, int, int]]:
    """(round id, group id, completed the first round, of whom did not complete this round)."""
    first_round_id = db.session.scalar(
        select(Round.id).where(Round.study_id == study.id).order_by(Round.number).limit(1)
    )
    if first_round_id is None or not round_ids:
        return []
    first = aliased(RoundParticipation)
    later = aliased(RoundParticipation)
    rounds = aliased(Round)
    return [tuple(row) for row in db.session.execute(
        select(
            rounds.id,
            Participant.group_id,
            func.count(first.id),
            func.count(first.id) - func.count(later.completed_at),
        )
        .select_from(first)
        .join(Participant, Participant.id == first.participant_id)
        .join(rounds, rounds.id.in_(round_ids))
        .outerjoin(later, and_(
            later.round_id == rounds.id, later.participant_id == first.participant_id
        ))
        .where(
            first.round_id == first_round_id,
            first.completed_at.is_not(None),
            _real_participants(study),
        )
        .group_by(rounds.id, Participant.group_id)
    ).all()]


def non_completers(round_: Round, *, invited_only: bool = True) -> list[Participant]:
    """Participants who have not completed ``round_``, by pseudonym.

    Test and withdrawn participants are left out. With ``invited_only`` (the default) only
    participants invited to the round count; otherwise every other participant of the
    study who has not completed it does too. Whether someone asked to stop reminders
    (``reminders_stopped``) is not looked at here: the reminders service filters on it.
    """
    completed = (
        select(RoundParticipation.participant_id)
        .where(RoundParticipation.round_id == round_.id,
               RoundParticipation.completed_at.is_not(None))
    )
    query = select(Participant).where(
        _real_participants(round_.study),
        Participant.status != ParticipantStatus.WITHDRAWN,
        Participant.id.not_in(completed),
    )
    if invited_only:
        query = query.where(Participant.id.in_(
            select(RoundParticipation.participant_id).where(
                RoundParticipation.round_id == round_.id,
                RoundParticipation.invited_at.is_not(None),
            )
        ))
    return list(db.session.scalars(query.order_by(Participant.pseudonym)))


def _participation_row(participant: Participant, round_: Round) -> RoundParticipation:
    row = db.session.scalar(select(RoundParticipation).where(
        RoundParticipation.round_id == round_.id,
        RoundParticipation.participant_id == participant.id,
    ))
    if row is None:
        row = RoundParticipation(round_id=round_.id, participant_id=participant.id)
        db.session.add(row)
    return row


def record_invited(participant: Participant, round_: Round,
                   at: datetime | None = None) -> RoundParticipation:
    """Mark ``participant`` invited to ``round_`` (first time only) in the caller's unit of work."""
    row = _participation_row(participant, round_)
    if row.invited_at is None:
        row.invited_at = at or utcnow()
    return row


def record_started(participant: Participant, round_: Round,
                   at: datetime | None = None) -> RoundParticipation:
    """Mark the first saved answer of ``participant`` in ``round_`` (caller's unit of work)."""
    row = _participation_row(participant, round_)
    if row.started_at is None:
        row.started_at = at or utcnow()
    return row


def record_completed(participant: Participant, round_: Round,
                     at: datetime | None = None) -> RoundParticipation:
    """Mark ``round_`` completed by ``participant`` (caller's unit of work).

    Completing implies having started, so ``started_at`` is filled in if it was empty.
    """
    row = record_started(participant, round_, at)
    if row.completed_at is None:
        row.completed_at = at or utcnow()
    return row
