"""The study team: members, and single-use, expiring invitations for new members.

An owner invites a co-facilitator or a steering member by e-mail address. The invitation
is a link ``/staff-invitations/<token>`` (256 random bits; only the SHA-256 hash is kept)
that works once, for ``STAFF_INVITATION_DAYS`` days (default 7). The person signs in with
that address and joins, or creates an account with it and joins. Every step is audited.
Steering members get a read-only role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    MessageKind,
    Role,
    StaffInvitation,
    Study,
    StudyMembership,
    User,
    utcnow,
)
from . import accounts, audit, mailer, outbox
from .invitations import external_url, hash_token, new_token, team_contact
from .transaction import unit_of_work

#: Roles an owner may invite people into.
INVITABLE_ROLES = (Role.FACILITATOR, Role.STEERING)

ROLE_WORDS = {
    Role.OWNER: "an owner",
    Role.FACILITATOR: "a facilitator",
    Role.STEERING: "a steering group member",
}


class UnknownStaffLink(NotFound):
    """No invitation has this link, or it was revoked."""


class UsedStaffLink(StateError):
    """The invitation has been used already."""


class ExpiredStaffLink(StateError):
    """The invitation is past its expiry."""


@dataclass(frozen=True)
class StaffInviteResult:
    """An invitation just made. ``url`` exists only in memory: show it once if not e-mailed."""

    invitation: StaffInvitation
    url: str
    emailed: bool


def members(study: Study) -> list[StudyMembership]:
    """The study's team: owners, then facilitators, then steering members."""
    order = {Role.OWNER: 0, Role.FACILITATOR: 1, Role.STEERING: 2}
    memberships = db.session.scalars(
        select(StudyMembership).where(StudyMembership.study_id == study.id)
        .options(selectinload(StudyMembership.user))
    )
    return sorted(memberships, key=lambda m: (order[m.role], m.user.email))


def pending_invitations(study: Study) -> list[StaffInvitation]:
    """Invitations not used yet, newest first; expired ones are included (marked by date)."""
    return list(db.session.scalars(
        select(StaffInvitation)
        .where(StaffInvitation.study_id == study.id, StaffInvitation.used_at.is_(None))
        .order_by(StaffInvitation.created_at.desc(), StaffInvitation.id.desc())
    ))


def invitation_url(token: str) -> str:
    """The link that accepts the invitation holding ``token``."""
    return external_url("staff.accept_invitation", token=token)


def _check_address(email: str) -> str:
    address = accounts.normalise_email(email)
    if not address:
        raise ValidationError("Enter the e-mail address of the person to invite.")
    try:
        validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError as err:
        raise ValidationError(
            f"Enter an e-mail address in the correct format, like name@example.org ({err})"
        ) from err
    return address


@unit_of_work
def invite(study: Study, email: str, role: Role | str, by: User,
           now: datetime | None = None) -> StaffInviteResult:
    """Invite ``email`` to the team as a facilitator or steering member.

    A pending invitation for the same address is replaced (its link stops working). With
    SMTP set up the link is e-mailed; otherwise it is returned to be shown once.

    Raises
    ------
    ValidationError
        The address is malformed or already on the team, or the role cannot be invited.
    """
    now = now or utcnow()
    address = _check_address(email)
    try:
        role = Role(role)
    except ValueError as err:
        raise ValidationError("Choose facilitator or steering group member.") from err
    if role not in INVITABLE_ROLES:
        raise ValidationError("Choose facilitator or steering group member.")
    existing = accounts.find_by_email(address)
    if existing is not None and any(m.study_id == study.id for m in existing.memberships):
        raise ValidationError(f"{address} is already on the team of this study.")
    db.session.execute(delete(StaffInvitation).where(
        StaffInvitation.study_id == study.id, StaffInvitation.email == address,
        StaffInvitation.used_at.is_(None),
    ))
    token = new_token()
    invitation = StaffInvitation(
        study_id=study.id, email=address, role=role, token_hash=hash_token(token),
        expires_at=now + timedelta(days=int(current_app.config["STAFF_INVITATION_DAYS"])),
        invited_by_id=by.id, created_at=now,
    )
    db.session.add(invitation)
    url = invitation_url(token)
    emailed = mailer.is_configured()
    if emailed:
        outbox.queue_message(address, f"Join the team of “{study.title}”",
                             _message_text(study, role, by, url, invitation.expires_at),
                             MessageKind.STAFF_INVITATION, study=study)
    db.session.flush()
    audit.record(study, by, "staff.invited", address, role=role.value, emailed=emailed)
    return StaffInviteResult(invitation, url, emailed)


