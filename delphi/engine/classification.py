"""Apply consensus rules to a round's summary: a status and a reason for every item.

:func:`classify` evaluates one rule (see :mod:`delphi.engine.rules`) on a
:class:`~delphi.engine.summary.Summary`, vectorised over items; :func:`compare_rules` applies
several to the same round so a study can report how its core set depends on the criterion.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from delphi.engine.rules import (
    ConsensusRule,
    Criterion,
    EveryGroupRule,
    RandUclaClassicRule,
    RandUclaRule,
    RoundDependentRule,
    Rule,
    check_round_number,
)

_Texts = Callable[[], Any]
"""A function formatting one text per item (a list, or an array for ``_evaluate``), called
only when the reasons are read."""

CONSENSUS_STATUSES = ("consensus_in", "no_consensus", "consensus_out")
RAND_STATUSES = ("appropriate", "uncertain", "inappropriate")
"""Status vocabularies as (positive, neutral, negative)."""

_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
_LABEL = {
    "median": "median",
    "iqr": "IQR",
    "mean": "mean",
    "sd": "SD",
    "cv": "CV",
    "consensus": "Tastle–Wierman consensus",
    "rwg": "rwg",
}
_LOCATION = ("median", "mean")
_SPREAD = ("iqr", "sd")


class _Later:
    """A field value to compute when it is first read: wraps the function computing it."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[], Any]):
        self.compute = compute

    def __reduce__(self):
        # Pickled as the value: the function is usually a closure, which pickle refuses.
        return _value, (self.compute(),)


def _value(value):
    """``value`` itself: how an unpickled :class:`_Later` comes back."""
    return value


