"""The audit trail: who did what to which study, and when.

:func:`record` joins the caller's unit of work, so an action and its audit event are saved
together or not at all.
"""

from __future__ import annotations

from ..extensions import db
from ..models import AuditEvent, Study, User


def record(study: Study | None, user: User | None, action: str, target: str = "",
           **details) -> AuditEvent:
    """Add an audit event to the current unit of work (the caller commits)."""
    event = AuditEvent(
        study_id=study.id if study is not None else None,
        user_id=user.id if user is not None else None,
        action=action,
        target=target,
        details=details,
    )
    db.session.add(event)
    return event
