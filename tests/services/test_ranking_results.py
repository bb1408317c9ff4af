"""Ranking results: the engine fed the round's rankings, the methods compared, Kendall's W,
the proposed cut, ties at the cut, and deciding the shortlist."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from delphi.engine.ranking import kendalls_w, rank_aggregate
from delphi.errors import Forbidden, RoundStateError, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    Item,
    ItemVersion,
    Participant,
    Ranking,
    Role,
    RoundItem,
    RoundKind,
    RoundState,
    Shortlist,
    StudyMembership,
)
from delphi.services import ranking_results as rr

from ..factories import make_participant, make_study, make_user


def make_ranking_round(owner=None, n_items=6, choices=(), kind=RoundKind.RANKING,
                       state=RoundState.CLOSED, ranking_size=None, title="Priorities"):
    """A study whose round 1 is a ranking round over ``n_items`` items.

    ``choices`` holds one ``(group index, [item indices from first to last])`` per
    participant; a group index of None makes a test participant in the first group.
    Returns the study; Ranking rows are inserted directly.
    """
    study = make_study(owner=owner, title=title, n_items=n_items)
    round_ = study.rounds[0]
    round_.kind = kind
    round_.ranking_size = ranking_size
    for position, item in enumerate(study.items):
        round_.round_items.append(RoundItem(item=item, item_version=item.current,
                                            position=position))
    round_.state = state
    _db.session.commit()
    for group, items in choices:
        if group is None:
            participant = Participant(study=study, group=study.groups[0], is_test=True,
                                      pseudonym=f"T{len(study.participants) + 1:04d}")
            _db.session.add(participant)
            _db.session.commit()
        else:
            participant = make_participant(study, group=study.groups[group])
        for position, index in enumerate(items, start=1):
            _db.session.add(Ranking(participant_id=participant.id, round_id=round_.id,
                                    item_id=study.items[index].id, position=position))
    _db.session.commit()
    return study


EXAMPLE = [
    (0, [0, 1, 2]), (0, [0, 1, 2]), (0, [1, 0, 2]),
    (1, [3, 2, 0]),
    (2, [4, 3]),
    (None, [5, 4, 3]),
]


def _independent_matrix(study, choices):
    """The positions matrix built straight from ``choices`` (test participants left out)."""
    kept = [(group, items) for group, items in choices if group is not None]
    matrix = np.full((len(kept), len(study.items)), np.nan)
    for row, (_group, items) in enumerate(kept):
        for position, index in enumerate(items, start=1):
            matrix[row, index] = position
    return matrix, [study.groups[group].name for group, _items in kept]


@pytest.mark.parametrize("method", ["jla", "weighted", "union"])
def test_results_equal_the_engine_fed_the_rankings(db, method):
    study = make_ranking_round(choices=EXAMPLE)
    matrix, groups = _independent_matrix(study, EXAMPLE)
    k = 2 if method == "union" else None
    expected = rank_aggregate(matrix, groups=groups, method=method, k=k)
    found = rr.ranking_results(study.rounds[0], method, k=k)
    assert found.n_participants == 5
    assert found.method == method and found.k == k
    assert found.item_ids == tuple(item.id for item in study.items)
    np.testing.assert_array_equal(found.ranking.score, expected.score)
    np.testing.assert_array_equal(found.ranking.points, expected.points)
    np.testing.assert_array_equal(found.ranking.times_chosen, expected.times_chosen)
    np.testing.assert_array_equal(found.ranking.selected, expected.selected)
    assert [row.item_id for row in found.rows] == [study.items[i].id
                                                   for i in expected.order.tolist()]
    top = found.rows[0]
    i = int(expected.order[0])
    assert top.score == expected.score[i] and top.times_chosen == expected.times_chosen[i]
    patients = expected.by_group["Patients and carers"]
    assert top.by_group["Patients and carers"][1] == patients.points[i]
    assert found.group_sizes == {"Doctors": 1, "Nurses": 1, "Patients and carers": 3}
    w = kendalls_w(matrix)
    assert found.among_participants.w == pytest.approx(w.w)
    groups_w = kendalls_w(np.vstack([expected.by_group[name].position
                                     for name in sorted(set(groups))]))
    assert found.among_groups.w == pytest.approx(groups_w.w)


def test_test_participants_and_other_rounds_never_count(db):
    study = make_ranking_round(choices=EXAMPLE)
    found = rr.ranking_results(study.rounds[0])
    assert found.rows[-1].item_id == study.items[5].id
    assert found.rows[-1].times_chosen == 0


def test_choose_n_rounds_count_choices_without_order(db):
    choices = [(0, [0, 1]), (0, [1, 0]), (1, [2, 1])]
    study = make_ranking_round(n_items=4, choices=choices, kind=RoundKind.CHOOSE_N)
    found = rr.ranking_results(study.rounds[0])
    assert found.chosen_only
    by_id = {row.item_id: row for row in found.rows}
    item = study.items[1].id
    assert by_id[item].times_chosen == 3 and by_id[item].points == 3
    assert by_id[study.items[0].id].points == 2
    matrix, groups = _independent_matrix(study, choices)
    expected = rank_aggregate(~np.isnan(matrix), groups=groups, method="jla")
    np.testing.assert_array_equal(found.ranking.score, expected.score)


def test_ranking_size_sets_the_points_for_a_first_place(db):
    study = make_ranking_round(choices=[(0, [0, 1]), (1, [1])], ranking_size=3)
    found = rr.ranking_results(study.rounds[0])
    assert found.ranking.top_n == 3
    assert {row.item_id: row.points for row in found.rows}[study.items[1].id] == 2 + 3


def test_a_large_group_dominates_pooled_points_but_not_jla(db):
    # Ten patients all rank A then B; one nurse and one doctor rank C then B.
    choices = [(0, [0, 1])] * 10 + [(1, [2, 1]), (2, [2, 1])]
    study = make_ranking_round(n_items=4, choices=choices)
    round_ = study.rounds[0]
    a, b, c = (item.id for item in study.items[:3])
    jla = rr.ranking_results(round_, "jla")
    weighted = rr.ranking_results(round_, "weighted")
    union = rr.ranking_results(round_, "union", k=1)
    # Pooled points put A (20) far ahead of C (4).
    assert {row.item_id: row.points for row in jla.rows}[a] == 20
    # JLA: patients A1 B2, nurses and doctors C1 B2: C has two firsts, so C leads.
    assert [row.item_id for row in jla.rows][:3] == [c, b, a]
    # Weighted: A 2, B 1 + 1 + 1 = 3, C 2 + 2 = 4 per person summed over groups.
    assert [row.item_id for row in weighted.rows][:3] == [c, b, a]
    assert {row.item_id: row.score for row in weighted.rows} [b] == 3
    # Union of each group's top 1: A (patients) and C (nurses, doctors); B in no one's top 1.
    assert {row.item_id for row in union.rows if row.selected} == {a, c}
    comparison = rr.compare_methods(round_, k=1)
    assert comparison.size == 4
    assert comparison.shortlists["union"] == (c, a)
    assert comparison.differing == (b, study.items[3].id)


def test_unknown_method_and_bad_k_are_refused(db):
    study = make_ranking_round(choices=EXAMPLE)
    with pytest.raises(ValidationError, match="Choose a method"):
        rr.ranking_results(study.rounds[0], "points")
    with pytest.raises(ValidationError, match="at least 1"):
        rr.ranking_results(study.rounds[0], "union", k=0)


def test_nobody_ranked_is_a_clear_message(db):
    study = make_ranking_round(choices=[(None, [0])])
    with pytest.raises(ValidationError, match="Nobody has ranked"):
        rr.ranking_results(study.rounds[0])


@pytest.mark.parametrize(("state", "kind"), [(RoundState.OPEN, RoundKind.RANKING),
                                             (RoundState.DRAFT, RoundKind.RANKING),
                                             (RoundState.CLOSED, RoundKind.RATING)])
def test_only_finished_ranking_rounds_have_results_pages(db, state, kind):
    study = make_ranking_round(choices=EXAMPLE, state=state, kind=kind)
    with pytest.raises(RoundStateError):
        rr.check_finished(study.rounds[0])


# --- the proposed cut --------------------------------------------------------------------


def _scores(*drops_after):
    """40 scores falling by 1 each step, with bigger drops after the given positions."""
    scores, value = [], 100.0
    for position in range(1, 41):
        scores.append(value)
        value -= dict(drops_after).get(position, 1)
    return scores


def test_cut_at_the_largest_drop_between_25_and_30():
    assert rr.propose_cut(_scores((27, 5))) == 27
    assert rr.propose_cut(_scores((25, 3), (30, 4))) == 30
    # Drops outside 25..30 do not count.
    assert rr.propose_cut(_scores((24, 9), (31, 9), (26, 2))) == 26


def test_equal_drops_take_the_smallest_position():
    assert rr.propose_cut(_scores((26, 4), (29, 4))) == 26
    assert rr.propose_cut(_scores()) == 25


def test_short_lists_are_kept_whole():
    assert rr.propose_cut([5, 4, 3]) == 3
    assert rr.propose_cut(list(range(25, 0, -1))) == 25
    assert rr.propose_cut([]) == 0
    # 27 items: only p = 25 and 26 have a following item.
    scores = [float(60 - i) for i in range(27)]
    scores[26] = 0.0
    assert rr.propose_cut(scores) == 26


def test_cut_bounds_can_be_set_and_must_make_sense():
    assert rr.propose_cut([10, 9, 5, 4, 3], low=1, high=3) == 2
    with pytest.raises(ValueError, match="low"):
        rr.propose_cut([1, 2], low=0)
    with pytest.raises(ValueError, match="low"):
        rr.propose_cut([1, 2], low=5, high=4)


def test_ties_at_the_cut_are_flagged():
    assert rr.tied_at_cut([9, 8, 7, 7, 7, 3], 4) == (3, 4, 5)
    assert rr.tied_at_cut([9, 8, 7, 6], 2) == ()
    assert rr.tied_at_cut([9, 8, 8], 3) == ()
    assert rr.tied_at_cut([9, 9], 0) == ()


def test_cut_proposal_names_the_tied_items(db):
    # Items 0 and 1 are each someone's first choice in one group: they tie in every list.
    study = make_ranking_round(n_items=4, choices=[(0, [0]), (0, [1])])
    results = rr.ranking_results(study.rounds[0])
    proposal = rr.cut_proposal(results, size=1)
    assert proposal.proposed_size == 4
    assert {row.item_id for row in proposal.tied} == {study.items[0].id, study.items[1].id}
    assert rr.cut_proposal(results).tied == ()


# --- deciding the shortlist -----------------------------------------------------------------


def _many_items_round(owner):
    """30 items ranked so the largest drop between 25 and 30 is after 27 (JLA scores)."""
    study = make_ranking_round(owner=owner, n_items=30, choices=[])
    round_ = study.rounds[0]
    for group in range(3):
        participant = make_participant(study, group=study.groups[group])
        for position, index in enumerate(range(27), start=1):
            _db.session.add(Ranking(participant_id=participant.id, round_id=round_.id,
                                    item_id=study.items[index].id, position=position))
    _db.session.commit()
    return study


def test_deciding_the_proposed_size_needs_no_reason(db):
    owner = make_user()
    study = _many_items_round(owner)
    round_ = study.rounds[0]
    assert rr.current_shortlist(round_) is None
    assert rr.shortlist_size(round_) == 27
    decided = rr.decide_shortlist(round_, owner, 27, "", "jla")
    assert (decided.size, decided.proposed_size, decided.method) == (27, 27, "jla")
    assert rr.current_shortlist(round_).id == decided.id
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "shortlist.decided"))
    assert event.details["size"] == 27 and event.user_id == owner.id


def test_a_changed_size_needs_a_reason_and_the_latest_is_in_force(db):
    owner = make_user()
    study = _many_items_round(owner)
    round_ = study.rounds[0]
    with pytest.raises(ValidationError, match="Give a reason"):
        rr.decide_shortlist(round_, owner, 25, "  ", "jla")
    assert _db.session.scalar(select(Shortlist)) is None
    rr.decide_shortlist(round_, owner, 27, "", "jla")
    second = rr.decide_shortlist(round_, owner, 25, "Room for 25 in the workshop", "jla")
    assert rr.current_shortlist(round_).id == second.id
    assert rr.shortlist_size(round_) == 25
    history = rr.shortlist_history(round_)
    assert [entry.shortlist.size for entry in history] == [25, 27]
    assert history[0].decided_by == owner.name


def test_steering_members_may_decide_and_outsiders_may_not(db):
    owner = make_user()
    study = _many_items_round(owner)
    steering = make_user(email="steer@example.test")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    assert rr.decide_shortlist(study.rounds[0], steering, 27).decided_by_id == steering.id
    outsider = make_user(email="out@example.test")
    with pytest.raises(Forbidden):
        rr.decide_shortlist(study.rounds[0], outsider, 27)


@pytest.mark.parametrize(("size", "method", "message"), [
    (0, "jla", "between 1 and 30"), (31, "jla", "between 1 and 30"),
    (27, "union", "cut from"), (27, "points", "cut from"),
])
def test_bad_decisions_are_refused(db, size, method, message):
    owner = make_user()
    study = _many_items_round(owner)
    with pytest.raises(ValidationError, match=message):
        rr.decide_shortlist(study.rounds[0], owner, size, "because", method)
    assert _db.session.scalar(select(Shortlist)) is None


def test_no_decision_on_an_open_round(db):
    owner = make_user()
    study = make_ranking_round(owner=owner, choices=EXAMPLE, state=RoundState.OPEN)
    with pytest.raises(RoundStateError):
        rr.decide_shortlist(study.rounds[0], owner, 3, "why")


def test_items_outside_the_round_are_ignored(db):
    study = make_ranking_round(n_items=3, choices=[(0, [0, 1])])
    extra = Item(study=study, position=9, domain="")
    ItemVersion(item=extra, number=1, text="Not in the round")
    _db.session.add(extra)
    _db.session.commit()
    participant = study.participants[0]
    _db.session.add(Ranking(participant_id=participant.id, round_id=study.rounds[0].id,
                            item_id=extra.id, position=3))
    _db.session.commit()
    found = rr.ranking_results(study.rounds[0])
    assert extra.id not in found.item_ids and len(found.rows) == 3


def test_shortlisted_items_follow_the_decision_in_force(db):
    owner = make_user()
    study = make_ranking_round(owner=owner, n_items=4,
                               choices=[(0, [0, 1])] * 10 + [(1, [2, 1]), (2, [2, 1])])
    round_ = study.rounds[0]
    assert rr.shortlisted_items(round_) is None
    rr.decide_shortlist(round_, owner, 2, "Two only", "weighted")
    c, b = study.items[2].id, study.items[1].id
    assert rr.shortlisted_items(round_) == (c, b)
