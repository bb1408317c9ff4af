"""What the demo studies share: the staff accounts, the logins printed, and participants.

Every demo study (:mod:`.demo`, :mod:`.demo_priorities`, :mod:`.demo_chnri`) is run by the
same demo facilitator (owner) and steering-group member, who sign in with one password.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Participant,
    ParticipantStatus,
    Role,
    StakeholderGroup,
    Study,
    StudyMembership,
    User,
)
from .participants import new_pseudonym

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for local demo logins only
FACILITATOR_EMAIL = "facilitator@example.org"
STEERING_EMAIL = "steering@example.org"


@dataclass(frozen=True)
class DemoLogins:
    """What ``load-demo`` prints so a new user can sign in."""

    study: Study
    facilitator_email: str
    steering_email: str
    password: str


def logins(study: Study) -> DemoLogins:
    """The demo logins for ``study``."""
    return DemoLogins(study, FACILITATOR_EMAIL, STEERING_EMAIL, DEMO_PASSWORD)


def staff(study: Study) -> tuple[User, User]:
    """Make the demo facilitator the study's owner and the demo steering member its steering
    group; the accounts are created the first time. Returns (facilitator, steering)."""
    users = []
    for email, name, role in (
        (FACILITATOR_EMAIL, "Fran Facilitator", Role.OWNER),
        (STEERING_EMAIL, "Sam Steering", Role.STEERING),
    ):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name)
            user.set_password(DEMO_PASSWORD)
        db.session.add(StudyMembership(study=study, user=user, role=role))
        users.append(user)
    db.session.flush()
    return users[0], users[1]


def add_groups(study: Study, groups: Sequence[tuple[str, int]]) -> list[StakeholderGroup]:
    """Add stakeholder groups, given as (name, target number), in order."""
    added = [StakeholderGroup(study=study, name=name, target_number=target, position=position)
             for position, (name, target) in enumerate(groups)]
    db.session.add_all(added)
    return added


def add_participants(study: Study, group: StakeholderGroup, count: int,
                     consented_at: datetime) -> list[Participant]:
    """``count`` active, consented participants in ``group`` (random pseudonyms)."""
    taken = {participant.pseudonym for participant in study.participants}
    added = [
        Participant(study=study, group=group, pseudonym=new_pseudonym(taken),
                    status=ParticipantStatus.ACTIVE, consent_version="1.0",
                    consented_at=consented_at)
        for _ in range(count)
    ]
    db.session.add_all(added)
    return added
