"""Pages for a study's items: the list by domain, add, edit, order, domains, delete, import."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...errors import DelphiError
from ...forms.items import (
    ConfirmForm,
    ImportConfirmForm,
    ImportUploadForm,
    ItemForm,
    MoveForm,
    RenameDomainForm,
)
from ...services import item_import, items, studies
from ...services.items import EditConflict
from . import bp


def _editor_item(study_id: int, item_id: int):
    study = studies.get_for_editor(study_id, current_user)
    return study, items.get_item(study, item_id)


def _to_list(study, anchor: str | None = None):
    return redirect(url_for("facilitator.list_items", study_id=study.id, _anchor=anchor))


def _item_changes(form: ItemForm, with_response: bool = True) -> dict:
    """The form's values as service arguments; without the response fields when the page
    did not offer them (the item's answers are fixed)."""
    changes = {"text": form.text.data, "explanation": form.explanation.data,
               "domain": form.domain.data}
    if with_response:
        changes.update(response_type=form.response_type.data, options=form.option_list(),
                       max_choices=form.max_choices_value())
    return changes


def _render_item_form(study, form, item=None, status=200, saved=None, shown_in=None):
    return render_template(
        "facilitator/items/form.html", study=study, form=form, item=item, saved=saved,
        domains=items.domains_of(study), shown_in=shown_in,
        response_summary=items.describe_response(item) if item is not None else "",
    ), status


@bp.get("/studies/<int:study_id>/items")
@login_required
def list_items(study_id: int):
    """The study's items grouped by domain, with how each is answered."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/items/list.html", study=study, listing=items.list_items(study),
        can_edit=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
    )


@bp.get("/studies/<int:study_id>/items/<int:item_id>")
@login_required
def show_item(study_id: int, item_id: int):
    """One item with every wording it has had."""
    study = studies.get_for_member(study_id, current_user)
    item = items.get_item(study, item_id)
    return render_template(
        "facilitator/items/show.html", study=study, item=item,
        response_summary=items.describe_response(item),
        can_edit=studies.role_in(study, current_user) in studies.EDITOR_ROLES,
    )


@bp.route("/studies/<int:study_id>/items/new", methods=["GET", "POST"])
@login_required
def add_item(study_id: int):
    """Add one item at the end of its domain."""
    study = studies.get_for_editor(study_id, current_user)
    form = ItemForm()
    if not form.validate_on_submit():
        return _render_item_form(study, form, status=400 if form.errors else 200)
    try:
        item = items.create_item(study, by=current_user, **_item_changes(form))
    except DelphiError as err:
        if not form.show_error(err):
            flash(str(err), "error")
        return _render_item_form(study, form, status=400)
    flash(f"Item added: “{item.current.text}”.", "success")
    return _to_list(study, f"item-{item.id}")


@bp.route("/studies/<int:study_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(study_id: int, item_id: int):
    """Change an item; a colleague's save in between is reported, never overwritten."""
    study, item = _editor_item(study_id, item_id)
    shown_in = items.first_round_shown(item)
    form = ItemForm()
    if request.method == "GET":
        form.load(item)
    if not form.validate_on_submit():
        return _render_item_form(study, form, item, 400 if form.errors else 200,
                                 shown_in=shown_in)
    try:
        items.update_item(item, by=current_user, expected_version=form.version_value(),
                          reason=form.reason.data or "",
                          **_item_changes(form, with_response=shown_in is None))
    except EditConflict as err:
        flash(str(err), "error")
        form.version.data = str(item.version)  # saving again now is a deliberate choice
        return _render_item_form(study, form, item, 409, saved=item, shown_in=shown_in)
    except DelphiError as err:
        if not form.show_error(err):
            flash(str(err), "error")
        return _render_item_form(study, form, item, 400, shown_in=shown_in)
    flash("Item saved.", "success")
    return _to_list(study, f"item-{item.id}")


@bp.post("/studies/<int:study_id>/items/<int:item_id>/move")
@login_required
def move_item(study_id: int, item_id: int):
    """Move an item one place up or down within its domain (a button, so no script needed)."""
    study, item = _editor_item(study_id, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash("Choose to move the item up or down.", "error")
    elif not items.move_item(item, form.direction.data, by=current_user):
        flash(f"The item is already {'first' if form.direction.data == 'up' else 'last'} "
              "in its domain.", "info")
    return _to_list(study, f"item-{item.id}")


@bp.post("/studies/<int:study_id>/items/domains/move")
@login_required
def move_domain(study_id: int):
    """Move a domain, with all its items, one place up or down."""
    study = studies.get_for_editor(study_id, current_user)
    form = MoveForm()
    domain = request.args.get("domain", "")
    if not form.validate_on_submit():
        flash("Choose to move the domain up or down.", "error")
    elif not items.move_domain(study, domain, form.direction.data, by=current_user):
        flash(f"The domain is already {'first' if form.direction.data == 'up' else 'last'}.",
              "info")
    return _to_list(study)


@bp.route("/studies/<int:study_id>/items/domains/rename", methods=["GET", "POST"])
@login_required
def rename_domain(study_id: int):
    """Rename a domain on every item in it."""
    study = studies.get_for_editor(study_id, current_user)
    old = request.args.get("domain", "")
    form = RenameDomainForm(data=None if request.method == "POST" else {"name": old})
    status = 200
    if form.validate_on_submit():
        try:
            count = items.rename_domain(study, old, form.name.data, by=current_user)
        except DelphiError as err:
            form.name.errors = [*form.name.errors, str(err)]
        else:
            flash(f"Domain renamed on {count} item{'s' if count != 1 else ''}.", "success")
            return _to_list(study)
    if form.errors:
        status = 400
    return render_template("facilitator/items/rename_domain.html", study=study, form=form,
                           old=old), status


def _confirm_page(study_id: int, item_id: int, template: str, action, done: str):
    """A confirmation page; on POST, ``action(item, by=...)`` and back to the list."""
    study, item = _editor_item(study_id, item_id)
    form = ConfirmForm()
    context = {"study": study, "item": item, "form": form,
               "can_delete": items.can_delete(item)}
    if not form.validate_on_submit():
        return render_template(template, **context), 400 if form.errors else 200
    try:
        action(item, by=current_user)
    except DelphiError as err:
        flash(str(err), "error")
        return render_template(template, **context), 409
    flash(done, "success")
    return _to_list(study)


@bp.route("/studies/<int:study_id>/items/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def delete_item(study_id: int, item_id: int):
    """Confirm, then delete an item that has never been in a round."""
    return _confirm_page(study_id, item_id, "facilitator/items/delete.html",
                         items.delete_item, "Item deleted.")


@bp.route("/studies/<int:study_id>/items/<int:item_id>/retire", methods=["GET", "POST"])
@login_required
def retire_item(study_id: int, item_id: int):
    """Confirm, then stop using an item while keeping its history."""
    return _confirm_page(study_id, item_id, "facilitator/items/retire.html",
                         items.retire_item, "Item retired. It is listed under “Retired items”.")


@bp.post("/studies/<int:study_id>/items/<int:item_id>/restore")
@login_required
def restore_item(study_id: int, item_id: int):
    """Put a retired item back in use."""
    study, item = _editor_item(study_id, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            items.restore_item(item, by=current_user)
        except DelphiError as err:
            flash(str(err), "error")
        else:
            flash("Item restored.", "success")
    return _to_list(study, f"item-{item.id}")


@bp.route("/studies/<int:study_id>/items/import", methods=["GET", "POST"])
@login_required
def import_items(study_id: int):
    """Upload a CSV or XLSX file and see what it would create, and what to fix first."""
    study = studies.get_for_editor(study_id, current_user)
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_template("facilitator/items/import.html", study=study, form=form,
                               max_rows=item_import.MAX_ROWS), 400 if form.errors else 200
    upload = form.file.data
    preview = item_import.read_upload(study, upload.filename or "", upload.read())
    confirm = ImportConfirmForm(formdata=None)
    if preview.is_clean:
        confirm.payload.data = item_import.sign_preview(preview, study, current_user)
    return render_template(
        "facilitator/items/import_preview.html", study=study, preview=preview,
        confirm=confirm, form=ImportUploadForm(formdata=None),
    ), 200 if preview.is_clean else 400


@bp.post("/studies/<int:study_id>/items/import/confirm")
@login_required
def confirm_import(study_id: int):
    """Create every item of a clean, previewed file, all or none."""
    study = studies.get_for_editor(study_id, current_user)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash("The preview was missing, so nothing was created. Upload the file again.",
              "error")
        return redirect(url_for("facilitator.import_items", study_id=study.id))
    try:
        created = item_import.confirm_import(study, form.payload.data, by=current_user)
    except DelphiError as err:
        flash(str(err), "error")
        return redirect(url_for("facilitator.import_items", study_id=study.id))
    flash(f"{len(created)} item{'s' if len(created) != 1 else ''} imported.", "success")
    return _to_list(study)


@bp.get("/studies/<int:study_id>/items/import/template.csv")
@login_required
def download_items_template(study_id: int):
    """A CSV file with the right headings and two example rows, to fill in."""
    studies.get_for_member(study_id, current_user)
    return Response(
        item_import.template_csv(), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=delphi-items-template.csv"},
    )
