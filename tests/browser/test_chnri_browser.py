"""A CHNRI scorer's page in a real browser on a phone: axe-core clean with and without an
error, nothing wider than the screen, and answers given from the keyboard alone."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import ChnriAnswer, utcnow
from delphi.services import invitations

from ..factories import make_participant
from ..services.test_chnri import build_chnri_study, open_
from .checks import assert_accessible_on_phone

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_scoring_research_options_on_a_phone(page, watch, live_server):
    study, round_, owner = build_chnri_study()
    open_(round_, owner)
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _invitation, token = invitations.issue_link(participant, round_)
    _db.session.commit()
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server}/p/{token}")
    expect(page).to_have_url(f"{live_server}/take-part/chnri")
    assert_accessible_on_phone(page)

    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible_on_phone(page)

    choice = page.locator("fieldset").first.locator("input[type=radio]").first
    choice.focus()
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    page.get_by_role("button", name="Save and come back later").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/take-part/chnri?page=1&saved=1")
    assert_accessible_on_phone(page)
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count(ChnriAnswer.id))) == 1
    assert watch.csp_violations() == []
