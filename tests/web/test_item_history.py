"""The item history page and the reword, typo-fix, change-of-meaning, merge, split and retire
pages: success, each bad input, conflicts between two editors, and who may use them."""

import re

import pytest

from delphi.extensions import db as _db
from delphi.models import Answer, ItemStatus, Role, RoundItem, StudyMembership

from ..conftest import AuthActions, csrf_token_from
from ..factories import make_participant, make_study, make_user
from .pages import assert_strict_csp_holds

OWNER = "owner@example.test"


@pytest.fixture
def owner(db):
    return make_user(email=OWNER)


@pytest.fixture
def study(owner):
    return make_study(owner=owner, n_items=3)


def put_in_round(study, state):
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        _db.session.add(RoundItem(round=round_, item=item, item_version=item.current,
                                  position=position))
    round_.open()
    if state == "closed":
        round_.close()
    _db.session.commit()
    return round_


def first(study):
    _db.session.expire_all()
    return study.items[0]


def url(study, suffix, item=None):
    return f"/studies/{study.id}/items/{(item or study.items[0]).id}{suffix}"


def token(client, path="/studies"):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def page_text(response):
    return " ".join(response.get_data(as_text=True).split())


CHANGE_ROUTES = [
    ("get", "/reword"), ("post", "/reword"),
    ("get", "/fix-typo"), ("post", "/fix-typo"),
    ("get", "/change-meaning"), ("post", "/change-meaning"),
    ("get", "/merge"), ("post", "/merge"),
    ("get", "/split"), ("post", "/split"),
    ("get", "/retire-with-reason"), ("post", "/retire-with-reason"),
]


def call(client, study, method, suffix, csrf=None):
    path = url(study, suffix)
    if method == "get":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf} if csrf else {})


def join(study, email, role):
    user = make_user(email=email)
    _db.session.add(StudyMembership(study=study, user=user, role=role))
    _db.session.commit()


@pytest.mark.parametrize(("method", "suffix"), [("get", "/history"), *CHANGE_ROUTES])
def test_signed_out_visitors_are_sent_to_sign_in(client, study, method, suffix):
    response = call(client, study, method, suffix)
    assert response.status_code in ((302,) if method == "get" else (302, 400))
    assert first(study).status == ItemStatus.ACTIVE


@pytest.mark.parametrize(("method", "suffix"), [("get", "/history"), *CHANGE_ROUTES])
def test_someone_off_the_team_is_refused(client, auth, study, method, suffix):
    make_user(email="stranger@example.test")
    auth.login("stranger@example.test")
    assert call(client, study, method, suffix, token(client)).status_code == 403


@pytest.mark.parametrize(("method", "suffix"), CHANGE_ROUTES)
def test_steering_members_may_not_change_items(client, auth, study, method, suffix):
    join(study, "steering@example.test", Role.STEERING)
    auth.login("steering@example.test")
    version = first(study).version
    assert call(client, study, method, suffix, token(client)).status_code == 403
    assert first(study).version == version and first(study).status == ItemStatus.ACTIVE


def test_steering_members_may_read_the_history_without_controls(client, auth, study):
    put_in_round(study, "closed")
    join(study, "steering@example.test", Role.STEERING)
    auth.login("steering@example.test")
    response = client.get(url(study, "/history"))
    assert response.status_code == 200
    assert "Statement 1" in page_text(response) and "Reword" not in page_text(response)


@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR])
def test_reword_between_rounds_adds_a_version_shown_in_the_history(client, auth, study, role):
    put_in_round(study, "closed")
    join(study, "colleague@example.test", role)
    auth.login("colleague@example.test")
    history = client.get(url(study, "/history"))
    assert "Reword" in page_text(history)
    assert_strict_csp_holds(history)
    page = client.get(url(study, "/reword"))
    assert page.status_code == 200
    assert_strict_csp_holds(page)
    response = client.post(url(study, "/reword"), data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "version": str(first(study).version), "text": "Statement one, clearer",
        "reason": "Round 1 comments"})
    assert response.status_code == 302
    assert [v.text for v in first(study).versions] == ["Statement 1", "Statement one, clearer"]
    text = page_text(client.get(url(study, "/history")))
    assert "Round 1 comments" in text and "Round 1 (closed): version 1" in text


@pytest.mark.parametrize(("data", "message"), [
    ({"text": "New words", "reason": ""}, "Enter the reason"),
    ({"text": "", "reason": "Why"}, "Enter the new wording"),
    ({"text": "Statement 1", "reason": "Why"}, "The wording is unchanged"),
    ({"text": "Statement 2", "reason": "Why"}, "already has this statement"),
])
def test_reword_refuses_bad_input_keeping_what_was_typed(client, auth, study, data, message):
    put_in_round(study, "closed")
    auth.login(OWNER)
    response = client.post(url(study, "/reword"), data={
        "csrf_token": token(client), "version": str(first(study).version), **data})
    assert response.status_code == 400
    assert message in page_text(response)
    if data["reason"]:
        assert data["reason"] in response.get_data(as_text=True)
    assert len(first(study).versions) == 1


