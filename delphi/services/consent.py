"""Participants' consent: which version of the consent form, and which statements, they agreed to.

A consent form holds separate statements (see :mod:`delphi.services.documents`), some of which
a participant must agree to in order to take part and some of which are optional. Each time a
participant gives consent a :class:`ConsentRecord` keeps the exact version and every
statement's answer, so what they agreed to can be shown word for word later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from ..errors import StateError, ValidationError
from ..extensions import db
from ..models import (
    ConsentRecord,
    DocumentKind,
    DocumentVersion,
    Participant,
    ParticipantStatus,
    utcnow,
)
from .transaction import unit_of_work


@unit_of_work
def record_consent(participant: Participant, version: DocumentVersion,
                   agreed: Mapping[str, bool], now: datetime | None = None) -> ConsentRecord:
    """Record that ``participant`` gave consent on ``version``, statement by statement.

    ``agreed`` maps each statement's key to whether the participant agreed; a statement
    left out counts as not agreed. The record stores an answer for every statement of the
    version. ``Participant.consented_at`` and ``consent_version`` (the version's number)
    are set.

    Raises
    ------
    ValidationError
        ``version`` is not this study's consent form, ``agreed`` names a statement the
        version does not have, or a statement that must be agreed to was not.
    StateError
        The participant has withdrawn.
    """
    document = version.document
    if document.kind != DocumentKind.CONSENT or document.study_id != participant.study_id:
        raise ValidationError(
            "This is not the consent form of the participant's study; consent was not recorded."
        )
    if participant.status == ParticipantStatus.WITHDRAWN:
        raise StateError(
            f"Participant {participant.pseudonym} has withdrawn from the study, so consent "
            "cannot be recorded for them."
        )
    statements = version.statements or []
    keys = {statement["key"] for statement in statements}
    unknown = sorted(set(agreed) - keys)
    if unknown:
        raise ValidationError(
            f"Version {version.number} of the consent form has no statement "
            + ", ".join(f"“{key}”" for key in unknown) + "; consent was not recorded."
        )
    answers = {statement["key"]: bool(agreed.get(statement["key"])) for statement in statements}
    refused = [s["text"] for s in statements if s.get("required") and not answers[s["key"]]]
    if refused:
        listed = " ".join(f"“{text}”" for text in refused)
        raise ValidationError(
            f"To take part you need to agree to: {listed} If you do not want to, you do not "
            "have to take part."
        )
    now = now or utcnow()
    record = ConsentRecord(
        participant_id=participant.id, document_version_id=version.id, agreed=answers,
        recorded_at=now,
    )
    db.session.add(record)
    participant.consented_at = now
    participant.consent_version = str(version.number)
    db.session.flush()
    return record


def latest_consent(participant: Participant) -> ConsentRecord | None:
    """The participant's most recent consent record, or None if they have not consented."""
    return db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.participant_id == participant.id)
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
    ).first()
