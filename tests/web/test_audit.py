"""The audit log pages: owners and facilitators only; filtered, paged, exported as CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from delphi.extensions import db as _db
from delphi.services import audit

from ..factories import make_user
from .pages import assert_strict_csp_holds
from .team_setup import EMAILS, make_study_with_team

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROUTES = ["/studies/{s}/audit", "/studies/{s}/audit/export.csv"]


@pytest.fixture
def study(db):
    owner = make_user()
    study = make_study_with_team(owner)
    for minute in range(55):
        event = audit.record(study, owner, "participant.added", f"P-{minute:06d}",
                             group="Nurses")
        event.created_at = T0 + timedelta(minutes=minute)
    revealed = audit.record(study, owner, "participant.contact_revealed", "@P-ABCDEF")
    revealed.created_at = T0 + timedelta(hours=2)
    _db.session.commit()
    return study


@pytest.mark.parametrize("role, status", [
    ("owner", 200), ("facilitator", 200), ("steering", 403), ("outsider", 403)])
@pytest.mark.parametrize("route", ROUTES)
def test_who_may_see_the_audit_log(client, auth, study, route, role, status):
    auth.login(email=EMAILS[role])
    assert client.get(route.format(s=study.id)).status_code == status


@pytest.mark.parametrize("route", ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, study, route):
    response = client.get(route.format(s=study.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_log_page_newest_first_and_paged(client, auth, study):
    auth.login()
    response = client.get(f"/studies/{study.id}/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "56 events; page 1 of 2." in html
    assert html.index("@P-ABCDEF") < html.index("P-000054")
    assert "P-000005" not in html  # on page 2
    assert "2 March 2026, 11:00 GMT" in html and "Fran Facilitator" in html
    assert "group: Nurses" in html
    assert f"/studies/{study.id}/audit?page=2" in html
    assert_strict_csp_holds(response)
    second = client.get(f"/studies/{study.id}/audit?page=2").get_data(as_text=True)
    assert "P-000005" in second and "page 2 of 2" in second


def test_filter_by_action(client, auth, study):
    auth.login(email=EMAILS["facilitator"])
    html = client.get(f"/studies/{study.id}/audit?action=participant.contact_revealed").get_data(
        as_text=True)
    assert "1 event." in html and "P-000001" not in html
    assert '<option value="participant.contact_revealed" selected>' in html
    assert "Download these events as CSV" in html


@pytest.mark.parametrize("query", ["?page=abc", "?page=-3", "?page=999", "?action=no.such"])
def test_odd_query_strings_still_show_a_page(client, auth, study, query):
    auth.login()
    response = client.get(f"/studies/{study.id}/audit{query}")
    assert response.status_code == 200


def test_empty_filter_result_says_so(client, auth, study):
    auth.login()
    html = client.get(f"/studies/{study.id}/audit?action=no.such").get_data(as_text=True)
    assert "Nothing has been recorded for this action yet." in html


def test_csv_export(client, auth, study):
    auth.login()
    response = client.get(f"/studies/{study.id}/audit/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="study-{study.id}-audit-log.csv"')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["When (UTC)", "Who", "Action", "Target", "Details"]
    assert len(rows) == 57
    assert rows[1] == ["2026-03-02 11:00:00", "Fran Facilitator",
                       "participant.contact_revealed", "'@P-ABCDEF", ""]
    filtered = client.get(
        f"/studies/{study.id}/audit/export.csv?action=participant.contact_revealed")
    assert len(list(csv.reader(io.StringIO(filtered.get_data(as_text=True))))) == 2
