"""Staff accounts: creating them, signing in with a lockout, and ending sessions.

A session stores ``"<user id>:<session version>"`` (see :meth:`User.get_id`). Bumping the
version, on a password change or "sign out everywhere", makes every stored session stale,
so :func:`load_user_for_session` refuses them on their next request.
"""

from __future__ import annotations

import functools
import math
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import AuthenticationError, ValidationError
from ..extensions import db
from ..models import User, utcnow
from .transaction import unit_of_work

MIN_PASSWORD_LENGTH = 12

WRONG_CREDENTIALS = (
    "The e-mail address or password is not right. Check them and try again."
)


@functools.cache
def _unknown_user_hash() -> str:
    """A hash to check against when the address is unknown.

    A wrong address then takes as long to refuse as a wrong password, so the timing does
    not reveal who has an account.
    """
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def normalise_email(email: str) -> str:
    """The form an address is stored and looked up in: trimmed and lower-case."""
    return (email or "").strip().lower()


def _check_email(email: str) -> str:
    """Return the normalised address or raise ValidationError saying how to fix it."""
    address = normalise_email(email)
    if not address:
        raise ValidationError("Enter an e-mail address.")
    try:
        # test_environment admits the reserved .test domain that demo and test accounts use.
        validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError as err:
        raise ValidationError(
            f"Enter an e-mail address in the correct format, like name@example.org ({err})"
        ) from err
    return address


def _check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters; "
            "several unrelated words are easy to remember and hard to guess."
        )


def find_by_email(email: str) -> User | None:
    """The account with this address, ignoring case, or None."""
    address = normalise_email(email)
    return db.session.scalars(select(User).where(func.lower(User.email) == address)).first()


@unit_of_work
def create_user(email: str, password: str, name: str = "") -> User:
    """Create a staff account with a scrypt-hashed password.

    Raises
    ------
    ValidationError
        The address is malformed or already has an account, or the password is too short.
    """
    address = _check_email(email)
    _check_password_rules(password)
    duplicate = ValidationError(
        f"There is already an account for {address}. Sign in, or use another address."
    )
    if find_by_email(address) is not None:
        raise duplicate
    user = User(email=address, name=(name or "").strip())
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as err:  # another request created it a moment ago
        raise duplicate from err
    return user


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """Return the user whose e-mail and password match, counting failures in the database.

    After ``LOGIN_MAX_ATTEMPTS`` failures in a row the account is locked for
    ``LOGIN_LOCKOUT_MINUTES``. An unknown address and a wrong password get the same
    message. Each outcome is written in its own unit of work, so a failure is recorded
    (committed) even though this function then raises.

    Raises
    ------
    AuthenticationError
        The address or password is wrong, or the account is locked; the message says
        when to try again.
    """
    now = now or utcnow()
    user = find_by_email(email)
    if user is None:
        check_password_hash(_unknown_user_hash(), password or "")
        raise AuthenticationError(WRONG_CREDENTIALS)
    if user.is_locked(now):
        raise AuthenticationError(_locked_message(user.locked_until, now))
    if not user.check_password(password or ""):
        locked_until = _record_failure(user, now)
        if locked_until is not None:
            raise AuthenticationError(_locked_message(locked_until, now))
        raise AuthenticationError(WRONG_CREDENTIALS)
    _record_success(user, now)
    return user


def _locked_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return (
        "There have been too many failed attempts to sign in to this account, so it is "
        f"locked for {minutes} minute{'s' if minutes != 1 else ''}. Try again after "
        f"{locked_until:%H:%M} UTC. If you have forgotten your password, ask your study's owner."
    )


@unit_of_work
def _record_failure(user: User, now: datetime) -> datetime | None:
    """Count one failed sign-in; lock the account at the limit. Returns the lock's end."""
    if user.locked_until is not None and user.locked_until <= now:
        user.failed_logins, user.locked_until = 1, None  # an expired lock starts a fresh count
    else:
        # Incremented in SQL so two simultaneous failures both count.
        user.failed_logins = User.failed_logins + 1
    db.session.flush()
    if user.failed_logins >= current_app.config["LOGIN_MAX_ATTEMPTS"]:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    return user.locked_until


@unit_of_work
def _record_success(user: User, now: datetime) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now


@unit_of_work
def change_password(user: User, old_password: str, new_password: str) -> User:
    """Replace the password and end the user's other sessions.

    The caller signs the current session in again (``login_user``) to keep it.

    Raises
    ------
    ValidationError
        The current password is wrong, or the new one is too short.
    """
    if not user.check_password(old_password or ""):
        raise ValidationError("Your current password is not right. Type it again.")
    _check_password_rules(new_password)
    user.set_password(new_password)
    return user


@unit_of_work
def sign_out_everywhere(user: User) -> User:
    """End every session of ``user``, on every device, including the current one."""
    user.session_version = (user.session_version or 0) + 1
    return user


def load_user_for_session(session_id: str) -> User | None:
    """The user a session's ``"id:version"`` names, or None if it is malformed or stale.

    Flask-Login calls this on every request; a version that no longer matches means the
    user has since changed their password or signed out everywhere.
    """
    user_id, _, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user
