"""A small group's lead enters the group's ranking at the final workshop, through a private
link the facilitator hands them.

``GET /w/<token>`` checks the link once and keeps only the group's id and the start of its
link's hash in the signed session cookie (under its own key, apart from a participant's),
then redirects (303) to ``/workshop-group``, so the token stays out of logs and browser
history. Every later request checks again that the link has not been replaced or expired.
A lead reaches only their own group: no page takes a group or session from the address.
See :mod:`delphi.services.workshop`.
"""

from __future__ import annotations

from functools import wraps

from flask import redirect, render_template, request, session, url_for

from ...errors import NotFound, RoundStateError, ValidationError
from ...services import workshop
from . import bp

SESSION_KEY = "workshop_lead"


def _link_error_page(error: NotFound | workshop.LeadLinkExpired):
    """The page for a link that cannot be used: 410 expired, 404 unknown."""
    session.pop(SESSION_KEY, None)
    if isinstance(error, workshop.LeadLinkExpired):
        return render_template("workshop/lead_expired.html", message=str(error)), 410
    return render_template("workshop/lead_unknown.html", message=str(error)), 404


def lead_required(view):
    """Call ``view(group, ...)`` for the group this browser's lead link was for, or show why
    not (a replaced or expired link ends the session)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            group = workshop.group_for_session(session.get(SESSION_KEY))
        except (NotFound, workshop.LeadLinkExpired) as error:
            return _link_error_page(error)
        return view(group, *args, **kwargs)

    return wrapper


def _closed_page(group, status=200):
    round_ = workshop.round_of(group.session)
    return render_template("workshop/lead_closed.html", group=group, study=round_.study,
                           order=workshop.group_order(group), late=status == 409), status


@bp.get("/w/<token>")
def lead_link(token: str):
    """A group lead's private link: remember the group, then go to its ranking page."""
    try:
        group = workshop.find_group_by_token(token)
    except (NotFound, workshop.LeadLinkExpired) as error:
        return _link_error_page(error)
    session[SESSION_KEY] = workshop.lead_session_value(group)
    session.permanent = True
    return redirect(url_for("participant.workshop_group"), 303)


@bp.route("/workshop-group", methods=["GET", "POST"])
@lead_required
def workshop_group(group):
    """The group's ranking form; sending it saves the group's order (it can be changed until
    the session closes)."""
    if not workshop.accepts_rankings(group):
        return _closed_page(group, 409 if request.method == "POST" else 200)
    round_ = workshop.round_of(group.session)
    values, errors, problem = workshop.form_values(group), {}, None
    if request.method == "POST":
        try:
            entry = workshop.enter_ranking(group, request.form, None)
        except RoundStateError:  # the session closed while the page was being sent
            return _closed_page(group, 409)
        except ValidationError as error:
            values, problem = dict(request.form), str(error)
        else:
            if entry.is_saved:
                return redirect(url_for("participant.workshop_group_done"), 303)
            values, errors = entry.values, entry.errors
    return render_template(
        "workshop/lead_ranking.html", group=group, study=round_.study,
        items=workshop.items_of(round_), values=values, errors=errors, problem=problem,
        has_order=bool(group.ranks),
    ), 400 if errors or problem else 200


@bp.get("/workshop-group/done")
@lead_required
def workshop_group_done(group):
    """The group's order as saved, and until when it can be changed."""
    if not workshop.accepts_rankings(group):
        return _closed_page(group)
    if not group.ranks:
        return redirect(url_for("participant.workshop_group"), 303)
    study = workshop.round_of(group.session).study
    return render_template("workshop/lead_done.html", group=group, study=study,
                           order=workshop.group_order(group))
