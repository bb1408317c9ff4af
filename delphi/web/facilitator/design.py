"""Designing a study: creating it, its details and protocol, dimensions, rules and groups."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import StateError, ValidationError
from ...forms.design import (
    ConfirmForm,
    CreateStudyForm,
    DimensionForm,
    GroupForm,
    MoveForm,
    ProtocolForm,
    ReasonForm,
    RuleForm,
    StudyDetailsForm,
)
from ...models import CarryForwardPolicy, RuleRole, Study
from ...services import design, protocol, scales, studies
from . import bp

DESIGN = "facilitator/design/"


def _submit(form, template: str, context: dict, action: Callable, message: str,
            target: Callable):
    """Validate ``form``, run ``action``, flash and redirect to ``target(result)``.

    On bad input or a refusal the page is shown again, with what was typed, and status 400.
    """
    if form.validate_on_submit():
        try:
            result = action()
        except (ValidationError, StateError) as err:
            flash(str(err), "error")
        else:
            flash(message, "success")
            return redirect(target(result))
        return render_template(template, form=form, **context), 400
    return render_template(template, form=form, **context), 400 if form.errors else 200


def _to_design(study: Study) -> Callable:
    return lambda _result: url_for("facilitator.show_design", study_id=study.id)


@bp.route("/studies/new", methods=["GET", "POST"])
@login_required
def create_study():
    """Start a study; the signed-in user becomes its owner."""
    form = CreateStudyForm()
    return _submit(
        form, DESIGN + "create.html", {},
        lambda: design.create_study(current_user, form.details(), form.planned_rounds.data,
                                    CarryForwardPolicy(form.carry_forward_policy.data)),
        "Study created. Next, add its dimensions, consensus rules and stakeholder groups.",
        lambda study: url_for("facilitator.show_design", study_id=study.id),
    )


@bp.get("/studies/<int:study_id>/design")
@login_required
def show_design(study_id: int):
    """Everything about a study's design, with links to change it for owners and facilitators."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        DESIGN + "show.html", study=study,
        can_edit=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
        missing=design.missing_steps(study), describe_rule=design.describe_rule,
        rules=design.rules_in_order(study),
        deviations=[(d, design.describe_deviation(d)) for d in protocol.deviations(study)],
        carry_forward=design.CARRY_FORWARD_WORDS, languages=design.LANGUAGES,
        band_text=scales.band_text, move_form=MoveForm(),
    )


@bp.route("/studies/<int:study_id>/design/details", methods=["GET", "POST"])
@login_required
def edit_study(study_id: int):
    """Change the study's title, summary, type, contact, reporting and withdrawal settings."""
    study = studies.get_for_editor(study_id, current_user)
    form = StudyDetailsForm(obj=study)
    return _submit(
        form, DESIGN + "details.html", {"study": study},
        lambda: design.update_study(study, current_user, form.details()),
        "Study details saved.", _to_design(study),
    )


@bp.route("/studies/<int:study_id>/design/protocol", methods=["GET", "POST"])
@login_required
def edit_protocol(study_id: int):
    """Change the planned rounds and carry-forward policy (with a reason once fixed)."""
    study = studies.get_for_editor(study_id, current_user)
    form = ProtocolForm(obj=study)
    return _submit(
        form, DESIGN + "protocol.html", {"study": study, "is_fixed": protocol.is_fixed(study)},
        lambda: design.update_protocol(
            study, current_user, form.planned_rounds.data,
            CarryForwardPolicy(form.carry_forward_policy.data), form.reason.data or ""),
        "Protocol saved.", _to_design(study),
    )


@bp.route("/studies/<int:study_id>/design/dimensions/new", methods=["GET", "POST"])
@login_required
def add_dimension(study_id: int):
    """Add a dimension with its question and scale."""
    study = studies.get_for_editor(study_id, current_user)
    form = DimensionForm()
    return _submit(
        form, DESIGN + "dimension.html", {"study": study, "dimension": None},
        lambda: design.add_dimension(study, current_user, form.spec()),
        "Dimension added.", _to_design(study),
    )


@bp.route("/studies/<int:study_id>/design/dimensions/<int:dimension_id>",
          methods=["GET", "POST"])
@login_required
def edit_dimension(study_id: int, dimension_id: int):
    """Change a dimension's name, question or scale (until round 1 opens)."""
    study = studies.get_for_editor(study_id, current_user)
    dimension = design.get_dimension(study, dimension_id)
    form = DimensionForm(data=_dimension_data(dimension))
    return _submit(
        form, DESIGN + "dimension.html", {"study": study, "dimension": dimension},
        lambda: design.update_dimension(dimension, current_user, form.spec()),
        "Dimension saved.", _to_design(study),
    )


def _dimension_data(dimension) -> dict:
    scale = dimension.scale
    return {
        "name": dimension.name, "question": dimension.question,
        "scale": scales.preset_key(scale), "minimum": scale.minimum, "maximum": scale.maximum,
        "labels": "\n".join(scale.labels.get(str(point), "") for point in scale.points),
        "bands": "\n".join(f"{name}: {scales.band_text(*bounds)}"
                           for name, bounds in scale.bands.items()),
        "offers_unable": scale.offers_unable,
    }


@bp.route("/studies/<int:study_id>/design/dimensions/<int:dimension_id>/delete",
          methods=["GET", "POST"])
