"""Participants' private links, and inviting participants to a round through the outbox.

A private link is ``/p/<token>``, where the token has 256 bits of randomness
(``secrets.token_urlsafe(32)``). Only its SHA-256 hash is stored (:class:`Invitation`), so
the database alone never reveals a working link; the link exists in full only in the
message that carries it (or, without SMTP, on the page that issued it, once).

Each :class:`Invitation` row is one link. Inviting a participant to a round issues a link;
so does each reminder, because the stored hash cannot be turned back into the earlier link.
Earlier links keep working until they expire, so a participant can use any e-mail they were
sent. Re-issuing a participant's link (a lost or leaked link) replaces every earlier one:
they stop working at once.

Links expire ``INVITATION_LINK_DAYS`` (default 60) days after they are issued, or 14 days
after the round closes if that is later.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from markupsafe import Markup, escape
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    DocumentKind,
    DocumentVersion,
    Invitation,
    MessageKind,
    Participant,
    ParticipantStatus,
    Round,
    RoundParticipation,
    Study,
    User,
    utcnow,
)
from . import audit, documents, mailer, outbox, participation, rounds
from .participants import may_see_contacts
from .transaction import unit_of_work

#: Used to build links outside a request (the worker) when ``PUBLIC_URL`` is not set.
FALLBACK_BASE_URL = "http://127.0.0.1:5000/"
#: A link stays valid at least this long after its round closes.
GRACE_AFTER_CLOSE = timedelta(days=14)

NO_SMTP_EXPLANATION = (
    "E-mail is not set up for this installation, so copy each link and send it yourself."
)


class UnknownLink(NotFound):
    """No participant has this link: mistyped, cut short, or replaced by a newer one."""


class ExpiredLink(StateError):
    """The link was right but is past its expiry date."""

    def __init__(self, message: str, study: Study):
        super().__init__(message)
        self.study = study


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued to a participant. ``url`` exists only in memory: show it once."""

    participant: Participant
    url: str
    emailed: bool
    email: str | None = None


@dataclass(frozen=True)
class InvitationResult:
    """What :func:`invite` did: who was e-mailed, and links to hand over by other means."""

    round: Round
    emailed: int = 0
    links: tuple[IssuedLink, ...] = ()
    skipped_withdrawn: tuple[Participant, ...] = ()
    smtp_configured: bool = True
    contacts_shown: bool = False

    @property
    def invited(self) -> int:
        return self.emailed + len(self.links)


@dataclass(frozen=True)
class ComposedMessage:
    """A message filled in for one participant: subject, plain text and an HTML page."""

    subject: str
    text: str
    html: str


def new_token() -> str:
    """A fresh link token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for links in messages.

    ``PUBLIC_URL`` when set; otherwise the address of the current request; outside a
    request (the worker) :data:`FALLBACK_BASE_URL`.
    """
    base = current_app.config.get("PUBLIC_URL") or (
        request.url_root if has_request_context() else FALLBACK_BASE_URL
    )
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, url_scheme=parts.scheme or "https", script_name=parts.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)


def participant_link(token: str) -> str:
    """The participant's private link for ``token``."""
    return external_url("participant.landing", token=token)


def stop_reminders_link(token: str) -> str:
    """The link that stops reminders for the participant holding ``token``."""
    return external_url("participant.stop_reminders", token=token)


def expiry_for(round_: Round | None, now: datetime) -> datetime:
    """When a link issued now expires: ``INVITATION_LINK_DAYS`` on, or later for a late close."""
    expires = now + timedelta(days=int(current_app.config["INVITATION_LINK_DAYS"]))
    if round_ is not None and round_.closes_at is not None:
        expires = max(expires, round_.closes_at + GRACE_AFTER_CLOSE)
    return expires


def issue_link(participant: Participant, round_: Round | None = None,
               now: datetime | None = None, *, reminded: bool = False) -> tuple[Invitation, str]:
    """Add a new link for ``participant`` in the caller's unit of work; returns it and its token.

    ``sent_at`` is the time the link was handed over (queued or shown); a link issued for a
    reminder also has ``last_reminded_at``.
    """
    now = now or utcnow()
    token = new_token()
    invitation = Invitation(
        participant_id=participant.id, token_hash=hash_token(token),
        expires_at=expiry_for(round_, now), sent_at=now,
        last_reminded_at=now if reminded else None, created_at=now,
    )
    db.session.add(invitation)
    return invitation, token


