"""Consensus rules: hand-worked cases from the published definitions, end to end.

Every summary is built by ``summarise`` from a small hand-made panel; every expected status
and number is worked out by hand from the definition cited beside it, never read back from
the engine.
"""

import dataclasses
import json
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from delphi.engine import (
    COMET_GRADE,
    COMET_GRADE_OUT_BY_GROUP,
    GRADE_9,
    LIKERT_5,
    PRESETS,
    RAND_UCLA,
    RAND_UCLA_CLASSIC,
    ConsensusRule,
    Criterion,
    EveryGroupRule,
    RandUclaClassicRule,
    RandUclaRule,
    RoundDependentRule,
    Rule,
    Scale,
    classify,
    compare_rules,
    rule_from_dict,
    rule_from_json,
    small_cell_suppression,
    summarise,
)

NAN = np.nan


def panel(*items):
    """Participants x items array from one list of ratings per item (nan-padded)."""
    length = max(len(item) for item in items)
    return np.array([list(item) + [NAN] * (length - len(item)) for item in items], float).T


def status_of(ratings, rule, scale=GRADE_9, **kwargs):
    return classify(summarise(ratings, scale, **kwargs), rule).status.tolist()


# --- COMET / GRADE: in = >= 70 % rate 7-9 and < 15 % rate 1-3; out = >= 70 % rate 1-3 and
# < 15 % rate 7-9 (Harman 2013; Waters 2014; ELICIT protocol, Trials 2015, Table 1). -------


def test_comet_exactly_70_percent_is_in():
    # 7 of 10 rate 7-9 (70 %, ">= 70" holds) and 1 of 10 rates 1-3 (10 % < 15 %): in.
    result = classify(summarise(panel([7, 8, 9, 7, 8, 9, 7, 5, 5, 2]), GRADE_9), COMET_GRADE)
    assert result.status.tolist() == ["consensus_in"]
    assert result.reasons[0] == (
        "consensus in: 7 of 10 (70%) rated 7–9 (needs ≥ 70%) and "
        "1 of 10 (10%) rated 1–3 (needs < 15%)"
    )


def test_comet_just_below_70_percent_is_not_in():
    # 13 of 20 rate 7-9 = 65 % < 70 %; none rate 1-3: no consensus (ELICIT Table 1).
    item = [7] * 13 + [5] * 7
    assert status_of(panel(item), COMET_GRADE) == ["no_consensus"]


def test_comet_exactly_15_percent_in_1_to_3_is_not_in():
    # 14 of 20 rate 7-9 (70 %) but 3 of 20 rate 1-3 = 15 %, and "< 15 %" is strict (ELICIT
    # Table 1; methods.md): not in. With 2 of 20 (10 %) the same item is in.
    fifteen = [7] * 14 + [2] * 3 + [5] * 3
    ten = [7] * 14 + [2] * 2 + [5] * 4
    result = classify(summarise(panel(fifteen, ten), GRADE_9), COMET_GRADE)
    assert result.status.tolist() == ["no_consensus", "consensus_in"]
    assert "3 of 20 (15%) rated 1–3 (needs < 15%)" in result.reasons[0]


def test_comet_consensus_out_and_its_strict_bound():
    # Out: 8 of 10 rate 1-3 (80 % >= 70) and 1 of 10 rates 7-9 (10 % < 15): out.
    # 14 of 20 rate 1-3 (70 %) with 3 of 20 rating 7-9 (exactly 15 %): not out (strict).
    out = [1] * 7 + [3, 9, 5] + [NAN] * 10
    not_out = [2] * 14 + [8] * 3 + [5] * 3
    assert status_of(panel(out, not_out), COMET_GRADE) == ["consensus_out", "no_consensus"]


def test_no_consensus_reason_names_the_failing_bounds():
    # 5 of 10 rate 7-9 (50 %) and 3 of 10 rate 1-3 (30 %): neither in nor out.
    result = classify(summarise(panel([1, 2, 3, 5, 7, 7, 8, 9, 9, 5]), GRADE_9), COMET_GRADE)
    assert result.reasons[0] == (
        "no consensus: not in: 5 of 10 (50%) rated 7–9 (needs ≥ 70%) and 3 of 10 (30%) rated "
        "1–3 (needs < 15%); not out: 3 of 10 (30%) rated 1–3 (needs ≥ 70%) and 5 of 10 (50%) "
        "rated 7–9 (needs < 15%)"
    )


