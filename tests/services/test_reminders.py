"""Reminders: only to invited participants who have not completed the open round, now or
when scheduled (sent by the worker), each with a stop-reminders link that is not withdrawal."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delphi.errors import NotFound, StateError, ValidationError
from delphi.models import (
    AuditEvent,
    MessageKind,
    OutboxMessage,
    ParticipantStatus,
    ScheduledReminder,
)
from delphi.services import invitations, participation, reminders, worker

from ..factories import make_participant, make_study, make_user
from ..smtp import add_contact, body_of, link_in, open_first_round, smtp_server


@pytest.fixture
def smtp(app):
    with smtp_server(app) as mailbox:
        yield mailbox


@pytest.fixture
def panel(db, smtp):
    """An open round with five invited participants in different states."""
    study = make_study(owner=make_user())
    round_ = open_first_round(study)
    people = {name: add_contact(make_participant(study), f"{name}@example.test")
              for name in ("waiting", "done", "stopped", "withdrawn", "test")}
    people["no_address"] = make_participant(study)
    people["test"].is_test = True
    invitations.invite(study, round_, list(people.values()), None)
    worker.deliver_due()
    smtp.messages.clear()
    participation.record_completed(people["done"], round_)
    people["stopped"].reminders_stopped = True
    people["withdrawn"].status = ParticipantStatus.WITHDRAWN
    db.session.commit()
    return study, round_, people


def test_reminders_go_only_to_those_who_have_not_completed(db, smtp, panel):
    study, round_, people = panel
    assert reminders.recipients(round_) == [people["waiting"]]
    result = reminders.send_now(study, round_, None)
    assert result.queued == 1
    worker.deliver_due()
    [delivered] = smtp.messages
    assert delivered["To"] == "waiting@example.test"
    assert delivered["Subject"].strip().startswith("Reminder:")
    text = body_of(delivered)
    token = link_in(text).rsplit("/", 1)[1]
    assert invitations.find_participant_by_token(token) == people["waiting"]
    assert link_in(text, "/stop-reminders") == invitations.stop_reminders_link(token)


def test_reminder_links_keep_the_invitation_link_working(db, smtp, panel):
    study, round_, people = panel
    [invitation_link] = db.session.scalars(select(OutboxMessage.body_text).where(
        OutboxMessage.participant_id == people["waiting"].id)).all()
    reminders.send_now(study, round_, None)
    token = link_in(invitation_link).rsplit("/", 1)[1]
    assert invitations.find_participant_by_token(token) == people["waiting"]


def test_stop_reminders_is_not_withdrawal(db, smtp, panel):
    study, round_, people = panel
    waiting = people["waiting"]
    assert reminders.stop_reminders(waiting) is True
    assert reminders.stop_reminders(waiting) is False
    assert waiting.reminders_stopped and waiting.status != ParticipantStatus.WITHDRAWN
    assert waiting.withdrawn_at is None
    with pytest.raises(StateError, match="Nobody needs a reminder"):
        reminders.send_now(study, round_, None)
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "participant.reminders_stopped")) == 1


def test_reminders_need_smtp_and_an_open_round(db, app, panel, monkeypatch):
    study, round_, _people = panel
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    with pytest.raises(StateError, match="E-mail is not set up"):
        reminders.send_now(study, round_, None)
    monkeypatch.undo()
    round_.close()
    db.session.commit()
    with pytest.raises(StateError, match="not open"):
        reminders.send_now(study, round_, None)


def test_scheduled_reminders_are_sent_by_the_worker_when_due(db, smtp, panel):
    study, round_, people = panel
    opened = round_.opened_at
    now = opened + timedelta(hours=1)
    created = reminders.schedule(study, round_, [12, 7], None, now=now)
    assert [r.send_at for r in created] == [opened + timedelta(days=7),
                                           opened + timedelta(days=12)]
    assert worker.deliver_due(opened + timedelta(days=6)).reminders_queued == 0
    assert smtp.messages == []
    report = worker.deliver_due(opened + timedelta(days=7, minutes=1))
    assert (report.reminders_queued, report.sent) == (1, 1)
    assert [m["To"] for m in smtp.messages] == ["waiting@example.test"]
    assert worker.deliver_due(opened + timedelta(days=8)).reminders_queued == 0  # sent once
    assert len(reminders.pending(round_)) == 1
    participation.record_completed(people["waiting"], round_)
    db.session.commit()
    assert worker.deliver_due(opened + timedelta(days=13)).reminders_queued == 0
    assert reminders.pending(round_) == []
    assert len(smtp.messages) == 1


def test_a_scheduled_reminder_is_claimed_once(db, smtp, panel):
    study, round_, _people = panel
    reminders.schedule(study, round_, [7], None, now=round_.opened_at)
    due = round_.opened_at + timedelta(days=7)
    assert reminders.send_due_scheduled(due) == 1
    assert reminders.send_due_scheduled(due) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == MessageKind.REMINDER)) == 1


def test_scheduled_reminder_for_a_closed_round_sends_nothing(db, smtp, panel):
    study, round_, _people = panel
    reminders.schedule(study, round_, [7], None, now=round_.opened_at)
    round_.close()
    db.session.commit()
    assert reminders.send_due_scheduled(round_.opened_at + timedelta(days=8)) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "reminders.scheduled_skipped")) == 1


def test_schedule_refuses_past_and_repeated_days(db, smtp, panel):
    study, round_, _people = panel
    later = round_.opened_at + timedelta(days=8)
    with pytest.raises(ValidationError, match="Day 7 after opening was .* which has passed"):
        reminders.schedule(study, round_, [7], None, now=later)
    reminders.schedule(study, round_, [10], None, now=later)
    with pytest.raises(ValidationError, match="already scheduled for day 10"):
        reminders.schedule(study, round_, [10], None, now=later)
    with pytest.raises(ValidationError, match="Enter the days"):
        reminders.schedule(study, round_, [], None, now=later)
    assert db.session.scalar(select(func.count(ScheduledReminder.id))) == 1


@pytest.mark.parametrize(("text", "days"), [("7, 12", [7, 12]), ("12 7 7", [7, 12]),
                                             ("3;5", [3, 5])])
def test_parse_days(text, days):
    assert reminders.parse_days(text) == days


@pytest.mark.parametrize(("text", "message"), [("", "Enter the days"),
                                                ("seven", "“seven” is not a day"),
                                                ("0", "“0” is not a day"),
                                                ("400", "from 1 to 365"),
                                                ("-3", "is not a day")])
def test_parse_days_refuses(text, message):
    with pytest.raises(ValidationError, match=message):
        reminders.parse_days(text)


def test_cancel_a_scheduled_reminder(db, smtp, panel):
    study, round_, _people = panel
    [reminder] = reminders.schedule(study, round_, [7], None, now=round_.opened_at)
    reminders.cancel(study, reminder.id, None)
    assert reminders.pending(round_) == []
    with pytest.raises(NotFound):
        reminders.cancel(study, reminder.id, None)
    other = make_study(title="Another study")
    [theirs] = reminders.schedule(study, round_, [9], None, now=round_.opened_at)
    with pytest.raises(NotFound):
        reminders.cancel(other, theirs.id, None)