def compose(study: Study, round_: Round | None, kind: DocumentKind, token: str,
            version: DocumentVersion | None = None) -> ComposedMessage:
    """The study's current invitation or reminder wording, filled in for one participant.

    ``version`` saves looking the wording up again when composing many messages. The
    stop-reminders link is added at the end when the wording leaves it out, so every
    message carries it.
    """
    version = version or documents.current_version(study, kind)
    context = documents.study_context(study, round_)
    context["participant_link"] = participant_link(token)
    context["stop_reminders_link"] = stop_reminders_link(token)
    rendered = documents.render_document(version, context)
    text, html = rendered.text, rendered.html
    if "stop_reminders_link" not in documents.placeholders_in(version.body):
        text += (
            "\nIf you do not want reminders about this study, use this link "
            f"(you will still be part of the study):\n{context['stop_reminders_link']}\n"
        )
        html += Markup(
            '\n<p>If you do not want reminders about this study, use this link (you will '
            'still be part of the study): <a href="{0}">{0}</a></p>'
        ).format(context["stop_reminders_link"])
    return ComposedMessage(rendered.subject, text, _email_html(rendered.subject, html))


def _email_html(subject: str, body: Markup) -> str:
    return str(Markup(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{}</title></head>'
        "<body>\n{}\n</body></html>\n"
    ).format(escape(subject), body))


def open_round(study: Study) -> Round | None:
    """The study's open round, if one is open."""
    return next((round_ for round_ in study.rounds if round_.is_open), None)


def require_open_round(study: Study, round_: Round | None) -> Round:
    """``round_`` if it is the study's and open.

    Raises
    ------
    StateError
        No round is open, or ``round_`` is not open.
    """
    if round_ is None:
        raise StateError(
            "No round is open. Open a round before inviting or reminding participants."
        )
    if round_.study_id != study.id:
        raise NotFound(f"“{study.title}” has no such round.")
    if not round_.is_open:
        raise StateError(
            f"Round {round_.number} is {round_.state.value}, not open. Invitations and "
            "reminders go out only for the open round."
        )
    return round_


def uninvited(round_: Round, include_test: bool = False,
              everyone: bool = False) -> list[Participant]:
    """Participants of the round's study not yet invited to it, not withdrawn, by pseudonym.

    For round *k* > 1 only those who took part in round *k* − 1
    (:func:`delphi.services.rounds.eligible_participants`), unless ``everyone``. Test
    participants only with ``include_test`` (to pilot the invitation).
    """
    invited = select(RoundParticipation.participant_id).where(
        RoundParticipation.round_id == round_.id, RoundParticipation.invited_at.is_not(None)
    )
    query = (
        select(Participant)
        .where(
            Participant.study_id == round_.study_id,
            Participant.status != ParticipantStatus.WITHDRAWN,
            Participant.id.not_in(invited),
        )
        .options(selectinload(Participant.contact))
        .order_by(Participant.pseudonym)
    )
    if not include_test:
        query = query.where(Participant.is_test.is_(False))
    found = list(db.session.scalars(query))
    if everyone:
        return found
    eligible = {participant.id for participant in rounds.eligible_participants(round_)}
    return [participant for participant in found
            if participant.is_test or participant.id in eligible]


