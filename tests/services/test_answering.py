"""Answering the open round: pages, validation, saving as UPSERTs, progress and finishing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from delphi.engine import COMET_GRADE
from delphi.errors import NotFound, StateError
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    Comment,
    ConsensusRule,
    Item,
    ItemVersion,
    ModerationState,
    ParticipantStatus,
    ResponseType,
    RoundKind,
    RoundParticipation,
    RuleRole,
    StudyKind,
    Suggestion,
    utcnow,
)
from delphi.services import answering, results, rounds

from ..factories import make_participant, make_study, make_user


def add_item(study, text, response_type, domain="Other", options=(), max_choices=None):
    item = Item(study=study, position=len(study.items), domain=domain,
                response_type=response_type, options=list(options), max_choices=max_choices)
    ItemVersion(item=item, number=1, text=text)
    _db.session.add(item)
    return item


def build_study(owner=None, title="Outcomes that matter after a stroke"):
    """Three scale statements (Physical), one single choice, one choose-up-to-2 and one open
    question (Other), round 1 open."""
    owner = owner or make_user()
    study = make_study(owner=owner, title=title)
    _db.session.add(ConsensusRule(study=study, name="COMET GRADE", role=RuleRole.PRIMARY,
                                  definition=COMET_GRADE.to_dict()))
    add_item(study, "Which place?", ResponseType.SINGLE_CHOICE, options=["Home", "Ward", "Clinic"])
    add_item(study, "Which helps?", ResponseType.CHOOSE_UP_TO_K,
             options=["Leaflet", "Phone call", "Visit"], max_choices=2)
    add_item(study, "What else matters?", ResponseType.OPEN_TEXT)
    _db.session.commit()
    round_ = study.rounds[0]
    rounds.open_round(round_, owner, datetime.now(UTC) + timedelta(days=14))
    return study, round_


@pytest.fixture
def setup(db):
    study, round_ = build_study()
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    return study, round_, participant


def keys(round_):
    return [item.key for item in answering.items_of(round_)]


def dim(study):
    return study.dimensions[0].id


def full_form(study, round_, **extra):
    scale1, scale2, scale3, single, multiple, open_ = keys(round_)
    d = dim(study)
    form = MultiDict([
        (f"answer-{scale1}-{d}", "7"), (f"answer-{scale2}-{d}", "unable"),
        (f"answer-{scale3}-{d}", "2"), (f"answer-{single}", "2"),
        (f"answer-{multiple}", "1"), (f"answer-{multiple}", "3"),
        (f"answer-{open_}", "Being able to walk the dog"),
        (f"comment-{scale1}", "Matters to me"),
    ])
    for name, value in extra.items():
        form[name] = value
    return form


def answer_count(participant, **where):
    query = select(func.count(Answer.id)).where(Answer.participant_id == participant.id)
    for column, value in where.items():
        query = query.where(getattr(Answer, column) == value)
    return _db.session.scalar(query)


def test_pages_start_at_each_domain_and_hold_at_most_five():
    def fake(number, domain):
        return answering.ParticipantItem(key=str(number), number=number, domain=domain, text="",
                                         explanation="", response_type=ResponseType.SCALE)
    items = [fake(n, "A") for n in range(1, 8)] + [fake(n, "B") for n in range(8, 10)]
    pages = answering.pages_of(items)
    assert [[item.number for item in page] for page in pages] == [
        [1, 2, 3, 4, 5], [6, 7], [8, 9]]


def test_every_kind_is_saved_and_read_back_in_the_page_format(setup):
    study, round_, participant = setup
    items = answering.items_of(round_)
    result = answering.save_page(participant, round_, items, full_form(study, round_))
    assert result.errors == {}
    scale1, scale2, scale3, single, multiple, open_ = keys(round_)
    d = dim(study)
    assert answering.saved_answers(participant, round_) == {
        f"answer-{scale1}-{d}": "7", f"answer-{scale2}-{d}": "unable",
        f"answer-{scale3}-{d}": "2", f"answer-{single}": "2",
        f"answer-{multiple}": ["1", "3"], f"answer-{open_}": "Being able to walk the dog",
        f"comment-{scale1}": "Matters to me",
    }
    # stored as the results service reads them
    assert answer_count(participant, round_item_id=int(single), value=2, option_key=0) == 1
    assert answer_count(participant, round_item_id=int(multiple)) == 2
    assert answer_count(participant, round_item_id=int(scale2), is_unable=True) == 1
    started = _db.session.scalar(select(RoundParticipation.started_at).where(
        RoundParticipation.participant_id == participant.id))
    assert started is not None
    assert answering.progress(participant, round_) == (6, 6)
    assert answering.first_unanswered_page(participant, round_) is None


def test_saving_twice_leaves_one_answer_per_cell_with_the_latest_value(setup):
    study, round_, participant = setup
    items = answering.items_of(round_)
    answering.save_page(participant, round_, items, full_form(study, round_))
    scale1, _s2, _s3, _single, multiple, _open = keys(round_)
    again = full_form(study, round_)
    again[f"answer-{scale1}-{dim(study)}"] = "9"
    again.setlist(f"answer-{multiple}", ["2"])
    answering.save_page(participant, round_, items, again)
    assert answer_count(participant) == 6
    assert answer_count(participant, round_item_id=int(scale1), value=9) == 1
    assert answering.saved_answers(participant, round_)[f"answer-{multiple}"] == ["2"]


def test_valid_answers_are_saved_while_invalid_ones_are_reported(setup):
    study, round_, participant = setup
    items = answering.items_of(round_)
    scale1, scale2, _s3, single, multiple, open_ = keys(round_)
    d = dim(study)
    form = MultiDict([
        (f"answer-{scale1}-{d}", "12"), (f"answer-{scale2}-{d}", "5"),
        (f"answer-{single}", "7"), (f"answer-{multiple}", "1"), (f"answer-{multiple}", "2"),
        (f"answer-{multiple}", "3"), (f"answer-{open_}", "x" * 5001),
        (f"comment-{scale2}", "y" * 2001),
    ])
    result = answering.save_page(participant, round_, items, form)
    assert result.errors == {
        f"answer-{scale1}-{d}": "Statement 1: choose a score from 1 to 9, or Unable to score.",
        f"answer-{single}": "Question 4: choose one of the answers.",
        f"answer-{multiple}": "Question 5: choose up to 2. You chose 3. Untick 1.",
        f"answer-{open_}": "Question 6: your answer has 5,001 characters. It can have up to "
                           "5,000. Make it shorter.",
        f"comment-{scale2}": "Statement 2: your comment has 2,001 characters. It can have up "
                             "to 2,000. Make it shorter.",
    }
    assert answering.saved_answers(participant, round_) == {f"answer-{scale2}-{d}": "5"}


def test_unable_to_score_is_refused_when_the_scale_does_not_offer_it(setup):
    study, round_, participant = setup
    study.scales[0].offers_unable = False
    _db.session.commit()
    items = answering.items_of(round_)
    name = f"answer-{items[0].key}-{dim(study)}"
    result = answering.save_page(participant, round_, items[:1], MultiDict({name: "unable"}))
    assert result.errors == {name: "Statement 1: choose a score from 1 to 9."}
    assert answer_count(participant) == 0


def test_comments_are_one_per_item_and_a_change_waits_for_review_again(setup):
    study, round_, participant = setup
    item = answering.items_of(round_)[0]
    name = f"comment-{item.key}"
    answering.save_page(participant, round_, [item], MultiDict({name: "First thought"}))
    comment = _db.session.scalar(select(Comment))
    comment.moderation_state = ModerationState.APPROVED
    _db.session.commit()
    answering.save_page(participant, round_, [item], MultiDict({name: "First thought"}))
    _db.session.refresh(comment)
    assert comment.moderation_state == ModerationState.APPROVED
    answering.save_page(participant, round_, [item], MultiDict({name: "Second thought"}))
    _db.session.refresh(comment)
    assert _db.session.scalar(select(func.count(Comment.id))) == 1
    assert (comment.original_text, comment.shown_text) == ("Second thought", "Second thought")
    assert comment.moderation_state == ModerationState.PENDING
    answering.save_page(participant, round_, [item], MultiDict({name: ""}))
    assert _db.session.scalar(select(func.count(Comment.id))) == 0


def test_open_answers_become_suggestions_kept_in_step(setup):
    study, round_, participant = setup
    item = answering.items_of(round_)[5]
    name = f"answer-{item.key}"
    answering.save_page(participant, round_, [item], MultiDict({name: "Help with stairs"}))
    answering.save_page(participant, round_, [item], MultiDict({name: "Help with steps"}))
    suggestions = list(_db.session.scalars(select(Suggestion)))
    assert [(s.original_text, s.round_id, s.moderation_state) for s in suggestions] == [
        ("Help with steps", round_.id, ModerationState.PENDING)]
    answering.save_page(participant, round_, [item], MultiDict({name: ""}))
    assert _db.session.scalar(select(func.count(Suggestion.id))) == 0
    assert answer_count(participant) == 0


def test_a_form_naming_an_item_not_on_the_page_is_refused_and_nothing_saved(setup):
    study, round_, participant = setup
    items = answering.items_of(round_)
    other_study, other_round = build_study(make_user("other@example.test"), "Another study")
    other_key = answering.items_of(other_round)[0].key
    form = full_form(study, round_, **{f"answer-{other_key}-{dim(other_study)}": "5"})
    with pytest.raises(answering.UnknownInput):
        answering.save_page(participant, round_, items, form)
    with pytest.raises(answering.UnknownInput):
        answering.save_page(participant, round_, items[:1], full_form(study, round_))
    with pytest.raises(NotFound):
        answering.save_page(participant, other_round, answering.items_of(other_round), form)
    with pytest.raises(answering.UnknownInput):
        answering.save_item(participant, round_, other_key, form)
    assert _db.session.scalar(select(func.count(Answer.id))) == 0


def test_nothing_is_saved_before_consent(setup):
    study, round_, participant = setup
    participant.consented_at = None
    _db.session.commit()
    with pytest.raises(StateError, match="agree to take part"):
        answering.save_page(participant, round_, answering.items_of(round_),
                            full_form(study, round_))
    assert answer_count(participant) == 0


def test_nothing_is_written_once_the_round_has_closed_or_after_withdrawing(setup):
    study, round_, participant = setup
    items = answering.items_of(round_)
    answering.save_page(participant, round_, items, full_form(study, round_))
    before = answering.saved_answers(participant, round_)
    rounds.close_round(round_, None)
    changed = full_form(study, round_, **{f"answer-{items[0].key}-{dim(study)}": "1"})
    with pytest.raises(StateError, match="This round has closed. Your answers are kept."):
        answering.save_page(participant, round_, items, changed)
    with pytest.raises(StateError):
        answering.complete(participant, round_)
    assert answering.saved_answers(participant, round_) == before
    participant.status = ParticipantStatus.WITHDRAWN
    _db.session.commit()
    with pytest.raises(StateError, match="left this study"):
        answering.save_page(participant, study.rounds[0], items, changed)


def test_summary_flags_skipped_items_and_complete_sets_completed_at(setup):
    study, round_, participant = setup
    items = answering.items_of(round_)
    answering.save_page(participant, round_, items[:1],
                        MultiDict({f"answer-{items[0].key}-{dim(study)}": "9"}))
    rows = answering.summary(participant, round_)
    assert [row.skipped for row in rows] == [False, True, True, True, True, True]
    assert rows[0].answers == (("Importance", "9 (Critical)"),)
    assert [row.page for row in rows] == [1, 1, 1, 2, 2, 2]
    assert answering.progress(participant, round_) == (1, 6)
    assert answering.first_unanswered_page(participant, round_) == 1
    answering.complete(participant, round_)
    assert answering.completed_at(participant, round_) is not None


def test_test_participants_answers_are_saved_but_not_counted(setup):
    study, round_, participant = setup
    participant.is_test = True
    _db.session.commit()
    items = answering.items_of(round_)
    answering.save_page(participant, round_, items, full_form(study, round_))
    assert answer_count(participant) == 7
    counted = results.round_results(round_)
    assert counted.summary.n.sum() == 0 and counted.summary.n_unable.sum() == 0
    assert all(n == 0 for n in counted.option_respondents.values())


def test_a_changed_wording_is_answered_afresh(setup):
    study, round_, participant = setup
    item = answering.items_of(round_)[0]
    name = f"answer-{item.key}-{dim(study)}"
    answering.save_page(participant, round_, [item], MultiDict({name: "4"}))
    round_item = round_.round_items[0]
    version = ItemVersion(item=round_item.item, number=2, text="Statement 1, reworded")
    _db.session.add(version)
    _db.session.flush()
    round_item.item_version_id = version.id
    _db.session.commit()
    assert answering.saved_answers(participant, round_) == {}
    answering.save_page(participant, round_, [item], MultiDict({name: "6"}))
    assert answer_count(participant) == 2
    assert answering.saved_answers(participant, round_) == {name: "6"}


def round_two(study, round_, participant):
    """Round 1 answered by ``participant``, closed and published; round 2 open."""
    items = answering.items_of(round_)
    answering.save_page(participant, round_, items, full_form(study, round_))
    rounds.close_round(round_, None)
    rounds.publish_round(round_, None, no_comments=True)
    prepared = rounds.prepare_next_round(round_, None)
    rounds.open_round(prepared.round, None, datetime.now(UTC) + timedelta(days=14))
    return prepared.round


def test_round_two_starts_empty_and_keeps_a_reason_for_a_change(setup):
    study, round_, participant = setup
    second = round_two(study, round_, participant)
    assert answering.open_round_for(participant) == second
    assert answering.saved_answers(participant, second) == {}
    item = answering.items_of(second)[0]
    answer, reason = f"answer-{item.key}-{dim(study)}", f"reason-{item.key}"
    result = answering.save_page(participant, second, [item], MultiDict({reason: "I read more"}))
    assert result.errors == {
        reason: "Statement 1: choose your answer first, then say why it changed."}
    answering.save_page(participant, second, [item],
                        MultiDict({answer: "3", reason: "I read more"}))
    stored = _db.session.scalar(select(Answer).where(Answer.round_item_id == int(item.key)))
    assert (stored.value, stored.change_reason) == (3, "I read more")
    assert answering.saved_answers(participant, second) == {answer: "3", reason: "I read more"}
    first_round_answers = answer_count(participant) - 1
    assert first_round_answers == 7


def test_a_workshop_round_is_not_answered_online(db):
    study = make_study(n_items=3)
    study.kind = StudyKind.PRIORITY_SETTING
    participant = make_participant(study)
    round_ = study.rounds[0]
    round_.kind = RoundKind.WORKSHOP
    rounds.open_round(round_, None)
    assert round_.is_open
    assert answering.open_round_for(participant) is None