class _ComputedOnRead:
    """A dataclass field whose value may be given as a :class:`_Later`.

    Formatting the reason texts is nearly all of :func:`classify`'s time (Python f-strings,
    several per item and group), so they are built on the first read of the field and then
    kept; a caller that needs only the statuses never pays for them. The field keeps its
    name and place in ``__init__``, ``dataclasses.fields`` and ``repr`` (which reads it).
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            raise AttributeError(self.name)  # like any field without a default
        value = instance.__dict__[self.name]
        if isinstance(value, _Later):
            value = instance.__dict__[self.name] = value.compute()
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.name] = value


@dataclass(frozen=True, eq=False)
class Classification:
    """Status of every item under one rule.

    Attributes
    ----------
    rule : Rule
        The rule applied (for a round-dependent rule, the whole rule; reasons show the
        thresholds of the stage used).
    status : ndarray of str, shape (items,)
        ``consensus_in`` / ``no_consensus`` / ``consensus_out``, or ``appropriate`` /
        ``uncertain`` / ``inappropriate`` for RAND/UCLA rules.
    reasons : ndarray of str, shape (items,)
        Why each item got its status, in words with the observed values and the thresholds.
    by_group : dict
        Group label -> status array: the rule applied within that stakeholder group alone
        (criteria "in each group" read as that group). Empty when the summary has no groups.
    group_reasons : dict
        Group label -> reasons array, matching ``by_group``.

    The arrays are read-only. ``reasons`` and ``group_reasons`` are formatted when first
    read, not by :func:`classify`: the statuses alone are about 2 % of the work.
    """

    rule: Rule
    status: np.ndarray
    reasons: np.ndarray = _ComputedOnRead()
    by_group: dict[Any, np.ndarray]
    group_reasons: dict[Any, np.ndarray] = _ComputedOnRead()


@dataclass(frozen=True, eq=False)
class RuleComparison:
    """One round under several rules, side by side.

    Attributes
    ----------
    status : dict
        Rule name -> status array, in the order the rules were given.
    reasons : dict
        Rule name -> reasons array (formatted when first read, as in :class:`Classification`).
    flips : ndarray of bool, shape (items,)
        True where the rules disagree. Statuses of different vocabularies are compared by
        polarity: consensus in = appropriate (positive), no consensus = uncertain (neutral),
        consensus out = inappropriate (negative). ``np.flatnonzero(flips)`` lists the items.
    """

    status: dict[str, np.ndarray]
    reasons: dict[str, np.ndarray] = _ComputedOnRead()
    flips: np.ndarray


def classify(summary, rule: Rule, round_number: int = 1) -> Classification:
    """Classify every item of a summary under a consensus rule.

    The rule kinds and their formulas are documented in :mod:`delphi.engine.rules`. In brief:

    - :class:`~delphi.engine.rules.ConsensusRule`: in if every ``consensus_in`` criterion
      holds, out if every ``consensus_out`` criterion holds, else no consensus. Percentages
      are compared as counts (``100 k  op  threshold * n``), so bounds are exact.
    - RAND/UCLA rules: appropriate if the median is in the appropriate range and there is no
      disagreement, inappropriate likewise, else uncertain.
    - :class:`~delphi.engine.rules.RoundDependentRule`: the stage for ``round_number``.
    - :class:`~delphi.engine.rules.EveryGroupRule`: a status only when every group gives it.

    An item with no valid ratings (n = 0) gets the neutral status (no consensus / uncertain)
    and the reason "no ratings"; no warning is emitted.

    Parameters
    ----------
    summary : Summary
        From :func:`delphi.engine.summarise` or ``summarise_counts``.
    rule : Rule
        A preset such as :data:`~delphi.engine.rules.COMET_GRADE` or a configured rule.
    round_number : int, default 1
        Selects the stage of a round-dependent rule.

    Returns
    -------
    Classification

    Raises
    ------
    ValueError
        If the rule does not fit the summary: a band the scale lacks, a RAND/UCLA or GRADE
        rule on a scale other than 1-9, a median or IQR threshold off the scale, an
        "each group" rule on a summary without groups; or a bad ``round_number``.

    Examples
    --------
    COMET/GRADE (Harman 2013; Waters 2014): 10 panellists, 7 rate 7-9 (70 %) and 1 rates
    1-3 (10 %), so the item is in:

    >>> import numpy as np
    >>> from delphi.engine import GRADE_9, summarise, COMET_GRADE
    >>> ratings = np.array([[7, 8, 9, 7, 8, 9, 7, 5, 5, 2]], dtype=float).T
    >>> result = classify(summarise(ratings, GRADE_9), COMET_GRADE)
    >>> str(result.status[0])
    'consensus_in'
    >>> str(result.reasons[0])
    'consensus in: 7 of 10 (70%) rated 7–9 (needs ≥ 70%) and 1 of 10 (10%) rated 1–3 (needs < 15%)'
    """
    if not isinstance(rule, Rule):
        raise ValueError(f"rule must be a Rule (e.g. COMET_GRADE), got {rule!r}")
    check_round_number(round_number)
    status, explain = _evaluate(summary, rule, round_number, within_group=False)
    groups = {
        label: _evaluate(group, rule, round_number, within_group=True)
        for label, group in (summary.by_group or {}).items()
    }
    return Classification(
        rule=rule,
        status=status,
        reasons=_Later(explain),
        by_group={label: result[0] for label, result in groups.items()},
        group_reasons=_Later(lambda: {label: result[1]() for label, result in groups.items()}),
    )


def compare_rules(
    summary, rules: Sequence[Rule] | Mapping[str, Rule], round_number: int = 1
) -> RuleComparison:
    """Classify the same round under several rules and mark the items that change status.

    Published consensus criteria give quite different core sets from the same ratings, so a
    study should report how its result depends on the criterion (COMET Handbook, Williamson
    et al. 2017; COS-STAR).

    flips[i] = the rules do not all give item i the same polarity, where consensus in and
    appropriate are positive, no consensus and uncertain neutral, consensus out and
    inappropriate negative.

    Parameters
    ----------
    summary : Summary
    rules : sequence of Rule, or mapping of name to Rule
        At least one, with distinct names; a mapping (such as ``PRESETS``) supplies the
        names as its keys.
    round_number : int, default 1

    Returns
    -------
    RuleComparison

    Raises
    ------
    ValueError
        No rules, a repeated rule name, or any error of :func:`classify`.

    Examples
    --------
    Ratings 1, 2, 3, 7, 7, 7, 8, 8, 9, 9 (10 panellists): 70 % rate 7-9 but 30 % rate 1-3,
    so COMET/GRADE says no consensus; the median is 7 and, with linear quantiles, P30 = 5.8
    and P70 = 8 give IPR 2.2 <= IPRAS 2.35 + 1.5 * |5 - 6.9| = 5.2 (no disagreement), so
    RAND/UCLA says appropriate: the item flips.
    """
    if isinstance(rules, Mapping):
        named = list(rules.items())
    elif isinstance(rules, Sequence) and not isinstance(rules, str):
        named = [(getattr(rule, "name", None), rule) for rule in rules]
    else:
        named = []
    if not named:
        raise ValueError(f"rules must be a non-empty list of Rule objects, got {rules!r}")
    names = [name for name, _ in named]
    repeated = sorted({str(name) for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"rule names must be distinct to compare them, repeated: {repeated}")
    results = {name: classify(summary, rule, round_number) for name, rule in named}
    polarity = np.stack([_polarity(result.status) for result in results.values()])
    return RuleComparison(
        status={name: result.status for name, result in results.items()},
        reasons=_Later(lambda: {name: result.reasons for name, result in results.items()}),
        flips=(polarity != polarity[0]).any(axis=0),
    )


def _polarity(status: np.ndarray) -> np.ndarray:
    positive = np.isin(status, (CONSENSUS_STATUSES[0], RAND_STATUSES[0]))
    negative = np.isin(status, (CONSENSUS_STATUSES[2], RAND_STATUSES[2]))
    return positive.astype(np.int8) - negative.astype(np.int8)


def _evaluate(summary, rule: Rule, round_number: int, within_group: bool):
    """Status of one summary, and a function formatting the reasons as a read-only array;
    ``within_group`` reads "each group" as itself."""
    status, reasons = _EVALUATORS[type(rule)](summary, rule, round_number, within_group)
    status.flags.writeable = False

    def explain() -> np.ndarray:
        texts = np.array(_or_empty(summary, reasons()), dtype=str)
        texts.flags.writeable = False
        return texts

    return status, explain


def _or_empty(summary, texts: list[str]) -> list[str]:
    """``texts``, except "no ratings" (or "suppressed") for items without valid ratings."""
    n = np.asarray(summary.n, dtype=float)
    if (n > 0).all():
        return texts
    unable = np.asarray(summary.n_unable, dtype=float)
    return [
        text
        if m > 0
        else "statistics suppressed (too few ratings to show)"
        if np.isnan(m)
        else "no ratings" + (f" ({u:.0f} unable to score)" if u > 0 else "")
        for text, m, u in zip(texts, n, unable, strict=True)
    ]


def _vocabulary(rule: Rule, round_number: int) -> tuple[str, str, str]:
    if isinstance(rule, RoundDependentRule):
        return _vocabulary(rule.rule_for(round_number), round_number)
    if isinstance(rule, EveryGroupRule):
        return _vocabulary(rule.rule, round_number)
    return CONSENSUS_STATUSES if isinstance(rule, ConsensusRule) else RAND_STATUSES


def _words(status: str) -> str:
    return status.replace("_", " ")


def _bound(criterion: Criterion) -> str:
    unit = "%" if criterion.statistic == "percent" else ""
    return f"{_SYMBOL[criterion.op]} {criterion.value:g}{unit}"


def _subject(criterion: Criterion) -> str:
    """What a criterion measures, e.g. "% rated 7–9" or "median"."""
    if criterion.band is None:
        return _LABEL[criterion.statistic]
    if isinstance(criterion.band, str):
        return f"% rated {criterion.band!r}"
    return f"% rated {criterion.band[0]}–{criterion.band[1]}"


def _scale_text(scale) -> str:
    return f"{scale.minimum}–{scale.maximum}"


def _band(scale, band: str | tuple[int, int]) -> tuple[int, int]:
    """Resolve a criterion's band (a name of the scale's, or a range on it) to (low, high)."""
    if isinstance(band, str):
        if band not in scale.bands:
            raise ValueError(
                f"band {band!r} is not a band of the {_scale_text(scale)} scale "
                f"(its bands: {dict(scale.bands)})"
            )
        return scale.bands[band]
    if not scale.minimum <= band[0] <= band[1] <= scale.maximum:
        raise ValueError(
            f"band {band[0]}–{band[1]} is not on the {_scale_text(scale)} scale; "
            "change the rule or the scale"
        )
    return band


def _band_count(summary, band: str | tuple[int, int]):
    """Valid ratings in a band per item, from the summary's count table: (count, (low, high))."""
    low, high = _band(summary.scale, band)
    offset = summary.scale.minimum
    return summary.counts[:, low - offset : high - offset + 1].sum(axis=1), (low, high)


