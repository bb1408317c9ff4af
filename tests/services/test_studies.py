"""Reading studies as a team member: access checks and recruitment against targets."""

import pytest

from delphi.errors import Forbidden, NotFound
from delphi.models import ParticipantStatus, Role
from delphi.services import studies

from ..factories import make_participant, make_study, make_user


def test_studies_for_lists_the_users_studies_by_title(db):
    me, other = make_user(), make_user(email="other@example.test")
    second = make_study(owner=me, title="Stroke outcomes")
    first = make_study(owner=me, title="Asthma priorities", role=Role.STEERING)
    make_study(owner=other, title="Not mine")
    assert studies.studies_for(me) == [first, second]
    assert studies.studies_for(make_user(email="new@example.test")) == []


def test_get_for_member_returns_the_study_to_its_team(db):
    me = make_user()
    study = make_study(owner=me)
    assert studies.get_for_member(study.id, me) is study
    assert studies.get_for_member(study.id, me, roles=[Role.OWNER]) is study


def test_get_for_member_raises_not_found_for_a_missing_study(db):
    with pytest.raises(NotFound, match="There is no study number 424242"):
        studies.get_for_member(424242, make_user())


def test_get_for_member_refuses_someone_off_the_team(db):
    study = make_study(owner=make_user(email="owner@example.test"), title="Private")
    with pytest.raises(Forbidden, match="not on the team of the study “Private”"):
        studies.get_for_member(study.id, make_user())


def test_get_for_member_refuses_a_role_that_is_not_enough(db):
    me = make_user()
    study = make_study(owner=me, role=Role.STEERING)
    with pytest.raises(Forbidden, match="needs the facilitator or owner role .* you are steering"):
        studies.get_for_member(study.id, me, roles=[Role.OWNER, Role.FACILITATOR])


def test_group_recruitment_counts_real_participants_still_taking_part(db):
    study = make_study(owner=make_user())
    patients, nurses, doctors = study.groups
    for _ in range(10):
        make_participant(study, group=patients)
    make_participant(study, group=nurses)
    make_participant(study, group=nurses).status = ParticipantStatus.WITHDRAWN
    make_participant(study, group=nurses).is_test = True
    db.session.commit()
    rows = studies.group_recruitment(study)
    assert [(row.group.name, row.recruited, row.target) for row in rows] == [
        ("Patients and carers", 10, 10),
        ("Nurses", 1, 10),
        ("Doctors", 0, 10),
    ]
    assert [row.is_below_target for row in rows] == [False, True, True]
