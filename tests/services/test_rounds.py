"""Running the rounds: every transition and each illegal one, classification on closing, the
worker's closing, carry forward under each policy, facilitator changes, who is invited next
and UK times across the clock changes."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from delphi.engine import COMET_GRADE
from delphi.errors import NotFound, RoundStateError, StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    AuditEvent,
    CarryForwardPolicy,
    Comment,
    ConsensusRule,
    ItemDecision,
    ModerationState,
    ResponseType,
    ResultSnapshot,
    Round,
    RoundKind,
    RoundParticipation,
    RoundState,
    RuleRole,
    StudyKind,
    StudyStatus,
    Suggestion,
)
from delphi.services import invitations, items, rounds, suggestions, worker
from delphi.web.templating import format_datetime

from ..factories import make_participant, make_study, make_user

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    study = make_study(owner=owner)
    _db.session.add(ConsensusRule(study=study, name="COMET GRADE", role=RuleRole.PRIMARY,
                                  definition=COMET_GRADE.to_dict()))
    _db.session.commit()
    return study


def _round(study, number=1) -> Round:
    return next(round_ for round_ in study.rounds if round_.number == number)


def _actions(study) -> list[str]:
    return list(_db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.study_id == study.id).order_by(AuditEvent.id)
    ))


def _answer(participant, round_item, value):
    _db.session.add(Answer(participant=participant, round_item=round_item,
                           item_version_id=round_item.item_version_id,
                           dimension=round_item.round.study.dimensions[0], value=value))


def _rate(study, round_, ratings):
    """Ten participants rate the round's items: ``ratings`` holds one value list per item."""
    people = [make_participant(study) for _ in range(len(ratings[0]))]
    for round_item, values in zip(round_.round_items, ratings, strict=True):
        for participant, value in zip(people, values, strict=True):
            _answer(participant, round_item, value)
    _db.session.commit()
    return people


# --- opening -------------------------------------------------------------------------------


def test_opening_round_one_takes_the_items_fixes_the_protocol_and_is_audited(study, owner):
    round_ = _round(study)
    rounds.open_round(round_, owner, NOW + timedelta(days=14), now=NOW)
    assert round_.state == RoundState.OPEN
    assert round_.opened_at == NOW and round_.closes_at == NOW + timedelta(days=14)
    assert [ri.item_version.text for ri in round_.round_items] == [
        "Statement 1", "Statement 2", "Statement 3"]
    assert study.protocol_fixed_at == NOW
    assert study.status == StudyStatus.RUNNING
    assert _actions(study)[-2:] == ["protocol.fixed", "round.opened"]


def test_opening_leaves_out_retired_items_and_uses_current_wording(study, owner):
    first = study.items[0]
    items.retire_item(first, by=owner)
    rounds.open_round(_round(study), owner, now=NOW)
    assert [ri.item_id for ri in _round(study).round_items] == [
        item.id for item in study.items[1:]]


@pytest.mark.parametrize("closes_at", [NOW, NOW - timedelta(minutes=1)])
def test_a_close_date_not_in_the_future_is_refused_and_nothing_changes(study, owner, closes_at):
    with pytest.raises(ValidationError, match="future"):
        rounds.open_round(_round(study), owner, closes_at, now=NOW)
    assert _round(study).state == RoundState.DRAFT
    assert study.protocol_fixed_at is None
    assert _round(study).round_items == []


def test_opening_twice_is_refused(study, owner):
    rounds.open_round(_round(study), owner, now=NOW)
    with pytest.raises(RoundStateError, match="open"):
        rounds.open_round(_round(study), owner, now=NOW)


def test_a_round_without_items_cannot_open(owner):
    study = make_study(owner=owner, title="Empty", n_items=0)
    with pytest.raises(StateError, match="no items"):
        rounds.open_round(_round(study), owner, now=NOW)
    assert _round(study).state == RoundState.DRAFT


def test_round_one_of_a_delphi_study_needs_a_primary_rule(owner):
    study = make_study(owner=owner, title="No rule")
    with pytest.raises(StateError, match="primary consensus rule"):
        rounds.open_round(_round(study), owner, now=NOW)
    assert _round(study).state == RoundState.DRAFT


