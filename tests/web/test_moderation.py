"""The review pages: comments by item, suggestions, approve/edit/hide, approve all with
confirmation; grouping suggestions and making items from them; who may use them."""

import pytest
from sqlalchemy import select

from delphi.extensions import db as _db
from delphi.models import (
    Comment,
    Item,
    ItemLink,
    ModerationState,
    Role,
    RoundItem,
    StudyMembership,
    Suggestion,
)

from ..conftest import csrf_token_from
from ..factories import make_participant, make_study, make_user
from .pages import assert_strict_csp_holds

OWNER = "owner@example.test"


@pytest.fixture
def owner(db):
    return make_user(email=OWNER)


@pytest.fixture
def study(owner):
    study = make_study(owner=owner, n_items=2)
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        _db.session.add(RoundItem(round=round_, item=item, item_version=item.current,
                                  position=position))
    round_.open()
    participant = make_participant(study)
    _db.session.add(Comment(participant=participant, round_item=round_.round_items[0],
                            original_text="Dr Jones was unhelpful", shown_text="",
                            moderation_state=ModerationState.PENDING))
    for text in ("Sleep", "Sleeping well"):
        _db.session.add(Suggestion(participant=participant, round=round_, original_text=text,
                                   shown_text="", moderation_state=ModerationState.PENDING))
    _db.session.commit()
    return study


def comment_of(study):
    _db.session.expire_all()
    return _db.session.scalar(select(Comment))


def suggestion_named(text):
    _db.session.expire_all()
    return _db.session.scalar(select(Suggestion).where(Suggestion.original_text == text))


def review_url(study, suffix=""):
    return f"/studies/{study.id}/rounds/{study.rounds[0].number}/review{suffix}"


def token(client, path="/studies"):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def page_text(response):
    return " ".join(response.get_data(as_text=True).split())


ROUTES = [
    ("get", "/rounds/{round}/review"),
    ("post", "/rounds/{round}/review/comment/{comment}/approve"),
    ("post", "/rounds/{round}/review/comment/{comment}/hide"),
    ("post", "/rounds/{round}/review/comment/{comment}/reopen"),
    ("get", "/rounds/{round}/review/comment/{comment}/edit"),
    ("post", "/rounds/{round}/review/comment/{comment}/edit"),
    ("get", "/rounds/{round}/review/approve-all"),
    ("post", "/rounds/{round}/review/approve-all"),
    ("get", "/suggestions"),
    ("get", "/suggestions/trail"),
    ("get", "/suggestions/{suggestion}/merge"),
    ("post", "/suggestions/{suggestion}/merge"),
    ("post", "/suggestions/{suggestion}/separate"),
    ("get", "/suggestions/{suggestion}/item"),
    ("post", "/suggestions/{suggestion}/item"),
]


def call(client, study, method, suffix, csrf=None):
    path = f"/studies/{study.id}" + suffix.format(
        round=study.rounds[0].number, comment=comment_of(study).id,
        suggestion=suggestion_named("Sleep").id)
    if method == "get":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf} if csrf else {})


def unchanged(study):
    comment = comment_of(study)
    return (comment.moderation_state == ModerationState.PENDING
            and suggestion_named("Sleeping well").merged_into_id is None
            and len(study.items) == 2)


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, study, method, suffix):
    response = call(client, study, method, suffix)
    assert response.status_code in ((302,) if method == "get" else (302, 400))
    if method == "get":
        assert response.headers["Location"].startswith("/login?next=")
    assert unchanged(study)


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_someone_off_the_team_is_refused(client, auth, study, method, suffix):
    make_user(email="stranger@example.test")
    auth.login("stranger@example.test")
    assert call(client, study, method, suffix, token(client)).status_code == 403
    assert unchanged(study)


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_steering_members_never_see_unreviewed_text_nor_change_it(client, auth, study,
                                                                  method, suffix):
    steering = make_user(email="steering@example.test")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    auth.login("steering@example.test")
    response = call(client, study, method, suffix, token(client))
    assert response.status_code == 403
    assert "Dr Jones" not in response.get_data(as_text=True)
    assert unchanged(study)


