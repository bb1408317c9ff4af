"""Checks every browser test makes of a page: axe-core finds nothing, and it fits a phone."""

from axe_playwright_python.sync_playwright import Axe

PHONE_WIDTH = 375  # px: the narrowest common phone, as WCAG 2.2's reflow criterion asks


def assert_accessible(page):
    """axe-core finds no WCAG violations on the page as it is now."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_fits_phone(page):
    """Nothing makes the page wider than a 375-pixel phone (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def assert_accessible_on_phone(page):
    """Both checks: no axe-core violations and no sideways scrolling at 375 pixels."""
    assert_accessible(page)
    assert_fits_phone(page)
