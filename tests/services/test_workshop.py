"""The final workshop: creating it from a shortlist, sessions and groups, the lead's link,
entering a group's ranking, closing a session, the summed results (checked against the
engine's sum_of_ranks fed the same numbers), settling ties and the final order."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from delphi.engine.workshop import sum_of_ranks
from delphi.errors import NotFound, RoundStateError, StateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    Round,
    RoundKind,
    RoundState,
    SessionState,
    StudyKind,
    WorkshopDecision,
    WorkshopGroup,
    WorkshopRank,
    WorkshopSession,
    utcnow,
)
from delphi.services import ranking_results, rounds, workshop, workshop_results

from ..concurrency import run_at_once
from ..factories import make_study, make_user
from ..workshop_setup import GROUPS, PLACES, build_workshop, ranking_form, run_session


def audit_events(action):
    return list(_db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.id)))


def count(model):
    return _db.session.scalar(select(func.count()).select_from(model))


def stored_places(group):
    _db.session.expire_all()
    return workshop.group_positions(_db.session.get(WorkshopGroup, group.id))


# --- creating the workshop -------------------------------------------------------------------


def test_create_workshop_holds_the_shortlist_in_the_study_item_order(db):
    owner = make_user()
    study, ranking, round_ = build_workshop(owner, n_items=8, shortlist=5, open_it=False)
    assert round_.kind == RoundKind.WORKSHOP and round_.state == RoundState.DRAFT
    assert round_.number == 2 and workshop.workshop_round(study) is round_
    shortlisted = ranking_results.shortlisted_items(ranking)
    assert [item.id for item in workshop.items_of(round_)] == sorted(
        shortlisted, key=lambda item_id: next(i.position for i in study.items if i.id == item_id))
    assert {ri.item_version_id for ri in round_.round_items} == {
        item.current.id for item in workshop.items_of(round_)}
    event = audit_events("workshop.created")[0]
    assert event.details == {"from_round": 1, "items": 5}


@pytest.mark.parametrize("kind", [StudyKind.PRIORITY_SETTING, StudyKind.DELPHI])
def test_the_workshop_opens_and_closes_with_the_round_services(db, kind):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4, kind=kind)
    assert round_.state == RoundState.OPEN
    assert [item.current.text for item in workshop.items_of(round_)] == [
        "Help with walking", "Help with sleep", "Less pain", "Fewer falls"]
    rounds.close_round(round_, owner)
    assert round_.state == RoundState.CLOSED


def test_a_study_has_one_workshop(db):
    owner = make_user()
    study, ranking, _round = build_workshop(owner, n_items=4)
    with pytest.raises(StateError, match="has a workshop already: round 2"):
        workshop.create_workshop(ranking, owner)
    assert len(study.rounds) == 2


def test_a_workshop_needs_a_closed_ranking_round(db):
    owner = make_user()
    study = make_study(owner=owner)
    with pytest.raises(RoundStateError, match="not a ranking round"):
        workshop.create_workshop(study.rounds[0], owner)
    study.rounds[0].kind = RoundKind.RANKING
    _db.session.commit()
    with pytest.raises(RoundStateError, match="is draft"):
        workshop.create_workshop(study.rounds[0], owner)
    assert count(Round) == 1 and workshop.workshop_round(study) is None


def test_a_workshop_needs_a_decided_shortlist(db):
    owner = make_user()
    study = make_study(owner=owner)
    round_ = study.rounds[0]
    round_.kind, round_.state = RoundKind.RANKING, RoundState.CLOSED
    _db.session.commit()
    with pytest.raises(StateError, match="Round 1 has no shortlist yet. Decide the shortlist"):
        workshop.create_workshop(round_, owner)
    assert count(Round) == 1 and audit_events("workshop.created") == []


# --- sessions ----------------------------------------------------------------------------------


def test_sessions_are_numbered_with_their_groups_in_order(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    first = workshop.add_session(round_, owner, " Morning ", [" Red", "Blue "],
                                 ["2 patients, 1 carer, 3 clinicians"])
    assert first.number == 1 and first.name == "Morning" and first.state == SessionState.OPEN
    assert [(g.name, g.position, g.composition) for g in first.groups] == [
        ("Red", 0, "2 patients, 1 carer, 3 clinicians"), ("Blue", 1, "")]
    for group in first.groups:
        workshop.enter_ranking(group, ranking_form(round_, (1, 2, 3, 4)), owner)
    workshop.close_session(first, owner)
    second = workshop.add_session(round_, owner, "", ["A", "B", "C"])
    assert second.number == 2
    assert [s.number for s in workshop.sessions_of(round_)] == [1, 2]
    assert workshop.get_session(round_, 2) is second
    assert workshop.get_group(second, second.groups[1].id).name == "B"
    assert [e.details["groups"] for e in audit_events("workshop.session_added")] == [
        ["Red", "Blue"], ["A", "B", "C"]]


def test_unknown_sessions_and_groups_are_not_found(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    session = workshop.add_session(round_, owner, "", ["Red", "Blue"])
    with pytest.raises(NotFound, match="no session 2"):
        workshop.get_session(round_, 2)
    with pytest.raises(NotFound, match="Session 1 has no such group"):
        workshop.get_group(session, session.groups[-1].id + 100)


@pytest.mark.parametrize(("names", "compositions", "message"), [
    (["Red"], (), "between 2 and 10 small groups. You gave 1"),
    ([f"Group {n}" for n in range(11)], (), "between 2 and 10 small groups. You gave 11"),
    (["Red", "  "], (), "Give every group a name"),
    (["Red", "red "], (), "Two groups are called “red”"),
    (["Red", "Blue"], ["a", "b", "c"], "one line for each group"),
    (["Red", "B" * 101], (), "100 characters or fewer"),
])
def test_bad_groups_are_refused_and_nothing_is_saved(db, names, compositions, message):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    with pytest.raises(ValidationError, match=message):
        workshop.add_session(round_, owner, "", names, compositions)
    assert count(WorkshopSession) == 0 and count(WorkshopGroup) == 0


def test_sessions_need_an_open_workshop(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4, open_it=False)
    with pytest.raises(RoundStateError, match=r"The workshop \(round 2\) is draft"):
        workshop.add_session(round_, owner, "", ["Red", "Blue"])
    assert count(WorkshopSession) == 0


def test_a_session_starts_only_once_the_one_before_has_closed(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    workshop.add_session(round_, owner, "", ["Red", "Blue"])
    with pytest.raises(StateError, match="Session 1 is still open. Close it before starting"):
        workshop.add_session(round_, owner, "", ["A", "B"])
    assert count(WorkshopSession) == 1


def test_only_a_workshop_round_has_sessions(db):
    owner = make_user()
    _study, ranking, _round = build_workshop(owner, n_items=4)
    with pytest.raises(ValidationError, match="Round 1 is not the workshop"):
        workshop.add_session(ranking, owner, "", ["Red", "Blue"])


# --- the lead's link ---------------------------------------------------------------------------


def test_a_lead_link_is_a_long_token_stored_only_as_its_hash(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    before = utcnow()
    token = workshop.issue_lead_link(group, owner)
    assert len(token) >= 43
    assert group.lead_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(audit_events("workshop.lead_link_issued")[0].details)
    expires = group.lead_link_expires_at
    assert timedelta(days=2) <= expires - before <= timedelta(days=2, minutes=1)
    assert workshop.LEAD_LINK_DAYS == 2
    assert workshop.find_group_by_token(token) is group
    assert workshop.group_for_session(workshop.lead_session_value(group)) is group


def test_a_new_lead_link_replaces_the_old_one(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    old = workshop.issue_lead_link(group, owner)
    old_session = workshop.lead_session_value(group)
    new = workshop.issue_lead_link(group, owner)
    with pytest.raises(NotFound, match="not recognised"):
        workshop.find_group_by_token(old)
    with pytest.raises(NotFound, match="Open the link you were given again"):
        workshop.group_for_session(old_session)
    assert workshop.find_group_by_token(new) is group


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "y" * 500])
def test_unknown_lead_links_are_not_found(db, token):
    with pytest.raises(NotFound, match="This link is not recognised"):
        workshop.find_group_by_token(token)


@pytest.mark.parametrize("value", [None, [], ["1", "abc"], [999999, "0" * 16], "text"])
def test_unknown_lead_sessions_are_not_found(db, value):
    with pytest.raises(NotFound, match="We do not know which group you lead"):
        workshop.group_for_session(value)


def test_an_expired_lead_link_says_so(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    token = workshop.issue_lead_link(group, owner, now=utcnow() - timedelta(days=3))
    with pytest.raises(workshop.LeadLinkExpired, match="This link has expired. Ask the"):
        workshop.find_group_by_token(token)
    with pytest.raises(workshop.LeadLinkExpired):
        workshop.group_for_session(workshop.lead_session_value(group))
    assert issubclass(workshop.LeadLinkExpired, ValidationError)


def test_no_lead_link_for_a_closed_session(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    session = run_session(round_, owner, places=[(1, 2, 3, 4), (2, 1, 3, 4)])
    with pytest.raises(StateError, match="Session 1 has closed"):
        workshop.issue_lead_link(session.groups[0], owner)
    assert session.groups[0].lead_token_hash is None


# --- entering a ranking ------------------------------------------------------------------------


def test_entering_a_ranking_saves_every_place(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    entry = workshop.enter_ranking(group, ranking_form(round_, (2, 1, 4, 3)), owner)
    items = workshop.items_of(round_)
    assert entry.is_saved and entry.errors == {}
    expected = {items[0].id: 2, items[1].id: 1, items[2].id: 4, items[3].id: 3}
    assert entry.positions == expected and stored_places(group) == expected
    group = _db.session.get(WorkshopGroup, group.id)
    assert group.submitted_by_id == owner.id and group.submitted_at is not None
    assert workshop.form_values(group) == ranking_form(round_, (2, 1, 4, 3))
    event = audit_events("workshop.ranking_entered")[0]
    assert event.details == {"group": "Red", "who": owner.name}
    assert event.user_id == owner.id and event.target == "session 1"


def test_a_ranking_entered_through_the_lead_link_has_no_staff_member(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[1]
    workshop.enter_ranking(group, ranking_form(round_, (1, 2, 3, 4)), None)
    assert group.submitted_by_id is None and group.submitted_at is not None
    event = audit_events("workshop.ranking_entered")[0]
    assert event.details == {"group": "Blue", "who": "group lead link"} and event.user_id is None


def test_entering_again_replaces_the_earlier_ranking(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    workshop.enter_ranking(group, ranking_form(round_, (1, 2, 3, 4)), owner)
    workshop.enter_ranking(group, ranking_form(round_, (4, 3, 2, 1)), None)
    items = workshop.items_of(round_)
    assert stored_places(group) == {items[0].id: 4, items[1].id: 3, items[2].id: 2,
                                    items[3].id: 1}
    assert count(WorkshopRank) == 4
    assert _db.session.get(WorkshopGroup, group.id).submitted_by_id is None


@pytest.mark.parametrize(("places", "errors"), [
    (("", "2", "3", "4"), {0: "Enter a place for “Help with walking”."}),
    ((" ", "2", "", "4"), {0: "Enter a place for “Help with walking”.",
                           2: "Enter a place for “Less pain”."}),
    (("1", "2.5", "3", "4"), {1: "Enter the place of “Help with sleep” as a whole number, "
                                 "like 3."}),
    (("1", "two", "3", "4"), {1: "Enter the place of “Help with sleep” as a whole number, "
                                 "like 3."}),
    (("1", "2", "-3", "4"), {2: "Enter the place of “Less pain” as a whole number, like 3."}),
    (("1", "2", "3", "0"), {3: "The place of “Fewer falls” must be from 1 to 4."}),
    (("1", "2", "3", "5"), {3: "The place of “Fewer falls” must be from 1 to 4."}),
    (("1", "3", "3", "4"), {
        1: "Place 3 is given to two questions: “Help with sleep” and “Less pain”. Give each "
           "question its own place.",
        2: "Place 3 is given to two questions: “Help with sleep” and “Less pain”. Give each "
           "question its own place."}),
    (("2", "2", "2", ""), {
        0: "Place 2 is given to three questions: “Help with walking”, “Help with sleep” and "
           "“Less pain”. Give each question its own place.",
        1: "Place 2 is given to three questions: “Help with walking”, “Help with sleep” and "
           "“Less pain”. Give each question its own place.",
        2: "Place 2 is given to three questions: “Help with walking”, “Help with sleep” and "
           "“Less pain”. Give each question its own place.",
        3: "Enter a place for “Fewer falls”."}),
])
def test_bad_places_are_named_and_nothing_is_saved(db, places, errors):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    workshop.enter_ranking(group, ranking_form(round_, (1, 2, 3, 4)), owner)
    before = stored_places(group)
    form = ranking_form(round_, places)
    entry = workshop.enter_ranking(group, form, None)
    names = list(form)
    assert not entry.is_saved and entry.positions == {}
    assert entry.errors == {names[index]: message for index, message in errors.items()}
    assert list(entry.errors) == [names[index] for index in sorted(errors)]
    assert entry.values == {name: value.strip() for name, value in form.items()}
    assert stored_places(group) == before
    assert len(audit_events("workshop.ranking_entered")) == 1
    assert _db.session.get(WorkshopGroup, group.id).submitted_by_id == owner.id


@pytest.mark.postgres_only
def test_two_people_entering_at_once_leave_one_whole_ranking(app, live_db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=6)
    group_id = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0].id
    forms = [ranking_form(round_, places) for places in ((1, 2, 3, 4, 5, 6),
                                                         (6, 5, 4, 3, 2, 1))]
    def enter(form):
        return lambda: workshop.enter_ranking(_db.session.get(WorkshopGroup, group_id), form,
                                              None)

    failures = run_at_once(app, [enter(form) for form in forms])
    assert failures == []
    _db.session.expire_all()
    group = _db.session.get(WorkshopGroup, group_id)
    assert workshop.form_values(group) in forms


def test_a_missing_input_is_named(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=3)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    form = ranking_form(round_, (1, 2, 3))
    missing = list(form)[2]
    del form[missing]
    entry = workshop.enter_ranking(group, form, owner)
    assert entry.errors == {missing: "Enter a place for “Less pain”."}
    assert stored_places(group) == {}


def test_a_form_naming_another_item_is_refused(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4, shortlist=3)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    form = ranking_form(round_, (1, 2, 3))
    outside = next(item for item in round_.study.items
                   if item not in workshop.items_of(round_))
    form[workshop.position_name(outside.id)] = "4"
    with pytest.raises(ValidationError, match="does not match the workshop's questions"):
        workshop.enter_ranking(group, form, owner)
    assert count(WorkshopRank) == 0


def test_no_ranking_is_entered_once_the_session_has_closed(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    session = run_session(round_, owner, places=[(1, 2, 3, 4), (2, 1, 3, 4)])
    before = stored_places(session.groups[0])
    with pytest.raises(RoundStateError, match="Session 1 has closed, so its rankings can no"):
        workshop.enter_ranking(session.groups[0], ranking_form(round_, (4, 3, 2, 1)), None)
    assert stored_places(session.groups[0]) == before


def test_no_ranking_is_entered_once_the_workshop_has_closed(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    group = workshop.add_session(round_, owner, "", ["Red", "Blue"]).groups[0]
    rounds.close_round(round_, owner)
    with pytest.raises(RoundStateError, match="The workshop has closed"):
        workshop.enter_ranking(group, ranking_form(round_, (1, 2, 3, 4)), owner)
    assert count(WorkshopRank) == 0


# --- closing a session and its result ----------------------------------------------------------


def test_closing_names_the_groups_still_to_enter(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = workshop.add_session(round_, owner, "", list(GROUPS))
    workshop.enter_ranking(session.groups[1], ranking_form(round_, PLACES[1]), owner)
    with pytest.raises(StateError, match="Session 1 cannot close yet. Still to enter their "
                                         "ranking: Red, Green and Gold."):
        workshop.close_session(session, owner)
    assert session.state == SessionState.OPEN and session.closed_at is None
    for group, places in zip(session.groups, PLACES, strict=True):
        workshop.enter_ranking(group, ranking_form(round_, places), owner)
    workshop.close_session(session, owner)
    assert session.state == SessionState.CLOSED and session.closed_at is not None
    assert audit_events("workshop.session_closed")[0].details == {"groups": 4}
    with pytest.raises(StateError, match="Session 1 has closed already"):
        workshop.close_session(session, owner)


def test_session_results_equal_the_engine_fed_the_same_places(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = run_session(round_, owner)
    items = workshop.items_of(round_)
    expected = sum_of_ranks(np.array(PLACES), top=10)
    found = workshop_results.session_result(session)
    assert found.groups_entered == found.groups_total == 4 and found.is_complete
    assert found.group_names == GROUPS
    assert [row.item.id for row in found.rows] == [items[i].id for i in expected.order]
    assert [row.place for row in found.rows] == list(range(1, 13))
    by_item = {row.item.id: row for row in found.rows}
    for index, item in enumerate(items):
        row = by_item[item.id]
        assert row.total == expected.totals[index]
        assert row.mean_rank == pytest.approx(expected.mean_rank[index])
        assert row.position == expected.position[index]
        assert row.span == expected.span[index]
        assert row.contested == expected.contested[index]
        assert row.tied_at_boundary == (index in expected.boundary_ties)
        assert row.ranks == {name: PLACES[g][index] for g, name in enumerate(GROUPS)}
    # By hand: items 9 and 10 total 42 each, straddling the top 10; items 0 and 4 contested.
    assert [row.item.id for row in found.boundary_ties] == [items[9].id, items[10].id]
    assert by_item[items[9].id].total == by_item[items[10].id].total == 42
    assert [row.item.id for row in found.contested] == [items[0].id, items[4].id]


def test_an_open_session_shows_the_groups_entered_so_far(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = workshop.add_session(round_, owner, "", list(GROUPS))
    assert workshop_results.session_result(session).rows == ()
    for group, places in zip(session.groups[:2], PLACES[2:], strict=True):
        workshop.enter_ranking(group, ranking_form(round_, places), owner)
    found = workshop_results.session_result(session)
    expected = sum_of_ranks(np.array(PLACES[2:]), top=10)
    assert (found.groups_entered, found.groups_total, found.is_complete) == (2, 4, False)
    assert found.group_names == ("Red", "Blue")
    assert [row.total for row in found.rows] == sorted(expected.totals.tolist())


# --- settling ties and the final order ---------------------------------------------------------


def _ids(round_, indices):
    items = workshop.items_of(round_)
    return [items[index].id for index in indices]


def test_the_room_may_settle_ties_with_a_reason(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = run_session(round_, owner)
    order = _ids(round_, [1, 0, 2, 4, 3, 5, 6, 7, 8, 10, 9, 11])
    decision = workshop_results.decide_order(session, owner, order, " Voted by show of hands ")
    assert decision.item_order == order and decision.reason == "Voted by show of hands"
    assert decision.decided_by_id == owner.id
    event = audit_events("workshop.order_decided")[0]
    assert event.details == {"item_order": order, "reason": "Voted by show of hands"}
    final = workshop_results.final_result(round_)
    assert [row.item.id for row in final.rows] == order
    assert [row.place for row in final.rows] == list(range(1, 13))
    assert [row.item.id for row in final.top10] == order[:10] and final.decision is decision


def test_the_latest_decision_is_in_force(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = run_session(round_, owner)
    workshop_results.decide_order(session, owner, _ids(round_, [1, 0, *range(2, 12)]), "First vote")
    latest = workshop_results.decide_order(session, owner, _ids(round_, [*range(9), 10, 9, 11]),
                                   "Second vote")
    assert workshop_results.final_result(round_).decision is latest
    assert [row.item.id for row in workshop_results.final_result(round_).rows] == _ids(
        round_, [*range(9), 10, 9, 11])
    assert count(WorkshopDecision) == 2


@pytest.mark.parametrize(("order", "message"), [
    ([*range(12)][::-1], "“Help back to work” cannot come before “Time with family”: its "
                         "total is higher. Only questions with the same total can change "
                         "places."),
    ([0, 2, 1, *range(3, 12)], "“Less pain” cannot come before “Help with sleep”"),
    ([*range(11)], "Put all 12 questions in the order, each once."),
    ([*range(11), 10], "Put all 12 questions in the order, each once."),
])
def test_the_room_may_not_reorder_freely(db, order, message):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = run_session(round_, owner)
    with pytest.raises(ValidationError, match=message):
        workshop_results.decide_order(session, owner, _ids(round_, order), "Because")
    assert count(WorkshopDecision) == 0


def test_an_order_naming_other_items_is_refused(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = run_session(round_, owner)
    order = _ids(round_, range(12))
    with pytest.raises(ValidationError, match="Put all 12 questions"):
        workshop_results.decide_order(session, owner, [*order[:11], order[-1] + 1000], "Because")
    with pytest.raises(ValidationError, match="not in the workshop"):
        workshop_results.decide_order(session, owner, [*order[:11], "x"], "Because")
    assert count(WorkshopDecision) == 0


def test_a_decision_needs_a_reason_and_a_closed_session(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    session = run_session(round_, owner, close=False)
    order = _ids(round_, range(12))
    with pytest.raises(StateError, match="Session 1 is still open. Close it before deciding"):
        workshop_results.decide_order(session, owner, order, "Because")
    workshop.close_session(session, owner)
    with pytest.raises(ValidationError, match="Give a reason for the order"):
        workshop_results.decide_order(session, owner, order, "  ")
    assert count(WorkshopDecision) == 0


def test_no_final_result_before_a_session_closes(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    assert workshop_results.final_result(round_) is None
    assert workshop_results.describe_method(round_).startswith(
        "In each session, every small group puts all 12 questions in order.")
    run_session(round_, owner, close=False)
    assert workshop_results.final_result(round_) is None


def test_the_final_result_comes_from_the_last_session_and_keeps_the_earlier(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=12)
    first = run_session(round_, owner, places=PLACES[:3], names=("A", "B", "C"))
    workshop_results.decide_order(first, owner, _ids(round_, range(12)), "Agreed as it stands")
    second = run_session(round_, owner)
    final = workshop_results.final_result(round_)
    expected = sum_of_ranks(np.array(PLACES), top=10)
    assert final.session is second and final.decision is None
    assert [row.item.id for row in final.rows] == _ids(round_, expected.order)
    assert len(final.top10) == 10
    assert workshop_results.session_result(first).group_names == ("A", "B", "C")
    words = final.method_words
    assert words.startswith("Each of the 4 small groups in session 2 put all 12 questions in "
                            "order, from 1 (most important) to 12. For each question we added "
                            "up its places across the groups. The question with the lowest "
                            "total came first")
    assert "share a place; the room has not settled their order" in words
    assert "contested" in words
    assert "Session 1 came before" in words and "kept for the record" in words
    assert workshop_results.describe_method(round_) == words


def test_the_method_words_give_the_room_s_reason(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=4)
    session = run_session(round_, owner, places=[(1, 2, 3, 4), (2, 1, 3, 4)])
    workshop_results.decide_order(session, owner, _ids(round_, [1, 0, 2, 3]), "A vote in the room.")
    words = workshop_results.final_result(round_).method_words
    assert "Each of the 2 small groups in session 1 put all 4 questions" in words
    assert "the room agreed their order, for this reason: A vote in the room." in words
    assert "came before" not in words


def test_the_method_words_say_when_nothing_was_tied(db):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=3)
    run_session(round_, owner, places=[(1, 2, 3), (1, 2, 3)])
    assert "No two questions had the same total." in workshop_results.describe_method(round_)