def test_round_two_opens_only_after_round_one_has_closed(study, owner):
    rounds.open_round(_round(study), owner, now=NOW)
    round_two = Round(study=study, number=2)
    _db.session.add(round_two)
    _db.session.commit()
    with pytest.raises(RoundStateError, match="Round 1 is open"):
        rounds.open_round(round_two, owner, now=NOW)


def test_round_two_cannot_open_while_round_one_is_a_draft(study, owner):
    round_two = Round(study=study, number=2)
    _db.session.add(round_two)
    _db.session.commit()
    with pytest.raises(RoundStateError, match="only after round 1 has closed"):
        rounds.open_round(round_two, owner, now=NOW)


def test_add_round_adds_the_next_draft_only_when_none_is_waiting(study, owner):
    with pytest.raises(RoundStateError, match="still a draft"):
        rounds.add_round(study, owner)
    rounds.open_round(_round(study), owner, now=NOW)
    added = rounds.add_round(study, owner)
    assert (added.number, added.state) == (2, RoundState.DRAFT)
    fresh = make_study(owner=owner, title="No rounds")
    _db.session.delete(_round(fresh))
    _db.session.commit()
    assert rounds.add_round(fresh, owner).number == 1


def test_get_round_by_number(study):
    assert rounds.get_round(study, 1) is _round(study)
    with pytest.raises(NotFound, match="has no round 2"):
        rounds.get_round(study, 2)


# --- close date ----------------------------------------------------------------------------


def test_extending_an_open_round_is_audited(study, owner):
    round_ = _round(study)
    rounds.open_round(round_, owner, NOW + timedelta(days=7), now=NOW)
    rounds.extend_round(round_, owner, NOW + timedelta(days=10), now=NOW)
    assert round_.closes_at == NOW + timedelta(days=10)
    event = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "round.close_date_changed")).one()
    assert event.details["before"] == (NOW + timedelta(days=7)).isoformat()


def test_extending_refuses_a_past_date_and_a_round_not_open(study, owner):
    round_ = _round(study)
    with pytest.raises(RoundStateError, match="only an open round"):
        rounds.extend_round(round_, owner, NOW + timedelta(days=1), now=NOW)
    rounds.open_round(round_, owner, NOW + timedelta(days=7), now=NOW)
    with pytest.raises(ValidationError, match="future"):
        rounds.extend_round(round_, owner, NOW - timedelta(hours=1), now=NOW)
    assert round_.closes_at == NOW + timedelta(days=7)


# --- closing -------------------------------------------------------------------------------


def test_closing_classifies_every_item_with_the_primary_rule(study, owner):
    round_ = _round(study)
    rounds.open_round(round_, owner, now=NOW)
    _rate(study, round_, [[9] * 10, [1, 9, 5, 5, 1, 9, 5, 5, 1, 9], [1] * 10])
    rounds.close_round(round_, owner, now=NOW + timedelta(days=1))
    assert round_.state == RoundState.CLOSED
    assert [ri.status for ri in round_.round_items] == [
        "consensus_in", "no_consensus", "consensus_out"]
    assert _actions(study)[-1] == "round.closed"


def test_closing_a_draft_is_refused(study, owner):
    with pytest.raises(RoundStateError, match="draft"):
        rounds.close_round(_round(study), owner, now=NOW)


def test_closing_without_a_dimension_still_closes(study, owner):
    round_ = _round(study)
    rounds.open_round(round_, owner, now=NOW)
    _db.session.delete(study.dimensions[0])
    _db.session.commit()
    rounds.close_round(round_, owner, now=NOW)
    assert round_.state == RoundState.CLOSED
    event = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "round.closed")).one()
    assert "no dimension" in event.details["classification_problem"]