def test_two_editors_at_once_the_second_gets_a_conflict_and_keeps_their_words(
        client, another_client, study):
    put_in_round(study, "closed")
    AuthActions(client).login(OWNER)
    AuthActions(another_client).login(OWNER)
    first_page = client.get(url(study, "/reword")).get_data(as_text=True)
    second_page = another_client.get(url(study, "/reword")).get_data(as_text=True)
    loaded = str(first(study).version)
    assert client.post(url(study, "/reword"), data={
        "csrf_token": csrf_token_from(first_page), "version": loaded,
        "text": "First editor's words", "reason": "Mine"}).status_code == 302
    late = another_client.post(url(study, "/reword"), data={
        "csrf_token": csrf_token_from(second_page), "version": loaded,
        "text": "Second editor's words", "reason": "Theirs"})
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Someone else changed this item while you were editing" in html
    assert "Second editor&#39;s words" in html and "First editor&#39;s words" in html
    assert first(study).current.text == "First editor's words"
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"',
                        html)
    assert version and (version.group(1) or version.group(2)) == str(first(study).version)


def test_typo_fix_while_open_keeps_one_version(client, auth, study):
    put_in_round(study, "open")
    auth.login(OWNER)
    history = page_text(client.get(url(study, "/history")))
    assert "Fix a typo" in history and "Reword" not in history
    response = client.post(url(study, "/fix-typo"), data={
        "csrf_token": token(client), "version": str(first(study).version),
        "text": "Statemnt 1"})
    assert response.status_code == 302
    assert len(first(study).versions) == 1 and first(study).current.text == "Statemnt 1"
    assert "was “Statement 1”, now “Statemnt 1”" in page_text(client.get(url(study, "/history")))


def test_typo_fix_when_no_round_is_open_is_refused(client, auth, study):
    put_in_round(study, "closed")
    auth.login(OWNER)
    response = client.post(url(study, "/fix-typo"), data={
        "csrf_token": token(client), "version": str(first(study).version),
        "text": "Statemnt 1"})
    assert response.status_code == 400
    assert "No open round shows this item" in page_text(response)
    assert first(study).current.text == "Statement 1"


def test_typo_fix_refuses_a_change_of_meaning(client, auth, study):
    put_in_round(study, "open")
    auth.login(OWNER)
    response = client.post(url(study, "/fix-typo"), data={
        "csrf_token": token(client), "version": str(first(study).version),
        "text": "Something else entirely"})
    assert response.status_code == 400
    assert "changes more than a typo" in page_text(response)


def test_change_of_meaning_while_open_asks_participants_again(client, auth, study):
    round_ = put_in_round(study, "open")
    participant = make_participant(study)
    _db.session.add(Answer(participant=participant, round_item=round_.round_items[0],
                           item_version_id=round_.round_items[0].item_version_id,
                           dimension=study.dimensions[0], value=8))
    _db.session.commit()
    auth.login(OWNER)
    response = client.post(url(study, "/change-meaning"), data={
        "csrf_token": token(client), "version": str(first(study).version),
        "text": "Statement 1 at home", "reason": "Setting was wrong"}, follow_redirects=True)
    assert response.status_code == 200
    assert "1 participant answered the old wording and will be asked to answer again" in (
        page_text(response))
    assert len(first(study).versions) == 2


