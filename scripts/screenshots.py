"""Regenerate the screenshots in docs/ from throwaway demo instances.

Usage: python scripts/screenshots.py OUTPUT_DIR

Starts the app four times on a temporary SQLite database, once for each shape of the demo
studies, serves it on a free loopback port and saves full-page PNGs in Debian's headless
Chromium:

- round 1 just closed (unpublished, suggestions unreviewed, an empty draft round 2): the
  facilitator's workflow, signed in as the demo facilitator;
- round 1 published and round 2 open with feedback: the participant journey on a phone,
  open registration, and the facilitator pages about links, exports, API tokens and review
  (round 2 is closed through the rounds service part way through, for the closed page and
  the review of two rounds);
- all three demo studies (``flask load-demo``): the priority-setting pages of the JLA-style
  partnership (intake, ranking results and shortlist, workshop) and of the CHNRI exercise
  (criteria and results; then the CHNRI round is reopened through the rounds service and a
  new scorer invited, for the scoring page on a phone);
- the JLA-style partnership stopped while its ranking survey is open: a participant's
  ranking page.

Nothing outside OUTPUT_DIR and the temporary folders is written: the databases, instance
folders and secret keys are all in the temporary folders whatever DELPHI_* settings the
environment has, and no e-mail is sent.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/lib/chromium/chromium"
DESKTOP = {"width": 1100, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_HEIGHT = 2900  # px; longer pages (60 participants, 30 statements) are cut here
PHONE_HEIGHT = 2 * PHONE["height"]
TIMEOUT_MS = 15_000  # every navigation, click and wait gives up after this
PUBLIC_URL = "https://delphi.example.org/"  # shown in links on the pages, never visited

STUDY = "/studies/1"  # the demo study, the only one in the fresh database
PREVIEW = f"{STUDY}/rounds/2/preview"  # round 2: a draft, or open in the full demo
ROUND = f"{STUDY}/rounds/1"  # round 1 is closed, with comments and suggestions to review
REVIEW = f"{STUDY}/review"

# (file name, path): the signed-in pages, in the order of the facilitator guide, taken with
# round 1 just closed. A path may name {first_item}, the id of the demo's first item.
PAGES = (
    ("studies", "/studies"),
    ("study", STUDY),
    ("design", f"{STUDY}/design"),
    ("design-add-rule", f"{STUDY}/design/rules/new"),
    ("items", f"{STUDY}/items"),
    ("items-import", f"{STUDY}/items/import"),
    ("documents", f"{STUDY}/documents"),
    ("document-edit-consent", f"{STUDY}/documents/consent/edit"),
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
    ("round-feedback", f"{STUDY}/rounds/2/feedback"),  # the draft round's feedback choice
)

# Taken with round 2 open; {link} is the id of the open link made for the shots.
OPEN_ROUND_PAGES = (
    ("preview-round", PREVIEW),
    ("open-links", f"{STUDY}/open-links"),
    ("open-link", STUDY + "/open-links/{link}"),
    ("exports", f"{STUDY}/exports"),
    ("api-tokens", f"{STUDY}/api-tokens"),
)

# Taken once round 2 has closed too.
REVIEW_PAGES = (
    ("review", REVIEW),
    ("review-round", f"{REVIEW}/rounds/1"),
    ("review-rules", f"{REVIEW}/rounds/1/rules"),
    ("review-attrition", f"{REVIEW}/rounds/2/attrition"),
    ("review-item", REVIEW + "/items/{first_item}"),
    ("review-compare", f"{REVIEW}/compare?from=1&to=2"),
)

# A small import file with one good row, one empty statement and one repeated statement,
# so that the preview shows its report of problems. It is uploaded from memory.
IMPORT_CSV = (
    "statement,domain,explanatory note\n"
    "Able to climb stairs,Mobility,Without help from another person\n"
    ",Mobility,\n"
    "Able to climb stairs,Mobility,\n"
)


#: The shapes of demo the shots are taken from (see the module docstring).
ROUND_ONE_CLOSED, ROUND_TWO_OPEN, ALL_STUDIES, RANKING_OPEN = (
    "round one closed", "round two open", "all studies", "ranking open")

# Pages of the JLA-style partnership {jla} and the CHNRI exercise {chnri}, with all three
# demo studies loaded: (file name, path, element to start from or None, height, whether to
# open every <details>).
WORKSHOP = "/studies/{jla}/workshop"
RANKING_RESULTS = "/studies/{jla}/rounds/2/ranking-results"
PRIORITY_PAGES = (
    ("intake", "/studies/{jla}/intake", None, MAX_HEIGHT, True),
    ("ranking-results", RANKING_RESULTS, None, MAX_HEIGHT, True),
    ("ranking-results-cut", RANKING_RESULTS, "h2:has-text('The ranked list')", 2000, False),
    ("shortlist-decision", RANKING_RESULTS, "h2:has-text('The shortlist for the workshop')",
     1100, True),
    ("workshop", WORKSHOP, None, MAX_HEIGHT, False),
    ("workshop-group-ranking", WORKSHOP + "/sessions/2/groups/{group}/ranking", None,
     MAX_HEIGHT, True),
    ("workshop-session", WORKSHOP + "/sessions/2", None, MAX_HEIGHT, True),
    ("workshop-screen", WORKSHOP + "/screen?refresh=off", None, MAX_HEIGHT, True),
    ("workshop-final", WORKSHOP + "/final", None, MAX_HEIGHT, True),
    ("chnri-criteria", "/studies/{chnri}/chnri", None, MAX_HEIGHT, True),
    ("chnri-results", "/studies/{chnri}/chnri/results", None, MAX_HEIGHT, True),
)


def _load(shape: str) -> None:
    from delphi.services import demo, demo_priorities

    if shape == ALL_STUDIES:
        demo.load_all()
    elif shape == RANKING_OPEN:
        demo_priorities.load_demo(ranking_open=True)
    else:
        demo.load_demo(round_two=shape == ROUND_TWO_OPEN)


def _demo_app(instance: Path, shape: str):
    """Return the app on a fresh demo database in the shape asked for."""
    os.environ["DELPHI_INSTANCE_PATH"] = str(instance)
    from delphi.app import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app({
        "ENV": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{instance / 'delphi.sqlite'}",
        "MAIL_SERVER": "",
        "PUBLIC_URL": PUBLIC_URL,
    })
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        _load(shape)
    return app


@contextmanager
def _served_demo(shape: str):
    """Serve a throwaway demo instance; yield (app, base URL, browser)."""
    with tempfile.TemporaryDirectory(prefix="delphi-docs-") as instance:
        app = _demo_app(Path(instance), shape)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                try:
                    yield app, f"http://127.0.0.1:{server.server_port}", browser
                finally:
                    browser.close()
        finally:
            server.shutdown()


def _new_page(browser, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _open(page, url: str, status: int = 200, lands: str | None = None) -> None:
    """Go to ``url``; stop unless it answers ``status`` at ``lands`` (default ``url``)."""
    response = page.goto(url)
    _expect(page, response, status, lands or url)


def _expect(page, response, status: int = 200, lands: str | None = None) -> None:
    if response is None or response.status != status or (lands and page.url != lands):
        got = response.status if response else "no response"
        where = f" at {lands}" if lands else ""
        raise SystemExit(f"{page.url} answered {got}, not {status}{where}; not saving it")


def _submit(page, button: str, status: int = 200) -> None:
    """Press the button named ``button``; stop unless the page answers ``status``."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    _expect(page, navigation.value, status)


