"""The panel: adding participants under random pseudonyms, test participants, who may see
contact details, withdrawal and erasing contact details.

Inside the study team participants are known by pseudonym only. Their e-mail address
(:class:`ParticipantContact`) is shown to owners, and to facilitators an owner has allowed
(``StudyMembership.can_see_contacts``), one participant at a time, and every showing is
written to the audit log. Steering members never see contact details.

Test participants (``is_test``, pseudonyms ``T-…``) pilot rounds. The rule for every later
feature: their answers never enter results, counts or exports, so every query that counts
participants or reads answers for those purposes filters them out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import selectinload

from ..errors import Forbidden, NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    Answer,
    ChnriAnswer,
    Comment,
    Invitation,
    Participant,
    ParticipantContact,
    ParticipantSource,
    ParticipantStatus,
    Ranking,
    Role,
    StakeholderGroup,
    Study,
    StudyMembership,
    Suggestion,
    User,
    WithdrawalPolicy,
    utcnow,
)
from . import audit
from .studies import role_in
from .transaction import unit_of_work

# No 0/O, 1/I/L: a pseudonym read out over the phone is not misheard.
PSEUDONYM_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PSEUDONYM_LENGTH = 6
PARTICIPANT_PREFIX = "P-"
TEST_PREFIX = "T-"
MAX_REFERENCE_LENGTH = 200
MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True)
class GroupCounts:
    """How many participants a stakeholder group has, by kind, against its target.

    ``self_registered`` counts those of ``active`` who joined through an open link; the
    rest were invited by the team (:attr:`invited`).
    """

    group: StakeholderGroup | None
    active: int = 0
    withdrawn: int = 0
    test: int = 0
    self_registered: int = 0

    @property
    def invited(self) -> int:
        return self.active - self.self_registered

    @property
    def target(self) -> int:
        return self.group.target_number if self.group is not None else 0

    @property
    def name(self) -> str:
        return self.group.name if self.group is not None else "No group"


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawing a participant did."""

    participant: Participant
    answers_removed: bool
    removed: int
    contact_erased: bool


def normalise_email(email: str | None) -> str:
    """The form a participant's address is stored and compared in: trimmed, lower-case."""
    return (email or "").strip().lower()


def email_problem(email: str) -> str | None:
    """Why ``email`` (already normalised) is not a usable address, or None.

    Only the form is checked; no DNS look-up is made. The reserved ``.test`` domain is
    accepted, for demos and tests.
    """
    if not email:
        return "Enter an e-mail address."
    if len(email) > MAX_EMAIL_LENGTH:
        return f"An e-mail address is at most {MAX_EMAIL_LENGTH} characters long."
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as err:
        return f"“{email}” is not a valid e-mail address: {err}"
    return None


def new_pseudonym(taken: set[str], prefix: str = PARTICIPANT_PREFIX) -> str:
    """A random pseudonym not in ``taken`` (which it is added to); it carries no information."""
    while True:
        code = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
        pseudonym = prefix + code
        if pseudonym not in taken:
            taken.add(pseudonym)
            return pseudonym


def taken_pseudonyms(study: Study) -> set[str]:
    """Every pseudonym already used in ``study``."""
    return set(db.session.scalars(
        select(Participant.pseudonym).where(Participant.study_id == study.id)
    ))


def emails_in_study(study: Study) -> set[str]:
    """The (lower-case) addresses of the study's participants, test participants included."""
    return set(db.session.scalars(
        select(func.lower(ParticipantContact.email))
        .join(Participant, Participant.id == ParticipantContact.participant_id)
        .where(Participant.study_id == study.id)
    ))


def group_in_study(study: Study, group_id: int | str | None) -> StakeholderGroup:
    """The study's stakeholder group with this id.

    Raises
    ------
    ValidationError
        No group was chosen, or it is not one of the study's groups.
    """
    group = None
    if group_id not in (None, ""):
        group = db.session.get(StakeholderGroup, int(group_id))
    if group is None or group.study_id != study.id:
        raise ValidationError("Choose the participant's stakeholder group.")
    return group


def _check_reference(reference: str | None) -> str:
    reference = (reference or "").strip()
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise ValidationError(
            f"A reference is at most {MAX_REFERENCE_LENGTH} characters long; shorten it."
        )
    return reference


def build_participant(study: Study, group: StakeholderGroup, email: str | None,
                      reference: str, taken: set[str], is_test: bool = False) -> Participant:
    """A new participant with a fresh pseudonym, added to the session (no checks, no commit)."""
    participant = Participant(
        study_id=study.id, group_id=group.id, reference=reference, is_test=is_test,
        status=ParticipantStatus.INVITED, reminders_stopped=False,
        pseudonym=new_pseudonym(taken, TEST_PREFIX if is_test else PARTICIPANT_PREFIX),
    )
    if email:
        participant.contact = ParticipantContact(email=email)
    db.session.add(participant)
    return participant


