"""Pages for participant documents (information, consent, guidance, invitation, reminder)
and for previewing a round as a participant would see it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...forms.documents import MAX_STATEMENT_ROWS, DocumentForm, SendTestForm
from ...models import DocumentKind
from ...services import answering, documents, feedback, ranking, studies
from ...services.documents import DocumentTextError
from . import bp

BLANK_STATEMENT_ROWS = 2


def _can_edit(study) -> bool:
    return studies.role_in(study, current_user) in studies.EDITOR_ROLES


@bp.get("/studies/<int:study_id>/documents")
@login_required
def list_documents(study_id: int):
    """The study's participant documents, and its rounds to preview as a participant."""
    study = studies.get_for_member(study_id, current_user)
    return render_template(
        "facilitator/documents/index.html", study=study,
        documents=documents.documents_for(study, by=current_user),
        titles=documents.KIND_TITLES, can_edit=_can_edit(study),
    )


@bp.get("/studies/<int:study_id>/documents/<kind>")
@login_required
def show_document(study_id: int, kind: str):
    """A document's current wording, filled with example values, and its earlier versions."""
    study = studies.get_for_member(study_id, current_user)
    document = documents.get_document(study, kind, by=current_user)
    return _render_version(study, document, document.current)


@bp.get("/studies/<int:study_id>/documents/<kind>/versions/<int:number>")
@login_required
def show_document_version(study_id: int, kind: str, number: int):
    """One saved version of a document, as it was written."""
    study = studies.get_for_member(study_id, current_user)
    document = documents.get_document(study, kind, by=current_user)
    return _render_version(study, document, documents.get_version(document, number))


def _render_version(study, document, version):
    return render_template(
        "facilitator/documents/show.html", study=study, document=document, version=version,
        rendered=documents.render_document(version, documents.example_context(study)),
        title=documents.KIND_TITLES[document.kind], can_edit=_can_edit(study),
        is_message=document.kind in documents.MESSAGE_KINDS, test_form=SendTestForm(),
    )


@bp.route("/studies/<int:study_id>/documents/<kind>/edit", methods=["GET", "POST"])
@login_required
def edit_document(study_id: int, kind: str):
    """Change a document's wording; saving adds a version and keeps the earlier ones."""
    study = studies.get_for_editor(study_id, current_user)
    document = documents.get_document(study, kind, by=current_user)
    form = DocumentForm(data=_form_data(document) if request.method == "GET" else None)
    if request.method == "POST" and form.add_statement.data:
        if len(form.statements.entries) < MAX_STATEMENT_ROWS:
            form.statements.append_entry()
        return _render_edit(study, document, form)
    if not form.validate_on_submit():
        return _render_edit(study, document, form, 400 if request.method == "POST" else 200)
    wording = {"subject": form.subject.data, "body": form.body.data, "label": form.label.data,
               "statements": _statements(document, form)}
    try:
        if form.preview.data:
            preview = documents.preview_text(document, **wording)
            return _render_edit(study, document, form, preview=preview)
        version = documents.save_version(document, by=current_user, **wording)
    except DocumentTextError as err:
        _attach_error(form, err)
        return _render_edit(study, document, form, 400)
    flash(f"{documents.KIND_TITLES[document.kind]} saved as version {version.number}.",
          "success")
    return redirect(url_for("facilitator.show_document", study_id=study.id, kind=kind))


def _form_data(document) -> dict:
    current = document.current
    rows = [dict(statement) for statement in current.statements or []]
    if document.kind == DocumentKind.CONSENT:
        rows += [{"key": "", "text": "", "required": False}] * BLANK_STATEMENT_ROWS
    # The label names the new version, so it starts empty rather than repeating the old one.
    return {"label": "", "subject": current.subject, "body": current.body, "statements": rows}


def _statements(document, form) -> list[dict] | None:
    if document.kind != DocumentKind.CONSENT:
        return None
    return [entry.form.data for entry in form.statements.entries]


def _attach_error(form, err: DocumentTextError) -> None:
    """Show a service's refusal beside the part of the form it is about."""
    field = err.field
    if field.startswith("statements-") and field.endswith("-text"):
        index = int(field.split("-")[1])
        if index < len(form.statements.entries):
            form.statements.entries[index].form.text.errors = [str(err)]
            form.statements.errors = [entry.errors for entry in form.statements.entries]
            return
        field = "body"
    target = form[field] if field in ("subject", "body", "label") else form.body
    target.errors = [*target.errors, str(err)]


def _render_edit(study, document, form, status: int = 200, preview=None):
    return render_template(
        "facilitator/documents/edit.html", study=study, document=document, form=form,
        preview=preview,
        title=documents.KIND_TITLES[document.kind],
        is_message=document.kind in documents.MESSAGE_KINDS,
        is_consent=document.kind == DocumentKind.CONSENT,
        placeholders={name: documents.PLACEHOLDERS[name]
                      for name in documents.allowed_placeholders(document.kind)},
        required=documents.REQUIRED_PLACEHOLDERS.get(document.kind, ()),
        can_add_statement=len(form.statements.entries) < MAX_STATEMENT_ROWS,
    ), status


@bp.post("/studies/<int:study_id>/documents/<kind>/test")
@login_required
def send_test_document(study_id: int, kind: str):
    """Queue the current wording, with example values, to the signed-in user's address."""
    study = studies.get_for_editor(study_id, current_user)
    document = documents.get_document(study, kind, by=current_user)
    if not SendTestForm().validate_on_submit():
        flash("The test was not sent. Reload the page and try again.", "error")
        return _render_version(study, document, document.current), 400
    documents.send_test(document, to=current_user)
    flash(
        f"A test of the {documents.KIND_TITLES[document.kind].lower()} has been queued for "
        f"{current_user.email}. It arrives when the outbox next sends messages.",
        "success",
    )
    return redirect(url_for("facilitator.show_document", study_id=study.id, kind=kind))


@bp.get("/studies/<int:study_id>/rounds/<int:number>/preview")
@login_required
def preview_round(study_id: int, number: int):
    """A round as a participant would see it, in any state; nothing can be submitted."""
    study = studies.get_for_member(study_id, current_user)
    preview = documents.preview_round(study, number, by=current_user)
    kind = preview.round.kind
    own_page = None if kind in answering.QUESTION_PAGE_KINDS else ranking.kind_words(kind)
    return render_template("facilitator/documents/preview_round.html", study=study,
                           preview=preview, example=feedback.example_feedback(preview.round),
                           own_page=own_page)
