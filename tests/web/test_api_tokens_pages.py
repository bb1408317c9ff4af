"""The API tokens pages: any team member makes tokens for themselves and sees each once;
revoking asks first; owners see and may revoke everyone's; outsiders get 403, signed-out
visitors the sign-in page; bad input keeps what was typed and makes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import ApiToken, User
from delphi.services import api_tokens

from ..conftest import csrf_token_from
from ..factories import make_user
from .pages import assert_strict_csp_holds
from .team_setup import EMAILS, make_study_with_team

MEMBERS = ("owner", "facilitator", "steering")


@pytest.fixture
def study(db):
    return make_study_with_team()


def _user(role):
    return _db.session.scalar(select(User).where(User.email == EMAILS[role]))


def _count(*where):
    return _db.session.scalar(select(func.count(ApiToken.id)).where(*where))


def _create(client, study, name="R on my laptop", days="30"):
    page = client.get(f"/studies/{study.id}/api-tokens").get_data(as_text=True)
    return client.post(f"/studies/{study.id}/api-tokens",
                       data={"csrf_token": csrf_token_from(page), "name": name, "days": days})


def _secret_in(html):
    return re.search(r'value="(dlp_[^"]+)"', html).group(1)


@pytest.mark.parametrize("role", MEMBERS)
def test_each_member_makes_a_token_and_sees_it_once(client, auth, study, role):
    auth.login(email=EMAILS[role])
    listing = client.get(f"/studies/{study.id}/api-tokens")
    assert listing.status_code == 200 and "no API tokens for this study yet" in listing.text
    assert_strict_csp_holds(listing)
    response = _create(client, study)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "shown only once" in html and "copy it" in html
    assert_strict_csp_holds(response)
    secret = _secret_in(html)
    token = _db.session.scalar(select(ApiToken))
    assert (token.user_id, token.study_id, token.name) == (_user(role).id, study.id,
                                                           "R on my laptop")
    assert (token.expires_at - token.created_at).days == 30
    assert api_tokens.authenticate(secret, study.id)[0].email == EMAILS[role]
    for path in ("api-tokens", f"api-tokens/{token.id}/revoke", "audit"):
        page = client.get(f"/studies/{study.id}/{path}").get_data(as_text=True)
        assert secret not in page and secret[12:] not in page
    listed = client.get(f"/studies/{study.id}/api-tokens").get_data(as_text=True)
    assert "R on my laptop" in listed and token.prefix in listed and "Active" in listed


def test_the_study_navigation_links_to_the_tokens(client, auth, study):
    auth.login()
    html = client.get(f"/studies/{study.id}/api-tokens").get_data(as_text=True)
    assert f'href="/studies/{study.id}/api-tokens" aria-current="page">API tokens' in html


@pytest.mark.parametrize(("name", "days", "message"), [
    ("", "30", "Enter a name for the token"),
    ("Kept name", "", "Enter how many days the token should work"),
    ("Kept name", "many", "Enter a whole number of days"),
    ("Kept name", "0", "Enter a number of days from 1 to 365"),
    ("Kept name", "400", "Enter a number of days from 1 to 365"),
    ("x" * 101, "30", "at most 100 characters"),
])
def test_bad_input_keeps_what_was_typed_and_makes_nothing(client, auth, study, name, days,
                                                          message):
    auth.login()
    response = _create(client, study, name=name, days=days)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    if name == "Kept name":
        assert 'value="Kept name"' in html
    if days in ("many", "400"):
        assert f'value="{days}"' in html
    assert _count() == 0


def test_the_default_expiry_is_ninety_days(client, auth, study):
    auth.login()
    assert 'value="90"' in client.get(f"/studies/{study.id}/api-tokens").text


def test_revoking_asks_first_then_stops_the_token(client, auth, study):
    auth.login(email=EMAILS["steering"])
    secret = _secret_in(_create(client, study).get_data(as_text=True))
    token = _db.session.scalar(select(ApiToken))
    confirm = client.get(f"/studies/{study.id}/api-tokens/{token.id}/revoke")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Revoke the token “R on my laptop”?" in html
    assert "stops working at once" in html and token.revoked_at is None
    response = client.post(f"/studies/{study.id}/api-tokens/{token.id}/revoke",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/studies/{study.id}/api-tokens"
    listed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was revoked; it no longer works" in listed and "Revoked" in listed
    api_response = client.get(f"/api/v1/studies/{study.id}",
                              headers={"Authorization": f"Bearer {secret}"})
    assert api_response.status_code == 401 and "was revoked" in api_response.json["error"]
    again = client.post(f"/studies/{study.id}/api-tokens/{token.id}/revoke",
                        data={"csrf_token": csrf_token_from(html)}, follow_redirects=True)
    assert "revoked already" in again.get_data(as_text=True)


def test_a_revoke_without_the_form_token_changes_nothing(client, auth, study):
    auth.login()
    _create(client, study)
    token = _db.session.scalar(select(ApiToken))
    response = client.post(f"/studies/{study.id}/api-tokens/{token.id}/revoke", data={})
    assert response.status_code == 400
    _db.session.expire_all()
    assert _db.session.get(ApiToken, token.id).revoked_at is None


def test_owners_see_and_revoke_everyones_tokens(client, auth, study):
    steering = _user("steering")
    theirs = api_tokens.create_token(study, steering, "Steering script").token
    auth.login()
    html = client.get(f"/studies/{study.id}/api-tokens").get_data(as_text=True)
    assert "Everyone's tokens" in html and "Steering script" in html and "A steering" in html
    confirm = client.get(f"/studies/{study.id}/api-tokens/{theirs.id}/revoke")
    assert "belongs to A steering" in confirm.text
    client.post(f"/studies/{study.id}/api-tokens/{theirs.id}/revoke",
                data={"csrf_token": csrf_token_from(confirm.text)})
    _db.session.expire_all()
    assert _db.session.get(ApiToken, theirs.id).revoked_at is not None


@pytest.mark.parametrize("role", ["facilitator", "steering"])
def test_others_neither_see_nor_revoke_someone_elses_token(client, auth, study, role):
    owners = api_tokens.create_token(study, _user("owner"), "Owner's script").token
    auth.login(email=EMAILS[role])
    html = client.get(f"/studies/{study.id}/api-tokens").get_data(as_text=True)
    assert "Owner's script" not in html and "Your tokens" not in html
    assert client.get(f"/studies/{study.id}/api-tokens/{owners.id}/revoke").status_code == 404
    response = client.post(f"/studies/{study.id}/api-tokens/{owners.id}/revoke",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 404
    _db.session.expire_all()
    assert _db.session.get(ApiToken, owners.id).revoked_at is None


ROUTES = [("get", "api-tokens"), ("post", "api-tokens"), ("get", "api-tokens/{id}/revoke"),
          ("post", "api-tokens/{id}/revoke")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_outsiders_get_403(client, auth, study, method, path):
    token = api_tokens.create_token(study, _user("owner"), "Owner's").token
    auth.login(email=EMAILS["outsider"])
    csrf = csrf_token_from(client.get("/studies").get_data(as_text=True))
    url = f"/studies/{study.id}/" + path.format(id=token.id)
    response = (client.get(url) if method == "get"
                else client.post(url, data={"csrf_token": csrf, "name": "x", "days": "5"}))
    assert response.status_code == 403
    _db.session.expire_all()
    assert _count() == 1 and _db.session.get(ApiToken, token.id).revoked_at is None


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, study, method, path):
    token = api_tokens.create_token(study, _user("owner"), "Owner's").token
    url = f"/studies/{study.id}/" + path.format(id=token.id)
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.get(url) if method == "get" else client.post(url, data={
        "csrf_token": csrf, "name": "x", "days": "5"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    _db.session.expire_all()
    assert _count() == 1 and _db.session.get(ApiToken, token.id).revoked_at is None


def test_an_unknown_token_or_study_is_404(client, auth, study):
    make_user(email="someone@example.test")
    auth.login()
    assert client.get(f"/studies/{study.id}/api-tokens/999999/revoke").status_code == 404
    assert client.get("/studies/999999/api-tokens").status_code == 404