def test_percentages_are_compared_exactly():
    # 57 of 100 is exactly 57 % although 57 / 100 * 100 is 56.99999999999999 in floating point.
    rule = ConsensusRule("57 %", [Criterion("percent", ">=", 57, band=(7, 9))])
    assert status_of(panel([9] * 57 + [5] * 43), rule) == ["consensus_in"]


def test_unable_to_score_is_left_out_of_the_denominator():
    # 7 rate 7-9, 3 rate 4-6, 2 unable: 7 of 10 valid = 70 % -> in (unable excluded from n).
    ratings = panel([7] * 7 + [5] * 3 + [0, 0])
    unable = np.isin(np.arange(12), [10, 11])[:, None]
    result = classify(summarise(ratings, GRADE_9, unable=unable), COMET_GRADE)
    assert result.status.tolist() == ["consensus_in"]
    assert "7 of 10 (70%)" in result.reasons[0]


def test_item_without_ratings_is_neutral_and_says_so():
    # No valid rating: every statistic is nan, so no rule can be met.
    ratings = panel([7, 8], [NAN, NAN], [NAN, 0])
    unable = np.array([[False, False, False], [False, False, True]])
    summary = summarise(ratings, GRADE_9, unable=unable)
    comet = classify(summary, COMET_GRADE)
    assert comet.status.tolist()[1:] == ["no_consensus", "no_consensus"]
    assert comet.reasons.tolist()[1:] == ["no ratings", "no ratings (1 unable to score)"]
    for rule in (RAND_UCLA, RAND_UCLA_CLASSIC):
        result = classify(summary, rule)
        assert result.status.tolist()[1:] == ["uncertain", "uncertain"]
        assert result.reasons[1] == "no ratings"


# --- The second "consensus out": <= 50 % rate 7-9 in each stakeholder group (methods.md). --


def test_out_by_group_needs_every_group_at_or_below_50_percent():
    groups = ["patient"] * 5 + ["clinician"] * 4
    # Item 1: patients 2 of 5 rate 7-9 (40 %), clinicians 2 of 4 (50 %, "<= 50" inclusive): out.
    # Item 2: patients 2 of 5 (40 %), clinicians 3 of 4 (75 %): not out, and overall 5 of 9
    # = 56 % is not in either: no consensus.
    first = [8, 9, 5, 5, 4] + [7, 9, 5, 6]
    second = [8, 9, 5, 5, 4] + [7, 9, 8, 6]
    result = classify(
        summarise(panel(first, second), GRADE_9, groups=groups), COMET_GRADE_OUT_BY_GROUP
    )
    assert result.status.tolist() == ["consensus_out", "no_consensus"]
    assert "clinician: 2 of 4 (50%) rated 7–9" in result.reasons[0]
    assert "needs ≤ 50% in every group" in result.reasons[0]


def test_by_group_status_reads_each_group_alone():
    # COMET within each group: patients 5 of 5 rate 7-9 (in); clinicians 2 of 4 (50 %) with
    # 2 of 4 rating 1-3 (50 %): neither.
    groups = ["patient"] * 5 + ["clinician"] * 4
    ratings = panel([7, 8, 9, 9, 8, 7, 9, 1, 2])
    result = classify(summarise(ratings, GRADE_9, groups=groups), COMET_GRADE)
    assert result.by_group["patient"].tolist() == ["consensus_in"]
    assert result.by_group["clinician"].tolist() == ["no_consensus"]
    assert result.group_reasons["patient"][0].startswith("consensus in: 5 of 5 (100%)")


def test_suppressed_group_cells_get_the_neutral_status():
    # small_cell_suppression hides the clinicians' cell (n = 2 < 3) and, so that it cannot be
    # recovered from the total, the next smallest group too; hidden cells have no statistics.
    groups = ["patient"] * 4 + ["carer"] * 3 + ["clinician"] * 2
    summary = summarise(panel([7, 8, 9, 7, 8, 9, 7, 8, 9]), GRADE_9, groups=groups)
    shown = small_cell_suppression(summary, 3).summary
    result = classify(shown, COMET_GRADE)
    assert result.by_group["clinician"].tolist() == ["no_consensus"]
    assert result.group_reasons["clinician"].tolist() == [
        "statistics suppressed (too few ratings to show)"
    ]
    assert result.by_group["patient"].tolist() == ["consensus_in"]