def test_change_of_meaning_without_a_reason_is_refused(client, auth, study):
    put_in_round(study, "open")
    auth.login(OWNER)
    response = client.post(url(study, "/change-meaning"), data={
        "csrf_token": token(client), "version": str(first(study).version),
        "text": "Statement 1 at home", "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason" in page_text(response)


def test_merge_into_a_new_item(client, auth, study):
    put_in_round(study, "closed")
    auth.login(OWNER)
    page = client.get(url(study, "/merge"))
    assert "Statement 2" in page_text(page)
    assert_strict_csp_holds(page)
    other = study.items[1]
    response = client.post(url(study, "/merge"), data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "others": [str(other.id)], "outcome": "new", "text": "Statements 1 and 2",
        "reason": "Same idea"})
    assert response.status_code == 302
    _db.session.expire_all()
    assert study.items[0].status == study.items[1].status == ItemStatus.MERGED
    text = page_text(client.get(response.headers["Location"]))
    assert "Merged from" in text and "Same idea" in text


def test_merge_keeping_this_item(client, auth, study):
    auth.login(OWNER)
    response = client.post(url(study, "/merge"), data={
        "csrf_token": token(client), "others": [str(study.items[1].id)], "outcome": "keep",
        "text": "Statement 1", "reason": "Duplicates"})
    assert response.status_code == 302
    _db.session.expire_all()
    assert study.items[0].status == ItemStatus.ACTIVE
    assert study.items[1].status == ItemStatus.MERGED


@pytest.mark.parametrize(("data", "message"), [
    ({"outcome": "keep", "reason": "Why"}, "Choose at least one other item"),
    ({"others": ["{self}"], "outcome": "keep", "reason": "Why"}, "not a valid choice"),
    ({"others": ["{other}"], "outcome": "new", "text": "", "reason": "Why"},
     "Enter the statement"),
    ({"others": ["{other}"], "outcome": "keep", "reason": ""}, "Enter the reason"),
])
def test_merge_refuses_bad_input(client, auth, study, data, message):
    auth.login(OWNER)
    values = {key: [v.format(self=study.items[0].id, other=study.items[1].id) for v in value]
              if isinstance(value, list) else value for key, value in data.items()}
    response = client.post(url(study, "/merge"), data={"csrf_token": token(client), **values})
    assert response.status_code == 400
    assert message in page_text(response)
    _db.session.expire_all()
    assert all(item.status == ItemStatus.ACTIVE for item in study.items)


def test_split_into_two(client, auth, study):
    put_in_round(study, "closed")
    auth.login(OWNER)
    response = client.post(url(study, "/split"), data={
        "csrf_token": token(client), "texts": "Pain at rest\nPain when walking\n",
        "reason": "Two ideas"})
    assert response.status_code == 302
    _db.session.expire_all()
    assert study.items[0].status == ItemStatus.REMOVED and len(study.items) == 5
    assert "Split into" in page_text(client.get(url(study, "/history")))


@pytest.mark.parametrize(("texts", "reason", "message"), [
    ("Only one statement", "Why", "at least two statements"),
    ("", "Why", "Enter at least two statements"),
    ("Pain\nMore pain", "", "Enter the reason"),
])
def test_split_refuses_bad_input_keeping_what_was_typed(client, auth, study, texts, reason,
                                                        message):
    auth.login(OWNER)
    response = client.post(url(study, "/split"), data={
        "csrf_token": token(client), "texts": texts, "reason": reason})
    assert response.status_code == 400
    assert message in page_text(response)
    if texts:
        assert texts.split("\n")[0] in response.get_data(as_text=True)
    _db.session.expire_all()
    assert len(study.items) == 3 and study.items[0].status == ItemStatus.ACTIVE


def test_retire_with_a_reason(client, auth, study):
    auth.login(OWNER)
    assert client.post(url(study, "/retire-with-reason"), data={
        "csrf_token": token(client), "reason": ""}).status_code == 400
    response = client.post(url(study, "/retire-with-reason"), data={
        "csrf_token": token(client), "reason": "Out of scope"})
    assert response.status_code == 302
    assert first(study).status == ItemStatus.REMOVED
    assert "Reason: Out of scope" in page_text(client.get(url(study, "/history")))


def test_changes_during_an_open_round_are_refused_between_round_pages(client, auth, study):
    put_in_round(study, "open")
    auth.login(OWNER)
    response = client.post(url(study, "/split"), data={
        "csrf_token": token(client), "texts": "A\nB", "reason": "Why"})
    assert response.status_code == 400
    assert "Round 1 is open and shows this item" in page_text(response)


def test_item_page_links_to_the_history(client, auth, study):
    auth.login(OWNER)
    assert "Full history of this item" in page_text(client.get(url(study, "")))


def test_two_editors_fixing_typos_at_once_the_second_gets_a_conflict(
        client, another_client, study):
    put_in_round(study, "open")
    AuthActions(client).login(OWNER)
    AuthActions(another_client).login(OWNER)
    first_page = client.get(url(study, "/fix-typo")).get_data(as_text=True)
    second_page = another_client.get(url(study, "/fix-typo")).get_data(as_text=True)
    loaded = str(first(study).version)
    assert client.post(url(study, "/fix-typo"), data={
        "csrf_token": csrf_token_from(first_page), "version": loaded,
        "text": "Statemnt 1"}).status_code == 302
    late = another_client.post(url(study, "/fix-typo"), data={
        "csrf_token": csrf_token_from(second_page), "version": loaded, "text": "Statement 1."})
    assert late.status_code == 409
    assert "Someone else changed this item" in page_text(late)
    assert first(study).current.text == "Statemnt 1"


def test_the_typo_page_says_when_no_round_is_open(client, auth, study):
    auth.login(OWNER)
    assert "No open round shows this item" in page_text(client.get(url(study, "/fix-typo")))
