"""Reminders to participants who have not completed the open round: now, or scheduled.

Who is reminded comes from :func:`delphi.services.participation.non_completers` (invited to
the round, not completed it, not withdrawn, not a test participant), less anyone who asked
to stop reminders or has no e-mail address. Each reminder carries a fresh private link and
a "stop reminders" link (see :mod:`delphi.services.invitations`). Stopping reminders is not
withdrawal: the participant stays in the study and can still take part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    DocumentKind,
    MessageKind,
    Participant,
    ParticipantContact,
    Round,
    ScheduledReminder,
    Study,
    User,
    utcnow,
)
from . import audit, documents, invitations, mailer, outbox, participation
from .transaction import unit_of_work

#: Days after a round opens that "schedule reminders" offers by default.
DEFAULT_DAYS = (7, 12)
MAX_DAY = 365

NO_SMTP_REMINDERS = (
    "E-mail is not set up for this installation, so Delphi cannot send reminders. "
    "Remind the participants listed below yourself; the link you sent them still works."
)


@dataclass(frozen=True)
class ReminderResult:
    """What a round of reminders did."""

    round: Round
    queued: int


def recipients(round_: Round) -> list[Participant]:
    """Participants a reminder for ``round_`` goes to, by pseudonym.

    Invited, not completed, not withdrawn, not test (the participation service's
    definition), and neither stopped reminders nor without an e-mail address.
    """
    return [participant for participant, _address in _addressed(round_)]


def _addressed(round_: Round) -> list[tuple[Participant, str]]:
    """:func:`recipients` with their e-mail addresses, read in one query."""
    candidates = [participant for participant in participation.non_completers(round_)
                  if not participant.reminders_stopped]
    addresses = dict(db.session.execute(
        select(ParticipantContact.participant_id, ParticipantContact.email)
        .where(ParticipantContact.participant_id.in_([p.id for p in candidates]))
    ).all())
    return [(participant, addresses[participant.id]) for participant in candidates
            if participant.id in addresses]


def _require_smtp() -> None:
    if not mailer.is_configured():
        raise StateError(NO_SMTP_REMINDERS)


def _queue_reminders(study: Study, round_: Round, now: datetime) -> int:
    """Queue one reminder per recipient in the caller's unit of work; returns how many."""
    queued = 0
    wording = documents.current_version(study, DocumentKind.REMINDER)
    for participant, address in _addressed(round_):
        _invitation, token = invitations.issue_link(participant, round_, now, reminded=True)
        message = invitations.compose(study, round_, DocumentKind.REMINDER, token, wording)
        outbox.queue_message(
            address, message.subject, message.text, MessageKind.REMINDER,
            study=study, participant=participant, round_=round_, body_html=message.html,
        )
        queued += 1
    return queued


@unit_of_work
def send_now(study: Study, round_: Round, by: User | None,
             now: datetime | None = None) -> ReminderResult:
    """Queue a reminder now to everyone in :func:`recipients`.

    Raises
    ------
    StateError
        The round is not open, e-mail is not set up, or nobody needs a reminder.
    """
    now = now or utcnow()
    invitations.require_open_round(study, round_)
    _require_smtp()
    queued = _queue_reminders(study, round_, now)
    if not queued:
        raise StateError(
            f"Nobody needs a reminder for round {round_.number}: everyone invited has "
            "completed it, withdrawn, asked to stop reminders or has no e-mail address."
        )
    audit.record(study, by, "reminders.sent", target=f"round {round_.number}", queued=queued)
    return ReminderResult(round_, queued)


def parse_days(text: str) -> list[int]:
    """Days after opening from text like ``7, 12``: whole numbers, distinct, in order.

    Raises
    ------
    ValidationError
        The text is empty or holds something other than whole numbers from 1 to 365.
    """
    pieces = [piece for piece in (text or "").replace(";", ",").replace(" ", ",").split(",")
              if piece]
    if not pieces:
        raise ValidationError("Enter the days after opening to send reminders, like 7, 12.")
    days = []
    for piece in pieces:
        if not piece.isdigit() or not 1 <= int(piece) <= MAX_DAY:
            raise ValidationError(
                f"“{piece}” is not a day after opening. Enter whole numbers from 1 to "
                f"{MAX_DAY}, separated by commas, like 7, 12."
            )
        days.append(int(piece))
    return sorted(set(days))