def test_without_groups_by_group_is_empty():
    result = classify(summarise(panel([7, 8, 9]), GRADE_9), COMET_GRADE)
    assert result.by_group == {} and result.group_reasons == {}


# --- RAND/UCLA (Fitch et al. 2001): appropriate median 7-9, inappropriate 1-3, uncertain
# 4-6 or any disagreement; half-point convention 1-3.5 / 4-6.5 / 7-9. --------------------


def test_rand_half_point_medians_follow_the_convention():
    # Ten ratings each; linear quantiles (v = 9 q), IPRAS = 2.35 + 1.5 |5 - (P30 + P70) / 2|.
    # 3 x5, 4 x5: median 3.5; P30 3, P70 4, IPR 1 <= IPRAS 2.35 + 1.5 * 1.5 = 4.6 -> inappropriate.
    # 4 x5, 5 x5: median 4.5; IPR 1 <= IPRAS 2.35 + 1.5 * 0.5 = 3.1 -> uncertain (4-6.5).
    # 6 x5, 7 x5: median 6.5; IPR 1 <= IPRAS 4.6 -> uncertain (the 4-6.5 band).
    # 7 x10: median 7; IPR 0 -> appropriate.
    items = [[3] * 5 + [4] * 5, [4] * 5 + [5] * 5, [6] * 5 + [7] * 5, [7] * 10]
    assert status_of(panel(*items), RAND_UCLA) == [
        "inappropriate",
        "uncertain",
        "uncertain",
        "appropriate",
    ]


def test_rand_convention_is_a_rule_parameter():
    # The same 6.5 median counts as appropriate when the rule says median >= 6.5.
    rule = RandUclaRule("RAND, 6.5 appropriate", appropriate=Criterion("median", ">=", 6.5))
    assert status_of(panel([6] * 5 + [7] * 5), rule) == ["appropriate"]
    # ... and a strict "< 3.5" inappropriate bound leaves a 3.5 median uncertain.
    strict = RandUclaRule("RAND, below 3.5", inappropriate=Criterion("median", "<", 3.5))
    assert status_of(panel([3] * 5 + [4] * 5), strict) == ["uncertain"]


def test_ipras_published_example_has_no_disagreement():
    # BMJ Open 2012;2:e001431, Table 1: P30 = 7, P70 = 8 -> IPR 1, IPRCP 7.5, AI 2.5,
    # IPRAS 2.35 + 1.5 * 2.5 = 6.1, no disagreement. Six 7s and four 8s give those
    # percentiles (linear, v = 2.7 and 6.3) and median 7: appropriate.
    result = classify(summarise(panel([7] * 6 + [8] * 4), GRADE_9), RAND_UCLA)
    assert result.status.tolist() == ["appropriate"]
    assert result.reasons[0] == (
        "appropriate: median 7 (≥ 7) and no disagreement (IPR 1 ≤ IPRAS 6.1)"
    )


def test_ipras_disagreement_forces_uncertain_whatever_the_median():
    # Four 1s and six 9s: median 9, P30 = 1, P70 = 9, IPR 8 > IPRAS 2.35 + 1.5 * 0 = 2.35
    # (Fitch et al. 2001): uncertain although the median is in 7-9.
    result = classify(summarise(panel([1] * 4 + [9] * 6), GRADE_9), RAND_UCLA)
    assert result.status.tolist() == ["uncertain"]
    assert result.reasons[0] == (
        "uncertain: disagreement (IPR 8 > IPRAS 2.35), whatever the median 9"
    )


