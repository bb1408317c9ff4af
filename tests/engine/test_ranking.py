"""Top-N aggregation against the JLA Guidebook method worked by hand, and its properties."""

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from delphi.engine import rank_aggregate, ranking

nan = np.nan

# A James Lind Alliance interim survey in miniature: five questions Q0-Q4, each respondent
# ranks a top 3 (rank 1 = 3 points, rank 2 = 2, rank 3 = 1; JLA Guidebook ch. 7 uses the
# same scheme with 10). Three patients/carers and two clinicians.
JLA_RANKS = np.array(
    [
        [1, 2, 3, nan, nan],  # patient: Q0 first, Q1 second, Q2 third
        [1, 3, 2, nan, nan],  # patient
        [2, 1, nan, 3, nan],  # patient
        [nan, nan, 3, 2, 1],  # clinician
        [3, nan, nan, 1, 2],  # clinician
    ]
)
JLA_GROUPS = ["patient", "patient", "patient", "clinician", "clinician"]


def test_pooled_points_worked_by_hand():
    # Points by hand: Q0 3+3+2+1 = 9, Q1 2+1+3 = 6, Q2 1+2+1 = 4, Q3 1+2+3 = 6, Q4 3+2 = 5.
    result = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS)
    assert result.top_n == 3  # the largest rank position used
    assert_array_equal(result.points, [9, 6, 4, 6, 5])
    assert_array_equal(result.score, result.points)
    assert_array_equal(result.times_chosen, [4, 3, 3, 3, 2])
    # Mean rank among choosers: Q0 (1+1+2+3)/4, Q1 (2+3+1)/3, Q2 (3+2+3)/3, Q3 (3+2+1)/3.
    assert_array_equal(result.mean_rank, [7 / 4, 2, 8 / 3, 2, 1.5])
    # Q1 and Q3 tie on points (6), times chosen (3) and mean rank (2): item index decides.
    assert_array_equal(result.order, [0, 1, 3, 4, 2])
    assert_array_equal(result.position, [1, 2.5, 5, 2.5, 4])
    assert result.selected.all()


def test_jla_method_worked_by_hand():
    # JLA Guidebook (interim survey): total points separately per group, rank each group's
    # list, re-score by position (number of items + 1 - position = 6 - position; tied items
    # share the average position) and add the position scores across groups.
    # Patients: Q0 8, Q1 6, Q2 3, Q3 1, Q4 0 -> positions 1..5 -> scores 5, 4, 3, 2, 1.
    # Clinicians: Q3 5, Q4 5 (positions 1-2, share 1.5), Q0 1, Q2 1 (3-4, share 3.5), Q1 0
    # (5) -> scores Q0 2.5, Q1 1, Q2 2.5, Q3 4.5, Q4 4.5.
    # Totals: Q0 7.5, Q1 5, Q2 5.5, Q3 6.5, Q4 5.5; Q2 (chosen 3 times) before Q4 (2).
    result = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS, method="jla")
    assert_array_equal(result.score, [7.5, 5, 5.5, 6.5, 5.5])
    assert_array_equal(result.order, [0, 3, 2, 4, 1])
    assert_array_equal(result.position, [1, 5, 3.5, 2, 3.5])
    assert_array_equal(result.points, [9, 6, 4, 6, 5])  # pooled points are still reported
    patients, clinicians = result.by_group["patient"], result.by_group["clinician"]
    assert_array_equal(patients.points, [8, 6, 3, 1, 0])
    assert_array_equal(clinicians.points, [1, 0, 1, 5, 5])
    assert_array_equal(clinicians.position, [3.5, 5, 3.5, 1.5, 1.5])
    assert_array_equal(clinicians.times_chosen, [1, 0, 1, 2, 2])
    assert np.isnan(clinicians.mean_rank[1])  # never chosen by a clinician
    # By the definition: the JLA score is the sum over groups of (items + 1 - position).
    assert_array_equal(result.score, sum(6 - g.position for g in result.by_group.values()))


def test_jla_lets_a_small_group_count_as_much_as_a_large_one():
    # Pooled points put the patients' Q1 (6 points) above the clinicians' shared top
    # choice Q4 (5); the JLA method, where each group's list counts once, reverses them.
    pooled = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS)
    jla = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS, method="jla")
    assert pooled.position[1] < pooled.position[4]
    assert jla.position[4] < jla.position[1]


def test_weighted_method_worked_by_hand():
    # Points per respondent in each group, summed: patients / 3, clinicians / 2.
    # Q0 8/3 + 1/2, Q1 6/3 + 0, Q2 3/3 + 1/2, Q3 1/3 + 5/2, Q4 0 + 5/2.
    result = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS, method="weighted")
    expected = [8 / 3 + 1 / 2, 2, 1.5, 1 / 3 + 5 / 2, 2.5]
    np.testing.assert_allclose(result.score, expected, rtol=1e-15)
    assert_array_equal(result.order, [0, 3, 4, 1, 2])


