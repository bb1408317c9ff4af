"""The study report in a real browser: axe-clean and CSP-clean on screen, and printed
without the navigation, header or footer."""

import pytest
from playwright.sync_api import expect

from ..conftest import TEST_PASSWORD
from ..factories import make_user
from ..services.test_report import build_report_study
from .checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_steering_member_reads_and_prints_the_report(page, watch, live_server, live_db):
    from delphi.extensions import db
    from delphi.models import Role, StudyMembership

    made = build_report_study()
    steering = make_user(email="steering@example.test", name="Sam Steering")
    db.session.add(StudyMembership(study=made.study, user=steering, role=Role.STEERING))
    db.session.commit()

    page.goto(f"{live_server}/login")
    page.fill("#email", "steering@example.test")
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.goto(f"{live_server}/studies/{made.study.id}/report")
    expect(page.get_by_role("heading", name="Study report", exact=True)).to_be_visible()
    assert_accessible(page)
    navigation = page.get_by_role("navigation", name="Study sections")
    expect(navigation).to_be_visible()

    page.emulate_media(media="print")
    expect(navigation).to_be_hidden()
    expect(page.locator("header.govuk-template__header")).to_be_hidden()
    expect(page.locator("footer.govuk-footer")).to_be_hidden()
    expect(page.get_by_role("link", name="Download the report as an HTML file")).to_be_hidden()
    expect(page.get_by_role("heading", name="6. Results")).to_be_visible()
    assert watch.csp_violations() == []
