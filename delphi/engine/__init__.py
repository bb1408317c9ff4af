"""The consensus engine: pure numpy statistics for Delphi and priority-setting studies.

No Flask, no SQLAlchemy, no I/O: arrays in, frozen dataclasses of arrays out.
"""

from delphi.engine.agreement import Agreement, agreement
from delphi.engine.chnri import ChnriScores, chnri
from delphi.engine.classification import Classification, RuleComparison, classify, compare_rules
from delphi.engine.counts import QUANTILE_METHODS, CountTable, count_ratings, quantiles_from_counts
from delphi.engine.ranking import Concordance, Ranking, kendalls_w, rank_aggregate
from delphi.engine.rules import (
    COMET_GRADE,
    COMET_GRADE_OUT_BY_GROUP,
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
    rule_from_dict,
    rule_from_json,
)
from delphi.engine.scale import GRADE_9, LIKERT_5, Scale, validate_groups, validate_ratings
from delphi.engine.stability import (
    AttritionBias,
    Stability,
    attrition_bias,
    holm,
    stability,
    stability_counts,
)
from delphi.engine.summary import Summary, summarise, summarise_counts
from delphi.engine.suppression import SuppressionResult, small_cell_suppression
from delphi.engine.version import ENGINE_VERSION
from delphi.engine.workshop import WorkshopTotals, sum_of_ranks

__all__ = [
    "Classification",
    "classify",
    "COMET_GRADE",
    "COMET_GRADE_OUT_BY_GROUP",
    "compare_rules",
    "ConsensusRule",
    "count_ratings",
    "CountTable",
    "Criterion",
    "ENGINE_VERSION",
    "EveryGroupRule",
    "GRADE_9",
    "LIKERT_5",
    "PRESETS",
    "QUANTILE_METHODS",
    "quantiles_from_counts",
    "RAND_UCLA",
    "RAND_UCLA_CLASSIC",
    "RandUclaClassicRule",
    "RandUclaRule",
    "RoundDependentRule",
    "Rule",
    "rule_from_dict",
    "rule_from_json",
    "RuleComparison",
    "Scale",
    "small_cell_suppression",
    "summarise",
    "summarise_counts",
    "Summary",
    "SuppressionResult",
    "validate_groups",
    "validate_ratings",
    "Agreement",
    "agreement",
    "AttritionBias",
    "attrition_bias",
    "ChnriScores",
    "chnri",
    "Concordance",
    "holm",
    "kendalls_w",
    "rank_aggregate",
    "Ranking",
    "Stability",
    "stability",
    "stability_counts",
    "sum_of_ranks",
    "WorkshopTotals",
]