def test_union_of_each_groups_top_k():
    # k = 1: patients' top item Q0; clinicians' Q3 and Q4 tie for first, so both are in.
    one = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS, method="union", k=1)
    assert_array_equal(one.selected, [True, False, False, True, True])
    assert_array_equal(one.by_group["patient"].selected, [True, False, False, False, False])
    # k = 2: patients Q0, Q1; clinicians Q3, Q4 (Q0 and Q2 tie for third, outside).
    two = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS, method="union", k=2)
    assert_array_equal(two.selected, [True, True, False, True, True])
    # The selection is ordered by the JLA score.
    assert_array_equal(two.score, [7.5, 5, 5.5, 6.5, 5.5])


def test_union_never_selects_an_item_a_group_did_not_choose():
    # Clinicians chose only Q3, Q4, Q0, Q2; with k = 5 their unchosen Q1 is still left out,
    # and it is in only because the patients chose it.
    ranks = JLA_RANKS[3:]
    result = rank_aggregate(ranks, groups=["c", "c"], method="union", k=5)
    assert_array_equal(result.selected, [True, False, True, True, True])


def test_explicit_top_n_gives_the_guidebook_ten_point_scheme():
    # JLA Guidebook: rank 1 = 10 points ... rank 10 = 1, whatever positions were used.
    result = rank_aggregate([[1, 2, 3, nan]], top_n=10)
    assert_array_equal(result.points, [10, 9, 8, 0])
    assert result.top_n == 10


def test_choosing_without_ranking_scores_one_per_choice():
    # Tick-your-top-2, as booleans: every choice scores 1, so points equal times chosen.
    ticks = np.array([[True, True, False], [True, False, True], [False, True, False]])
    result = rank_aggregate(ticks)
    assert result.top_n == 1
    assert_array_equal(result.points, [2, 2, 1])
    assert_array_equal(result.points, result.times_chosen)
    # The same ticks as a 1 / nan matrix give the same result.
    same = rank_aggregate(np.where(ticks, 1.0, nan))
    assert_array_equal(same.points, result.points)
    assert_array_equal(same.order, result.order)


def test_order_breaks_equal_points_by_times_chosen():
    # top_n = 3. Item 0: one first place, 3 points. Item 1: a second and a third place,
    # 2 + 1 = 3 points, chosen twice: more choosers comes first.
    result = rank_aggregate([[1, 2, nan], [nan, 3, 1]], top_n=3)
    assert_array_equal(result.points, [3, 3, 3])
    # Item 2 also has 3 points from one first place: it ties item 0 on everything.
    assert_array_equal(result.order, [1, 0, 2])
    assert_array_equal(result.position, [2, 2, 2])


def test_order_breaks_equal_scores_and_choosers_by_mean_rank():
    # With pooled Borda points, equal points and choosers imply equal mean rank, so the
    # mean rank matters for the other methods. "weighted", top_n = 2, items X, Y, Z:
    # group a (2 people): a1 ranks Y first, Z second; a2 ranks Z first -> X 0, Y 2, Z 3.
    # group b (1 person): b1 ranks Z first, X second -> X 1, Y 0, Z 2.
    # Scores: X 0/2 + 1 = 1, Y 2/2 + 0 = 1, Z 3/2 + 2 = 3.5. X and Y are each chosen
    # once; Y's mean rank 1 beats X's 2, so Y comes before X despite its higher index.
    ranks = [[nan, 1, 2], [nan, nan, 1], [2, nan, 1]]
    result = rank_aggregate(ranks, groups=["a", "a", "b"], method="weighted")
    assert_array_equal(result.score, [1, 1, 3.5])
    assert_array_equal(result.times_chosen, [1, 1, 3])
    assert_array_equal(result.mean_rank, [2, 1, 4 / 3])
    assert_array_equal(result.order, [2, 1, 0])


def test_never_chosen_items_have_nan_mean_rank_and_come_last():
    result = rank_aggregate([[1, nan, 2], [2, nan, 1]])
    assert np.isnan(result.mean_rank[1])
    assert result.points[1] == 0
    assert result.order[-1] == 1


def test_groups_give_per_group_tallies_that_add_up():
    result = rank_aggregate(JLA_RANKS, groups=JLA_GROUPS)
    assert set(result.by_group) == {"patient", "clinician"}
    assert_array_equal(sum(g.points for g in result.by_group.values()), result.points)
    assert_array_equal(sum(g.times_chosen for g in result.by_group.values()), result.times_chosen)
    assert rank_aggregate(JLA_RANKS).by_group == {}


# --- properties -----------------------------------------------------------------------------


@st.composite
def ranked_panels(draw):
    """Participants each ranking a random top-k of the items, with two or three groups."""
    n_items = draw(st.integers(2, 7))
    n_participants = draw(st.integers(2, 9))
    rows = []
    for _ in range(n_participants):
        chosen = draw(st.permutations(range(n_items)))[: draw(st.integers(1, n_items))]
        row = np.full(n_items, nan)
        row[list(chosen)] = np.arange(1, len(chosen) + 1)
        rows.append(row)
    groups = draw(
        st.lists(st.sampled_from("abc"), min_size=n_participants, max_size=n_participants)
    )
    return np.array(rows), np.array(groups)


