"""A CHNRI demo exercise: research options for childhood pneumonia in low-resource settings.

Built through the services with a seeded random stream: 15 research options, the five
standard criteria (with a second question on deliverability), stakeholder weights whose
source says plainly that they are made up for the demo, and 40 scorers whose yes / no /
undecided / don't know answers follow a profile per option, so the options' Research Priority
Scores differ. The scoring round is closed, so the results show.
"""

from __future__ import annotations

import random
from datetime import timedelta

from ..extensions import db
from ..models import (
    ChnriAnswer,
    ChnriAnswerValue,
    RoundParticipation,
    Study,
    StudyKind,
    StudyStatus,
    utcnow,
)
from . import chnri, demo_common, items, rounds
from .demo_common import DemoLogins
from .transaction import unit_of_work

SEED = 20261127
TITLE = "Research options for childhood pneumonia in low-resource settings (demo)"
SUMMARY = (
    "Which research would do most to reduce deaths and illness from pneumonia in children "
    "under five in low-resource settings? In this demo CHNRI exercise, 40 researchers, "
    "programme managers and clinicians score 15 research options against five criteria."
)

# name, target number, scorers
GROUPS = (("Researchers", 15, 16), ("Programme managers", 10, 10), ("Clinicians", 15, 14))

WEIGHT_SOURCE = "Made up for this demo, not from a real survey of stakeholders."
#: Criterion name -> demo weight (every criterion of the standard template).
WEIGHTS = {
    "Answerability": 0.8,
    "Effectiveness": 1.2,
    "Deliverability": 1.0,
    "Maximum potential for disease burden reduction": 1.4,
    "Effect on equity": 1.1,
}
SECOND_QUESTION = ("Deliverability",
                   "Could health services in low-resource settings afford to offer the result "
                   "to every child who needs it?")

# (domain, research option, chance of "yes" on each of the five criteria, 0-9 for 0-90 %)
OPTIONS = (
    ("Prevention", "Can community health workers improve how many infants complete their "
     "pneumococcal vaccinations?", "87768"),
    ("Prevention", "Do improved cookstoves reduce pneumonia in young children in rural "
     "homes?", "75466"),
    ("Prevention", "Does promoting exclusive breastfeeding for six months reduce severe "
     "pneumonia?", "87778"),
    ("Prevention", "Does handwashing with soap at home reduce pneumonia in children under "
     "five?", "86765"),
    ("Diagnosis", "Can a low-cost pulse oximeter used by community health workers find "
     "children who need oxygen?", "98888"),
    ("Diagnosis", "Does an automated breath counter help health workers recognise fast "
     "breathing correctly?", "76554"),
    ("Diagnosis", "Can a simple blood test at the point of care tell bacterial from viral "
     "pneumonia?", "45355"),
    ("Treatment", "Is three days of oral amoxicillin as effective as five days for "
     "non-severe pneumonia?", "98877"),
    ("Treatment", "Can severe pneumonia be treated safely at home with oral antibiotics when "
     "a referral is not possible?", "77687"),
    ("Treatment", "Does bubble continuous positive airway pressure reduce deaths from severe "
     "pneumonia in district hospitals?", "66465"),
    ("Treatment", "Which zinc supplement dose, if any, shortens recovery from pneumonia?",
     "73443"),
    ("Health systems", "How can solar-powered oxygen systems be kept working in remote "
     "health centres?", "67687"),
    ("Health systems", "Do text-message reminders help caregivers finish a course of "
     "antibiotics?", "86554"),
    ("Health systems", "What stops caregivers seeking care quickly for a child with fast "
     "breathing, and what helps?", "75567"),
    ("Health systems", "Does paying for transport to hospital reduce deaths from severe "
     "pneumonia?", "54566"),
)

SCORERS_DONT_KNOW = 0.06
UNDECIDED = 0.15


@unit_of_work
def load_demo() -> DemoLogins:
    """Create the demo CHNRI exercise with the demo staff accounts; its round is closed."""
    rng = random.Random(SEED)
    now = utcnow()
    study = Study(
        title=TITLE, summary=SUMMARY, kind=StudyKind.CHNRI, status=StudyStatus.RUNNING,
        contact_name="Child Pneumonia Research Options Team",
        contact_email="pneumonia-options@example.org", planned_rounds=1,
    )
    db.session.add(study)
    facilitator, _steering = demo_common.staff(study)
    groups = demo_common.add_groups(study, [(name, target) for name, target, _n in GROUPS])
    scorers = [participant for group, (_name, _target, count) in zip(groups, GROUPS, strict=True)
               for participant in demo_common.add_participants(
                   study, group, count, now - timedelta(days=30))]
    profiles = {items.create_item(study, text, by=facilitator, domain=domain).id:
                [int(digit) / 10 for digit in profile] for domain, text, profile in OPTIONS}
    _criteria(study, facilitator)
    round_ = rounds.add_round(study, facilitator)
    chnri.use_round(round_, facilitator)
    rounds.open_round(round_, facilitator, now=now - timedelta(days=28))
    _answers(round_, scorers, profiles, rng)
    rounds.close_round(round_, facilitator, now=now - timedelta(days=7))
    return demo_common.logins(study)


def _criteria(study: Study, by) -> None:
    """The standard five with a second deliverability question and the demo weights."""
    for criterion in chnri.add_template(study, by):
        chnri.update_criterion(criterion, by, criterion.name, WEIGHTS[criterion.name],
                               WEIGHT_SOURCE)
        if criterion.name == SECOND_QUESTION[0]:
            chnri.add_question(criterion, by, SECOND_QUESTION[1])


def _answer(rng: random.Random, chance_of_yes: float) -> ChnriAnswerValue:
    if rng.random() < SCORERS_DONT_KNOW:
        return ChnriAnswerValue.DONT_KNOW
    draw = rng.random()
    if draw < chance_of_yes * (1 - UNDECIDED):
        return ChnriAnswerValue.YES
    if draw < chance_of_yes * (1 - UNDECIDED) + UNDECIDED:
        return ChnriAnswerValue.UNDECIDED
    return ChnriAnswerValue.NO


def _answers(round_, scorers, profiles: dict[int, list[float]], rng: random.Random) -> None:
    """Every scorer answers every question about every option, following its profile."""
    questions = [(position, question) for position, criterion
                 in enumerate(chnri.criteria_of(round_.study))
                 for question in criterion.questions]
    opened = round_.opened_at
    for scorer in scorers:
        started = opened + timedelta(hours=rng.randint(1, 14 * 24))
        for round_item in round_.round_items:
            chances = profiles[round_item.item_id]
            db.session.add_all(
                ChnriAnswer(participant_id=scorer.id, round_item_id=round_item.id,
                            question_id=question.id, updated_at=started,
                            answer=_answer(rng, chances[position]))
                for position, question in questions)
        db.session.add(RoundParticipation(
            round=round_, participant=scorer, invited_at=opened, started_at=started,
            completed_at=started + timedelta(minutes=rng.randint(20, 90))))
    db.session.flush()