def _save(page, output: Path, name: str, start: str | None = None,
          height: int = MAX_HEIGHT, open_details: bool = True) -> None:
    """Save the page from its top (or from the element ``start``) down, at most ``height`` px.

    Every <details> is opened first (unless ``open_details`` is False), so the picture shows
    what the page offers.
    """
    if open_details:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    top = page.locator(start).first.bounding_box()["y"] if start else 0
    page_height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": top, "width": page.viewport_size["width"],
            "height": min(height, page_height - top)}
    path = output / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, clip=clip)
    print(f"wrote {path}")


def _sign_in(page, base_url: str) -> None:
    """Sign in as the demo facilitator from the sign-in page."""
    from delphi.services import demo

    if page.url != f"{base_url}/login":
        _open(page, f"{base_url}/login")
    page.fill("input[name=email]", demo.FACILITATOR_EMAIL)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _shoot(page, base_url: str, output: Path, pages, **names) -> None:
    for name, path in pages:
        _open(page, base_url + path.format(**names))
        _save(page, output, name)


def _import_with_problems(page, base_url: str, output: Path) -> None:
    """Upload IMPORT_CSV and save the preview with its row errors (answered with 400)."""
    _open(page, f"{base_url}{STUDY}/items/import")
    page.set_input_files("input[name=file]", files=[{
        "name": "items.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode(),
    }])
    page.click("form[enctype='multipart/form-data'] [type=submit]")
    page.get_by_role("heading", name="Fix the file").wait_for()
    _save(page, output, "items-import-problems")


