"""A ranking round in a real browser: accessible on a phone, with and without an error, and
ranked with the keyboard alone through the "Your top N" buttons."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from delphi.extensions import db as _db
from delphi.models import Ranking, utcnow
from delphi.services import answering, invitations

from ..factories import make_participant
from ..services.test_ranking import build_ranking_study, keys
from .checks import assert_accessible, assert_fits_phone
from .test_answering_browser import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]


def test_a_ranking_made_with_the_keyboard_on_a_phone(chromium, live_db, live_server):
    study, round_ = build_ranking_study(size=3, exact=True)
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _invitation, token = invitations.issue_link(participant, round_)
    _db.session.commit()
    all_keys = keys(round_)
    texts = {item.key: item.text for item in answering.items_of(round_)}

    context = chromium.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text)
            if message.type in ("error", "warning") else None)
    try:
        page.goto(f"{live_server}/p/{token}")
        expect(page).to_have_url(f"{live_server}/take-part/ranking")
        page.wait_for_load_state()
        assert console == []
        expect(page.get_by_role("heading", name="Your top 3", exact=True)).to_be_visible()
        assert_accessible(page)
        assert_fits_phone(page)

        # An error first: nothing chosen.
        tab_to(page, "el.innerText && el.innerText.trim() === 'Continue'")
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Choose exactly 3 questions. You have not chosen any yet.")
        page.wait_for_load_state()
        assert_accessible(page)
        assert_fits_phone(page)

        status = page.locator("#ranking-status")
        for index in (6, 1, 3):
            key = all_keys[index]
            tab_to(page, f"el.dataset.action === 'add' && el.dataset.key === '{key}'")
            page.keyboard.press("Enter")
            expect(status).to_contain_text(f"“{texts[key]}” added")
        # Focus stays on the last one's buttons: move question 4 up twice, to the top.
        tab_to(page, f"el.dataset.action === 'up' && el.dataset.key === '{all_keys[3]}'")
        page.keyboard.press("Enter")
        expect(status).to_have_text(f"Question “{texts[all_keys[3]]}” moved to position 2.")
        page.keyboard.press("Enter")
        expect(status).to_have_text(f"Question “{texts[all_keys[3]]}” moved to position 1.")
        # Remove question 2, add question 8 instead.
        tab_to(page, f"el.dataset.action === 'remove' && el.dataset.key === '{all_keys[1]}'")
        page.keyboard.press("Enter")
        expect(status).to_have_text(f"Question “{texts[all_keys[1]]}” removed from your list.")
        tab_to(page, f"el.dataset.action === 'add' && el.dataset.key === '{all_keys[7]}'")
        page.keyboard.press("Enter")
        expect(status).to_have_text(f"Question “{texts[all_keys[7]]}” added at position 3.")

        shown = [text.split(". ", 1)[1] for text in page.locator(
            "#ranking-list li p").all_inner_texts()]
        expected = [texts[all_keys[i]] for i in (3, 6, 7)]
        assert shown == expected
        assert page.locator(f"#position-{all_keys[3]}").input_value() == "1"
        assert page.locator(f"#position-{all_keys[1]}").input_value() == ""
        assert_accessible(page)
        assert_fits_phone(page)

        tab_to(page, "el.innerText && el.innerText.trim() === 'Continue'")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server}/take-part/ranking/check")
        expect(page.locator("#your-choices li")).to_have_text(expected)
        assert_accessible(page)
        assert_fits_phone(page)
        tab_to(page, "el.innerText && el.innerText.includes('Send my choices')")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server}/take-part/done")
        assert_fits_phone(page)
        csp = [text for text in console if "Content Security Policy" in text]
        assert csp == []
    finally:
        context.close()
    _db.session.expire_all()
    rows = _db.session.execute(select(Ranking.item_id, Ranking.position)
                               .where(Ranking.participant_id == participant.id)
                               .order_by(Ranking.position)).all()
    assert [tuple(row) for row in rows] == [
        (round_.round_items[i].item_id, position) for position, i in enumerate((3, 6, 7), 1)]
