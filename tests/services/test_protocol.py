"""Pre-registration: the protocol is fixed when round 1 opens; later changes are deviations."""

from datetime import UTC, datetime

import pytest

from delphi.engine import COMET_GRADE, RAND_UCLA
from delphi.errors import StateError, ValidationError
from delphi.extensions import db as extension
from delphi.models import AuditEvent, CarryForwardPolicy, RuleRole, StudyKind
from delphi.services import design, protocol
from delphi.services.design import DimensionSpec, RuleParts

from ..factories import make_study, make_user

OPENED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)


@pytest.fixture
def setup(db):
    """An owner and a study with a primary COMET rule and a secondary RAND/UCLA rule."""
    user = make_user()
    study = make_study(owner=user)
    design.add_rule(study, user, RuleRole.PRIMARY, COMET_GRADE.name)
    design.add_rule(study, user, RuleRole.SECONDARY, RAND_UCLA.name)
    return user, study


def fix(study, user):
    """Fix the protocol as opening round 1 will: inside the caller's unit of work."""
    fixed_at = protocol.fix_protocol(study, now=OPENED, user=user)
    extension.session.commit()
    return fixed_at


def test_fixing_timestamps_the_protocol_and_every_rule(setup):
    user, study = setup
    assert not protocol.is_fixed(study)
    assert fix(study, user) == OPENED
    extension.session.expire_all()
    assert protocol.is_fixed(study)
    assert study.protocol_fixed_at == OPENED
    assert [rule.fixed_at for rule in study.rules] == [OPENED, OPENED]
    (event,) = AuditEvent.query.filter_by(study_id=study.id, action="protocol.fixed").all()
    assert event.details["planned_rounds"] == 3
    assert event.details["carry_forward_policy"] == "no_consensus"
    assert [r["name"] for r in event.details["rules"]] == [COMET_GRADE.name, RAND_UCLA.name]
    assert event.details["rules"][0]["definition"] == COMET_GRADE.to_dict()


def test_the_protocol_is_fixed_once_only(setup):
    user, study = setup
    fix(study, user)
    with pytest.raises(StateError, match="was fixed when round 1 opened"):
        protocol.fix_protocol(study, now=LATER, user=user)
    assert study.protocol_fixed_at == OPENED


def test_a_delphi_study_needs_a_primary_rule_before_fixing(db):
    user = make_user()
    study = make_study(owner=user)
    with pytest.raises(StateError, match="Choose the primary consensus rule"):
        protocol.fix_protocol(study, now=OPENED, user=user)
    assert study.protocol_fixed_at is None


def test_a_priority_setting_study_may_be_fixed_without_rules(db):
    user = make_user()
    study = make_study(owner=user)
    study.kind = StudyKind.PRIORITY_SETTING
    assert fix(study, user) == OPENED


def test_after_fixing_a_change_to_the_rounds_needs_a_reason(setup):
    user, study = setup
    fix(study, user)
    with pytest.raises(ValidationError, match="Give a reason"):
        design.update_protocol(study, user, 4, CarryForwardPolicy.NO_CONSENSUS, reason="  ")
    extension.session.expire_all()
    assert study.planned_rounds == 3
    assert protocol.deviations(study) == []


def test_a_change_with_a_reason_is_recorded_as_a_deviation(setup):
    user, study = setup
    fix(study, user)
    design.update_protocol(study, user, 4, CarryForwardPolicy.ALL,
                           reason="Too many items left without consensus", now=LATER)
    assert (study.planned_rounds, study.carry_forward_policy) == (4, CarryForwardPolicy.ALL)
    rounds, policy = protocol.deviations(study)
    assert (rounds.what, rounds.before, rounds.after) == (
        "planned_rounds", {"planned_rounds": 3}, {"planned_rounds": 4})
    assert rounds.reason == "Too many items left without consensus"
    assert (rounds.user_id, rounds.created_at) == (user.id, LATER)
    assert design.describe_deviation(rounds) == "Planned rounds changed from 3 to 4."
    assert design.describe_deviation(policy) == (
        "Carry-forward policy changed from “Items without consensus are rated again” to "
        "“Every item is rated again”.")
    assert AuditEvent.query.filter_by(action="protocol.deviation").count() == 2


def test_rule_changes_after_fixing_are_deviations(setup):
    user, study = setup
    fix(study, user)
    comet, rand = study.rules
    with pytest.raises(ValidationError, match="Give a reason"):
        design.add_rule(study, user, RuleRole.SECONDARY,
                        RuleParts("Median 8", [design.CriterionPart("median", ">=", 8)]))
    added = design.add_rule(
        study, user, RuleRole.SECONDARY,
        RuleParts("Median 8", [design.CriterionPart("median", ">=", 8)]),
        reason="Steering group asked for a stricter comparison", now=LATER)
    assert added.fixed_at == LATER
    design.make_primary(rand, user, reason="Panel too small for COMET", now=LATER)
    design.delete_rule(added, user, reason="Not needed after all", now=LATER)
    words = [design.describe_deviation(d) for d in protocol.deviations(study)]
    assert words == [
        "Rule added (secondary): “Median 8”. Consensus in: the median is at least 8. "
        "No item is ever marked “consensus out”.",
        f"Primary rule changed from “{COMET_GRADE.name}” to “{RAND_UCLA.name}”.",
        "Rule removed (secondary): “Median 8”. Consensus in: the median is at least 8. "
        "No item is ever marked “consensus out”.",
    ]
    assert {d.what for d in protocol.deviations(study)} == {"rules"}
    assert comet.role == RuleRole.SECONDARY


def test_dimensions_cannot_change_once_fixed(setup):
    user, study = setup
    fix(study, user)
    importance = study.dimensions[0]
    spec = DimensionSpec(name="Importance", question="New?", scale="grade9")
    with pytest.raises(StateError, match="fixed once round 1 has opened"):
        design.update_dimension(importance, user, spec)
    with pytest.raises(StateError, match="fixed once round 1 has opened"):
        design.add_dimension(study, user, DimensionSpec(name="Feasibility", question="Q?",
                                                        scale="grade9"))
    with pytest.raises(StateError, match="fixed once round 1 has opened"):
        design.delete_dimension(importance, user)


def test_changes_before_fixing_are_not_deviations(setup):
    user, study = setup
    with pytest.raises(StateError, match="not fixed yet"):
        protocol.change_fixed_protocol(study, user, "planned_rounds", {}, {}, "reason")
    design.update_protocol(study, user, 2, CarryForwardPolicy.NONE)
    design.delete_rule(study.rules[1], user)
    assert protocol.deviations(study) == []


def test_only_protocol_parts_can_deviate(setup):
    user, study = setup
    fix(study, user)
    with pytest.raises(ValidationError, match="not part of the pre-registered protocol"):
        protocol.change_fixed_protocol(study, user, "title", {}, {}, "reason")
