"""A live server on a free loopback port and Debian's Chromium driven by Playwright.

Playwright's own browser download does not work here; Debian's ``chromium`` package puts
the real executable at a fixed path, which these fixtures use (or skip if it is missing).
"""

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("DELPHI_CHROMIUM", "/usr/lib/chromium/chromium")

# Collects CSP violations from the first moment of each page, before any page script runs.
CSP_SPY = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by a threaded Werkzeug server on 127.0.0.1, port chosen by the OS."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


class PageWatch:
    """What went wrong on a page besides its content: console errors and CSP violations."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.add_init_script(CSP_SPY)

    def _on_console(self, message):
        if message.type in ("error", "warning"):
            self.console.append(message.text)

    def _on_response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.status} {response.url}")

    def csp_violations(self) -> list[str]:
        reported = self.page.evaluate("window.__cspViolations")
        logged = [text for text in self.console if "Content Security Policy" in text]
        return reported + logged


@pytest.fixture
def page(chromium, live_db):
    """A fresh browser context (no cookies) per test, on the live database."""
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def watch(page):
    """Console errors, failed requests and CSP violations of ``page``."""
    return PageWatch(page)