def _facilitator_workflow(browser, base_url: str, output: Path, first_item: int) -> None:
    page = _new_page(browser, DESKTOP)
    _open(page, f"{base_url}/login")
    _save(page, output, "login")
    _sign_in(page, base_url)
    _shoot(page, base_url, output, PAGES, first_item=first_item)
    _import_with_problems(page, base_url, output)


def _answer_page(page, point: str = "8") -> None:
    """Choose ``point`` in every scale on the page, one autosave at a time."""
    for radio in page.locator(f"input[type=radio][value='{point}']").all():
        with page.expect_response(lambda response: response.url.endswith("/autosave")):
            radio.check()


def _first_visit(browser, base_url: str, output: Path, link_path: str) -> None:
    """A newly invited participant: the start page, consent and the guidance."""
    page = _new_page(browser, PHONE)
    _open(page, base_url + link_path, lands=f"{base_url}/take-part")
    _save(page, output, "participant-start")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"{base_url}/take-part/consent")
    _save(page, output, "participant-consent")
    _submit(page, "I agree – continue", status=400)
    _save(page, output, "participant-consent-error", height=PHONE_HEIGHT)
    for box in page.locator("input[name=agreed]").all():
        box.check()
    _submit(page, "I agree – continue")
    _save(page, output, "participant-guidance")


def _second_round(browser, base_url: str, output: Path, link_path: str):
    """The demo participant's round 2, from the guidance to the thank-you page."""
    page = _new_page(browser, PHONE)
    _open(page, base_url + link_path, lands=f"{base_url}/take-part/guidance")
    _submit(page, "Continue")
    _save(page, output, "participant-questions-feedback", start=".delphi-item",
          height=PHONE_HEIGHT, open_details=False)
    page.locator(".delphi-feedback details summary").first.click()
    page.evaluate("document.activeElement.blur()")
    _save(page, output, "participant-feedback-numbers", start=".delphi-feedback",
          height=PHONE_HEIGHT, open_details=False)
    page.locator("textarea[name^=reason-]").first.fill("I have thought about it again.")
    _submit(page, "Save and continue", status=400)
    _save(page, output, "participant-questions-error", open_details=False)
    page.locator("textarea[name^=reason-]").first.fill("")
    _answer_page(page)
    _submit(page, "Save and continue")
    _answer_page(page, "7")
    _submit(page, "Save and come back later")
    _save(page, output, "participant-saved")
    _open(page, f"{base_url}/take-part/check")
    _save(page, output, "participant-check")
    _submit(page, "Send my answers")
    _save(page, output, "participant-done")
    return page


