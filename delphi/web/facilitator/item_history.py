"""Pages for an item's history and for changing items with it kept: reword, typo fix,
change of meaning, merge, split and retire with a reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ...errors import DelphiError
from ...forms.item_history import (
    ChangeMeaningForm,
    MergeForm,
    RetireForm,
    RewordForm,
    SplitForm,
    TypoForm,
)
from ...services import item_history, items, studies
from ...services.items import EditConflict
from . import bp

ITEM = "/studies/<int:study_id>/items/<int:item_id>"

#: The pages that change one item's wording: template wording, form, and service call.
WORDING_PAGES = {
    "reword": (RewordForm, "Reword this item",
               lambda item, form: item_history.reword(
                   item, by=current_user, expected_version=form.version_value(),
                   text=form.text.data, reason=form.reason.data),
               "New version saved."),
    "typo": (TypoForm, "Fix a typo",
             lambda item, form: item_history.fix_typo(
                 item, by=current_user, expected_version=form.version_value(),
                 text=form.text.data),
             "Typo fixed. No new version was made; the fix is in the item's history."),
    "meaning": (ChangeMeaningForm, "Change the meaning",
                lambda item, form: item_history.change_meaning(
                    item, by=current_user, expected_version=form.version_value(),
                    text=form.text.data, reason=form.reason.data),
                None),
}


def _editor_item(study_id: int, item_id: int):
    study = studies.get_for_editor(study_id, current_user)
    return study, items.get_item(study, item_id)


def _to_history(item):
    return redirect(url_for("facilitator.show_item_history", study_id=item.study_id,
                            item_id=item.id))


def _posted() -> bool:
    """A page shown again after a POST is an input error (a success redirects)."""
    return request.method == "POST"


@bp.get(ITEM + "/history")
@login_required
def show_item_history(study_id: int, item_id: int):
    """Every version of the item with reasons, typo fixes, links and rounds."""
    study = studies.get_for_member(study_id, current_user)
    item = items.get_item(study, item_id)
    return render_template(
        "facilitator/item_history/show.html", study=study,
        history=item_history.item_history(item), showing=item_history.open_round_item(item),
        can_edit=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
        is_wording_fixed=items.is_wording_fixed(item),
    )


def _wording_page(study_id: int, item_id: int, page: str):
    """Reword, fix a typo or change the meaning; a colleague's save in between is reported."""
    study, item = _editor_item(study_id, item_id)
    form_class, heading, change, done = WORDING_PAGES[page]
    form = form_class(data=None if _posted() else {
        "text": item.current.text, "version": str(item.version)})
    status, saved = (400 if _posted() else 200), None
    if form.validate_on_submit():
        try:
            result = change(item, form)
        except EditConflict as err:
            flash(str(err), "error")
            form.version.data = str(item.version)  # saving again is now a deliberate choice
            status, saved = 409, item
        except DelphiError as err:
            if not form.show_error(err):
                flash(str(err), "error")
        else:
            flash(done or _asked_again(result), "success")
            return _to_history(item)
    return render_template(
        "facilitator/item_history/wording.html", study=study, item=item, form=form,
        page=page, heading=heading, saved=saved, showing=item_history.open_round_item(item),
    ), status


def _asked_again(result) -> str:
    asked = len(result.participants)
    text = (f"New version saved and shown in round {result.round.number}. "
            f"{asked} participant{'s' if asked != 1 else ''} answered the old wording")
    if not asked:
        return text + "."
    return (text + f" and will be asked to answer again; {result.emailed} e-mailed a new "
            "link. The others see the request when they next open the round.")


@bp.route(ITEM + "/reword", methods=["GET", "POST"])
@login_required
def reword_item(study_id: int, item_id: int):
    """Between rounds: a new wording kept as a new version with its reason."""
    return _wording_page(study_id, item_id, "reword")


@bp.route(ITEM + "/fix-typo", methods=["GET", "POST"])
@login_required
def fix_item_typo(study_id: int, item_id: int):
    """While a round is open: correct a typo without a new version."""
    return _wording_page(study_id, item_id, "typo")


@bp.route(ITEM + "/change-meaning", methods=["GET", "POST"])
@login_required
def change_item_meaning(study_id: int, item_id: int):
    """While a round is open: a new version, and participants asked to answer again."""
    return _wording_page(study_id, item_id, "meaning")


@bp.route(ITEM + "/merge", methods=["GET", "POST"])
@login_required
def merge_item(study_id: int, item_id: int):
    """Merge other items with this one, into it or into a new item."""
    study, item = _editor_item(study_id, item_id)
    others = [row.item for group in items.list_items(study).domains for row in group.rows
              if row.item.id != item.id]
    form = MergeForm(data=None if _posted() else {"text": item.current.text})
    form.others.choices = [SelectChoice(str(other.id), other.current.text) for other in others]
    if form.validate_on_submit():
        try:
            target = _merge(item, others, form, keep=form.outcome.data == "keep")
        except DelphiError as err:
            if not form.show_error(err):
                flash(str(err), "error")
        else:
            flash("Items merged. Each keeps its history and links to the merged item.",
                  "success")
            return _to_history(target)
    return render_template("facilitator/item_history/merge.html", study=study, item=item,
                           form=form), 400 if _posted() else 200


def _merge(item, others, form, keep: bool):
    chosen = [other for other in others if str(other.id) in form.others.data]
    return item_history.merge_items(
        chosen if keep else [item, *chosen], keep=item if keep else None, by=current_user,
        reason=form.reason.data, text=form.text.data or "",
    )


@bp.route(ITEM + "/split", methods=["GET", "POST"])
@login_required
def split_item(study_id: int, item_id: int):
    """Split the item into two or more new items; it is retired and they link back."""
    study, item = _editor_item(study_id, item_id)
    form = SplitForm()
    if form.validate_on_submit():
        try:
            parts = item_history.split_item(item, form.statement_list(), by=current_user,
                                            reason=form.reason.data)
        except DelphiError as err:
            if not form.show_error(err):
                form.texts.errors = [*form.texts.errors, str(err)]
        else:
            flash(f"Item split into {len(parts)} new items.", "success")
            return _to_history(item)
    return render_template("facilitator/item_history/split.html", study=study, item=item,
                           form=form), 400 if _posted() else 200


@bp.route(ITEM + "/retire-with-reason", methods=["GET", "POST"])
@login_required
def retire_item_with_reason(study_id: int, item_id: int):
    """Confirm, with a reason kept in the history, then stop using the item."""
    study, item = _editor_item(study_id, item_id)
    form = RetireForm()
    if form.validate_on_submit():
        try:
            item_history.retire(item, by=current_user, reason=form.reason.data)
        except DelphiError as err:
            if not form.show_error(err):
                flash(str(err), "error")
        else:
            flash("Item retired. Its history and answers stay in the record.", "success")
            return _to_history(item)
    return render_template("facilitator/item_history/retire.html", study=study, item=item,
                           form=form), 400 if _posted() else 200
