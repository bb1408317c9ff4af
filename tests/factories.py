"""Small builders for test data.

Each commits: inside the ``db`` fixture a commit only releases a SAVEPOINT (the test's outer
transaction is still rolled back), and committed data survives a service's own rollback,
as it would in production.
"""

from __future__ import annotations

from delphi.extensions import db
from delphi.models import (
    Dimension,
    Item,
    ItemVersion,
    Participant,
    RatingScale,
    Role,
    Round,
    StakeholderGroup,
    Study,
    StudyMembership,
    User,
)

from .conftest import TEST_PASSWORD

GRADE_BANDS = {"not important": [1, 3], "important but not critical": [4, 6], "critical": [7, 9]}


def make_user(email="facilitator@example.test", password=TEST_PASSWORD, name="Fran Facilitator"):
    user = User(email=email, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_study(owner=None, title="Outcomes that matter after a stroke", role=Role.OWNER,
               groups=("Patients and carers", "Nurses", "Doctors"), n_items=3):
    """A study with a 1-9 importance scale, stakeholder groups, items and a draft round 1."""
    study = Study(title=title, summary="A test study.", contact_name="Study team",
                  contact_email="team@example.test")
    scale = RatingScale(study=study, name="GRADE 1-9", minimum=1, maximum=9, bands=GRADE_BANDS,
                        labels={"1": "Not important", "9": "Critical"})
    Dimension(study=study, name="Importance", scale=scale, question="How important is this?")
    for position, name in enumerate(groups):
        StakeholderGroup(study=study, name=name, target_number=10, position=position)
    for position in range(n_items):
        item = Item(study=study, position=position, domain="Physical")
        ItemVersion(item=item, number=1, text=f"Statement {position + 1}")
    Round(study=study, number=1)
    if owner is not None:
        StudyMembership(study=study, user=owner, role=role)
    db.session.add(study)
    db.session.commit()
    return study


def make_participant(study, group=None, pseudonym=None):
    number = len(study.participants) + 1
    participant = Participant(study=study, group=group or study.groups[0],
                              pseudonym=pseudonym or f"P{number:04d}")
    db.session.add(participant)
    db.session.commit()
    return participant
