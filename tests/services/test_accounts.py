"""Accounts: creation rules, sign-in with a lockout counted in the database, ending sessions."""

from datetime import timedelta

import pytest

from delphi.errors import AuthenticationError, ValidationError
from delphi.models import utcnow
from delphi.services import accounts

from ..conftest import TEST_PASSWORD
from ..factories import make_user


def test_create_user_stores_a_normalised_address_and_a_hash(db):
    user = accounts.create_user("  Jo.Bloggs@Example.TEST ", "a long enough password", " Jo ")
    db.session.rollback()  # committed: nothing is lost
    assert user.email == "jo.bloggs@example.test"
    assert user.name == "Jo"
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a long enough password")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "a long enough password", "Enter an e-mail address"),
        ("jo.example.test", "a long enough password", "in the correct format"),
        ("jo@localhost", "a long enough password", "in the correct format"),
        ("jo@example.test", "short", "at least 12 characters"),
        ("jo@example.test", "", "at least 12 characters"),
    ],
    ids=["empty-email", "no-at-sign", "no-domain-dot", "short-password", "no-password"],
)
def test_create_user_refuses_bad_input_saying_why(db, email, password, message):
    with pytest.raises(ValidationError, match=message):
        accounts.create_user(email, password)


def test_create_user_refuses_a_duplicate_address_whatever_its_case(db):
    make_user()
    with pytest.raises(ValidationError, match="already an account for facilitator@example.test"):
        accounts.create_user("FACILITATOR@example.test", "another long password")


def test_authenticate_returns_the_user_and_records_the_time(db):
    user = make_user()
    now = utcnow()
    assert accounts.authenticate("facilitator@example.test", TEST_PASSWORD, now=now) is user
    assert user.last_login_at == now


@pytest.mark.parametrize(
    ("email", "password"),
    [("facilitator@example.test", "wrong password"), ("nobody@example.test", TEST_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_details_get_one_message(db, email, password):
    make_user()
    with pytest.raises(AuthenticationError) as caught:
        accounts.authenticate(email, password)
    assert str(caught.value) == accounts.WRONG_CREDENTIALS


def test_a_failure_is_committed_even_though_authenticate_raises(db):
    user = make_user()
    with pytest.raises(AuthenticationError):
        accounts.authenticate(user.email, "wrong password")
    db.session.rollback()  # what a caller's error handling might do
    assert user.failed_logins == 1


def test_lockout_after_the_limit_and_release_after_the_wait(app, db):
    user = make_user()
    now = utcnow()
    limit, minutes = app.config["LOGIN_MAX_ATTEMPTS"], app.config["LOGIN_LOCKOUT_MINUTES"]
    for attempt in range(1, limit):
        with pytest.raises(AuthenticationError, match="not right"):
            accounts.authenticate(user.email, "wrong password", now=now)
        assert user.failed_logins == attempt
    with pytest.raises(AuthenticationError, match=f"locked for {minutes} minutes"):
        accounts.authenticate(user.email, "wrong password", now=now)
    assert user.locked_until == now + timedelta(minutes=minutes)
    later = now + timedelta(minutes=minutes - 1, seconds=30)
    with pytest.raises(AuthenticationError, match="locked for 1 minute. Try again after"):
        accounts.authenticate(user.email, TEST_PASSWORD, now=later)
    assert user.failed_logins == limit  # attempts while locked do not extend the lock
    after = now + timedelta(minutes=minutes, seconds=1)
    assert accounts.authenticate(user.email, TEST_PASSWORD, now=after) is user
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_a_failure_after_an_expired_lock_starts_a_fresh_count(app, db):
    user = make_user()
    now = utcnow()
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS"]):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(user.email, "wrong password", now=now)
    after = now + timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    with pytest.raises(AuthenticationError, match="not right"):
        accounts.authenticate(user.email, "wrong password", now=after)
    assert (user.failed_logins, user.locked_until) == (1, None)


def test_the_limit_and_wait_come_from_configuration(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS", 2)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_MINUTES", 60)
    user = make_user()
    with pytest.raises(AuthenticationError, match="not right"):
        accounts.authenticate(user.email, "wrong password")
    with pytest.raises(AuthenticationError, match="locked for 60 minutes"):
        accounts.authenticate(user.email, "wrong password")


def test_session_ids_name_the_user_and_the_version(db):
    user = make_user()
    assert accounts.load_user_for_session(user.get_id()) is user


@pytest.mark.parametrize("session_id", ["", "7", "x:1", "1:y", "1:2:3", ":", "-1:1"])
def test_malformed_session_ids_load_nobody(db, session_id):
    make_user()
    assert accounts.load_user_for_session(session_id) is None


def test_sign_out_everywhere_makes_old_sessions_stale(db):
    user = make_user()
    old = user.get_id()
    accounts.sign_out_everywhere(user)
    assert accounts.load_user_for_session(old) is None
    assert accounts.load_user_for_session(user.get_id()) is user


def test_change_password_checks_the_old_one_and_ends_sessions(db):
    user = make_user()
    old = user.get_id()
    with pytest.raises(ValidationError, match="current password is not right"):
        accounts.change_password(user, "not my password", "a new long password")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        accounts.change_password(user, TEST_PASSWORD, "too short")
    assert accounts.load_user_for_session(old) is user  # nothing changed yet
    accounts.change_password(user, TEST_PASSWORD, "a new long password")
    assert user.check_password("a new long password")
    assert accounts.load_user_for_session(old) is None
