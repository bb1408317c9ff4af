"""A CHNRI exercise: set up its criteria and questions, then read the results.

Owners and facilitators change the criteria, their weights and questions until the CHNRI
round opens; steering-group members read them. Everyone on the team reads the results and
their chart.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...charts import chnri_priorities, to_png
from ...errors import NotFound, StateError, ValidationError
from ...forms.chnri import ConfirmForm, CriterionForm, MoveForm, QuestionForm
from ...models import RoundState, StudyKind
from ...services import chnri, studies
from . import bp

STUDY = "/studies/<int:study_id>/chnri"


def _study(study_id: int, edit: bool = False):
    study = (studies.get_for_editor if edit else studies.get_for_member)(study_id, current_user)
    if study.kind != StudyKind.CHNRI:
        raise NotFound(chnri.NOT_CHNRI_MESSAGE)
    return study


def _setup_page(study, form=None, status=200):
    can_change = (studies.role_in(study, current_user) in studies.EDITOR_ROLES
                  and chnri.is_changeable(study))
    return render_template(
        "facilitator/chnri/setup.html", study=study, criteria=chnri.criteria_of(study),
        can_change=can_change, form=form or CriterionForm(formdata=None),
        standard=chnri.STANDARD_CRITERIA, move_form=MoveForm(), confirm_form=ConfirmForm(),
        chnri_round=chnri.chnri_round(study), draft=chnri.first_draft_round(study),
        is_editor=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
    ), status


def _refused(study, error):
    flash(str(error), "error")
    return _setup_page(study, status=409)


def _back(study):
    return redirect(url_for("facilitator.show_chnri", study_id=study.id), 303)


@bp.get(STUDY)
@login_required
def show_chnri(study_id: int):
    """The criteria, their weights and questions; forms to change them while allowed."""
    return _setup_page(_study(study_id))


@bp.post(STUDY + "/template")
@login_required
def add_chnri_template(study_id: int):
    """Fill in the five standard criteria, each with its standard question."""
    study = _study(study_id, edit=True)
    if not ConfirmForm().validate_on_submit():
        return _setup_page(study, status=400)
    try:
        chnri.add_template(study, current_user)
    except (StateError, ValidationError) as error:
        return _refused(study, error)
    flash("The five standard criteria were added. Put the questions in your own words.",
          "success")
    return _back(study)


@bp.post(STUDY + "/round")
@login_required
def choose_chnri_round(study_id: int):
    """Make the earliest draft round the study's CHNRI round."""
    study = _study(study_id, edit=True)
    round_ = chnri.first_draft_round(study)
    if not ConfirmForm().validate_on_submit() or round_ is None:
        return _setup_page(study, status=400)
    try:
        chnri.use_round(round_, current_user)
    except StateError as error:
        return _refused(study, error)
    flash(f"Round {round_.number} is now the CHNRI round.", "success")
    return _back(study)


@bp.post(STUDY + "/criteria")
@login_required
def add_chnri_criterion(study_id: int):
    """Add a criterion at the end."""
    study = _study(study_id, edit=True)
    form = CriterionForm()
    if not form.validate_on_submit():
        return _setup_page(study, form, 400)
    try:
        chnri.add_criterion(study, current_user, form.name.data, form.weight.data,
                            form.weight_source.data)
    except chnri.SetupError as error:
        form.show_error(error)
        return _setup_page(study, form, 400)
    except StateError as error:
        return _refused(study, error)
    flash(f"“{form.name.data.strip()}” was added.", "success")
    return _back(study)


def _criterion_page(study, criterion, form=None, question_form=None, status=200):
    return render_template(
        "facilitator/chnri/criterion.html", study=study, criterion=criterion,
        form=form or CriterionForm(formdata=None).fill(criterion),
        question_form=question_form or QuestionForm(formdata=None),
    ), status


@bp.get(STUDY + "/criteria/<int:criterion_id>")
@login_required
def edit_chnri_criterion(study_id: int, criterion_id: int):
    """Rename a criterion, set its weight, add questions to it."""
    study = _study(study_id, edit=True)
    return _criterion_page(study, chnri.get_criterion(study, criterion_id))


@bp.post(STUDY + "/criteria/<int:criterion_id>")
@login_required
def change_chnri_criterion(study_id: int, criterion_id: int):
    """Save a criterion's name, weight and the weight's source."""
    study = _study(study_id, edit=True)
    criterion = chnri.get_criterion(study, criterion_id)
    form = CriterionForm()
    if not form.validate_on_submit():
        return _criterion_page(study, criterion, form, status=400)
    try:
        chnri.update_criterion(criterion, current_user, form.name.data, form.weight.data,
                               form.weight_source.data)
    except chnri.SetupError as error:
        form.show_error(error)
        return _criterion_page(study, criterion, form, status=400)
    except StateError as error:
        return _refused(study, error)
    flash(f"“{criterion.name}” was saved.", "success")
    return _back(study)