def _getting_in(browser, base_url: str, output: Path, slug: str) -> None:
    """Unknown link, "e-mail me my link again" and joining through an open link."""
    page = _new_page(browser, PHONE)
    _open(page, f"{base_url}/p/not-a-real-link", status=404)
    _save(page, output, "participant-unknown-link")
    _open(page, f"{base_url}/p/resend")
    _save(page, output, "participant-resend")
    page.fill("input[name=email]", "someone@example.org")
    _submit(page, "Send me my link")
    _save(page, output, "participant-resend-sent")
    _open(page, f"{base_url}/join/{slug}")
    _save(page, output, "participant-join")
    for box in page.locator("input[name=agreed]").all():
        box.check()
    page.locator("input[name=group]").first.check()
    page.fill("input[name=email]", "sam@example.org")
    _submit(page, "Join the study")
    _save(page, output, "participant-joined")


def _leaving(page, base_url: str, output: Path) -> None:
    """With the round closed: the closed page, then leaving the study."""
    _open(page, f"{base_url}/take-part")
    _save(page, output, "participant-closed")
    _open(page, f"{base_url}/take-part/withdraw")
    _save(page, output, "participant-withdraw")
    _submit(page, "Yes, I want to leave")
    _save(page, output, "participant-withdrawn")


def _first_item() -> int:
    from sqlalchemy import func, select

    from delphi.extensions import db
    from delphi.models import Item

    return db.session.scalar(select(func.min(Item.id)))


def _prepare_open_round(app) -> dict:
    """Private links for the demo participant and a newly invited one, an open link and an
    API token; returns what the shots need to know about them."""
    from delphi.extensions import db
    from delphi.models import Study, User
    from delphi.services import api_tokens, demo, invitations, participants, registration

    with app.app_context():
        study = db.session.get(Study, 1)
        facilitator = db.session.scalars(
            db.select(User).filter_by(email=demo.FACILITATOR_EMAIL)).one()
        newcomer = participants.add_participant(study, facilitator, "alex@example.org",
                                                study.groups[0].id)
        open_link = registration.create_open_link(study, facilitator)
        api_tokens.create_token(study, facilitator, "Monthly report for the funder", days=90)
        return {
            "demo_link": urlsplit(demo.demo_link().url).path,
            "new_link": urlsplit(invitations.reissue_link(study, newcomer, None).url).path,
            "slug": open_link.slug, "link_id": open_link.id, "first_item": _first_item(),
        }


def _close_round_two(app) -> None:
    from delphi.extensions import db
    from delphi.models import Round
    from delphi.services import rounds

    with app.app_context():
        rounds.close_round(db.session.scalars(db.select(Round).filter_by(number=2)).one(), None)


def _study_ids(app) -> dict:
    """The ids of the priority-setting demo studies and of a group in the workshop's second
    session."""
    from delphi.extensions import db
    from delphi.models import Study
    from delphi.services import demo_chnri, demo_priorities_data, workshop

    with app.app_context():
        def by_title(title: str) -> Study:
            return db.session.scalars(db.select(Study).filter_by(title=title)).one()

        jla = by_title(demo_priorities_data.TITLE)
        second = workshop.sessions_of(workshop.workshop_round(jla))[1]
        return {"jla": jla.id, "chnri": by_title(demo_chnri.TITLE).id,
                "group": second.groups[0].id}


def _participant_link(app, study_id: int, choose) -> str:
    """A fresh private link (its path) for the first participant ``choose`` accepts."""
    from delphi.extensions import db
    from delphi.models import Study
    from delphi.services import invitations

    with app.app_context():
        study = db.session.get(Study, study_id)
        participant = next(p for p in sorted(study.participants, key=lambda p: p.id)
                           if choose(p))
        return urlsplit(invitations.reissue_link(study, participant, None).url).path


