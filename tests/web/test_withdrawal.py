"""A participant leaves the study: told in words what happens to their answers under the
study's policy, asked to confirm, then shown the withdrawn page from then on."""

import pytest
from sqlalchemy import func, select

from delphi.models import (
    AuditEvent,
    Comment,
    ParticipantStatus,
    RoundItem,
    WithdrawalPolicy,
)
from delphi.services import invitations

from ..conftest import csrf_token_from
from ..factories import make_participant, make_study
from ..smtp import add_contact
from .test_participant_link import assert_plain_english

TEAM = "Study team, team@example.test"


def _signed_in_participant(db, client, policy=WithdrawalPolicy.KEEP):
    study = make_study()
    study.withdrawal_policy = policy
    db.session.commit()
    participant = make_participant(study)
    _invitation, token = invitations.issue_link(participant)
    db.session.commit()
    assert client.get(f"/p/{token}").status_code == 303
    return study, participant, token


def _comment(db, study, participant):
    item = study.items[0]
    round_item = RoundItem(round=study.rounds[0], item=item, item_version=item.versions[0])
    db.session.add(round_item)
    db.session.flush()
    db.session.add(Comment(participant_id=participant.id, round_item_id=round_item.id,
                           original_text="My view"))
    db.session.commit()


def _comments(db, participant):
    return db.session.scalar(select(func.count(Comment.id)).where(
        Comment.participant_id == participant.id))


@pytest.mark.parametrize("policy, wording", [
    (WithdrawalPolicy.KEEP, "We will keep the answers you have already given"),
    (WithdrawalPolicy.REMOVE, "We will delete the answers and comments you have given"),
])
def test_the_page_explains_the_policy_and_asks_to_confirm(db, client, policy, wording):
    study, _participant, token = _signed_in_participant(db, client, policy)
    response = client.get("/take-part/withdraw")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert wording in html
    assert "You cannot undo this" in html and "govuk-warning-text" in html
    assert "Yes, I want to leave" in html and 'href="/take-part"' in html  # go back
    assert token not in html
    assert_plain_english(html, remove=[study.title])


def test_confirming_withdraws_under_the_keep_policy(db, client):
    study, participant, token = _signed_in_participant(db, client)
    _comment(db, study, participant)
    html = client.get("/take-part/withdraw").get_data(as_text=True)
    response = client.post("/take-part/withdraw", data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/take-part/withdrawn"
    page = client.get("/take-part/withdrawn").get_data(as_text=True)
    assert "You have left the study" in page and "We have kept the answers" in page
    assert_plain_english(page, remove=[study.title, TEAM])
    db.session.expire_all()
    assert participant.status == ParticipantStatus.WITHDRAWN
    assert participant.withdrawn_at is not None and participant.reminders_stopped
    assert _comments(db, participant) == 1
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "participant.withdrawn"))
    assert event.user_id is None and event.target == participant.pseudonym
    # From now on the link shows the withdrawn page, never the questions.
    assert client.get(f"/p/{token}").headers["Location"] == "/take-part/withdrawn"
    assert client.get("/take-part").headers["Location"] == "/take-part/withdrawn"


def test_confirming_under_the_remove_policy_deletes_answers(db, client):
    study, participant, _token = _signed_in_participant(db, client, WithdrawalPolicy.REMOVE)
    _comment(db, study, participant)
    html = client.get("/take-part/withdraw").get_data(as_text=True)
    client.post("/take-part/withdraw", data={"csrf_token": csrf_token_from(html)})
    assert "We have deleted the answers" in client.get("/take-part/withdrawn").get_data(
        as_text=True)
    assert _comments(db, participant) == 0


def test_the_address_is_deleted_only_when_asked(db, client):
    _study, participant, _token = _signed_in_participant(db, client)
    add_contact(participant, "sam@example.org")
    html = client.get("/take-part/withdraw").get_data(as_text=True)
    assert "Also delete my e-mail address" in html
    client.post("/take-part/withdraw",
                data={"csrf_token": csrf_token_from(html), "erase_contact": "y"})
    db.session.expire_all()
    assert participant.status == ParticipantStatus.WITHDRAWN and participant.contact is None


def test_no_address_no_offer_to_delete_it(db, client):
    _signed_in_participant(db, client)
    assert "Also delete my e-mail address" not in client.get(
        "/take-part/withdraw").get_data(as_text=True)


def test_withdrawing_needs_the_form_token(db, client):
    _study, participant, _token = _signed_in_participant(db, client)
    response = client.post("/take-part/withdraw", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert participant.status != ParticipantStatus.WITHDRAWN


def test_withdrawing_twice_in_two_tabs_shows_the_withdrawn_page(db, client):
    _signed_in_participant(db, client)
    html = client.get("/take-part/withdraw").get_data(as_text=True)
    token = csrf_token_from(html)
    assert client.post("/take-part/withdraw", data={"csrf_token": token}).status_code == 303
    second = client.post("/take-part/withdraw", data={"csrf_token": token})
    assert second.headers["Location"] == "/take-part/withdrawn"


def test_without_a_session_nobody_can_withdraw(db, client):
    study = make_study()
    participant = make_participant(study)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.get("/take-part/withdraw").status_code == 404
    assert client.post("/take-part/withdraw", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert participant.status != ParticipantStatus.WITHDRAWN
