"""The final workshop's pages: setting it up from the shortlist, sessions and groups, typing a
group's ranking, the lead's private link, closing a session, the session's combined order, the
screen page, the final top 10 with the room's order of tied questions, and the workshop
exports. Who may do what, and every bad input (message, 400, what was typed kept, nothing
saved)."""

from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import (
    Round,
    RoundKind,
    SessionState,
    WorkshopDecision,
    WorkshopGroup,
    WorkshopRank,
    WorkshopSession,
)
from delphi.services import ranking_results, workshop
from delphi.services.invitations import hash_token

from ..conftest import csrf_token_from
from ..services.test_ranking_results import EXAMPLE, make_ranking_round
from ..workshop_setup import GROUPS, PLACES, QUESTIONS, build_workshop, ranking_form, run_session
from .team_setup import join_team, sign_in_as, team_users

COMPOSITIONS = ("2 patients, 2 carers, 3 clinicians", "3 patients, 1 carer, 3 nurses", "", "")


@pytest.fixture
def users(db):
    return team_users()


@pytest.fixture
def study(users):
    """A priority-setting study whose round 2 is an open workshop of 12 questions."""
    found, _ranking, _workshop = build_workshop(owner=users["owner"])
    return join_team(found, users)


def _round(study) -> Round:
    return workshop.workshop_round(study)


def open_session(study, owner, entered=3):
    """Session 1 ("Morning") with the four groups; the first ``entered`` have ranked."""
    round_ = _round(study)
    session = workshop.add_session(round_, owner, "Morning", GROUPS, COMPOSITIONS)
    for group, places in zip(session.groups[:entered], PLACES, strict=False):
        workshop.enter_ranking(group, ranking_form(round_, places), owner)
    return session


@pytest.fixture
def running(study, users):
    """``study`` with session 1 open: Red, Blue and Green have entered, Gold has not."""
    return open_session(study, users["owner"])


@pytest.fixture
def closed(study, users):
    """``study`` with session 1 closed (all four groups entered)."""
    return run_session(_round(study), users["owner"])


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _base(study) -> str:
    return f"/studies/{study.id}/workshop"


def _token(client, study) -> str:
    return csrf_token_from(client.get(f"/studies/{study.id}/rounds").get_data(as_text=True))


def _redirected_to(response, path):
    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == path


def _gold(session) -> WorkshopGroup:
    return session.groups[3]


# --- who may do what ------------------------------------------------------------------------

READ_ROUTES = ["", "/sessions/1", "/screen", "/screen?refresh=off", "/final"]
CHANGE_PAGES = ["/sessions/new", "/sessions/1/groups/{g}/ranking", "/sessions/1/groups/{g}/link",
                "/sessions/1/close"]
POSTS = ["/sessions/new", "/sessions/1/groups/{g}/ranking", "/sessions/1/groups/{g}/link",
         "/sessions/1/close", "/final", "/rounds/1/workshop"]


def _url(study, session, route):
    route = route.format(g=_gold(session).id)
    if route.startswith("/rounds"):
        return f"/studies/{study.id}{route}"
    return _base(study) + route


@pytest.mark.parametrize("route", READ_ROUTES)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_every_team_member_reads_the_workshop(client, auth, running, study, route, role,
                                              status):
    sign_in_as(auth, role)
    assert client.get(_url(study, running, route)).status_code == status


@pytest.mark.parametrize("route", CHANGE_PAGES)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 403), ("outsider", 403)])
def test_only_owners_and_facilitators_see_the_forms(client, auth, running, study, route, role,
                                                    status):
    sign_in_as(auth, role)
    assert client.get(_url(study, running, route)).status_code == status


@pytest.mark.parametrize("route", READ_ROUTES + CHANGE_PAGES)
def test_signed_out_visitors_go_to_sign_in(client, running, study, route):
    _redirected_to(client.get(_url(study, running, route)), "/login")


