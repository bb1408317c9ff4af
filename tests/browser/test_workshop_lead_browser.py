"""A workshop group's lead in a real browser on a phone: the ranking page is accessible with
and without errors, and a whole ranking can be entered with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from delphi.extensions import db as _db
from delphi.services import workshop

from ..factories import make_user
from ..workshop_setup import QUESTIONS, build_workshop
from .checks import assert_accessible_on_phone
from .test_answering_browser import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def _lead_link(n_items=12):
    owner = make_user()
    _study, _ranking, round_ = build_workshop(owner, n_items=n_items)
    session = workshop.add_session(round_, owner, "", ["Red", "Blue", "Green"])
    return round_, session.groups[0], workshop.issue_lead_link(session.groups[0], owner)


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text)
            if message.type in ("error", "warning") else None)
    yield page, console
    context.close()


def test_the_lead_pages_are_accessible_on_a_phone(phone, live_db, live_server):
    page, console = phone
    round_, _group, token = _lead_link()
    items = workshop.items_of(round_)
    page.goto(f"{live_server}/w/{token}")
    expect(page).to_have_url(f"{live_server}/workshop-group")
    expect(page.get_by_role("heading", name="Put the questions in order")).to_be_visible()
    expect(page.get_by_label(QUESTIONS[0], exact=True)).to_have_attribute("inputmode", "numeric")
    assert_accessible_on_phone(page)

    page.get_by_label(QUESTIONS[0], exact=True).fill("3")
    page.get_by_label(QUESTIONS[1], exact=True).fill("3")
    page.get_by_label(QUESTIONS[2], exact=True).fill("x")
    page.get_by_role("button", name="Send our order").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(f"Place 3 is given to two questions: “{QUESTIONS[0]}” and "
                                    f"“{QUESTIONS[1]}”.")
    expect(summary).to_contain_text(f"Enter a place for “{QUESTIONS[3]}”.")
    expect(page.locator(f"#position-{items[2].id}")).to_have_value("x")
    expect(page.locator(f"#position-{items[2].id}-error")).to_contain_text("whole number")
    assert_accessible_on_phone(page)

    for place, item in enumerate(items, start=1):
        page.locator(f"#position-{item.id}").fill(str(place))
    page.get_by_role("button", name="Send our order").click()
    expect(page).to_have_url(f"{live_server}/workshop-group/done")
    expect(page.get_by_text("You can change it until the session ends.")).to_be_visible()
    assert_accessible_on_phone(page)
    # The page with errors comes with status 400, which the browser reports; nothing else.
    assert [text for text in console if "status of 400" not in text] == []


def test_the_link_error_page_is_accessible_on_a_phone(phone, live_db, live_server):
    page, _console = phone
    _lead_link(n_items=3)
    response = page.goto(f"{live_server}/w/{'x' * 43}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="This link is not recognised")).to_be_visible()
    assert_accessible_on_phone(page)


def test_a_whole_ranking_entered_with_the_keyboard_alone(phone, live_db, live_server):
    page, console = phone
    round_, group, token = _lead_link()
    items = workshop.items_of(round_)
    wanted = [4, 1, 12, 2, 3, 11, 5, 6, 10, 7, 8, 9]
    page.goto(f"{live_server}/w/{token}")
    expect(page).to_have_url(f"{live_server}/workshop-group")

    tab_to(page, f"el.id === 'position-{items[0].id}'")
    for index, place in enumerate(wanted):
        expect(page.locator(f"#position-{items[index].id}")).to_be_focused()
        page.keyboard.type(str(place))
        if index < len(wanted) - 1:
            page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/workshop-group/done")
    listed = page.locator("ol li")
    expect(listed).to_have_text([QUESTIONS[wanted.index(place)] for place in range(1, 13)])
    _db.session.expire_all()
    assert workshop.group_positions(group) == {
        item.id: place for item, place in zip(items, wanted, strict=True)}

    # Change it: back to the form by keyboard, swap the first two places, send again.
    tab_to(page, "el.innerText && el.innerText.trim() === 'Change the order'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/workshop-group")
    first = page.locator(f"#position-{items[0].id}")
    expect(first).to_have_value("4")
    tab_to(page, f"el.id === 'position-{items[0].id}'")
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/workshop-group/done")
    expect(listed.first).to_have_text(QUESTIONS[0])
    assert console == []
