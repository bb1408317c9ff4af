"""The participant's private link: welcome page, clear pages for unknown and expired links,
and stopping reminders (which is not withdrawal)."""

from datetime import timedelta

from delphi.models import ParticipantStatus, utcnow
from delphi.services import invitations

from ..conftest import csrf_token_from
from ..factories import make_participant, make_study
from ..smtp import open_first_round
from .pages import assert_strict_csp_holds


def _link(db, study, now=None):
    participant = make_participant(study)
    _invitation, token = invitations.issue_link(participant, now=now)
    db.session.commit()
    return participant, token


def test_welcome_page_names_the_study_and_what_happens_next(db, client):
    study = make_study()
    round_ = open_first_round(study)
    round_.closes_at = utcnow() + timedelta(days=10)
    db.session.commit()
    _participant, token = _link(db, study)
    response = client.get(f"/p/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert study.title in html and "What happens next" in html
    assert "Round 1 is open until" in html
    assert "Study team, team@example.test" in html
    assert f"/p/{token}/stop-reminders" in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Sign in" not in html  # participants see no staff navigation
    assert_strict_csp_holds(response)


def test_welcome_page_without_an_open_round(db, client):
    _participant, token = _link(db, make_study())
    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert "No round is open at the moment" in html


def test_withdrawn_participant_is_told_so(db, client):
    participant, token = _link(db, make_study())
    participant.status = ParticipantStatus.WITHDRAWN
    db.session.commit()
    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert "You have withdrawn from this study" in html
    assert "stop-reminders" not in html


def test_unknown_link_gets_a_clear_404(db, client):
    response = client.get("/p/" + "x" * 43)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This link is not recognised" in html
    assert "Check that you copied the whole link" in html


def test_expired_link_gets_a_clear_410_with_the_team_contact(db, client, app):
    study = make_study()
    days = app.config["INVITATION_LINK_DAYS"]
    _participant, token = _link(db, study, now=utcnow() - timedelta(days=days + 1))
    response = client.get(f"/p/{token}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "This link has expired. Ask the study team for a new one: " \
           "Study team, team@example.test" in html
    assert client.get(f"/p/{token}/stop-reminders").status_code == 410


def test_stop_reminders_confirms_then_stops_without_withdrawing(db, client):
    participant, token = _link(db, make_study())
    page = client.get(f"/p/{token}/stop-reminders")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This does not take you out of the study" in html
    assert not participant.reminders_stopped
    response = client.post(f"/p/{token}/stop-reminders",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You will not get any more reminders" in done
    assert "You are still part of the study" in done
    db.session.expire_all()
    assert participant.reminders_stopped
    assert participant.status != ParticipantStatus.WITHDRAWN and participant.withdrawn_at is None
    assert "You have asked for no more reminders" in client.get(f"/p/{token}").get_data(
        as_text=True)


def test_stop_reminders_needs_the_form_token(db, client):
    participant, token = _link(db, make_study())
    response = client.post(f"/p/{token}/stop-reminders", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert not participant.reminders_stopped


def test_unknown_link_cannot_stop_reminders(db, client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/p/" + "y" * 43 + "/stop-reminders", data={"csrf_token": token})
    assert response.status_code == 404
