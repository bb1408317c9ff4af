"""The outbox worker: sends queued e-mail, retries temporary failures, sends due reminders,
and closes rounds whose close date has passed.

``flask --app delphi.app worker`` calls :func:`deliver_due` every few seconds.

Claiming: a batch of due messages is claimed in one ``UPDATE … WHERE id IN (SELECT … LIMIT n)
RETURNING id`` that counts the attempt and moves ``next_attempt_at`` a few minutes ahead (a
lease). On PostgreSQL the inner select takes ``FOR UPDATE SKIP LOCKED``, so a second worker
passes over rows another is claiming instead of waiting; on SQLite the update itself holds
the database's write lock. Either way two workers never send the same message, and if a
worker dies mid-send its messages become due again when the lease runs out.

Failures: a temporary failure (4xx, no connection, time-out) is retried after 1, 2, 4, 8
and 16 minutes; after :data:`MAX_ATTEMPTS` attempts the message fails with the last reason. A
permanent failure (5xx, refused recipient) fails at once. Each outcome is saved in its own
unit of work, so one failed send never stops the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update

from ..extensions import db
from ..models import MessageKind, OutboxMessage, OutboxStatus, Study, User, utcnow
from . import audit, mailer, reminders, rounds
from .transaction import unit_of_work

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 2, 4, 8, 16)
#: How long a claim lasts; longer than any send can take (``MAIL_TIMEOUT`` per step).
CLAIM_MINUTES = 10
DEFAULT_BATCH_SIZE = 50


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass of the worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    reminders_queued: int = 0
    rounds_closed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries: 1, 2, 4, 8, 16 minutes."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


def deliver_due(now: datetime | None = None,
                batch_size: int = DEFAULT_BATCH_SIZE) -> DeliveryReport:
    """Close rounds past their close date, then send due scheduled reminders' messages,
    then every due queued message.

    ``now`` fixes the clock (tests); otherwise each claim and outcome reads the time afresh,
    so a long pass never outlives the claims it holds. Only closes rounds when SMTP is not
    configured.
    """
    clock = (lambda: now) if now is not None else utcnow
    rounds_closed = rounds.close_due_rounds(clock())
    if not mailer.is_configured():
        return DeliveryReport(rounds_closed=rounds_closed)
    queued_reminders = reminders.send_due_scheduled(clock())
    sent = retrying = failed = 0
    while True:
        claimed = claim(clock(), batch_size)
        if not claimed:
            break
        for message_id in claimed:
            outcome = _deliver_one(message_id, clock())
            sent += outcome == OutboxStatus.SENT
            failed += outcome == OutboxStatus.FAILED
            retrying += outcome == OutboxStatus.QUEUED
        if len(claimed) < batch_size:
            break
    return DeliveryReport(sent, retrying, failed, queued_reminders, rounds_closed)


def run(interval: float, stop: threading.Event,
        on_pass: Callable[[DeliveryReport], None] = lambda report: None,
        on_error: Callable[[Exception], None] = lambda error: None) -> None:
    """Call :func:`deliver_due` every ``interval`` seconds until ``stop`` is set.

    A pass that fails (the database briefly unavailable, say) is reported to ``on_error``
    and tried again after the interval; it never ends the loop.
    """
    while not stop.is_set():
        try:
            on_pass(deliver_due())
        except Exception as error:  # noqa: BLE001 - the worker outlives a failed pass
            log.error("outbox worker pass failed: %s", brief(error))
            on_error(error)
        finally:
            db.session.remove()  # no transaction (nor SQLite's write lock) held while waiting
        stop.wait(interval)


def brief(error: Exception) -> str:
    """The first line of an error, at most 300 characters.

    Database errors go on to quote the statement's parameters, which can hold a message
    body and so a private link: those lines are never logged or shown.
    """
    first = (str(error).splitlines() or [""])[0]
    return (first or type(error).__name__)[:300]


def summary(report: DeliveryReport) -> str:
    """One line saying what a pass did, for the worker's output."""
    return (f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
            f"reminders queued {report.reminders_queued}"
            + (f", rounds closed {report.rounds_closed}" if report.rounds_closed else ""))


