"""The downloads page and download links: who may have which file, attachments with the
service's file names, and clear 404 and 400 pages for what does not exist."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from delphi.engine import COMET_GRADE
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    ConsensusRule,
    ParticipantContact,
    RoundItem,
    RoundParticipation,
    RuleRole,
    utcnow,
)
from delphi.services import demo

from ..factories import make_participant
from .pages import assert_strict_csp_holds
from .team_setup import EMAILS, make_study_with_team

SLUG = "outcomes-that-matter-after-a-stroke"
ROUTES = [
    "/studies/{s}/exports",
    "/studies/{s}/exports/results.csv?round=1",
    "/studies/{s}/exports/results.xlsx?round=1",
    "/studies/{s}/exports/results.json?round=1",
    "/studies/{s}/exports/answers.csv",
    "/studies/{s}/exports/codebook.csv",
    "/studies/{s}/exports/comments.xlsx",
    "/studies/{s}/exports/suggestions.csv",
    "/studies/{s}/exports/item-histories.csv",
]


@pytest.fixture
def study(db):
    """A team's study whose round 1 is closed, with five participants' ratings."""
    study = make_study_with_team()
    study.rules.append(ConsensusRule(name="COMET GRADE", role=RuleRole.PRIMARY,
                                     definition=COMET_GRADE.to_dict()))
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        round_.round_items.append(RoundItem(item=item, item_version=item.versions[0],
                                            position=position))
    round_.open()
    _db.session.commit()
    for rating in (7, 8, 9, 3, 9):
        person = make_participant(study)
        _db.session.add(RoundParticipation(round=round_, participant=person,
                                           invited_at=utcnow(), started_at=utcnow()))
        for round_item in round_.round_items:
            _db.session.add(Answer(participant=person, round_item=round_item,
                                   item_version=round_item.item_version,
                                   dimension=study.dimensions[0], value=rating))
    round_.close()
    _db.session.commit()
    return study


@pytest.mark.parametrize("role", ["owner", "facilitator", "steering"])
@pytest.mark.parametrize("route", ROUTES)
def test_every_team_member_may_download(client, auth, study, route, role):
    auth.login(email=EMAILS[role])
    assert client.get(route.format(s=study.id)).status_code == 200


@pytest.mark.parametrize("route", [*ROUTES, "/studies/{s}/exports/audit-log.csv"])
def test_outsiders_are_refused_and_signed_out_visitors_sent_to_sign_in(client, auth, study,
                                                                       route):
    response = client.get(route.format(s=study.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    auth.login(email=EMAILS["outsider"])
    assert client.get(route.format(s=study.id)).status_code == 403


@pytest.mark.parametrize("role, status", [("owner", 200), ("facilitator", 200),
                                          ("steering", 403)])
def test_the_audit_log_is_for_owners_and_facilitators(client, auth, study, role, status):
    auth.login(email=EMAILS[role])
    response = client.get(f"/studies/{study.id}/exports/audit-log.csv")
    assert response.status_code == status
    if status == 403:
        assert "owners and facilitators only" in response.get_data(as_text=True)


def test_steering_gets_no_open_round(client, auth, study):
    study.rounds[0].reopen("A late panel member")
    _db.session.commit()
    auth.login(email=EMAILS["steering"])
    response = client.get(f"/studies/{study.id}/exports/results.csv?round=1")
    assert response.status_code == 403
    assert "still open" in response.get_data(as_text=True)
    page = client.get(f"/studies/{study.id}/exports").get_data(as_text=True)
    assert "Results, round 1" not in page and "answers.csv" in page
    assert "audit-log.csv" not in page


def test_page_lists_each_export_and_round(client, auth, study):
    auth.login()
    response = client.get(f"/studies/{study.id}/exports")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_strict_csp_holds(response)
    assert "Results, round 1" in html and "Figures: live, not final." in html
    for name, fmt in [("results", "csv"), ("results", "xlsx"), ("results", "json"),
                      ("answers", "csv"), ("codebook", "csv"), ("comments", "xlsx"),
                      ("suggestions", "xlsx"), ("item-histories", "csv"), ("audit-log", "csv")]:
        assert f'/studies/{study.id}/exports/{name}.{fmt}' in html
    assert f"/studies/{study.id}/exports/results.csv?round=1" in html
    assert 'aria-current="page">Downloads</a>' in html


def test_downloads_are_attachments_named_by_the_service(client, auth, study):
    auth.login()
    response = client.get(f"/studies/{study.id}/exports/results.csv?round=1")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{SLUG}-round-1-results.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0]["group"] == "All" and rows[0]["n"] == "5" and rows[0]["median"] == "8.0"

    xlsx = client.get(f"/studies/{study.id}/exports/results.xlsx?round=1")
    assert xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(xlsx.data)).active["K2"].value == 5

    document = json.loads(client.get(f"/studies/{study.id}/exports/results.json?round=1").data)
    assert document["rows"][0]["median"] == 8.0

    answers = client.get(f"/studies/{study.id}/exports/answers.csv")
    assert answers.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-answers.csv"'
    assert len(answers.data.decode("utf-8-sig").strip().split("\r\n")) == 1 + 5 * 3


@pytest.mark.parametrize("path, status, message", [
    ("nonsense.csv", 404, "There is no export called “nonsense”"),
    ("answers.pdf", 404, "comes as CSV, not “pdf”"),
    ("results.csv?round=7", 404, "has no round 7"),
    ("results.csv?round=abc", 404, "has no round abc"),
    ("results.csv", 400, "Choose a round"),
    ("codebook.csv?round=1", 400, "leave out the round"),
])
def test_unknown_exports_formats_and_rounds(client, auth, study, path, status, message):
    auth.login()
    response = client.get(f"/studies/{study.id}/exports/{path}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_unknown_study_is_404(client, auth, study):
    auth.login()
    assert client.get(f"/studies/{study.id + 99}/exports/codebook.csv").status_code == 404


def test_a_steering_member_downloads_every_file_the_demo_offers(client, auth, db):
    study = demo.load_demo().study
    auth.login(email=demo.STEERING_EMAIL, password=demo.DEMO_PASSWORD)
    page = client.get(f"/studies/{study.id}/exports").get_data(as_text=True)
    links = re.findall(r'href="(/studies/\d+/exports/[^"]+)"', page)
    assert len(links) == 3 + 1 + 1 + 2 + 2 + 1  # results of round 1 (published), not round 2
    emails = set(_db.session.scalars(select(ParticipantContact.email)))
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        if not link.split("?")[0].endswith(".xlsx"):
            text = response.data.decode("utf-8-sig")
            assert not any(email in text for email in emails)
    assert "Figures: published snapshot." in page