@unit_of_work
def add_participant(study: Study, by: User, email: str, group_id: int | str | None,
                    reference: str = "") -> Participant:
    """Add one participant with a new random pseudonym; their address is kept apart.

    Raises
    ------
    ValidationError
        The address is malformed or already in the study, no stakeholder group of the
        study was chosen, or the reference is too long.
    """
    address = normalise_email(email)
    problem = email_problem(address)
    if problem:
        raise ValidationError(problem)
    group = group_in_study(study, group_id)
    reference = _check_reference(reference)
    if address in emails_in_study(study):
        raise ValidationError(
            f"{address} is already a participant in this study; each address can be added once."
        )
    participant = build_participant(study, group, address, reference, taken_pseudonyms(study))
    db.session.flush()
    audit.record(study, by, "participant.added", participant.pseudonym, group=group.name)
    return participant


@unit_of_work
def add_test_participant(study: Study, by: User, group_id: int | str | None,
                         email: str = "") -> Participant:
    """Add a test participant (pseudonym ``T-…``) to pilot rounds; their answers never count.

    The address is optional (a member of the team may give their own to receive the
    test participant's messages).

    Raises
    ------
    ValidationError
        The address is malformed, or no stakeholder group of the study was chosen.
    """
    address = normalise_email(email)
    if address:
        problem = email_problem(address)
        if problem:
            raise ValidationError(problem)
    group = group_in_study(study, group_id)
    participant = build_participant(study, group, address or None, "Test participant",
                                    taken_pseudonyms(study), is_test=True)
    db.session.flush()
    audit.record(study, by, "participant.test_added", participant.pseudonym, group=group.name)
    return participant


def list_participants(study: Study) -> list[Participant]:
    """The study's participants by pseudonym, with their groups loaded (no contacts)."""
    return list(db.session.scalars(
        select(Participant).where(Participant.study_id == study.id)
        .options(selectinload(Participant.group))
        .order_by(Participant.is_test, Participant.pseudonym)
    ))


def group_counts(study: Study) -> list[GroupCounts]:
    """Active, withdrawn and test participants per stakeholder group, in one query.

    Active participants who joined through an open link are also counted apart. The list
    follows the study's group order; a last entry without a group appears only when some
    participants' group was deleted.
    """
    rows = db.session.execute(
        select(Participant.group_id, Participant.status, Participant.is_test,
               Participant.source, func.count(Participant.id))
        .where(Participant.study_id == study.id)
        .group_by(Participant.group_id, Participant.status, Participant.is_test,
                  Participant.source)
    ).all()
    tallies: dict[int | None, dict[str, int]] = {}
    for group_id, status, is_test, source, count in rows:
        kind = "test" if is_test else (
            "withdrawn" if status == ParticipantStatus.WITHDRAWN else "active")
        tally = tallies.setdefault(group_id, {})
        tally[kind] = tally.get(kind, 0) + count
        if kind == "active" and source == ParticipantSource.SELF_REGISTERED:
            tally["self_registered"] = tally.get("self_registered", 0) + count
    result = [GroupCounts(group, **tallies.get(group.id, {})) for group in study.groups]
    if None in tallies:
        result.append(GroupCounts(None, **tallies[None]))
    return result


def get_participant(study: Study, participant_id: int) -> Participant:
    """The study's participant with this id.

    Raises
    ------
    NotFound
        The study has no such participant.
    """
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.study_id != study.id:
        raise NotFound("This study has no such participant. They may have been removed.")
    return participant


def may_see_contacts(study: Study, user: User) -> bool:
    """True when ``user`` may reveal participants' contact details in ``study``.

    Owners always may; facilitators when an owner has allowed it; steering members never.
    """
    membership = db.session.scalar(select(StudyMembership).where(
        StudyMembership.study_id == study.id, StudyMembership.user_id == user.id))
    if membership is None:
        return False
    if membership.role == Role.OWNER:
        return True
    return membership.role == Role.FACILITATOR and membership.can_see_contacts


def require_contact_access(study: Study, user: User) -> None:
    """Refuse unless ``user`` may see contact details in ``study`` (see :func:`may_see_contacts`).

    Raises
    ------
    Forbidden
        ``user`` may not see contact details in this study.
    """
    if not may_see_contacts(study, user):
        raise Forbidden(
            "You cannot see participants' contact details in this study. "
            "Ask the study's owner if your work needs them."
        )


@unit_of_work
def reveal_contact(study: Study, participant: Participant, by: User) -> str:
    """The e-mail address behind a pseudonym; the showing is written to the audit log.

    Raises
    ------
    Forbidden
        ``by`` may not see contact details in this study.
    StateError
        The participant has no contact details (erased, or a test participant without).
    """
    require_contact_access(study, by)
    if participant.contact is None:
        raise StateError(f"{participant.pseudonym} has no contact details: they were erased "
                         "or never given.")
    audit.record(study, by, "participant.contact_revealed", participant.pseudonym)
    return participant.contact.email