# --- Classic panel-size rule (BMC Med Inform Decis Mak 2012;12:93, Table 7): for 8-10 /
# 11-13 / 14-16 panellists, disagreement when >= 3 / 4 / 5 rate in each of 1-3 and 7-9. ----


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        # n = 8, 2 rate 1-3 (< 3): no disagreement, median (7 + 8) / 2 = 7.5 -> appropriate.
        ([1, 2, 7, 7, 8, 8, 9, 9], "appropriate"),
        # n = 8, 3 rate 1-3 and 5 rate 7-9 (>= 3 each): disagreement -> uncertain (median 7).
        ([1, 2, 3, 7, 7, 8, 9, 9], "uncertain"),
        # n = 11, 3 low and 8 high (3 < 4): none; 6th of 11 is 7 -> appropriate.
        ([1, 1, 1, 7, 7, 7, 7, 8, 8, 9, 9], "appropriate"),
        # n = 11, 4 low and 7 high (>= 4 each): disagreement -> uncertain.
        ([1, 1, 1, 1, 7, 7, 7, 8, 8, 9, 9], "uncertain"),
        # n = 14, 4 low and 10 high (4 < 5): none; 7th and 8th are 7 -> appropriate.
        ([1] * 4 + [7] * 5 + [8] * 2 + [9] * 3, "appropriate"),
        # n = 14, 5 low and 9 high (>= 5 each): disagreement -> uncertain.
        ([1] * 5 + [7] * 4 + [8] * 2 + [9] * 3, "uncertain"),
        # n = 14, 9 low and 2 high: no disagreement (2 < 5), median 1 -> inappropriate.
        ([1] * 9 + [5] * 3 + [9] * 2, "inappropriate"),
    ],
)
def test_classic_panel_size_rule(item, expected):
    assert status_of(panel(item), RAND_UCLA_CLASSIC) == [expected]


def test_classic_rule_uses_each_items_own_panel_size():
    # Same 14-person panel; item 2 has 3 unrated entries, so n = 11 and 4 in each extreme is
    # already disagreement, while item 1 with n = 14 needs 5.
    first = [1] * 4 + [7] * 4 + [9] * 6
    second = [1] * 4 + [7] * 4 + [9] * 3 + [NAN] * 3
    result = classify(summarise(panel(first, second), GRADE_9), RAND_UCLA_CLASSIC)
    assert result.status.tolist() == ["appropriate", "uncertain"]
    assert "for 11–13 panellists ≥ 4 in each extreme" in result.reasons[1]


@pytest.mark.parametrize("n", [7, 17])
def test_classic_rule_outside_its_table_is_uncertain(n):
    # Table 7 covers 8-16 panellists only: elsewhere disagreement cannot be assessed, so the
    # item is uncertain even with every rating 9 (documented choice, see rules.py).
    result = classify(summarise(panel([9] * n), GRADE_9), RAND_UCLA_CLASSIC)
    assert result.status.tolist() == ["uncertain"]
    assert f"covers 8–10, 11–13, 14–16 ratings, this item has {n}" in result.reasons[0]


def test_classic_table_is_configurable():
    # A facilitator's own table row (not a published one): for 5-7 panellists, >= 2 in each
    # extreme. 1, 2, 7, 7, 8, 9, 9: 2 rate 1-3 and 5 rate 7-9 -> disagreement -> uncertain;
    # the published table does not cover n = 7 either, so both say uncertain for different
    # reasons.
    rule = RandUclaClassicRule("small panels", panel_sizes=[(5, 7, 2)])
    result = classify(summarise(panel([1, 2, 7, 7, 8, 9, 9]), GRADE_9), rule)
    assert result.status.tolist() == ["uncertain"]
    assert result.reasons[0].startswith("uncertain: disagreement (2 of 7 rated 1–3 and 5 rated")


# --- Configured rules: median and IQR, percent agreement, by round, every group. ---------


def test_median_and_iqr_rule_with_strict_and_inclusive_bounds():
    # 5, 7, 7, 8, 9: median 7, Q1 = 7, Q3 = 8 (v = 1 and 3), IQR 1.
    # 1, 4, 7, 8, 9: median 7, Q1 = 4, Q3 = 8, IQR 4.
    # 7, 7, 8, 9, 9: median 8, Q1 = 7, Q3 = 9, IQR 2.
    items = panel([5, 7, 7, 8, 9], [1, 4, 7, 8, 9], [7, 7, 8, 9, 9])
    inclusive = ConsensusRule(
        "median >= 7, IQR <= 2", [Criterion("median", ">=", 7), Criterion("iqr", "<=", 2)]
    )
    strict = ConsensusRule(
        "median >= 7, IQR < 2", [Criterion("median", ">=", 7), Criterion("iqr", "<", 2)]
    )
    assert status_of(items, inclusive) == ["consensus_in", "no_consensus", "consensus_in"]
    assert status_of(items, strict) == ["consensus_in", "no_consensus", "no_consensus"]


