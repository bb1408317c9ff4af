"""Adding participants under pseudonyms, test participants, contact access and withdrawal."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delphi.errors import Forbidden, NotFound, StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    AuditEvent,
    ChnriAnswer,
    ChnriAnswerValue,
    ChnriCriterion,
    ChnriQuestion,
    Comment,
    Invitation,
    Participant,
    ParticipantContact,
    ParticipantStatus,
    Ranking,
    Role,
    RoundItem,
    RoundParticipation,
    StudyMembership,
    Suggestion,
    WithdrawalPolicy,
    utcnow,
)
from delphi.services import participants

from ..factories import make_participant, make_study, make_user

PSEUDONYM = re.compile(r"^P-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$")


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    return make_study(owner=owner)


def _count(model):
    return _db.session.scalar(select(func.count()).select_from(model))


def _actions():
    return [event.action for event in _db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id))]


def test_added_participant_gets_a_random_pseudonym_and_a_separate_contact(study, owner):
    nurses = study.groups[1]
    participant = participants.add_participant(
        study, owner, "  Alex.Jones@Example.org ", nurses.id, " site 4 ")
    assert PSEUDONYM.match(participant.pseudonym)
    assert "alex" not in participant.pseudonym.lower()
    assert participant.group is nurses
    assert participant.reference == "site 4"
    assert participant.contact.email == "alex.jones@example.org"
    assert (participant.is_test, participant.status) == (False, ParticipantStatus.INVITED)
    event = _db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.target) == ("participant.added", participant.pseudonym)
    assert "example.org" not in str(event.details)  # the audit log holds no addresses


def test_pseudonyms_are_unique_within_the_study(study, owner):
    taken = participants.taken_pseudonyms(study)
    made = {participants.new_pseudonym(taken) for _ in range(500)}
    assert len(made) == 500 and made <= taken


@pytest.mark.parametrize("email, message", [
    ("", "Enter an e-mail address"),
    ("not-an-address", "is not a valid e-mail address"),
    ("someone@", "is not a valid e-mail address"),
    ("a" * 250 + "@example.org", "at most 254 characters"),
])
def test_bad_addresses_are_refused_and_nothing_is_added(study, owner, email, message):
    with pytest.raises(ValidationError, match=message):
        participants.add_participant(study, owner, email, study.groups[0].id)
    assert _count(Participant) == 0 and _count(AuditEvent) == 0


def test_an_address_already_in_the_study_is_refused_whatever_its_case(study, owner):
    participants.add_participant(study, owner, "sam@example.org", study.groups[0].id)
    with pytest.raises(ValidationError, match="already a participant"):
        participants.add_participant(study, owner, "SAM@Example.org", study.groups[1].id)
    assert _count(Participant) == 1


def test_the_same_address_may_join_another_study(study, owner):
    other = make_study(owner=owner, title="Another study")
    participants.add_participant(study, owner, "sam@example.org", study.groups[0].id)
    participants.add_participant(other, owner, "sam@example.org", other.groups[0].id)
    assert _count(Participant) == 2


@pytest.mark.parametrize("group_id", [None, "", 999999])
def test_a_group_of_the_study_must_be_chosen(study, owner, group_id):
    with pytest.raises(ValidationError, match="stakeholder group"):
        participants.add_participant(study, owner, "sam@example.org", group_id)
    assert _count(Participant) == 0


def test_a_group_of_another_study_is_refused(study, owner):
    other = make_study(owner=owner, title="Another study")
    with pytest.raises(ValidationError, match="stakeholder group"):
        participants.add_participant(study, owner, "sam@example.org", other.groups[0].id)


def test_an_overlong_reference_is_refused(study, owner):
    with pytest.raises(ValidationError, match="at most 200"):
        participants.add_participant(study, owner, "sam@example.org", study.groups[0].id,
                                     "x" * 201)
    assert _count(Participant) == 0


def test_test_participants_are_tagged_and_left_out_of_counts(study, owner):
    tester = participants.add_test_participant(study, owner, study.groups[0].id)
    assert tester.is_test and tester.pseudonym.startswith("T-")
    assert tester.contact is None
    with_mail = participants.add_test_participant(study, owner, study.groups[0].id,
                                                  "Me@Example.org")
    assert with_mail.contact.email == "me@example.org"
    counts = participants.group_counts(study)[0]
    assert (counts.active, counts.test) == (0, 2)
    assert _actions() == ["participant.test_added", "participant.test_added"]
    assert participants.contactable_participants(study) == []
    assert participants.contactable_participants(study, include_test=True) == [with_mail]


def test_test_participant_needs_a_group_and_a_valid_optional_address(study, owner):
    with pytest.raises(ValidationError, match="stakeholder group"):
        participants.add_test_participant(study, owner, None)
    with pytest.raises(ValidationError, match="not a valid"):
        participants.add_test_participant(study, owner, study.groups[0].id, "nope")
    assert _count(Participant) == 0


def test_group_counts_and_listing(study, owner):
    patients, nurses, _doctors = study.groups
    a = participants.add_participant(study, owner, "a@example.org", patients.id)
    b = participants.add_participant(study, owner, "b@example.org", patients.id)
    c = participants.add_participant(study, owner, "c@example.org", nurses.id)
    participants.withdraw_participant(study, c, owner)
    participants.add_test_participant(study, owner, nurses.id)
    counts = participants.group_counts(study)
    assert [(entry.name, entry.active, entry.withdrawn, entry.test, entry.target)
            for entry in counts] == [
        ("Patients and carers", 2, 0, 0, 10), ("Nurses", 0, 1, 1, 10), ("Doctors", 0, 0, 0, 10)]
    listed = participants.list_participants(study)
    assert listed[-1].is_test  # test participants last
    assert [p.pseudonym for p in listed[:-1]] == sorted(p.pseudonym for p in listed[:-1])
    assert participants.get_participant(study, a.id) is a
    assert participants.contactable_participants(study) == sorted(
        [a, b], key=lambda p: p.pseudonym)


def test_a_participant_of_another_study_is_not_found(study, owner):
    other = make_study(owner=owner, title="Another study")
    stranger = make_participant(other)
    with pytest.raises(NotFound):
        participants.get_participant(study, stranger.id)
    with pytest.raises(NotFound):
        participants.get_participant(study, 999999)


# Who may see contact details -----------------------------------------------------------------

def _member(study, role, can_see=False, email="member@example.test"):
    user = make_user(email=email, name=f"A {role.value}")
    _db.session.add(StudyMembership(study=study, user=user, role=role, can_see_contacts=can_see))
    _db.session.commit()
    return user


def test_owners_always_see_contacts_facilitators_when_allowed_steering_never(study, owner):
    allowed = _member(study, Role.FACILITATOR, True, "allowed@example.test")
    not_allowed = _member(study, Role.FACILITATOR, False, "plain@example.test")
    steering = _member(study, Role.STEERING, True, "steering@example.test")
    outsider = make_user(email="outsider@example.test")
    assert participants.may_see_contacts(study, owner)
    assert participants.may_see_contacts(study, allowed)
    assert not participants.may_see_contacts(study, not_allowed)
    assert not participants.may_see_contacts(study, steering)
    assert not participants.may_see_contacts(study, outsider)


def test_revealing_a_contact_is_audited(study, owner):
    participant = participants.add_participant(study, owner, "sam@example.org",
                                               study.groups[0].id)
    assert participants.reveal_contact(study, participant, owner) == "sam@example.org"
    event = _db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "participant.contact_revealed")).one()
    assert (event.user_id, event.target) == (owner.id, participant.pseudonym)
    assert event.created_at is not None


def test_revealing_is_refused_without_permission_and_not_audited(study, owner):
    plain = _member(study, Role.FACILITATOR)
    participant = participants.add_participant(study, owner, "sam@example.org",
                                               study.groups[0].id)
    with pytest.raises(Forbidden, match="Ask the study's owner"):
        participants.reveal_contact(study, participant, plain)
    assert "participant.contact_revealed" not in _actions()


def test_revealing_an_erased_contact_says_so(study, owner):
    participant = participants.add_participant(study, owner, "sam@example.org",
                                               study.groups[0].id)
    participants.erase_contact(study, participant, owner)
    with pytest.raises(StateError, match="no contact details"):
        participants.reveal_contact(study, participant, owner)


def test_owner_grants_and_revokes_a_facilitators_access(study, owner):
    facilitator = _member(study, Role.FACILITATOR)
    membership = _db.session.scalar(select(StudyMembership).where(
        StudyMembership.user_id == facilitator.id))
    participants.set_contact_access(study, membership.id, True, owner)
    assert participants.may_see_contacts(study, facilitator)
    participants.set_contact_access(study, membership.id, True, owner)  # no change, no event
    participants.set_contact_access(study, membership.id, False, owner)
    assert not participants.may_see_contacts(study, facilitator)
    assert _actions() == ["team.contact_access_granted", "team.contact_access_revoked"]
    assert [m.role for m in participants.team_access(study)] == [Role.OWNER, Role.FACILITATOR]


def test_only_owners_change_access_and_only_for_facilitators(study, owner):
    facilitator = _member(study, Role.FACILITATOR, True)
    steering = _member(study, Role.STEERING, email="steering@example.test")
    memberships = {m.user_id: m for m in _db.session.scalars(select(StudyMembership))}
    with pytest.raises(Forbidden, match="Only the study's owners"):
        participants.set_contact_access(study, memberships[facilitator.id].id, False,
                                        facilitator)
    with pytest.raises(ValidationError, match="only a facilitator's access"):
        participants.set_contact_access(study, memberships[steering.id].id, True, owner)
    with pytest.raises(ValidationError, match="only a facilitator's access"):
        participants.set_contact_access(study, memberships[owner.id].id, False, owner)
    with pytest.raises(NotFound):
        participants.set_contact_access(study, 999999, True, owner)
    assert memberships[facilitator.id].can_see_contacts


# Withdrawal and erasing contact details ------------------------------------------------------

@pytest.fixture
def answered(study, owner):
    """A participant with an answer, a CHNRI answer, a comment, a suggestion, a ranking and
    an invitation."""
    participant = participants.add_participant(study, owner, "sam@example.org",
                                               study.groups[0].id)
    round1 = study.rounds[0]
    item = study.items[0]
    round_item = RoundItem(item=item, item_version=item.versions[0])
    round1.round_items.append(round_item)
    criterion = ChnriCriterion(study_id=study.id, name="Answerability")
    criterion.questions.append(ChnriQuestion(text="Could this be answered?"))
    _db.session.add(criterion)
    _db.session.flush()
    _db.session.add_all([
        ChnriAnswer(participant_id=participant.id, round_item_id=round_item.id,
                    question_id=criterion.questions[0].id, answer=ChnriAnswerValue.YES),
        Answer(participant=participant, round_item=round_item, item_version=item.versions[0],
               dimension=study.dimensions[0], value=7),
        Comment(participant=participant, round_item=round_item, original_text="Matters."),
        Suggestion(participant=participant, round=round1, original_text="Add driving."),
        Ranking(participant_id=participant.id, round_id=round1.id, item_id=item.id, position=1),
        RoundParticipation(round=round1, participant=participant, invited_at=utcnow(),
                           completed_at=utcnow()),
        Invitation(participant=participant, token_hash="a" * 64,
                   expires_at=utcnow() + timedelta(days=30)),
    ])
    _db.session.commit()
    return participant


def test_withdrawal_under_the_keep_policy_keeps_answers(study, owner, answered):
    result = participants.withdraw_participant(study, answered, owner)
    assert (result.answers_removed, result.removed, result.contact_erased) == (False, 0, False)
    assert answered.status == ParticipantStatus.WITHDRAWN and answered.withdrawn_at
    assert answered.reminders_stopped
    assert (_count(Answer), _count(Comment), _count(Suggestion), _count(Ranking)) == (1, 1, 1, 1)
    assert answered.contact is not None
    invitation = _db.session.scalars(select(Invitation)).one()
    assert invitation.expires_at <= utcnow()
    event = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant.withdrawn")).one()
    assert event.details == {"policy": "keep", "removed": 0, "contact_erased": False}


def test_withdrawal_under_the_remove_policy_deletes_everything_they_entered(
        study, owner, answered):
    study.withdrawal_policy = WithdrawalPolicy.REMOVE
    _db.session.commit()
    result = participants.withdraw_participant(study, answered, owner, erase_contact=True)
    assert (result.answers_removed, result.removed, result.contact_erased) == (True, 5, True)
    assert (_count(Answer), _count(ChnriAnswer), _count(Comment), _count(Suggestion),
            _count(Ranking)) == (0, 0, 0, 0, 0)
    assert _count(ParticipantContact) == 0
    assert _count(RoundParticipation) == 1  # the flow chart still shows round 1
    assert _count(Participant) == 1


def test_withdrawing_twice_is_refused(study, owner, answered):
    participants.withdraw_participant(study, answered, owner)
    with pytest.raises(StateError, match="already withdrawn"):
        participants.withdraw_participant(study, answered, owner)


def test_a_participant_may_withdraw_themselves(study, answered):
    participants.withdraw_participant(study, answered, None)
    event = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant.withdrawn")).one()
    assert event.user_id is None


def test_erasing_contact_details_keeps_pseudonymous_answers(study, owner, answered):
    participants.erase_contact(study, answered, owner)
    assert answered.contact is None and _count(ParticipantContact) == 0
    assert _count(Answer) == 1 and answered.status != ParticipantStatus.WITHDRAWN
    with pytest.raises(StateError, match="no contact details to erase"):
        participants.erase_contact(study, answered, owner)
    assert _actions()[-1] == "participant.contact_erased"