@pytest.mark.parametrize("route", POSTS)
@pytest.mark.parametrize("role", ["steering", "outsider", None])
def test_steering_outsiders_and_signed_out_visitors_change_nothing(client, auth, running,
                                                                   study, route, role):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    if role:
        sign_in_as(auth, role)
        token = _token(client, study) if role == "steering" else token
    before = (_count(WorkshopSession), _count(WorkshopRank), _count(WorkshopDecision),
              _gold(running).lead_token_hash, running.state, _count(Round))
    data = {"csrf_token": token, "name": "Afternoon", "group_1": "East", "group_2": "West",
            "reason": "The room voted", **ranking_form(_round(study), PLACES[3])}
    response = client.post(_url(study, running, route), data=data)
    if role is None:
        _redirected_to(response, "/login")
    else:
        assert response.status_code == 403
    _db.session.expire_all()
    assert before == (_count(WorkshopSession), _count(WorkshopRank), _count(WorkshopDecision),
                      _gold(running).lead_token_hash, running.state, _count(Round))


def test_the_study_menu_links_the_workshop_for_priority_setting_only(client, auth, study,
                                                                     users):
    sign_in_as(auth, "owner")
    assert "Final workshop" in _text(client.get(f"/studies/{study.id}/rounds"))
    other = make_ranking_round(owner=users["owner"], choices=EXAMPLE, title="A Delphi study")
    assert "Final workshop" not in _text(client.get(f"/studies/{other.id}/rounds"))


def test_a_study_without_a_workshop_says_how_to_set_one_up(client, auth, users):
    other = join_team(make_ranking_round(owner=users["owner"], choices=EXAMPLE), users)
    sign_in_as(auth, "steering")
    response = client.get(_base(other))
    assert response.status_code == 200
    assert "no final workshop yet" in _text(response)
    assert client.get(_base(other) + "/sessions/1").status_code == 404
    assert client.get(_base(other) + "/final").status_code == 404


# --- setting up the workshop from the shortlist -------------------------------------------


@pytest.fixture
def shortlisted(users):
    """A study whose closed ranking round 1 has its shortlist of 6 items decided."""
    found = join_team(make_ranking_round(owner=users["owner"], choices=EXAMPLE), users)
    ranking_results.decide_shortlist(found.rounds[0], users["owner"], 6)
    return found


def _results(study) -> str:
    return f"/studies/{study.id}/rounds/1/ranking-results"


def test_the_results_page_offers_to_set_up_the_workshop_then_links_it(client, auth,
                                                                      shortlisted):
    sign_in_as(auth, "facilitator")
    page = _text(client.get(_results(shortlisted)))
    assert "Set up the final workshop with these 6 questions" in page
    response = client.post(f"/studies/{shortlisted.id}/rounds/1/workshop",
                           data={"csrf_token": csrf_token_from(page)})
    _redirected_to(response, _base(shortlisted))
    page = _text(client.get(_base(shortlisted)))
    assert "The final workshop is set up as round 2, with 6 questions" in page
    assert "Open the workshop" in page
    assert f"/studies/{shortlisted.id}/rounds/2/open" in page
    round_ = _round(shortlisted)
    assert round_.kind == RoundKind.WORKSHOP and len(workshop.items_of(round_)) == 6
    page = _text(client.get(_results(shortlisted)))
    assert "Set up the final workshop" not in page
    assert f'href="{_base(shortlisted)}"' in page


def test_steering_members_see_no_set_up_button(client, auth, shortlisted):
    sign_in_as(auth, "steering")
    assert "Set up the final workshop" not in _text(client.get(_results(shortlisted)))


def test_a_second_workshop_is_refused_with_its_reason(client, auth, study):
    sign_in_as(auth, "owner")
    rounds_before = _count(Round)
    response = client.post(f"/studies/{study.id}/rounds/1/workshop",
                           data={"csrf_token": _token(client, study)}, follow_redirects=True)
    assert "This study has a workshop already: round 2" in _text(response)
    assert _count(Round) == rounds_before