def test_percent_agreement_on_a_named_band_of_another_scale():
    # 5-point scale, "agree" = 4-5: 3 of 4 = 75 % >= 75 -> in; 2 of 4 = 50 % -> no consensus.
    rule = ConsensusRule("75 % agree", [Criterion("percent", ">=", 75, band="agree")])
    assert status_of(panel([4, 5, 5, 2], [4, 5, 3, 3]), rule, scale=LIKERT_5) == [
        "consensus_in",
        "no_consensus",
    ]


def test_round_dependent_thresholds():
    # 13 of 20 rate 7-9 (65 %), none 1-3: in under round 1's >= 60 %, not under COMET's
    # >= 70 % used from round 2 on (methods.md: some studies lower the threshold in round 1).
    first = ConsensusRule(
        "round 1: 60 %",
        [Criterion("percent", ">=", 60, band=(7, 9)), Criterion("percent", "<", 15, band=(1, 3))],
    )
    rule = RoundDependentRule("60 % then 70 %", [(1, first), (2, COMET_GRADE)])
    summary = summarise(panel([8] * 13 + [5] * 7), GRADE_9)
    assert [classify(summary, rule, r).status[0] for r in (1, 2, 3)] == [
        "consensus_in",
        "no_consensus",
        "no_consensus",
    ]


def test_every_group_rule():
    groups = ["patient"] * 4 + ["clinician"] * 3
    # Item 1: patients 4 of 4 and clinicians 3 of 3 rate 7-9, none 1-3: in in both -> in.
    # Item 2: patients 4 of 4 rate 7-9, clinicians 1 of 3 (33 %): groups differ -> none,
    # although overall 5 of 7 = 71 % with 0 rating 1-3 would be in.
    # Item 3: patients 4 of 4 and clinicians 3 of 3 rate 1-3: out in both -> out.
    items = panel([7, 8, 9, 9, 7, 8, 9], [7, 8, 9, 9, 5, 8, 5], [1, 2, 3, 1, 2, 2, 3])
    summary = summarise(items, GRADE_9, groups=groups)
    rule = EveryGroupRule("COMET in every group", COMET_GRADE)
    result = classify(summary, rule)
    assert result.status.tolist() == ["consensus_in", "no_consensus", "consensus_out"]
    assert classify(summary, COMET_GRADE).status[1] == "consensus_in"
    assert result.reasons[0].startswith("consensus in for every group — clinician → consensus in")
    assert result.reasons[1].startswith("no consensus: groups differ")
    assert result.by_group["clinician"].tolist() == [
        "consensus_in",
        "no_consensus",
        "consensus_out",
    ]


def test_every_group_rule_with_rand():
    # Patients all 8 (median 8, IPR 0) and clinicians all 9: appropriate in both.
    # Item 2: clinicians all 5 (median 5): uncertain there -> uncertain.
    groups = ["patient"] * 3 + ["clinician"] * 3
    items = panel([8, 8, 8, 9, 9, 9], [8, 8, 8, 5, 5, 5])
    result = classify(
        summarise(items, GRADE_9, groups=groups), EveryGroupRule("RAND in every group", RAND_UCLA)
    )
    assert result.status.tolist() == ["appropriate", "uncertain"]


# --- Sensitivity to the criterion (COMET Handbook: report it). ---------------------------


