"""Ranking rounds: the facilitator's settings, and checking and saving a participant's choices."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from delphi.engine import COMET_GRADE
from delphi.errors import StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    ConsensusRule,
    Item,
    ItemVersion,
    Participant,
    ParticipantStatus,
    Ranking,
    Round,
    RoundKind,
    RoundParticipation,
    RuleRole,
    utcnow,
)
from delphi.services import answering, ranking, rounds

from ..concurrency import run_at_once
from ..factories import make_participant, make_study, make_user


def build_ranking_study(kind=RoundKind.RANKING, size=3, exact=False, owner=None,
                        title="Questions about life after a stroke", open_it=True):
    """Five questions in "Physical" and three in "Care"; round 1 set to ``kind`` and open."""
    owner = owner or make_user()
    study = make_study(owner=owner, title=title, n_items=5)
    _db.session.add(ConsensusRule(study=study, name="COMET GRADE", role=RuleRole.PRIMARY,
                                  definition=COMET_GRADE.to_dict()))
    for number in range(6, 9):
        item = Item(study=study, position=len(study.items), domain="Care")
        ItemVersion(item=item, number=1, text=f"Question {number}")
        _db.session.add(item)
    _db.session.commit()
    round_ = study.rounds[0]
    ranking.set_ranking_settings(round_, owner, kind, size, exact)
    if open_it:
        rounds.open_round(round_, owner, datetime.now(UTC) + timedelta(days=14))
    return study, round_


def keys(round_):
    return [item.key for item in answering.items_of(round_)]


def positions(round_, given):
    """A ranking form giving ``given`` (item index from 0 -> position text)."""
    all_keys = keys(round_)
    return MultiDict([(f"position-{all_keys[index]}", value) for index, value in given.items()])


def ticks(round_, indexes):
    all_keys = keys(round_)
    return MultiDict([("chosen", all_keys[index]) for index in indexes])


def stored(participant, round_):
    """(item id, position) of the participant's stored ranking, by position."""
    return [tuple(row) for row in _db.session.execute(
        select(Ranking.item_id, Ranking.position)
        .where(Ranking.participant_id == participant.id, Ranking.round_id == round_.id)
        .order_by(Ranking.position)
    )]


def item_ids(round_, indexes):
    return [round_.round_items[index].item_id for index in indexes]


@pytest.fixture
def owner(db):
    return make_user()


# --- settings ------------------------------------------------------------------------------


def test_a_round_is_a_rating_round_until_set(owner):
    study = make_study(owner=owner)
    settings = ranking.ranking_settings(study.rounds[0])
    assert settings == ranking.RankingSettings(RoundKind.RATING, None, False)
    assert ranking.describe_settings(settings) == \
        "Participants score each item on the study's scale."


@pytest.mark.parametrize(("kind", "exact", "words"), [
    (RoundKind.RANKING, True, "Participants choose exactly 2 items and put them in order"),
    (RoundKind.RANKING, False, "Participants choose up to 2 items and put them in order"),
    ("choose_n", True, "Participants tick exactly 2 items. The order does not matter."),
])
def test_the_settings_of_a_draft_round_are_saved_and_audited(owner, kind, exact, words):
    study = make_study(owner=owner)
    round_ = study.rounds[0]
    settings = ranking.set_ranking_settings(round_, owner, kind, 2, exact)
    _db.session.expire_all()
    assert (round_.kind, round_.ranking_size, round_.ranking_exact) == (RoundKind(kind), 2,
                                                                        exact)
    assert settings == ranking.ranking_settings(round_)
    assert ranking.describe_settings(settings).startswith(words)
    event = _db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "round.ranking_changed"))
    assert event.details["after"] == {"kind": RoundKind(kind).value, "size": 2, "exact": exact}
    assert event.details["before"]["kind"] == "rating"


def test_back_to_rating_clears_the_size(owner):
    study = make_study(owner=owner)
    round_ = study.rounds[0]
    ranking.set_ranking_settings(round_, owner, RoundKind.RANKING, 3, True)
    ranking.set_ranking_settings(round_, owner, RoundKind.RATING, 3, True)
    assert (round_.kind, round_.ranking_size, round_.ranking_exact) == (RoundKind.RATING, None,
                                                                        False)


