"""The final workshop of a priority-setting partnership (adapted nominal group technique).

Set up from a ranking round's shortlist (``POST /studies/<id>/rounds/<n>/workshop``), the
workshop's page (``/studies/<id>/workshop``) lists its sessions and their small groups. The
team adds sessions, types a group's ranking or gives the group's lead a private link, closes
a session, and reads the session's combined order, the projector page (``/screen``) and the
final top 10 (``/final``, where the room's order for items tied at the top-10 boundary is
recorded). Owners and facilitators change things; steering-group members read. The rules
live in :mod:`delphi.services.workshop`.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...errors import DelphiError, NotFound, ValidationError
from ...forms.workshop import (
    ConfirmForm,
    LeadLinkForm,
    SessionForm,
    new_session_form,
    order_form,
)
from ...services import rounds, staff, studies, workshop, workshop_results
from . import bp

PAGE = "/studies/<int:study_id>/workshop"
SESSION = PAGE + "/sessions/<int:session_number>"
GROUP = SESSION + "/groups/<int:group_id>"
SCREEN_REFRESH_SECONDS = 15
LEAD_ENDPOINT = "participant.lead_link"
"""The group lead's entry point, ``/w/<token>`` (see :mod:`delphi.web.participant`)."""


def _can_change(study) -> bool:
    return studies.role_in(study, current_user) in studies.EDITOR_ROLES


def _workshop_of(study):
    """The study's workshop round; NotFound when it has none yet."""
    round_ = workshop.workshop_round(study)
    if round_ is None:
        raise NotFound(f"“{study.title}” has no final workshop yet. Set it up from the "
                       "ranking results once the shortlist is decided.")
    return round_


def _load(study_id: int, session_number: int | None = None, group_id: int | None = None,
          editor: bool = False):
    """The study, its workshop round, and the session and group asked for (404 / 403)."""
    study = (studies.get_for_editor(study_id, current_user) if editor
             else studies.get_for_member(study_id, current_user))
    round_ = _workshop_of(study)
    session = group = None
    if session_number is not None:
        session = workshop.get_session(round_, session_number)
        if group_id is not None:
            group = workshop.get_group(session, group_id)
    return study, round_, session, group


def _team_names(study) -> dict[int, str]:
    """Each team member's name (or e-mail address) by user id, to say who entered or decided."""
    return {member.user_id: member.user.name or member.user.email
            for member in staff.members(study)}


def _to_workshop(study):
    return redirect(url_for("facilitator.show_workshop", study_id=study.id))


@bp.post("/studies/<int:study_id>/rounds/<int:number>/workshop")
@login_required
def create_workshop(study_id: int, number: int):
    """Set up the final workshop with the shortlist of ranking round ``number``."""
    study = studies.get_for_editor(study_id, current_user)
    ranking_round = rounds.get_round(study, number)
    back = url_for("facilitator.show_ranking_results", study_id=study.id, number=number)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    try:
        round_ = workshop.create_workshop(ranking_round, current_user)
    except DelphiError as error:
        flash(str(error), "error")
        return redirect(back)
    flash(f"The final workshop is set up as round {round_.number}, with "
          f"{len(workshop.items_of(round_))} questions. Open it, then add its first session.",
          "success")
    return _to_workshop(study)


@bp.get(PAGE)
@login_required
def show_workshop(study_id: int):
    """The workshop's state, its shortlist, its sessions and each group's progress."""
    study = studies.get_for_member(study_id, current_user)
    round_ = workshop.workshop_round(study)
    if round_ is None:
        return render_template("facilitator/workshop/none.html", study=study)
    sessions = workshop.sessions_of(round_)
    return render_template(
        "facilitator/workshop/show.html", study=study, round=round_, sessions=sessions,
        items=workshop.items_of(round_), can_change=_can_change(study),
        progress_of={session.id: workshop_results.session_result(session) for session in sessions},
        names=_team_names(study), form=LeadLinkForm(),
    )


def _session_form_page(study, round_, form, status=200):
    return render_template("facilitator/workshop/new_session.html", study=study,
                           round=round_, form=form), status


