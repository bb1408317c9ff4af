"""Participants' suggestions: grouping duplicates, new items from them, the published trail."""

import pytest
from sqlalchemy import select

from delphi.errors import NotFound, StateError, ValidationError
from delphi.extensions import db
from delphi.models import Item, ItemLink, LinkKind, ModerationState, Suggestion
from delphi.services import moderation, suggestions
from delphi.services.items import ItemError

from ..factories import make_participant, make_study, make_user


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    return make_study(owner=owner, n_items=1)


def suggest(study, text):
    entry = Suggestion(participant=make_participant(study), round=study.rounds[0],
                       original_text=text, shown_text="",
                       moderation_state=ModerationState.PENDING)
    db.session.add(entry)
    db.session.commit()
    return entry


def test_merge_groups_duplicates_under_a_lead(study, owner):
    lead, twin, other = (suggest(study, t) for t in ("Sleep", "Sleeping well", "Appetite"))
    group = suggestions.merge_suggestions(lead, [twin], by=owner)
    assert group.lead is lead and group.members == (twin,)
    assert twin.merged_into_id == lead.id
    assert [g.lead for g in suggestions.groups(study)] == [lead, other]


def test_merging_a_group_into_another_moves_its_members(study, owner):
    a, b, c = (suggest(study, t) for t in ("Sleep", "Rest", "Naps"))
    suggestions.merge_suggestions(b, [c], by=owner)
    group = suggestions.merge_suggestions(a, [b], by=owner)
    assert {s.id for s in group.members} == {b.id, c.id}


@pytest.mark.parametrize("case", ["itself", "nothing"])
def test_merge_refuses_a_suggestion_into_itself_or_nothing(study, owner, case):
    lead = suggest(study, "Sleep")
    with pytest.raises(ValidationError):
        suggestions.merge_suggestions(lead, [lead] if case == "itself" else [], by=owner)
    assert lead.merged_into_id is None


def test_merge_refuses_a_lead_that_is_grouped_elsewhere(study, owner):
    a, b, c = (suggest(study, t) for t in ("Sleep", "Rest", "Naps"))
    suggestions.merge_suggestions(a, [b], by=owner)
    with pytest.raises(StateError, match="grouped under another"):
        suggestions.merge_suggestions(b, [c], by=owner)


def test_separate_takes_a_suggestion_out_of_its_group(study, owner):
    a, b = suggest(study, "Sleep"), suggest(study, "Rest")
    suggestions.merge_suggestions(a, [b], by=owner)
    suggestions.separate(b, by=owner)
    assert b.merged_into_id is None
    with pytest.raises(StateError, match="not grouped"):
        suggestions.separate(b, by=owner)


def test_an_item_from_a_group_links_to_every_suggestion(study, owner):
    lead, twin = suggest(study, "sleep!!"), suggest(study, "Sleeping at night")
    suggestions.merge_suggestions(lead, [twin], by=owner)
    item = suggestions.create_item_from(lead, by=owner, text="Sleeping well at night",
                                        domain="Rest")
    links = list(db.session.scalars(select(ItemLink).where(ItemLink.item_id == item.id)))
    assert {(link.kind, link.suggestion_id) for link in links} == {
        (LinkKind.FROM_SUGGESTION, lead.id), (LinkKind.FROM_SUGGESTION, twin.id)}
    assert item.domain == "Rest" and item.current.text == "Sleeping well at night"
    assert lead.moderation_state == ModerationState.APPROVED
    assert moderation.unreviewed_count(study.rounds[0]) == 0
    assert suggestions.groups(study)[0].items == (item,)


def test_an_item_is_not_made_from_a_grouped_member(study, owner):
    lead, twin = suggest(study, "Sleep"), suggest(study, "Rest")
    suggestions.merge_suggestions(lead, [twin], by=owner)
    with pytest.raises(StateError, match="grouped under another"):
        suggestions.create_item_from(twin, by=owner, text="Rest")


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the statement"),
    ("Statement 1", "already has this statement"),
])
def test_bad_wording_creates_no_item_and_no_links(study, owner, text, message):
    lead = suggest(study, "Sleep")
    before = db.session.scalar(select(db.func.count(Item.id)))
    with pytest.raises(ItemError, match=message):
        suggestions.create_item_from(lead, by=owner, text=text)
    assert db.session.scalar(select(db.func.count(Item.id))) == before
    assert db.session.scalar(select(db.func.count(ItemLink.id))) == 0
    db.session.expire_all()
    assert lead.moderation_state == ModerationState.PENDING


def test_trail_lists_each_item_with_original_and_shown_texts(study, owner):
    lead, twin = suggest(study, "sleep!!"), suggest(study, "Sleping at nite")
    moderation.edit(twin, "Sleeping at night", by=owner)
    suggestions.merge_suggestions(lead, [twin], by=owner)
    item = suggestions.create_item_from(lead, by=owner, text="Sleeping well")
    [entry] = suggestions.suggestion_trail(study)
    assert entry.item is item
    assert [(s.original_text, s.shown_text, s.round_number) for s in entry.suggestions] == [
        ("sleep!!", "sleep!!", 1), ("Sleping at nite", "Sleeping at night", 1)]
    assert not hasattr(entry.suggestions[0], "pseudonym")


def test_get_suggestion_only_finds_the_studys_own(study, owner):
    entry = suggest(study, "Sleep")
    other = make_study(owner=owner, title="Another")
    with pytest.raises(NotFound):
        suggestions.get_suggestion(other, entry.id)
    assert suggestions.get_suggestion(study, entry.id) is entry
