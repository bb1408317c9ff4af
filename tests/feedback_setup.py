"""Two rounds for the feedback tests: round 1 answered, closed and published, round 2 drafted
from it (every item carried, plus one new item); shared by the service and page tests."""

from __future__ import annotations

from dataclasses import dataclass

from delphi.engine import COMET_GRADE
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    CarryForwardPolicy,
    Comment,
    ConsensusRule,
    Item,
    ItemVersion,
    ModerationState,
    Participant,
    Round,
    RoundParticipation,
    RuleRole,
    Study,
)
from delphi.services import rounds

from .factories import make_participant, make_study

MIN_GROUP_SIZE = 3

# Per item, each participant's answer: a point, "unable", or None (no answer). Participants
# are 4 patients and carers, 3 nurses and 1 doctor (below the smallest group size); the
# first patient is "me".
GROUP_SIZES = (("Patients and carers", 4), ("Nurses", 3), ("Doctors", 1))
ANSWERS = (
    (6, 8, 9, 7, 8, 8, 2, 9),
    ("unable", 9, 8, 3, 7, 4, 5, 1),
    (None, 2, 1, 1, 2, 9, 3, 3),
)


@dataclass
class TwoRounds:
    study: Study
    round_one: Round
    round_two: Round
    people: list[Participant]
    new_item: Item

    @property
    def me(self) -> Participant:
        return self.people[0]


def build(owner, *, publish: bool = True, settings: dict | None = None,
          open_round_two: bool = True, comments: bool = True) -> TwoRounds:
    """Round 1 answered as in :data:`ANSWERS` (and by a test participant, who never counts),
    closed and, if ``publish``, published; round 2 prepared with ``settings`` and opened."""
    study = make_study(owner=owner)
    study.min_group_size = MIN_GROUP_SIZE
    study.carry_forward_policy = CarryForwardPolicy.ALL
    _db.session.add(ConsensusRule(study=study, name="COMET GRADE", role=RuleRole.PRIMARY,
                                  definition=COMET_GRADE.to_dict()))
    _db.session.commit()
    round_one = study.rounds[0]
    rounds.open_round(round_one, owner)
    people = [make_participant(study, group=group)
              for group, (_name, size) in zip(study.groups, GROUP_SIZES, strict=True)
              for _ in range(size)]
    tester = make_participant(study, pseudonym="TEST1")
    tester.is_test = True
    dimension = study.dimensions[0]
    for participant in [*people, tester]:
        _db.session.add(RoundParticipation(round=round_one, participant=participant,
                                           started_at=round_one.opened_at,
                                           completed_at=round_one.opened_at))
    for round_item, row in zip(round_one.round_items, ANSWERS, strict=True):
        for participant, answer in zip([*people, tester], [*row, 1], strict=True):
            if answer is None:
                continue
            _db.session.add(Answer(
                participant=participant, round_item=round_item,
                item_version_id=round_item.item_version_id, dimension=dimension,
                value=None if answer == "unable" else answer, is_unable=answer == "unable"))
    if comments:
        first = round_one.round_items[0]
        _db.session.add_all([
            Comment(participant=people[1], round_item=first, original_text="Matters a lot.",
                    shown_text="Matters a lot.", moderation_state=ModerationState.APPROVED),
            Comment(participant=people[2], round_item=first, original_text="Rude words",
                    shown_text="", moderation_state=ModerationState.HIDDEN),
        ])
    _db.session.commit()
    rounds.close_round(round_one, owner)
    if publish:
        rounds.publish_round(round_one, owner)
    new_item = Item(study=study, position=10, domain="Physical")
    _db.session.add_all([new_item, ItemVersion(item=new_item, number=1, text="A new one")])
    _db.session.commit()
    round_two = rounds.prepare_next_round(round_one, owner).round
    if settings is not None:
        round_two.feedback = settings
        _db.session.commit()
    if open_round_two:
        rounds.open_round(round_two, owner)
    return TwoRounds(study, round_one, round_two, people, new_item)


def plain_counts(item_index: int, members: range | None = None) -> list[int]:
    """Counts per point 1-9 of :data:`ANSWERS` for one item, counted in plain Python."""
    row = ANSWERS[item_index]
    chosen = range(len(row)) if members is None else members
    counts = [0] * 9
    for index in chosen:
        if isinstance(row[index], int):
            counts[row[index] - 1] += 1
    return counts


def group_members(name: str) -> range:
    start = 0
    for group, size in GROUP_SIZES:
        if group == name:
            return range(start, start + size)
        start += size
    raise KeyError(name)