def test_an_open_questions_round_has_no_size(owner):
    study = make_study(owner=owner)
    round_ = study.rounds[0]
    ranking.set_ranking_settings(round_, owner, RoundKind.RANKING, 3, True)
    settings = ranking.set_ranking_settings(round_, owner, "open_questions", 3, True)
    assert (round_.kind, round_.ranking_size, round_.ranking_exact) == (
        RoundKind.OPEN_QUESTIONS, None, False)
    assert ranking.describe_settings(settings).startswith(
        "Participants answer open questions in their own words")


@pytest.mark.parametrize("size", [0, -1, 4, None, True, "2"])
def test_the_size_must_be_one_to_the_number_of_items(owner, size):
    study = make_study(owner=owner)
    round_ = study.rounds[0]
    with pytest.raises(ValidationError, match="a whole number from 1 to 3 "
                                              r"\(round 1 has 3 items\)"):
        ranking.set_ranking_settings(round_, owner, RoundKind.RANKING, size, False)
    _db.session.expire_all()
    assert round_.kind == RoundKind.RATING and round_.ranking_size is None


@pytest.mark.parametrize("kind", ["workshop", "chnri", "everything", ""])
def test_only_rating_ranking_ticking_and_open_questions_can_be_chosen(owner, kind):
    study = make_study(owner=owner)
    with pytest.raises(ValidationError, match="Choose how participants answer"):
        ranking.set_ranking_settings(study.rounds[0], owner, kind, 2, False)


def test_a_round_without_items_cannot_be_ranked(owner):
    study = make_study(owner=owner, n_items=0)
    with pytest.raises(ValidationError, match="has no items yet"):
        ranking.set_ranking_settings(study.rounds[0], owner, RoundKind.RANKING, 1, False)


def test_up_to_eighty_items_can_be_ranked(owner):
    study = make_study(owner=owner, n_items=80)
    assert ranking.set_ranking_settings(study.rounds[0], owner, RoundKind.RANKING, 80,
                                        False).size == 80


def test_the_settings_are_fixed_once_the_round_opens(owner):
    _study, round_ = build_ranking_study(owner=owner)
    with pytest.raises(StateError, match="Round 1 is open, so how participants answer it "
                                         "was fixed when it opened"):
        ranking.set_ranking_settings(round_, owner, RoundKind.CHOOSE_N, 2, True)
    _db.session.expire_all()
    assert (round_.kind, round_.ranking_size) == (RoundKind.RANKING, 3)


# --- checking choices ----------------------------------------------------------------------


def test_positions_give_the_order(owner):
    _study, round_ = build_ranking_study(owner=owner)
    result = ranking.check_choices(round_, positions(round_, {6: "1", 0: "3", 2: "2", 4: ""}))
    assert result.errors == {}
    assert [(c.position, c.item.text) for c in result.choices] == [
        (1, "Question 7"), (2, "Statement 3"), (3, "Statement 1")]


def test_gaps_are_closed_up_when_fewer_may_be_chosen(owner):
    _study, round_ = build_ranking_study(owner=owner)
    result = ranking.check_choices(round_, positions(round_, {1: "3", 5: "1"}))
    assert [(c.position, c.item.text) for c in result.choices] == [
        (1, "Question 6"), (2, "Statement 2")]


def test_a_position_given_twice_names_the_questions(owner):
    _study, round_ = build_ranking_study(owner=owner)
    all_keys = keys(round_)
    result = ranking.check_choices(round_, positions(round_, {0: "3", 3: "3", 6: "3", 1: "1"}))
    message = ("Position 3 is given to three questions: 1, 4 and 7. "
               "Give each position to one question only.")
    assert result.errors == {f"position-{all_keys[i]}": message for i in (0, 3, 6)}
    assert result.summary == [(message, f"position-{all_keys[0]}")]
    assert result.choices == ()


@pytest.mark.parametrize("value", ["0", "4", "-1", "two", "1.5", "99"])
def test_positions_are_whole_numbers_from_one_to_n(owner, value):
    _study, round_ = build_ranking_study(owner=owner)
    key = keys(round_)[1]
    result = ranking.check_choices(round_, positions(round_, {1: value, 0: "1"}))
    assert result.errors == {
        f"position-{key}": "Question 2: give a position from 1 to 3, or leave it blank."}
    assert result.summary == [(result.errors[f"position-{key}"], f"position-{key}")]


