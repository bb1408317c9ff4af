"""Rules the databases themselves enforce, checked on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from delphi.errors import StateError
from delphi.extensions import db
from delphi.models import Answer, AuditEvent, Item, ResultSnapshot, RoundItem
from tests.factories import make_participant, make_study


def _round_item(study):
    round_ = study.rounds[0]
    item = study.items[0]
    round_item = RoundItem(round=round_, item=item, item_version=item.versions[0])
    db.session.add(round_item)
    return round_item


def test_timestamps_come_back_timezone_aware_in_utc(db):
    local = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    event = AuditEvent(action="test", created_at=local)
    db.session.add(event)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AuditEvent, event.id).created_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_naive_timestamps_are_refused(db):
    db.session.add(AuditEvent(action="test", created_at=datetime(2026, 3, 1, 12, 0)))  # noqa: DTZ001
    with pytest.raises(StatementError, match="timezone-aware"):
        db.session.flush()


def test_one_answer_per_participant_item_dimension_and_option(db):
    study = make_study()
    participant = make_participant(study)
    round_item = _round_item(study)
    dimension = study.dimensions[0]
    for value in (7, 8):
        db.session.add(Answer(participant=participant, round_item=round_item,
                              item_version=round_item.item_version, dimension=dimension,
                              value=value))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_items_use_optimistic_locking(db, app):
    study = make_study()
    item_id = study.items[0].id
    db.session.commit()
    stale = db.session.get(Item, item_id)
    version = stale.version
    db.session.execute(Item.__table__.update().where(Item.id == item_id)
                       .values(domain="changed elsewhere", version=version + 1))
    stale.domain = "my change"
    with pytest.raises(StaleDataError):
        db.session.flush()


def test_published_snapshots_cannot_be_changed(db):
    study = make_study()
    snapshot = ResultSnapshot(round_id=study.rounds[0].id, counts={"1": [0, 1]},
                              engine_version="1")
    db.session.add(snapshot)
    db.session.flush()
    snapshot.counts = {"1": [5, 5]}
    with pytest.raises(StateError, match="Published results are fixed"):
        db.session.flush()


def test_foreign_keys_are_enforced(db):
    db.session.add(AuditEvent(action="x", study_id=999_999))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_deleting_a_contact_keeps_the_pseudonymous_participant(db):
    from delphi.models import Participant, ParticipantContact

    study = make_study()
    participant = make_participant(study)
    participant.contact = ParticipantContact(email="someone@example.test")
    db.session.flush()
    participant.contact = None
    db.session.flush()
    assert db.session.scalars(select(ParticipantContact)).all() == []
    assert db.session.get(Participant, participant.id).pseudonym == participant.pseudonym
