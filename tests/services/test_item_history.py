"""Items keep their history: reword, merge, split, retire between rounds; typo fixes and
changes of meaning while a round is open; optimistic locking; the history itself."""

import pytest
from sqlalchemy import select

from delphi.errors import StateError, ValidationError
from delphi.extensions import db
from delphi.models import (
    Answer,
    Item,
    ItemLink,
    ItemStatus,
    LinkKind,
    MessageKind,
    OutboxMessage,
    ParticipantContact,
    ParticipantStatus,
    Round,
    RoundItem,
)
from delphi.services import item_history, suggestions
from delphi.services.items import EditConflict, ItemError

from ..factories import make_participant, make_study, make_user


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    return make_study(owner=owner, n_items=3)


def show_in_round(study, number=1, state="closed"):
    """Put every item in round ``number`` and move it to ``state``."""
    round_ = next((r for r in study.rounds if r.number == number), None)
    if round_ is None:
        round_ = Round(study=study, number=number)
        db.session.add(round_)
    for position, item in enumerate(study.items):
        db.session.add(RoundItem(round=round_, item=item, item_version=item.current,
                                 position=position))
    if state in ("open", "closed"):
        round_.open()
    if state == "closed":
        round_.close()
    db.session.commit()
    return round_


def answer(study, participant, round_item, value=7):
    db.session.add(Answer(participant=participant, round_item=round_item,
                          item_version_id=round_item.item_version_id,
                          dimension=study.dimensions[0], value=value))
    db.session.commit()


def item(study, number):
    return study.items[number - 1]


# --- reword --------------------------------------------------------------------------------


def test_reword_after_a_round_keeps_both_versions_with_the_reason(study, owner):
    show_in_round(study)
    draft = show_in_round(study, 2, state="draft")
    first = item(study, 1)
    item_history.reword(first, by=owner, expected_version=first.version,
                        text="Statement one, clearer", reason="Round 1 comments")
    assert [v.text for v in first.versions] == ["Statement 1", "Statement one, clearer"]
    assert first.current.change_reason == "Round 1 comments"
    assert draft.round_items[0].item_version_id == first.current.id
    assert study.rounds[0].round_items[0].item_version_id == first.versions[0].id


@pytest.mark.parametrize(("text", "reason", "message"), [
    ("New words", "", "Say why"),
    ("", "Because", "Enter the new wording"),
    ("Statement 1", "Because", "unchanged"),
    ("Statement 2", "Because", "already has this statement"),
])
def test_reword_refuses_bad_input(study, owner, text, reason, message):
    show_in_round(study)
    first = item(study, 1)
    with pytest.raises(ItemError, match=message):
        item_history.reword(first, by=owner, expected_version=first.version, text=text,
                            reason=reason)
    db.session.expire_all()
    assert len(first.versions) == 1


def test_reword_is_refused_while_a_round_shows_the_item(study, owner):
    show_in_round(study, state="open")
    first = item(study, 1)
    with pytest.raises(StateError, match="Round 1 is open"):
        item_history.reword(first, by=owner, expected_version=first.version, text="New",
                            reason="Because")


def test_reword_of_an_item_never_shown_points_to_editing(study, owner):
    first = item(study, 1)
    with pytest.raises(StateError, match="edit the item instead"):
        item_history.reword(first, by=owner, expected_version=first.version, text="New",
                            reason="Because")


def test_two_facilitators_rewording_at_once_conflict(study, owner):
    show_in_round(study)
    first = item(study, 1)
    loaded = first.version
    item_history.reword(first, by=owner, expected_version=loaded, text="First editor",
                        reason="Mine")
    with pytest.raises(EditConflict, match="Someone else changed this item"):
        item_history.reword(first, by=owner, expected_version=loaded, text="Second editor",
                            reason="Theirs")
    assert first.current.text == "First editor"


# --- merge and split -----------------------------------------------------------------------