def _new_chnri_scorer(app, study_id: int) -> str:
    """Reopen the CHNRI round and invite a new scorer; returns the path of their link."""
    from delphi.extensions import db
    from delphi.models import Study, User
    from delphi.services import chnri, demo, invitations, participants, rounds

    with app.app_context():
        study = db.session.get(Study, study_id)
        facilitator = db.session.scalars(
            db.select(User).filter_by(email=demo.FACILITATOR_EMAIL)).one()
        rounds.reopen_round(chnri.chnri_round(study), facilitator,
                            "Reopened for a late scorer.")
        scorer = participants.add_participant(study, facilitator, "kofi@example.org",
                                              study.groups[0].id)
        return urlsplit(invitations.reissue_link(study, scorer, None).url).path


def _to_answering(page, base_url: str, link_path: str, answering: str) -> None:
    """Follow a participant's link past the start, consent and guidance pages to
    ``answering``."""
    _expect(page, page.goto(base_url + link_path))
    if page.url.endswith("/take-part"):
        page.get_by_role("button", name="Start").click()
        page.wait_for_load_state()
    if page.url.endswith("/take-part/consent"):
        for box in page.locator("input[name=agreed]").all():
            box.check()
        _submit(page, "I agree – continue")
    if page.url.endswith("/take-part/guidance"):
        _submit(page, "Continue")
    _open(page, base_url + answering)


def _priority_setting(app, browser, base_url: str, output: Path) -> None:
    """The JLA-style partnership's and the CHNRI exercise's pages, then a new scorer's page
    on a phone (the CHNRI round reopened)."""
    ids = _study_ids(app)
    staff = _new_page(browser, DESKTOP)
    _sign_in(staff, base_url)
    for name, path, start, height, open_details in PRIORITY_PAGES:
        _open(staff, base_url + path.format(**ids))
        _save(staff, output, name, start=start, height=height, open_details=open_details)
    link = _new_chnri_scorer(app, ids["chnri"])
    scorer = _new_page(browser, PHONE)
    _to_answering(scorer, base_url, link, "/take-part/chnri")
    _save(scorer, output, "chnri-scoring-phone", height=PHONE_HEIGHT)


def _ranking_survey(app, browser, base_url: str, output: Path) -> None:
    """A participant who has not ranked yet, on the ranking page of the open survey."""
    from delphi.extensions import db
    from delphi.models import Ranking

    with app.app_context():
        ranked = set(db.session.scalars(db.select(Ranking.participant_id)))
    link = _participant_link(app, 1, lambda participant: participant.id not in ranked)
    page = _new_page(browser, PHONE)
    _to_answering(page, base_url, link, "/take-part/ranking")
    _save(page, output, "ranking-participant", height=PHONE_HEIGHT)


def main(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    with _served_demo(ROUND_ONE_CLOSED) as (app, base_url, browser):
        with app.app_context():
            first_item = _first_item()
        _facilitator_workflow(browser, base_url, output, first_item)

    with _served_demo(ROUND_TWO_OPEN) as (app, base_url, browser):
        made = _prepare_open_round(app)
        _first_visit(browser, base_url, output, made["new_link"])
        participant = _second_round(browser, base_url, output, made["demo_link"])
        _getting_in(browser, base_url, output, made["slug"])
        staff = _new_page(browser, DESKTOP)
        _sign_in(staff, base_url)
        _shoot(staff, base_url, output, OPEN_ROUND_PAGES, link=made["link_id"])
        staff.set_viewport_size(PHONE)
        _open(staff, base_url + PREVIEW)
        _save(staff, output, "preview-round-phone", start="#preview-items", height=PHONE_HEIGHT)
        staff.set_viewport_size(DESKTOP)
        _close_round_two(app)
        _leaving(participant, base_url, output)
        _shoot(staff, base_url, output, REVIEW_PAGES, first_item=made["first_item"])

    with _served_demo(ALL_STUDIES) as (app, base_url, browser):
        _priority_setting(app, browser, base_url, output)

    with _served_demo(RANKING_OPEN) as (app, base_url, browser):
        _ranking_survey(app, browser, base_url, output)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
