"""The audit trail: who did what to which study, and when.

:func:`record` joins the caller's unit of work, so an action and its audit event are saved
together or not at all.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from sqlalchemy import func, select

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


# Reading the trail -------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("When (UTC)", "Who", "Action", "Target", "Details")


@dataclass(frozen=True)
class AuditEntry:
    """An audit event with the name of who did it ("" when nobody signed in did)."""

    event: AuditEvent
    who: str

    @property
    def details_text(self) -> str:
        """The details as ``key: value`` pairs, in a stable order."""
        return "; ".join(f"{key}: {value}" for key, value in sorted(self.event.details.items()))


@dataclass(frozen=True)
class AuditPage:
    """One page of a study's audit trail, newest first."""

    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def _events_query(study: Study, action: str | None):
    who = func.coalesce(func.nullif(User.name, ""), User.email, "")
    query = (
        select(AuditEvent, who)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.study_id == study.id)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def actions_in(study: Study) -> list[str]:
    """The distinct actions recorded for ``study``, alphabetically (for a filter)."""
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.study_id == study.id)
        .distinct().order_by(AuditEvent.action)
    ))


def events_page(study: Study, action: str | None = None, page: int = 1,
                per_page: int = 50) -> AuditPage:
    """One page of ``study``'s audit events, newest first, optionally of one action.

    A page number past the end gives the last page.
    """
    count_query = select(func.count(AuditEvent.id)).where(AuditEvent.study_id == study.id)
    if action:
        count_query = count_query.where(AuditEvent.action == action)
    total = db.session.scalar(count_query) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        _events_query(study, action).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return AuditPage([AuditEntry(event, who) for event, who in rows], page, pages, total)


def spreadsheet_safe(value: object) -> str:
    """``value`` as text a spreadsheet will not run as a formula (a leading quote if needed)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def events_csv(study: Study, action: str | None = None) -> str:
    """``study``'s audit trail (optionally one action) as CSV text, newest first.

    Every cell is quoted as CSV needs and guarded against formula injection.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event, who in db.session.execute(_events_query(study, action)):
        entry = AuditEntry(event, who)
        writer.writerow([spreadsheet_safe(cell) for cell in (
            event.created_at.strftime("%Y-%m-%d %H:%M:%S"), who, event.action,
            event.target, entry.details_text,
        )])
    return buffer.getvalue()