def test_the_worker_closes_rounds_past_their_close_date_as_the_system(study, owner):
    round_ = _round(study)
    rounds.open_round(round_, owner, NOW + timedelta(days=7), now=NOW)
    assert rounds.close_due_rounds(NOW + timedelta(days=6)) == 0
    assert round_.state == RoundState.OPEN
    report = worker.deliver_due(now=NOW + timedelta(days=7))
    assert report.rounds_closed == 1
    _db.session.refresh(round_)
    assert round_.state == RoundState.CLOSED
    assert round_.closed_at == NOW + timedelta(days=7)
    event = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "round.closed")).one()
    assert event.user_id is None and event.details["automatic"] is True
    assert rounds.close_due_rounds(NOW + timedelta(days=8)) == 0


def test_worker_summary_mentions_closed_rounds_only_when_some_closed():
    assert worker.summary(worker.DeliveryReport(rounds_closed=2)).endswith(", rounds closed 2")
    assert "rounds" not in worker.summary(worker.DeliveryReport())


# --- reopening -----------------------------------------------------------------------------


def _closed(study, owner) -> Round:
    round_ = _round(study)
    rounds.open_round(round_, owner, now=NOW)
    rounds.close_round(round_, owner, now=NOW + timedelta(days=1))
    return round_


def test_reopening_once_with_a_reason(study, owner):
    round_ = _closed(study, owner)
    round_.round_items[0].decision = ItemDecision.CARRIED_BY_RULE
    _db.session.commit()
    later = NOW + timedelta(days=2)
    rounds.reopen_round(round_, owner, "  Two sites were closed by snow. ",
                        later + timedelta(days=3), now=later)
    assert round_.state == RoundState.OPEN
    assert round_.reopen_reason == "Two sites were closed by snow."
    assert round_.closes_at == later + timedelta(days=3)
    assert all(ri.decision is None and ri.status is None for ri in round_.round_items)
    rounds.close_round(round_, owner, now=later + timedelta(days=1))
    with pytest.raises(RoundStateError, match="reopened once already"):
        rounds.reopen_round(round_, owner, "Again", now=later + timedelta(days=2))


def test_reopening_needs_a_reason_and_a_closed_round(study, owner):
    with pytest.raises(RoundStateError, match="draft"):
        rounds.reopen_round(_round(study), owner, "A reason", now=NOW)
    round_ = _closed(study, owner)
    with pytest.raises(RoundStateError, match="reason"):
        rounds.reopen_round(round_, owner, "   ", now=NOW + timedelta(days=2))
    with pytest.raises(ValidationError, match="future"):
        rounds.reopen_round(round_, owner, "A reason", NOW, now=NOW + timedelta(days=2))
    assert round_.state == RoundState.CLOSED


def test_reopening_is_refused_once_a_later_round_has_opened(study, owner):
    round_ = _closed(study, owner)
    prepared = rounds.prepare_next_round(round_, owner)
    rounds.open_round(prepared.round, owner, now=NOW + timedelta(days=2))
    with pytest.raises(RoundStateError, match="Round 2 is open"):
        rounds.reopen_round(round_, owner, "A reason", now=NOW + timedelta(days=3))


# --- publishing ----------------------------------------------------------------------------


def test_publishing_stores_the_snapshot(study, owner):
    round_ = _closed(study, owner)
    rounds.publish_round(round_, owner, now=NOW + timedelta(days=2))
    assert round_.state == RoundState.PUBLISHED
    assert round_.published_at == NOW + timedelta(days=2)
    assert _db.session.scalar(select(func.count(ResultSnapshot.id)).where(
        ResultSnapshot.round_id == round_.id)) == 1
    assert _actions(study)[-1] == "round.published"


def test_publishing_an_open_round_is_refused(study, owner):
    round_ = _round(study)
    rounds.open_round(round_, owner, now=NOW)
    with pytest.raises(RoundStateError, match="open"):
        rounds.publish_round(round_, owner, now=NOW)
    with pytest.raises(RoundStateError, match="draft"):
        rounds.publish_round(Round(study=study, number=9), owner, now=NOW)


