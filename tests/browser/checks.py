"""Checks every browser test makes of a page: axe-core finds nothing, and it fits a phone."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PHONE_WIDTH = 375  # px: the narrowest common phone, as WCAG 2.2's reflow criterion asks


def wait_for_page(page):
    """Wait until the page has loaded and drawn its main landmark: a URL can change before
    the new document is there, and checking a half-drawn page would test nothing."""
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_have_count(1)


def assert_accessible(page):
    """axe-core finds no WCAG violations on the page once it has loaded."""
    wait_for_page(page)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_fits_phone(page):
    """Nothing makes the page wider than a 375-pixel phone (no sideways scrolling)."""
    wait_for_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def assert_accessible_on_phone(page):
    """Both checks: no axe-core violations and no sideways scrolling at 375 pixels."""
    assert_accessible(page)
    assert_fits_phone(page)
