"""Designing a study: details, scales and dimensions, consensus rules in words, groups."""

from datetime import date

import pytest
from sqlalchemy import func, select

from delphi.engine import (
    COMET_GRADE,
    GRADE_9,
    LIKERT_5,
    RAND_UCLA,
    RAND_UCLA_CLASSIC,
    Criterion,
    EveryGroupRule,
    RoundDependentRule,
    Scale,
    rule_from_dict,
)
from delphi.engine import ConsensusRule as EngineRule
from delphi.errors import NotFound, StateError, ValidationError
from delphi.models import (
    AuditEvent,
    CarryForwardPolicy,
    Document,
    DocumentKind,
    RatingScale,
    Role,
    RuleRole,
    StakeholderGroup,
    Study,
    StudyKind,
    WithdrawalPolicy,
)
from delphi.services import design, scales
from delphi.services.design import CriterionPart, DimensionSpec, RuleParts, StudyDetails

from ..factories import make_participant, make_study, make_user

TODAY = date(2026, 11, 25)


def details(**changes) -> StudyDetails:
    values = {
        "title": "Priorities for childhood eczema",
        "summary": "Which questions about eczema should research answer first?",
        "kind": StudyKind.PRIORITY_SETTING,
        "contact_name": "Eczema study team",
        "contact_email": "Eczema-Team@Example.test",
        "min_group_size": 5,
        "withdrawal_policy": WithdrawalPolicy.REMOVE,
        "retention_date": date(2032, 3, 31),
        "language": "cy",
    }
    return StudyDetails(**{**values, **changes})


def events(study, action):
    return list(
        AuditEvent.query.filter_by(study_id=study.id, action=action).order_by(AuditEvent.id)
    )


def count(model):
    from delphi.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


# ------------------------------------------------------------------ creating and editing


def test_creating_a_study_makes_the_user_its_owner_and_audits_it(db):
    user = make_user()
    study = design.create_study(user, details(), 2, CarryForwardPolicy.ALL, today=TODAY)
    assert study.id is not None
    assert [(m.user, m.role) for m in study.memberships] == [(user, Role.OWNER)]
    assert study.contact_email == "eczema-team@example.test"
    assert (study.kind, study.language, study.planned_rounds) == (
        StudyKind.PRIORITY_SETTING, "cy", 2)
    assert study.carry_forward_policy == CarryForwardPolicy.ALL
    assert study.withdrawal_policy == WithdrawalPolicy.REMOVE
    assert study.protocol_fixed_at is None
    (event,) = events(study, "study.created")
    assert event.user_id == user.id
    assert event.details["retention_date"] == "2032-03-31"
    assert event.details["planned_rounds"] == 2


def test_a_new_study_starts_with_every_participant_document(db):
    study = design.create_study(make_user(), details(), 2, CarryForwardPolicy.ALL, today=TODAY)
    documents = db.session.scalars(select(Document).where(Document.study_id == study.id)).all()
    assert {document.kind for document in documents} == set(DocumentKind)
    assert all(document.current is not None for document in documents)


@pytest.mark.parametrize(("changes", "rounds", "message"), [
    ({"title": "  "}, 3, "Enter the study's title"),
    ({"title": "x" * 301}, 3, "300 characters"),
    ({"contact_name": ""}, 3, "name participants should contact"),
    ({"contact_email": "not an address"}, 3, "correct format"),
    ({"min_group_size": 2}, 3, "between 3 and 50"),
    ({"min_group_size": 51}, 3, "between 3 and 50"),
    ({"language": "xx"}, 3, "main language"),
    ({"retention_date": TODAY}, 3, "must be in the future"),
    ({}, 0, "between 1 and 10 rounds"),
    ({}, 11, "between 1 and 10 rounds"),
])
def test_bad_study_details_are_refused_and_nothing_is_created(db, changes, rounds, message):
    user = make_user()
    with pytest.raises(ValidationError, match=message):
        design.create_study(user, details(**changes), rounds, CarryForwardPolicy.ALL,
                            today=TODAY)
    assert count(Study) == 0
    assert count(AuditEvent) == 0


def test_editing_details_audits_each_changed_field(db):
    user = make_user()
    study = make_study(owner=user)
    design.update_study(study, user, details(title="Eczema priorities"), today=TODAY)
    assert study.title == "Eczema priorities"
    (event,) = events(study, "study.updated")
    changes = event.details["changes"]
    assert changes["title"] == ["Outcomes that matter after a stroke", "Eczema priorities"]
    assert changes["kind"] == ["delphi", "priority_setting"]
    assert "min_group_size" not in changes  # 5 before and after


