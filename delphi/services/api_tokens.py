"""Tokens for the read-only JSON API: made and revoked by team members, checked on each call.

A token belongs to one person and one study. It is shown once, when it is made; only its
SHA-256 hash is stored, with its first characters (``prefix``) so lists can tell tokens
apart. It works until it expires (at most :data:`MAX_DAYS` days), is revoked, or its
person leaves the study's team. Every use is kept in the study's audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..errors import AuthenticationError, Forbidden, NotFound, StateError, ValidationError
from ..extensions import db
from ..models import ApiToken, Role, Study, User, utcnow
from . import audit
from .studies import role_in
from .transaction import unit_of_work

TOKEN_PREFIX = "dlp_"  # noqa: S105 - a public marker, not a secret
"""Every token starts with this, so a leaked one is easy to recognise (and to search for)."""

PREFIX_LENGTH = 12
"""Characters of the token kept in the database to tell tokens apart."""

DEFAULT_DAYS = 90
MAX_DAYS = 365
NAME_LENGTH = 100


@dataclass(frozen=True)
class NewToken:
    """A token just made: the stored record and the token itself, to be shown once."""

    token: ApiToken
    secret: str


def hash_token(secret: str) -> str:
    """The SHA-256 hex digest a token is stored and looked up by."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the token a name, so you can tell it apart later.")
    if len(name) > NAME_LENGTH:
        raise ValidationError(f"A token's name can be at most {NAME_LENGTH} characters long.")
    return name


def _check_days(days: int) -> int:
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            f"A token can last from 1 to {MAX_DAYS} days. Make a new one when it expires.")
    return days


def _check_member(study: Study, user: User) -> Role:
    role = role_in(study, user)
    if role is None:
        raise Forbidden(f"You are not on the team of the study “{study.title}”, so you cannot "
                        "use its API.")
    return role


@unit_of_work
def create_token(study: Study, user: User, name: str, days: int = DEFAULT_DAYS,
                 now: datetime | None = None) -> NewToken:
    """Make a token for ``user`` to read ``study`` through the API, valid for ``days`` days.

    The returned :class:`NewToken` carries the token itself; it cannot be seen again.

    Raises
    ------
    ValidationError
        The name is empty or too long, or ``days`` is not from 1 to :data:`MAX_DAYS`.
    Forbidden
        ``user`` is not on the study's team.
    """
    name, days = _check_name(name), _check_days(days)
    _check_member(study, user)
    now = now or utcnow()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, study_id=study.id, name=name,
                     token_hash=hash_token(secret), prefix=secret[:PREFIX_LENGTH],
                     created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record(study, user, "api_token.created", token.prefix, name=name,
                 expires_at=token.expires_at.isoformat())
    return NewToken(token, secret)


def visible_tokens(study: Study, user: User) -> list[ApiToken]:
    """The study's tokens ``user`` may see: their own, or everyone's for an owner; newest first.

    Raises
    ------
    Forbidden
        ``user`` is not on the study's team.
    """
    query = select(ApiToken).where(ApiToken.study_id == study.id)
    if _check_member(study, user) != Role.OWNER:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(),
                                                  ApiToken.id.desc())))


def get_token(study: Study, token_id: int, user: User) -> ApiToken:
    """One of the study's tokens, if ``user`` made it or owns the study.

    Raises
    ------
    NotFound
        The study has no such token, or it is someone else's and ``user`` is not an owner
        (other people's tokens are not revealed).
    """
    token = db.session.get(ApiToken, token_id)
    role = role_in(study, user)
    if (token is None or token.study_id != study.id or role is None
            or (token.user_id != user.id and role != Role.OWNER)):
        raise NotFound("There is no such API token among yours for this study.")
    return token


@unit_of_work
def revoke_token(token: ApiToken, by: User, now: datetime | None = None) -> ApiToken:
    """Stop ``token`` working at once; the record stays, marked revoked.

    Raises
    ------
    StateError
        The token was revoked already.
    """
    if token.revoked_at is not None:
        raise StateError(f"The token “{token.name}” was revoked already.")
    token.revoked_at = now or utcnow()
    audit.record(token.study, by, "api_token.revoked", token.prefix, name=token.name,
                 holder=token.user.email)
    return token


def is_active(token: ApiToken, now: datetime | None = None) -> bool:
    """True while the token is neither revoked nor expired."""
    return token.revoked_at is None and token.expires_at > (now or utcnow())


@unit_of_work
def authenticate(token_string: str | None, study_id: int, path: str = "",
                 now: datetime | None = None) -> tuple[User, ApiToken]:
    """The user and token behind ``token_string``, allowed to read study ``study_id``.

    A successful use sets the token's ``last_used_at`` and is audited as ``api.used`` with
    ``path``.

    Raises
    ------
    AuthenticationError
        No token was given, or it is unknown, revoked or expired (HTTP 401).
    Forbidden
        The token is for another study, or its user is no longer on the study's team (403).
    """
    now = now or utcnow()
    if not token_string:
        raise AuthenticationError(
            "This needs an API token: send it in the header “Authorization: Bearer <token>”.")
    token = None
    if token_string.startswith(TOKEN_PREFIX):
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_token(token_string)))
    if token is None:
        raise AuthenticationError(
            "This API token is not known. Check it was copied whole, or make a new one on "
            "the study's API tokens page.")
    if token.revoked_at is not None:
        raise AuthenticationError(
            f"This API token (“{token.name}”) was revoked. Make a new one on the study's "
            "API tokens page.")
    if token.expires_at <= now:
        raise AuthenticationError(
            f"This API token (“{token.name}”) expired. Make a new one on the study's API "
            "tokens page.")
    if token.study_id != study_id:
        raise Forbidden(f"This API token is for another study (number {token.study_id}); "
                        "make a token on this study's API tokens page.")
    if role_in(token.study, token.user) is None:
        raise Forbidden("The person this API token belongs to is no longer on the study's "
                        "team, so the token no longer works.")
    token.last_used_at = now
    audit.record(token.study, token.user, "api.used", path, token=token.prefix)
    return token.user, token