def test_no_workshop_without_a_shortlist(client, auth, users):
    undecided = join_team(make_ranking_round(owner=users["owner"], choices=EXAMPLE), users)
    sign_in_as(auth, "owner")
    assert "Set up the final workshop" not in _text(client.get(_results(undecided)))
    response = client.post(f"/studies/{undecided.id}/rounds/1/workshop",
                           data={"csrf_token": _token(client, undecided)},
                           follow_redirects=True)
    assert "has no shortlist yet" in _text(response)
    assert workshop.workshop_round(undecided) is None


# --- the workshop's page ------------------------------------------------------------------


def test_the_workshop_page_shows_the_shortlist_sessions_and_progress(client, auth, running,
                                                                     study):
    sign_in_as(auth, "owner")
    page = _text(client.get(_base(study)))
    assert "The 12 questions every group ranks" in page
    assert all(question in page for question in QUESTIONS)
    assert "Session 1: Morning" in page
    assert "3 of 4 groups have entered their ranking." in page
    assert "2 patients, 2 carers, 3 clinicians" in page
    assert page.count("by A owner") == 3
    assert "Not entered yet" in page
    assert "Create a link for the lead" in page
    assert f"{_base(study)}/sessions/1/groups/{_gold(running).id}/ranking" in page
    assert f"{_base(study)}/sessions/1/close" in page
    assert f"{_base(study)}/screen" in page and f"{_base(study)}/final" in page


def test_steering_members_read_the_workshop_without_its_actions(client, auth, running, study):
    sign_in_as(auth, "steering")
    page = _text(client.get(_base(study)))
    assert "3 of 4 groups have entered their ranking." in page
    assert "Add a session" not in page
    assert "Create a link for the lead" not in page and "/close" not in page


def test_a_draft_workshop_offers_to_open_it(client, auth, users):
    draft, _ranking, _round_ = build_workshop(owner=users["owner"], open_it=False)
    join_team(draft, users)
    sign_in_as(auth, "facilitator")
    page = _text(client.get(_base(draft)))
    assert "Open the workshop" in page and "No sessions yet." in page
    opening = client.get(f"/studies/{draft.id}/rounds/2/open")
    assert opening.status_code == 200
    response = client.post(f"/studies/{draft.id}/rounds/2/open", data={
        "csrf_token": csrf_token_from(opening.get_data(as_text=True)), "closes_time": "17:00"})
    assert response.status_code == 302
    assert _round(draft).is_open
    assert "Open the workshop" not in _text(client.get(_base(draft)))


# --- a new session --------------------------------------------------------------------------


def test_the_new_session_form_starts_with_four_groups(client, auth, study):
    sign_in_as(auth, "owner")
    page = _text(client.get(_base(study) + "/sessions/new"))
    assert 'value="Session 1"' in page
    for name in ("Group A", "Group B", "Group C", "Group D"):
        assert f'value="{name}"' in page


def test_adding_a_session_keeps_its_groups_and_who_sat_in_them(client, auth, study):
    sign_in_as(auth, "facilitator")
    token = _token(client, study)
    response = client.post(_base(study) + "/sessions/new", data={
        "csrf_token": token, "name": "Morning", "group_1": "Red", "composition_1":
        "2 patients, 2 carers, 3 clinicians", "group_2": "Blue", "group_3": "Green",
    })
    _redirected_to(response, _base(study))
    assert "Session 1 is added with 3 groups." in _text(client.get(_base(study)))
    session = workshop.get_session(_round(study), 1)
    assert session.name == "Morning"
    assert [(g.name, g.composition) for g in session.groups] == [
        ("Red", "2 patients, 2 carers, 3 clinicians"), ("Blue", ""), ("Green", "")]


BAD_SESSIONS = [
    ({"name": ""}, "Enter a name for the session"),
    ({"name": "x" * 201}, "Keep the session name to 200 characters or fewer"),
    ({"group_2": "red"}, "Group 2 has the same name as group 1"),
    ({"group_2": "", "group_3": "", "group_4": ""}, "Enter the names of at least two groups"),
    ({"group_4": "", "composition_4": "3 carers"}, "Enter a name for group 4, or clear who sat"),
    ({"group_3": "g" * 101}, "Keep the name of group 3 to 100 characters or fewer"),
    ({"composition_2": "c" * 301}, "Keep who sat in group 2 to 300 characters or fewer"),
]


