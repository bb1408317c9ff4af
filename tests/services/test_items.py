"""A study's items: wording versions, response types, order, domains, delete and retire."""

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from delphi.errors import NotFound, StateError, ValidationError
from delphi.models import AuditEvent, Item, ItemStatus, ResponseType, Round, RoundItem
from delphi.services import items
from delphi.services.items import CONFLICT_MESSAGE, EditConflict, ItemError

from ..factories import make_study, make_user


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    return make_study(owner=owner, n_items=0)


def actions(study):
    return [event.action for event in study_events(study)]


def study_events(study):
    from delphi.extensions import db

    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.study_id == study.id).order_by(AuditEvent.id)))


def put_in_round(item, round_, open_it=False):
    from delphi.extensions import db

    db.session.add(RoundItem(round=round_, item=item, item_version=item.current, position=0))
    if open_it:
        round_.open()
    db.session.commit()


def texts(listing):
    return {group.name: [row.item.current.text for row in group.rows]
            for group in listing.domains}


# --- creating ------------------------------------------------------------------------------


def test_create_item_makes_version_one_at_the_end_and_audits(study, owner):
    first = items.create_item(study, "Walking indoors", by=owner, domain="Mobility",
                              explanation="Without a stick or frame")
    second = items.create_item(study, "Pain at rest", by=owner)
    assert first.position < second.position
    assert [v.number for v in first.versions] == [1]
    assert first.current.text == "Walking indoors"
    assert first.current.explanation == "Without a stick or frame"
    assert first.current.changed_by_id == owner.id
    assert first.response_type == ResponseType.SCALE and first.options == []
    assert first.max_choices is None and first.status == ItemStatus.ACTIVE
    assert actions(study) == ["item.created", "item.created"]
    assert study_events(study)[0].details["text"] == "Walking indoors"


def test_choice_questions_keep_their_options_and_number_to_choose(study, owner):
    single = items.create_item(study, "Where do you live?", by=owner,
                               response_type="single_choice",
                               options=[" Home ", "Care home", "", "Hospital"])
    several = items.create_item(study, "Which matter most?", by=owner,
                                response_type=ResponseType.CHOOSE_UP_TO_K,
                                options=["Pain", "Sleep", "Mood"], max_choices=2)
    open_question = items.create_item(study, "What else matters?", by=owner,
                                      response_type="open_text")
    assert single.options == ["Home", "Care home", "Hospital"] and single.max_choices is None
    assert several.options == ["Pain", "Sleep", "Mood"] and several.max_choices == 2
    assert open_question.options == [] and open_question.max_choices is None
    assert items.describe_response(single) == "Single choice from 3 options"
    assert items.describe_response(several) == "Choose up to 2 of 3 options"
    assert items.describe_response(open_question) == "Open question"


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"text": "  "}, "text", "Enter the statement or question"),
    ({"text": "x" * 1001}, "text", "1,001 characters long; the limit is 1,000"),
    ({"explanation": "x" * 2001}, "explanation", "shorten it to 2,000"),
    ({"domain": "d" * 201}, "domain", "shorten it to 200"),
    ({"response_type": "ranking"}, "response_type", "Choose how participants answer"),
    ({"response_type": "single_choice"}, "options", "Enter the options"),
    ({"response_type": "single_choice", "options": ["Yes", "yes"]}, "options",
     "“yes” appears more than once"),
    ({"response_type": "single_choice", "options": ["Yes", "No"], "max_choices": 1},
     "max_choices", "choose one option"),
    ({"response_type": "choose_up_to_k", "options": ["A", "B"]}, "max_choices",
     "how many options"),
    ({"response_type": "choose_up_to_k", "options": ["A", "B"], "max_choices": 3},
     "max_choices", r"between 1 and the number of options \(2\)"),
    ({"response_type": "choose_up_to_k", "options": ["A", "B"], "max_choices": 0},
     "max_choices", "between 1 and"),
    ({"response_type": "choose_up_to_k", "options": ["A", "x" * 201], "max_choices": 1},
     "options", "shorten it to 200"),
    ({"response_type": "choose_up_to_k", "options": [str(n) for n in range(51)],
      "max_choices": 1}, "options", "the limit is 50"),
    ({"options": ["Yes"]}, "options", "Options are only used by"),
    ({"response_type": "open_text", "max_choices": 2}, "max_choices", "only used by"),
])
def test_create_item_refuses_bad_input_saying_why_and_creates_nothing(study, owner, kwargs,
                                                                     field, message):
    arguments = {"text": "A statement", **kwargs}
    with pytest.raises(ItemError, match=message) as caught:
        items.create_item(study, by=owner, **arguments)
    assert caught.value.field == field
    assert items.list_items(study).domains == ()
    assert actions(study) == []


