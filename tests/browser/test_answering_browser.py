"""Answering in a real browser: answers save as they are chosen, and every page is accessible."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from delphi.extensions import db as _db
from delphi.models import Answer
from delphi.services import invitations

from ..factories import make_participant
from ..services.test_answering import build_study
from .checks import assert_accessible, assert_fits_phone

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_answers_save_as_they_are_chosen_and_the_pages_are_accessible(page, watch,
                                                                     live_server):
    study, round_ = build_study()
    participant = make_participant(study)
    _invitation, token = invitations.issue_link(participant, round_)
    _db.session.commit()

    page.goto(f"{live_server}/p/{token}")
    expect(page.get_by_role("heading", name=study.title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(f"{live_server}/take-part/consent")
    assert_accessible(page)
    page.get_by_role("button", name="I agree – continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.wait_for_load_state()
    assert_accessible(page)
    for statement in ("read the information", "taking part is my choice", "I agree to take"):
        page.get_by_label(statement).check()
    page.get_by_role("button", name="I agree – continue").click()
    expect(page).to_have_url(f"{live_server}/take-part/guidance")
    assert_accessible(page)
    page.get_by_label("6").check()
    page.get_by_role("button", name="Try it").click()
    expect(page.get_by_text("This was just practice. Your answer was not saved.")).to_be_visible()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server}/take-part/questions/1")
    assert_accessible(page)
    page.locator("fieldset").first.get_by_label("8", exact=True).check()
    expect(page.locator("#autosave-status")).to_have_text("Saved")
    expect(page.locator("#progress-count")).to_have_text("You have answered 1 of 6.")
    _db.session.expire_all()
    assert list(_db.session.scalars(select(Answer.value))) == [8]

    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(f"{live_server}/take-part/questions/2")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(f"{live_server}/take-part/check")
    assert_accessible(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_url(f"{live_server}/take-part/done")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(page)
    assert watch.csp_violations() == []


def tab_to(page, check: str):
    """Press Tab until ``check`` (JavaScript about ``el``, the focused element) holds."""
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({check}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {check}")


def test_a_round_done_with_the_keyboard_only_on_a_narrow_phone(chromium, live_db, live_server):
    study, round_ = build_study()
    participant = make_participant(study)
    _invitation, token = invitations.issue_link(participant, round_)
    _db.session.commit()
    context = chromium.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/p/{token}")
        assert_fits_phone(page)
        tab_to(page, "el.innerText && el.innerText.includes('Start')")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server}/take-part/consent")
        assert_fits_phone(page)
        for key in ("read_information", "voluntary", "take_part"):
            tab_to(page, f"el.value === '{key}'")
            page.keyboard.press("Space")
        tab_to(page, "el.innerText && el.innerText.includes('I agree')")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server}/take-part/guidance")
        assert_fits_phone(page)
        tab_to(page, "el.name === 'continue'")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server}/take-part/questions/1")
        assert_fits_phone(page)
        tab_to(page, "el.type === 'radio'")
        page.keyboard.press("Space")
        expect(page.locator("#autosave-status")).to_have_text("Saved")
        for number in (2, "check"):
            tab_to(page, "el.value === 'continue'")
            page.keyboard.press("Enter")
            expect(page).to_have_url(f"{live_server}/take-part/"
                                     + (f"questions/{number}" if number == 2 else "check"))
            assert_fits_phone(page)
        tab_to(page, "el.innerText && el.innerText.includes('Send my answers')")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server}/take-part/done")
        assert_fits_phone(page)
    finally:
        context.close()
    _db.session.expire_all()
    assert list(_db.session.scalars(select(Answer.value))) == [1]