def test_unreviewed_comments_block_publishing_unless_none_are_shown(study, owner):
    round_ = _closed(study, owner)
    participant = make_participant(study)
    _db.session.add(Comment(participant=participant, round_item=round_.round_items[0],
                            original_text="Too vague", moderation_state=ModerationState.PENDING))
    _db.session.commit()
    with pytest.raises(RoundStateError, match="1 comment or suggestions not yet reviewed"):
        rounds.publish_round(round_, owner, now=NOW + timedelta(days=2))
    assert round_.state == RoundState.CLOSED
    rounds.publish_round(round_, owner, no_comments=True, now=NOW + timedelta(days=2))
    assert round_.state == RoundState.PUBLISHED and round_.shows_no_comments


# --- carry forward -------------------------------------------------------------------------


def _classified(study, owner, statuses) -> Round:
    """Round 1 closed, with ``statuses`` set by hand (a hand-built classification)."""
    round_ = _closed(study, owner)
    for round_item, status in zip(round_.round_items, statuses, strict=True):
        round_item.status = status
    _db.session.commit()
    return round_


STATUSES = ["consensus_in", "no_consensus", "consensus_out"]


def test_no_consensus_policy_retires_consensus_items_by_default(study, owner):
    round_ = _classified(study, owner, STATUSES)
    prepared = rounds.prepare_next_round(round_, owner)
    assert (prepared.carried, prepared.retired, prepared.kept_for_confirmation) == (1, 2, 0)
    assert [ri.item_id for ri in prepared.round.round_items] == [study.items[1].id]
    assert prepared.round.round_items[0].is_carried_forward
    assert [ri.decision for ri in round_.round_items] == [
        ItemDecision.RETIRED_BY_RULE, ItemDecision.CARRIED_BY_RULE, ItemDecision.RETIRED_BY_RULE]
    assert "Reached consensus (consensus in)" in round_.round_items[0].decision_reason


def test_no_consensus_policy_can_keep_consensus_items_for_confirmation(study, owner):
    round_ = _classified(study, owner, STATUSES)
    prepared = rounds.prepare_next_round(round_, owner, consensus="keep")
    assert len(prepared.round.round_items) == 3
    assert [ri.decision for ri in round_.round_items] == [
        ItemDecision.KEPT_FOR_CONFIRMATION, ItemDecision.CARRIED_BY_RULE,
        ItemDecision.KEPT_FOR_CONFIRMATION]


@pytest.mark.parametrize(("policy", "decision", "count"), [
    (CarryForwardPolicy.ALL, ItemDecision.CARRIED_BY_RULE, 3),
    (CarryForwardPolicy.NONE, ItemDecision.RETIRED_BY_RULE, 0),
])
def test_all_and_none_policies(study, owner, policy, decision, count):
    study.carry_forward_policy = policy
    _db.session.commit()
    round_ = _classified(study, owner, STATUSES)
    prepared = rounds.prepare_next_round(round_, owner, consensus="keep")
    assert len(prepared.round.round_items) == count
    assert {ri.decision for ri in round_.round_items} == {decision}


def test_unclassified_items_are_re_rated_and_open_questions_are_not(study, owner):
    study.items[2].response_type = ResponseType.OPEN_TEXT
    _db.session.commit()
    round_ = _classified(study, owner, [None, "uncertain", None])
    prepared = rounds.prepare_next_round(round_, owner)
    assert [ri.item_id for ri in prepared.round.round_items] == [
        study.items[0].id, study.items[1].id]
    assert round_.round_items[2].decision == ItemDecision.RETIRED_BY_RULE
    assert round_.round_items[2].decision_reason == "An open question is asked once."


def test_preparing_classifies_a_round_closed_without_classifications(study, owner):
    round_ = _round(study)
    rounds.open_round(round_, owner, now=NOW)
    _rate(study, round_, [[9] * 10, [1, 9, 5, 5, 1, 9, 5, 5, 1, 9], [1] * 10])
    round_.close(NOW + timedelta(days=1))  # as older data was closed: no statuses kept
    _db.session.commit()
    prepared = rounds.prepare_next_round(round_, owner)
    assert [ri.status for ri in round_.round_items] == STATUSES
    assert [ri.item_id for ri in prepared.round.round_items] == [study.items[1].id]


