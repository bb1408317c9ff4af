"""Feedback between rounds: the settings (defaults, changed in a draft, fixed on opening) and
each item's feedback, read from the previous round's published snapshot."""

import re

import pytest
from sqlalchemy import event, func, select

from delphi.errors import StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import Answer, AuditEvent, Round, RoundState
from delphi.services import feedback, rounds

from ..factories import make_study, make_user
from ..feedback_setup import ANSWERS, build, group_members, plain_counts

SENTENCE = re.compile(r"^\d{1,3} % of the panel rated this 7 to 9$")


@pytest.fixture
def owner(db):
    return make_user()


def _for_item(two, feedbacks, index):
    """The feedback on the round-2 item that was round 1's item ``index``."""
    item_id = two.round_one.round_items[index].item_id
    round_item = next(ri for ri in two.round_two.round_items if ri.item_id == item_id)
    return feedbacks[str(round_item.id)]


# --- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("stored", [{}, None, {"show_group_summary": True},
                                    {"distribution": "everything", "show_status": "yes"}])
def test_settings_default_to_the_overall_chart_sentence_and_comments(stored):
    settings = feedback.feedback_settings(Round(number=2, feedback=stored))
    assert settings == feedback.FeedbackSettings(
        distribution="overall", percentage_sentence=True, show_status=False,
        show_comments=True)


def test_settings_change_while_the_round_is_a_draft(db, owner):
    two = build(owner, open_round_two=False)
    chosen = feedback.set_feedback_settings(
        two.round_two, owner, distribution="own_group", percentage_sentence=False,
        show_status=True, show_comments=False)
    _db.session.expire_all()
    assert feedback.feedback_settings(two.round_two) == chosen
    assert two.round_two.feedback == {"distribution": "own_group", "percentage_sentence": False,
                                      "show_status": True, "show_comments": False}
    event_ = _db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "round.feedback_changed"))
    assert event_.target == "round 2" and event_.details["after"]["distribution"] == "own_group"


def test_an_unknown_distribution_is_refused(db, owner):
    two = build(owner, open_round_two=False)
    with pytest.raises(ValidationError, match="Choose which scores"):
        feedback.set_feedback_settings(two.round_two, owner, distribution="all",
                                       percentage_sentence=True, show_status=False,
                                       show_comments=True)
    assert two.round_two.feedback == {}


def test_settings_are_refused_once_the_round_has_opened(db, owner):
    two = build(owner)
    before = dict(two.round_two.feedback)
    with pytest.raises(StateError, match="Round 2 is open, so its feedback settings were fixed "
                                         "when it opened"):
        feedback.set_feedback_settings(two.round_two, owner, distribution="groups",
                                       percentage_sentence=True, show_status=True,
                                       show_comments=True)
    _db.session.expire_all()
    assert two.round_two.feedback == before


def test_opening_stores_the_defaults_when_nothing_was_chosen(db, owner):
    two = build(owner)
    _db.session.expire_all()
    assert two.round_two.feedback == feedback.FeedbackSettings().to_dict()
    assert two.round_one.feedback == feedback.FeedbackSettings().to_dict()


def test_opening_keeps_the_choice_and_fills_the_gaps(db, owner):
    two = build(owner, settings={"distribution": "groups"})
    _db.session.expire_all()
    assert two.round_two.feedback == {"distribution": "groups", "percentage_sentence": True,
                                      "show_status": False, "show_comments": True}


def test_the_choice_in_words():
    default = feedback.describe_feedback(feedback.FeedbackSettings())
    assert default.startswith("Participants see everyone's scores from the round before")
    assert "percentage in the top band" in default and "approved comments" in default
    assert "Not shown: each item's status." in default
    groups = feedback.describe_feedback(feedback.FeedbackSettings(
        distribution="groups", percentage_sentence=False, show_status=True,
        show_comments=False))
    assert "each stakeholder group's scores" in groups and "named but not drawn" in groups
    assert "their own earlier score and each item's status" in groups
    assert "Not shown: the percentage in the top band, comments." in groups
    own = feedback.describe_feedback(feedback.FeedbackSettings(distribution="own_group"))
    assert "their own stakeholder group" in own


# --- feedback ------------------------------------------------------------------------------


def test_overall_counts_match_the_answers_counted_by_hand(db, owner):
    two = build(owner)
    feedbacks = feedback.item_feedback(two.me, two.round_two)
    assert len(feedbacks) == len(ANSWERS)
    for index in range(len(ANSWERS)):
        fb = _for_item(two, feedbacks, index)
        counts = plain_counts(index)
        assert fb.previous_round_number == 1
        assert fb.points == tuple(range(1, 10))
        assert fb.bands[-1] == ("critical", 7, 9)
        assert [(p.label, list(p.counts), p.n, p.suppressed) for p in fb.panels] == [
            ("Everyone", counts, sum(counts), False)]
        top = sum(counts[6:])
        assert fb.sentence == f"{round(100 * top / sum(counts))} % of the panel rated this 7 to 9"
        assert SENTENCE.match(fb.sentence)
        assert fb.status is None


def test_feedback_is_read_from_the_snapshot_not_recounted(db, owner):
    two = build(owner)
    before = feedback.item_feedback(two.me, two.round_two)
    first = two.round_one.round_items[2]
    _db.session.add(Answer(participant=two.me, round_item=first,
                           item_version_id=first.item_version_id,
                           dimension=two.study.dimensions[0], value=9))
    _db.session.commit()
    after = feedback.item_feedback(two.me, two.round_two)
    assert [p.counts for p in _for_item(two, after, 2).panels] == \
        [p.counts for p in _for_item(two, before, 2).panels]


