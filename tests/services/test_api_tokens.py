"""API tokens: shown once and stored hashed; listed, revoked, and refused with a clear
message when unknown, revoked, expired, for another study or held by someone who left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from delphi.errors import AuthenticationError, Forbidden, NotFound, StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import ApiToken, AuditEvent, Role, StudyMembership, utcnow
from delphi.services import api_tokens

from ..factories import make_study, make_user


@pytest.fixture
def team(db):
    owner = make_user()
    study = make_study(owner=owner)
    steering = make_user(email="steering@example.test", name="Sam Steering")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    return study, owner, steering


def _stored_text() -> str:
    """Every column of every stored token, as text."""
    return repr([(t.name, t.token_hash, t.prefix) for t in _db.session.scalars(select(ApiToken))])


def test_create_returns_the_token_once_and_stores_only_its_hash(team):
    study, owner, _ = team
    now = utcnow()
    new = api_tokens.create_token(study, owner, "  R on my laptop ", now=now)
    assert new.secret.startswith("dlp_") and len(new.secret) > 40
    token = _db.session.get(ApiToken, new.token.id)
    assert token.token_hash == api_tokens.hash_token(new.secret) and len(token.token_hash) == 64
    assert token.prefix == new.secret[:12] and token.name == "R on my laptop"
    assert token.expires_at == now + timedelta(days=api_tokens.DEFAULT_DAYS)
    assert token.last_used_at is None and token.revoked_at is None
    assert new.secret not in _stored_text()
    events = _db.session.scalars(select(AuditEvent).where(AuditEvent.study_id == study.id))
    assert all(new.secret not in repr((e.target, e.details)) for e in events)
    assert api_tokens.create_token(study, owner, "second").secret != new.secret


@pytest.mark.parametrize(("name", "days", "message"), [
    ("", 90, "Give the token a name"), ("x" * 101, 90, "at most 100"),
    ("ok", 0, "from 1 to 365"), ("ok", 366, "from 1 to 365"),
])
def test_bad_names_and_expiries_are_refused(team, name, days, message):
    study, owner, _ = team
    with pytest.raises(ValidationError, match=message):
        api_tokens.create_token(study, owner, name, days)
    assert _db.session.scalars(select(ApiToken)).all() == []


def test_only_team_members_make_tokens(team):
    study, _, _ = team
    with pytest.raises(Forbidden, match="not on the team"):
        api_tokens.create_token(study, make_user(email="out@example.test"), "mine")


def test_members_see_their_own_tokens_and_owners_everyones(team):
    study, owner, steering = team
    mine = api_tokens.create_token(study, owner, "owner's").token
    theirs = api_tokens.create_token(study, steering, "steering's").token
    assert api_tokens.visible_tokens(study, steering) == [theirs]
    assert set(api_tokens.visible_tokens(study, owner)) == {mine, theirs}
    assert api_tokens.get_token(study, theirs.id, owner) is theirs
    with pytest.raises(NotFound):
        api_tokens.get_token(study, mine.id, steering)
    other = make_study(owner=owner, title="Another study")
    with pytest.raises(NotFound):
        api_tokens.get_token(other, mine.id, owner)


def test_revoke_stops_the_token_and_is_audited(team):
    study, owner, steering = team
    new = api_tokens.create_token(study, steering, "to revoke")
    api_tokens.revoke_token(new.token, owner)
    assert new.token.revoked_at is not None and not api_tokens.is_active(new.token)
    with pytest.raises(StateError, match="revoked already"):
        api_tokens.revoke_token(new.token, owner)
    with pytest.raises(AuthenticationError, match="was revoked"):
        api_tokens.authenticate(new.secret, study.id)
    assert _db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "api_token.revoked", AuditEvent.user_id == owner.id))


def test_authenticate_returns_the_user_sets_last_used_and_audits(team):
    study, _, steering = team
    new = api_tokens.create_token(study, steering, "script")
    now = utcnow() + timedelta(days=1)
    user, token = api_tokens.authenticate(new.secret, study.id, "/api/v1/x", now=now)
    assert user is steering and token is new.token and token.last_used_at == now
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.used"))
    assert (event.study_id, event.user_id, event.target) == (study.id, steering.id, "/api/v1/x")
    assert new.secret not in repr(event.details)


@pytest.mark.parametrize("secret", [None, "", "dlp_unknown", "not-a-token"])
def test_missing_and_unknown_tokens_are_refused(team, secret):
    study, _, _ = team
    with pytest.raises(AuthenticationError, match="needs an API token|not known"):
        api_tokens.authenticate(secret, study.id)


def test_an_expired_token_is_refused(team):
    study, owner, _ = team
    new = api_tokens.create_token(study, owner, "short", days=1)
    with pytest.raises(AuthenticationError, match="expired"):
        api_tokens.authenticate(new.secret, study.id, now=utcnow() + timedelta(days=1, hours=1))
    assert new.token.last_used_at is None


def test_another_studys_token_and_a_former_members_token_are_forbidden(team):
    study, owner, steering = team
    other = make_study(owner=owner, title="Another study")
    new = api_tokens.create_token(other, owner, "other")
    with pytest.raises(Forbidden, match="another study"):
        api_tokens.authenticate(new.secret, study.id)
    left = api_tokens.create_token(study, steering, "leaver")
    _db.session.delete(_db.session.scalar(select(StudyMembership).where(
        StudyMembership.user_id == steering.id)))
    _db.session.commit()
    with pytest.raises(Forbidden, match="no longer on the study's team"):
        api_tokens.authenticate(left.secret, study.id)
    assert _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.used")) is None
