"""The participant a browser speaks for, kept in the signed session cookie.

Only the stored link's id and the start of its token's hash are kept (never the token).
:func:`participant_required` gives a view the participant, or shows the page for a link
that cannot be used. A participant who has withdrawn is sent to the tokenless "you have
left" page; the session then keeps only their participant id, to say what happened to
their answers.
"""

from __future__ import annotations

from functools import wraps

from flask import redirect, render_template, session, url_for

from ...models import Invitation, Participant
from ...services import invitations, participant_access

SESSION_KEY = "participant_link"
WITHDRAWN_KEY = "participant_withdrawn"


def begin(invitation: Invitation) -> None:
    """Remember that this browser arrived with ``invitation``'s link."""
    session.pop(WITHDRAWN_KEY, None)
    session[SESSION_KEY] = participant_access.session_value(invitation)
    session.permanent = True


def end() -> None:
    """Forget the participant (for example after withdrawal)."""
    session.pop(SESSION_KEY, None)


def show_withdrawn(participant: Participant):
    """End the session and redirect (303) to the page for a participant who has withdrawn."""
    end()
    session[WITHDRAWN_KEY] = participant.id
    return redirect(url_for("participant.withdrawn"), 303)


def withdrawn_participant() -> Participant:
    """The participant this browser last saw withdrawn.

    Raises
    ------
    UnknownLink
        This browser has not seen a withdrawn participant.
    """
    return participant_access.withdrawn_participant(session.get(WITHDRAWN_KEY))


def current_participant() -> Participant:
    """The participant of this session.

    Raises
    ------
    UnknownLink, ExpiredLink
        No session, a replaced link, or an expired one (``ParticipantWithdrawn``, a kind
        of ExpiredLink, when the participant has withdrawn).
    """
    return participant_access.participant_for_session(session.get(SESSION_KEY))


def link_error_page(error: invitations.UnknownLink | invitations.ExpiredLink):
    """The page for a link that cannot be used: 404 unknown, 410 expired.

    A withdrawn participant is redirected to the page that says what withdrawing meant.
    """
    if isinstance(error, participant_access.ParticipantWithdrawn):
        return show_withdrawn(error.participant)
    if isinstance(error, invitations.ExpiredLink):
        return render_template("participant_link/expired.html", message=str(error),
                               study=error.study), 410
    return render_template("participant_link/unknown.html", message=str(error)), 404


def participant_required(view):
    """Call ``view(participant, ...)`` for the session's participant, or show why not.

    A session whose link was replaced or has expired is ended. A browser that has seen
    its participant withdraw is sent back to the withdrawn page.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            participant = current_participant()
        except (invitations.UnknownLink, invitations.ExpiredLink) as error:
            end()
            if isinstance(error, invitations.UnknownLink) and session.get(WITHDRAWN_KEY):
                return redirect(url_for("participant.withdrawn"), 303)
            return link_error_page(error)
        return view(participant, *args, **kwargs)

    return wrapper
