"""Which participant a browser speaks for: the link's token once, then the session's stored
link, checked on every request (replaced, expired and withdrawn links)."""

from datetime import timedelta

import pytest

from delphi.models import utcnow
from delphi.services import invitations, participant_access, participants

from ..factories import make_participant, make_study


def _issued(db):
    study = make_study()
    participant = make_participant(study)
    invitation, token = invitations.issue_link(participant)
    db.session.commit()
    return study, participant, invitation, token


def test_a_token_gives_its_link_and_the_session_its_participant(db):
    _study, participant, invitation, token = _issued(db)
    assert participant_access.invitation_for_token(token) == invitation
    value = participant_access.session_value(invitation)
    assert token not in str(value)
    assert participant_access.participant_for_session(value) == participant


@pytest.mark.parametrize("value", [None, 5, [None, "x"], ["1", "x"], [999, "abc"]])
def test_no_or_a_damaged_session_is_unknown(db, value):
    _issued(db)
    with pytest.raises(invitations.UnknownLink, match="on this device yet"):
        participant_access.participant_for_session(value)


def test_a_replaced_link_is_unknown_even_if_its_id_is_reused(db):
    study, participant, invitation, _token = _issued(db)
    value = participant_access.session_value(invitation)
    invitations.reissue_link(study, participant, None)
    with pytest.raises(invitations.UnknownLink):
        participant_access.participant_for_session(value)


def test_an_expired_link_ends_the_session(db):
    _study, _participant, invitation, token = _issued(db)
    value = participant_access.session_value(invitation)
    later = utcnow() + timedelta(days=400)
    with pytest.raises(invitations.ExpiredLink, match="team@example.test"):
        participant_access.participant_for_session(value, now=later)
    with pytest.raises(invitations.ExpiredLink):
        participant_access.invitation_for_token(token, now=later)


def test_withdrawn_participants_are_told_so_not_that_the_link_expired(db):
    study, participant, invitation, token = _issued(db)
    value = participant_access.session_value(invitation)
    participants.withdraw_participant(study, participant, None)
    for call in (lambda: participant_access.invitation_for_token(token),
                 lambda: participant_access.participant_for_session(value)):
        with pytest.raises(participant_access.ParticipantWithdrawn) as caught:
            call()
        assert caught.value.participant == participant
    assert participant_access.withdrawn_participant(participant.id) == participant


def test_only_withdrawn_participants_get_the_withdrawn_page(db):
    _study, participant, _invitation, _token = _issued(db)
    for value in (None, participant.id, 999):
        with pytest.raises(invitations.UnknownLink):
            participant_access.withdrawn_participant(value)


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "y" * 200])
def test_unknown_tokens(db, token):
    with pytest.raises(invitations.UnknownLink, match="not recognised"):
        participant_access.invitation_for_token(token)
