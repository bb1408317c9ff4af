"""The CHNRI demo exercise shows scored, weighted and ranked research options."""

from collections import Counter

import pytest
from sqlalchemy import select

from delphi.models import ChnriAnswer, ChnriAnswerValue, RoundKind, RoundState, StudyKind
from delphi.services import chnri, demo_chnri


@pytest.fixture
def demo_study(db):
    return demo_chnri.load_demo().study


def test_a_chnri_study_with_fifteen_options_and_a_closed_round(demo_study):
    assert demo_study.kind == StudyKind.CHNRI
    assert "(demo)" in demo_study.title
    assert len(demo_study.items) == 15
    [round_] = demo_study.rounds
    assert (round_.kind, round_.state) == (RoundKind.CHNRI, RoundState.CLOSED)
    assert chnri.chnri_round(demo_study) is round_
    assert len(round_.round_items) == 15


def test_the_standard_criteria_with_a_second_question_on_one(demo_study):
    criteria = chnri.criteria_of(demo_study)
    assert [c.name for c in criteria] == [name for name, _q in chnri.STANDARD_CRITERIA]
    assert Counter(len(c.questions) for c in criteria) == Counter({1: 4, 2: 1})
    for criterion, (_name, questions) in zip(criteria, chnri.STANDARD_CRITERIA, strict=True):
        assert criterion.questions[0].text == questions[0]


def test_weights_carry_a_source_that_says_they_are_made_up(demo_study):
    criteria = chnri.criteria_of(demo_study)
    assert any(c.weight != 1 for c in criteria)
    assert all("made up for this demo" in c.weight_source.lower() for c in criteria)


def test_forty_scorers_gave_every_kind_of_answer(db, demo_study):
    round_ = demo_study.rounds[0]
    answers = db.session.scalars(select(ChnriAnswer)).all()
    assert len({a.participant_id for a in answers}) == 40
    assert len(answers) == 40 * 15 * 6
    assert set(Counter(a.answer for a in answers)) == set(ChnriAnswerValue)
    assert all(p.completed_at is not None for p in round_.participations)


def test_results_rank_options_with_different_scores(demo_study):
    results = chnri.chnri_results(demo_study.rounds[0])
    assert results.scorers == 40 and results.weighted
    weighted = [row.weighted_rps for row in results.rows]
    assert weighted == sorted(weighted, reverse=True)
    assert weighted[0] - weighted[-1] > 20
    assert len({round(score, 1) for score in weighted}) == 15
    assert [row.rank for row in results.rows] == list(range(1, 16))
    assert all(1 / 3 <= row.aea <= 1 for row in results.rows)


def _fingerprint(db, study):
    texts = {ri.id: ri.item_version.text for ri in study.rounds[0].round_items}
    people = {p.id: n for n, p in enumerate(sorted(study.participants, key=lambda p: p.id))}
    questions = {q.id: q.text for q in chnri.questions_of(study)}
    answers = db.session.scalars(select(ChnriAnswer).where(ChnriAnswer.round_item_id.in_(texts))
                                 .order_by(ChnriAnswer.id)).all()
    return [(people[a.participant_id], texts[a.round_item_id], questions[a.question_id], a.answer)
            for a in answers]


def test_loading_is_deterministic(db):
    first = demo_chnri.load_demo().study
    second = demo_chnri.load_demo().study
    assert _fingerprint(db, first) == _fingerprint(db, second)
    assert ([row.weighted_rps for row in chnri.chnri_results(first.rounds[0]).rows]
            == [row.weighted_rps for row in chnri.chnri_results(second.rounds[0]).rows])