def test_saving_unchanged_details_records_nothing(db):
    user = make_user()
    study = design.create_study(user, details(), 3, CarryForwardPolicy.ALL, today=TODAY)
    design.update_study(study, user, details(), today=TODAY)
    assert events(study, "study.updated") == []


def test_a_refused_edit_changes_nothing(db):
    user = make_user()
    study = make_study(owner=user)
    with pytest.raises(ValidationError):
        design.update_study(study, user, details(title="New", min_group_size=1), today=TODAY)
    assert study.title == "Outcomes that matter after a stroke"


def test_protocol_settings_change_freely_before_round_one(db):
    user = make_user()
    study = make_study(owner=user)
    design.update_protocol(study, user, 4, CarryForwardPolicy.ALL)
    assert (study.planned_rounds, study.carry_forward_policy) == (4, CarryForwardPolicy.ALL)
    (event,) = events(study, "protocol.changed")
    assert event.details["changes"] == {"planned_rounds": [3, 4],
                                        "carry_forward_policy": ["no_consensus", "all"]}
    assert study.deviations == []


# ------------------------------------------------------------------ scales


def test_presets_convert_to_the_engines_scales():
    grade = RatingScale(minimum=1, maximum=9, bands=scales.PRESETS["grade9"].bands)
    agreement = RatingScale(minimum=1, maximum=5, bands=scales.PRESETS["agreement5"].bands)
    assert scales.engine_scale(grade).bands == {
        "not important": (1, 3), "important but not critical": (4, 6), "critical": (7, 9)}
    assert dict(scales.engine_scale(agreement).bands) == dict(LIKERT_5.bands)
    assert isinstance(scales.engine_scale(grade), Scale)
    assert scales.PRESETS["grade9"].labels["8"] == "Critical"
    assert scales.PRESETS["agreement5"].labels["1"] == "Strongly disagree"


@pytest.mark.parametrize(("bands", "message"), [
    ({"low": [0, 3]}, "not on the 1–9 scale"),
    ({"high": [7, 10]}, "not on the 1–9 scale"),
    ({"low": [1, 4], "mid": [4, 6]}, "overlap"),
    ({"odd": [5, 3]}, "lower point first"),
])
def test_bands_must_lie_on_the_scale_without_overlapping(bands, message):
    with pytest.raises(ValidationError, match=message):
        scales.engine_scale(RatingScale(minimum=1, maximum=9, bands=bands))


def test_a_custom_scale_is_read_from_lines():
    choice = scales.custom_scale(0, 4, "None\nA little\nSome\nA lot\nAll\n",
                                 "low: 0-1\n\nhigh: 3 – 4")
    assert choice.labels == {"0": "None", "1": "A little", "2": "Some", "3": "A lot", "4": "All"}
    assert choice.bands == {"low": [0, 1], "high": [3, 4]}


@pytest.mark.parametrize(("low", "high", "labels", "bands", "message"), [
    (None, 5, "a", "", "lowest and highest"),
    (5, 5, "a", "", "must be greater"),
    (0, 11, "\n".join("x" * 12), "", "at most 11 points"),
    (1, 3, "one\ntwo", "", "one label a line for each of the 3 points"),
    (1, 3, "one\ntwo\nthree", "high 3", "not in the form"),
    (1, 3, "one\ntwo\nthree", "a: 1-1\nA: 3-3", "two bands called"),
    (1, 3, "one\ntwo\nthree", "a: 1-2\nb: 2-3", "overlap"),
])
def test_bad_custom_scales_are_refused_with_the_reason(low, high, labels, bands, message):
    with pytest.raises(ValidationError, match=message):
        scales.custom_scale(low, high, labels, bands)


# ------------------------------------------------------------------ dimensions


def grade(name="Feasibility", question="How feasible is it to measure?"):
    return DimensionSpec(name=name, question=question, scale="grade9")


def test_dimensions_are_added_with_their_own_scale(db):
    user = make_user()
    study = make_study(owner=user)
    dimension = design.add_dimension(study, user, DimensionSpec(
        name="Agreement", question="Do you agree?", scale="agreement5", offers_unable=False))
    assert [d.name for d in study.dimensions] == ["Importance", "Agreement"]
    assert dimension.position == 1
    assert (dimension.scale.minimum, dimension.scale.maximum) == (1, 5)
    assert dimension.scale.offers_unable is False
    assert dimension.scale.bands == {"disagree": [1, 2], "neutral": [3, 3], "agree": [4, 5]}
    assert scales.preset_key(dimension.scale) == "agreement5"
    (event,) = events(study, "dimension.added")
    assert event.target == "Agreement" and event.details["bands"]["agree"] == [4, 5]