def test_a_duplicate_statement_is_refused_ignoring_capitals_and_spacing(study, owner):
    items.create_item(study, "Pain at rest", by=owner)
    with pytest.raises(ItemError, match="already has this statement"):
        items.create_item(study, "  pain   AT rest ", by=owner)
    retired = items.create_item(study, "Sleep", by=owner)
    items.retire_item(retired, by=owner)
    assert items.create_item(study, "Sleep", by=owner).current.text == "Sleep"


def test_a_domain_differing_only_in_capitals_joins_the_existing_one(study, owner):
    items.create_item(study, "Walking indoors", by=owner, domain="Mobility")
    second = items.create_item(study, "Climbing stairs", by=owner, domain="  mobility ")
    assert second.domain == "Mobility"
    assert texts(items.list_items(study)) == {"Mobility": ["Walking indoors", "Climbing stairs"]}


# --- editing -------------------------------------------------------------------------------


def test_editing_before_any_round_opened_changes_version_one_in_place(study, owner):
    item = items.create_item(study, "Walking indoor", by=owner, domain="Mobility")
    editor = make_user(email="second@example.test")
    items.update_item(item, by=editor, expected_version=item.version, text="Walking indoors",
                      explanation="Without help", domain="Mobility")
    assert [v.number for v in item.versions] == [1]
    assert item.current.text == "Walking indoors"
    assert item.current.explanation == "Without help"
    assert item.current.changed_by_id == editor.id
    event = study_events(study)[-1]
    assert event.action == "item.updated"
    assert event.details["changes"]["wording"][0]["text"] == "Walking indoor"
    assert event.details["changes"]["wording"][1]["text"] == "Walking indoors"


def test_a_draft_round_does_not_fix_the_wording(study, owner):
    item = items.create_item(study, "Walking indoor", by=owner)
    put_in_round(item, study.rounds[0])
    items.update_item(item, by=owner, expected_version=item.version, text="Walking indoors")
    assert [v.number for v in item.versions] == [1]


def test_once_shown_a_new_wording_is_a_new_version_with_a_reason(study, owner):
    item = items.create_item(study, "Walking indoor", by=owner)
    put_in_round(item, study.rounds[0], open_it=True)
    assert items.is_wording_fixed(item)
    with pytest.raises(ItemError, match="Say why the wording is changing") as caught:
        items.update_item(item, by=owner, expected_version=item.version,
                          text="Walking indoors")
    assert caught.value.field == "reason"
    assert [v.number for v in item.versions] == [1]
    items.update_item(item, by=owner, expected_version=item.version, text="Walking indoors",
                      reason="  Typo found in round 1  ")
    assert [(v.number, v.text) for v in item.versions] == [
        (1, "Walking indoor"), (2, "Walking indoors")]
    assert item.current.change_reason == "Typo found in round 1"
    event = study_events(study)[-1]
    assert event.action == "item.reworded"
    assert event.details["reason"] == "Typo found in round 1"
    assert event.details["version"] == 2
    # The round keeps pointing at the words participants saw.
    round_item = study.rounds[0].round_items[0]
    assert round_item.item_version.text == "Walking indoor"


