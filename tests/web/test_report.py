"""The study report page and its standalone download: who may read them, every section's
content, the print stylesheet, and checklists printing item numbers only when verified."""

from __future__ import annotations

import re
from html import unescape

import pytest

from delphi.services import (
    design,
    feedback,
    ranking_results,
    report,
    review,
    workshop_results,
)

from ..conftest import TEST_PASSWORD
from ..factories import make_user
from ..services.test_ranking_results import EXAMPLE, make_ranking_round
from ..services.test_report import (
    ADD_REASON,
    CHECKLIST,
    DEVIATION_REASON,
    MERGE_REASON,
    RETIRE_REASON,
    REWORD_REASON,
    build_report_study,
)
from ..workshop_setup import build_workshop, run_session
from .pages import PageAudit, assert_strict_csp_holds
from .team_setup import EMAILS, join_team, team_users

ROUTES = ("/report", "/report.html")


@pytest.fixture
def made(db):
    users = team_users()
    made = build_report_study(owner=users["owner"])
    join_team(made.study, users)
    return made


def _text(html: str) -> str:
    """The page's words without tags, with runs of white space as one space."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _page(client, auth, made, path="/report", role="steering"):
    auth.login(email=EMAILS[role], password=TEST_PASSWORD)
    response = client.get(f"/studies/{made.study.id}{path}")
    return response, response.get_data(as_text=True)


# ---------------------------------------------------------------- who may read


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("role", ["owner", "facilitator", "steering"])
def test_every_team_member_may_read_the_report(client, auth, made, path, role):
    response, _html = _page(client, auth, made, path, role)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ROUTES)
def test_outsiders_are_refused(client, auth, made, path):
    response, _html = _page(client, auth, made, path, "outsider")
    assert response.status_code == 403


@pytest.mark.parametrize("path", ROUTES)
def test_signed_out_visitors_are_sent_to_log_in(client, made, path):
    response = client.get(f"/studies/{made.study.id}{path}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# ---------------------------------------------------------------- the page


def test_the_page_shows_every_section(client, auth, made):
    response, html = _page(client, auth, made)
    text = _text(html)
    assert_strict_csp_holds(response)
    for number, name in enumerate(report.SECTIONS.values(), start=1):
        assert f"{number}. {name}" in text
    # 1. composition: group rows and the total (invited, self-registered, withdrawn)
    assert "Patients and carers 10 9 8 1 0" in text
    assert "Nurses 10 6 6 0 1" in text
    assert "All groups 30 17 16 1 1" in text
    # 2. flow: round 2 overall, from participation_summary
    assert "All groups 16 16 11 69% 5" in text
    assert "Round 2: participation" in text and "Round 3: participation" not in text
    # 3. protocol: rules in words, when fixed, the deviation and its reason
    for rule in made.study.rules:
        assert design.describe_rule(rule) in text
    assert "were fixed when round 1 opened, on" in text
    assert "Planned rounds changed from 3 to 4." in text and DEVIATION_REASON in text
    # 4. feedback per round
    assert "The first round: no feedback." in text
    assert feedback.describe_feedback(feedback.feedback_settings(made.built.second)) in text
    assert "Comments were not shown: round 1 was published with no comments shown." in text
    # 5. items, with reasons
    for reason in (REWORD_REASON, RETIRE_REASON, MERGE_REASON, ADD_REASON, "Consensus out"):
        assert reason in text
    assert "Statement four, in plainer words" in text
    # 6. results of both published rounds, the same figures as the review tables
    for number in (1, 2):
        table = review.results_table(made.study, number)
        assert f'id="results-round-{number}"' in html
        for row in table.rows:
            assert f"{row.number}. {row.text}" in text
    assert "Change in median" in text
    # 8. checks
    sensitivity = review.rule_sensitivity(made.study, 1)
    assert (f"{len(sensitivity.differing)} of {sensitivity.n_items} items get a different "
            "status under different rules") in text
    assert "Of 16 participants who completed round 1, 5 did not complete round 2." in text
    # 9. methods, labelled as a draft
    assert "Draft for the authors to edit." in text
    assert report.study_report(made.study).methods in text


def test_the_page_links_the_print_stylesheet_and_the_download(client, auth, made):
    _response, html = _page(client, auth, made)
    assert '<link rel="stylesheet" href="/static/css/print.css">' in html
    assert f'href="/studies/{made.study.id}/report.html"' in html
    assert 'aria-current="page">Report</a>' in html
    assert "{% block" not in html


def test_the_print_stylesheet_hides_navigation_and_keeps_tables_whole(client):
    with client.get("/static/css/print.css") as response:
        css = response.get_data(as_text=True)
    assert css.lstrip().startswith("/*") and "@media print" in css
    assert ".app-study-nav" in css and ".govuk-template__header" in css
    assert "break-inside: avoid" in css


# ---------------------------------------------------------------- checklists


def test_checklists_show_topics_and_what_authors_must_write(client, auth, made):
    _response, html = _page(client, auth, made)
    text = _text(html)
    for checklist in report.load_checklists():
        assert f'id="checklist-{checklist.key}"' in html
        assert checklist.source in text
        assert "Read on 25 November 2026." in text
        for topic in checklist.topics:
            assert topic.topic in text
        assert (f"{len(checklist.covered)} of {len(checklist.topics)} topics covered by this "
                f"report; {len(checklist.to_write)} for the authors to write.") in text
    assert "Authors to write" in text
    assert "Item numbers and titles not yet checked against the published checklist." in text


def test_a_checklist_prints_numbers_and_titles_only_when_verified(client, auth, made,
                                                                 monkeypatch):
    checklist = report.parse_checklist("test", CHECKLIST)
    monkeypatch.setattr(report, "load_checklists", lambda: (checklist,))
    _response, html = _page(client, auth, made)
    text = _text(html)
    assert "7. Consensus definition" in text
    assert "The rating scale" in text
    assert "Unchecked title" not in text and "8. " not in text.split("Test checklist")[1]
    assert "Covered: Consensus definition and protocol" in text
    assert "Limitations Authors to write" in text


# ---------------------------------------------------------------- the download


def test_the_download_is_a_standalone_copy(client, auth, made):
    response, html = _page(client, auth, made, "/report.html")
    disposition = response.headers["Content-Disposition"]
    assert disposition == ('attachment; filename="report-outcomes-that-matter-after-a-'
                           'stroke.html"')
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert html.lstrip().startswith("<!DOCTYPE html>")
    audit = PageAudit(html)
    assert audit.scripts == [] and audit.style_elements == 1
    assert "<link" not in html
    assert "@media print" in html and ".govuk-table" in html
    assert "Study sections" not in html and "Sign out" not in html
    assert "Download the report" not in html
    page_text = _text(client.get(f"/studies/{made.study.id}/report").get_data(as_text=True))
    download_text = _text(html)
    for section in ("1. Panel composition", "All groups 30 17 16 1 1",
                    "Planned rounds changed from 3 to 4.", "Draft for the authors to edit.",
                    report.study_report(made.study).methods):
        assert section in download_text and section in page_text


def test_the_demo_steering_member_reads_and_downloads_the_report(client, auth, db):
    """The demo: round 1 published and round 2 open; the report counts from the rows."""
    from delphi.services import demo, participation

    study = demo.load_demo().study
    auth.login(email=demo.STEERING_EMAIL, password=demo.DEMO_PASSWORD)
    html = client.get(f"/studies/{study.id}/report").get_data(as_text=True)
    text = _text(html)
    summary = participation.participation_summary(study).for_round(1).overall
    assert (f"All groups {summary.invited} {summary.started} {summary.completed}"
            in text)
    assert 'id="results-round-1"' in html and 'id="results-round-2"' not in html
    assert "Round 2 " in text and "Before rating in round 2" in text
    published = review.results_table(study, 1)
    assert all(f"{row.number}. {row.text}" in text for row in published.rows)
    response = client.get(f"/studies/{study.id}/report.html")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_the_report_pictures_the_feedback_round_two_showed(client, auth, db):
    """The demo's round 2 showed each group's chart of round 1: the report shows the same
    chart for its first carried item, on screen and inside the downloaded file."""
    from delphi.services import demo, feedback

    study = demo.load_demo().study
    round_two = next(round_ for round_ in study.rounds if round_.number == 2)
    example = feedback.example_feedback(round_two)
    assert [panel.label for panel in example.panels] == [group.name for group in study.groups]
    assert example.own_previous is None
    auth.login(email=demo.STEERING_EMAIL, password=demo.DEMO_PASSWORD)
    html = client.get(f"/studies/{study.id}/report").get_data(as_text=True)
    address = f"/studies/{study.id}/report/feedback/2.png"
    assert f'src="{address}"' in html and example.alt_text in unescape(html)
    picture = client.get(address)
    assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get(f"/studies/{study.id}/report/feedback/1.png").status_code == 404
    download = client.get(f"/studies/{study.id}/report.html").get_data(as_text=True)
    assert address not in download and example.alt_text in unescape(download)


def test_each_published_round_shows_its_charts_and_the_download_carries_the_pictures(
        client, auth, made):
    """On screen the charts are the review pages' cached pictures; in the downloaded file
    they are inside the page, so it still shows them offline."""
    import base64

    _response, page = _page(client, auth, made)
    addresses = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert addresses and all("/review/charts/" in address or "/report/feedback/" in address
                             for address in addresses)
    assert "Agreement on each item" in page and "Taking part" in page
    picture = client.get(addresses[0].replace("&amp;", "&"))
    assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG\r\n\x1a\n")

    download = client.get(f"/studies/{made.study.id}/report.html").get_data(as_text=True)
    inline = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', download)
    assert len(inline) == len(addresses)
    assert base64.b64decode(inline[0]).startswith(b"\x89PNG\r\n\x1a\n")
    assert "/review/charts/" not in download and "/report/feedback/" not in download


def test_a_ranking_round_and_its_shortlist_are_in_the_report(client, auth, db):
    owner = make_user(email="ranker@example.test")
    study = make_ranking_round(owner=owner, choices=EXAMPLE, ranking_size=3)
    ranking_results.decide_shortlist(study.rounds[0], owner, 3, "Room for three")
    auth.login(email="ranker@example.test", password=TEST_PASSWORD)
    response = client.get(f"/studies/{study.id}/report")
    text = _text(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "7. Priority setting" in text and "Round 1: ranking" in text
    assert "keeps 3, because: “Room for three”" in text
    shortlisted = ranking_results.ranking_results(study.rounds[0], "jla").rows[:3]
    for row in shortlisted:
        assert row.text in text


def test_the_final_workshop_is_in_the_report(client, auth, db):
    owner = make_user(email="workshop@example.test")
    study, _ranking_round, workshop_round = build_workshop(owner)
    run_session(workshop_round, owner)
    auth.login(email="workshop@example.test", password=TEST_PASSWORD)
    text = _text(client.get(f"/studies/{study.id}/report").get_data(as_text=True))
    final = workshop_results.final_result(workshop_round)
    assert "Round 2: the final workshop" in text
    assert final.method_words in text
    top = text.split("The final top 10")[1].split("Each session")[0]
    assert top.strip() == " ".join(row.text for row in final.top10)