def test_a_custom_dimension_scale(db):
    user = make_user()
    study = make_study(owner=user)
    dimension = design.add_dimension(study, user, DimensionSpec(
        name="Frequency", question="How often?", scale="custom", minimum=0, maximum=2,
        labels="Never\nSometimes\nOften", bands="rare: 0-0\ncommon: 1-2"))
    assert dimension.scale.labels == {"0": "Never", "1": "Sometimes", "2": "Often"}
    assert scales.preset_key(dimension.scale) == "custom"


@pytest.mark.parametrize(("spec", "message"), [
    (DimensionSpec(name=" ", question="Q?", scale="grade9"), "dimension's name"),
    (DimensionSpec(name="importance", question="Q?", scale="grade9"), "already has a dimension"),
    (DimensionSpec(name="Feasibility", question="", scale="grade9"), "question"),
    (DimensionSpec(name="Feasibility", question="Q?", scale="nine"), "Choose a scale"),
    (DimensionSpec(name="Feasibility", question="Q?", scale="custom"), "lowest and highest"),
])
def test_bad_dimensions_are_refused_and_nothing_is_added(db, spec, message):
    user = make_user()
    study = make_study(owner=user)
    with pytest.raises(ValidationError, match=message):
        design.add_dimension(study, user, spec)
    db.session.expire_all()
    assert [d.name for d in study.dimensions] == ["Importance"]
    assert count(RatingScale) == 1


def test_a_scale_change_that_breaks_a_rule_is_refused(db):
    user = make_user()
    study = make_study(owner=user)
    design.add_rule(study, user, RuleRole.PRIMARY, COMET_GRADE.name)
    importance = study.dimensions[0]
    with pytest.raises(ValidationError, match="COMET GRADE 70/15.*would not fit"):
        design.update_dimension(importance, user, DimensionSpec(
            name="Importance", question="Q?", scale="agreement5"))
    db.session.expire_all()
    assert importance.scale.maximum == 9


def test_changing_and_deleting_a_dimension(db):
    user = make_user()
    study = make_study(owner=user)
    importance = study.dimensions[0]
    design.update_dimension(importance, user, DimensionSpec(
        name="Agreement", question="Do you agree?", scale="agreement5"))
    assert (importance.name, importance.scale.maximum) == ("Agreement", 5)
    (event,) = events(study, "dimension.changed")
    assert event.details["before"]["maximum"] == 9 and event.details["after"]["maximum"] == 5
    design.delete_dimension(importance, user)
    assert study.dimensions == [] and count(RatingScale) == 0
    assert events(study, "dimension.deleted")[0].target == "Agreement"


def test_dimensions_are_found_only_in_their_study(db):
    user = make_user()
    study, other = make_study(owner=user), make_study(owner=user, title="Other")
    with pytest.raises(NotFound):
        design.get_dimension(study, other.dimensions[0].id)


# ------------------------------------------------------------------ rules in words


def test_comet_grade_in_words():
    assert design.describe_rule(COMET_GRADE) == (
        "Consensus in: at least 70% rate 7–9 and fewer than 15% rate 1–3. "
        "Consensus out: at least 70% rate 1–3 and fewer than 15% rate 7–9. "
        "For the 1–9 scale only."
    )


def test_a_median_and_iqr_rule_in_words_also_from_its_json():
    rule = EngineRule("median 7, IQR 2", [Criterion("median", ">=", 7),
                                           Criterion("iqr", "<=", 2)])
    words = ("Consensus in: the median is at least 7 and the interquartile range (IQR) is at "
             "most 2. No item is ever marked “consensus out”.")
    assert design.describe_rule(rule) == words
    assert design.describe_rule(rule.to_dict()) == words


def test_group_rules_named_bands_and_round_stages_in_words():
    first = EngineRule("60", [Criterion("percent", ">", 60, band="agree", each_group=True)],
                       [Criterion("percent", "<", 20.5, band=(4, 5))])
    staged = RoundDependentRule("staged", [(1, first), (2, EveryGroupRule("all", COMET_GRADE))])
    words = design.describe_rule(staged)
    assert words.startswith(
        "From round 1: Consensus in: more than 60% rate in the “agree” band in every "
        "stakeholder group. Consensus out: fewer than 20.5% rate 4–5. From round 2: Every "
        "stakeholder group must meet this on its own: Consensus in: at least 70% rate 7–9")
    assert words.endswith("An item gets a status only when every group gives it.")