def team_access(study: Study) -> list[StudyMembership]:
    """The owners, then the facilitators, of ``study``; each says if they may see contacts."""
    return list(db.session.scalars(
        select(StudyMembership).where(
            StudyMembership.study_id == study.id,
            StudyMembership.role.in_([Role.OWNER, Role.FACILITATOR]),
        ).options(selectinload(StudyMembership.user))
        .order_by(case((StudyMembership.role == Role.OWNER, 0), else_=1), StudyMembership.id)
    ))


@unit_of_work
def set_contact_access(study: Study, membership_id: int, allowed: bool,
                       by: User) -> StudyMembership:
    """Allow or stop a facilitator seeing participants' contact details (owners only).

    Raises
    ------
    Forbidden
        ``by`` is not an owner of the study.
    NotFound
        The study has no such team member.
    ValidationError
        The member is an owner (who always may) or a steering member (who never may).
    """
    if role_in(study, by) != Role.OWNER:
        raise Forbidden("Only the study's owners can decide who sees contact details.")
    membership = db.session.get(StudyMembership, membership_id)
    if membership is None or membership.study_id != study.id:
        raise NotFound("This study has no such team member.")
    if membership.role != Role.FACILITATOR:
        raise ValidationError(
            "Owners always see contact details and steering members never do; "
            "only a facilitator's access can be changed."
        )
    if membership.can_see_contacts != allowed:
        membership.can_see_contacts = allowed
        action = "team.contact_access_granted" if allowed else "team.contact_access_revoked"
        audit.record(study, by, action, membership.user.email)
    return membership


def _delete_answers_of(participant: Participant) -> int:
    removed = 0
    for model in (Answer, ChnriAnswer, Comment, Suggestion, Ranking):
        result = db.session.execute(
            delete(model).where(model.participant_id == participant.id),
            execution_options={"synchronize_session": False},
        )
        removed += result.rowcount or 0
    return removed


@unit_of_work
def withdraw_participant(study: Study, participant: Participant, by: User | None,
                         erase_contact: bool = False) -> Withdrawal:
    """Withdraw a participant under the study's withdrawal policy.

    They get no more messages and their links stop working. With the "remove" policy
    their answers, comments, suggestions and rankings are deleted; with "keep" they stay
    (pseudonymous). Their round participation is kept either way, so the flow chart still
    shows where they took part. ``by`` is None when participants withdraw themselves.

    Raises
    ------
    StateError
        The participant has already withdrawn.
    """
    if participant.status == ParticipantStatus.WITHDRAWN:
        raise StateError(f"{participant.pseudonym} has already withdrawn.")
    now = utcnow()
    participant.status = ParticipantStatus.WITHDRAWN
    participant.withdrawn_at = now
    participant.reminders_stopped = True
    db.session.execute(
        update(Invitation)
        .where(Invitation.participant_id == participant.id, Invitation.expires_at > now)
        .values(expires_at=now),
        execution_options={"synchronize_session": False},
    )
    remove = study.withdrawal_policy == WithdrawalPolicy.REMOVE
    removed = _delete_answers_of(participant) if remove else 0
    erased = erase_contact and participant.contact is not None
    if erased:
        participant.contact = None
    audit.record(study, by, "participant.withdrawn", participant.pseudonym,
                 policy=study.withdrawal_policy.value, removed=removed,
                 contact_erased=erased)
    return Withdrawal(participant, remove, removed, erased)


@unit_of_work
def erase_contact(study: Study, participant: Participant, by: User | None) -> Participant:
    """Delete a participant's contact details; their pseudonymous answers stay.

    They can no longer be sent invitations or reminders.

    Raises
    ------
    StateError
        There are no contact details to erase.
    """
    if participant.contact is None:
        raise StateError(f"{participant.pseudonym} has no contact details to erase.")
    participant.contact = None
    audit.record(study, by, "participant.contact_erased", participant.pseudonym)
    return participant


def contactable_participants(study: Study, include_test: bool = False) -> list[Participant]:
    """Participants who can be sent messages: not withdrawn, with contact details.

    Test participants are included only when asked for (to pilot invitations).
    """
    query = (
        select(Participant)
        .join(ParticipantContact, ParticipantContact.participant_id == Participant.id)
        .where(Participant.study_id == study.id,
               Participant.status != ParticipantStatus.WITHDRAWN)
        .options(selectinload(Participant.contact), selectinload(Participant.group))
        .order_by(Participant.pseudonym)
    )
    if not include_test:
        query = query.where(Participant.is_test.is_(False))
    return list(db.session.scalars(query))
