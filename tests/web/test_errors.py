"""Error pages say what happened and what to do next, with the right status and headers."""

import pytest

from delphi.services import studies

from ..conftest import csrf_token_from
from ..factories import make_study, make_user
from .pages import assert_strict_csp_holds


def test_unknown_page_is_a_404_that_helps(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<title>Page not found – Delphi</title>" in html
    assert "check you copied all of it" in html
    assert 'href="/login"' in html  # what to do next, signed out
    assert_strict_csp_holds(response)


def test_unknown_study_is_a_404_naming_it(client, auth):
    make_user()
    auth.login()
    response = client.get("/studies/999999")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "There is no study number 999999" in html
    assert 'href="/studies"' in html  # what to do next, signed in


def test_someone_elses_study_is_a_403_saying_whom_to_ask(client, auth):
    study = make_study(owner=make_user(email="owner@example.test"), title="A private study")
    make_user()
    auth.login()
    response = client.get(f"/studies/{study.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "You do not have access to this page" in html
    assert "Ask its owner to add you" in html
    assert_strict_csp_holds(response)


def test_wrong_method_is_a_405_keeping_the_allow_header(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "This page cannot be opened that way" in response.get_data(as_text=True)


def test_oversized_upload_is_a_413_giving_the_limit(app, client):
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/login", data={"email": "x" * too_big})
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert f"up to {app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB" in html
    assert "nothing was saved" in html


def test_server_error_is_a_500_page_not_a_traceback(app, client, auth, monkeypatch):
    make_user()
    auth.login()

    def broken(user):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(studies, "studies_for", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/studies")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with Delphi" in html
    assert "database fell over" not in html and "Traceback" not in html
    assert response.headers["X-Frame-Options"] == "DENY"
    assert_strict_csp_holds(response)


def test_missing_csrf_token_is_a_400_page(client):
    response = client.post("/login", data={"email": "fran@example.test", "password": "secret!"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form expired" in html
    assert "nothing was changed" in html
    assert "Submit again" not in html  # not shown without proof the form came from us
    assert "secret!" not in html


def test_expired_form_from_this_site_keeps_what_was_typed(client):
    response = client.post(
        "/login",
        query_string={"next": "/studies"},
        data={"email": "fran@example.test", "password": "secret password", "csrf_token": "old"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form expired; we kept what you typed — submit again" in html
    assert 'name="email" value="fran@example.test"' in html
    assert "secret password" not in html
    assert "We never keep passwords" in html
    assert 'action="/login?next=/studies"' in html
    # Submitting again posts the kept answers with a fresh token: the login form now
    # asks only for the password, with the e-mail address still filled in.
    again = client.post(
        "/login?next=/studies",
        data={"email": "fran@example.test", "csrf_token": csrf_token_from(html)},
    )
    assert again.status_code == 400
    assert "Enter your password" in again.get_data(as_text=True)
    assert 'value="fran@example.test"' in again.get_data(as_text=True)


@pytest.mark.parametrize("site", ["cross-site", "same-site", "none"])
def test_expired_form_from_elsewhere_offers_no_resubmit(client, site):
    response = client.post(
        "/logout", data={"anything": "typed"}, headers={"Sec-Fetch-Site": site}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Submit again" not in html
    assert "typed" not in html
