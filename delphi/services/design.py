"""Designing a study: its details, dimensions and scales, consensus rules and stakeholder groups.

Every change is audited. Once round 1 has opened (see :mod:`delphi.services.protocol`), a
change to the rules, planned rounds or carry-forward policy needs a reason and is recorded
as a deviation from the protocol, and the dimensions and their scales can no longer change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..engine import (
    PRESETS,
    Criterion,
    EveryGroupRule,
    RandUclaClassicRule,
    RandUclaRule,
    RoundDependentRule,
    Rule,
    Scale,
    classify,
    rule_from_dict,
    summarise_counts,
)
from ..engine.rules import ConsensusRule as EngineConsensusRule
from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    CarryForwardPolicy,
    ConsensusRule,
    Dimension,
    Participant,
    ProtocolDeviation,
    RatingScale,
    Role,
    RuleRole,
    StakeholderGroup,
    Study,
    StudyKind,
    StudyMembership,
    User,
    WithdrawalPolicy,
    utcnow,
)
from . import audit, documents, protocol, scales
from .scales import engine_scale
from .transaction import unit_of_work

MIN_GROUP_SIZE = 3
"""The smallest minimum group size for reporting. With one or two people in a group, its
results give away what each member rated (to the other member, if no one else); three is
the least that hides an individual, and 5 (the default) is the usual small-numbers rule."""
MAX_GROUP_SIZE = 50
MAX_PLANNED_ROUNDS = 10
MAX_TARGET = 10_000

LANGUAGES = {
    "en": "English",
    "cy": "Welsh (Cymraeg)",
    "gd": "Scottish Gaelic (Gàidhlig)",
    "ga": "Irish (Gaeilge)",
    "pl": "Polish",
    "ur": "Urdu",
    "pa": "Punjabi",
    "bn": "Bengali",
    "gu": "Gujarati",
    "ar": "Arabic",
    "ro": "Romanian",
    "pt": "Portuguese",
    "es": "Spanish",
    "so": "Somali",
}
"""Main languages a study's participant material can be written in, by language code."""

CARRY_FORWARD_WORDS = {
    CarryForwardPolicy.NO_CONSENSUS: "Items without consensus are rated again",
    CarryForwardPolicy.ALL: "Every item is rated again",
    CarryForwardPolicy.NONE: "No item is rated again (each round has new items)",
}

CUSTOM = "custom"


# ---------------------------------------------------------------- study details and protocol


@dataclass(frozen=True)
class StudyDetails:
    """The editable details of a study (everything but the pre-registered protocol)."""

    title: str
    summary: str
    kind: StudyKind
    contact_name: str
    contact_email: str
    min_group_size: int
    withdrawal_policy: WithdrawalPolicy
    retention_date: date | None
    language: str


def _checked_details(details: StudyDetails, today: date | None) -> dict[str, Any]:
    """The details as column values, trimmed; raises ValidationError naming the fault."""
    title = (details.title or "").strip()
    if not title:
        raise ValidationError("Enter the study's title.")
    if len(title) > 300:
        raise ValidationError("Keep the title to 300 characters or fewer.")
    contact_name = (details.contact_name or "").strip()
    if not contact_name:
        raise ValidationError(
            "Enter the name participants should contact (a person or the study team)."
        )
    address = (details.contact_email or "").strip().lower()
    try:
        # test_environment admits the reserved .test domain that demo and test studies use.
        validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError as err:
        raise ValidationError(
            "Enter the study team's e-mail address in the correct format, like "
            f"team@example.org ({err})"
        ) from err
    if not MIN_GROUP_SIZE <= details.min_group_size <= MAX_GROUP_SIZE:
        raise ValidationError(
            f"The minimum group size must be between {MIN_GROUP_SIZE} and {MAX_GROUP_SIZE}: "
            "smaller groups would reveal what individual people rated."
        )
    if details.language not in LANGUAGES:
        raise ValidationError("Choose the study's main language from the list.")
    today = today or utcnow().date()
    if details.retention_date is not None and details.retention_date <= today:
        raise ValidationError(
            "The retention date must be in the future: it is the date until which the "
            "study's data are kept."
        )
    return {
        "title": title,
        "summary": (details.summary or "").strip(),
        "kind": StudyKind(details.kind),
        "contact_name": contact_name,
        "contact_email": address,
        "min_group_size": details.min_group_size,
        "withdrawal_policy": WithdrawalPolicy(details.withdrawal_policy),
        "retention_date": details.retention_date,
        "language": details.language,
    }


