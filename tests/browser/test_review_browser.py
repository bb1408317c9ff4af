"""The steering review pages in a real browser: axe-clean, CSP-clean, and sortable and
filterable from the keyboard without JavaScript."""

import pytest
from playwright.sync_api import expect

from ..conftest import TEST_PASSWORD
from ..factories import make_user
from ..services.test_review import build_review_study
from .checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_steering_member_reviews_a_round_by_keyboard(page, watch, live_server, live_db):
    from delphi.extensions import db
    from delphi.models import Role, StudyMembership

    built = build_review_study()
    steering = make_user(email="steering@example.test", name="Sam Steering")
    db.session.add(StudyMembership(study=built.study, user=steering, role=Role.STEERING))
    db.session.commit()
    study, item = built.study.id, built.study.items[0].id

    page.goto(f"{live_server}/login")
    page.fill("#email", "steering@example.test")
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    for path in ("", "/rounds/1", "/rounds/2", "/rounds/1/rules", "/rounds/2/attrition",
                 f"/items/{item}", "/compare", "/rounds/3"):
        page.goto(f"{live_server}/studies/{study}/review{path}")
        assert_accessible(page)

    page.goto(f"{live_server}/studies/{study}/review/rounds/1")
    median = page.get_by_role("link", name="Median (sort lowest first)")
    median.focus()
    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Median")
    page.select_option("#status", "no_consensus")
    page.get_by_role("button", name="Show results").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="3 of 5 items")).to_be_visible()
    assert "sort=median" in page.url and "status=no_consensus" in page.url
    assert_accessible(page)
    assert watch.csp_violations() == []


def _tab_to(page, name: str, limit: int = 300) -> None:
    """Press Tab until the element with text ``name`` has the focus (fails after ``limit``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_charts_load_and_their_tables_are_reached_by_keyboard(page, watch, live_server,
                                                              live_db):
    from delphi.extensions import db
    from delphi.models import Role, StudyMembership

    built = build_review_study()
    steering = make_user(email="steering@example.test", name="Sam Steering")
    db.session.add(StudyMembership(study=built.study, user=steering, role=Role.STEERING))
    db.session.commit()
    study, item = built.study.id, built.study.items[0].id

    page.goto(f"{live_server}/login")
    page.fill("#email", "steering@example.test")
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    for path, count in (("/rounds/1", 3), ("/rounds/2", 3), (f"/items/{item}", 2),
                        ("/compare?from=1&to=2", 1)):
        page.goto(f"{live_server}/studies/{study}/review{path}")
        images = page.locator("img.delphi-chart__image")
        expect(images).to_have_count(count)
        for index in range(count):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            page.wait_for_function("image => image.complete && image.naturalWidth > 0",
                                   arg=image.element_handle())
            assert image.get_attribute("alt")
        assert_accessible(page)

    page.goto(f"{live_server}/studies/{study}/review/rounds/1")
    page.locator("h1").click()
    _tab_to(page, "Show the numbers as a table")
    page.keyboard.press("Enter")
    table = page.locator("details[open] table").first
    expect(table).to_be_visible()
    expect(table).to_contain_text("Consensus in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    assert_accessible(page)
    assert watch.csp_violations() == []