def _measure(summary, criterion: Criterion) -> tuple[np.ndarray, _Texts]:
    """Whether each item meets the criterion, and a function saying what was observed,
    e.g. "median 7.5"."""
    n = np.asarray(summary.n, dtype=float)
    scale = summary.scale
    if criterion.statistic == "percent":
        count, (low, high) = _band_count(summary, criterion.band)
        passes = _COMPARE[criterion.op](100 * count, criterion.value * n)

        def observed() -> list[str]:
            with np.errstate(invalid="ignore", divide="ignore"):  # items without ratings
                percent = 100 * count / n
            band = f"{low}" if low == high else f"{low}–{high}"
            return [
                f"{k:.0f} of {m:.0f} ({p:.4g}%) rated {band}"
                for k, m, p in zip(count.tolist(), n.tolist(), percent.tolist(), strict=True)
            ]
    else:
        _check_fits(criterion, scale)
        values = np.asarray(getattr(summary, criterion.statistic), dtype=float)
        passes = _COMPARE[criterion.op](values, criterion.value)
        label = _LABEL[criterion.statistic]

        def observed() -> list[str]:
            return [f"{label} {v:.4g}" for v in values.tolist()]

    return passes & (n > 0), lambda: _or_empty(summary, observed())


def _check_fits(criterion: Criterion, scale) -> None:
    low, high = (
        (scale.minimum, scale.maximum)
        if criterion.statistic in _LOCATION
        else (0, scale.maximum - scale.minimum)
    )
    if criterion.statistic in _LOCATION + _SPREAD and not low <= criterion.value <= high:
        raise ValueError(
            f"a {_LABEL[criterion.statistic]} threshold of {criterion.value:g} does not fit the "
            f"{_scale_text(scale)} scale (it must lie in {low}–{high})"
        )


