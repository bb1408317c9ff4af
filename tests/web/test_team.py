"""The team page and staff invitations: owners invite and revoke; the link works once, then
joins a signed-in user with the invited address or makes a new account; steering reads only."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import AuditEvent, Role, StaffInvitation, User, utcnow
from delphi.services import staff, studies, worker

from ..conftest import TEST_PASSWORD, AuthActions, csrf_token_from
from ..factories import make_user
from ..smtp import body_of, link_in, path_of, smtp_server
from .pages import assert_strict_csp_holds
from .team_setup import EMAILS, make_study_with_team


@pytest.fixture
def smtp(app):
    with smtp_server(app) as mailbox:
        yield mailbox


@pytest.fixture
def study(db):
    return make_study_with_team()


def _invite(client, study, email="nia@example.test", role="facilitator"):
    token = csrf_token_from(client.get(f"/studies/{study.id}/team").get_data(as_text=True))
    return client.post(f"/studies/{study.id}/team/invitations",
                       data={"csrf_token": token, "email": email, "role": role})


def _link_from(html):
    return next(word.split('"')[1] for word in html.split() if word.startswith('value="http'))


def _count(model, *where):
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_who_may_see_the_team(client, auth, study, role, status):
    auth.login(email=EMAILS[role])
    response = client.get(f"/studies/{study.id}/team")
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert "co@example.test" in html and "Steering" in html
        assert ("Invite someone to the team" in html) == (role == "owner")
        assert_strict_csp_holds(response)


@pytest.mark.parametrize("role", ["facilitator", "steering", "outsider"])
@pytest.mark.parametrize("path", ["team/invitations", "team/invitations/1/revoke"])
def test_only_owners_invite_and_revoke(client, auth, study, role, path):
    auth.login(email=EMAILS[role])
    token = csrf_token_from(client.get("/studies").get_data(as_text=True))
    response = client.post(f"/studies/{study.id}/{path}",
                           data={"csrf_token": token, "email": "x@example.test",
                                 "role": "facilitator"})
    assert response.status_code == 403
    assert _count(StaffInvitation) == 0


@pytest.mark.parametrize("path", ["team", "team/invitations"])
def test_team_pages_need_sign_in(client, study, path):
    response = client.get(f"/studies/{study.id}/{path}") if path == "team" else client.post(
        f"/studies/{study.id}/{path}",
        data={"csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_without_smtp_the_link_is_shown_once_and_makes_an_account(client, auth, another_client,
                                                                  study):
    auth.login()
    response = _invite(client, study, role="steering")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E-mail is not set up for this installation, so copy the link" in html
    link = path_of(_link_from(html))
    page = another_client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Create your account" in text and "cannot change anything" in text
    joined = another_client.post(link, data={
        "csrf_token": csrf_token_from(text), "name": "Nia", "password": TEST_PASSWORD,
        "confirm": TEST_PASSWORD})
    assert joined.status_code == 302
    assert joined.headers["Location"] == f"/studies/{study.id}"
    assert another_client.get(joined.headers["Location"]).status_code == 200  # signed in
    nia = _db.session.scalar(select(User).where(User.email == "nia@example.test"))
    assert studies.role_in(study, nia) == Role.STEERING
    used = another_client.get(link)
    assert used.status_code == 410
    assert "used already" in used.get_data(as_text=True)
    actions = set(_db.session.scalars(select(AuditEvent.action)))
    assert {"staff.invited", "staff.joined"} <= actions


def test_signed_in_user_with_the_address_joins(client, auth, another_client, study):
    make_user(email="nia@example.test", name="Nia")
    auth.login()
    link = path_of(_link_from(_invite(client, study).get_data(as_text=True)))
    AuthActions(another_client).login(email="nia@example.test")
    page = another_client.get(link).get_data(as_text=True)
    assert "Join the study team" in page
    response = another_client.post(link, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    nia = _db.session.scalar(select(User).where(User.email == "nia@example.test"))
    assert studies.role_in(study, nia) == Role.FACILITATOR


def test_signed_in_with_another_address_is_told_what_to_do(client, auth, another_client,
                                                           study):
    auth.login()
    link = path_of(_link_from(_invite(client, study).get_data(as_text=True)))
    AuthActions(another_client).login(email=EMAILS["outsider"])
    page = another_client.get(link).get_data(as_text=True)
    assert "but this invitation is for nia@example.test" in page
    response = another_client.post(link, data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 400
    assert "Sign out, then open the link again" in response.get_data(as_text=True)
    assert _count(StaffInvitation, StaffInvitation.used_at.is_not(None)) == 0


def test_existing_account_is_asked_to_sign_in(client, auth, another_client, study):
    make_user(email="nia@example.test")
    auth.login()
    link = path_of(_link_from(_invite(client, study).get_data(as_text=True)))
    page = another_client.get(link).get_data(as_text=True)
    assert "There is already an account for nia@example.test" in page
    assert "/login?next=" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD}, "Enter your name"),
    ({"name": "Nia", "password": "short", "confirm": "short"}, "at least 12 characters"),
    ({"name": "Nia", "password": TEST_PASSWORD, "confirm": "different words"},
     "The passwords do not match"),
])
def test_new_account_bad_input(client, auth, another_client, study, fields, message):
    auth.login()
    link = path_of(_link_from(_invite(client, study).get_data(as_text=True)))
    page = another_client.get(link).get_data(as_text=True)
    response = another_client.post(link, data={"csrf_token": csrf_token_from(page), **fields})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "govuk-error-summary" in html
    if fields["name"]:
        assert f'value="{fields["name"]}"' in html
    assert TEST_PASSWORD not in html
    assert _count(User, User.email == "nia@example.test") == 0


def test_expired_and_unknown_links(client, auth, another_client, study):
    owner = study.memberships[0].user
    result = staff.invite(study, "nia@example.test", "facilitator", owner,
                          now=utcnow() - timedelta(days=8))
    expired = another_client.get(path_of(result.url))
    assert expired.status_code == 410
    assert "to invite you again" in expired.get_data(as_text=True)
    unknown = another_client.get("/staff-invitations/" + "z" * 43)
    assert unknown.status_code == 404
    assert "not recognised" in unknown.get_data(as_text=True)


@pytest.mark.parametrize(("email", "role", "message"), [
    ("", "facilitator", "Enter the e-mail address of the person to invite"),
    ("nia@example.test", "", "Choose the role they will have"),
    ("not-an-address", "facilitator", "correct format"),
    ("co@example.test", "steering", "already on the team"),
])
def test_invite_bad_input_keeps_what_was_typed(client, auth, study, email, role, message):
    auth.login()
    response = _invite(client, study, email=email, role=role)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "govuk-error-summary" in html
    if email:
        assert f'value="{email}"' in html
    assert _count(StaffInvitation) == 0


def test_revoke_a_pending_invitation(client, auth, another_client, study):
    auth.login()
    link = path_of(_link_from(_invite(client, study).get_data(as_text=True)))
    page = client.get(f"/studies/{study.id}/team").get_data(as_text=True)
    assert "nia@example.test" in page
    invitation_id = _db.session.scalar(select(StaffInvitation.id))
    response = client.post(f"/studies/{study.id}/team/invitations/{invitation_id}/revoke",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert "was revoked" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert another_client.get(link).status_code == 404
    again = client.post(f"/studies/{study.id}/team/invitations/{invitation_id}/revoke",
                        data={"csrf_token": csrf_token_from(page)})
    assert "no such pending invitation" in client.get(again.headers["Location"]).get_data(
        as_text=True)


def test_with_smtp_the_invitation_is_emailed(client, auth, another_client, study, smtp):
    auth.login()
    response = _invite(client, study)
    assert response.status_code == 302
    worker.deliver_due()
    link = link_in(body_of(smtp.to("nia@example.test")[0]), "/staff-invitations/")
    assert another_client.get(path_of(link)).status_code == 200
