"""Queued e-mail: services add messages in their own unit of work; the worker sends them."""

from __future__ import annotations

from ..extensions import db
from ..models import MessageKind, OutboxMessage, Participant, Round, Study


def queue_message(to_address: str, subject: str, body_text: str, kind: MessageKind, *,
                  study: Study | None = None, participant: Participant | None = None,
                  round_: Round | None = None, body_html: str | None = None) -> OutboxMessage:
    """Add one message to the outbox in the caller's unit of work (the caller commits).

    Queuing in the same transaction that records an invitation means an invitation is never
    recorded without its message, nor a message sent for an invitation that was rolled back.
    """
    message = OutboxMessage(
        to_address=to_address, subject=subject, body_text=body_text, body_html=body_html,
        kind=kind, study_id=study.id if study is not None else None,
        participant_id=participant.id if participant is not None else None,
        round_id=round_.id if round_ is not None else None,
    )
    db.session.add(message)
    return message
