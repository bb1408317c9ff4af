"""A realistic demo study: a core-outcome-set Delphi after hip fracture, in round 2.

The ratings are generated from a seeded random stream with a profile per statement, so the
demo always shows what a new user needs to see: statements reaching consensus in and out,
statements with no consensus, one where patients and clinicians diverge, comments,
suggestions, a stakeholder group below its recruitment target and participants who will
not return for round 2.

Round 1 is answered, closed and published. Round 2 is open for three more weeks with the
items the study's policy carries forward and feedback on each stakeholder group's scores;
some participants have answered part of it or all of it, and the demo participant
(:func:`demo_participant`, the first active patient) has not started, so a fresh private
link (:func:`demo_link`, ``flask demo-link``) shows the whole journey.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from ..engine import COMET_GRADE
from ..errors import NotFound, StateError
from ..extensions import db
from ..models import (
    Answer,
    Comment,
    ConsensusRule,
    Dimension,
    Item,
    ItemVersion,
    ModerationState,
    Participant,
    ParticipantStatus,
    RatingScale,
    Round,
    RoundItem,
    RoundParticipation,
    RuleRole,
    Study,
    StudyStatus,
    Suggestion,
    utcnow,
)
from . import demo_chnri, demo_common, demo_priorities, feedback, invitations, protocol, rounds
from .demo_common import DEMO_PASSWORD, FACILITATOR_EMAIL, STEERING_EMAIL, DemoLogins
from .transaction import unit_of_work

__all__ = ["DEMO_PASSWORD", "DEMO_TITLE", "FACILITATOR_EMAIL", "STEERING_EMAIL", "DemoLogins",
           "demo_link", "demo_participant", "load_all", "load_demo"]

SEED = 20261125
DEMO_TITLE = "Core outcomes after hip fracture (demo)"

GRADE_LABELS = {
    "1": "Not important", "2": "Not important", "3": "Not important",
    "4": "Important but not critical", "5": "Important but not critical",
    "6": "Important but not critical",
    "7": "Critical", "8": "Critical", "9": "Critical",
}
GRADE_BANDS = {"not important": [1, 3], "important but not critical": [4, 6], "critical": [7, 9]}

# name, target, recruited, not returning after round 1 (9 of 60: 15 %; only patients and
# carers end below target)
GROUPS = (
    ("Patients and carers", 30, 25, 4),
    ("Nurses", 15, 18, 3),
    ("Doctors", 15, 17, 2),
)

# Probability of each point 1-9 for one kind of statement.
PROFILES = {
    "critical": (0.00, 0.00, 0.01, 0.02, 0.03, 0.06, 0.18, 0.30, 0.40),
    "unimportant": (0.30, 0.30, 0.24, 0.07, 0.04, 0.03, 0.01, 0.01, 0.00),
    "split": (0.06, 0.08, 0.10, 0.14, 0.16, 0.14, 0.12, 0.11, 0.09),
    "middling": (0.02, 0.04, 0.08, 0.20, 0.26, 0.20, 0.10, 0.06, 0.04),
}

# (domain, statement, profile for patients and carers, profile for clinicians)
STATEMENTS = (
    ("Survival", "Being alive one year after the fracture", "critical", "critical"),
    ("Mobility", "Walking indoors without help", "critical", "critical"),
    ("Mobility", "Walking outdoors and in the community", "critical", "split"),
    ("Mobility", "Getting up from a chair or bed", "critical", "critical"),
    ("Mobility", "Fear of falling again", "critical", "middling"),
    ("Independence", "Returning to the home lived in before the fracture", "critical", "critical"),
    ("Independence", "Washing and dressing without help", "critical", "critical"),
    ("Independence", "Being able to go shopping", "split", "middling"),
    ("Pain", "Pain at rest", "critical", "critical"),
    ("Pain", "Pain when walking", "critical", "critical"),
    ("Complications", "Pressure ulcers during the hospital stay", "critical", "critical"),
    ("Complications", "Delirium after surgery", "middling", "critical"),
    ("Complications", "Wound infection", "critical", "critical"),
    ("Complications", "Another operation on the same hip", "critical", "critical"),
    ("Complications", "Blood clots in the legs or lungs", "split", "split"),
    ("Wellbeing", "Mood and low spirits", "split", "middling"),
    ("Wellbeing", "Feeling lonely or isolated", "critical", "unimportant"),
    ("Wellbeing", "Confidence in managing at home", "split", "split"),
    ("Wellbeing", "Sleep quality", "middling", "middling"),
    ("Care", "Time from admission to surgery", "middling", "critical"),
    ("Care", "Length of the hospital stay", "unimportant", "middling"),
    ("Care", "Number of physiotherapy sessions received", "unimportant", "unimportant"),
    ("Care", "Hospital readmission within 30 days", "split", "critical"),
    ("Care", "Cost of care to the NHS", "unimportant", "unimportant"),
    ("Care", "Blood test results on discharge", "unimportant", "unimportant"),
    ("Care", "Satisfaction with hospital food", "unimportant", "unimportant"),
    ("Carers", "Burden on family carers", "critical", "split"),
    ("Carers", "Carer's own health", "split", "middling"),
    ("Bone health", "Starting bone-strengthening medicine", "middling", "critical"),
    ("Bone health", "A second fracture within two years", "critical", "critical"),
)

COMMENTS = (
    "My mother could not do this for months, and it mattered more than anything else.",
    "This depends a lot on the support available at home.",
    "Hard to measure reliably in routine care.",
    "Could this be combined with the statement about walking outdoors?",
    "Important, but patients rarely mention it in clinic.",
    "I was not sure what this statement meant.",
)

SUGGESTIONS = (
    "Being able to get back to driving",
    "Knowing who to contact after going home",
    "Being able to look after a pet",
)


@unit_of_work
def load_all(only_if_empty: bool = False) -> list[DemoLogins] | None:
    """Load the three demo studies, all or none: this core-outcome-set Delphi, the JLA-style
    priority-setting partnership (:mod:`.demo_priorities`) and the CHNRI exercise
    (:mod:`.demo_chnri`). None when skipped because the database holds a study."""
    if only_if_empty and db.session.scalar(select(func.count(Study.id))):
        return None
    return [load_demo(), demo_priorities.load_demo(), demo_chnri.load_demo()]


@unit_of_work
def load_demo(only_if_empty: bool = False, *, round_two: bool = True) -> DemoLogins | None:
    """Create the demo study with its staff accounts; None when skipped.

    With ``round_two`` False the demo stops where round 1 has just closed (unpublished, its
    suggestions unreviewed, an empty draft round 2).

    Raises
    ------
    ValidationError
        Never for valid installs; listed for symmetry with other services.
    """
    if only_if_empty and db.session.scalar(select(func.count(Study.id))):
        return None
    rng = random.Random(SEED)
    now = utcnow()
    study = _study()
    db.session.add(study)
    demo_common.staff(study)
    dimension, items = _design(study)
    round_ = _closed_round_one(study, items, now)
    protocol.fix_protocol(study, now=round_.opened_at)
    participants = _participants(study)
    _answers(round_, dimension, participants, rng, now)
    _mark_not_returning(study, participants, rng, now)
    _comments_and_suggestions(round_, participants, rng)
    db.session.flush()
    rounds.classify(round_)
    if round_two:
        _open_round_two(round_, dimension, rng, now)
    else:
        db.session.add(Round(study=study, number=2))
    return demo_common.logins(study)


def _study() -> Study:
    return Study(
        title=DEMO_TITLE,
        summary=(
            "Which outcomes matter most to older people recovering from a broken hip, their "
            "carers and the staff who look after them? This demo Delphi agrees a core outcome "
            "set over three rounds."
        ),
        status=StudyStatus.RUNNING,
        contact_name="Hip Outcomes Study Team",
        contact_email="hip-outcomes@example.org",
        planned_rounds=3,
    )


def _design(study: Study) -> tuple[Dimension, list[Item]]:
    scale = RatingScale(
        study=study, name="GRADE 1-9", minimum=1, maximum=9,
        labels=GRADE_LABELS, bands=GRADE_BANDS, offers_unable=True,
    )
    db.session.add(scale)
    dimension = Dimension(
        study=study, name="Importance", scale=scale,
        question="How important is this outcome for deciding whether hip fracture care worked?",
    )
    demo_common.add_groups(study, [(name, target) for name, target, _r, _l in GROUPS])
    items = []
    for position, (domain, text, _patients, _clinicians) in enumerate(STATEMENTS):
        item = Item(study=study, domain=domain, position=position)
        db.session.add_all([item, ItemVersion(item=item, number=1, text=text)])
        items.append(item)
    db.session.add(dimension)
    rule = ConsensusRule(
        study=study, name="COMET GRADE", role=RuleRole.PRIMARY,
        definition=COMET_GRADE.to_dict(),
    )
    db.session.add(rule)
    return dimension, items


def _closed_round_one(study: Study, items: list[Item], now) -> Round:
    round_ = Round(study=study, number=1, feedback=feedback.FeedbackSettings().to_dict())
    db.session.add(round_)
    round_.open(now - timedelta(days=28))
    round_.opens_at = now - timedelta(days=28)
    round_.closes_at = now - timedelta(days=7)
    for position, item in enumerate(items):
        db.session.add(
            RoundItem(round=round_, item=item, item_version=item.versions[0], position=position)
        )
    round_.close(now - timedelta(days=7))
    return round_


def _participants(study: Study) -> list[Participant]:
    consented = utcnow() - timedelta(days=27)
    participants = []
    for group, (_name, _target, recruited, _leaving) in zip(study.groups, GROUPS, strict=True):
        participants += demo_common.add_participants(study, group, recruited, consented)
    return participants


def _answers(round_: Round, dimension: Dimension, participants, rng: random.Random, now) -> None:
    started = now - timedelta(days=27)
    for participant in participants:
        participant.consented_at = started
        is_patient = participant.group is participant.study.groups[0]
        for round_item, (_d, _t, patients, clinicians) in zip(
            round_.round_items, STATEMENTS, strict=True
        ):
            draw = rng.random()
            if draw < 0.02:
                continue
            answer = Answer(
                participant=participant, round_item=round_item,
                item_version=round_item.item_version, dimension=dimension,
                created_at=started, updated_at=started,
            )
            if draw < 0.03:
                answer.is_unable = True
            else:
                profile = PROFILES[patients if is_patient else clinicians]
                answer.value = rng.choices(range(1, 10), weights=profile)[0]
            db.session.add(answer)
        db.session.add(RoundParticipation(
            round=round_, participant=participant, invited_at=started - timedelta(days=1),
            started_at=started, completed_at=started + timedelta(hours=rng.randint(1, 400)),
        ))


def _mark_not_returning(study: Study, participants, rng: random.Random, now) -> None:
    """Some of each group withdraw after round 1; their answers stay (keep policy)."""
    for group, (_name, _target, _recruited, leaving) in zip(study.groups, GROUPS, strict=True):
        members = [participant for participant in participants if participant.group is group]
        for participant in rng.sample(members, k=leaving):
            participant.status = ParticipantStatus.WITHDRAWN
            participant.withdrawn_at = now - timedelta(days=3)
            participant.reminders_stopped = True


def _comments_and_suggestions(round_: Round, participants, rng: random.Random) -> None:
    for number, text in enumerate(COMMENTS):
        db.session.add(Comment(
            participant=rng.choice(participants), round_item=round_.round_items[number * 4],
            original_text=text, shown_text=text, moderation_state=ModerationState.APPROVED,
        ))
    for text in SUGGESTIONS:
        db.session.add(Suggestion(
            participant=rng.choice(participants), round=round_, original_text=text,
            shown_text=text, moderation_state=ModerationState.PENDING,
        ))


def _open_round_two(round_one: Round, dimension: Dimension, rng: random.Random, now) -> None:
    """Review round 1's suggestions, publish round 1, carry its items forward and open round 2
    with feedback; some participants answer part or all of it, the demo participant none."""
    opened = now - timedelta(days=4)
    for suggestion in db.session.scalars(
            select(Suggestion).where(Suggestion.round_id == round_one.id)):
        suggestion.moderation_state = ModerationState.APPROVED  # reviewed before publishing
    rounds.publish_round(round_one, None, now=now - timedelta(days=6))
    round_two = rounds.prepare_next_round(round_one, None).round
    round_two.feedback = feedback.FeedbackSettings(
        distribution=feedback.GROUPS, percentage_sentence=True, show_status=False,
        show_comments=True,
    ).to_dict()
    rounds.open_round(round_two, None, closes_at=now + timedelta(days=21), now=opened)
    study = round_one.study
    keep_fresh = demo_participant(study)
    invited = opened + timedelta(hours=1)
    active = [participant for participant in sorted(study.participants, key=lambda p: p.id)
              if participant.status == ParticipantStatus.ACTIVE]
    profiles = {ri.item_id: (patients, clinicians) for ri, (_d, _t, patients, clinicians)
                in zip(round_one.round_items, STATEMENTS, strict=True)}
    for participant in active:
        participation = RoundParticipation(round=round_two, participant=participant,
                                           invited_at=invited)
        db.session.add(participation)
        draw = rng.random()
        if participant is keep_fresh or draw < 0.45:
            continue  # not started yet
        started = invited + timedelta(hours=rng.randint(2, 60))
        participation.started_at = started
        complete = draw >= 0.75
        shown = round_two.round_items if complete else round_two.round_items[
            :rng.randint(1, max(1, len(round_two.round_items) - 1))]
        is_patient = participant.group is study.groups[0]
        for round_item in shown:
            patients, clinicians = profiles[round_item.item_id]
            db.session.add(Answer(
                participant=participant, round_item=round_item,
                item_version=round_item.item_version, dimension=dimension,
                value=rng.choices(range(1, 10),
                                  weights=PROFILES[patients if is_patient else clinicians])[0],
                created_at=started, updated_at=started,
            ))
        if complete:
            participation.completed_at = started + timedelta(hours=1)


def demo_participant(study: Study) -> Participant:
    """The demo participant given a fresh link: the first active patient or carer.

    Raises
    ------
    StateError
        Every patient and carer of the demo has withdrawn.
    """
    active = [participant for participant in study.participants
              if participant.group is study.groups[0]
              and participant.status == ParticipantStatus.ACTIVE]
    if not active:
        raise StateError("Every patient and carer in the demo has withdrawn, so there is no "
                         "demo participant to give a link to.")
    return min(active, key=lambda participant: participant.id)


@unit_of_work
def demo_link() -> invitations.IssuedLink:
    """A fresh private link for the demo participant; their older links stop working.

    Raises
    ------
    NotFound
        The demo study has not been loaded.
    StateError
        The demo has no active patient or carer left.
    """
    study = db.session.scalar(select(Study).where(Study.title == DEMO_TITLE))
    if study is None:
        raise NotFound("The demo study is not loaded. Run flask load-demo first.")
    return invitations.reissue_link(study, demo_participant(study), None)
