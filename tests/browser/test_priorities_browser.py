"""The priority-setting results pages in a real browser: the ranking results with their
charts, and the CHNRI results, axe-core clean for a steering member."""

import pytest
from playwright.sync_api import expect

from delphi.extensions import db as _db
from delphi.models import Role, StudyMembership

from ..conftest import TEST_PASSWORD
from ..factories import make_user
from ..services.test_chnri import build_chnri_study, open_
from ..services.test_ranking_results import make_ranking_round
from ..web.test_ranking_results import EXAMPLE
from .checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def _steering_member_of(*studies):
    steering = make_user(email="steering@example.test", name="Sam Steering")
    for study in studies:
        _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()


def test_steering_member_reads_ranking_and_chnri_results(page, watch, live_server):
    ranked = make_ranking_round(choices=EXAMPLE)
    scored, round_, owner = build_chnri_study()
    open_(round_, owner)
    _steering_member_of(ranked, scored)

    page.goto(f"{live_server}/login")
    page.fill("#email", "steering@example.test")
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{live_server}/studies")

    page.goto(f"{live_server}/studies/{ranked.id}/rounds/1/ranking-results")
    expect(page.get_by_text("Kendall", exact=False).first).to_be_visible()
    assert page.locator("main img").count() >= 1
    for image in page.locator("main img").all():
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle())
    assert_accessible(page)

    page.goto(f"{live_server}/studies/{scored.id}/chnri/results")
    expect(page.get_by_text("Research Priority Score", exact=False).first).to_be_visible()
    assert_accessible(page)
    assert watch.csp_violations() == []
