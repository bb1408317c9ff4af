"""Reviewing comments and suggestions: approve, edit (original kept), hide, bulk approve."""

import pytest
from sqlalchemy import select

from delphi.errors import NotFound, StateError, ValidationError
from delphi.extensions import db
from delphi.models import AuditEvent, Comment, ModerationState, RoundItem, Suggestion
from delphi.services import moderation

from ..factories import make_participant, make_study, make_user


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    study = make_study(owner=owner, n_items=2)
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        db.session.add(RoundItem(round=round_, item=item, item_version=item.current,
                                 position=position))
    round_.open()
    db.session.commit()
    return study


def comment(study, text, participant=None, position=0, state=ModerationState.PENDING):
    participant = participant or make_participant(study)
    entry = Comment(participant=participant, round_item=study.rounds[0].round_items[position],
                    original_text=text, shown_text="", moderation_state=state)
    db.session.add(entry)
    db.session.commit()
    return entry


def suggestion(study, text, participant=None):
    entry = Suggestion(participant=participant or make_participant(study),
                       round=study.rounds[0], original_text=text, shown_text="",
                       moderation_state=ModerationState.PENDING)
    db.session.add(entry)
    db.session.commit()
    return entry


def events(study, action):
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.study_id == study.id, AuditEvent.action == action)))


def test_unreviewed_count_counts_pending_comments_and_suggestions(study, owner):
    round_ = study.rounds[0]
    assert moderation.unreviewed_count(round_) == 0
    first = comment(study, "Too vague")
    comment(study, "Fine", state=ModerationState.APPROVED)
    suggestion(study, "Sleep quality")
    assert moderation.unreviewed_count(round_) == 2
    moderation.approve(first, by=owner)
    assert moderation.unreviewed_count(round_) == 1


def test_test_participants_are_left_out_of_review_counts_and_exports(study):
    pilot = make_participant(study)
    pilot.is_test = True
    db.session.commit()
    comment(study, "Pilot comment", participant=pilot)
    suggestion(study, "Pilot suggestion", participant=pilot)
    round_ = study.rounds[0]
    assert moderation.unreviewed_count(round_) == 0
    assert moderation.review(round_).items == ()
    assert moderation.comments_for_export(round_) == []


def test_approve_shows_the_original_text_and_is_audited(study, owner):
    entry = comment(study, "Walking matters most")
    moderation.approve(entry, by=owner)
    assert entry.moderation_state == ModerationState.APPROVED
    assert entry.shown_text == "Walking matters most"
    [event] = events(study, "comment.approved")
    assert event.target == f"comment {entry.id}"


def test_edit_keeps_the_original_and_audits_before_and_after(study, owner):
    entry = comment(study, "Dr Smith at St Elsewhere was rude")
    moderation.edit(entry, "  A doctor was rude  ", by=owner)
    assert entry.original_text == "Dr Smith at St Elsewhere was rude"
    assert entry.shown_text == "A doctor was rude"
    assert entry.moderation_state == ModerationState.APPROVED
    [event] = events(study, "comment.edited")
    assert event.details["before"] == "Dr Smith at St Elsewhere was rude"
    assert event.details["after"] == "A doctor was rude"


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the text to show"),
    ("   ", "Enter the text to show"),
    ("x" * 5001, "shorten it to 5,000"),
])
def test_edit_refuses_bad_text_and_changes_nothing(study, owner, text, message):
    entry = comment(study, "Original")
    with pytest.raises(ValidationError, match=message):
        moderation.edit(entry, text, by=owner)
    db.session.expire_all()
    assert entry.shown_text == "" and entry.moderation_state == ModerationState.PENDING
    assert events(study, "comment.edited") == []


def test_edit_to_the_same_approved_text_is_refused(study, owner):
    entry = comment(study, "Original")
    moderation.approve(entry, by=owner)
    with pytest.raises(ValidationError, match="unchanged"):
        moderation.edit(entry, "Original", by=owner)