@bp.post(STUDY + "/criteria/<int:criterion_id>/questions")
@login_required
def add_chnri_question(study_id: int, criterion_id: int):
    """Add a question at the end of a criterion."""
    study = _study(study_id, edit=True)
    criterion = chnri.get_criterion(study, criterion_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _criterion_page(study, criterion, question_form=form, status=400)
    try:
        chnri.add_question(criterion, current_user, form.text.data)
    except chnri.SetupError as error:
        form.show_error(error)
        return _criterion_page(study, criterion, question_form=form, status=400)
    except StateError as error:
        return _refused(study, error)
    flash(f"A question was added to “{criterion.name}”.", "success")
    return _back(study)


def _move(study, move, row):
    form = MoveForm()
    if not form.validate_on_submit():
        return _setup_page(study, status=400)
    try:
        move(row, current_user, form.direction.data)
    except (StateError, ValidationError) as error:
        return _refused(study, error)
    return _back(study)


@bp.post(STUDY + "/criteria/<int:criterion_id>/move")
@login_required
def move_chnri_criterion(study_id: int, criterion_id: int):
    """Move a criterion one place up or down."""
    study = _study(study_id, edit=True)
    return _move(study, chnri.move_criterion, chnri.get_criterion(study, criterion_id))


@bp.post(STUDY + "/questions/<int:question_id>/move")
@login_required
def move_chnri_question(study_id: int, question_id: int):
    """Move a question one place up or down within its criterion."""
    study = _study(study_id, edit=True)
    return _move(study, chnri.move_question, chnri.get_question(study, question_id))


def _question_page(study, question, form=None, status=200):
    form = form or QuestionForm(formdata=None, data={"text": question.text})
    return render_template("facilitator/chnri/question.html", study=study, question=question,
                           form=form), status


@bp.get(STUDY + "/questions/<int:question_id>")
@login_required
def edit_chnri_question(study_id: int, question_id: int):
    """Change a question's wording."""
    study = _study(study_id, edit=True)
    return _question_page(study, chnri.get_question(study, question_id))


@bp.post(STUDY + "/questions/<int:question_id>")
@login_required
def change_chnri_question(study_id: int, question_id: int):
    """Save a question's wording."""
    study = _study(study_id, edit=True)
    question = chnri.get_question(study, question_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _question_page(study, question, form, 400)
    try:
        chnri.update_question(question, current_user, form.text.data)
    except chnri.SetupError as error:
        form.show_error(error)
        return _question_page(study, question, form, 400)
    except StateError as error:
        return _refused(study, error)
    flash("The question was saved.", "success")
    return _back(study)


def _delete_page(study, what, text, action, status=200):
    return render_template("facilitator/chnri/delete.html", study=study, what=what, text=text,
                           action=action, form=ConfirmForm()), status


def _delete_confirmed(study, confirm_url: str, delete, done: str):
    """Run ``delete(current_user)`` once the confirmation form is sent, else ask again."""
    if not ConfirmForm().validate_on_submit():
        return redirect(confirm_url, 303)
    try:
        delete(current_user)
    except StateError as error:
        return _refused(study, error)
    flash(done, "success")
    return _back(study)


@bp.get(STUDY + "/criteria/<int:criterion_id>/delete")
@login_required
def confirm_delete_chnri_criterion(study_id: int, criterion_id: int):
    """Ask before deleting a criterion and its questions."""
    study = _study(study_id, edit=True)
    criterion = chnri.get_criterion(study, criterion_id)
    return _delete_page(study, "criterion", criterion.name, url_for(
        "facilitator.delete_chnri_criterion", study_id=study.id, criterion_id=criterion.id))


@bp.post(STUDY + "/criteria/<int:criterion_id>/delete")
@login_required
def delete_chnri_criterion(study_id: int, criterion_id: int):
    """Delete a criterion and its questions."""
    study = _study(study_id, edit=True)
    criterion = chnri.get_criterion(study, criterion_id)
    return _delete_confirmed(
        study, url_for("facilitator.confirm_delete_chnri_criterion", study_id=study.id,
                       criterion_id=criterion.id),
        lambda by: chnri.delete_criterion(criterion, by),
        f"“{criterion.name}” and its questions were deleted.")


@bp.get(STUDY + "/questions/<int:question_id>/delete")
@login_required
def confirm_delete_chnri_question(study_id: int, question_id: int):
    """Ask before deleting a question."""
    study = _study(study_id, edit=True)
    question = chnri.get_question(study, question_id)
    return _delete_page(study, "question", question.text, url_for(
        "facilitator.delete_chnri_question", study_id=study.id, question_id=question.id))


@bp.post(STUDY + "/questions/<int:question_id>/delete")
@login_required
def delete_chnri_question(study_id: int, question_id: int):
    """Delete a question."""
    study = _study(study_id, edit=True)
    question = chnri.get_question(study, question_id)
    return _delete_confirmed(
        study, url_for("facilitator.confirm_delete_chnri_question", study_id=study.id,
                       question_id=question.id),
        lambda by: chnri.delete_question(question, by), "The question was deleted.")


def _results(study):
    round_ = chnri.chnri_round(study)
    if round_ is None or round_.state == RoundState.DRAFT:
        return None
    return chnri.chnri_results(round_)


def _chart(results):
    label = "Weighted Research Priority Score" if results.weighted \
        else "Research Priority Score (0 to 100)"
    return chnri_priorities(
        [row.number for row in results.rows],
        [row.weighted_rps if results.weighted else row.rps for row in results.rows],
        [row.criterion_scores for row in results.rows],
        [criterion.name for criterion in results.criteria], label=label,
        title="Research options by priority score")


@bp.get(STUDY + "/results")
@login_required
def show_chnri_results(study_id: int):
    """Each research option's criterion scores, RPS, AEA and rank, with a chart."""
    study = _study(study_id)
    results = _results(study)
    chart = _chart(results) if results is not None and results.criteria else None
    return render_template("facilitator/chnri/results.html", study=study, results=results,
                           chart=chart)


@bp.get(STUDY + "/results/chart.png")
@login_required
def show_chnri_chart(study_id: int):
    """The results chart as a PNG picture."""
    study = _study(study_id)
    results = _results(study)
    if results is None or not results.criteria:
        raise NotFound("There are no CHNRI results to draw yet.")
    response = Response(to_png(_chart(results).figure), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