def test_merge_into_a_new_item_links_and_sets_sources_aside(study, owner):
    show_in_round(study)
    draft = show_in_round(study, 2, state="draft")
    one, two = item(study, 1), item(study, 2)
    merged = item_history.merge_items([one, two], by=owner, reason="Same outcome",
                                      text="Statement 1 or 2")
    assert one.status == two.status == ItemStatus.MERGED
    links = db.session.scalars(select(ItemLink).where(ItemLink.item_id == merged.id))
    assert {(link.kind, link.source_item_id) for link in links} == {
        (LinkKind.MERGED_FROM, one.id), (LinkKind.MERGED_FROM, two.id)}
    assert merged.current.change_reason == "Same outcome"
    assert {ri.item_id for ri in draft.round_items} == {merged.id, item(study, 3).id}


def test_merge_may_keep_one_item_and_take_the_sources_wording(study, owner):
    show_in_round(study)
    one, two = item(study, 1), item(study, 2)
    kept = item_history.merge_items([two], keep=one, by=owner, reason="Duplicates",
                                    text="Statement 2")
    assert kept is one and one.status == ItemStatus.ACTIVE
    assert two.status == ItemStatus.MERGED
    assert one.current.text == "Statement 2" and len(one.versions) == 2


@pytest.mark.parametrize("case", ["itself", "one", "none"])
def test_merge_needs_two_different_items(study, owner, case):
    one = item(study, 1)
    chosen = {"itself": ([one], one), "one": ([one], None), "none": ([], None)}[case]
    with pytest.raises(ValidationError, match="merged into itself"):
        item_history.merge_items(chosen[0], keep=chosen[1], by=owner, reason="Why",
                                 text="New")
    assert one.status == ItemStatus.ACTIVE


def test_merge_refuses_without_reason_or_wording_and_changes_nothing(study, owner):
    one, two = item(study, 1), item(study, 2)
    with pytest.raises(ItemError, match="Say why"):
        item_history.merge_items([one, two], by=owner, reason="", text="New")
    with pytest.raises(ItemError, match="Enter the statement"):
        item_history.merge_items([one, two], by=owner, reason="Why", text="")
    db.session.expire_all()
    assert one.status == two.status == ItemStatus.ACTIVE
    assert len(study.items) == 3


def test_merge_refuses_retired_items_and_items_in_an_open_round(study, owner):
    show_in_round(study, state="open")
    with pytest.raises(StateError, match="Round 1 is open"):
        item_history.merge_items([item(study, 1), item(study, 2)], by=owner, reason="Why",
                                 text="New")


def test_split_makes_new_items_linked_to_the_retired_source(study, owner):
    show_in_round(study)
    draft = show_in_round(study, 2, state="draft")
    source = item(study, 1)
    parts = item_history.split_item(source, ["Pain at rest", "Pain when walking", ""],
                                    by=owner, reason="Two ideas in one")
    assert source.status == ItemStatus.REMOVED
    assert [p.current.text for p in parts] == ["Pain at rest", "Pain when walking"]
    for part in parts:
        [link] = db.session.scalars(select(ItemLink).where(ItemLink.item_id == part.id))
        assert (link.kind, link.source_item_id) == (LinkKind.SPLIT_FROM, source.id)
        assert part.current.change_reason == "Two ideas in one"
        assert part.domain == source.domain
    assert source.id not in {ri.item_id for ri in draft.round_items}
    assert {p.id for p in parts} <= {ri.item_id for ri in draft.round_items}


@pytest.mark.parametrize(("texts", "reason", "error", "message"), [
    (["Only one"], "Why", ValidationError, "at least two"),
    (["Same", "same"], "Why", ValidationError, "appears twice"),
    (["A part", "Another part"], " ", ItemError, "Say why"),
    (["Statement 2", "Another part"], "Why", ItemError, "already has this statement"),
])
def test_split_refuses_bad_input_and_creates_nothing(study, owner, texts, reason, error,
                                                     message):
    source = item(study, 1)
    with pytest.raises(error, match=message):
        item_history.split_item(source, texts, by=owner, reason=reason)
    db.session.expire_all()
    assert source.status == ItemStatus.ACTIVE and len(study.items) == 3


