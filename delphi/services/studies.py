"""Reading studies as a member of their team: which studies, who may see them, recruitment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..errors import Forbidden, NotFound
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

EDITOR_ROLES = (Role.OWNER, Role.FACILITATOR)


@dataclass(frozen=True)
class GroupRecruitment:
    """A stakeholder group with how many participants it has against its target."""

    group: StakeholderGroup
    recruited: int

    @property
    def target(self) -> int:
        return self.group.target_number

    @property
    def is_below_target(self) -> bool:
        return self.recruited < self.target


def studies_for(user: User) -> list[Study]:
    """The studies ``user`` is on the team of, in any role, by title."""
    return list(
        db.session.scalars(
            select(Study)
            .join(StudyMembership, StudyMembership.study_id == Study.id)
            .where(StudyMembership.user_id == user.id)
            .order_by(Study.title, Study.id)
        )
    )


def role_in(study: Study, user: User) -> Role | None:
    """``user``'s role in ``study``, or None when they are not on its team."""
    return db.session.scalar(
        select(StudyMembership.role).where(
            StudyMembership.study_id == study.id, StudyMembership.user_id == user.id
        )
    )


def get_for_member(study_id: int, user: User, roles: Iterable[Role] | None = None) -> Study:
    """The study, if ``user`` is on its team (and, when ``roles`` is given, has one of them).

    Raises
    ------
    NotFound
        There is no study with this number.
    Forbidden
        ``user`` is not on the study's team, or their role does not allow this.
    """
    study = db.session.get(Study, study_id)
    if study is None:
        raise NotFound(f"There is no study number {study_id}. It may have been deleted.")
    role = role_in(study, user)
    if role is None:
        raise Forbidden(
            f"You are not on the team of the study “{study.title}”. "
            "Ask its owner to add you if you need to see it."
        )
    allowed = set(roles) if roles is not None else set(Role)
    if role not in allowed:
        needed = " or ".join(sorted(r.value for r in allowed))
        raise Forbidden(
            f"This needs the {needed} role in “{study.title}”; you are {role.value}. "
            "Ask the study's owner if you need to do this."
        )
    return study


def get_for_editor(study_id: int, user: User) -> Study:
    """The study, if ``user`` may change it (owner or facilitator); see :func:`get_for_member`."""
    return get_for_member(study_id, user, roles=EDITOR_ROLES)


def group_recruitment(study: Study) -> list[GroupRecruitment]:
    """Each stakeholder group with its recruited count, in the study's order.

    Recruited counts real participants who have not withdrawn (test participants are
    left out), in one query for all groups.
    """
    counts = dict(
        db.session.execute(
            select(Participant.group_id, func.count(Participant.id))
            .where(
                Participant.study_id == study.id,
                Participant.is_test.is_(False),
                Participant.status != ParticipantStatus.WITHDRAWN,
            )
            .group_by(Participant.group_id)
        ).all()
    )
    return [GroupRecruitment(group, counts.get(group.id, 0)) for group in study.groups]
