"""Staff invitations: single use, expiring, hashed, audited; joining with an existing or a
new account; steering members get the read-only role."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delphi.errors import Forbidden, ValidationError
from delphi.models import AuditEvent, MessageKind, OutboxMessage, Role, StaffInvitation, utcnow
from delphi.services import staff, studies, worker

from ..conftest import TEST_PASSWORD
from ..factories import make_study, make_user
from ..smtp import body_of, link_in, smtp_server


@pytest.fixture
def smtp(app):
    with smtp_server(app) as mailbox:
        yield mailbox


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    return make_study(owner=owner)


def _token(result):
    return result.url.rsplit("/", 1)[1]


def _actions(db):
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_invitation_is_single_use(db, study, owner):
    result = staff.invite(study, "Nia@Example.test", "facilitator", owner)
    assert not result.emailed
    assert result.invitation.email == "nia@example.test"
    assert result.invitation.token_hash == staff.hash_token(_token(result))
    nia = make_user(email="nia@example.test", name="Nia")
    membership = staff.accept(_token(result), nia)
    assert membership.role == Role.FACILITATOR
    assert studies.role_in(study, nia) == Role.FACILITATOR
    with pytest.raises(staff.UsedStaffLink, match="used already"):
        staff.accept(_token(result), nia)
    assert _actions(db) == ["staff.invited", "staff.joined"]
    assert staff.pending_invitations(study) == []


def test_invitation_expires(db, study, owner, app):
    now = utcnow()
    result = staff.invite(study, "nia@example.test", "steering", owner, now=now)
    days = app.config["STAFF_INVITATION_DAYS"]
    assert result.invitation.expires_at == now + timedelta(days=days)
    nia = make_user(email="nia@example.test")
    with pytest.raises(staff.ExpiredStaffLink, match="Ask the study's owner to invite you again"):
        staff.accept(_token(result), nia, now=now + timedelta(days=days))
    assert studies.role_in(study, nia) is None


def test_unknown_and_revoked_links(db, study, owner):
    with pytest.raises(staff.UnknownStaffLink, match="not recognised"):
        staff.find_invitation("not-a-real-token-at-all-0123456789")
    result = staff.invite(study, "nia@example.test", "facilitator", owner)
    staff.revoke(study, result.invitation.id, owner)
    with pytest.raises(staff.UnknownStaffLink):
        staff.find_invitation(_token(result))
    assert "staff.invitation_revoked" in _actions(db)


def test_a_new_invitation_replaces_the_pending_one(db, study, owner):
    first = staff.invite(study, "nia@example.test", "facilitator", owner)
    second = staff.invite(study, "nia@example.test", "steering", owner)
    with pytest.raises(staff.UnknownStaffLink):
        staff.find_invitation(_token(first))
    assert staff.find_invitation(_token(second)).role == Role.STEERING
    assert db.session.scalar(select(func.count(StaffInvitation.id))) == 1


def test_accept_with_another_address_is_refused(db, study, owner):
    result = staff.invite(study, "nia@example.test", "facilitator", owner)
    someone = make_user(email="someone@example.test")
    with pytest.raises(ValidationError, match="This invitation is for nia@example.test"):
        staff.accept(_token(result), someone)
    assert staff.find_invitation(_token(result))  # still usable by Nia


def test_new_account_joins_as_steering_and_cannot_change(db, study, owner):
    result = staff.invite(study, "sam@example.test", "steering", owner)
    sam = staff.accept_with_new_account(_token(result), "Sam", TEST_PASSWORD)
    assert sam.email == "sam@example.test" and sam.name == "Sam"
    assert studies.get_for_member(study.id, sam) == study
    with pytest.raises(Forbidden):
        studies.get_for_editor(study.id, sam)


def test_new_account_needs_a_long_password_and_keeps_the_link(db, study, owner):
    result = staff.invite(study, "sam@example.test", "steering", owner)
    with pytest.raises(ValidationError, match="at least 12 characters"):
        staff.accept_with_new_account(_token(result), "Sam", "short")
    assert staff.find_invitation(_token(result))


def test_new_account_refused_when_one_exists(db, study, owner):
    result = staff.invite(study, "nia@example.test", "facilitator", owner)
    make_user(email="nia@example.test")
    with pytest.raises(ValidationError, match="already an account"):
        staff.accept_with_new_account(_token(result), "Nia", TEST_PASSWORD)


@pytest.mark.parametrize(("email", "role", "message"), [
    ("", "facilitator", "Enter the e-mail address"),
    ("not-an-address", "facilitator", "correct format"),
    ("nia@example.test", "owner", "Choose facilitator or steering"),
    ("nia@example.test", "boss", "Choose facilitator or steering"),
    ("facilitator@example.test", "steering", "already on the team"),
])
def test_invite_refuses_bad_input(db, study, owner, email, role, message):
    with pytest.raises(ValidationError, match=message):
        staff.invite(study, email, role, owner)
    assert db.session.scalar(select(func.count(StaffInvitation.id))) == 0


def test_invitation_is_emailed_with_smtp(db, study, owner, smtp):
    result = staff.invite(study, "nia@example.test", "facilitator", owner)
    assert result.emailed
    assert db.session.scalar(select(OutboxMessage.kind)) == MessageKind.STAFF_INVITATION
    worker.deliver_due()
    [delivered] = smtp.messages
    assert delivered["To"] == "nia@example.test"
    assert link_in(body_of(delivered), "/staff-invitations/") == result.url


def test_members_are_listed_by_role(db, study, owner):
    steering = make_user(email="a-steering@example.test")
    result = staff.invite(study, steering.email, "steering", owner)
    staff.accept(_token(result), steering)
    assert [m.role for m in staff.members(study)] == [Role.OWNER, Role.STEERING]
