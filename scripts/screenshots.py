"""Regenerate the screenshots in docs/ from a throwaway demo instance.

Usage: python scripts/screenshots.py OUTPUT_DIR

Starts the app on a temporary SQLite database with the demo study, serves it on a free
loopback port, signs in as the demo facilitator in Debian's headless Chromium and saves one
PNG per page. Nothing outside OUTPUT_DIR and the temporary folder is written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/lib/chromium/chromium"
SIGNED_IN_PAGES = (("studies", "/studies"), ("study", "/studies/1"))


def _demo_app(instance: Path):
    os.environ["DELPHI_INSTANCE_PATH"] = str(instance)
    from delphi.app import create_app
    from delphi.services import demo

    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        demo.load_demo()
    return app


def _sign_in(page) -> None:
    from delphi.services import demo

    page.fill("input[name=email]", demo.FACILITATOR_EMAIL)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()


def _save(page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    print(f"wrote {path}")


def main(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="delphi-docs-") as instance:
        server = make_server("127.0.0.1", 0, _demo_app(Path(instance)), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                page = browser.new_page(viewport={"width": 1100, "height": 800})
                page.goto(f"{base_url}/login")
                _save(page, output / "login.png")
                _sign_in(page)
                for name, path in SIGNED_IN_PAGES:
                    page.goto(base_url + path)
                    _save(page, output / f"{name}.png")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