def _check_protocol_values(planned_rounds: int, carry_forward_policy) -> CarryForwardPolicy:
    if not 1 <= planned_rounds <= MAX_PLANNED_ROUNDS:
        raise ValidationError(
            f"Plan between 1 and {MAX_PLANNED_ROUNDS} rounds; most Delphi studies plan 2 or 3."
        )
    return CarryForwardPolicy(carry_forward_policy)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


@unit_of_work
def create_study(user: User, details: StudyDetails, planned_rounds: int,
                 carry_forward_policy: CarryForwardPolicy, today: date | None = None) -> Study:
    """Create a study with ``user`` as its owner.

    Raises
    ------
    ValidationError
        A detail is missing or out of range (the message says which).
    """
    values = _checked_details(details, today)
    policy = _check_protocol_values(planned_rounds, carry_forward_policy)
    study = Study(**values, planned_rounds=planned_rounds, carry_forward_policy=policy)
    study.memberships.append(StudyMembership(user=user, role=Role.OWNER))
    db.session.add(study)
    db.session.flush()
    audit.record(study, user, "study.created", target=study.title,
                 **{key: _jsonable(value) for key, value in values.items()},
                 planned_rounds=planned_rounds, carry_forward_policy=policy.value)
    documents.add_default_documents(study, by=user)
    return study


@unit_of_work
def update_study(study: Study, user: User, details: StudyDetails,
                 today: date | None = None) -> Study:
    """Change a study's details; the audit event lists each changed field before and after.

    Raises
    ------
    ValidationError
        A detail is missing or out of range (the message says which).
    """
    values = _checked_details(details, today)
    changes = {
        key: [_jsonable(getattr(study, key)), _jsonable(value)]
        for key, value in values.items()
        if getattr(study, key) != value
    }
    for key, value in values.items():
        setattr(study, key, value)
    if changes:
        audit.record(study, user, "study.updated", target=study.title, changes=changes)
    return study


@unit_of_work
def update_protocol(study: Study, user: User, planned_rounds: int,
                    carry_forward_policy: CarryForwardPolicy, reason: str = "",
                    now: datetime | None = None) -> Study:
    """Change the planned rounds and carry-forward policy.

    Free (audited) before round 1 opens; afterwards each change needs ``reason`` and is
    recorded as a deviation from the protocol.

    Raises
    ------
    ValidationError
        A value is out of range, or the protocol is fixed and no reason was given.
    """
    policy = _check_protocol_values(planned_rounds, carry_forward_policy)
    changes = {
        key: (getattr(study, key), value)
        for key, value in (("planned_rounds", planned_rounds), ("carry_forward_policy", policy))
        if getattr(study, key) != value
    }
    for key, (before, after) in changes.items():
        if protocol.is_fixed(study):
            protocol.change_fixed_protocol(
                study, user, key, {key: _jsonable(before)}, {key: _jsonable(after)}, reason, now
            )
        setattr(study, key, after)
    if changes and not protocol.is_fixed(study):
        audit.record(study, user, "protocol.changed", target=study.title, changes={
            key: [_jsonable(before), _jsonable(after)] for key, (before, after) in changes.items()
        })
    return study


# ---------------------------------------------------------------- dimensions and scales


