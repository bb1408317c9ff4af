"""The uncertainty intake pages in a real browser: the intake, an evidence check with an
error, the suggestions page with its intake actions and the trail, axe-core clean."""

import pytest
from playwright.sync_api import expect

from ..conftest import TEST_PASSWORD
from ..factories import make_user
from ..services.test_intake import built_trail
from .checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_owner_works_through_the_intake(page, watch, live_server):
    owner = make_user()
    study, _submissions, (q1, _q2, _q3) = built_trail(owner)

    page.goto(f"{live_server}/login")
    page.fill("#email", owner.email)
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{live_server}/studies")

    page.goto(f"{live_server}/studies/{study.id}/intake")
    expect(page.get_by_role("heading", name="Indicative questions")).to_be_visible()
    expect(page.get_by_text("Answered 1, partly answered 1, unanswered 1")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server}/studies/{study.id}/intake/questions/{q1.id}/evidence")
    page.get_by_label("Partly answered").check()
    page.get_by_label("Source").fill("")
    page.click("button:has-text('Save the evidence check')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the source of the answer")
    expect(page.get_by_label("Partly answered")).to_be_checked()
    assert_accessible(page)

    page.goto(f"{live_server}/studies/{study.id}/suggestions")
    expect(page.get_by_text("Not about hip fracture")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server}/studies/{study.id}/intake/trail")
    expect(page.get_by_role("heading", name="Out of scope")).to_be_visible()
    assert_accessible(page)
    assert watch.csp_violations() == []
