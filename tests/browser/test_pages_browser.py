"""The pages in a real browser: sign in, see the study; accessible, CSP-clean, keyboard-first."""

import pytest
from playwright.sync_api import expect

from ..conftest import TEST_PASSWORD
from ..factories import make_participant, make_study, make_user
from .checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_sign_in_and_see_the_study(page, watch, live_server):
    study = make_study(owner=make_user(), title="Outcomes that matter after a stroke")
    make_participant(study, group=study.groups[0])

    page.goto(f"{live_server}/studies")
    assert page.url.startswith(f"{live_server}/login")
    assert_accessible(page)

    page.fill("#email", "facilitator@example.test")
    page.fill("#password", "not my password")
    page.click("button:has-text('Sign in')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("not right")
    assert page.locator(".govuk-notification-banner").inner_text().count("not right") == 1
    assert page.input_value("#email") == "facilitator@example.test"
    assert_accessible(page)

    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{live_server}/studies")
    expect(page.get_by_role("heading", name="Your studies")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Outcomes that matter after a stroke").click()
    expect(page.get_by_role("heading", name="Outcomes that matter after a stroke")).to_be_visible()
    patients = page.get_by_role("row").filter(has_text="Patients and carers").inner_text()
    assert patients.split() == ["Patients", "and", "carers", "1", "10", "Below", "target"]
    assert page.get_by_role("row").filter(has_text="Round 1").inner_text().split()[:4] == [
        "Round", "1", "Rating", "Draft"
    ]
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")

    assert watch.csp_violations() == []
    assert not [url for url in watch.failed_requests if "/static/" in url or "/assets/" in url]


def test_javascript_runs_under_the_csp_and_tab_reaches_the_skip_link_first(page, watch,
                                                                          live_server):
    page.goto(f"{live_server}/login")
    # The nonce'd inline script marked the body; the module from /static started GOV.UK.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    page.wait_for_function("document.querySelector('.govuk-password-input__toggle:not([hidden])')")

    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["govuk-skip-link", "Skip to main content"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    assert watch.csp_violations() == []


def test_error_pages_are_accessible(page, watch, live_server):
    response = page.goto(f"{live_server}/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_accessible(page)
    assert watch.csp_violations() == []