def test_retire_keeps_the_reason_and_leaves_draft_rounds(study, owner):
    draft = show_in_round(study, 1, state="draft")
    first = item(study, 1)
    item_history.retire(first, by=owner, reason="Out of scope")
    assert first.status == ItemStatus.REMOVED
    assert first.id not in {ri.item_id for ri in draft.round_items}
    history = item_history.item_history(first)
    assert [(e.action, e.reason) for e in history.events] == [("Retired", "Out of scope")]
    with pytest.raises(StateError, match="no longer in use"):
        item_history.retire(first, by=owner, reason="Again")


def test_retire_needs_a_reason(study, owner):
    with pytest.raises(ItemError, match="Say why"):
        item_history.retire(item(study, 1), by=owner, reason="")


# --- while a round is open -----------------------------------------------------------------


def test_typo_fix_changes_the_text_without_a_version_and_is_in_the_history(study, owner):
    round_ = show_in_round(study, state="open")
    first = item(study, 1)
    loaded = first.version
    item_history.fix_typo(first, by=owner, expected_version=loaded, text="Statemnt 1")
    assert len(first.versions) == 1 and first.current.text == "Statemnt 1"
    assert first.version == loaded + 1
    assert round_.round_items[0].item_version_id == first.current.id
    [entry] = item_history.item_history(first).versions
    [fix] = entry.typo_fixes
    assert (fix.before, fix.after) == ("Statement 1", "Statemnt 1")
    assert fix.who == owner.name


def test_typo_fix_needs_an_open_round(study, owner):
    show_in_round(study)
    first = item(study, 1)
    with pytest.raises(StateError, match="No open round shows this item"):
        item_history.fix_typo(first, by=owner, expected_version=first.version,
                              text="Statemnt 1")


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the new wording"),
    ("Statement 1", "unchanged"),
    ("Something else entirely", "more than a typo"),
    ("Statement 2", "already has this statement"),
])
def test_typo_fix_refuses_bad_input(study, owner, text, message):
    show_in_round(study, state="open")
    first = item(study, 1)
    with pytest.raises(ItemError, match=message):
        item_history.fix_typo(first, by=owner, expected_version=first.version, text=text)
    db.session.expire_all()
    assert first.current.text == "Statement 1"


def test_typo_fix_with_a_stale_version_conflicts(study, owner):
    show_in_round(study, state="open")
    first = item(study, 1)
    stale = first.version
    item_history.fix_typo(first, by=owner, expected_version=stale, text="Statemnt 1")
    with pytest.raises(EditConflict):
        item_history.fix_typo(first, by=owner, expected_version=stale, text="Statement 1.")


