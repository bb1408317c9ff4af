"""Regenerate the screenshots in docs/ from a throwaway demo instance.

Usage: python scripts/screenshots.py OUTPUT_DIR

Starts the app on a temporary SQLite database with the demo study, serves it on a free
loopback port, signs in as the demo facilitator in Debian's headless Chromium and saves one
full-page PNG per page of the facilitator's workflow. Nothing outside OUTPUT_DIR and the
temporary folder is written: the database, instance folder and secret key are all in the
temporary folder whatever DELPHI_* settings the environment has, and no e-mail is sent.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/lib/chromium/chromium"
DESKTOP = {"width": 1100, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_HEIGHT = 2900  # px; longer pages (60 participants, 30 statements) are cut here
PHONE_HEIGHT = 2 * PHONE["height"]
TIMEOUT_MS = 15_000  # every navigation, click and wait gives up after this

STUDY = "/studies/1"  # the demo study, the only one in the fresh database
PREVIEW = f"{STUDY}/rounds/2/preview"  # round 2 is the demo's draft round
ROUND = f"{STUDY}/rounds/1"  # round 1 is closed, with comments and suggestions to review

# (file name, path): the signed-in pages, in the order of the facilitator guide. A path may
# name {first_item}, the id of the demo study's first item, known once the demo is loaded.
PAGES = (
    ("studies", "/studies"),
    ("study", STUDY),
    ("design", f"{STUDY}/design"),
    ("design-add-rule", f"{STUDY}/design/rules/new"),
    ("items", f"{STUDY}/items"),
    ("items-import", f"{STUDY}/items/import"),
    ("documents", f"{STUDY}/documents"),
    ("document-edit-consent", f"{STUDY}/documents/consent/edit"),
    ("preview-round", PREVIEW),
    ("participants", f"{STUDY}/participants"),
    ("messages", f"{STUDY}/messages"),
    ("team", f"{STUDY}/team"),
    ("audit-log", f"{STUDY}/audit"),
    ("rounds", f"{STUDY}/rounds"),
    ("round", ROUND),
    ("round-publish", f"{ROUND}/publish"),
    ("round-prepare", f"{ROUND}/prepare"),
    ("round-review", f"{ROUND}/review"),
    ("suggestions", f"{STUDY}/suggestions"),
    ("item-history", STUDY + "/items/{first_item}/history"),
    ("dashboard", f"{STUDY}/dashboard?round=1"),
)

# A small import file with one good row, one empty statement and one repeated statement,
# so that the preview shows its report of problems. It is uploaded from memory.
IMPORT_CSV = (
    "statement,domain,explanatory note\n"
    "Able to climb stairs,Mobility,Without help from another person\n"
    ",Mobility,\n"
    "Able to climb stairs,Mobility,\n"
)


def _demo_app(instance: Path):
    """Return the app on a fresh demo database, and the id of the demo study's first item."""
    os.environ["DELPHI_INSTANCE_PATH"] = str(instance)
    from delphi.app import create_app
    from delphi.services import demo

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app({
        "ENV": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{instance / 'delphi.sqlite'}",
        "MAIL_SERVER": "",
    })
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        demo.load_demo()
        from sqlalchemy import func, select

        from delphi.extensions import db
        from delphi.models import Item

        first_item = db.session.scalar(select(func.min(Item.id)))
    return app, first_item


def _open(page, url: str) -> None:
    """Go to ``url``; stop on an error page or a redirect (such as to the sign-in page)."""
    response = page.goto(url)
    if response is None or not response.ok or page.url != url:
        status = response.status if response else "no response"
        raise SystemExit(f"{url} answered {status} at {page.url}; not saving it")


def _save(page, output: Path, name: str, start: str | None = None,
          height: int = MAX_HEIGHT) -> None:
    """Save the page from its top (or from the element ``start``) down, at most ``height`` px.

    Every <details> is opened first, so the picture shows what the page offers.
    """
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    top = page.locator(start).bounding_box()["y"] if start else 0
    page_height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": top, "width": page.viewport_size["width"],
            "height": min(height, page_height - top)}
    path = output / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, clip=clip)
    print(f"wrote {path}")


def _sign_in(page) -> None:
    from delphi.services import demo

    page.fill("input[name=email]", demo.FACILITATOR_EMAIL)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _import_with_problems(page, base_url: str, output: Path) -> None:
    """Upload IMPORT_CSV and save the preview with its row errors (answered with 400)."""
    _open(page, f"{base_url}{STUDY}/items/import")
    page.set_input_files("input[name=file]", files=[{
        "name": "items.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode(),
    }])
    page.click("form[enctype='multipart/form-data'] [type=submit]")
    page.get_by_role("heading", name="Fix the file").wait_for()
    _save(page, output, "items-import-problems")


def _capture(page, base_url: str, output: Path, first_item: int) -> None:
    _open(page, f"{base_url}/login")
    _save(page, output, "login")
    _sign_in(page)
    for name, path in PAGES:
        _open(page, base_url + path.format(first_item=first_item))
        _save(page, output, name)
    _import_with_problems(page, base_url, output)
    page.set_viewport_size(PHONE)
    _open(page, base_url + PREVIEW)
    _save(page, output, "preview-round-phone", start="#preview-items", height=PHONE_HEIGHT)


def main(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="delphi-docs-") as instance:
        app, first_item = _demo_app(Path(instance))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                try:
                    page = browser.new_page(viewport=DESKTOP)
                    page.set_default_timeout(TIMEOUT_MS)
                    _capture(page, f"http://127.0.0.1:{server.server_port}", output,
                             first_item)
                finally:
                    browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
