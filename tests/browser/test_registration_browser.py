"""Getting in and leaving in a real browser on a narrow phone: joining through an open link,
e-mailing a link again, the pages for links that do not work, and leaving the study. Every
page is checked with axe-core and must fit 375 pixels without scrolling sideways."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from delphi.extensions import db as _db
from delphi.models import utcnow
from delphi.services import documents, invitations, registration

from ..factories import make_participant, make_study, make_user
from .checks import assert_accessible_on_phone

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_joining_through_an_open_link(page, watch, live_server):
    study = make_study()
    owner = make_user()
    link = registration.create_open_link(study, owner)
    consent = documents.documents_for(study)[1].current  # stored, so the server sees it
    required = [s["text"] for s in consent.statements if s.get("required")]
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server}/join/{link.slug}")
    expect(page.get_by_role("heading", name="Join this study")).to_be_visible()
    assert_accessible_on_phone(page)
    page.get_by_role("button", name="Join the study").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible_on_phone(page)
    for text in required:
        page.get_by_label(text).check()
    page.get_by_label(study.groups[1].name).check()
    page.get_by_role("button", name="Join the study").click()
    expect(page.get_by_role("heading", name="You have joined the study")).to_be_visible()
    assert_accessible_on_phone(page)
    assert "/p/" in page.locator("#private-link").inner_text()

    page.goto(f"{live_server}/take-part/stop-reminders")
    assert_accessible_on_phone(page)
    page.goto(f"{live_server}/take-part/withdraw")
    expect(page.get_by_role("heading", name="Do you want to leave the study?")).to_be_visible()
    assert_accessible_on_phone(page)
    page.get_by_role("button", name="Yes, I want to leave").click()
    expect(page).to_have_url(f"{live_server}/take-part/withdrawn")
    assert_accessible_on_phone(page)

    registration.close_open_link(study, link, owner)
    page.goto(f"{live_server}/join/{link.slug}")
    expect(page.get_by_role("heading", name="This link is closed to new people")).to_be_visible()
    assert_accessible_on_phone(page)
    assert watch.csp_violations() == []


def test_links_that_do_not_work_and_getting_one_again(page, watch, live_server):
    study = make_study()
    participant = make_participant(study)
    _invitation, token = invitations.issue_link(participant, now=utcnow() - timedelta(days=400))
    _db.session.commit()
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server}/p/{'x' * 43}")
    expect(page.get_by_role("heading", name="This link is not recognised")).to_be_visible()
    assert_accessible_on_phone(page)
    page.goto(f"{live_server}/p/{token}")
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    assert_accessible_on_phone(page)
    page.get_by_role("link", name="E-mail me my link again").click()
    assert_accessible_on_phone(page)
    page.get_by_role("button", name="Send me my link").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible_on_phone(page)
    page.get_by_label("Your e-mail address").fill("sam@example.org")
    page.get_by_role("button", name="Send me my link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible_on_phone(page)
    assert watch.csp_violations() == []
