"""The demo study shows a new user every situation the product handles."""

from collections import Counter
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from delphi import engine
from delphi.errors import NotFound
from delphi.models import (
    Answer,
    Comment,
    ItemDecision,
    ModerationState,
    ParticipantStatus,
    RoundState,
    Suggestion,
    utcnow,
)
from delphi.services import demo, feedback, invitations, results, studies


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
    for answer in db.session.scalars(select(Answer).where(Answer.round_item_id.in_(columns))):
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
    assert [r.state for r in demo_study.rounds] == [RoundState.PUBLISHED, RoundState.OPEN]
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


def test_round_one_is_published_with_a_snapshot(demo_study):
    round_one = demo_study.rounds[0]
    assert round_one.published_at is not None and not round_one.shows_no_comments
    assert results.published_results(round_one) is not None
    assert feedback.feedback_settings(round_one) == feedback.FeedbackSettings()
    assert round_one.feedback == feedback.FeedbackSettings().to_dict()


def test_round_two_is_open_with_the_carried_items_and_group_feedback(demo_study):
    round_one, round_two = demo_study.rounds
    assert round_two.state == RoundState.OPEN
    left = round_two.closes_at - utcnow()
    assert timedelta(days=20) < left <= timedelta(days=21)
    carried = {ri.item_id for ri in round_one.round_items
               if ri.decision == ItemDecision.CARRIED_BY_RULE}
    assert carried and {ri.item_id for ri in round_two.round_items} == carried
    assert all(ri.status not in ("consensus_in", "consensus_out")
               for ri in round_one.round_items if ri.item_id in carried)
    assert feedback.feedback_settings(round_two) == feedback.FeedbackSettings(
        distribution="groups", percentage_sentence=True, show_status=False,
        show_comments=True)


def test_suggestions_were_reviewed_before_publishing(db, demo_study):
    states = {s.moderation_state for s in db.session.scalars(select(Suggestion))}
    assert states == {ModerationState.APPROVED}


def test_round_two_is_partly_answered_but_not_by_the_demo_participant(db, demo_study):
    round_two = demo_study.rounds[1]
    participations = round_two.participations
    started = [p for p in participations if p.started_at is not None]
    completed = [p for p in participations if p.completed_at is not None]
    assert 0 < len(completed) < len(started) < len(participations)
    assert all(p.participant.status == ParticipantStatus.ACTIVE for p in participations)
    ids = [ri.id for ri in round_two.round_items]
    answered = set(db.session.scalars(
        select(Answer.participant_id).where(Answer.round_item_id.in_(ids))))
    assert answered == {p.participant_id for p in started}
    chosen = demo.demo_participant(demo_study)
    assert chosen.status == ParticipantStatus.ACTIVE
    assert chosen.group is demo_study.groups[0]
    assert chosen.id not in answered
    assert feedback.item_feedback(chosen, round_two)


def test_the_demo_link_replaces_the_one_before(db, demo_study):
    first = demo.demo_link()
    second = demo.demo_link()
    chosen = demo.demo_participant(demo_study)
    assert first.participant is chosen and second.participant is chosen
    assert first.url != second.url and not first.emailed
    assert invitations.find_participant_by_token(second.url.rsplit("/", 1)[1]) is chosen
    with pytest.raises(invitations.UnknownLink):
        invitations.find_participant_by_token(first.url.rsplit("/", 1)[1])


def test_no_demo_link_without_the_demo(db):
    with pytest.raises(NotFound, match="not loaded"):
        demo.demo_link()


def test_the_demo_can_stop_after_round_one_closes(db):
    study = demo.load_demo(round_two=False).study
    assert [r.state for r in study.rounds] == [RoundState.CLOSED, RoundState.DRAFT]
    assert not study.rounds[1].round_items
    assert results.published_results(study.rounds[0]) is None
