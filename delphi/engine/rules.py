"""Consensus rules as data: frozen, validated, serialisable to and from JSON.

A rule says, per item, which status a round's ratings earn. Rules carry no computation: they
are applied by :func:`delphi.engine.classification.classify`. Facilitators configure them and
pre-register them with the protocol, so every rule round-trips through JSON exactly
(``Rule.from_json(rule.to_json()) == rule``) and every bound states whether it is strict
(``>``, ``<``) or inclusive (``>=``, ``<=``).

Kinds (the ``"kind"`` key of the JSON form):

- ``"consensus"`` -- :class:`ConsensusRule`: consensus in / out / no consensus from criteria on
  percentages in a band, median, IQR, mean, SD, CV, Tastle-Wierman consensus or rwg.
- ``"rand_ucla"`` -- :class:`RandUclaRule`: appropriate / uncertain / inappropriate by median,
  uncertain under IPRAS disagreement (Fitch et al. 2001).
- ``"rand_ucla_classic"`` -- :class:`RandUclaClassicRule`: the same with the older panel-size
  disagreement rule.
- ``"round_dependent"`` -- :class:`RoundDependentRule`: a different rule from a given round on.
- ``"every_group"`` -- :class:`EveryGroupRule`: a rule every stakeholder group must meet.

References
----------
Harman et al. (2013) and Waters et al. (2014), as tabulated in the ELICIT protocol (Trials
2015, doi:10.1186/s13063-015-1011-8, Table 1). Williamson PR et al., The COMET Handbook v1.0,
Trials 2017;18(Suppl 3):280. Fitch K et al., The RAND/UCLA Appropriateness
Method User's Manual, RAND MR-1269, 2001. Panel-size disagreement rule: BMC Med Inform Decis
Mak 2012;12:93, Table 7.
"""

from __future__ import annotations

import json
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

OPERATORS = (">=", ">", "<=", "<")
STATISTICS = ("percent", "median", "iqr", "mean", "sd", "cv", "consensus", "rwg")


