"""A workshop group's lead entering the group's ranking through their private link: the link
page, the ranking form and its errors, the confirmation, closed sessions, replaced and
expired links, and that a lead reaches only their own group."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from delphi.extensions import db as _db
from delphi.models import AuditEvent, WorkshopGroup, utcnow
from delphi.services import rounds, workshop

from ..conftest import csrf_token_from
from ..factories import make_user
from ..readability import assert_plain_english
from ..workshop_setup import QUESTIONS, build_workshop, ranking_form
from .pages import assert_strict_csp_holds

FORM = "/workshop-group"
DONE = "/workshop-group/done"


@pytest.fixture
def lead(db):
    """An open workshop over five questions, session 1 with groups Red and Blue, and a lead
    link for Red."""
    owner = make_user()
    study, _ranking, round_ = build_workshop(owner, n_items=5)
    session = workshop.add_session(round_, owner, "Morning", ["Red", "Blue"])
    red, blue = session.groups
    token = workshop.issue_lead_link(red, owner)
    return {"owner": owner, "study": study, "round": round_, "session": session,
            "red": red, "blue": blue, "token": token}


def study_words(setup) -> list[str]:
    """The study's own words, taken out before measuring the page's wording."""
    return [setup["study"].title, *QUESTIONS, "Red", "Blue", "Morning"]


def start(client, token):
    response = client.get(f"/w/{token}")
    assert response.status_code == 303 and response.headers["Location"].endswith(FORM)
    return response


def post(client, data):
    token = csrf_token_from(client.get(FORM).get_data(as_text=True))
    return client.post(FORM, data={"csrf_token": token, **data})


def places(setup, values):
    return ranking_form(setup["round"], values)


def stored(group):
    _db.session.expire_all()
    return workshop.group_positions(_db.session.get(WorkshopGroup, group.id))


# --- the link ----------------------------------------------------------------------------------


def test_the_link_keeps_only_the_group_and_a_fingerprint(client, lead):
    start(client, lead["token"])
    with client.session_transaction() as cookie:
        kept = cookie["workshop_lead"]
        assert lead["token"] not in str(dict(cookie))
    assert kept == [lead["red"].id, lead["red"].lead_token_hash[:16]]


def test_an_unknown_link_is_not_found_and_reveals_nothing(client, lead):
    response = client.get("/w/" + "x" * 43)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "This link is not recognised" in html and "newest link" in html
    assert "Red" not in html and lead["study"].title not in html
    assert_plain_english(html)
    assert client.get(FORM).status_code == 404


def test_an_expired_link_is_gone(client, lead):
    token = workshop.issue_lead_link(lead["red"], lead["owner"], now=utcnow() - timedelta(days=3))
    response = client.get(f"/w/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This link has expired" in html and "Ask the person who runs the workshop" in html
    assert "Red" not in html and lead["study"].title not in html
    assert_plain_english(html)


def test_a_link_that_expires_during_the_session_ends_it(client, lead):
    start(client, lead["token"])
    lead["red"].lead_link_expires_at = utcnow() - timedelta(minutes=1)
    _db.session.commit()
    assert client.get(FORM).status_code == 410
    with client.session_transaction() as cookie:
        assert "workshop_lead" not in cookie


def test_without_a_link_the_pages_are_not_found(client, lead):
    for url in (FORM, DONE):
        response = client.get(url)
        assert response.status_code == 404
        assert "We do not know which group you lead" in response.get_data(as_text=True)


def test_a_replaced_link_ends_the_old_session(client, another_client, lead):
    start(client, lead["token"])
    new = workshop.issue_lead_link(lead["red"], lead["owner"])
    response = client.get(FORM)
    assert response.status_code == 404
    with client.session_transaction() as cookie:
        assert "workshop_lead" not in cookie
    assert client.get(f"/w/{lead['token']}").status_code == 404
    start(another_client, new)
    assert another_client.get(FORM).status_code == 200


# --- the ranking form --------------------------------------------------------------------------


def test_the_form_shows_every_question_with_a_numeric_place_box(client, lead):
    start(client, lead["token"])
    response = client.get(FORM)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_strict_csp_holds(response)
    assert "Group Red, session 1" in html and "Put the questions in order" in html
    assert "Workshop group" in html and "Take part in a study" not in html
    assert "No names are shown next to it." in html
    for item in workshop.items_of(lead["round"]):
        box = re.search(rf'<input[^>]*name="position-{item.id}"[^>]*>', html).group(0)
        assert 'inputmode="numeric"' in box and f'id="position-{item.id}"' in box
        assert f'<label class="govuk-label govuk-label--s" for="position-{item.id}">' in html
        assert item.current.text in html
    assert html.count("Place, 1 to 5") == 5
    assert "We have your group's order" not in html
    assert_plain_english(html, study_words(lead))


def test_sending_the_order_saves_it_and_shows_it(client, lead):
    start(client, lead["token"])
    response = post(client, places(lead, (2, 1, 3, 5, 4)))
    assert response.status_code == 303 and response.headers["Location"].endswith(DONE)
    items = workshop.items_of(lead["round"])
    assert stored(lead["red"]) == {items[0].id: 2, items[1].id: 1, items[2].id: 3,
                                   items[3].id: 5, items[4].id: 4}
    assert stored(lead["blue"]) == {}
    event = _db.session.scalar(select(AuditEvent)
                               .where(AuditEvent.action == "workshop.ranking_entered"))
    assert event.details == {"group": "Red", "who": "group lead link"}
    done = client.get(DONE)
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    listed = re.findall(r"<li>\s*(.*?)\s*</li>", html)
    assert listed == ["Help with sleep", "Help with walking", "Less pain", "Help to eat well",
                      "Fewer falls"]
    assert "You can change it until the session ends." in html
    assert_plain_english(html, study_words(lead))
    again = client.get(FORM).get_data(as_text=True)
    assert "We have your group's order. You can change it until the session ends." in again
    assert re.search(rf'name="position-{items[3].id}"[^>]*value="5"', again)


def test_the_order_can_be_changed_until_the_session_closes(client, lead):
    start(client, lead["token"])
    post(client, places(lead, (1, 2, 3, 4, 5)))
    assert post(client, places(lead, (5, 4, 3, 2, 1))).status_code == 303
    items = workshop.items_of(lead["round"])
    assert stored(lead["red"])[items[0].id] == 5


def test_the_done_page_before_sending_goes_to_the_form(client, lead):
    start(client, lead["token"])
    response = client.get(DONE)
    assert response.status_code == 303 and response.headers["Location"].endswith(FORM)


BAD = [
    (("", "2", "3", "4", "5"), [(0, "Enter a place for “Help with walking”.")]),
    (("1", "two", "3", "4", "5"),
     [(1, "Enter the place of “Help with sleep” as a whole number, like 3.")]),
    (("1", "2", "3", "4", "9"), [(4, "The place of “Help to eat well” must be from 1 to 5.")]),
    (("1", "2", "2", "4", "5"),
     [(1, "Place 2 is given to two questions: “Help with sleep” and “Less pain”. Give each "
          "question its own place."),
      (2, "Place 2 is given to two questions: “Help with sleep” and “Less pain”. Give each "
          "question its own place.")]),
]


@pytest.mark.parametrize(("typed", "problems"), BAD)
def test_bad_places_are_shown_with_what_was_typed_and_nothing_is_saved(client, lead, typed,
                                                                        problems):
    start(client, lead["token"])
    post(client, places(lead, (1, 2, 3, 4, 5)))
    before = stored(lead["red"])
    response = post(client, places(lead, typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert stored(lead["red"]) == before
    items = workshop.items_of(lead["round"])
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    linked = {}
    for index, message in problems:
        name = f"position-{items[index].id}"
        linked.setdefault(message, name)
        beside = html.split(f'id="{name}-error"', 1)[1].split("</p>", 1)[0]
        assert message in beside
    for message, name in linked.items():  # a message given to two boxes is listed once
        assert f'href="#{name}">{message}</a>' in summary
    assert summary.count("<li>") == len(linked)
    for item, value in zip(items, typed, strict=True):
        assert re.search(rf'name="position-{item.id}"[^>]*value="{value}"', html)
    assert html.startswith("<!DOCTYPE html>") and "<title>Error:" in html
    assert_plain_english(html, study_words(lead))


def test_a_form_naming_another_question_is_refused(client, lead):
    start(client, lead["token"])
    data = places(lead, (1, 2, 3, 4, 5))
    data["position-999999"] = "6"
    response = post(client, data)
    assert response.status_code == 400
    assert "does not match the workshop" in response.get_data(as_text=True)
    assert stored(lead["red"]) == {}


def test_a_form_without_its_security_token_is_refused(client, lead):
    start(client, lead["token"])
    response = client.post(FORM, data=places(lead, (1, 2, 3, 4, 5)))
    assert response.status_code == 400
    assert stored(lead["red"]) == {}


# --- closed sessions, other groups and sessions ------------------------------------------------


def _enter_all_and_close(setup):
    for group in setup["session"].groups:
        workshop.enter_ranking(group, places(setup, (1, 2, 3, 4, 5)), setup["owner"])
    workshop.close_session(setup["session"], setup["owner"])


def test_a_closed_session_says_so_and_a_late_order_is_not_saved(client, lead):
    start(client, lead["token"])
    token = csrf_token_from(client.get(FORM).get_data(as_text=True))
    _enter_all_and_close(lead)
    response = client.get(FORM)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This session has ended" in html and "not saved" not in html
    assert_plain_english(html, study_words(lead))
    late = client.post(FORM, data={"csrf_token": token, **places(lead, (5, 4, 3, 2, 1))})
    late_html = late.get_data(as_text=True)
    assert late.status_code == 409 and "What you just sent was not saved." in late_html
    assert_plain_english(late_html, study_words(lead))
    items = workshop.items_of(lead["round"])
    assert stored(lead["red"])[items[0].id] == 1
    assert client.get(DONE).status_code == 200
    assert "This session has ended" in client.get(DONE).get_data(as_text=True)


def test_a_closed_workshop_takes_no_order(client, lead):
    start(client, lead["token"])
    token = csrf_token_from(client.get(FORM).get_data(as_text=True))
    rounds.close_round(lead["round"], lead["owner"])
    response = client.post(FORM, data={"csrf_token": token, **places(lead, (1, 2, 3, 4, 5))})
    assert response.status_code == 409 and stored(lead["red"]) == {}


def test_a_lead_reaches_only_their_own_group(client, lead):
    start(client, lead["token"])
    response = client.get(f"{FORM}?group={lead['blue'].id}")
    assert "Group Red, session 1" in response.get_data(as_text=True)
    post(client, {**places(lead, (1, 2, 3, 4, 5)), "group": str(lead["blue"].id)})
    assert stored(lead["blue"]) == {} and len(stored(lead["red"])) == 5
    with client.session_transaction() as cookie:
        cookie["workshop_lead"] = [lead["blue"].id, lead["red"].lead_token_hash[:16]]
    assert client.get(FORM).status_code == 404


def test_a_lead_of_an_earlier_session_cannot_reach_the_next(client, lead):
    start(client, lead["token"])
    _enter_all_and_close(lead)
    later = workshop.add_session(lead["round"], lead["owner"], "", ["Red", "Blue"])
    html = client.get(FORM).get_data(as_text=True)
    assert "Group Red, session 1" in html and "This session has ended" in html
    assert 'name="csrf_token"' not in html
    with client.session_transaction() as cookie:
        cookie["workshop_lead"] = [later.groups[0].id, lead["red"].lead_token_hash[:16]]
    assert client.get(FORM).status_code == 404
    assert stored(later.groups[0]) == {}