@login_required
def delete_dimension(study_id: int, dimension_id: int):
    """Ask, then delete a dimension and its scale (until round 1 opens)."""
    study = studies.get_for_editor(study_id, current_user)
    dimension = design.get_dimension(study, dimension_id)
    form = ConfirmForm()
    return _submit(
        form, DESIGN + "delete.html",
        {"study": study, "what": f"the dimension “{dimension.name}”",
         "consequence": "Its scale is deleted with it."},
        lambda: design.delete_dimension(dimension, current_user),
        f"Dimension “{dimension.name}” deleted.", _to_design(study),
    )


def _band_choices(study: Study) -> list[tuple[str, str]]:
    """Ranges a built rule may count ratings in: each scale's bands, then its top and bottom."""
    choices: dict[str, str] = {}
    for dimension in study.dimensions:
        scale = dimension.scale
        for name, (low, high) in scale.bands.items():
            choices.setdefault(f"{low}-{high}", f"{scales.band_text(low, high)} ({name})")
        for point in reversed(scale.points[1:]):
            choices.setdefault(f"{point}-{scale.maximum}", scales.band_text(point, scale.maximum))
        for point in scale.points[:-1]:
            choices.setdefault(f"{scale.minimum}-{point}", scales.band_text(scale.minimum, point))
    return list(choices.items())


@bp.route("/studies/<int:study_id>/design/rules/new", methods=["GET", "POST"])
@login_required
def add_rule(study_id: int):
    """Add a consensus rule: a preset that fits the study's scales, or one built from parts."""
    study = studies.get_for_editor(study_id, current_user)
    presets = design.preset_rules(study)
    form = RuleForm()
    form.set_choices(list(presets), _band_choices(study))
    return _submit(
        form, DESIGN + "rule.html",
        {"study": study, "presets": presets, "describe_rule": design.describe_rule,
         "is_fixed": protocol.is_fixed(study)},
        lambda: design.add_rule(study, current_user, RuleRole(form.role.data), form.choice(),
                                form.reason.data or ""),
        "Consensus rule added.", _to_design(study),
    )


def _change_rule(study_id: int, rule_id: int, change: str, action: Callable, message: str):
    """Ask for a reason (once the protocol is fixed), then ``action(rule, user, reason)``.

    ``message`` is flashed after, with ``{name}`` standing for the rule's name.
    """
    study = studies.get_for_editor(study_id, current_user)
    rule = design.get_rule(study, rule_id)
    form = ReasonForm()
    return _submit(
        form, DESIGN + "rule_change.html",
        {"study": study, "rule": rule, "is_fixed": protocol.is_fixed(study),
         "describe_rule": design.describe_rule, "change": change},
        lambda: action(rule, current_user, form.reason.data or ""),
        message.format(name=rule.name), _to_design(study),
    )


@bp.route("/studies/<int:study_id>/design/rules/<int:rule_id>/primary", methods=["GET", "POST"])
@login_required
def make_primary_rule(study_id: int, rule_id: int):
    """Ask (for a reason, once the protocol is fixed), then make a rule the primary one."""
    return _change_rule(study_id, rule_id, "primary", design.make_primary,
                        "“{name}” is now the primary rule.")


@bp.route("/studies/<int:study_id>/design/rules/<int:rule_id>/delete", methods=["GET", "POST"])
@login_required
def delete_rule(study_id: int, rule_id: int):
    """Ask (for a reason, once the protocol is fixed), then remove a consensus rule."""
    return _change_rule(study_id, rule_id, "delete", design.delete_rule,
                        "Rule “{name}” removed.")


@bp.route("/studies/<int:study_id>/design/groups/new", methods=["GET", "POST"])
@login_required
def add_group(study_id: int):
    """Add a stakeholder group with its recruitment target."""
    study = studies.get_for_editor(study_id, current_user)
    form = GroupForm()
    return _submit(
        form, DESIGN + "group.html", {"study": study, "group": None},
        lambda: design.add_group(study, current_user, form.name.data, form.target_number.data),
        "Stakeholder group added.", _to_design(study),
    )


@bp.route("/studies/<int:study_id>/design/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def edit_group(study_id: int, group_id: int):
    """Rename a stakeholder group or change its target."""
    study = studies.get_for_editor(study_id, current_user)
    group = design.get_group(study, group_id)
    form = GroupForm(obj=group)
    return _submit(
        form, DESIGN + "group.html", {"study": study, "group": group},
        lambda: design.update_group(group, current_user, form.name.data,
                                    form.target_number.data),
        "Stakeholder group saved.", _to_design(study),
    )


@bp.post("/studies/<int:study_id>/design/groups/<int:group_id>/move")
@login_required
def move_group(study_id: int, group_id: int):
    """Move a stakeholder group one place up or down the list."""
    study = studies.get_for_editor(study_id, current_user)
    group = design.get_group(study, group_id)
    form = MoveForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError("Choose whether to move the group up or down.")
        design.move_group(group, current_user, form.direction.data)
    except ValidationError as err:
        flash(str(err), "error")
    return redirect(url_for("facilitator.show_design", study_id=study.id) + "#groups")


@bp.route("/studies/<int:study_id>/design/groups/<int:group_id>/delete",
          methods=["GET", "POST"])
@login_required
def delete_group(study_id: int, group_id: int):
    """Ask, then delete a stakeholder group that has no participants."""
    study = studies.get_for_editor(study_id, current_user)
    group = design.get_group(study, group_id)
    form = ConfirmForm()
    return _submit(
        form, DESIGN + "delete.html",
        {"study": study, "what": f"the stakeholder group “{group.name}”",
         "consequence": "A group can only be deleted while no participants are in it."},
        lambda: design.delete_group(group, current_user),
        f"Stakeholder group “{group.name}” deleted.", _to_design(study),
    )