def _criterion(summary, criterion: Criterion, within_group: bool) -> tuple[np.ndarray, _Texts]:
    """Whether each item meets a criterion (in every group if it says so), and a function
    giving the reasons."""
    needs = f"needs {_bound(criterion)}"
    if not criterion.each_group or within_group:
        passes, observed = _measure(summary, criterion)
        return passes, lambda: [f"{o} ({needs})" for o in observed()]
    if not summary.by_group:
        raise ValueError(
            f"the criterion '{_subject(criterion)} {_bound(criterion)}' must hold in each "
            "stakeholder group, but the summary has no groups: call summarise(..., groups=...)"
        )
    measured = {label: _measure(group, criterion) for label, group in summary.by_group.items()}
    passes = np.logical_and.reduce([m[0] for m in measured.values()])

    def reasons() -> list[str]:
        texts = zip(
            *[[f"{label}: {o}" for o in m[1]()] for label, m in measured.items()], strict=True
        )
        return [f"{'; '.join(t)} ({needs} in every group)" for t in texts]

    return passes, reasons


def _consensus(summary, rule: ConsensusRule, round_number: int, within_group: bool):
    scale = summary.scale
    if rule.scale_range is not None and (scale.minimum, scale.maximum) != rule.scale_range:
        low, high = rule.scale_range
        raise ValueError(
            f"rule {rule.name!r} is defined on the {low}–{high} scale, "
            f"the summary's scale is {_scale_text(scale)}"
        )
    ins = [_criterion(summary, c, within_group) for c in rule.consensus_in]
    outs = [_criterion(summary, c, within_group) for c in rule.consensus_out]
    is_in = np.logical_and.reduce([p for p, _ in ins])
    is_out = np.logical_and.reduce([p for p, _ in outs]) if outs else np.zeros_like(is_in)
    status = np.select(
        [is_in & is_out, is_in, is_out],
        ["no_consensus", "consensus_in", "consensus_out"],
        "no_consensus",
    )

    def reasons() -> list[str]:
        parts_in = [(p.tolist(), t()) for p, t in ins]
        parts_out = [(p.tolist(), t()) for p, t in outs]

        def joined(parts, i, failing_only=False):
            return " and ".join(t[i] for p, t in parts if not (failing_only and p[i]))

        texts = []
        for i, (meets_in, meets_out) in enumerate(
            zip(is_in.tolist(), is_out.tolist(), strict=True)
        ):
            if meets_in and meets_out:
                texts.append(
                    "no consensus: the rule is contradictory here, both consensus in "
                    f"({joined(parts_in, i)}) and consensus out ({joined(parts_out, i)}) hold"
                )
            elif meets_in:
                texts.append(f"consensus in: {joined(parts_in, i)}")
            elif meets_out:
                texts.append(f"consensus out: {joined(parts_out, i)}")
            else:
                out = f"; not out: {joined(parts_out, i, failing_only=True)}" if outs else ""
                texts.append(f"no consensus: not in: {joined(parts_in, i, failing_only=True)}{out}")
        return texts

    return status, reasons