@given(ranked_panels(), st.sampled_from(["points", "jla", "weighted"]), st.randoms())
def test_permuting_participants_changes_nothing(panel, method, random):
    ranks, groups = panel
    shuffle = list(range(len(ranks)))
    random.shuffle(shuffle)
    first = rank_aggregate(ranks, groups=groups, method=method)
    second = rank_aggregate(ranks[shuffle], groups=groups[shuffle], method=method)
    np.testing.assert_allclose(second.score, first.score, rtol=1e-12)
    assert_array_equal(second.order, first.order)
    assert_array_equal(second.times_chosen, first.times_chosen)


@given(ranked_panels(), st.sampled_from(["points", "jla", "weighted"]), st.randoms())
def test_permuting_items_permutes_the_results(panel, method, random):
    ranks, groups = panel
    shuffle = list(range(ranks.shape[1]))
    random.shuffle(shuffle)
    first = rank_aggregate(ranks, groups=groups, method=method)
    second = rank_aggregate(ranks[:, shuffle], groups=groups, method=method)
    np.testing.assert_allclose(second.score, first.score[shuffle], rtol=1e-12)
    assert_array_equal(second.points, first.points[shuffle])
    assert_array_equal(second.position, first.position[shuffle])


@given(ranked_panels())
def test_jla_score_does_not_depend_on_group_size(panel):
    # Copying every member of one group three times triples its points but leaves its list,
    # and so the JLA score, unchanged; pooled points change.
    ranks, groups = panel
    label = groups[0]
    extra = np.repeat(ranks[groups == label], 2, axis=0)
    bigger = np.concatenate([ranks, extra])
    bigger_groups = np.concatenate([groups, np.full(len(extra), label)])
    before = rank_aggregate(ranks, groups=groups, method="jla")
    after = rank_aggregate(bigger, groups=bigger_groups, method="jla")
    assert_array_equal(after.score, before.score)
    weighted_before = rank_aggregate(ranks, groups=groups, method="weighted")
    weighted_after = rank_aggregate(bigger, groups=bigger_groups, method="weighted")
    np.testing.assert_allclose(weighted_after.score, weighted_before.score, rtol=1e-12)


@given(ranked_panels())
def test_points_are_borda_counts(panel):
    # Independent count: each participant's rank r gives top_n + 1 - r points.
    ranks, _ = panel
    result = rank_aggregate(ranks)
    top_n = int(np.nanmax(ranks))
    expected = np.zeros(ranks.shape[1])
    for row in ranks:
        for item, rank in enumerate(row):
            if not np.isnan(rank):
                expected[item] += top_n + 1 - rank
    assert_array_equal(result.points, expected)
    assert sorted(result.order) == list(range(ranks.shape[1]))


# --- invalid input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ([[1, 1, 2]], "rank position 1 to more than one item"),
        ([[1, 2, 2]], "rank position 2 to more than one item"),
        ([[1.5, 2, nan]], r"ranks\[0, 0\] = 1.5"),
        ([[0, 1, nan]], r"ranks\[0, 0\] = 0 "),
        ([[-1, 1, nan]], r"ranks\[0, 0\] = -1 "),
        ([[np.inf, 1, nan]], "inf"),
        ([[nan, nan]], "no choices"),
        ([1, 2, 3], "2-D"),
        (np.empty((0, 3)), "empty"),
        ([["a", "b"]], "numeric"),
    ],
)
def test_bad_ranks_are_named(ranks, message):
    with pytest.raises(ValueError, match=message):
        rank_aggregate(ranks)


def test_bad_options_are_named():
    ranks = [[1, 2, nan], [2, 1, 3]]
    with pytest.raises(ValueError, match="top_n"):
        rank_aggregate(ranks, top_n=2)
    with pytest.raises(ValueError, match="top_n"):
        rank_aggregate(ranks, top_n=3.5)
    with pytest.raises(ValueError, match="method"):
        rank_aggregate(ranks, method="borda")
    with pytest.raises(ValueError, match="pass groups"):
        rank_aggregate(ranks, method="jla")
    with pytest.raises(ValueError, match="pass groups"):
        rank_aggregate(ranks, method="union", k=2)
    with pytest.raises(ValueError, match="k"):
        rank_aggregate(ranks, groups=["a", "b"], method="union")
    with pytest.raises(ValueError, match="k"):
        rank_aggregate(ranks, groups=["a", "b"], method="union", k=0)
    with pytest.raises(ValueError, match="k is used only"):
        rank_aggregate(ranks, groups=["a", "b"], method="jla", k=2)
    with pytest.raises(ValueError, match="one label per participant"):
        rank_aggregate(ranks, groups=["a"])


def test_docstring_examples():
    result = doctest.testmod(ranking, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
