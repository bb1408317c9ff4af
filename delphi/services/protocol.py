"""Pre-registration: the consensus rules, planned rounds and carry-forward policy are fixed
and timestamped when round 1 opens; each later change needs a reason and is a deviation.

:func:`fix_protocol` and :func:`change_fixed_protocol` join the caller's unit of work (the
round-opening and design services), so a fix or a deviation is saved with the change that
caused it, or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..errors import StateError, ValidationError
from ..extensions import db
from ..models import ProtocolDeviation, RuleRole, Study, StudyKind, User, utcnow
from . import audit

PROTOCOL_PARTS = {
    "rules": "Consensus rules",
    "planned_rounds": "Planned rounds",
    "carry_forward_policy": "Carry-forward policy",
}
"""The pre-registered parts of a protocol, with the words the report uses for each."""


def is_fixed(study: Study) -> bool:
    """True once the protocol has been fixed (round 1 has opened)."""
    return study.protocol_fixed_at is not None


def rules_record(study: Study) -> list[dict[str, Any]]:
    """The study's rules as kept in the record: name, role and the engine rule's JSON."""
    return [
        {"name": rule.name, "role": rule.role.value, "definition": rule.definition}
        for rule in study.rules
    ]


def fix_protocol(study: Study, now: datetime | None = None,
                 user: User | None = None) -> datetime:
    """Fix and timestamp the rules, planned rounds and carry-forward policy (round 1 opens).

    Joins the caller's unit of work; returns the time the protocol was fixed.

    Raises
    ------
    StateError
        The protocol is already fixed, or a Delphi study has no primary consensus rule.
    """
    if is_fixed(study):
        raise StateError(
            f"The protocol of “{study.title}” was fixed when round 1 opened; change it with a "
            "reason instead."
        )
    primaries = [rule for rule in study.rules if rule.role == RuleRole.PRIMARY]
    if study.kind == StudyKind.DELPHI and len(primaries) != 1:
        raise StateError(
            "Choose the primary consensus rule on the study design page before opening "
            "round 1: it is fixed, with the planned rounds and carry-forward policy, as the "
            "study's pre-registered protocol."
        )
    now = now or utcnow()
    study.protocol_fixed_at = now
    for rule in study.rules:
        rule.fixed_at = now
    audit.record(
        study, user, "protocol.fixed", target=study.title,
        planned_rounds=study.planned_rounds,
        carry_forward_policy=study.carry_forward_policy.value,
        rules=rules_record(study),
    )
    return now


def change_fixed_protocol(study: Study, user: User | None, what: str, before: dict,
                          after: dict, reason: str,
                          now: datetime | None = None) -> ProtocolDeviation:
    """Record a change to the fixed protocol as a deviation, with its reason.

    The caller makes the change itself; this records it in the same unit of work. ``what``
    is one of :data:`PROTOCOL_PARTS`; ``before`` and ``after`` are JSON-ready values.

    Raises
    ------
    StateError
        The protocol is not fixed yet (changes before round 1 opens are free).
    ValidationError
        No reason was given.
    """
    if not is_fixed(study):
        raise StateError("The protocol is not fixed yet, so this change is not a deviation.")
    if what not in PROTOCOL_PARTS:
        raise ValidationError(f"“{what}” is not part of the pre-registered protocol.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Give a reason for changing the protocol after round 1 opened; the change and "
            "its reason are reported as a deviation from the protocol."
        )
    deviation = ProtocolDeviation(
        study=study, user_id=user.id if user is not None else None, what=what,
        before=before, after=after, reason=reason, created_at=now or utcnow(),
    )
    db.session.add(deviation)
    audit.record(study, user, "protocol.deviation", target=PROTOCOL_PARTS[what],
                 before=before, after=after, reason=reason)
    return deviation


def deviations(study: Study) -> list[ProtocolDeviation]:
    """Every deviation from the study's fixed protocol, oldest first, for the report."""
    return list(db.session.scalars(
        select(ProtocolDeviation)
        .where(ProtocolDeviation.study_id == study.id)
        .order_by(ProtocolDeviation.created_at, ProtocolDeviation.id)
    ))