def _message_text(study: Study, role: Role, by: User, url: str, expires_at: datetime) -> str:
    inviter = by.name or by.email
    return (
        f"Hello,\n\n{inviter} has invited you to join the team of the study "
        f"“{study.title}” as {ROLE_WORDS[role]}.\n\n"
        f"To accept, open this link (it works once, until {expires_at:%d %B %Y}):\n{url}\n\n"
        "You will sign in with this e-mail address, or create an account with it.\n\n"
        f"If you did not expect this, ignore this e-mail or contact {team_contact(study)}.\n"
    )


@unit_of_work
def revoke(study: Study, invitation_id: int, by: User) -> StaffInvitation:
    """Withdraw a pending invitation: its link stops working.

    Raises
    ------
    NotFound
        The study has no such pending invitation.
    """
    invitation = db.session.get(StaffInvitation, invitation_id)
    if invitation is None or invitation.study_id != study.id or invitation.used_at is not None:
        raise NotFound("There is no such pending invitation; it may have been used or revoked.")
    audit.record(study, by, "staff.invitation_revoked", invitation.email,
                 role=invitation.role.value)
    db.session.delete(invitation)
    return invitation


def find_invitation(token: str, now: datetime | None = None) -> StaffInvitation:
    """The usable invitation holding ``token``.

    Raises
    ------
    UnknownStaffLink
        No invitation matches (mistyped, or revoked).
    UsedStaffLink
        It has been used already.
    ExpiredStaffLink
        It has expired.
    """
    now = now or utcnow()
    token = (token or "").strip()
    invitation = None
    if 20 <= len(token) <= 128:
        invitation = db.session.scalar(
            select(StaffInvitation).where(StaffInvitation.token_hash == hash_token(token))
        )
    if invitation is None:
        raise UnknownStaffLink(
            "This invitation link is not recognised. Check that you copied the whole link; "
            "it may also have been withdrawn. Ask the study's owner to invite you again."
        )
    if invitation.used_at is not None:
        raise UsedStaffLink(
            "This invitation has been used already: each invitation works once. If it was "
            "you, sign in to see the study. If not, ask the study's owner to invite you again."
        )
    if invitation.expires_at <= now:
        raise ExpiredStaffLink(
            f"This invitation expired on {invitation.expires_at:%d %B %Y}. Ask the study's "
            f"owner to invite you again: {team_contact(invitation.study)}."
        )
    return invitation


@unit_of_work
def accept(token: str, user: User, now: datetime | None = None) -> StudyMembership:
    """Join the study as the invited role; the invitation is used up.

    Raises
    ------
    UnknownStaffLink, UsedStaffLink, ExpiredStaffLink
        The link cannot be used (see :func:`find_invitation`).
    ValidationError
        ``user`` signed in with another address than the one invited, or is on the team.
    """
    now = now or utcnow()
    invitation = find_invitation(token, now)
    if accounts.normalise_email(user.email) != invitation.email:
        raise ValidationError(
            f"This invitation is for {invitation.email}, but you are signed in as "
            f"{user.email}. Sign out, then open the link again."
        )
    study = invitation.study
    if any(membership.study_id == study.id for membership in user.memberships):
        raise ValidationError(f"You are already on the team of “{study.title}”.")
    # Only the first of two simultaneous acceptances finds used_at still empty.
    claimed = db.session.execute(
        update(StaffInvitation)
        .where(StaffInvitation.id == invitation.id, StaffInvitation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise UsedStaffLink("This invitation has been used already: each invitation works once.")
    membership = StudyMembership(study_id=study.id, user_id=user.id, role=invitation.role)
    db.session.add(membership)
    audit.record(study, user, "staff.joined", user.email, role=invitation.role.value,
                 invited_by=invitation.invited_by_id)
    return membership


def accept_with_new_account(token: str, name: str, password: str,
                            now: datetime | None = None) -> User:
    """Create an account for the invited address, then join the study with it.

    Two units of work: the account (:func:`delphi.services.accounts.create_user`), then
    :func:`accept`. The link is checked before the account is made.

    Raises
    ------
    UnknownStaffLink, UsedStaffLink, ExpiredStaffLink
        The link cannot be used.
    ValidationError
        The address already has an account (sign in instead), or the password is too short.
    """
    invitation = find_invitation(token, now)
    if accounts.find_by_email(invitation.email) is not None:
        raise ValidationError(
            f"There is already an account for {invitation.email}. Sign in with it to accept "
            "the invitation."
        )
    user = accounts.create_user(invitation.email, password, name)
    accept(token, user, now)
    return user
