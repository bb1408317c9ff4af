"""The participant's private link: the token starts a session and is then left behind, clear
pages for unknown, expired and withdrawn links, replaced links ending the session, and
stopping reminders (which is not withdrawal)."""

from datetime import timedelta

import pytest

from delphi.models import ParticipantStatus, WithdrawalPolicy, utcnow
from delphi.services import invitations, participants

from ..conftest import csrf_token_from
from ..factories import make_participant, make_study
from ..readability import assert_plain_english
from .pages import assert_strict_csp_holds


def _link(db, study, now=None):
    participant = make_participant(study)
    _invitation, token = invitations.issue_link(participant, now=now)
    db.session.commit()
    return participant, token


def test_link_starts_a_session_and_redirects_without_the_token(db, client):
    study = make_study()
    _participant, token = _link(db, study)
    response = client.get(f"/p/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/take-part"
    assert token not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/take-part/stop-reminders")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert study.title in html and token not in html
    assert "Sign in" not in html  # participants see no staff navigation
    assert_strict_csp_holds(page)


def test_another_browser_without_the_link_is_not_let_in(db, client, another_client):
    _participant, token = _link(db, make_study())
    client.get(f"/p/{token}")
    response = another_client.get("/take-part/stop-reminders")
    assert response.status_code == 404
    assert "We do not know who you are on this device yet" in response.get_data(as_text=True)


def test_unknown_link_gets_a_clear_404_with_a_way_to_get_it_again(db, client):
    response = client.get("/p/" + "x" * 43)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This link is not recognised" in html
    assert "Check that you copied the whole link" in html
    assert 'href="/p/resend"' in html
    assert_plain_english(html)


def test_expired_link_gets_a_clear_410_with_the_team_contact(db, client, app):
    study = make_study()
    days = app.config["INVITATION_LINK_DAYS"]
    _participant, token = _link(db, study, now=utcnow() - timedelta(days=days + 1))
    response = client.get(f"/p/{token}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "This link has expired. Ask the study team for a new one: " \
           "Study team, team@example.test" in html
    assert 'href="/p/resend"' in html
    assert_plain_english(html, remove=[study.title, "Study team, team@example.test"])
    assert client.get(f"/p/{token}/stop-reminders").status_code == 410
    assert client.get("/take-part/stop-reminders").status_code == 404  # no session began


def test_a_replaced_link_ends_the_session(db, client):
    study = make_study()
    participant, token = _link(db, study)
    client.get(f"/p/{token}")
    invitations.reissue_link(study, participant, None)
    response = client.get("/take-part/stop-reminders")
    assert response.status_code == 404
    assert "If you were sent more than one link, use the newest" in response.get_data(
        as_text=True)
    assert client.get(f"/p/{token}").status_code == 404


def test_a_link_that_expires_during_the_session_ends_it(db, client):
    study = make_study()
    participant, token = _link(db, study)
    client.get(f"/p/{token}")
    invitation = participant.invitations[0]
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/take-part/stop-reminders").status_code == 410
    invitation.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    # The session ended with the expiry: only the link itself starts a new one.
    assert client.get("/take-part/stop-reminders").status_code == 404
    assert client.get(f"/p/{token}").status_code == 303
    assert client.get("/take-part/stop-reminders").status_code == 200


@pytest.mark.parametrize("policy, wording", [
    (WithdrawalPolicy.KEEP, "We have kept the answers you gave"),
    (WithdrawalPolicy.REMOVE, "We have deleted the answers and comments you gave"),
])
def test_a_withdrawn_participants_link_shows_the_withdrawn_page(db, client, policy, wording):
    study = make_study()
    study.withdrawal_policy = policy
    participant, token = _link(db, study)
    participants.withdraw_participant(study, participant, None)
    for path in (f"/p/{token}", f"/p/{token}/stop-reminders"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"] == "/take-part/withdrawn"
    page = client.get("/take-part/withdrawn")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "You have left the study" in html and wording in html
    assert token not in html
    assert_plain_english(html, remove=[study.title, "Study team, team@example.test"])
    # Never the questions: every participant page sends them back here.
    for path in ("/take-part", "/take-part/stop-reminders", "/take-part/withdraw"):
        assert client.get(path).headers["Location"] == "/take-part/withdrawn"


def test_withdrawal_by_the_team_during_a_session_ends_it(db, client):
    study = make_study()
    participant, token = _link(db, study)
    client.get(f"/p/{token}")
    participants.withdraw_participant(study, participant, None)
    response = client.get("/take-part/stop-reminders")
    assert response.status_code == 303
    assert response.headers["Location"] == "/take-part/withdrawn"
    assert "You have left the study" in client.get("/take-part/withdrawn").get_data(
        as_text=True)


def test_withdrawn_page_without_a_session_is_the_unknown_page(db, client):
    response = client.get("/take-part/withdrawn")
    assert response.status_code == 404
    assert "We do not know who you are on this device yet" in response.get_data(as_text=True)


def test_stop_reminders_confirms_then_stops_without_withdrawing(db, client):
    participant, token = _link(db, make_study())
    response = client.get(f"/p/{token}/stop-reminders")
    assert response.status_code == 303
    assert response.headers["Location"] == "/take-part/stop-reminders"
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This does not take you out of the study" in html and token not in html
    assert_plain_english(html, remove=[participant.study.title,
                                       "Study team, team@example.test"])
    assert not participant.reminders_stopped
    response = client.post("/take-part/stop-reminders",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/take-part/stop-reminders"
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You will not get any more reminders" in done
    assert "You are still part of the study" in done
    db.session.expire_all()
    assert participant.reminders_stopped
    assert participant.status != ParticipantStatus.WITHDRAWN and participant.withdrawn_at is None


def test_stop_reminders_needs_the_form_token(db, client):
    participant, token = _link(db, make_study())
    client.get(f"/p/{token}/stop-reminders")
    response = client.post("/take-part/stop-reminders", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert not participant.reminders_stopped


def test_without_a_session_reminders_cannot_be_stopped(db, client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/take-part/stop-reminders", data={"csrf_token": token})
    assert response.status_code == 404