def test_change_of_meaning_keeps_answers_and_asks_to_answer_again(app, study, owner,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    round_ = show_in_round(study, state="open")
    first = item(study, 1)
    round_item = round_.round_items[0]
    emailed, silent, quiet, other = (make_participant(study) for _ in range(4))
    emailed.contact = ParticipantContact(email="one@example.test")
    quiet.contact = ParticipantContact(email="quiet@example.test")
    quiet.reminders_stopped = True
    db.session.commit()
    for participant in (emailed, silent, quiet):
        answer(study, participant, round_item)
    answer(study, other, round_.round_items[1])
    old_version = first.current
    result = item_history.change_meaning(first, by=owner, expected_version=first.version,
                                         text="Statement 1 at home", reason="Wrong setting")
    assert result.emailed == 1 and result.not_emailed == 2
    assert set(result.participants) == {emailed, silent, quiet}
    assert round_item.item_version_id == first.current.id != old_version.id
    kept = db.session.scalars(select(Answer).where(Answer.round_item_id == round_item.id))
    assert {a.item_version_id for a in kept} == {old_version.id}
    assert set(item_history.needs_reanswer(round_)) == {emailed, silent, quiet}
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.kind == MessageKind.NOTICE and message.to_address == "one@example.test"
    assert "/p/" in message.body_text and "Statement 1 at home" in message.body_text
    # Answering the new wording takes a participant off the list.
    answer(study, silent, round_item)
    assert set(item_history.needs_reanswer(round_)) == {emailed, quiet}
    emailed.status = ParticipantStatus.WITHDRAWN
    db.session.commit()
    assert item_history.needs_reanswer(round_) == [quiet]


def test_change_of_meaning_without_smtp_only_lists_participants(study, owner):
    round_ = show_in_round(study, state="open")
    first = item(study, 1)
    participant = make_participant(study)
    participant.contact = ParticipantContact(email="one@example.test")
    answer(study, participant, round_.round_items[0])
    result = item_history.change_meaning(first, by=owner, expected_version=first.version,
                                         text="Statement 1 at home", reason="Wrong setting")
    assert result.emailed == 0 and result.participants == (participant,)
    assert db.session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize(("state", "text", "reason", "error", "message"), [
    ("closed", "New", "Why", StateError, "No open round shows this item"),
    ("open", "New", "", ItemError, "Say why"),
    ("open", "", "Why", ItemError, "Enter the new wording"),
])
def test_change_of_meaning_refuses_bad_input(study, owner, state, text, reason, error,
                                             message):
    show_in_round(study, state=state)
    first = item(study, 1)
    with pytest.raises(error, match=message):
        item_history.change_meaning(first, by=owner, expected_version=first.version,
                                    text=text, reason=reason)
    db.session.expire_all()
    assert len(first.versions) == 1


def test_change_of_meaning_with_a_stale_version_conflicts(study, owner):
    show_in_round(study, state="open")
    first = item(study, 1)
    stale = first.version
    item_history.fix_typo(first, by=owner, expected_version=stale, text="Statemnt 1")
    with pytest.raises(EditConflict):
        item_history.change_meaning(first, by=owner, expected_version=stale, text="New",
                                    reason="Why")
    assert len(first.versions) == 1


# --- the history ---------------------------------------------------------------------------


def test_history_shows_versions_links_rounds_and_suggestions(study, owner):
    from delphi.models import ModerationState, Suggestion

    show_in_round(study)
    one, two = item(study, 1), item(study, 2)
    item_history.reword(one, by=owner, expected_version=one.version, text="Statement one",
                        reason="Clearer")
    merged = item_history.merge_items([one, two], by=owner, reason="Same", text="Merged")
    history = item_history.item_history(one)
    assert [(v.version.number, v.version.change_reason, v.who) for v in history.versions] == [
        (1, "", ""), (2, "Clearer", owner.name)]  # the factory saves no author
    assert [(r.round.number, r.version_number) for r in history.rounds] == [(1, 1)]
    assert [(link.kind, link.item) for link in history.went_to] == [("merged_from", merged)]
    assert [(e.action, e.reason) for e in history.events] == [
        ("Merged into another item", "Same")]
    merged_history = item_history.item_history(merged)
    assert {link.item.id for link in merged_history.came_from} == {one.id, two.id}
    suggestion = Suggestion(participant=make_participant(study), round=study.rounds[0],
                            original_text="Sleep", moderation_state=ModerationState.PENDING)
    db.session.add(suggestion)
    db.session.commit()
    made = suggestions.create_item_from(suggestion, by=owner, text="Sleeping well")
    [link] = item_history.item_history(made).came_from
    assert (link.kind, link.suggestion) == ("from_suggestion", suggestion)
    assert db.session.get(Item, made.id) is made
