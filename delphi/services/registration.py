"""Getting in without an invitation: open registration links and "e-mail me my link again".

An **open link** (``/join/<slug>``) lets people recruited through charities and social media
join a study on their own: they read the participant information, give consent, choose
their group and may leave an e-mail address. They get their own private link at once (shown
on screen, and e-mailed when they gave an address). The team can cap an open link and close
or reopen it. Participants who joined this way have ``source`` ``self_registered`` and are
counted apart from those the team invited.

Floods are blocked without a third-party CAPTCHA: a hidden field people never see (a form
that fills it in gets a page that looks like success, and nothing is created), and a limit
per network address kept in the database (:class:`RegistrationAttempt`). The table holds a
keyed hash of the address, never the address, and rows older than a day are deleted
whenever an attempt is recorded.

**Resending links** answers the same way whether or not an address is known, so the page
reveals nothing about who takes part. For a known address, each study it takes part in
(not withdrawn) gets a fresh link by e-mail, which replaces earlier ones
(:func:`delphi.services.invitations.reissue_link`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..errors import DelphiError, NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    DocumentKind,
    Invitation,
    MessageKind,
    OpenLink,
    Participant,
    ParticipantContact,
    ParticipantSource,
    ParticipantStatus,
    RegistrationAttempt,
    StakeholderGroup,
    Study,
    User,
    utcnow,
)
from . import audit, consent, documents, invitations, mailer, outbox, participation
from .participants import (
    MAX_EMAIL_LENGTH,
    build_participant,
    email_problem,
    normalise_email,
    taken_pseudonyms,
)
from .transaction import unit_of_work

RESEND = "resend"
REGISTER = "register"
#: At most this many attempts per network address in :data:`WINDOW`, by purpose.
LIMITS = {RESEND: 5, REGISTER: 10}
WINDOW = timedelta(hours=1)
#: Attempts older than this are deleted.
KEEP_ATTEMPTS = timedelta(days=1)
#: Bytes of randomness in an open link's slug (16 characters).
SLUG_BYTES = 12
MAX_CAP = 100_000


class TooManyAttempts(DelphiError):
    """This network address has used the page too often in the last hour."""


class LinkClosed(StateError):
    """The open link is closed, or has as many people as its cap allows."""

    def __init__(self, message: str, study: Study):
        super().__init__(message)
        self.study = study


class RegistrationError(ValidationError):
    """The registration form has problems; ``errors`` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Registration:
    """What :func:`register` did. ``url`` is the private link: it exists only in memory.

    ``participant`` and ``invitation`` are None when the hidden field was filled in (the
    visitor sees a page that looks the same, but nothing was created).
    """

    url: str
    participant: Participant | None = None
    invitation: Invitation | None = None
    emailed: bool = False


@dataclass(frozen=True)
class OpenLinkSummary:
    """An open link with how many people joined through it, and whether it takes more."""

    link: OpenLink
    registered: int

    @property
    def is_full(self) -> bool:
        return self.link.cap is not None and self.registered >= self.link.cap

    @property
    def accepts_people(self) -> bool:
        return self.link.is_open and not self.is_full

    @property
    def state(self) -> str:
        """``open``, ``full`` or ``closed``, for the team's pages."""
        if not self.link.is_open:
            return "closed"
        return "full" if self.is_full else "open"


# ------------------------------------------------------------------------- rate limits


def address_hash(address: str | None) -> str:
    """A keyed SHA-256 hash of a client's network address (the app's secret key is the key)."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, (address or "").encode("utf-8"), hashlib.sha256).hexdigest()


def _allow(purpose: str, hashed: str, now: datetime) -> bool:
    """Record one attempt unless the address is over its limit; True when recorded.

    Deletes attempts older than :data:`KEEP_ATTEMPTS` first, in the caller's unit of work.
    """
    db.session.execute(
        delete(RegistrationAttempt).where(RegistrationAttempt.created_at < now - KEEP_ATTEMPTS),
        execution_options={"synchronize_session": False},
    )
    recent = db.session.scalar(
        select(func.count(RegistrationAttempt.id)).where(
            RegistrationAttempt.purpose == purpose,
            RegistrationAttempt.address_hash == hashed,
            RegistrationAttempt.created_at > now - WINDOW,
        )
    )
    if recent >= LIMITS[purpose]:
        return False
    db.session.add(RegistrationAttempt(purpose=purpose, address_hash=hashed, created_at=now))
    return True


# ------------------------------------------------------------------------ resending links


def _participants_with_address(address: str) -> list[Participant]:
    return list(db.session.scalars(
        select(Participant)
        .join(ParticipantContact, ParticipantContact.participant_id == Participant.id)
        .where(func.lower(ParticipantContact.email) == address,
               Participant.status != ParticipantStatus.WITHDRAWN)
        .order_by(Participant.id)
    ))


@unit_of_work
def resend_links(email: str, client_address: str | None,
                 now: datetime | None = None) -> int:
    """E-mail a fresh private link for each study ``email`` takes part in; returns how many.

    The caller shows the same reply whatever this returns. Nothing is sent when the
    address is over its limit (:data:`LIMITS`), when e-mail is not set up (a new link
    would replace the old one without reaching anyone) or when the address is unknown.
    The look-up is made in every case, so the work done is much the same.

    Raises
    ------
    ValidationError
        ``email`` is not an e-mail address.
    """
    now = now or utcnow()
    address = normalise_email(email)
    if email_problem(address):
        raise ValidationError(
            "Enter your e-mail address in the right form, like name@example.com"
        )
    allowed = _allow(RESEND, address_hash(client_address), now)
    found = _participants_with_address(address)
    if not (allowed and mailer.is_configured()):
        return 0
    for participant in found:
        invitations.reissue_link(participant.study, participant, None, now)
    return len(found)


# ---------------------------------------------------------------------- the team's side


def _registered_counts(study: Study) -> dict[int, int]:
    return dict(db.session.execute(
        select(Participant.open_link_id, func.count(Participant.id))
        .where(Participant.study_id == study.id, Participant.open_link_id.is_not(None))
        .group_by(Participant.open_link_id)
    ).all())


def open_links(study: Study) -> list[OpenLinkSummary]:
    """The study's open links, newest first, each with how many joined through it."""
    counts = _registered_counts(study)
    links = db.session.scalars(
        select(OpenLink).where(OpenLink.study_id == study.id)
        .order_by(OpenLink.created_at.desc(), OpenLink.id.desc())
    )
    return [OpenLinkSummary(link, counts.get(link.id, 0)) for link in links]


