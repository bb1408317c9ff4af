"""A study with a team: the owner, a co-facilitator, a steering member, and an outsider who
has an account but no part in the study; shared by the web tests that check who may do what."""

from delphi.extensions import db as _db
from delphi.models import Role, StudyMembership, User

from ..conftest import TEST_PASSWORD
from ..factories import make_study, make_user

EMAILS = {
    "owner": "facilitator@example.test",
    "facilitator": "co@example.test",
    "steering": "steering@example.test",
    "outsider": "outsider@example.test",
}


def team_users() -> dict[str, User]:
    """One user of each role in ``EMAILS``, keyed by role, with the test password; committed."""
    return {role: make_user(email=email, name=f"A {role}") for role, email in EMAILS.items()}


def join_team(study, users: dict[str, User]):
    """Make ``users["facilitator"]`` and ``users["steering"]`` members of ``study``; the
    outsider stays out. Returns the study."""
    for role in ("facilitator", "steering"):
        _db.session.add(StudyMembership(study=study, user=users[role], role=Role(role)))
    _db.session.commit()
    return study


def make_study_with_team(owner=None):
    """A study (owned by ``owner``, or a new user) whose team holds one user of each role in
    ``EMAILS`` but the outsider; committed."""
    owner = owner or make_user()
    study = make_study(owner=owner)
    for role in ("facilitator", "steering", "outsider"):
        user = User(email=EMAILS[role], name=f"A {role}", password_hash=owner.password_hash)
        _db.session.add(user)
        if role != "outsider":
            _db.session.add(StudyMembership(study=study, user=user, role=Role(role)))
    _db.session.commit()
    return study


def sign_in_as(auth, role: str) -> None:
    """Sign in through the real form as the team's user of ``role``."""
    auth.login(email=EMAILS[role], password=TEST_PASSWORD)