@dataclass(frozen=True)
class DimensionSpec:
    """A dimension as entered: its name, question and scale (a preset key or ``"custom"``)."""

    name: str
    question: str
    scale: str
    offers_unable: bool = True
    minimum: int | None = None
    maximum: int | None = None
    labels: str = ""
    bands: str = ""


def get_dimension(study: Study, dimension_id: int) -> Dimension:
    """The study's dimension with this id. Raises NotFound."""
    dimension = db.session.get(Dimension, dimension_id)
    if dimension is None or dimension.study_id != study.id:
        raise NotFound("There is no such dimension in this study. It may have been deleted.")
    return dimension


def _scale_choice(spec: DimensionSpec) -> scales.ScaleChoice:
    if spec.scale == CUSTOM:
        return scales.custom_scale(spec.minimum, spec.maximum, spec.labels, spec.bands)
    if spec.scale not in scales.PRESETS:
        raise ValidationError("Choose a scale: GRADE 1–9, 5-point agreement or your own.")
    return scales.PRESETS[spec.scale]


def _checked_dimension(study: Study, spec: DimensionSpec,
                       dimension: Dimension | None) -> tuple[str, str, scales.ScaleChoice]:
    if protocol.is_fixed(study):
        raise StateError(
            "Dimensions and their scales are fixed once round 1 has opened: answers already "
            "given were on them."
        )
    name = (spec.name or "").strip()
    if not name:
        raise ValidationError("Enter the dimension's name, for example “Importance”.")
    if len(name) > 100:
        raise ValidationError("Keep the dimension's name to 100 characters or fewer.")
    if any(other.name.lower() == name.lower() and other is not dimension
           for other in study.dimensions):
        raise ValidationError(f"The study already has a dimension called “{name}”.")
    question = (spec.question or "").strip()
    if not question:
        raise ValidationError(
            "Enter the question participants answer on this dimension, for example “How "
            "important is this outcome?”."
        )
    return name, question, _scale_choice(spec)


def _check_rules_fit(study: Study, engine_scales: Iterable[tuple[str, Scale]]) -> None:
    for rule in study.rules:
        problem = rule_problem(rule_from_dict(rule.definition), engine_scales)
        if problem:
            raise ValidationError(
                f"The consensus rule “{rule.name}” would not fit: {problem}. Remove the rule "
                "first, or choose another scale."
            )


def _scale_for(study: Study, choice: scales.ScaleChoice, offers_unable: bool,
               dimension: Dimension | None) -> RatingScale:
    """The dimension's own scale updated, or a new one when it has none or shares it."""
    shared = dimension is not None and any(
        other.scale_id == dimension.scale_id for other in study.dimensions if other is not dimension
    )
    scale = dimension.scale if dimension is not None and not shared else RatingScale(study=study)
    scale.name, scale.minimum, scale.maximum = choice.name, choice.minimum, choice.maximum
    scale.labels, scale.bands = dict(choice.labels), dict(choice.bands)
    scale.offers_unable = offers_unable
    db.session.add(scale)
    return scale


def _scale_fields(scale: RatingScale | None) -> dict[str, Any]:
    if scale is None:
        return {}
    return {"scale": scale.name, "minimum": scale.minimum, "maximum": scale.maximum,
            "labels": scale.labels, "bands": scale.bands, "offers_unable": scale.offers_unable}


@unit_of_work
def add_dimension(study: Study, user: User, spec: DimensionSpec) -> Dimension:
    """Add a dimension (e.g. feasibility) with its question and scale.

    Raises
    ------
    StateError
        Round 1 has opened.
    ValidationError
        A missing or duplicate name, no question, a bad custom scale, or a consensus rule
        that would not fit the new scale.
    """
    name, question, choice = _checked_dimension(study, spec, None)
    _check_rules_fit(study, [(name, engine_scale(_preview(choice)))])
    scale = _scale_for(study, choice, spec.offers_unable, None)
    position = max((d.position for d in study.dimensions), default=-1) + 1
    dimension = Dimension(name=name, question=question, scale=scale, position=position)
    study.dimensions.append(dimension)
    db.session.flush()
    audit.record(study, user, "dimension.added", target=name, question=question,
                 **_scale_fields(scale))
    return dimension