def test_rand_ucla_rules_in_words():
    assert design.describe_rule(RAND_UCLA).startswith(
        "Appropriate: the median is at least 7 and the panel does not disagree. "
        "Inappropriate: the median is at most 3.5 and the panel does not disagree. "
        "Otherwise uncertain. Disagreement: the range between the 30th and 70th percentiles")
    assert "with 8–10 ratings, at least 3 rate 1–3 and at least 3 rate 7–9" in (
        design.describe_rule(RAND_UCLA_CLASSIC))


# ------------------------------------------------------------------ which rules fit


def test_every_preset_fits_a_grade_study_and_none_a_five_point_one(db):
    user = make_user()
    study = make_study(owner=user)
    assert set(design.preset_rules(study)) == {
        "COMET GRADE 70/15", "COMET GRADE 70/15, out: <= 50% rate 7-9 in each group",
        "RAND/UCLA (IPRAS)", "RAND/UCLA classic (panel size)"}
    design.update_dimension(study.dimensions[0], user, DimensionSpec(
        name="Agreement", question="Agree?", scale="agreement5"))
    assert design.preset_rules(study) == {}


def test_rule_problem_uses_the_engines_checks():
    assert design.rule_problem(COMET_GRADE, [("Importance", GRADE_9)]) is None
    problem = design.rule_problem(COMET_GRADE, [("Agreement", LIKERT_5)])
    assert "does not fit the 1–5 scale of “Agreement”" in problem
    late = RoundDependentRule("late", [
        (1, EngineRule("a", [Criterion("median", ">=", 4)])), (3, RAND_UCLA)])
    assert "1–9 scale" in design.rule_problem(late, [("Agreement", LIKERT_5)])
    assert design.rule_problem(late, [("Importance", GRADE_9)]) is None


# ------------------------------------------------------------------ building and storing rules


def test_a_rule_is_built_from_parts():
    rule = design.build_rule(
        "75% agree", [CriterionPart("percent", ">=", 75, (4, 5)),
                      CriterionPart("iqr", "<=", 1)],
        [CriterionPart("percent", ">=", 75, (1, 2))], every_group=True)
    assert isinstance(rule, EveryGroupRule)
    assert rule_from_dict(rule.to_dict()) == rule
    assert design.describe_rule(rule) == (
        "Every stakeholder group must meet this on its own: Consensus in: at least 75% rate "
        "4–5 and the interquartile range (IQR) is at most 1. Consensus out: at least 75% rate "
        "1–2. An item gets a status only when every group gives it.")


@pytest.mark.parametrize(("name", "parts", "message"), [
    ("", [CriterionPart("median", ">=", 7)], "Give the rule a name"),
    ("x", [], "at least one condition"),
    ("x", [CriterionPart("percent", ">=", 170, (7, 9))], "0-100"),
    ("x", [CriterionPart("percent", ">=", 70, None)], "needs a band"),
])
def test_bad_parts_make_no_rule(name, parts, message):
    with pytest.raises(ValidationError, match=message):
        design.build_rule(name, parts)


def test_the_first_rule_is_primary_and_a_new_primary_demotes_the_old(db):
    user = make_user()
    study = make_study(owner=user)
    comet = design.add_rule(study, user, RuleRole.SECONDARY, COMET_GRADE.name)
    assert comet.role == RuleRole.PRIMARY
    assert rule_from_dict(comet.definition) == COMET_GRADE and comet.fixed_at is None
    own = design.add_rule(study, user, RuleRole.PRIMARY, RuleParts(
        "Median 7+", [CriterionPart("median", ">=", 7)]))
    assert (comet.role, own.role) == (RuleRole.SECONDARY, RuleRole.PRIMARY)
    assert [r.name for r in design.rules_in_order(study)] == ["Median 7+", COMET_GRADE.name]
    added = events(study, "rule.added")
    assert added[1].details["before"] == {"primary": COMET_GRADE.name}
    assert added[1].details["after"]["rule"]["definition"]["kind"] == "consensus"


@pytest.mark.parametrize(("rule", "message"), [
    ("No such preset", "Choose one of the preset rules"),
    (COMET_GRADE.name, "already has a rule called"),
    (RuleParts("9s", [CriterionPart("percent", ">=", 70, (9, 10))]), "not on the 1–9 scale"),
    (RuleParts("too high", [CriterionPart("median", ">=", 12)]), "does not fit"),
])
def test_rules_that_cannot_be_used_are_refused(db, rule, message):
    user = make_user()
    study = make_study(owner=user)
    design.add_rule(study, user, RuleRole.PRIMARY, COMET_GRADE.name)
    with pytest.raises(ValidationError, match=message):
        design.add_rule(study, user, RuleRole.SECONDARY, rule)
    db.session.expire_all()
    assert len(study.rules) == 1


