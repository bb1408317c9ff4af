"""The messages page: outbox progress, inviting (links on screen without SMTP, e-mail with
it), reminders now and scheduled, retrying failures, new links; who may do what."""

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import (
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    RoundParticipation,
    ScheduledReminder,
)
from delphi.services import invitations, outbox, participation, worker
from delphi.services.transaction import unit_of_work

from ..conftest import csrf_token_from
from ..factories import make_participant
from ..smtp import add_contact, body_of, link_in, open_first_round, path_of, smtp_server
from .pages import assert_strict_csp_holds
from .team_setup import EMAILS, make_study_with_team


@pytest.fixture
def smtp(app):
    with smtp_server(app) as mailbox:
        yield mailbox


@pytest.fixture
def study(db):
    return make_study_with_team()


def _page(client, study):
    return client.get(f"/studies/{study.id}/messages")


def _post(client, study, path, **data):
    token = csrf_token_from(_page(client, study).get_data(as_text=True))
    return client.post(f"/studies/{study.id}/messages/{path}", data={"csrf_token": token, **data})


def _count(model, *where):
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


READ_ROUTES = ["", "/progress.json"]
CHANGE_ROUTES = ["invitations", "reminders", "scheduled-reminders", "retry", "new-link",
                 "scheduled-reminders/1/cancel"]


@pytest.mark.parametrize("path", READ_ROUTES)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_who_may_read(client, auth, study, path, role, status):
    auth.login(email=EMAILS[role])
    assert client.get(f"/studies/{study.id}/messages{path}").status_code == status


@pytest.mark.parametrize("path", READ_ROUTES)
def test_reading_needs_sign_in(client, study, path):
    response = client.get(f"/studies/{study.id}/messages{path}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", CHANGE_ROUTES)
@pytest.mark.parametrize("role", ["steering", "outsider"])
def test_steering_and_outsiders_cannot_change(client, auth, study, path, role):
    auth.login(email=EMAILS[role])
    token = csrf_token_from(client.get("/studies").get_data(as_text=True))
    response = client.post(f"/studies/{study.id}/messages/{path}", data={"csrf_token": token})
    assert response.status_code == 403
    assert _count(OutboxMessage) == 0 and _count(RoundParticipation) == 0


