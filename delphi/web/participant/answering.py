"""Taking part in the open round: start, consent, guidance, questions, check and thank you.

Every page is tokenless (the participant comes from the session, see :mod:`.session`). A
withdrawn participant is sent to the withdrawn page; when no round is open the page says so
(status 200, or 409 for a form sent after the round closed, with nothing saved).
"""

from __future__ import annotations

from functools import wraps

from flask import abort, jsonify, redirect, render_template, request, url_for

from ...errors import DelphiError, StateError
from ...models import DocumentKind, ParticipantStatus, RoundKind
from ...services import answering, feedback
from . import bp
from .session import participant_required, show_withdrawn


def _no_open_round(participant):
    closed = answering.closed_last_round(participant)
    page = "participant/closed.html" if closed else "participant/between.html"
    status = 409 if request.method == "POST" else 200
    return render_template(page, study=participant.study, round=closed), status


#: Rounds answered on their own page rather than the rating questions.
OWN_PAGES = {RoundKind.RANKING: "participant.ranking", RoundKind.CHOOSE_N: "participant.ranking",
             RoundKind.CHNRI: "participant.chnri"}


def answering_page(view=None, *, consent_first: bool = True, question_pages: bool = False):
    """Call ``view(participant, round_, ...)`` for a participant who can answer the open round.

    With ``consent_first`` a participant who has not consented goes to the start page. With
    ``question_pages`` the view belongs to the question pages, so a round answered on its
    own page (ranking, ticking, CHNRI) sends the participant there instead.
    """
    if view is None:
        return lambda inner: answering_page(inner, consent_first=consent_first,
                                            question_pages=question_pages)

    @participant_required
    @wraps(view)
    def wrapper(participant, *args, **kwargs):
        if participant.status == ParticipantStatus.WITHDRAWN:
            return show_withdrawn(participant)
        round_ = answering.open_round_for(participant)
        if round_ is None:
            return _no_open_round(participant)
        if consent_first and participant.consented_at is None:
            return redirect(url_for("participant.home"), 303)
        if question_pages and round_.kind in OWN_PAGES:
            return redirect(url_for(OWN_PAGES[round_.kind]), 303)
        return view(participant, round_, *args, **kwargs)

    return wrapper


@bp.get("/take-part")
@answering_page(consent_first=False)
def home(participant, round_):
    """Send the participant to where they stopped; first, the start page."""
    if participant.consented_at is None:
        return render_template("participant/start.html", study=participant.study, round=round_)
    if participant.guidance_seen_at is None:
        return redirect(url_for("participant.guidance"), 303)
    if answering.completed_at(participant, round_) is not None:
        return redirect(url_for("participant.thank_you"), 303)
    if round_.kind in OWN_PAGES:
        return redirect(url_for(OWN_PAGES[round_.kind]), 303)
    page = answering.first_unanswered_page(participant, round_)
    if page is None:
        return redirect(url_for("participant.check_answers"), 303)
    return redirect(url_for("participant.questions", page=page), 303)


@bp.route("/take-part/consent", methods=["GET", "POST"])
@answering_page(consent_first=False)
def consent(participant, round_):
    """The participant information and the consent statements."""
    if participant.consented_at is not None:
        return redirect(url_for("participant.home"), 303)
    agreed = request.form.getlist("agreed")
    error = None
    if request.method == "POST":
        try:
            answering.give_consent(participant, agreed)
        except DelphiError as refused:
            error = str(refused)
        else:
            return redirect(url_for("participant.guidance"), 303)
    return render_template(
        "participant/consent.html", study=participant.study, round=round_, agreed=agreed,
        error=error,
        information=answering.document(participant, DocumentKind.INFORMATION, round_),
        consent_form=answering.document(participant, DocumentKind.CONSENT, round_),
    ), 400 if error else 200