def _preview(choice: scales.ScaleChoice) -> RatingScale:
    """An unsaved RatingScale, to check a choice against the rules before storing it."""
    return RatingScale(minimum=choice.minimum, maximum=choice.maximum, bands=choice.bands)


@unit_of_work
def update_dimension(dimension: Dimension, user: User, spec: DimensionSpec) -> Dimension:
    """Change a dimension's name, question or scale.

    Raises
    ------
    StateError
        Round 1 has opened.
    ValidationError
        As for :func:`add_dimension`.
    """
    study = dimension.study
    name, question, choice = _checked_dimension(study, spec, dimension)
    others = [(d.name, engine_scale(d.scale))
              for d in study.dimensions if d is not dimension]
    _check_rules_fit(study, [*others, (name, engine_scale(_preview(choice)))])
    before = {"name": dimension.name, "question": dimension.question,
              **_scale_fields(dimension.scale)}
    dimension.scale = _scale_for(study, choice, spec.offers_unable, dimension)
    dimension.name, dimension.question = name, question
    after = {"name": name, "question": question, **_scale_fields(dimension.scale)}
    if before != after:
        audit.record(study, user, "dimension.changed", target=name, before=before, after=after)
    return dimension


@unit_of_work
def delete_dimension(dimension: Dimension, user: User) -> None:
    """Remove a dimension and its scale (unless another dimension shares the scale).

    Raises
    ------
    StateError
        Round 1 has opened.
    """
    study = dimension.study
    if protocol.is_fixed(study):
        raise StateError(
            "Dimensions are fixed once round 1 has opened: answers already given were on them."
        )
    scale = dimension.scale
    audit.record(study, user, "dimension.deleted", target=dimension.name,
                 question=dimension.question, **_scale_fields(scale))
    study.dimensions.remove(dimension)
    db.session.delete(dimension)
    db.session.flush()
    if not any(other.scale_id == scale.id for other in study.dimensions):
        study.scales.remove(scale)


# ---------------------------------------------------------------- consensus rules

_PERCENT_OP = {">=": "at least", ">": "more than", "<=": "at most", "<": "fewer than"}
_VALUE_OP = {">=": "at least", ">": "above", "<=": "at most", "<": "below"}
_STATISTIC = {
    "median": "the median",
    "iqr": "the interquartile range (IQR)",
    "mean": "the mean",
    "sd": "the standard deviation",
    "cv": "the coefficient of variation",
    "consensus": "the Tastle–Wierman consensus",
    "rwg": "the within-group agreement (rwg)",
}
BUILDER_STATISTICS = ("percent", "median", "iqr")
"""The parts a facilitator can build a rule from: percent in a band, median and IQR bounds."""


def _criterion_words(criterion: Criterion) -> str:
    if criterion.statistic == "percent":
        band = criterion.band
        where = (f"rate in the “{band}” band" if isinstance(band, str)
                 else f"rate {scales.band_text(*band)}")
        text = f"{_PERCENT_OP[criterion.op]} {criterion.value:g}% {where}"
    else:
        text = f"{_STATISTIC[criterion.statistic]} is {_VALUE_OP[criterion.op]} " \
               f"{criterion.value:g}"
    return text + (" in every stakeholder group" if criterion.each_group else "")


def _joined(parts: Sequence[str]) -> str:
    return " and ".join(parts)