def test_once_shown_the_domain_may_change_without_a_new_version(study, owner):
    item = items.create_item(study, "Walking indoors", by=owner)
    put_in_round(item, study.rounds[0], open_it=True)
    items.update_item(item, by=owner, expected_version=item.version, text="Walking indoors",
                      domain="Mobility")
    assert item.domain == "Mobility" and len(item.versions) == 1


def test_once_shown_the_response_type_and_options_are_fixed(study, owner):
    item = items.create_item(study, "Where do you live?", by=owner,
                             response_type="single_choice", options=["Home", "Care home"])
    put_in_round(item, study.rounds[0], open_it=True)
    with pytest.raises(StateError, match="seen this item in round 1"):
        items.update_item(item, by=owner, expected_version=item.version,
                          text="Where do you live?", response_type="single_choice",
                          options=["Home", "Care home", "Hospital"])
    assert item.options == ["Home", "Care home"]
    # Leaving the response type out keeps it as it is.
    items.update_item(item, by=owner, expected_version=item.version,
                      text="Where do you live now?", reason="Clearer")
    assert item.options == ["Home", "Care home"] and len(item.versions) == 2


def test_the_response_type_may_change_before_any_round_opened(study, owner):
    item = items.create_item(study, "Which matter most?", by=owner)
    items.update_item(item, by=owner, expected_version=item.version, text="Which matter most?",
                      response_type="choose_up_to_k", options=["Pain", "Sleep"], max_choices=1)
    assert item.response_type == ResponseType.CHOOSE_UP_TO_K
    assert study_events(study)[-1].details["changes"]["response_type"] == [
        "scale", "choose_up_to_k"]


def test_an_edit_from_an_older_version_is_a_conflict_and_saves_nothing(study, owner):
    item = items.create_item(study, "Walking indoors", by=owner)
    loaded_at = item.version
    items.update_item(item, by=owner, expected_version=loaded_at, text="Walking inside")
    assert item.version == loaded_at + 1
    with pytest.raises(EditConflict, match="Someone else changed this item while you were"):
        items.update_item(item, by=owner, expected_version=loaded_at, text="Walking at home")
    assert item.current.text == "Walking inside"
    assert str(EditConflict()) == CONFLICT_MESSAGE


