"""The feedback settings page of a round: who may read and change it, bad input, and the
settings fixed once the round opens."""

import pytest
from sqlalchemy import select

from delphi.extensions import db as _db
from delphi.models import AuditEvent
from delphi.services import feedback, rounds

from ..conftest import TEST_PASSWORD, csrf_token_from
from ..factories import make_user
from ..feedback_setup import build
from .pages import assert_strict_csp_holds, submit
from .team_setup import sign_in_as


def _url(study, number=1):
    return f"/studies/{study.id}/rounds/{number}/feedback"


def _post(client, study, data, number=1):
    return submit(client, _url(study, number), data)


GOOD = {"distribution": "groups", "percentage_sentence": "y", "show_comments": "y"}


@pytest.mark.parametrize(("role", "status", "has_form"), [
    ("owner", 200, True), ("facilitator", 200, True), ("steering", 200, False),
    ("outsider", 403, False)])
def test_who_may_read(client, auth, team_study, role, status, has_form):
    sign_in_as(auth, role)
    response = client.get(_url(team_study))
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert_strict_csp_holds(response)
        assert "Feedback in round 1" in html
        assert ("Save feedback settings" in html) is has_form
        assert "Participants see everyone&#39;s scores" in html or \
            "Participants see everyone's scores" in html


def test_signed_out_goes_to_login(client, team_study):
    response = client.get(_url(team_study))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(_url(team_study), data={"csrf_token": token, **GOOD})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert team_study.rounds[0].feedback == {}


@pytest.mark.parametrize("role", ["owner", "facilitator"])
def test_editors_change_a_draft_rounds_settings(client, auth, team_study, role):
    sign_in_as(auth, role)
    response = _post(client, team_study, GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/studies/{team_study.id}/rounds/1")
    _db.session.expire_all()
    assert feedback.feedback_settings(team_study.rounds[0]) == feedback.FeedbackSettings(
        distribution="groups", percentage_sentence=True, show_status=False,
        show_comments=True)
    assert _db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "round.feedback_changed")) is not None
    page = client.get(f"/studies/{team_study.id}/rounds/1").get_data(as_text=True)
    assert "feedback settings were saved" in page
    assert f'href="{_url(team_study)}"' in page


@pytest.mark.parametrize("role", ["steering", "outsider"])
def test_others_may_not_change(client, auth, team_study, role):
    sign_in_as(auth, "owner")
    token = csrf_token_from(client.get(_url(team_study)).get_data(as_text=True))
    auth.logout()
    sign_in_as(auth, role)
    response = client.post(_url(team_study), data={"csrf_token": token, **GOOD})
    assert response.status_code == 403
    _db.session.expire_all()
    assert team_study.rounds[0].feedback == {}


@pytest.mark.parametrize("distribution", ["", "everything"])
def test_a_bad_choice_is_refused_and_the_ticks_are_kept(client, auth, team_study,
                                                         distribution):
    sign_in_as(auth, "owner")
    response = _post(client, team_study, {"distribution": distribution, "show_status": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and 'href="#distribution"' in html
    assert "Choose which scores participants see" in html or "Not a valid choice" in html
    status_box = html.split('name="show_status"')[1].split(">")[0]
    assert "checked" in status_box
    comments_box = html.split('name="show_comments"')[1].split(">")[0]
    assert "checked" not in comments_box
    _db.session.expire_all()
    assert team_study.rounds[0].feedback == {}


def test_the_form_starts_from_the_defaults_and_warns_about_status(client, auth, team_study):
    sign_in_as(auth, "owner")
    html = client.get(_url(team_study)).get_data(as_text=True)
    assert feedback.STATUS_HINT in html
    assert "checked" in html.split('value="overall"')[1].split(">")[0]
    for name, ticked in (("percentage_sentence", True), ("show_status", False),
                         ("show_comments", True)):
        assert ("checked" in html.split(f'name="{name}"')[1].split(">")[0]) is ticked


def test_an_open_round_shows_its_fixed_choice_and_refuses_changes(client, auth, db):
    owner = make_user()
    two = build(owner, settings={"distribution": "own_group", "show_status": True})
    auth.login(email=owner.email, password=TEST_PASSWORD)
    html = client.get(_url(two.study, 2)).get_data(as_text=True)
    assert "Save feedback settings" not in html
    assert "fixed when it opened" in html
    assert "Their own stakeholder group" in html
    response = client.post(_url(two.study, 2), data={
        "csrf_token": csrf_token_from(client.get(f"/studies/{two.study.id}/rounds").get_data(
            as_text=True)), **GOOD})
    assert response.status_code == 409
    assert "Round 2 is open, so its feedback settings were fixed when it opened" in \
        response.get_data(as_text=True)
    _db.session.expire_all()
    assert feedback.feedback_settings(two.round_two).distribution == "own_group"


def test_an_unknown_round_is_not_found(client, auth, team_study):
    sign_in_as(auth, "owner")
    assert client.get(_url(team_study, 9)).status_code == 404


def test_opening_fixes_the_choice_made_on_the_page(client, auth, db):
    owner = make_user()
    two = build(owner, open_round_two=False)
    auth.login(email=owner.email, password=TEST_PASSWORD)
    assert _post(client, two.study, {"distribution": "overall"}, number=2).status_code == 302
    rounds.open_round(two.round_two, owner)
    _db.session.expire_all()
    assert two.round_two.feedback == {"distribution": "overall", "percentage_sentence": False,
                                      "show_status": False, "show_comments": False}