@bp.get(PAGE + "/sessions/new")
@login_required
def new_workshop_session(study_id: int):
    """The form for a new session: its name and its small groups."""
    study, round_, _session, _group = _load(study_id, editor=True)
    return _session_form_page(study, round_,
                              new_session_form(len(workshop.sessions_of(round_)) + 1))


@bp.post(PAGE + "/sessions/new")
@login_required
def add_workshop_session(study_id: int):
    """Add a session with its groups."""
    study, round_, _session, _group = _load(study_id, editor=True)
    form = SessionForm()
    if not form.validate_on_submit():
        return _session_form_page(study, round_, form, 400)
    groups = form.groups()
    try:
        session = workshop.add_session(round_, current_user, form.name.data.strip(),
                                       [name for name, _ in groups],
                                       [composition for _, composition in groups])
    except ValidationError as error:
        field = form.name if "session's name" in str(error) else form.group_1
        field.errors = [*field.errors, str(error)]
        return _session_form_page(study, round_, form, 400)
    except DelphiError as error:
        flash(str(error), "error")
        return _session_form_page(study, round_, form, 409)
    flash(f"Session {session.number} is added with {len(session.groups)} groups.", "success")
    return _to_workshop(study)


def _ranking_page(study, round_, session, group, values, errors, status=200):
    return render_template(
        "facilitator/workshop/ranking.html", study=study, round=round_, session=session,
        group=group, items=workshop.items_of(round_), values=values, errors=errors,
    ), status


@bp.get(GROUP + "/ranking")
@login_required
def enter_group_ranking(study_id: int, session_number: int, group_id: int):
    """A group's ranking to type in from its cards (what is saved, if anything)."""
    study, round_, session, group = _load(study_id, session_number, group_id, editor=True)
    return _ranking_page(study, round_, session, group, workshop.form_values(group), {})


@bp.post(GROUP + "/ranking")
@login_required
def save_group_ranking(study_id: int, session_number: int, group_id: int):
    """Save a group's ranking; every place must be given to one question."""
    study, round_, session, group = _load(study_id, session_number, group_id, editor=True)
    try:
        entry = workshop.enter_ranking(group, request.form, current_user)
    except DelphiError as error:  # the session closed, or the form is not this workshop's
        flash(str(error), "error")
        status = 400 if isinstance(error, ValidationError) else 409
        return _ranking_page(study, round_, session, group, request.form.to_dict(), {}, status)
    if entry.errors:
        return _ranking_page(study, round_, session, group, entry.values, entry.errors, 400)
    flash(f"The ranking of {group.name} is saved.", "success")
    return _to_workshop(study)


def _link_page(study, session, group, form, status=200):
    return render_template("facilitator/workshop/link_confirm.html", study=study,
                           session=session, group=group, form=form), status


@bp.get(GROUP + "/link")
@login_required
def confirm_lead_link(study_id: int, session_number: int, group_id: int):
    """Before a new link for a group's lead: what happens to the earlier one."""
    study, _round, session, group = _load(study_id, session_number, group_id, editor=True)
    return _link_page(study, session, group, LeadLinkForm(replace="yes"))