@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR])
def test_review_page_groups_comments_by_item_and_lists_suggestions(client, auth, study, role):
    colleague = make_user(email="colleague@example.test")
    _db.session.add(StudyMembership(study=study, user=colleague, role=role))
    _db.session.commit()
    auth.login("colleague@example.test")
    response = client.get(review_url(study))
    assert response.status_code == 200
    text = page_text(response)
    assert "Statement 1" in text and "Dr Jones was unhelpful" in text
    assert "Sleeping well" in text and "3 waiting for review" in text
    assert_strict_csp_holds(response)


def test_approve_and_hide_buttons(client, auth, study):
    auth.login(OWNER)
    comment = comment_of(study)
    response = client.post(review_url(study, f"/comment/{comment.id}/approve"),
                           data={"csrf_token": token(client, review_url(study))})
    assert response.status_code == 302
    assert comment_of(study).moderation_state == ModerationState.APPROVED
    client.post(review_url(study, f"/comment/{comment.id}/hide"),
                data={"csrf_token": token(client, review_url(study))})
    assert comment_of(study).moderation_state == ModerationState.HIDDEN


def test_approving_a_hidden_comment_is_refused_with_a_message(client, auth, study):
    auth.login(OWNER)
    comment = comment_of(study)
    client.post(review_url(study, f"/comment/{comment.id}/hide"),
                data={"csrf_token": token(client, review_url(study))})
    response = client.post(review_url(study, f"/comment/{comment.id}/approve"),
                           data={"csrf_token": token(client, review_url(study))},
                           follow_redirects=True)
    assert "This comment is hidden" in page_text(response)
    assert comment_of(study).moderation_state == ModerationState.HIDDEN


def test_a_button_without_its_token_changes_nothing(client, auth, study):
    auth.login(OWNER)
    response = client.post(review_url(study, f"/comment/{comment_of(study).id}/approve"))
    assert response.status_code in (302, 400)
    assert comment_of(study).moderation_state == ModerationState.PENDING


def test_edit_keeps_the_original_and_shows_the_edit(client, auth, study):
    auth.login(OWNER)
    path = review_url(study, f"/comment/{comment_of(study).id}/edit")
    page = client.get(path)
    assert "Dr Jones was unhelpful" in page.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token_from(page.get_data(
        as_text=True)), "text": "A doctor was unhelpful"})
    assert response.status_code == 302
    comment = comment_of(study)
    assert comment.original_text == "Dr Jones was unhelpful"
    assert comment.shown_text == "A doctor was unhelpful"
    assert "Shown as (edited)" in page_text(client.get(review_url(study)))


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the text to show"),
    ("x" * 5001, "5,000 characters or fewer"),
])
def test_edit_refuses_bad_text_keeping_what_was_typed(client, auth, study, text, message):
    auth.login(OWNER)
    path = review_url(study, f"/comment/{comment_of(study).id}/edit")
    response = client.post(path, data={"csrf_token": token(client, path), "text": text})
    assert response.status_code == 400
    assert message in page_text(response)
    assert comment_of(study).moderation_state == ModerationState.PENDING


def test_approve_all_asks_first_then_approves_what_was_seen(client, auth, study):
    auth.login(OWNER)
    path = review_url(study, "/approve-all")
    page = client.get(path)
    assert "Approve all 3 remaining?" in page_text(page)
    response = client.post(path, data={"csrf_token": csrf_token_from(page.get_data(
        as_text=True)), "expected": "3"})
    assert response.status_code == 302
    assert comment_of(study).moderation_state == ModerationState.APPROVED
    assert suggestion_named("Sleep").moderation_state == ModerationState.APPROVED


def test_approve_all_refuses_when_more_arrived_since_the_page(client, auth, study):
    auth.login(OWNER)
    path = review_url(study, "/approve-all")
    response = client.post(path, data={"csrf_token": token(client, path), "expected": "2"})
    assert response.status_code == 409
    assert "3 comments and suggestions are waiting now, not 2" in page_text(response)
    assert comment_of(study).moderation_state == ModerationState.PENDING


