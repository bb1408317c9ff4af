"""The outbox worker against a real SMTP server: delivery, retries with backoff, permanent
failures, claiming so two workers never send one message, and scheduled reminders."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as extension
from delphi.models import MessageKind, OutboxMessage, OutboxStatus, utcnow
from delphi.services import outbox, worker
from delphi.services.transaction import unit_of_work

from ..factories import make_study
from ..smtp import body_of, smtp_server


@pytest.fixture
def smtp(app):
    with smtp_server(app) as mailbox:
        yield mailbox


@unit_of_work
def _queue(*addresses, study=None):
    return [outbox.queue_message(address, f"Hello {address}", "Words.\n", MessageKind.NOTICE,
                                 study=study) for address in addresses]


def _status(message_id):
    extension.session.expire_all()
    return extension.session.get(OutboxMessage, message_id)


def test_delivers_queued_messages(db, smtp):
    first, second = _queue("a@example.test", "b@example.test")
    report = worker.deliver_due()
    assert (report.sent, report.failed, report.retrying) == (2, 0, 0)
    assert sorted(m["To"] for m in smtp.messages) == ["a@example.test", "b@example.test"]
    assert body_of(smtp.to("a@example.test")[0]).strip() == "Words."
    for message in (first, second):
        row = _status(message.id)
        assert row.status == OutboxStatus.SENT and row.sent_at is not None
        assert row.attempts == 1 and row.last_error is None
    assert worker.deliver_due().handled == 0  # nothing is sent twice


def test_temporary_failure_succeeds_on_retry_after_backoff(db, smtp):
    smtp.data_replies.append("451 4.3.0 try again")
    [message] = _queue("a@example.test")
    now = utcnow()
    assert worker.deliver_due(now).retrying == 1
    row = _status(message.id)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    assert "451 4.3.0 try again" in row.last_error
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert worker.deliver_due(now + timedelta(seconds=30)).handled == 0  # not due yet
    assert worker.deliver_due(now + timedelta(minutes=1)).sent == 1
    row = _status(message.id)
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    assert len(smtp.messages) == 1


def test_backoff_doubles_then_gives_up(db, smtp):
    smtp.data_replies.extend(["451 4.3.0 try again"] * worker.MAX_ATTEMPTS)
    [message] = _queue("a@example.test")
    now = utcnow()
    waits = []
    for _ in range(worker.MAX_ATTEMPTS - 1):
        worker.deliver_due(now)
        row = _status(message.id)
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert worker.deliver_due(now).failed == 1
    row = _status(message.id)
    assert row.status == OutboxStatus.FAILED and row.attempts == worker.MAX_ATTEMPTS
    assert "Gave up after 6 attempts" in row.last_error


def test_permanent_failure_recorded_while_others_still_go(db, smtp):
    smtp.refused["gone@example.test"] = "550 5.1.1 No such user"
    good, bad, also_good = _queue("a@example.test", "gone@example.test", "c@example.test")
    report = worker.deliver_due()
    assert (report.sent, report.failed) == (2, 1)
    row = _status(bad.id)
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.last_error == "The mail server refused the recipient: 550 5.1.1 No such user"
    assert _status(good.id).status == _status(also_good.id).status == OutboxStatus.SENT


def test_unreachable_server_retries(db, smtp, app, monkeypatch):
    from ..smtp import free_port

    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    [message] = _queue("a@example.test")
    assert worker.deliver_due().retrying == 1
    assert "refused the connection" in _status(message.id).last_error


def test_nothing_is_sent_without_smtp(db):
    [message] = _queue("a@example.test")
    assert worker.deliver_due().handled == 0
    assert _status(message.id).status == OutboxStatus.QUEUED


def test_retry_failed_puts_them_back(db, smtp):
    study = make_study()
    smtp.refused["gone@example.test"] = "550 5.1.1 No such user"
    [message] = _queue("gone@example.test", study=study)
    worker.deliver_due()
    del smtp.refused["gone@example.test"]
    assert worker.retry_failed(study, None) == 1
    assert worker.deliver_due().sent == 1
    assert _status(message.id).status == OutboxStatus.SENT


def test_progress_counts_by_kind_and_status(db, smtp):
    study = make_study()
    smtp.refused["gone@example.test"] = "550 5.1.1 No such user"
    _queue("a@example.test", "gone@example.test", study=study)
    worker.deliver_due()
    _queue("b@example.test", study=study)
    by_kind = {entry.kind: entry.as_dict() for entry in worker.progress(study)}
    assert by_kind[MessageKind.NOTICE] == {"queued": 1, "retrying": 0, "sent": 1, "failed": 1}
    assert by_kind[MessageKind.INVITATION] == {"queued": 0, "retrying": 0, "sent": 0,
                                               "failed": 0}
    assert [m.to_address for m in worker.failed_messages(study)] == ["gone@example.test"]


def test_claimed_messages_are_not_claimed_again(db, smtp):
    _queue("a@example.test", "b@example.test", "c@example.test")
    now = utcnow()
    first = worker.claim(now, batch_size=2)
    second = worker.claim(now, batch_size=2)
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert worker.claim(now) == []
    # A worker that died mid-send leaves its claim; the messages are due again afterwards.
    assert len(worker.claim(now + timedelta(minutes=worker.CLAIM_MINUTES))) == 3


@pytest.mark.slow
def test_two_workers_never_send_the_same_message(app, live_db, smtp):
    total = 40
    _queue(*(f"p{number}@example.test" for number in range(total)))
    errors = []

    def run():
        try:
            with app.app_context():
                while worker.deliver_due(batch_size=3).handled:
                    pass
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    delivered = sorted(message["To"] for message in smtp.messages)
    assert delivered == sorted(f"p{number}@example.test" for number in range(total))
    live_db.session.expire_all()
    assert live_db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.attempts == 1)) == total


def test_worker_command_once_delivers_and_exits(runner, db, smtp):
    _queue("a@example.test")
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1, retrying 0, failed 0" in result.output
    assert [m["To"] for m in smtp.messages] == ["a@example.test"]


def test_worker_command_without_smtp_explains_and_still_closes_rounds(runner, db):
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0
    assert "E-mail is not set up for this installation" in result.output
    assert "only closes rounds at their close date" in result.output


def test_worker_command_loops_until_sigterm(runner, db, smtp, monkeypatch):
    import os
    import signal

    passes = []

    def deliver_due():
        passes.append(1)
        if len(passes) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return worker.DeliveryReport()

    monkeypatch.setattr(worker, "deliver_due", deliver_due)
    before = signal.getsignal(signal.SIGTERM)
    result = runner.invoke(args=["worker", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert len(passes) == 3
    assert "Worker stopped." in result.output
    assert signal.getsignal(signal.SIGTERM) is before


def test_worker_command_rejects_a_bad_interval(runner, db, smtp):
    result = runner.invoke(args=["worker", "--interval", "0"])
    assert result.exit_code != 0
    assert "interval" in result.output.lower()


def test_worker_loop_reports_passes_and_survives_a_failed_one(db, smtp, monkeypatch):
    calls, reports, errors = [], [], []
    stop = threading.Event()

    def deliver_due():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database briefly unavailable")
        if len(calls) == 3:
            stop.set()
        return worker.DeliveryReport(sent=1)

    monkeypatch.setattr(worker, "deliver_due", deliver_due)
    worker.run(0.01, stop, on_pass=reports.append, on_error=errors.append)
    assert len(calls) == 3 and len(reports) == 2
    assert [str(error) for error in errors] == ["database briefly unavailable"]
    assert worker.summary(reports[0]) == "sent 1, retrying 0, failed 0, reminders queued 0"


def test_errors_are_reported_without_their_parameters():
    error = RuntimeError("(sqlite3.OperationalError) disk I/O error\n[SQL: INSERT …]\n"
                         "[parameters: ('https://x/p/secret-token',)]")
    assert worker.brief(error) == "(sqlite3.OperationalError) disk I/O error"
    assert worker.brief(RuntimeError()) == "RuntimeError"
