"""Private links and invitations: randomness, hashing, expiry, re-issue, and invitations
queued with the participation record in one unit of work, delivered by the worker."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delphi.errors import StateError, ValidationError
from delphi.models import (
    AuditEvent,
    Invitation,
    MessageKind,
    OutboxMessage,
    ParticipantStatus,
    RoundParticipation,
    utcnow,
)
from delphi.services import invitations, worker

from ..factories import make_participant, make_study, make_user
from ..smtp import add_contact, body_of, link_in, open_first_round, smtp_server


@pytest.fixture
def smtp(app):
    with smtp_server(app) as mailbox:
        yield mailbox


@pytest.fixture
def study(db):
    return make_study(owner=make_user())


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_tokens_have_256_bits_and_only_the_hash_is_stored(db, study):
    participant = make_participant(study)
    invitation, token = invitations.issue_link(participant)
    db.session.commit()
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    assert invitations.new_token() != invitations.new_token()
    assert invitation.token_hash == invitations.hash_token(token) != token
    assert len(invitation.token_hash) == 64
    assert token not in {value for value in vars(invitation).values() if isinstance(value, str)}
    assert invitations.find_participant_by_token(token) == participant


def test_links_expire(db, study, app):
    participant = make_participant(study)
    now = utcnow()
    _invitation, token = invitations.issue_link(participant, now=now)
    db.session.commit()
    days = app.config["INVITATION_LINK_DAYS"]
    assert invitations.find_participant_by_token(token, now + timedelta(days=days - 1))
    with pytest.raises(invitations.ExpiredLink,
                       match="This link has expired. Ask the study team for a new one: "
                             "Study team, team@example.test"):
        invitations.find_participant_by_token(token, now + timedelta(days=days))


def test_link_lasts_past_a_late_round_close(db, study):
    round_ = study.rounds[0]
    now = utcnow()
    round_.closes_at = now + timedelta(days=100)
    assert invitations.expiry_for(round_, now) == now + timedelta(days=114)


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "y" * 500])
def test_unknown_links_are_refused_clearly(db, token):
    with pytest.raises(invitations.UnknownLink, match="Check that you copied the whole link"):
        invitations.find_participant_by_token(token)


def test_invite_without_smtp_returns_links_and_records_the_invitation(db, study):
    round_ = open_first_round(study)
    first = add_contact(make_participant(study), "one@example.test")
    second = make_participant(study)
    result = invitations.invite(study, round_, [first, second], study.memberships[0].user)
    assert not result.smtp_configured and result.emailed == 0
    assert [link.participant for link in result.links] == [first, second]
    assert result.contacts_shown  # the owner may see contacts
    assert [link.email for link in result.links] == ["one@example.test", None]
    assert _count(db, OutboxMessage) == 0
    for link in result.links:
        token = link.url.rsplit("/", 1)[1]
        assert invitations.find_participant_by_token(token) == link.participant
    assert _count(db, RoundParticipation, RoundParticipation.invited_at.is_not(None)) == 2
    assert invitations.uninvited(round_) == []
    assert _count(db, AuditEvent, AuditEvent.action == "participants.invited") == 1


def test_invite_with_smtp_queues_one_message_each_then_delivers(db, study, smtp):
    round_ = open_first_round(study)
    emailed = add_contact(make_participant(study), "one@example.test")
    no_address = make_participant(study)
    withdrawn = add_contact(make_participant(study), "gone@example.test")
    withdrawn.status = ParticipantStatus.WITHDRAWN
    db.session.commit()
    result = invitations.invite(study, round_, [emailed, no_address, withdrawn], None)
    assert result.emailed == 1
    assert [link.participant for link in result.links] == [no_address]
    assert result.skipped_withdrawn == (withdrawn,)
    [queued] = db.session.scalars(select(OutboxMessage)).all()
    assert (queued.kind, queued.participant_id, queued.round_id) == (
        MessageKind.INVITATION, emailed.id, round_.id)
    assert worker.deliver_due().sent == 1
    [delivered] = smtp.messages
    assert delivered["To"] == "one@example.test"
    assert delivered["Subject"] == f"Please help with {study.title}"
    text = body_of(delivered)
    link = link_in(text)
    assert invitations.find_participant_by_token(link.rsplit("/", 1)[1]) == emailed
    assert link_in(text, "/stop-reminders").endswith("/stop-reminders")


def test_invitation_and_message_roll_back_together(db, study, smtp, monkeypatch):
    round_ = open_first_round(study)
    participant = add_contact(make_participant(study), "one@example.test")

    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(invitations.audit, "record", broken)
    with pytest.raises(RuntimeError):
        invitations.invite(study, round_, [participant], None)
    assert _count(db, OutboxMessage) == 0
    assert _count(db, Invitation) == 0
    assert _count(db, RoundParticipation, RoundParticipation.invited_at.is_not(None)) == 0


def test_invite_needs_an_open_round(db, study):
    participant = make_participant(study)
    with pytest.raises(StateError, match="Round 1 is draft, not open"):
        invitations.invite(study, study.rounds[0], [participant], None)
    with pytest.raises(StateError, match="No round is open"):
        invitations.require_open_round(study, None)


def test_invite_refuses_nobody_and_other_studies(db, study):
    round_ = open_first_round(study)
    other = make_study(title="Another study")
    with pytest.raises(ValidationError, match="Everyone has already been invited"):
        invitations.invite(study, round_, [], None)
    with pytest.raises(ValidationError, match="Only this study's participants"):
        invitations.invite(study, round_, [make_participant(other)], None)


def test_uninvited_leaves_out_test_and_withdrawn_unless_asked(db, study):
    round_ = open_first_round(study)
    real = make_participant(study)
    test = make_participant(study)
    test.is_test = True
    gone = make_participant(study)
    gone.status = ParticipantStatus.WITHDRAWN
    db.session.commit()
    assert invitations.uninvited(round_) == [real]
    assert invitations.uninvited(round_, include_test=True) == [real, test]


def test_reissue_replaces_every_earlier_link(db, study):
    participant = make_participant(study)
    _first, old = invitations.issue_link(participant)
    _second, older = invitations.issue_link(participant)
    db.session.commit()
    issued = invitations.reissue_link(study, participant, None)
    assert not issued.emailed
    for token in (old, older):
        with pytest.raises(invitations.UnknownLink):
            invitations.find_participant_by_token(token)
    assert invitations.find_participant_by_token(issued.url.rsplit("/", 1)[1]) == participant
    assert _count(db, Invitation) == 1


def test_reissue_emails_the_new_link_when_it_can(db, study, smtp):
    open_first_round(study)
    participant = add_contact(make_participant(study), "one@example.test")
    issued = invitations.reissue_link(study, participant, None)
    assert issued.emailed
    worker.deliver_due()
    assert link_in(body_of(smtp.to("one@example.test")[0])) == issued.url


def test_reissue_refuses_withdrawn_participants(db, study):
    participant = make_participant(study)
    participant.status = ParticipantStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(StateError, match="has withdrawn"):
        invitations.reissue_link(study, participant, None)


def test_invitation_uses_the_studys_wording_and_always_carries_a_stop_link(db, study, smtp):
    from delphi.models import DocumentKind
    from delphi.services import documents

    owner = study.memberships[0].user
    document = documents.get_document(study, DocumentKind.INVITATION, owner)
    documents.save_version(document, by=owner, subject="Join {study_title}",
                           body="Dear panel member,\n\nYour link: {participant_link}")
    round_ = open_first_round(study)
    add_contact(make_participant(study), "one@example.test")
    invitations.invite(study, round_, invitations.uninvited(round_), owner)
    worker.deliver_due()
    [delivered] = smtp.messages
    assert delivered["Subject"].strip() == f"Join {study.title}"
    text = body_of(delivered)
    assert text.startswith("Dear panel member,")
    assert "you will still be part of the study" in text
    assert link_in(text, "/stop-reminders")
    html = delivered.get_body(preferencelist=("html",)).get_content()
    assert 'href="http' in html and "/stop-reminders" in html