@pytest.mark.parametrize("path", CHANGE_ROUTES)
def test_changing_needs_sign_in(client, study, path):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(f"/studies/{study.id}/messages/{path}", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_steering_sees_progress_but_no_buttons(client, auth, study):
    open_first_round(study)
    auth.login(email=EMAILS["steering"])
    html = _page(client, study).get_data(as_text=True)
    assert "Outbox" in html
    assert "Invite participants" not in html and "Send reminders now" not in html


def test_without_smtp_inviting_shows_each_link_once_and_says_why(client, auth, another_client,
                                                                  study):
    round_ = open_first_round(study)
    first = add_contact(make_participant(study), "one@example.test")
    make_participant(study)
    auth.login(email=EMAILS["facilitator"])
    page = _page(client, study)
    html = page.get_data(as_text=True)
    assert "E-mail is not set up for this installation" in html
    assert "2 participants have not been invited" in html
    assert "Send reminders now" not in html
    assert_strict_csp_holds(page)
    response = _post(client, study, "invitations")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E-mail is not set up for this installation, so copy each link and send it " \
           "yourself." in html
    assert "shown only once" in html
    assert "one@example.test" not in html  # this facilitator may not see contacts
    links = [word.split('"')[1] for word in html.split() if word.startswith('value="http')]
    assert len(links) == 2
    welcome = another_client.get(path_of(links[0]), follow_redirects=True)
    assert welcome.status_code == 200 and study.title in welcome.get_data(as_text=True)
    assert _count(OutboxMessage) == 0
    assert {p.pseudonym for p in participation.non_completers(round_)} == {
        first.pseudonym, study.participants[1].pseudonym}
    again = _post(client, study, "invitations")
    assert again.status_code == 409
    assert "Everyone has already been invited" in again.get_data(as_text=True)


def test_owner_sees_contacts_beside_links(client, auth, study):
    open_first_round(study)
    add_contact(make_participant(study), "one@example.test")
    auth.login()
    assert "one@example.test" in _post(client, study, "invitations").get_data(as_text=True)


def test_with_smtp_invitations_are_emailed_with_a_working_link(client, auth, another_client,
                                                               study, smtp):
    open_first_round(study)
    participant = add_contact(make_participant(study), "one@example.test")
    auth.login()
    response = _post(client, study, "invitations")
    assert response.status_code == 302
    assert "1 invitations queued" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    progress = client.get(f"/studies/{study.id}/messages/progress.json").get_json()
    assert progress["invitation"] == {"queued": 1, "retrying": 0, "sent": 0, "failed": 0}
    worker.deliver_due()
    progress = client.get(f"/studies/{study.id}/messages/progress.json").get_json()
    assert progress["invitation"]["sent"] == 1
    link = link_in(body_of(smtp.to("one@example.test")[0]))
    welcome = another_client.get(path_of(link), follow_redirects=True)
    assert welcome.status_code == 200
    assert study.title in welcome.get_data(as_text=True)
    stop = another_client.get(path_of(link) + "/stop-reminders", follow_redirects=True)
    another_client.post("/take-part/stop-reminders",
                        data={"csrf_token": csrf_token_from(stop.get_data(as_text=True))})
    _db.session.expire_all()
    assert participant.reminders_stopped


def test_without_an_open_round_nothing_can_be_sent(client, auth, study):
    auth.login()
    assert "No round is open" in _page(client, study).get_data(as_text=True)
    response = _post(client, study, "invitations")
    assert response.status_code == 409
    assert "No round is open" in response.get_data(as_text=True)


def test_reminders_now_go_to_non_completers_only(client, auth, study, smtp):
    round_ = open_first_round(study)
    waiting = add_contact(make_participant(study), "waiting@example.test")
    done = add_contact(make_participant(study), "done@example.test")
    invitations.invite(study, round_, [waiting, done], None)
    participation.record_completed(done, round_)
    _db.session.commit()
    worker.deliver_due()
    smtp.messages.clear()
    auth.login()
    assert "1 participant would get a reminder now" in _page(client, study).get_data(
        as_text=True)
    response = _post(client, study, "reminders")
    assert response.status_code == 302
    worker.deliver_due()
    assert [m["To"] for m in smtp.messages] == ["waiting@example.test"]


def test_reminders_without_smtp_are_refused(client, auth, study):
    open_first_round(study)
    auth.login()
    response = _post(client, study, "reminders")
    assert response.status_code == 409
    assert "E-mail is not set up" in response.get_data(as_text=True)


def test_schedule_reminders(client, auth, study, smtp):
    open_first_round(study)
    auth.login()
    response = _post(client, study, "scheduled-reminders", days="7, 12")
    assert response.status_code == 302
    assert _count(ScheduledReminder) == 2
    html = _page(client, study).get_data(as_text=True)
    assert html.count("Cancel the reminder of") == 2
    [first, _second] = _db.session.scalars(select(ScheduledReminder.id).order_by(
        ScheduledReminder.send_at)).all()
    assert _post(client, study, f"scheduled-reminders/{first}/cancel").status_code == 302
    assert _count(ScheduledReminder) == 1
    missing = _post(client, study, f"scheduled-reminders/{first}/cancel")
    assert missing.status_code == 404


@pytest.mark.parametrize(("days", "message"), [
    ("", "Enter the days after opening"),
    ("seven", "“seven” is not a day after opening"),
    ("400", "from 1 to 365"),
])
def test_schedule_reminders_bad_input_keeps_what_was_typed(client, auth, study, smtp, days,
                                                          message):
    open_first_round(study)
    auth.login()
    response = _post(client, study, "scheduled-reminders", days=days)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "govuk-error-summary" in html
    assert f'value="{days}"' in html or days == ""
    assert _count(ScheduledReminder) == 0


def test_retry_failed_messages(client, auth, study, smtp):
    smtp.refused["gone@example.test"] = "550 5.1.1 No such user"
    unit_of_work(outbox.queue_message)("gone@example.test", "Hi", "Words", MessageKind.NOTICE,
                                       study=study)
    worker.deliver_due()
    auth.login()
    html = _page(client, study).get_data(as_text=True)
    assert "Failed messages" in html and "550 5.1.1 No such user" in html
    del smtp.refused["gone@example.test"]
    assert _post(client, study, "retry").status_code == 302
    worker.deliver_due()
    assert _count(OutboxMessage, OutboxMessage.status == OutboxStatus.SENT) == 1


def test_new_link_is_shown_once_without_smtp(client, auth, another_client, study):
    participant = make_participant(study)
    _old, token = invitations.issue_link(participant)
    _db.session.commit()
    auth.login()
    response = _post(client, study, "new-link", participant=str(participant.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Their earlier links no longer work" in html
    link = next(word.split('"')[1] for word in html.split() if word.startswith('value="http'))
    assert another_client.get(path_of(link)).status_code == 303
    assert another_client.get(f"/p/{token}").status_code == 404


@pytest.mark.parametrize("choice", ["", "999999"])
def test_new_link_needs_a_participant_of_this_study(client, auth, study, choice):
    auth.login()
    response = _post(client, study, "new-link", participant=choice)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)


def test_progress_script_is_a_static_file(client, auth, study, project_root):
    auth.login()
    html = _page(client, study).get_data(as_text=True)
    assert '/static/js/outbox-progress.js' in html
    assert 'data-progress-url="/studies/' in html
    assert "Refresh" in html  # works without JavaScript
    assert (project_root / "static" / "js" / "outbox-progress.js").exists()