def test_a_save_racing_past_the_version_check_is_caught_by_the_lock(db, study, owner):
    item = items.create_item(study, "Walking indoors", by=owner)
    stale = item.version
    # Another process saves between this one's check and its UPDATE: the row moves on
    # while this session still holds the version it loaded.
    db.session.execute(update(Item).where(Item.id == item.id).values(version=stale + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(item)
    set_committed_value(item, "version", stale)
    with pytest.raises(EditConflict):
        items.update_item(item, by=owner, expected_version=stale, text="Walking at home")
    db.session.expire_all()
    assert item.current.text == "Walking indoors" and item.version == stale + 1


def test_a_wording_only_edit_moves_the_version_on(study, owner):
    item = items.create_item(study, "Walking indoors", by=owner)
    before = item.version
    items.update_item(item, by=owner, expected_version=before, text="Walking inside")
    assert item.version == before + 1


def test_an_edit_that_changes_nothing_is_not_audited(study, owner):
    item = items.create_item(study, "Walking indoors", by=owner, domain="Mobility")
    items.update_item(item, by=owner, expected_version=item.version, text="Walking indoors",
                      domain="Mobility", response_type="scale")
    assert actions(study) == ["item.created"]


def test_an_edit_may_not_duplicate_another_item(study, owner):
    items.create_item(study, "Pain at rest", by=owner)
    item = items.create_item(study, "Pain when walking", by=owner)
    with pytest.raises(ItemError, match="already has this statement"):
        items.update_item(item, by=owner, expected_version=item.version, text="pain at rest")


# --- order and domains ---------------------------------------------------------------------


def test_items_are_grouped_by_domain_in_order_of_first_item(study, owner):
    items.create_item(study, "Walking", by=owner, domain="Mobility")
    items.create_item(study, "Pain at rest", by=owner, domain="Pain")
    items.create_item(study, "No domain", by=owner)
    items.create_item(study, "Stairs", by=owner, domain="Mobility")
    listing = items.list_items(study)
    assert texts(listing) == {"Mobility": ["Walking", "Stairs"], "Pain": ["Pain at rest"],
                              "": ["No domain"]}
    assert [group.name for group in listing.domains] == ["Mobility", "Pain", ""]
    assert listing.domain_names == ("Mobility", "Pain")
    assert listing.active_count == 4
    assert items.domains_of(study) == ["Mobility", "Pain"]


def test_move_item_swaps_within_its_domain_without_a_new_version(study, owner):
    walking = items.create_item(study, "Walking", by=owner, domain="Mobility")
    items.create_item(study, "Pain at rest", by=owner, domain="Pain")
    stairs = items.create_item(study, "Stairs", by=owner, domain="Mobility")
    version = stairs.version
    assert items.move_item(stairs, "up", by=owner) is True
    assert texts(items.list_items(study))["Mobility"] == ["Stairs", "Walking"]
    assert stairs.version == version  # an open edit form stays valid
    assert items.move_item(stairs, "up", by=owner) is False  # already first
    assert items.move_item(walking, "down", by=owner) is False  # already last
    assert actions(study).count("item.moved") == 1
    positions = [item.position for item in items.list_items(study).domains[0].rows[0:1]
                 for item in [item.item]]
    assert positions == [0]


def test_move_item_refuses_a_bad_direction_and_a_retired_item(study, owner):
    item = items.create_item(study, "Walking", by=owner)
    with pytest.raises(ValidationError, match="up or down"):
        items.move_item(item, "sideways", by=owner)
    items.retire_item(item, by=owner)
    with pytest.raises(StateError, match="Restore the item first"):
        items.move_item(item, "up", by=owner)


def test_move_domain_moves_all_its_items(study, owner):
    items.create_item(study, "Walking", by=owner, domain="Mobility")
    items.create_item(study, "Pain at rest", by=owner, domain="Pain")
    items.create_item(study, "Stairs", by=owner, domain="Mobility")
    assert items.move_domain(study, "Pain", "up", by=owner) is True
    listing = items.list_items(study)
    assert [group.name for group in listing.domains] == ["Pain", "Mobility"]
    assert [row.item.position for group in listing.domains for row in group.rows] == [0, 1, 2]
    assert items.move_domain(study, "Pain", "up", by=owner) is False
    with pytest.raises(NotFound):
        items.move_domain(study, "Sleep", "up", by=owner)


def test_rename_domain_renames_every_item_in_it_and_audits(study, owner):
    items.create_item(study, "Walking", by=owner, domain="Mobility")
    items.create_item(study, "Stairs", by=owner, domain="Mobility")
    items.create_item(study, "Pain at rest", by=owner, domain="Pain")
    assert items.rename_domain(study, "Mobility", " Getting  about ", by=owner) == 2
    assert texts(items.list_items(study)) == {"Getting about": ["Walking", "Stairs"],
                                              "Pain": ["Pain at rest"]}
    event = study_events(study)[-1]
    assert event.action == "items.domain_renamed"
    assert (event.details["old"], event.details["new"]) == ("Mobility", "Getting about")


def test_renaming_into_an_existing_domain_merges_them(study, owner):
    items.create_item(study, "Walking", by=owner, domain="Mobility")
    items.create_item(study, "Stairs", by=owner, domain="Movement")
    items.rename_domain(study, "Movement", "mobility", by=owner)
    assert texts(items.list_items(study)) == {"Mobility": ["Walking", "Stairs"]}


def test_a_case_only_rename_keeps_the_new_capitals(study, owner):
    items.create_item(study, "Walking", by=owner, domain="mobility")
    items.rename_domain(study, "mobility", "Mobility", by=owner)
    assert texts(items.list_items(study)) == {"Mobility": ["Walking"]}


@pytest.mark.parametrize(("old", "new", "error", "message"), [
    ("Mobility", " ", ItemError, "Enter the domain's new name"),
    ("Mobility", "Mobility", ItemError, "same as the old one"),
    ("Sleep", "Rest", NotFound, "No item has the domain “Sleep”"),
    ("", "Rest", NotFound, "No item has the domain"),
])
def test_rename_domain_refuses_bad_input(study, owner, old, new, error, message):
    items.create_item(study, "Walking", by=owner, domain="Mobility")
    items.create_item(study, "No domain", by=owner)
    with pytest.raises(error, match=message):
        items.rename_domain(study, old, new, by=owner)
    assert texts(items.list_items(study))["Mobility"] == ["Walking"]


# --- delete, retire, restore ---------------------------------------------------------------


def test_delete_item_that_was_never_in_a_round(db, study, owner):
    item = items.create_item(study, "Walking", by=owner)
    item_id = item.id
    assert items.can_delete(item)
    items.delete_item(item, by=owner)
    assert db.session.get(Item, item_id) is None
    assert actions(study)[-1] == "item.deleted"
    assert study_events(study)[-1].details["text"] == "Walking"


def test_an_item_in_any_round_cannot_be_deleted_but_can_be_retired(db, study, owner):
    item = items.create_item(study, "Walking", by=owner)
    put_in_round(item, study.rounds[0])
    assert not items.can_delete(item)
    with pytest.raises(StateError, match="Retire it instead"):
        items.delete_item(item, by=owner)
    items.retire_item(item, by=owner)
    assert item.status == ItemStatus.REMOVED
    listing = items.list_items(study)
    assert listing.domains == () and [row.item for row in listing.inactive] == [item]
    with pytest.raises(StateError, match="nothing to retire"):
        items.retire_item(item, by=owner)
    assert actions(study)[-1] == "item.retired"


def test_restore_puts_a_retired_item_back_at_the_end(study, owner):
    item = items.create_item(study, "Walking", by=owner)
    items.create_item(study, "Stairs", by=owner)
    items.retire_item(item, by=owner)
    with pytest.raises(StateError, match="Only a retired item"):
        items.restore_item(items.list_items(study).domains[0].rows[0].item, by=owner)
    items.restore_item(item, by=owner)
    assert texts(items.list_items(study)) == {"": ["Stairs", "Walking"]}
    assert actions(study)[-1] == "item.restored"


def test_restore_refuses_when_an_item_in_use_has_the_same_words(study, owner):
    item = items.create_item(study, "Walking", by=owner)
    items.retire_item(item, by=owner)
    items.create_item(study, "walking", by=owner)
    with pytest.raises(ItemError, match="already has this statement"):
        items.restore_item(item, by=owner)
    assert item.status == ItemStatus.REMOVED


def test_list_marks_items_shown_and_deletable_in_few_queries(db, study, owner):
    shown = items.create_item(study, "Walking", by=owner)
    drafted = items.create_item(study, "Stairs", by=owner)
    items.create_item(study, "Pain", by=owner)
    round_two = Round(number=2)
    study.rounds.append(round_two)
    db.session.commit()
    put_in_round(drafted, round_two)
    put_in_round(shown, study.rounds[0], open_it=True)
    rows = {row.item.current.text: row for row in items.list_items(study).domains[0].rows}
    assert (rows["Walking"].is_wording_fixed, rows["Walking"].can_delete) == (True, False)
    assert (rows["Stairs"].is_wording_fixed, rows["Stairs"].can_delete) == (False, False)
    assert (rows["Pain"].is_wording_fixed, rows["Pain"].can_delete) == (False, True)


def test_get_item_only_finds_the_studys_own_items(study, owner):
    other = make_study(owner=owner, title="Another", n_items=1)
    with pytest.raises(NotFound, match="no item number"):
        items.get_item(study, other.items[0].id)
    assert items.get_item(other, other.items[0].id) is other.items[0]