def test_groups_below_the_smallest_size_are_named_but_not_drawn(db, owner):
    two = build(owner, settings={"distribution": "groups"})
    fb = _for_item(two, feedback.item_feedback(two.me, two.round_two), 0)
    assert [panel.label for panel in fb.panels] == ["Patients and carers", "Nurses", "Doctors"]
    patients, nurses, doctors = fb.panels
    # "me" chose 6 in round 1 as a patient; the tester's answer never counts.
    assert list(patients.counts) == plain_counts(0, group_members("Patients and carers"))
    assert list(nurses.counts) == plain_counts(0, group_members("Nurses"))
    assert not patients.suppressed and not nurses.suppressed
    assert doctors.suppressed and doctors.counts == (0,) * 9 and doctors.n == 0
    assert "Doctors: too few people to show." in fb.alt_text


def test_own_group_shows_only_the_participants_group(db, owner):
    two = build(owner, settings={"distribution": "own_group"})
    mine = _for_item(two, feedback.item_feedback(two.me, two.round_two), 1)
    assert [p.label for p in mine.panels] == ["Patients and carers"]
    assert list(mine.panels[0].counts) == plain_counts(1, group_members("Patients and carers"))
    doctor = two.people[-1]
    theirs = _for_item(two, feedback.item_feedback(doctor, two.round_two), 1)
    assert [(p.label, p.suppressed, p.counts) for p in theirs.panels] == [
        ("Doctors", True, (0,) * 9)]


def test_own_previous_answer_unable_and_none(db, owner):
    two = build(owner)
    feedbacks = feedback.item_feedback(two.me, two.round_two)
    scored, unable, skipped = (_for_item(two, feedbacks, index) for index in range(3))
    assert (scored.own_previous, scored.own_previous_unable) == (6, False)
    assert "Your score was 6." in scored.alt_text
    assert (unable.own_previous, unable.own_previous_unable) == (None, True)
    assert (skipped.own_previous, skipped.own_previous_unable) == (None, False)
    other = _for_item(two, feedback.item_feedback(two.people[1], two.round_two), 2)
    assert other.own_previous == 2


def test_no_feedback_in_round_one_or_for_new_items(db, owner):
    two = build(owner)
    assert feedback.item_feedback(two.me, two.round_one) == {}
    new_key = next(str(ri.id) for ri in two.round_two.round_items
                   if ri.item_id == two.new_item.id)
    feedbacks = feedback.item_feedback(two.me, two.round_two)
    assert new_key not in feedbacks and len(feedbacks) == len(two.round_two.round_items) - 1
    assert feedback.item_feedback(two.me, two.round_two, keys=[new_key]) == {}


def test_no_feedback_after_an_unpublished_round(db, owner):
    two = build(owner, publish=False)
    assert two.round_one.state == RoundState.CLOSED
    assert feedback.item_feedback(two.me, two.round_two) == {}


def test_status_only_when_chosen_and_never_the_jargon(db, owner):
    hidden = build(owner)
    assert all(fb.status is None for fb in feedback.item_feedback(hidden.me, hidden.round_two)
               .values())
    shown = build(make_user(email="other@example.test"),
                  settings={"show_status": True, "percentage_sentence": False})
    feedbacks = feedback.item_feedback(shown.me, shown.round_two)
    statuses = {ri.item_id: ri.status for ri in shown.round_one.round_items}
    for index in range(len(ANSWERS)):
        fb = _for_item(shown, feedbacks, index)
        status = statuses[shown.round_one.round_items[index].item_id]
        assert fb.status == feedback.STATUS_WORDS[status]
        assert fb.status.startswith("The panel") and "consensus" not in fb.status.lower()
        assert fb.sentence is None
    assert all("consensus" not in words.lower() for words in feedback.STATUS_WORDS.values())


def test_comments_are_approved_ones_only_and_only_when_chosen(db, owner):
    two = build(owner)
    fb = _for_item(two, feedback.item_feedback(two.me, two.round_two), 0)
    assert fb.comments == ("Matters a lot.",)
    assert _for_item(two, feedback.item_feedback(two.me, two.round_two), 1).comments == ()
    off = build(make_user(email="other@example.test"), settings={"show_comments": False})
    assert all(fb.comments == () for fb in feedback.item_feedback(off.me, off.round_two)
               .values())


def test_no_comments_when_the_previous_round_chose_none(db, owner):
    two = build(owner, publish=False, open_round_two=False)
    rounds.publish_round(two.round_one, owner, no_comments=True)
    rounds.open_round(two.round_two, owner)
    assert all(fb.comments == () for fb in feedback.item_feedback(two.me, two.round_two)
               .values())


def test_the_participants_answers_are_read_in_one_query(db, owner):
    two = build(owner)
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if re.search(r"\bFROM answer\b", statement):
            statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        feedback.item_feedback(two.me, two.round_two)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_a_study_without_rounds_before_gets_nothing(db, owner):
    study = make_study(owner=owner)
    assert feedback.item_feedback(None, study.rounds[0]) == {}
    assert _db.session.scalar(select(func.count(Answer.id))) == 0
