"""The ranking results page: who may see it and decide the shortlist, what it shows, the
method choice, ties at the cut, the decision's reason rules and the charts."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import RoundKind, RoundState, Shortlist

from ..conftest import csrf_token_from
from ..services.test_ranking_results import EXAMPLE, make_ranking_round
from .team_setup import join_team, sign_in_as, team_users

PNG = b"\x89PNG\r\n\x1a\n"


def _team(**round_options):
    users = team_users()
    return join_team(make_ranking_round(owner=users["owner"], **round_options), users)


@pytest.fixture
def study(db):
    return _team(choices=EXAMPLE)


def _url(study, suffix=""):
    return f"/studies/{study.id}/rounds/1/ranking-results{suffix}"


def _shortlists():
    return _db.session.scalar(select(func.count()).select_from(Shortlist))


ROUTES = ["", "/ranked-priorities.png", "/group-orders.png?method=weighted"]


@pytest.mark.parametrize("suffix", ROUTES)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_who_may_see_the_results(client, auth, study, suffix, role, status):
    sign_in_as(auth, role)
    response = client.get(_url(study, suffix))
    assert response.status_code == status
    if status == 200 and suffix:
        assert response.mimetype == "image/png" and response.get_data().startswith(PNG)
        assert response.headers["Cache-Control"] == "private, max-age=3600"


@pytest.mark.parametrize("suffix", ROUTES)
def test_signed_out_goes_to_login(client, study, suffix):
    response = client.get(_url(study, suffix))
    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == "/login"


def test_signed_out_cannot_decide(client, study):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(_url(study), data={"csrf_token": token, "size": "6",
                                              "method": "jla"})
    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == "/login"
    assert _shortlists() == 0


def test_outsider_cannot_decide(client, auth, study):
    sign_in_as(auth, "owner")
    token = csrf_token_from(client.get(_url(study)).get_data(as_text=True))
    auth.logout()
    sign_in_as(auth, "outsider")
    response = client.post(_url(study), data={"csrf_token": token, "size": "6",
                                              "method": "jla"})
    assert response.status_code == 403
    assert _shortlists() == 0


def test_the_page_shows_the_combined_list_and_agreement(client, auth, study):
    sign_in_as(auth, "steering")
    html = client.get(_url(study)).get_data(as_text=True)
    assert "Ranking results: round 1" in html
    assert "5 people ranked items in this round" in html
    assert "Doctors 1, Nurses 1, Patients and carers 3" in html
    assert "Kendall's W = " in html and "from 0 (everyone put the items" in html
    assert "The app proposes a shortlist of 6 items" in html
    assert "Patients and carers: position (points)" in html
    # JLA order: statement 4 (first for nurses, second for doctors) leads.
    first_row = html.split("<tbody")[2]
    assert first_row.index("4. Statement 4") < first_row.index("1. Statement 1")
    assert (f'src="/studies/{study.id}/rounds/1/ranking-results/ranked-priorities.png'
            '?method=jla"') in html
    assert "group-orders.png?method=jla" in html
    assert "No decision yet." in html


def test_the_union_method_with_k(client, auth, study):
    sign_in_as(auth, "owner")
    response = client.get(_url(study, "?method=union&k=1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "In a group's top 1" in html
    assert "each group's top 1" in html
    assert "union.png" not in html and "method=union&amp;k=1" in html


@pytest.mark.parametrize("query", ["?method=points", "?method=union&k=0", "?method=jla&k=x"])
def test_a_bad_method_choice_is_explained(client, auth, study, query):
    sign_in_as(auth, "owner")
    response = client.get(_url(study, query))
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)


@pytest.mark.parametrize(("state", "kind", "words"), [
    (RoundState.OPEN, RoundKind.RANKING, "Its ranking results are shown once it has closed"),
    (RoundState.CLOSED, RoundKind.RATING, "is not a ranking round"),
])
def test_only_finished_ranking_rounds(client, auth, db, state, kind, words):
    study = _team(choices=EXAMPLE, state=state, kind=kind)
    sign_in_as(auth, "owner")
    for suffix in ("", "/ranked-priorities.png"):
        response = client.get(_url(study, suffix))
        assert response.status_code == 409
        assert words in response.get_data(as_text=True)
    response = _post(client, study, method="jla", size="3", reason="Why")
    assert response.status_code == 409
    assert _shortlists() == 0


def test_nobody_ranked_says_so(client, auth, db):
    study = _team(choices=[(None, [0, 1])])
    sign_in_as(auth, "owner")
    response = client.get(_url(study))
    assert response.status_code == 200
    assert "Nobody has ranked the items of round 1" in response.get_data(as_text=True)


def test_the_round_page_links_to_the_results(client, auth, study):
    sign_in_as(auth, "steering")
    html = client.get(f"/studies/{study.id}/rounds/1").get_data(as_text=True)
    assert "Ranking results and the shortlist" in html


def _post(client, study, **data):
    html = client.get(_url(study)).get_data(as_text=True)
    return client.post(_url(study), data={"csrf_token": csrf_token_from(html), **data})


def test_steering_confirms_the_proposal(client, auth, study):
    sign_in_as(auth, "steering")
    response = _post(client, study, method="jla", size="6", reason="")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The shortlist of 6 items is recorded." in html
    assert "Proposal confirmed" in html and "A steering" in html
    assert "In force: 6 items" in html
    assert _shortlists() == 1


def test_a_changed_size_needs_a_reason_and_keeps_what_was_typed(client, auth, study):
    sign_in_as(auth, "facilitator")
    response = _post(client, study, method="weighted", size="4", reason="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give a reason for a shortlist of 4 items instead of the proposed 6" in html
    assert 'value="4"' in html and 'value="weighted" checked' in html
    assert _shortlists() == 0
    response = _post(client, study, method="weighted", size="4", reason="Room for four")
    assert response.status_code == 302
    html = client.get(_url(study)).get_data(as_text=True)
    assert "Room for four" in html and "In force: 4 items" in html


@pytest.mark.parametrize(("data", "message"), [
    ({"method": "jla", "size": ""}, "Enter how many items go to the workshop"),
    ({"method": "jla", "size": "0"}, "Enter a whole number from 1 to 1,000"),
    ({"method": "jla", "size": "7", "reason": "More"}, "between 1 and 6 items"),
    ({"method": "union", "size": "6"}, "Not a valid choice"),
    ({"method": "jla", "size": "3", "reason": "x" * 2001}, "2,000 characters"),
])
def test_bad_decisions_are_explained(client, auth, study, data, message):
    sign_in_as(auth, "owner")
    response = _post(client, study, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _shortlists() == 0


def test_ties_at_the_cut_are_flagged(client, auth, db):
    study = _team(n_items=4, choices=[(0, [0]), (0, [1])])
    sign_in_as(auth, "owner")
    assert _post(client, study, method="jla", size="1", reason="One only").status_code == 302
    html = client.get(_url(study)).get_data(as_text=True)
    assert "Tied at the cut after position 1: 1, 2 have the same score" in html
    assert html.count("(tied at the cut)") == 2


def test_chart_alt_text_and_table_are_on_the_page(client, auth, study):
    sign_in_as(auth, "owner")
    html = client.get(_url(study, "?method=weighted")).get_data(as_text=True)
    assert "Bar chart of 6 items in order of points per person" in html
    assert "whose places differ most between the groups" in html
    assert "Show the numbers as a table" in html


@pytest.mark.parametrize(("query", "checked"), [("", "jla"), ("?method=weighted", "weighted")])
def test_the_method_choice_is_shown_without_errors(client, auth, study, query, checked):
    sign_in_as(auth, "owner")
    html = client.get(_url(study, query)).get_data(as_text=True)
    assert "There is a problem" not in html
    assert f'value="{checked}" checked' in html