@pytest.mark.parametrize(("change", "message"), BAD_SESSIONS)
def test_a_bad_session_is_refused_and_keeps_what_was_typed(client, auth, study, change,
                                                           message):
    sign_in_as(auth, "owner")
    data = {"csrf_token": _token(client, study), "name": "Typed name", "group_1": "Red",
            "group_2": "Blue", "group_3": "Green", "group_4": "Gold",
            "composition_1": "Four patients", **change}
    response = client.post(_base(study) + "/sessions/new", data=data)
    assert response.status_code == 400
    page = _text(response)
    assert message in page and "There is a problem" in page
    for key, value in data.items():
        if key != "csrf_token" and value and len(value) < 100:
            assert f'value="{value}"' in page
    assert _count(WorkshopSession) == 0


def test_a_session_waits_for_the_one_before_to_close(client, auth, running, study):
    sign_in_as(auth, "owner")
    response = client.post(_base(study) + "/sessions/new", data={
        "csrf_token": _token(client, study), "name": "Afternoon", "group_1": "East",
        "group_2": "West"})
    assert response.status_code == 409
    page = _text(response)
    assert "Session 1 is still open" in page and 'value="Afternoon"' in page
    assert _count(WorkshopSession) == 1


# --- entering a group's ranking -------------------------------------------------------------


def _ranking_url(study, group):
    return f"{_base(study)}/sessions/1/groups/{group.id}/ranking"


def test_a_group_ranking_typed_from_its_cards_is_saved(client, auth, running, study):
    sign_in_as(auth, "facilitator")
    gold = _gold(running)
    page = _text(client.get(_ranking_url(study, gold)))
    assert "Ranking of Gold" in page and "Place, 1 to 12" in page
    response = client.post(_ranking_url(study, gold), data={
        "csrf_token": csrf_token_from(page), **ranking_form(_round(study), PLACES[3])})
    _redirected_to(response, _base(study))
    _db.session.expire_all()
    items = workshop.items_of(_round(study))
    assert workshop.group_positions(gold) == {item.id: place
                                              for item, place in zip(items, PLACES[3],
                                                                     strict=True)}
    assert "4 of 4 groups have entered their ranking." in _text(client.get(_base(study)))


def test_an_entered_ranking_is_shown_to_change(client, auth, running, study):
    sign_in_as(auth, "owner")
    red = running.groups[0]
    page = _text(client.get(_ranking_url(study, red)))
    first = workshop.items_of(_round(study))[4]
    assert re.search(rf'name="position-{first.id}"[^>]*value="5"', page)
    assert "Saving replaces the ranking entered" in page


BAD_RANKINGS = [
    ({0: "2"}, "Place 2 is given to two questions"),
    ({0: ""}, "Enter a place for “Help with walking”."),
    ({0: "first"}, "Enter the place of “Help with walking” as a whole number, like 3."),
    ({0: "13"}, "The place of “Help with walking” must be from 1 to 12."),
]


@pytest.mark.parametrize(("change", "message"), BAD_RANKINGS)
def test_a_bad_ranking_is_refused_and_keeps_what_was_typed(client, auth, running, study,
                                                           change, message):
    sign_in_as(auth, "owner")
    gold = _gold(running)
    items = workshop.items_of(_round(study))
    data = ranking_form(_round(study), PLACES[3])
    for index, value in change.items():
        data[f"position-{items[index].id}"] = value
    response = client.post(_ranking_url(study, gold),
                           data={"csrf_token": _token(client, study), **data})
    assert response.status_code == 400
    page = _text(response)
    assert message in page and "Nothing was saved" in page
    for name, value in data.items():
        if value:
            assert re.search(rf'name="{name}"[^>]*value="{value}"', page), name
    _db.session.expire_all()
    assert workshop.group_positions(gold) == {} and gold.submitted_at is None


def test_a_closed_session_takes_no_ranking(client, auth, closed, study):
    sign_in_as(auth, "owner")
    red = closed.groups[0]
    before = workshop.group_positions(red)
    response = client.post(_ranking_url(study, red), data={
        "csrf_token": _token(client, study), **ranking_form(_round(study), PLACES[3])})
    assert response.status_code == 409
    assert "Session 1 has closed" in _text(response)
    _db.session.expire_all()
    assert workshop.group_positions(red) == before