def test_new_items_join_the_next_round_and_preparing_again_starts_afresh(study, owner):
    round_ = _classified(study, owner, STATUSES)
    new = items.create_item(study, text="A new statement from a suggestion", by=owner)
    prepared = rounds.prepare_next_round(round_, owner)
    assert {ri.item_id for ri in prepared.round.round_items} == {study.items[1].id, new.id}
    new_entry = next(ri for ri in prepared.round.round_items if ri.item_id == new.id)
    assert not new_entry.is_carried_forward
    rounds.remove_from_draft(prepared.round, new, owner, "Out of scope")
    again = rounds.prepare_next_round(round_, owner)
    assert again.round.id == prepared.round.id
    assert {ri.item_id for ri in again.round.round_items} == {study.items[1].id, new.id}


def test_preparing_needs_a_closed_round_and_a_draft_next_round(study, owner):
    with pytest.raises(RoundStateError, match="Close it"):
        rounds.prepare_next_round(_round(study), owner)
    round_ = _classified(study, owner, STATUSES)
    with pytest.raises(ValidationError, match="retired or kept"):
        rounds.prepare_next_round(round_, owner, consensus="maybe")
    prepared = rounds.prepare_next_round(round_, owner)
    rounds.open_round(prepared.round, owner, now=NOW + timedelta(days=2))
    with pytest.raises(RoundStateError, match="no longer be prepared"):
        rounds.prepare_next_round(round_, owner)


def test_facilitator_changes_are_recorded_on_the_previous_round(study, owner):
    round_ = _classified(study, owner, STATUSES)
    draft = rounds.prepare_next_round(round_, owner).round
    first, second = study.items[0], study.items[1]
    rounds.add_to_draft(draft, first, owner, "The steering group asked to confirm it.")
    rounds.remove_from_draft(draft, second, owner, "Duplicates item 3.")
    assert [ri.item_id for ri in draft.round_items] == [first.id]
    assert round_.round_items[0].decision == ItemDecision.CARRIED_BY_FACILITATOR
    assert round_.round_items[1].decision == ItemDecision.RETIRED_BY_FACILITATOR
    assert round_.round_items[1].decision_reason == "Duplicates item 3."
    report = rounds.round_decisions(study)
    assert [entry.round.number for entry in report] == [1]
    assert [e.text for e in report[0].left_by_rule] == ["Statement 3"]
    assert [e.reason for e in report[0].left_by_facilitator] == ["Duplicates item 3."]
    assert [e.text for e in report[0].carried_by_facilitator] == ["Statement 1"]
    assert report[0].carried_by_rule == []
    assert _actions(study)[-2:] == ["round.item_added", "round.item_removed"]


def test_draft_changes_refused_with_a_clear_message(study, owner):
    round_ = _classified(study, owner, STATUSES)
    draft = rounds.prepare_next_round(round_, owner).round
    with pytest.raises(ValidationError, match="reason"):
        rounds.add_to_draft(draft, study.items[0], owner, "  ")
    with pytest.raises(ValidationError, match="shows this item already"):
        rounds.add_to_draft(draft, study.items[1], owner, "Why not")
    with pytest.raises(ValidationError, match="does not show this item"):
        rounds.remove_from_draft(draft, study.items[0], owner, "Why not")
    items.retire_item(study.items[0], by=owner)
    with pytest.raises(ValidationError, match="in use"):
        rounds.add_to_draft(draft, study.items[0], owner, "Why not")
    with pytest.raises(ValidationError, match="Round 1 shows every item"):
        rounds.add_to_draft(round_, study.items[1], owner, "Why not")
    rounds.open_round(draft, owner, now=NOW + timedelta(days=2))
    with pytest.raises(RoundStateError, match="draft round only"):
        rounds.remove_from_draft(draft, study.items[1], owner, "Why not")
    assert draft.round_items[0].item_id == study.items[1].id


def test_opening_a_prepared_round_refreshes_wording_and_drops_retired_items(study, owner):
    round_ = _classified(study, owner, ["no_consensus"] * 3)
    draft = rounds.prepare_next_round(round_, owner).round
    second = study.items[1]
    items.update_item(second, expected_version=second.version, by=owner,
                      text="Statement 2, reworded", reason="Clearer")
    items.retire_item(study.items[2], by=owner)
    rounds.open_round(draft, owner, now=NOW + timedelta(days=2))
    assert [ri.item_version.text for ri in draft.round_items] == [
        "Statement 1", "Statement 2, reworded"]