def describe_rule(rule: Rule | Mapping | ConsensusRule) -> str:
    """A consensus rule in plain English sentences.

    Takes an engine rule, its JSON mapping, or a stored rule. For COMET/GRADE:
    "Consensus in: at least 70% rate 7–9 and fewer than 15% rate 1–3. Consensus out: at
    least 70% rate 1–3 and fewer than 15% rate 7–9."
    """
    if isinstance(rule, ConsensusRule):
        rule = rule.definition
    if isinstance(rule, Mapping):
        rule = rule_from_dict(rule)
    if isinstance(rule, EngineConsensusRule):
        words = f"Consensus in: {_joined([_criterion_words(c) for c in rule.consensus_in])}."
        if rule.consensus_out:
            words += (" Consensus out: "
                      f"{_joined([_criterion_words(c) for c in rule.consensus_out])}.")
        else:
            words += " No item is ever marked “consensus out”."
        if rule.scale_range is not None:
            words += f" For the {scales.band_text(*rule.scale_range)} scale only."
        return words
    if isinstance(rule, RandUclaRule | RandUclaClassicRule):
        return _describe_rand(rule)
    if isinstance(rule, RoundDependentRule):
        return " ".join(
            f"From round {start}: {describe_rule(stage)}" for start, stage in rule.stages
        )
    if isinstance(rule, EveryGroupRule):
        return (f"Every stakeholder group must meet this on its own: {describe_rule(rule.rule)} "
                "An item gets a status only when every group gives it.")
    raise ValidationError(f"The rule “{rule.name}” is of a kind this page cannot describe.")


def _describe_rand(rule: RandUclaRule | RandUclaClassicRule) -> str:
    appropriate = _criterion_words(rule.appropriate)
    inappropriate = _criterion_words(rule.inappropriate)
    words = (f"Appropriate: {appropriate} and the panel does not disagree. "
             f"Inappropriate: {inappropriate} and the panel does not disagree. "
             "Otherwise uncertain. ")
    if isinstance(rule, RandUclaRule):
        return words + ("Disagreement: the range between the 30th and 70th percentiles is "
                        "wider than the IPRAS (RAND/UCLA method). For the 1–9 scale only.")
    sizes = "; ".join(
        f"with {smallest}–{largest} ratings, at least {needed} rate 1–3 and at least "
        f"{needed} rate 7–9" for smallest, largest, needed in rule.panel_sizes
    )
    return words + (f"Disagreement: {sizes}. Items rated by a panel of another size are "
                    "uncertain. For the 1–9 scale only.")


def _stage_rounds(rule: Rule) -> set[int]:
    if isinstance(rule, RoundDependentRule):
        return {start for start, _ in rule.stages}.union(
            *(_stage_rounds(stage) for _, stage in rule.stages))
    if isinstance(rule, EveryGroupRule):
        return _stage_rounds(rule.rule)
    return {1}


def rule_problem(rule: Rule, engine_scales: Iterable[tuple[str, Scale]]) -> str | None:
    """Why ``rule`` cannot be applied on one of the named scales, or None when it fits all.

    Uses the engine's own checks: the rule classifies a made-up round on each scale, with
    stakeholder groups, in every round it has a stage for.
    """
    for name, scale in engine_scales:
        summary = summarise_counts(
            np.ones((1, 2, scale.n_points), dtype=np.int64), scale, groups=["a", "b"]
        )
        try:
            for round_number in sorted(_stage_rounds(rule)):
                classify(summary, rule, round_number)
        except ValueError as err:
            return f"it does not fit the {scale.minimum}–{scale.maximum} scale of “{name}” ({err})"
    return None


def study_scales(study: Study) -> list[tuple[str, Scale]]:
    """Each dimension's name with its engine scale."""
    return [(dimension.name, engine_scale(dimension.scale))
            for dimension in study.dimensions]


def preset_rules(study: Study) -> dict[str, Rule]:
    """The engine's preset rules that fit every scale of the study, by name."""
    fitted = study_scales(study)
    if not fitted:
        return {}
    return {name: rule for name, rule in PRESETS.items() if rule_problem(rule, fitted) is None}