def test_a_rule_needs_a_dimension_to_be_checked_against(db):
    user = make_user()
    study = make_study(owner=user)
    design.delete_dimension(study.dimensions[0], user)
    with pytest.raises(ValidationError, match="Add a dimension"):
        design.add_rule(study, user, RuleRole.PRIMARY, COMET_GRADE.name)


def test_making_primary_and_removing_rules(db):
    user = make_user()
    study = make_study(owner=user)
    comet = design.add_rule(study, user, RuleRole.PRIMARY, COMET_GRADE.name)
    rand = design.add_rule(study, user, RuleRole.SECONDARY, RAND_UCLA.name)
    with pytest.raises(ValidationError, match="primary rule already"):
        design.make_primary(comet, user)
    with pytest.raises(ValidationError, match="Make another rule primary"):
        design.delete_rule(comet, user)
    design.make_primary(rand, user)
    assert (comet.role, rand.role) == (RuleRole.SECONDARY, RuleRole.PRIMARY)
    design.delete_rule(comet, user)
    design.delete_rule(rand, user)
    assert study.rules == []
    assert [e.action for e in AuditEvent.query.filter(
        AuditEvent.action.startswith("rule.")).order_by(AuditEvent.id)] == [
        "rule.added", "rule.added", "rule.made_primary", "rule.deleted", "rule.deleted"]


# ------------------------------------------------------------------ stakeholder groups


def test_groups_are_added_renamed_and_given_targets(db):
    user = make_user()
    study = make_study(owner=user, groups=("Patients",))
    group = design.add_group(study, user, " Physiotherapists ", 12)
    assert (group.name, group.target_number, group.position) == ("Physiotherapists", 12, 1)
    design.update_group(group, user, "Physios", 15)
    assert (group.name, group.target_number) == ("Physios", 15)
    (event,) = events(study, "group.changed")
    assert event.details == {"before": {"name": "Physiotherapists", "target_number": 12},
                             "after": {"name": "Physios", "target_number": 15}}


@pytest.mark.parametrize(("name", "target", "message"), [
    ("", 1, "group's name"),
    ("patients", 1, "already has a group"),
    ("Nurses", -1, "from 0 to 10000"),
])
def test_bad_groups_are_refused(db, name, target, message):
    user = make_user()
    study = make_study(owner=user, groups=("Patients",))
    with pytest.raises(ValidationError, match=message):
        design.add_group(study, user, name, target)
    assert count(StakeholderGroup) == 1


def test_groups_move_up_and_down(db):
    user = make_user()
    study = make_study(owner=user)
    patients, nurses, doctors = study.groups
    design.move_group(doctors, user, "up")
    db.session.expire_all()
    assert [g.name for g in study.groups] == ["Patients and carers", "Doctors", "Nurses"]
    with pytest.raises(ValidationError, match="already first"):
        design.move_group(patients, user, "up")
    with pytest.raises(ValidationError, match="up or down"):
        design.move_group(patients, user, "sideways")
    assert events(study, "group.moved")[0].details == {"direction": "up", "position": 2}


def test_a_group_with_participants_cannot_be_deleted(db):
    user = make_user()
    study = make_study(owner=user)
    patients, nurses, _doctors = study.groups
    make_participant(study, group=patients).is_test = True
    with pytest.raises(StateError, match="has 1 participant, so it cannot be deleted"):
        design.delete_group(patients, user)
    design.delete_group(nurses, user)
    db.session.expire_all()
    assert [(g.name, g.position) for g in study.groups] == [
        ("Patients and carers", 0), ("Doctors", 1)]
    assert events(study, "group.deleted")[0].target == "Nurses"


def test_missing_steps_name_what_the_design_still_needs(db):
    user = make_user()
    study = design.create_study(user, details(kind=StudyKind.DELPHI), 3,
                                CarryForwardPolicy.NO_CONSENSUS, today=TODAY)
    assert design.missing_steps(study) == [
        "Add a dimension to rate items on, with its scale.",
        "Choose the primary consensus rule.",
        "Add at least one stakeholder group.",
    ]
    design.add_dimension(study, user, grade("Importance"))
    design.add_rule(study, user, RuleRole.PRIMARY, COMET_GRADE.name)
    design.add_group(study, user, "Patients", 10)
    assert design.missing_steps(study) == []