def _keys(data: Any, what: str, required: set[str], optional: set[str] = frozenset()) -> None:
    """Raise ValueError unless ``data`` is a mapping with the required and only known keys."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a JSON object, got {data!r}")
    missing = required - data.keys()
    unknown = data.keys() - required - optional
    if missing:
        raise ValueError(f"{what} is missing {sorted(missing)}")
    if unknown:
        raise ValueError(f"{what} has unknown keys {sorted(unknown)}")


def _range(value: Any, what: str) -> tuple[int, int]:
    """Validate an inclusive integer range ``(lo, hi)`` with ``lo <= hi``."""
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 2
        or not all(_is_integer(v) for v in value)
        or value[0] > value[1]
    ):
        raise ValueError(f"{what} must be two integers (lo, hi) with lo <= hi, got {value!r}")
    return (int(value[0]), int(value[1]))


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def check_round_number(round_number: Any) -> None:
    """Raise ValueError unless ``round_number`` is an integer >= 1."""
    if not _is_integer(round_number) or round_number < 1:
        raise ValueError(f"round_number must be an integer >= 1, got {round_number!r}")


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a rule needs a non-empty name, got {value!r}")
    return value


@dataclass(frozen=True)
class Criterion:
    """One comparison of a per-item statistic with a threshold.

    ``statistic  op  value``, e.g. "percent rating 7-9 >= 70". Percentages are of the valid
    ratings (``Summary.n``; "unable to score" and missing are left out) and are compared as
    whole numbers, ``100 * k  op  value * n`` with k the ratings in the band, so 7 of 10 is
    exactly 70 % and 3 of 20 exactly 15 %, free of floating-point rounding.

    Parameters
    ----------
    statistic : {"percent", "median", "iqr", "mean", "sd", "cv", "consensus", "rwg"}
        A ``Summary`` field; ``"percent"`` needs ``band``.
    op : {">=", ">", "<=", "<"}
        Inclusive (``>=``, ``<=``) or strict (``>``, ``<``) bound.
    value : float
        Threshold; 0-100 for ``"percent"``, 0-1 for ``"consensus"``.
    band : str or (int, int), optional
        For ``"percent"`` only: a band name of the summary's scale, or any inclusive range of
        its points, e.g. ``(7, 9)`` (read from the summary's count table).
    each_group : bool, default False
        Require the comparison in every stakeholder group (``Summary.by_group``) instead of
        on the pooled panel.

    Examples
    --------
    COMET/GRADE "< 15 % rate 1-3" (strict; Harman 2013, Waters 2014):

    >>> Criterion("percent", "<", 15, band=(1, 3)).to_dict()["op"]
    '<'
    """

    statistic: str
    op: str
    value: float
    band: str | tuple[int, int] | None = None
    each_group: bool = False

    def __post_init__(self) -> None:
        if self.statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {STATISTICS}, got {self.statistic!r}")
        if self.op not in OPERATORS:
            raise ValueError(f"op must be one of {OPERATORS}, got {self.op!r}")
        if isinstance(self.value, bool) or not isinstance(self.value, numbers.Real):
            raise ValueError(f"threshold value must be a number, got {self.value!r}")
        if not math.isfinite(self.value):
            raise ValueError(f"threshold value must be finite, got {self.value!r}")
        object.__setattr__(self, "value", float(self.value))
        if not isinstance(self.each_group, bool):
            raise ValueError(f"each_group must be true or false, got {self.each_group!r}")
        if self.statistic == "percent":
            if not 0 <= self.value <= 100:
                raise ValueError(f"a percentage threshold must be in 0-100, got {self.value!r}")
            if self.band is None:
                raise ValueError("a 'percent' criterion needs a band (a name or (lo, hi))")
            if not isinstance(self.band, str):
                object.__setattr__(self, "band", _range(self.band, "band"))
        elif self.band is not None:
            raise ValueError(f"only 'percent' criteria take a band, got band={self.band!r}")
        if self.statistic == "consensus" and not 0 <= self.value <= 1:
            raise ValueError(f"a consensus threshold must be in 0-1, got {self.value!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping; ``band`` becomes a list or stays a name."""
        band = list(self.band) if isinstance(self.band, tuple) else self.band
        return {
            "statistic": self.statistic,
            "op": self.op,
            "value": self.value,
            "band": band,
            "each_group": self.each_group,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criterion:
        """Inverse of :meth:`to_dict`; ``band`` and ``each_group`` may be omitted."""
        _keys(data, "a criterion", {"statistic", "op", "value"}, {"band", "each_group"})
        return cls(**data)


class Rule(ABC):
    """Base of every rule kind: a name, a JSON form, and a registry keyed by ``kind``.

    A subclass names its kind in the class statement (``class X(Rule, kind="x")``), which
    registers it for :meth:`from_dict`, and supplies ``_fields`` and ``_parse``.
    """

    kind: ClassVar[str]
    name: str
    _kinds: ClassVar[dict[str, type[Rule]]] = {}

    def __init_subclass__(cls, kind: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = kind
        Rule._kinds[kind] = cls

    @abstractmethod
    def _fields(self) -> dict[str, Any]:
        """The kind-specific part of :meth:`to_dict`."""

    @classmethod
    @abstractmethod
    def _parse(cls, data: Mapping[str, Any]) -> Rule:
        """Build the rule from its mapping without ``"kind"``; validate the keys."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with ``"kind"`` and ``"name"`` first."""
        return {"kind": self.kind, "name": self.name, **self._fields()}

    def to_json(self) -> str:
        """The rule as a JSON string (UTF-8 characters kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """Build a rule of any registered kind from its mapping.

        Raises
        ------
        ValueError
            Unknown kind, missing or unknown keys, invalid values, or a kind that is not
            ``cls`` (when called on a subclass).
        """
        if not isinstance(data, Mapping) or "kind" not in data:
            raise ValueError(f"a rule must be a JSON object with a 'kind', got {data!r}")
        kind = data["kind"]
        if not isinstance(kind, str) or kind not in Rule._kinds:
            raise ValueError(f"unknown rule kind {kind!r}; known: {sorted(Rule._kinds)}")
        rule = Rule._kinds[kind]._parse({k: v for k, v in data.items() if k != "kind"})
        if not isinstance(rule, cls):
            raise ValueError(f"expected a {cls.__name__}, got kind {kind!r}")
        return rule

    @classmethod
    def from_json(cls, text: str) -> Rule:
        """Parse :meth:`to_json` output; invalid JSON raises ValueError too."""
        return cls.from_dict(json.loads(text))


def _sequence(value: Any, what: str) -> tuple[Any, ...]:
    """A list or tuple as a tuple; strings and mappings are refused."""
    if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
        raise ValueError(f"{what} must be a list, got {value!r}")
    return tuple(value)


def _criteria(value: Any, what: str) -> tuple[Criterion, ...]:
    items = _sequence(value, what)
    if not all(isinstance(c, Criterion) for c in items):
        raise ValueError(f"{what} must hold Criterion objects, got {value!r}")
    return items


@dataclass(frozen=True)
class ConsensusRule(Rule, kind="consensus"):
    """Consensus in / consensus out / no consensus from conjunctions of criteria.

    status = ``consensus_in``  if every criterion in ``consensus_in`` holds,
             ``consensus_out`` if every criterion in ``consensus_out`` holds (and it is not
             empty), ``no_consensus`` otherwise -- also when both hold (a contradictory rule;
             the reason says so) and when the item has no ratings.

    Parameters
    ----------
    name : str
    consensus_in : sequence of Criterion
        At least one.
    consensus_out : sequence of Criterion, default ()
        Empty: no item is ever "consensus out".
    scale_range : (int, int), optional
        The scale the definition was published for, e.g. ``(1, 9)`` for GRADE; ``classify``
        refuses any other scale.

    Examples
    --------
    Median-and-IQR rule, e.g. median >= 7 and IQR <= 3:

    >>> rule = ConsensusRule("median 7+, IQR 3", [Criterion("median", ">=", 7),
    ...                                           Criterion("iqr", "<=", 3)])
    >>> rule.consensus_out
    ()

    See :data:`COMET_GRADE` for the COMET/GRADE 70/15 definition.
    """

    name: str
    consensus_in: tuple[Criterion, ...]
    consensus_out: tuple[Criterion, ...] = ()
    scale_range: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        _name(self.name)
        object.__setattr__(self, "consensus_in", _criteria(self.consensus_in, "consensus_in"))
        object.__setattr__(self, "consensus_out", _criteria(self.consensus_out, "consensus_out"))
        if not self.consensus_in:
            raise ValueError(f"rule {self.name!r} needs at least one consensus_in criterion")
        if self.scale_range is not None:
            object.__setattr__(self, "scale_range", _range(self.scale_range, "scale_range"))

    def _fields(self) -> dict[str, Any]:
        return {
            "consensus_in": [c.to_dict() for c in self.consensus_in],
            "consensus_out": [c.to_dict() for c in self.consensus_out],
            "scale_range": None if self.scale_range is None else list(self.scale_range),
        }

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> ConsensusRule:
        _keys(data, "a consensus rule", {"name", "consensus_in"}, {"consensus_out", "scale_range"})
        return cls(
            name=data["name"],
            consensus_in=[Criterion.from_dict(c) for c in _sequence(data["consensus_in"], "in")],
            consensus_out=[
                Criterion.from_dict(c) for c in _sequence(data.get("consensus_out", []), "out")
            ],
            scale_range=data.get("scale_range"),
        )


def _median_bound(criterion: Any, what: str, ops: tuple[str, str]) -> None:
    if not isinstance(criterion, Criterion) or criterion.statistic != "median":
        raise ValueError(f"{what} must be a median Criterion, got {criterion!r}")
    if criterion.op not in ops or criterion.each_group or not 1 <= criterion.value <= 9:
        raise ValueError(
            f"{what} must compare the pooled median with {' or '.join(ops)} a value in 1-9, "
            f"got {criterion!r}"
        )


@dataclass(frozen=True)
class _RandUcla:
    """Median classification shared by both RAND/UCLA rules (on the 1-9 scale only).

    appropriate   if ``appropriate`` holds (default median >= 7) and no disagreement;
    inappropriate if ``inappropriate`` holds (default median <= 3.5) and no disagreement;
    uncertain     otherwise (median between, any disagreement, or no ratings).

    The method's ranges 1-3, 4-6 and 7-9 leave half-point medians (an even number of ratings)
    to a *convention*; the default is 1-3.5 inappropriate, 4-6.5 uncertain, 7-9 appropriate.
    Change it with the two criteria, e.g. ``appropriate=Criterion("median", ">=", 6.5)``.
    """

    name: str
    appropriate: Criterion = Criterion("median", ">=", 7)
    inappropriate: Criterion = Criterion("median", "<=", 3.5)

    def __post_init__(self) -> None:
        _name(self.name)
        _median_bound(self.appropriate, "appropriate", (">=", ">"))
        _median_bound(self.inappropriate, "inappropriate", ("<=", "<"))
        low, high = self.inappropriate, self.appropriate
        both_inclusive = low.op == "<=" and high.op == ">="
        if low.value > high.value or (low.value == high.value and both_inclusive):
            raise ValueError(
                f"appropriate ({high.op} {high.value:g}) and inappropriate "
                f"({low.op} {low.value:g}) medians overlap"
            )

    def _median_fields(self) -> dict[str, Any]:
        return {
            "appropriate": self.appropriate.to_dict(),
            "inappropriate": self.inappropriate.to_dict(),
        }

    @staticmethod
    def _median_args(data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: Criterion.from_dict(data[key])
            for key in ("appropriate", "inappropriate")
            if key in data
        }


@dataclass(frozen=True)
class RandUclaRule(_RandUcla, Rule, kind="rand_ucla"):
    """RAND/UCLA appropriateness with IPRAS disagreement.

    Disagreement (per item, from the summary's P30 and P70):
    IPR = P70 - P30, IPRCP = (P30 + P70) / 2, AI = |5 - IPRCP|, IPRAS = 2.35 + 1.5 * AI,
    disagreement when IPR > IPRAS (``Summary.disagreement``); then the item is uncertain
    whatever its median. Median bounds as in the half-point convention above.

    Source: Fitch K et al., RAND/UCLA Appropriateness Method User's Manual, RAND MR-1269,
    2001. Worked example (BMJ Open 2012;2:e001431, Table 1): P30 = 7, P70 = 8
    gives IPR 1, IPRCP 7.5, AI 2.5, IPRAS 6.1 -- no disagreement, so a median of 7.5 is
    appropriate.

    Examples
    --------
    >>> RAND_UCLA.appropriate.value, RAND_UCLA.inappropriate.value
    (7.0, 3.5)
    """

    def _fields(self) -> dict[str, Any]:
        return self._median_fields()

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> RandUclaRule:
        _keys(data, "a rand_ucla rule", {"name"}, {"appropriate", "inappropriate"})
        return cls(name=data["name"], **cls._median_args(data))


PANEL_SIZE_TABLE = ((8, 10, 3), (11, 13, 4), (14, 16, 5))


def _panel_sizes(value: Any) -> tuple[tuple[int, int, int], ...]:
    rows = []
    for row in _sequence(value, "panel_sizes"):
        if (
            not isinstance(row, Sequence)
            or len(row) != 3
            or not all(_is_integer(v) for v in row)
            or not 1 <= row[0] <= row[1]
            or row[2] < 1
        ):
            raise ValueError(
                f"panel_sizes rows must be (smallest n, largest n, ratings needed in each "
                f"extreme) with 1 <= smallest <= largest and needed >= 1, got {row!r}"
            )
        rows.append((int(row[0]), int(row[1]), int(row[2])))
    if not rows or any(a[1] >= b[0] for a, b in zip(rows, rows[1:], strict=False)):
        raise ValueError(f"panel_sizes must be a non-empty list of ascending ranges, got {value!r}")
    return tuple(rows)


@dataclass(frozen=True)
class RandUclaClassicRule(_RandUcla, Rule, kind="rand_ucla_classic"):
    """RAND/UCLA appropriateness with the older panel-size disagreement rule.

    Disagreement when, for an item rated by n panellists, at least ``m(n)`` rate in *each*
    extreme third (1-3 and 7-9), with m = 3 for n = 8-10, 4 for 11-13 and 5 for 14-16
    (``panel_sizes``). Items whose n lies outside the table are **uncertain** with a reason
    saying disagreement could not be assessed: n varies by item with missing ratings, and an
    item cannot be shown to be without disagreement by a rule that does not cover it (use
    :data:`RAND_UCLA`, IPRAS, for other panel sizes). Median bounds as in the half-point
    convention of :data:`RAND_UCLA`.

    Source: BMC Med Inform Decis Mak 2012;12:93, Table 7; Fitch et al. 2001.

    Examples
    --------
    9 panellists rate 1, 2, 3, 5, 7, 7, 8, 9, 9: three rate 1-3 and five rate 7-9; with
    n = 9 the table needs 3 in each extreme, so there is disagreement and the item is
    uncertain although its median is 7.
    """

    panel_sizes: tuple[tuple[int, int, int], ...] = PANEL_SIZE_TABLE

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "panel_sizes", _panel_sizes(self.panel_sizes))

    def _fields(self) -> dict[str, Any]:
        return {**self._median_fields(), "panel_sizes": [list(r) for r in self.panel_sizes]}

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> RandUclaClassicRule:
        _keys(
            data,
            "a rand_ucla_classic rule",
            {"name"},
            {"appropriate", "inappropriate", "panel_sizes"},
        )
        extra = {"panel_sizes": data["panel_sizes"]} if "panel_sizes" in data else {}
        return cls(name=data["name"], **cls._median_args(data), **extra)


@dataclass(frozen=True)
class RoundDependentRule(Rule, kind="round_dependent"):
    """A different rule from a given round on, e.g. a lower threshold in round 1.

    The rule applied in round r is the one of the last stage whose ``from_round`` <= r.

    Parameters
    ----------
    name : str
    stages : sequence of (int, Rule)
        ``(from_round, rule)`` pairs, the first from round 1, rounds strictly ascending.

    Examples
    --------
    >>> first = ConsensusRule("60 %", [Criterion("percent", ">=", 60, band=(7, 9))])
    >>> rule = RoundDependentRule("60 % then COMET", [(1, first), (2, COMET_GRADE)])
    >>> rule.rule_for(3).name == COMET_GRADE.name
    True
    """

    name: str
    stages: tuple[tuple[int, Rule], ...]

    def __post_init__(self) -> None:
        _name(self.name)
        stages = tuple(_sequence(s, "a stage") for s in _sequence(self.stages, "stages"))
        if (
            not stages
            or any(len(s) != 2 or not isinstance(s[1], Rule) for s in stages)
            or not _ascending_from_one([s[0] for s in stages])
        ):
            raise ValueError(
                f"stages must be (from_round, Rule) pairs, the first from round 1 and rounds "
                f"strictly ascending, got {self.stages!r}"
            )
        object.__setattr__(self, "stages", stages)

    def rule_for(self, round_number: int) -> Rule:
        """The stage rule that applies in ``round_number`` (an integer >= 1)."""
        check_round_number(round_number)
        return [rule for start, rule in self.stages if start <= round_number][-1]

    def _fields(self) -> dict[str, Any]:
        return {"stages": [{"from_round": s, "rule": r.to_dict()} for s, r in self.stages]}

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> RoundDependentRule:
        _keys(data, "a round_dependent rule", {"name", "stages"})
        stages = []
        for stage in _sequence(data["stages"], "stages"):
            _keys(stage, "a stage", {"from_round", "rule"})
            stages.append((stage["from_round"], Rule.from_dict(stage["rule"])))
        return cls(name=data["name"], stages=stages)


def _ascending_from_one(starts: list[Any]) -> bool:
    return (
        all(_is_integer(s) for s in starts)
        and starts[0] == 1
        and all(a < b for a, b in zip(starts, starts[1:], strict=False))
    )


@dataclass(frozen=True)
class EveryGroupRule(Rule, kind="every_group"):
    """Every stakeholder group must meet ``rule``.

    ``rule`` is applied to each group's summary (``Summary.by_group``); an item gets the
    positive status (consensus in / appropriate) or the negative one (consensus out /
    inappropriate) only when every group gives it, otherwise the neutral one (no consensus /
    uncertain). A group with no ratings of an item does not meet the rule.

    Examples
    --------
    >>> EveryGroupRule("COMET in every group", COMET_GRADE).to_dict()["rule"]["kind"]
    'consensus'
    """

    name: str
    rule: Rule

    def __post_init__(self) -> None:
        _name(self.name)
        if not isinstance(self.rule, Rule):
            raise ValueError(f"rule must be a Rule, got {self.rule!r}")

    def _fields(self) -> dict[str, Any]:
        return {"rule": self.rule.to_dict()}

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> EveryGroupRule:
        _keys(data, "an every_group rule", {"name", "rule"})
        return cls(name=data["name"], rule=Rule.from_dict(data["rule"]))


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build any rule from its :meth:`Rule.to_dict` mapping (dispatch on ``"kind"``)."""
    return Rule.from_dict(data)


def rule_from_json(text: str) -> Rule:
    """Build any rule from its :meth:`Rule.to_json` text (dispatch on ``"kind"``)."""
    return Rule.from_json(text)


_GRADE_IN = (
    Criterion("percent", ">=", 70, band=(7, 9)),
    Criterion("percent", "<", 15, band=(1, 3)),
)

COMET_GRADE = ConsensusRule(
    name="COMET GRADE 70/15",
    consensus_in=_GRADE_IN,
    consensus_out=(
        Criterion("percent", ">=", 70, band=(1, 3)),
        Criterion("percent", "<", 15, band=(7, 9)),
    ),
    scale_range=(1, 9),
)
"""COMET/GRADE: in = >= 70 % rate 7-9 and < 15 % rate 1-3; out = >= 70 % rate 1-3 and
< 15 % rate 7-9. Harman 2013 and Waters 2014 as tabulated in the ELICIT protocol, Table 1."""

COMET_GRADE_OUT_BY_GROUP = ConsensusRule(
    name="COMET GRADE 70/15, out: <= 50% rate 7-9 in each group",
    consensus_in=_GRADE_IN,
    consensus_out=(Criterion("percent", "<=", 50, band=(7, 9), each_group=True),),
    scale_range=(1, 9),
)
"""COMET/GRADE consensus in as :data:`COMET_GRADE`; consensus out when <= 50 % rate 7-9 in
each stakeholder group (the second published "consensus out" variant). Needs groups."""

RAND_UCLA = RandUclaRule(name="RAND/UCLA (IPRAS)")
"""RAND/UCLA with IPRAS disagreement and the half-point median convention."""

RAND_UCLA_CLASSIC = RandUclaClassicRule(name="RAND/UCLA classic (panel size)")
"""RAND/UCLA with the panel-size disagreement rule for 8-16 panellists."""

PRESETS: Mapping[str, Rule] = MappingProxyType(
    {
        rule.name: rule
        for rule in (COMET_GRADE, COMET_GRADE_OUT_BY_GROUP, RAND_UCLA, RAND_UCLA_CLASSIC)
    }
)
"""Every preset by name, e.g. for a facilitator's choice list."""

__all__ = [
    "COMET_GRADE",
    "COMET_GRADE_OUT_BY_GROUP",
    "OPERATORS",
    "PANEL_SIZE_TABLE",
    "PRESETS",
    "RAND_UCLA",
    "RAND_UCLA_CLASSIC",
    "STATISTICS",
    "ConsensusRule",
    "Criterion",
    "EveryGroupRule",
    "RandUclaClassicRule",
    "RandUclaRule",
    "RoundDependentRule",
    "Rule",
    "rule_from_dict",
    "rule_from_json",
]
