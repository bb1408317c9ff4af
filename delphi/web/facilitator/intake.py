"""The uncertainty intake of a priority setting partnership: scope, who sent each submission,
the evidence check of each indicative question, and the trail to the final top 10.

Owners and facilitators change it; steering-group members read the intake and the trail.
Grouping submissions and writing questions from them stay on the suggestions pages.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...errors import DelphiError
from ...forms.intake import EvidenceForm, InScopeForm, OutOfScopeForm, RespondentForm
from ...services import intake, items, studies, suggestions
from . import bp

SUBMISSION = "/studies/<int:study_id>/intake/submissions/<int:suggestion_id>"


def _posted() -> bool:
    """A page shown again after a POST is an input error (a success redirects)."""
    return request.method == "POST"


def _to_intake(study, anchor: str | None = None):
    return redirect(url_for("facilitator.show_intake", study_id=study.id, _anchor=anchor))


@bp.get("/studies/<int:study_id>/intake")
@login_required
def show_intake(study_id: int):
    """Counts, the indicative questions with their evidence check, and what is out of scope."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/intake/intake.html", study=study, intake=intake.intake(study),
        can_change=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
        in_scope_form=InScopeForm(formdata=None))


@bp.get("/studies/<int:study_id>/intake/trail")
@login_required
def show_intake_trail(study_id: int):
    """Each submission's way from what was written to the final top 10."""
    study = studies.get_for_member(study_id, current_user)
    return render_template("facilitator/intake/trail.html", study=study,
                           trail=intake.trail_page(study))


@bp.route(SUBMISSION + "/out-of-scope", methods=["GET", "POST"])
@login_required
def mark_out_of_scope(study_id: int, suggestion_id: int):
    """Mark a submission out of the partnership's scope, with a reason."""
    study = studies.get_for_editor(study_id, current_user)
    submission = suggestions.get_suggestion(study, suggestion_id)
    form = OutOfScopeForm(data=None if _posted() else {
        "reason": submission.out_of_scope_reason or ""})
    if form.validate_on_submit():
        try:
            intake.mark_out_of_scope(submission, by=current_user, reason=form.reason.data)
        except DelphiError as err:
            if not form.show_error(err):
                flash(str(err), "error")
        else:
            flash("Marked out of scope. It is listed with its reason on the intake page.",
                  "success")
            return _to_intake(study, "out-of-scope")
    return render_template("facilitator/intake/out_of_scope.html", study=study,
                           submission=submission, form=form), 400 if _posted() else 200


@bp.post(SUBMISSION + "/in-scope")
@login_required
def mark_in_scope(study_id: int, suggestion_id: int):
    """Put a submission back in scope; back to the page the button was on."""
    study = studies.get_for_editor(study_id, current_user)
    submission = suggestions.get_suggestion(study, suggestion_id)
    form = InScopeForm()
    if not form.validate_on_submit():
        flash("The page had expired, so nothing changed. Try again.", "error")
    else:
        try:
            intake.mark_in_scope(submission, by=current_user)
        except DelphiError as err:
            flash(str(err), "error")
        else:
            flash("Back in scope: it can be grouped and made into a question.", "success")
    if form.back.data == "suggestions":
        return redirect(url_for("facilitator.list_suggestions", study_id=study.id,
                                _anchor=f"suggestion-{submission.id}"))
    return _to_intake(study, "out-of-scope")


@bp.route(SUBMISSION + "/respondent", methods=["GET", "POST"])
@login_required
def edit_respondent(study_id: int, suggestion_id: int):
    """Record who sent a submission: respondent type and organisation."""
    study = studies.get_for_editor(study_id, current_user)
    submission = suggestions.get_suggestion(study, suggestion_id)
    form = RespondentForm(data=None if _posted() else {
        "respondent_type": intake.respondent_type_of(submission),
        "organisation": submission.organisation})
    if form.validate_on_submit():
        try:
            intake.set_respondent(submission, by=current_user,
                                  respondent_type=form.respondent_type.data,
                                  organisation=form.organisation.data or "")
        except DelphiError as err:
            if not form.show_error(err):
                flash(str(err), "error")
        else:
            flash("Who sent it was saved.", "success")
            return redirect(url_for("facilitator.list_suggestions", study_id=study.id,
                                    _anchor=f"suggestion-{submission.id}"))
    return render_template("facilitator/intake/respondent.html", study=study,
                           submission=submission, form=form,
                           types=intake.RESPONDENT_TYPES), 400 if _posted() else 200


@bp.route("/studies/<int:study_id>/intake/questions/<int:item_id>/evidence",
          methods=["GET", "POST"])
@login_required
def check_evidence(study_id: int, item_id: int):
    """Record whether research has answered an indicative question, with the source."""
    study = studies.get_for_editor(study_id, current_user)
    item = items.get_item(study, item_id)
    form = EvidenceForm(data=None if _posted() else {
        "status": item.evidence_status.value if item.evidence_status else None,
        "note": item.evidence_note})
    if form.validate_on_submit():
        try:
            intake.set_evidence(item, by=current_user, status=form.status.data,
                                note=form.note.data or "")
        except DelphiError as err:
            if not form.show_error(err):
                flash(str(err), "error")
        else:
            flash("The evidence check was saved.", "success")
            return _to_intake(study, f"question-{item.id}")
    return render_template("facilitator/intake/evidence.html", study=study, item=item,
                           form=form), 400 if _posted() else 200
