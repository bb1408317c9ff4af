"""Open registration links and resending links: one unit of work per registration, the
hidden field, caps and closing, and per-address limits kept in the database."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delphi.errors import NotFound, StateError, ValidationError
from delphi.models import (
    AuditEvent,
    ConsentRecord,
    Invitation,
    OpenLink,
    OutboxMessage,
    Participant,
    ParticipantSource,
    ParticipantStatus,
    RegistrationAttempt,
    RoundParticipation,
    utcnow,
)
from delphi.services import invitations, participants, registration

from ..factories import make_participant, make_study, make_user
from ..smtp import add_contact, open_first_round


@pytest.fixture
def mail(app):
    """SMTP counts as set up (messages only wait in the outbox here)."""
    saved = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = "127.0.0.1"
    yield
    app.config["MAIL_SERVER"] = saved


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _open_link(study):
    return registration.create_open_link(study, make_user())


def _required_keys(study):
    from delphi.models import DocumentKind
    from delphi.services import documents

    version = documents.current_version(study, DocumentKind.CONSENT)
    return [s["key"] for s in version.statements if s.get("required")], version


def _register(link, **changes):
    study = link.study
    keys, version = _required_keys(study)
    values = {"client_address": "10.0.0.1", "group_id": study.groups[1].id, "agreed": keys,
              "email": "", "consent_version": version.number}
    values.update(changes)
    return registration.register(link, **values)


def test_address_hash_is_keyed_and_stable(app):
    with app.app_context():
        first = registration.address_hash("10.0.0.1")
        assert first == registration.address_hash("10.0.0.1")
        assert first != registration.address_hash("10.0.0.2")
        assert "10.0.0.1" not in first and len(first) == 64


def test_registering_creates_everything_at_once(db, mail):
    study = make_study()
    round_ = open_first_round(study)
    link = _open_link(study)
    joined = _register(link, email=" Sam@Example.org ")
    participant = joined.participant
    assert participant.source == ParticipantSource.SELF_REGISTERED
    assert participant.status == ParticipantStatus.ACTIVE
    assert participant.open_link_id == link.id and participant.group == study.groups[1]
    assert participant.contact.email == "sam@example.org"
    assert participant.consented_at is not None
    record = db.session.scalar(select(ConsentRecord).where(
        ConsentRecord.participant_id == participant.id))
    assert all(record.agreed[key] for key in _required_keys(study)[0])
    assert invitations.find_invitation(joined.url.rsplit("/", 1)[1]) == joined.invitation
    assert joined.emailed
    message = db.session.scalar(select(OutboxMessage))
    assert message.to_address == "sam@example.org" and joined.url in message.body_text
    assert "only way back to your answers" in message.body_text
    row = db.session.scalar(select(RoundParticipation))
    assert row.round_id == round_.id and row.invited_at is not None
    assert _count(db, AuditEvent, AuditEvent.action == "participant.self_registered") == 1
    assert _count(db, RegistrationAttempt) == 1


def test_without_an_address_nothing_is_mailed(db, mail):
    joined = _register(_open_link(make_study()))
    assert joined.participant.contact is None and not joined.emailed
    assert _count(db, OutboxMessage) == 0


def test_without_smtp_the_link_is_only_shown(db):
    joined = _register(_open_link(make_study()), email="sam@example.org")
    assert not joined.emailed and _count(db, OutboxMessage) == 0
    assert joined.participant.contact.email == "sam@example.org"


@pytest.mark.parametrize("changes, fields", [
    ({"group_id": None}, {"group"}),
    ({"group_id": "abc"}, {"group"}),
    ({"agreed": []}, {"agreed"}),
    ({"email": "not an address"}, {"email"}),
    ({"group_id": "", "agreed": [], "email": "a@b"}, {"group", "agreed", "email"}),
    ({"consent_version": 99}, {"agreed"}),
])
def test_bad_answers_create_nothing(db, mail, changes, fields):
    link = _open_link(make_study())
    with pytest.raises(registration.RegistrationError) as caught:
        _register(link, **changes)
    assert set(caught.value.errors) == fields
    for model in (Participant, ConsentRecord, Invitation, OutboxMessage, RegistrationAttempt):
        assert _count(db, model) == 0


def test_a_group_of_another_study_is_refused(db):
    other = make_study(title="Another")
    with pytest.raises(registration.RegistrationError) as caught:
        _register(_open_link(make_study()), group_id=other.groups[0].id)
    assert "group" in caught.value.errors


def test_the_hidden_field_creates_nothing_but_looks_the_same(db, mail):
    joined = _register(_open_link(make_study()), email="bot@example.org",
                       honeypot="http://spam.example")
    assert joined.participant is None and joined.invitation is None
    assert "/p/" in joined.url
    with pytest.raises(invitations.UnknownLink):
        invitations.find_invitation(joined.url.rsplit("/", 1)[1])
    for model in (Participant, ConsentRecord, Invitation, OutboxMessage):
        assert _count(db, model) == 0
    assert _count(db, RegistrationAttempt) == 1  # it counts towards the limit


def test_the_limit_per_address_blocks_a_flood(db, mail):
    link = _open_link(make_study())
    limit = registration.LIMITS[registration.REGISTER]
    for _ in range(limit):
        _register(link, email="sam@example.org")
    with pytest.raises(registration.TooManyAttempts):
        _register(link, email="sam@example.org")
    assert _count(db, Participant) == limit and _count(db, OutboxMessage) == limit
    _register(link, client_address="10.0.0.2")  # another address is not held up
    assert _count(db, Participant) == limit + 1


def test_old_attempts_stop_counting_and_are_deleted(db):
    link = _open_link(make_study())
    hashed = registration.address_hash("10.0.0.1")
    limit = registration.LIMITS[registration.REGISTER]
    old = utcnow() - timedelta(minutes=61)
    ancient = utcnow() - timedelta(days=2)
    db.session.add_all([RegistrationAttempt(purpose="register", address_hash=hashed,
                                            created_at=old) for _ in range(limit)])
    db.session.add(RegistrationAttempt(purpose="register", address_hash=hashed,
                                       created_at=ancient))
    db.session.commit()
    _register(link)
    assert _count(db, RegistrationAttempt) == limit + 1  # the two-day-old one is gone


def test_a_closed_or_full_link_takes_nobody(db):
    study = make_study()
    owner = make_user()
    link = registration.create_open_link(study, owner)
    registration.close_open_link(study, link, owner)
    with pytest.raises(registration.LinkClosed, match="closed to new people"):
        _register(link)
    registration.reopen_open_link(study, link, owner)
    registration.set_cap(study, link, 1, owner)
    _register(link)
    assert registration.summary(link).is_full
    with pytest.raises(registration.LinkClosed, match="team@example.test"):
        _register(link, client_address="10.0.0.2")
    assert _count(db, Participant) == 1


def test_open_links_are_listed_with_counts_and_audited(db):
    study = make_study()
    owner = make_user()
    first = registration.create_open_link(study, owner)
    second = registration.create_open_link(study, owner)
    assert first.slug != second.slug and len(first.slug) == 16
    _register(first)
    _register(first, client_address="10.0.0.3")
    listed = {entry.link.id: entry for entry in registration.open_links(study)}
    assert listed[first.id].registered == 2 and listed[second.id].registered == 0
    assert listed[first.id].state == "open"
    registration.set_cap(study, first, 2, owner)
    assert registration.summary(first).state == "full"
    registration.close_open_link(study, second, owner)
    assert registration.summary(second).state == "closed" and second.closed_at is not None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"open_link.created", "open_link.cap_set", "open_link.closed"} <= actions


def test_bad_changes_to_open_links(db):
    study = make_study()
    owner = make_user()
    link = registration.create_open_link(study, owner)
    with pytest.raises(ValidationError, match="from 1 to 100,000"):
        registration.set_cap(study, link, 0, owner)
    with pytest.raises(StateError, match="already open"):
        registration.reopen_open_link(study, link, owner)
    registration.close_open_link(study, link, owner)
    with pytest.raises(StateError, match="already closed"):
        registration.close_open_link(study, link, owner)
    other = make_study(title="Another")
    with pytest.raises(NotFound):
        registration.get_open_link(other, link.id)
    with pytest.raises(NotFound):
        registration.set_cap(other, link, 5, owner)
    with pytest.raises(NotFound, match="not recognised"):
        registration.find_open_link("no-such-link")
    assert registration.find_open_link(link.slug) == link
    assert db.session.get(OpenLink, link.id).cap is None


def test_self_registered_and_invited_are_counted_apart(db):
    study = make_study()
    make_participant(study)
    _register(_open_link(study))
    assert registration.source_counts(study) == {"invited": 1, "self_registered": 1}
    counts = {entry.name: entry for entry in participants.group_counts(study)}
    assert counts["Patients and carers"].invited == 1
    assert counts["Patients and carers"].self_registered == 0
    assert counts["Nurses"].active == 1 and counts["Nurses"].self_registered == 1


# Resending links ------------------------------------------------------------------------


def test_resending_issues_a_new_link_in_each_study_of_the_address(db, mail):
    first, second = make_study(), make_study(title="Another")
    one = add_contact(make_participant(first), "sam@example.org")
    two = add_contact(make_participant(second), "Sam@Example.org")
    _old, old_token = invitations.issue_link(one)
    db.session.commit()
    assert registration.resend_links(" SAM@example.org ", "10.0.0.1") == 2
    with pytest.raises(invitations.UnknownLink):
        invitations.find_invitation(old_token)  # the new link replaces the old
    sent = list(db.session.scalars(select(OutboxMessage.participant_id)))
    assert sorted(sent) == sorted([one.id, two.id])


def test_resending_skips_withdrawn_participants_and_unknown_addresses(db, mail):
    study = make_study()
    participant = add_contact(make_participant(study), "sam@example.org")
    participants.withdraw_participant(study, participant, None)
    assert registration.resend_links("sam@example.org", "10.0.0.1") == 0
    assert registration.resend_links("nobody@example.org", "10.0.0.1") == 0
    assert _count(db, OutboxMessage) == 0
    assert _count(db, RegistrationAttempt) == 2


def test_resending_without_smtp_leaves_the_old_link_working(db):
    participant = add_contact(make_participant(make_study()), "sam@example.org")
    _invitation, token = invitations.issue_link(participant)
    db.session.commit()
    assert registration.resend_links("sam@example.org", "10.0.0.1") == 0
    assert invitations.find_invitation(token).participant == participant


def test_resending_is_limited_per_address(db, mail):
    add_contact(make_participant(make_study()), "sam@example.org")
    limit = registration.LIMITS[registration.RESEND]
    for _ in range(limit):
        assert registration.resend_links("sam@example.org", "10.0.0.1") == 1
    assert registration.resend_links("sam@example.org", "10.0.0.1") == 0
    assert _count(db, OutboxMessage) == limit
    assert _count(db, RegistrationAttempt) == limit  # attempts past the limit leave no trace
    assert registration.resend_links("sam@example.org", "10.0.0.2") == 1


def test_resending_refuses_a_malformed_address(db):
    with pytest.raises(ValidationError, match="like name@example.com"):
        registration.resend_links("sam at example", "10.0.0.1")
    assert _count(db, RegistrationAttempt) == 0