@dataclass(frozen=True)
class CriterionPart:
    """One part of a rule being built: e.g. percent rating 7–9 ≥ 70."""

    statistic: str
    op: str
    value: float
    band: tuple[int, int] | None = None


def build_rule(name: str, consensus_in: Sequence[CriterionPart],
               consensus_out: Sequence[CriterionPart] = (), every_group: bool = False) -> Rule:
    """A consensus rule from parts; ``every_group`` requires it in every stakeholder group.

    Raises
    ------
    ValidationError
        No name, no "consensus in" part, or a part the engine refuses (named in the message).
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the rule a name, for example “70% rate 7–9”.")
    if len(name) > 200:
        raise ValidationError("Keep the rule's name to 200 characters or fewer.")
    if not consensus_in:
        raise ValidationError("A rule needs at least one condition for “consensus in”.")
    try:
        criteria = [[Criterion(p.statistic, p.op, p.value, band=p.band) for p in parts]
                    for parts in (consensus_in, consensus_out)]
        rule = EngineConsensusRule(name, criteria[0], criteria[1])
        return EveryGroupRule(name, rule) if every_group else rule
    except ValueError as err:
        raise ValidationError(f"The rule cannot be built: {err}.") from err


def rules_in_order(study: Study) -> list[ConsensusRule]:
    """The study's rules, the primary rule first, then the others as they were added."""
    return sorted(study.rules, key=lambda rule: (rule.role != RuleRole.PRIMARY, rule.id))


def get_rule(study: Study, rule_id: int) -> ConsensusRule:
    """The study's consensus rule with this id. Raises NotFound."""
    rule = db.session.get(ConsensusRule, rule_id)
    if rule is None or rule.study_id != study.id:
        raise NotFound("There is no such consensus rule in this study. It may have been removed.")
    return rule


def _rule_record(rule: ConsensusRule) -> dict[str, Any]:
    return {"name": rule.name, "role": rule.role.value, "definition": rule.definition}


def _rule_change(study: Study, user: User, action: str, before: dict, after: dict,
                 reason: str, now: datetime | None) -> None:
    """Audit a rule change; once the protocol is fixed it is a deviation and needs a reason."""
    if protocol.is_fixed(study):
        protocol.change_fixed_protocol(study, user, "rules", before, after, reason, now)
    else:
        audit.record(study, user, action, target=(after or before).get("rule", {}).get("name", ""),
                     before=before, after=after)


@dataclass(frozen=True)
class RuleParts:
    """A rule to build from parts (see :func:`build_rule`)."""

    name: str
    consensus_in: Sequence[CriterionPart]
    consensus_out: Sequence[CriterionPart] = ()
    every_group: bool = False


@unit_of_work
def add_rule(study: Study, user: User, role: RuleRole, rule: str | RuleParts | Rule,
             reason: str = "", now: datetime | None = None) -> ConsensusRule:
    """Add a consensus rule: a preset's name, parts to build one from, or an engine rule.

    The first rule is always primary; a new primary rule makes the old one secondary.

    Raises
    ------
    ValidationError
        No dimension yet, an unknown preset, parts that make no rule, a duplicate name, a
        rule that does not fit the study's scales, or (after round 1 opened) no reason.
    """
    fitted = study_scales(study)
    if not fitted:
        raise ValidationError(
            "Add a dimension and its scale first, so the rule can be checked against it."
        )
    if isinstance(rule, RuleParts):
        built = build_rule(rule.name, rule.consensus_in, rule.consensus_out, rule.every_group)
    elif isinstance(rule, Rule):
        built = rule
    elif rule in PRESETS:
        built = PRESETS[rule]
    else:
        raise ValidationError("Choose one of the preset rules, or build your own.")
    problem = rule_problem(built, fitted)
    if problem:
        raise ValidationError(f"The rule “{built.name}” cannot be used here: {problem}.")
    if any(existing.name.lower() == built.name.lower() for existing in study.rules):
        raise ValidationError(f"The study already has a rule called “{built.name}”.")
    role = RuleRole(role) if study.rules else RuleRole.PRIMARY
    now = now or utcnow()
    old_primary = next((r for r in study.rules if r.role == RuleRole.PRIMARY), None)
    stored = ConsensusRule(name=built.name, role=role, definition=built.to_dict(),
                           fixed_at=now if protocol.is_fixed(study) else None)
    if role == RuleRole.PRIMARY and old_primary is not None:
        old_primary.role = RuleRole.SECONDARY
    study.rules.append(stored)
    db.session.flush()
    before = {"primary": old_primary.name} if role == RuleRole.PRIMARY and old_primary else {}
    _rule_change(study, user, "rule.added", before, {"rule": _rule_record(stored)}, reason, now)
    return stored


