"""Round 2 of the demo in a real browser on a phone: last round's results above each item,
the chart loaded, the numbers table reachable from the keyboard, then the saved and closed
pages; every page axe-core clean."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from delphi.extensions import db as _db
from delphi.models import utcnow
from delphi.services import demo, rounds

from .checks import assert_accessible_on_phone

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_feedback_from_the_last_round_is_shown_and_accessible(page, watch, live_server):
    demo.load_demo()
    issued = demo.demo_link()
    issued.participant.guidance_seen_at = utcnow()
    _db.session.commit()
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(live_server + urlsplit(issued.url).path)
    expect(page).to_have_url(f"{live_server}/take-part/questions/1")
    blocks = page.locator(".delphi-feedback")
    expect(blocks.first).to_be_visible()
    assert blocks.count() >= 1
    assert_accessible_on_phone(page)

    chart = blocks.first.locator("img")
    chart.scroll_into_view_if_needed()
    image = chart.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image)
    assert "Your score was" in chart.get_attribute("alt")
    assert page.evaluate("img => img.getBoundingClientRect().right", image) <= 375

    summary = blocks.first.locator("summary", has_text="Show the numbers")
    summary.focus()
    page.keyboard.press("Enter")
    table = blocks.first.get_by_role("table")
    expect(table).to_be_visible()
    assert table.get_by_role("row").count() >= 10  # a row per point on the 1–9 scale, and n
    assert_accessible_on_phone(page)

    page.get_by_role("button", name="Save and come back later").click()
    expect(page).to_have_url(f"{live_server}/take-part/saved")
    assert_accessible_on_phone(page)

    round_two = next(round_ for round_ in issued.participant.study.rounds if round_.is_open)
    rounds.close_round(round_two, None)
    page.goto(f"{live_server}/take-part")
    expect(page.get_by_role("heading", name="This round has closed")).to_be_visible()
    assert_accessible_on_phone(page)

    assert watch.csp_violations() == []
    assert not watch.failed_requests
