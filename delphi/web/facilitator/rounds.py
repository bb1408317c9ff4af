"""Running the rounds: the list, one round's page, and each move of a round (open, close date,
close, reopen, publish, prepare the next round, add or remove a draft's items). Each move is
confirmed on a page of its own before anything happens."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...errors import DelphiError, StateError, ValidationError
from ...forms.rounds import (
    AddItemForm,
    ConfirmForm,
    ExtendRoundForm,
    OpenRoundForm,
    PrepareRoundForm,
    PublishRoundForm,
    RemoveItemForm,
    ReopenRoundForm,
)
from ...services import items, moderation, rounds, studies
from . import bp

STEPS = {
    # endpoint: (template, form class)
    "open": ("facilitator/rounds/open.html", OpenRoundForm),
    "extend": ("facilitator/rounds/extend.html", ExtendRoundForm),
    "close": ("facilitator/rounds/close.html", ConfirmForm),
    "reopen": ("facilitator/rounds/reopen.html", ReopenRoundForm),
    "publish": ("facilitator/rounds/publish.html", PublishRoundForm),
    "prepare": ("facilitator/rounds/prepare.html", PrepareRoundForm),
}


def _can_change(study) -> bool:
    return studies.role_in(study, current_user) in studies.EDITOR_ROLES


def _to_round(round_):
    return redirect(url_for("facilitator.show_round", study_id=round_.study_id,
                            number=round_.number))


def _list_page(study, status=200):
    return render_template(
        "facilitator/rounds/list.html", study=study, rounds=rounds.rounds_of(study),
        can_change=_can_change(study), add_form=ConfirmForm(),
    ), status


def _round_page(study, round_, status=200, add_form=None):
    addable = rounds.addable_items(round_) if round_.number > 1 else []
    return render_template(
        "facilitator/rounds/show.html", study=study, round=round_,
        can_change=_can_change(study), shown=rounds.items_to_show(round_),
        previous=rounds.previous_round(round_), following=rounds.next_round(round_),
        add_form=add_form or AddItemForm().offer(addable), addable=addable,
        unreviewed=moderation.unreviewed_count(round_),
        describe=items.describe_response, decision_words=rounds.DECISION_WORDS,
    ), status


def _step_page(step, study, round_, form=None, status=200):
    template, form_class = STEPS[step]
    return render_template(
        template, study=study, round=round_, form=form or form_class(),
        shown=rounds.items_to_show(round_), unreviewed=moderation.unreviewed_count(round_),
        previous=rounds.previous_round(round_),
    ), status


def _refused(step, study, round_, error, form=None):
    """A move the rules refuse: the message as a flash, the page again, 409."""
    flash(str(error), "error")
    return _step_page(step, study, round_, form, 409)


def _editor_round(study_id: int, number: int):
    study = studies.get_for_editor(study_id, current_user)
    return study, rounds.get_round(study, number)


def _member_round(study_id: int, number: int):
    study = studies.get_for_member(study_id, current_user)
    return study, rounds.get_round(study, number)


def _utc_close(form):
    """The form's UK close time in UTC, or None; raises ValidationError on a skipped hour."""
    local = form.local_close()
    return rounds.london_to_utc(local) if local is not None else None


@bp.get("/studies/<int:study_id>/rounds")
@login_required
def list_rounds(study_id: int):
    """The study's rounds with their state and dates (UK time)."""
    return _list_page(studies.get_for_member(study_id, current_user))


@bp.post("/studies/<int:study_id>/rounds")
@login_required
def add_round(study_id: int):
    """Add the next round as a draft."""
    study = studies.get_for_editor(study_id, current_user)
    if not ConfirmForm().validate_on_submit():
        return _list_page(study, 400)
    try:
        round_ = rounds.add_round(study, current_user)
    except DelphiError as error:
        flash(str(error), "error")
        return _list_page(study, 409)
    flash(f"Round {round_.number} was added as a draft.", "success")
    return _to_round(round_)


@bp.get("/studies/<int:study_id>/rounds/<int:number>")
@login_required
def show_round(study_id: int, number: int):
    """One round: its state, dates, items and what happened to them, and what to do next."""
    study, round_ = _member_round(study_id, number)
    return _round_page(study, round_)


@bp.get("/studies/<int:study_id>/rounds/<int:number>/<any(open, extend, close, reopen, "
        "publish, prepare):step>")
@login_required
def confirm_round_step(study_id: int, number: int, step: str):
    """The confirmation page of a move: what it does, and its choices."""
    study, round_ = _editor_round(study_id, number)
    return _step_page(step, study, round_)


@bp.post("/studies/<int:study_id>/rounds/<int:number>/open")
@login_required
def open_round(study_id: int, number: int):
    """Open a draft round, with an optional close date; sends no e-mail."""
    study, round_ = _editor_round(study_id, number)
    form = OpenRoundForm()
    if not form.validate_on_submit():
        return _step_page("open", study, round_, form, 400)
    try:
        rounds.open_round(round_, current_user, _utc_close(form))
    except ValidationError as error:
        form.closes_on.errors.append(str(error))
        return _step_page("open", study, round_, form, 400)
    except StateError as error:
        return _refused("open", study, round_, error, form)
    flash(f"Round {round_.number} is open. No e-mail has been sent: invite participants on "
          "the Messages page (linked below).", "success")
    return _to_round(round_)