def summary(link: OpenLink) -> OpenLinkSummary:
    """One open link with how many joined through it."""
    registered = db.session.scalar(
        select(func.count(Participant.id)).where(Participant.open_link_id == link.id)
    )
    return OpenLinkSummary(link, registered or 0)


def source_counts(study: Study) -> dict[str, int]:
    """Participants taking part (not withdrawn, not test) by how they joined.

    Keys are :class:`ParticipantSource` values: ``invited`` and ``self_registered``.
    """
    rows = dict(db.session.execute(
        select(Participant.source, func.count(Participant.id))
        .where(Participant.study_id == study.id, Participant.is_test.is_(False),
               Participant.status != ParticipantStatus.WITHDRAWN)
        .group_by(Participant.source)
    ).all())
    return {source.value: rows.get(source, 0) for source in ParticipantSource}


def get_open_link(study: Study, link_id: int) -> OpenLink:
    """The study's open link with this id.

    Raises
    ------
    NotFound
        The study has no such open link.
    """
    link = db.session.get(OpenLink, link_id)
    if link is None or link.study_id != study.id:
        raise NotFound("This study has no such open link. It may have been removed.")
    return link


@unit_of_work
def create_open_link(study: Study, by: User) -> OpenLink:
    """Add an open link with a fresh random address; it accepts people at once."""
    link = OpenLink(study_id=study.id, slug=secrets.token_urlsafe(SLUG_BYTES), is_open=True,
                    cap=None, created_by_id=by.id, created_at=utcnow())
    db.session.add(link)
    db.session.flush()
    audit.record(study, by, "open_link.created", link.slug)
    return link


@unit_of_work
def set_cap(study: Study, link: OpenLink, cap: int | None, by: User) -> OpenLink:
    """Limit how many people may join through ``link``; None removes the limit.

    Raises
    ------
    ValidationError
        The cap is not a whole number from 1 to 100,000.
    """
    if cap is not None and not 1 <= cap <= MAX_CAP:
        raise ValidationError(
            f"Enter a number from 1 to {MAX_CAP:,}, or leave it empty for no limit."
        )
    get_open_link(study, link.id)
    if link.cap != cap:
        link.cap = cap
        audit.record(study, by, "open_link.cap_set", link.slug, cap=cap)
    return link


@unit_of_work
def close_open_link(study: Study, link: OpenLink, by: User) -> OpenLink:
    """Stop ``link`` accepting people; those who joined are not affected.

    Raises
    ------
    StateError
        The link is already closed.
    """
    get_open_link(study, link.id)
    if not link.is_open:
        raise StateError("This link is already closed.")
    link.is_open = False
    link.closed_at = utcnow()
    audit.record(study, by, "open_link.closed", link.slug)
    return link


@unit_of_work
def reopen_open_link(study: Study, link: OpenLink, by: User) -> OpenLink:
    """Let ``link`` accept people again (up to its cap).

    Raises
    ------
    StateError
        The link is already open.
    """
    get_open_link(study, link.id)
    if link.is_open:
        raise StateError("This link is already open.")
    link.is_open = True
    link.closed_at = None
    audit.record(study, by, "open_link.reopened", link.slug)
    return link


# ---------------------------------------------------------------------- joining a study


def find_open_link(slug: str) -> OpenLink:
    """The open link with this address.

    Raises
    ------
    NotFound
        No open link has this address.
    """
    slug = (slug or "").strip()
    link = None
    if 0 < len(slug) <= 64:
        link = db.session.scalar(select(OpenLink).where(OpenLink.slug == slug))
    if link is None:
        raise NotFound(
            "This link is not recognised. Check that you copied the whole link. "
            "If it still does not work, ask the people who shared it."
        )
    return link