def _check_nine_points(summary, rule: Rule) -> None:
    scale = summary.scale
    if (scale.minimum, scale.maximum) != (1, 9):
        raise ValueError(
            f"rule {rule.name!r} needs the 1–9 scale (IPRAS and the thirds 1–3 / 7–9 are "
            f"defined on it), the summary's scale is {_scale_text(scale)}"
        )


def _rand(summary, rule, disagreement: np.ndarray, assessed: np.ndarray, detail: _Texts):
    """Statuses and a function giving the reasons, shared by both RAND/UCLA rules.

    ``disagreement`` and ``assessed`` are per-item flags; ``detail()`` says what was found.
    """
    appropriate, median_text = _measure(summary, rule.appropriate)
    inappropriate, _ = _measure(summary, rule.inappropriate)
    uncertain = disagreement | ~assessed
    status = np.select(
        [uncertain, appropriate, inappropriate],
        ["uncertain", "appropriate", "inappropriate"],
        "uncertain",
    )

    def reasons() -> list[str]:
        bounds = {
            "appropriate": _bound(rule.appropriate),
            "inappropriate": _bound(rule.inappropriate),
        }
        texts = []
        for word, median, found, is_assessed, disagrees in zip(
            status.tolist(),
            median_text(),
            detail(),
            assessed.tolist(),
            disagreement.tolist(),
            strict=True,
        ):
            if not is_assessed:
                texts.append(f"uncertain: {found} ({median})")
            elif disagrees:
                texts.append(f"uncertain: disagreement ({found}), whatever the {median}")
            elif word == "uncertain":
                texts.append(
                    f"uncertain: {median} is neither {bounds['appropriate']} nor "
                    f"{bounds['inappropriate']}; no disagreement ({found})"
                )
            else:
                texts.append(f"{word}: {median} ({bounds[word]}) and no disagreement ({found})")
        return texts

    return status, reasons