@unit_of_work
def schedule(study: Study, round_: Round, days: list[int], by: User | None,
             now: datetime | None = None) -> list[ScheduledReminder]:
    """Schedule reminders ``days`` after the round opened; the worker sends them when due.

    Raises
    ------
    StateError
        The round is not open, or e-mail is not set up.
    ValidationError
        No days were given, a day is already in the past, or already scheduled.
    """
    now = now or utcnow()
    invitations.require_open_round(study, round_)
    _require_smtp()
    if not days:
        raise ValidationError("Enter the days after opening to send reminders, like 7, 12.")
    opened = round_.opened_at or now
    taken = {reminder.send_at for reminder in pending(round_)}
    created = []
    for day in sorted(set(days)):
        send_at = opened + timedelta(days=day)
        if send_at <= now:
            raise ValidationError(
                f"Day {day} after opening was {send_at:%d %B %Y}, which has passed. "
                "Choose a later day, or send reminders now."
            )
        if send_at in taken:
            raise ValidationError(f"A reminder is already scheduled for day {day}.")
        reminder = ScheduledReminder(
            round_id=round_.id, send_at=send_at, created_by_id=by.id if by else None,
            created_at=now,
        )
        db.session.add(reminder)
        created.append(reminder)
    audit.record(study, by, "reminders.scheduled", target=f"round {round_.number}",
                 days=sorted(set(days)))
    return created


def pending(round_: Round) -> list[ScheduledReminder]:
    """Scheduled reminders of ``round_`` not yet sent, soonest first."""
    return list(db.session.scalars(
        select(ScheduledReminder)
        .where(ScheduledReminder.round_id == round_.id, ScheduledReminder.sent_at.is_(None))
        .order_by(ScheduledReminder.send_at)
    ))


@unit_of_work
def cancel(study: Study, reminder_id: int, by: User | None) -> None:
    """Cancel a scheduled reminder that has not been sent.

    Raises
    ------
    NotFound
        The study has no such scheduled reminder, or it has been sent already.
    """
    reminder = db.session.get(ScheduledReminder, reminder_id)
    round_ = db.session.get(Round, reminder.round_id) if reminder is not None else None
    if round_ is None or round_.study_id != study.id or reminder.sent_at is not None:
        raise NotFound("There is no such scheduled reminder; it may have been sent already.")
    audit.record(study, by, "reminders.cancelled", target=f"round {round_.number}",
                 send_at=reminder.send_at.isoformat())
    db.session.delete(reminder)


def send_due_scheduled(now: datetime | None = None) -> int:
    """Send every scheduled reminder that is due; returns how many messages were queued.

    Each reminder is claimed with an atomic update (``sent_at`` set only where it was
    empty) in the unit of work that queues its messages, so two workers never send the
    same reminder. A reminder whose round is no longer open is marked done and audited,
    with nothing sent.
    """
    now = now or utcnow()
    return sum(_send_scheduled(reminder_id, now) for reminder_id in _due_scheduled(now))


@unit_of_work
def _due_scheduled(now: datetime) -> list[int]:
    """Ids of scheduled reminders due by ``now``; the unit of work ends the read, so each
    claim below starts a transaction of its own (SQLite needs that to write)."""
    return list(db.session.scalars(
        select(ScheduledReminder.id)
        .where(ScheduledReminder.sent_at.is_(None), ScheduledReminder.send_at <= now)
        .order_by(ScheduledReminder.send_at)
    ))


@unit_of_work
def _send_scheduled(reminder_id: int, now: datetime) -> int:
    claimed = db.session.execute(
        update(ScheduledReminder)
        .where(ScheduledReminder.id == reminder_id, ScheduledReminder.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return 0
    reminder = db.session.get(ScheduledReminder, reminder_id)
    round_ = db.session.get(Round, reminder.round_id)
    study = round_.study
    if not round_.is_open or not mailer.is_configured():
        audit.record(study, None, "reminders.scheduled_skipped", target=f"round {round_.number}",
                     reason="round not open" if not round_.is_open else "e-mail not set up")
        return 0
    queued = _queue_reminders(study, round_, now)
    audit.record(study, None, "reminders.sent", target=f"round {round_.number}",
                 queued=queued, scheduled_for=reminder.send_at.isoformat())
    return queued


@unit_of_work
def stop_reminders(participant: Participant) -> bool:
    """Stop reminders to ``participant`` (they stay in the study). False if already stopped."""
    if participant.reminders_stopped:
        return False
    participant.reminders_stopped = True
    study = db.session.get(Study, participant.study_id)
    audit.record(study, None, "participant.reminders_stopped", participant.pseudonym)
    return True