@unit_of_work
def invite(study: Study, round_: Round, participants: Iterable[Participant], by: User | None,
           now: datetime | None = None) -> InvitationResult:
    """Issue each participant a link to ``round_`` and queue their invitation e-mail.

    In the same unit of work the outbox rows are queued, each link is stored and
    ``RoundParticipation.invited_at`` is recorded, so an invitation is never recorded without
    its message. Participants without an e-mail address, and everyone when SMTP is not set
    up, get a link to hand over by other means: :attr:`InvitationResult.links` (shown once).
    Withdrawn participants are skipped.

    Raises
    ------
    StateError
        ``round_`` is not the study's open round.
    ValidationError
        No participants were given, or one belongs to another study.
    """
    now = now or utcnow()
    require_open_round(study, round_)
    chosen = list(participants)
    if not chosen:
        raise ValidationError(
            f"Everyone has already been invited to round {round_.number}; "
            "add participants first, or send reminders instead."
        )
    if any(participant.study_id != study.id for participant in chosen):
        raise ValidationError("Only this study's participants can be invited to its rounds.")
    smtp = mailer.is_configured()
    shows_contacts = may_see_contacts(study, by) if by is not None else False
    emailed, links, withdrawn = 0, [], []
    wording = documents.current_version(study, DocumentKind.INVITATION) if smtp else None
    for participant in chosen:
        if participant.status == ParticipantStatus.WITHDRAWN:
            withdrawn.append(participant)
            continue
        _invitation, token = issue_link(participant, round_, now)
        address = participant.contact.email if participant.contact is not None else None
        if smtp and address:
            message = compose(study, round_, DocumentKind.INVITATION, token, wording)
            outbox.queue_message(
                address, message.subject, message.text, MessageKind.INVITATION, study=study,
                participant=participant, round_=round_, body_html=message.html,
            )
            emailed += 1
        else:
            shown = address if shows_contacts else None
            if shown:
                audit.record(study, by, "participant.contact_revealed", participant.pseudonym)
            links.append(IssuedLink(participant, participant_link(token), False, shown))
        participation.record_invited(participant, round_, now)
    audit.record(
        study, by, "participants.invited", target=f"round {round_.number}",
        emailed=emailed, links_shown=len(links), skipped_withdrawn=len(withdrawn),
    )
    return InvitationResult(
        round=round_, emailed=emailed, links=tuple(links), skipped_withdrawn=tuple(withdrawn),
        smtp_configured=smtp, contacts_shown=shows_contacts,
    )


@unit_of_work
def reissue_link(study: Study, participant: Participant, by: User | None,
                 now: datetime | None = None) -> IssuedLink:
    """Replace every link ``participant`` has with a new one; the old ones stop working.

    With SMTP set up and an address on file the new link is e-mailed with the invitation
    wording; otherwise it is returned to be shown once.

    Raises
    ------
    NotFound
        The participant is not in this study.
    StateError
        The participant has withdrawn.
    """
    now = now or utcnow()
    if participant.study_id != study.id:
        raise NotFound("This study has no such participant. They may have been removed.")
    if participant.status == ParticipantStatus.WITHDRAWN:
        raise StateError(
            f"{participant.pseudonym} has withdrawn from the study, so they get no new link."
        )
    round_ = open_round(study)
    db.session.execute(delete(Invitation).where(Invitation.participant_id == participant.id))
    _invitation, token = issue_link(participant, round_, now)
    address = participant.contact.email if participant.contact is not None else None
    emailed = bool(mailer.is_configured() and address)
    if emailed:
        message = compose(study, round_, DocumentKind.INVITATION, token)
        outbox.queue_message(
            address, message.subject, message.text, MessageKind.INVITATION, study=study,
            participant=participant, round_=round_, body_html=message.html,
        )
    audit.record(study, by, "participant.link_reissued", participant.pseudonym,
                 emailed=emailed)
    return IssuedLink(participant, participant_link(token), emailed)


def find_invitation(token: str, now: datetime | None = None) -> Invitation:
    """The stored link matching ``token``.

    Raises
    ------
    UnknownLink
        No link matches (mistyped, cut short, or replaced by a newer link).
    ExpiredLink
        The link matched but has expired; the message gives the team's contact.
    """
    now = now or utcnow()
    token = (token or "").strip()
    invitation = None
    if 20 <= len(token) <= 128:
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.token_hash == hash_token(token))
        )
    if invitation is None:
        raise UnknownLink(
            "This link is not recognised. Check that you copied the whole link from your "
            "e-mail. If you were sent more than one link, use the newest. If it still does "
            "not work, ask the study team who invited you for a new link."
        )
    if invitation.expires_at <= now:
        study = invitation.participant.study
        raise ExpiredLink(
            f"This link has expired. Ask the study team for a new one: {team_contact(study)}",
            study,
        )
    return invitation


def find_participant_by_token(token: str, now: datetime | None = None) -> Participant:
    """The participant whose private link carries ``token``.

    Raises
    ------
    UnknownLink
        No link matches.
    ExpiredLink
        The link has expired.
    """
    return find_invitation(token, now).participant


def team_contact(study: Study) -> str:
    """How to reach the study team, in words: name and e-mail address as far as known."""
    parts = [part for part in (study.contact_name, study.contact_email) if part]
    return ", ".join(parts) if parts else "the people who invited you to the study"