@bp.post("/studies/<int:study_id>/rounds/<int:number>/extend")
@login_required
def extend_round(study_id: int, number: int):
    """Move an open round's close date later."""
    study, round_ = _editor_round(study_id, number)
    form = ExtendRoundForm()
    if not form.validate_on_submit():
        return _step_page("extend", study, round_, form, 400)
    try:
        rounds.extend_round(round_, current_user, _utc_close(form))
    except ValidationError as error:
        form.closes_on.errors.append(str(error))
        return _step_page("extend", study, round_, form, 400)
    except StateError as error:
        return _refused("extend", study, round_, error, form)
    flash(f"Round {round_.number}'s close date was changed.", "success")
    return _to_round(round_)


@bp.post("/studies/<int:study_id>/rounds/<int:number>/close")
@login_required
def close_round(study_id: int, number: int):
    """Close an open round: answers stop being taken and every item is classified."""
    study, round_ = _editor_round(study_id, number)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _step_page("close", study, round_, form, 400)
    try:
        rounds.close_round(round_, current_user)
    except StateError as error:
        return _refused("close", study, round_, error, form)
    flash(f"Round {round_.number} is closed. Review its comments, then publish it.", "success")
    return _to_round(round_)


@bp.post("/studies/<int:study_id>/rounds/<int:number>/reopen")
@login_required
def reopen_round(study_id: int, number: int):
    """Reopen a closed, unpublished round once, with a reason."""
    study, round_ = _editor_round(study_id, number)
    form = ReopenRoundForm()
    if not form.validate_on_submit():
        return _step_page("reopen", study, round_, form, 400)
    try:
        rounds.reopen_round(round_, current_user, form.reason.data, _utc_close(form))
    except ValidationError as error:
        form.closes_on.errors.append(str(error))
        return _step_page("reopen", study, round_, form, 400)
    except StateError as error:
        return _refused("reopen", study, round_, error, form)
    flash(f"Round {round_.number} is open again.", "success")
    return _to_round(round_)


@bp.post("/studies/<int:study_id>/rounds/<int:number>/publish")
@login_required
def publish_round(study_id: int, number: int):
    """Publish a closed round's results in a snapshot that never changes."""
    study, round_ = _editor_round(study_id, number)
    form = PublishRoundForm()
    if not form.validate_on_submit():
        return _step_page("publish", study, round_, form, 400)
    try:
        rounds.publish_round(round_, current_user, form.no_comments.data)
    except DelphiError as error:
        return _refused("publish", study, round_, error, form)
    flash(f"Round {round_.number}'s results are published.", "success")
    return _to_round(round_)


@bp.post("/studies/<int:study_id>/rounds/<int:number>/prepare")
@login_required
def prepare_round(study_id: int, number: int):
    """Draft the next round from this one by the carry-forward policy."""
    study, round_ = _editor_round(study_id, number)
    form = PrepareRoundForm()
    if not form.validate_on_submit():
        return _step_page("prepare", study, round_, form, 400)
    try:
        prepared = rounds.prepare_next_round(round_, current_user, form.consensus.data)
    except DelphiError as error:
        return _refused("prepare", study, round_, error, form)
    flash(f"Round {prepared.round.number} is drafted with {len(prepared.round.round_items)} "
          "items. Check them, then open the round.", "success")
    return _to_round(prepared.round)


@bp.post("/studies/<int:study_id>/rounds/<int:number>/items")
@login_required
def add_round_item(study_id: int, number: int):
    """Put an item into a draft round, with a reason."""
    study, round_ = _editor_round(study_id, number)
    form = AddItemForm().offer(rounds.addable_items(round_) if round_.number > 1 else [])
    if not form.validate_on_submit():
        return _round_page(study, round_, 400, add_form=form)
    try:
        item = items.get_item(study, int(form.item.data))
        rounds.add_to_draft(round_, item, current_user, form.reason.data)
    except DelphiError as error:
        form.item.errors.append(str(error))
        return _round_page(study, round_, 400, add_form=form)
    flash(f"The item was added to round {round_.number}.", "success")
    return _to_round(round_)


@bp.route("/studies/<int:study_id>/rounds/<int:number>/items/<int:item_id>/remove",
          methods=["GET", "POST"])
@login_required
def remove_round_item(study_id: int, number: int, item_id: int):
    """Take an item out of a draft round, with a reason (confirmed on this page)."""
    study, round_ = _editor_round(study_id, number)
    item = items.get_item(study, item_id)
    form = RemoveItemForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                rounds.remove_from_draft(round_, item, current_user, form.reason.data)
            except DelphiError as error:
                form.reason.errors.append(str(error))
            else:
                flash(f"The item was removed from round {round_.number}.", "success")
                return _to_round(round_)
    return render_template("facilitator/rounds/remove_item.html", study=study, round=round_,
                           item=item, form=form), status