@unit_of_work
def make_primary(rule: ConsensusRule, user: User, reason: str = "",
                 now: datetime | None = None) -> ConsensusRule:
    """Make ``rule`` the primary rule; the old primary rule becomes secondary.

    Raises
    ------
    ValidationError
        The rule is primary already, or (after round 1 opened) no reason was given.
    """
    if rule.role == RuleRole.PRIMARY:
        raise ValidationError(f"“{rule.name}” is the primary rule already.")
    study = rule.study
    old = next((r for r in study.rules if r.role == RuleRole.PRIMARY), None)
    if old is not None:
        old.role = RuleRole.SECONDARY
    rule.role = RuleRole.PRIMARY
    _rule_change(study, user, "rule.made_primary",
                 {"primary": old.name if old else None}, {"primary": rule.name}, reason, now)
    return rule


@unit_of_work
def delete_rule(rule: ConsensusRule, user: User, reason: str = "",
                now: datetime | None = None) -> None:
    """Remove a consensus rule; the primary rule only when it is the last one.

    Raises
    ------
    ValidationError
        The rule is primary and others remain, or (after round 1 opened) no reason.
    """
    study = rule.study
    if rule.role == RuleRole.PRIMARY and len(study.rules) > 1:
        raise ValidationError(
            f"“{rule.name}” is the primary rule. Make another rule primary before removing it."
        )
    _rule_change(study, user, "rule.deleted", {"rule": _rule_record(rule)}, {}, reason, now)
    study.rules.remove(rule)
    db.session.delete(rule)


def describe_deviation(deviation: ProtocolDeviation) -> str:
    """A deviation from the protocol in words, e.g. "Planned rounds changed from 3 to 4."."""
    before, after = deviation.before or {}, deviation.after or {}
    if deviation.what == "planned_rounds":
        return (f"Planned rounds changed from {before.get('planned_rounds')} to "
                f"{after.get('planned_rounds')}.")
    if deviation.what == "carry_forward_policy":
        old, new = (CARRY_FORWARD_WORDS[CarryForwardPolicy(side["carry_forward_policy"])]
                    for side in (before, after))
        return f"Carry-forward policy changed from “{old}” to “{new}”."
    if "primary" in after:
        return f"Primary rule changed from “{before.get('primary')}” to “{after['primary']}”."
    if "rule" in after:
        added = after["rule"]
        words = (f"Rule added ({added['role']}): “{added['name']}”. "
                 f"{describe_rule(added['definition'])}")
        if before.get("primary"):
            words += f" It replaces “{before['primary']}” as the primary rule."
        return words
    removed = before.get("rule", {})
    return (f"Rule removed ({removed.get('role')}): “{removed.get('name')}”. "
            f"{describe_rule(removed['definition'])}")


# ---------------------------------------------------------------- stakeholder groups


def get_group(study: Study, group_id: int) -> StakeholderGroup:
    """The study's stakeholder group with this id. Raises NotFound."""
    group = db.session.get(StakeholderGroup, group_id)
    if group is None or group.study_id != study.id:
        raise NotFound(
            "There is no such stakeholder group in this study. It may have been deleted."
        )
    return group