def test_approve_all_without_the_number_is_refused(client, auth, study):
    auth.login(OWNER)
    path = review_url(study, "/approve-all")
    assert client.post(path, data={"csrf_token": token(client, path)}).status_code == 400
    assert comment_of(study).moderation_state == ModerationState.PENDING


def test_an_entry_of_another_round_is_not_found(client, auth, study, owner):
    auth.login(OWNER)
    other = make_study(owner=owner, title="Other")
    path = f"/studies/{other.id}/rounds/{other.rounds[0].number}/review/comment/" \
           f"{comment_of(study).id}/edit"
    assert client.get(path).status_code == 404


# --- suggestions ---------------------------------------------------------------------------


def test_group_suggestions_then_make_an_item_linked_to_both(client, auth, study):
    auth.login(OWNER)
    lead, twin = suggestion_named("Sleep"), suggestion_named("Sleeping well")
    listing = client.get(f"/studies/{study.id}/suggestions")
    assert listing.status_code == 200 and "Sleeping well" in page_text(listing)
    assert_strict_csp_holds(listing)
    path = f"/studies/{study.id}/suggestions/{lead.id}/merge"
    response = client.post(path, data={"csrf_token": token(client, path),
                                       "duplicates": [str(twin.id)]})
    assert response.status_code == 302
    assert suggestion_named("Sleeping well").merged_into_id == lead.id
    path = f"/studies/{study.id}/suggestions/{lead.id}/item"
    page = client.get(path)
    assert "Sleeping well" in page_text(page)
    response = client.post(path, data={"csrf_token": token(client, path),
                                       "text": "Sleeping well at night", "domain": "Rest"})
    assert response.status_code == 302
    item = _db.session.scalar(select(Item).where(Item.domain == "Rest"))
    links = _db.session.scalars(select(ItemLink).where(ItemLink.item_id == item.id)).all()
    assert {link.suggestion_id for link in links} == {lead.id, twin.id}
    trail = page_text(client.get(f"/studies/{study.id}/suggestions/trail"))
    assert "Sleeping well at night" in trail and "Sleeping well" in trail


def test_merging_without_a_choice_asks_for_one(client, auth, study):
    auth.login(OWNER)
    path = f"/studies/{study.id}/suggestions/{suggestion_named('Sleep').id}/merge"
    response = client.post(path, data={"csrf_token": token(client, path)})
    assert response.status_code == 400
    assert "Choose at least one suggestion" in page_text(response)


def test_a_suggestion_cannot_be_merged_into_itself(client, auth, study):
    auth.login(OWNER)
    lead = suggestion_named("Sleep")
    path = f"/studies/{study.id}/suggestions/{lead.id}/merge"
    response = client.post(path, data={"csrf_token": token(client, path),
                                       "duplicates": [str(lead.id)]})
    assert response.status_code == 400
    assert suggestion_named("Sleep").merged_into_id is None


def test_separate_takes_a_suggestion_back_out(client, auth, study):
    auth.login(OWNER)
    lead, twin = suggestion_named("Sleep"), suggestion_named("Sleeping well")
    twin.merged_into_id = lead.id
    _db.session.commit()
    response = client.post(f"/studies/{study.id}/suggestions/{twin.id}/separate",
                           data={"csrf_token": token(client, f"/studies/{study.id}/suggestions")})
    assert response.status_code == 302
    assert suggestion_named("Sleeping well").merged_into_id is None


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the statement for the new item"),
    ("Statement 1", "already has this statement"),
])
def test_making_an_item_refuses_bad_wording_and_creates_nothing(client, auth, study, text,
                                                                message):
    auth.login(OWNER)
    path = f"/studies/{study.id}/suggestions/{suggestion_named('Sleep').id}/item"
    response = client.post(path, data={"csrf_token": token(client, path), "text": text,
                                       "domain": "Kept domain"})
    assert response.status_code == 400
    assert message in page_text(response) and "Kept domain" in page_text(response)
    _db.session.expire_all()
    assert len(study.items) == 2
