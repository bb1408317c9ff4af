"""The final workshop's pages in a real browser: axe-core clean (the workshop page, a group's
ranking with an error, the session's results, the screen page and the final top 10), and a
group's ranking typed in with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from delphi.services import workshop

from ..conftest import TEST_PASSWORD
from ..factories import make_user
from ..workshop_setup import GROUPS, PLACES, build_workshop, ranking_form
from .checks import assert_accessible
from .test_answering_browser import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{live_server}/studies")


def test_a_facilitator_runs_a_session_with_the_keyboard(page, watch, live_server):
    owner = make_user(email="owner@example.test", name="Olu Owner")
    study, _ranking, round_ = build_workshop(owner=owner)
    session = workshop.add_session(round_, owner, "Morning", GROUPS,
                                   ("2 patients, 2 carers, 3 clinicians",))
    for group, places in zip(session.groups[:3], PLACES, strict=False):
        workshop.enter_ranking(group, ranking_form(round_, places), owner)
    gold = session.groups[3]
    items = workshop.items_of(round_)
    base = f"{live_server}/studies/{study.id}/workshop"

    _sign_in(page, live_server, "owner@example.test")
    page.goto(base)
    expect(page.locator("#progress-1")).to_have_text(
        "3 of 4 groups have entered their ranking.")
    assert_accessible(page)

    # Gold's ranking with a mistake: place 2 twice.
    page.goto(f"{base}/sessions/1/groups/{gold.id}/ranking")
    for item, place in zip(items, PLACES[3], strict=True):
        page.fill(f"#position-{item.id}", "2" if item is items[0] else str(place))
    page.get_by_role("button", name="Save the ranking of Gold").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Place 2 is given to two")
    expect(page.locator(f"#position-{items[3].id}")).to_have_value("4")
    assert_accessible(page)

    # The same page again, typed with the keyboard only: Tab to each box, type, send.
    page.goto(f"{base}/sessions/1/groups/{gold.id}/ranking")
    for item, place in zip(items, PLACES[3], strict=True):
        tab_to(page, f"el.id === 'position-{item.id}'")
        page.keyboard.type(str(place))
    tab_to(page, "el.tagName === 'BUTTON' && el.innerText.includes('Save the ranking')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(base)
    expect(page.locator("#progress-1")).to_have_text(
        "4 of 4 groups have entered their ranking.")

    page.goto(f"{base}/sessions/1/close")
    page.get_by_role("button", name="Close session 1").click()
    expect(page).to_have_url(f"{base}/sessions/1")
    expect(page.get_by_text("for the room to resolve", exact=False)).to_be_visible()
    expect(page.get_by_text("Contested", exact=True).first).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/screen?refresh=off")
    expect(page.get_by_role("link", name="Start refreshing")).to_be_visible()
    expect(page.locator("#screen-progress")).to_have_text(
        "4 of 4 groups have entered their ranking")
    assert_accessible(page)

    page.goto(f"{base}/final")
    expect(page.locator("#top-ten li")).to_have_count(10)
    expect(page.get_by_role("button", name="Record the room's order")).to_be_visible()
    assert_accessible(page)
    assert watch.csp_violations() == []
