"""Pages for reviewing a round's comments and suggestions, and turning suggestions into items.

Only owners and facilitators use them: they show what participants wrote before review,
and steering members only ever see approved text.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ...errors import DelphiError
from ...forms.moderation import (
    ActionForm,
    ApproveAllForm,
    EditTextForm,
    MergeSuggestionsForm,
    SuggestionItemForm,
)
from ...services import items, moderation, rounds, studies, suggestions
from . import bp

ENTRY = "/studies/<int:study_id>/rounds/<int:number>/review/<any(comment, suggestion):kind>/" \
        "<int:entry_id>"
ACTIONS = {
    "approve": (moderation.approve, "Approved: participants will see it."),
    "hide": (moderation.hide, "Hidden: only the study team and exports will have it."),
    "reopen": (moderation.return_to_review, "Returned to the list to review."),
}


def _editor_round(study_id: int, number: int):
    study = studies.get_for_editor(study_id, current_user)
    return study, rounds.get_round(study, number)


def _posted() -> bool:
    """A page shown again after a POST is an input error (a success redirects)."""
    return request.method == "POST"


def _to_review(round_, anchor: str | None = None):
    return redirect(url_for("facilitator.review_round", study_id=round_.study_id,
                            number=round_.number, _anchor=anchor))


@bp.get("/studies/<int:study_id>/rounds/<int:number>/review")
@login_required
def review_round(study_id: int, number: int):
    """The round's comments grouped by item, then its suggestions, each with its state."""
    study, round_ = _editor_round(study_id, number)
    return render_template("facilitator/moderation/review.html", study=study, round=round_,
                           review=moderation.review(round_), action_form=ActionForm())


@bp.post(ENTRY + "/<any(approve, hide, reopen):action>")
@login_required
def moderate_entry(study_id: int, number: int, kind: str, entry_id: int, action: str):
    """Approve, hide or return to review one comment or suggestion."""
    study, round_ = _editor_round(study_id, number)
    entry = moderation.get_entry(round_, kind, entry_id)
    if not ActionForm().validate_on_submit():
        flash("The page had expired, so nothing changed. Try again.", "error")
        return _to_review(round_, f"{kind}-{entry.id}")
    change, done = ACTIONS[action]
    try:
        change(entry, by=current_user)
    except DelphiError as err:
        flash(str(err), "error")
    else:
        flash(done, "success")
    return _to_review(round_, f"{kind}-{entry.id}")


@bp.route(ENTRY + "/edit", methods=["GET", "POST"])
@login_required
def edit_entry(study_id: int, number: int, kind: str, entry_id: int):
    """Edit what others will read; the participant's original wording is kept."""
    study, round_ = _editor_round(study_id, number)
    entry = moderation.get_entry(round_, kind, entry_id)
    form = EditTextForm(data=None if _posted() else {
        "text": entry.shown_text or entry.original_text})
    if form.validate_on_submit():
        try:
            moderation.edit(entry, form.text.data, by=current_user)
        except DelphiError as err:
            form.text.errors = [*form.text.errors, str(err)]
        else:
            flash(f"The edited {kind} is approved. The original is kept in the record.",
                  "success")
            return _to_review(round_, f"{kind}-{entry.id}")
    return render_template("facilitator/moderation/edit.html", study=study, round=round_,
                           entry=entry, kind=kind, form=form), 400 if _posted() else 200


@bp.route("/studies/<int:study_id>/rounds/<int:number>/review/approve-all",
          methods=["GET", "POST"])
@login_required
def approve_all_entries(study_id: int, number: int):
    """Confirm, then approve every comment and suggestion still waiting, as written."""
    study, round_ = _editor_round(study_id, number)
    pending = moderation.unreviewed_count(round_)
    form = ApproveAllForm(data=None if _posted() else {"expected": str(pending)})
    status = 200
    if form.validate_on_submit():
        try:
            count = moderation.approve_all_remaining(round_, by=current_user,
                                                     expected=int(form.expected.data))
        except DelphiError as err:
            flash(str(err), "error")
            form.expected.data = str(moderation.unreviewed_count(round_))
            status = 409
        else:
            flash(f"{count} approved.", "success")
            return _to_review(round_)
    elif form.errors:
        status = 400
    return render_template("facilitator/moderation/approve_all.html", study=study,
                           round=round_, pending=moderation.unreviewed_count(round_),
                           form=form), status