def test_compare_rules_marks_items_whose_status_flips():
    # Item 1: 1, 2, 3, 7, 7, 7, 8, 8, 9, 9 -> COMET no consensus (30 % rate 1-3); median 7,
    #   P30 = 3 + 0.7 * 4 = 5.8, P70 = 8, IPR 2.2 <= IPRAS 2.35 + 1.5 * 1.9 = 5.2 -> RAND
    #   appropriate: a flip (positive vs neutral).
    # Item 2: all 8 -> COMET in, RAND appropriate: same polarity, no flip.
    # Item 3: all 1 -> COMET out, RAND inappropriate: no flip.
    items = panel([1, 2, 3, 7, 7, 7, 8, 8, 9, 9], [8] * 10, [1] * 10)
    comparison = compare_rules(summarise(items, GRADE_9), [COMET_GRADE, RAND_UCLA])
    assert list(comparison.status) == [COMET_GRADE.name, RAND_UCLA.name]
    assert comparison.status[COMET_GRADE.name].tolist() == [
        "no_consensus",
        "consensus_in",
        "consensus_out",
    ]
    assert comparison.status[RAND_UCLA.name].tolist() == [
        "appropriate",
        "appropriate",
        "inappropriate",
    ]
    assert comparison.flips.tolist() == [True, False, False]


def test_compare_rules_takes_a_mapping_of_names():
    # All 8s: COMET in, both RAND/UCLA rules appropriate; with n = 10 the classic rule applies
    # (8-10 row: none rate 1-3, so no disagreement): no flip. The by-group preset is left
    # out, as this summary has no groups.
    presets = {name: rule for name, rule in PRESETS.items() if rule != COMET_GRADE_OUT_BY_GROUP}
    comparison = compare_rules(summarise(panel([8] * 10), GRADE_9), presets)
    assert list(comparison.status) == list(presets)
    assert comparison.flips.tolist() == [False]


@pytest.mark.parametrize("rules", [[], [COMET_GRADE, COMET_GRADE], COMET_GRADE, {}])
def test_compare_rules_refuses_bad_rule_lists(rules):
    with pytest.raises(ValueError, match="rule"):
        compare_rules(summarise(panel([7, 8]), GRADE_9), rules)


# --- Rules as data. ----------------------------------------------------------------------

CUSTOM = [
    RoundDependentRule(
        "50 % then COMET",
        [
            (1, ConsensusRule("50 %", [Criterion("percent", ">", 50, band="high")])),
            (3, COMET_GRADE),
        ],
    ),
    EveryGroupRule("RAND classic per group", RAND_UCLA_CLASSIC),
    RandUclaClassicRule("small panels", panel_sizes=[(5, 7, 2), (8, 10, 3)]),
    ConsensusRule("SD", [Criterion("sd", "<", 1)], [Criterion("mean", "<=", 3)]),
]


@pytest.mark.parametrize("rule", [*PRESETS.values(), *CUSTOM], ids=lambda rule: rule.name)
def test_every_rule_round_trips_through_json(rule):
    text = rule.to_json()
    assert rule_from_json(text) == rule
    assert type(Rule.from_json(text)) is type(rule)
    assert rule_from_dict(json.loads(text)) == rule


def test_comet_json_form_is_the_documented_one():
    percent = {"statistic": "percent", "each_group": False}
    assert json.loads(COMET_GRADE.to_json()) == {
        "kind": "consensus",
        "name": "COMET GRADE 70/15",
        "consensus_in": [
            {**percent, "band": [7, 9], "op": ">=", "value": 70.0},
            {**percent, "band": [1, 3], "op": "<", "value": 15.0},
        ],
        "consensus_out": [
            {**percent, "band": [1, 3], "op": ">=", "value": 70.0},
            {**percent, "band": [7, 9], "op": "<", "value": 15.0},
        ],
        "scale_range": [1, 9],
    }


