"""A JLA-style demo partnership: long-term breathlessness, from open questions to a top 10.

Built through the services, with a seeded random stream, so that it always shows what a
partnership goes through:

- **Round 1, open questions.** Three open questions (retired once the round closes) bring
  about 90 submissions from about 60 people: repeated questions in different words, several
  from one organisation (counted as one respondent), and some out of scope. The facilitator
  groups them into 40 indicative questions.
- **Evidence check.** Three questions turn out to be answered by research and are left out;
  some are partly answered.
- **Round 2, interim ranking survey** (each person puts exactly 10 in order), answered by
  about 70 people whose groups differ, closed; the steering group keeps the proposed
  shortlist.
- **Round 3, the final workshop** (today): two sessions of four small groups each rank the
  whole shortlist; both sessions are closed. In the second, two questions tie at the top-10
  boundary and the room's decision, with its reason, settles the final top 10. The workshop
  round stays open, as on the day, for the facilitator to close.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from ..extensions import db
from ..models import (
    Item,
    Participant,
    Ranking,
    ResponseType,
    Round,
    RoundKind,
    RoundParticipation,
    Study,
    StudyKind,
    StudyStatus,
    Suggestion,
    User,
    utcnow,
)
from . import (
    demo_common,
    demo_workshop,
    intake,
    items,
    ranking,
    ranking_results,
    rounds,
    suggestions,
)
from . import demo_priorities_data as data
from .demo_common import DemoLogins
from .transaction import unit_of_work

SEED = 20261126
TOP = 10
SUBMITTERS = 60
RANKERS = 70
EXTRA_SUBMISSIONS = (0, 1, 2, 3, 4)
EXTRA_WEIGHTS = (45, 30, 15, 7, 3)
#: How much one step of a question's appeal (1-5) to a group raises its ranking key, against
#: the standard Gumbel noise of each person's own view.
APPEAL_STEP = 1.6


@unit_of_work
def load_demo(ranking_open: bool = False) -> DemoLogins:
    """Create the demo partnership with the demo staff accounts.

    With ``ranking_open`` the demo stops while the interim survey (round 2) is open: 70 of
    the 80 participants have ranked, the others have not started.
    """
    rng = random.Random(SEED)
    now = utcnow()
    study = Study(
        title=data.TITLE, summary=data.SUMMARY, kind=StudyKind.PRIORITY_SETTING,
        status=StudyStatus.RUNNING, contact_name="Breathlessness Priorities Team",
        contact_email="breathlessness-priorities@example.org", planned_rounds=3,
    )
    db.session.add(study)
    facilitator, steering = demo_common.staff(study)
    people = _people(study, now - timedelta(days=150))
    round_one, submissions = _open_questions(study, facilitator, people, rng, now)
    _intake(submissions, facilitator)
    made = _indicative_questions(submissions, facilitator)
    for item, question in zip(made, data.QUESTIONS, strict=True):
        intake.set_evidence(item, by=facilitator, status=question[3],
                            note=data.NOTES[question[3]])
    round_two = _interim_survey(round_one, facilitator)
    ranking.set_ranking_settings(round_two, facilitator, RoundKind.RANKING, TOP, True)
    rounds.open_round(round_two, facilitator, now=now - timedelta(days=80))
    _rank(round_two, people, made, rng)
    if ranking_open:
        return demo_common.logins(study)
    rounds.close_round(round_two, facilitator, now=now - timedelta(days=45))
    proposed = ranking_results.cut_proposal(ranking_results.ranking_results(round_two))
    ranking_results.decide_shortlist(round_two, steering, proposed.proposed_size)
    demo_workshop.run_workshop(round_two, facilitator, rng, now)
    return demo_common.logins(study)


def _people(study: Study, consented) -> dict[str, list[Participant]]:
    people = {}
    for group, (name, _target, count) in zip(
            demo_common.add_groups(study, [(n, t) for n, t, _c in data.GROUPS]), data.GROUPS,
            strict=True):
        people[name] = demo_common.add_participants(study, group, count, consented)
    db.session.flush()
    return people


class _Submissions:
    """Round 1's submissions as the demo made them: by indicative question (QUESTIONS
    index), and those out of scope with the reason."""

    def __init__(self) -> None:
        self.by_question: dict[int, list[Suggestion]] = {}
        self.out_of_scope: list[tuple[Suggestion, str]] = []
        self.from_organisation: list[Suggestion] = []


def _open_questions(study: Study, by: User, people, rng: random.Random,
                    now) -> tuple[Round, _Submissions]:
    """Round 1 asks the open questions; each answer is a submission, with its author's
    description of themselves. The open questions are retired once the round closes."""
    opened, closed = now - timedelta(days=150), now - timedelta(days=110)
    asking = [items.create_item(study, text, by=by, domain=data.OPEN_QUESTIONS_DOMAIN,
                                response_type=ResponseType.OPEN_TEXT)
              for text in data.OPEN_QUESTIONS]
    round_ = rounds.add_round(study, by)
    ranking.set_ranking_settings(round_, by, RoundKind.OPEN_QUESTIONS, None, False)
    rounds.open_round(round_, by, closes_at=closed, now=opened)
    everyone = [(participant, kind) for members, kind
                in zip(people.values(), data.RESPONDENT_TYPES, strict=True)
                for participant in members]
    submitters = rng.sample(everyone, k=SUBMITTERS)
    organisation, others = submitters[:2], submitters[2:]
    made = _Submissions()
    unused = list(others)

    def authors(count: int) -> list[tuple[Participant, str]]:
        """``count`` different people, those who have not submitted anything yet first."""
        chosen = [unused.pop() for _ in range(min(count, len(unused)))]
        rest = [entry for entry in others if entry not in chosen]
        return chosen + rng.sample(rest, k=count - len(chosen))

    def submit(participant: Participant, kind: str, text: str) -> Suggestion:
        # The survey asks who is writing; the organisation is recorded at the intake.
        suggestion = Suggestion(
            participant=participant, round=round_, original_text=text, shown_text=text,
            respondent_type="" if kind == "Organisation" else kind,
            created_at=opened + timedelta(minutes=rng.randint(60, 39 * 24 * 60)),
        )
        db.session.add(suggestion)
        if kind == "Organisation":
            made.from_organisation.append(suggestion)
        return suggestion

    for text, reason in data.OUT_OF_SCOPE:
        participant, kind = authors(1)[0]
        made.out_of_scope.append((submit(participant, kind, text), reason))
    asked: dict[int, list[tuple[Participant, str]]] = {}
    for number, words in enumerate(data.ORGANISATION_QUESTIONS):
        question = next(index for index, entry in enumerate(data.QUESTIONS) if words in entry[1])
        asked.setdefault(question, []).append((organisation[number % 2][0], "Organisation"))
    for question in range(len(data.QUESTIONS)):
        extra = rng.choices(EXTRA_SUBMISSIONS, weights=EXTRA_WEIGHTS)[0]
        asked.setdefault(question, []).extend(authors(1 + extra))
    for question, entries in sorted(asked.items()):
        words = data.QUESTIONS[question][2]
        for number, (participant, kind) in enumerate(entries):
            text = words
            if number:  # a repeat: another respondent's words
                text = rng.choice(data.DUPLICATE_OPENINGS[kind]) + words[0].lower() + words[1:]
            made.by_question.setdefault(question, []).append(submit(participant, kind, text))
    for participant, _kind in submitters:
        db.session.add(RoundParticipation(
            round=round_, participant=participant, invited_at=opened, started_at=opened,
            completed_at=opened + timedelta(days=rng.randint(1, 39))))
    db.session.flush()
    rounds.close_round(round_, by, now=closed)
    for item in asking:
        items.retire_item(item, by=by)
    return round_, made


def _intake(made: _Submissions, by: User) -> None:
    """The facilitator records the organisation and marks submissions out of scope."""
    for suggestion in made.from_organisation:
        intake.set_respondent(suggestion, by=by, respondent_type="Organisation",
                              organisation=data.ORGANISATION)
    for suggestion, reason in made.out_of_scope:
        intake.mark_out_of_scope(suggestion, by=by, reason=reason)


def _indicative_questions(made: _Submissions, by: User) -> list[Item]:
    """Group repeated submissions under the earliest one and make an item of each group."""
    items = []
    for question, (domain, text, _words, _status, _appeal) in enumerate(data.QUESTIONS):
        lead, *repeats = sorted(made.by_question[question],
                                key=lambda suggestion: (suggestion.created_at, suggestion.id))
        if repeats:
            suggestions.merge_suggestions(lead, repeats, by=by)
        items.append(suggestions.create_item_from(lead, by=by, text=text, domain=domain))
    return items


def _interim_survey(first_survey: Round, by: User) -> Round:
    """Round 2, prepared from the first survey: every indicative question that research has
    not answered (the open questions themselves are asked once)."""
    return rounds.prepare_next_round(first_survey, by).round


def _rank(round_: Round, people, made, rng: random.Random) -> None:
    """Each ranker orders 10 questions, drawn by how much the question appeals to their
    group (Gumbel keys give a weighted draw without replacement, in order)."""
    appeal = {item.id: question[4] for item, question in zip(made, data.QUESTIONS, strict=True)}
    shown = [round_item.item_id for round_item in round_.round_items]
    everyone = [(p, column) for column, members in enumerate(people.values()) for p in members]
    opened = round_.opened_at
    for participant, column in rng.sample(everyone, k=RANKERS):
        keys = {item_id: APPEAL_STEP * int(appeal[item_id][column])
                - math.log(-math.log(rng.random() or 1e-12)) for item_id in shown}
        chosen = sorted(shown, key=lambda item_id: -keys[item_id])[:TOP]
        started = opened + timedelta(hours=rng.randint(2, 30 * 24))
        db.session.add_all(Ranking(participant_id=participant.id, round_id=round_.id,
                                   item_id=item_id, position=position, updated_at=started)
                           for position, item_id in enumerate(chosen, start=1))
        db.session.add(RoundParticipation(
            round=round_, participant=participant, invited_at=opened, started_at=started,
            completed_at=started + timedelta(minutes=rng.randint(5, 40))))
    db.session.flush()
