"""The JLA-style demo partnership shows every stage of a priority setting partnership."""

from collections import Counter

import pytest
from sqlalchemy import select

from delphi.models import (
    EvidenceStatus,
    ItemStatus,
    Ranking,
    ResponseType,
    RoundKind,
    RoundState,
    SessionState,
    StudyKind,
    Suggestion,
)
from delphi.services import (
    demo_priorities,
    intake,
    ranking,
    ranking_results,
    suggestions,
    workshop,
    workshop_results,
)
from delphi.services import demo_priorities_data as data


@pytest.fixture
def demo_study(db):
    return demo_priorities.load_demo().study


def _submissions(db, study):
    return db.session.scalars(select(Suggestion).where(Suggestion.round_id == study.rounds[0].id)
                              .order_by(Suggestion.id)).all()


def test_a_priority_setting_study_with_three_groups_and_targets(demo_study):
    assert demo_study.kind == StudyKind.PRIORITY_SETTING
    assert "(demo)" in demo_study.title
    assert [(g.name, g.target_number) for g in demo_study.groups] == [
        ("Patients", 30), ("Carers", 15), ("Health and care professionals", 25)]
    assert [(r.kind, r.state) for r in demo_study.rounds] == [
        (RoundKind.OPEN_QUESTIONS, RoundState.CLOSED), (RoundKind.RANKING, RoundState.CLOSED),
        (RoundKind.WORKSHOP, RoundState.OPEN)]


def _indicative(study):
    return [item for item in study.items if item.response_type != ResponseType.OPEN_TEXT]


def test_round_one_asked_the_open_questions_then_retired_them(demo_study):
    round_one = demo_study.rounds[0]
    asked = [ri.item for ri in round_one.round_items]
    assert [item.current.text for item in asked] == list(data.OPEN_QUESTIONS)
    assert all(item.response_type == ResponseType.OPEN_TEXT for item in asked)
    assert all(item.status == ItemStatus.REMOVED for item in asked)
    assert ranking.ranking_settings(round_one).kind == RoundKind.OPEN_QUESTIONS
    assert demo_study.protocol_fixed_at == round_one.opened_at


def test_about_ninety_submissions_from_about_sixty_people(db, demo_study):
    submitted = _submissions(db, demo_study)
    assert 80 <= len(submitted) <= 100
    assert len({s.participant_id for s in submitted}) == 60
    assert max(Counter(s.participant_id for s in submitted).values()) <= 3
    assert {s.respondent_type for s in submitted} == {
        "Patient", "Carer", "Health or care professional", "Organisation"}


def test_one_organisation_sent_several_submissions_through_two_people(db, demo_study):
    from_organisation = [s for s in _submissions(db, demo_study)
                         if s.organisation == data.ORGANISATION]
    assert len(from_organisation) == len(data.ORGANISATION_QUESTIONS)
    assert len({s.participant_id for s in from_organisation}) == 2
    assert all(s.respondent_type == "Organisation" for s in from_organisation)
    assert intake.count_respondents(from_organisation) == 1


def test_an_organisation_raising_a_question_twice_counts_once(demo_study):
    questions = intake.intake(demo_study).questions
    twice = [q for q in questions
             if sum(s.organisation == data.ORGANISATION for s in q.submissions) == 2]
    assert len(twice) == 1
    assert twice[0].respondents == len(twice[0].submissions) - 1
    assert dict(twice[0].by_type)["Organisation"] == 1


def test_submissions_out_of_scope_have_their_reasons(demo_study):
    found = intake.intake(demo_study)
    assert found.summary.out_of_scope == len(data.OUT_OF_SCOPE) == 8
    assert found.summary.not_in_a_question == 0
    assert sorted((s.original_text, s.out_of_scope_reason) for s in found.out_of_scope) == \
        sorted(data.OUT_OF_SCOPE)


def test_every_question_was_checked_against_the_evidence(demo_study):
    found = intake.intake(demo_study)
    summary = found.summary
    assert (summary.questions, summary.answered, summary.partly_answered, summary.unanswered,
            summary.not_checked) == (40, 3, 6, 31, 0)
    assert all(q.item.evidence_note for q in found.questions)


def test_repeats_are_grouped_into_indicative_questions(db, demo_study):
    groups = suggestions.groups(demo_study)
    made = [group for group in groups if group.items]
    assert len(made) == len(data.QUESTIONS) == len(_indicative(demo_study))
    assert all(len(group.items) == 1 for group in made)
    assert sum(1 for group in made if group.members) >= 20
    assert {group.items[0].current.text for group in made} == {q[1] for q in data.QUESTIONS}
    left = [group.lead.original_text for group in groups if not group.items]
    assert sorted(left) == sorted(text for text, _reason in data.OUT_OF_SCOPE)