@unit_of_work
def claim(now: datetime, batch_size: int = DEFAULT_BATCH_SIZE) -> list[int]:
    """Claim up to ``batch_size`` due messages for this worker; returns their ids."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(row[0] for row in rows)


def _deliver_one(message_id: int, now: datetime) -> OutboxStatus:
    message = _load_detached(message_id)
    try:
        mailer.send(message)
    except mailer.PermanentFailure as failure:
        return _record(message_id, OutboxStatus.FAILED, now, failure.reason)
    except mailer.TemporaryFailure as failure:
        return _record_temporary(message, now, failure.reason)
    except Exception as error:  # noqa: BLE001 - one broken message must not stop the rest
        log.error("outbox message %s could not be sent: %s", message_id, brief(error))
        return _record_temporary(message, now, f"Unexpected error: {brief(error)}")
    return _record(message_id, OutboxStatus.SENT, now)


@unit_of_work
def _load_detached(message_id: int) -> OutboxMessage:
    """The message as claimed, detached, its read transaction ended (by the unit of work).

    SQLite cannot turn a transaction that has read into one that writes once another
    process has written in between, so every write below starts a transaction of its own.
    """
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id == message_id)
        .execution_options(populate_existing=True)
    ).one()
    db.session.expunge(message)
    return message


def _record_temporary(message: OutboxMessage, now: datetime, reason: str) -> OutboxStatus:
    if message.attempts >= MAX_ATTEMPTS:
        return _record(message.id, OutboxStatus.FAILED, now,
                       f"{reason} Gave up after {message.attempts} attempts.")
    return _record(message.id, OutboxStatus.QUEUED, now, reason,
                   next_attempt_at=now + backoff(message.attempts))


@unit_of_work
def _record(message_id: int, status: OutboxStatus, now: datetime, reason: str | None = None,
            next_attempt_at: datetime | None = None) -> OutboxStatus:
    """Save one send's outcome with a single UPDATE (only the claiming worker writes it)."""
    values = {"status": status, "last_error": reason, "next_attempt_at": next_attempt_at}
    if status == OutboxStatus.SENT:
        values["sent_at"] = now
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        .execution_options(synchronize_session=False)
    )
    return status


@unit_of_work
def retry_failed(study: Study, by: User | None, now: datetime | None = None) -> int:
    """Put the study's failed messages back in the queue with a fresh set of attempts.

    Returns how many were queued again.
    """
    now = now or utcnow()
    count = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.study_id == study.id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if count:
        audit.record(study, by, "outbox.retried", count=count)
    return count


#: The kinds of message shown on the messages page, in order, with their names.
KIND_NAMES = {
    MessageKind.INVITATION: "Invitations",
    MessageKind.REMINDER: "Reminders",
    MessageKind.STAFF_INVITATION: "Team invitations",
    MessageKind.TEST: "Test messages",
    MessageKind.NOTICE: "Notices",
}


@dataclass(frozen=True)
class KindProgress:
    """How many messages of one kind are queued (some of them retrying), sent and failed."""

    kind: MessageKind
    queued: int = 0
    retrying: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed

    def as_dict(self) -> dict[str, int]:
        return {"queued": self.queued, "retrying": self.retrying, "sent": self.sent,
                "failed": self.failed}


def progress(study: Study) -> list[KindProgress]:
    """The study's outbox by kind of message, in one GROUP BY query; kinds never used are
    left out, except invitations and reminders, which are always listed."""
    tried = func.sum(case((OutboxMessage.attempts > 0, 1), else_=0))
    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, func.count(OutboxMessage.id), tried)
        .where(OutboxMessage.study_id == study.id)
        .group_by(OutboxMessage.kind, OutboxMessage.status)
    ).all()
    counts = {kind: {"queued": 0, "retrying": 0, "sent": 0, "failed": 0} for kind in KIND_NAMES}
    for kind, status, count, retried in rows:
        counts[kind][status.value] = count
        if status == OutboxStatus.QUEUED:
            counts[kind]["retrying"] = int(retried or 0)
    return [
        KindProgress(kind, **values) for kind, values in counts.items()
        if kind in (MessageKind.INVITATION, MessageKind.REMINDER) or any(values.values())
    ]


def failed_messages(study: Study, limit: int = 100) -> list[OutboxMessage]:
    """The study's failed messages, newest first, with their reasons."""
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.study_id == study.id, OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ))