def require_accepting(link: OpenLink) -> OpenLinkSummary:
    """``link``'s summary, if it takes new people.

    Raises
    ------
    LinkClosed
        The link is closed, or full.
    """
    found = summary(link)
    if not found.accepts_people:
        study = link.study
        raise LinkClosed(
            "This link is closed to new people. If you have questions, contact the study "
            f"team: {invitations.team_contact(study)}",
            study,
        )
    return found


def _check(study: Study, group_id, agreed: set[str], address: str,
           consent_version: int | None) -> tuple[StakeholderGroup | None, dict[str, str]]:
    errors: dict[str, str] = {}
    group = None
    if group_id not in (None, "") and str(group_id).isdigit():
        group = db.session.get(StakeholderGroup, int(group_id))
    if group is None or group.study_id != study.id:
        group = None
        errors["group"] = "Choose the group that fits you best"
    version = documents.current_version(study, DocumentKind.CONSENT)
    statements = version.statements or []
    if consent_version is not None and consent_version != version.number:
        errors["agreed"] = ("The consent form changed while you were reading it. "
                            "Read it again and tick what you agree with.")
    elif any(s.get("required") and s["key"] not in agreed for s in statements):
        errors["agreed"] = "Tick each statement you need to agree to, to take part"
    if address and (len(address) > MAX_EMAIL_LENGTH or email_problem(address)):
        errors["email"] = "Enter your e-mail address in the right form, like name@example.com"
    return group, errors


def _joined_message(study: Study, url: str) -> tuple[str, str]:
    subject = f"Your private link for {study.title}"
    body = (
        f"Thank you for joining {study.title}.\n\n"
        "This is your private link. Use it each time you take part:\n"
        f"{url}\n\n"
        "Keep it safe. It is just for you. It is the only way back to your answers.\n\n"
        f"If you have questions, contact the study team: {invitations.team_contact(study)}\n"
    )
    return subject, body


@unit_of_work
def register(link: OpenLink, *, client_address: str | None, group_id: int | str | None,
             agreed: Iterable[str], email: str = "", consent_version: int | None = None,
             honeypot: str = "", now: datetime | None = None) -> Registration:
    """Add a participant through an open link, in one unit of work.

    In order: the link must take people (:func:`require_accepting`); the network address
    must be under its limit; a filled hidden field returns a look-alike link and creates
    nothing; then the answers are checked. The participant (``self_registered``, active,
    in the chosen group, with their address if given) is created, their consent recorded
    statement by statement with the form's version, a private link issued (counted as
    invited to the open round, if one is open), the link e-mailed through the outbox when
    an address was given and e-mail is set up, and the registration written to the audit
    log.

    ``consent_version`` is the number of the consent form the visitor read; when given it
    must still be the current one.

    Raises
    ------
    LinkClosed
        The link is closed or full.
    TooManyAttempts
        Too many registrations from this network address in the last hour.
    RegistrationError
        A group was not chosen, a required consent statement was not ticked, the consent
        form changed, or the e-mail address is malformed (``errors`` names each field).
    """
    now = now or utcnow()
    db.session.execute(select(OpenLink.id).where(OpenLink.id == link.id).with_for_update())
    require_accepting(link)
    if not _allow(REGISTER, address_hash(client_address), now):
        raise TooManyAttempts(
            "Too many people have joined from your network in the last hour. "
            "Try again in an hour. Nothing you typed has been saved."
        )
    if honeypot.strip():
        return Registration(invitations.participant_link(invitations.new_token()))
    study = link.study
    ticked = set(agreed)
    address = normalise_email(email)
    group, errors = _check(study, group_id, ticked, address, consent_version)
    if errors:
        raise RegistrationError(errors)
    participant = build_participant(study, group, address or None, "", taken_pseudonyms(study))
    participant.status = ParticipantStatus.ACTIVE
    participant.source = ParticipantSource.SELF_REGISTERED
    participant.open_link_id = link.id
    db.session.flush()
    version = documents.current_version(study, DocumentKind.CONSENT)
    keys = {statement["key"] for statement in version.statements or []}
    consent.record_consent(participant, version, {key: key in ticked for key in keys}, now)
    round_ = invitations.open_round(study)
    invitation, token = invitations.issue_link(participant, round_, now)
    if round_ is not None:
        participation.record_invited(participant, round_, now)
    url = invitations.participant_link(token)
    emailed = bool(address and mailer.is_configured())
    if emailed:
        subject, body = _joined_message(study, url)
        outbox.queue_message(address, subject, body, MessageKind.INVITATION, study=study,
                             participant=participant, round_=round_)
    audit.record(study, None, "participant.self_registered", participant.pseudonym,
                 group=group.name, open_link=link.slug, emailed=emailed)
    return Registration(url, participant, invitation, emailed)