def test_questions_answered_by_research_are_left_out_of_the_ranking_round(demo_study):
    answered = {q.item.id for q in intake.intake(demo_study).left_out}
    shown = {ri.item_id for ri in demo_study.rounds[1].round_items}
    assert len(answered) == 3
    assert shown == {item.id for item in _indicative(demo_study)} - answered
    assert all(item.evidence_status == EvidenceStatus.ANSWERED for item in demo_study.items
               if item.id in answered)


def test_about_seventy_people_each_ranked_exactly_ten(db, demo_study):
    round_two = demo_study.rounds[1]
    assert ranking.ranking_settings(round_two) == ranking.RankingSettings(
        RoundKind.RANKING, 10, True)
    rows = db.session.scalars(select(Ranking).where(Ranking.round_id == round_two.id)).all()
    per_person = Counter(row.participant_id for row in rows)
    assert len(per_person) == 70 and set(per_person.values()) == {10}
    assert all(p.completed_at is not None for p in round_two.participations)


def test_groups_differ_and_the_jla_and_per_person_shortlists_differ(demo_study):
    round_two = demo_study.rounds[1]
    results = ranking_results.ranking_results(round_two)
    assert results.among_groups.w < 0.8
    assert any(max(p for _c, _pts, p in row.by_group.values())
               - min(p for _c, _pts, p in row.by_group.values()) >= 15 for row in results.rows)
    shortlists = ranking_results.compare_methods(round_two).shortlists
    assert set(shortlists["jla"]) != set(shortlists["weighted"])


def test_the_steering_group_kept_the_proposed_shortlist(demo_study):
    round_two = demo_study.rounds[1]
    decided = ranking_results.current_shortlist(round_two)
    proposal = ranking_results.cut_proposal(ranking_results.ranking_results(round_two))
    assert decided.size == decided.proposed_size == proposal.proposed_size
    assert 25 <= decided.size <= 30 and not proposal.tied
    steering = next(m.user for m in demo_study.memberships if m.role.value == "steering")
    assert decided.decided_by_id == steering.id
    assert len(ranking_results.shortlisted_items(round_two)) == decided.size


def test_the_workshop_ran_two_closed_sessions_of_four_new_groups(demo_study):
    round_ = workshop.workshop_round(demo_study)
    shortlist = ranking_results.shortlisted_items(demo_study.rounds[1])
    assert {item.id for item in workshop.items_of(round_)} == set(shortlist)
    first, second = workshop.sessions_of(round_)
    assert first.state == second.state == SessionState.CLOSED
    assert len(first.groups) == len(second.groups) == 4
    assert not {g.name for g in first.groups} & {g.name for g in second.groups}
    assert all(g.composition for g in (*first.groups, *second.groups))
    assert workshop_results.session_result(first).is_complete
    assert not workshop_results.session_result(first).boundary_ties


def test_a_tie_at_the_top_ten_boundary_was_settled_with_a_reason(demo_study):
    round_ = workshop.workshop_round(demo_study)
    session = workshop.sessions_of(round_)[1]
    tied = workshop_results.session_result(session).boundary_ties
    assert len(tied) == 2 and tied[0].total == tied[1].total
    final = workshop_results.final_result(round_)
    assert final.session is session
    assert final.decision is not None and "tied for 10th place" in final.decision.reason
    assert len(final.top10) == 10 and [row.place for row in final.top10] == list(range(1, 11))
    assert final.top10[-1].item.id == tied[1].item.id
    assert tied[0].item.id == final.rows[10].item.id
    assert "tied for 10th place" in final.method_words


def _fingerprint(db, study):
    round_one, round_two = study.rounds[:2]
    people = {p.id: n for n, p in enumerate(sorted(study.participants, key=lambda p: p.id))}
    texts = {item.id: item.current.text for item in study.items}
    rankings = db.session.scalars(select(Ranking).where(Ranking.round_id == round_two.id)
                                  .order_by(Ranking.id)).all()
    return (
        [(people[s.participant_id], s.original_text, s.respondent_type, s.organisation,
          s.moderation_state) for s in _submissions(db, study)],
        [(people[r.participant_id], texts[r.item_id], r.position) for r in rankings],
        [texts[item_id] for item_id in ranking_results.shortlisted_items(round_two)],
        len(round_one.participations),
        [row.text for row in workshop_results.final_result(workshop.workshop_round(study)).rows],
    )


def test_loading_is_deterministic(db):
    first = demo_priorities.load_demo().study
    second = demo_priorities.load_demo().study
    assert first.id != second.id
    assert _fingerprint(db, first) == _fingerprint(db, second)


def test_the_demo_can_stop_while_the_ranking_survey_is_open(db):
    study = demo_priorities.load_demo(ranking_open=True).study
    assert [(r.kind, r.state) for r in study.rounds] == [
        (RoundKind.OPEN_QUESTIONS, RoundState.CLOSED), (RoundKind.RANKING, RoundState.OPEN)]
    ranked = set(db.session.scalars(select(Ranking.participant_id)))
    assert len(ranked) == 70 and len(study.participants) == 80