@bp.post(GROUP + "/link")
@login_required
def issue_lead_link(study_id: int, session_number: int, group_id: int):
    """Create (or replace) a group lead's private link and show it, once."""
    study, _round, session, group = _load(study_id, session_number, group_id, editor=True)
    form = LeadLinkForm()
    if not form.validate_on_submit():
        return _link_page(study, session, group, form, 400)
    if group.lead_token_hash and not form.confirms_replacing:
        return _link_page(study, session, group, LeadLinkForm(replace="yes"), 409)
    try:
        token = workshop.issue_lead_link(group, current_user)
    except DelphiError as error:
        flash(str(error), "error")
        return _to_workshop(study)
    response = make_response(render_template(
        "facilitator/workshop/link.html", study=study, session=session, group=group,
        url=url_for(LEAD_ENDPOINT, token=token, _external=True),
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


def _close_page(study, session, form, status=200):
    result = workshop_results.session_result(session)
    waiting = [group.name for group in session.groups if group.name not in result.group_names]
    return render_template("facilitator/workshop/close.html", study=study, session=session,
                           result=result, waiting=waiting, form=form), status


@bp.get(SESSION + "/close")
@login_required
def confirm_close_session(study_id: int, session_number: int):
    """Before closing a session: which groups have entered their ranking."""
    study, _round, session, _group = _load(study_id, session_number, editor=True)
    return _close_page(study, session, ConfirmForm())


@bp.post(SESSION + "/close")
@login_required
def close_workshop_session(study_id: int, session_number: int):
    """Close a session: its groups' rankings are summed and kept."""
    study, _round, session, _group = _load(study_id, session_number, editor=True)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _close_page(study, session, form, 400)
    try:
        workshop.close_session(session, current_user)
    except DelphiError as error:
        flash(str(error), "error")
        return _close_page(study, session, form, 409)
    flash(f"Session {session.number} is closed. Its combined order is below.", "success")
    return redirect(url_for("facilitator.show_workshop_session", study_id=study.id,
                            session_number=session.number))


@bp.get(SESSION)
@login_required
def show_workshop_session(study_id: int, session_number: int):
    """A session's combined order: totals, each group's place, contested and tied items."""
    study, round_, session, _group = _load(study_id, session_number)
    return render_template(
        "facilitator/workshop/session.html", study=study, round=round_, session=session,
        result=workshop_results.session_result(session), sessions=workshop.sessions_of(round_),
    )


@bp.get(PAGE + "/screen")
@login_required
def show_workshop_screen(study_id: int):
    """The latest session for a projector, refreshing itself unless ``?refresh=off``."""
    study, round_, _session, _group = _load(study_id)
    sessions = workshop.sessions_of(round_)
    latest = sessions[-1] if sessions else None
    return render_template(
        "facilitator/workshop/screen.html", study=study, round=round_, session=latest,
        result=workshop_results.session_result(latest) if latest else None,
        refreshing=request.args.get("refresh") != "off", seconds=SCREEN_REFRESH_SECONDS,
    )


def _final_form(final, **kwargs):
    """The form for the room's order of the items tied at the top-10 boundary, or None."""
    tied = [(row.item.id, f"“{row.text}”") for row in final.rows if row.tied_at_boundary]
    if not tied:
        return None
    first = min(row.place for row in final.rows if row.tied_at_boundary)
    return order_form(tied, first, **kwargs)


def _final_page(study, round_, final, form=None, status=200):
    return render_template(
        "facilitator/workshop/final.html", study=study, round=round_, final=final,
        form=form, can_change=_can_change(study), method=workshop_results.describe_method(round_),
        decisions=workshop_results.decisions_of(final.session) if final is not None else [],
        names=_team_names(study),
    ), status


@bp.get(PAGE + "/final")
@login_required
def show_final_result(study_id: int):
    """The final top 10, the full order, the method in words and the room's decisions."""
    study, round_, _session, _group = _load(study_id)
    final = workshop_results.final_result(round_)
    form = _final_form(final) if final is not None and _can_change(study) else None
    return _final_page(study, round_, final, form)


@bp.post(PAGE + "/final")
@login_required
def decide_final_order(study_id: int):
    """Record the room's order for the items tied at the top-10 boundary, with a reason."""
    study, round_, _session, _group = _load(study_id, editor=True)
    final = workshop_results.final_result(round_)
    form = _final_form(final) if final is not None else None
    if form is None:
        flash("No items are tied at the top-10 boundary, so there is no order to decide.",
              "error")
        return _final_page(study, round_, final, None, 409)
    if not form.validate_on_submit():
        return _final_page(study, round_, final, form, 400)
    try:
        workshop_results.decide_order(final.session, current_user,
                              form.ordered([row.item.id for row in final.rows]),
                              form.reason.data.strip())
    except ValidationError as error:
        form.reason.errors = [*form.reason.errors, str(error)]
        return _final_page(study, round_, final, form, 400)
    flash("The room's order is recorded.", "success")
    return redirect(url_for("facilitator.show_final_result", study_id=study.id))