@bp.route("/take-part/guidance", methods=["GET", "POST"])
@answering_page
def guidance(participant, round_):
    """The facilitator's guidance and one practice statement that is never saved."""
    if request.method == "POST" and "continue" in request.form:
        answering.mark_guidance_seen(participant)
        if round_.kind in OWN_PAGES:
            return redirect(url_for(OWN_PAGES[round_.kind]), 303)
        return redirect(url_for("participant.questions", page=1), 303)
    error = answering.check_practice(participant, round_, request.form) \
        if request.method == "POST" else None
    return render_template(
        "participant/guidance.html", study=participant.study, round=round_,
        guidance=answering.document(participant, DocumentKind.GUIDANCE, round_),
        question=answering.practice_question(participant, round_), error=error,
        practised=request.method == "POST" and error is None,
        chosen=request.form.get("practice"),
    ), 400 if error else 200


def _page_context(participant, round_, number):
    items = answering.items_of(round_)
    pages = answering.pages_of(items)
    if not 1 <= number <= len(pages):
        abort(404)
    before = sum(len(page) for page in pages[:number - 1])
    shown = pages[number - 1]
    return {
        "study": participant.study, "round": round_, "items": shown, "total": len(items),
        "page": number, "pages": len(pages), "first": before + 1, "last": before + len(shown),
        "feedback": feedback.item_feedback(participant, round_, keys=[i.key for i in shown])
        if round_.number > 1 else {},
    }


@bp.route("/take-part/questions/<int:page>", methods=["GET", "POST"])
@answering_page(question_pages=True)
def questions(participant, round_, page):
    """One page of items: answer, comment, and move on; every valid answer is saved."""
    context = _page_context(participant, round_, page)
    errors = {}
    if request.method == "POST":
        errors = answering.save_page(participant, round_, context["items"], request.form).errors
        if not errors:
            return redirect(_next_after(request.form.get("action"), page, context["pages"]), 303)
    answers = answering.saved_answers(participant, round_)
    if request.method == "POST":
        answers.update(answering.typed_answers(context["items"], request.form))
    answered, _total = answering.progress(participant, round_)
    return render_template("participant/questions.html", answers=answers, errors=errors,
                           answered=answered, **context), 400 if errors else 200


def _next_after(action: str | None, page: int, pages: int) -> str:
    if action == "later":
        return url_for("participant.saved")
    if action == "back":
        return url_for("participant.questions", page=page - 1) if page > 1 \
            else url_for("participant.guidance")
    if page < pages:
        return url_for("participant.questions", page=page + 1)
    return url_for("participant.check_answers")


@bp.post("/take-part/autosave")
@participant_required
def autosave(participant):
    """Save one item's answers as they are chosen (JavaScript); replies in JSON."""
    round_ = answering.open_round_for(participant)
    if round_ is None:
        return jsonify(saved=False, message=answering.CLOSED_MESSAGE), 409
    try:
        result = answering.save_item(participant, round_, request.form.get("item", ""),
                                     request.form)
    except StateError as refused:
        return jsonify(saved=False, message=str(refused)), 409
    except DelphiError as refused:
        return jsonify(saved=False, message=str(refused)), 400
    answered, total = answering.progress(participant, round_)
    return jsonify(saved=not result.errors, errors=result.errors, answered=answered,
                   total=total), 400 if result.errors else 200


@bp.get("/take-part/saved")
@answering_page(question_pages=True)
def saved(participant, round_):
    """Answers are saved: come back later with the same link."""
    answered, total = answering.progress(participant, round_)
    return render_template("participant/saved.html", study=participant.study, round=round_,
                           answered=answered, total=total)


@bp.route("/take-part/check", methods=["GET", "POST"])
@answering_page(question_pages=True)
def check_answers(participant, round_):
    """Every answer on one page, skipped ones highlighted; confirming completes the round."""
    if request.method == "POST":
        answering.complete(participant, round_)
        return redirect(url_for("participant.thank_you"), 303)
    rows = answering.summary(participant, round_)
    return render_template("participant/check.html", study=participant.study, round=round_,
                           rows=rows, skipped=sum(row.skipped for row in rows))


@bp.get("/take-part/done")
@answering_page
def thank_you(participant, round_):
    """Thank you, and what happens next."""
    if answering.completed_at(participant, round_) is None:
        return redirect(url_for("participant.check_answers"), 303)
    return render_template("participant/done.html", study=participant.study, round=round_)