def group_size(group: StakeholderGroup) -> int:
    """Every participant in the group, test participants and withdrawn ones included."""
    return db.session.scalar(
        select(func.count(Participant.id)).where(Participant.group_id == group.id)
    )


def _checked_group(study: Study, name: str, target_number: int,
                   group: StakeholderGroup | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the group's name, for example “Patients and carers”.")
    if len(name) > 100:
        raise ValidationError("Keep the group's name to 100 characters or fewer.")
    if any(other.name.lower() == name.lower() and other is not group for other in study.groups):
        raise ValidationError(f"The study already has a group called “{name}”.")
    if not 0 <= target_number <= MAX_TARGET:
        raise ValidationError(f"The target must be a whole number from 0 to {MAX_TARGET}.")
    return name


@unit_of_work
def add_group(study: Study, user: User, name: str, target_number: int) -> StakeholderGroup:
    """Add a stakeholder group at the end of the list.

    Raises
    ------
    ValidationError
        A missing or duplicate name, or a target out of range.
    """
    name = _checked_group(study, name, target_number, None)
    position = max((g.position for g in study.groups), default=-1) + 1
    group = StakeholderGroup(name=name, target_number=target_number, position=position)
    study.groups.append(group)
    db.session.flush()
    audit.record(study, user, "group.added", target=name, target_number=target_number)
    return group


@unit_of_work
def update_group(group: StakeholderGroup, user: User, name: str,
                 target_number: int) -> StakeholderGroup:
    """Rename a group or change its target.

    Raises
    ------
    ValidationError
        A missing or duplicate name, or a target out of range.
    """
    name = _checked_group(group.study, name, target_number, group)
    before = {"name": group.name, "target_number": group.target_number}
    group.name, group.target_number = name, target_number
    after = {"name": name, "target_number": target_number}
    if before != after:
        audit.record(group.study, user, "group.changed", target=name, before=before, after=after)
    return group


@unit_of_work
def move_group(group: StakeholderGroup, user: User, direction: str) -> StakeholderGroup:
    """Move a group one place ``"up"`` or ``"down"`` the study's list.

    Raises
    ------
    ValidationError
        The direction is neither, or the group is already first (up) or last (down).
    """
    groups = list(group.study.groups)
    index = groups.index(group)
    step = {"up": -1, "down": 1}.get(direction)
    if step is None:
        raise ValidationError("Choose whether to move the group up or down.")
    if not 0 <= index + step < len(groups):
        raise ValidationError(f"“{group.name}” is already {'first' if step < 0 else 'last'}.")
    groups[index], groups[index + step] = groups[index + step], groups[index]
    for position, each in enumerate(groups):
        each.position = position
    audit.record(group.study, user, "group.moved", target=group.name, direction=direction,
                 position=index + step + 1)
    return group


@unit_of_work
def delete_group(group: StakeholderGroup, user: User) -> None:
    """Delete a stakeholder group that has no participants.

    Raises
    ------
    StateError
        Participants are in the group (move or remove them first).
    """
    count = group_size(group)
    if count:
        raise StateError(
            f"“{group.name}” has {count} participant{'s' if count != 1 else ''}, so it cannot "
            "be deleted. Move them to another group first."
        )
    study = group.study
    audit.record(study, user, "group.deleted", target=group.name,
                 target_number=group.target_number)
    study.groups.remove(group)
    db.session.delete(group)
    for position, each in enumerate(study.groups):
        each.position = position


def missing_steps(study: Study) -> list[str]:
    """What the design still needs before round 1 can open, in words."""
    steps = []
    if not study.dimensions:
        steps.append("Add a dimension to rate items on, with its scale.")
    if study.kind == StudyKind.DELPHI and not any(
        rule.role == RuleRole.PRIMARY for rule in study.rules
    ):
        steps.append("Choose the primary consensus rule.")
    if not study.groups:
        steps.append("Add at least one stakeholder group.")
    return steps