def test_optional_keys_may_be_left_out_of_json():
    rule = rule_from_json(
        '{"kind": "consensus", "name": "75 %", '
        '"consensus_in": [{"statistic": "percent", "op": ">=", "value": 75, "band": "high"}]}'
    )
    assert rule == ConsensusRule("75 %", [Criterion("percent", ">=", 75, band="high")])
    assert rule_from_json('{"kind": "rand_ucla", "name": "RAND/UCLA (IPRAS)"}') == RAND_UCLA


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind": "delphi", "name": "x"}', "unknown rule kind 'delphi'"),
        ('{"name": "x"}', "'kind'"),
        ('{"kind": "rand_ucla", "name": "x", "treshold": 7}', "unknown keys \\['treshold'\\]"),
        ('{"kind": "consensus", "name": "x"}', "missing \\['consensus_in'\\]"),
        ('{"kind": "consensus", "name": "x", "consensus_in": []}', "at least one"),
        ('{"kind": "consensus", "name": "", "consensus_in": []}', "non-empty name"),
        (
            '{"kind": "consensus", "name": "x", "consensus_in": '
            '[{"statistic": "percent", "op": "=>", "value": 70, "band": [7, 9]}]}',
            "op must be one of .* got '=>'",
        ),
        (
            '{"kind": "consensus", "name": "x", "consensus_in": '
            '[{"statistic": "percent", "op": ">=", "value": 170, "band": [7, 9]}]}',
            "0-100, got 170",
        ),
        (
            '{"kind": "consensus", "name": "x", "consensus_in": '
            '[{"statistic": "percent", "op": ">=", "value": 70}]}',
            "needs a band",
        ),
        (
            '{"kind": "consensus", "name": "x", "consensus_in": '
            '[{"statistic": "percent", "op": ">=", "value": 70, "band": [9, 7]}]}',
            "lo <= hi, got \\[9, 7\\]",
        ),
        (
            '{"kind": "round_dependent", "name": "x", "stages": '
            '[{"from_round": 2, "rule": {"kind": "rand_ucla", "name": "r"}}]}',
            "first from round 1",
        ),
        (
            '{"kind": "rand_ucla_classic", "name": "x", "panel_sizes": [[8, 12, 3], [11, 13, 4]]}',
            "ascending",
        ),
        ("not json", "Expecting value"),
    ],
)
def test_invalid_rule_json_is_refused_with_the_bad_value(text, message):
    with pytest.raises(ValueError, match=message):
        rule_from_json(text)


def test_rand_bounds_must_not_overlap():
    with pytest.raises(ValueError, match="overlap"):
        RandUclaRule(
            "x",
            appropriate=Criterion("median", ">=", 3),
            inappropriate=Criterion("median", "<=", 3),
        )


def test_a_subclass_from_dict_refuses_another_kind():
    with pytest.raises(ValueError, match="expected a ConsensusRule, got kind 'rand_ucla'"):
        ConsensusRule.from_dict(RAND_UCLA.to_dict())


# --- A rule that does not fit the summary raises. ----------------------------------------


@pytest.mark.parametrize(
    ("rule", "scale", "message"),
    [
        (RAND_UCLA, LIKERT_5, "needs the 1–9 scale"),
        (RAND_UCLA_CLASSIC, LIKERT_5, "needs the 1–9 scale"),
        (COMET_GRADE, LIKERT_5, "defined on the 1–9 scale"),
        (
            ConsensusRule("x", [Criterion("percent", ">=", 70, band="critical")]),
            GRADE_9,
            "band 'critical' is not a band",
        ),
        (
            ConsensusRule("x", [Criterion("percent", ">=", 70, band=(7, 9))]),
            LIKERT_5,
            "band 7–9 is not on the 1–5 scale",
        ),
        (ConsensusRule("x", [Criterion("median", ">=", 7)]), LIKERT_5, "median threshold of 7"),
        (ConsensusRule("x", [Criterion("iqr", "<=", 5)]), LIKERT_5, "IQR threshold of 5"),
    ],
)
def test_rule_that_does_not_fit_the_scale_is_refused(rule, scale, message):
    with pytest.raises(ValueError, match=message):
        classify(summarise(panel([1, 2, 3]), scale), rule)


@pytest.mark.parametrize(
    "rule", [COMET_GRADE_OUT_BY_GROUP, EveryGroupRule("every group", COMET_GRADE)]
)
def test_group_rule_on_summary_without_groups_is_refused(rule):
    with pytest.raises(ValueError, match="the summary has no groups"):
        classify(summarise(panel([7, 8, 9]), GRADE_9), rule)


@pytest.mark.parametrize("round_number", [0, -1, 1.5, True, "2"])
def test_bad_round_number_is_refused(round_number):
    with pytest.raises(ValueError, match="round_number must be an integer >= 1"):
        classify(summarise(panel([7, 8, 9]), GRADE_9), COMET_GRADE, round_number)


def test_classify_refuses_a_non_rule():
    with pytest.raises(ValueError, match="rule must be a Rule"):
        classify(summarise(panel([7, 8, 9]), GRADE_9), COMET_GRADE.to_dict())


