"""A participant can only ever see and change their own answers in their study's open round."""

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import Answer, Comment, utcnow
from delphi.services import answering

from ..conftest import csrf_token_from
from ..factories import make_participant, make_user
from ..services.test_answering import build_study, round_two
from .test_answering import post, sign_in

ROUTES = [("get", "/take-part"), ("get", "/take-part/consent"), ("post", "/take-part/consent"),
          ("get", "/take-part/guidance"), ("post", "/take-part/guidance"),
          ("get", "/take-part/questions/1"), ("post", "/take-part/questions/1"),
          ("post", "/take-part/autosave"), ("get", "/take-part/saved"),
          ("get", "/take-part/check"), ("post", "/take-part/check"), ("get", "/take-part/done")]


@pytest.fixture
def two(db, client):
    """Two participants of one study with round 1 open; the first signed in on ``client``."""
    study, round_ = build_study()
    first, second = make_participant(study), make_participant(study)
    for participant in (first, second):
        participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, first, round_)
    return study, round_, first, second


def answers_count():
    return _db.session.scalar(select(func.count(Answer.id)))


def scale_name(study, key):
    return f"answer-{key}-{study.dimensions[0].id}"


@pytest.mark.parametrize("method, url", ROUTES)
def test_every_page_needs_a_private_link(db, client, method, url):
    build_study()
    response = getattr(client, method)(url, data={})
    assert response.status_code in (400, 404)  # 400: a form without its CSRF token
    assert answers_count() == 0


def test_another_participants_answers_are_never_shown(two, client, another_client):
    study, round_, first, second = two
    sign_in(another_client, second, round_)
    key = answering.items_of(round_)[0].key
    post(another_client, "/take-part/questions/1",
         {scale_name(study, key): "8", f"comment-{key}": "Second's own words"})
    page = client.get("/take-part/questions/1").get_data(as_text=True)
    assert " checked" not in page and "Second's own words" not in page
    check = client.get("/take-part/check").get_data(as_text=True)
    assert "Second's own words" not in check and check.count("Not answered") == 6


def test_naming_another_participant_changes_nothing_of_theirs(two, client):
    study, round_, first, second = two
    key = answering.items_of(round_)[0].key
    post(client, "/take-part/questions/1",
         {scale_name(study, key): "3", "participant_id": str(second.id),
          "participant": str(second.id)})
    owners = set(_db.session.scalars(select(Answer.participant_id)))
    assert owners == {first.id}


def test_another_studys_item_is_refused_and_nothing_is_written(two, client):
    study, round_, first, second = two
    other_study, other_round = build_study(make_user("other@example.test"), "Another study")
    other_key = answering.items_of(other_round)[0].key
    own_key = answering.items_of(round_)[0].key
    response = post(client, "/take-part/questions/1",
                    {scale_name(study, own_key): "5", scale_name(other_study, other_key): "5",
                     f"comment-{other_key}": "Sneaky"})
    assert response.status_code == 400
    assert answers_count() == 0 and _db.session.scalar(select(func.count(Comment.id))) == 0
    token = csrf_token_from(client.get("/take-part/questions/1").get_data(as_text=True))
    autosave = client.post("/take-part/autosave", headers={"X-CSRFToken": token},
                           data={"item": other_key, scale_name(other_study, other_key): "5"})
    assert autosave.status_code == 400 and autosave.get_json()["saved"] is False
    assert answers_count() == 0


def test_an_item_from_another_page_or_an_earlier_round_is_refused(two, client):
    study, round_, first, second = two
    items = answering.items_of(round_)
    later = items[3].key  # on page 2
    response = post(client, "/take-part/questions/1", {f"answer-{later}": "1"})
    assert response.status_code == 400 and answers_count() == 0

    earlier = items[0].key
    second_round = round_two(study, round_, second)
    before = answers_count()
    response = post(client, "/take-part/questions/1", {scale_name(study, earlier): "4"})
    assert response.status_code == 400 and answers_count() == before
    assert earlier not in {item.key for item in answering.items_of(second_round)}


@pytest.mark.parametrize("page", [0, 3, 1000])
def test_a_page_out_of_range_is_refused_and_nothing_is_written(two, client, page):
    study, round_, first, second = two
    token = csrf_token_from(client.get("/take-part/questions/1").get_data(as_text=True))
    key = answering.items_of(round_)[0].key
    response = client.post(f"/take-part/questions/{page}",
                           data={"csrf_token": token, scale_name(study, key): "5"})
    assert response.status_code == 404 and answers_count() == 0


def test_autosave_before_consent_saves_nothing(db, client):
    study, round_ = build_study()
    participant = make_participant(study)
    sign_in(client, participant, round_)
    token = csrf_token_from(client.get("/take-part/consent").get_data(as_text=True))
    key = answering.items_of(round_)[0].key
    response = client.post("/take-part/autosave", headers={"X-CSRFToken": token},
                           data={"item": key, scale_name(study, key): "5"})
    assert response.status_code == 409 and response.get_json()["saved"] is False
    assert answers_count() == 0
