"""The study report: one page every team member may read and print, and the same report as
a standalone HTML file to download (its styles inline, so it opens anywhere offline).

What the report holds is gathered by :func:`delphi.services.report.study_report`.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, abort, current_app, make_response, render_template, url_for
from flask_login import current_user, login_required

from ...services import feedback, report, review, rounds, studies
from . import bp, review_charts

REPORT = "/studies/<int:study_id>/report"

STYLESHEETS = ("govuk/govuk-frontend.min.css", "css/delphi.css", "css/print.css")
"""The styles inlined in the downloaded report, in the order the page loads them."""


def _inline_styles() -> str:
    """The report's stylesheets as one text for a ``<style>`` element."""
    folder = Path(current_app.static_folder)
    text = "\n".join((folder / name).read_text(encoding="utf-8") for name in STYLESHEETS)
    return text.replace("</", "<\\/")


def _filename(study) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", study.title.lower()).strip("-")[:60] or "study"
    return f"report-{slug}.html"


def _feedback_pictures(study, built: report.StudyReport, inline: bool) -> dict[int, str]:
    """Round number -> the address of its feedback example's picture (or the picture itself
    as a ``data:`` address in the downloaded file)."""
    pictures = {}
    for entry in built.feedback:
        if entry.example is None:
            continue
        if inline:
            png = feedback.cached_feedback_chart(entry.example, study.min_group_size).png
            pictures[entry.round.number] = review_charts.data_address(png)
        else:
            pictures[entry.round.number] = url_for(
                "facilitator.show_report_feedback_chart", study_id=study.id,
                number=entry.round.number)
    return pictures


def _render(study, layout: str, **extra) -> str:
    inline = extra.get("standalone", False)
    built = report.study_report(study)
    charts = {round_.number: review_charts.round_charts(study, review.load_round(round_), inline)
              for round_ in report.published_rounds(study)}
    return render_template("facilitator/report/show.html", study=study, report=built,
                           sections=report.SECTIONS, flag_p=review.FLAG_P, layout=layout,
                           round_charts=charts,
                           feedback_pictures=_feedback_pictures(study, built, inline), **extra)


@bp.get(REPORT)
@login_required
def show_report(study_id: int):
    """The study report, printable from the browser."""
    study = studies.get_for_member(study_id, current_user)
    return _render(study, "facilitator/study_layout.html", standalone=False)


@bp.get(REPORT + "/feedback/<int:number>.png")
@login_required
def show_report_feedback_chart(study_id: int, number: int):
    """The picture of the feedback round ``number``'s participants saw above its first item."""
    study = studies.get_for_member(study_id, current_user)
    example = feedback.example_feedback(rounds.get_round(study, number))
    if example is None:
        abort(404)
    chart = feedback.cached_feedback_chart(example, study.min_group_size)
    response = Response(chart.png, mimetype="image/png")
    response.headers["Cache-Control"] = review_charts.CACHE_CONTROL
    return response


@bp.get(REPORT + ".html")
@login_required
def download_report(study_id: int):
    """The same report as a standalone HTML file, sent as an attachment."""
    study = studies.get_for_member(study_id, current_user)
    html = _render(study, "facilitator/report/standalone.html", standalone=True,
                   styles=_inline_styles())
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(study)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
