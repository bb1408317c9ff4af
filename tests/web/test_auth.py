"""Signing in and out through the real forms: messages, kept input, lockout, ended sessions."""

import pytest

from delphi.services import accounts

from ..conftest import TEST_PASSWORD, csrf_token_from
from ..factories import make_study, make_user

WRONG = "The e-mail address or password is not right"


def post_login(client, next_url=None, **fields):
    """Post the login form with a valid CSRF token, the given fields and ``?next=``."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    query = {"next": next_url} if next_url else {}
    return client.post("/login", query_string=query, data={"csrf_token": token, **fields})


def test_login_page_has_the_form(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="email"' in html and 'type="email"' in html
    assert 'name="password"' in html and 'autocomplete="current-password"' in html
    assert "<title>Sign in – Delphi</title>" in html


def test_right_password_signs_in_and_shows_studies(client, auth):
    user = make_user()
    make_study(owner=user, title="Outcomes after hip fracture")
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/studies"
    page = client.get("/studies").get_data(as_text=True)
    assert "Outcomes after hip fracture" in page
    assert "Signed in as Fran Facilitator" in page


def test_wrong_password_says_so_and_keeps_the_email(client, auth):
    make_user()
    response = auth.login(password="not the password")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert WRONG in html
    assert "<title>Error: Sign in – Delphi</title>" in html
    assert 'value="facilitator@example.test"' in html
    assert "not the password" not in html


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, auth):
    make_user()
    unknown = auth.login(email="nobody@example.test", password="anything at all")
    wrong = auth.login(password="anything at all")
    assert unknown.status_code == wrong.status_code == 400
    assert WRONG in unknown.get_data(as_text=True)
    assert WRONG in wrong.get_data(as_text=True)


def test_email_is_matched_ignoring_case_and_spaces(client, auth):
    make_user()
    assert auth.login(email="  Facilitator@Example.TEST ").status_code == 302


@pytest.mark.parametrize(
    ("fields", "message", "kept"),
    [
        ({"email": "", "password": "whatever it is"}, "Enter your e-mail address", None),
        (
            {"email": "fran@example.test", "password": ""},
            "Enter your password",
            'value="fran@example.test"',
        ),
        ({"email": "x" * 250 + "@example.test", "password": "p"}, "at most 254 characters", None),
    ],
    ids=["no-email", "no-password", "email-too-long"],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(client, fields, message, kept):
    response = post_login(client, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html  # GOV.UK error summary
    assert message in html
    assert "<title>Error: Sign in – Delphi</title>" in html
    if kept:
        assert kept in html


def test_lockout_after_too_many_failures_says_when_to_try_again(app, db, auth):
    user = make_user()
    attempts = app.config["LOGIN_MAX_ATTEMPTS"]
    for _ in range(attempts - 1):
        assert WRONG in auth.login(password="guessing wrong").get_data(as_text=True)
    locked = auth.login(password="guessing wrong").get_data(as_text=True)
    assert "too many failed attempts" in locked
    assert f"locked for {app.config['LOGIN_LOCKOUT_MINUTES']} minutes" in locked
    assert "Try again after" in locked
    # Even the right password is refused while the lock lasts.
    refused = auth.login(password=TEST_PASSWORD)
    assert refused.status_code == 400
    assert "too many failed attempts" in refused.get_data(as_text=True)
    db.session.refresh(user)
    assert user.failed_logins == attempts
    assert user.locked_until is not None


def test_success_resets_the_failure_count(db, auth):
    user = make_user()
    auth.login(password="a wrong guess")
    auth.login()
    db.session.refresh(user)
    assert user.failed_logins == 0
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/studies/{id}", "/studies/{id}"),
        ("https://evil.example/phish", "/studies"),
        ("//evil.example/phish", "/studies"),
        ("/\\evil.example", "/studies"),
        ("/\t/evil.example", "/studies"),
        ("javascript:alert(1)", "/studies"),
    ],
    ids=["same-site", "absolute", "scheme-relative", "backslash", "tab", "javascript"],
)
def test_next_only_leads_within_the_site(client, next_url, lands_on):
    study = make_study(owner=make_user())
    response = post_login(
        client,
        next_url=next_url.format(id=study.id),
        email="facilitator@example.test",
        password=TEST_PASSWORD,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on.format(id=study.id)


def test_pages_need_sign_in_and_say_so(client):
    response = client.get("/studies")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fstudies"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sign in to see that page." in page


def test_signed_in_user_visiting_login_goes_to_studies(client, auth):
    make_user()
    auth.login()
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/studies"


def test_logout_signs_out_and_says_so(client, auth):
    make_user()
    auth.login()
    response = auth.logout()
    assert response.status_code == 302
    assert "You have signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/studies").status_code == 302


def test_logout_is_a_post_with_a_token(client, auth):
    make_user()
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/studies").status_code == 200  # still signed in


def test_sign_out_everywhere_ends_every_session(client, another_client):
    make_user()
    laptop, phone = client, another_client
    for browser in (laptop, phone):
        assert post_login(
            browser, email="facilitator@example.test", password=TEST_PASSWORD
        ).status_code == 302
    page = laptop.get("/account/sign-out-everywhere")
    assert "every device and browser" in page.get_data(as_text=True)
    response = laptop.post(
        "/account/sign-out-everywhere",
        data={"csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )
    assert response.headers["Location"] == "/login"
    assert "signed out on every device" in laptop.get("/login").get_data(as_text=True)
    assert phone.get("/studies").status_code == 302
    assert laptop.get("/studies").status_code == 302


def test_password_change_ends_other_sessions(client, auth):
    user = make_user()
    auth.login()
    assert client.get("/studies").status_code == 200
    accounts.change_password(user, TEST_PASSWORD, "a brand new long password")
    assert client.get("/studies").status_code == 302
    assert auth.login(password="a brand new long password").status_code == 302