@pytest.mark.parametrize(("exact", "given", "message"), [
    (True, {0: "1", 1: "2"}, "Choose exactly 3 questions. You have chosen 2. Choose 1 more."),
    (True, {}, "Choose exactly 3 questions. You have not chosen any yet."),
    (False, {}, "Choose up to 3 questions. You have not chosen any yet."),
])
def test_how_many_are_chosen_follows_the_setting(owner, exact, given, message):
    _study, round_ = build_ranking_study(owner=owner, exact=exact)
    result = ranking.check_choices(round_, positions(round_, given))
    first = keys(round_)[0]
    assert result.errors == {"count": message}
    assert result.summary == [(message, f"position-{first}")]


def test_exactly_n_accepts_n_and_up_to_n_accepts_fewer(owner):
    _study, round_ = build_ranking_study(owner=owner, exact=True)
    assert len(ranking.check_choices(round_, positions(
        round_, {0: "1", 1: "2", 2: "3"})).choices) == 3
    round_.ranking_exact = False
    assert len(ranking.check_choices(round_, positions(round_, {0: "1"})).choices) == 1


@pytest.mark.parametrize(("exact", "chosen", "message"), [
    (True, [0, 1], "Tick exactly 3 questions. You have ticked 2. Tick 1 more."),
    (True, [0, 1, 2, 3], "Tick exactly 3 questions. You have ticked 4. Untick 1."),
    (False, [0, 1, 2, 3, 4], "Tick up to 3 questions. You have ticked 5. Untick 2."),
    (False, [], "Tick up to 3 questions. You have not ticked any yet."),
])
def test_ticked_rounds_count_the_ticks(owner, exact, chosen, message):
    _study, round_ = build_ranking_study(RoundKind.CHOOSE_N, owner=owner, exact=exact)
    result = ranking.check_choices(round_, ticks(round_, chosen))
    assert result.errors == {"chosen": message}
    assert result.summary == [(message, f"chosen-{keys(round_)[0]}")]


def test_ticked_questions_are_stored_in_list_order(owner):
    _study, round_ = build_ranking_study(RoundKind.CHOOSE_N, owner=owner)
    result = ranking.check_choices(round_, ticks(round_, [6, 2]))
    assert [(c.position, c.item.text) for c in result.choices] == [
        (1, "Statement 3"), (2, "Question 7")]


@pytest.mark.parametrize("form", [
    MultiDict([("position-999999", "1")]),
    MultiDict([("chosen", "1")]),
])
def test_inputs_of_another_kind_or_item_are_refused(owner, form):
    _study, round_ = build_ranking_study(owner=owner)
    with pytest.raises(answering.UnknownInput):
        ranking.check_choices(round_, form)


def test_positions_are_refused_in_a_ticked_round(owner):
    _study, round_ = build_ranking_study(RoundKind.CHOOSE_N, owner=owner)
    with pytest.raises(answering.UnknownInput):
        ranking.check_choices(round_, MultiDict([(f"position-{keys(round_)[0]}", "1")]))


def test_n_is_capped_at_the_number_of_items():
    class FakeRound:
        ranking_size = 10

    assert ranking.size_for(FakeRound(), [object()] * 4) == 4
    FakeRound.ranking_size = None
    assert ranking.size_for(FakeRound(), [object()] * 20) == ranking.DEFAULT_SIZE
    assert ranking.size_for(FakeRound(), []) == 0


# --- saving choices ------------------------------------------------------------------------


@pytest.fixture
def taking_part(owner):
    study, round_ = build_ranking_study(owner=owner)
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    return study, round_, participant


def participation(participant, round_):
    return _db.session.scalar(select(RoundParticipation).where(
        RoundParticipation.participant_id == participant.id,
        RoundParticipation.round_id == round_.id))


def test_saving_stores_one_row_per_choice_and_marks_started(taking_part):
    _study, round_, participant = taking_part
    ranking.save_choices(participant, round_, positions(round_, {4: "2", 7: "1"}))
    assert stored(participant, round_) == list(zip(item_ids(round_, [7, 4]), [1, 2],
                                                   strict=True))
    row = participation(participant, round_)
    assert row.started_at is not None and row.completed_at is None
    assert [c.item.text for c in ranking.saved_choices(participant, round_)] == [
        "Question 8", "Statement 5"]


def test_saving_again_replaces_the_earlier_ranking(taking_part):
    _study, round_, participant = taking_part
    ranking.save_choices(participant, round_, positions(round_, {0: "1", 1: "2", 2: "3"}))
    ranking.save_choices(participant, round_, positions(round_, {2: "1", 0: "2"}))
    ranking.save_choices(participant, round_, positions(round_, {2: "1", 0: "2"}))
    assert stored(participant, round_) == list(zip(item_ids(round_, [2, 0]), [1, 2],
                                                   strict=True))