# --- suggestions ---------------------------------------------------------------------------


@bp.get("/studies/<int:study_id>/suggestions")
@login_required
def list_suggestions(study_id: int):
    """Every suggestion of the study, duplicates grouped, with the items made from them."""
    study = studies.get_for_editor(study_id, current_user)
    return render_template("facilitator/moderation/suggestions.html", study=study,
                           groups=suggestions.groups(study), action_form=ActionForm())


@bp.route("/studies/<int:study_id>/suggestions/<int:suggestion_id>/merge",
          methods=["GET", "POST"])
@login_required
def merge_suggestions(study_id: int, suggestion_id: int):
    """Group suggestions that say the same thing under this one."""
    study = studies.get_for_editor(study_id, current_user)
    lead = suggestions.get_suggestion(study, suggestion_id)
    others = [group.lead for group in suggestions.groups(study) if group.lead.id != lead.id]
    form = MergeSuggestionsForm()
    form.duplicates.choices = [SelectChoice(str(s.id), s.shown_text or s.original_text)
                              for s in others]
    if form.validate_on_submit():
        chosen = [s for s in others if str(s.id) in form.duplicates.data]
        try:
            suggestions.merge_suggestions(lead, chosen, by=current_user)
        except DelphiError as err:
            form.duplicates.errors = [*form.duplicates.errors, str(err)]
        else:
            flash("Suggestions grouped.", "success")
            return redirect(url_for("facilitator.list_suggestions", study_id=study.id,
                                    _anchor=f"suggestion-{lead.id}"))
    return render_template("facilitator/moderation/merge.html", study=study, lead=lead,
                           form=form), 400 if _posted() else 200


@bp.post("/studies/<int:study_id>/suggestions/<int:suggestion_id>/separate")
@login_required
def separate_suggestion(study_id: int, suggestion_id: int):
    """Take a suggestion out of the group it was merged into."""
    study = studies.get_for_editor(study_id, current_user)
    suggestion = suggestions.get_suggestion(study, suggestion_id)
    if ActionForm().validate_on_submit():
        try:
            suggestions.separate(suggestion, by=current_user)
        except DelphiError as err:
            flash(str(err), "error")
        else:
            flash("The suggestion is on its own again.", "success")
    return redirect(url_for("facilitator.list_suggestions", study_id=study.id,
                            _anchor=f"suggestion-{suggestion.id}"))


@bp.route("/studies/<int:study_id>/suggestions/<int:suggestion_id>/item",
          methods=["GET", "POST"])
@login_required
def create_suggestion_item(study_id: int, suggestion_id: int):
    """Write a new item from a suggestion and its group; the item links to each of them."""
    study = studies.get_for_editor(study_id, current_user)
    lead = suggestions.get_suggestion(study, suggestion_id)
    group = suggestions.group_of(lead)
    form = SuggestionItemForm(data=None if _posted() else {
        "text": lead.shown_text or lead.original_text})
    if form.validate_on_submit():
        try:
            item = suggestions.create_item_from(
                lead, by=current_user, text=form.text.data, domain=form.domain.data or "",
                explanation=form.explanation.data or "")
        except DelphiError as err:
            if not form.show_error(err):
                flash(str(err), "error")
        else:
            flash(f"Item added: “{item.current.text}”. It keeps links to the "
                  f"{len(group.all)} suggestion{'s' if len(group.all) != 1 else ''} it came "
                  "from.", "success")
            return redirect(url_for("facilitator.show_item_history", study_id=study.id,
                                    item_id=item.id))
    return render_template("facilitator/moderation/suggestion_item.html", study=study,
                           group=group, form=form,
                           domains=items.domains_of(study)), 400 if _posted() else 200


@bp.get("/studies/<int:study_id>/suggestions/trail")
@login_required
def show_suggestion_trail(study_id: int):
    """From what participants wrote to the items made of it, for publishing."""
    study = studies.get_for_editor(study_id, current_user)
    return render_template("facilitator/moderation/trail.html", study=study,
                           trail=suggestions.suggestion_trail(study))