def test_a_ranking_form_of_other_questions_is_refused(client, auth, running, study):
    sign_in_as(auth, "owner")
    gold = _gold(running)
    data = {**ranking_form(_round(study), PLACES[3]), "position-999999": "1"}
    response = client.post(_ranking_url(study, gold),
                           data={"csrf_token": _token(client, study), **data})
    assert response.status_code == 400
    assert "This form does not match the workshop's questions" in _text(response)
    _db.session.expire_all()
    assert workshop.group_positions(gold) == {}


# --- the lead's private link ------------------------------------------------------------------


def _link_url(study, group):
    return f"{_base(study)}/sessions/1/groups/{group.id}/link"


def _shown_link(page) -> str:
    return re.search(r'id="lead-link-url">([^<]+)<', page).group(1)


def test_a_lead_link_is_shown_once_and_only_its_hash_kept(client, auth, running, study):
    sign_in_as(auth, "owner")
    gold = _gold(running)
    response = client.post(_link_url(study, gold), data={"csrf_token": _token(client, study)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = _text(response)
    assert "shown once only" in page and "replaces any earlier link" in page
    url = _shown_link(page)
    assert url.startswith("http://localhost/w/")
    token = url.rsplit("/", 1)[1]
    _db.session.expire_all()
    assert gold.lead_token_hash == hash_token(token)
    assert token not in _text(client.get(_base(study)))


def test_replacing_a_lead_link_asks_first(client, auth, running, study):
    sign_in_as(auth, "facilitator")
    gold = _gold(running)
    token = _token(client, study)
    client.post(_link_url(study, gold), data={"csrf_token": token})
    _db.session.expire_all()
    first_hash = gold.lead_token_hash
    assert "Replace the lead's link" in _text(client.get(_base(study)))
    unconfirmed = client.post(_link_url(study, gold), data={"csrf_token": token})
    assert unconfirmed.status_code == 409
    assert "the earlier link stops working at once" in _text(unconfirmed)
    _db.session.expire_all()
    assert gold.lead_token_hash == first_hash
    page = _text(client.get(_link_url(study, gold)))
    assert "Replace the link for the lead of Gold?" in page
    assert "the earlier link stops working at once" in page
    response = client.post(_link_url(study, gold),
                           data={"csrf_token": csrf_token_from(page), "replace": "yes"})
    assert response.status_code == 200
    _db.session.expire_all()
    assert gold.lead_token_hash not in (None, first_hash)
    assert gold.lead_token_hash == hash_token(_shown_link(_text(response)).rsplit("/", 1)[1])


def test_a_closed_session_needs_no_link(client, auth, closed, study):
    sign_in_as(auth, "owner")
    red = closed.groups[0]
    response = client.post(_link_url(study, red), data={"csrf_token": _token(client, study)},
                           follow_redirects=True)
    assert "A link is not needed" in _text(response)
    _db.session.expire_all()
    assert red.lead_token_hash is None


# --- closing a session ------------------------------------------------------------------------


def _close_url(study):
    return f"{_base(study)}/sessions/1/close"


def test_a_session_closes_only_once_every_group_has_entered(client, auth, running, study):
    sign_in_as(auth, "owner")
    page = _text(client.get(_close_url(study)))
    assert "3 of 4 groups have entered their ranking." in page
    assert "Still to enter: Gold." in page and "Close session 1</button>" not in page
    response = client.post(_close_url(study), data={"csrf_token": _token(client, study)})
    assert response.status_code == 409
    assert "Still to enter their ranking: Gold." in _text(response)
    _db.session.expire_all()
    assert running.state == SessionState.OPEN


def test_closing_a_session_shows_its_combined_order(client, auth, running, study, users):
    workshop.enter_ranking(_gold(running), ranking_form(_round(study), PLACES[3]),
                           users["owner"])
    sign_in_as(auth, "facilitator")
    page = _text(client.get(_close_url(study)))
    assert "Close session 1?" in page and "4 of 4 groups" in page
    response = client.post(_close_url(study), data={"csrf_token": csrf_token_from(page)})
    _redirected_to(response, f"{_base(study)}/sessions/1")
    _db.session.expire_all()
    assert running.state == SessionState.CLOSED
    assert "Session 1 is closed." in _text(client.get(f"{_base(study)}/sessions/1"))


# --- a session's combined order ---------------------------------------------------------------


def _rows(page) -> list[list[str]]:
    """The cells of each body row of the page's first table, tags stripped."""
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_session_page_sums_the_groups_places(client, auth, closed, study):
    # PLACES by hand: Red and Blue keep the list order, Green swaps items 9 and 10, Gold
    # swaps them and items 0 and 4. Totals: 8, 8, 12, 16, 16, 24, 28, 32, 36, 42, 42, 48.
    sign_in_as(auth, "steering")
    page = _text(client.get(f"{_base(study)}/sessions/1"))
    rows = _rows(page)
    assert [row[:3] for row in rows[:3]] == [["1", "Help with walking", "8"],
                                             ["1", "Help with sleep", "8"],
                                             ["3", "Less pain", "12"]]
    assert rows[0][3:8] == ["1", "1", "1", "5", "4"]
    assert "Contested" in rows[0][8] and "Groups' places differ by 4." in rows[0][8]
    assert rows[4][:3] == ["4", "Help to eat well", "16"] and "Contested" in rows[4][8]
    assert rows[2][8] == ""
    assert [row[:3] for row in rows[9:11]] == [["10", "Help to see well", "42"],
                                               ["10", "Time with family", "42"]]
    assert all("Tied at 10th" in row[8] for row in rows[9:11])
    assert ("Tied at the top-10 boundary, for the room to resolve: 2 questions have the same "
            "total (42): “Help to see well”, “Time with family”.") in page
    assert "The combined order</h2>" in page


def test_an_open_session_shows_its_totals_so_far(client, auth, running, study):
    sign_in_as(auth, "owner")
    page = _text(client.get(f"{_base(study)}/sessions/1"))
    assert "these are the totals so far" in page and "The combined order so far" in page
    assert "Gold: place" not in page and "Green: place" in page


def test_earlier_sessions_stay_readable(client, auth, closed, study, users):
    run_session(_round(study), users["owner"], PLACES[:2], ("East", "West"))
    sign_in_as(auth, "owner")
    first = _text(client.get(f"{_base(study)}/sessions/1"))
    assert "Red: place" in first and "East: place" not in first
    assert f"{_base(study)}/sessions/2" in first
    assert "East: place" in _text(client.get(f"{_base(study)}/sessions/2"))


# --- the screen page --------------------------------------------------------------------------


def test_the_screen_page_refreshes_until_told_to_stop(client, auth, running, study):
    sign_in_as(auth, "owner")
    page = _text(client.get(f"{_base(study)}/screen"))
    assert '<meta http-equiv="refresh" content="15">' in page
    assert "css/workshop-screen.css" in page
    assert 'aria-label="Study sections"' not in page
    assert "3 of 4 groups have entered their ranking" in page
    assert "Totals so far, not the final order" in page
    assert f'href="{_base(study)}/screen?refresh=off">Stop refreshing' in page
    stopped = _text(client.get(f"{_base(study)}/screen?refresh=off"))
    assert 'http-equiv="refresh"' not in stopped
    assert f'href="{_base(study)}/screen">Start refreshing' in stopped


def test_the_screen_page_shows_the_closed_sessions_order_with_marks_in_words(client, auth,
                                                                             closed, study):
    sign_in_as(auth, "steering")
    page = _text(client.get(f"{_base(study)}/screen"))
    assert "4 of 4 groups have entered their ranking" in page
    assert "The combined order</h2>" in page and "so far" not in page
    assert "Contested" in page and "Groups' places differ by 4." in page
    assert ("for the room to resolve: 2 questions have the same total (42): “Help to see well”, "
            "“Time with family”") in page


def test_the_screen_page_before_any_session(client, auth, study):
    sign_in_as(auth, "owner")
    assert "No session has started yet." in _text(client.get(f"{_base(study)}/screen"))


# --- the final top 10 -------------------------------------------------------------------------


def _final(study) -> str:
    return f"{_base(study)}/final"


def _top_ten(page) -> list[str]:
    """The final top 10 as listed, tags stripped."""
    top = re.search(r'id="top-ten">(.*?)</ol>', page, re.S).group(1)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li[^>]*>(.*?)</li>", top, re.S)]


def test_the_final_result_waits_for_a_closed_session(client, auth, running, study):
    sign_in_as(auth, "owner")
    page = _text(client.get(_final(study)))
    assert "appears once a session of the workshop has closed" in page
    assert "The question with the lowest total comes first." in page


def test_the_final_page_gives_the_top_ten_the_full_order_and_the_method(client, auth, closed,
                                                                        study):
    sign_in_as(auth, "steering")
    page = _text(client.get(_final(study)))
    top = _top_ten(page)
    assert top[:9] == list(QUESTIONS[:9])
    assert top[9] == ("Help to see well (tied with a question below 10th place: for the room "
                      "to resolve)")
    assert len(_rows(page)) == 12
    assert "For each question we added up its places across the groups." in page
    assert "for the room to resolve" in page
    assert "Record the room's order" not in page  # steering members read only


def _order_data(client, study, first, second, reason="The room voted 14 to 9."):
    items = workshop.items_of(_round(study))
    return {"csrf_token": _token(client, study), f"place_{items[9].id}": first,
            f"place_{items[10].id}": second, "reason": reason}


def test_the_room_orders_the_tied_questions_with_a_reason(client, auth, closed, study, users):
    sign_in_as(auth, "facilitator")
    page = _text(client.get(_final(study)))
    assert "Place for “Help to see well”" in page and "Place for “Time with family”" in page
    response = client.post(_final(study), data=_order_data(client, study, "11", "10"))
    _redirected_to(response, _final(study))
    page = _text(client.get(_final(study)))
    assert "The room's order is recorded." in page
    assert _top_ten(page)[8:] == ["Help with speech", "Time with family"]
    assert "The room voted 14 to 9." in page and "A facilitator" in page
    assert "(in force)" in page
    items = workshop.items_of(_round(study))
    decision = _db.session.scalar(select(WorkshopDecision))
    assert decision.item_order[9:11] == [items[10].id, items[9].id]
    assert decision.decided_by_id == users["facilitator"].id


BAD_ORDERS = [
    (("11", "10", ""), "Enter why the room chose this order"),
    (("10", "10", "Voted"), "Place 10 is given to two questions"),
    (("", "10", "Voted"), "Choose a place for “Help to see well”"),
    (("12", "10", "Voted"), "Not a valid choice"),
]


@pytest.mark.parametrize(("typed", "message"), BAD_ORDERS)
def test_a_bad_order_is_refused_and_keeps_what_was_chosen(client, auth, closed, study, typed,
                                                          message):
    sign_in_as(auth, "owner")
    data = _order_data(client, study, *typed)
    response = client.post(_final(study), data=data)
    assert response.status_code == 400
    page = _text(response)
    assert message in page and "There is a problem" in page
    if typed[2]:
        assert f">{typed[2]}</textarea>" in page
    second = workshop.items_of(_round(study))[10].id
    assert re.search(rf'name="place_{second}".*?<option value="10" selected', page, re.S)
    assert _count(WorkshopDecision) == 0


def test_no_order_to_decide_without_a_tie(client, auth, users):
    untied, _ranking, round_ = build_workshop(owner=users["owner"], n_items=4)
    join_team(untied, users)
    run_session(round_, users["owner"], ((1, 2, 3, 4), (2, 1, 3, 4)), ("Red", "Blue"))
    sign_in_as(auth, "owner")
    assert "Record the room's order" not in _text(client.get(_final(untied)))
    response = client.post(_final(untied), data={"csrf_token": _token(client, untied),
                                                 "reason": "Voted"})
    assert response.status_code == 409
    assert "No items are tied at the top-10 boundary" in _text(response)
    assert _count(WorkshopDecision) == 0


# --- the exports ------------------------------------------------------------------------------


@pytest.fixture
def small(users):
    """Four questions; session 1 (closed): Red 1 2 3 4, Blue 3 1 2 4; session 2 open, East
    entered 4 3 2 1 and West not yet."""
    found, _ranking, round_ = build_workshop(owner=users["owner"], n_items=4)
    join_team(found, users)
    session = workshop.add_session(round_, users["owner"], "Morning", ("Red", "Blue"),
                                   ("2 patients, 1 nurse", ""))
    for group, places in zip(session.groups, ((1, 2, 3, 4), (3, 1, 2, 4)), strict=True):
        workshop.enter_ranking(group, ranking_form(round_, places), users["owner"])
    workshop.close_session(session, users["owner"])
    later = workshop.add_session(round_, users["owner"], "Afternoon", ("East", "West"))
    workshop.enter_ranking(later.groups[0], ranking_form(round_, (4, 3, 2, 1)), users["owner"])
    return found


def _csv_rows(client, study, name):
    response = client.get(f"/studies/{study.id}/exports/{name}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_workshop_export_has_each_groups_place_for_each_question(client, auth, small):
    sign_in_as(auth, "steering")
    rows = _csv_rows(client, small, "workshop")
    assert rows[0] == ["session", "group", "composition", "item number", "item id", "wording",
                       "place"]
    ids = [str(item.id) for item in workshop.items_of(_round(small))]
    words = list(QUESTIONS[:4])
    expected = (
        [["1", "Red", "2 patients, 1 nurse", str(n + 1), ids[n], words[n], str(p)]
         for n, p in enumerate((1, 2, 3, 4))]
        + [["1", "Blue", "", str(n + 1), ids[n], words[n], str(p)]
           for n, p in enumerate((3, 1, 2, 4))]
        + [["2", "East", "", str(n + 1), ids[n], words[n], str(p)]
           for n, p in enumerate((4, 3, 2, 1))]
    )
    assert rows[1:] == expected


def test_the_workshop_results_export_has_each_closed_sessions_order(client, auth, small):
    # Totals by hand: Red 1 2 3 4 + Blue 3 1 2 4 = 4, 3, 5, 8; order 2, 1, 3, 4; spans 2, 1,
    # 1, 0; contested when 3 x span >= 4 questions: the first question only.
    sign_in_as(auth, "owner")
    rows = _csv_rows(client, small, "workshop-results")
    assert rows[0] == ["session", "position", "item number", "item id", "wording", "total",
                       "mean rank", "span", "contested", "tied at boundary", "final position"]
    ids = [str(item.id) for item in workshop.items_of(_round(small))]
    assert rows[1:] == [
        ["1", "1", "2", ids[1], "Help with sleep", "3", "1.5", "1", "0", "0", "1"],
        ["1", "2", "1", ids[0], "Help with walking", "4", "2.0", "2", "1", "0", "2"],
        ["1", "3", "3", ids[2], "Less pain", "5", "2.5", "1", "0", "0", "3"],
        ["1", "4", "4", ids[3], "Fewer falls", "8", "4.0", "0", "0", "0", "4"],
    ]


def test_the_workshop_exports_come_as_xlsx_and_are_listed_once_there_is_a_workshop(
        client, auth, small, users):
    sign_in_as(auth, "owner")
    response = client.get(f"/studies/{small.id}/exports/workshop-results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [cell.value for cell in sheet[1]][:6] == ["session", "position", "item number",
                                                     "item id", "wording", "total"]
    assert sheet["G2"].value == 1.5 and sheet["E3"].value == "Help with walking"
    page = _text(client.get(f"/studies/{small.id}/exports"))
    assert "Final workshop: groups' rankings" in page
    assert "Final workshop: combined orders" in page
    other = join_team(make_ranking_round(owner=users["owner"], choices=EXAMPLE), users)
    assert "Final workshop" not in _text(client.get(f"/studies/{other.id}/exports"))

