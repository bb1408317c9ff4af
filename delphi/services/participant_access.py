"""Which participant a browser speaks for, from the private link it arrived with.

A private link is checked once (:func:`delphi.services.invitations.find_invitation`); the
session then holds the id of that link's stored :class:`Invitation`, never the token. Every
request checks again that the link still exists (a re-issued link replaces older ones, which
ends sessions started with them) and has not expired, so the session lasts no longer than
the link it came from.

A participant who has withdrawn is told so (:class:`ParticipantWithdrawn`) rather than that
their link has expired, though withdrawing ends their links too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Invitation, Participant, ParticipantStatus, utcnow
from .invitations import ExpiredLink, UnknownLink, find_invitation, hash_token, team_contact

#: Characters of the token's hash the session keeps, to recognise a replaced link.
FINGERPRINT_LENGTH = 16


class ParticipantWithdrawn(ExpiredLink):
    """The participant has withdrawn from the study, which ended their links."""

    def __init__(self, participant: Participant):
        super().__init__("You have left this study.", participant.study)
        self.participant = participant


def _stored_invitation(token: str) -> Invitation | None:
    token = (token or "").strip()
    if not 20 <= len(token) <= 128:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


def invitation_for_token(token: str, now: datetime | None = None) -> Invitation:
    """The stored link matching ``token``, to start a session with.

    Raises
    ------
    ParticipantWithdrawn
        The link was a participant's who has since withdrawn.
    UnknownLink, ExpiredLink
        As :func:`delphi.services.invitations.find_invitation`.
    """
    stored = _stored_invitation(token)
    if stored is not None and stored.participant.status == ParticipantStatus.WITHDRAWN:
        raise ParticipantWithdrawn(stored.participant)
    return find_invitation(token, now)


def session_value(invitation: Invitation) -> list:
    """What the session keeps for ``invitation``: its id and the start of its token's hash.

    The hash tells a replaced link from a newer one that reuses its id (SQLite reuses the
    highest row id after a delete); it cannot be turned back into the token.
    """
    return [invitation.id, invitation.token_hash[:FINGERPRINT_LENGTH]]


def _invitation_in(value) -> Invitation | None:
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    invitation = db.session.get(Invitation, value[0])
    if invitation is None or invitation.token_hash[:FINGERPRINT_LENGTH] != value[1]:
        return None
    return invitation


def participant_for_session(value, now: datetime | None = None) -> Participant:
    """The participant whose link started this session (``value`` from :func:`session_value`).

    Raises
    ------
    UnknownLink
        There is no session, or its link has been replaced by a newer one.
    ParticipantWithdrawn
        The participant has withdrawn since.
    ExpiredLink
        The link has expired since the session began.
    """
    invitation = _invitation_in(value)
    if invitation is None:
        raise UnknownLink(
            "We do not know who you are on this device yet. Open the private link from your "
            "e-mail again. If you were sent more than one link, use the newest."
        )
    if invitation.participant.status == ParticipantStatus.WITHDRAWN:
        raise ParticipantWithdrawn(invitation.participant)
    if invitation.expires_at <= (now or utcnow()):
        study = invitation.participant.study
        raise ExpiredLink(
            f"This link has expired. Ask the study team for a new one: {team_contact(study)}",
            study,
        )
    return invitation.participant


def withdrawn_participant(participant_id: int | None) -> Participant:
    """The participant this browser last saw withdrawn, to tell them what that meant.

    Raises
    ------
    UnknownLink
        There is no such participant, or they have not withdrawn.
    """
    participant = db.session.get(Participant, participant_id) if participant_id else None
    if participant is None or participant.status != ParticipantStatus.WITHDRAWN:
        raise UnknownLink(
            "We do not know who you are on this device yet. Open the private link from your "
            "e-mail again."
        )
    return participant