def _rand_ipras(summary, rule: RandUclaRule, round_number: int, within_group: bool):
    _check_nine_points(summary, rule)
    disagreement = np.asarray(summary.disagreement, dtype=bool)

    def detail() -> list[str]:
        return [
            f"IPR {ipr:.4g} {'>' if d else '≤'} IPRAS {ipras:.4g}"
            for ipr, ipras, d in zip(
                np.asarray(summary.ipr, dtype=float).tolist(),
                np.asarray(summary.ipras, dtype=float).tolist(),
                disagreement.tolist(),
                strict=True,
            )
        ]

    return _rand(summary, rule, disagreement, np.ones_like(disagreement), detail)


def _rand_classic(summary, rule: RandUclaClassicRule, round_number: int, within_group: bool):
    _check_nine_points(summary, rule)
    n = np.asarray(summary.n, dtype=float)
    (low, _), (high, _) = (_band_count(summary, band) for band in ((1, 3), (7, 9)))
    row = np.full(n.shape, -1)
    for index, (smallest, largest, _) in enumerate(rule.panel_sizes):
        row[(n >= smallest) & (n <= largest)] = index
    assessed = row >= 0
    # row -1 (n outside the table) picks the last entry, but only where assessed is False.
    needed = np.array([r[2] for r in rule.panel_sizes])[row]
    disagreement = assessed & (low >= needed) & (high >= needed)

    def detail() -> list[str]:
        covered = ", ".join(f"{a}–{b}" for a, b, _ in rule.panel_sizes)
        return [
            f"{lo:.0f} of {m:.0f} rated 1–3 and {hi:.0f} rated 7–9; for "
            f"{rule.panel_sizes[r][0]}–{rule.panel_sizes[r][1]} panellists ≥ "
            f"{rule.panel_sizes[r][2]} in each extreme means disagreement"
            if r >= 0
            else f"disagreement not assessable: the panel-size rule covers {covered} ratings, "
            f"this item has {m:.0f}"
            for lo, hi, m, r in zip(
                low.tolist(), high.tolist(), n.tolist(), row.tolist(), strict=True
            )
        ]

    return _rand(summary, rule, disagreement, assessed, detail)


def _round_dependent(summary, rule: RoundDependentRule, round_number: int, within_group: bool):
    stage = rule.rule_for(round_number)
    return _EVALUATORS[type(stage)](summary, stage, round_number, within_group)


def _every_group(summary, rule: EveryGroupRule, round_number: int, within_group: bool):
    if within_group:
        return _EVALUATORS[type(rule.rule)](summary, rule.rule, round_number, True)
    if not summary.by_group:
        raise ValueError(
            f"rule {rule.name!r} must hold in every stakeholder group, but the summary has no "
            "groups: call summarise(..., groups=...)"
        )
    results = {
        label: _evaluate(group, rule.rule, round_number, within_group=True)
        for label, group in summary.by_group.items()
    }
    positive, neutral, negative = _vocabulary(rule.rule, round_number)
    statuses = np.stack([s for s, _ in results.values()])
    status = np.select(
        [(statuses == positive).all(axis=0), (statuses == negative).all(axis=0)],
        [positive, negative],
        neutral,
    )
    agree = (statuses == statuses[0]).all(axis=0)

    def reasons() -> list[str]:
        texts = zip(
            *[[f"{label} → {r}" for r in rs()] for label, (_, rs) in results.items()],
            strict=True,
        )
        return [
            f"{_words(s)}{' for every group' if a else ': groups differ'} — {' | '.join(t)}"
            for s, a, t in zip(status, agree, texts, strict=True)
        ]

    return status, reasons


_EVALUATORS: Mapping[type, Callable[..., tuple[np.ndarray, _Texts]]] = {
    ConsensusRule: _consensus,
    RandUclaRule: _rand_ipras,
    RandUclaClassicRule: _rand_classic,
    RoundDependentRule: _round_dependent,
    EveryGroupRule: _every_group,
}
