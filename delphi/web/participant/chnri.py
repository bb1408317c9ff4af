"""Scoring research options in a CHNRI round: a few options a page, then send.

For each research option, each question is answered Yes, No, Undecided or Don't know.
Every valid answer is saved, page by page; a closed round shows the closed page (409 for a
form sent after it closed, with nothing saved).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from ...errors import DelphiError, StateError
from ...models import RoundKind
from ...services import chnri
from . import bp
from .answering import _no_open_round, answering_page

ANSWERS = (("yes", "Yes"), ("no", "No"), ("undecided", "Undecided"),
           ("dont_know", "Don't know"))


def _context(participant, round_, page):
    if round_.kind != RoundKind.CHNRI:
        abort(404)
    pages = chnri.pages_of(chnri.options_of(round_))
    if not 1 <= page <= max(len(pages), 1):
        abort(404)
    return {"study": participant.study, "round": round_, "page": page, "pages": len(pages),
            "options": pages[page - 1] if pages else (), "answer_words": ANSWERS,
            "questions": chnri.questions_of(participant.study)}


@bp.route("/take-part/chnri", methods=["GET", "POST"], endpoint="chnri")
@answering_page
def chnri_page(participant, round_):
    """One page of research options; every valid answer is saved."""
    page = request.args.get("page", 1, type=int)
    context = _context(participant, round_, page)
    errors, status = {}, 200
    if request.method == "POST":
        action = request.form.get("action", "continue")
        try:
            errors = chnri.save_page(participant, round_, context["options"], request.form,
                                     require_all=action == "continue").errors
        except StateError:
            return _no_open_round(participant)
        except DelphiError as refused:
            errors, status = {"form": str(refused)}, 400
        if not errors:
            return redirect(_next(action, page, context["pages"]), 303)
        status = 400
    answers = chnri.saved_answers(participant, round_)
    if request.method == "POST" and "form" not in errors:
        answers.update({name: value for name, value in request.form.items()
                        if name.startswith("chnri-")})
    answered, total = chnri.progress(participant, round_)
    return render_template("participant/chnri.html", answers=answers, errors=errors,
                           answered=answered, total=total,
                           saved=request.args.get("saved") == "1", **context), status


def _next(action: str, page: int, pages: int) -> str:
    if action == "later":
        return url_for("participant.chnri", page=page, saved=1)
    if action == "back":
        return url_for("participant.chnri", page=max(page - 1, 1))
    if page < pages:
        return url_for("participant.chnri", page=page + 1)
    return url_for("participant.send_chnri")


@bp.route("/take-part/chnri/send", methods=["GET", "POST"])
@answering_page
def send_chnri(participant, round_):
    """How many answers are given; sending them completes the round."""
    if round_.kind != RoundKind.CHNRI:
        abort(404)
    if request.method == "POST":
        try:
            chnri.send(participant, round_)
        except StateError:
            return _no_open_round(participant)
        return redirect(url_for("participant.thank_you"), 303)
    answered, total = chnri.progress(participant, round_)
    return render_template("participant/chnri.html", study=participant.study, round=round_,
                           sending=True, answered=answered, total=total,
                           pages=len(chnri.pages_of(chnri.options_of(round_))))