# --- who is invited next -------------------------------------------------------------------


def test_only_those_who_took_part_are_eligible_for_the_next_round(study, owner):
    round_ = _classified(study, owner, STATUSES)
    completer, starter, newcomer = (make_participant(study) for _ in range(3))
    tester = make_participant(study)
    tester.is_test = True
    _db.session.add_all([
        RoundParticipation(round=round_, participant=completer, invited_at=NOW,
                           completed_at=NOW),
        RoundParticipation(round=round_, participant=starter, invited_at=NOW, started_at=NOW),
    ])
    _db.session.commit()
    draft = rounds.prepare_next_round(round_, owner).round
    assert rounds.eligible_participants(round_) == [completer, starter, newcomer]
    assert rounds.eligible_participants(draft) == [completer]
    assert rounds.eligible_participants(draft, include_all=True) == [
        completer, starter, newcomer]
    rounds.open_round(draft, owner, now=NOW + timedelta(days=2))
    assert invitations.uninvited(draft) == [completer]
    assert invitations.uninvited(draft, include_test=True) == [completer, tester]
    assert invitations.uninvited(draft, everyone=True) == [completer, starter, newcomer]


# --- UK time -------------------------------------------------------------------------------


@pytest.mark.parametrize(("local", "utc"), [
    (datetime(2026, 3, 28, 17, 0), datetime(2026, 3, 28, 17, 0, tzinfo=UTC)),
    (datetime(2026, 3, 29, 17, 0), datetime(2026, 3, 29, 16, 0, tzinfo=UTC)),
    (datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    (datetime(2026, 10, 25, 17, 0), datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
])
def test_uk_times_are_stored_in_utc_across_the_clock_changes(local, utc):
    assert rounds.london_to_utc(local) == utc


def test_a_time_skipped_when_the_clocks_go_forward_is_refused():
    with pytest.raises(ValidationError, match="does not exist in the UK"):
        rounds.london_to_utc(datetime(2026, 3, 29, 1, 30))


@pytest.mark.parametrize(("utc", "shown"), [
    (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29 March 2026, 00:30 GMT"),
    (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "29 March 2026, 02:30 BST"),
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "25 October 2026, 00:30 BST"),
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 October 2026, 01:30 GMT"),
])
def test_times_are_shown_in_uk_time_across_the_clock_changes(utc, shown):
    assert format_datetime(utc) == shown
    assert format_datetime(utc, local=False).endswith("UTC")


def test_a_first_survey_of_open_questions_closes_and_prepares_the_interim_survey(db):
    """A partnership's study may have no rating scale at all: its open-questions round
    closes without a classification problem and the next round takes the new questions."""
    owner = make_user()
    study = make_study(owner=owner, n_items=1)
    study.kind = StudyKind.PRIORITY_SETTING
    for dimension in list(study.dimensions):
        _db.session.delete(dimension)
    first = study.items[0]
    first.response_type = ResponseType.OPEN_TEXT
    study.rounds[0].kind = RoundKind.OPEN_QUESTIONS
    _db.session.commit()
    survey = study.rounds[0]
    rounds.open_round(survey, owner)
    participant = make_participant(study)
    suggestion = Suggestion(participant=participant, round=survey,
                            original_text="Does exercise help breathlessness?",
                            shown_text="Does exercise help breathlessness?")
    _db.session.add(suggestion)
    _db.session.commit()
    rounds.close_round(survey, owner)
    closed = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.closed"))
    assert closed.details["classification_problem"] is None
    assert [round_item.status for round_item in survey.round_items] == [None]
    question = suggestions.create_item_from(suggestion, by=owner,
                                            text="Does exercise help breathlessness?")
    prepared = rounds.prepare_next_round(survey, owner)
    assert [ri.item_id for ri in prepared.round.round_items] == [question.id]
    assert survey.round_items[0].decision == ItemDecision.RETIRED_BY_RULE
