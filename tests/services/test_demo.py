"""The demo study shows a new user every situation the product handles."""

from collections import Counter

import numpy as np
import pytest
from sqlalchemy import select

from delphi import engine
from delphi.models import Answer, Comment, ParticipantStatus, RoundState, Suggestion
from delphi.services import demo, studies


@pytest.fixture
def demo_study(db):
    return demo.load_demo().study


def _ratings(db, study):
    """Participants × items ratings (NaN = not rated) and the unable-to-score mask."""
    round_one = study.rounds[0]
    rows = {participant.id: row for row, participant in enumerate(study.participants)}
    columns = {round_item.id: col for col, round_item in enumerate(round_one.round_items)}
    ratings = np.full((len(rows), len(columns)), np.nan)
    unable = np.zeros(ratings.shape, dtype=bool)
    for answer in db.session.scalars(select(Answer)):
        cell = rows[answer.participant_id], columns[answer.round_item_id]
        if answer.is_unable:
            unable[cell] = True
        else:
            ratings[cell] = answer.value
    groups = np.array([participant.group.name for participant in study.participants])
    return ratings, unable, groups


def test_demo_shape(demo_study):
    assert [group.name for group in demo_study.groups] == [
        "Patients and carers", "Nurses", "Doctors"]
    assert len(demo_study.items) == 30
    assert len(demo_study.participants) == 60
    assert demo_study.rounds[0].state == RoundState.CLOSED
    scale = demo_study.dimensions[0].scale
    assert (scale.minimum, scale.maximum) == (1, 9)


def test_every_comet_status_occurs(db, demo_study):
    ratings, unable, groups = _ratings(db, demo_study)
    summary = engine.summarise(ratings, engine.GRADE_9, groups=groups, unable=unable)
    statuses = Counter(engine.classify(summary, engine.COMET_GRADE).status.tolist())
    assert set(statuses) == {"consensus_in", "consensus_out", "no_consensus"}


def test_patients_and_clinicians_diverge_on_at_least_one_item(db, demo_study):
    ratings, _unable, groups = _ratings(db, demo_study)
    critical = ratings >= 7
    rated = ~np.isnan(ratings)

    def share(mask):
        return critical[mask].sum(axis=0) / rated[mask].sum(axis=0)

    patients = share(groups == "Patients and carers")
    clinicians = share(groups != "Patients and carers")
    assert np.any((patients >= 0.7) & (clinicians <= 0.3))


def test_comments_suggestions_and_unable_to_score(db, demo_study):
    assert db.session.scalars(select(Comment)).all()
    assert db.session.scalars(select(Suggestion)).all()
    assert db.session.scalars(select(Answer).where(Answer.is_unable)).first() is not None


def test_one_group_is_below_its_target(demo_study):
    below = [row.group.name for row in studies.group_recruitment(demo_study)
             if row.is_below_target]
    assert below == ["Patients and carers"]


def test_ten_to_twenty_percent_will_not_return(demo_study):
    leaving = [p for p in demo_study.participants if p.status == ParticipantStatus.WITHDRAWN]
    assert 0.10 <= len(leaving) / len(demo_study.participants) <= 0.20
    assert all(p.withdrawn_at is not None for p in leaving)


def test_protocol_was_fixed_when_round_one_opened(demo_study):
    assert demo_study.protocol_fixed_at == demo_study.rounds[0].opened_at
    assert all(rule.fixed_at == demo_study.rounds[0].opened_at for rule in demo_study.rules)


def test_round_one_participation_is_complete(demo_study):
    participations = demo_study.rounds[0].participations
    assert len(participations) == 60
    assert all(p.completed_at is not None for p in participations)