def test_results_are_frozen_and_read_only():
    result = classify(summarise(panel([7, 8, 9]), GRADE_9), COMET_GRADE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = None
    with pytest.raises(ValueError, match="read-only"):
        result.status[0] = "consensus_out"


def test_reasons_formatted_on_first_read_behave_as_fields():
    # classify leaves the reason texts to the first read; they must still be ordinary fields.
    summary = summarise(panel([7, 8, 9], [1, 2]), GRADE_9, groups=["a", "b", "a"])
    result = classify(summary, COMET_GRADE)
    names = [field.name for field in dataclasses.fields(result)]
    assert names == ["rule", "status", "reasons", "by_group", "group_reasons"]
    unpickled = pickle.loads(pickle.dumps(result))  # before anything was read
    # 3 of 3 rate 7-9 (100 % >= 70 %) and none 1-3 (0 % < 15 %): in (Harman 2013).
    assert unpickled.reasons[0] == (
        "consensus in: 3 of 3 (100%) rated 7–9 (needs ≥ 70%) and 0 of 3 (0%) rated 1–3 "
        "(needs < 15%)"
    )
    assert result.reasons.tolist() == unpickled.reasons.tolist()
    assert result.reasons is result.reasons and not result.reasons.flags.writeable
    assert sorted(result.group_reasons) == ["a", "b"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.reasons = None
    comparison = compare_rules(summary, [COMET_GRADE, RAND_UCLA])
    assert comparison.reasons[COMET_GRADE.name].tolist() == result.reasons.tolist()


# --- Properties against an independent reading of the definitions on the raw ratings. ----

ratings_strategy = arrays(
    float,
    st.tuples(st.integers(1, 16), st.integers(1, 4)),
    elements=st.sampled_from([NAN, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
)


@given(ratings_strategy)
def test_comet_and_rand_match_their_definitions_on_raw_ratings(ratings):
    summary = summarise(ratings, GRADE_9)
    comet = classify(summary, COMET_GRADE).status
    rand = classify(summary, RAND_UCLA).status
    classic = classify(summary, RAND_UCLA_CLASSIC).status
    for item in range(ratings.shape[1]):
        x = ratings[:, item][~np.isnan(ratings[:, item])]
        n, low, high = x.size, int((x <= 3).sum()), int((x >= 7).sum())
        # COMET/GRADE in whole numbers: 70 % <=> 10 k >= 7 n; < 15 % <=> 20 k < 3 n.
        expected = (
            "consensus_in"
            if n and 10 * high >= 7 * n and 20 * low < 3 * n
            else "consensus_out"
            if n and 10 * low >= 7 * n and 20 * high < 3 * n
            else "no_consensus"
        )
        assert comet[item] == expected
        if n == 0:
            assert rand[item] == classic[item] == "uncertain"
            continue
        median = np.median(x)
        p30, p70 = np.quantile(x, [0.3, 0.7])
        disagree = p70 - p30 > 2.35 + 1.5 * abs(5 - (p30 + p70) / 2)
        by_median = (
            "appropriate" if median >= 7 else "inappropriate" if median <= 3.5 else "uncertain"
        )
        assert rand[item] == ("uncertain" if disagree else by_median)
        needed = 3 if 8 <= n <= 10 else 4 if 11 <= n <= 13 else 5 if 14 <= n <= 16 else None
        classic_disagree = needed is None or (low >= needed and high >= needed)
        assert classic[item] == ("uncertain" if classic_disagree else by_median)


@given(ratings_strategy, st.randoms(use_true_random=False))
def test_status_does_not_depend_on_participant_order(ratings, random):
    order = list(range(ratings.shape[0]))
    random.shuffle(order)
    for rule in (COMET_GRADE, RAND_UCLA, RAND_UCLA_CLASSIC):
        before = classify(summarise(ratings, GRADE_9), rule)
        after = classify(summarise(ratings[order], GRADE_9), rule)
        assert before.status.tolist() == after.status.tolist()
        assert before.reasons.tolist() == after.reasons.tolist()


def test_scale_without_named_bands_still_takes_the_grade_ranges():
    # COMET names ranges, not band names, so a bare 1-9 scale works: 8 of 10 rate 7-9.
    assert status_of(panel([8] * 8 + [5, 5]), COMET_GRADE, scale=Scale(1, 9)) == ["consensus_in"]
