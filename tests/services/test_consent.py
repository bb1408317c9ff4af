"""Recording consent: which version, which statements, and refusing what is not agreed."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from delphi.errors import StateError, ValidationError
from delphi.models import ConsentRecord, DocumentKind, ParticipantStatus
from delphi.services import consent, documents

from ..factories import make_participant, make_study, make_user

WHEN = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
ALL_REQUIRED = {"read_information": True, "voluntary": True, "take_part": True}


def _consent_form(study):
    return documents.get_document(study, DocumentKind.CONSENT).current


def _records(db):
    return db.session.scalar(select(func.count(ConsentRecord.id)))


def test_consent_records_the_version_and_every_statements_answer(db):
    study = make_study(owner=make_user())
    participant = make_participant(study)
    version = _consent_form(study)
    record = consent.record_consent(
        participant, version, {**ALL_REQUIRED, "use_comments": True}, now=WHEN
    )
    stored = db.session.get(ConsentRecord, record.id)
    assert stored.document_version_id == version.id
    assert stored.agreed == {
        "read_information": True, "voluntary": True, "take_part": True,
        "contact_later_rounds": False, "use_comments": True,
    }
    assert stored.recorded_at == WHEN
    assert participant.consented_at == WHEN
    assert participant.consent_version == "1"
    assert consent.latest_consent(participant) == stored


def test_a_later_consent_on_a_new_version_is_kept_beside_the_first(db):
    user = make_user()
    study = make_study(owner=user)
    participant = make_participant(study)
    first = _consent_form(study)
    consent.record_consent(participant, first, ALL_REQUIRED, now=WHEN)
    document = documents.get_document(study, DocumentKind.CONSENT)
    second = documents.save_version(document, by=user, subject="Consent", body="", statements=[
        {"key": "take_part", "text": "I agree to take part (version 2).", "required": True},
    ])
    later = consent.record_consent(participant, second, {"take_part": True})
    assert _records(db) == 2
    assert consent.latest_consent(participant) == later
    assert participant.consent_version == "2"


def test_a_required_statement_not_agreed_is_refused_by_name(db):
    study = make_study(owner=make_user())
    participant = make_participant(study)
    with pytest.raises(ValidationError, match="To take part you need to agree to: "
                                               "“I agree to take part in this study.”"):
        consent.record_consent(participant, _consent_form(study),
                               {**ALL_REQUIRED, "take_part": False, "use_comments": True})
    assert _records(db) == 0
    assert participant.consented_at is None and participant.consent_version is None


def test_a_statement_left_out_counts_as_not_agreed(db):
    study = make_study(owner=make_user())
    participant = make_participant(study)
    with pytest.raises(ValidationError, match="I can stop at any time"):
        consent.record_consent(participant, _consent_form(study),
                               {"read_information": True, "take_part": True})
    assert _records(db) == 0


def test_an_unknown_statement_is_refused(db):
    study = make_study(owner=make_user())
    participant = make_participant(study)
    with pytest.raises(ValidationError, match="has no statement “sell_my_data”"):
        consent.record_consent(participant, _consent_form(study),
                               {**ALL_REQUIRED, "sell_my_data": True})
    assert _records(db) == 0


def test_only_the_participants_own_consent_form_counts(db):
    owner = make_user()
    study = make_study(owner=owner)
    other = make_study(owner=owner, title="Another study")
    participant = make_participant(study)
    information = documents.get_document(study, DocumentKind.INFORMATION).current
    for version in (_consent_form(other), information):
        with pytest.raises(ValidationError, match="not the consent form of the participant"):
            consent.record_consent(participant, version, ALL_REQUIRED)
    assert _records(db) == 0


def test_a_withdrawn_participant_cannot_consent(db):
    study = make_study(owner=make_user())
    participant = make_participant(study)
    participant.status = ParticipantStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(StateError, match="has withdrawn"):
        consent.record_consent(participant, _consent_form(study), ALL_REQUIRED)
    assert _records(db) == 0


def test_latest_consent_is_none_before_consent(db):
    assert consent.latest_consent(make_participant(make_study(owner=make_user()))) is None