def test_invalid_choices_save_nothing_and_keep_the_earlier_ranking(taking_part):
    _study, round_, participant = taking_part
    ranking.save_choices(participant, round_, positions(round_, {0: "1"}))
    before = stored(participant, round_)
    result = ranking.save_choices(participant, round_, positions(round_, {1: "1", 2: "1"}))
    assert result.errors
    assert stored(participant, round_) == before
    with pytest.raises(answering.UnknownInput):
        ranking.save_choices(participant, round_, MultiDict([("position-0", "1")]))
    assert stored(participant, round_) == before


def test_another_rounds_items_are_refused(taking_part, owner):
    _study, round_, participant = taking_part
    _other_study, other_round = build_ranking_study(owner=owner, title="Another study")
    form = MultiDict([(f"position-{keys(other_round)[0]}", "1")])
    with pytest.raises(answering.UnknownInput):
        ranking.save_choices(participant, round_, form)
    assert stored(participant, round_) == []
    assert participation(participant, round_) is None


def test_sending_completes_the_round(taking_part):
    _study, round_, participant = taking_part
    with pytest.raises(StateError, match="Choose your questions first"):
        ranking.send_choices(participant, round_)
    ranking.save_choices(participant, round_, positions(round_, {0: "1"}))
    ranking.send_choices(participant, round_)
    assert participation(participant, round_).completed_at is not None


def test_ticked_choices_are_saved(owner):
    study, round_ = build_ranking_study(RoundKind.CHOOSE_N, owner=owner, exact=True)
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    ranking.save_choices(participant, round_, ticks(round_, [5, 1, 3]))
    assert stored(participant, round_) == list(zip(item_ids(round_, [1, 3, 5]), [1, 2, 3],
                                                   strict=True))
    assert ranking.form_values(round_, ranking.saved_choices(participant, round_)) == {
        "chosen": [keys(round_)[i] for i in (1, 3, 5)]}


def test_nothing_is_saved_after_the_round_closes_or_by_someone_who_left(taking_part, owner):
    _study, round_, participant = taking_part
    participant.status = ParticipantStatus.WITHDRAWN
    _db.session.commit()
    with pytest.raises(StateError, match="You have left this study"):
        ranking.save_choices(participant, round_, positions(round_, {0: "1"}))
    participant.status = ParticipantStatus.ACTIVE
    _db.session.commit()
    rounds.close_round(round_, owner)
    with pytest.raises(StateError, match="This round has closed"):
        ranking.save_choices(participant, round_, positions(round_, {0: "1"}))
    with pytest.raises(StateError, match="This round has closed"):
        ranking.send_choices(participant, round_)
    assert stored(participant, round_) == []


def test_a_rating_round_takes_no_choices(owner):
    study, round_ = build_ranking_study(RoundKind.RATING, owner=owner)
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    with pytest.raises(StateError, match="score each question"):
        ranking.save_choices(participant, round_, MultiDict())


@pytest.mark.postgres_only
def test_two_tabs_saving_at_once_leave_one_whole_ranking(app, live_db):
    study, round_ = build_ranking_study()
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    ids = participant.id, round_.id
    choices = ({0: "1", 1: "2", 2: "3"}, {3: "1", 4: "2"})
    wanted = [list(zip(item_ids(round_, sorted(given, key=given.get)), [1, 2, 3],
                       strict=False)) for given in choices]
    forms = [positions(round_, given) for given in choices]
    def save(form):
        return lambda: ranking.save_choices(_db.session.get(Participant, ids[0]),
                                            _db.session.get(Round, ids[1]), form)

    failures = run_at_once(app, [save(form) for form in forms])
    assert failures == []
    _db.session.expire_all()
    assert stored(participant, round_) in wanted


def test_rounds_of_other_kinds_are_left_alone(owner):
    study = make_study(owner=owner)
    round_ = study.rounds[0]
    round_.kind = RoundKind.CHNRI
    _db.session.commit()
    with pytest.raises(StateError, match="Round 1 is a chnri round"):
        ranking.set_ranking_settings(round_, owner, RoundKind.RANKING, 2, False)
    _db.session.expire_all()
    assert round_.kind == RoundKind.CHNRI