def test_hide_then_approve_is_refused_until_returned_to_review(study, owner):
    entry = comment(study, "Offensive words")
    moderation.hide(entry, by=owner)
    assert entry.moderation_state == ModerationState.HIDDEN
    with pytest.raises(StateError, match="hidden"):
        moderation.approve(entry, by=owner)
    with pytest.raises(StateError, match="hidden"):
        moderation.edit(entry, "Softer words", by=owner)
    with pytest.raises(StateError, match="already hidden"):
        moderation.hide(entry, by=owner)
    moderation.return_to_review(entry, by=owner)
    assert entry.moderation_state == ModerationState.PENDING
    with pytest.raises(StateError, match="waiting for review already"):
        moderation.return_to_review(entry, by=owner)


def test_approving_twice_is_refused(study, owner):
    entry = suggestion(study, "Sleep")
    moderation.approve(entry, by=owner)
    with pytest.raises(StateError, match="already approved"):
        moderation.approve(entry, by=owner)
    assert events(study, "suggestion.approved")


def test_visible_comments_carry_only_approved_shown_text_without_identity(study, owner):
    round_ = study.rounds[0]
    first, second = (ri.id for ri in round_.round_items)
    shown = comment(study, "Original words")
    moderation.edit(shown, "Edited words", by=owner)
    comment(study, "Still pending")
    hidden = comment(study, "Hidden words")
    moderation.hide(hidden, by=owner)
    visible = moderation.visible_comments([first, second])
    assert visible == {first: ["Edited words"], second: []}
    flat = repr(visible)
    assert shown.participant.pseudonym not in flat
    assert str(shown.participant_id) not in [text for texts in visible.values() for text in texts]


def test_a_round_showing_no_comments_shows_none(study, owner):
    round_ = study.rounds[0]
    entry = comment(study, "Good item")
    moderation.approve(entry, by=owner)
    round_.shows_no_comments = True
    db.session.commit()
    assert moderation.visible_comments([round_.round_items[0].id]) == {
        round_.round_items[0].id: []}
    assert moderation.visible_comments([]) == {}


def test_export_carries_both_texts_state_and_pseudonym(study, owner):
    entry = comment(study, "Name removed please")
    moderation.edit(entry, "Edited", by=owner)
    hidden = comment(study, "Hide me", position=1)
    moderation.hide(hidden, by=owner)
    rows = moderation.comments_for_export(study.rounds[0])
    assert [(r.original_text, r.shown_text, r.state, r.pseudonym) for r in rows] == [
        ("Name removed please", "Edited", "approved", entry.participant.pseudonym),
        ("Hide me", "", "hidden", hidden.participant.pseudonym),
    ]
    assert rows[0].item_text == "Statement 1" and rows[0].item_version == 1


def test_review_groups_comments_by_item_in_round_order(study):
    late = comment(study, "On the second", position=1)
    early = comment(study, "On the first", position=0)
    found = moderation.review(study.rounds[0])
    assert [group.comments for group in found.items] == [(early,), (late,)]
    assert found.pending == 2 and found.pending_comments == 2


def test_approve_all_remaining_needs_the_confirmed_number(study, owner):
    round_ = study.rounds[0]
    comment(study, "One")
    hidden = comment(study, "Two")
    moderation.hide(hidden, by=owner)
    suggestion(study, "Three")
    with pytest.raises(StateError, match="2 comments and suggestions are waiting now, not 1"):
        moderation.approve_all_remaining(round_, by=owner, expected=1)
    assert moderation.unreviewed_count(round_) == 2
    assert moderation.approve_all_remaining(round_, by=owner, expected=2) == 2
    assert moderation.unreviewed_count(round_) == 0
    assert hidden.moderation_state == ModerationState.HIDDEN
    assert events(study, "comments.approved_all")[0].details["count"] == 2
    with pytest.raises(StateError, match="Nothing in round 1"):
        moderation.approve_all_remaining(round_, by=owner, expected=0)


def test_entries_of_another_round_or_unknown_kinds_are_not_found(study, owner):
    entry = comment(study, "Here")
    other = make_study(owner=owner, title="Another")
    with pytest.raises(NotFound):
        moderation.get_entry(other.rounds[0], "comment", entry.id)
    with pytest.raises(NotFound):
        moderation.get_entry(study.rounds[0], "answer", entry.id)
    assert moderation.get_entry(study.rounds[0], "comment", entry.id) is entry
